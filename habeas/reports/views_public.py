"""The public pages of published reports (¶21, 22): `/public/`, with no login.

They show only what the NPM chose to make public, after the publication check: the
published reports (`services_publication.public_reports()`), each as its public version
(`publication.public_content`: sections kept out left out, redactions applied, counts of
people under k hidden), the public PDF and DOCX rendered at publication, and the public
status of the recommendations of published reports with every count under k hidden.

A report that is not published, or was withdrawn, answers 404 with the same bytes as a
report that does not exist. No page here has a form that posts, so an anonymous visitor
gets no cookie; nothing here links to the NPM's internal pages.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from habeas.core.access import public
from habeas.reports import content_types
from habeas.reports.content_types import Cell, Chart, Content, Facts, Figure, Table
from habeas.reports.models import Kind, Rendering, Report
from habeas.reports.publication import public_content
from habeas.reports.services_publication import (
    public_recommendation_counts,
    public_recommendations,
    public_reports,
)
from habeas.reports.services_render import public_rendering, rendering_file
from habeas.reports.views_shared import ContentShaper

PER_PAGE = 20
FORMATS = {Rendering.Format.PDF.value, Rendering.Format.DOCX.value}
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


# -- what is public ---------------------------------------------------------------------------


def published_reports() -> Any:
    return public_reports().select_related(
        "published_version",
        "place__category",
        "place__region",
        "visit__place__category",
        "visit__place__region",
    )


def published_report(pk: int) -> Report:
    """The published report, or 404: the same for one not published, withdrawn or missing."""
    report = published_reports().filter(pk=pk).first()
    if report is None or report.published_version is None:
        raise Http404
    return report


def public_version_content(report: Report) -> Content:
    """The public version of the report's published version, as it was signed."""

    version = report.published_version
    if version is None or not version.content:
        raise Http404
    signed = content_types.from_json(version.content)
    shown = public_content(content=signed, version=version, k=report.k)
    shown = _without_anything_confidential(shown, omit=set(version.public_omit or []), k=report.k)
    return _suppressed_by_figure(shown)


def _without_anything_confidential(content: Content, *, omit: set[str], k: int) -> Content:
    """A second lock behind `public_content`: whatever it let through that is marked
    confidential, kept out, or a count of one to k-1 people, is dropped or hidden here."""
    sections = []
    for section in content.sections:
        if section.confidential or section.key in omit:
            continue
        blocks = [_hidden_small(b, k) for b in section.blocks if not _confidential(b)]
        sections.append(dataclasses.replace(section, blocks=blocks))
    figures = {key: _small_figure(figure, k) for key, figure in content.figures.items()}
    return dataclasses.replace(content, sections=sections, figures=figures, variant="public")


def _confidential(block: Any) -> bool:
    return bool(getattr(block, "confidential", False))


def _small(value: int | None, people: bool, k: int) -> bool:
    return people and value is not None and 0 < value < k


def _small_figure(figure: Figure, k: int) -> Figure:
    if _small(figure.value, figure.people, k):
        return dataclasses.replace(figure, value=None, suppressed=True)
    return figure


def _small_cell(cell: Cell, k: int) -> Cell:
    if _small(cell.value, cell.people, k):
        return dataclasses.replace(cell, value=None, text="", suppressed=True)
    return cell


def _hidden_small(block: Any, k: int) -> Any:
    if isinstance(block, Table):
        rows = [[_small_cell(cell, k) for cell in row] for row in block.rows]
        return dataclasses.replace(block, rows=rows)
    if isinstance(block, Facts):
        items = [dataclasses.replace(i, cell=_small_cell(i.cell, k)) for i in block.items]
        return dataclasses.replace(block, items=items)
    if isinstance(block, Chart) and block.people:
        series = [
            dataclasses.replace(s, values=[None if _small(v, True, k) else v for v in s.values])
            for s in block.series
        ]
        return dataclasses.replace(block, series=series)
    return block


def _suppressed_by_figure(content: Content) -> Content:
    """A cell that names a hidden figure is hidden too (its own value may be stale)."""
    hidden = {key for key, figure in content.figures.items() if figure.suppressed}
    if not hidden:
        return content

    def fix(cell: Cell) -> Cell:
        if cell.figure in hidden and not cell.suppressed:
            return dataclasses.replace(cell, value=None, text="", suppressed=True)
        return cell

    sections = []
    for section in content.sections:
        blocks: list[Any] = []
        for block in section.blocks:
            if isinstance(block, Table):
                block = dataclasses.replace(block, rows=[[fix(c) for c in r] for r in block.rows])
            elif isinstance(block, Facts):
                block = dataclasses.replace(
                    block, items=[dataclasses.replace(i, cell=fix(i.cell)) for i in block.items]
                )
            blocks.append(block)
        sections.append(dataclasses.replace(section, blocks=blocks))
    return dataclasses.replace(content, sections=sections)


def _public_place(report: Report) -> Any:
    if report.place_id:
        return report.place
    if report.visit_id:
        return report.visit.place  # type: ignore[union-attr]
    return None


def _row(report: Report) -> dict[str, Any]:
    place = _public_place(report)
    return {
        "pk": report.pk,
        "title": report.title,
        "kind": report.get_kind_display(),
        "published_at": report.published_at,
        "category": place.category.name if place is not None else "",
        "region": place.region.name if place is not None and place.region_id else "",
    }


def _direction(report: Report, content: Content | None = None) -> str:
    if content is not None and content.direction == "rtl":
        return "rtl"
    return "rtl" if (report.language or "").split("-")[0] in RTL_LANGUAGES else "ltr"


# -- pages ----------------------------------------------------------------------------------


def _year(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else None


@public
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    reports = published_reports()
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    year = _year(request.GET.get("year", ""))
    years = sorted(
        {moment.year for moment in reports.datetimes("published_at", "year")}, reverse=True
    )
    if kind:
        reports = reports.filter(kind=kind)
    if year is not None:
        reports = reports.filter(published_at__year=year)
    page = Paginator(reports.order_by("-published_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = "&".join(
        part for part in (f"kind={kind}" if kind else "", f"year={year}" if year else "") if part
    )
    context = {
        "page": page,
        "rows": [_row(report) for report in page.object_list],
        "kinds": Kind.choices,
        "kind": kind,
        "years": years,
        "year": year,
        "query": query,
        "filtered": bool(kind or year),
    }
    return render(request, "public/index.html", context)


@public
@require_safe
def report(request: HttpRequest, pk: int) -> HttpResponse:
    published = published_report(pk)
    content = public_version_content(published)
    context = {
        "report": published,
        "content": content,
        "kind": published.get_kind_display(),
        "direction": _direction(published, content),
        "language": published.language,
        "sections": ContentShaper(content, report=None).sections(),
        "formats": [(fmt, label) for fmt, label in Rendering.Format.choices],
    }
    return render(request, "public/report.html", context)


@public
@require_safe
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    published = published_report(pk)
    rendering = public_rendering(report=published, fmt=fmt)
    if rendering is None or rendering.content is None:
        context = {
            "report": published,
            "heading": _("The file is being prepared"),
            "paragraphs": [
                _("The %(format)s is being prepared; try again in a few minutes.")
                % {"format": fmt.upper()}
            ],
        }
        response = render(request, "public/message.html", context, status=503)
        response["Retry-After"] = "120"
        return response
    return rendering_file(rendering)


@public
@require_safe
def recommendations(request: HttpRequest) -> HttpResponse:
    # The strictest k of the setting and the published reports', as the counts use.
    k = max([int(settings.HABEAS_PUBLICATION_K), *published_reports().values_list("k", flat=True)])
    counts = [
        {"label": label, "count": count, "hidden": count is None or 0 < count < k}
        for label, count in public_recommendation_counts()
    ]
    context = {
        "recommendations": public_recommendations(),
        "counts": counts,
        "k": k,
    }
    return render(request, "public/recommendations.html", context)
