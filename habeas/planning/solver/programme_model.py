"""The selection model of the visit programme, built from arrays, and its two engines.

Columns: x (one 0/1 per candidate place), t (trips per cluster of nearby places, integer
0..weeks, only with a trip overhead), s (shortfall of each minimum, penalised). Rows:
region capacity, cluster load ≤ t × (week room − overhead), x ≤ t, medical capacity,
visit slots (sum of x ≤ max_visits, mandatory visits included), minimums. Every row is
implied by the full weekly model, so the optimum of this model is an upper bound on every
programme (see programme.py).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from habeas.planning.solver.greedy import Packer, week_capacity
from habeas.planning.solver.types import ProgrammeInput

SD_SCALE = 100  # CP-SAT needs integers: staff-days in hundredths
OBJ_SCALE = 1_000_000
OPTIMAL_GAP = 1e-5
INF = highspy.kHighsInf

Outcome = tuple[
    NDArray[np.bool_], float, float, str, bool
]  # chosen, objective, bound, engine, optimal


@dataclass
class Model:
    n: int
    cand: NDArray[np.int64]  # candidate place indices (columns 0..m-1)
    cost: NDArray[np.float64]  # objective per column (maximise)
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    integer: NDArray[np.bool_]
    row_lower: NDArray[np.float64]
    row_upper: NDArray[np.float64]
    rows: NDArray[np.int64]  # COO
    cols: NDArray[np.int64]
    vals: NDArray[np.float64]
    start: NDArray[np.float64]  # a feasible start for every column
    min_rows: list[tuple[NDArray[np.int64], int]]  # (candidate columns, minimum) per minimum
    penalty_weight: float
    cluster_of: NDArray[np.int64]  # cluster column offset per candidate, -1 without trips
    trips: int
    build_seconds: float = 0.0

    @classmethod
    def build(cls, inp: ProgrammeInput, *, allowed: NDArray[np.bool_], forced: NDArray[np.bool_],
              region_min: NDArray[np.int64], category_min: NDArray[np.int64],
              limits: list[tuple[NDArray[np.int64], int]],
              points: NDArray[np.float64], start: Packer) -> Model:  # fmt: skip
        began = time.perf_counter()
        cand = np.nonzero(allowed)[0]
        m = len(cand)
        regions = len(inp.region_capacity)
        region = inp.region[cand]
        sd = inp.staff_days[cand]
        trip = float(inp.trip_overhead)
        wcap = week_capacity(inp)
        rows: list[NDArray[Any]] = []
        cols: list[NDArray[Any]] = []
        vals: list[NDArray[Any]] = []
        row_lower: list[NDArray[Any]] = []
        row_upper: list[NDArray[Any]] = []
        xcols = np.arange(m)
        nrow = 0

        def add(r: NDArray[Any], c: NDArray[Any], v: NDArray[Any]) -> None:
            rows.append(np.asarray(r, dtype=np.int64))
            cols.append(np.asarray(c, dtype=np.int64))
            vals.append(np.asarray(v, dtype=np.float64))

        # Region capacity.
        add(region, xcols, sd)
        row_lower.append(np.full(regions, -INF))
        row_upper.append(inp.region_capacity.astype(np.float64))
        nrow += regions
        ncol = m
        cluster_of = np.full(m, -1, dtype=np.int64)
        trips = 0
        k_region = np.zeros(0, dtype=np.int64)
        start_t = np.zeros(0)
        t_lower = np.zeros(0)
        if trip > 0 and m:
            key = region * (int(inp.cluster.max()) + 1 - min(int(inp.cluster.min()), 0)) + (
                inp.cluster[cand] - min(int(inp.cluster.min()), 0)
            )
            keys, ck = np.unique(key, return_inverse=True)
            trips = len(keys)
            k_region = np.zeros(trips, dtype=np.int64)
            k_region[ck] = region
            tcols = m + np.arange(trips)
            cluster_of = ck.astype(np.int64)
            add(k_region, tcols, np.full(trips, trip))  # trip overhead in region capacity
            # Cluster load fits in its trips' weeks.
            add(nrow + ck, xcols, sd)
            add(nrow + np.arange(trips), tcols, -(wcap[k_region] - trip))
            row_lower.append(np.full(trips, -INF))
            row_upper.append(np.zeros(trips))
            nrow += trips
            # A visit needs a trip.
            add(nrow + xcols, xcols, np.ones(m))
            add(nrow + xcols, m + ck, -np.ones(m))
            row_lower.append(np.full(m, -INF))
            row_upper.append(np.zeros(m))
            nrow += m
            ncol += trips
            # Trips the pinned weeks already need, and the start's trips.
            t_lower = np.zeros(trips)
            start_t = np.zeros(trips)
            for target, chosen in ((t_lower, forced), (start_t, start.chosen)):
                sel = chosen[cand]
                weeks = start.week[cand] if target is start_t else inp.fixed_week[cand]
                ok = sel & (weeks >= 0)
                pairs = np.unique(np.stack([ck[ok], weeks[ok]]), axis=1) if ok.any() else None
                if pairs is not None:
                    np.add.at(target, pairs[0], 1.0)
        if inp.medical_capacity is not None and (inp.medical_days[cand] > 0).any():
            add(np.full(m, nrow), xcols, inp.medical_days[cand])
            row_lower.append(np.array([-INF]))
            row_upper.append(np.array([float(inp.medical_capacity)]))
            nrow += 1
        # Visit slots: the mandatory places (fixed at 1) count like any other.
        if inp.max_visits is not None and m:
            add(np.full(m, nrow), xcols, np.ones(m))
            row_lower.append(np.array([-INF]))
            row_upper.append(np.array([float(max(int(inp.max_visits), 0))]))
            nrow += 1
        # Places let in only to meet a minimum: no more of them than it needs.
        position = np.full(len(inp.value), -1, dtype=np.int64)
        position[cand] = xcols
        for places, limit in limits:
            members = position[places]
            members = members[members >= 0]
            add(np.full(len(members), nrow), members, np.ones(len(members)))
            row_lower.append(np.array([-INF]))
            row_upper.append(np.array([float(limit)]))
            nrow += 1
        # Minimums, with a penalised shortfall column each.
        penalty = (
            float(points.max(initial=1.0))
            * 2.0
            * max(1.0, float(sd.max(initial=1.0)) / max(float(sd[sd > 0].min(initial=1.0)), 0.5))
        )
        min_rows: list[tuple[NDArray[np.int64], int]] = []
        for group, minimum in ((region, region_min), (inp.category[cand], category_min)):
            for index in np.nonzero(minimum > 0)[0]:
                members = np.nonzero(group == index)[0]
                add(np.full(len(members) + 1, nrow), np.append(members, ncol),
                    np.ones(len(members) + 1))  # fmt: skip
                row_lower.append(np.array([float(minimum[index])]))
                row_upper.append(np.array([INF]))
                min_rows.append((members, int(minimum[index])))
                nrow += 1
                ncol += 1
        slacks = len(min_rows)
        x_start = start.chosen[cand].astype(np.float64)
        s_start = np.array([max(0.0, need - x_start[members].sum()) for members, need in min_rows])
        return cls(
            n=len(inp.value),
            cand=cand,
            cost=np.concatenate([points[cand], np.zeros(trips), np.full(slacks, -penalty)]),
            lower=np.concatenate([forced[cand].astype(np.float64), t_lower, np.zeros(slacks)]),
            upper=np.concatenate([np.ones(m), np.full(trips, float(inp.weeks)),
                                  np.array([need for _, need in min_rows], dtype=np.float64)]),
            integer=np.ones(m + trips + slacks, dtype=np.bool_),
            row_lower=np.concatenate(row_lower) if row_lower else np.zeros(0),
            row_upper=np.concatenate(row_upper) if row_upper else np.zeros(0),
            rows=np.concatenate(rows), cols=np.concatenate(cols), vals=np.concatenate(vals),
            start=np.concatenate([x_start, start_t, s_start]),
            min_rows=min_rows, penalty_weight=penalty, cluster_of=cluster_of, trips=trips,
            build_seconds=time.perf_counter() - began,
        )  # fmt: skip

    @property
    def columns(self) -> int:
        return len(self.cost)

    def chosen(self, x: NDArray[np.float64]) -> NDArray[np.bool_]:
        out = np.zeros(self.n, dtype=np.bool_)
        out[self.cand] = x[: len(self.cand)] > 0.5
        return out

    def penalty(self, chosen: NDArray[np.bool_]) -> float:
        x = chosen[self.cand]
        short = sum(max(0, need - int(x[members].sum())) for members, need in self.min_rows)
        return self.penalty_weight * short

    def objective(self, chosen: NDArray[np.bool_]) -> float:
        m = len(self.cand)
        return float(self.cost[:m][chosen[self.cand]].sum()) - self.penalty(chosen)

    def csr(self) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
        order = np.argsort(self.rows, kind="stable")
        start = np.searchsorted(self.rows[order], np.arange(len(self.row_lower) + 1))
        return start.astype(np.int32), self.cols[order].astype(np.int32), self.vals[order]


def solve_highs(model: Model, deadline: float, seed: int, stop: threading.Event) -> Outcome | None:
    """HiGHS on one thread, stopped by its interrupt callbacks at the deadline or when the
    other engine has proved its plan optimal."""
    lp = highspy.HighsLp()
    lp.num_col_ = model.columns
    lp.num_row_ = len(model.row_lower)
    lp.col_cost_ = model.cost
    lp.col_lower_ = model.lower
    lp.col_upper_ = model.upper
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in model.integer
    ]
    start, index, value = model.csr()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = model.columns
    lp.a_matrix_.num_row_ = len(model.row_lower)
    h = highspy.Highs()
    h.silent()
    h.passModel(lp)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    h.setOptionValue("time_limit", remaining)
    h.setOptionValue("mip_rel_gap", OPTIMAL_GAP)
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("threads", 1)

    def interrupt(event: Any) -> None:
        if stop.is_set() or time.monotonic() >= deadline:
            event.interrupt()

    h.cbMipInterrupt += interrupt
    h.cbSimplexInterrupt += interrupt
    solution = highspy.HighsSolution()
    solution.col_value = model.start
    solution.value_valid = True
    h.setSolution(solution)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != highspy.kSolutionStatusFeasible:
        return None
    x = np.asarray(h.getSolution().col_value)
    chosen = model.chosen(x)
    objective = model.objective(chosen)
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    bound = float(info.mip_dual_bound)
    if not np.isfinite(bound):
        bound = np.inf
    return chosen, objective, max(bound, objective), "highs", optimal


def solve_cpsat(model: Model, deadline: float, seed: int, stop: threading.Event) -> Outcome | None:
    """CP-SAT on integer-scaled coefficients, hinted with the start; stopped at the deadline
    or when the other engine has proved its plan optimal."""
    m = len(model.cand)
    cp = cp_model.CpModel()
    # Integer columns keep their values; a continuous one counts hundredths.
    col_scale = np.where(model.integer, 1.0, float(SD_SCALE))
    scaled = model.vals * SD_SCALE / col_scale[model.cols]
    coef = np.round(scaled).astype(np.int64)
    exact = bool(np.all(np.abs(scaled - coef) < 1e-6))
    lo_s = model.row_lower * SD_SCALE
    up_s = model.row_upper * SD_SCALE
    finite = up_s[np.isfinite(up_s)]
    exact &= bool(np.all(np.abs(finite - np.round(finite)) < 1e-6))
    integral_rows = len(model.min_rows)
    variables = [
        cp.new_int_var(
            int(np.ceil(model.lower[j] * col_scale[j] - 1e-9)),
            int(np.floor(model.upper[j] * col_scale[j] + 1e-9)),
            f"v{j}",
        )
        for j in range(model.columns)
    ]
    order = np.argsort(model.rows, kind="stable")
    rows, cols, coefs = model.rows[order], model.cols[order], coef[order]
    bounds = np.searchsorted(rows, np.arange(len(model.row_lower) + 1))
    for r in range(len(model.row_lower)):
        a, b = bounds[r], bounds[r + 1]
        expr = cp_model.LinearExpr.weighted_sum(
            [variables[c] for c in cols[a:b]], coefs[a:b].tolist()
        )
        if np.isfinite(up_s[r]):
            cp.add(expr <= int(np.floor(up_s[r] + 1e-6)))
        if np.isfinite(lo_s[r]):
            cp.add(expr >= int(np.ceil(lo_s[r] - 1e-6)))
    cost = np.round(model.cost * OBJ_SCALE).astype(np.int64)
    cp.maximize(cp_model.LinearExpr.weighted_sum(variables, cost.tolist()))
    for j, var in enumerate(variables):
        cp.add_hint(var, int(round(model.start[j] * col_scale[j])))
    solver = cp_model.CpSolver()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    solver.parameters.max_time_in_seconds = remaining
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(seed)
    solver.parameters.linearization_level = 2
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.05):
            if stop.is_set() or time.monotonic() >= deadline + 0.5:
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        status = solver.solve(cp)
    finally:
        finished.set()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    x = np.array([solver.value(v) for v in variables[:m]], dtype=np.float64)
    chosen = model.chosen(x)
    objective = model.objective(chosen)
    slack = 0.5 * (m + sum(need for _, need in model.min_rows) + integral_rows) / OBJ_SCALE
    bound = solver.best_objective_bound / OBJ_SCALE + slack if exact else np.inf
    return chosen, objective, max(bound, objective), "cp-sat", status == cp_model.OPTIMAL and exact
