"""No address and no user agent is kept anywhere (issue 8; SECURITY.md 6, 12, 17).

Many senders write through the real public pages (the form, the receipt page, adding
information), each request carrying its own canary REMOTE_ADDR, X-Forwarded-For,
X-Real-IP, Forwarded and User-Agent; some are refused (a trap filled, too fast, over the
limit). Then none of those canaries may appear, raw, in UTF-16, base64, hex or inside a
gzip or zlib stream, in:

- any row of any table, column by column, and the database itself (the SQLite file and
  its write-ahead log, or `pg_dump`);
- the media folder, the folder uploads are spooled to, the cache folder, sessions;
- the logs, every logger at DEBUG with SQL logging on.

The scanner and the places it looks in are the ones of the no-plaintext test
(habeas/core/tests/test_no_plaintext_at_rest.py), shown there to catch a planted canary
in each; `test_the_scan_would_see_an_address_kept_in_a_table` shows it here too.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import secrets
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from habeas.core.tests.test_no_plaintext_at_rest import (  # noqa: F401 (the fixture)
    AtRest,
    Finding,
    Scanner,
    at_rest,
)
from habeas.intake.models import Message, Submission, ThrottleEntry
from habeas.intake.tests.factories import pdf
from habeas.places.tests.factories import PlaceFactory

SUBMIT, RECEIPT = reverse("submit:form"), reverse("submit:receipt")
STAMP = re.compile(r'name="stamp" value="([^"]+)"')
RECEIPT_SHOWN = re.compile(r'<p class="receipt"[^>]*>(.*?)</p>', re.S)
SENDERS = 12


@dataclass(frozen=True)
class Sender:
    """One sender's connection: every header that could name them is a canary."""

    address: str
    forwarded_for: str
    real_ip: str
    agent: str

    @classmethod
    def new(cls, n: int) -> Sender:
        token = secrets.token_hex(6)
        if n % 2:  # half of them on IPv6
            words = [secrets.token_hex(2) for _ in range(4)]
            address = f"2001:db8:{words[0]}:{words[1]}::{words[2]}:{words[3]}"
        else:
            address = f"198.51.{secrets.randbelow(200) + 20}.{secrets.randbelow(200) + 20}"
        return cls(
            address=address,
            forwarded_for=f"203.0.113.{secrets.randbelow(200) + 20}, xff-canary-{token}",
            real_ip=f"real-ip-canary-{token}",
            agent=f"Mozilla/5.0 (X11; Linux) CanaryAgent/{token} Firefox/128.0",
        )

    def meta(self) -> dict[str, str]:
        return {
            "REMOTE_ADDR": self.address,
            "HTTP_X_FORWARDED_FOR": self.forwarded_for,
            "HTTP_X_REAL_IP": self.real_ip,
            "HTTP_FORWARDED": f"for={self.forwarded_for.split(',')[0]};proto=https",
            "HTTP_USER_AGENT": self.agent,
        }

    def canaries(self) -> list[str]:
        found = [self.address, self.forwarded_for, self.real_ip, self.agent]
        found += [part.strip() for part in self.forwarded_for.split(",")]
        found.append(self.agent.split(" ")[3])  # CanaryAgent/<token>
        ip = ipaddress.ip_address(self.address)
        found.append(ip.exploded)
        if ip.version == 6:
            found.append(str(ipaddress.ip_network(f"{ip}/64", strict=False)))
        return found


def form(client: Client, url: str, sender: Sender) -> str:
    page = client.get(url, **sender.meta())
    assert page.status_code == 200
    match = STAMP.search(page.content.decode())
    assert match is not None
    return match.group(1)


def send(client: Client, sender: Sender, clock: time_machine.Coordinates, n: int, place) -> str:
    """One submission through the form, as a person would: the page, a pause, the post."""
    stamp = form(client, SUBMIT, sender)
    clock.shift(dt.timedelta(seconds=20))
    data = {
        "stamp": stamp,
        "website": "",
        "sender_kind": ["detainee", "relative", "lawyer", "ngo", "official", "anonymous"][n % 6],
        "place_name": place.name if n % 3 else "The old police station by the river",
        "body": f"Submission {n}: the night guards beat a man in cell 4.",
        "happened_text": "last night",
        "urgency": ["urgent", "soon", "routine"][n % 3],
        "consent": ["none", "anonymous", "named"][n % 3],
        "reply_by": "receipt",
    }
    if n % 4 == 0:
        data["uploads"] = pdf(f"statement-{n}.pdf")
    response = client.post(SUBMIT, data, **sender.meta())
    assert response.status_code == 201, response.content.decode()[:2000]
    match = RECEIPT_SHOWN.search(response.content.decode())
    assert match is not None
    return re.sub(r"<[^>]+>", "", match.group(1))


def follow_up(client: Client, sender: Sender, clock: time_machine.Coordinates, receipt: str):
    stamp = form(client, RECEIPT, sender)
    clock.shift(dt.timedelta(seconds=10))
    opened = client.post(RECEIPT, {"stamp": stamp, "receipt": receipt}, **sender.meta())
    assert opened.status_code == 200
    stamp = STAMP.search(opened.content.decode()).group(1)
    clock.shift(dt.timedelta(seconds=30))
    added = {"stamp": stamp, "receipt": receipt, "step": "add", "body": "He was moved today."}
    assert client.post(RECEIPT, added, **sender.meta()).status_code == 200


def refusals(client: Client, sender: Sender, clock: time_machine.Coordinates) -> None:
    """A trap filled, a form sent at once, a wrong receipt, then a flood: 429."""
    trapped = {"stamp": form(client, SUBMIT, sender), "website": "http://spam.example"}
    clock.shift(dt.timedelta(seconds=20))
    assert client.post(SUBMIT, trapped, **sender.meta()).status_code == 400
    hasty = {"stamp": form(client, SUBMIT, sender), "body": "spam"}
    assert client.post(SUBMIT, hasty, **sender.meta()).status_code == 400
    wrong = {"stamp": form(client, RECEIPT, sender), "receipt": "1234 5678 9012 3456 7890"}
    clock.shift(dt.timedelta(seconds=20))
    assert client.post(RECEIPT, wrong, **sender.meta()).status_code == 400
    # At one instant (the clock stands still), so the budget's window cannot turn over.
    flood = [client.post(SUBMIT, {"body": "x"}, **sender.meta()).status_code for _ in range(15)]
    assert flood[-5:] == [429] * 5, flood


def scan_every_row(scanner: Scanner) -> list[Finding]:
    """Every value of every column of every table, text and binary alike."""
    found: list[Finding] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (names from the catalogue)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview | bytearray):
                        found += scanner.blob(bytes(value), f"table {table}")
                    elif value is not None:
                        found += scanner.text(str(value), f"table {table}")
    return found


@pytest.fixture
def channel(at_rest: AtRest, settings) -> AtRest:  # noqa: F811
    """The at-rest places of the no-plaintext test, plus the channel's own store (the
    database cache the throttle uses; `at_rest` replaced the caches)."""
    settings.CACHES = {
        **settings.CACHES,
        "intake": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "intake_throttle",
        },
    }
    return at_rest


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_address_or_user_agent_is_kept_anywhere(channel: AtRest):
    place = PlaceFactory(official=True, status="open")
    senders = [Sender.new(n) for n in range(SENDERS)]
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        receipts = [send(client, sender, clock, n, place) for n, sender in enumerate(senders)]
        for sender, receipt in list(zip(senders, receipts, strict=True))[:4]:
            follow_up(client, sender, clock, receipt)
        refusals(client, senders[-1], clock)

    # The pages did their work: every submission is there, some with files and messages,
    # urgent ones alerted, the throttle counted; the floods created nothing.
    assert Submission.objects.count() == SENDERS
    assert Message.objects.count() == 4
    assert ThrottleEntry.objects.exists()
    assert Submission.objects.exclude(duty_alerted_at=None).count() == SENDERS // 3

    canaries = [canary for sender in senders for canary in sender.canaries()]
    scanner = Scanner(canaries)
    findings = channel.scan(canaries)
    findings["every row"] = scan_every_row(scanner)
    for where, found in findings.items():
        assert found == [], f"an address or agent kept in {where}:\n" + "\n".join(map(str, found))
    assert channel.logs.records, "the log capture saw nothing: it would miss a leak"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scan_would_see_an_address_kept_in_a_table(channel: AtRest):
    sender = Sender.new(1)
    PlaceFactory(name=f"Kept {sender.address} and {sender.agent}")  # as a careless model would
    scanner = Scanner(sender.canaries())
    kept = {f.canary for f in scan_every_row(scanner)}
    assert {sender.address, sender.agent} <= kept
    assert sender.address in {f.canary for f in channel.scan(sender.canaries())["database"]}
