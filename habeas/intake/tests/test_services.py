"""Services of the public's channel (¶23, 25, 33): receiving from anyone, sealed; the
sender's follow-up; urgent alerts; triage with consent; replies; audited reads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from habeas.cases.tests.factories import make_case
from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent, Notification
from habeas.intake import selectors, services
from habeas.intake.models import (
    Action,
    Attachment,
    Consent,
    Message,
    ReplyBy,
    Status,
    Submission,
    Urgency,
)
from habeas.intake.tests.factories import BODY, make_submission, pdf, photo
from habeas.places.tests.factories import PlaceFactory
from habeas.visits.models import Theme
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db
TEAM = ("head", "monitor", "data_officer")
OUTSIDE_TEAM = ("doctor", "expert", "comms", "admin", "auditor", "outsider")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def refused(**fields) -> str:
    """The field a refused submission names; nothing was created."""
    before = Submission.objects.count()
    with pytest.raises(ValidationError) as refusal:
        make_submission(**fields)
    assert Submission.objects.count() == before
    assert Attachment.objects.count() == 0
    (field,) = refusal.value.message_dict
    return field


# -- receiving -------------------------------------------------------------------------------


def test_it_receives_a_submission_sealed_and_numbered():
    place = PlaceFactory()
    submission, receipt = make_submission(
        place=place,
        sender_name="Amina K.",
        contact="amina@example.org",
        reply_by=ReplyBy.EMAIL,
        happened_text="Last Tuesday night",
        happened_on=dt.date(2026, 1, 6),
        language="fr",
    )
    fresh = Submission.objects.get(pk=submission.pk)
    assert fresh.reference == f"S-{timezone.localdate().year}-0001"
    assert fresh.received_on == timezone.localdate() and fresh.status == Status.NEW
    assert fresh.place == place and fresh.language == "fr"
    assert fresh.unseal("body") == BODY
    assert fresh.unseal("sender_name") == "Amina K."
    assert fresh.unseal("contact") == "amina@example.org"
    assert fresh.unseal("happened_text") == "Last Tuesday night"
    for name in ("body", "sender_name", "contact", "happened_text"):
        assert b"Amina" not in bytes(getattr(fresh, name))
        assert b"mattress" not in bytes(getattr(fresh, name))
    assert len(events("intake.submission.create")) == 1
    assert make_submission()[0].reference.endswith("-0002")
    assert len(receipt.replace(" ", "")) == 20


def test_an_unknown_language_is_not_kept():
    submission, _receipt = make_submission(language="xx-evil")
    assert submission.language == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": "   "}, "body"),
        ({"body": "x" * (services.BODY_MAX + 1)}, "body"),
        ({"sender_kind": "robot"}, "sender_kind"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"consent": "all"}, "consent"),
        ({"reply_by": "pigeon"}, "reply_by"),
        ({"place": None, "place_text": ""}, "place"),
        ({"happened_on": timezone.localdate() + dt.timedelta(days=2)}, "happened_on"),
        ({"happened_text": "y" * 121}, "happened_text"),
        ({"reply_by": ReplyBy.EMAIL, "contact": ""}, "contact"),
        ({"reply_by": ReplyBy.EMAIL, "contact": "not an address"}, "contact"),
        ({"reply_by": ReplyBy.PHONE, "contact": " "}, "contact"),
        ({"sender_name": "n" * 301}, "sender_name"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_creates_nothing(fields, field):
    assert refused(**fields) == field


def test_a_place_in_the_senders_words_is_enough():
    submission, _receipt = make_submission(
        place=None, place_text="The police station by the bridge"
    )
    assert submission.place is None
    assert submission.unseal("place_text") == "The police station by the bridge"


# -- files --------------------------------------------------------------------------------


def test_files_are_sealed_with_their_names():
    submission, _receipt = make_submission(uploads=[pdf("doctor-letter.pdf", "bruises on arms")])
    (attachment,) = Attachment.objects.filter(submission=submission)
    assert attachment.content_type == "application/pdf" and attachment.message is None
    assert b"bruises" not in bytes(attachment.content)
    assert b"doctor-letter" not in bytes(attachment.filename)
    assert attachment.unseal("filename") == "doctor-letter.pdf"
    assert b"bruises on arms" in attachment.unseal_bytes("content")


def test_photos_lose_their_metadata():
    submission, _receipt = make_submission(uploads=[photo(exif_text="Canon EOS GPS 48N")])
    (attachment,) = Attachment.objects.filter(submission=submission)
    content = attachment.unseal_bytes("content")
    assert b"Canon" not in content and b"Exif" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (32, 24) and not image.getexif()


def test_too_many_files_at_once_are_refused_before_any_is_read():
    files = [pdf(f"page-{n}.pdf") for n in range(services.UPLOADS_AT_ONCE + 1)]
    assert refused(uploads=files) == "uploads"


@override_settings(HABEAS_UPLOAD_MAX_BYTES=100)
def test_a_file_over_the_archives_limit_is_refused():
    assert refused(uploads=[pdf(text="x" * 200)]) == "uploads"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script></html>"),
        SimpleUploadedFile("table.csv", b"a,b\n1,2\n"),
        SimpleUploadedFile("run.exe", b"MZ\x90\x00"),
        SimpleUploadedFile("empty.pdf", b""),
    ],
    ids=["html-renamed-pdf", "csv", "exe", "empty"],
)
def test_a_file_of_a_type_not_accepted_is_refused(upload):
    assert refused(uploads=[pdf("fine.pdf"), upload]) == "uploads"


def test_a_submission_holds_a_limited_number_of_files_over_its_life():
    submission, _receipt = make_submission(uploads=[pdf(f"{n}.pdf") for n in range(5)])
    for _round in range(3):
        services.sender_message_add(
            submission=submission, body="More", uploads=[pdf(f"{n}.pdf") for n in range(5)]
        )
    with pytest.raises(ValidationError) as refusal:
        services.sender_message_add(submission=submission, body="More", uploads=[pdf()])
    assert "uploads" in refusal.value.message_dict
    assert Attachment.objects.filter(submission=submission).count() == 20
    assert Message.objects.filter(submission=submission).count() == 3


# -- urgent submissions ------------------------------------------------------------------------


def test_an_urgent_submission_alerts_the_duty_person_and_the_team_by_reference_only(personas):
    services.settings_update(actor=personas["head"], duty_user=personas["monitor"], open=True)
    submission, _receipt = make_submission(urgency=Urgency.URGENT, sender_name="Amina K.")
    told = Notification.objects.filter(key=f"intake.urgent:{submission.pk}")
    assert {n.user for n in told} == {personas[name] for name in TEAM}
    for notification in told:
        assert submission.reference in notification.message
        assert "Amina" not in notification.message and "mattress" not in notification.message
        assert notification.link == f"/intake/{submission.pk}/"
    assert Submission.objects.get(pk=submission.pk).duty_alerted_at is not None


def test_a_submission_not_urgent_alerts_no_one(personas):
    submission, _receipt = make_submission(urgency=Urgency.SOON)
    assert not Notification.objects.exists()
    assert submission.duty_alerted_at is None


def test_the_duty_person_must_be_of_the_intake_team(personas):
    with pytest.raises(ValidationError):
        services.settings_update(actor=personas["head"], duty_user=personas["doctor"], open=True)
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=personas["monitor"], duty_user=None, open=False)
    row = services.settings_update(actor=personas["head"], duty_user=None, open=False)
    assert not row.open and not selectors.channel_open()
    assert len(events("intake.settings.update")) == 1


# -- the sender's follow-up --------------------------------------------------------------------


def test_the_sender_adds_information_without_making_a_triage_stale(personas):
    submission, _receipt = make_submission()
    Submission.objects.filter(pk=submission.pk).update(unread_from_sender=False)
    services.sender_message_add(submission=submission, body="He was moved to block C today.")
    fresh = Submission.objects.get(pk=submission.pk)
    assert fresh.unread_from_sender and fresh.version == 1
    (message,) = Message.objects.filter(submission=submission)
    assert message.author == Message.Author.SENDER and message.staff is None
    assert b"block C" not in bytes(message.body)
    assert len(events("intake.message.sender_add")) == 1
    with pytest.raises(ValidationError):
        services.sender_message_add(submission=submission, body="  ")


def test_the_sender_reads_the_replies_but_not_their_own_words_again(personas):
    submission, _receipt = make_submission(uploads=[pdf("letter.pdf")])
    services.sender_message_add(submission=submission, body="My phone was taken.")
    services.reply_add(actor=personas["monitor"], submission=submission, body="We will visit soon.")
    thread = selectors.sender_thread(submission)
    assert [entry.author for entry in thread.entries] == ["sender", "sender", "npm"]
    assert thread.entries[0].filenames == ["letter.pdf"]
    assert thread.entries[2].body == "We will visit soon."
    shown = repr(thread)
    assert "mattress" not in shown and "phone was taken" not in shown
    assert thread.status == Status.NEW


# -- triage ---------------------------------------------------------------------------------


def triage(actor, submission, **fields):
    values = {"status": Status.TRIAGED, "expected_version": submission.version, **fields}
    return services.submission_triage(actor=actor, submission=submission, **values)


@pytest.mark.parametrize("who", TEAM)
def test_the_intake_team_triages(personas, who):
    submission, _receipt = make_submission()
    place = PlaceFactory()
    triage(
        personas[who],
        submission,
        theme=Theme.TREATMENT,
        triage_urgency=Urgency.URGENT,
        action=Action.RECORDED,
        note="Ask about the punishment block at the next visit.",
        assigned_to=personas["monitor"],
        place=place,
    )
    fresh = Submission.objects.get(pk=submission.pk)
    assert (fresh.status, fresh.theme, fresh.action) == (Status.TRIAGED, "treatment", "recorded")
    assert fresh.place == place and fresh.assigned_to == personas["monitor"]
    assert fresh.triaged_at is not None and fresh.version == 2
    assert fresh.unseal("triage_note") == "Ask about the punishment block at the next visit."
    assert b"punishment" not in bytes(fresh.triage_note)
    (event,) = events("intake.submission.triage")
    assert "punishment" not in repr(event.detail)


@pytest.mark.parametrize("who", OUTSIDE_TEAM)
def test_no_one_outside_the_intake_team_triages_replies_or_reads(personas, who):
    submission, _receipt = make_submission()
    with pytest.raises(PermissionDenied):
        triage(personas[who], submission)
    with pytest.raises(PermissionDenied):
        services.reply_add(actor=personas[who], submission=submission, body="Hello")
    with pytest.raises(PermissionDenied):
        services.submission_open(actor=personas[who], submission=submission)
    assert Submission.objects.get(pk=submission.pk).version == 1
    assert not Message.objects.exists()


@pytest.mark.parametrize("action", [Action.RAISED, Action.REFERRED])
def test_nothing_reaches_an_authority_without_consent(personas, action):
    kept, _receipt = make_submission(consent=Consent.NONE)
    with pytest.raises(ValidationError) as refusal:
        triage(personas["head"], kept, action=action)
    assert "authority" in refusal.value.message_dict["action"][0]
    assert Submission.objects.get(pk=kept.pk).action == ""
    allowed, _receipt = make_submission(consent=Consent.ANONYMOUS)
    assert triage(personas["head"], allowed, action=action).action == action


def test_a_stale_triage_is_refused_and_audited(personas):
    submission, _receipt = make_submission()
    triage(personas["head"], submission, theme=Theme.HEALTH)
    stale = Submission.objects.get(pk=submission.pk)
    with pytest.raises(StaleEdit):
        triage(personas["monitor"], stale, expected_version=1, theme=Theme.STAFF)
    assert Submission.objects.get(pk=submission.pk).theme == Theme.HEALTH
    assert len(events("intake.submission.triage_stale")) == 1


def test_links_go_only_to_records_the_actor_can_see(personas):
    submission, _receipt = make_submission()
    hidden_case = make_case(personas["head"])  # only its lead is granted
    with pytest.raises(ValidationError) as refusal:
        triage(personas["monitor"], submission, case=hidden_case)
    assert "case" in refusal.value.message_dict
    unannounced = make_visit(personas["head"])  # in preparation: its team and planners
    with pytest.raises(ValidationError) as refusal:
        triage(personas["data_officer"], submission, visit=unannounced)
    assert "visit" in refusal.value.message_dict
    with pytest.raises(ValidationError):
        triage(personas["head"], submission, assigned_to=personas["comms"])
    linked = triage(personas["head"], submission, case=hidden_case, visit=unannounced)
    assert (linked.case, linked.visit) == (hidden_case, unannounced)


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "lost"), ("theme", "weather"), ("action", "burned"), ("triage_urgency", "x")],
)
def test_a_triage_outside_the_choices_is_refused(personas, field, value):
    submission, _receipt = make_submission()
    with pytest.raises(ValidationError) as refusal:
        triage(personas["head"], submission, **{field: value})
    assert field in refusal.value.message_dict


# -- replies and reads -------------------------------------------------------------------------


def test_a_reply_needs_the_reply_right(personas):
    submission, _receipt = make_submission()
    with pytest.raises(PermissionDenied):
        services.reply_add(actor=personas["data_officer"], submission=submission, body="Hi")
    with pytest.raises(ValidationError):
        services.reply_add(actor=personas["head"], submission=submission, body=" ")
    message = services.reply_add(actor=personas["head"], submission=submission, body="Received.")
    assert message.author == Message.Author.NPM and message.staff == personas["head"]
    assert len(events("intake.message.reply")) == 1


def test_opening_a_submission_is_audited_and_changes_nothing(personas):
    submission, _receipt = make_submission(sender_name="Amina K.", uploads=[pdf("a.pdf")])
    services.sender_message_add(submission=submission, body="Update", uploads=[pdf("b.pdf")])
    opened = services.submission_open(actor=personas["data_officer"], submission=submission)
    assert opened.body == BODY and opened.sender_name == "Amina K."
    assert [a.filename for a in opened.attachments] == ["a.pdf"]
    assert [m.body for m in opened.messages] == ["Update"]
    assert [a.filename for a in opened.messages[0].attachments] == ["b.pdf"]
    # What the sender added stays marked until someone answers it or triages.
    assert Submission.objects.get(pk=submission.pk).unread_from_sender
    services.reply_add(actor=personas["head"], submission=submission, body="Thank you.")
    assert not Submission.objects.get(pk=submission.pk).unread_from_sender
    (event,) = events("intake.submission.read")
    assert event.actor == personas["data_officer"] and "Amina" not in repr(event.detail)


def test_a_file_opens_for_the_team_only_and_each_download_is_audited(personas):
    submission, _receipt = make_submission(uploads=[pdf("scan.pdf", "the scan")])
    attachment = Attachment.objects.get(submission=submission)
    name, content_type, content = services.attachment_open(
        actor=personas["monitor"], attachment=attachment
    )
    assert (name, content_type) == ("scan.pdf", "application/pdf") and b"the scan" in content
    with pytest.raises(PermissionDenied):
        services.attachment_open(actor=personas["doctor"], attachment=attachment)
    assert len(events("intake.attachment.download")) == 1


def test_no_audit_event_holds_what_the_sender_wrote(personas):
    submission, _receipt = make_submission(sender_name="Amina K.", urgency=Urgency.URGENT)
    services.sender_message_add(submission=submission, body="Canary follow-up words")
    triage(personas["head"], submission, note="Canary triage words")
    services.reply_add(actor=personas["head"], submission=submission, body="Canary reply words")
    services.submission_open(actor=personas["head"], submission=submission)
    trail = repr(list(AuditEvent.objects.values()))
    for words in ("Amina", "mattress", "Canary follow-up", "Canary triage", "Canary reply"):
        assert words not in trail


# -- selectors ------------------------------------------------------------------------------


def test_the_queue_puts_the_urgent_first_and_shows_nothing_to_others(personas):
    routine, _r = make_submission(urgency=Urgency.ROUTINE)
    urgent, _r = make_submission(urgency=Urgency.URGENT)
    soon, _r = make_submission(urgency=Urgency.SOON)
    triage(personas["head"], routine, triage_urgency=Urgency.URGENT)
    queue = list(selectors.queue(personas["monitor"]))
    assert queue[2] == soon and set(queue[:2]) == {routine, urgent}
    assert list(selectors.queue(personas["monitor"], urgency=Urgency.ROUTINE)) == []
    assert list(selectors.queue(personas["monitor"], status=Status.NEW)) != []
    assert list(selectors.queue(personas["head"], q=urgent.reference)) == [urgent]
    for who in OUTSIDE_TEAM:
        assert not selectors.queue(personas[who]).exists()
        assert selectors.waiting_count(personas[who]) == 0
    assert selectors.waiting_count(personas["head"]) == 2


def test_submissions_about_a_place_raise_its_signal(personas):
    watched, quiet, other = PlaceFactory(), PlaceFactory(), PlaceFactory()
    for _n in range(3):
        make_submission(place=watched)
    outside, _r = make_submission(place=quiet)
    triage(personas["head"], outside, action=Action.OUTSIDE_MANDATE)
    make_submission(place=other)
    Submission.objects.filter(place=other).update(received_on=dt.date(2020, 1, 1))
    make_submission(place=None, place_text="Somewhere")
    assert selectors.place_signal() == {watched.pk: 3, other.pk: 1}
    assert selectors.place_signal(place_ids=[other.pk, quiet.pk]) == {other.pk: 1}
    assert selectors.place_signal(since=dt.date(2021, 1, 1)) == {watched.pk: 3}
