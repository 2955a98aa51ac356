"""The team builder: one model proposes a team for every planned visit of a period (¶8, 11).

The whole period is solved at once, because deciding week by week used up scarce people
(the only doctor who speaks Arabic, the staff with days left) on early visits and left
later ones short when capacity was tight.

Rules never broken (hard)
    Nobody goes where they declared a conflict of interest. An external expert goes only
    with terms of reference and a signed undertaking. Nobody goes in a week they are
    unavailable, nobody is on two visits in the same week, nobody gives more days than
    they have for the period, and no team is larger than the visit asks.

What the model tries to get, and what a shortfall costs (penalty points, lower is better)
    ============================================================  ===========
    a staff member on the team, to lead the delegation              40
    a medical member (doctor, psychiatrist, nurse) where needed     30
    a member trained in children's rights at a juvenile place       20
    a woman on the team where the place holds women                 20
    each missing member                                             5 + 5 a day
    each language of the people held that no member speaks           8
    gender balance, for a team of 2 or more: not all men, not all    5
    women (a member of another or undeclared gender balances it;
    a team of one where two were asked counts as unbalanced)
    a member of a declared minority, where the NPM asks for one      5
    fairness: for each staff member, the distance between the       10 per 100
    share of their available days they are given and the staff      points of
    average share (40 % against an average of 30 %: 1 point)        distance
    ============================================================  ===========

A member missing from a half-day police custody visit costs 7.5 points, from a two-day
visit 15, from a four-day prison visit 25: a long visit short of people leaves more
unseen. A missing doctor where one is needed weighs as much as two members missing from
a two-day visit. No single person's fairness can outweigh putting someone on a team:
adding a member gains at least 7.5 points and moves one person's share of their days by
a few percent, a few tenths of a point. Fairness is the sum over staff of the distance
to the average share, not the maximum load, because a limit on the busiest person says
nothing about the others, while the distance to the average spreads work among everyone
equally able to do it; shares, not days, so a half-time colleague carries half the
visits of a full-time one. External experts are not counted in fairness: they are
engaged visit by visit. An objective of 0 means every team is complete, every need is
met and every staff member gives the same share of their days.

How it is solved
    1. A greedy plan (well under a second for 400 visits and 100 people) first gives
       each visit the people its needs call for, scarcest visits first, then fills the
       teams with the least loaded people. It honours every hard rule.
    2. HiGHS (a mixed-integer solver) and OR-Tools CP-SAT then improve it side by side,
       one core each, on the model of the whole period built from arrays: each in turn
       re-solves exactly a few dozen visits with the rest of the plan held (so days,
       weeks and fairness are always counted over the whole period), and a better plan
       is shared with the other. The time limit is enforced here, outside the solvers;
       whatever they found by then is used (teams_engines.py).
    3. Every plan found is scored by the same function and checked against every hard
       rule; the best one is kept, so the result is never worse than the greedy plan.

Each visit's proposal explains itself: `unmet` lists what its team lacks (with how many
people had the skill at all and how many were still free), `binding` lists what narrowed
the choice (conflicts, unavailability, missing papers, people at their maximum days or
already on another visit that week).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from habeas.planning.solver.types import (
    CONFLICTS_EXCLUDED,
    NO_CHILD_RIGHTS,
    NO_LANGUAGE,
    NO_MEDICAL,
    NO_MINORITY,
    NO_STAFF_LEAD,
    NO_WOMAN,
    PAPERS_EXCLUDED,
    TEAM_SHORT,
    UNAVAILABLE_EXCLUDED,
    WORKLOAD_LIMIT,
    Explanation,
    Person,
    TeamInput,
    TeamResult,
    VisitNeed,
)

# Codes this module adds to those in types.py.
GENDER_UNBALANCED = "gender_unbalanced"  # a team of 2 or more that is all men or all women
WEEK_TAKEN = "week_taken"  # params: count (people already on another visit that week)

W_MEMBER = 5
W_MEMBER_DAY = 5
W_LEAD = 40
W_MEDICAL = 30
W_CHILD_RIGHTS = 20
W_WOMAN = 20
W_LANGUAGE = 8
W_GENDER = 5
W_MINORITY = 5
W_FAIRNESS = 10

WOMAN = "woman"
logger = logging.getLogger(__name__)
MAN = "man"
EPS = 1e-9


@dataclass
class Model:
    """The instance as arrays. e runs over eligible (visit, person) pairs, r over cover
    rows ("at least one member who ..."), s over the needs those rows serve (a need may
    have two rows: gender balance wants someone not a man and someone not a woman)."""

    visits: list[VisitNeed]
    people: list[Person]
    days: NDArray[np.float64]  # (V,)
    size: NDArray[np.int64]  # (V,) team size asked, >= 0
    week: NDArray[np.int64]  # (V,) index into the distinct weeks
    max_days: NDArray[np.float64]  # (P,)
    staff: NDArray[np.bool_]  # (P,) counted in fairness
    eligible: NDArray[np.bool_]  # (V, P)
    pair: NDArray[np.int64]  # (V, P) index of the pair, -1 if not eligible
    ev: NDArray[np.int64]  # (E,) visit of each pair
    ep: NDArray[np.int64]  # (E,) person of each pair
    share: NDArray[np.float64]  # (E,) days / person's max days (fairness)
    member_weight: NDArray[np.float64]  # (V,) penalty of each missing member
    row_need: NDArray[np.int64]  # (R,)
    row_mask: NDArray[np.bool_]  # (R, P) who satisfies the row
    cover_row: NDArray[np.int64]  # (K,) row of each (row, pair) entry
    cover_pair: NDArray[np.int64]  # (K,)
    need_visit: NDArray[np.int64]  # (S,)
    need_weight: NDArray[np.float64]  # (S,)
    need_code: list[str]
    need_language: list[str]
    need_rows: NDArray[np.int64]  # (S,) rows per need
    excluded: dict[str, NDArray[np.int64]]  # code -> (V,) count
    share_offset: NDArray[np.float64] | None = None  # (P,) shares given outside a part


def solve(inp: TeamInput) -> TeamResult:
    """Propose a team for every visit; never raises on odd input, explains instead."""
    started = time.monotonic()
    deadline = started + _figure(inp.time_limit)
    model = build(inp)
    x0 = greedy(model)
    initial_seconds = time.monotonic() - started
    initial = objective(model, x0)
    best, best_value, solver = x0, initial, "greedy"
    if len(model.ev) and initial > EPS:
        from habeas.planning.solver import teams_engines

        try:
            plans = teams_engines.improve(model, x0, deadline, _seed(inp.seed))
        except Exception:  # noqa: BLE001 - a solver failing must not cost the greedy plan
            logger.exception("team solvers failed; the greedy plan is kept")
            plans = []
        for name, x in plans:
            value = objective(model, x)
            if hard_rules_hold(model, x) and value < best_value - 1e-7:
                best, best_value, solver = x, value, name
    return result(model, best, best_value, initial, initial_seconds, started, solver)


# -- the instance --------------------------------------------------------------------


def build(inp: TeamInput) -> Model:
    visits = _unique(inp.visits)
    people = _unique(inp.people)
    V, P = len(visits), len(people)
    days = np.array([_figure(v.days) for v in visits], dtype=np.float64)
    size = np.array([int(_figure(v.team_size)) for v in visits], dtype=np.int64)
    weeks = np.array([int(_figure(v.week, floor=-(2**31))) for v in visits], dtype=np.int64)
    week = np.unique(weeks, return_inverse=True)[1].astype(np.int64).reshape(V)
    max_days = np.array([_figure(p.max_days) for p in people], dtype=np.float64)
    external = np.array([bool(p.external) for p in people], dtype=np.bool_)
    papers = np.array([bool(p.papers) for p in people], dtype=np.bool_)
    vindex = {v.key: i for i, v in enumerate(visits)}
    pindex = {p.key: j for j, p in enumerate(people)}

    conflict = np.zeros((V, P), dtype=np.bool_)
    for item in inp.conflicts or ():
        vkey, pkey = (
            (tuple(item) + (None, None))[:2] if isinstance(item, tuple | list) else (None, None)
        )
        if vkey in vindex and pkey in pindex:
            conflict[vindex[vkey], pindex[pkey]] = True
    away = np.zeros((V, P), dtype=np.bool_)
    for j, person in enumerate(people):
        off = [int(w) for w in person.unavailable_weeks or () if isinstance(w, int | np.integer)]
        away[:, j] = np.isin(weeks, np.array(off, dtype=np.int64))
    unpapered = np.broadcast_to(external & ~papers, (V, P))
    fits = days[:, None] <= max_days[None, :] + EPS
    eligible = ~conflict & ~away & ~unpapered & fits & (size[:, None] > 0)

    ev, ep = np.nonzero(eligible)
    pair = np.full((V, P), -1, dtype=np.int64)
    pair[ev, ep] = np.arange(len(ev))
    share = days[ev] / np.maximum(max_days[ep], EPS)
    model = Model(
        visits=visits, people=people, days=days, size=size, week=week, max_days=max_days,
        staff=~external & (max_days > 0), eligible=eligible, pair=pair,
        ev=ev.astype(np.int64), ep=ep.astype(np.int64), share=share,
        member_weight=W_MEMBER + W_MEMBER_DAY * days,
        row_need=np.zeros(0, np.int64), row_mask=np.zeros((0, P), np.bool_),
        cover_row=np.zeros(0, np.int64), cover_pair=np.zeros(0, np.int64),
        need_visit=np.zeros(0, np.int64), need_weight=np.zeros(0), need_code=[],
        need_language=[], need_rows=np.zeros(0, np.int64),
        excluded={
            CONFLICTS_EXCLUDED: conflict.sum(axis=1),
            UNAVAILABLE_EXCLUDED: away.sum(axis=1),
            PAPERS_EXCLUDED: unpapered.sum(axis=1),
        },
    )  # fmt: skip
    _needs(model, external)
    return model


def _figure(value: Any, floor: float = 0.0) -> float:
    """A number from input: not a number, infinite or below the floor counts as the floor."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return floor
    return number if np.isfinite(number) and number > floor else floor


def _seed(value: Any) -> int:
    return int(_figure(value)) % 2**31


def _unique(items: list[Any]) -> list[Any]:
    seen: set[int] = set()
    kept = []
    for item in items or []:
        if item.key not in seen:
            seen.add(item.key)
            kept.append(item)
    return kept


def _needs(model: Model, external: NDArray[np.bool_]) -> None:
    """One need per soft requirement of a visit, each with its rows of who satisfies it."""
    people = model.people
    gender = np.array([p.gender for p in people], dtype=object)
    medical = np.array([p.medical for p in people], dtype=np.bool_)
    child = np.array([p.child_rights for p in people], dtype=np.bool_)
    minority = np.array([p.minority for p in people], dtype=np.bool_)
    speaks: dict[str, NDArray[np.bool_]] = {}
    row_need: list[int] = []
    masks: list[NDArray[np.bool_]] = []
    need_visit: list[int] = []
    weights: list[float] = []
    codes: list[str] = []
    languages: list[str] = []

    def need(v: int, code: str, weight: float, *rows: NDArray[np.bool_], lang: str = "") -> None:
        for mask in rows:
            row_need.append(len(need_visit))
            masks.append(mask)
        need_visit.append(v)
        weights.append(weight)
        codes.append(code)
        languages.append(lang)

    for v, visit in enumerate(model.visits):
        if model.size[v] <= 0:
            continue
        need(v, NO_STAFF_LEAD, W_LEAD, ~external)
        if visit.medical:
            need(v, NO_MEDICAL, W_MEDICAL, medical)
        if visit.child_rights:
            need(v, NO_CHILD_RIGHTS, W_CHILD_RIGHTS, child)
        if visit.woman:
            need(v, NO_WOMAN, W_WOMAN, gender == WOMAN)
        for lang in sorted(visit.languages or ()):
            if lang not in speaks:
                speaks[lang] = np.array([lang in (p.languages or ()) for p in people], dtype=bool)
            need(v, NO_LANGUAGE, W_LANGUAGE, speaks[lang], lang=lang)
        if visit.minority:
            need(v, NO_MINORITY, W_MINORITY, minority)
        if model.size[v] >= 2:
            need(v, GENDER_UNBALANCED, W_GENDER, gender != MAN, gender != WOMAN)

    P = len(people)
    model.row_need = np.array(row_need, dtype=np.int64)
    model.row_mask = np.array(masks, dtype=np.bool_).reshape(len(masks), P)
    model.need_visit = np.array(need_visit, dtype=np.int64)
    model.need_weight = np.array(weights, dtype=np.float64)
    model.need_code = codes
    model.need_language = languages
    model.need_rows = np.bincount(model.row_need, minlength=len(need_visit)).astype(np.int64)
    _cover(model)


def _cover(model: Model) -> None:
    """The pairs of each cover row: (row, pair) entries."""
    if len(model.row_need):
        pairs = model.pair[model.need_visit[model.row_need]]  # (R, P)
        rows, people_idx = np.nonzero(model.row_mask & (pairs >= 0))
        model.cover_row = rows.astype(np.int64)
        model.cover_pair = pairs[rows, people_idx]


# -- scoring and checking ------------------------------------------------------------


def unmet_needs(model: Model, x: NDArray[np.bool_]) -> NDArray[np.bool_]:
    covered = np.bincount(
        model.cover_row, weights=x[model.cover_pair], minlength=len(model.row_need)
    )
    uncovered = covered < 0.5
    return np.bincount(model.row_need, weights=uncovered, minlength=len(model.need_visit)) > 0


def loads(model: Model, x: NDArray[np.bool_]) -> NDArray[np.float64]:
    given = np.bincount(model.ep, weights=model.days[model.ev] * x, minlength=len(model.people))
    return given.astype(np.float64)


def fairness(model: Model, x: NDArray[np.bool_]) -> float:
    if not model.staff.any():
        return 0.0
    staff = shares_of(model, x)[model.staff]
    return float(np.abs(staff - staff.mean()).sum())


def shares_of(model: Model, x: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Each person's share of their days given in the plan."""
    given = np.bincount(model.ep, weights=model.share * x, minlength=len(model.people))
    shares: NDArray[np.float64] = given.astype(np.float64)
    return shares if model.share_offset is None else shares + model.share_offset


def restrict(model: Model, chosen: NDArray[np.bool_], x: NDArray[np.bool_]) -> tuple[Model, Any]:
    """The part of the model for the chosen visits, the rest of plan x held fixed: people
    have the days the rest leaves them, are taken in the weeks of their other visits, and
    carry the rest's share into fairness. Returns the part and, for each of its pairs,
    the pair of the whole model."""
    vs = np.flatnonzero(chosen)
    P = len(model.people)
    inside = chosen[model.ev]
    held = ~inside & x
    given = np.bincount(
        model.ep[held], weights=model.days[model.ev[held]], minlength=len(model.people)
    )
    left = np.maximum(model.max_days - given, 0.0)
    taken = np.zeros((len(model.people), int(model.week.max()) + 1), dtype=np.bool_)
    taken[model.ep[held], model.week[model.ev[held]]] = True
    eligible = (
        model.eligible[vs]
        & (model.days[vs, None] <= left[None, :] + EPS)
        & ~taken[:, model.week[vs]].T
    )
    ev, ep = np.nonzero(eligible)
    pair = np.full(eligible.shape, -1, dtype=np.int64)
    pair[ev, ep] = np.arange(len(ev))
    mapping = model.pair[vs[ev], ep]
    keep = np.isin(model.need_visit, vs)
    renumber = np.cumsum(keep) - 1
    rows = keep[model.row_need]
    position = np.full(len(model.visits), -1, dtype=np.int64)
    position[vs] = np.arange(len(vs))
    part = Model(
        visits=[model.visits[i] for i in vs], people=model.people, days=model.days[vs],
        size=model.size[vs], week=model.week[vs], max_days=left, staff=model.staff,
        eligible=eligible, pair=pair, ev=ev.astype(np.int64), ep=ep.astype(np.int64),
        share=model.share[mapping], member_weight=model.member_weight[vs],
        row_need=renumber[model.row_need[rows]], row_mask=model.row_mask[rows],
        cover_row=np.zeros(0, np.int64), cover_pair=np.zeros(0, np.int64),
        need_visit=position[model.need_visit[keep]], need_weight=model.need_weight[keep],
        need_code=[c for c, k in zip(model.need_code, keep, strict=True) if k],
        need_language=[c for c, k in zip(model.need_language, keep, strict=True) if k],
        need_rows=model.need_rows[keep], excluded={},
        share_offset=np.bincount(model.ep[held], model.share[held], P).astype(np.float64),
    )  # fmt: skip
    _cover(part)
    return part, mapping


def objective(model: Model, x: NDArray[np.bool_]) -> float:
    """Penalty points of a plan (see the table in the module docstring); lower is better."""
    members = np.bincount(model.ev, weights=x, minlength=len(model.visits))
    short = np.maximum(model.size - members, 0)
    needs = float(model.need_weight[unmet_needs(model, x)].sum())
    return float(model.member_weight @ short) + needs + W_FAIRNESS * fairness(model, x)


def hard_rules_hold(model: Model, x: NDArray[np.bool_]) -> bool:
    """Team sizes, one visit a week, maximum days (the other rules are in the pairs)."""
    if len(x) != len(model.ev):
        return False
    members = np.bincount(model.ev, weights=x, minlength=len(model.visits))
    if (members > model.size + EPS).any():
        return False
    weeks = int(model.week.max()) + 1 if len(model.week) else 1
    slot = model.ep * weeks + model.week[model.ev]
    if (np.bincount(slot, weights=x, minlength=len(model.people) * weeks) > 1 + EPS).any():
        return False
    return bool((loads(model, x) <= model.max_days + 1e-6).all())


# -- the greedy plan -----------------------------------------------------------------


def greedy(model: Model) -> NDArray[np.bool_]:
    """Needs first, on the visits with the fewest people able to go; then fill the teams."""
    V, P = model.eligible.shape
    x = np.zeros(len(model.ev), dtype=np.bool_)
    if not len(model.ev):
        return x
    weeks = int(model.week.max()) + 1
    busy = np.zeros((P, weeks), dtype=np.bool_)
    load = np.zeros(P)
    on_team = np.zeros((V, P), dtype=np.bool_)
    members = np.zeros(V, dtype=np.int64)
    covered = np.zeros(len(model.row_need), dtype=np.bool_)
    rows_of = [np.flatnonzero(model.need_visit[model.row_need] == v) for v in range(V)]
    share_of = np.where(model.max_days > 0, 1.0 / np.maximum(model.max_days, EPS), 0.0)
    rarity = model.row_mask.sum(axis=0) / max(len(model.row_need), 1)
    pressure = model.eligible.sum(axis=1)
    demand = np.bincount(model.need_visit, weights=model.need_weight, minlength=V)

    def gain(v: int) -> NDArray[np.float64]:
        value = np.zeros(P)
        for r in rows_of[v]:
            if not covered[r]:
                s = model.row_need[r]
                value += model.row_mask[r] * (model.need_weight[s] / model.need_rows[s])
        return value

    def free(v: int) -> NDArray[np.bool_]:
        return (
            model.eligible[v]
            & ~busy[:, model.week[v]]
            & (load + model.days[v] <= model.max_days + EPS)
            & ~on_team[v]
        )

    def add(v: int, p: int) -> None:
        x[model.pair[v, p]] = True
        busy[p, model.week[v]] = True
        load[p] += model.days[v]
        on_team[v, p] = True
        members[v] += 1
        rows = rows_of[v]
        covered[rows] |= model.row_mask[rows, p]

    order = np.lexsort((pressure, -demand))
    for v in order:  # 1. the needs
        while members[v] < model.size[v]:
            candidates = free(v)
            score = np.where(candidates, gain(v), 0.0)
            if score.max() <= EPS:
                break
            tie = -0.01 * rarity - 0.1 * load * share_of
            add(v, int(np.argmax(np.where(candidates & (score > EPS), score + tie, -np.inf))))
    for v in np.argsort(pressure, kind="stable"):  # 2. fill the teams
        while members[v] < model.size[v]:
            candidates = free(v)
            if not candidates.any():
                break
            score = gain(v) - 0.01 * rarity - load * share_of
            add(v, int(np.argmax(np.where(candidates, score, -np.inf))))
    return x


# -- the result and its explanations -------------------------------------------------


def result(
    model: Model,
    x: NDArray[np.bool_],
    value: float,
    initial: float,
    initial_seconds: float,
    started: float,
    solver: str,
) -> TeamResult:
    V = len(model.visits)
    members: dict[int, list[int]] = {}
    unmet: dict[int, list[Explanation]] = {}
    binding: dict[int, list[Explanation]] = {}
    team = np.zeros(model.eligible.shape, dtype=np.bool_)
    team[model.ev[x], model.ep[x]] = True
    load = loads(model, x)
    weeks = int(model.week.max()) + 1 if V else 1
    busy = np.zeros((len(model.people), weeks), dtype=np.bool_)
    busy[model.ep[x], model.week[model.ev[x]]] = True
    missing = unmet_needs(model, x)
    for v, visit in enumerate(model.visits):
        chosen = np.flatnonzero(team[v])
        members[visit.key] = _ordered(model, chosen)
        others = model.eligible[v] & ~team[v]
        taken = others & busy[:, model.week[v]]
        full = others & ~taken & (load + model.days[v] > model.max_days + EPS)
        free = others & ~taken & ~full
        too_few_days = model.days[v] > model.max_days + EPS
        reasons = dict(model.excluded)
        counts = {code: int(reasons[code][v]) for code in reasons}
        counts[WORKLOAD_LIMIT] = int(full.sum() + (too_few_days & ~model.eligible[v]).sum())
        counts[WEEK_TAKEN] = int(taken.sum())
        binding[visit.key] = [
            Explanation(code, {"count": count}) for code, count in counts.items() if count > 0
        ]
        items = []
        if len(chosen) < model.size[v]:
            items.append(Explanation(TEAM_SHORT, {"have": len(chosen), "need": int(model.size[v])}))
        for s in np.flatnonzero((model.need_visit == v) & missing):
            items.append(_need_explained(model, int(s), v, free))
        unmet[visit.key] = items
    return TeamResult(
        members=members,
        unmet=unmet,
        binding=binding,
        objective=round(value, 6),
        initial_objective=round(initial, 6),
        initial_seconds=initial_seconds,
        solve_seconds=time.monotonic() - started,
        solver=solver,
    )


def _ordered(model: Model, chosen: NDArray[np.int64]) -> list[int]:
    """Staff first, so the proposed head of delegation is never an external expert."""
    ranked = sorted(chosen.tolist(), key=lambda p: (model.people[p].external, p))
    return [model.people[p].key for p in ranked]


def _need_explained(model: Model, s: int, v: int, free: NDArray[np.bool_]) -> Explanation:
    rows = np.flatnonzero(model.row_need == s)
    able = model.row_mask[rows].any(axis=0) if model.need_code[s] != GENDER_UNBALANCED else None
    params: dict[str, float | int | str] = {}
    if able is not None:
        params = {
            "eligible": int((able & model.eligible[v]).sum()),
            "free": int((able & free).sum()),
        }
    if model.need_language[s]:
        params["language"] = model.need_language[s]
    return Explanation(model.need_code[s], params)
