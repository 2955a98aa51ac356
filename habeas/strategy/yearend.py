"""The year-end view (¶5, 35, 36): four questions an NPM asks of its year.

1. Where the money and the days went: per kind of activity, money planned and spent
   (the year's budget lines) and staff-days planned and spent (the year's activities;
   a visits activity's days counted from its visits, `selectors.staff_days_totals`).
2. Which categories of place and which regions got no visit for `NEGLECT_YEARS` years or
   more at the end of the year: none of their places open at the end of the year had a
   visit in the year or the two before. A place's last visit is the latest visit that
   took place (state past "prepared") that the reader may see, or the last visit the
   inventory records, whichever is later, as long as it came by the end of the year
   (`habeas.places.indicators.last_visits`, the rule of the ¶9/10/36 indicators).
3. Recommendations issued in the year (sent) against those achieved: how many of the
   year's are achieved now, and how many (of any year) were verified achieved in it.
4. Whether some kind of institution or area was disregarded (¶36): each category's and
   region's share of the places against its share of the year's visits recorded in
   Habeas. Its expected visits are its share of the places × the year's visits; it is
   flagged when that expectation is at least `MIN_EXPECTED` (with fewer, a shortfall
   says nothing) and it got less than `DISREGARD_FACTOR` of it.

"Visits in the year" are the visits recorded in Habeas that took place in the year. The
places visited in the year follow the shared rule of the ¶10 indicator
(`habeas.places.indicators.visited_places`): a recorded visit, or the inventory's last
visit date (which may come from records older than Habeas) in the year; the page shows
both counts so that it reads beside the ¶10 table.

Questions 2 to 4 read places, visits and recommendations through `restrict(user, "view")`,
so nobody is told of a visit or a recommendation they may not see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from habeas.places.models import Category, Place, Region
from habeas.places.selectors import region_descendant_ids
from habeas.recommendations.models import Implementation, Recommendation, Verification
from habeas.reports import charts
from habeas.reports.content_types import Chart, Series
from habeas.strategy import selectors
from habeas.strategy.models import ActivityKind
from habeas.visits.models import Visit

NEGLECT_YEARS = 3
# A category or region is flagged when its share of the year's visits is below half of
# its share of the places.
DISREGARD_FACTOR = Decimal("0.5")
# ... and only when it should have had at least this many visits (places' share × visits).
MIN_EXPECTED = Decimal(2)
CATEGORY, REGION = "category", "region"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def neglect_since(year: int) -> dt.date:
    """A place visited on or after this day is not neglected at the end of `year`."""
    return dt.date(year - NEGLECT_YEARS + 1, 1, 1)


# -- places and their last visit ----------------------------------------------------------------


def open_at(day: dt.date) -> Q:
    """Places open on `day`: still open, or closed after it."""
    return Q(status=Place.Status.OPEN) | Q(closed_on__gt=day)


def open_during(start: dt.date) -> Q:
    return Q(status=Place.Status.OPEN) | Q(closed_on__gte=start)


def seen_visits(user: Any, end: dt.date) -> QuerySet[Visit]:
    """The visits the user may see that took place by `end`."""
    return Visit.objects.restrict(user, "view").filter(
        state__in=selectors.HAPPENED, starts_on__lte=end
    )


def last_visits(user: Any, places: QuerySet[Place], end: dt.date) -> dict[int, dt.date | None]:
    """Each place's last visit by `end` (see the module docstring), None when never:
    the shared rule, over the visits the user may see."""
    from habeas.places.indicators import last_visits as shared_last_visits

    last = shared_last_visits(end, places=places, visits=Visit.objects.restrict(user, "view"))
    return {pk: last.get(pk) for pk in places.values_list("pk", flat=True)}


# -- the answers --------------------------------------------------------------------------------


@dataclass
class KindRow:
    kind: str
    label: str
    money_planned: Decimal
    money_spent: Decimal
    days_planned: Decimal
    days_spent: Decimal
    activities: int
    days_missing: int
    execution: Decimal | None


@dataclass
class Neglected:
    """A category or region none of whose places had a visit in the last years."""

    scope: str  # CATEGORY or REGION
    pk: int
    name: str
    places: int
    last_visit: dt.date | None

    @property
    def query(self) -> str:
        return f"{self.scope}={self.pk}"


@dataclass
class ShareRow:
    scope: str
    pk: int
    name: str
    places: int
    places_share: Decimal
    visits: int
    visits_share: Decimal
    flagged: bool
    expected: Decimal = Decimal(0)  # the places' share of the year's visits


@dataclass
class RecommendationFigures:
    issued: int
    achieved: int  # of the year's, achieved now
    partly: int  # of the year's, partly achieved now
    achieved_in_year: int  # verified achieved during the year, whenever issued

    @property
    def achieved_share(self) -> Decimal | None:
        return selectors.execution(Decimal(self.issued), Decimal(self.achieved))


@dataclass
class YearEnd:
    year: int
    currency: str
    kinds: list[KindRow]
    money_planned: Decimal
    money_spent: Decimal
    money_execution: Decimal | None
    days_planned: Decimal
    days_spent: Decimal
    neglected: list[Neglected]
    recommendations: RecommendationFigures
    places_total: int
    visits_total: int
    places_visited: int = 0  # places with a visit recorded in Habeas in the year
    places_kept_only: int = 0  # visited in the year by the inventory's date only
    categories: list[ShareRow] = field(default_factory=list)
    regions: list[ShareRow] = field(default_factory=list)

    @property
    def neglected_categories(self) -> list[Neglected]:
        return [row for row in self.neglected if row.scope == CATEGORY]

    @property
    def neglected_regions(self) -> list[Neglected]:
        return [row for row in self.neglected if row.scope == REGION]

    @property
    def flagged(self) -> list[ShareRow]:
        return [row for row in self.categories + self.regions if row.flagged]

    @property
    def categories_flagged(self) -> list[ShareRow]:
        return [row for row in self.categories if row.flagged]

    @property
    def categories_unflagged(self) -> list[ShareRow]:
        return [row for row in self.categories if not row.flagged]

    @property
    def regions_flagged(self) -> list[ShareRow]:
        return [row for row in self.regions if row.flagged]

    @property
    def regions_unflagged(self) -> list[ShareRow]:
        return [row for row in self.regions if not row.flagged]

    @property
    def unflagged_count(self) -> int:
        return len(self.categories_unflagged) + len(self.regions_unflagged)

    def money_chart(self) -> SafeString:
        return _chart(
            _("Money planned and spent per kind of activity (%(currency)s)")
            % {"currency": self.currency},
            self.kinds,
            ("money_planned", "money_spent"),
            "year-end-money",
        )

    def days_chart(self) -> SafeString:
        return _chart(
            _("Staff-days planned and spent per kind of activity"),
            self.kinds,
            ("days_planned", "days_spent"),
            "year-end-days",
        )


def _chart(title: str, kinds: list[KindRow], names: tuple[str, str], ident: str) -> SafeString:
    chart = Chart(
        kind="bar",
        title=title,
        labels=[str(row.label) for row in kinds],
        series=[
            Series(_("Planned"), [round(getattr(row, names[0])) for row in kinds]),
            Series(_("Spent"), [round(getattr(row, names[1])) for row in kinds]),
        ],
    )
    return charts.svg(chart, chart_id=ident)


def _kinds(year: int) -> list[KindRow]:
    money = selectors.budget_totals(year)["by_kind"]
    days = selectors.staff_days_totals(year)
    return [
        KindRow(
            kind=kind,
            label=str(label),
            money_planned=money[kind]["planned"],
            money_spent=money[kind]["spent"],
            days_planned=days[kind]["planned"],
            days_spent=days[kind]["spent"],
            activities=days[kind]["activities"],
            days_missing=days[kind]["missing"],
            execution=money[kind]["execution"],
        )
        for kind, label in ActivityKind.choices
    ]


def _scopes() -> tuple[tuple[str, str, dict[int, str]], ...]:
    categories = dict(Category.objects.values_list("pk", "name"))
    regions = dict(Region.objects.values_list("pk", "name"))
    return ((CATEGORY, "category_id", categories), (REGION, "region_id", regions))


def neglected(user: Any, year: int) -> list[Neglected]:
    """Categories, then regions, with open places none of which was visited in the
    year or the `NEGLECT_YEARS - 1` before; those never visited first, then the oldest."""
    _start, end = year_bounds(year)
    places = Place.objects.restrict(user, "view").filter(open_at(end))
    last = last_visits(user, places, end)
    since = neglect_since(year)
    found: list[Neglected] = []
    for scope, column, names in _scopes():
        groups: dict[int, list[dt.date | None]] = defaultdict(list)
        for pk, group in places.values_list("pk", column):
            if group is not None:
                groups[group].append(last.get(pk))
        rows = []
        for group, days in groups.items():
            known = [day for day in days if day is not None]
            latest = max(known) if known else None
            if latest is None or latest < since:
                rows.append(Neglected(scope, group, names.get(group, "?"), len(days), latest))
        rows.sort(key=lambda row: (row.last_visit or dt.date.min, row.name))
        found.extend(rows)
    return found


def neglected_places(
    user: Any, year: int, *, category: int | None = None, region: int | None = None
) -> list[tuple[Place, dt.date | None]]:
    """The open places of a category or region at the end of `year` with each one's last
    visit by then, never visited first, then the oldest."""
    _start, end = year_bounds(year)
    places = Place.objects.restrict(user, "view").filter(open_at(end))
    if category is not None:
        places = places.filter(category_id=category)
    if region is not None:
        places = places.filter(region_id__in=region_descendant_ids([region]))
    last = last_visits(user, places, end)
    rows = [(place, last.get(place.pk)) for place in places.select_related("category", "region")]
    rows.sort(key=lambda row: (row[1] or dt.date.min, row[0].name.lower(), row[0].pk))
    return rows


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


@dataclass
class Shares:
    places: int
    visits: int
    places_visited: int
    places_kept_only: int
    categories: list[ShareRow]
    regions: list[ShareRow]


def is_flagged(places: int, place_total: int, visits: int, visit_total: int) -> bool:
    """¶36's flag: the group should have had at least `MIN_EXPECTED` of the year's visits
    (its share of the places × the visits) and got less than `DISREGARD_FACTOR` of that."""
    if not place_total or not visit_total:
        return False
    expected = Decimal(places) * visit_total / place_total
    return expected >= MIN_EXPECTED and visits < expected * DISREGARD_FACTOR


def shares(user: Any, year: int) -> Shares:
    """¶36's question: each category's and region's share of the places open during the
    year against its share of the year's visits recorded in Habeas that the user may see."""
    from habeas.places.indicators import visited_places

    start, end = year_bounds(year)
    places = Place.objects.restrict(user, "view").filter(open_during(start))
    visits = seen_visits(user, end).filter(starts_on__gte=start)
    place_total = places.count()
    visit_total = visits.count()
    visited = visited_places(start, end, places=places, visits=visits)
    result: list[list[ShareRow]] = []
    for scope, column, names in _scopes():
        place_counts: dict[int, int] = defaultdict(int)
        for group in places.values_list(column, flat=True):
            if group is not None:
                place_counts[group] += 1
        visit_counts: dict[int, int] = defaultdict(int)
        for group in visits.values_list(f"place__{column}", flat=True):
            if group is not None:
                visit_counts[group] += 1
        rows = []
        for group, count in place_counts.items():
            expected = (
                (Decimal(count) * visit_total / place_total).quantize(Decimal("0.1"))
                if place_total
                else Decimal(0)
            )
            rows.append(
                ShareRow(
                    scope,
                    group,
                    names.get(group, "?"),
                    count,
                    _share(count, place_total),
                    visit_counts[group],
                    _share(visit_counts[group], visit_total),
                    is_flagged(count, place_total, visit_counts[group], visit_total),
                    expected,
                )
            )
        rows.sort(key=lambda row: (not row.flagged, -row.places, row.name))
        result.append(rows)
    return Shares(
        places=place_total,
        visits=visit_total,
        places_visited=len(visited.recorded),
        places_kept_only=len(visited.kept_only),
        categories=result[0],
        regions=result[1],
    )


def recommendation_figures(user: Any, year: int) -> RecommendationFigures:
    start, end = year_bounds(year)
    seen = Recommendation.objects.restrict(user, "view")
    issued = seen.filter(state=Recommendation.State.SENT, sent_on__gte=start, sent_on__lte=end)
    verified = (
        Verification.objects.restrict(user, "view")
        .filter(status=Implementation.ACHIEVED, verified_on__gte=start, verified_on__lte=end)
        .values("recommendation_id")
        .distinct()
    )
    return RecommendationFigures(
        issued=issued.count(),
        achieved=issued.filter(implementation=Implementation.ACHIEVED).count(),
        partly=issued.filter(implementation=Implementation.PARTIALLY_ACHIEVED).count(),
        achieved_in_year=verified.count(),
    )


def year_end(user: Any, year: int) -> YearEnd:
    """Every answer of the year-end view for `year`, as `user` may see it."""
    from django.conf import settings

    kinds = _kinds(year)
    money_planned = sum((row.money_planned for row in kinds), Decimal(0))
    money_spent = sum((row.money_spent for row in kinds), Decimal(0))
    found = shares(user, year)
    return YearEnd(
        year=year,
        currency=settings.HABEAS_CURRENCY,
        kinds=kinds,
        money_planned=money_planned,
        money_spent=money_spent,
        money_execution=selectors.execution(money_planned, money_spent),
        days_planned=sum((row.days_planned for row in kinds), Decimal(0)),
        days_spent=sum((row.days_spent for row in kinds), Decimal(0)),
        neglected=neglected(user, year),
        recommendations=recommendation_figures(user, year),
        places_total=found.places,
        visits_total=found.visits,
        places_visited=found.places_visited,
        places_kept_only=found.places_kept_only,
        categories=found.categories,
        regions=found.regions,
    )
