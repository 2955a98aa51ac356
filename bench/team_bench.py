"""Benchmark the team builder on a quarter's scarce instance: 400 visits, 100 people.

    .venv/bin/python bench/team_bench.py --seed 1 [--time-limit 60] [--visits 400]

The instance (seeded): 13 weeks; 60 staff and 40 external experts, a quarter of the
externals without terms of reference or a signed undertaking; professions, genders,
languages and declared minority backgrounds in realistic shares; holidays and training
weeks (unavailability); conflicts of interest on about 1 % of (visit, person) pairs.
Visits by category, with their days, team size and needs: prisons (3-5 days, 4-5
people), police custody (half a day to a day, 2), psychiatric and social-care places (a
medical member), juvenile centres (children's rights), immigration detention (languages).
Demand is tight: the staff-days asked exceed the days people can give. Prints one JSON
object. No Django, no database: it calls the solver directly. Never run by the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from habeas.planning.solver import teams, teams_engines  # noqa: E402
from habeas.planning.solver.teams import solve  # noqa: E402
from habeas.planning.solver.types import Person, TeamInput, VisitNeed  # noqa: E402

WEEKS = 13
NATIONAL = "fr"
# language: share of people who speak it, share of immigration visits that need it
LANGUAGES = {"en": (0.45, 0.5), "ar": (0.12, 0.45), "es": (0.12, 0.2), "ru": (0.06, 0.15),
             "ro": (0.05, 0.15), "fa": (0.03, 0.15), "tr": (0.05, 0.1)}  # fmt: skip
STAFF = {"lawyer": 16, "doctor": 5, "psychiatrist": 2, "psychologist": 8, "nurse": 4,
         "social_worker": 10, "other": 15}  # fmt: skip
EXTERNALS = {"doctor": 10, "psychiatrist": 6, "psychologist": 6, "nurse": 4, "lawyer": 6,
             "other": 8}  # fmt: skip
MEDICAL = {"doctor", "psychiatrist", "nurse"}
# category: share of visits, days (low, high), team size (low, high), needs
CATEGORIES = {
    "prison": (0.25, (2, 4), (3, 4), {"woman": 0.35, "languages": 0.3}),
    "police": (0.35, (0.5, 1), (2, 2), {"woman": 0.3, "languages": 0.2}),
    "psychiatric": (0.12, (2, 3), (3, 4), {"medical": 1.0, "woman": 0.6}),
    "social_care": (0.08, (1, 2), (2, 3), {"medical": 1.0, "woman": 0.7}),
    "juvenile": (0.08, (1, 2), (3, 3), {"child_rights": 1.0, "woman": 0.4}),
    "immigration": (0.12, (2, 3), (3, 4), {"languages": 1.0, "woman": 0.5, "medical": 0.3}),
}


def instance(seed: int, n_visits: int = 400) -> TeamInput:
    rng = np.random.default_rng(seed)
    people = [*_people(rng, STAFF, external=False), *_people(rng, EXTERNALS, external=True)]
    for key, person in enumerate(people):
        person.key = key
    visits = _visits(rng, n_visits)
    conflicts = {
        (visit.key, person.key) for visit in visits for person in people if rng.random() < 0.01
    }
    return TeamInput(visits=visits, people=people, conflicts=frozenset(conflicts),
                     time_limit=60.0, seed=seed)  # fmt: skip


def _people(rng: np.random.Generator, counts: dict[str, int], *, external: bool) -> list[Person]:
    people = []
    for profession, count in counts.items():
        for _ in range(count):
            spoken = {NATIONAL} | {lang for lang, (share, _) in LANGUAGES.items()
                                   if rng.random() < share}  # fmt: skip
            off = rng.choice(WEEKS, size=int(rng.integers(0, 4)), replace=False)
            people.append(Person(
                key=0,
                gender=str(rng.choice(["woman", "man", "other", "undisclosed"],
                                      p=[0.55, 0.41, 0.02, 0.02])),
                medical=profession in MEDICAL,
                child_rights=bool(rng.random() < (0.15 if profession != "social_worker" else 0.5)),
                languages=frozenset(spoken),
                minority=bool(rng.random() < 0.1),
                external=external,
                papers=not external or bool(rng.random() < 0.75),
                max_days=float(rng.integers(6, 16) if external else rng.integers(20, 33)),
                unavailable_weeks=frozenset(int(w) for w in off),
            ))  # fmt: skip
    return people


def _visits(rng: np.random.Generator, n: int) -> list[VisitNeed]:
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[name][0] for name in names])
    visits = []
    for key in range(n):
        share, (d_low, d_high), (t_low, t_high), needs = CATEGORIES[
            names[int(rng.choice(len(names), p=shares / shares.sum()))]
        ]
        days = float(d_low if d_low == d_high else rng.choice(np.arange(d_low, d_high + 0.5, 0.5)))
        languages = set()
        if rng.random() < needs.get("languages", 0):
            for lang, (_, wanted) in LANGUAGES.items():
                if rng.random() < wanted:
                    languages.add(lang)
        visits.append(VisitNeed(
            key=key,
            week=int(rng.integers(0, WEEKS)),
            days=days,
            team_size=int(rng.integers(t_low, t_high + 1)),
            medical=bool(rng.random() < needs.get("medical", 0)),
            child_rights=bool(rng.random() < needs.get("child_rights", 0)),
            woman=bool(rng.random() < needs.get("woman", 0)),
            languages=frozenset(languages),
            minority=bool(rng.random() < 0.08),
        ))  # fmt: skip
    return visits


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """HiGHS prints its banner on the process's C stdout; keep stdout for the JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        ctypes.CDLL(None).fflush(None)  # the banner may wait in C's buffer
        os.dup2(saved, 1)
        os.close(saved)


def week_by_week(inp: TeamInput, seconds: float) -> float:
    """The decomposition the issue replaced: each week solved exactly (HiGHS) in turn,
    the earlier weeks' teams fixed, `seconds` shared evenly. Returns its objective."""
    model = teams.build(inp)
    x = np.zeros(len(model.ev), dtype=np.bool_)
    weeks = int(model.week.max()) + 1
    for week in range(weeks):
        part, mapping = teams.restrict(model, model.week == week, x)
        if len(part.ev):
            outcome = teams_engines.HighsPart(part, x[mapping], seconds / weeks, inp.seed).run()
            if outcome.plan is not None:
                x[mapping] = outcome.plan
    assert teams.hard_rules_hold(model, x)
    return teams.objective(model, x)


def lp_bound(inp: TeamInput, seconds: float) -> float | None:
    """The linear relaxation of the whole period's model: no plan can score below it."""
    import highspy

    model = teams.build(inp)
    lp = teams_engines.highs_lp(model)
    lp.integrality_ = []
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", seconds)
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(highs.getInfo().objective_function_value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--visits", type=int, default=400)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--compare", action="store_true",
                        help="also solve week by week and the linear relaxation")  # fmt: skip
    options = parser.parse_args()
    inp = instance(options.seed, options.visits)
    inp.time_limit = options.time_limit
    asked = sum(v.days * v.team_size for v in inp.visits)
    available = sum(p.max_days for p in inp.people if not p.external or p.papers)
    with stdout_to_stderr():
        result = solve(inp)
    unmet: dict[str, int] = {}
    for items in result.unmet.values():
        for item in items:
            unmet[item.code] = unmet.get(item.code, 0) + 1
    report = {
        "seed": options.seed,
        "visits": len(inp.visits),
        "people": len(inp.people),
        "staff_days_asked": asked,
        "staff_days_available": available,
        "initial_seconds": round(result.initial_seconds, 3),
        "initial_objective": result.initial_objective,
        "objective": result.objective,
        "solve_seconds": round(result.solve_seconds, 2),
        "unmet": dict(sorted(unmet.items())),
        "solver": result.solver,
    }
    if options.compare:
        with stdout_to_stderr():
            by_week = week_by_week(inp, options.time_limit)
            bound = lp_bound(inp, 4 * options.time_limit)
        report["week_by_week_objective"] = round(by_week, 6)
        report["lp_bound"] = None if bound is None else round(bound, 6)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
