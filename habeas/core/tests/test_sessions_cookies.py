"""Session and CSRF cookies are Secure over TLS (SECURITY.md test 13, last item).

The other items of test 13 (a new key at login, logout by POST only, the idle timeout,
sessions and tokens ended by a password change or deactivation, HttpOnly and
SameSite=Strict) are tested in `habeas/accounts/tests/test_login.py` and
`test_sessions.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from conftest import PASSWORD
from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import LOGIN, VERIFY, code_for

PRINT_COOKIE_SETTINGS = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "habeas.settings"
django.setup()
from django.conf import settings as s
print(json.dumps([
    s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,
    s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE,
]))
"""


def cookie_settings(tmp_path, **env: str) -> list:
    """The cookie settings a fresh process reads from this environment."""
    kek = tmp_path / "kek"
    kek.write_text("a key-encryption key for this test only")
    clean = {name: value for name, value in os.environ.items() if not name.startswith("HABEAS_")}
    clean |= {"HABEAS_KEK_FILE": str(kek), "HABEAS_SECRET_KEY": "x", **env}
    result = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", PRINT_COOKIE_SETTINGS],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_it_sets_every_cookie_secure_httponly_and_strict_over_tls(make_user):
    user = make_user(Role.MONITOR, "ana@npm.test")
    client = Client()
    page = client.get(LOGIN, secure=True)
    password = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, secure=True)
    code = client.post(VERIFY, {"code": code_for(user), "next": ""}, secure=True)
    assert password.status_code == code.status_code == 302

    cookies = [
        page.cookies[settings.CSRF_COOKIE_NAME],
        password.cookies[settings.SESSION_COOKIE_NAME],
        password.cookies[settings.CSRF_COOKIE_NAME],  # rotated at login
        code.cookies[settings.SESSION_COOKIE_NAME],  # a new key after the code
    ]
    for cookie in cookies:
        assert cookie.value
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"


@pytest.mark.parametrize(
    "env",
    [
        {"HABEAS_ENV": "production", "HABEAS_ALLOWED_HOSTS": "a"},
        {"HABEAS_ENV": "development", "HABEAS_TLS": "1"},
    ],
    ids=["production", "development-with-tls"],
)
def test_it_marks_cookies_secure_in_production_and_whenever_tls_is_on(tmp_path, env):
    assert cookie_settings(tmp_path, **env) == [True, True, True, True, "Strict", "Strict"]


def test_it_leaves_cookies_usable_over_plain_http_only_when_tls_is_off(tmp_path):
    # `make run` serves http://127.0.0.1: a Secure cookie would never come back.
    secure = cookie_settings(tmp_path, HABEAS_ENV="development", HABEAS_TLS="0")
    assert secure == [False, False, True, True, "Strict", "Strict"]
