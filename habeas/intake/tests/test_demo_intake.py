"""The demo's submissions from the public (`manage.py demo`): every kind of sender, urgent
ones alerted, every stage of triage, replies and follow-ups, all written by the services
and sealed."""

from __future__ import annotations

from habeas.core.models import AuditEvent, Notification
from habeas.core.tests import shared_demo
from habeas.intake import selectors
from habeas.intake.demo import STORIES
from habeas.intake.models import (
    Action,
    Attachment,
    Consent,
    IntakeSettings,
    Message,
    SenderKind,
    Status,
    Submission,
    Urgency,
)

# The demo the command loads, shared with the other demo tests.
pytestmark = shared_demo.MARKS


def test_it_receives_submissions_from_every_kind_of_sender(demo):
    submissions = Submission.objects.all()
    assert submissions.count() == len(STORIES)
    assert set(submissions.values_list("sender_kind", flat=True)) == set(SenderKind.values)
    assert set(submissions.values_list("consent", flat=True)) == set(Consent.values)
    assert submissions.filter(place=None).count() == 2  # places the inventory does not hold
    assert f"Submissions from the public: {len(STORIES)} from" in demo


def test_urgent_ones_alerted_the_duty_person_and_the_team(demo):
    duty = IntakeSettings.objects.get(pk=1).duty_user
    urgent = Submission.objects.filter(urgency=Urgency.URGENT)
    assert urgent.count() == 3
    for submission in urgent:
        assert submission.duty_alerted_at is not None
        told = Notification.objects.filter(key=f"intake.urgent:{submission.pk}")
        assert duty in {notification.user for notification in told}
        assert all(submission.reference in n.message for n in told)


def test_it_shows_every_stage_of_triage_with_links_and_consent_kept(demo):
    submissions = Submission.objects.all()
    assert set(submissions.values_list("status", flat=True)) == set(Status.values)
    assert submissions.exclude(visit=None).count() >= 2
    assert submissions.exclude(case=None).exists()
    raised = submissions.filter(action__in=[Action.RAISED, Action.REFERRED])
    assert raised.exists() and not raised.filter(consent=Consent.NONE).exists()
    triaged = submissions.exclude(status=Status.NEW)
    assert not triaged.filter(triaged_at=None).exists()
    assert {s.received_on for s in submissions} != {submissions.first().received_on}


def test_the_threads_hold_replies_and_follow_ups_sealed(demo):
    replies = Message.objects.filter(author=Message.Author.NPM)
    assert replies.count() >= 8
    assert Message.objects.filter(author=Message.Author.SENDER).count() == 2
    assert Attachment.objects.count() == 3
    for message in Message.objects.all():
        assert message.unseal("body") and b"the " not in bytes(message.body)
    for submission in Submission.objects.all():
        assert b"the " not in bytes(submission.body) and submission.unseal("body")


def test_each_submission_was_written_by_the_service_and_audited(demo):
    created = AuditEvent.objects.filter(action="intake.submission.create")
    assert created.count() == len(STORIES)
    assert set(created.values_list("object_id", flat=True)) == {
        str(pk) for pk in Submission.objects.values_list("pk", flat=True)
    }


def test_the_places_written_about_raise_their_signal(demo):
    signal = selectors.place_signal()
    listed = Submission.objects.exclude(place=None).exclude(action=Action.OUTSIDE_MANDATE)
    assert sum(signal.values()) == listed.count() > 0
