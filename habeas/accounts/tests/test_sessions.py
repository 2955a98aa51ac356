"""Sessions: logout by POST only, the idle timeout, and ending sessions remotely."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from habeas.accounts import services
from habeas.accounts.models import ApiToken
from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import LOGIN, PROFILE, audit_count, grant_sudo, sign_in

LOGOUT = reverse("accounts:logout")


def test_it_signs_out_only_by_post(personas, client_for):
    client = client_for(personas["monitor"])
    assert client.get(LOGOUT).status_code == 405
    assert client.get(PROFILE).status_code == 200
    response = client.post(LOGOUT)
    assert response["Location"] == LOGIN
    assert client.get(PROFILE)["Location"].startswith(LOGIN)
    assert audit_count("auth.logout") == 1


def test_it_ends_an_idle_session_after_thirty_minutes(personas, client_for):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_for(personas["monitor"])
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=20)):
        assert client.get(PROFILE).status_code == 200  # activity renews the session
    with time_machine.travel(start + timedelta(minutes=45)):
        assert client.get(PROFILE).status_code == 200
    with time_machine.travel(start + timedelta(minutes=45 + 31)):
        response = client.get(PROFILE)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_it_ends_other_sessions_and_tokens_when_the_password_changes(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    laptop, phone = Client(), Client()
    sign_in(laptop, user)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        sign_in(phone, user)
    token, _key = services.api_token_create(actor=user, name="script", scope="read", days=30)

    new = "violet tractor under the bridge"
    response = laptop.post(
        PROFILE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302

    assert laptop.get(PROFILE).status_code == 200  # the session that changed it stays
    assert phone.get(PROFILE)["Location"].startswith(LOGIN)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_usable()


def test_it_ends_sessions_and_tokens_when_an_account_is_deactivated(personas, client_for):
    admin, monitor = personas["admin"], personas["monitor"]
    victim = client_for(monitor)
    assert victim.get(PROFILE).status_code == 200
    token, _key = services.api_token_create(actor=monitor, name="script", scope="read", days=30)

    admin_client = client_for(admin)
    grant_sudo(admin_client)
    url = reverse("accounts:user_edit", args=[monitor.pk])
    response = admin_client.post(url, {"role": Role.MONITOR, "version": monitor.version})
    assert response.status_code == 302

    monitor.refresh_from_db()
    assert not monitor.is_active
    assert victim.get(PROFILE)["Location"].startswith(LOGIN)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
