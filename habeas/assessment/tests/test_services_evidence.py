"""Evidence: documents checked and stored under random names, record links checked against
what the actor may see, public sources over https only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.assessment import services
from habeas.assessment.models import Evidence
from habeas.assessment.tests.factories import OrganisationFactory
from habeas.assessment.tests.test_services import member, rating_of, spt, start
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.places.tests.test_services_documents import HTML, PDF, stored_files, use_tmp_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


def add(actor, assessment, **fields) -> Evidence:
    return services.evidence_add(
        actor=actor,
        assessment=assessment,
        criterion=fields.pop("criterion", None) or rating_of(assessment, "1").criterion,
        **fields,
    )


def test_it_stores_a_document_under_a_random_name(personas, media):
    head = personas["head"]
    assessment = start(head)

    evidence = add(
        head, assessment, kind="document", upload=SimpleUploadedFile("budget 2024.pdf", PDF)
    )

    files = stored_files(media)
    assert len(files) == 1 and files[0].parent.name == "assessment"
    assert "budget" not in files[0].name and files[0].suffix == ""
    assert evidence.original_name == "budget 2024.pdf" and evidence.title == "budget 2024.pdf"
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    event = AuditEvent.objects.get(action="evidence.add")
    assert event.detail["kind"] == "document" and event.detail["sha256"] == evidence.sha256


def test_it_refuses_a_web_page_disguised_as_a_pdf_and_writes_nothing(personas, media):
    head = personas["head"]
    assessment = start(head)

    with pytest.raises(ValidationError) as refused:
        add(head, assessment, kind="document", upload=SimpleUploadedFile("report.pdf", HTML))

    assert "upload" in refused.value.message_dict
    assert stored_files(media) == [] and not Evidence.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(personas, media, settings):
    settings.HABEAS_UPLOAD_MAX_BYTES = 10
    head = personas["head"]
    assessment = start(head)

    with pytest.raises(ValidationError):
        add(head, assessment, kind="document", upload=SimpleUploadedFile("r.pdf", PDF))

    assert stored_files(media) == []


def test_it_links_a_record_the_actor_can_see(personas):
    head = personas["head"]
    assessment = start(head)
    place = PlaceFactory(name="Central Prison")

    evidence = add(head, assessment, kind="record", record_type="places.place", record_id=place.pk)

    assert (evidence.record_type, evidence.record_id) == ("places.place", str(place.pk))
    assert "Central Prison" not in evidence.title  # a record's name is not copied out of it


def test_it_answers_alike_for_a_hidden_a_missing_and_an_unknown_record(personas, make_user):
    head = personas["head"]
    assessment = start(head)
    spt_head = member(make_user, spt(), "head")
    hidden = start(spt_head, subject=OrganisationFactory())

    answers = []
    for record_type, record_id in [
        ("assessment.assessment", hidden.pk),
        ("places.place", 999999),
        ("places.place", "not-a-number"),
        ("accounts.user", head.pk),
        ("nothing.here", 1),
    ]:
        with pytest.raises(ValidationError) as refused:
            add(head, assessment, kind="record", record_type=record_type, record_id=record_id)
        answers.append(refused.value.message_dict)

    assert all(answer == answers[0] for answer in answers)
    assert not Evidence.objects.exists()


def test_it_accepts_only_https_public_sources(personas):
    head = personas["head"]
    assessment = start(head)

    for url in ["http://npm.example/report", "javascript:alert(1)", "ftp://x.example/", "npm"]:
        with pytest.raises(ValidationError) as refused:
            add(head, assessment, kind="link", url=url)
        assert "url" in refused.value.message_dict

    evidence = add(head, assessment, kind="link", url="https://npm.example/report")
    assert evidence.title == "https://npm.example/report"


def test_it_refuses_evidence_for_a_criterion_of_another_framework(personas):
    head = personas["head"]
    assessment = start(head)
    other = start(head)

    with pytest.raises(ValidationError):
        add(
            head,
            assessment,
            kind="link",
            url="https://npm.example/",
            criterion=rating_of(other, "1").criterion,
        )


def test_it_refuses_evidence_from_someone_who_may_not_change(personas):
    assessment = start(personas["monitor"])

    with pytest.raises(PermissionDenied):
        add(personas["comms"], assessment, kind="link", url="https://npm.example/")


def test_it_removes_evidence_and_its_file_once_committed(
    personas, media, django_capture_on_commit_callbacks
):
    head = personas["head"]
    assessment = start(head)
    evidence = add(head, assessment, kind="document", upload=SimpleUploadedFile("a.pdf", PDF))
    pk = evidence.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(actor=head, evidence=evidence)

    assert not Evidence.objects.exists() and stored_files(media) == []
    event = AuditEvent.objects.get(action="evidence.remove")
    assert event.object_id == str(pk)


def test_it_copies_documents_into_a_revision_as_files_of_their_own(personas, media):
    head = personas["head"]
    assessment = start(head)
    add(head, assessment, kind="document", upload=SimpleUploadedFile("a.pdf", PDF))
    services.assessment_submit_for_review(actor=head, assessment=assessment)
    services.assessment_finalise(actor=head, assessment=assessment)

    revision = services.assessment_revise(actor=head, assessment=assessment)

    original, copy = assessment.evidence.get(), revision.evidence.get()
    assert copy.stored_name != original.stored_name and copy.sha256 == original.sha256
    assert len(stored_files(media)) == 2
    with services.evidence_open(actor=head, evidence=copy) as handle:
        assert handle.read() == PDF


def test_it_audits_a_download_and_refuses_one_to_an_outsider(personas, media):
    head = personas["head"]
    assessment = start(head)
    evidence = add(head, assessment, kind="document", upload=SimpleUploadedFile("a.pdf", PDF))

    with pytest.raises(PermissionDenied):
        services.evidence_open(actor=personas["outsider"], evidence=evidence)
    services.evidence_open(actor=personas["comms"], evidence=evidence).close()

    assert list(
        AuditEvent.objects.filter(action="evidence.download").values_list("actor", flat=True)
    ) == [personas["comms"].pk]
