"""From the database to the programme's solver (¶10, 35, 36).

`programme_input` turns a programme (its capacity, rules, pinned and added visits), the
inventory, the visits made and the risk scores into a `solver.types.ProgrammeInput`,
reading everything in a handful of aggregate queries, whatever the number of places.
The solver's answer is written back by `results`; the team builder's input and its
proposals are `inputs_teams`.

The rules, as a head of an NPM can check them:

- candidates are the open places, less those the programme avoids; places without a
  region cannot be counted against any capacity and are reported;
- a visit lasts what the duration rules say for the place's category and size: the rule
  with the largest "from a capacity of" not above the place's capacity (a place without
  a stated capacity takes the category's smallest rule); it uses days × team size
  staff-days of its region, and, for psychiatric and social-care places, the days of one
  medical member;
- each region's staff-days (and the medical staff-days) are net of the share kept in
  reserve for urgent and follow-up visits;
- the capacity of a place is that of the nearest region above it (itself included) with a
  stated capacity, else its top region;
- time since the last in-depth visit is counted at the period's start from the last
  in-depth visit that took place; never visited counts as 1,000 months;
- the maximum interval is the programme's rule for the category, else the category's own,
  else the programme's default;
- mandatory: places the programme names, follow-up visits proposed from overdue key
  recommendations (unless one is already planned) and visits pinned or added by the NPM,
  which also keep their week.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from habeas.places.models import Category, Place, Region
from habeas.planning.models import (
    CategoryRule,
    DurationRule,
    PlaceRule,
    PlannedVisit,
    ProfessionCapacity,
    Programme,
    RegionCapacity,
)
from habeas.planning.solver.types import ProgrammeInput
from habeas.visits.models import Visit
from habeas.visits.team_checks import MEDICAL_CATEGORIES

NEVER_MONTHS = 1e3
DAYS_PER_MONTH = 30.4375
MEDICAL_PROFESSIONS = ("doctor", "psychiatrist", "nurse")
# Visits that happened: everything past "prepared".
HAPPENED = (
    Visit.State.IN_PROGRESS,
    Visit.State.DEBRIEFED,
    Visit.State.REPORT_DRAFTED,
    Visit.State.REPORT_SENT,
    Visit.State.RESPONSE_RECEIVED,
    Visit.State.CLOSED,
)
# When a category has no duration rule at all.
FALLBACK_DURATION = (Decimal("1"), Decimal("0.5"), 2)
KM_PER_DEGREE = 111.32
PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


# -- the period -------------------------------------------------------------------------------


def parse_period(period: str) -> tuple[str, dt.date, dt.date]:
    """ "2027-Q1" or "2027" → (the period as written, its first day, its last day)."""
    text = (period or "").strip().upper()
    match = PERIOD.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2999:
        raise ValidationError(
            {"period": _("Give a quarter such as 2027-Q1, or a year such as 2027.")}
        )
    year = int(match.group(1))
    if match.group(2) is None:
        return text, dt.date(year, 1, 1), dt.date(year, 12, 31)
    quarter = int(match.group(2))
    starts = dt.date(year, 3 * quarter - 2, 1)
    ends = (
        dt.date(year, 12, 31)
        if quarter == 4
        else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
    )
    return text, starts, ends


def is_year(programme: Programme) -> bool:
    return "Q" not in programme.period


def week_starts(programme: Programme) -> list[dt.date]:
    """The Mondays the period's weeks start on: 13 for a quarter, 52 for a year, from the
    first Monday on or after the period's first day."""
    first = programme.starts_on + dt.timedelta(days=(7 - programme.starts_on.weekday()) % 7)
    count = 52 if is_year(programme) else 13
    return [first + dt.timedelta(weeks=w) for w in range(count)]


def week_index(weeks: list[dt.date], day: dt.date) -> int:
    """The week a day falls in, clipped to the period."""
    offset = (day - weeks[0]).days // 7
    return max(0, min(len(weeks) - 1, offset))


def visit_days(days: Decimal | float) -> int:
    """Calendar days a visit of `days` working days spans (half a day takes one)."""
    return max(1, math.ceil(float(days)))


# -- durations ------------------------------------------------------------------------------


def duration_rules() -> dict[int, list[DurationRule]]:
    rules: dict[int, list[DurationRule]] = defaultdict(list)
    for rule in DurationRule.objects.order_by("category_id", "capacity_from"):
        rules[rule.category_id].append(rule)
    return rules


def duration(
    rules: Mapping[int, list[DurationRule]], category_id: int, capacity: int | None, kind: str
) -> tuple[Decimal, int]:
    """(days, team size) of a visit of `kind` to a place of this category and capacity."""
    found = rules.get(category_id) or []
    if not found:
        in_depth, follow_up, team = FALLBACK_DURATION
        return (follow_up if kind == Visit.Kind.FOLLOW_UP else in_depth), team
    rule = found[0]
    if capacity is not None:
        for candidate in found:
            if candidate.capacity_from <= capacity:
                rule = candidate
    days = rule.follow_up_days if kind == Visit.Kind.FOLLOW_UP else rule.in_depth_days
    return Decimal(days), rule.team_size


# -- regions --------------------------------------------------------------------------------


def capacity_regions(with_capacity: Iterable[int]) -> dict[int, int]:
    """For every region, the region whose capacity it counts against: the nearest one
    above it (itself included) with a stated capacity, else its top region."""
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    stated = set(with_capacity)
    found: dict[int, int] = {}
    for region in parents:
        node: int | None = region
        top = region
        seen: set[int] = set()
        chosen = None
        while node is not None and node not in seen:
            seen.add(node)
            if node in stated:
                chosen = node
                break
            top = node
            node = parents.get(node)
        found[region] = chosen if chosen is not None else top
    return found


def net_capacity(programme: Programme, staff_days: float) -> float:
    """Staff-days left for the programme once the reserve is kept back."""
    return float(staff_days) * (1.0 - float(programme.reserve_share))


def net_visits(programme: Programme) -> int | None:
    """The visits the programme may plan once the reserve's share is kept back (None: no
    limit but staff-days)."""
    if not programme.max_visits:
        return None
    return int(programme.max_visits * (1.0 - float(programme.reserve_share)))


def medical_capacity(programme: Programme) -> float | None:
    rows = list(
        ProfessionCapacity.objects.filter(
            programme=programme, profession__in=MEDICAL_PROFESSIONS
        ).values_list("staff_days", flat=True)
    )
    return net_capacity(programme, sum(rows)) if rows else None


# -- the programme's input --------------------------------------------------------------------


@dataclass
class Candidate:
    """One candidate place as the programme sees it."""

    place_id: int
    region_id: int  # the region its capacity counts against
    category_id: int
    kind: str
    days: Decimal
    team_size: int
    staff_days: float
    medical: bool
    months_since: float
    max_interval: float
    mandatory: str = ""  # "", "rule", "follow_up", "pinned"
    follow_up_count: int = 0
    fixed_week: int = -1


@dataclass
class Prepared:
    """A programme's solver input, with what is needed to read its answer back."""

    programme: Programme
    weeks: list[dt.date]
    candidates: list[Candidate]
    regions: list[int]  # solver index → region id
    categories: list[int]
    inp: ProgrammeInput
    explanations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def index(self) -> dict[int, int]:
        return {c.place_id: i for i, c in enumerate(self.candidates)}


def last_in_depth(place_ids: Iterable[int] | None, before: dt.date) -> dict[int, dt.date]:
    """The last day of the last in-depth visit that happened at each place before `before`."""
    rows = Visit.objects.filter(kind=Visit.Kind.IN_DEPTH, state__in=HAPPENED, starts_on__lt=before)
    if place_ids is not None:
        rows = rows.filter(place_id__in=list(place_ids))
    return dict(
        rows.order_by().values("place").annotate(last=Max("ends_on")).values_list("place", "last")
    )


def proposed_follow_ups(today: dt.date) -> dict[int, int]:
    """Places proposed for a follow-up visit (recommendations.proposals' rule, read as the
    system: the programme must see every place): place id → overdue recommendations.
    A place that already has a follow-up visit not closed is not proposed again."""
    from habeas.recommendations.models import FollowUpRule, Recommendation
    from habeas.recommendations.proposals import overdue_filter

    rule = FollowUpRule.current()
    rows = (
        Recommendation.objects.filter(overdue_filter(today, rule))
        .order_by()
        .values("place")
        .annotate(count=Count("pk"))
        .filter(count__gte=rule.threshold)
        .values_list("place", "count")
    )
    proposed = dict(rows)
    planned = set(
        Visit.objects.filter(place_id__in=list(proposed), kind=Visit.Kind.FOLLOW_UP)
        .exclude(state=Visit.State.CLOSED)
        .values_list("place_id", flat=True)
    )
    return {place: count for place, count in proposed.items() if place not in planned}


def _clusters(
    programme: Programme, rows: list[dict[str, Any]], region_of: list[int]
) -> NDArray[np.int64]:
    """Trip clusters: the region, or grid cells of the trip radius within a region."""
    if programme.trip_sharing != Programme.TripSharing.DISTANCE:
        return np.asarray(region_of, dtype=np.int64)
    radius = max(1.0, float(programme.trip_radius_km))
    keys: dict[tuple[int, int, int], int] = {}
    out = []
    for row, region in zip(rows, region_of, strict=True):
        lat, lon = row["latitude"], row["longitude"]
        if lat is None or lon is None:
            key = (region, -(10**9), 0)
        else:
            lat_f, lon_f = float(lat), float(lon)
            x = lon_f * KM_PER_DEGREE * math.cos(math.radians(lat_f))
            y = lat_f * KM_PER_DEGREE
            key = (region, math.floor(x / radius), math.floor(y / radius))
        out.append(keys.setdefault(key, len(keys)))
    return np.asarray(out, dtype=np.int64)


def programme_input(
    programme: Programme,
    *,
    today: dt.date,
    values: Mapping[int, float],
    time_limit: float | None = None,
) -> Prepared:
    """The solver's instance for `programme`; `values` is each place's risk score."""
    weeks = week_starts(programme)
    place_rules = {r.place_id: r for r in PlaceRule.objects.filter(programme=programme)}
    avoided = {pid for pid, r in place_rules.items() if r.kind == PlaceRule.Kind.AVOID}
    fixed = {
        v.place_id: v
        for v in PlannedVisit.objects.filter(programme=programme, pinned=True).only(
            "place_id", "kind", "week_starts_on"
        )
    }
    rows = list(
        Place.objects.filter(status=Place.Status.OPEN)
        .exclude(pk__in=[pid for pid in avoided if pid not in fixed])
        .order_by("pk")
        .values("pk", "region_id", "category_id", "capacity", "latitude", "longitude")
    )
    explanations: list[dict[str, Any]] = []
    without_region = [row for row in rows if row["region_id"] is None]
    if without_region:
        explanations.append(
            {"code": "places_without_region", "params": {"count": len(without_region)}}
        )
        rows = [row for row in rows if row["region_id"] is not None]
    capacities = {c.region_id: c for c in RegionCapacity.objects.filter(programme=programme)}
    region_map = capacity_regions(capacities)
    category_rows = {c.pk: c for c in Category.objects.all()}
    category_rules = {r.category_id: r for r in CategoryRule.objects.filter(programme=programme)}
    rules = duration_rules()
    last = last_in_depth(None, programme.starts_on)
    follow_ups = proposed_follow_ups(today)
    medical_codes = {pk for pk, c in category_rows.items() if c.code in MEDICAL_CATEGORIES}

    candidates: list[Candidate] = []
    for row in rows:
        pid, category_id = row["pk"], row["category_id"]
        candidate = _candidate(
            programme,
            row,
            region_id=region_map.get(row["region_id"], row["region_id"]),
            rule=place_rules.get(pid),
            pinned=fixed.get(pid),
            follow_up=follow_ups.get(pid, 0),
            rules=rules,
            last=last.get(pid),
            max_interval=_max_interval(
                programme, category_rows.get(category_id), category_rules.get(category_id)
            ),
            medical=category_id in medical_codes,
            weeks=weeks,
        )
        candidates.append(candidate)

    regions = sorted({c.region_id for c in candidates} | set(capacities))
    region_index = {r: i for i, r in enumerate(regions)}
    categories = sorted({c.category_id for c in candidates} | set(category_rules))
    category_index = {c: i for i, c in enumerate(categories)}
    region_of = [region_index[c.region_id] for c in candidates]
    trips = programme.trip_sharing != Programme.TripSharing.NONE
    overhead = float(programme.trip_overhead_days)
    staff = [c.staff_days + (0.0 if trips else overhead) for c in candidates]
    inp = ProgrammeInput(
        weeks=len(weeks),
        value=np.asarray([max(0.0, float(values.get(c.place_id, 0.0))) for c in candidates]),
        region=np.asarray(region_of, dtype=np.int64),
        category=np.asarray([category_index[c.category_id] for c in candidates], dtype=np.int64),
        cluster=_clusters(programme, rows, region_of),
        staff_days=np.asarray(staff, dtype=np.float64),
        medical_days=np.asarray(
            [float(c.days) if c.medical else 0.0 for c in candidates], dtype=np.float64
        ),
        months_since=np.asarray([c.months_since for c in candidates], dtype=np.float64),
        max_interval=np.asarray([c.max_interval for c in candidates], dtype=np.float64),
        mandatory=np.asarray([bool(c.mandatory) for c in candidates], dtype=np.bool_),
        fixed_week=np.asarray([c.fixed_week for c in candidates], dtype=np.int64),
        avoid=np.zeros(len(candidates), dtype=np.bool_),
        region_capacity=np.asarray(
            [
                net_capacity(programme, capacities[r].staff_days) if r in capacities else 0.0
                for r in regions
            ],
            dtype=np.float64,
        ),
        medical_capacity=medical_capacity(programme),
        max_visits=net_visits(programme),
        region_min=np.asarray(
            [capacities[r].min_visits if r in capacities else 0 for r in regions], dtype=np.int64
        ),
        category_min=np.asarray(
            [category_rules[c].min_visits if c in category_rules else 0 for c in categories],
            dtype=np.int64,
        ),
        period_months=12.0 if is_year(programme) else 3.0,
        trip_overhead=overhead if trips else 0.0,
        time_limit=float(time_limit or programme.time_limit_seconds),
        seed=programme.pk or 0,
    )
    return Prepared(
        programme=programme,
        weeks=weeks,
        candidates=candidates,
        regions=regions,
        categories=categories,
        inp=inp,
        explanations=explanations,
    )


def _max_interval(
    programme: Programme, category: Category | None, rule: CategoryRule | None
) -> float:
    if rule is not None and rule.max_interval_months:
        return float(rule.max_interval_months)
    if category is not None and category.max_interval_months:
        return float(category.max_interval_months)
    return float(programme.default_max_interval_months)


def _candidate(
    programme: Programme,
    row: Mapping[str, Any],
    *,
    region_id: int,
    rule: PlaceRule | None,
    pinned: PlannedVisit | None,
    follow_up: int,
    rules: Mapping[int, list[DurationRule]],
    last: dt.date | None,
    max_interval: float,
    medical: bool,
    weeks: list[dt.date],
) -> Candidate:
    mandatory, kind, fixed_week = "", Visit.Kind.IN_DEPTH.value, -1
    if pinned is not None:
        mandatory, kind = "pinned", pinned.kind
        fixed_week = week_index(weeks, pinned.week_starts_on)
    elif rule is not None and rule.kind == PlaceRule.Kind.MANDATORY:
        default = Visit.Kind.FOLLOW_UP if follow_up else Visit.Kind.IN_DEPTH
        mandatory, kind = "rule", rule.visit_kind or default
    elif follow_up:
        mandatory, kind = "follow_up", Visit.Kind.FOLLOW_UP
    days, team = duration(rules, row["category_id"], row["capacity"], kind)
    months = (
        NEVER_MONTHS
        if last is None
        else max(0.0, (programme.starts_on - last).days / DAYS_PER_MONTH)
    )
    return Candidate(
        place_id=row["pk"],
        region_id=region_id,
        category_id=row["category_id"],
        kind=kind,
        days=days,
        team_size=team,
        staff_days=float(days) * team,
        medical=medical,
        months_since=months,
        max_interval=max_interval,
        mandatory=mandatory,
        follow_up_count=follow_up,
        fixed_week=fixed_week,
    )
