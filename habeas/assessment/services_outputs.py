"""Services for an assessment's outputs: the report job, export and import (whole tool, ¶3).

Reports are produced by a background job (`tasks.report_generate`): the request is a
service that queues a `ReportJob` and enqueues the task once committed; the task moves
the job through running (with its progress) to done or failed through the `report_job_*`
services here. Progress updates are bookkeeping of the job row, not audited; the
request, the result and each download are.

Import follows the places import: a preview stores the uploaded bytes in an
`ImportBatch` with its report and changes nothing; apply reads the same bytes, checks
them again under a lock, and writes every row through `rating_save` and the action-plan
services in one transaction, or writes nothing.

Exports need no sudo: they hold what every person who may view the assessment sees on
its pages and in its report (no detainee, case or testimony), and each export is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from habeas.assessment import exchange, services
from habeas.assessment.models import ActionItem, Assessment, Rating, ReportJob
from habeas.assessment.services_common import require_change
from habeas.core import audit
from habeas.core.errors import StaleEdit
from habeas.core.models import ImportBatch
from habeas.places.importing import import_batches_discard_stale
from habeas.places.spreadsheets import ImportRefused, read_upload

REPORT_DIR = "assessment/reports"
IMPORT_KIND = "assessment"
EXPORT_FORMATS = ("json", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "xlsx": exchange.XLSX_TYPE,
}


def _require_view(actor: Any, assessment: Assessment) -> None:
    if not Assessment.objects.restrict(actor, "view").filter(pk=assessment.pk).exists():
        raise PermissionDenied(_("You may not do this."))


def file_name(assessment: Assessment, extension: str) -> str:
    """An ASCII name safe in Content-Disposition: the title's slug, never the raw title."""
    slug = slugify(assessment.title)[:60] or "assessment"
    return f"assessment-{assessment.pk}-{slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


# The report ------------------------------------------------


@transaction.atomic
def report_request(*, actor: Any, assessment: Assessment, format: str) -> ReportJob:
    """Queue a report in `format` (pdf or docx); the job starts once this commits."""
    _require_view(actor, assessment)
    if format not in ReportJob.Format.values:
        raise ValidationError({"format": _("Choose PDF or DOCX.")})
    job = ReportJob.objects.create(assessment=assessment, format=format, requested_by=actor)
    audit.record(
        actor=actor,
        action="assessment.report_request",
        obj=assessment,
        detail={"job": job.pk, "format": format},
    )
    language = get_language() or "en"
    transaction.on_commit(lambda: _enqueue(job.pk, language))
    return job


def _enqueue(job_id: int, language: str) -> None:
    from habeas.assessment.tasks import report_generate

    report_generate.enqueue(job_id=job_id, language=language)


def report_job_start(*, job_id: int) -> ReportJob | None:
    """Mark a queued job running; None if it is gone or another worker already took it."""
    with transaction.atomic():
        taken = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
            status=ReportJob.Status.RUNNING, progress=1
        )
    if not taken:
        return None
    return ReportJob.objects.select_related("assessment", "requested_by").get(pk=job_id)


def report_job_progress(*, job: ReportJob, progress: int) -> None:
    """Record how far the job is, committed at once so the status page sees it."""
    job.progress = max(0, min(progress, 99))
    ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING).update(
        progress=job.progress
    )


def report_job_store(*, job: ReportJob, content: bytes) -> ReportJob:
    """Store the produced file under a random name and mark the job done."""
    stored_name = default_storage.save(
        f"{REPORT_DIR}/{secrets.token_hex(16)}", ContentFile(content)
    )
    try:
        with transaction.atomic():
            ReportJob.objects.filter(pk=job.pk).update(
                status=ReportJob.Status.DONE,
                progress=100,
                stored_name=stored_name,
                size=len(content),
                finished_at=timezone.now(),
                error="",
            )
            audit.record(
                actor=None,
                action="assessment.report_produce",
                obj=job.assessment,
                detail={"job": job.pk, "format": job.format, "size": len(content)},
            )
    except BaseException:
        default_storage.delete(stored_name)  # no orphan file
        raise
    job.refresh_from_db()
    return job


@transaction.atomic
def report_job_fail(*, job_id: int, reason: str) -> None:
    """Mark a job failed with a message for people; `reason` (a class name) is for the audit."""
    updated = ReportJob.objects.filter(pk=job_id).exclude(status=ReportJob.Status.DONE)
    message = _(
        "The report could not be produced. Try again; if it fails again, tell your administrator."
    )
    if updated.update(status=ReportJob.Status.FAILED, error=message, finished_at=timezone.now()):
        job = ReportJob.objects.get(pk=job_id)
        audit.record(
            actor=None,
            action="assessment.report_fail",
            obj=job.assessment,
            detail={"job": job.pk, "format": job.format, "reason": reason[:100]},
        )


@transaction.atomic
def report_open(*, actor: Any, job: ReportJob) -> IO[bytes]:
    """Open a finished report for someone who may (still) view its assessment."""
    _require_view(actor, job.assessment)
    if job.status != ReportJob.Status.DONE or not job.stored_name:
        raise PermissionDenied(_("This report is not ready."))
    audit.record(
        actor=actor,
        action="assessment.report_download",
        obj=job.assessment,
        detail={"job": job.pk, "format": job.format},
    )
    return default_storage.open(job.stored_name, "rb")


# Export ------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


@transaction.atomic
def assessment_export(*, actor: Any, assessment: Assessment, file_format: str) -> ExportFile:
    """The assessment as JSON or XLSX, audited with its format and never its content."""
    _require_view(actor, assessment)
    if file_format not in EXPORT_FORMATS:
        raise ValidationError({"format": _("Choose JSON or XLSX.")})
    writer = exchange.export_json if file_format == "json" else exchange.export_xlsx
    content = writer(assessment)
    audit.record(
        actor=actor,
        action="assessment.export",
        obj=assessment,
        detail={"format": file_format, "size": len(content)},
    )
    return ExportFile(file_name(assessment, file_format), CONTENT_TYPES[file_format], content)


# Import ------------------------------------------------


class ImportNotApplicable(Exception):
    """The batch was already applied, discarded or failed, or is for another assessment."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch
    applied: bool
    summary: dict[str, int]


def _require_importable(actor: Any, assessment: Assessment) -> None:
    require_change(actor, assessment)
    if assessment.state != Assessment.State.DRAFT:
        raise ImportRefused(
            _("Only a draft assessment can be filled from a file. Nothing was imported.")
        )


def assessment_import_preview(*, actor: Any, assessment: Assessment, upload: Any) -> ImportBatch:
    """Read and check an uploaded file against a draft assessment; change nothing in it."""
    _require_importable(actor, assessment)
    content = read_upload(upload)
    parsed = exchange.read_file(name=str(upload.name), content=content)
    plan = exchange.plan_import(parsed, assessment=assessment)
    import_batches_discard_stale()  # uploads are kept a day at most, whatever their kind
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=IMPORT_KIND,
            original_name=str(upload.name)[:255],
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=actor,
            report=plan.report(assessment),
        )
        audit.record(
            actor=actor,
            action="assessment.import_preview",
            obj=assessment,
            detail={"batch": str(batch.pk), **plan.summary()},
        )
    return batch


def batch_belongs(batch: ImportBatch, assessment: Assessment) -> bool:
    return batch.kind == IMPORT_KIND and (batch.report or {}).get("assessment") == assessment.pk


def assessment_import_apply(
    *, actor: Any, assessment: Assessment, batch: ImportBatch
) -> ImportResult:
    """Check the previewed file again and, only if no row has an error, write it all."""
    _require_importable(actor, assessment)
    if batch.created_by_id != actor.pk or not batch_belongs(batch, assessment):
        raise PermissionDenied(_("You may not do this."))
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ImportNotApplicable(_("This file was already applied or discarded. Upload it again."))
    parsed = exchange.read_file(name=batch.original_name, content=bytes(batch.content))
    try:
        with transaction.atomic():
            locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
            _require_importable(actor, locked)
            plan = exchange.plan_import(parsed, assessment=locked)
            batch.report = plan.report(locked)
            if not plan.errors:
                _write(plan, actor=actor, assessment=locked)
                batch.status, batch.applied_at = ImportBatch.Status.APPLIED, timezone.now()
                audit.record(
                    actor=actor,
                    action="assessment.import_apply",
                    obj=locked,
                    detail={"batch": str(batch.pk), **plan.summary()},
                )
            batch.save(update_fields=["report", "status", "applied_at"])
    except (DatabaseError, ValidationError, StaleEdit) as exc:
        raise ImportNotApplicable(
            _("The assessment changed while importing, so nothing was imported. Upload it again.")
        ) from exc
    return ImportResult(batch=batch, applied=not plan.errors, summary=plan.summary())


def _write(plan: exchange.ImportPlan, *, actor: Any, assessment: Assessment) -> None:
    for row in plan.criteria:
        if row.changes:
            _save_rating(row, actor=actor, assessment=assessment)
    for row in plan.actions:
        if row.target is None:
            _create_action(row, actor=actor, assessment=assessment)
        elif row.changes:
            services.action_item_update(
                actor=actor,
                item=row.target,
                status=row.cells["status"],
                owner=row.values["owner"],
                deadline=row.values["deadline"],
                expected_version=row.target.version,
            )


def _save_rating(row: exchange.Row, *, actor: Any, assessment: Assessment) -> None:
    rating: Rating = row.target
    if rating.pk is None:  # assessments are created with every rating; older data may lack one
        rating = Rating.objects.create(assessment=assessment, criterion=rating.criterion)
    rating.assessment = assessment
    services.rating_save(
        actor=actor,
        rating=rating,
        level=row.cells["rating"],
        reason=row.cells["reason"],
        narrative=row.cells["narrative"],
        expected_version=rating.version,
    )


def _create_action(row: exchange.Row, *, actor: Any, assessment: Assessment) -> None:
    item = services.action_item_create(
        actor=actor,
        assessment=assessment,
        criterion=row.values["criterion"],
        title=row.cells.get("action", ""),
        description=row.cells.get("description", ""),
        owner=row.values["owner"],
        deadline=row.values["deadline"],
    )
    if row.cells["status"] != ActionItem.Status.OPEN:
        services.action_item_update(
            actor=actor, item=item, status=row.cells["status"], expected_version=item.version
        )
