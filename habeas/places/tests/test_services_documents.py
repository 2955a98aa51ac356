"""The archive of a place: size and type limits, random stored names (SECURITY.md 21)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from habeas.core.models import AuditEvent
from habeas.places import archive, services
from habeas.places.models import PlaceDocument
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def use_tmp_media(settings, tmp_path):
    """Point the default storage at a fresh directory, so tests can see every file written."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, content in parts.items():
            bundle.writestr(name, content)
    return buffer.getvalue()


def add(actor, name: str, content: bytes, place=None) -> PlaceDocument:
    return services.place_document_add(
        actor=actor,
        place=place or PlaceFactory.create(),
        upload=SimpleUploadedFile(name, content),
        title="House rules",
        kind=PlaceDocument.Kind.REGULATION,
        received_on=None,
        source="Director",
        summary="",
    )


def test_it_stores_a_pdf_under_a_random_name_with_its_digest(personas, media):
    document = add(personas["monitor"], "House rules 2024.pdf", PDF)

    (path,) = stored_files(media)
    assert path.read_bytes() == PDF
    assert document.stored_name == f"places/{path.name}"
    assert len(path.name) == 32 and "." not in path.name and "House" not in path.name
    assert document.original_name == "House rules 2024.pdf"
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.size == len(PDF) and document.content_type == "application/pdf"
    event = AuditEvent.objects.get(action="place_document.add")
    assert event.object_id == str(document.pk)


def test_it_gives_two_uploads_of_the_same_name_different_stored_names(personas, media):
    first = add(personas["monitor"], "a.pdf", PDF)
    second = add(personas["monitor"], "a.pdf", PDF)

    assert first.stored_name != second.stored_name


def test_it_refuses_a_file_too_big_before_writing_anything(personas, media, settings):
    settings.HABEAS_UPLOAD_MAX_BYTES = len(PDF) - 1

    with pytest.raises(ValidationError) as caught:
        add(personas["monitor"], "big.pdf", PDF)

    assert "too big" in str(caught.value)
    assert stored_files(media) == [] and not PlaceDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("page.html", HTML),
        ("page.htm", HTML),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>"),
        ("no-extension", PDF),
        ("script.js", b"alert(1)"),
    ],
)
def test_it_refuses_a_type_not_on_the_allow_list(personas, media, name, content):
    with pytest.raises(ValidationError) as caught:
        add(personas["monitor"], name, content)

    assert "not accepted" in str(caught.value)
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", HTML),
        ("photo.png", HTML),
        ("photo.jpg", PDF),
        ("letter.docx", PDF),
        ("letter.docx", zipped({"hello.txt": b"hi"})),
        ("sheet.xlsx", zipped({"[Content_Types].xml": b"", "word/document.xml": b""})),
        ("text.odt", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
        ("notes.txt", HTML),
        ("list.csv", b"name,count\nA\x00,1\n"),
        ("list.csv", PDF),
        ("evil.docx", zipped({"[Content_Types].xml": b"", "word/document.xml": b"", "../x": b""})),
    ],
    # Named, not shown: a zip holds the time it was made, which would give each run (and
    # each parallel worker) other test ids.
    ids=[
        "html-as-pdf",
        "html-as-png",
        "pdf-as-jpg",
        "pdf-as-docx",
        "zip-as-docx",
        "word-as-xlsx",
        "ods-as-odt",
        "html-as-txt",
        "nul-in-csv",
        "pdf-as-csv",
        "zip-slip-docx",
    ],
)
def test_it_refuses_a_file_whose_content_does_not_match_its_name(personas, media, name, content):
    with pytest.raises(ValidationError) as caught:
        add(personas["monitor"], name, content)

    assert "does not match" in str(caught.value)
    assert stored_files(media) == [] and not PlaceDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.PNG", PNG),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
        ("list.csv", "name;count\nPrison d'État;12\n".encode()),
        ("notes.txt", "Reçu du directeur".encode("cp1252")),
        ("letter.docx", zipped({"[Content_Types].xml": b"", "word/document.xml": b""})),
        ("sheet.xlsx", zipped({"[Content_Types].xml": b"", "xl/workbook.xml": b""})),
        ("text.odt", zipped({"mimetype": b"application/vnd.oasis.opendocument.text"})),
        ("sheet.ods", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
    ],
    ids=["png", "jpeg", "csv", "txt-cp1252", "docx", "xlsx", "odt", "ods"],  # see above
)
def test_it_accepts_each_allowed_type(personas, media, name, content):
    document = add(personas["monitor"], name, content)

    assert document.stored_name and len(stored_files(media)) == 1


def test_it_refuses_an_empty_file(personas, media):
    with pytest.raises(ValidationError):
        add(personas["monitor"], "empty.txt", b"")


def test_it_lets_a_doctor_file_documents_but_not_the_communications_officer(personas, media):
    assert add(personas["doctor"], "a.pdf", PDF).pk

    with pytest.raises(PermissionDenied):
        add(personas["comms"], "b.pdf", PDF)

    assert PlaceDocument.objects.count() == 1 and len(stored_files(media)) == 1


def test_it_removes_the_file_when_the_record_cannot_be_saved(personas, media, monkeypatch):
    def broken_record(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(services.audit, "record", broken_record)

    with pytest.raises(RuntimeError):
        add(personas["monitor"], "a.pdf", PDF)

    assert stored_files(media) == [] and not PlaceDocument.objects.exists()


def test_it_sanitises_a_hostile_original_name(personas, media):
    document = add(personas["monitor"], '..\\..\\evil"\r\nX-Header: 1\u202e.pdf', PDF)

    assert document.original_name == "evil_X-Header_ 1.pdf"


@given(st.text(max_size=400))
def test_it_never_lets_a_file_name_carry_a_path_or_control_character(name):
    safe = archive.sanitise_filename(name)

    assert safe and len(safe) <= 150
    assert not any(char in safe for char in '/\\"\r\n\t\x00')
    assert not safe.startswith(".")
