"""Signing in and out, the second factor, sudo mode, the profile, API tokens and users.

django-otp, django-axes and Django's auth do the checking and counting; these views
only wire them to pages and call the services.
"""

from __future__ import annotations

import base64
from binascii import unhexlify
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from habeas.accounts import forms, roles, selectors, services
from habeas.accounts.models import User
from habeas.accounts.sudo import require_sudo, sudo_active, sudo_grant
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.middleware import second_factor_ok

PENDING_KEY = "otp_pending_key"
CODES_KEY = "recovery_codes_once"
GET_POST = require_http_methods(["GET", "POST"])


# Helpers ---------------------------------------------------------------------------


class SignedInRequest(HttpRequest):
    """What the deny-by-default middleware guarantees to `signed_in` and `verified` views."""

    user: User  # type: ignore[assignment]


def _is_verified(request: SignedInRequest) -> bool:
    # django-otp's middleware adds is_verified() to the user.
    return bool(request.user.is_verified())  # type: ignore[attr-defined]


def safe_next(request: HttpRequest) -> str:
    """The `next` target if it stays on this site; the start page otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return reverse(name) + "?" + urlencode({"next": safe_next(request)})


def _second_step(user: User, request: HttpRequest) -> str:
    return _with_next(
        "accounts:verify" if user.has_confirmed_device() else "accounts:enrol", request
    )


def _qr_data_uri(text: str) -> str:
    # CSP allows data: images but no inline SVG styles, so the QR code is an <img>.
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None, *args: Any
) -> HttpResponse:
    """django-axes calls this when an account is locked (AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# Signing in ------------------------------------------------------------------------


@access.public
@GET_POST
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated and second_factor_ok(request):
        return redirect(safe_next(request))
    form = forms.LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None  # noqa: S101  (is_valid guarantees it)
        auth_login(request, form.user)  # issues a new session key; audited by signals
        return redirect(_second_step(form.user, request))
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request)})


@access.signed_in
@GET_POST
def verify(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if _is_verified(request):
        return redirect(safe_next(request))
    if not user.has_confirmed_device():
        return redirect(_with_next("accounts:enrol", request))
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            otp_login(request, result.device)
            request.session.cycle_key()
            if result.method == "recovery":
                _warn_recovery_codes_left(request)
            return redirect(safe_next(request))
        form.add_error("code", _verify_error(result))
    return render(request, "accounts/verify.html", {"form": form, "next": safe_next(request)})


def _warn_recovery_codes_left(request: SignedInRequest) -> None:
    left = selectors.recovery_codes_left(user=request.user)
    text = ngettext(
        "You used a recovery code. %(left)d is left; make new ones on your profile page.",
        "You used a recovery code. %(left)d are left; make new ones on your profile page.",
        left,
    )
    messages.warning(request, text % {"left": left})


def _verify_error(result: services.Verification) -> str:
    if result.throttled:
        return _("Too many wrong codes. Wait a minute, then try again.")
    if result.method == "recovery":
        return _("That recovery code is not right, or it was already used.")
    return _(
        "That code is not right, or it was already used. Wait for the next code in your app "
        "and try again."
    )


@access.signed_in
@GET_POST
def enrol(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if user.has_confirmed_device():
        target = "accounts:profile" if _is_verified(request) else "accounts:verify"
        return redirect(_with_next(target, request))
    if request.method == "POST" and "postpone" in request.POST:
        return _postpone(request)
    key = request.session.get(PENDING_KEY) or random_hex(20)
    request.session[PENDING_KEY] = key
    form = forms.EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.second_factor_enrol(
                user=user, key=key, token=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            request.session.cycle_key()
            request.session.pop(PENDING_KEY, None)
            request.session.pop("otp_postponed", None)
            request.session[CODES_KEY] = codes
            return redirect(_with_next("accounts:recovery_codes", request))
    device = TOTPDevice(user=user, key=key)
    secret = base64.b32encode(unhexlify(key)).decode()
    context = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": _grouped(secret),
        "may_postpone": settings.HABEAS_DEMO,
        "next": safe_next(request),
    }
    return render(request, "accounts/enrol.html", context)


def _postpone(request: SignedInRequest) -> HttpResponse:
    if not settings.HABEAS_DEMO:
        raise PermissionDenied
    services.second_factor_postpone(user=request.user)
    request.session["otp_postponed"] = True
    return redirect(safe_next(request))


@access.verified
@require_GET
def recovery_codes(request: SignedInRequest) -> HttpResponse:
    """The recovery codes, shown once: they leave the session as they are displayed."""
    codes = request.session.pop(CODES_KEY, None)
    context = {"codes": codes, "next": safe_next(request)}
    return render(request, "accounts/recovery_codes.html", context)


@access.verified
@require_sudo
@require_POST
def recovery_codes_regenerate(request: SignedInRequest) -> HttpResponse:
    try:
        codes = services.recovery_codes_regenerate(actor=request.user, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:profile")
    request.session[CODES_KEY] = codes
    return redirect(
        reverse("accounts:recovery_codes") + "?" + urlencode({"next": reverse("accounts:profile")})
    )


@access.signed_in
@require_POST
def logout_view(request: SignedInRequest) -> HttpResponse:
    auth_logout(request)  # flushes the session; audited by signals
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


@access.verified
@GET_POST
def sudo(request: SignedInRequest) -> HttpResponse:
    """Confirm it is really you before exports, user administration and key operations."""
    user = request.user
    needs_code = user.has_confirmed_device()
    form = forms.SudoForm(request, request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        if services.sudo_confirm(user=user, code=form.cleaned_data.get("code")):
            sudo_grant(request)
            return redirect(safe_next(request))
        form.add_error(
            "code", _("That code is not right, or it was already used. Wait for the next one.")
        )
    context = {"form": form, "next": safe_next(request), "needs_code": needs_code}
    return render(request, "accounts/sudo.html", context)


# Profile, password, tokens ------------------------------------------------------------


@access.verified
@GET_POST
def profile(request: SignedInRequest) -> HttpResponse:
    """Who I am, my password, my recovery codes and a link to my API tokens."""
    form = forms.PasswordChangeForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.password_change(
            actor=request.user, user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)  # this session stays; all others end
        messages.success(
            request,
            _("Your password is changed. Your other sessions and your API tokens have ended."),
        )
        return redirect("accounts:profile")
    context = {
        "form": form,
        "codes_left": selectors.recovery_codes_left(user=request.user),
        "has_device": request.user.has_confirmed_device(),
    }
    return render(request, "accounts/profile.html", context)


@access.verified
@GET_POST
def tokens(request: SignedInRequest) -> HttpResponse:
    user = request.user
    may_create = roles.can(user, "api.tokens")
    form = forms.TokenForm(request.POST or None)
    created = None
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        if not sudo_active(request):
            return HttpResponseRedirect(_with_sudo(reverse("accounts:tokens")))
        if form.is_valid():
            token, key = services.api_token_create(actor=user, **form.cleaned_data)
            created = {"token": token, "key": key}
            form = forms.TokenForm()
    context = {
        "tokens": selectors.tokens_of(user=user),
        "form": form,
        "created": created,
        "may_create": may_create,
        "sudo": sudo_active(request),
        "sudo_url": _with_sudo(reverse("accounts:tokens")),
    }
    return render(request, "accounts/tokens.html", context)


def _with_sudo(back: str) -> str:
    return reverse("accounts:sudo") + "?" + urlencode({"next": back})


@access.verified
@require_POST
def token_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.tokens_of(user=request.user), pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


# User administration (the administrator only, in sudo mode) -----------------------------


def _manager_only(view: Any) -> Any:
    """Anyone but the administrator gets the same 404 as a page that does not exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not roles.can(request.user, "accounts.manage"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@access.verified
@_manager_only
@require_sudo
@require_GET
def user_list(request: SignedInRequest) -> HttpResponse:
    users = selectors.users_for_admin(actor=request.user)
    return render(request, "accounts/user_list.html", {"users": users, "now": timezone.now()})


@access.verified
@_manager_only
@require_sudo
@GET_POST
def user_create(request: SignedInRequest) -> HttpResponse:
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _password_link_page(request, user, created=True)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


def _password_link_page(request: SignedInRequest, user: User, *, created: bool) -> HttpResponse:
    token = services.password_link_issue(actor=request.user, user=user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = request.build_absolute_uri(reverse("accounts:password_set", args=[uid, token]))
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    context = {"account": user, "link": link, "days": days, "created": created}
    return render(request, "accounts/password_link.html", context)


@access.verified
@_manager_only
@require_sudo
@GET_POST
def user_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    account = selectors.user_for_admin(actor=request.user, pk=pk)
    initial = {
        "role": account.role,
        "expires_at": account.expires_at,
        "is_active": account.is_active,
        "version": account.version,
    }
    form = forms.UserEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=account, **form.cleaned_data)
        except StaleEdit as stale:
            account = selectors.user_for_admin(actor=request.user, pk=pk)
            data = request.POST.copy()
            data["version"] = str(stale.current_version)
            form = forms.UserEditForm(data)
            form.stale_message = stale.message  # type: ignore[attr-defined]
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The account of %(name)s is saved.") % {"name": account})
            return redirect("accounts:user_edit", pk=account.pk)
    context = {"form": form, "account": account, "creating": False}
    return render(request, "accounts/user_form.html", context, status=status)


@access.verified
@_manager_only
@require_sudo
@require_POST
def user_reset_2fa(request: SignedInRequest, pk: int) -> HttpResponse:
    account = selectors.user_for_admin(actor=request.user, pk=pk)
    services.user_reset_second_factor(actor=request.user, user=account)
    messages.success(
        request,
        _("%(name)s must set up their authenticator app again at their next sign-in.")
        % {"name": account},
    )
    return redirect("accounts:user_edit", pk=account.pk)


@access.verified
@_manager_only
@require_sudo
@require_POST
def user_password_link(request: SignedInRequest, pk: int) -> HttpResponse:
    account = selectors.user_for_admin(actor=request.user, pk=pk)
    return _password_link_page(request, account, created=False)


@access.public
@GET_POST
def password_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password from a one-time link given by the administrator."""
    account = _account_from_link(uidb64, token)
    if account is None:
        return render(request, "accounts/password_link_invalid.html", status=404)
    form = forms.NewPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(
            actor=account, user=account, new_password=form.cleaned_data["new_password1"]
        )
        messages.success(request, _("Your password is set. Sign in with it now."))
        return redirect("accounts:login")
    return render(request, "accounts/password_set.html", {"form": form, "account": account})


def _account_from_link(uidb64: str, token: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    account = User.objects.filter(pk=pk, is_active=True).first()
    if account is None or account.has_expired():
        return None
    return account if default_token_generator.check_token(account, token) else None
