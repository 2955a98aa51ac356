"""The follow-up job with a moved clock (¶22, 24, 31a): reminders before a deadline,
escalation after it, once each, by e-mail and in-app, only to people who may still see
the recommendation, naming its reference and never its text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from habeas.accounts.roles import Role
from habeas.core.models import AuditEvent, Notification
from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations import followup, services
from habeas.recommendations.models import FollowUpRule, Priority, Recommendation
from habeas.recommendations.tasks import recommendation_followup
from habeas.recommendations.tests.factories import make_sent

pytestmark = pytest.mark.django_db

SENT = dt.date(2026, 1, 5)
RESPONSE_DUE = SENT + dt.timedelta(days=30)  # the directorate answers within 30 days
DEADLINE = dt.date(2026, 4, 30)
TEXT = "Canary text: replace the broken ventilation in the segregation unit"
ROOT_CAUSE = "Canary root cause: the contractor was never paid"


@contextmanager
def at(day: dt.date) -> Iterator[None]:
    """On that day at noon; mail queued after commit is sent when the block ends."""
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        yield


def run_on(day: dt.date) -> followup.FollowUpSummary:
    """Run the job as cron would on that day."""
    with at(day):
        return followup.recommendation_followup_run(today=timezone.localdate())


def days(base: dt.date, offset: int) -> dt.date:
    return base + dt.timedelta(days=offset)


@pytest.fixture
def authority() -> Authority:
    parent = AuthorityFactory(name="Ministry of Justice", kind=Authority.Kind.MINISTRY)
    return AuthorityFactory(
        name="Regional prison directorate",
        response_days=30,
        parent=parent,
        urgent_contact="Director Amal Haddad",
    )


def send(actor: Any, authority: Authority, **fields: Any) -> Recommendation:
    with at(SENT):
        fields.setdefault("deadline", DEADLINE)
        return make_sent(
            actor,
            sent_on=SENT,
            addressee=authority,
            text=TEXT,
            root_cause=ROOT_CAUSE,
            **fields,
        )


@pytest.fixture
def recommendation(personas, authority) -> Recommendation:
    return send(personas["monitor"], authority)


@pytest.fixture
def mails() -> list[Any]:
    return mail.outbox


def notices_of(user: Any) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


# -- the response deadline -------------------------------------------------------------


def test_it_reminds_the_officer_14_days_before_the_response_is_due(personas, recommendation, mails):
    assert recommendation.response_due == RESPONSE_DUE
    assert run_on(days(RESPONSE_DUE, -15)).reminders == 0
    summary = run_on(days(RESPONSE_DUE, -14))

    assert summary.reminders == 1 and summary.escalations == 0
    assert [m.to for m in mails] == [["monitor@npm.test"]]
    expected = (
        f"{recommendation.reference}: the response of Regional prison directorate "
        f"is due on {RESPONSE_DUE.isoformat()}."
    )
    assert mails[0].body.startswith(expected)
    assert notices_of(personas["monitor"]) == [expected]
    assert notices_of(personas["head"]) == []
    row = Recommendation.objects.get(pk=recommendation.pk)
    assert row.response_reminded_on == days(RESPONSE_DUE, -14)


def test_it_reminds_once_however_often_it_runs(personas, recommendation, mails):
    day = days(RESPONSE_DUE, -14)
    assert run_on(day).reminders == 1
    assert run_on(day).reminders == 0  # a second run the same day
    assert run_on(days(RESPONSE_DUE, -13)).reminders == 0
    assert run_on(RESPONSE_DUE).reminders == 0

    assert len(mails) == 1
    assert Notification.objects.filter(user=personas["monitor"]).count() == 1


def test_a_notice_already_claimed_is_not_sent_again(personas, recommendation, mails):
    rule = FollowUpRule.current()
    day = days(RESPONSE_DUE, -14)
    notice = followup.notice_due(recommendation, followup.RESPONSE, rule, day)
    assert notice is not None
    people = [personas["monitor"]]

    with at(day):
        first = followup.notice_send(notice=notice, recipients=people, today=day)
        second = followup.notice_send(notice=notice, recipients=people, today=day)

    assert (first, second) == (True, False)
    assert len(mails) == 1


def test_it_escalates_an_overdue_response_to_the_officer_and_every_head(
    personas, make_user, recommendation, mails
):
    other_head = make_user(Role.HEAD, "deputy@npm.test")
    make_user(Role.HEAD, "former@npm.test", is_active=False)
    assert run_on(days(RESPONSE_DUE, 6)).escalations == 0  # within the 7 days of grace
    summary = run_on(days(RESPONSE_DUE, 7))

    assert summary.escalations == 1
    assert sorted(m.to[0] for m in mails) == [
        "deputy@npm.test",
        "head@npm.test",
        "monitor@npm.test",
    ]
    message = notices_of(personas["head"])[0]
    assert message.startswith(
        f"{recommendation.reference}: the response of Regional prison directorate was due "
        f"on {RESPONSE_DUE.isoformat()} and is overdue."
    )
    assert "Consider escalating to Ministry of Justice" in message
    assert notices_of(other_head) == [message] == notices_of(personas["monitor"])
    assert mails[0].subject == f"Habeas: {recommendation.reference} is overdue"
    assert run_on(days(RESPONSE_DUE, 8)).escalations == 0


def test_an_answered_recommendation_gets_no_response_notice(personas, recommendation, mails):
    with at(days(SENT, 3)):
        services.response_record(
            actor=personas["monitor"],
            recommendation=recommendation,
            status="accepted",
            responded_on=days(SENT, 3),
        )

    for offset in (-14, 0, 7, 20):
        assert run_on(days(RESPONSE_DUE, offset)).reminders == 0
        assert run_on(days(RESPONSE_DUE, offset)).escalations == 0
    assert mails == []


# -- the implementation deadline ----------------------------------------------------------


def test_it_reminds_and_escalates_the_implementation_deadline(personas, recommendation, mails):
    with at(days(SENT, 3)):  # answered: the response deadline is out of the way
        services.response_record(
            actor=personas["monitor"],
            recommendation=recommendation,
            status="accepted",
            responded_on=days(SENT, 3),
        )

    assert run_on(days(DEADLINE, -14)).reminders == 1
    assert run_on(DEADLINE).reminders == 0
    assert run_on(days(DEADLINE, 7)).escalations == 1

    reminder, escalation = notices_of(personas["monitor"])[::-1]
    ref = recommendation.reference
    assert reminder == (
        f"{ref}: the deadline for implementation by Regional prison directorate is "
        f"{DEADLINE.isoformat()}."
    )
    assert escalation.startswith(f"{ref}: the deadline for implementation by Regional")
    assert "not verified as achieved" in escalation
    assert notices_of(personas["head"]) == [escalation]
    assert len(mails) == 3  # the reminder to the officer; the escalation to officer and head


@pytest.mark.parametrize("status", ["achieved", "no_longer_relevant"])
def test_a_settled_recommendation_gets_nothing(personas, recommendation, mails, status):
    with at(days(SENT, 3)):
        response = services.response_record(
            actor=personas["monitor"],
            recommendation=recommendation,
            status="accepted",
            responded_on=days(SENT, 3),
        )
        services.verification_record(
            actor=personas["monitor"],
            recommendation=recommendation,
            status=status,
            verified_on=days(SENT, 3),
            evidence="response",
            response=response,
        )

    for day in (days(DEADLINE, -14), DEADLINE, days(DEADLINE, 7), days(DEADLINE, 30)):
        summary = run_on(day)
        assert (summary.reminders, summary.escalations) == (0, 0)
    assert mails == []
    assert not Notification.objects.exists()


def test_a_partly_achieved_one_is_still_escalated(personas, recommendation, mails):
    with at(days(SENT, 3)):
        response = services.response_record(
            actor=personas["monitor"],
            recommendation=recommendation,
            status="partially_accepted",
            responded_on=days(SENT, 3),
        )
        services.verification_record(
            actor=personas["monitor"],
            recommendation=recommendation,
            status="partially_achieved",
            verified_on=days(SENT, 3),
            evidence="response",
            response=response,
        )

    assert run_on(days(DEADLINE, 7)).escalations == 1


def test_a_draft_gets_nothing(personas, authority, mails):
    from habeas.recommendations.tests.factories import make_recommendation

    with at(SENT):
        make_recommendation(personas["monitor"], addressee=authority, deadline=DEADLINE)

    assert run_on(days(DEADLINE, -14)).reminders == 0
    assert run_on(days(DEADLINE, 7)).escalations == 0
    assert mails == []


# -- the urgent track (¶31a) ---------------------------------------------------------------


def test_an_urgent_recommendation_is_escalated_the_day_after_and_names_the_liaison(
    personas, authority, mails
):
    urgent_deadline = days(SENT, 10)
    urgent = send(
        personas["monitor"], authority, priority=Priority.URGENT, deadline=urgent_deadline
    )
    assert urgent.liaison == "Director Amal Haddad"
    assert urgent.response_due == urgent_deadline  # the short deadline comes first

    assert run_on(urgent_deadline).escalations == 0
    summary = run_on(days(urgent_deadline, 1))

    assert summary.escalations == 2  # its response and its implementation, both due
    message = notices_of(personas["head"])[0]
    assert "Urgent track: the named liaison is Director Amal Haddad." in message
    assert urgent.reference in message


def test_an_urgent_reminder_names_the_liaison_too(personas, authority, mails):
    urgent = send(personas["monitor"], authority, priority=Priority.URGENT, deadline=days(SENT, 10))

    assert run_on(days(SENT, 1)).reminders == 2
    assert all("Director Amal Haddad" in text for text in notices_of(personas["monitor"]))
    assert all(urgent.reference in text for text in notices_of(personas["monitor"]))


# -- catching up -----------------------------------------------------------------------


def test_a_missed_reminder_is_caught_up_at_the_next_run(personas, recommendation, mails):
    assert run_on(days(RESPONSE_DUE, -10)).reminders == 1  # it did not run 14 days before
    assert run_on(days(RESPONSE_DUE, -9)).reminders == 0

    assert len(mails) == 1


def test_a_missed_escalation_is_caught_up_and_sent_once(personas, recommendation, mails):
    assert run_on(days(RESPONSE_DUE, 10)).escalations == 1  # due on day 7, missed
    assert run_on(days(RESPONSE_DUE, 11)).escalations == 0

    assert len(notices_of(personas["head"])) == 1


def test_a_notice_missed_for_months_is_not_sent_late(personas, recommendation, mails):
    summary = run_on(days(RESPONSE_DUE, 7 + followup.CATCH_UP_DAYS + 1))

    assert summary.escalations == 0
    assert mails == []


def test_a_deadline_moved_later_is_reminded_again(personas, recommendation, mails):
    assert run_on(days(DEADLINE, -14)).reminders == 1
    later = days(DEADLINE, 60)
    with at(days(DEADLINE, -10)):
        recommendation.refresh_from_db()
        services.recommendation_update(
            actor=personas["monitor"],
            recommendation=recommendation,
            data={"deadline": later},
            expected_version=recommendation.version,
        )

    assert run_on(days(later, -14)).reminders == 1
    deadline_notices = [t for t in notices_of(personas["monitor"]) if "implementation" in t]
    assert len(deadline_notices) == 2


# -- who is told --------------------------------------------------------------------------


def test_an_officer_who_left_gets_nothing(personas, recommendation, mails):
    monitor = personas["monitor"]
    monitor.is_active = False
    monitor.save(update_fields=["is_active"])

    reminder = run_on(days(RESPONSE_DUE, -14))
    escalation = run_on(days(RESPONSE_DUE, 7))

    assert (reminder.reminders, reminder.unaddressed) == (0, 1)
    assert escalation.escalations == 1
    assert [m.to for m in mails] == [["head@npm.test"]]
    assert notices_of(monitor) == []


def test_an_officer_who_can_no_longer_see_it_gets_nothing(personas, authority, mails):
    """An external expert sees only the recommendations of visits they were on: off the
    visit, the expert is not told about the recommendation, even as its officer."""
    from habeas.visits.tests.factories import add_member, make_visit

    head, expert = personas["head"], personas["expert"]
    with at(SENT):
        visit = make_visit(head)
        assignment = add_member(visit, expert, head, override_reason="Papers signed on site")
        recommendation = make_sent(
            head,
            sent_on=SENT,
            visit=visit,
            addressee=authority,
            deadline=DEADLINE,
            owner=expert,
        )
        assignment.delete()  # the expert is no longer on the team

    escalation = run_on(days(recommendation.response_due, 7))

    assert escalation.escalations == 1
    assert notices_of(expert) == []
    assert all(m.to != [expert.email] for m in mails)
    assert len(notices_of(head)) == 1


def test_a_head_whose_account_expired_is_not_told(personas, make_user, recommendation, mails):
    expired = make_user(
        Role.HEAD,
        "expired@npm.test",
        expires_at=dt.datetime.combine(days(SENT, 1), dt.time(0), tzinfo=dt.UTC),
    )

    assert run_on(days(RESPONSE_DUE, 7)).escalations == 1

    assert notices_of(expired) == []
    assert sorted(m.to[0] for m in mails) == ["head@npm.test", "monitor@npm.test"]


# -- what they are told --------------------------------------------------------------------


def test_notices_name_the_reference_never_the_text(personas, recommendation, mails):
    run_on(days(RESPONSE_DUE, -14))
    run_on(days(RESPONSE_DUE, 7))
    run_on(days(DEADLINE, -14))
    run_on(days(DEADLINE, 7))

    assert len(mails) == 6
    told = [m.subject + m.body for m in mails] + list(
        Notification.objects.values_list("message", flat=True)
    )
    for text in told:
        assert recommendation.reference in text
        assert "Canary" not in text
        assert "ventilation" not in text and "contractor" not in text
    assert f"/recommendations/{recommendation.pk}/" in mails[0].body
    links = set(Notification.objects.values_list("link", flat=True))
    assert links == {f"/recommendations/{recommendation.pk}/"}


def test_each_notice_is_audited_without_content(personas, recommendation, mails):
    run_on(days(RESPONSE_DUE, -14))
    run_on(days(RESPONSE_DUE, 7))

    events = AuditEvent.objects.filter(action__startswith="recommendation.response_")
    assert sorted(events.values_list("action", flat=True)) == [
        "recommendation.response_escalated",
        "recommendation.response_reminded",
    ]
    for event in events:
        assert event.object_id == str(recommendation.pk) and event.actor is None
        assert "Canary" not in str(event.detail)


def test_the_rule_sets_the_days(personas, recommendation, mails):
    FollowUpRule.objects.create(pk=1, remind_days_before=5, escalate_days_after=2)

    assert run_on(days(RESPONSE_DUE, -6)).reminders == 0
    assert run_on(days(RESPONSE_DUE, -5)).reminders == 1
    assert run_on(days(RESPONSE_DUE, 1)).escalations == 0
    assert run_on(days(RESPONSE_DUE, 2)).escalations == 1


# -- how it runs ------------------------------------------------------------------------


def test_it_runs_as_a_management_command(personas, recommendation, mails):
    out = StringIO()
    day = days(RESPONSE_DUE, -14)
    with at(day):
        call_command("recommendation_followup", stdout=out)
        call_command("recommendation_followup", "--today", day.isoformat(), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("1 reminder(s) and 0 escalation(s) sent")
    assert lines[1].startswith("0 reminder(s)")
    assert len(mails) == 1


def test_the_command_refuses_a_bad_date(recommendation):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("recommendation_followup", "--today", "30/04/2026")


def test_the_command_queues_the_job_for_the_worker(personas, recommendation, mails):
    out = StringIO()
    day = days(RESPONSE_DUE, 7)
    with at(day):
        call_command("recommendation_followup", "--enqueue", stdout=out)

    assert out.getvalue().startswith(f"Follow-up job queued for {day.isoformat()}")
    assert len(notices_of(personas["head"])) == 1  # the test backend runs it at once


def test_the_task_runs_the_job(personas, recommendation, mails):
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = recommendation_followup.enqueue(today_iso=days(RESPONSE_DUE, -14).isoformat())

    assert result.return_value == {"reminders": 1, "escalations": 0, "unaddressed": 0}
    assert len(mails) == 1
