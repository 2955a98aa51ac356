"""Medical documentation (Istanbul Protocol): services, pages and sealed attachments."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from habeas.cases import services_medical
from habeas.cases.models import MedicalAttachment, MedicalExamination
from habeas.cases.tests.factories import grant, make_case
from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent

pytestmark = pytest.mark.django_db

FINDING = "Canary finding: linear bruises on both soles"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def exam_data(**data):
    values = {
        "examined_on": dt.date(2026, 1, 12),
        "examiner_name": "Dr Outside",
        "history": "Beaten on the soles of the feet",
        "physical_findings": FINDING,
        "psychological_findings": "Hypervigilance",
        "interpretation": "Falanga",
        "consistency": MedicalExamination.Consistency.HIGHLY_CONSISTENT,
    }
    values.update(data)
    return values


@pytest.fixture
def doctor_case(personas):
    """A case opened by the doctor (who holds its medical file) with one examination."""
    doctor = personas["doctor"]
    case = make_case(doctor)
    examination = services_medical.examination_add(actor=doctor, case=case, data=exam_data())
    return case, examination


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (8, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCameraMaker"  # Make
    exif[0x0132] = "2026:01:12 03:04:05"  # DateTime
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "CanaryPngComment")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 100, 0)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


# Services -------------------------------------------------------------------------------


def test_it_seals_the_findings_and_audits_the_examination_under_the_case(doctor_case):
    case, examination = doctor_case
    stored = MedicalExamination.objects.get(pk=examination.pk)
    assert FINDING.encode() not in bytes(stored.physical_findings)
    assert stored.unseal("physical_findings") == FINDING
    events = AuditEvent.objects.filter(object_id=str(case.pk), action="cases.medical.create")
    assert events.count() == 1 and FINDING not in str(events.get().detail)


def test_it_refuses_an_examination_to_a_grantee_without_the_medical_flag(personas):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor)  # a monitor's own grant carries no medical flag
    grant(monitor, case, expert, medical=False)
    for actor in (monitor, expert, personas["head"]):
        with pytest.raises(PermissionDenied):
            services_medical.examination_add(actor=actor, case=case, data=exam_data())
    assert not MedicalExamination.objects.exists()


def test_it_refuses_the_medical_flag_to_a_role_that_may_not_hold_it(personas):
    doctor, officer = personas["doctor"], personas["data_officer"]
    case = make_case(doctor)
    grant(doctor, case, officer, medical=True)
    assert not MedicalExamination.objects.restrict(officer).exists()
    with pytest.raises(PermissionDenied):
        services_medical.examination_add(actor=officer, case=case, data=exam_data())


def test_it_refuses_an_examiner_not_granted_the_medical_file(personas):
    doctor = personas["doctor"]
    case = make_case(doctor)
    with pytest.raises(ValidationError):
        services_medical.examination_add(
            actor=doctor, case=case, data=exam_data(examiner=personas["monitor"])
        )


def test_it_refuses_a_stale_examination_edit(doctor_case, personas):
    _case, examination = doctor_case
    doctor = personas["doctor"]
    services_medical.examination_update(
        actor=doctor, examination=examination, data={"interpretation": "A"}, expected_version=1
    )
    stale = MedicalExamination.objects.get(pk=examination.pk)
    stale.version = 1
    with pytest.raises(StaleEdit):
        services_medical.examination_update(
            actor=doctor, examination=stale, data={"interpretation": "B"}, expected_version=1
        )
    examination.refresh_from_db()
    assert examination.unseal("interpretation") == "A"


def test_it_strips_exif_from_a_jpeg_and_seals_name_and_content(doctor_case, personas):
    _case, examination = doctor_case
    assert b"CanaryCameraMaker" in jpeg_with_exif()
    upload = SimpleUploadedFile("soles-canaryname.jpg", jpeg_with_exif(), "image/jpeg")
    attachment = services_medical.attachment_add(
        actor=personas["doctor"], examination=examination, upload=upload
    )
    stored = MedicalAttachment.objects.get(pk=attachment.pk)
    assert b"canaryname" not in bytes(stored.filename)
    assert b"\xff\xd8" not in bytes(stored.content)[:4]
    content = stored.unseal_bytes("content")
    assert content.startswith(b"\xff\xd8\xff")
    assert b"CanaryCameraMaker" not in content and b"Exif" not in content
    assert Image.open(io.BytesIO(content)).size == (8, 8)


def test_it_strips_text_chunks_from_a_png(doctor_case, personas):
    _case, examination = doctor_case
    assert b"CanaryPngComment" in png_with_text()
    upload = SimpleUploadedFile("chart.png", png_with_text(), "image/png")
    attachment = services_medical.attachment_add(
        actor=personas["doctor"], examination=examination, upload=upload
    )
    assert b"CanaryPngComment" not in attachment.unseal_bytes("content")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>", "does not match"),
        ("sheet.csv", b"a,b\n1,2\n", "not accepted"),
        ("run.exe", b"MZ\x90\x00", "not accepted"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_it_refuses_a_file_of_the_wrong_type(doctor_case, personas, name, content, message):
    _case, examination = doctor_case
    with pytest.raises(ValidationError) as refused:
        services_medical.attachment_add(
            actor=personas["doctor"],
            examination=examination,
            upload=SimpleUploadedFile(name, content, "application/pdf"),
        )
    assert message in str(refused.value)
    assert not MedicalAttachment.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(doctor_case, personas, settings):
    _case, examination = doctor_case
    settings.HABEAS_UPLOAD_MAX_BYTES = 20
    with pytest.raises(ValidationError, match="too big"):
        services_medical.attachment_add(
            actor=personas["doctor"],
            examination=examination,
            upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf"),
        )


# Pages -----------------------------------------------------------------------------------


def test_it_round_trips_an_attachment_through_the_pages(doctor_case, personas, client_for):
    case, examination = doctor_case
    client = client_for(personas["doctor"])
    base = f"/cases/{case.pk}/medical/{examination.pk}/"
    response = client.post(
        f"{base}attachments/new/", {"upload": SimpleUploadedFile("report.pdf", PDF)}
    )
    assert response.status_code == 302
    attachment = MedicalAttachment.objects.get()
    page = client.get(base)
    assert page.status_code == 200 and FINDING.encode() in page.content
    assert b"report.pdf" in page.content
    download = client.get(f"{base}attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in download["Content-Disposition"]
    actions = AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True)
    assert "cases.medical.download" in actions and "cases.medical.read" in actions


def test_it_answers_404_to_a_grantee_without_medical_rights(doctor_case, personas, client_for):
    case, examination = doctor_case
    doctor, monitor = personas["doctor"], personas["monitor"]
    attachment = services_medical.attachment_add(
        actor=doctor, examination=examination, upload=SimpleUploadedFile("r.pdf", PDF)
    )
    grant(doctor, case, monitor, identity=True, medical=False)
    client = client_for(monitor)
    base = f"/cases/{case.pk}/medical/{examination.pk}/"
    for path in (
        base,
        f"{base}edit/",
        f"{base}attachments/new/",
        f"{base}attachments/{attachment.pk}/",
        f"/cases/{case.pk}/medical/new/",
    ):
        assert client.get(path).status_code == 404, path
    detail = client.get(f"/cases/{case.pk}/").content
    assert FINDING.encode() not in detail and str(examination.pk).encode() not in detail
    assert b"You are not granted the medical documentation" in detail


def test_it_answers_404_for_an_examination_named_under_another_case(
    doctor_case, personas, client_for
):
    _case, examination = doctor_case
    other = make_case(personas["doctor"])
    response = client_for(personas["doctor"]).get(f"/cases/{other.pk}/medical/{examination.pk}/")
    assert response.status_code == 404


def test_it_records_an_examination_from_the_form(personas, client_for):
    doctor = personas["doctor"]
    case = make_case(doctor)
    response = client_for(doctor).post(
        f"/cases/{case.pk}/medical/new/",
        {
            "examined_on": "2026-01-12",
            "examiner": doctor.pk,
            "physical_findings": FINDING,
            "consistency": "consistent",
        },
    )
    examination = MedicalExamination.objects.get()
    assert response.status_code == 302 and examination.examiner == doctor
    assert examination.unseal("physical_findings") == FINDING


def test_it_answers_409_to_a_stale_examination_form(doctor_case, personas, client_for):
    case, examination = doctor_case
    client = client_for(personas["doctor"])
    url = f"/cases/{case.pk}/medical/{examination.pk}/edit/"
    form = {
        "examined_on": "2026-01-12",
        "examiner_name": "Dr Outside",
        "consistency": "typical",
        "version": 1,
    }
    assert client.post(url, {**form, "interpretation": "Saved first"}).status_code == 302
    response = client.post(url, {**form, "interpretation": "Mine, not lost"})
    assert response.status_code == 409 and b"Mine, not lost" in response.content
