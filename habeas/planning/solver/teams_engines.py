"""The team model given to HiGHS and OR-Tools CP-SAT, side by side (see teams.py).

Variables: a[e] in {0, 1} for each eligible (visit, person) pair; s[n] in [0, 1], 1 when
need n is unmet; for fairness, each staff member's share of their days sh[p], the
average m, and the distance dev[p] >= |sh[p] - m|. Rows: team size, one visit a week,
maximum days, "at least one member who ... or the need is unmet", and the fairness rows.
Both models are built from arrays, never row by row from Python objects.

The whole period's model is too large for either solver to improve within a minute at
400 visits and 100 people (HiGHS spends 15 s on its first LP; CP-SAT 16 s presolving).
So each solver runs, on its own thread with one core, a large-neighbourhood search over
the period's model: it takes the best plan so far, frees a few dozen visits drawn from
two weeks (everything else is held: days given elsewhere still count against each
person's maximum, people stay taken in the weeks of their other visits, and fairness
still sees the whole period), solves that part exactly from the current plan, and keeps
the result if the whole period's plan improves. The part grows when it is solved to
optimality quickly and shrinks when it is not; on a small instance the part is the whole
period, and a solver that proves it optimal ends the search. The deadline is watched
here, not left to the solvers (HiGHS can overshoot its own limit): at the deadline both
are told to stop and the best plan so far is returned at once, whether or not a solver
has handed back control.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from habeas.planning.solver import teams

if TYPE_CHECKING:
    from habeas.planning.solver.teams import Model

INF = float("inf")
MARGIN = 0.25  # seconds kept at the end to score the plans and write the explanations
SCALE = 100  # CP-SAT works in integers: shares of days in hundredths
PART_VISITS = 20  # the size of a first part, in visits
PART_SECONDS = 3.0  # time given to one part


@dataclass
class Outcome:
    plan: NDArray[np.bool_] | None
    proven: bool


# -- HiGHS ---------------------------------------------------------------------------


class Rows:
    """Triplets of a sparse matrix, gathered block by block."""

    def __init__(self) -> None:
        self.parts: list[tuple[NDArray[Any], ...]] = []
        self.lower: list[NDArray[np.float64]] = []
        self.upper: list[NDArray[np.float64]] = []
        self.count = 0

    def add(self, row: Any, col: Any, val: Any, lower: Any, upper: Any, n: int) -> None:
        row = np.asarray(row, dtype=np.int64)
        val = np.broadcast_to(np.asarray(val, dtype=np.float64), row.shape)
        self.parts.append((row + self.count, np.asarray(col, dtype=np.int64), val))
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)))
        self.count += n

    def arrays(self) -> tuple[NDArray[Any], ...]:
        return tuple(np.concatenate([part[i] for part in self.parts]) for i in range(3))


def hard_rows(model: Model, rows: Rows) -> None:
    pairs = np.arange(len(model.ev))
    visits, team = np.unique(model.ev, return_inverse=True)
    rows.add(team, pairs, 1.0, -INF, model.size[visits].astype(float), len(visits))
    slot = model.ep * (int(model.week.max()) + 1) + model.week[model.ev]
    _, which, counts = np.unique(slot, return_inverse=True, return_counts=True)
    crowded = counts >= 2
    keep = crowded[which]
    rows.add((np.cumsum(crowded) - 1)[which[keep]], pairs[keep], 1.0, -INF, 1.0, int(crowded.sum()))
    offered = np.bincount(model.ep, weights=model.days[model.ev], minlength=len(model.people))
    limited = offered > model.max_days + 1e-9
    keep = limited[model.ep]
    rows.add((np.cumsum(limited) - 1)[model.ep[keep]], pairs[keep], model.days[model.ev[keep]],
             -INF, model.max_days[limited], int(limited.sum()))  # fmt: skip


def highs_lp(model: Model) -> Any:
    import highspy

    E, S = len(model.ev), len(model.need_visit)
    staff = np.flatnonzero(model.staff)
    F = len(staff)
    n = E + S + (2 * F + 1 if F else 0)
    rows = Rows()
    hard_rows(model, rows)
    R = len(model.row_need)
    rows.add(np.r_[model.cover_row, np.arange(R)], np.r_[model.cover_pair, E + model.row_need],
             1.0, 1.0, INF, R)  # fmt: skip
    cost = np.zeros(n)
    cost[:E] = -model.member_weight[model.ev]
    cost[E : E + S] = model.need_weight
    upper = np.ones(n)
    if F:
        sh, m = E + S + np.arange(F), E + S + F
        dev = m + 1 + np.arange(F)
        position = np.full(len(model.people), -1, dtype=np.int64)
        position[staff] = np.arange(F)
        counted = position[model.ep] >= 0
        offset = np.zeros(F) if model.share_offset is None else model.share_offset[staff]
        rows.add(np.r_[position[model.ep[counted]], np.arange(F)],
                 np.r_[np.flatnonzero(counted), sh],
                 np.r_[-model.share[counted], np.ones(F)], offset, offset, F)  # fmt: skip
        rows.add(np.zeros(F + 1, np.int64), np.r_[sh, m], np.r_[np.full(F, -1.0 / F), 1.0],
                 0.0, 0.0, 1)  # fmt: skip
        for sign in (1.0, -1.0):
            rows.add(np.repeat(np.arange(F), 3), np.column_stack([dev, sh, np.full(F, m)]).ravel(),
                     np.tile([1.0, -sign, sign], F), 0.0, INF, F)  # fmt: skip
        cost[dev] = teams.W_FAIRNESS
        upper[E + S :] = INF
    r, c, v = rows.arrays()
    order = np.lexsort((r, c))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, rows.count
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(n), upper
    lp.row_lower_, lp.row_upper_ = np.concatenate(rows.lower), np.concatenate(rows.upper)
    lp.offset_ = float(model.member_weight @ model.size)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.r_[0, np.cumsum(np.bincount(c, minlength=n))].astype(np.int32)
    lp.a_matrix_.index_ = r[order].astype(np.int32)
    lp.a_matrix_.value_ = v[order]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * E + [highspy.HighsVarType.kContinuous] * (
        n - E
    )
    return lp


def start_values(model: Model, x: NDArray[np.bool_]) -> NDArray[np.float64]:
    values = [x.astype(np.float64), teams.unmet_needs(model, x).astype(np.float64)]
    if model.staff.any():
        sh = teams.shares_of(model, x)[model.staff]
        values += [sh, np.array([sh.mean()]), np.abs(sh - sh.mean())]
    return np.concatenate(values)


class HighsPart:
    """One exact solve of a part by HiGHS, from the current plan."""

    def __init__(self, model: Model, x0: NDArray[np.bool_], seconds: float, seed: int) -> None:
        import highspy

        self.E = len(model.ev)
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("time_limit", max(seconds, 0.05))
        self.highs.setOptionValue("random_seed", int(seed) % 2**31)
        self.highs.passModel(highs_lp(model))
        start = highspy.HighsSolution()
        start.col_value = start_values(model, x0).tolist()
        start.value_valid = True
        self.highs.setSolution(start)
        self.highs.HandleUserInterrupt = True

    def stop(self) -> None:
        self.highs.cancelSolve()

    def run(self) -> Outcome:
        import highspy

        self.highs.run()
        solution = self.highs.getSolution()
        if not solution.value_valid:
            return Outcome(None, False)
        plan = np.array(solution.col_value, dtype=np.float64)[: self.E] > 0.5
        return Outcome(plan, self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal)


# -- CP-SAT --------------------------------------------------------------------------


def _groups(keys: NDArray[np.int64], values: NDArray[np.int64]) -> dict[int, NDArray[np.int64]]:
    order = np.argsort(keys, kind="stable")
    found, first = np.unique(keys[order], return_index=True)
    return dict(zip(found.tolist(), np.split(values[order], first[1:]), strict=True))


class CpSatPart:
    """One exact solve of a part by CP-SAT, from the current plan (as a hint)."""

    def __init__(self, model: Model, x0: NDArray[np.bool_], seconds: float, seed: int) -> None:
        from ortools.sat.python import cp_model

        lin = cp_model.LinearExpr
        E = len(model.ev)
        pairs = np.arange(E)
        cp = cp_model.CpModel()
        a = [cp.new_bool_var("") for _ in range(E)]
        for v, group in _groups(model.ev, pairs).items():
            cp.add(lin.sum([a[e] for e in group]) <= int(model.size[v]))
        weeks = int(model.week.max()) + 1
        for group in _groups(model.ep * weeks + model.week[model.ev], pairs).values():
            if len(group) > 1:
                cp.add_at_most_one(a[e] for e in group)
        days = np.round(model.days * 100).astype(np.int64)
        by_person = _groups(model.ep, pairs)
        for p, group in by_person.items():
            coeffs = days[model.ev[group]]
            if coeffs.sum() > model.max_days[p] * 100:
                cap = int(np.floor(model.max_days[p] * 100 + 1e-6))
                cp.add(lin.weighted_sum([a[e] for e in group], coeffs.tolist()) <= cap)
        s = [cp.new_bool_var("") for _ in range(len(model.need_visit))]
        covers = _groups(model.cover_row, model.cover_pair)
        for r in range(len(model.row_need)):
            group = covers.get(r, pairs[:0])
            cp.add(lin.sum([a[e] for e in group] + [s[int(model.row_need[r])]]) >= 1)
        F = int(model.staff.sum())
        weight = SCALE * max(F, 1)
        variables: list[Any] = [*a, *s]
        gains = np.round(model.member_weight[model.ev] * weight).astype(np.int64)
        costs = np.round(model.need_weight * weight).astype(np.int64)
        coeffs_all = [*(-gains).tolist(), *costs.tolist()]
        if F:
            share = np.round(model.share * SCALE).astype(np.int64)
            offset = (
                np.zeros(len(model.people)) if model.share_offset is None else model.share_offset
            )
            bound: int = SCALE * (len(model.visits) + 1)
            bound += int(np.ceil(float(offset.max()) * SCALE))
            sh = []
            for who in np.flatnonzero(model.staff).tolist():
                group = by_person.get(who, pairs[:0])
                expr = lin.weighted_sum([a[e] for e in group], share[group].tolist())
                var = cp.new_int_var(0, bound, "")
                cp.add(var == expr + int(round(offset[who] * SCALE)))
                sh.append(var)
            total = cp.new_int_var(0, bound * F, "")
            cp.add(total == lin.sum(sh))
            for var in sh:
                dev = cp.new_int_var(0, bound * F, "")
                cp.add(dev >= F * var - total)
                cp.add(dev >= total - F * var)
                variables.append(dev)
                coeffs_all.append(teams.W_FAIRNESS)
        cp.minimize(lin.weighted_sum(variables, coeffs_all))
        unmet = teams.unmet_needs(model, x0)
        for e in range(E):
            cp.add_hint(a[e], bool(x0[e]))
        for n in range(len(s)):
            cp.add_hint(s[n], bool(unmet[n]))
        self.cp, self.a = cp, a
        self.solver = cp_model.CpSolver()
        self.solver.parameters.max_time_in_seconds = max(seconds, 0.05)
        self.solver.parameters.num_workers = 1
        self.solver.parameters.random_seed = int(seed) % 2**31

    def stop(self) -> None:
        self.solver.stop_search()

    def run(self) -> Outcome:
        from ortools.sat.python import cp_model

        status = self.solver.solve(self.cp)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Outcome(None, False)
        values = np.array(self.solver.response_proto.solution, dtype=np.int64)
        index = np.array([var.index for var in self.a], dtype=np.int64)
        return Outcome(values[index] > 0, status == cp_model.OPTIMAL)


# -- the search ----------------------------------------------------------------------


class Search:
    """The best plan so far, shared by the two solvers' threads."""

    def __init__(self, model: Model, x0: NDArray[np.bool_], deadline: float) -> None:
        self.model = model
        self.deadline = deadline
        self.lock = threading.Lock()
        self.best = {"greedy": x0}
        self.value = teams.objective(model, x0)
        self.current = x0
        self.done = threading.Event()
        self.running: dict[str, Any] = {}

    def offer(self, name: str, plan: NDArray[np.bool_], mapping: NDArray[np.int64]) -> None:
        with self.lock:
            if self.done.is_set():
                return
            candidate = self.current.copy()
            candidate[mapping] = plan
            value = teams.objective(self.model, candidate)
            if value < self.value - 1e-7 and teams.hard_rules_hold(self.model, candidate):
                self.current, self.value = candidate, value
                self.best[name] = candidate

    def left(self) -> float:
        return self.deadline - MARGIN - time.monotonic()

    def worker(self, name: str, engine: Any, seed: int) -> None:
        rng = np.random.default_rng(seed)
        model = self.model
        V = len(model.visits)
        weeks = int(model.week.max()) + 1
        size = int(np.clip(PART_VISITS, 1, V))
        empty = 0
        while not self.done.is_set() and self.left() > 0.1:
            chosen = self.part(rng, size, weeks)
            with self.lock:
                x = self.current.copy()
            part, mapping = teams.restrict(model, chosen, x)
            if not len(part.ev):
                empty += 1
                if empty >= 20:  # nobody left to move in parts: solve the whole period
                    size = V
                continue
            empty = 0
            seconds = min(PART_SECONDS, self.left())
            began = time.monotonic()
            run = engine(part, x[mapping], seconds, int(rng.integers(2**31)))
            self.running[name] = run
            if self.done.is_set():
                return
            outcome = run.run()
            if outcome.plan is not None:
                self.offer(name, outcome.plan, mapping)
            if outcome.proven and size == V:
                self.done.set()
                return
            if outcome.proven and time.monotonic() - began < seconds / 4:
                size = min(int(size * 1.25) + 1, V)
            elif not outcome.proven:
                size = max(int(size * 0.8), 2)

    def part(self, rng: np.random.Generator, size: int, weeks: int) -> NDArray[np.bool_]:
        """Visits of two weeks at random (people trade days between them), up to `size`."""
        model = self.model
        if size >= len(model.visits):
            return np.ones(len(model.visits), dtype=np.bool_)
        pick = rng.choice(weeks, size=min(2, weeks), replace=False)
        pool = np.flatnonzero(np.isin(model.week, pick))
        if len(pool) < size:
            pool = np.arange(len(model.visits))
        chosen = np.zeros(len(model.visits), dtype=np.bool_)
        chosen[rng.choice(pool, size=size, replace=False)] = True
        return chosen


def improve(
    model: Model, x0: NDArray[np.bool_], deadline: float, seed: int
) -> list[tuple[str, NDArray[np.bool_]]]:
    """Search with both solvers until the deadline; return the best plan each found."""
    search = Search(model, x0, deadline)
    threads = [
        threading.Thread(target=search.worker, args=(name, engine, seed + k), daemon=True)
        for k, (name, engine) in enumerate((("highs", HighsPart), ("cp-sat", CpSatPart)))
    ]
    for thread in threads:
        thread.start()
    while search.left() > 0 and any(t.is_alive() for t in threads) and not search.done.is_set():
        time.sleep(0.02)
    with search.lock:
        search.done.set()
    for run in list(search.running.values()):
        run.stop()
    for thread in threads:  # a solver that overshoots is left behind, its plan is not needed
        thread.join(timeout=max(0.0, min(0.2, deadline - time.monotonic())))
    with search.lock:
        return [(name, plan) for name, plan in search.best.items() if name != "greedy"]
