"""The people of the browser journeys: members with an authenticator app, and signing in
as they would, password then the app's current code."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from habeas.accounts.models import User

PASSWORD = "a long passphrase for a member of the npm"  # noqa: S105

SignIn = Callable[[User], Page]


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def member(email: str, full_name: str, role: str) -> User:
    """A member of the NPM with a confirmed authenticator app."""
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, role=role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sign_in(page: Page, user: User) -> None:
    """Sign a `member` in: password, then the app's code, to the overview."""
    page.goto(reverse("home"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill(current_code(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
