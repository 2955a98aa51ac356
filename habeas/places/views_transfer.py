"""Pages to import, export and reconcile places (¶9; OPCAT art. 20(a)).

Someone who may not see the inventory gets 404; someone who may see it but not
import, export or reconcile gets 403. An uploaded file belongs to its uploader alone:
anyone else asking for it gets the same 404 as for a file that never existed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.accounts.sudo import require_sudo
from habeas.core import access
from habeas.core.models import ImportBatch
from habeas.places import exporting, importing, reconcile
from habeas.places.forms import place_filters
from habeas.places.models import Category
from habeas.places.spreadsheets import ImportRefused, max_bytes

SAMPLE = settings.BASE_DIR / "docs" / "samples" / "places-import-sample.csv"
ROWS_PER_PAGE = 200


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


def _allow(request: HttpRequest, permission: str) -> None:
    if not roles.can(request.user, "places.view"):
        raise Http404
    if not roles.can(request.user, permission):
        raise PermissionDenied


def _batch(request: HttpRequest, batch_id: uuid.UUID, kind: str) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.restrict(request.user, "view"), pk=batch_id, kind=kind
    )


def _upload_page(
    request: HttpRequest, template: str, form: UploadForm, **context: Any
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    context.update(form=form, max_mb=round(max_bytes() / 1024 / 1024, 1))
    return render(request, template, context, status=status)


# Import ----------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _allow(request, "places.import")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = importing.places_import_preview(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("places:import_preview", batch_id=batch.pk)
    return _upload_page(request, "places/import.html", form, columns=importing.COLUMNS)


@access.verified
@require_GET
def import_sample(request: HttpRequest) -> HttpResponseBase:
    _allow(request, "places.view")
    if not SAMPLE.is_file():
        raise Http404
    return FileResponse(
        SAMPLE.open("rb"),
        as_attachment=True,
        filename=SAMPLE.name,
        content_type="text/csv; charset=utf-8",
    )


@access.verified
@require_GET
def import_preview(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    _allow(request, "places.import")
    batch = _batch(request, batch_id, importing.KIND)
    report = batch.report or {}
    rows = report.get("rows", [])
    only_errors = request.GET.get("show") == "errors"
    if only_errors:
        rows = [row for row in rows if row["errors"]]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    summary = report.get("summary") or {
        "rows": 0,
        "create": 0,
        "update": 0,
        "unchanged": 0,
        "error": 0,
    }
    context = {
        "batch": batch,
        "page": page,
        "summary": summary,
        "summary_text": importing.summary_text(summary),
        "warnings": report.get("warnings", []),
        "only_errors": only_errors,
        "can_apply": batch.status == ImportBatch.Status.PREVIEWED and not summary["error"],
        "nothing_to_do": not summary["create"] and not summary["update"],
    }
    return render(request, "places/import_preview.html", context)


@access.verified
@require_POST
def import_apply(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    _allow(request, "places.import")
    batch = _batch(request, batch_id, importing.KIND)
    try:
        result = importing.places_import_apply(actor=request.user, batch=batch)
    except (importing.ImportNotApplicable, importing.ImportFailed, ImportRefused) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("places:import_preview", batch_id=batch.pk)
    if not result.applied:
        messages.error(
            request,
            _(
                "The inventory changed since the preview and some rows no longer pass. "
                "Nothing has been imported."
            ),
        )
        return redirect("places:import_preview", batch_id=batch.pk)
    messages.success(
        request, _("Imported. %(summary)s.") % {"summary": importing.summary_text(result.summary)}
    )
    return redirect("places:list")


# Export ----------------------------------------------------------------------------


@access.verified
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    _allow(request, "places.export")
    if "format" not in request.GET:
        query = request.GET.copy()
        return render(
            request,
            "places/export.html",
            {"query": query.urlencode(), "formats": exporting.FORMATS},
        )
    return _export_file(request)


@require_sudo
def _export_file(request: HttpRequest) -> Any:  # HttpResponse or, for CSV, a streaming one
    file_format = request.GET.get("format", "")
    if file_format not in exporting.FORMATS:
        raise BadRequest(_("Choose CSV or XLSX."))
    filters = place_filters(request.GET, user=request.user)
    result = exporting.places_export(actor=request.user, filters=filters, file_format=file_format)
    if file_format == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exporting.csv_lines(result), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(exporting.xlsx_bytes(result), content_type=exporting.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


# Reconciliation --------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def reconcile_upload(request: HttpRequest) -> HttpResponse:
    _allow(request, "places.reconcile")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = reconcile.places_reconcile(actor=request.user, upload=form.cleaned_data["file"])
        except ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("places:reconcile_result", batch_id=batch.pk)
    return _upload_page(request, "places/reconcile.html", form)


@access.verified
@require_GET
def reconcile_result(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    _allow(request, "places.reconcile")
    batch = _batch(request, batch_id, reconcile.KIND)
    if not batch.content:
        messages.error(
            request,
            _("This list was uploaded more than a day ago and was discarded. Upload it again."),
        )
        return redirect("places:reconcile")
    result = reconcile.reconciliation_for(user=request.user, batch=batch)
    context = {
        "batch": batch,
        "result": result,
        "counts": result.counts(),
        "shown": reconcile.SHOWN,
        "matched": result.matched[: reconcile.SHOWN],
        "theirs_only": result.theirs_only[: reconcile.SHOWN],
        "ours_only": result.ours_only[: reconcile.SHOWN],
        "categories": Category.objects.all(),
        "can_add": roles.can(request.user, "places.change"),
    }
    return render(request, "places/reconcile_result.html", context)


@access.verified
@require_POST
def reconcile_add(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    _allow(request, "places.reconcile")
    if not roles.can(request.user, "places.change"):
        raise PermissionDenied
    batch = _batch(request, batch_id, reconcile.KIND)
    rows = [int(value) for value in request.POST.getlist("row") if value.isdigit()]
    category = Category.objects.filter(code=request.POST.get("category", "other")).first()
    if not rows or category is None:
        messages.error(request, _("Tick the rows to add and choose a category."))
        return redirect("places:reconcile_result", batch_id=batch.pk)
    added = reconcile.places_reconcile_add(
        actor=request.user, batch=batch, rows=rows, category=category
    )
    message = ngettext(
        "%(count)s place added to the inventory.",
        "%(count)s places added to the inventory.",
        len(added),
    )
    messages.success(request, message % {"count": len(added)})
    return redirect("places:reconcile_result", batch_id=batch.pk)
