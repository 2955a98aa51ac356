"""A new member of staff sets up their second factor and falls back on a recovery code.

Real Chromium: the secret is read from the enrolment page as a person would type it
into their app, and every code is computed from it, as the app would.
"""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from habeas.accounts.models import User
from habeas.accounts.roles import Role

PASSWORD = "a long passphrase for a new monitor"  # noqa: S105


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for this key (RFC 6238 defaults: 30 s, 6 digits)."""
    key = base64.b32decode(re.sub(r"\s", "", secret))
    return f"{TOTP(key).token():06d}"


def sign_in_with_password(page: Page, email: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_enrols_an_authenticator_and_accepts_each_recovery_code_once(page: Page) -> None:
    # Given a new monitor whose account has no authenticator yet
    User.objects.create_user(
        email="new.monitor@npm.test", password=PASSWORD, full_name="Noor Monitor", role=Role.MONITOR
    )

    # When they sign in with their password
    sign_in_with_password(page, "new.monitor@npm.test")

    # Then they are asked to set up an authenticator app, with a QR code and the key in text
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    secret = page.locator("main code").first.inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)

    # When they type the key into their app and confirm with the code it shows
    page.get_by_label("Code from your app").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()

    # Then they see their recovery codes, once
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) >= 5
    assert len(set(codes)) == len(codes)
    page.get_by_role("link", name="I have kept my codes").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.goto(reverse("accounts:recovery_codes"))
    expect(page.locator("ul.codes")).to_have_count(0)
    for code in codes:
        expect(page.locator("main")).not_to_contain_text(code)

    # When they sign out, then sign in again with a recovery code instead of the app
    sign_out(page)
    sign_in_with_password(page, "new.monitor@npm.test")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()

    # Then they are in, and told how many recovery codes they have left
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator(".messages .warning")).to_contain_text(
        f"You used a recovery code. {len(codes) - 1} are left"
    )

    # When they sign out and try the same recovery code again
    sign_out(page)
    sign_in_with_password(page, "new.monitor@npm.test")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()

    # Then it is refused and they stay outside
    expect(
        page.get_by_text("That recovery code is not right, or it was already used.")
    ).to_be_visible()
    page.goto(reverse("places:list"))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
