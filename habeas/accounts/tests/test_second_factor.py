"""The second factor: QR enrolment, one-time codes, recovery codes, demo postponement."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts import services
from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import (
    ENROL,
    PROFILE,
    VERIFY,
    audit_count,
    code_for,
    code_for_key,
    code_step,
    password_step,
)

RECOVERY = reverse("accounts:recovery_codes")


def _frozen():
    return time_machine.travel(timezone.now(), tick=False)


def test_it_refuses_a_code_that_was_already_used(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    with _frozen() as clock:
        first = Client()
        password_step(first, user.email)
        code = code_for(user)
        assert code_step(first, code).status_code == 302

        thief = Client()
        password_step(thief, user.email)
        replay = code_step(thief, code)
        assert replay.status_code == 200
        assert b"already used" in replay.content
        assert thief.get(PROFILE)["Location"].startswith(VERIFY)
        assert audit_count("auth.verify_failed") == 1

        clock.shift(timedelta(seconds=30))
        assert code_step(thief, code_for(user)).status_code == 302
        assert thief.get(PROFILE).status_code == 200


def test_it_accepts_a_recovery_code_once(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    codes = services.recovery_codes_regenerate(actor=user, user=user)
    assert len(codes) == 10

    first = Client()
    password_step(first, user.email)
    # People copy codes with capitals and spaces.
    response = code_step(first, f" {codes[0][:4].upper()} {codes[0][4:]} ", next_url=PROFILE)
    assert response["Location"] == PROFILE
    assert b"9 are left" in first.get(PROFILE).content

    second = Client()
    password_step(second, user.email)
    again = code_step(second, codes[0])
    assert again.status_code == 200
    assert b"already used" in again.content
    assert second.get(PROFILE)["Location"].startswith(VERIFY)
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_it_slows_down_repeated_wrong_codes(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    with _frozen():
        client = Client()
        password_step(client, user.email)
        code_step(client, "000000" if code_for(user) != "000000" else "111111")
        code_step(client, "000000" if code_for(user) != "000000" else "111111")
        # Even the right code waits until the pause is over.
        response = code_step(client, code_for(user))
        assert b"Too many wrong codes" in response.content
        assert client.get(PROFILE)["Location"].startswith(VERIFY)


def test_it_enrols_an_authenticator_and_shows_recovery_codes_once(make_user):
    user = make_user(Role.MONITOR, "new@npm.test", device=False)
    client = Client()
    password_step(client, user.email)

    page = client.get(ENROL)
    assert page.status_code == 200
    match = re.search(rb'<img src="data:image/svg\+xml;base64,([^"]+)"', page.content)
    assert match is not None
    assert base64.b64decode(match.group(1)).startswith(b"<svg")
    key = client.session["otp_pending_key"]
    secret = base64.b32encode(bytes.fromhex(key)).decode()
    assert secret[:4].encode() in page.content  # shown for typing by hand

    wrong = client.post(ENROL, {"code": "12345"})
    assert wrong.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()

    done = client.post(ENROL, {"code": code_for_key(key), "next": PROFILE})
    assert done["Location"].startswith(RECOVERY)
    codes_page = client.get(done["Location"])
    codes = re.findall(rb"<li><code>([a-z2-7]{8})</code></li>", codes_page.content)
    assert len(codes) == 10
    assert b"shown only this once" in codes_page.content
    assert re.findall(rb"<li><code>", client.get(RECOVERY).content) == []
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get(PROFILE).status_code == 200
    assert audit_count("auth.enrol") == 1


def test_it_never_lets_a_password_alone_replace_an_existing_authenticator(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    device = TOTPDevice.objects.get(user=user)
    attacker = Client()
    password_step(attacker, user.email)
    assert attacker.get(ENROL)["Location"].startswith(VERIFY)
    response = attacker.post(ENROL, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert audit_count("auth.enrol") == 0


@override_settings(HABEAS_DEMO=True)
def test_it_lets_a_demo_user_postpone_enrolment_behind_a_banner(make_user):
    user = make_user(Role.MONITOR, "demo@npm.test", device=False)
    client = Client()
    password_step(client, user.email)
    assert b"Postpone" in client.get(ENROL).content
    response = client.post(ENROL, {"postpone": "1", "next": PROFILE})
    assert response["Location"] == PROFILE
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert b"you postponed setting up your second factor" in page.content
    assert audit_count("auth.enrol_postponed") == 1


@override_settings(HABEAS_DEMO=False)
def test_it_refuses_postponement_outside_the_demo(make_user):
    user = make_user(Role.MONITOR, "real@npm.test", device=False)
    client = Client()
    password_step(client, user.email)
    assert b"Postpone" not in client.get(ENROL).content
    assert client.post(ENROL, {"postpone": "1", "next": PROFILE}).status_code == 403
    assert client.get(PROFILE)["Location"].startswith(ENROL)
    assert audit_count("auth.enrol_postponed") == 0


def test_it_makes_new_recovery_codes_that_replace_the_old_ones(personas, client_for):
    from habeas.accounts.tests.helpers import grant_sudo

    user = personas["monitor"]
    old = services.recovery_codes_regenerate(actor=user, user=user)
    client = client_for(user)
    grant_sudo(client)
    response = client.post(reverse("accounts:recovery_codes_regenerate"))
    assert response["Location"].startswith(RECOVERY)
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", client.get(response["Location"]).text)
    assert len(new) == 10
    assert not set(old) & set(new)
    assert set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(new)
    assert audit_count("auth.recovery_codes") == 2


def test_it_asks_for_sudo_before_making_new_recovery_codes(personas, client_for):
    user = personas["monitor"]
    services.recovery_codes_regenerate(actor=user, user=user)
    before = set(StaticToken.objects.values_list("token", flat=True))
    response = client_for(user).post(reverse("accounts:recovery_codes_regenerate"))
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert set(StaticToken.objects.values_list("token", flat=True)) == before
