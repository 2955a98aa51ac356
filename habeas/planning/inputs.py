"""From the database to the solvers and back (¶10, 11, 35, 36).

`programme_input` turns a programme (its capacity, rules, pinned and added visits), the
inventory, the visits made and the risk scores into a `solver.types.ProgrammeInput`;
`team_input` turns planned visits and the people who visit into a `TeamInput`. Both read
everything in a handful of aggregate queries, whatever the number of places.

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
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from habeas.core import audit
from habeas.places.models import Authority, Category, Place, Region
from habeas.planning.models import (
    CategoryRule,
    DurationRule,
    PlaceRule,
    PlannedVisit,
    ProfessionCapacity,
    Programme,
    RegionCapacity,
    Unavailability,
)
from habeas.planning.solver import programme as programme_solver
from habeas.planning.solver.types import Person, ProgrammeInput, TeamInput, VisitNeed
from habeas.visits.models import TeamProfile, Training, TrainingRecord, Visit
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
# Staff-days a person can give to visits per week of the period when no profession
# capacity says otherwise (two days a week).
DEFAULT_DAYS_PER_WEEK = 2.0
CHILD_RIGHTS_TRAINING = "childrens-rights"
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


# -- the team builder's input -----------------------------------------------------------------


@dataclass
class TeamPrepared:
    inp: TeamInput
    planned: dict[int, PlannedVisit]  # visit key → planned visit
    people: dict[int, Any]  # person key → user


def _authority_chains(authority_ids: Iterable[int]) -> dict[int, set[int]]:
    parents = dict(Authority.objects.values_list("pk", "parent_id"))
    chains: dict[int, set[int]] = {}
    for start in authority_ids:
        seen: set[int] = set()
        node: int | None = start
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        chains[start] = seen
    return chains


def _languages(place_ids: list[int]) -> dict[int, frozenset[str]]:
    """The languages of the people held, as the last visit to each place recorded them."""
    found: dict[int, frozenset[str]] = {}
    for place_id, languages in (
        Visit.objects.filter(place_id__in=place_ids)
        .exclude(languages_needed=[])
        .order_by("place_id", "-starts_on", "-pk")
        .values_list("place_id", "languages_needed")
    ):
        if place_id not in found and languages:
            found[place_id] = frozenset(str(lang).strip().casefold() for lang in languages if lang)
    return found


def _people(programme: Programme, weeks: list[dt.date]) -> tuple[list[Person], dict[int, Any]]:
    from habeas.accounts import roles
    from habeas.accounts.models import User

    visiting = roles.PERMISSIONS["visits.record"]
    profiles = list(
        TeamProfile.objects.filter(user__is_active=True, user__role__in=visiting).select_related(
            "user"
        )
    )
    profiles = [p for p in profiles if not p.user.has_expired()]
    user_ids = [p.user_id for p in profiles]
    trained = set(
        TrainingRecord.objects.filter(
            user_id__in=user_ids, training__code=CHILD_RIGHTS_TRAINING
        ).values_list("user_id", flat=True)
    )
    away: dict[int, set[int]] = defaultdict(set)
    last_day = weeks[-1] + dt.timedelta(days=6)
    for item in Unavailability.objects.filter(
        user_id__in=user_ids, starts_on__lte=last_day, ends_on__gte=weeks[0]
    ):
        for w, monday in enumerate(weeks):
            if item.starts_on <= monday + dt.timedelta(days=6) and item.ends_on >= monday:
                away[item.user_id].add(w)
    per_profession = dict(
        ProfessionCapacity.objects.filter(programme=programme).values_list(
            "profession", "staff_days"
        )
    )
    counts: dict[str, int] = defaultdict(int)
    for profile in profiles:
        counts[profile.profession] += 1
    people: list[Person] = []
    users: dict[int, User] = {}
    for profile in profiles:
        user = profile.user
        external = profile.is_external or user.role == roles.Role.EXPERT
        stated = per_profession.get(profile.profession)
        max_days = (
            stated / counts[profile.profession]
            if stated is not None
            else DEFAULT_DAYS_PER_WEEK * len(weeks)
        )
        people.append(
            Person(
                key=user.pk,
                gender=profile.gender,
                medical=profile.is_medical,
                child_rights=user.pk in trained,
                languages=frozenset(
                    str(lang).strip().casefold() for lang in profile.languages or [] if lang
                ),
                minority=bool(profile.background.strip()),
                external=external,
                papers=bool(profile.terms_of_reference_on and profile.undertaking_signed_on),
                max_days=float(max_days),
                unavailable_weeks=frozenset(away.get(user.pk, set())),
            )
        )
        users[user.pk] = user
    return people, users


def team_input(programme: Programme, *, time_limit: float | None = None) -> TeamPrepared:
    """The team builder's instance: every planned visit of the programme and every person
    with a team profile who may take part in visits (external experts included)."""
    weeks = week_starts(programme)
    planned = list(
        PlannedVisit.objects.filter(programme=programme)
        .select_related("place", "place__category")
        .order_by("week_starts_on", "pk")
    )
    place_ids = [v.place_id for v in planned]
    groups: dict[int, set[str]] = defaultdict(set)
    for place_id, code in Place.groups.through.objects.filter(place_id__in=place_ids).values_list(
        "place_id", "populationgroup__code"
    ):
        groups[place_id].add(code)
    child_training = Training.objects.filter(code=CHILD_RIGHTS_TRAINING).first()
    child_codes = set(child_training.needed_for or []) if child_training else {"juvenile"}
    languages = _languages(place_ids)
    people, users = _people(programme, weeks)
    chains = _authority_chains({v.place.authority_id for v in planned if v.place.authority_id})
    conflicts: set[tuple[int, int]] = set()
    place_conflicts = TeamProfile.conflict_places.through.objects.filter(
        teamprofile__user_id__in=list(users), place_id__in=place_ids
    ).values_list("teamprofile__user_id", "place_id")
    by_place: dict[int, set[int]] = defaultdict(set)
    for user_id, place_id in place_conflicts:
        by_place[place_id].add(user_id)
    by_authority: dict[int, set[int]] = defaultdict(set)
    for user_id, authority_id in TeamProfile.conflict_authorities.through.objects.filter(
        teamprofile__user_id__in=list(users)
    ).values_list("teamprofile__user_id", "authority_id"):
        by_authority[authority_id].add(user_id)
    needs: list[VisitNeed] = []
    for visit in planned:
        place = visit.place
        codes = groups[place.pk] | {place.category.code}
        excluded = set(by_place[place.pk])
        for authority in chains.get(place.authority_id or 0, set()):
            excluded |= by_authority[authority]
        conflicts |= {(visit.pk, user_id) for user_id in excluded}
        needs.append(
            VisitNeed(
                key=visit.pk,
                week=week_index(weeks, visit.week_starts_on),
                days=float(visit.days),
                team_size=visit.team_size,
                medical=place.category.code in MEDICAL_CATEGORIES,
                child_rights=bool(codes & child_codes),
                woman="women" in codes,
                languages=languages.get(place.pk, frozenset()),
                minority="minorities" in codes,
            )
        )
    return TeamPrepared(
        inp=TeamInput(
            visits=needs,
            people=people,
            conflicts=frozenset(conflicts),
            time_limit=float(time_limit or programme.time_limit_seconds),
            seed=programme.pk or 0,
        ),
        planned={v.pk: v for v in planned},
        people=users,
    )


# -- the results back -------------------------------------------------------------------------
#
# A planned visit's reasons are `{"factor", "points", "params"}`: the top factors of its
# risk (params are the factor's figures, as a risk snapshot keeps them) and whether it was
# overdue, mandatory, pinned or added. Words are made at display time
# (`selectors.explain`), in the reader's language. The reprisal-watch factor is always
# kept masked here: a programme is read by people who may not see the watches.

TOP_FACTORS = 3
MASKED_FACTORS = frozenset({"watches"})


def risk_reasons(place_risk: Any | None) -> list[dict[str, Any]]:
    if place_risk is None:
        return []
    found = []
    for factor in place_risk.top(TOP_FACTORS):
        params = factor.as_json()
        if factor.factor in MASKED_FACTORS:
            params.update(value=None, detail={}, hidden=True)
        found.append({"factor": factor.factor, "points": round(factor.points, 1), "params": params})
    return found


def _overdue_at_end(candidate: Candidate, period_months: float) -> bool:
    return candidate.months_since + period_months >= candidate.max_interval  # as solver.due


def reasons_for(
    candidate: Candidate, place_risk: Any | None, period_months: float, source: str = ""
) -> list[dict[str, Any]]:
    """Why this place is in the programme: the NPM's choice first, then the rules, then
    its risk."""
    found: list[dict[str, Any]] = []
    if source == PlannedVisit.Source.ADDED:
        found.append({"factor": "added", "points": None, "params": {}})
    elif candidate.mandatory == "pinned":
        found.append({"factor": "pinned", "points": None, "params": {}})
    elif candidate.mandatory == "rule":
        found.append({"factor": "mandatory", "points": None, "params": {}})
    if candidate.follow_up_count:
        found.append(
            {
                "factor": "follow_up",
                "points": None,
                "params": {"count": candidate.follow_up_count},
            }
        )
    if _overdue_at_end(candidate, period_months):
        never = candidate.months_since >= NEVER_MONTHS
        found.append(
            {
                "factor": "overdue",
                "points": None,
                "params": {
                    "months": None if never else round(candidate.months_since),
                    "max": round(candidate.max_interval),
                },
            }
        )
    return found + risk_reasons(place_risk)


def planned_reasons(place_id: int, *, source: str) -> tuple[float | None, list[dict[str, Any]]]:
    """The risk score and reasons of a visit the NPM added itself."""
    from habeas.planning import risk

    weights = risk.current_weights()
    scores = risk.compute(
        place_ids=[place_id], today=timezone.localdate(), weights=weights.weights, viewer=None
    )
    place_risk = scores.get(place_id)
    reasons = [{"factor": source, "points": None, "params": {}}, *risk_reasons(place_risk)]
    return (place_risk.score if place_risk else None), reasons


def _open_pairs(programme: Programme) -> tuple[set[int], set[int]]:
    """The regions (at the level capacity is stated) and categories that hold open places:
    what ¶36 asks the programme not to disregard."""
    region_map = capacity_regions(
        RegionCapacity.objects.filter(programme=programme).values_list("region_id", flat=True)
    )
    rows = set(
        Place.objects.filter(status=Place.Status.OPEN)
        .order_by()
        .values_list("region_id", "category_id")
        .distinct()
    )
    return {region_map.get(r, r) for r, _c in rows if r is not None}, {c for _r, c in rows}


def left_out_now(programme: Programme) -> dict[str, list[int]]:
    """Regions and categories with open places and no visit in the programme (¶36)."""
    regions, categories = _open_pairs(programme)
    region_map = capacity_regions(
        RegionCapacity.objects.filter(programme=programme).values_list("region_id", flat=True)
    )
    planned = set(
        PlannedVisit.objects.filter(programme=programme)
        .order_by()
        .values_list("place__region_id", "place__category_id")
        .distinct()
    )
    visited_regions = {region_map.get(r, r) for r, _c in planned if r is not None}
    visited_categories = {c for _r, c in planned}
    return {
        "regions": sorted(regions - visited_regions),
        "categories": sorted(categories - visited_categories),
    }


def figures(prepared: Prepared, chosen: Any) -> dict[str, Any]:
    """The figures a programme and "most overdue first" are compared on. Regions and
    categories left out are counted as on the programme's page: among all that hold open
    places, avoided ones included, not only among the places the model could choose."""
    inp = prepared.inp
    mask = np.asarray(chosen, dtype=np.bool_)
    overdue = programme_solver.due(inp) & ~mask
    regions, categories = _open_pairs(prepared.programme)
    chosen_regions = {prepared.regions[int(r)] for r in inp.region[mask].tolist()}
    chosen_categories = {prepared.categories[int(c)] for c in inp.category[mask].tolist()}
    return {
        "risk_covered": round(float(inp.value[mask].sum()), 2),
        "places_overdue": int(overdue.sum()),
        "regions_left_out": len(regions - chosen_regions),
        "categories_left_out": len(categories - chosen_categories),
        "visits": int(mask.sum()),
    }


def explanations_for(prepared: Prepared, explained: Iterable[Any]) -> list[dict[str, Any]]:
    """The solver's explanations with region and category indices turned into ids (and
    the names they had, so pages need no further query)."""
    region_names = dict(Region.objects.filter(pk__in=prepared.regions).values_list("pk", "name"))
    category_names = dict(
        Category.objects.filter(pk__in=prepared.categories).values_list("pk", "name")
    )
    found = list(prepared.explanations)
    for item in explained:
        params = dict(item.params)
        if "region" in params:
            region = prepared.regions[int(params["region"])]
            params.update(region=region, region_name=region_names.get(region, ""))
        if "category" in params:
            category = prepared.categories[int(params["category"])]
            params.update(category=category, category_name=str(category_names.get(category, "")))
        found.append({"code": item.code, "params": params})
    return found


def store_result(
    prepared: Prepared,
    result: Any,
    scores: Mapping[int, Any],
    weights: Any,
    *,
    progress: tuple[int, int],
) -> None:
    """Write the solved plan: the pinned and added visits stay (their reasons refreshed),
    every other visit is replaced by the solver's choice; the summary goes on the
    programme and the programme is BUILT."""
    inp = prepared.inp
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=prepared.programme.pk)
        if programme.status != Programme.Status.QUEUED:
            return
        kept = {
            v.place_id: v for v in PlannedVisit.objects.filter(programme=programme, pinned=True)
        }
        PlannedVisit.objects.filter(programme=programme, pinned=False).delete()
        Programme.objects.filter(pk=programme.pk).update(progress=progress[0])
        new, refreshed = [], []
        for i in np.flatnonzero(result.chosen).tolist():
            candidate = prepared.candidates[i]
            place_risk = scores.get(candidate.place_id)
            score = place_risk.score if place_risk is not None else None
            visit = kept.get(candidate.place_id)
            if visit is not None:
                visit.reasons = reasons_for(candidate, place_risk, inp.period_months, visit.source)
                visit.risk_score = score
                refreshed.append(visit)
                continue
            week = prepared.weeks[max(0, int(result.week[i]))]
            new.append(
                PlannedVisit(
                    programme=programme,
                    place_id=candidate.place_id,
                    week_starts_on=week,
                    kind=candidate.kind,
                    days=candidate.days,
                    staff_days=Decimal(str(round(candidate.staff_days, 1))),
                    team_size=candidate.team_size,
                    source=PlannedVisit.Source.SOLVER,
                    pinned=False,
                    risk_score=score,
                    reasons=reasons_for(candidate, place_risk, inp.period_months),
                )
            )
        PlannedVisit.objects.bulk_create(new, batch_size=1000)
        PlannedVisit.objects.bulk_update(refreshed, ["reasons", "risk_score"], batch_size=1000)
        exceeded = [prepared.candidates[i].place_id for i in np.flatnonzero(result.exceeded)]
        Programme.objects.filter(pk=programme.pk).update(
            status=Programme.Status.BUILT,
            progress=progress[1],
            failure="",
            solver=result.solver[:16],
            objective=float(result.objective),
            bound=float(result.bound),
            gap=float(result.gap),
            solve_seconds=float(result.solve_seconds),
            greedy_objective=float(result.greedy_objective),
            comparison={
                "programme": figures(prepared, result.chosen),
                "greedy": figures(prepared, result.greedy_chosen),
                "status": result.status,
            },
            left_out=left_out_now(programme),
            exceeded=exceeded,
            explanations=explanations_for(prepared, result.explanations),
            weights=weights,
            built_at=timezone.now(),
        )
        audit.record(
            actor=None,
            action="planning.programme_solve",
            obj=programme,
            detail={
                "visits": len(new) + len(refreshed),
                "solver": result.solver,
                "status": result.status,
            },
        )


# -- teams back -------------------------------------------------------------------------------

OK_LEVEL, INFO_LEVEL, WARNING_LEVEL, BLOCK_LEVEL = "ok", "info", "warning", "block"


def team_checks_for(
    need: VisitNeed, members: list[int], prepared: TeamPrepared, result: Any
) -> list[dict[str, Any]]:
    """A proposal's checks: what is missing (`warning`, or `block` when no full team or no
    staff head of delegation), what limited the choice (`info`), and what holds (`ok`)."""
    from habeas.planning.solver import types

    unmet = list(result.unmet.get(need.key, []))
    blocking = {types.TEAM_SHORT, types.NO_STAFF_LEAD}
    checks = [
        {
            "code": item.code,
            "level": BLOCK_LEVEL if item.code in blocking else WARNING_LEVEL,
            "params": dict(item.params),
        }
        for item in unmet
    ]
    checks += [
        {"code": item.code, "level": INFO_LEVEL, "params": dict(item.params)}
        for item in result.binding.get(need.key, [])
    ]
    codes = {item.code for item in unmet}
    missing_languages = {
        str(item.params.get("language", "")) for item in unmet if item.code == types.NO_LANGUAGE
    }

    def ok(code: str, **params: Any) -> None:
        checks.append({"code": code, "level": OK_LEVEL, "params": params})

    if types.TEAM_SHORT not in codes:
        ok("team_full", count=len(members))
    if members and types.NO_STAFF_LEAD not in codes:
        ok("staff_lead")
    if need.medical and types.NO_MEDICAL not in codes:
        ok("medical_met")
    if need.child_rights and types.NO_CHILD_RIGHTS not in codes:
        ok("child_rights_met")
    if need.woman and types.NO_WOMAN not in codes:
        ok("woman_met")
    for language in sorted(need.languages - missing_languages):
        ok("language_met", language=language)
    if need.minority and types.NO_MINORITY not in codes:
        ok("minority_met")
    ok("conflicts_checked")
    return checks


def adopt_visits(*, actor: Any, programme: Programme) -> tuple[list[Visit], int]:
    """Create a planned Visit for each planned visit (inside the adoption's transaction):
    led by the proposed head of delegation when one may lead, else by the actor, with the
    proposed members who can join (one a check blocks is left out, and counted)."""
    from habeas.accounts import roles
    from habeas.accounts.models import User
    from habeas.visits import services as visit_services

    planned = list(
        PlannedVisit.objects.filter(programme=programme, visit__isnull=True)
        .select_related("place", "team_proposal")
        .order_by("week_starts_on", "pk")
    )
    wanted = {
        member["user"]
        for visit in planned
        if hasattr(visit, "team_proposal")
        for member in visit.team_proposal.members
    }
    users = User.objects.in_bulk(list(wanted))
    created: list[Visit] = []
    skipped = 0
    label = programme.title or programme.period
    for item in planned:
        proposal = getattr(item, "team_proposal", None)
        team = [
            users[m["user"]] for m in (proposal.members if proposal else []) if m["user"] in users
        ]
        lead = next(
            (
                user
                for user in team[:1]
                if user.is_active
                and roles.can(user, "visits.record")
                and user.role != roles.Role.EXPERT
            ),
            actor,
        )
        visit = visit_services.visit_create(
            actor=actor,
            data={
                "place": item.place,
                "kind": item.kind,
                "announced": False,
                "starts_on": item.week_starts_on,
                "ends_on": item.week_starts_on + dt.timedelta(days=visit_days(item.days) - 1),
                "objectives": _("Planned in the visit programme %(programme)s.")
                % {"programme": label},
                "lead": lead,
            },
        )
        for user in team:
            if user.pk == lead.pk:
                continue
            try:
                visit_services.team_add(actor=actor, visit=visit, user=user)
            except ValidationError:
                skipped += 1
        item.visit = visit
        created.append(visit)
    PlannedVisit.objects.bulk_update(planned, ["visit"], batch_size=1000)
    return created, skipped
