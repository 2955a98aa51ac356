"""The recommendations tracker and its exports (¶5, 34).

Someone without `recommendations.view` gets 404: the tracker does not exist for them.
Someone who sees it but may not export gets 403 on the export. The figures and the list
come from the same filtered records (`selectors.tracker_records`), so every rate shown
counts exactly what the list can show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from habeas.accounts import roles
from habeas.accounts.sudo import require_sudo
from habeas.core import access
from habeas.core.htmx import render_page
from habeas.places.selectors import IdsFirstPaginator
from habeas.recommendations import exporting, selectors
from habeas.recommendations.forms_tracker import TrackerFilterForm, tracker_filters
from habeas.recommendations.models import (
    Implementation,
    Level,
    Priority,
    Recommendation,
    ResponseStatus,
)
from habeas.recommendations.services import is_overdue

PAGE_SIZE = 50
YEARS_OFFERED = 30


class CountedPaginator(IdsFirstPaginator):
    """Pages whose total is already known (the figures counted it): no second COUNT."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@dataclass(frozen=True)
class TrackerRow:
    """What a row of the tracker shows, worked out once here rather than fifty times over
    in the template (labels of choices, the overdue mark, the short text)."""

    pk: int
    reference: str
    detail_url: str | None
    draft: bool
    sent: bool
    text: str
    place_id: int | None
    place_name: str
    addressee_name: str
    level: str
    priority: str
    priority_label: str
    deadline: str  # ISO date, or empty
    overdue: bool
    response_label: str
    responded_on: str  # ISO date, or empty
    implementation: str
    implementation_label: str
    implementation_on: str  # ISO date, or empty


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _detail_url_of() -> Callable[[int], str | None]:
    try:
        prefix = reverse("recommendations:detail", kwargs={"recommendation_pk": 0})
    except NoReverseMatch:  # the pages part ships it; the tracker does not depend on it
        return lambda pk: None
    stem = prefix.removesuffix("0/")
    return lambda pk: f"{stem}{pk}/"


def tracker_rows(recommendations: Iterable[Recommendation], today: dt.date) -> list[TrackerRow]:
    labels = {
        "level": dict(Level.choices),
        "priority": dict(Priority.choices),
        "response": dict(ResponseStatus.choices),
        "implementation": dict(Implementation.choices),
    }
    detail_url = _detail_url_of()
    return [
        TrackerRow(
            pk=r.pk,
            reference=r.reference,
            detail_url=detail_url(r.pk),
            draft=r.state == Recommendation.State.DRAFT,
            sent=r.state == Recommendation.State.SENT,
            text=_short(r.text),
            place_id=r.place_id,
            place_name=r.place.name if r.place else "",
            addressee_name=r.addressee.name if r.addressee else "",
            level=str(labels["level"].get(r.level, "")),
            priority=r.priority,
            priority_label=str(labels["priority"].get(r.priority, r.priority)),
            deadline=_iso(r.deadline),
            overdue=is_overdue(r, today),
            response_label=str(labels["response"].get(r.response, "")),
            responded_on=_iso(r.responded_on),
            implementation=r.implementation,
            implementation_label=str(labels["implementation"].get(r.implementation, "")),
            implementation_on=_iso(r.implementation_on),
        )
        for r in recommendations
    ]


def _allow(request: HttpRequest, permission: str | None = None) -> None:
    if not roles.can(request.user, "recommendations.view"):
        raise Http404
    if permission and not roles.can(request.user, permission):
        raise PermissionDenied


@access.verified
@require_GET
def tracker(request: HttpRequest) -> HttpResponse:
    _allow(request)
    today = timezone.localdate()
    # The years offered cost no query; a year outside them is still honoured (the form).
    years = list(range(today.year, today.year - YEARS_OFFERED, -1))
    filter_form = TrackerFilterForm(request.GET, user=request.user, years=years)
    filters = filter_form.filters()
    figures = selectors.tracker_figures(user=request.user, filters=filters, today=today)
    rows = selectors.tracker_list(user=request.user, filters=filters, today=today)
    page = CountedPaginator(rows, PAGE_SIZE, count=figures.records).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    without_place = query.copy()
    without_place.pop("place", None)
    context = {
        "filter_form": filter_form,
        "chosen_place": filter_form.chosen_place(),
        "figures": figures,
        "page": page,
        "rows": tracker_rows(page.object_list, today),
        "query": query.urlencode(),
        "query_without_place": without_place.urlencode(),
        "can_export": roles.can(request.user, "recommendations.export"),
        "can_draft": roles.can(request.user, "recommendations.draft"),
        "can_import": roles.can(request.user, "recommendations.import"),
    }
    return render_page(
        request,
        "recommendations/tracker.html",
        context,
        partial="recommendations/_tracker_results.html",
    )


@access.verified
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    _allow(request, "recommendations.export")
    if "format" not in request.GET:
        query = request.GET.copy()
        filters = tracker_filters(query, user=request.user)
        context = {
            "query": query.urlencode(),
            "formats": exporting.FORMATS,
            "filtered": bool(filters),
            "columns": exporting.column_names(),
        }
        return render(request, "recommendations/export.html", context)
    return _export_file(request)


@require_sudo
def _export_file(request: HttpRequest) -> Any:  # an HttpResponse, streaming for both formats
    file_format = request.GET.get("format", "")
    if file_format not in exporting.FORMATS:
        raise BadRequest(_("Choose CSV or XLSX."))
    filters = tracker_filters(request.GET, user=request.user)
    result = exporting.recommendations_export(
        actor=request.user, filters=filters, file_format=file_format
    )
    response: HttpResponseBase
    if file_format == "csv":
        response = StreamingHttpResponse(
            exporting.csv_lines(result), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            exporting.xlsx_chunks(result), content_type=exporting.XLSX_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
