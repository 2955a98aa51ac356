"""Pages for an assessment's outputs: the report job, export and import (whole tool, ¶3).

Someone who may not see the assessment gets 404 on every page here, exactly as for
one that does not exist; someone who may see it but not change it gets 403 on import.
Reports and exports are served only as attachments, with `nosniff`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.assessment import services_outputs as outputs
from habeas.assessment.models import Assessment, ReportJob
from habeas.core import access
from habeas.core.htmx import render_page
from habeas.core.models import ImportBatch
from habeas.places.spreadsheets import ImportRefused, max_bytes

RECENT_JOBS = 10
STALLED_AFTER = dt.timedelta(minutes=30)


class ReportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("pdf", gettext_lazy("PDF, to read and print")),
            ("docx", gettext_lazy("DOCX, to edit in a word processor")),
        ],
        initial="pdf",
        widget=forms.RadioSelect,
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx) or JSON file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json,application/json"}),
    )


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    query = Assessment.objects.restrict(request.user, "view").select_related(
        "framework_version__framework", "subject", "made_by"
    )
    return get_object_or_404(query, pk=pk)


def _job(assessment: Assessment, job_pk: int) -> ReportJob:
    return get_object_or_404(ReportJob.objects.filter(assessment=assessment), pk=job_pk)


def _attachment(response: HttpResponse | FileResponse) -> Any:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The report ------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = outputs.report_request(
            actor=request.user, assessment=assessment, format=form.cleaned_data["format"]
        )
        return redirect("assessment:report_status", pk=assessment.pk, job_pk=job.pk)
    context = {
        "assessment": assessment,
        "form": form,
        "jobs": assessment.report_jobs.select_related("requested_by")[:RECENT_JOBS],
    }
    status = 400 if form.is_bound else 200
    return render(request, "assessment/report_new.html", context, status=status)


@access.verified
@require_GET
def report_status(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """The job's progress; the htmx partial polls itself until the job ends."""
    assessment = _assessment(request, pk)
    job = _job(assessment, job_pk)
    working = job.status in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)
    context = {
        "assessment": assessment,
        "job": job,
        "working": working,
        # A worker killed mid-job leaves it running for ever; say so rather than spin.
        "stalled": working and job.requested_at < timezone.now() - STALLED_AFTER,
    }
    return render_page(
        request,
        "assessment/report_status.html",
        context,
        partial="assessment/report_status_progress.html",
    )


@access.verified
@require_GET
def report_download(request: HttpRequest, pk: int, job_pk: int) -> FileResponse:
    assessment = _assessment(request, pk)
    job = get_object_or_404(
        ReportJob.objects.filter(assessment=assessment, status=ReportJob.Status.DONE), pk=job_pk
    )
    handle = outputs.report_open(actor=request.user, job=job)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=outputs.file_name(assessment, job.format),
        content_type=outputs.CONTENT_TYPES[job.format],
    )
    return _attachment(response)


# Export ------------------------------------------------


@access.verified
@require_GET
def assessment_export(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    file_format = request.GET.get("format")
    if file_format is None:
        return render(request, "assessment/export.html", {"assessment": assessment})
    if file_format not in outputs.EXPORT_FORMATS:
        raise BadRequest(_("Choose JSON or XLSX."))
    exported = outputs.assessment_export(
        actor=request.user, assessment=assessment, file_format=file_format
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return _attachment(response)


# Import ------------------------------------------------


def _changeable(request: HttpRequest, pk: int) -> Assessment:
    """404 if the assessment is invisible, 403 if it is visible but not changeable."""
    assessment = _assessment(request, pk)
    if not Assessment.objects.restrict(request.user, "change").filter(pk=pk).exists():
        raise PermissionDenied
    return assessment


def _batch(request: HttpRequest, assessment: Assessment, batch_id: uuid.UUID) -> ImportBatch:
    batch = get_object_or_404(
        ImportBatch.objects.restrict(request.user, "view"),
        pk=batch_id,
        kind=outputs.IMPORT_KIND,
    )
    if not outputs.batch_belongs(batch, assessment):
        raise Http404  # another assessment's upload: the same answer as a missing one
    return batch


@access.verified
@require_http_methods(["GET", "POST"])
def assessment_import(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _changeable(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = outputs.assessment_import_preview(
                actor=request.user, assessment=assessment, upload=form.cleaned_data["file"]
            )
        except ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("assessment:import_preview", pk=assessment.pk, batch_id=batch.pk)
    context = {
        "assessment": assessment,
        "form": form,
        "max_mb": round(max_bytes() / 1024 / 1024, 1),
        "is_draft": assessment.state == Assessment.State.DRAFT,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "assessment/import.html", context, status=status)


@access.verified
@require_GET
def assessment_import_preview(request: HttpRequest, pk: int, batch_id: uuid.UUID) -> HttpResponse:
    assessment = _changeable(request, pk)
    batch = _batch(request, assessment, batch_id)
    report = batch.report or {}
    summary = report.get("summary", {})
    context = {
        "assessment": assessment,
        "batch": batch,
        "summary": summary,
        "rows": report.get("rows", []),
        "warnings": report.get("warnings", []),
        "can_apply": batch.status == ImportBatch.Status.PREVIEWED and not summary.get("errors"),
        "nothing_to_do": not any(
            summary.get(key) for key in ("ratings_changed", "actions_new", "actions_changed")
        ),
    }
    return render(request, "assessment/import_preview.html", context)


@access.verified
@require_POST
def assessment_import_apply(request: HttpRequest, pk: int, batch_id: uuid.UUID) -> HttpResponse:
    assessment = _changeable(request, pk)
    batch = _batch(request, assessment, batch_id)
    try:
        result = outputs.assessment_import_apply(
            actor=request.user, assessment=assessment, batch=batch
        )
    except (outputs.ImportNotApplicable, ImportRefused) as exc:
        messages.error(request, exc.message)
        return redirect("assessment:import_preview", pk=assessment.pk, batch_id=batch.pk)
    if not result.applied:
        messages.error(
            request,
            _(
                "The assessment changed since the preview and some rows no longer pass. "
                "Nothing has been imported."
            ),
        )
        return redirect("assessment:import_preview", pk=assessment.pk, batch_id=batch.pk)
    messages.success(request, _("The file was imported."))
    return redirect("assessment:detail", pk=assessment.pk)
