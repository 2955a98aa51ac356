"""The solvers' contract: what planning gives them and what they return."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

# Codes of the explanations the solvers return; pages turn them into sentences.
CAPACITY_EXCEEDED_BY_MANDATORY = "capacity_exceeded_by_mandatory"  # params: region, need, have
REGION_MINIMUM_UNREACHABLE = "region_minimum_unreachable"  # params: region, minimum, possible
CATEGORY_MINIMUM_UNREACHABLE = "category_minimum_unreachable"  # params: category, minimum, possible
MEDICAL_CAPACITY_SHORT = "medical_capacity_short"  # params: need, have
NO_CAPACITY = "no_capacity"  # params: region
INTERVAL_UNREACHABLE = "interval_unreachable"  # params: count (places due that cannot fit)
VISIT_SLOTS_EXCEEDED_BY_MANDATORY = "visit_slots_exceeded_by_mandatory"  # params: need, have


@dataclass(frozen=True)
class Explanation:
    code: str
    params: dict[str, float | int | str] = field(default_factory=dict)


@dataclass
class ProgrammeInput:
    """One period's instance. Index i runs over candidate places (n), r over regions (R),
    c over categories (C), w over the period's weeks (W).

    Capacities are already net of the reserve. A visit to place i uses `staff_days[i]`
    of its region's capacity (its days × its team size) and, where a medical member is
    needed, `medical_days[i]` of the medical capacity. Visits to the same `cluster` in
    the same week share one trip, which costs `trip_overhead` staff-days of the region's
    capacity (0 disables trips).
    """

    weeks: int
    value: NDArray[np.float64]  # (n,) risk score, >= 0
    region: NDArray[np.int64]  # (n,) 0..R-1
    category: NDArray[np.int64]  # (n,) 0..C-1
    cluster: NDArray[np.int64]  # (n,) trip cluster (region or distance cluster)
    staff_days: NDArray[np.float64]  # (n,)
    medical_days: NDArray[np.float64]  # (n,) 0 where no medical member is needed
    months_since: NDArray[
        np.float64
    ]  # (n,) since the last in-depth visit at the start; 1e3 if never
    max_interval: NDArray[np.float64]  # (n,) months
    mandatory: NDArray[np.bool_]  # (n,) must be visited (pinned, proposed follow-ups)
    fixed_week: NDArray[np.int64]  # (n,) -1, or the week a pinned visit must stay in
    avoid: NDArray[np.bool_]  # (n,) must not be visited this period
    region_capacity: NDArray[np.float64]  # (R,) staff-days for the period
    week_capacity_share: float = 0.15  # no week takes more than this share of a region's capacity
    medical_capacity: float | None = None  # staff-days of medical members; None = no limit
    region_min: NDArray[np.int64] | None = None  # (R,) minimum visits per region
    category_min: NDArray[np.int64] | None = None  # (C,) minimum visits per category
    period_months: float = 3.0
    coverage_weight: float = 20.0  # value of visiting a place at its maximum interval
    trip_overhead: float = 0.0
    time_limit: float = 60.0
    seed: int = 0
    # The visits the teams can make in the period, net of the reserve (visit slots);
    # None = no cap.
    max_visits: int | None = None


@dataclass
class ProgrammeResult:
    chosen: NDArray[np.bool_]  # (n,)
    week: NDArray[np.int64]  # (n,) -1 when not chosen
    objective: float
    bound: float  # proven upper bound on the objective
    gap: float  # (bound - objective) / max(|bound|, 1e-9); 0 when proven optimal
    solver: str  # "highs", "cp-sat" or "greedy"
    status: str  # "optimal", "feasible" or "infeasible"
    solve_seconds: float
    greedy_objective: float  # the "most overdue first" list on the same objective
    greedy_chosen: NDArray[np.bool_]  # (n,)
    exceeded: NDArray[np.bool_]  # (n,) max interval exceeded by the period's end, not chosen
    left_out_regions: list[int]  # regions with candidate places and no visit
    left_out_categories: list[int]
    explanations: list[Explanation] = field(default_factory=list)
    build_seconds: float = 0.0  # rules, first plan and model, before the engines start
    engines: dict[str, dict[str, float | bool]] = field(default_factory=dict)
    # engine name -> {"objective", "bound", "optimal", "seconds"}: what each engine reached


@dataclass
class VisitNeed:
    """A planned visit as the team builder sees it."""

    key: int
    week: int
    days: float
    team_size: int
    medical: bool = False  # a doctor, psychiatrist or nurse
    child_rights: bool = False  # someone trained in children's rights
    woman: bool = False  # the place holds women
    languages: frozenset[str] = frozenset()
    minority: bool = False  # a member of a declared minority background, where asked


@dataclass
class Person:
    key: int
    gender: str  # TeamProfile.Gender
    medical: bool
    child_rights: bool
    languages: frozenset[str]
    minority: bool
    external: bool
    papers: bool  # for externals: terms of reference and signed undertaking
    max_days: float  # staff-days this person can give in the period
    unavailable_weeks: frozenset[int] = frozenset()


@dataclass
class TeamInput:
    visits: list[VisitNeed]
    people: list[Person]
    conflicts: frozenset[tuple[int, int]]  # (visit key, person key): hard exclusion
    time_limit: float = 60.0
    seed: int = 0


@dataclass
class TeamResult:
    members: dict[int, list[int]]  # visit key -> person keys, the first one leads
    unmet: dict[int, list[Explanation]]  # visit key -> what is missing (codes below)
    binding: dict[int, list[Explanation]]  # visit key -> constraints that limited the choice
    objective: float
    initial_objective: float  # the greedy plan's, before improvement
    initial_seconds: float
    solve_seconds: float
    solver: str


# Team explanation codes.
TEAM_SHORT = "team_short"  # params: have, need
NO_MEDICAL = "no_medical"
NO_CHILD_RIGHTS = "no_child_rights"
NO_WOMAN = "no_woman"
NO_LANGUAGE = "no_language"  # params: language
NO_MINORITY = "no_minority"
NO_STAFF_LEAD = "no_staff_lead"  # only external experts available: no head of delegation
CONFLICTS_EXCLUDED = "conflicts_excluded"  # params: count
UNAVAILABLE_EXCLUDED = "unavailable_excluded"  # params: count
PAPERS_EXCLUDED = "papers_excluded"  # params: count (externals without papers)
WORKLOAD_LIMIT = "workload_limit"  # params: count (people at their maximum)
