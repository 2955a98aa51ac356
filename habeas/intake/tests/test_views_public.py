"""The public's pages (¶23, 25, 33): anyone writes without an account and comes back
with the receipt; over the limit nothing is created; a wrong receipt learns nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from habeas.intake import services
from habeas.intake.models import Consent, IntakeSettings, Message, Submission
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

FORM = reverse("submit:form")
RECEIPT = reverse("submit:receipt")
WHAT = "The guards beat a man in cell 12 on Tuesday night; he has not seen a doctor."
REPLY = "We have read your message. A team will visit Eastmoor Prison soon."


@pytest.fixture(autouse=True)
def _quick_stamps(settings):
    # A person needs a few seconds to fill the form; a test client does not.
    settings.HABEAS_INTAKE_STAMP_MIN_SECONDS = 0


def stamp_of(response) -> str:
    found = re.search(r'name="stamp" value="([^"]+)"', response.content.decode())
    assert found, "the form carries no stamp"
    return found.group(1)


def fresh_stamp(client: Client, url: str = FORM) -> str:
    return stamp_of(client.get(url))


def filled(client: Client, **overrides) -> dict:
    data = {
        "stamp": fresh_stamp(client),
        "website": "",
        "sender_kind": "relative",
        "place_name": "Eastmoor Prison",
        "body": WHAT,
        "happened_on": "",
        "happened_text": "last Tuesday night",
        "urgency": "soon",
        "consent": "anonymous",
        "reply_by": "receipt",
        "contact": "",
        "sender_name": "",
    }
    data.update(overrides)
    return data


def receipt_on(response) -> str:
    groups = re.findall(r'<span class="receipt-group">(\d{4})</span>', response.content.decode())
    return " ".join(groups)


def send(client: Client, **overrides) -> str:
    response = client.post(FORM, filled(client, **overrides))
    assert response.status_code == 201, response.content.decode()[:2000]
    return receipt_on(response)


# -- the form -------------------------------------------------------------------------------


def test_it_shows_the_form_to_anyone_with_no_cookie_but_csrf():
    PlaceFactory(name="Eastmoor Prison")
    PlaceFactory(name="Secret Annex", official=False)
    PlaceFactory(name="Old Gaol", status="closed")
    response = Client().get(FORM)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Who is writing?" in body and 'enctype="multipart/form-data"' in body
    assert '<option value="Eastmoor Prison">' in body
    assert "Secret Annex" not in body and "Old Gaol" not in body
    assert set(response.cookies) <= {"habeas_csrf"}
    assert "no-store" in response["Cache-Control"]
    assert "<script" not in body and "hx-" not in body


def test_it_takes_a_submission_and_shows_the_receipt_once():
    prison = PlaceFactory(name="Eastmoor Prison")
    client = Client()
    response = client.post(FORM, filled(client, place_name="  eastmoor   prison "))
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    receipt = receipt_on(response)
    assert re.fullmatch(r"\d{4}( \d{4}){4}", receipt)
    assert "Write this number down" in response.content.decode()
    submission = Submission.objects.get()
    assert submission.place == prison and submission.unseal("place_text") == ""
    assert submission.unseal("body") == WHAT
    assert submission.consent == Consent.ANONYMOUS
    assert receipt.replace(" ", "") not in submission.receipt_hash
    assert set(response.cookies) <= {"habeas_csrf"}
    # Shown once: nothing on the site shows it again.
    assert receipt not in client.get(FORM).content.decode()


def test_it_keeps_a_place_not_in_the_list_in_the_senders_words():
    PlaceFactory(name="Eastmoor Prison")
    client = Client()
    send(client, place_name="The police cells behind the market in Northtown")
    submission = Submission.objects.get()
    assert submission.place is None
    assert submission.unseal("place_text") == "The police cells behind the market in Northtown"


def test_it_sends_files_along_within_the_archives_limits():
    client = Client()
    note = SimpleUploadedFile("note.txt", b"Names of the guards on duty.", "text/plain")
    response = client.post(FORM, {**filled(client), "uploads": [note]})
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.attachments.count() == 1
    bad = SimpleUploadedFile("page.html", b"<html><script>x</script></html>", "text/html")
    response = client.post(FORM, {**filled(client), "uploads": [bad]})
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert "attach them again" in response.content.decode()
    assert Submission.objects.count() == 1


def test_it_explains_each_missing_answer_beside_its_field_and_creates_nothing():
    client = Client()
    data = filled(client, sender_kind="", body="", urgency="", consent="")
    response = client.post(FORM, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in body and "There is a problem" in body
    assert "<title>Error:" in body
    # The message is tied to its field, and the summary links to it.
    assert 'id="id_body_error"' in body
    assert re.search(r'<textarea[^>]*aria-describedby="[^"]*id_body_error', body)
    assert re.search(r'<fieldset aria-describedby="[^"]*id_consent_error', body)
    assert 'href="#id_consent_0"' in body
    # What was typed is kept.
    assert "last Tuesday night" in body
    assert Submission.objects.count() == 0


def test_it_asks_where_to_answer_when_the_sender_wants_an_answer():
    client = Client()
    response = client.post(FORM, filled(client, reply_by="email", contact=""))
    assert response.status_code == 400
    assert "Tell us where to answer you" in response.content.decode()
    response = client.post(FORM, filled(client, reply_by="email", contact="not an address"))
    assert response.status_code == 400
    assert "valid e-mail address" in response.content.decode()
    assert Submission.objects.count() == 0


def test_it_refuses_a_form_a_script_filled_in():
    client = Client()
    response = client.post(FORM, filled(client, website="http://spam.example"))
    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_it_refuses_the_same_form_sent_twice():
    client = Client()
    data = filled(client)
    assert client.post(FORM, data).status_code == 201
    again = client.post(FORM, data)
    assert again.status_code == 400
    assert "already sent" in again.content.decode()
    assert WHAT in again.content.decode()  # the text is kept, with a new stamp
    assert stamp_of(again) != data["stamp"]
    assert Submission.objects.count() == 1


def test_it_refuses_a_form_sent_too_quickly_and_keeps_the_text(settings):
    settings.HABEAS_INTAKE_STAMP_MIN_SECONDS = 60
    client = Client()
    response = client.post(FORM, filled(client))
    assert response.status_code == 400
    assert "too quickly" in response.content.decode()
    assert WHAT in response.content.decode()
    assert Submission.objects.count() == 0


def test_it_answers_429_over_the_limit_and_creates_nothing(settings):
    settings.HABEAS_INTAKE_SUBMIT_RATE = "2/h"
    client = Client()
    send(client)
    send(client)
    response = client.post(FORM, filled(client))
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "try again" in response.content.decode()
    assert Submission.objects.count() == 2
    # Another network still gets through.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(FORM, filled(other)).status_code == 201


def test_it_closes_the_form_for_maintenance_but_not_the_receipt_page():
    client = Client()
    receipt = send(client)
    data = filled(client)
    IntakeSettings.objects.filter(pk=1).update(open=False)
    assert client.get(FORM).status_code == 503
    response = client.post(FORM, data)
    assert response.status_code == 503
    assert "closed for a short while" in response.content.decode()
    assert Submission.objects.count() == 1
    thread = client.post(RECEIPT, {"stamp": fresh_stamp(client, RECEIPT), "receipt": receipt})
    assert thread.status_code == 200


# -- the receipt -----------------------------------------------------------------------------


def _open(client: Client, receipt: str):
    return client.post(RECEIPT, {"stamp": fresh_stamp(client, RECEIPT), "receipt": receipt})


def test_it_opens_the_thread_with_the_receipt_posted_never_in_the_address(personas):
    client = Client()
    receipt = send(client)
    submission = Submission.objects.get()
    services.reply_add(actor=personas["monitor"], submission=submission, body=REPLY)
    page = client.get(RECEIPT)
    assert page.status_code == 200
    assert f'action="{RECEIPT}"' in page.content.decode()
    assert 'method="post"' in page.content.decode()
    response = _open(client, receipt.replace(" ", "-"))
    body = response.content.decode()
    assert response.status_code == 200
    assert REPLY in body
    assert "Add information" in body
    assert "no-store" in response["Cache-Control"]
    # The sender's own words are not shown back, nor the team's reference.
    assert WHAT not in body and submission.reference not in body
    assert set(response.cookies) <= {"habeas_csrf"}


def test_a_wrong_receipt_gets_the_same_page_whatever_it_was():
    client = Client()
    right = send(client).replace(" ", "")
    wrong_by_one = right[:-1] + str((int(right[-1]) + 1) % 10)
    answers = [
        _open(client, receipt)
        for receipt in (wrong_by_one, "0" * 20, "12345", "not a receipt at all")
    ]
    bodies = [answer.content.decode() for answer in answers]
    assert {answer.status_code for answer in answers} == {400}
    for answer in answers:
        assert "intake/receipt_form.html" in [t.name for t in answer.templates]
    assert {len(body) for body in bodies} == {len(bodies[0])}
    stripped = {re.sub(r'value="[^"]*"', "", body) for body in bodies}
    assert len(stripped) == 1
    assert "We could not open any messages with this receipt" in bodies[0]
    assert "S-20" not in bodies[0] and WHAT not in bodies[0]
    assert right not in bodies[0]


def test_the_sender_adds_information_with_the_receipt():
    client = Client()
    receipt = send(client)
    thread = _open(client, receipt)
    data = {
        "step": "add",
        "receipt": receipt,
        "stamp": stamp_of(thread),
        "body": "He was moved to the isolation block this morning.",
    }
    response = client.post(RECEIPT, data)
    assert response.status_code == 200
    assert "Your information was added" in response.content.decode()
    message = Message.objects.get()
    assert message.author == Message.Author.SENDER
    assert message.unseal("body") == data["body"]
    # The same form sent again adds nothing.
    assert client.post(RECEIPT, data).status_code == 400
    assert Message.objects.count() == 1


def test_adding_with_a_wrong_receipt_adds_nothing_and_reveals_nothing():
    client = Client()
    send(client)
    data = {
        "step": "add",
        "receipt": "1234 5678 9012 3456 7890",
        "stamp": fresh_stamp(client, RECEIPT),
        "body": "Planted text.",
    }
    response = client.post(RECEIPT, data)
    assert response.status_code == 400
    assert "We could not open any messages with this receipt" in response.content.decode()
    assert Message.objects.count() == 0


def test_the_receipt_page_answers_429_over_the_limit(settings):
    settings.HABEAS_INTAKE_RECEIPT_RATE = "2/h"
    client = Client()
    receipt = send(client)
    assert _open(client, "0" * 20).status_code == 400
    assert _open(client, "1" * 20).status_code == 400
    response = _open(client, receipt)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_adding_over_the_limit_answers_429_and_adds_nothing(settings):
    settings.HABEAS_INTAKE_SUBMIT_RATE = "1/h"
    client = Client()
    receipt = send(client)
    data = {"step": "add", "receipt": receipt, "stamp": fresh_stamp(client, RECEIPT), "body": "x"}
    assert client.post(RECEIPT, data).status_code == 429
    assert Message.objects.count() == 0


def test_the_pages_offer_the_shipped_languages():
    response = Client().get(FORM)
    body = response.content.decode()
    assert f'action="{reverse("set_language")}"' in body
    for code in ("en", "es", "fr", "ar"):
        assert f'<option value="{code}" lang="{code}"' in body
    arabic = Client(HTTP_ACCEPT_LANGUAGE="ar").get(FORM).content.decode()
    assert 'lang="ar" dir="rtl"' in arabic
