"""Benchmark the visit programme: `plan_bench` at 900, 2,000, 6,000 and 20,000 places,
seeds 1, 2 and 3, 60 s per quarter; writes docs/benchmarks-planning.md.

    HABEAS_ENV=test .venv/bin/python bench/plan_bench.py [--time-limit 60] [--nice]
        [--places 900 2000] [--seeds 1 2]

Each run is its own process (`manage.py plan_bench --json`): a generated NPM, a year of
four quarterly programmes, the time limit applying to each quarter. Results go to
bench/results/planning.json (one entry per run, kept between invocations, so a partial
grid can be completed later) and the markdown is regenerated from every entry present.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "planning.json"
OUTPUT = ROOT / "docs" / "benchmarks-planning.md"
SCALES = (900, 2000, 6000, 20000)
SEEDS = (1, 2, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--places", type=int, nargs="*", default=list(SCALES))
    parser.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS))
    parser.add_argument("--nice", action="store_true", help="run the solver under nice")
    parser.add_argument("--report-only", action="store_true")
    options = parser.parse_args()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs: dict[str, Any] = stored.get("runs", {})
    if not options.report_only:
        stored["machine"] = machine()
        for places in options.places:
            for seed in options.seeds:
                key = f"{places}-{seed}"
                print(f"== {places} places, seed {seed}", flush=True)
                runs[key] = run(places, seed, options.time_limit, options.nice)
                stored["runs"] = runs
                RESULTS.write_text(json.dumps(stored, indent=2))
                write_report(stored)
    write_report(stored)
    print(f"Wrote {OUTPUT.relative_to(ROOT)}")


def run(places: int, seed: int, time_limit: float, nice: bool) -> dict[str, Any]:
    command = [sys.executable, str(ROOT / "manage.py"), "plan_bench", "--places", str(places),
               "--seed", str(seed), "--time-limit", str(time_limit), "--json"]  # fmt: skip
    if nice:
        command = ["nice", "-n", "5", *command]
    env = dict(os.environ, HABEAS_ENV=os.environ.get("HABEAS_ENV", "test"))
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for attempt in (1, 2):  # a second try if the run fails (a shared machine: say why)
        done = subprocess.run(  # noqa: S603
            command, env=env, capture_output=True, text=True, check=False, cwd=ROOT
        )
        if done.returncode == 0:
            break
        print(f"   run failed (attempt {attempt}):\n{done.stderr[-3000:]}", flush=True)
    done.check_returncode()
    figures = json.loads(done.stdout)
    figures["load_before"] = round(load_before, 2)
    figures["load_after"] = round(os.getloadavg()[0], 2)
    figures["process_seconds"] = round(time.monotonic() - started, 1)
    figures["finished_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"   gap {figures['gap']:.4%}, {figures['solve_seconds']:.1f} s, "
        f"objective {figures['objective']:.0f} vs greedy {figures['greedy_objective']:.0f}",
        flush=True,
    )
    return figures


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    from importlib.metadata import version

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "highspy": version("highspy"),
        "ortools": version("ortools"),
        "numpy": version("numpy"),
    }


def gap_cell(f: dict[str, Any]) -> str:
    proven = sum(status == "optimal" for status in f["quarter_status"])
    return f"{f['gap']:.4%} ({proven} of {len(f['quarter_status'])} quarters proven optimal)"


TARGETS = {2000: ("proven optimal", 0.0), 6000: ("within 1 %", 0.01), 20000: ("within 5 %", 0.05)}


def target_lines(ordered: list[dict[str, Any]]) -> list[str]:
    lines = ["| places | runs | quarters proven optimal | largest quarter gap | slowest quarter s |"
             " target | met |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for places in sorted({f["places"] for f in ordered}):
        runs = [f for f in ordered if f["places"] == places]
        statuses = [s for f in runs for s in f["quarter_status"]]
        proven = sum(s == "optimal" for s in statuses)
        worst = max(g for f in runs for g in f["quarter_gaps"])
        slowest = max(s for f in runs for s in f["quarter_seconds"])
        name, limit = TARGETS.get(places, ("—", None))
        if limit is None:
            met = "—"
        elif limit == 0.0:
            met = "yes" if proven == len(statuses) else f"no ({proven}/{len(statuses)})"
        else:
            met = "yes" if worst <= limit else "no"
        lines.append(f"| {places:,} | {len(runs)} | {proven} of {len(statuses)} | {worst:.4%} | "
                     f"{slowest:.1f} | {name} | {met} |")  # fmt: skip
    return lines


def left_out_words(runs: list[dict[str, Any]], prefix: str) -> str:
    regions = sorted({r for f in runs for r in f[f"{prefix}regions_left_out"]})
    cats = sorted({c for f in runs for c in f[f"{prefix}categories_left_out"]})
    words = ([f"regions {regions}"] if regions else []) + (
        [f"categories {', '.join(cats)}"] if cats else []
    )
    return "; ".join(words) or "none"


def scale_lines(ordered: list[dict[str, Any]]) -> list[str]:
    """At every scale, the programme against "most overdue first" (sums over the seeds)."""
    lines = ["| places | runs | risk covered: programme vs list | more risk covered | "
             "visits (year): programme vs list | past interval at year end: programme vs list | "
             "left out (programme) | left out (list) |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for places in sorted({f["places"] for f in ordered}):
        runs = [f for f in ordered if f["places"] == places]
        risk = sum(f["risk_covered"] for f in runs)
        list_risk = sum(f["greedy_risk_covered"] for f in runs)
        past = sum(f["overdue_at_year_end"] for f in runs)
        list_past = sum(f["greedy_overdue_at_year_end"] for f in runs)
        lines.append(
            f"| {places:,} | {len(runs)} | {risk:,.0f} vs {list_risk:,.0f} | "
            f"+{risk / max(list_risk, 1e-9) - 1:.0%} | "
            f"{sum(f['visits_chosen'] for f in runs)} vs {sum(f['greedy_visits'] for f in runs)} | "
            f"{past} vs {list_past} ({past / len(runs):.0f} vs {list_past / len(runs):.0f} a "
            f"run) | {left_out_words(runs, '')} | {left_out_words(runs, 'greedy_')} |"
        )
    return lines


def write_report(stored: dict[str, Any]) -> None:
    runs = stored.get("runs", {})
    m = stored.get("machine", {})
    ordered = sorted(runs.values(), key=lambda f: (f["places"], f["seed"]))
    limit = ordered[0]["time_limit"] if ordered else 60
    lines = [
        "# Benchmarks: the visit programme",
        "",
        "Generated by `bench/plan_bench.py` from `python manage.py plan_bench --places N "
        "--seed S --time-limit T --json`; do not edit by hand, run the benchmark again.",
        "",
        "**What is measured.** For each scale and seed, `habeas.planning.benchgen` generates a "
        "scarce NPM: 12 regions, about 60 staff and 40 external experts, at most 400 visit "
        "slots a quarter of which 20 % is held in reserve, so the programme may make at most "
        "320 visits a quarter (`max_visits`, a hard rule), and staff-days for about 320 "
        "visits of average length (net of the same reserve), the French category mix, "
        "trips shared within clusters of about 35 km (one staff-day per trip), a minimum "
        "of 3 visits per region and 1 per category each quarter, a few mandatory follow-ups "
        "(two pinned to a week) and places to avoid. A year of four quarterly programmes "
        "is solved, rolling: a visited place starts again at 0 months, every other place "
        "waits 3 months more. "
        f"The time limit, {limit:g} s, applies to each quarter's solve; the year's solve "
        "time is the sum of the four.",
        "",
        "**Figures.** *objective*: the points of the programme (risk score + regular-coverage "
        "share, see `docs/user/planning.md`), summed over the year; *bound*: the sum of the "
        "proven upper bounds; *gap* = (bound − objective) / bound. *Most overdue first*: the "
        "spreadsheet list on the same quarters (most overdue first, then riskiest; weeks in "
        "turn); *with trips shared*: the same list, each visit put in a week its cluster "
        "already travels in. *Risk covered*: the sum of the visited places' risk scores. "
        "*Past interval at year end*: places whose maximum interval has passed after the "
        "year, the programme's year against the list's own year.",
        "",
        "**How it is solved** (`habeas/planning/solver/programme.py`). Not one model with a "
        "variable per place and week: the choice of places is one model (a 0/1 per place, "
        "an integer number of trips per cluster, rows per region, cluster, visit-to-trip "
        "link, medical capacity, visit slots and minimum), built from arrays, whose rows "
        "are all implied by the weekly model, so its bound is a proven bound on every "
        "programme; weeks are then packed cluster by cluster. The maximum-interval rule "
        "shrinks the model: in a region where all due places fit they are fixed, where they "
        "do not (or, everywhere, when the slots cannot take them all) only due places "
        "compete for the capacity. HiGHS (one thread) and CP-SAT (one worker) run "
        "at once from the same greedy start; the better plan and the smaller bound are "
        "kept, and the first engine to prove optimality stops the other.",
        "",
        "Capacity is counted twice, and both limits bind: visit slots (at most 320 visits a "
        "quarter) and staff-days per region. Every quarter the programme fills its 320 "
        "slots or uses all but a few staff-days (at 900 and 2,000 places, where long visits "
        "to due places take the staff-days first), and often both (the *visits per quarter* "
        "and *staff-days used* columns below); the list stops earlier, when its staff-days "
        "run out on long visits to never-visited places and a trip for every visit. With "
        "the slots capped, "
        "the maximum-interval rule counts a region as scarce when its due places do not "
        "all fit, and every region as scarce when the due places do not all fit in the "
        "slots: due places compete for the slots everywhere, and a place that could wait "
        "only gets a slot no due place can use.",
        "",
        "**Targets** (issue 6, 60 s per quarter): proven optimal at 2,000 places; within 1 % "
        "of the proven bound at 6,000; within 5 % at 20,000 (a plain MILP reached 6.8 %).",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPUs (`nproc`) | {m.get('nproc')} |",
        f"| CPU | {m.get('cpu')} |",
        f"| Memory | {m.get('memory')} |",
        f"| Python | {m.get('python')} |",
        f"| HiGHS (highspy) | {m.get('highspy')} |",
        f"| OR-Tools (CP-SAT) | {m.get('ortools')} |",
        "",
        "Other people's test suites were running on the same 2 CPUs during these runs; the "
        "load average before and after each run is in the last column. Times are "
        "therefore pessimistic.",
        "",
        "| places | seed | visits (year) | visits per quarter (cap) | staff-days used per "
        "quarter (of) | objective | bound | gap | solve s (4 quarters) | "
        "slowest quarter s | engines that won | most overdue first | with trips shared | "
        "risk covered vs list | past interval at year end vs list | left out | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in ordered:
        engines = ", ".join(sorted(set(f["quarter_solvers"])))
        left = (f["regions_left_out"] and f"regions {f['regions_left_out']}") or ""
        if f["categories_left_out"]:
            left = (
                (left + " " if left else "") + "categories " + ", ".join(f["categories_left_out"])
            )
        per_quarter = "/".join(str(v) for v in f.get("quarter_visits", []))
        used = "/".join(f"{u:g}" for u in f.get("quarter_staff_days_used", []))
        lines.append(
            f"| {f['places']:,} | {f['seed']} | {f['visits_chosen']} | "
            f"{per_quarter} ({f.get('max_visits_per_quarter')}) | "
            f"{used} ({f['capacity_per_quarter']:g}) | {f['objective']:,.0f} | "
            f"{f['bound']:,.0f} | {gap_cell(f)} | {f['solve_seconds']:.1f} | "
            f"{max(f['quarter_seconds']):.1f} | {engines} | {f['greedy_objective']:,.0f} | "
            f"{f.get('greedy_shared_trips_objective', 0):,.0f} | "
            f"{f['risk_covered']:,.0f} vs {f['greedy_risk_covered']:,.0f} "
            f"(+{(f['risk_covered'] / max(f['greedy_risk_covered'], 1e-9) - 1):.0%}) | "
            f"{f['overdue_at_year_end']} vs {f['greedy_overdue_at_year_end']} | "
            f"{left or 'none'} | {f['load_before']} → {f['load_after']} |"
        )
    lines += [
        "",
        "Notes. A quarter counts as proven optimal when an engine proves its plan optimal: "
        "HiGHS within its relative gap tolerance of 0.001 % (`mip_rel_gap` = 1e-5), CP-SAT "
        "exactly on its integer scaling; the quarter's gap is then reported as 0, while the "
        "bound column keeps the engine's own bound, hence year gaps of a few 0.0001 %. "
        "*build s* is everything before the engines start (the list, the rules, the start "
        "plan and the model; most of it is the Python packing of the list and start plan); "
        "building the model itself from arrays takes a few milliseconds at 20,000 places. "
        "*engines that won*: the engine whose plan was kept (both usually reach the same "
        "plan; *greedy* would mean the start plan was kept). "
        "The list takes never-visited places first (their share of the interval is "
        "largest), shortest interval first: from 2,000 places on, most of its staff-days go "
        "to long visits to never-visited remand prisons, juvenile centres and immigration "
        "detention, and a trip for each, so it stops at 80 to 220 visits a quarter while "
        "the programme fills its 320 slots; that is why the difference in risk covered "
        "grows with the scale. The list has no minimums, so it leaves whole categories "
        "out; the programme left none out. *Past interval at year end* is dominated by the "
        "slots from 6,000 places on: 1,280 visits a year cannot reach the thousands of "
        "places that fall due (about 9,000 a quarter at 20,000 places); the programme "
        "leaves no more places past their interval than the list in any run, and fewer in "
        "total at every scale, because its slots go to due places first "
        "(`habeas/planning/solver/programme.py`, module docstring). In the run of "
        "2026-11-29, one quarter (900 places, seed 3, Q4) reports a region minimum it "
        "could not reach: that region's 26 staff-days went to a due five-day prison visit "
        "(the interval rule comes before minimums), and it says so "
        "(`region_minimum_unreachable`). Before the cap on visits (staff-days only), the "
        "programme made about 490 short visits a quarter at 20,000 places; with 320 slots "
        "its objective and risk covered are lower, and the model is smaller (only due "
        "places compete when the slots are scarce), so it is proven optimal faster.",
        "",
        "Against the targets (per quarter, as the issue states them):",
        "",
    ]
    lines += target_lines(ordered)
    lines += ["", "At every scale, against \"most overdue first\" (sums over the seeds; the list "
              "on its own year, so its places past their interval follow its own choices):",
              ""]  # fmt: skip
    lines += scale_lines(ordered)
    lines += ["", "Per quarter (gap, seconds, engine whose plan was kept):", ""]
    lines += ["| places | seed | Q1 | Q2 | Q3 | Q4 | peak memory MB | build s (max) |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for f in ordered:
        cells = [
            f"{g:.4%}, {s:.1f} s, {e}"
            for g, s, e in zip(
                f["quarter_gaps"], f["quarter_seconds"], f["quarter_solvers"], strict=True
            )  # fmt: skip
        ]
        lines.append(
            f"| {f['places']:,} | {f['seed']} | " + " | ".join(cells)
            + f" | {f['peak_memory_mb']} | {f['max_build_seconds']:.2f} |"
        )  # fmt: skip
    OUTPUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
