"""The import pages, seen by each persona: upload, preview, apply (¶9)."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from habeas.core.models import ImportBatch
from habeas.places.importing import places_import_preview
from habeas.places.models import Place
from habeas.places.tests.test_import_parser import GOOD, csv_bytes

GOOD_FILE = csv_bytes([GOOD, {**GOOD, "external_ref": "P-002", "name": "Second"}])
BAD_FILE = csv_bytes([GOOD, {**GOOD, "external_ref": "P-002", "category": "prisn"}])


def upload(client, content: bytes, name: str = "places.csv"):
    return client.post(reverse("places:import"), {"file": SimpleUploadedFile(name, content)})


def batch_of(user, content: bytes = GOOD_FILE) -> ImportBatch:
    return places_import_preview(actor=user, upload=SimpleUploadedFile("places.csv", content))


@pytest.fixture
def officer_client(personas, client_for):
    return client_for(personas["data_officer"])


def test_it_shows_the_upload_form_with_the_columns_and_the_sample(officer_client):
    response = officer_client.get(reverse("places:import"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "external_ref" in page and "population_date" in page
    assert reverse("places:import_sample") in page


def test_it_serves_the_sample_file_that_imports_cleanly(officer_client, personas):
    response = officer_client.get(reverse("places:import_sample"))

    content = b"".join(response.streaming_content)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert batch_of(personas["data_officer"], content).report["summary"]["error"] == 0


def test_it_previews_then_applies_an_import(officer_client):
    response = upload(officer_client, GOOD_FILE)
    preview_url = response["Location"]
    page = officer_client.get(preview_url).content.decode()

    assert "2 rows: 2 new" in page
    assert "Apply the import" in page
    assert Place.objects.count() == 0

    batch = ImportBatch.objects.get()
    response = officer_client.post(reverse("places:import_apply", args=[batch.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("places:list")
    assert Place.objects.count() == 2


def test_it_highlights_bad_rows_and_offers_no_apply_button(officer_client):
    response = officer_client.get(upload(officer_client, BAD_FILE)["Location"])
    page = response.content.decode()

    assert "2 rows: 1 new, 1 with errors" in page
    assert 'class="row-error"' in page
    assert "Row 3, category: “prisn” is not a known category." in page
    assert (
        "Fix the rows below in your spreadsheet and upload it again. Nothing has been imported."
        in page
    )
    assert "Apply the import" not in page


def test_it_refuses_to_apply_a_file_with_errors_even_when_posted(officer_client):
    upload(officer_client, BAD_FILE)
    batch = ImportBatch.objects.get()

    officer_client.post(reverse("places:import_apply", args=[batch.pk]))

    assert Place.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("places.csv", b"", "The submitted file is empty."),
        ("places.docx", b"PK\x03\x04whatever", "damaged"),
        ("places.pdf", b"%PDF-1.7", "Upload a CSV file (.csv) or an Excel workbook (.xlsx)."),
        ("places.csv", b"name\nOnly a name\n", "these required ones are missing: external_ref"),
    ],
)
def test_it_answers_bad_files_with_a_clear_message_and_stores_nothing(
    officer_client, name, content, message
):
    response = upload(officer_client, content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_it_refuses_a_file_that_is_too_big(officer_client, settings):
    settings.HABEAS_IMPORT_MAX_BYTES = 1024

    response = upload(officer_client, GOOD_FILE * 10)

    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_it_hides_a_batch_from_everyone_but_its_uploader(personas, client_for):
    batch = batch_of(personas["data_officer"])
    missing = client_for(personas["head"]).get(
        reverse("places:import_preview", args=[uuid.uuid4()])
    )

    for url in (reverse("places:import_preview", args=[batch.pk]),):
        response = client_for(personas["head"]).get(url)
        assert response.status_code == 404
        assert response.content == missing.content
    response = client_for(personas["head"]).post(reverse("places:import_apply", args=[batch.pk]))
    assert response.status_code == 404
    assert Place.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("comms", 403), ("monitor", 403), ("head", 200)]
)
def test_it_lets_only_those_who_may_import_reach_the_pages(personas, client_for, persona, status):
    client = client_for(personas[persona])

    assert client.get(reverse("places:import")).status_code == status
    assert upload(client, GOOD_FILE).status_code == (302 if status == 200 else status)


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("comms", 403)])
def test_it_refuses_preview_and_apply_to_those_who_may_not_import(
    personas, client_for, persona, status
):
    batch = batch_of(personas["data_officer"])
    client = client_for(personas[persona])

    assert client.get(reverse("places:import_preview", args=[batch.pk])).status_code == status
    assert client.post(reverse("places:import_apply", args=[batch.pk])).status_code == status
    assert Place.objects.count() == 0


def test_it_keeps_anonymous_visitors_out(client, personas):
    batch = batch_of(personas["data_officer"])

    for url in (reverse("places:import"), reverse("places:import_preview", args=[batch.pk])):
        assert client.get(url).status_code in (302, 404)
    client.post(reverse("places:import_apply", args=[batch.pk]))
    assert Place.objects.count() == 0
