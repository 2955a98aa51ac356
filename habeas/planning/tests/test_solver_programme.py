"""The visit programme's solver: hard rules, explanations, greedy baseline, bound."""

from __future__ import annotations

import io
import json
import threading
import time
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habeas.planning.benchgen import generate
from habeas.planning.solver.greedy import greedy, week_capacity
from habeas.planning.solver.programme import _rules, _start, due, profit, solve
from habeas.planning.solver.programme_model import Model, solve_cpsat, solve_highs
from habeas.planning.solver.types import (
    CAPACITY_EXCEEDED_BY_MANDATORY,
    CATEGORY_MINIMUM_UNREACHABLE,
    INTERVAL_UNREACHABLE,
    NO_CAPACITY,
    REGION_MINIMUM_UNREACHABLE,
    VISIT_SLOTS_EXCEEDED_BY_MANDATORY,
    ProgrammeInput,
    ProgrammeResult,
)

EPS = 1e-6


def instance(n: int, **fields: Any) -> ProgrammeInput:
    """n places in region 0, category 0, one cluster, 1 staff-day each, none due."""
    base: dict[str, Any] = {
        "weeks": 4,
        "value": np.full(n, 10.0),
        "region": np.zeros(n, dtype=np.int64),
        "category": np.zeros(n, dtype=np.int64),
        "cluster": np.zeros(n, dtype=np.int64),
        "staff_days": np.ones(n),
        "medical_days": np.zeros(n),
        "months_since": np.zeros(n),
        "max_interval": np.full(n, 48.0),
        "mandatory": np.zeros(n, dtype=np.bool_),
        "fixed_week": np.full(n, -1, dtype=np.int64),
        "avoid": np.zeros(n, dtype=np.bool_),
        "region_capacity": np.array([10.0]),
        "week_capacity_share": 1.0,
        "time_limit": 5.0,
    }
    base.update(fields)
    return ProgrammeInput(**base)


def broken_rules(inp: ProgrammeInput, result: ProgrammeResult) -> list[str]:
    """Every hard rule the plan breaks, in words (empty when none)."""
    problems = []
    chosen, week = result.chosen, result.week
    cap = np.asarray(inp.region_capacity, dtype=float)
    wcap = week_capacity(inp)
    if ((week >= 0) != chosen).any() or (week >= inp.weeks).any():
        problems.append("a chosen place without a week, or a week without a visit")
    trips = {(int(inp.region[i]), int(inp.cluster[i]), int(week[i])) for i in np.nonzero(chosen)[0]}
    for r in range(len(cap)):
        here = chosen & (inp.region == r)
        own_trips = [t for t in trips if t[0] == r]
        used = inp.staff_days[here].sum() + inp.trip_overhead * len(own_trips)
        if used > cap[r] + EPS:
            problems.append(f"region {r} uses {used} of {cap[r]}")
        for w in range(inp.weeks):
            in_week = here & (week == w)
            load = inp.staff_days[in_week].sum()
            load += inp.trip_overhead * sum(1 for t in own_trips if t[2] == w)
            if load > wcap[r] + EPS:
                problems.append(f"region {r} week {w} uses {load} of {wcap[r]}")
    medical = inp.medical_capacity
    if medical is not None and inp.medical_days[chosen].sum() > medical + EPS:
        problems.append("medical capacity")
    if (chosen & inp.avoid).any():
        problems.append("an avoided place is visited")
    pinned = chosen & (inp.fixed_week >= 0)
    if (week[pinned] != inp.fixed_week[pinned]).any():
        problems.append("a pinned visit moved")
    if result.status != "infeasible" and (inp.mandatory & ~inp.avoid & ~chosen).any():
        problems.append("a mandatory place is left out")
    if result.bound < result.objective - EPS:
        problems.append("bound below the objective")
    if inp.max_visits is not None and chosen.sum() > inp.max_visits:
        problems.append(f"{chosen.sum()} visits for {inp.max_visits} visit slots")
    if inp.max_visits is not None and result.greedy_chosen.sum() > inp.max_visits:
        problems.append("the list goes past the visit slots")
    return problems


def codes(result: ProgrammeResult) -> set[str]:
    return {e.code for e in result.explanations}


def test_it_keeps_every_hard_rule_on_a_generated_npm() -> None:
    year = generate(300, 1)
    inp = year.quarter(0, year.months_since, time_limit=3)
    result = solve(inp)
    assert broken_rules(inp, result) == []
    assert inp.max_visits == 320
    assert inp.mandatory.sum() > 0 and result.chosen[inp.mandatory].all()
    assert (inp.fixed_week >= 0).sum() == 2
    assert result.objective >= result.greedy_objective - EPS
    assert 0 <= result.gap <= 1
    assert result.objective == pytest.approx(profit(inp)[result.chosen].sum())


def test_it_finds_the_known_optimum_of_a_tiny_instance() -> None:
    # Capacity 3: the big place (10 points, 2 days) plus one small one makes 16; three
    # small ones (6 points, 1 day each) make 18. Greedy takes the biggest value first.
    inp = instance(4, value=np.array([10.0, 6.0, 6.0, 6.0]), staff_days=np.array([2.0, 1, 1, 1]),
                   region_capacity=np.array([3.0]), coverage_weight=0.0)  # fmt: skip
    result = solve(inp)
    assert result.chosen.tolist() == [False, True, True, True]
    assert result.objective == pytest.approx(18.0)
    assert result.status == "optimal" and result.gap == 0.0
    assert result.bound == pytest.approx(18.0, abs=1e-3)
    assert result.greedy_objective == pytest.approx(16.0)


def test_greedy_takes_the_most_overdue_first_then_the_riskiest() -> None:
    inp = instance(
        4,
        value=np.array([1.0, 50.0, 30.0, 99.0]),
        months_since=np.array([40.0, 40.0, 40.0, 10.0]),
        max_interval=np.array([48.0, 48.0, 24.0, 48.0]),
        region_capacity=np.array([2.0]),
        weeks=3,
    )
    chosen, week = greedy(inp)
    # Ratios: 0.83, 0.83, 1.67, 0.21: place 2 first, then place 1 (riskier than 0).
    assert chosen.tolist() == [False, True, True, False]
    assert week[2] == 0 and week[1] == 1  # weeks taken in turn


def test_greedy_respects_mandatory_and_avoided_places() -> None:
    inp = instance(3, months_since=np.array([100.0, 50.0, 1.0]), region_capacity=np.array([1.0]),
                   mandatory=np.array([False, False, True]),
                   avoid=np.array([True, False, False]))  # fmt: skip
    chosen, _ = greedy(inp)
    assert chosen.tolist() == [False, False, True]


def test_it_visits_every_due_place_when_they_fit() -> None:
    months = np.array([50.0, 46.0, 1000.0, 2.0, 3.0, 4.0])
    inp = instance(6, months_since=months, value=np.array([1.0, 1, 1, 90, 90, 90]),
                   region_capacity=np.array([4.0]))  # fmt: skip
    result = solve(inp)
    assert result.chosen[:3].all()  # due (46 + 3 >= 48) despite low risk
    assert result.chosen.sum() == 4
    assert not result.exceeded.any()
    assert INTERVAL_UNREACHABLE not in codes(result)


def test_it_gives_scarce_capacity_to_due_places_and_lists_the_others() -> None:
    months = np.array([60.0, 60.0, 60.0, 1.0, 1.0])
    inp = instance(5, months_since=months, value=np.array([5.0, 1, 3, 99, 99]),
                   region_capacity=np.array([2.0]))  # fmt: skip
    result = solve(inp)
    assert result.chosen.tolist() == [True, False, True, False, False]
    assert result.exceeded.tolist() == [False, True, False, False, False]
    assert {"code": INTERVAL_UNREACHABLE, "count": 1} in [
        {"code": e.code, **e.params} for e in result.explanations
    ]


def test_places_not_due_only_take_room_no_due_place_can_use() -> None:
    # The due place takes 3 of 4 days; the other due place (3 days) cannot fit, so the
    # last day goes to the riskiest place not due.
    inp = instance(4, months_since=np.array([60.0, 60.0, 1.0, 1.0]),
                   staff_days=np.array([3.0, 3.0, 1.0, 1.0]), value=np.array([5.0, 1, 40, 80]),
                   region_capacity=np.array([4.0]))  # fmt: skip
    result = solve(inp)
    assert result.chosen.tolist() == [True, False, False, True]
    assert broken_rules(inp, result) == []


def test_it_explains_zero_capacity_without_failing() -> None:
    inp = instance(3, region_capacity=np.array([0.0]))
    result = solve(inp)
    assert not result.chosen.any()
    assert NO_CAPACITY in codes(result)
    assert result.left_out_regions == [0] and result.left_out_categories == [0]
    assert broken_rules(inp, result) == []


def test_it_explains_mandatory_places_over_capacity_and_keeps_capacity() -> None:
    inp = instance(4, mandatory=np.array([True, True, True, False]),
                   staff_days=np.array([2.0, 2.0, 2.0, 1.0]),
                   region_capacity=np.array([5.0]))  # fmt: skip
    result = solve(inp)
    assert result.status == "infeasible"
    explanation = next(e for e in result.explanations if e.code == CAPACITY_EXCEEDED_BY_MANDATORY)
    assert explanation.params == {"region": 0, "need": 6.0, "have": 5.0}
    assert result.chosen[:3].sum() == 2  # as many as fit
    assert broken_rules(inp, result) == []


def test_it_explains_minimums_it_cannot_reach() -> None:
    inp = instance(
        4,
        region=np.array([0, 0, 1, 1]),
        category=np.array([0, 0, 0, 1]),
        region_capacity=np.array([10.0, 0.5]),
        region_min=np.array([1, 2]),
        category_min=np.array([0, 3]),
    )
    result = solve(inp)
    found = {(e.code, tuple(sorted(e.params.items()))) for e in result.explanations}
    assert (REGION_MINIMUM_UNREACHABLE, (("minimum", 2), ("possible", 0), ("region", 1))) in found
    assert (
        CATEGORY_MINIMUM_UNREACHABLE,
        (("category", 1), ("minimum", 3), ("possible", 0)),
    ) in found
    assert result.left_out_regions == [1] and result.left_out_categories == [1]
    assert broken_rules(inp, result) == []


def test_it_meets_a_reachable_minimum_before_risk() -> None:
    inp = instance(3, category=np.array([0, 0, 1]), value=np.array([50.0, 50.0, 1.0]),
                   region_capacity=np.array([2.0]), category_min=np.array([0, 1]))  # fmt: skip
    result = solve(inp)
    assert result.chosen[2] and result.chosen.sum() == 2
    assert result.left_out_categories == []


def test_it_keeps_pinned_weeks_medical_capacity_and_trips() -> None:
    inp = instance(
        6,
        weeks=3,
        cluster=np.array([0, 0, 0, 1, 1, 2]),
        staff_days=np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        medical_days=np.array([0.0, 0, 0, 1, 1, 1]),
        medical_capacity=1.0,
        mandatory=np.array([True, False, False, False, False, False]),
        fixed_week=np.array([2, -1, -1, -1, -1, -1]),
        trip_overhead=1.0,
        region_capacity=np.array([6.0]),
        week_capacity_share=0.5,
    )
    result = solve(inp)
    assert result.week[0] == 2
    assert result.chosen[3:].sum() == 1  # one medical staff-day
    assert broken_rules(inp, result) == []


def test_greedy_stops_at_the_visit_slots() -> None:
    inp = instance(6, months_since=np.array([10.0, 60.0, 30.0, 50.0, 20.0, 40.0]), max_visits=3)
    chosen, week = greedy(inp)
    assert chosen.tolist() == [False, True, False, True, False, True]  # the 3 most overdue
    assert (week[chosen] >= 0).all() and (week[~chosen] == -1).all()
    none, _ = greedy(instance(3, max_visits=0))
    assert not none.any()


def test_it_never_makes_more_visits_than_slots() -> None:
    # Staff-days for all 8, slots for 3: the 3 with the most points.
    value = np.array([5.0, 50.0, 7.0, 40.0, 1.0, 30.0, 2.0, 3.0])
    inp = instance(8, value=value, region_capacity=np.array([20.0]), max_visits=3,
                   coverage_weight=0.0)  # fmt: skip
    result = solve(inp)
    assert result.chosen.tolist() == [False, True, False, True, False, True, False, False]
    assert result.status == "optimal"
    assert result.bound == pytest.approx(120.0, abs=1e-3)
    assert broken_rules(inp, result) == []


def test_both_engines_keep_the_visit_slots() -> None:
    value = np.array([9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0])
    inp = instance(7, value=value, staff_days=np.array([1.0, 2, 1, 1, 2, 1, 1]),
                   region_capacity=np.array([5.0]), max_visits=3, coverage_weight=0.0)  # fmt: skip
    rules = _rules(inp)
    points = profit(inp)
    model = Model.build(inp, allowed=rules.allowed, forced=rules.forced,
                        region_min=rules.region_min, category_min=rules.category_min,
                        limits=rules.limits, points=points,
                        start=_start(inp, rules, points))  # fmt: skip
    for engine in (solve_highs, solve_cpsat):
        outcome = engine(model, time.monotonic() + 5.0, 1, threading.Event())
        assert outcome is not None
        chosen, objective, bound, _, optimal = outcome
        # 5 staff-days and 3 slots: 9 + 7 + 6 (4 days); 9 + 8 + 7 needs 4 days too.
        assert chosen.sum() <= 3 and optimal
        assert objective == pytest.approx(24.0) and bound == pytest.approx(24.0, abs=1e-3)


def test_it_explains_mandatory_places_over_the_visit_slots() -> None:
    inp = instance(5, mandatory=np.array([True, True, True, True, False]),
                   fixed_week=np.array([-1, -1, 3, -1, -1]),
                   value=np.array([1.0, 30.0, 2.0, 20.0, 99.0]), max_visits=2)  # fmt: skip
    result = solve(inp)
    assert result.status == "infeasible"
    found = [(e.code, e.params) for e in result.explanations]
    assert (VISIT_SLOTS_EXCEEDED_BY_MANDATORY, {"need": 4, "have": 2}) in found
    assert CAPACITY_EXCEEDED_BY_MANDATORY not in codes(result)  # staff-days were enough
    # The best plan without the impossible part: the pinned one, then the riskiest.
    assert result.chosen.tolist() == [False, True, True, False, False]
    assert result.week[2] == 3
    assert broken_rules(inp, result) == []


def test_slots_go_to_due_places_first_in_every_region() -> None:
    # Two regions with staff-days to spare; 4 due places (2 per region), 3 slots. Region 1
    # can visit both its due places, and its places not due are worth more than any due
    # place; still they must not take the slot the second due place of region 0 needs.
    months = np.array([60.0, 60.0, 60.0, 60.0, 1.0, 1.0])
    inp = instance(
        6,
        region=np.array([0, 0, 1, 1, 1, 1]),
        months_since=months,
        value=np.array([1.0, 2.0, 3.0, 4.0, 90.0, 80.0]),
        region_capacity=np.array([10.0, 10.0]),
        max_visits=3,
    )
    result = solve(inp)
    assert result.chosen.tolist() == [False, True, True, True, False, False]
    assert result.exceeded.tolist() == [True, False, False, False, False, False]
    assert result.status == "optimal"
    assert broken_rules(inp, result) == []
    # With slots for every due place, the places not due share what is left.
    roomy = solve(instance(6, region=inp.region, months_since=months, value=inp.value,
                           region_capacity=np.array([10.0, 10.0]), max_visits=5))  # fmt: skip
    assert roomy.chosen.tolist() == [True, True, True, True, True, False]
    assert not roomy.exceeded.any()


def test_a_region_minimum_may_take_a_slot_from_a_due_place() -> None:
    # 3 due places in region 0 and 2 slots: the slots are scarce everywhere, but region 1
    # (nothing due) still gets its minimum of one visit.
    inp = instance(
        5,
        region=np.array([0, 0, 0, 1, 1]),
        months_since=np.array([60.0, 60.0, 60.0, 1.0, 2.0]),
        value=np.array([30.0, 20.0, 10.0, 1.0, 5.0]),
        region_capacity=np.array([10.0, 10.0]),
        region_min=np.array([0, 1]),
        max_visits=2,
    )
    result = solve(inp)
    assert result.chosen.tolist() == [True, False, False, False, True]
    assert REGION_MINIMUM_UNREACHABLE not in codes(result)
    assert result.exceeded.sum() == 2 and result.left_out_regions == []
    assert broken_rules(inp, result) == []


def test_it_handles_empty_and_odd_input() -> None:
    empty = solve(instance(0, region_capacity=np.zeros(0)))
    assert empty.chosen.shape == (0,) and empty.objective == 0.0
    odd = instance(3, value=np.array([np.nan, -5.0, 3.0]), region=np.array([0, 5, 0]),
                   staff_days=np.array([1.0, 1.0, 99.0]))  # fmt: skip
    result = solve(odd)
    assert result.chosen.tolist() == [True, False, False]


def test_the_optimum_beats_most_overdue_first_and_stays_under_its_bound() -> None:
    year = generate(600, 3)
    inp = year.quarter(1, year.months_since, time_limit=3)
    result = solve(inp)
    assert result.objective >= result.greedy_objective
    assert result.bound >= result.objective - EPS
    assert result.gap == pytest.approx(
        0.0 if result.status == "optimal" else (result.bound - result.objective) / result.bound
    )
    assert due(inp)[result.chosen].mean() > 0.5


def test_it_stops_at_the_time_limit() -> None:
    year = generate(2000, 2)
    result = solve(year.quarter(0, year.months_since, time_limit=1.0))
    assert result.solve_seconds < 3.0
    assert result.bound >= result.objective


def test_plan_bench_prints_one_json_object() -> None:
    out = io.StringIO()
    call_command("plan_bench", places=120, seed=1, time_limit=1.0, json=True, stdout=out)
    figures = json.loads(out.getvalue())
    for key in ("places", "visits_chosen", "solve_seconds", "objective", "bound", "gap",
                "greedy_objective", "categories_left_out", "regions_left_out"):  # fmt: skip
        assert key in figures
    assert figures["places"] == 120 and len(figures["quarters"]) == 4
    assert figures["bound"] >= figures["objective"] - EPS
    assert figures["max_visits_per_quarter"] == 320
    assert all(v <= 320 for v in figures["quarter_visits"])


def test_a_year_uses_its_slots_or_its_staff_days() -> None:
    # Nothing left idle: each quarter either fills its 320 slots or (nearly) all of its
    # staff-days, including the quarters where few places are due.
    out = io.StringIO()
    call_command("plan_bench", places=900, seed=1, time_limit=2.0, json=True, stdout=out)
    figures = json.loads(out.getvalue())
    for quarter in figures["quarters"]:
        assert quarter["visits"] <= 320
        assert (
            quarter["visits"] == 320 or quarter["staff_days_used"] >= 0.97 * quarter["staff_days"]
        )
        assert quarter["status"] == "optimal"


@st.composite
def small_instances(draw: st.DrawFn) -> ProgrammeInput:
    n = draw(st.integers(0, 25))
    regions = draw(st.integers(1, 3))
    weeks = draw(st.integers(1, 5))
    ints = st.integers

    def array(strategy: Any, dtype: Any) -> Any:
        return np.array(draw(st.lists(strategy, min_size=n, max_size=n)), dtype=dtype)

    return ProgrammeInput(
        weeks=weeks,
        value=array(st.floats(0, 100), np.float64),
        region=array(ints(0, regions - 1), np.int64),
        category=array(ints(0, 3), np.int64),
        cluster=array(ints(0, 3), np.int64),
        staff_days=array(st.sampled_from([0.5, 1.0, 2.0, 3.0, 6.0, 25.0]), np.float64),
        medical_days=array(st.sampled_from([0.0, 0.0, 1.0, 2.0]), np.float64),
        months_since=array(st.sampled_from([0.0, 20.0, 46.0, 60.0, 1e3]), np.float64),
        max_interval=array(st.sampled_from([24.0, 48.0]), np.float64),
        mandatory=array(st.booleans(), np.bool_) & array(st.booleans(), np.bool_),
        fixed_week=array(st.sampled_from([-1, -1, -1, *range(weeks)]), np.int64),
        avoid=array(st.sampled_from([False, False, False, True]), np.bool_),
        region_capacity=np.array(
            draw(
                st.lists(
                    st.sampled_from([0.0, 1.0, 4.0, 10.0, 30.5]), min_size=regions, max_size=regions
                )
            )  # fmt: skip
        ),
        week_capacity_share=draw(st.sampled_from([0.15, 0.5, 1.0])),
        medical_capacity=draw(st.sampled_from([None, 0.0, 2.0, 10.0])),
        region_min=np.array(draw(st.lists(ints(0, 3), min_size=regions, max_size=regions))),
        category_min=np.array(draw(st.lists(ints(0, 2), min_size=4, max_size=4))),
        trip_overhead=draw(st.sampled_from([0.0, 0.5, 1.0])),
        time_limit=0.5,
        max_visits=draw(st.sampled_from([None, None, 0, 1, 2, 3, 5, 8])),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_every_programme_keeps_capacity_and_reserve(inp: ProgrammeInput) -> None:
    # Capacities arrive net of the reserve, so keeping them keeps the reserve.
    result = solve(inp)
    assert broken_rules(inp, result) == []
    assert result.chosen.shape == inp.value.shape
    assert result.status in {"optimal", "feasible", "infeasible"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(1, 40), st.sampled_from([0.5, 1.0, 2.0, 3.0])), max_size=9),
    st.sampled_from([1.0, 3.0, 5.5, 9.0]),
    st.sampled_from([None, 0, 1, 2, 4]),
)
def test_the_bound_holds_against_every_subset(
    places: list[tuple[int, float]], capacity: float, slots: int | None
) -> None:
    # Nothing due, one week, no trips: the best plan is the best subset within the
    # staff-days and the slots, found by trying them all.
    n = len(places)
    value = np.array([v for v, _ in places], dtype=np.float64)
    days = np.array([d for _, d in places], dtype=np.float64)
    inp = instance(n, weeks=1, value=value, staff_days=days, coverage_weight=0.0,
                   region_capacity=np.array([capacity]), max_visits=slots)  # fmt: skip
    best = 0.0
    for mask in range(1 << n):
        pick = np.array([(mask >> i) & 1 for i in range(n)], dtype=np.bool_)
        if days[pick].sum() <= capacity + EPS and (slots is None or pick.sum() <= slots):
            best = max(best, float(value[pick].sum()))
    result = solve(inp)
    assert broken_rules(inp, result) == []
    assert result.objective <= best + EPS <= result.bound + 2 * EPS
    if result.status == "optimal":
        assert result.objective == pytest.approx(best)
