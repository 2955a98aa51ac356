"""Self-assessment figures from the inventory of places: coverage by category and region
(SPT tool ¶9, 10, 36).

A place is *covered* when it is open at the end of the assessment's period and its last
visit on or before that day falls within its category's maximum interval, counted back
from that day. Its last visit is the latest of the visits Habeas recorded that took
place (a visit still planned or prepared has not), and of the date kept on the place
(`last_visit_on`, which may come from earlier records). A visit after the period does
not count: what matters is the visit before the period ended.

A place was *visited in the period* when a visit recorded in Habeas took place in it, or
when the last visit date kept in the inventory falls in it (`visited_places`); the
table tells the two apart, since the inventory's date often comes from records older
than Habeas. The strategy's year-end view uses the same two functions (`last_visits`,
`visited_places`), narrowed to what its reader may see.

Aggregates over the whole inventory, deliberately not narrowed by `restrict` (see
`habeas.assessment.indicators`): the figure describes the NPM, not what one reader may
see, and it names no place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from habeas.assessment.indicators import indicator, is_home, memoised, months_before, share
from habeas.assessment.models import Assessment
from habeas.places.models import Category, Place, Region


def open_at(day: dt.date) -> Q:
    """Places open at the end of the period: still open, or closed after it."""
    return Q(status=Place.Status.OPEN) | Q(closed_on__gt=day)


@dataclass
class CoverageRow:
    """One category or region: its open places and how many were covered."""

    label: str
    places: int = 0
    covered: int = 0
    visited_in_period: int = 0
    visited_recorded: int = 0  # of which with a visit recorded in Habeas in the period
    interval_months: int | None = None  # a category's maximum interval

    @property
    def percent(self) -> Decimal | None:
        return share(self.covered, self.places)

    @property
    def percent_shown(self) -> str | None:
        """The share as figures print (`format_value`: "100", "33.33")."""
        from habeas.assessment.indicators import format_value

        return format_value(self.percent)

    @property
    def fully_covered(self) -> bool:
        return self.places > 0 and self.covered == self.places


@dataclass
class Breakdown:
    """Coverage of the inventory at the end of a period, per category and per region."""

    period_start: dt.date
    period_end: dt.date
    total: CoverageRow
    categories: list[CoverageRow] = field(default_factory=list)
    regions: list[CoverageRow] = field(default_factory=list)

    @property
    def regions_recorded(self) -> list[CoverageRow]:
        """Region rows, without the row of places whose region is not recorded."""
        return [row for row in self.regions if row is not self.no_region]

    no_region: CoverageRow | None = None


def _held(visits: QuerySet[Any] | None) -> QuerySet[Any]:
    """The visits that took place (a visit still planned or prepared has not), from
    `visits` (already narrowed to a reader) or from every visit."""
    from habeas.visits.indicators import NOT_HELD
    from habeas.visits.models import Visit

    base = Visit.objects.all() if visits is None else visits
    return base.exclude(state__in=NOT_HELD)


def last_visits(
    end: dt.date,
    *,
    places: QuerySet[Place] | None = None,
    visits: QuerySet[Any] | None = None,
) -> dict[int, dt.date]:
    """Each place's last visit on or before `end`: the later of its recorded visits that
    took place and of the date kept on the place (`last_visit_on`).

    THE rule of "a place's last visit", shared by the ¶9/10/36 indicators (every place,
    every visit) and the strategy's year-end view (which passes the places and visits
    its reader may see). Places never visited by `end` are absent."""
    places = Place.objects.all() if places is None else places
    last = dict(places.filter(last_visit_on__lte=end).values_list("pk", "last_visit_on"))
    held = (
        _held(visits)
        .filter(starts_on__lte=end, place__in=places.values("pk"))
        .order_by()
        .values("place_id")
        .annotate(last=Max("starts_on"))
        .values_list("place_id", "last")
    )
    for place_id, day in held:
        if place_id not in last or day > last[place_id]:
            last[place_id] = day
    return last


@dataclass(frozen=True)
class VisitedPlaces:
    """The places visited in a period, by the shared rule: a place was visited in the
    period when a visit recorded in Habeas took place in it (first day in the period),
    or when the last visit date kept in the inventory (`last_visit_on`, often imported
    with the inventory from records older than Habeas) falls in it."""

    recorded: frozenset[int]  # with a visit recorded in Habeas in the period
    kept: frozenset[int]  # with the inventory's last visit date in the period

    @property
    def places(self) -> frozenset[int]:
        return self.recorded | self.kept

    @property
    def kept_only(self) -> frozenset[int]:
        """Visited in the period according to the inventory only."""
        return self.kept - self.recorded


def visited_places(
    start: dt.date,
    end: dt.date,
    *,
    places: QuerySet[Place] | None = None,
    visits: QuerySet[Any] | None = None,
) -> VisitedPlaces:
    """The places visited between two days (see `VisitedPlaces`); `places` and `visits`
    narrow both sources to what a reader may see (every record when omitted)."""
    places = Place.objects.all() if places is None else places
    held = _held(visits).filter(
        starts_on__gte=start, starts_on__lte=end, place__in=places.values("pk")
    )
    kept = places.filter(last_visit_on__gte=start, last_visit_on__lte=end)
    return VisitedPlaces(
        recorded=frozenset(held.values_list("place_id", flat=True)),
        kept=frozenset(kept.values_list("pk", flat=True)),
    )


def visited_between(start: dt.date, end: dt.date) -> set[int]:
    """Places with a visit that took place in the period (or a last visit kept on the
    place that falls in it): `visited_places(start, end).places`."""
    return set(visited_places(start, end).places)


def coverage_breakdown(assessment: Assessment) -> Breakdown | None:
    """The breakdown for the assessment's period; None for another NPM or when no place
    was open at the end of the period."""
    if not is_home(assessment):
        return None
    start, end = assessment.period_start, assessment.period_end
    result: Breakdown | None = memoised(("coverage", start, end), lambda: _compute(start, end))
    return result


def _compute(start: dt.date, end: dt.date) -> Breakdown | None:
    places = list(Place.objects.filter(open_at(end)).values_list("pk", "category_id", "region_id"))
    if not places:
        return None
    categories = {c.pk: c for c in Category.objects.all()}
    since = {pk: months_before(end, c.max_interval_months) for pk, c in categories.items()}
    last = last_visits(end)
    visited = visited_places(start, end)
    by_category: dict[int, CoverageRow] = {}
    by_region: dict[int | None, CoverageRow] = {}
    total = CoverageRow(_("All places"))
    for pk, category_id, region_id in places:
        category = categories[category_id]
        rows = [
            total,
            by_category.setdefault(
                category_id,
                CoverageRow(category.name, interval_months=category.max_interval_months),
            ),
            by_region.setdefault(region_id, CoverageRow("")),
        ]
        covered = pk in last and last[pk] >= since[category_id]
        for row in rows:
            row.places += 1
            row.covered += covered
            row.visited_in_period += pk in visited.places
            row.visited_recorded += pk in visited.recorded
    names = dict(
        Region.objects.filter(pk__in=[r for r in by_region if r]).values_list("pk", "name")
    )
    no_region = by_region.pop(None, None)
    for region_id, row in by_region.items():
        row.label = names[region_id]
    regions = sorted(by_region.values(), key=lambda row: row.label.casefold())
    if no_region is not None:
        no_region.label = _("No region recorded")
        regions.append(no_region)
    order = {pk: (c.position, c.name) for pk, c in categories.items()}
    return Breakdown(
        period_start=start,
        period_end=end,
        total=total,
        categories=[by_category[pk] for pk in sorted(by_category, key=order.__getitem__)],
        regions=regions,
        no_region=no_region,
    )


@indicator("places-in-inventory")
def places_in_inventory(assessment: Assessment) -> Decimal | None:
    """Open places at the end of the period. An empty inventory is "no data", not zero:
    an NPM that keeps its inventory elsewhere has not got zero places."""
    if not is_home(assessment) or not Place.objects.exists():
        return None
    return Decimal(Place.objects.filter(open_at(assessment.period_end)).count())


@indicator("places-visited-within-interval")
def places_visited_within_interval(assessment: Assessment) -> Decimal | None:
    """Share (%) of places open at the end of the period that were covered."""
    breakdown = coverage_breakdown(assessment)
    return breakdown.total.percent if breakdown else None


@indicator("categories-visited-within-interval")
def categories_visited_within_interval(assessment: Assessment) -> Decimal | None:
    """Share (%) of categories with an open place in which every open place was covered."""
    breakdown = coverage_breakdown(assessment)
    if breakdown is None:
        return None
    rows = breakdown.categories
    return share(sum(row.fully_covered for row in rows), len(rows))


@indicator("regions-visited-within-interval")
def regions_visited_within_interval(assessment: Assessment) -> Decimal | None:
    """Share (%) of regions with an open place in which every open place was covered;
    places without a region are left out (None when no place has a region)."""
    breakdown = coverage_breakdown(assessment)
    if breakdown is None:
        return None
    rows = breakdown.regions_recorded
    return share(sum(row.fully_covered for row in rows), len(rows))


@indicator("regions-without-visit")
def regions_without_visit(assessment: Assessment) -> Decimal | None:
    """Regions with an open place at the end of the period where no open place was
    visited in the period (¶36: no area disregarded)."""
    breakdown = coverage_breakdown(assessment)
    if breakdown is None or not breakdown.regions_recorded:
        return None
    return Decimal(sum(row.visited_in_period == 0 for row in breakdown.regions_recorded))


@indicator("places-visited")
def places_visited(assessment: Assessment) -> Decimal | None:
    """Distinct places (open or since closed) visited in the period."""
    if not is_home(assessment) or not Place.objects.exists():
        return None
    return Decimal(len(visited_between(assessment.period_start, assessment.period_end)))
