"""Personas and signed-in clients shared by every app's tests (STYLE.md, Tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.core.tests import shared_demo as demo_sharing

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


@pytest.fixture(scope="session")
def shared_demo_session(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The test database is ready for the shared demo; it is rolled back before the
    database goes."""
    demo_sharing.STATE.blocker = django_db_blocker
    yield
    with django_db_blocker.unblock():
        demo_sharing.STATE.release()
    demo_sharing.STATE.blocker = None


@pytest.fixture(scope="module")
def shared_demo(shared_demo_session: None, django_db_blocker: Any) -> str:
    """The demo (seed `shared_demo.SEED`), loaded once for the tests that only read it;
    what the demo command printed. See `habeas/core/tests/shared_demo.py`."""
    with django_db_blocker.unblock():
        return demo_sharing.STATE.acquire()


@pytest.fixture(scope="module")
def demo(shared_demo: str) -> str:
    """The shared demo, under the name the demo tests give it."""
    return shared_demo


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before each test, before its fixtures: the shared demo is loaded for a test that
    reads it (once the test database is ready), rolled back for any other."""
    demo_sharing.STATE.prepare_for(demo_sharing.FIXTURE in item.fixturenames)  # type: ignore[attr-defined]
