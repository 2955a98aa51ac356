"""Benchmark the visit programme on a generated NPM: a year of four quarterly programmes.

    python manage.py plan_bench --places 6000 --seed 1 --time-limit 60 --json

The instance comes from `habeas.planning.benchgen` (12 regions, about 60 staff and 40
external experts, at most 400 visit slots a quarter with 20 % in reserve: 320 visits a
quarter for the programme, and staff-days scarce too). The year rolls:
after each quarter, the places the programme visited start again from 0 months and every
other place waits 3 months more, so each quarter's instance follows from the last. The
time limit applies to each quarter's solve, so a year may take four times as long.
Nothing is read from or written to the database.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from habeas.planning.benchgen import CODES, BenchYear, generate
from habeas.planning.solver.greedy import greedy
from habeas.planning.solver.programme import due, left_out, objective_of, solve
from habeas.planning.solver.types import ProgrammeInput, ProgrammeResult

QUARTERS = 4


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """HiGHS prints its banner on the process's stdout; keep stdout for the JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def quarter_figures(inp: ProgrammeInput, result: ProgrammeResult) -> dict[str, Any]:
    greedy_chosen = result.greedy_chosen
    shared, _ = greedy(inp, share_trips=True)
    is_due = due(inp) & ~inp.avoid
    chosen = result.chosen
    trips = {
        (int(inp.region[i]), int(inp.cluster[i]), int(result.week[i]))
        for i in np.nonzero(chosen)[0]
    }
    return {
        "visits": int(chosen.sum()),
        "max_visits": inp.max_visits,
        "staff_days_used": round(
            float(inp.staff_days[chosen].sum()) + inp.trip_overhead * len(trips), 1
        ),
        "staff_days": round(float(inp.region_capacity.sum()), 1),
        "objective": round(result.objective, 3),
        "bound": round(result.bound, 3),
        "gap": result.gap,
        "status": result.status,
        "solver": result.solver,
        "solve_seconds": round(result.solve_seconds, 3),
        "build_seconds": round(result.build_seconds, 3),
        "engines": {
            name: {key: (round(v, 3) if isinstance(v, float) else v) for key, v in figures.items()}
            for name, figures in result.engines.items()
        },
        "greedy_objective": round(result.greedy_objective, 3),
        "greedy_shared_trips_objective": round(objective_of(inp, shared), 3),
        "greedy_visits": int(greedy_chosen.sum()),
        "risk_covered": round(float(inp.value[result.chosen].sum()), 3),
        "greedy_risk_covered": round(float(inp.value[greedy_chosen].sum()), 3),
        "due_places": int(is_due.sum()),
        "due_visited": int((is_due & result.chosen).sum()),
        "greedy_due_visited": int((is_due & greedy_chosen).sum()),
        "exceeded": int(result.exceeded.sum()),
        "greedy_exceeded": int((is_due & ~greedy_chosen).sum()),
        "regions_left_out": result.left_out_regions,
        "categories_left_out": [CODES[c] for c in result.left_out_categories],
        "greedy_regions_left_out": left_out(inp.region, inp.avoid, greedy_chosen),
        "greedy_categories_left_out": [
            CODES[c] for c in left_out(inp.category, inp.avoid, greedy_chosen)
        ],
        "explanations": sorted({e.code for e in result.explanations}),
    }


def run_year(year: BenchYear, time_limit: float) -> dict[str, Any]:
    months = year.months_since.copy()
    greedy_months = year.months_since.copy()  # the spreadsheet's own year, for comparison
    quarters = []
    for q in range(QUARTERS):
        inp = year.quarter(q, months, time_limit=time_limit)
        result = solve(inp)
        quarters.append(quarter_figures(inp, result))
        months = np.where(result.chosen, 0.0, months + 3.0)
        greedy_chosen, _ = greedy(year.quarter(q, greedy_months, time_limit=time_limit))
        greedy_months = np.where(greedy_chosen, 0.0, greedy_months + 3.0)
    objective = sum(q["objective"] for q in quarters)
    bound = sum(q["bound"] for q in quarters)

    def total(key: str) -> Any:
        return sum(q[key] for q in quarters)

    def union(key: str) -> list[Any]:
        return sorted({item for q in quarters for item in q[key]})

    return {
        "places": year.places,
        "seed": year.seed,
        "time_limit": time_limit,
        "visits_chosen": total("visits"),
        "solve_seconds": round(total("solve_seconds"), 3),
        "objective": round(objective, 3),
        "bound": round(bound, 3),
        "gap": (bound - objective) / bound if bound > 0 else 0.0,
        "greedy_objective": round(total("greedy_objective"), 3),
        "greedy_shared_trips_objective": round(total("greedy_shared_trips_objective"), 3),
        "categories_left_out": union("categories_left_out"),
        "regions_left_out": union("regions_left_out"),
        "greedy_categories_left_out": union("greedy_categories_left_out"),
        "greedy_regions_left_out": union("greedy_regions_left_out"),
        "risk_covered": round(total("risk_covered"), 3),
        "greedy_risk_covered": round(total("greedy_risk_covered"), 3),
        "greedy_visits": total("greedy_visits"),
        "overdue_at_year_end": int((months >= year.max_interval).sum()),
        "greedy_overdue_at_year_end": int((greedy_months >= year.max_interval).sum()),
        "quarter_gaps": [q["gap"] for q in quarters],
        "quarter_seconds": [q["solve_seconds"] for q in quarters],
        "quarter_solvers": [q["solver"] for q in quarters],
        "quarter_status": [q["status"] for q in quarters],
        "max_build_seconds": max(q["build_seconds"] for q in quarters),
        "capacity_per_quarter": round(float(year.region_capacity.sum()), 1),
        "max_visits_per_quarter": year.max_visits,
        "quarter_visits": [q["visits"] for q in quarters],
        "quarter_staff_days_used": [q["staff_days_used"] for q in quarters],
        "greedy_quarter_visits": [q["greedy_visits"] for q in quarters],
        "gross_capacity_per_quarter": round(year.gross_capacity, 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "quarters": quarters,
    }


class Command(BaseCommand):
    help = (
        "Generate a scarce NPM of N places and solve a year of four quarterly visit "
        "programmes; the time limit applies to each quarter's solve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--places", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--time-limit", type=float, default=60.0, help="Seconds per quarter (default 60)."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["places"] < 1 or options["places"] > 1_000_000:
            raise CommandError("--places takes a number between 1 and 1,000,000.")
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit takes a positive number of seconds.")
        began = time.monotonic()
        with stdout_to_stderr():
            year = generate(options["places"], options["seed"])
            figures = run_year(year, options["time_limit"])
        figures["wall_seconds"] = round(time.monotonic() - began, 3)
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(summary(figures))


def summary(f: dict[str, Any]) -> str:
    lines = [
        f"{f['places']} places, seed {f['seed']}, {f['time_limit']:g} s per quarter",
        f"visits chosen in the year: {f['visits_chosen']} (most overdue first: "
        f"{f['greedy_visits']})",
        f"objective {f['objective']:.1f}, proven bound {f['bound']:.1f}, gap {f['gap']:.4%}",
        f"most overdue first: objective {f['greedy_objective']:.1f}",
        f"risk covered {f['risk_covered']:.1f} vs {f['greedy_risk_covered']:.1f}",
        f"places past their maximum interval at year end: {f['overdue_at_year_end']} vs "
        f"{f['greedy_overdue_at_year_end']}",
        f"regions left out: {f['regions_left_out'] or 'none'}; categories left out: "
        f"{f['categories_left_out'] or 'none'}",
        f"solve time {f['solve_seconds']:.1f} s; per quarter: "
        + ", ".join(
            f"{s:.1f} s ({solver}, gap {gap:.4%})"
            for s, solver, gap in zip(
                f["quarter_seconds"], f["quarter_solvers"], f["quarter_gaps"], strict=True
            )
        ),
    ]
    return "\n".join(lines)
