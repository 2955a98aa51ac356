"""Deny by default, and the same security headers on every response (SECURITY.md 1, 14)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from habeas.core import access

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Nothing Habeas serves may be kept by a browser or a proxy: a seized laptop
        # must not hold pages in its cache. Static files are served before this point.
        response["Cache-Control"] = "no-store, max-age=0"
        response["Pragma"] = "no-cache"
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "no-referrer")
        return response


def second_factor_ok(request: HttpRequest) -> bool:
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return True
    # Demo only: a user may postpone enrolment, behind a banner on every page.
    return bool(
        settings.HABEAS_DEMO
        and request.session.get("otp_postponed")
        and not user.has_confirmed_device()  # type: ignore[union-attr]
    )


class DenyByDefaultMiddleware:
    """Refuse every view unless it declares a policy that this request meets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        policy = access.policy_of(view_func)
        if policy is None:
            raise Http404
        if policy in (access.PUBLIC, "api"):
            return None  # the API's own default permission denies (habeas.api.permissions)
        user = request.user
        if not user.is_authenticated or user.has_expired():  # type: ignore[union-attr]
            return _to(request, "accounts:login")
        if policy == access.SIGNED_IN or second_factor_ok(request):
            return None
        if user.has_confirmed_device():  # type: ignore[union-attr]
            return _to(request, "accounts:verify")
        return _to(request, "accounts:enrol")


def _to(request: HttpRequest, name: str) -> HttpResponse:
    target = reverse(name)
    if request.method == "GET" and request.path != target:
        target += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)
