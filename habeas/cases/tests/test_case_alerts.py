"""`manage.py case_alerts`: overdue checks raise alerts to the watch's team, once (¶25)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.cases import services, services_watches
from habeas.cases.models import ReprisalWatch, WatchCheck
from habeas.cases.tests.factories import grant, make_watch
from habeas.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = services.today()
PSEUDONYM = "Canary Pseudonym Kestrel"
IDENTITY = "Canary Identity Ilsabet Vorn"
NOTE = "Canary check note about the night shift"


@pytest.fixture
def watch(personas):
    head = personas["head"]
    watch = make_watch(head, pseudonym=PSEUDONYM, identity=IDENTITY)
    grant(head, watch, personas["monitor"], identity=True)
    return watch


def schedule(watch, actor, days_ago: int, kind: str = "phone") -> WatchCheck:
    return services_watches.check_schedule(
        actor=actor, watch=watch, kind=kind, due_on=TODAY - dt.timedelta(days=days_ago)
    )


def run(capture, **options) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("case_alerts", stdout=out, **options)
    return out.getvalue()


def test_it_mails_the_team_once_per_overdue_check_naming_no_one(
    personas, watch, mailoutbox, django_capture_on_commit_callbacks
):
    head = personas["head"]
    late = schedule(watch, head, days_ago=3)
    services_watches.check_record(
        actor=head, check=schedule(watch, head, 1), done_on=TODAY, outcome="concern", note=NOTE
    )
    due_today = schedule(watch, head, days_ago=0)  # not overdue yet

    output = run(django_capture_on_commit_callbacks)

    assert "1 overdue" in output
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == sorted([head.email, personas["monitor"].email])
    assert watch.reference in mail.subject
    text = mail.subject + mail.body
    for secret in (PSEUDONYM, IDENTITY, NOTE, "Canary", watch.place.name):
        assert secret not in text
    late.refresh_from_db()
    assert late.alerted_on == TODAY
    events = AuditEvent.objects.filter(action="cases.watch.check_overdue_alert")
    assert [(e.object_id, e.detail) for e in events] == [(str(watch.pk), {"check": str(late.pk)})]

    # Run again the same day: nothing more. The next day only the check due today is new.
    run(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    run(django_capture_on_commit_callbacks, today=(TODAY + dt.timedelta(1)).isoformat())
    assert len(mailoutbox) == 2
    alerted = [e.detail["check"] for e in events.order_by("pk")]
    assert alerted == [str(late.pk), str(due_today.pk)]


def test_it_alerts_a_check_that_falls_overdue_later(
    personas, watch, mailoutbox, django_capture_on_commit_callbacks
):
    check = schedule(watch, personas["head"], days_ago=0)
    run(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    run(django_capture_on_commit_callbacks, today=(TODAY + dt.timedelta(1)).isoformat())
    assert len(mailoutbox) == 1
    check.refresh_from_db()
    assert check.alerted_on == TODAY + dt.timedelta(1)


def test_it_does_not_alert_on_a_closed_watch(
    personas, watch, mailoutbox, django_capture_on_commit_callbacks
):
    schedule(watch, personas["head"], days_ago=4)
    ReprisalWatch.objects.filter(pk=watch.pk).update(status=ReprisalWatch.Status.CLOSED)
    run(django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_it_mails_only_the_team_of_each_watch(
    personas, watch, mailoutbox, django_capture_on_commit_callbacks
):
    other = make_watch(personas["doctor"], pseudonym="Other")
    schedule(other, personas["doctor"], days_ago=2)
    run(django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[personas["doctor"].email]]
    assert other.reference in mailoutbox[0].subject
    assert watch.reference not in mailoutbox[0].subject


def test_it_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError):
        call_command("case_alerts", today="yesterday", stdout=StringIO())
