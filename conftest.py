"""Personas and signed-in clients shared by every app's tests (STYLE.md, Tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import User
from habeas.accounts.roles import Role

PERSONAS = {
    "head": Role.HEAD,
    "monitor": Role.MONITOR,
    "doctor": Role.DOCTOR,
    "expert": Role.EXPERT,
    "data_officer": Role.DATA_OFFICER,
    "comms": Role.COMMS,
    "admin": Role.ADMIN,
    "auditor": Role.AUDITOR,
    "outsider": "",
}
PASSWORD = "correct horse battery staple 42"  # noqa: S105
_HASHES: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    """Argon2 is slow by design; hash the shared test password once per run."""
    if password not in _HASHES:
        _HASHES[password] = make_password(password)
    return _HASHES[password]


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(role: str = "", email: str | None = None, *, device: bool = True, **fields) -> User:
        email = email or f"{role or 'outsider'}-{User.objects.count() + 1}@npm.test"
        user = User.objects.create_user(
            email=email,
            password=None,
            full_name=fields.pop("full_name", email),
            role=role,
            **fields,
        )
        user.password = password_hash()
        user.save(update_fields=["password"])
        if device:
            TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        return user

    return make


@pytest.fixture
def personas(make_user) -> dict[str, User]:
    return {name: make_user(role, f"{name}@npm.test") for name, role in PERSONAS.items()}


def verified_client(user: User) -> Client:
    """A client signed in with a verified second factor, as after a real TOTP login."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    return verified_client
