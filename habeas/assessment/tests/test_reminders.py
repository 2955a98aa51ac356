"""Action-plan reminders with a moved clock: 14 days before, on the day, weekly after."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from habeas.assessment import services
from habeas.assessment.models import ActionItem
from habeas.assessment.reminders import action_item_reminders_send
from habeas.assessment.tests.test_services import rate, rating_of, start
from habeas.core.models import AuditEvent

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2025, 6, 30)


@pytest.fixture
def item(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    return services.action_item_create(
        actor=head,
        assessment=assessment,
        criterion=rating_of(assessment, "1").criterion,
        title="Ask the ministry for a budget line",
        description="Confidential: the minister's adviser said no twice.",
        owner=personas["monitor"],
        deadline=DEADLINE,
    )


def run_on(day: dt.date, *, command: bool = False) -> int:
    """Run the reminders as cron would on that day, at 06:00."""
    moment = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        if command:
            out = StringIO()
            call_command("assessment_reminders", stdout=out)
            return int(out.getvalue().split()[0])
        return action_item_reminders_send(today=timezone.localdate())


def days(offset: int) -> dt.date:
    return DEADLINE + dt.timedelta(days=offset)


def test_it_reminds_14_days_before_on_the_day_and_weekly_when_overdue(
    item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent_on = [offset for offset in range(-20, 22) if run_on(days(offset))]

    assert sent_on == [-14, 0, 7, 14, 21]
    assert len(mail.outbox) == 5
    assert all(message.to == ["monitor@npm.test"] for message in mail.outbox)


def test_it_sends_nothing_20_days_before_then_once_14_days_before(
    item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert run_on(days(-20)) == 0
        assert run_on(days(-14)) == 1
        assert run_on(days(-14)) == 0  # a second run on the same day
        assert run_on(days(-13)) == 0

    assert len(mail.outbox) == 1
    assert ActionItem.objects.get(pk=item.pk).last_reminded_on == days(-14)


def test_it_catches_up_a_reminder_the_job_missed(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run_on(days(-10)) == 1  # it did not run 14 days before
        assert run_on(days(-9)) == 0

    assert len(mail.outbox) == 1


@pytest.mark.parametrize("status", ["done", "dropped"])
def test_it_never_reminds_about_an_item_done_or_dropped(item, personas, status):
    services.action_item_update(
        actor=personas["head"], item=item, status=status, expected_version=item.version
    )

    for offset in (-14, 0, 7, 70):
        assert run_on(days(offset)) == 0

    assert mail.outbox == []


def test_it_mails_only_the_title_and_a_link(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_on(days(0))

    message = mail.outbox[0]
    assert "Ask the ministry for a budget line" in message.body
    assert f"/assessment/{item.assessment_id}/actions/" in message.body
    assert "Confidential" not in message.body and "Confidential" not in message.subject
    assert "budget" not in message.subject


def test_it_audits_each_reminder(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_on(days(0))

    event = AuditEvent.objects.get(action="action_item.reminded")
    assert event.object_id == str(item.pk) and event.actor is None
    assert "Ask the ministry" not in str(event.detail)


def test_it_does_not_mail_an_owner_who_can_no_longer_see_the_assessment(item, personas):
    owner = personas["monitor"]
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert run_on(days(0)) == 0


def test_it_runs_as_a_management_command(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run_on(days(-20), command=True) == 0
        assert run_on(days(-14), command=True) == 1

    assert len(mail.outbox) == 1
