"""The intake team's pages (¶23, 33): the queue, a submission (an audited read), the
reply, the triage and the settings; everyone else gets the 404 of a missing record."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from habeas.cases.tests.factories import make_case
from habeas.core.models import AuditEvent, Notification
from habeas.intake import services
from habeas.intake.models import Action, IntakeSettings, Message, Status, Submission
from habeas.places.tests.factories import PlaceFactory
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

SEE = ("head", "monitor", "data_officer")
HIDDEN_FROM = ("doctor", "comms", "expert", "admin", "auditor", "outsider")
CANARY = "Canary testimony Quillon: the night guard Brask took his medicine away."
CANARY_NAME = "Canary Sender Ottoline Vree"


def submit(**fields) -> Submission:
    values = {
        "sender_kind": "relative",
        "urgency": "routine",
        "body": CANARY,
        "consent": "anonymous",
        "place_text": "Eastmoor Prison, wing C",
    }
    values.update(fields)
    submission, _receipt = services.submission_create(**values)
    return submission


def with_file() -> Submission:
    note = SimpleUploadedFile("list.txt", b"Names of the guards on duty that night.")
    return submit(uploads=[note])


def detail(submission: Submission) -> str:
    return reverse("intake:detail", kwargs={"pk": submission.pk})


def triage_data(submission: Submission, **fields) -> dict:
    data = {
        "version": submission.version,
        "status": Status.TRIAGED,
        "theme": "",
        "triage_urgency": "soon",
        "action": Action.RECORDED,
        "triage_note": "Check wing C at the next visit.",
        "assigned_to": "",
        "place": "",
        "visit": "",
        "case": "",
    }
    data.update(fields)
    return data


# -- who gets in -----------------------------------------------------------------------------


def _routes(submission: Submission) -> list[tuple[str, str, dict]]:
    attachment = submission.attachments.get()
    pk = submission.pk
    return [
        ("get", detail(submission), {}),
        ("post", reverse("intake:reply", kwargs={"pk": pk}), {"body": "Planted reply"}),
        ("post", reverse("intake:triage", kwargs={"pk": pk}), triage_data(submission)),
        (
            "get",
            reverse("intake:attachment", kwargs={"pk": pk, "attachment_id": attachment.pk}),
            {},
        ),
    ]


@pytest.mark.parametrize("persona", HIDDEN_FROM)
def test_it_answers_404_to_who_is_not_on_the_intake_team(persona, personas, client_for):
    submission = with_file()
    client = client_for(personas[persona])
    missing = client.get(reverse("intake:detail", kwargs={"pk": uuid.uuid4()}))
    assert missing.status_code == 404
    for method, url, data in _routes(submission):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (persona, url)
        assert response.content == missing.content
        assert CANARY not in response.content.decode()
    assert client.get(reverse("intake:list")).status_code == 404
    assert client.get(reverse("intake:settings")).status_code == 404
    submission.refresh_from_db()
    assert submission.version == 1 and submission.status == Status.NEW
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="intake.submission.read").exists()


def test_it_sends_anonymous_visitors_to_sign_in():
    submission = with_file()
    client = Client()
    for method, url, _data in _routes(submission):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url
    for name in ("intake:list", "intake:settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.parametrize("persona", SEE)
def test_the_intake_team_opens_a_submission_as_an_audited_read(persona, personas, client_for):
    submission = submit(sender_name=CANARY_NAME, contact="+44 7700 900123")
    response = client_for(personas[persona]).get(detail(submission))
    body = response.content.decode()
    assert response.status_code == 200
    assert CANARY in body and CANARY_NAME in body and "+44 7700 900123" in body
    assert "Eastmoor Prison, wing C" in body
    read = AuditEvent.objects.filter(action="intake.submission.read", object_id=str(submission.pk))
    assert read.count() == 1
    assert read.get().actor_id == personas[persona].pk


def test_it_shows_a_banner_when_the_sender_allows_no_authority(personas, client_for):
    quiet = submit(consent="none")
    open_ = submit(consent="named")
    client = client_for(personas["monitor"])
    assert 'class="consent-banner"' in client.get(detail(quiet)).content.decode()
    assert "Tell no authority" in client.get(detail(quiet)).content.decode()
    assert 'class="consent-banner"' not in client.get(detail(open_)).content.decode()


def test_a_file_is_downloaded_as_an_attachment_and_audited(personas, client_for):
    submission = with_file()
    attachment = submission.attachments.get()
    url = reverse("intake:attachment", kwargs={"pk": submission.pk, "attachment_id": attachment.pk})
    page = client_for(personas["head"]).get(detail(submission)).content.decode()
    assert url in page
    response = client_for(personas["head"]).get(url)
    assert response.status_code == 200
    assert response.content == b"Names of the guards on duty that night."
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="intake.attachment.download").count() == 1
    other = submit()
    elsewhere = reverse(
        "intake:attachment", kwargs={"pk": other.pk, "attachment_id": attachment.pk}
    )
    assert client_for(personas["head"]).get(elsewhere).status_code == 404


# -- the queue -------------------------------------------------------------------------------


def test_the_queue_puts_urgent_first_and_filters(personas, client_for):
    prison = PlaceFactory(name="Eastmoor Prison")
    routine = submit(urgency="routine")
    urgent = submit(urgency="urgent", place=prison, place_text="")
    soon = submit(urgency="soon")
    client = client_for(personas["data_officer"])
    body = client.get(reverse("intake:list")).content.decode()
    order = [body.index(s.reference) for s in (urgent, soon, routine)]
    assert order == sorted(order)
    assert CANARY not in body  # the queue opens nothing sealed
    only_urgent = client.get(reverse("intake:list"), {"urgency": "urgent"}).content.decode()
    assert urgent.reference in only_urgent and routine.reference not in only_urgent
    at_prison = client.get(reverse("intake:list"), {"place": prison.pk}).content.decode()
    assert urgent.reference in at_prison and soon.reference not in at_prison
    by_ref = client.get(reverse("intake:list"), {"q": soon.reference}).content.decode()
    assert soon.reference in by_ref and urgent.reference not in by_ref
    Submission.objects.filter(pk=routine.pk).update(status=Status.CLOSED)
    closed = client.get(reverse("intake:list"), {"status": "closed"}).content.decode()
    assert routine.reference in closed and soon.reference not in closed


def test_the_queue_marks_what_is_new_since_the_last_visit(personas, client_for):
    first = submit()
    client = client_for(personas["monitor"])
    body = client.get(reverse("intake:list")).content.decode()
    assert "New since your last visit" in body  # never seen in this session: new
    second = submit()
    body = client.get(reverse("intake:list")).content.decode()
    row_of = {
        s.reference: re.search(rf"<tr[^>]*>\s*<td><a[^>]*>{s.reference}</a>(.*?)</tr>", body, re.S)
        for s in (first, second)
    }
    assert "New since your last visit" in row_of[second.reference].group(1)
    assert "New since your last visit" not in row_of[first.reference].group(1)


def test_the_queue_runs_a_fixed_number_of_queries(
    personas, client_for, django_assert_max_num_queries
):
    for _ in range(3):
        submit(place=PlaceFactory())
    client = client_for(personas["head"])
    client.get(reverse("intake:list"))
    with django_assert_max_num_queries(14):
        client.get(reverse("intake:list"))
    for _ in range(5):
        submit(place=PlaceFactory())
    with django_assert_max_num_queries(14):
        client.get(reverse("intake:list"))


# -- replying and triage ---------------------------------------------------------------------


def test_a_monitor_replies_and_a_data_officer_may_not(personas, client_for):
    submission = submit()
    url = reverse("intake:reply", kwargs={"pk": submission.pk})
    denied = client_for(personas["data_officer"]).post(url, {"body": "Planted reply"})
    assert denied.status_code == 403
    assert not Message.objects.exists()
    response = client_for(personas["monitor"]).post(url, {"body": "We will visit soon."})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.author == Message.Author.NPM and message.unseal("body") == "We will visit soon."
    empty = client_for(personas["monitor"]).post(url, {"body": ""})
    assert empty.status_code == 400
    assert Message.objects.count() == 1


def test_triage_links_a_visit_and_a_case_the_user_may_see(personas, client_for):
    head = personas["head"]
    submission = submit()
    visit = make_visit(head)
    case = make_case(head)
    data = triage_data(
        submission,
        visit=visit.reference.lower(),
        case=case.reference,
        place=visit.place_id,
        assigned_to=personas["monitor"].pk,
    )
    response = client_for(head).post(reverse("intake:triage", kwargs={"pk": submission.pk}), data)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.visit, submission.case, submission.place) == (visit, case, visit.place)
    assert submission.status == Status.TRIAGED and submission.assigned_to == personas["monitor"]
    assert submission.unseal("triage_note") == "Check wing C at the next visit."


def test_triage_refuses_a_case_the_user_is_not_granted_on(personas, client_for):
    submission = submit()
    case = make_case(personas["head"])
    url = reverse("intake:triage", kwargs={"pk": submission.pk})
    response = client_for(personas["monitor"]).post(
        url, triage_data(submission, case=case.reference)
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "No case file you may see has this reference." in body
    missing = client_for(personas["monitor"]).post(url, triage_data(submission, case="C-1999-999"))
    assert "No case file you may see has this reference." in missing.content.decode()
    submission.refresh_from_db()
    assert submission.case is None and submission.version == 1


def test_a_case_link_the_user_may_not_see_is_kept_unnamed(personas, client_for):
    submission = submit()
    case = make_case(personas["head"])
    services.submission_triage(
        actor=personas["head"],
        submission=submission,
        expected_version=1,
        status=Status.TRIAGED,
        case=case,
    )
    submission.refresh_from_db()
    client = client_for(personas["monitor"])
    page = client.get(detail(submission)).content.decode()
    assert case.reference not in page
    assert "A case file you may not open; it stays linked." in page
    # Saving the triage never drops the link the user cannot see: the view passes it on
    # unchanged, and the service decides (today it asks for a case the user is granted on).
    data = triage_data(submission, status=Status.IN_PROGRESS)
    response = client.post(reverse("intake:triage", kwargs={"pk": submission.pk}), data)
    assert case.reference not in response.content.decode()
    submission.refresh_from_db()
    assert submission.case == case


def test_triage_refuses_raising_with_an_authority_without_consent(personas, client_for):
    submission = submit(consent="none")
    url = reverse("intake:triage", kwargs={"pk": submission.pk})
    data = triage_data(submission, action=Action.RAISED)
    response = client_for(personas["head"]).post(url, data)
    assert response.status_code == 400
    assert "nothing reach an authority" in response.content.decode()
    submission.refresh_from_db()
    assert submission.action == "" and submission.version == 1


def test_a_stale_triage_answers_409_and_keeps_the_users_text(personas, client_for):
    submission = submit()
    url = reverse("intake:triage", kwargs={"pk": submission.pk})
    mine = triage_data(submission, triage_note="My own careful note about wing C.")
    services.submission_triage(
        actor=personas["head"],
        submission=submission,
        expected_version=1,
        status=Status.IN_PROGRESS,
        note="The head's note.",
    )
    response = client_for(personas["monitor"]).post(url, mine)
    body = response.content.decode()
    assert response.status_code == 409
    assert "My own careful note about wing C." in body
    assert "Saved meanwhile" in body and "The head&#x27;s note." in body
    assert 'name="version" value="2"' in body
    submission.refresh_from_db()
    assert submission.unseal("triage_note") == "The head's note."
    assert submission.status == Status.IN_PROGRESS
    again = client_for(personas["monitor"]).post(url, {**mine, "version": 2})
    assert again.status_code == 302
    submission.refresh_from_db()
    assert submission.unseal("triage_note") == "My own careful note about wing C."


def test_a_data_officer_triages_but_only_the_head_changes_the_settings(personas, client_for):
    submission = submit()
    url = reverse("intake:triage", kwargs={"pk": submission.pk})
    assert (
        client_for(personas["data_officer"]).post(url, triage_data(submission)).status_code == 302
    )
    settings_url = reverse("intake:settings")
    assert client_for(personas["monitor"]).get(settings_url).status_code == 403
    denied = client_for(personas["monitor"]).post(
        settings_url, {"duty_user": personas["monitor"].pk}
    )
    assert denied.status_code == 403
    assert IntakeSettings.objects.get(pk=1).duty_user is None


def test_the_head_names_the_duty_person_who_is_then_alerted(personas, client_for):
    client = client_for(personas["head"])
    url = reverse("intake:settings")
    assert client.get(url).status_code == 200
    response = client.post(url, {"duty_user": personas["monitor"].pk, "open": "on"})
    assert response.status_code == 302
    row = IntakeSettings.objects.get(pk=1)
    assert row.duty_user == personas["monitor"] and row.open
    refused = client.post(url, {"duty_user": personas["doctor"].pk, "open": "on"})
    assert refused.status_code == 400
    urgent = submit(urgency="urgent")
    alert = Notification.objects.filter(user=personas["monitor"]).get()
    assert urgent.reference in alert.message
    client.post(url, {"duty_user": personas["monitor"].pk})
    assert not IntakeSettings.objects.get(pk=1).open
