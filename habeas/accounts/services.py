"""Writes on accounts, second factors, API tokens and need-to-know grants.

Every function here is keyword-only, runs in one transaction, checks the actor's right
first and writes exactly one AuditEvent (ARCHITECTURE.md rule 1). `actor=None` means
the installer at the command line (`create_admin`); views always pass the signed-in user.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts import roles
from habeas.accounts.models import ApiToken, Grant, User
from habeas.accounts.roles import Role
from habeas.core import audit
from habeas.core.errors import StaleEdit

RECOVERY_CODE_COUNT = 10
TOKEN_PREFIX = "hbs_"  # noqa: S105  (a marker that lets scanners spot leaked tokens)
TOTP_PATTERN = re.compile(r"^\d{6}$")


def is_totp_code(code: str) -> bool:
    """Six digits: a code from the app. Anything else is tried as a recovery code."""
    return bool(TOTP_PATTERN.match(code))


def _require(actor: Any, permission: str) -> None:
    if actor is not None and not roles.can(actor, permission):
        raise PermissionDenied


def _check_expiry(*, role: str, expires_at: datetime | None) -> None:
    if role and role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if role == Role.EXPERT and expires_at is None:
        raise ValidationError({"expires_at": _("An external expert's account needs an end date.")})


def _revoke_all_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# Accounts -------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    full_name: str,
    role: str,
    expires_at: datetime | None = None,
    password: str | None = None,
) -> User:
    """Create an account. Without a password it cannot sign in until a set-password link is used."""
    _require(actor, "accounts.manage")
    _check_expiry(role=role, expires_at=expires_at)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email already exists.")})
    user = User(email=email, full_name=full_name, role=role, expires_at=expires_at)
    user.set_password(password)  # None gives an unusable password
    user.save()
    audit.record(actor=actor, action="account.create", obj=user, detail={"role": role})
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    version: int,
    role: str,
    expires_at: datetime | None,
    is_active: bool,
) -> User:
    """Change an account's role, end date or status; a stale `version` raises StaleEdit."""
    _require(actor, "accounts.manage")
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.version != version:
        raise StaleEdit(current.version)
    _check_expiry(role=role, expires_at=expires_at)
    if current.pk == actor.pk and (role != current.role or not is_active):
        raise ValidationError(_("You cannot remove your own administrator rights."))
    changed = [
        name
        for name, value in (("role", role), ("expires_at", expires_at), ("is_active", is_active))
        if getattr(current, name) != value
    ]
    current.role, current.expires_at, current.is_active = role, expires_at, is_active
    current.version += 1
    current.save(update_fields=["role", "expires_at", "is_active", "version", "updated_at"])
    detail: dict[str, Any] = {"changed": changed}
    if not is_active:
        detail["tokens_revoked"] = _revoke_all_tokens(current)
    audit.record(actor=actor, action="account.update", obj=current, detail=detail)
    return current


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Stop an account: its sessions end at their next request and its API tokens are revoked."""
    _require(actor, "accounts.manage")
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    current = User.objects.select_for_update().get(pk=user.pk)
    current.is_active = False
    current.version += 1
    current.save(update_fields=["is_active", "version", "updated_at"])
    revoked = _revoke_all_tokens(current)
    audit.record(
        actor=actor, action="account.deactivate", obj=current, detail={"tokens_revoked": revoked}
    )
    return current


@transaction.atomic
def user_reset_second_factor(*, actor: User, user: User) -> None:
    """Remove the account's authenticator and recovery codes; it must enrol again."""
    _require(actor, "accounts.manage")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="account.reset_second_factor", obj=user)


@transaction.atomic
def password_change(*, actor: User, user: User, new_password: str) -> User:
    """Set a new password (already validated by the form).

    The session hash changes with the password, so every other session of the account
    ends; the caller keeps its own with `update_session_auth_hash`. API tokens are revoked.
    """
    if actor.pk != user.pk:
        raise PermissionDenied
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    revoked = _revoke_all_tokens(user)
    audit.record(
        actor=actor, action="account.password_change", obj=user, detail={"tokens_revoked": revoked}
    )
    return user


# Second factor ------------------------------------------------------------------------


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_enrol(*, user: User, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm a new authenticator with a first code; return it and fresh recovery codes.

    Only an account without a confirmed authenticator may enrol: someone who knows the
    password alone must never be able to add their own device.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    if user.has_confirmed_device():
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=False)
    if not device.verify_token(token):
        # Raising rolls the half-made device back.
        raise ValidationError(
            _("That code is not right. Check the clock on your phone and try again.")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="auth.enrol", obj=user)
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, actor: User, user: User) -> list[str]:
    """Replace the account's recovery codes; the old ones stop working."""
    if actor.pk != user.pk:
        raise PermissionDenied
    if not user.has_confirmed_device():
        raise ValidationError(_("Set up your authenticator app first."))
    codes = _new_recovery_codes(user)
    audit.record(actor=actor, action="auth.recovery_codes", obj=user)
    return codes


@dataclass(frozen=True)
class Verification:
    device: Device | None
    method: str
    throttled: bool = False


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> Verification:
    """Check a code from the app or a recovery code (which then stops working).

    django-otp refuses a code whose time step was already used (`last_t`) and slows
    down repeated wrong codes. Success and failure are both audited.
    """
    method = "totp" if is_totp_code(code) else "recovery"
    model = TOTPDevice if method == "totp" else StaticDevice
    device = model.objects.devices_for_user(user, confirmed=True).first()
    throttled = device is not None and not device.verify_is_allowed()[0]
    verified = None
    if device is not None and not throttled:
        verified = verify_token(user, device.persistent_id, code)
    action = "auth.verify" if verified else "auth.verify_failed"
    audit.record(actor=user, action=action, obj=user, detail={"method": method})
    return Verification(device=verified, method=method, throttled=throttled)


@transaction.atomic
def second_factor_postpone(*, user: User) -> None:
    """Demo only: record that the user chose to set up the second factor later."""
    if not settings.HABEAS_DEMO:
        raise PermissionDenied
    audit.record(actor=user, action="auth.enrol_postponed", obj=user)


@transaction.atomic
def sudo_confirm(*, user: User, code: str | None) -> bool:
    """Second half of sudo mode, after the password: a fresh code from the app.

    A user without an authenticator (demo postponement) confirms with the password alone.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    confirmed = device is None or bool(
        code and device.verify_is_allowed()[0] and verify_token(user, device.persistent_id, code)
    )
    audit.record(actor=user, action="auth.sudo" if confirmed else "auth.sudo_failed", obj=user)
    return confirmed


@transaction.atomic
def password_link_issue(*, actor: User, user: User) -> str:
    """A one-time set-password token for a new account or a forgotten password."""
    _require(actor, "accounts.manage")
    audit.record(actor=actor, action="account.password_link", obj=user)
    return default_token_generator.make_token(user)


# API tokens ---------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, actor: User, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Create a personal token; the key is returned once and only its hash is kept."""
    if actor is None:
        raise PermissionDenied
    _require(actor, "api.tokens")
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose read only, or read and write.")})
    if not 1 <= days <= settings.HABEAS_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "days": _("A token lasts between 1 and %(max)d days.")
                % {"max": settings.HABEAS_TOKEN_MAX_DAYS}
            }
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        scope=scope,
        prefix=key[:12],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        actor=actor, action="token.create", obj=token, detail={"scope": scope, "days": days}
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", obj=token)
    return token


# Need-to-know grants ------------------------------------------------------------------


@transaction.atomic
def grant_create(
    *, actor: User, user: User, record: models.Model, reason: str = "", may_grant: bool
) -> Grant:
    """Give `user` access to one record. The calling app's policy computes `may_grant`."""
    if not may_grant:
        raise PermissionDenied
    if not user.is_active or user.has_expired():
        raise ValidationError(_("This account is not active."))
    content_type = ContentType.objects.get_for_model(record)
    grant, created = Grant.objects.get_or_create(
        user=user,
        content_type=content_type,
        object_id=str(record.pk),
        defaults={"granted_by": actor, "reason": reason},
    )
    if created:
        audit.record(actor=actor, action="grant.create", obj=record, detail={"grantee": user.pk})
    return grant


@transaction.atomic
def grant_revoke(*, actor: User, grant: Grant, may_grant: bool) -> None:
    """Withdraw a grant. The calling app's policy computes `may_grant`."""
    if not may_grant:
        raise PermissionDenied
    # A stand-in with the record's type and id: the record itself may be gone already.
    model: Any = grant.content_type.model_class()
    record = model(pk=grant.object_id)
    grantee = grant.user_id
    grant.delete()
    audit.record(actor=actor, action="grant.revoke", obj=record, detail={"grantee": grantee})
