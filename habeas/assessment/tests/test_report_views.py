"""Pages to request a report, follow its progress and download it (whole tool, ¶3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.assessment import services_outputs
from habeas.assessment.models import Membership, ReportJob
from habeas.assessment.tests.factories import OrganisationFactory
from habeas.assessment.tests.test_report import build_assessment, use_tmp_media
from habeas.core.models import AuditEvent


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


@pytest.fixture
def assessment(personas):
    return build_assessment(personas["monitor"])


@pytest.fixture
def other_body_member(make_user):
    """A monitor of an assessing body: may view assessments, but not this NPM's."""
    user = make_user("monitor", "spt-member@spt.test")
    Membership.objects.create(user=user, organisation=OrganisationFactory(kind="spt"))
    return user


def produce(client, assessment, file_format, capture):
    with capture(execute=True):
        response = client.post(
            reverse("assessment:report_new", args=[assessment.pk]), {"format": file_format}
        )
    return response, assessment.report_jobs.get()


def test_it_queues_a_report_from_the_form_and_shows_its_status(
    personas, client_for, assessment, django_capture_on_commit_callbacks
):
    client = client_for(personas["doctor"])

    page = client.get(reverse("assessment:report_new", args=[assessment.pk]))
    response, job = produce(client, assessment, "pdf", django_capture_on_commit_callbacks)

    assert page.status_code == 200 and b'value="docx"' in page.content
    status_url = reverse("assessment:report_status", args=[assessment.pk, job.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    status = client.get(status_url)
    download_url = reverse("assessment:report_download", args=[assessment.pk, job.pk])
    assert download_url.encode() in status.content
    assert b"every 2s" not in status.content  # done: the page stops polling


def test_it_polls_while_the_job_runs_and_offers_a_refresh_link(personas, client_for, assessment):
    job = ReportJob.objects.create(
        assessment=assessment, format="pdf", requested_by=personas["head"]
    )
    job = services_outputs.report_job_start(job_id=job.pk)
    services_outputs.report_job_progress(job=job, progress=10)
    client = client_for(personas["monitor"])
    url = reverse("assessment:report_status", args=[assessment.pk, job.pk])

    page = client.get(url)
    partial = client.get(url, headers={"HX-Request": "true"})

    assert b'hx-trigger="every 2s"' in page.content
    assert b'value="10"' in page.content
    assert f'href="{url}"'.encode() in page.content  # "Refresh" without JavaScript
    assert b"<html" not in partial.content and b'id="report-progress"' in partial.content


def test_it_serves_the_report_as_an_audited_attachment(
    personas, client_for, assessment, django_capture_on_commit_callbacks
):
    client = client_for(personas["monitor"])
    _response, job = produce(client, assessment, "pdf", django_capture_on_commit_callbacks)

    response = client.get(reverse("assessment:report_download", args=[assessment.pk, job.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="assessment.report_download")
    assert event.actor == personas["monitor"] and event.detail["job"] == job.pk


@pytest.mark.parametrize("name", ["report_status", "report_download"])
def test_it_answers_404_to_an_outsider_and_to_another_organisation(
    personas, client_for, other_body_member, assessment, django_capture_on_commit_callbacks, name
):
    _response, job = produce(
        client_for(personas["monitor"]), assessment, "pdf", django_capture_on_commit_callbacks
    )
    url = reverse(f"assessment:{name}", args=[assessment.pk, job.pk])
    missing = reverse(f"assessment:{name}", args=[assessment.pk, job.pk + 1000])

    for user in (personas["outsider"], other_body_member):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert response.content == client_for(user).get(missing).content
    assert not AuditEvent.objects.filter(action="assessment.report_download").exists()


def test_it_refuses_the_request_form_to_another_organisation(
    client_for, other_body_member, assessment
):
    response = client_for(other_body_member).post(
        reverse("assessment:report_new", args=[assessment.pk]), {"format": "pdf"}
    )

    assert response.status_code == 404
    assert not ReportJob.objects.exists()


def test_it_does_not_serve_a_job_under_another_assessment(
    personas, client_for, assessment, django_capture_on_commit_callbacks
):
    other = build_assessment(personas["monitor"])
    client = client_for(personas["monitor"])
    _response, job = produce(client, assessment, "pdf", django_capture_on_commit_callbacks)

    response = client.get(reverse("assessment:report_download", args=[other.pk, job.pk]))

    assert response.status_code == 404


def test_it_does_not_offer_a_download_before_the_report_is_ready(personas, client_for, assessment):
    job = ReportJob.objects.create(
        assessment=assessment, format="pdf", requested_by=personas["head"]
    )

    response = client_for(personas["head"]).get(
        reverse("assessment:report_download", args=[assessment.pk, job.pk])
    )

    assert response.status_code == 404


def test_it_refuses_an_unknown_format(personas, client_for, assessment):
    response = client_for(personas["monitor"]).post(
        reverse("assessment:report_new", args=[assessment.pk]), {"format": "html"}
    )

    assert response.status_code == 400
    assert not ReportJob.objects.exists()


def test_it_says_so_when_a_job_seems_to_have_stopped(
    personas, client_for, assessment, time_machine
):
    job = ReportJob.objects.create(
        assessment=assessment, format="pdf", requested_by=personas["head"]
    )
    url = reverse("assessment:report_status", args=[assessment.pk, job.pk])

    fresh = client_for(personas["head"]).get(url)
    time_machine.move_to(job.requested_at + dt.timedelta(minutes=31))
    stalled = client_for(personas["head"]).get(url)  # signed in again after the idle timeout

    assert b"may have stopped" not in fresh.content
    assert b"may have stopped" in stalled.content
