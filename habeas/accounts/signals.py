"""Audit logins, failed logins, logouts and lockouts (SECURITY.md tests 11, 18).

A failed login records nothing that was typed: no password, no attempted email (people
type passwords into the email field), and no actor.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from habeas.accounts.models import User
from habeas.core import audit


@receiver(user_logged_in, dispatch_uid="habeas_audit_login")
def audit_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action="auth.login", obj=user)


@receiver(user_login_failed, dispatch_uid="habeas_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    audit.record(actor=None, action="auth.login_failed")


@receiver(user_logged_out, dispatch_uid="habeas_audit_logout")
def audit_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="auth.logout", obj=user)


@receiver(user_locked_out, dispatch_uid="habeas_audit_lockout")
def audit_lockout(sender: Any, request: Any, username: str | None, **kwargs: Any) -> None:
    # axes signals again on every attempt during a lockout; only the attempt that
    # reaches the limit starts one, so only that one is audited.
    if getattr(request, "axes_failures_since_start", None) != get_failure_limit(request, None):
        return
    account = User.objects.filter(email=username).first() if username else None
    audit.record(actor=None, action="auth.lockout", obj=account)
