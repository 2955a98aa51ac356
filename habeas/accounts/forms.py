"""Forms for signing in, the second factor, sudo mode, passwords, tokens and accounts."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts.models import ApiToken, User
from habeas.accounts.roles import Role
from habeas.accounts.services import is_totp_code


def normalise_code(value: str) -> str:
    """What people type: spaces and dashes inside a code, capitals in a recovery code."""
    return re.sub(r"[\s-]", "", value or "").lower()


class LoginForm(forms.Form):
    # Named `username` so django-axes counts failures per account; it holds the email.
    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid": _("The email or password is not right. Check them and try again."),
    }

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            # authenticate() lets axes count this attempt against the account.
            self.user = authenticate(self.request, username=email, password=password)
            if self.user is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )

    def clean_code(self) -> str:
        return normalise_code(self.cleaned_data["code"])


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your app"),
        max_length=12,
        help_text=_("Enter the 6-digit code your authenticator app now shows for Habeas."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not is_totp_code(code):
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


class SudoForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        help_text=_(
            "Enter the 6-digit code your app shows now. If you have just used a code, "
            "wait for the next one."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(
        self, request: HttpRequest, *args: Any, needs_code: bool = True, **kwargs: Any
    ) -> None:
        self.request = request
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user: Any = self.request.user
        # Through authenticate(), so axes counts wrong passwords here as at sign-in.
        found = authenticate(self.request, username=user.email, password=password)
        if found is None or found.pk != user.pk:
            raise forms.ValidationError(_("Your password is not right."), code="wrong")
        return password

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not is_totp_code(code):
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


class PasswordChangeForm(SetPasswordForm):
    """Django's password change, but the old password goes through authenticate() (and axes)."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(request.user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.email, password=old)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(_("Your current password is not right."), code="wrong")
        return old


class NewPasswordForm(SetPasswordForm):
    """Choosing a password from a set-password link (Django's validators apply)."""


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “monthly statistics script”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.HABEAS_TOKEN_MAX_DAYS
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=limit,
            initial=min(90, limit),
            help_text=_("At most %(max)d days. You can revoke it at any time.") % {"max": limit},
        )


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _AccountFields(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("No role yet")), *Role.choices], required=False
    )
    expires_at = forms.DateTimeField(
        label=_("Account ends"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Required for external experts: the account stops working at this time."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.EXPERT and not data.get("expires_at"):
            self.add_error("expires_at", _("An external expert's account needs an end date."))
        return data


class UserCreateForm(_AccountFields):
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200)

    field_order = ["email", "full_name", "role", "expires_at"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        return email

    def clean_expires_at(self) -> Any:
        value = self.cleaned_data.get("expires_at")
        if value and value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return value


class UserEditForm(_AccountFields):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Untick to stop this account at once: its sessions and API tokens end."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
