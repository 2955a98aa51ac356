"""The analytics pages (¶15, 19, 34): themes by category of place (heatmap), trends, generic
problems, good practices, the places with the most serious findings, and the list of the
findings behind any figure; saved views and exports.

Thin views: the filter form validates, `analytics` counts through `restrict`, and every
figure links to the findings behind it with the same filters. Whoever may not see the
analytics (an outsider, the administrator) gets 404 everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from habeas.accounts import roles
from habeas.assessment import analytics, analytics_export, services_analytics
from habeas.assessment import analytics_tally as tally
from habeas.assessment.analytics import Filters
from habeas.assessment.charts_analytics import trend_chart
from habeas.assessment.forms_analytics import FilterForm, SavedViewForm
from habeas.assessment.models_analytics import SavedView
from habeas.core import access
from habeas.core.htmx import render_page
from habeas.places.models import Category, Place, Region
from habeas.places.selectors import IdsFirstPaginator
from habeas.places.spreadsheets import csv_lines_of, xlsx_bytes_of
from habeas.visits.models import Finding, Standard, Theme

PAGE_SIZE = 50
PAGES: dict[str, str] = {
    SavedView.Kind.HEATMAP: "assessment:analytics",
    SavedView.Kind.TRENDS: "assessment:analytics_trends",
    SavedView.Kind.GENERIC: "assessment:analytics_generic",
    SavedView.Kind.GOOD_PRACTICES: "assessment:analytics_good_practices",
    SavedView.Kind.SERIOUS: "assessment:analytics_serious",
}


def _allow(user: Any) -> None:
    if not roles.can(user, "analytics.view"):
        raise Http404


def _findings_url(filters: Filters, **narrowing: Any) -> str:
    return f"{_findings_base()}?{filters.query(**narrowing)}"


def _findings_base() -> str:
    return reverse("assessment:analytics_findings")


def _common(request: HttpRequest, page: str) -> tuple[Filters, dict[str, Any]]:
    """The filters of the page and what every analysis page shows around its figures."""
    _allow(request.user)
    form = FilterForm(request.GET or None, page=page)
    filters = form.filters()
    query = filters.query()
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page_kind": page,
        "query": query,
        "pages": [(kind, label, reverse(PAGES[kind])) for kind, label in SavedView.Kind.choices],
        "here": reverse(PAGES.get(page, "assessment:analytics_findings")),
        "all_url": _findings_url(filters),
    }
    if page in PAGES:
        views = SavedView.objects.restrict(request.user, "view").filter(kind=page)
        context["saved_views"] = [
            (view, reverse(PAGES[page]) + "?" + Filters(**view.params).query()) for view in views
        ]
        context["save_form"] = SavedViewForm(
            initial={"kind": page, "params": json.dumps(filters.as_params())}
        )
    return filters, context


def _queue_rebuild_if_stale(user: Any, source: str, filters: Filters) -> None:
    """A reader the tally serves found it stale: have it rebuilt in the background."""
    if source == "live" and not filters.needs_live and tally.tally_covers(user):
        tally.tally_request_rebuild()


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render_page(request, f"assessment/analytics/{template}", context)


@access.verified
@require_GET
def heatmap(request: HttpRequest) -> HttpResponse:
    filters, context = _common(request, SavedView.Kind.HEATMAP)
    result = analytics.heatmap(request.user, filters)
    _queue_rebuild_if_stale(request.user, result.source, filters)
    for row in result.rows:
        row["url"] = _findings_url(filters, theme=row["theme"])
        for cell in row["cells"]:
            cell["url"] = _findings_url(filters, theme=row["theme"], category=cell["category"].pk)
    context["columns"] = [
        (category, total, _findings_url(filters, category=category.pk))
        for category, total in zip(result.categories, result.column_totals, strict=True)
    ]
    context["heatmap"] = result
    return _render(request, "heatmap.html", context)


@access.verified
@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    filters, context = _common(request, SavedView.Kind.TRENDS)
    result = analytics.trends(request.user, filters)
    _queue_rebuild_if_stale(request.user, result.source, filters)
    for row in result.series:
        row["cells"] = [
            (value, _findings_url(filters, theme=row["theme"], year=year))
            for year, value in zip(result.years, row["values"], strict=True)
        ]
        row["url"] = _findings_url(filters, theme=row["theme"])
    context["year_cells"] = [
        (year, total, _findings_url(filters, year=year))
        for year, total in zip(result.years, result.year_totals, strict=True)
    ]
    context.update(trends=result, chart=trend_chart(result))
    return _render(request, "trends.html", context)


@access.verified
@require_GET
def generic(request: HttpRequest) -> HttpResponse:
    filters, context = _common(request, SavedView.Kind.GENERIC)
    problems = analytics.generic_problems(request.user, filters)
    context["problems"] = [
        (p, _findings_url(filters, kind="concern", theme=p.theme, standard=p.standard))
        for p in problems
    ]
    context["min_places"] = filters.min_places
    return _render(request, "generic.html", context)


@access.verified
@require_GET
def good_practices(request: HttpRequest) -> HttpResponse:
    filters, context = _common(request, SavedView.Kind.GOOD_PRACTICES)
    rows = analytics.good_practices(request.user, filters)
    practice = {"kind": "good_practice", "severity": ""}
    for row in rows:
        row["url"] = _findings_url(filters, theme=row["theme"], **practice)
        row["top"] = [
            (place, n, _findings_url(filters, theme=row["theme"], place=place.pk, **practice))
            for place, n in row["top"]
        ]
    context["themes"] = rows
    return _render(request, "good_practices.html", context)


@access.verified
@require_GET
def serious(request: HttpRequest) -> HttpResponse:
    filters, context = _common(request, SavedView.Kind.SERIOUS)
    rows = analytics.serious_places(request.user, filters)
    for row in rows:
        pk = row["place"].pk
        row["urgent_url"] = _findings_url(filters, place=pk, kind="concern", severity="urgent")
        row["key_url"] = _findings_url(filters, place=pk, kind="concern", severity="key")
    context.update(rows=rows, limit=analytics.SERIOUS_LIMIT)
    return _render(request, "serious.html", context)


def describe(filters: Filters) -> list[str]:
    """The filters in words, for the heading of the list of findings."""
    words = []
    if filters.theme:
        words.append(_("theme: %(v)s") % {"v": Theme(filters.theme).label})
    if filters.kind:
        words.append(str(Finding.Kind(filters.kind).label))
    if filters.severity:
        words.append(_("severity: %(v)s") % {"v": Finding.Severity(filters.severity).label})
    if filters.category:
        category = Category.objects.filter(pk=filters.category).first()
        words.append(_("category: %(v)s") % {"v": category.name if category else "?"})
    if filters.region:
        region = Region.objects.filter(pk=filters.region).first()
        words.append(_("region: %(v)s") % {"v": region.name if region else "?"})
    if filters.place:
        place = Place.objects.filter(pk=filters.place).values_list("name", flat=True).first()
        words.append(_("place: %(v)s") % {"v": place or "?"})
    if filters.standard:
        words.append(_("citing: %(v)s") % {"v": Standard(filters.standard).label})
    if filters.year_from or filters.year_to:
        start, end = filters.year_from or "…", filters.year_to or "…"
        words.append(str(start) if start == end else f"{start}–{end}")
    return words


@access.verified
@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    filters, context = _common(request, "findings")
    rows = analytics.finding_list(request.user, filters)
    page = IdsFirstPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(page=page, page_query=query.urlencode(), described=describe(filters))
    return _render(request, "findings.html", context)


@access.verified
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    _allow(request.user)
    analysis = request.GET.get("analysis", SavedView.Kind.HEATMAP)
    file_format = request.GET.get("format", "csv")
    if analysis not in analytics_export.TABLES or file_format not in analytics_export.FORMATS:
        return HttpResponse(_("Choose an analysis and a format (CSV or XLSX)."), status=400)
    form = FilterForm(request.GET, page=analysis)
    if not form.is_valid():
        return HttpResponse(_("The filters are not valid: correct them on the page."), status=400)
    table = analytics_export.analysis_export(
        actor=request.user, analysis=analysis, filters=form.filters(), file_format=file_format
    )
    disposition = f'attachment; filename="{analytics_export.filename(table, file_format)}"'
    if file_format == "csv":
        stream = StreamingHttpResponse(
            csv_lines_of(table.header, table.rows), content_type="text/csv; charset=utf-8"
        )
        stream["Content-Disposition"] = disposition
        return stream  # type: ignore[return-value]
    data = xlsx_bytes_of(table.sheet, table.header, table.rows)
    response = HttpResponse(data, content_type=analytics_export.XLSX_TYPE)
    response["Content-Disposition"] = disposition
    return response


@access.verified
@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    _allow(request.user)
    form = SavedViewForm(request.POST)
    kind = request.POST.get("kind", "")
    back = reverse(PAGES.get(kind, "assessment:analytics"))
    if not form.is_valid():
        messages.error(request, _("The view was not saved: give it a name."))
        return redirect(back)
    try:
        params = json.loads(form.cleaned_data["params"] or "{}")
    except ValueError:
        params = None
    filter_form = FilterForm(params if isinstance(params, dict) else None)
    if not isinstance(params, dict) or not filter_form.is_valid():
        messages.error(request, _("The view was not saved: its filters are not valid."))
        return redirect(back)
    filters = filter_form.filters()
    try:
        services_analytics.saved_view_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            params=filters.as_params(),
            shared=form.cleaned_data["shared"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("The view is saved."))
    return redirect(back + "?" + filters.query())


@access.verified
@require_POST
def view_delete(request: HttpRequest, view_pk: int) -> HttpResponse:
    _allow(request.user)
    view = get_object_or_404(SavedView.objects.restrict(request.user, "view"), pk=view_pk)
    if view.owner_id != request.user.pk:
        raise PermissionDenied
    services_analytics.saved_view_delete(actor=request.user, view=view)
    messages.success(request, _("The saved view “%(name)s” is deleted.") % {"name": view.name})
    return redirect(PAGES.get(view.kind, "assessment:analytics"))
