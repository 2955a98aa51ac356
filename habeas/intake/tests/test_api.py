"""The submissions API (`/api/v1/submissions/`): the intake team only, audited reads,
triage with its version and the sender's consent, replies, no creation."""

from __future__ import annotations

import pytest

from habeas.core.models import AuditEvent
from habeas.intake.models import Action, Consent, Message, Status, Submission, Urgency
from habeas.intake.tests.factories import BODY, make_submission, pdf
from habeas.places.tests.factories import PlaceFactory
from habeas.places.tests.test_api import api

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-0000000000aa"
TEAM = ("head", "monitor", "data_officer")
OUTSIDE_TEAM = ("doctor", "expert", "comms", "admin", "auditor", "outsider")
IDENTITY = "Amina Canary-Kebede"


def path(submission: Submission | str, action: str = "") -> str:
    pk = submission if isinstance(submission, str) else submission.pk
    return f"/api/v1/submissions/{pk}/" + (f"{action}/" if action else "")


@pytest.mark.parametrize("who", TEAM)
def test_the_team_lists_submissions_without_a_word_of_them(personas, who):
    urgent, _r = make_submission(urgency=Urgency.URGENT, sender_name=IDENTITY)
    routine, _r = make_submission(urgency=Urgency.ROUTINE)
    response = api(personas[who]).get("/api/v1/submissions/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [str(urgent.pk), str(routine.pk)]
    assert rows[0]["reference"] == urgent.reference and rows[0]["urgency"] == "urgent"
    assert IDENTITY not in response.content.decode() and "mattress" not in response.content.decode()


def test_the_list_filters_and_refuses_a_bad_filter(personas):
    place = PlaceFactory()
    here, _r = make_submission(place=place)
    make_submission()
    client = api(personas["head"])
    found = client.get("/api/v1/submissions/", {"place": place.pk}).json()["results"]
    assert [row["id"] for row in found] == [str(here.pk)]
    assert client.get("/api/v1/submissions/", {"status": "lost"}).status_code == 400
    assert client.get("/api/v1/submissions/", {"place": "1 OR 1=1"}).status_code == 400
    assert client.get("/api/v1/submissions/", {"q": "a\x00b"}).status_code == 200


@pytest.mark.parametrize("who", OUTSIDE_TEAM)
def test_anyone_outside_the_team_sees_an_empty_list_and_404_for_every_id(personas, who):
    submission, _r = make_submission(sender_name=IDENTITY)
    client = api(personas[who], "write")
    listed = client.get("/api/v1/submissions/")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    triage = {"version": 1, "status": "closed"}
    for target in (path(submission), path(MISSING)):
        assert client.get(target).status_code == 404
    for action, body in (("triage", triage), ("reply", {"body": "Hello"})):
        existing = client.post(path(submission, action), body, format="json")
        missing = client.post(path(MISSING, action), body, format="json")
        assert existing.status_code == missing.status_code == 404
        assert existing.content == missing.content
    assert client.get(path(submission)).content == client.get(path(MISSING)).content
    fresh = Submission.objects.get(pk=submission.pk)
    assert fresh.version == 1 and not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="intake.submission.read").exists()


def test_without_credentials_nothing_is_answered(client):
    make_submission()
    assert client.get("/api/v1/submissions/").status_code in (401, 403)


def test_reading_one_submission_gives_its_text_and_thread_and_is_audited(personas):
    submission, _r = make_submission(sender_name=IDENTITY, uploads=[pdf("scan.pdf")])
    response = api(personas["data_officer"]).get(path(submission))
    assert response.status_code == 200
    data = response.json()
    assert data["body"] == BODY and data["sender_name"] == IDENTITY
    assert data["reference"] == submission.reference and data["version"] == 1
    assert [item["filename"] for item in data["attachments"]] == ["scan.pdf"]
    reads = AuditEvent.objects.filter(action="intake.submission.read", object_id=str(submission.pk))
    assert reads.count() == 1


def test_the_public_cannot_be_impersonated_there_is_no_creation(personas):
    client = api(personas["head"], "write")
    response = client.post("/api/v1/submissions/", {"body": "x"}, format="json")
    assert response.status_code == 405
    assert not Submission.objects.exists()


def test_triage_changes_what_it_names_and_keeps_the_rest(personas):
    place = PlaceFactory()
    submission, _r = make_submission()
    client = api(personas["monitor"], "write")
    body = {"version": 1, "status": "triaged", "theme": "health", "note": "Doctor needed"}
    response = client.post(path(submission, "triage"), body, format="json")
    assert response.status_code == 200, response.content
    assert (
        response.json()["theme"] == "health" and response.json()["triage_note"] == "Doctor needed"
    )
    second = {"version": 2, "place": place.pk, "action": "recorded"}
    response = client.post(path(submission, "triage"), second, format="json")
    fresh = Submission.objects.get(pk=submission.pk)
    assert (fresh.theme, fresh.place, fresh.action, fresh.status) == (
        "health",
        place,
        Action.RECORDED,
        Status.TRIAGED,
    )
    assert fresh.unseal("triage_note") == "Doctor needed"


def test_a_stale_triage_answers_409(personas):
    submission, _r = make_submission()
    client = api(personas["head"], "write")
    assert client.post(path(submission, "triage"), {"version": 1}, format="json").status_code == 200
    stale = client.post(
        path(submission, "triage"), {"version": 1, "status": "closed"}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert Submission.objects.get(pk=submission.pk).status == Status.NEW


def test_triage_refuses_to_raise_without_consent(personas):
    submission, _r = make_submission(consent=Consent.NONE)
    response = api(personas["head"], "write").post(
        path(submission, "triage"), {"version": 1, "action": "raised"}, format="json"
    )
    assert response.status_code == 400 and "action" in response.json()
    assert Submission.objects.get(pk=submission.pk).action == ""


def test_triage_ignores_fields_it_does_not_name(personas):
    submission, _r = make_submission(consent=Consent.NONE)
    body = {"version": 1, "consent": "named", "reference": "S-1", "receipt_hash": "0"}
    response = api(personas["head"], "write").post(path(submission, "triage"), body, format="json")
    assert response.status_code == 200
    fresh = Submission.objects.get(pk=submission.pk)
    assert (fresh.consent, fresh.reference) == (Consent.NONE, submission.reference)
    assert fresh.receipt_hash == submission.receipt_hash


def test_a_read_only_token_cannot_triage(personas):
    submission, _r = make_submission()
    response = api(personas["head"], "read").post(
        path(submission, "triage"), {"version": 1}, format="json"
    )
    assert response.status_code == 403
    assert Submission.objects.get(pk=submission.pk).version == 1


def test_a_reply_needs_the_reply_right(personas):
    submission, _r = make_submission()
    refused = api(personas["data_officer"], "write").post(
        path(submission, "reply"), {"body": "We received it."}, format="json"
    )
    assert refused.status_code == 403 and not Message.objects.exists()
    answered = api(personas["monitor"], "write").post(
        path(submission, "reply"), {"body": "We received it."}, format="json"
    )
    assert answered.status_code == 201
    (message,) = Message.objects.all()
    assert message.unseal("body") == "We received it." and message.staff == personas["monitor"]
    assert (
        api(personas["monitor"], "write")
        .post(path(submission, "reply"), {"body": ""}, format="json")
        .status_code
        == 400
    )
