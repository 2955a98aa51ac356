"""Reads of the strategic plan and its money (¶5, 35, 36).

Public helpers other parts call (keep their names):

- `activity_spent_staff_days(activity) -> Decimal | None`: the staff-days an activity
  used. For a visits activity they are counted from the visits: over the visits that
  took place in the activity's year (first day in the year, state past "prepared") at
  places of its categories and regions (every place when none is chosen; a region
  includes the districts within it), the sum of
  (days of the visit × members of its team), interpreters not counted. For any other
  kind it is the figure entered, or None when none was.
- `budget_totals(year) -> dict`: the year's budget lines, planned and spent, per kind
  and in total, with the execution rate.
- `year_end(user, year)`: the year-end view's answers (`habeas.strategy.yearend`).

These figures are the NPM's own management data, counted over all its records (like the
self-assessment's indicators); pages that list visits list only those the reader may
see (`Visit.objects.restrict`). Pages reach the plan through `restrict(user, "view")`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from habeas.places.selectors import region_descendant_ids
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective
from habeas.visits.models import TeamAssignment, Visit

if TYPE_CHECKING:
    from habeas.strategy.yearend import YearEnd

ZERO = Decimal(0)
MAX_ID = 2**63 - 1
# Visits that took place: anything past "planned" and "prepared".
HAPPENED = [
    state
    for state in Visit.State.values
    if state not in (Visit.State.PLANNED, Visit.State.PREPARED)
]


def _number(pk: Any) -> int:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number <= MAX_ID:
        raise Http404
    return number


# -- staff-days from the visits -----------------------------------------------------------------


def year_visits(year: int) -> QuerySet[Visit]:
    """Every visit that took place in `year` (first day in the year, state past prepared)."""
    return Visit.objects.filter(
        state__in=HAPPENED,
        starts_on__gte=dt.date(year, 1, 1),
        starts_on__lte=dt.date(year, 12, 31),
    )


def covered_visits(activity: Activity) -> QuerySet[Visit]:
    """The visits a visits activity covers: those of its year at places of its categories
    and regions (any place when none is chosen). A region covers the areas within it (a
    place in a district counts for the district's region). Not narrowed to a reader:
    narrow with `Visit.objects.restrict` before listing them."""
    visits = year_visits(activity.year)
    categories = [c.pk for c in activity.categories.all()]
    regions = [r.pk for r in activity.regions.all()]
    if categories:
        visits = visits.filter(place__category__in=categories)
    if regions:
        visits = visits.filter(place__region__in=sorted(region_descendant_ids(regions)))
    return visits


@dataclass(frozen=True)
class VisitDays:
    """How one visit counts: its days × its team members (interpreters not counted)."""

    visit: Visit
    days: int
    members: int
    interpreters: int

    @property
    def staff_days(self) -> Decimal:
        return Decimal(self.days * self.members)


def visit_days(visits: QuerySet[Visit]) -> list[VisitDays]:
    """Each visit with its days and team size, earliest first."""
    interpreter = Q(team__role=TeamAssignment.Role.INTERPRETER)
    rows = (
        visits.select_related("place")
        .annotate(
            members=Count("team", filter=~interpreter, distinct=True),
            interpreters=Count("team", filter=interpreter, distinct=True),
        )
        .order_by("starts_on", "pk")
    )
    return [
        VisitDays(
            visit=visit,
            days=max((visit.ends_on - visit.starts_on).days + 1, 1),
            members=visit.members,  # type: ignore[attr-defined]
            interpreters=visit.interpreters,  # type: ignore[attr-defined]
        )
        for visit in rows
    ]


def staff_days_of(visits: QuerySet[Visit]) -> Decimal:
    return sum((row.staff_days for row in visit_days(visits)), ZERO)


def activity_spent_staff_days(activity: Activity) -> Decimal | None:
    """The staff-days the activity used: counted from the visits for a visits activity,
    else as entered (None when nothing was entered)."""
    if activity.kind == ActivityKind.VISITS:
        return staff_days_of(covered_visits(activity))
    return activity.spent_staff_days


# -- money ---------------------------------------------------------------------------------------


def execution(planned: Decimal, spent: Decimal) -> Decimal | None:
    """Spent as a share (%) of planned, one decimal; None when nothing was planned."""
    if not planned:
        return None
    return (Decimal(100) * spent / planned).quantize(Decimal("0.1"))


def budget_totals(year: int) -> dict[str, Any]:
    """The year's budget lines, planned and spent, per kind and in total.

    {"year": 2025, "planned": Decimal, "spent": Decimal, "lines": int,
     "execution": Decimal | None,
     "by_kind": {kind: {"label", "planned", "spent", "lines", "execution"}} (every kind)}
    """
    rows = {
        row["kind"]: row
        for row in BudgetLine.objects.filter(year=year)
        .order_by()
        .values("kind")
        .annotate(planned=Sum("planned"), spent=Sum("spent"), lines=Count("pk"))
    }
    by_kind: dict[str, dict[str, Any]] = {}
    for kind, label in ActivityKind.choices:
        row = rows.get(kind, {})
        planned, spent = row.get("planned") or ZERO, row.get("spent") or ZERO
        by_kind[kind] = {
            "label": label,
            "planned": planned,
            "spent": spent,
            "lines": row.get("lines", 0),
            "execution": execution(planned, spent),
        }
    planned = sum((k["planned"] for k in by_kind.values()), ZERO)
    spent = sum((k["spent"] for k in by_kind.values()), ZERO)
    return {
        "year": year,
        "planned": planned,
        "spent": spent,
        "lines": sum(k["lines"] for k in by_kind.values()),
        "execution": execution(planned, spent),
        "by_kind": by_kind,
    }


def staff_days_totals(year: int) -> dict[str, dict[str, Any]]:
    """Per kind: planned staff-days (entered on the year's activities) and spent ones.

    Spent: for visits, the staff-days of the visits the year's visits activities cover,
    each visit counted once even when two activities cover it; for the other kinds, the
    sum of the figures entered, with how many activities have none yet (`missing`)."""
    activities = Activity.objects.filter(year=year).prefetch_related("categories", "regions")
    result: dict[str, dict[str, Any]] = {
        kind: {"label": label, "planned": ZERO, "spent": ZERO, "activities": 0, "missing": 0}
        for kind, label in ActivityKind.choices
    }
    visit_ids: set[int] = set()
    for activity in activities:
        row = result[activity.kind]
        row["activities"] += 1
        row["planned"] += activity.planned_staff_days
        if activity.kind == ActivityKind.VISITS:
            visit_ids |= set(covered_visits(activity).values_list("pk", flat=True))
        elif activity.spent_staff_days is None:
            row["missing"] += 1
        else:
            row["spent"] += activity.spent_staff_days
    if visit_ids:
        result[ActivityKind.VISITS]["spent"] = staff_days_of(Visit.objects.filter(pk__in=visit_ids))
    return result


# -- the plan ---------------------------------------------------------------------------------


def objectives(user: Any, year: int | None = None) -> QuerySet[Objective]:
    """The objectives the user may see, in their order, each with its activities (of
    `year` only when given) prefetched."""
    activities = Activity.objects.restrict(user, "view").prefetch_related("categories", "regions")
    if year is not None:
        activities = activities.filter(year=year)
    rows = Objective.objects.restrict(user, "view")
    if year is not None:
        rows = rows.filter(first_year__lte=year, last_year__gte=year)
    return rows.prefetch_related(
        Prefetch("activities", queryset=activities.order_by("year", "kind", "pk"))
    )


def objective_detail(user: Any, pk: Any) -> Objective:
    objective = objectives(user).filter(pk=_number(pk)).first()
    if objective is None:
        raise Http404
    return objective


def activity_detail(user: Any, pk: Any) -> Activity:
    activity = (
        Activity.objects.restrict(user, "view")
        .select_related("objective", "created_by")
        .prefetch_related("categories", "regions", "budget_lines")
        .filter(pk=_number(pk))
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def lines(user: Any, year: int) -> QuerySet[BudgetLine]:
    return (
        BudgetLine.objects.restrict(user, "view")
        .filter(year=year)
        .select_related("activity")
        .order_by("kind", "label", "pk")
    )


def line_detail(user: Any, pk: Any) -> BudgetLine:
    line = BudgetLine.objects.restrict(user, "view").filter(pk=_number(pk)).first()
    if line is None:
        raise Http404
    return line


def years_in_use(user: Any) -> list[int]:
    """The years that have activities or budget lines the user may see, latest first."""
    found = set(
        Activity.objects.restrict(user, "view").values_list("year", flat=True).distinct()
    ) | set(BudgetLine.objects.restrict(user, "view").values_list("year", flat=True).distinct())
    return sorted(found, reverse=True)


def year_end(user: Any, year: int) -> YearEnd:
    """The year-end view's answers for `year`, as `user` may see them."""
    from habeas.strategy.yearend import year_end as build

    return build(user, year)
