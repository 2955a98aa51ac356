"""Signing in: email and password, then the second factor, through the real pages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import (
    ENROL,
    LOGIN,
    PROFILE,
    VERIFY,
    audit_count,
    code_for,
    code_step,
    password_step,
    sign_in,
)


def test_it_signs_in_with_password_then_a_code_from_the_app(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    client = Client()

    first = password_step(client, "ana@npm.test", next=PROFILE)
    assert first.status_code == 302
    assert first["Location"].startswith(VERIFY)
    assert client.get(PROFILE)["Location"].startswith(VERIFY)

    second = code_step(client, code_for(user), next_url=PROFILE)
    assert second["Location"] == PROFILE
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert b"ana@npm.test" in page.content
    assert audit_count("auth.login") == 1
    assert audit_count("auth.verify") == 1


def test_it_accepts_the_email_in_any_case_and_with_spaces(make_user):
    make_user(Role.MONITOR, "ana@npm.test")
    response = password_step(Client(), "  Ana@NPM.test ")
    assert response["Location"].startswith(VERIFY)


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(make_user):
    make_user(Role.MONITOR, "ana@npm.test")
    client = Client()
    wrong_password = password_step(client, "ana@npm.test", "not the password at all")
    unknown_email = password_step(client, "nobody@npm.test", "not the password at all")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert b"The email or password is not right" in wrong_password.content
    assert b"The email or password is not right" in unknown_email.content
    assert client.get(PROFILE)["Location"].startswith(LOGIN)


def test_it_audits_a_failed_login_without_the_password_or_the_email(make_user):
    make_user(Role.MONITOR, "ana@npm.test")
    password_step(Client(), "ana@npm.test", "canary-secret-7741")
    from habeas.core.models import AuditEvent

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.detail == {}
    row = f"{event.actor_label}{event.object_id}{event.detail}"
    assert "canary" not in row
    assert "ana@npm.test" not in row


def test_it_sends_an_unverified_user_to_the_code_page_from_a_protected_page(make_user):
    make_user(Role.MONITOR, "ana@npm.test")
    client = Client()
    password_step(client, "ana@npm.test")
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Faccounts%2Fprofile%2F"


def test_it_sends_a_user_without_an_authenticator_to_enrolment(make_user):
    make_user(Role.MONITOR, "new@npm.test", device=False)
    client = Client()
    assert password_step(client, "new@npm.test")["Location"].startswith(ENROL)
    assert client.get(PROFILE)["Location"].startswith(ENROL)


def test_it_issues_a_new_session_key_at_login_and_after_the_code(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    client = Client()
    before = client.session.session_key  # a session an attacker could have planted
    password_step(client, user.email)
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    code_step(client, code_for(user))
    after_code = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert len({before, after_password, after_code}) == 3
    assert not SessionStore().exists(before)
    assert not SessionStore().exists(after_password)


def test_it_sets_session_and_csrf_cookies_httponly_and_samesite_strict(make_user):
    make_user(Role.MONITOR, "ana@npm.test")
    client = Client()
    page = client.get(LOGIN)
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    response = password_step(client, "ana@npm.test")
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    for cookie in (session, csrf):
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"


def test_it_follows_next_only_to_this_site(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        client = Client()
        first = password_step(client, user.email, next=hostile)
        assert "evil" not in first["Location"]
        client.logout()
    client = Client()
    password_step(client, user.email)
    assert "evil" not in code_step(client, code_for(user), "https://evil.example/")["Location"]


def test_it_refuses_an_expert_whose_account_has_ended(make_user):
    make_user(Role.EXPERT, "expert@npm.test", expires_at=timezone.now() - timedelta(hours=1))
    client = Client()
    response = password_step(client, "expert@npm.test")
    assert response.status_code == 200
    assert b"The email or password is not right" in response.content
    assert client.get(PROFILE)["Location"].startswith(LOGIN)


def test_it_ends_the_session_of_an_expert_whose_account_ends(make_user):
    user = make_user(Role.EXPERT, "expert@npm.test", expires_at=timezone.now() + timedelta(days=1))
    client = Client()
    sign_in(client, user)
    assert client.get(PROFILE).status_code == 200
    user.expires_at = timezone.now() - timedelta(seconds=1)
    user.save(update_fields=["expires_at"])
    assert client.get(PROFILE)["Location"].startswith(LOGIN)


def test_it_refuses_a_deactivated_account(make_user):
    make_user(Role.MONITOR, "gone@npm.test", is_active=False)
    assert password_step(Client(), "gone@npm.test").status_code == 200
