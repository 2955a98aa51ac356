"""The report job: queued on commit, run in the background, done or failed (whole tool, ¶3)."""

from __future__ import annotations

import io
import logging
import re

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from habeas.assessment import services_outputs
from habeas.assessment.models import Membership, ReportJob
from habeas.assessment.tasks import report_generate
from habeas.assessment.tests.factories import OrganisationFactory
from habeas.assessment.tests.test_report import ACTION_TITLE, build_assessment, use_tmp_media
from habeas.core.models import AuditEvent


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


@pytest.fixture
def assessment(personas):
    return build_assessment(personas["monitor"])


def request_report(user, assessment, file_format, capture):
    with capture(execute=True):
        job = services_outputs.report_request(actor=user, assessment=assessment, format=file_format)
    job.refresh_from_db()
    return job


def test_it_produces_a_pdf_once_the_request_is_committed(
    personas, assessment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = services_outputs.report_request(
            actor=personas["doctor"], assessment=assessment, format="pdf"
        )
        assert ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.QUEUED
    assert len(callbacks) == 1  # nothing runs before the request is committed
    callbacks[0]()

    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (ReportJob.Status.DONE, 100, "")
    assert job.stored_name.startswith("assessment/reports/")
    assert not job.stored_name.endswith(".pdf")  # a random name, no extension
    with default_storage.open(job.stored_name, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-") and len(content) == job.size


def test_it_produces_a_docx_holding_the_criteria_and_ratings(
    personas, assessment, django_capture_on_commit_callbacks
):
    job = request_report(personas["head"], assessment, "docx", django_capture_on_commit_callbacks)

    assert job.status == ReportJob.Status.DONE
    with default_storage.open(job.stored_name, "rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "The NPM is independent." in text
    assert "Rating: Partially in place" in text
    assert ACTION_TITLE in [c.text for t in document.tables for r in t.rows for c in r.cells]


def test_it_moves_the_progress_forward_while_it_works(
    personas, assessment, django_capture_on_commit_callbacks
):
    with CaptureQueriesContext(connection) as queries:
        job = request_report(
            personas["monitor"], assessment, "pdf", django_capture_on_commit_callbacks
        )

    table = ReportJob._meta.db_table
    updates = [q["sql"] for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
    progress = [
        int(m.group(1)) for sql in updates for m in [re.search(r"progress\" = (\d+)", sql)] if m
    ]
    assert progress == [1, 10, 60, 100]
    assert job.status == ReportJob.Status.DONE


def test_it_audits_the_request_and_the_result(
    personas, assessment, django_capture_on_commit_callbacks
):
    before = AuditEvent.objects.count()
    request_report(personas["monitor"], assessment, "pdf", django_capture_on_commit_callbacks)

    actions = list(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True))
    assert actions == ["assessment.report_request", "assessment.report_produce"]


def test_it_refuses_a_report_to_someone_who_may_not_see_the_assessment(personas, assessment):
    with pytest.raises(PermissionDenied):
        services_outputs.report_request(
            actor=personas["outsider"], assessment=assessment, format="pdf"
        )
    assert not ReportJob.objects.exists()


def test_it_fails_plainly_when_the_file_cannot_be_stored(
    personas, assessment, django_capture_on_commit_callbacks, settings, tmp_path, caplog
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the media directory should be")
    use_tmp_media(settings, blocker)

    with caplog.at_level(logging.ERROR, logger="habeas.assessment.tasks"):
        job = request_report(
            personas["monitor"], assessment, "pdf", django_capture_on_commit_callbacks
        )

    assert job.status == ReportJob.Status.FAILED
    assert job.error.startswith("The report could not be produced.")
    assert "Traceback" not in job.error and "Error" not in job.error
    assert f"report job {job.pk} failed" in caplog.text
    assert AuditEvent.objects.filter(action="assessment.report_fail").count() == 1


def test_it_fails_when_the_requester_can_no_longer_see_the_assessment(
    personas, assessment, django_capture_on_commit_callbacks
):
    spt = OrganisationFactory(kind="spt", name="SPT")
    with django_capture_on_commit_callbacks() as callbacks:
        job = services_outputs.report_request(
            actor=personas["doctor"], assessment=assessment, format="pdf"
        )
    Membership.objects.create(user=personas["doctor"], organisation=spt)  # moved to the SPT
    callbacks[0]()

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert not job.stored_name


def test_it_fails_a_job_of_an_unknown_format(personas, assessment, media):
    job = ReportJob.objects.create(
        assessment=assessment, format="odt", requested_by=personas["monitor"]
    )

    report_generate.enqueue(job_id=job.pk, language="en")

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert not job.stored_name
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_it_runs_a_job_once_even_if_delivered_twice(
    personas, assessment, django_capture_on_commit_callbacks
):
    job = request_report(personas["monitor"], assessment, "pdf", django_capture_on_commit_callbacks)

    report_generate.enqueue(job_id=job.pk, language="en")

    assert ReportJob.objects.get(pk=job.pk).stored_name == job.stored_name
    assert len(default_storage.listdir("assessment/reports")[1]) == 1
