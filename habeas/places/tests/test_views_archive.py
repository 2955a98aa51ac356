"""Pages for units, population counts and the archive, and the download's headers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.core.models import AuditEvent
from habeas.places.models import PlaceDocument, PopulationRecord, Unit
from habeas.places.tests.factories import PlaceFactory, UnitFactory
from habeas.places.tests.test_services_documents import HTML, PDF, stored_files, use_tmp_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


def upload(client, place, name: str, content: bytes, **fields):
    data = {"title": "House rules", "kind": "regulation", **fields}
    data["upload"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"/places/{place.pk}/documents/new/", data)


# Units ------------------------------------------------------------------------------


def test_it_lets_a_monitor_add_rename_and_retire_a_unit(personas, client_for):
    place = PlaceFactory()
    client = client_for(personas["monitor"])

    client.post(f"/places/{place.pk}/units/new/", {"name": "Wing A", "capacity": "20"})
    unit = Unit.objects.get(place=place)
    client.post(
        f"/places/{place.pk}/units/{unit.pk}/edit/", {"name": "Wing B", "version": unit.version}
    )
    client.post(f"/places/{place.pk}/units/{unit.pk}/deactivate/")

    unit.refresh_from_db()
    assert unit.name == "Wing B" and not unit.active
    actions = AuditEvent.objects.filter(object_type="places.unit").values_list("action", flat=True)
    assert list(actions) == ["unit.create", "unit.update", "unit.deactivate"]


def test_it_reports_a_duplicate_unit_name_on_the_field(personas, client_for):
    place = PlaceFactory()
    UnitFactory(place=place, name="Wing A")

    response = client_for(personas["monitor"]).post(
        f"/places/{place.pk}/units/new/", {"name": "Wing A"}
    )

    assert response.status_code == 200 and b"already has a unit with this name" in response.content


def test_it_answers_409_to_a_stale_unit_edit(personas, client_for):
    unit = UnitFactory(name="Wing A")
    url = f"/places/{unit.place_id}/units/{unit.pk}/edit/"
    client_for(personas["head"]).post(url, {"name": "Theirs", "version": 1})

    response = client_for(personas["monitor"]).post(url, {"name": "Mine", "version": 1})

    assert response.status_code == 409
    assert b'value="Mine"' in response.content and b"Theirs" in response.content


def test_it_does_not_reach_a_unit_through_another_place(personas, client_for):
    unit = UnitFactory()
    other = PlaceFactory()

    response = client_for(personas["monitor"]).post(
        f"/places/{other.pk}/units/{unit.pk}/deactivate/"
    )

    assert response.status_code == 404
    unit.refresh_from_db()
    assert unit.active


def test_it_forbids_unit_changes_to_a_reader_and_hides_them_from_an_outsider(personas, client_for):
    unit = UnitFactory()
    url = f"/places/{unit.place_id}/units/{unit.pk}/deactivate/"

    assert client_for(personas["comms"]).post(url).status_code == 403
    assert client_for(personas["outsider"]).post(url).status_code == 404
    unit.refresh_from_db()
    assert unit.active


# Population -------------------------------------------------------------------------


def test_it_adds_a_population_count_from_the_page(personas, client_for):
    place = PlaceFactory()

    response = client_for(personas["data_officer"]).post(
        f"/places/{place.pk}/population/new/",
        {"recorded_on": "2024-04-01", "population": "42", "source": "Register"},
    )

    assert response.status_code == 302
    assert PopulationRecord.objects.get(place=place).population == 42


def test_it_reports_a_second_count_for_the_same_day(personas, client_for):
    place = PlaceFactory()
    client = client_for(personas["monitor"])
    client.post(
        f"/places/{place.pk}/population/new/", {"recorded_on": "2024-04-01", "population": 1}
    )

    response = client.post(
        f"/places/{place.pk}/population/new/", {"recorded_on": "2024-04-01", "population": 2}
    )

    assert b"already a count for this place on this date" in response.content
    assert PopulationRecord.objects.get(place=place).population == 1


# The archive --------------------------------------------------------------------------


def test_it_files_and_serves_a_document_as_a_safe_attachment(personas, client_for, media):
    place = PlaceFactory()
    client = client_for(personas["monitor"])
    upload(client, place, 'Règlement "intérieur".pdf', PDF)
    document = PlaceDocument.objects.get(place=place)

    response = client_for(personas["comms"]).get(f"/places/{place.pk}/documents/{document.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''R%C3%A8glement%20_int%C3%A9rieur_.pdf"
    )
    download = AuditEvent.objects.get(action="place_document.download")
    assert download.actor == personas["comms"] and download.object_id == str(document.pk)


def test_it_refuses_a_disguised_file_and_says_why(personas, client_for, media):
    place = PlaceFactory()

    response = upload(client_for(personas["monitor"]), place, "report.pdf", HTML)

    assert response.status_code == 400
    assert b"does not match its name" in response.content
    assert stored_files(media) == [] and not PlaceDocument.objects.exists()


def test_it_forbids_uploads_to_the_communications_officer(personas, client_for, media):
    place = PlaceFactory()

    response = upload(client_for(personas["comms"]), place, "a.pdf", PDF)

    assert response.status_code == 403 and stored_files(media) == []


def test_it_hides_documents_from_an_outsider_like_missing_ones(personas, client_for, media):
    place = PlaceFactory()
    upload(client_for(personas["monitor"]), place, "a.pdf", PDF)
    document = PlaceDocument.objects.get()
    client = client_for(personas["outsider"])

    hidden = client.get(f"/places/{place.pk}/documents/{document.pk}/")
    missing = client.get(f"/places/{place.pk}/documents/{document.pk + 1}/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert not AuditEvent.objects.filter(action="place_document.download").exists()


def test_it_does_not_serve_a_document_through_another_place(personas, client_for, media):
    place, other = PlaceFactory(), PlaceFactory()
    upload(client_for(personas["monitor"]), place, "a.pdf", PDF)
    document = PlaceDocument.objects.get()

    response = client_for(personas["monitor"]).get(f"/places/{other.pk}/documents/{document.pk}/")

    assert response.status_code == 404
