"""Benchmark the briefing pack of a place with twenty years of history (issue 3).

    HABEAS_ENV=test .venv/bin/python bench/briefing.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x HABEAS_ENV=test \
        .venv/bin/python bench/briefing.py

SQLite always; PostgreSQL too when `DATABASE_URL` is set (its server is used, with a
database of its own, `habeas_bench_briefing`, dropped and recreated; the database the URL
names is never touched). For each, a worker process creates a fresh database, migrates
it and builds one place with twenty years of history: two visits a year with thirty
findings each (1,200 findings), an urgent recommendation draft per visit, a population
count every month, 200 pieces of information received, 10 people under reprisal watch,
eight units. A verified monitor on the new visit's team, granted on every watch, then
requests the briefing pack on screen and as PDF through Django's test Client (server
time, in process): one warm-up, then the timed runs; the median is reported. Results go
to bench/results/briefing-<db>.json, and docs/benchmarks.md gets (or has replaced) its
"Briefing pack" section. Never run by the test suite. Target: under 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from databases import fresh_database, worker_env  # bench/databases.py, next to this file

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
BENCH_DB = "habeas_bench_briefing"
TARGET_S = 3.0
YEARS = 20
VISITS_PER_YEAR = 2
FINDINGS_PER_VISIT = 30
INFORMATION = 200
WATCHES = 10
UNITS = 8
START = "<!-- bench/briefing.py: start -->"
END = "<!-- bench/briefing.py: end -->"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# -- the parent ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per output")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--worker", metavar="OUT", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    for db in databases:
        out = RESULTS / f"briefing-{db}.json"
        print(f"== {NAMES[db]}", flush=True)
        command = [sys.executable, __file__, "--db", db, "--runs", str(options.runs),
                   "--worker", str(out)]  # fmt: skip
        subprocess.run(command, check=True, env=worker_env(db, BENCH_DB))  # noqa: S603
    write_section()
    print(f"Wrote {DOC.relative_to(ROOT)}")


# -- the worker ---------------------------------------------------------------------------


def worker(options: argparse.Namespace) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    fresh_database(options.db, BENCH_DB)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    world = build_history()
    built = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"   history built in {built:.1f} s: {world['counts']}", flush=True)
    load_before = os.getloadavg()[0]
    from places import machine  # bench/places.py, next to this file

    result = {
        "db": options.db,
        "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(options.db),
        "history": world["counts"],
        "build_s": round(built, 1),
        "measures": measure(world, options.runs),
    }
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    Path(options.worker).write_text(json.dumps(result, indent=2, default=str))


STATEMENTS = [
    "Lawyers were called only after the first interrogation in {n} of the files checked.",
    "Cells in the {unit} held {n} people against an official capacity of four.",
    "Injuries recorded by the doctor were missing from the custody record in {n} cases.",
    "People held overnight had no mattress; {n} said they slept on the concrete bench.",
    "The letter of rights was available in {n} languages, none spoken by most people held.",
    "Handcuffs were kept on during questioning for up to {n} hours.",
    "Relatives were told of the custody after an average of {n} hours.",
    "The use-of-force register had no entry for the {n} incidents described in interviews.",
    "Officers on night shift in the {unit} numbered {n}, below the planned staffing.",
    "Medical examinations took place with officers present in {n} of the cases observed.",
]


def build_history() -> dict[str, Any]:
    """One place with twenty years of visits, findings, population and information."""
    from django.db import transaction
    from django.utils import timezone

    from habeas.accounts.models import User
    from habeas.cases import services as case_services
    from habeas.places.models import (
        Authority,
        Category,
        Place,
        PlaceDocument,
        PopulationGroup,
        PopulationRecord,
        Unit,
    )
    from habeas.visits import services as visit_services
    from habeas.visits.models import Finding, TeamAssignment, Theme, UrgentDraft, Visit

    rng = random.Random(2026)
    head = User.objects.create_user(
        email="head@bench.test", password=None, full_name="Head", role="head"
    )
    monitor = User.objects.create_user(
        email="monitor@bench.test", password=None, full_name="Monitor", role="monitor"
    )
    authority = Authority.objects.create(name="Regional police directorate", kind="supervisory")
    place = Place.objects.create(
        name="Central police station, Nordhafen",
        category=Category.objects.get(code="police-custody"),
        authority=authority,
        capacity=60,
        address="1 Harbour Street",
    )
    place.groups.set(PopulationGroup.objects.filter(code__in=["women", "foreigners", "children"]))
    units = [Unit(place=place, name=f"Wing {chr(65 + n)}", capacity=8) for n in range(UNITS)]
    Unit.objects.bulk_create(units)
    units = list(place.units.all())
    today = timezone.localdate()
    first = dt.date(today.year - YEARS, 1, 1)
    with transaction.atomic():
        PopulationRecord.objects.bulk_create(
            PopulationRecord(
                place=place,
                recorded_on=dt.date(first.year + m // 12, m % 12 + 1, 1),
                population=rng.randint(35, 75),
                source="Station register",
            )  # fmt: skip
            for m in range(YEARS * 12)
        )
        visits = [
            Visit(
                reference=f"V-{first.year + y}-{n:04d}",
                place=place,
                kind="in_depth",
                announced=False,
                state="closed",
                lead=head,
                created_by=head,
                starts_on=dt.date(first.year + y, 3 + 6 * n, 10),
                ends_on=dt.date(first.year + y, 3 + 6 * n, 11),
            )  # fmt: skip
            for y in range(YEARS)
            for n in range(VISITS_PER_YEAR)
        ]
        Visit.objects.bulk_create(visits)
        visits = list(Visit.objects.filter(place=place))
        themes = Theme.values
        Finding.objects.bulk_create(
            Finding(
                visit=visit,
                theme=themes[i % len(themes)],
                created_by=head,
                kind="good_practice" if i % 10 == 9 else "concern",
                severity="" if i % 10 == 9 else ("urgent", "key", "general")[i % 3],
                unit=units[i % len(units)],
                triangulation="corroborated",
                statement=STATEMENTS[i % len(STATEMENTS)].format(
                    n=rng.randint(2, 12), unit=units[i % len(units)].name
                ),
            )  # fmt: skip
            for visit in visits
            for i in range(FINDINGS_PER_VISIT)
        )
        UrgentDraft.objects.bulk_create(
            UrgentDraft(
                visit=visit,
                text="Stop holding people overnight in the interview rooms.",
                addressee=authority,
                deadline=visit.ends_on + dt.timedelta(days=30),
                created_by=head,
            )  # fmt: skip
            for visit in visits
        )
        span = (today - first).days
        PlaceDocument.objects.bulk_create(
            PlaceDocument(
                place=place,
                kind="information",
                uploaded_by=head,
                title=f"Letter from a relative about the night cells ({n + 1})",
                source="Relative",
                summary="Describes a long wait for a lawyer.",
                received_on=first + dt.timedelta(days=span * n // INFORMATION),
            )  # fmt: skip
            for n in range(INFORMATION)
        )
    visit = visit_services.visit_create(
        actor=head,
        data={"place": place, "kind": "follow_up", "announced": False,
              "starts_on": today + dt.timedelta(days=14), "ends_on": today + dt.timedelta(days=15),
              "objectives": "Follow up the safeguards of the first hours.", "lead": head},
    )  # fmt: skip
    TeamAssignment.objects.create(visit=visit, user=monitor, assigned_by=head)
    for n in range(WATCHES):
        case_services.watch_create(
            actor=monitor,
            place=place,
            data={"pseudonym": f"Heron {n + 1}", "source_kind": "private_interview",
                  "risk_source": "staff", "feared": ["threats"], "identity": f"Person {n + 1}",
                  "risk_detail": "Threatened by the night shift", "opened_on": today},
        )  # fmt: skip
    counts = {
        "years": YEARS,
        "previous_visits": len(visits),
        "findings": Finding.objects.filter(visit__place=place).count(),
        "urgent_drafts": len(visits),
        "population_records": YEARS * 12,
        "information": INFORMATION,
        "watches": WATCHES,
        "units": UNITS,
    }
    return {"visit": visit, "monitor": monitor, "counts": counts}


def measure(world: dict[str, Any], runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from conftest import verified_client

    client = verified_client(world["monitor"])
    results: dict[str, Any] = {}
    for label, name in (("on screen", "visits:briefing"), ("PDF", "visits:briefing_pdf")):
        url = reverse(name, kwargs={"visit_pk": world["visit"].pk})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            # Read now: the next request's start empties the connection's query log.
            queries = len(captured)
        if response.status_code != 200:
            results[label] = {"url": url, "status": response.status_code}
            continue
        size = len(response.content)
        timings, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        results[label] = {
            "url": url,
            "queries": queries,
            "bytes": size,
            "n": runs,
            "median_s": round(statistics.median(timings), 3),
            "max_s": round(max(timings), 3),
            # CPU time of this process: what the pack costs when no other work competes.
            "cpu_median_s": round(statistics.median(cpu), 3),
        }
        row = results[label]
        print(f"   {label:<10} median {row['median_s']:.3f} s  max {row['max_s']:.3f} s  "
              f"CPU {row['cpu_median_s']:.3f} s  "
              f"{row['queries']} queries  {size:,} bytes", flush=True)  # fmt: skip
    return results


# -- docs/benchmarks.md --------------------------------------------------------------------


def write_section() -> None:
    """Put this benchmark's section in docs/benchmarks.md, replacing an earlier one."""
    lines = [
        START,
        "## Briefing pack (bench/briefing.py)",
        "",
        "Generated by `bench/briefing.py`; run it again rather than editing. One place with "
        f"{YEARS} years of history: {VISITS_PER_YEAR} visits a year with {FINDINGS_PER_VISIT} "
        "findings each and an urgent recommendation draft, a population count every month, "
        f"{INFORMATION} pieces of information received, {WATCHES} people under reprisal watch, "
        f"{UNITS} units. A verified monitor on the new visit's team (granted on every watch) "
        "requests the pack through Django's test Client (server time, in process): one "
        "warm-up, then the timed runs. The pack gives the findings of the three most recent "
        "visits in full and counts those of the older ones.",
        "",
        f"**Target** (issue 3): under {TARGET_S:g} s, on screen and as PDF.",
        "",
    ]
    for db in ("sqlite", "postgresql"):
        path = RESULTS / f"briefing-{db}.json"
        if not path.exists():
            lines += [f"### {NAMES[db]}", "", "Not run yet (PostgreSQL runs when "
                      "`DATABASE_URL` is set).", ""]  # fmt: skip
            continue
        lines += db_section(json.loads(path.read_text()))
    lines.append(END)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    section = "\n".join(lines) + "\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def db_section(result: dict[str, Any]) -> list[str]:
    machine = result["machine"]
    lines = [f"### {NAMES[result['db']]}", "", f"Run {result['finished_at']}.", ""]
    lines += ["| machine | |", "|---|---|"]
    lines += [f"| CPUs (`nproc`) | {machine['nproc']} |", f"| CPU | {machine['cpu']} |",
              f"| Memory | {machine['memory_gib']} GiB |", f"| Python | {machine['python']} |",
              f"| Django | {machine['django']} |", f"| SQLite | {machine['sqlite']} |"]  # fmt: skip
    if "postgresql" in machine:
        lines.append(f"| PostgreSQL | {machine['postgresql']} |")
    load = result.get("load_average")
    history = result["history"]
    lines += [
        "",
        f"History: {history['previous_visits']} previous visits, {history['findings']:,} "
        f"findings, {history['population_records']} population counts, "
        f"{history['information']} pieces of information, {history['watches']} watches "
        f"(built in {result['build_s']} s).",
    ]
    if load:
        lines.append(
            f"Load average (1 min) at the start and end: {load[0]} → {load[1]} on "
            f"{machine['nproc']} CPUs; above the CPU count, other work shared the machine."
        )
    lines += ["", "| pack | queries | size | median (s) | slowest (s) | CPU, median (s) | target |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for label, row in result["measures"].items():
        if "median_s" not in row:
            lines.append(f"| {label} | HTTP {row['status']} | | not measured | | | |")
            continue
        met = "met" if row["median_s"] < TARGET_S else "NOT met"
        lines.append(
            f"| {label} | {row['queries']} | {row['bytes'] / 1024:,.0f} KiB | {row['median_s']} "
            f"| {row['max_s']} (n={row['n']}) | {row.get('cpu_median_s', '—')} | {met} |"
        )
    return lines + [""]


if __name__ == "__main__":
    main()
