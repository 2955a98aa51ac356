"""Pages to import recommendations of the SPT, the CPT and other bodies (¶20).

Someone who may not see recommendations gets 404; someone who may see them but not
import gets 403, as on the places import. An uploaded file belongs to its uploader
alone: anyone else asking for it gets the same 404 as for a file that never existed.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.models import ImportBatch
from habeas.places.spreadsheets import ImportRefused, csv_lines_of, max_bytes
from habeas.recommendations import importing
from habeas.recommendations.forms_import import ImportUploadForm

ROWS_PER_PAGE = 200
EMPTY_SUMMARY = {"rows": 0, "create": 0, "unchanged": 0, "error": 0, "links": 0}


def _allow(request: HttpRequest) -> None:
    if not roles.can(request.user, "recommendations.view"):
        raise Http404
    if not roles.can(request.user, "recommendations.import"):
        raise PermissionDenied


def _batch(request: HttpRequest, batch_id: uuid.UUID) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.restrict(request.user, "view"), pk=batch_id, kind=importing.KIND
    )


@access.verified
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _allow(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = importing.recommendations_import_preview(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("recommendations:import_preview", batch_id=batch.pk)
    context = {
        "form": form,
        "columns": importing.COLUMNS,
        "max_mb": round(max_bytes() / 1024 / 1024, 1),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "recommendations/import.html", context, status=status)


@access.verified
@require_GET
def import_template(request: HttpRequest) -> StreamingHttpResponse:
    _allow(request)
    example = [importing.TEMPLATE_ROW.get(name, "") for name in importing.COLUMN_NAMES]
    response = StreamingHttpResponse(
        csv_lines_of(importing.COLUMN_NAMES, [example]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="recommendations-import.csv"'
    return response


@access.verified
@require_GET
def import_preview(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    _allow(request)
    batch = _batch(request, batch_id)
    report = batch.report or {}
    rows = report.get("rows", [])
    shown = request.GET.get("show", "")
    if shown in ("error", "create", "unchanged"):
        rows = [row for row in rows if row["action"] == shown]
    else:
        shown = ""
    summary = {**EMPTY_SUMMARY, **report.get("summary", {})}
    context = {
        "batch": batch,
        "page": Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
        "summary": summary,
        "summary_text": importing.summary_text(summary),
        "warnings": report.get("warnings", []),
        "shown": shown,
        "can_apply": batch.status == ImportBatch.Status.PREVIEWED and not summary["error"],
        "nothing_to_do": not summary["create"],
    }
    return render(request, "recommendations/import_preview.html", context)


@access.verified
@require_POST
def import_apply(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    _allow(request)
    batch = _batch(request, batch_id)
    try:
        result = importing.recommendations_import_apply(actor=request.user, batch=batch)
    except (importing.ImportNotApplicable, importing.ImportFailed, ImportRefused) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("recommendations:import_preview", batch_id=batch.pk)
    if not result.applied:
        messages.error(
            request,
            _(
                "Some rows no longer pass since the preview (an authority or a place may have "
                "changed). Nothing has been imported."
            ),
        )
    else:
        messages.success(
            request,
            _("Imported. %(summary)s.") % {"summary": importing.summary_text(result.summary)},
        )
    return redirect("recommendations:import_preview", batch_id=batch.pk)
