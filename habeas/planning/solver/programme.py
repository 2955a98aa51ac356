"""The visit programme: which places to visit in a period, and in which week (¶10, 35, 36).

What the programme maximises, in words. Each place the programme visits earns points:

* its risk score (the sum of the weighted risk factors shown on the risk list), plus
* a regular-coverage share: `coverage_weight` (20 points by default) times the share of
  the category's maximum interval that will have passed by the end of the period, capped
  at 1. A police station last visited 24 months ago, with a 48-month maximum, earns
  20 × (24 + 3) / 48 = 11.25 points in a quarter; one that is due or overdue earns the full
  20 points.

So both risky places and places that have waited long count; the programme adds up the
points of the places it visits and makes that total as large as capacity allows.

The rules it never breaks:

* a region's staff-days for the period (each visit's days × team size, plus one trip's
  overhead for every cluster of nearby places visited in a week), and in one week no more
  than the week's share of that capacity (`greedy.week_capacity`);
* the medical members' staff-days;
* the number of visits the teams can make in the period, net of the reserve
  (`max_visits`, the visit slots): mandatory visits take slots like any other;
* mandatory places are visited (in their pinned week if they have one); avoided places
  are not;
* maximum intervals: in a region where every place whose maximum interval falls due
  within the period can be visited (with the mandatory ones), all of them are. Where they
  cannot all fit, the region's capacity goes to places that are due (and to mandatory
  ones) first, the risk score and coverage deciding which; a place that could wait only
  gets room that none of the due places left out could use (a few staff-days too few
  for the next prison, for instance). The due places left out are listed as `exceeded`.
  A region is "scarce" when its due places cannot all be visited. Visit slots are shared
  by every region, so they can make places scarce too: when the due places (with the
  mandatory ones) do not all fit in the slots and staff-days, and the slots could be
  used up at all, every region counts as scarce. Then no due place is fixed in advance:
  the due places of every region compete for the slots and staff-days on risk and
  coverage, and a place that could wait only gets a slot (and staff-days) once no due
  place left out can use them. Where the due places all fit, they are all visited and
  places that could wait share the remaining slots on their points. So whether the
  scarcity comes from staff-days or from slots, a place not due never takes a slot or a
  staff-day that a due place could have used (unless a minimum below needs it).

Minimum visits per region and per category come after those rules: they are met
whenever capacity allows (a category or a region with too few due places where places
are scarce may take places that could wait, as many as its minimum needs). A minimum
that cannot be met is reported with the number that could be, never by failing. An
impossible rule (mandatory visits beyond capacity or beyond the visit slots, a pinned
week already full) is explained, set aside, and the best programme under the other rules
is returned with status "infeasible": the mandatory places that fit are kept (pinned
weeks first, then the riskiest), the others are not forced.

How it is solved. The choice of places is one mixed-integer model built from arrays
(`programme_model.py`): a 0/1 variable per place allowed by the rules above, an integer
number of trips per cluster of nearby places (a cluster's visits in a week must fit in
that week, so its trips are at least its staff-days ÷ the week's room; a visit needs a
trip), one row per region, cluster, visit-to-trip link, medical capacity and minimum,
and one for the visit slots (a minimum's shortfall is a column with a large penalty).
Every row is implied by the full weekly model, so this model's optimum is a proven upper
bound on the choice. Weeks
are then assigned by packing each cluster's visits into the weeks its trips already use;
a visit that does not fit is dropped (it lowers the objective, not the bound). The room
left (staff-days and slots) is then filled with the best remaining places per staff-day,
due ones first; the
points of places that could wait taking room in a scarce region are added to both the
objective and the bound (the bound is proven for the choice the rules leave open, and
the fill is a fixed rule after it). HiGHS and CP-SAT solve the model at the same time,
HiGHS on one thread and CP-SAT with one worker (two cores), both starting from a greedy
plan; the better plan is kept, and the smaller of their proven upper bounds is the
bound (CP-SAT's only when its integer scaling of the staff-days is exact). When one
engine proves its plan optimal, the other is stopped. HiGHS can overrun its own time
limit, so its interrupt callbacks (`cbMipInterrupt`, `cbSimplexInterrupt`, the
`kCallbackMipInterrupt` / `kCallbackSimplexInterrupt` events of highspy 1.16) stop it at
the deadline; CP-SAT gets the same deadline and a watcher calls `StopSearch` if it runs
over.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from habeas.planning.solver import greedy as greedy_module
from habeas.planning.solver.programme_model import Model, solve_cpsat, solve_highs
from habeas.planning.solver.types import (
    CAPACITY_EXCEEDED_BY_MANDATORY,
    CATEGORY_MINIMUM_UNREACHABLE,
    INTERVAL_UNREACHABLE,
    MEDICAL_CAPACITY_SHORT,
    NO_CAPACITY,
    REGION_MINIMUM_UNREACHABLE,
    VISIT_SLOTS_EXCEEDED_BY_MANDATORY,
    Explanation,
    ProgrammeInput,
    ProgrammeResult,
)

EPS = 1e-9


def profit(inp: ProgrammeInput) -> NDArray[np.float64]:
    """Points a visit earns: risk score + coverage_weight × min(1, share of interval)."""
    value = np.nan_to_num(np.asarray(inp.value, dtype=np.float64), nan=0.0)
    ratio = (np.asarray(inp.months_since, dtype=np.float64) + inp.period_months) / np.maximum(
        np.asarray(inp.max_interval, dtype=np.float64), 1e-9
    )
    return np.maximum(value, 0.0) + inp.coverage_weight * np.clip(ratio, 0.0, 1.0)


def objective_of(inp: ProgrammeInput, chosen: NDArray[np.bool_]) -> float:
    return float(profit(inp)[chosen].sum())


def due(inp: ProgrammeInput) -> NDArray[np.bool_]:
    """Places whose maximum interval falls due by the end of the period: months since the
    last in-depth visit + the period's months >= the maximum interval. This is the one
    test of "due" / "overdue at the period's end"; callers should use it."""
    return np.asarray(inp.months_since) + inp.period_months >= np.asarray(inp.max_interval)


@dataclass
class _Rules:
    allowed: NDArray[np.bool_]
    forced: NDArray[np.bool_]
    sequence: NDArray[np.int64]  # the forced places, in an order in which they all fit
    region_min: NDArray[np.int64]
    category_min: NDArray[np.int64]
    filler: NDArray[np.bool_]  # places not due that may only take room no due place can use
    limits: list[tuple[NDArray[np.int64], int]]  # at most this many of these places
    explanations: list[Explanation] = field(default_factory=list)
    broken: bool = False  # a hard rule could not be kept


@dataclass
class _Solved:
    chosen: NDArray[np.bool_]
    objective: float  # penalised objective of the model
    bound: float  # proven upper bound on the penalised objective
    solver: str
    optimal: bool
    seconds: float


def _normalise(inp: ProgrammeInput) -> ProgrammeInput:
    """Arrays of the right type and shape; nonsense (NaN, negative days) made harmless."""
    n = len(np.asarray(inp.value))

    def arr(a: Any, dtype: Any, fill: Any) -> Any:
        out = np.asarray(a, dtype=dtype).reshape(-1) if a is not None else None
        if out is None or len(out) != n:
            return np.full(n, fill, dtype=dtype)
        return np.nan_to_num(out, nan=fill) if dtype is np.float64 else out

    cap = np.nan_to_num(np.asarray(inp.region_capacity, dtype=np.float64).reshape(-1), nan=0.0)
    region = arr(inp.region, np.int64, -1)
    regions = max(len(cap), int(region.max()) + 1 if n else 0)
    if len(cap) < regions:
        cap = np.concatenate([cap, np.zeros(regions - len(cap))])
    category = arr(inp.category, np.int64, 0)
    return ProgrammeInput(
        weeks=max(int(inp.weeks), 1),
        value=np.maximum(arr(inp.value, np.float64, 0.0), 0.0),
        region=region,
        category=np.maximum(category, 0),
        cluster=arr(inp.cluster, np.int64, 0),
        staff_days=np.maximum(arr(inp.staff_days, np.float64, 0.0), 0.0),
        medical_days=np.maximum(arr(inp.medical_days, np.float64, 0.0), 0.0),
        months_since=arr(inp.months_since, np.float64, 1e3),
        max_interval=np.maximum(arr(inp.max_interval, np.float64, 48.0), 1e-9),
        mandatory=arr(inp.mandatory, np.bool_, False),
        fixed_week=arr(inp.fixed_week, np.int64, -1),
        avoid=arr(inp.avoid, np.bool_, False),
        region_capacity=np.maximum(cap, 0.0),
        week_capacity_share=inp.week_capacity_share,
        medical_capacity=None if inp.medical_capacity is None else max(inp.medical_capacity, 0.0),
        region_min=inp.region_min,
        category_min=inp.category_min,
        period_months=inp.period_months,
        coverage_weight=inp.coverage_weight,
        trip_overhead=max(float(inp.trip_overhead), 0.0),
        time_limit=max(float(inp.time_limit), 0.1),
        seed=inp.seed,
        max_visits=None if inp.max_visits is None else max(int(inp.max_visits), 0),
    )


def _minimums(given: NDArray[np.int64] | None, size: int) -> NDArray[np.int64]:
    out = np.zeros(size, dtype=np.int64)
    if given is not None:
        given = np.asarray(given, dtype=np.int64).reshape(-1)[:size]
        out[: len(given)] = np.maximum(given, 0)
    return out


def _rules(inp: ProgrammeInput) -> _Rules:
    n = len(inp.value)
    regions = len(inp.region_capacity)
    categories = int(inp.category.max()) + 1 if n else 0
    explanations: list[Explanation] = []
    broken = False
    wcap = greedy_module.week_capacity(inp)
    cap = inp.region_capacity
    in_region = (inp.region >= 0) & (inp.region < regions)
    r = np.clip(inp.region, 0, max(regions - 1, 0))
    fits = in_region & (inp.staff_days + inp.trip_overhead <= np.minimum(cap[r], wcap[r]) + EPS)
    valid = fits & ~inp.avoid
    for region in np.unique(inp.region[in_region & ~inp.avoid]):
        if cap[region] <= EPS:
            explanations.append(Explanation(NO_CAPACITY, {"region": int(region)}))

    # Mandatory places: pinned weeks first, then the riskiest; those that cannot fit are
    # explained and no longer forced.
    packer = greedy_module.Packer(inp)
    mandatory = inp.mandatory & ~inp.avoid
    order_mandatory = np.lexsort((-inp.value, inp.fixed_week < 0))
    for i in order_mandatory[mandatory[order_mandatory]]:
        packer.add(int(i))
    left = mandatory & ~packer.chosen
    if left.any():
        broken = True
        # Without the slot cap, which of them would staff-days, weeks or medical capacity
        # still refuse? Those are explained per region; the rest by the slots.
        unlimited = greedy_module.Packer(replace(inp, max_visits=None))
        for i in order_mandatory[mandatory[order_mandatory]]:
            unlimited.add(int(i))
        if inp.max_visits is not None and unlimited.count > inp.max_visits:
            explanations.append(
                Explanation(
                    VISIT_SLOTS_EXCEEDED_BY_MANDATORY,
                    {"need": int(mandatory.sum()), "have": int(inp.max_visits)},
                )
            )
        for region in np.unique(inp.region[mandatory & ~unlimited.chosen]):
            need = inp.staff_days[mandatory & (inp.region == region)].sum()
            have = cap[region] if 0 <= region < regions else 0.0
            explanations.append(
                Explanation(
                    CAPACITY_EXCEEDED_BY_MANDATORY,
                    {"region": int(region), "need": float(need), "have": float(have)},
                )
            )
        if inp.medical_capacity is not None:
            need = float(inp.medical_days[mandatory].sum())
            if need > inp.medical_capacity + EPS:
                explanations.append(
                    Explanation(
                        MEDICAL_CAPACITY_SHORT, {"need": need, "have": inp.medical_capacity}
                    )
                )
    forced = packer.chosen.copy()

    # Maximum intervals: a region whose due places all fit keeps them all; elsewhere only
    # due (and mandatory) places may take the capacity.
    is_due = due(inp) & valid
    ratio = greedy_module.overdue_ratio(inp)
    order = np.lexsort((-inp.value, -ratio))
    for i in order[is_due[order]]:
        packer.add(int(i))
    missed = is_due & ~packer.chosen
    scarce = np.zeros(regions, dtype=np.bool_)
    scarce[inp.region[missed]] = True
    # Visit slots are shared: if due places are left out and the slots could be used up
    # at all, a place not due anywhere could take a slot a due place needs, so every
    # region is scarce (see the module docstring).
    if inp.max_visits is not None and missed.any() and (valid | forced).sum() > inp.max_visits:
        scarce[:] = True
    forced |= is_due & ~scarce[r]
    # The order they were packed in: packed again in this order they are sure to fit.
    first = order_mandatory[mandatory[order_mandatory] & forced[order_mandatory]]
    then = order[is_due[order] & forced[order] & ~mandatory[order]]
    sequence = np.concatenate([first, then]).astype(np.int64)
    # In a scarce region a place not yet due (a filler) may only take the room left once
    # the due places are chosen: it is not in the model, `_fill` adds it afterwards.
    filler = valid & ~is_due & ~forced & scarce[r]
    allowed = (valid & (is_due | ~scarce[r])) | forced
    # Minimums come before that rule: where a category (then a region) has too few places
    # in the model, its places not due may enter it, as many as the minimum still needs.
    category_min = _minimums(inp.category_min, categories)
    region_min = _minimums(inp.region_min, regions)
    limits: list[tuple[NDArray[np.int64], int]] = []
    limited = np.zeros(n, dtype=np.bool_)  # let in for a minimum: not counted for another
    for group, minimum in ((inp.category, category_min), (inp.region, region_min)):
        have = np.bincount(group[allowed & ~limited], minlength=len(minimum))[: len(minimum)]
        for index in np.nonzero(minimum > have)[0]:
            extra = filler & (group == index)
            if extra.any():
                limits.append((np.nonzero(extra)[0], int(minimum[index] - have[index])))
                allowed |= extra
                filler &= ~extra
                limited |= extra
    possible_r = np.bincount(inp.region[allowed], minlength=regions)[:regions]
    possible_c = np.bincount(inp.category[allowed], minlength=categories)[:categories]
    for index in np.nonzero(region_min > possible_r)[0]:
        explanations.append(
            Explanation(
                REGION_MINIMUM_UNREACHABLE,
                {
                    "region": int(index),
                    "minimum": int(region_min[index]),
                    "possible": int(possible_r[index]),
                },  # fmt: skip
            )
        )
    for index in np.nonzero(category_min > possible_c)[0]:
        explanations.append(
            Explanation(
                CATEGORY_MINIMUM_UNREACHABLE,
                {
                    "category": int(index),
                    "minimum": int(category_min[index]),
                    "possible": int(possible_c[index]),
                },  # fmt: skip
            )
        )
    return _Rules(
        allowed=allowed,
        forced=forced,
        sequence=sequence,
        region_min=np.minimum(region_min, possible_r),
        category_min=np.minimum(category_min, possible_c),
        filler=filler,
        limits=limits,
        explanations=explanations,
        broken=broken,
    )


def _start(inp: ProgrammeInput, rules: _Rules, points: NDArray[np.float64]) -> greedy_module.Packer:
    """A feasible first plan for the solvers: forced places, minimums, then best points
    per staff-day."""
    packer = greedy_module.Packer(inp)
    for i in rules.sequence:
        packer.add(int(i))
    _meet_minimums(inp, rules, packer, points, rules.allowed & ~rules.filler)
    _fill(inp, rules, packer, points)
    return packer


def _meet_minimums(inp: ProgrammeInput, rules: _Rules, packer: greedy_module.Packer,
                   points: NDArray[np.float64], pool: NDArray[np.bool_]) -> None:  # fmt: skip
    """Places of `pool` for each region and category below its minimum, best points per
    staff-day first, never more of the places let in for a minimum than their limit."""
    density = points / np.maximum(inp.staff_days + inp.trip_overhead * 0.5, 1e-3)
    by_density = np.argsort(-density, kind="stable")
    by_density = by_density[pool[by_density]]
    remaining = [limit - int(packer.chosen[places].sum()) for places, limit in rules.limits]
    limit_of: dict[int, list[int]] = {}
    for k, (places, _) in enumerate(rules.limits):
        for i in places.tolist():
            limit_of.setdefault(i, []).append(k)
    for group, minimum in ((inp.region, rules.region_min), (inp.category, rules.category_min)):
        for index in np.nonzero(minimum > 0)[0]:
            have = int(np.count_nonzero(packer.chosen & (group == index)))
            for i in by_density[group[by_density] == index].tolist():
                if have >= minimum[index]:
                    break
                limits = limit_of.get(i, [])
                if any(remaining[k] <= 0 for k in limits) or not packer.add(i):
                    continue
                have += 1
                for k in limits:
                    remaining[k] -= 1


def _fill(inp: ProgrammeInput, rules: _Rules, packer: greedy_module.Packer,
          points: NDArray[np.float64], *, fillers: bool = False) -> None:  # fmt: skip
    """Best points per staff-day into the room left; with `fillers` (after the choice),
    first what the minimums still need, then places not due (in a scarce region) into the
    room no due place could use."""
    if fillers:
        _meet_minimums(inp, rules, packer, points, rules.allowed | rules.filler)
    density = points / np.maximum(inp.staff_days + inp.trip_overhead * 0.5, 1e-3)
    by_density = np.argsort(-density, kind="stable")
    limited = np.zeros(len(inp.value), dtype=np.bool_)
    for places, _ in rules.limits:
        limited[places] = True
    for i in by_density[rules.allowed[by_density] & ~limited[by_density]]:
        packer.add(int(i))
    if fillers:  # places not due, including those let in for a minimum beyond its need
        for i in by_density[(rules.filler | limited)[by_density]]:
            packer.add(int(i))


def solve(inp: ProgrammeInput) -> ProgrammeResult:
    """The best programme found within `inp.time_limit` seconds, with its proven bound.

    Never raises on bad or infeasible input: an impossible rule is explained, set aside,
    and the best plan under the remaining rules is returned (status "infeasible")."""
    started = time.monotonic()
    deadline = started + max(float(inp.time_limit), 0.1)
    inp = _normalise(inp)
    if len(inp.value) == 0:
        return _empty(started)
    points = profit(inp)
    base_chosen, _ = greedy_module.greedy(inp)
    rules = _rules(inp)
    start = _start(inp, rules, points)
    model = Model.build(
        inp,
        allowed=rules.allowed,
        forced=rules.forced,
        region_min=rules.region_min,
        category_min=rules.category_min,
        limits=rules.limits,
        points=points,
        start=start,
    )
    build_seconds = time.monotonic() - started
    solved = _race(model, deadline, inp) if rules.allowed.any() else []
    chosen, solver, optimal = start.chosen, "greedy", False
    # Without an engine's proof, every allowed place visited (at most max_visits of them,
    # the best) is a (weak) upper bound.
    best_points = np.sort(points[rules.allowed])[::-1]
    if inp.max_visits is not None:
        best_points = best_points[: inp.max_visits]
    bound = float(best_points.sum())
    if solved:
        best = max(solved, key=lambda s: s.objective)
        bound = min([bound] + [s.bound for s in solved])
        start_ok = bool(start.chosen[rules.forced].all())
        start_objective = model.objective(start.chosen)
        # The engines start from that plan: keep it only if strictly better (not by the
        # rounding of sums in another order).
        if not start_ok or best.objective >= start_objective - 1e-9 * max(
            1.0, abs(start_objective)
        ):
            chosen, solver, optimal = best.chosen, best.solver, best.optimal
    selected = chosen
    packer = _assign_weeks(inp, rules, chosen, points)
    chosen, week = packer.chosen, packer.week
    optimal = optimal and not (selected & ~chosen).any()
    objective = objective_of(inp, chosen)
    # The room filled after the choice with places not due (fillers, and places let in for
    # a minimum beyond its limit) adds the same points to the bound (see above); the rest
    # of the plan is one the model allows, so the model's bound holds for it.
    limited = np.zeros(len(chosen), dtype=np.bool_)
    for places, _ in rules.limits:
        limited[places] = True
    late = chosen & (rules.filler | (limited & ~selected))
    bound = max(bound + model.penalty(chosen & ~late) + objective_of(inp, late), objective)
    gap = max((bound - objective) / max(abs(bound), 1e-9), 0.0)
    if optimal or gap <= 1e-6:
        optimal, gap = True, 0.0
    explanations = list(rules.explanations) + _shortfalls(inp, rules, chosen)
    exceeded = due(inp) & ~chosen & ~inp.avoid
    if exceeded.any():
        explanations.append(Explanation(INTERVAL_UNREACHABLE, {"count": int(exceeded.sum())}))
    return ProgrammeResult(
        chosen=chosen,
        week=week,
        objective=objective,
        bound=bound,
        gap=float(gap),
        solver=solver,
        status="infeasible" if rules.broken else ("optimal" if optimal else "feasible"),
        solve_seconds=time.monotonic() - started,
        greedy_objective=objective_of(inp, base_chosen),
        greedy_chosen=base_chosen,
        exceeded=exceeded,
        left_out_regions=left_out(inp.region, inp.avoid, chosen),
        left_out_categories=left_out(inp.category, inp.avoid, chosen),
        explanations=explanations,
        build_seconds=build_seconds,
        engines={
            s.solver: {
                "objective": s.objective,
                "bound": s.bound,
                "optimal": s.optimal,
                "seconds": s.seconds,
            }  # fmt: skip
            for s in solved
        },
    )


def left_out(
    group: NDArray[np.int64], avoid: NDArray[np.bool_], chosen: NDArray[np.bool_]
) -> list[int]:
    """Groups (regions or categories) with candidate places and no chosen visit."""
    candidates = set(np.unique(group[~avoid & (group >= 0)]).tolist())
    visited = set(np.unique(group[chosen]).tolist())
    return sorted(int(g) for g in candidates - visited)


def _empty(started: float) -> ProgrammeResult:
    none = np.zeros(0, dtype=np.bool_)
    return ProgrammeResult(
        chosen=none, week=np.zeros(0, dtype=np.int64), objective=0.0, bound=0.0, gap=0.0,
        solver="greedy", status="optimal", solve_seconds=time.monotonic() - started,
        greedy_objective=0.0, greedy_chosen=none, exceeded=none, left_out_regions=[],
        left_out_categories=[],
    )  # fmt: skip


def _shortfalls(inp: ProgrammeInput, rules: _Rules, chosen: NDArray[np.bool_]) -> list[Explanation]:
    out = []
    for code, key, group, minimum in (
        (REGION_MINIMUM_UNREACHABLE, "region", inp.region, rules.region_min),
        (CATEGORY_MINIMUM_UNREACHABLE, "category", inp.category, rules.category_min),
    ):
        got = np.bincount(group[chosen], minlength=len(minimum))[: len(minimum)]
        for index in np.nonzero(got < minimum)[0]:
            out.append(
                Explanation(
                    code,
                    {key: int(index), "minimum": int(minimum[index]), "possible": int(got[index])},
                )  # fmt: skip
            )
    return out


def _assign_weeks(inp: ProgrammeInput, rules: _Rules, chosen: NDArray[np.bool_],
                  points: NDArray[np.float64]) -> greedy_module.Packer:  # fmt: skip
    """Weeks for the chosen places: pinned ones, then each cluster's visits, largest
    first, into weeks its trips already use; a visit that cannot fit is dropped. The room
    left is then filled with the best remaining places per staff-day."""
    packer = greedy_module.Packer(inp)
    for i in rules.sequence:
        packer.add(int(i))
    rest = np.nonzero(chosen & ~packer.chosen)[0]
    # Places a minimum depends on go first, so a visit that does not fit is another one.
    by_category = np.bincount(inp.category[chosen], minlength=len(rules.category_min))
    by_region = np.bincount(inp.region[chosen], minlength=len(rules.region_min))
    needed = (by_category[inp.category[rest]] <= rules.category_min[inp.category[rest]]) | (
        by_region[inp.region[rest]] <= rules.region_min[inp.region[rest]]
    )
    rest = rest[np.lexsort((-inp.staff_days[rest], inp.cluster[rest], inp.region[rest], ~needed))]
    for i in rest:
        packer.add(int(i))
    _fill(inp, rules, packer, points, fillers=True)
    return packer


def _race(model: Model, deadline: float, inp: ProgrammeInput) -> list[_Solved]:
    """HiGHS and CP-SAT at once, each stopped at the deadline."""
    results: list[_Solved] = []
    lock = threading.Lock()
    stop = threading.Event()

    def run(fn: Any) -> None:
        began = time.monotonic()
        try:
            out = fn(model, deadline, inp.seed, stop)
        except Exception:  # noqa: BLE001 - a failing engine leaves the other's result
            return
        if out is not None:
            with lock:
                seconds = time.monotonic() - began
                results.append(_Solved(out[0], out[1], out[2], out[3], out[4], seconds))
            if out[4]:
                stop.set()

    thread = threading.Thread(target=run, args=(solve_cpsat,), daemon=True)
    thread.start()
    run(solve_highs)
    thread.join(max(deadline - time.monotonic(), 0.0) + 5.0)
    return results
