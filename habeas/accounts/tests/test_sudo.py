"""Sudo mode: the password and a fresh code again before user administration and tokens."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from habeas.accounts.models import ApiToken
from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import ENROL, audit_count, code_for, password_step

SUDO = reverse("accounts:sudo")
USERS = reverse("accounts:user_list")
TOKENS = reverse("accounts:tokens")


def test_it_asks_the_administrator_to_confirm_before_user_administration(personas, client_for):
    admin = personas["admin"]
    client = client_for(admin)
    response = client.get(USERS)
    assert response["Location"] == f"{SUDO}?next=%2Faccounts%2Fusers%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Your password" in page.content

    wrong = client.post(
        SUDO, {"password": "a wrong password", "code": code_for(admin), "next": USERS}
    )
    assert wrong.status_code == 200
    assert client.get(USERS).status_code == 302

    ok = client.post(SUDO, {"password": PASSWORD, "code": code_for(admin), "next": USERS})
    assert ok["Location"] == USERS
    assert client.get(USERS).status_code == 200
    assert audit_count("auth.sudo") == 1


def test_it_refuses_sudo_with_the_password_alone(personas, client_for):
    admin = personas["admin"]
    client = client_for(admin)
    response = client.post(SUDO, {"password": PASSWORD, "code": "", "next": USERS})
    assert response.status_code == 200
    assert client.get(USERS)["Location"].startswith(SUDO)
    assert audit_count("auth.sudo") == 0


def test_it_refuses_sudo_with_a_code_already_used(personas, client_for):
    admin = personas["admin"]
    client = client_for(admin)
    with time_machine.travel(timezone.now(), tick=False):
        code = code_for(admin)
        client.post(SUDO, {"password": PASSWORD, "code": code, "next": USERS})
        other = client_for(admin)
        replay = other.post(SUDO, {"password": PASSWORD, "code": code, "next": USERS})
        assert replay.status_code == 200
        assert other.get(USERS)["Location"].startswith(SUDO)
        assert audit_count("auth.sudo_failed") == 1


def test_it_ends_sudo_mode_after_a_few_minutes(personas, client_for):
    admin = personas["admin"]
    client = client_for(admin)
    client.post(SUDO, {"password": PASSWORD, "code": code_for(admin), "next": USERS})
    assert client.get(USERS).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert client.get(USERS)["Location"].startswith(SUDO)


def test_it_asks_for_sudo_before_creating_a_token(personas, client_for):
    user = personas["monitor"]
    client = client_for(user)
    page = client.get(TOKENS)
    assert page.status_code == 200
    assert b"Confirm it is me" in page.content
    response = client.post(TOKENS, {"name": "script", "scope": "read", "days": 30})
    assert response["Location"].startswith(SUDO)
    assert not ApiToken.objects.exists()

    client.post(SUDO, {"password": PASSWORD, "code": code_for(user), "next": TOKENS})
    created = client.post(TOKENS, {"name": "script", "scope": "read", "days": 30})
    assert created.status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1


@override_settings(HABEAS_DEMO=True)
def test_it_confirms_a_demo_user_without_an_authenticator_by_password(make_user):
    user = make_user(Role.MONITOR, "demo@npm.test", device=False)
    client = Client()
    password_step(client, user.email)
    client.post(ENROL, {"postpone": "1"})
    assert b"Code from your authenticator app" not in client.get(SUDO).content
    response = client.post(SUDO, {"password": PASSWORD, "next": TOKENS})
    assert response["Location"] == TOKENS
    assert audit_count("auth.sudo") == 1
