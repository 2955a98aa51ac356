"""Systematisation of experience (¶15, 19, 34): findings counted across places and years.

Every figure is a count of findings the reader may see, read through
`Finding.objects.restrict(user)`; each links to the list of those findings
(`findings`), built from the same filters, so a number and its list always agree.
The heatmap and the trends may read the pre-aggregated `FindingTally` instead, only when
`analytics_tally.tally_usable(user)` says it both is current and covers exactly what
the reader sees; what the tally leaves out (findings of unannounced visits still in
preparation) is then added live through `restrict`.

The year of a finding is the year its visit started.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.http import urlencode

from habeas.assessment import analytics_tally as tally
from habeas.places.models import Category, Place, Region
from habeas.visits.models import Finding, Standard, Theme

MIN_PLACES_DEFAULT = 3
SERIOUS_LIMIT = 50
GOOD_PRACTICE_PLACES = 10


@dataclass(frozen=True)
class Filters:
    """What an analysis is narrowed to; the same filters narrow the list behind a figure."""

    year_from: int | None = None
    year_to: int | None = None
    region: int | None = None
    category: int | None = None
    kind: str = ""
    severity: str = ""
    theme: str = ""
    standard: str = ""
    place: int | None = None
    year: int | None = None
    min_places: int = MIN_PLACES_DEFAULT

    def _values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def narrowed(self, **changes: Any) -> Filters:
        values = self._values()
        values.update(changes)
        year = values.pop("year", None)
        if year is not None:
            values["year_from"] = values["year_to"] = year
        return Filters(**values)

    def query(self, **changes: Any) -> str:
        """The query string of these filters (with `changes`), empty values left out."""
        values = self.narrowed(**changes)._values() if changes else self._values()
        values.pop("year", None)
        if values["min_places"] == MIN_PLACES_DEFAULT:
            values.pop("min_places")
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})

    def as_params(self) -> dict[str, Any]:
        """The filters a saved view keeps (JSON)."""
        values = self._values()
        values.pop("year", None)
        return {key: value for key, value in values.items() if value not in ("", None)}

    @property
    def needs_live(self) -> bool:
        """The tally holds no place and no standard: these filters are counted live."""
        return bool(self.place or self.standard)


FIELDS = tuple(f.name for f in fields(Filters))


def region_ids(region: int) -> list[int]:
    """The region and every area inside it (regions nest: country → region → district)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, todo = [], [region]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _period(filters: Filters) -> Q:
    q = Q()
    if filters.year_from:
        q &= Q(visit__starts_on__gte=dt.date(filters.year_from, 1, 1))
    if filters.year_to:
        q &= Q(visit__starts_on__lte=dt.date(filters.year_to, 12, 31))
    return q


def cites(standard: str) -> Q:
    """Findings citing `standard` (a JSON list of codes), on SQLite and PostgreSQL."""
    return Q(standards__icontains=f'"{standard}"')


def findings(user: Any, filters: Filters) -> QuerySet:
    """The findings `user` may see, narrowed by `filters`: the one source of every count."""
    qs = Finding.objects.restrict(user, "view").filter(_period(filters))
    if filters.region:
        qs = qs.filter(visit__place__region_id__in=region_ids(filters.region))
    if filters.category:
        qs = qs.filter(visit__place__category_id=filters.category)
    if filters.place:
        qs = qs.filter(visit__place_id=filters.place)
    for name in ("kind", "severity", "theme"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name)})
    if filters.standard:
        qs = qs.filter(cites(filters.standard))
    return qs


def finding_list(user: Any, filters: Filters) -> QuerySet:
    """The findings behind a figure, newest visit first."""
    return (
        findings(user, filters)
        .select_related("visit", "visit__place", "visit__place__category")
        .order_by("-visit__starts_on", "-pk")
    )


def _grouped(user: Any, filters: Filters, *keys: str) -> tuple[dict[tuple, int], str]:
    """Counts of the findings `user` may see by `keys` ("theme", "category", "year", …),
    and where they come from: the tally where it may be used ("tally"), else "live"."""
    if not filters.needs_live and tally.tally_usable(user):
        counts = tally.grouped(filters, keys)
        # What the tally leaves out, and this reader may see, is added live.
        live = _live_grouped(findings(user, filters).filter(tally.SECRET), keys)
        for key, number in live.items():
            counts[key] = counts.get(key, 0) + number
        return counts, "tally"
    return _live_grouped(findings(user, filters), keys), "live"


LIVE_KEYS = {
    "theme": F("theme"),
    "category": F("visit__place__category_id"),
    "year": ExtractYear("visit__starts_on"),
    "kind": F("kind"),
    "severity": F("severity"),
}


def _live_grouped(qs: QuerySet, keys: Iterable[str]) -> dict[tuple, int]:
    keys = tuple(keys)
    rows = (
        qs.order_by().values(**{f"k_{key}": LIVE_KEYS[key] for key in keys}).annotate(n=Count("pk"))
    )
    return {tuple(row[f"k_{key}"] for key in keys): row["n"] for row in rows}


# -- the heatmap: themes × categories of place ----------------------------------------------


@dataclass
class Heatmap:
    themes: list[tuple[str, Any]]
    categories: list[Category]
    rows: list[dict[str, Any]] = field(default_factory=list)
    column_totals: list[int] = field(default_factory=list)
    total: int = 0
    highest: int = 0
    source: str = "live"


def heat_level(number: int, highest: int) -> int:
    """0 for none, then 1–5 by fifths of the highest cell (the shading of a cell)."""
    if not number or not highest:
        return 0
    return min(5, 1 + (number * 5 - 1) // highest)


def heatmap(user: Any, filters: Filters) -> Heatmap:
    """Findings per theme (rows) and category of place (columns)."""
    counts, source = _grouped(user, filters, "theme", "category")
    categories = list(Category.objects.all())
    result = Heatmap(themes=list(Theme.choices), categories=categories, source=source)
    result.highest = max(counts.values(), default=0)
    for code, label in Theme.choices:
        cells = [(c, counts.get((code, c.pk), 0)) for c in categories]
        result.rows.append(
            {
                "theme": code,
                "label": label,
                "cells": [
                    {"category": c, "n": n, "level": heat_level(n, result.highest)}
                    for c, n in cells
                ],
                "total": sum(n for _, n in cells),
            }
        )
    result.column_totals = [
        sum(counts.get((code, c.pk), 0) for code, _ in Theme.choices) for c in categories
    ]
    result.total = sum(result.column_totals)
    return result


# -- trends: findings per theme per year --------------------------------------------------------


@dataclass
class Trends:
    years: list[int]
    series: list[dict[str, Any]]
    year_totals: list[int]
    total: int
    source: str = "live"


def trends(user: Any, filters: Filters) -> Trends:
    """Findings per theme and year; every year between the first and last shown (0 too)."""
    counts, source = _grouped(user, filters, "theme", "year")
    seen: list[int] = sorted({year for _, year in counts})
    first = filters.year_from or (seen[0] if seen else None)
    last = filters.year_to or (seen[-1] if seen else None)
    years = list(range(first, last + 1)) if first and last else []
    series: list[dict[str, Any]] = []
    for code, label in Theme.choices:
        values = [counts.get((code, year), 0) for year in years]
        series.append({"theme": code, "label": label, "values": values, "total": sum(values)})
    year_totals = [sum(row["values"][i] for row in series) for i in range(len(years))]
    return Trends(years, series, year_totals, sum(year_totals), source)


# -- generic problems: the same problem in many places ----------------------------------------


@dataclass(frozen=True)
class GenericProblem:
    theme: str
    theme_label: str
    standard: str
    standard_label: str
    places: int
    findings: int


def generic_problems(user: Any, filters: Filters) -> list[GenericProblem]:
    """Concerns of one theme citing one standard, found in at least `min_places` distinct
    places: the rule the page states. A finding citing two standards counts under each."""
    concerns = findings(user, filters.narrowed(kind=Finding.Kind.CONCERN))
    themes = dict(Theme.choices)
    problems = []
    standards = [filters.standard] if filters.standard else Standard.values
    for standard in standards:
        rows = (
            concerns.filter(cites(standard))
            .order_by()
            .values("theme")
            .annotate(places=Count("visit__place_id", distinct=True), n=Count("pk"))
            .filter(places__gte=filters.min_places)
        )
        problems += [
            GenericProblem(
                row["theme"],
                str(themes.get(row["theme"], row["theme"])),
                standard,
                str(Standard(standard).label),
                row["places"],
                row["n"],
            )
            for row in rows
        ]
    return sorted(problems, key=lambda p: (-p.places, -p.findings, p.theme, p.standard))


# -- good practices and where they were seen -----------------------------------------------------


def good_practices(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Per theme: good practices, the places they were seen in, and the places with most."""
    practices = findings(user, filters.narrowed(kind=Finding.Kind.GOOD_PRACTICE, severity=""))
    per_place = list(
        practices.order_by()
        .values("theme", "visit__place_id")
        .annotate(n=Count("pk"))
        .order_by("theme", "-n", "visit__place_id")
    )
    by_theme: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in per_place:
        by_theme[row["theme"]].append((row["visit__place_id"], row["n"]))
    shown = {pk for rows in by_theme.values() for pk, _ in rows[:GOOD_PRACTICE_PLACES]}
    places = Place.objects.restrict(user, "view").in_bulk(shown)
    result = []
    for code, label in Theme.choices:
        rows = by_theme.get(code, [])
        if filters.theme and code != filters.theme:
            continue
        result.append(
            {
                "theme": code,
                "label": label,
                "findings": sum(n for _, n in rows),
                "places": len(rows),
                "top": [(places[pk], n) for pk, n in rows[:GOOD_PRACTICE_PLACES] if pk in places],
            }
        )
    return result


# -- the places with the most serious findings ------------------------------------------------


def serious_places(user: Any, filters: Filters, limit: int = SERIOUS_LIMIT) -> list[dict]:
    """Places ranked by urgent findings, then key concerns (the reader's findings only)."""
    concerns = findings(user, filters.narrowed(kind=Finding.Kind.CONCERN, severity=""))
    rows = list(
        concerns.filter(severity__in=[Finding.Severity.URGENT, Finding.Severity.KEY])
        .order_by()
        .values("visit__place_id")
        .annotate(
            urgent=Count("pk", filter=Q(severity=Finding.Severity.URGENT)),
            key=Count("pk", filter=Q(severity=Finding.Severity.KEY)),
        )
        .order_by("-urgent", "-key", "visit__place_id")[:limit]
    )
    places = (
        Place.objects.restrict(user, "view")
        .select_related("category", "region")
        .in_bulk([row["visit__place_id"] for row in rows])
    )
    return [
        {"place": places[row["visit__place_id"]], "urgent": row["urgent"], "key": row["key"]}
        for row in rows
        if row["visit__place_id"] in places
    ]
