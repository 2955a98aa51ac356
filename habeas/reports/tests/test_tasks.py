"""Producing a report's PDF or DOCX in the background: who may ask, what the job does
with its progress, how it fails, that it never runs twice, and which file `/public/` gets."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone, translation

from habeas.accounts.models import User
from habeas.core.models import AuditEvent
from habeas.reports import render, services, services_render, tasks
from habeas.reports.models import Rendering, Report, ReportVersion
from habeas.reports.tests.factories import (
    IDENTITY_CANARY,
    NOTES_CANARY,
    report_factory,
    report_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any, make_user: Any) -> Any:
    return report_world(personas, make_user)


@pytest.fixture
def report(world: Any) -> Report:
    return report_factory(kind="visit", actor=world.head, visit=world.visit.pk)


def latest(report: Report) -> ReportVersion:
    return services.latest_version(report)


def signed(world: Any, report: Report) -> ReportVersion:
    version = latest(report)
    services.version_submit(actor=world.head, version=version)
    services.version_approve(actor=world.head, version=latest(report))
    return services.version_sign(actor=world.head, version=latest(report))


def request(capture: Any, actor: User, version: ReportVersion, *, variant: str = "confidential",
            fmt: str = "pdf") -> Rendering:  # fmt: skip
    """Ask for a rendering and let the job run as it does once the request commits."""
    with capture(execute=True):
        rendering = services_render.rendering_request(
            actor=actor, version=version, variant=variant, fmt=fmt
        )
    rendering.refresh_from_db()
    return rendering


def actions(report: Report) -> list[str]:
    events = AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk))
    return list(events.order_by("pk").values_list("action", flat=True))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_requested_pdf_is_produced_in_the_background_up_to_100(
    world, report, django_capture_on_commit_callbacks
):
    rendering = request(django_capture_on_commit_callbacks, world.monitor, latest(report))

    assert rendering.status == Rendering.Status.DONE and rendering.progress == 100
    data = bytes(rendering.content)
    assert data.startswith(b"%PDF") and rendering.size == len(data)
    assert rendering.finished_at is not None and rendering.error == ""
    first = flat(render.pdf_text(data)[0])
    assert report.reference in first and flat(report.title) in first
    assert "CONFIDENTIAL" in first
    assert actions(report)[-2:] == ["reports.render", "reports.render_done"]


def test_a_requested_docx_opens_with_the_report_s_sections(
    world, report, django_capture_on_commit_callbacks
):
    rendering = request(django_capture_on_commit_callbacks, world.head, latest(report), fmt="docx")

    assert rendering.status == Rendering.Status.DONE
    document = docx.Document(io.BytesIO(bytes(rendering.content)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Contents" and len(headings) == 1 + 7  # the visit report's sections


def test_someone_who_cannot_see_the_report_cannot_ask_for_it(
    personas, world, report, django_capture_on_commit_callbacks
):
    for outsider in (personas["outsider"], personas["expert"]):  # the expert is not on the team
        with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
            services_render.rendering_request(
                actor=outsider, version=latest(report), variant="confidential", fmt="pdf"
            )
    assert not Rendering.objects.exists()


def test_an_unknown_variant_or_format_is_refused(world, report):
    with pytest.raises(ValidationError):
        services_render.rendering_request(
            actor=world.head, version=latest(report), variant="secret", fmt="pdf"
        )
    with pytest.raises(ValidationError):
        services_render.rendering_request(
            actor=world.head, version=latest(report), variant="public", fmt="odt"
        )
    assert not Rendering.objects.exists()


def test_a_signed_version_hands_out_its_finished_file_again(
    world, report, django_capture_on_commit_callbacks
):
    version = signed(world, report)

    first = request(django_capture_on_commit_callbacks, world.head, version)
    again = request(django_capture_on_commit_callbacks, world.monitor, version)
    other_format = request(django_capture_on_commit_callbacks, world.monitor, version, fmt="docx")

    assert again.pk == first.pk and other_format.pk != first.pk
    reused = AuditEvent.objects.filter(action="reports.render", detail__reused=True)
    assert reused.count() == 1


def test_an_unsigned_version_is_always_produced_anew(
    world, report, django_capture_on_commit_callbacks
):
    first = request(django_capture_on_commit_callbacks, world.head, latest(report))
    again = request(django_capture_on_commit_callbacks, world.head, latest(report))

    assert first.pk != again.pk
    assert {first.status, again.status} == {Rendering.Status.DONE}


def test_a_requester_who_can_no_longer_see_the_report_gets_no_file(
    world, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        rendering = services_render.rendering_request(
            actor=world.monitor, version=latest(report), variant="confidential", fmt="pdf"
        )
    User.objects.filter(pk=world.monitor.pk).update(role="")  # left the NPM meanwhile
    for callback in queued:
        callback()

    rendering.refresh_from_db()
    assert rendering.status == Rendering.Status.FAILED
    assert rendering.content is None
    assert "no longer see" in rendering.error
    failure = AuditEvent.objects.get(action="reports.render_fail")
    assert failure.detail["reason"] == services_render.NOT_VISIBLE


def test_any_failure_ends_as_failed_with_one_plain_sentence(world, report):
    broken = Rendering.objects.create(
        version=latest(report), variant="confidential", format="odt", requested_by=world.head
    )

    tasks.render_report.call(rendering_id=broken.pk, language="en")

    broken.refresh_from_db()
    assert broken.status == Rendering.Status.FAILED and broken.content is None
    assert broken.error.startswith("The file could not be produced.")
    assert "Error" not in broken.error and "odt" not in broken.error
    assert AuditEvent.objects.get(action="reports.render_fail").detail["reason"] == "ValueError"


def test_a_job_is_never_run_twice(world, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queued = services_render.rendering_request(
            actor=world.head, version=latest(report), variant="confidential", fmt="pdf"
        )

    taken = services_render.rendering_start(rendering_id=queued.pk)
    assert taken is not None and taken.status == Rendering.Status.RUNNING
    assert services_render.rendering_start(rendering_id=queued.pk) is None
    tasks.render_report.call(rendering_id=queued.pk, language="en")  # a second worker
    queued.refresh_from_db()
    assert queued.status == Rendering.Status.RUNNING and queued.content is None

    services_render.rendering_store(rendering=taken, content=b"%PDF-first")
    finished = Rendering.objects.get(pk=queued.pk)
    tasks.render_report.call(rendering_id=queued.pk, language="en")
    services_render.rendering_fail(rendering_id=queued.pk, reason="late")
    after = Rendering.objects.get(pk=queued.pk)
    assert after.status == Rendering.Status.DONE
    assert bytes(after.content) == b"%PDF-first" and after.finished_at == finished.finished_at
    assert actions(report).count("reports.render_done") == 1


def test_the_public_variant_holds_the_public_version(
    world, report, django_capture_on_commit_callbacks
):
    rendering = request(django_capture_on_commit_callbacks, world.head, latest(report),
                        variant="public")  # fmt: skip

    pages = render.pdf_text(bytes(rendering.content))
    text = "\n".join(pages)
    assert all("PUBLIC VERSION" in page for page in pages)
    assert IDENTITY_CANARY not in text and NOTES_CANARY not in text
    assert "CONFIDENTIAL" not in text


def test_the_job_writes_in_the_report_s_language(world, django_capture_on_commit_callbacks):
    arabic = report_factory(kind="visit", actor=world.head, visit=world.visit.pk, language="ar")

    rendering = request(django_capture_on_commit_callbacks, world.head, latest(arabic))

    with translation.override("ar"):
        month = formats.date_format(timezone.localdate(), "F")  # the month in Arabic
    assert month != formats.date_format(timezone.localdate(), "F")
    first = render.pdf_text(bytes(rendering.content))[0]
    assert month in first
    assert 'dir="rtl"' in render.report_html(services_render.rendering_content(rendering=rendering))


def test_public_rendering_is_the_finished_public_file_of_the_published_version(
    world, report, django_capture_on_commit_callbacks
):
    version = signed(world, report)
    assert services_render.public_rendering(report=report, fmt="pdf") is None

    public = request(django_capture_on_commit_callbacks, world.head, version, variant="public")
    request(django_capture_on_commit_callbacks, world.head, version)  # the confidential one
    assert services_render.public_rendering(report=report, fmt="pdf") is None  # not published

    Report.objects.filter(pk=report.pk).update(published_version=version)
    report.refresh_from_db()
    assert services_render.public_rendering(report=report, fmt="pdf") == public
    assert services_render.public_rendering(report=report, fmt="docx") is None


def test_the_published_public_file_is_made_even_if_its_publisher_has_left(
    world, report, django_capture_on_commit_callbacks
):
    version = signed(world, report)
    Report.objects.filter(pk=report.pk).update(published_version=version)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        public = services_render.rendering_request(
            actor=world.head, version=version, variant="public", fmt="pdf"
        )
        private = services_render.rendering_request(
            actor=world.head, version=version, variant="confidential", fmt="pdf"
        )
    User.objects.filter(pk=world.head.pk).update(is_active=False)  # left the NPM meanwhile
    for callback in queued:
        callback()

    public.refresh_from_db()
    private.refresh_from_db()
    assert public.status == Rendering.Status.DONE  # what /public/ serves: nobody's to refuse
    assert bytes(public.content or b"").startswith(b"%PDF")
    assert private.status == Rendering.Status.FAILED  # the confidential one is still refused
    assert private.content is None
