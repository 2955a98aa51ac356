"""Per-account login throttling (django-axes): one account locked, the others untouched."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import VERIFY, audit_count, password_step
from habeas.core.models import AuditEvent


def _fail(client: Client, email: str, times: int):
    response = None
    for attempt in range(times):
        response = password_step(client, email, f"wrong guess number {attempt}")
    return response


def test_it_locks_the_guessed_account_but_not_the_others(make_user):
    victim = make_user(Role.HEAD, "head@npm.test")
    colleague = make_user(Role.MONITOR, "monitor@npm.test")
    attacker = Client()  # same address for every request: only the account may count

    last = _fail(attacker, victim.email, settings.AXES_FAILURE_LIMIT)
    assert last.status_code == 429
    assert b"Account temporarily locked" in last.content

    # Even the right password is refused while the account is locked...
    locked = password_step(Client(), victim.email)
    assert locked.status_code == 429
    # ...while another account signs in from the same address.
    assert password_step(attacker, colleague.email)["Location"].startswith(VERIFY)


def test_it_does_not_lock_before_the_limit(make_user):
    user = make_user(Role.HEAD, "head@npm.test")
    _fail(Client(), user.email, settings.AXES_FAILURE_LIMIT - 1)
    assert password_step(Client(), user.email)["Location"].startswith(VERIFY)
    assert audit_count("auth.lockout") == 0


def test_it_audits_the_lockout_exactly_once(make_user):
    user = make_user(Role.HEAD, "head@npm.test")
    _fail(Client(), user.email, settings.AXES_FAILURE_LIMIT + 3)
    password_step(Client(), user.email)
    events = AuditEvent.objects.filter(action="auth.lockout")
    assert events.count() == 1
    assert events.get().object_id == str(user.pk)
    assert audit_count("auth.login_failed") == settings.AXES_FAILURE_LIMIT + 4
    assert audit_count("auth.login") == 0


def test_it_counts_an_email_typed_in_capitals_as_the_same_account(make_user):
    user = make_user(Role.HEAD, "head@npm.test")
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = "HEAD@npm.test" if attempt % 2 else "head@NPM.TEST"
        password_step(client, email, "wrong guess")
    assert password_step(Client(), user.email).status_code == 429
