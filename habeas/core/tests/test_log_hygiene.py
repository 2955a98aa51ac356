"""Log hygiene (SECURITY.md test 17): nothing secret reaches a log line or a mail.

Every logger is turned up to DEBUG and Django's SQL log is switched on (it speaks only
with DEBUG). A user then walks the real pages: a failed and a successful sign-in, a code
from the app, a recovery code, a password change, sudo mode, an API token and its use,
an import and a rating with canaries, and an action-plan reminder by mail.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from habeas.accounts import services as account_services
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.accounts.tests.helpers import LOGIN, PROFILE, VERIFY, code_for
from habeas.assessment import services as assessment_services
from habeas.assessment.reminders import action_item_reminders_send
from habeas.assessment.tests.test_services import rating_of, start
from habeas.core.log_filters import SqlValuesWithheld
from habeas.places.models import Place
from habeas.places.tests.test_import_parser import GOOD, csv_bytes

SUDO = reverse("accounts:sudo")
TOKENS = reverse("accounts:tokens")
IMPORT = reverse("places:import")
WRONG_PASSWORD = "almost my password 43"
NEW_PASSWORD = "violet tractor under the bridge"
REMINDED = "Ask the ministry for a budget line"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_SHOWN = re.compile(r"<code>(hbs_[A-Za-z0-9_-]{43})</code>")


# What every record carries (times, thread, line number); the rest was added by the caller.
STANDARD_ATTRIBUTES = {*vars(logging.LogRecord("", 0, "", 0, "", None, None)), "message"}


class Capture(logging.Handler):
    """Keeps every record; `texts` is what any formatter could write from them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> list[tuple[str, str]]:
        formatter = logging.Formatter("%(levelname)s %(message)s")
        return [(record.name, self._text(formatter, record)) for record in self.records]

    @staticmethod
    def _text(formatter: logging.Formatter, record: logging.LogRecord) -> str:
        extra = {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES}
        return f"{formatter.format(record)}\n{record.args!r}\n{extra!r}"


@pytest.fixture
def debug_logs(settings) -> Iterator[Capture]:
    settings.DEBUG = True  # Django logs SQL only then
    capture = Capture()
    root = logging.getLogger()
    loggers = [root] + [
        logger for logger in root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    isolated = [logger for logger in loggers if not logger.propagate]
    disabled_below = root.manager.disable
    logging.disable(logging.NOTSET)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    for logger in (root, *isolated):
        logger.addHandler(capture)
    try:
        yield capture
    finally:
        for logger in (root, *isolated):
            logger.removeHandler(capture)
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
        logging.disable(disabled_below)


class Browser:
    """A client that enforces CSRF and posts the form's token, as a browser would.

    It notes every session id and CSRF token it is given, the secrets to look for.
    """

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.secrets: set[str] = set()

    def get(self, url: str) -> HttpResponse:
        return self._noted(self.client.get(url))

    def post(self, url: str, data: dict, *, form: str | None = None) -> HttpResponse:
        match = CSRF_FIELD.search(self.get(form or url).content.decode())
        assert match is not None
        self.secrets.add(match.group(1))
        return self._noted(self.client.post(url, {**data, "csrfmiddlewaretoken": match.group(1)}))

    def _noted(self, response: HttpResponse) -> HttpResponse:
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            cookie = self.client.cookies.get(name)
            if cookie is not None and cookie.value:
                self.secrets.add(cookie.value)
        return response


def sign_in(browser: Browser, email: str, password: str, code: str) -> None:
    assert browser.post(LOGIN, {"username": email, "password": password}).status_code == 302
    assert browser.post(VERIFY, {"code": code, "next": PROFILE})["Location"] == PROFILE


def canary(kind: str) -> str:
    return f"canary-{kind}-{uuid.uuid4().hex}"


def walk_the_account_pages(user: User, laptop: Browser, clock: Any) -> dict[str, list[str]]:
    """Sign-in (wrong, then right), a code, a recovery code, a new password, sudo, a token."""
    stranger, phone = Browser(), Browser()
    recovery = account_services.recovery_codes_regenerate(actor=user, user=user)
    failed = stranger.post(LOGIN, {"username": user.email, "password": WRONG_PASSWORD})
    assert failed.status_code == 200
    login_code = code_for(user)
    sign_in(laptop, user.email, PASSWORD, login_code)
    sign_in(phone, user.email, PASSWORD, recovery[0])

    new = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert laptop.post(PROFILE, new).status_code == 302
    clock.shift(timedelta(seconds=31))  # the next code from the app
    sudo_code = code_for(user)
    sudo = laptop.post(SUDO, {"password": NEW_PASSWORD, "code": sudo_code, "next": TOKENS})
    assert sudo["Location"] == TOKENS
    shown = laptop.post(TOKENS, {"name": "statistics", "scope": "read", "days": 30})
    key = TOKEN_SHOWN.search(shown.content.decode()).group(1)
    api = Client().get("/api/v1/places/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200
    return {
        "password": [PASSWORD, WRONG_PASSWORD, NEW_PASSWORD],
        "one-time code": [login_code, sudo_code],
        "recovery code": recovery,
        "api token": [key],
        "session id or CSRF token": sorted(stranger.secrets | phone.secrets),
    }


def walk_the_record_pages(user: User, laptop: Browser, canaries: dict[str, str]) -> None:
    """An import and a rating holding canaries, an action item, and its reminder mailed."""
    upload = SimpleUploadedFile("places.csv", csv_bytes([{**GOOD, "name": canaries["import"]}]))
    preview = laptop.post(IMPORT, {"file": upload})["Location"]
    assert laptop.post(preview + "apply/", {}, form=preview).status_code == 302
    assert Place.objects.filter(name=canaries["import"]).exists()

    assessment = start(user)
    rating = rating_of(assessment, "1")
    entry = f"/assessment/{assessment.pk}/criteria/{rating.criterion_id}/"
    narrative = canaries["narrative"]
    data = {"level": "partially", "reason": "", "narrative": narrative, "version": rating.version}
    assert laptop.post(entry, data).status_code == 302
    assessment_services.action_item_create(
        actor=user,
        assessment=assessment,
        criterion=rating.criterion,
        title=REMINDED,
        description=canaries["action"],
        owner=user,
        deadline=timezone.localdate(),
    )
    assert action_item_reminders_send(today=timezone.localdate()) == 1


def leaked(text: str, secrets: dict[str, list[str]]) -> set[str]:
    """Which kinds of secret the text holds; a code counts only as a whole number."""
    found = set()
    for kind, values in secrets.items():
        if kind == "one-time code":
            if any(re.search(rf"(?<!\d){code}(?!\d)", text) for code in values):
                found.add(kind)
        elif any(value in text for value in values):
            found.add(kind)
    return found


def test_it_keeps_secrets_and_canaries_out_of_logs_and_mail(
    debug_logs, make_user, django_capture_on_commit_callbacks
):
    user = make_user(Role.DATA_OFFICER, "dora@npm.test")
    laptop = Browser()
    canaries = {kind: canary(kind) for kind in ("import", "narrative", "action")}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        secrets = walk_the_account_pages(user, laptop, clock)
        with django_capture_on_commit_callbacks(execute=True):
            walk_the_record_pages(user, laptop, canaries)
        assert laptop.get("/no-such-page/").status_code == 404
    secrets["session id or CSRF token"] += sorted(laptop.secrets)
    secrets["canary"] = list(canaries.values())

    logs = debug_logs.texts()
    mails = [
        f"{message.subject}\n{message.body}\n{getattr(message, 'alternatives', '')!r}"
        for message in mail.outbox
    ]
    # The capture works: SQL and a 404 warning (both silent at the default levels) are in.
    assert any("accounts_user" in text for name, text in logs if name == "django.db.backends")
    assert any("Not Found: /no-such-page/" in text for _name, text in logs)
    assert len(mails) == 1 and REMINDED in mails[0]

    leaks = {(name, kind) for name, text in logs for kind in leaked(text, secrets)}
    leaks |= {("mail", kind) for text in mails for kind in leaked(text, secrets)}
    assert leaks == set()


@pytest.mark.parametrize(
    ("line", "withheld"),
    [
        ("WHERE \"session_key\" = 'abc123' LIMIT 21", "WHERE \"session_key\" = '…' LIMIT 21"),
        ("VALUES (1, 'it''s'), (2, X'00ff')", "VALUES (1, '…'), (2, X'…')"),
        (
            "SET \"a\" =  E'back\\\\slash''s', \"b\" = 'x'::date",
            "SET \"a\" =  '…', \"b\" = '…'::date",
        ),
    ],
    ids=["sqlite-and-postgresql", "doubled-quote-and-blob", "postgresql-escape-string"],
)
def test_it_withholds_every_quoted_value_of_an_sql_line(line, withheld):
    record = logging.LogRecord(
        "django.db.backends",
        logging.DEBUG,
        __file__,
        1,
        "(%.3f) %s; args=%s; alias=%s",
        (0.001, line, ("abc123",), "default"),
        None,
    )
    SqlValuesWithheld().filter(record)
    assert record.getMessage() == f"(0.001) {withheld}; args=[withheld]; alias=default"
