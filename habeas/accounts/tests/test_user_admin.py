"""User administration: the administrator's pages only, in sudo mode, with optimistic locking."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts import services
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import ENROL, LOGIN, PROFILE, audit_count, grant_sudo
from habeas.core.models import AuditEvent

USERS = reverse("accounts:user_list")
CREATE = reverse("accounts:user_create")
NOT_ADMINS = ["head", "monitor", "doctor", "expert", "data_officer", "comms", "auditor", "outsider"]


def _admin(personas, client_for) -> Client:
    client = client_for(personas["admin"])
    grant_sudo(client)
    return client


def _edit(pk: int) -> str:
    return reverse("accounts:user_edit", args=[pk])


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_it_answers_404_on_user_pages_to_everyone_but_the_administrator(
    personas, client_for, persona
):
    missing = _admin(personas, client_for).get(_edit(999_999))
    client = client_for(personas[persona])
    grant_sudo(client)  # even in sudo mode
    target = personas["monitor"]
    before = AuditEvent.objects.count()
    responses = [
        client.get(USERS),
        client.get(CREATE),
        client.post(CREATE, {"email": "x@npm.test", "full_name": "X", "role": Role.ADMIN}),
        client.get(_edit(target.pk)),
        client.post(_edit(target.pk), {"role": Role.ADMIN, "version": target.version}),
        client.post(reverse("accounts:user_reset_2fa", args=[target.pk])),
        client.post(reverse("accounts:user_password_link", args=[target.pk])),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.content == missing.content
    assert AuditEvent.objects.count() == before
    assert not User.objects.filter(email="x@npm.test").exists()
    target.refresh_from_db()
    assert target.role == Role.MONITOR
    assert TOTPDevice.objects.filter(user=target).exists()


def test_it_lists_accounts_without_any_confidential_content(personas, client_for):
    page = _admin(personas, client_for).get(USERS)
    assert page.status_code == 200
    for user in personas.values():
        assert user.email in page.text


def test_it_creates_an_account_and_gives_a_one_time_password_link(personas, client_for):
    client = _admin(personas, client_for)
    response = client.post(
        CREATE, {"email": "New.Doctor@NPM.test", "full_name": "Dr New", "role": Role.DOCTOR}
    )
    assert response.status_code == 200
    user = User.objects.get(email="new.doctor@npm.test")
    assert user.role == Role.DOCTOR
    assert not user.has_usable_password()
    assert audit_count("account.create") == 1
    link = re.search(r"<code>http://testserver(/accounts/set-password/[^<]+)</code>", response.text)

    newcomer = Client()
    new = "violet tractor under the bridge"
    short = newcomer.post(
        link.group(1), {"new_password1": "too short", "new_password2": "too short"}
    )
    assert "at least 12 characters" in short.text
    done = newcomer.post(link.group(1), {"new_password1": new, "new_password2": new})
    assert done["Location"] == LOGIN
    user.refresh_from_db()
    assert user.check_password(new)
    assert newcomer.get(link.group(1)).status_code == 404  # the link works once
    signed_in = newcomer.post(LOGIN, {"username": user.email, "password": new})
    assert signed_in["Location"].startswith(ENROL)


def test_it_requires_an_end_date_for_an_external_expert(personas, client_for):
    client = _admin(personas, client_for)
    response = client.post(CREATE, {"email": "ex@npm.test", "full_name": "Ex", "role": Role.EXPERT})
    assert response.status_code == 200
    assert "needs an end date" in response.text
    assert not User.objects.filter(email="ex@npm.test").exists()
    ends = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        CREATE, {"email": "ex@npm.test", "full_name": "Ex", "role": Role.EXPERT, "expires_at": ends}
    )
    assert User.objects.get(email="ex@npm.test").expires_at is not None


def test_it_refuses_a_second_account_with_the_same_email(personas, client_for):
    client = _admin(personas, client_for)
    response = client.post(CREATE, {"email": "MONITOR@npm.test", "full_name": "X", "role": ""})
    assert "already exists" in response.text
    assert User.objects.filter(email__iexact="monitor@npm.test").count() == 1


def test_it_changes_a_role_and_audits_it_once(personas, client_for):
    monitor = personas["monitor"]
    client = _admin(personas, client_for)
    assert client.get(_edit(monitor.pk)).status_code == 200
    response = client.post(
        _edit(monitor.pk), {"role": Role.DOCTOR, "is_active": "on", "version": monitor.version}
    )
    assert response["Location"] == _edit(monitor.pk)
    monitor.refresh_from_db()
    assert monitor.role == Role.DOCTOR
    assert monitor.version == 2
    event = AuditEvent.objects.get(action="account.update")
    assert event.detail["changed"] == ["role"]


def test_it_answers_409_to_a_stale_edit_and_shows_the_submitted_values(personas, client_for):
    monitor, admin = personas["monitor"], personas["admin"]
    client = _admin(personas, client_for)
    stale_version = monitor.version
    services.user_update(
        actor=admin,
        user=monitor,
        version=stale_version,
        role=Role.HEAD,
        expires_at=None,
        is_active=True,
    )
    ends = (timezone.localtime() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _edit(monitor.pk),
        {"role": Role.EXPERT, "expires_at": ends, "is_active": "on", "version": stale_version},
    )
    assert response.status_code == 409
    assert "Someone else saved this record" in response.text
    assert '<option value="expert" selected>' in response.text
    assert f'value="{ends}"' in response.text
    assert f'name="version" value="{stale_version + 1}"' in response.text
    monitor.refresh_from_db()
    assert monitor.role == Role.HEAD
    assert audit_count("account.update") == 1


def test_it_keeps_the_administrator_from_removing_their_own_rights(personas, client_for):
    admin = personas["admin"]
    client = _admin(personas, client_for)
    response = client.post(_edit(admin.pk), {"role": Role.MONITOR, "version": admin.version})
    assert "your own administrator rights" in response.text
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active


def test_it_resets_a_second_factor_so_the_user_enrols_again(personas, client_for):
    monitor = personas["monitor"]
    services.recovery_codes_regenerate(actor=monitor, user=monitor)
    victim = client_for(monitor)
    client = _admin(personas, client_for)
    response = client.post(reverse("accounts:user_reset_2fa", args=[monitor.pk]))
    assert response["Location"] == _edit(monitor.pk)
    assert not TOTPDevice.objects.filter(user=monitor).exists()
    assert not StaticDevice.objects.filter(user=monitor).exists()
    assert victim.get(PROFILE)["Location"].startswith(ENROL)
    assert audit_count("account.reset_second_factor") == 1
    assert client.get(reverse("accounts:user_reset_2fa", args=[monitor.pk])).status_code == 405
