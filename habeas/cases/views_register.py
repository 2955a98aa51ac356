"""Pages of the national register of allegations and proceedings (¶27).

Who may read the register sees its list and entries; who may see only its statistics
(communications) gets the statistics and a 404 for every entry, as for a missing one.
An entry shows its link to a case file only to those granted on that case; to anyone
else it shows nothing of it.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.accounts.sudo import require_sudo
from habeas.cases import exporting_register as exporting
from habeas.cases import selectors_register as selectors
from habeas.cases import services_register as services
from habeas.cases.forms_register import (
    RegisterEntryForm,
    RegisterFilterForm,
    register_filters,
    statistics_group,
)
from habeas.cases.models import Case, RegisterEntry
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.places.forms import add_service_errors
from habeas.places.views import current_values, form_rows, partial_for, stale_form

PAGE_SIZE = 50
FORM = "cases/register_form.html"


def _allow(user: Any, permission: str) -> None:
    """404 for someone to whom the register does not exist; 403 for a reader who may
    not do this."""
    if not roles.can(user, "register.view"):
        raise Http404
    if not roles.can(user, permission):
        raise PermissionDenied


def _entry_or_404(request: HttpRequest, entry_pk: int) -> RegisterEntry:
    return get_object_or_404(selectors.entry_for_view(user=request.user), pk=entry_pk)


def _case_link(user: Any, entry: RegisterEntry) -> dict[str, str] | None:
    """The linked case's reference and address, if `user` may see that case."""
    if entry.case_id is None:
        return None
    case = Case.objects.restrict(user, "view").filter(pk=entry.case_id).only("reference").first()
    if case is None:
        return None
    try:
        url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
    except NoReverseMatch:
        url = ""
    return {"reference": case.reference, "url": url}


# The list and one entry --------------------------------------------------------------


@access.verified
@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    _allow(request.user, "register.view")
    filter_form = RegisterFilterForm(request.GET, user=request.user)
    entries = selectors.entry_list(user=request.user, filters=filter_form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "rows": [(entry, selectors.timeline(entry)) for entry in page.object_list],
        "query": query.urlencode(),
        "can_change": roles.can(request.user, "register.change"),
        "can_stats": roles.can(request.user, "register.stats"),
    }
    partial = partial_for(request, "cases/register_results.html")
    return render_page(request, "cases/register_list.html", context, partial=partial)


@access.verified
@require_GET
def register_detail(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_pk)
    context = {
        "entry": entry,
        "timeline": selectors.timeline(entry),
        "case_link": _case_link(request.user, entry),
        "can_change": roles.can(request.user, "register.change"),
    }
    return render(request, "cases/register_detail.html", context)


# Create and edit ----------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def register_create(request: HttpRequest) -> HttpResponse:
    _allow(request.user, "register.change")
    form = RegisterEntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.register_entry_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The entry was added to the register."))
            return redirect("cases:register_detail", entry_pk=entry.pk)
    context = {"form": form, "rows": form_rows(form), "entry": None}
    return render(request, FORM, context)


@access.verified
@require_http_methods(["GET", "POST"])
def register_edit(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_pk)
    _allow(request.user, "register.change")
    form = RegisterEntryForm(request.POST or None, instance=copy.copy(entry), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_entry_update(
                actor=request.user,
                entry=entry,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            current = _entry_or_404(request, entry_pk)
            form = stale_form(RegisterEntryForm, request, current, user=request.user)
            context = {
                "form": form,
                "rows": form_rows(form, current_values(current, form)),
                "entry": current,
                "stale": True,
            }
            return render(request, FORM, context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("cases:register_detail", entry_pk=entry.pk)
    context = {"form": form, "rows": form_rows(form), "entry": entry}
    return render(request, FORM, context)


# Statistics ----------------------------------------------------------------------------


def _allow_stats(user: Any) -> None:
    if not roles.can(user, "register.stats"):
        raise Http404


@access.verified
@require_GET
def register_stats(request: HttpRequest) -> HttpResponse:
    _allow_stats(request.user)
    group = statistics_group(request.GET)
    filters = _stats_filters(request)
    rows = selectors.register_statistics(user=request.user, group=group, filters=filters)
    totals = selectors.register_totals(user=request.user, filters=filters)
    context = {
        "group": group,
        "groups": list(selectors.GROUPS.items()),
        "group_label": selectors.GROUPS[group],
        "year": filters.get("year"),
        "rows": [(row, _links(request.user, group, row.key, filters)) for row in rows],
        "total": (totals, _links(request.user, None, None, filters)),
        "can_view": roles.can(request.user, "register.view"),
    }
    return render(request, "cases/register_stats.html", context)


# Which entries each count of the statistics is made of, as filters of the list.
COUNT_FILTERS: dict[str, dict[str, str]] = {
    "complaints": {},
    "investigations": {"stage": "investigated"},
    "prosecutions": {"stage": "prosecuted"},
    "convictions": {"outcome": RegisterEntry.Outcome.CONVICTED},
    "torture": {"stage": "prosecuted", "classification": RegisterEntry.Classification.TORTURE},
}


def _links(user: Any, group: str | None, key: Any, filters: dict[str, Any]) -> dict[str, str]:
    """For those who may read entries, the list behind each count; for others, none.

    The group of entries that do not say (no agency, no date) has no filter, so no link.
    """
    if not roles.can(user, "register.view") or (group is not None and key is None):
        return {}
    base = dict(filters) | ({group: key} if group else {})
    url = reverse("cases:register_list")
    return {
        name: f"{url}?{urlencode(base | extra)}" if base | extra else url
        for name, extra in COUNT_FILTERS.items()
    }


def _stats_filters(request: HttpRequest) -> dict[str, Any]:
    """The statistics take the year of complaint only: one year for the annual report."""
    filters = register_filters(request.GET, user=request.user)
    return {"year": filters["year"]} if "year" in filters else {}


@access.verified
@require_GET
def register_stats_export(request: HttpRequest) -> HttpResponseBase:
    _allow_stats(request.user)
    if "format" not in request.GET:
        return _export_page(request, kind="statistics")
    return _stats_file(request)


@require_sudo
def _stats_file(request: HttpRequest) -> Any:  # HttpResponse or, for CSV, a streaming one
    file_format = _format(request)
    result = exporting.register_statistics_export(
        actor=request.user,
        group=statistics_group(request.GET),
        filters=_stats_filters(request),
        file_format=file_format,
    )
    return _file_response(result, file_format)


@access.verified
@require_GET
def register_export(request: HttpRequest) -> HttpResponseBase:
    _allow(request.user, "register.view")
    if "format" not in request.GET:
        return _export_page(request, kind="entries")
    return _entries_file(request)


@require_sudo
def _entries_file(request: HttpRequest) -> Any:  # HttpResponse or, for CSV, a streaming one
    file_format = _format(request)
    result = exporting.register_entries_export(
        actor=request.user,
        filters=register_filters(request.GET, user=request.user),
        file_format=file_format,
    )
    return _file_response(result, file_format)


def _format(request: HttpRequest) -> str:
    file_format = request.GET.get("format", "")
    if file_format not in exporting.FORMATS:
        raise BadRequest(_("Choose CSV or XLSX."))
    return file_format


def _file_response(result: Any, file_format: str) -> Any:
    if file_format == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exporting.csv_lines(result), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(exporting.xlsx_bytes(result), content_type=exporting.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


def _export_page(request: HttpRequest, *, kind: str) -> HttpResponse:
    query = request.GET.copy()
    back = "cases:register_stats" if kind == "statistics" else "cases:register_list"
    context = {"query": query.urlencode(), "kind": kind, "back": reverse(back)}
    return render(request, "cases/register_export.html", context)
