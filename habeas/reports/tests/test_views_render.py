"""PDF and DOCX from the report's page: asked for, produced in the background (at once in
tests), its progress shown (htmx polls a fragment), downloaded by those who see the
report and by no one else."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from habeas.reports import services
from habeas.reports.models import Kind, Rendering, Report, ReportVersion
from habeas.reports.tests.factories import report_factory, report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any, make_user: Any) -> Any:
    return report_world(personas, make_user)


@pytest.fixture
def report(world: Any) -> Report:
    return report_factory(
        kind=Kind.URGENT,
        actor=world.head,
        visit=world.visit.pk,
        recommendation=world.recommendations[1].pk,
    )


def url(name: str, report: Report, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"pk": report.pk, **kwargs})


def test_it_produces_and_downloads_the_confidential_pdf(
    world: Any, report: Report, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.monitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("render", report), {"variant": "confidential", "fmt": "pdf"})
    assert response.status_code == 302
    rendering = Rendering.objects.get(version__report=report)
    assert response["Location"] == url("rendering", report, rendering_pk=rendering.pk)
    assert rendering.status == Rendering.Status.DONE  # the immediate backend ran it on commit
    page = client.get(response["Location"]).content.decode()
    download = url("download", report, rendering_pk=rendering.pk)
    assert download in page
    file = client.get(download)
    assert file.status_code == 200
    assert file["Content-Type"] == "application/pdf"
    assert file["Content-Disposition"].startswith("attachment;")
    assert file.content.startswith(b"%PDF")
    # The report page lists it with its download link.
    assert download in client.get(url("detail", report)).content.decode()


def test_it_answers_htmx_with_the_progress_fragment_only(
    world: Any, report: Report, client_for: Any
) -> None:
    client = client_for(world.monitor)
    response = client.post(
        url("render", report), {"variant": "confidential", "fmt": "docx"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'class="rendering"' in body
    rendering = Rendering.objects.get(version__report=report)
    polled = client.get(url("rendering", report, rendering_pk=rendering.pk), HTTP_HX_REQUEST="true")
    assert "<html" not in polled.content.decode()
    refused = client.post(
        url("render", report), {"variant": "secret", "fmt": "pdf"}, HTTP_HX_REQUEST="true"
    )
    assert 'role="alert"' in refused.content.decode()
    assert Rendering.objects.filter(version__report=report).count() == 1


def test_it_shows_a_queued_rendering_polling_until_done(
    world: Any, report: Report, client_for: Any
) -> None:
    version = ReportVersion.objects.get(report=report)
    queued = Rendering.objects.create(
        version=version, variant="confidential", format="pdf", requested_by=world.head, progress=40
    )
    client = client_for(world.head)
    body = client.get(url("rendering", report, rendering_pk=queued.pk)).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="40"' in body
    assert client.get(url("download", report, rendering_pk=queued.pk)).status_code == 404


def test_it_hides_renderings_from_whoever_may_not_see_the_report(
    world: Any, report: Report, client_for: Any
) -> None:
    client_for(world.head).post(url("render", report), {"variant": "confidential", "fmt": "pdf"})
    rendering = Rendering.objects.get(version__report=report)
    for persona in ("expert", "admin", "auditor", "comms"):
        client = client_for(world.personas[persona])
        assert client.get(url("rendering", report, rendering_pk=rendering.pk)).status_code == 404
        assert client.get(url("download", report, rendering_pk=rendering.pk)).status_code == 404
    # A rendering of another report is not reachable under this one.
    other = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2025)
    head = client_for(world.head)
    assert head.get(url("download", other, rendering_pk=rendering.pk)).status_code == 404


def test_it_offers_the_public_version_once_signed(
    world: Any, report: Report, client_for: Any
) -> None:
    client = client_for(world.head)
    assert 'value="public"' not in client.get(url("detail", report)).content.decode()
    version = ReportVersion.objects.get(report=report)
    services.version_submit(actor=world.head, version=version)
    services.version_approve(actor=world.head, version=version)
    services.version_sign(actor=world.head, version=version)
    assert 'value="public"' in client.get(url("detail", report)).content.decode()
