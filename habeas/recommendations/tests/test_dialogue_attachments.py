"""Files of an exchange: checked and stored as the places' archive does (SECURITY.md 21)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.core.models import AuditEvent
from habeas.places.tests.test_services_documents import HTML, PDF, stored_files, use_tmp_media
from habeas.recommendations import services_dialogue as services
from habeas.recommendations.models import ExchangeAttachment
from habeas.recommendations.tests.dialogue_factories import make_exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


@pytest.fixture
def letter(personas):
    return make_exchange(personas["head"])


def upload(client, exchange, name: str, content: bytes):
    return client.post(
        f"/recommendations/dialogue/{exchange.pk}/attachments/",
        {"upload": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_it_stores_a_pdf_under_a_random_name_and_audits_it(personas, media, letter):
    attachment = services.exchange_attachment_add(
        actor=personas["monitor"],
        exchange=letter,
        upload=SimpleUploadedFile("Reply of the ministry.pdf", PDF),
    )

    assert attachment.original_name == "Reply of the ministry.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    (stored,) = stored_files(media)
    assert stored.read_bytes() == PDF
    assert "Reply" not in stored.name and "." not in stored.name
    event = AuditEvent.objects.get(action="exchange_attachment.add")
    assert event.detail["exchange"] == letter.pk and "Reply" not in str(event.detail)


def test_a_renamed_html_file_is_refused_and_nothing_is_written(personas, client_for, media, letter):
    response = upload(client_for(personas["head"]), letter, "letter.pdf", HTML)

    assert response.status_code == 400
    assert b"does not match its name" in response.content
    assert not ExchangeAttachment.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused(personas, settings, media, letter):
    settings.HABEAS_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        services.exchange_attachment_add(
            actor=personas["head"],
            exchange=letter,
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 200),
        )
    assert stored_files(media) == []


def test_a_reader_without_the_right_cannot_add_a_file(personas, client_for, media, letter):
    assert upload(client_for(personas["doctor"]), letter, "a.pdf", PDF).status_code == 403
    assert upload(client_for(personas["expert"]), letter, "a.pdf", PDF).status_code == 404
    with pytest.raises(PermissionDenied):
        services.exchange_attachment_add(
            actor=personas["comms"], exchange=letter, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert stored_files(media) == []


def test_the_download_is_an_attachment_for_those_who_see_the_exchange(
    personas, client_for, media, letter
):
    response = upload(client_for(personas["data_officer"]), letter, "reply.pdf", PDF)
    assert response.status_code == 302
    attachment = ExchangeAttachment.objects.get()
    url = f"/recommendations/dialogue/{letter.pk}/attachments/{attachment.pk}/"

    for who in ("head", "doctor", "comms"):
        download = client_for(personas[who]).get(url)
        assert download.status_code == 200, who
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["Content-Type"] == "application/octet-stream"
        assert download["X-Content-Type-Options"] == "nosniff"
    for who in ("expert", "admin", "outsider"):
        assert client_for(personas[who]).get(url).status_code == 404, who
    downloads = AuditEvent.objects.filter(action="exchange_attachment.download")
    assert downloads.count() == 3


def test_a_file_is_not_reached_through_another_exchange(personas, client_for, media, letter):
    other = make_exchange(personas["head"], subject="Another letter")
    attachment = services.exchange_attachment_add(
        actor=personas["head"], exchange=letter, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    url = f"/recommendations/dialogue/{other.pk}/attachments/{attachment.pk}/"
    assert client_for(personas["head"]).get(url).status_code == 404


def test_the_exchange_page_lists_its_files(personas, client_for, media, letter):
    services.exchange_attachment_add(
        actor=personas["head"], exchange=letter, upload=SimpleUploadedFile("minutes.pdf", PDF)
    )
    page = client_for(personas["comms"]).get(f"/recommendations/dialogue/{letter.pk}/")
    assert b"minutes.pdf" in page.content
    assert b'enctype="multipart/form-data"' not in page.content  # comms may not add files
