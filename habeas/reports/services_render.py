"""Producing a report's PDF and DOCX in the background (¶21, 22).

`rendering_request` is the service people call: it checks that they see the report,
then queues a `Rendering` and enqueues `tasks.render_report` once committed, so that a
large annual report never holds up a request. A signed version is frozen, so a finished
rendering of it (same variant, same format) is handed out again instead of being made
twice; an unsigned version is read live as its requester, so it is always made anew.

The job moves the rendering through running (with its progress) to done or failed with
the `rendering_*` services below. They are the job's bookkeeping: a job taken twice runs
once (`rendering_start` takes a queued row with a conditional update); progress is not
audited; the request, the result and each failure are. Downloads are audited by the
views that serve them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.reports.content_types import Content
from habeas.reports.models import Rendering, Report, ReportVersion, Variant

NOT_VISIBLE = "not visible"


class ReportNotVisible(Exception):
    """The requester can no longer see the report (the job fails, showing nothing)."""


def _require_view(actor: Any, report: Report) -> None:
    if not Report.objects.restrict(actor, "view").filter(pk=report.pk).exists():
        raise PermissionDenied(_("You may not do this."))


@transaction.atomic
def rendering_request(*, actor: Any, version: ReportVersion, variant: str, fmt: str) -> Rendering:
    """Queue the `variant` (confidential or public) of `version` as `fmt` (pdf or docx)."""
    report = version.report
    _require_view(actor, report)
    if variant not in Variant.values:
        raise ValidationError({"variant": _("Choose the confidential or the public version.")})
    if fmt not in Rendering.Format.values:
        raise ValidationError({"fmt": _("Choose PDF or DOCX.")})
    detail = {"version": version.number, "variant": variant, "format": fmt}
    if version.frozen:
        done = _done(version=version, variant=variant, fmt=fmt)
        if done is not None:
            audit.record(
                actor=actor,
                action="reports.render",
                obj=report,
                detail={**detail, "rendering": done.pk, "reused": True},
            )
            return done
    rendering = Rendering.objects.create(
        version=version, variant=variant, format=fmt, requested_by=actor
    )
    audit.record(
        actor=actor,
        action="reports.render",
        obj=report,
        detail={**detail, "rendering": rendering.pk},
    )
    language = report.language
    transaction.on_commit(lambda: _enqueue(rendering.pk, language))
    return rendering


def _done(*, version: ReportVersion, variant: str, fmt: str) -> Rendering | None:
    return (
        Rendering.objects.filter(
            version=version, variant=variant, format=fmt, status=Rendering.Status.DONE
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def _enqueue(rendering_id: int, language: str) -> None:
    from habeas.reports.tasks import render_report

    render_report.enqueue(rendering_id=rendering_id, language=language)


def public_rendering(*, report: Report, fmt: str) -> Rendering | None:
    """The finished public rendering of the report's published version, for `/public/`."""
    if report.published_version_id is None:
        return None
    return (
        Rendering.objects.filter(
            version_id=report.published_version_id,
            variant=Variant.PUBLIC,
            format=fmt,
            status=Rendering.Status.DONE,
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


# The job's bookkeeping ------------------------------------------------------------------


def rendering_start(*, rendering_id: int) -> Rendering | None:
    """Mark a queued rendering running; None if it is gone or another worker took it."""
    with transaction.atomic():
        taken = Rendering.objects.filter(pk=rendering_id, status=Rendering.Status.QUEUED).update(
            status=Rendering.Status.RUNNING, progress=1
        )
    if not taken:
        return None
    return Rendering.objects.select_related("version__report", "requested_by").get(pk=rendering_id)


def rendering_content(*, rendering: Rendering) -> Content:
    """What the rendering shows, read again as its requester: the version's content
    (frozen if signed, else live through `restrict`), or its public version. The public
    version of the published version needs no requester: it is what `/public/` shows."""
    from habeas.reports.content import build_content
    from habeas.reports.publication import public_content

    user = rendering.requested_by
    version = ReportVersion.objects.select_related("report").get(pk=rendering.version_id)
    published = version.report.published_version_id == version.pk and version.frozen
    if rendering.variant == Variant.PUBLIC and published:
        # The published text is the same for everyone, and frozen: it is made even if
        # whoever published it has lost access since (`/public/` waits for it).
        content = build_content(user=user, report=version.report, version=version)
        return public_content(content=content, version=version, k=version.report.k)
    report = Report.objects.restrict(user, "view").filter(pk=rendering.version.report_id).first()
    if report is None or not user.is_active:
        raise ReportNotVisible
    content = build_content(user=user, report=report, version=version)
    if rendering.variant == Variant.PUBLIC:
        content = public_content(content=content, version=version, k=report.k)
    return content


def rendering_progress(*, rendering: Rendering, progress: int) -> None:
    """Record how far the job is, committed at once so the progress page sees it."""
    rendering.progress = max(0, min(progress, 99))
    Rendering.objects.filter(pk=rendering.pk, status=Rendering.Status.RUNNING).update(
        progress=rendering.progress
    )


@transaction.atomic
def rendering_store(*, rendering: Rendering, content: bytes) -> Rendering:
    """Keep the produced file and mark the rendering done (only if it is still running)."""
    stored = Rendering.objects.filter(pk=rendering.pk, status=Rendering.Status.RUNNING).update(
        status=Rendering.Status.DONE,
        progress=100,
        content=content,
        size=len(content),
        finished_at=timezone.now(),
        error="",
    )
    if stored:
        audit.record(
            actor=None,
            action="reports.render_done",
            obj=rendering.version.report,
            detail={
                "rendering": rendering.pk,
                "version": rendering.version.number,
                "variant": rendering.variant,
                "format": rendering.format,
                "size": len(content),
            },
        )
    rendering.refresh_from_db()
    return rendering


@transaction.atomic
def rendering_fail(*, rendering_id: int, reason: str) -> None:
    """Mark a rendering failed with one plain sentence for people; `reason` (a class
    name, or "not visible") goes to the audit trail, never a traceback."""
    if reason == NOT_VISIBLE:
        message = _("You can no longer see this report, so the file was not produced.")
    else:
        message = _(
            "The file could not be produced. Try again; if it fails again, tell your administrator."
        )
    pending = Rendering.objects.filter(pk=rendering_id).exclude(status=Rendering.Status.DONE)
    if pending.update(
        status=Rendering.Status.FAILED, error=message[:200], finished_at=timezone.now()
    ):
        rendering = Rendering.objects.select_related("version__report").get(pk=rendering_id)
        audit.record(
            actor=None,
            action="reports.render_fail",
            obj=rendering.version.report,
            detail={
                "rendering": rendering.pk,
                "variant": rendering.variant,
                "format": rendering.format,
                "reason": reason[:100],
            },
        )


CONTENT_TYPES: dict[str, str] = {
    Rendering.Format.PDF: "application/pdf",
    Rendering.Format.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
}


def rendering_file(rendering: Rendering, *, actor: Any = None) -> HttpResponse:
    """A finished rendering's bytes as an attachment named after its report, version and
    variant. A download by someone signed in is audited ("reports.download"); one from
    `/public/` is not (it is anonymous, and the file is public)."""
    version = rendering.version
    name = f"{version.report.reference}-v{version.number}-{rendering.variant}.{rendering.format}"
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in name)
    if actor is not None:
        audit.record(
            actor=actor,
            action="reports.download",
            obj=rendering,
            detail={"variant": rendering.variant, "format": rendering.format},
        )
    response = HttpResponse(
        bytes(rendering.content or b""), content_type=CONTENT_TYPES[rendering.format]
    )
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
