"""Password storage and policy: Argon2 first, old hashes upgraded, weak passwords refused."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.hashers import get_hasher, make_password
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import PASSWORD
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import PROFILE, audit_count, password_step


def _change(client: Client, new: str):
    return client.post(
        PROFILE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )


def test_it_hashes_new_passwords_with_argon2id(make_user):
    assert get_hasher().algorithm == "argon2"
    user = make_user(Role.MONITOR)
    assert user.password.startswith("argon2$argon2id$")


def test_it_upgrades_an_old_pbkdf2_hash_to_argon2_at_login(make_user):
    user = make_user(Role.MONITOR, "old@npm.test")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    password_step(Client(), "old@npm.test")

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_it_refuses_a_password_of_eleven_characters(personas, client_for):
    user = personas["monitor"]
    response = _change(client_for(user), "Xq7#mLp2$vB")
    assert "at least 12 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert audit_count("account.password_change") == 0


def test_it_refuses_a_common_password_even_when_long_enough(personas, client_for):
    user = personas["monitor"]
    response = _change(client_for(user), "password1234")
    assert "too common" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_it_accepts_a_strong_password_and_audits_the_change_once(personas, client_for):
    user = personas["monitor"]
    response = _change(client_for(user), "violet tractor under the bridge")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("violet tractor under the bridge")
    assert audit_count("account.password_change") == 1


def test_it_refuses_to_change_the_password_without_the_current_one(personas, client_for):
    user = personas["monitor"]
    client = client_for(user)
    new = "violet tractor under the bridge"
    response = client.post(
        PROFILE, {"old_password": "a wrong guess here", "new_password1": new, "new_password2": new}
    )
    assert "current password is not right" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_it_creates_the_first_administrator_from_the_command_line(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("violet tractor under the bridge\n")
    out = io.StringIO()
    call_command(
        "create_admin",
        email="Root@NPM.test",
        name="Ana Admin",
        password_file=str(secret),
        stdout=out,
    )
    admin = User.objects.get(email="root@npm.test")
    assert admin.role == Role.ADMIN
    assert admin.is_active
    assert admin.check_password("violet tractor under the bridge")
    assert admin.password.startswith("argon2$")
    assert audit_count("account.create") == 1


@pytest.mark.parametrize("weak", ["short pw 1", "password1234"])
def test_it_refuses_a_weak_administrator_password(db, tmp_path, weak):
    secret = tmp_path / "pw"
    secret.write_text(weak)
    with pytest.raises(CommandError):
        call_command("create_admin", email="root@npm.test", name="Ana", password_file=str(secret))
    assert not User.objects.exists()
    assert audit_count("account.create") == 0
