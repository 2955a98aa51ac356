"""Exports of each analysis (¶34) as CSV or XLSX: the figures the reader sees on the page,
counted through `restrict` like the page, never more. Text a spreadsheet would run as a
formula is neutralised (habeas.places.spreadsheets). Every export is audited once with
its analysis, format and size, never its content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.assessment import analytics
from habeas.assessment.analytics import Filters
from habeas.assessment.models_analytics import SavedView
from habeas.core import audit
from habeas.core.services import require

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]
    sheet: str
    stem: str


def _heatmap(user: Any, filters: Filters) -> Table:
    result = analytics.heatmap(user, filters)
    header = [_("Theme"), *[c.name for c in result.categories], _("Total")]
    rows = [
        [str(row["label"]), *[cell["n"] for cell in row["cells"]], row["total"]]
        for row in result.rows
    ]
    rows.append([_("Total"), *result.column_totals, result.total])
    return Table(header, rows, _("Heatmap"), "findings-heatmap")


def _trends(user: Any, filters: Filters) -> Table:
    result = analytics.trends(user, filters)
    header = [_("Theme"), *[str(year) for year in result.years], _("Total")]
    rows = [[str(row["label"]), *row["values"], row["total"]] for row in result.series]
    rows.append([_("Total"), *result.year_totals, result.total])
    return Table(header, rows, _("Trends"), "findings-trends")


def _generic(user: Any, filters: Filters) -> Table:
    header = [_("Theme"), _("Standard cited"), _("Places"), _("Findings")]
    rows: list[list[Any]] = [
        [str(p.theme_label), str(p.standard_label), p.places, p.findings]
        for p in analytics.generic_problems(user, filters)
    ]
    return Table(header, rows, _("Generic problems"), "generic-problems")


def _good_practices(user: Any, filters: Filters) -> Table:
    header = [_("Theme"), _("Good practices"), _("Places"), _("Places with the most")]
    rows: list[list[Any]] = [
        [
            str(row["label"]),
            row["findings"],
            row["places"],
            "; ".join(f"{place.name} ({n})" for place, n in row["top"]),
        ]
        for row in analytics.good_practices(user, filters)
    ]
    return Table(header, rows, _("Good practices"), "good-practices")


def _serious(user: Any, filters: Filters) -> Table:
    header = [_("Place"), _("Category"), _("Region"), _("Urgent"), _("Key concerns")]
    rows: list[list[Any]] = [
        [
            row["place"].name,
            row["place"].category.name,
            row["place"].region.name if row["place"].region else "",
            row["urgent"],
            row["key"],
        ]
        for row in analytics.serious_places(user, filters)
    ]
    return Table(header, rows, _("Most serious"), "most-serious-places")


TABLES: dict[str, Callable[[Any, Filters], Table]] = {
    SavedView.Kind.HEATMAP: _heatmap,
    SavedView.Kind.TRENDS: _trends,
    SavedView.Kind.GENERIC: _generic,
    SavedView.Kind.GOOD_PRACTICES: _good_practices,
    SavedView.Kind.SERIOUS: _serious,
}


def filename(table: Table, file_format: str) -> str:
    return f"{table.stem}-{timezone.localdate():%Y-%m-%d}.{file_format}"


@transaction.atomic
def analysis_export(*, actor: Any, analysis: str, filters: Filters, file_format: str) -> Table:
    """The table of one analysis as `actor` sees it; the export is audited."""
    require(actor, "analytics.view")
    table = TABLES[analysis](actor, filters)
    audit.record(
        actor=actor,
        action="analytics.export",
        detail={"analysis": analysis, "format": file_format, "rows": len(table.rows)},
    )
    return table
