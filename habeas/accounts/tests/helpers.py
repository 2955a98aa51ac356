"""Helpers for driving the real sign-in pages: password, then a code from the app."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from habeas.accounts.models import User
from habeas.accounts.sudo import SESSION_KEY as SUDO_KEY
from habeas.core.models import AuditEvent

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")
PROFILE = reverse("accounts:profile")


def code_for(user: User) -> str:
    """The code the user's authenticator app shows right now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def code_for_key(key: str) -> str:
    return f"{totp(bytes.fromhex(key)):06d}"


def password_step(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def code_step(client: Client, code: str, next_url: str = ""):
    return client.post(VERIFY, {"code": code, "next": next_url})


def sign_in(client: Client, user: User) -> None:
    """Both steps, through the pages, as a person would."""
    assert password_step(client, user.email).status_code == 302
    assert code_step(client, code_for(user)).status_code == 302


def grant_sudo(client: Client) -> None:
    """Sudo mode as the sudo page leaves it (the page itself is tested in test_sudo)."""
    session = client.session
    session[SUDO_KEY] = time.time() + 600
    session.save()


def audit_count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()
