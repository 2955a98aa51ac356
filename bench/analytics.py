"""Benchmark the systematisation analytics at the design ceiling (issue 9).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x HABEAS_ENV=test \
        .venv/bin/python bench/analytics.py [--reuse] [--keep] [--requests 40]

PostgreSQL only (the issue's target is set there): the server of `DATABASE_URL` is used
with a database of the benchmark's own, `habeas_bench_analytics`, dropped and recreated
(the database the URL names is never touched), and dropped again at the end unless
`--keep` is given. A worker process migrates it and builds the large scale's inventory
(20,000 places with France's category mix, in 12 regions of 4 districts) and the demo's
staff accounts (the full `manage.py demo --scale large` adds nothing the analytics read
and takes long), then adds the design ceiling with PostgreSQL's COPY: 200,000 closed
visits over the 20 years 2006–2025 at random places, 1,000,000
findings (8 themes, 85 % concerns of which 5 % urgent and 25 % key, 15 % good practices,
standards cited at random) and 1,000,000 interviews (no sealed content: the analytics
never read it), so 2 million findings and interviews together; the demo's external
expert is put on 1,000 of the visits, and 50 unannounced visits still being prepared
hold 5 findings each (what the tally leaves out and adds back live). Statistics are
gathered (VACUUM ANALYZE), then `manage.py analytics_tally` is timed.

Verified users then request each page through Django's test Client (server time, in
process): 3 warm-up requests, then the timed ones, reporting p50, p95 and the query count
of one request. The heatmap is measured as the head and as a monitor with the tally
current (the normal case), with filters, and on the live path (the tally made stale, as
right after a finding is saved and before the rebuild has run; the benchmark's task
backend only records the rebuild, never runs it), and as the external expert (always
live: the expert sees only the team's visits). The other analyses are measured once each.
Target: p95 under 500 ms for the heatmap with the tally current.

Results go to bench/results/analytics-postgresql.json; docs/benchmarks.md gets (or has
replaced) its "Analytics" section. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
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
BENCH_DB = "habeas_bench_analytics"
HEATMAP_P95_MS = 500
WARM_UP = 3
SLOW = 5  # timed requests of the pages counted live over every finding
START = "<!-- bench/analytics.py: start -->"
END = "<!-- bench/analytics.py: end -->"

YEARS = range(2006, 2026)
VISITS = 200_000
FINDINGS = 1_000_000
INTERVIEWS = 1_000_000
PLACES = 20_000
EXPERT_VISITS = 1_000
SECRET_VISITS, SECRET_FINDINGS_EACH = 50, 5
THEMES = ("treatment", "safeguards", "security", "contact", "conditions", "regime", "health",
          "staff")  # fmt: skip
THEME_WEIGHTS = (10, 14, 12, 9, 22, 13, 14, 6)
STANDARDS = ("mandela", "bangkok", "havana", "cpt", "crpd", "national")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="measure an earlier run's database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database after")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", metavar="OUT", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options)
        return
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark runs there.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "analytics-postgresql.json"
    env = worker_env("postgresql", BENCH_DB)
    # Rebuilds are recorded, never run, so that the live path can be measured.
    env["HABEAS_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    command = [sys.executable, __file__, "--requests", str(options.requests), "--worker", str(out)]
    command += ["--reuse"] if options.reuse else []
    command += ["--build-only"] if options.build_only else []
    subprocess.run(command, check=True, env=env)  # noqa: S603
    if not options.build_only:
        write_section(json.loads(out.read_text()))
        print(f"Wrote {DOC.relative_to(ROOT)}")
    if not options.keep and not options.build_only:
        drop_database()


def drop_database() -> None:
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(
        make_conninfo(os.environ["DATABASE_URL"], dbname="postgres"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    print(f"Dropped {BENCH_DB}")


# -- the worker ---------------------------------------------------------------------------


def worker(options: argparse.Namespace) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    if not options.reuse:
        fresh_database("postgresql", BENCH_DB)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    result: dict[str, Any] = {"reused": bool(options.reuse)}
    if not options.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        base()
        result["base_s"] = round(time.perf_counter() - started, 1)
        print(f"   base in {result['base_s']} s", flush=True)
        started = time.perf_counter()
        generate()
        result["generate_s"] = round(time.perf_counter() - started, 1)
        print(f"   generated in {result['generate_s']} s", flush=True)
        vacuum()
    if options.build_only:
        return
    from places import machine  # bench/places.py, next to this file

    result["machine"] = machine("postgresql")
    result["data"] = counts()
    print(f"   data: {result['data']}", flush=True)
    load_before = os.getloadavg()[0]
    result["tally"] = time_tally()
    result["requests"] = measure_all(options.requests)
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["finished_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    Path(options.worker).write_text(json.dumps(result, indent=2, default=str))


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def base() -> None:
    """The large scale's inventory and the demo's staff accounts: 20,000 places in 12
    regions of 4 districts each, with France's category mix (planning.benchgen)."""
    from django.db import transaction
    from django.utils import timezone

    from habeas.accounts.demo import demo_accounts_create
    from habeas.places.models import Category, Place, Region
    from habeas.planning.benchgen import CATEGORIES

    rng = random.Random(1)
    with transaction.atomic():
        demo_accounts_create(now=timezone.now())
        regions = Region.objects.bulk_create(
            [Region(name=f"Region {i:02d}", code=f"DEMO-{i:02d}") for i in range(1, 13)]
        )
        districts = Region.objects.bulk_create(
            [
                Region(name=f"{r.name}, district {d}", code=f"{r.code}-{d}", parent=r)
                for r in regions
                for d in range(1, 5)
            ]  # fmt: skip
        )
        by_code = {c.code: c for c in Category.objects.all()}
        codes = [code for code in CATEGORIES if code in by_code] or list(by_code)
        weights = [CATEGORIES.get(code, (0.01,))[0] for code in codes]
        Place.objects.bulk_create(
            [
                Place(
                    name=f"Place of detention {i:05d}",
                    external_ref=f"BA-{i:05d}",
                    category=by_code[rng.choices(codes, weights)[0]],
                    region=rng.choice(districts),
                    capacity=rng.randrange(5, 900),
                )
                for i in range(PLACES)
            ],  # fmt: skip
            batch_size=2000,
        )


def generate() -> None:
    """Visits, findings and interviews at the design ceiling, written with COPY."""
    from django.db import connection, transaction

    from habeas.accounts.models import User
    from habeas.places.models import Place

    rng = random.Random(2026)
    head = User.objects.get(email="head@demo.habeas.test").pk
    expert = User.objects.get(email="expert@demo.habeas.test").pk
    places = list(Place.objects.values_list("pk", flat=True))
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM visits_visit")
        first_visit = cursor.fetchone()[0] + 1
        visit_days = _copy_visits(cursor, rng, places, head, now, first_visit)
        visit_ids = list(visit_days)
        _copy_findings(cursor, rng, visit_ids, head, now)
        _copy_interviews(cursor, rng, visit_days, head, now)
        _copy_team(cursor, rng.sample(visit_ids[:VISITS], EXPERT_VISITS), expert, head, now)
        cursor.execute("SELECT setval(pg_get_serial_sequence('visits_visit', 'id'), "
                       "(SELECT MAX(id) FROM visits_visit))")  # fmt: skip
        cursor.execute("SELECT setval(pg_get_serial_sequence('visits_finding', 'id'), "
                       "(SELECT MAX(id) FROM visits_finding))")  # fmt: skip


def _copy_visits(cursor: Any, rng: random.Random, places: list[int], head: int, now: Any,
                 first: int) -> dict[int, dt.date]:  # fmt: skip
    columns = ("id, created_at, updated_at, version, reference, place_id, kind, announced, "
               "state, starts_on, ends_on, objectives, themes, languages_needed, lead_id, "
               "anonymity_cover, created_by_id, closed_at")  # fmt: skip
    days: dict[int, dt.date] = {}
    with cursor.copy(f"COPY visits_visit ({columns}) FROM STDIN") as copy:
        for index in range(VISITS + SECRET_VISITS):
            pk = first + index
            secret = index >= VISITS
            if secret:
                starts = dt.date(2026, 12, 1) + dt.timedelta(days=rng.randrange(25))
            else:
                year = YEARS[index * len(YEARS) // VISITS]
                starts = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))
            days[pk] = starts
            copy.write_row((pk, now, now, 1, f"BA-{pk:07d}", rng.choice(places),
                            "in_depth", not secret and rng.random() < 0.3,
                            "prepared" if secret else "closed", starts,
                            starts + dt.timedelta(days=rng.randrange(3)), "", "[]", "[]",
                            head, 3, head, None if secret else now))  # fmt: skip
    return days


def _copy_findings(cursor: Any, rng: random.Random, visits: list[int], head: int,
                   now: Any) -> None:  # fmt: skip
    columns = ("created_at, updated_at, version, visit_id, theme, kind, severity, statement, "
               "standards, standard_note, established, triangulation, created_by_id")  # fmt: skip
    ordinary, secret = visits[:VISITS], visits[VISITS:]
    with cursor.copy(f"COPY visits_finding ({columns}) FROM STDIN") as copy:
        for index in range(FINDINGS):
            visit = ordinary[index * VISITS // FINDINGS]
            copy.write_row(_finding_row(rng, visit, head, now, index))
        for visit in secret:
            for index in range(SECRET_FINDINGS_EACH):
                copy.write_row(_finding_row(rng, visit, head, now, index))


def _finding_row(rng: random.Random, visit: int, head: int, now: Any, index: int) -> tuple:
    theme = rng.choices(THEMES, THEME_WEIGHTS)[0]
    good = rng.random() < 0.15
    roll = rng.random()
    severity = "" if good else ("urgent" if roll < 0.05 else "key" if roll < 0.3 else "general")
    standards = json.dumps(rng.sample(STANDARDS, rng.choice((0, 1, 1, 2))))
    return (now, now, 1, visit, theme, "good_practice" if good else "concern", severity,
            f"Benchmark finding {index}: {theme}.", standards, "", False, "single_source",
            head)  # fmt: skip


def _copy_interviews(cursor: Any, rng: random.Random, visits: dict[int, dt.date], head: int,
                     now: Any) -> None:  # fmt: skip
    import uuid

    columns = ("created_at, updated_at, version, id, legal_hold, visit_id, kind, pseudonym, "
               "held_at, interviewer_id, interpreter_language, interpreter_name, participants, "
               "consent_use, consent_transmit, consent_publish, sensitive, allegation, topics, "
               "notes, identity, identity_index")  # fmt: skip
    ids = list(visits)[:VISITS]
    with cursor.copy(f"COPY visits_interview ({columns}) FROM STDIN") as copy:
        for index in range(INTERVIEWS):
            visit = ids[index * VISITS // INTERVIEWS]
            held = dt.datetime.combine(visits[visit], dt.time(10), tzinfo=dt.UTC)
            copy.write_row((now, now, 1, uuid.UUID(int=rng.getrandbits(128), version=4),
                            False, visit, "private", f"P-{index}", held, head, "", "", 1,
                            True, False, False, False, False, "[]", b"", b"", ""))  # fmt: skip


def _copy_team(cursor: Any, visits: list[int], expert: int, head: int, now: Any) -> None:
    columns = "visit_id, user_id, role, override_reason, assigned_by_id, assigned_at"
    with cursor.copy(f"COPY visits_teamassignment ({columns}) FROM STDIN") as copy:
        for visit in visits:
            copy.write_row((visit, expert, "member", "", head, now))


def counts() -> dict[str, int]:
    from habeas.places.models import Place
    from habeas.visits.models import Finding, Interview, Visit

    return {
        "places": Place.objects.count(),
        "visits": Visit.objects.count(),
        "findings": Finding.objects.count(),
        "interviews": Interview.objects.count(),
    }


# -- measurements -------------------------------------------------------------------------------


def time_tally() -> dict[str, Any]:
    from io import StringIO

    from django.core.management import call_command

    from habeas.assessment.models_analytics import FindingTally

    out = StringIO()
    started = time.perf_counter()
    call_command("analytics_tally", stdout=out)
    seconds = round(time.perf_counter() - started, 2)
    print(f"   analytics_tally {seconds} s: {out.getvalue().strip()}", flush=True)
    return {"seconds": seconds, "rows": FindingTally.objects.count(), "output": out.getvalue()}


def _client(role: str) -> Any:
    from conftest import verified_client
    from habeas.accounts.models import User

    return verified_client(User.objects.get(email=f"{role}@demo.habeas.test"))


def measure_all(count: int) -> dict[str, Any]:
    from habeas.assessment.models_analytics import TallyState
    from habeas.places.models import Region

    region = Region.objects.get(code="DEMO-01").pk
    results: dict[str, Any] = {}
    current = [
        ("heatmap, head, tally current", "head", "/assessment/analytics/", count),
        ("heatmap, monitor, tally current", "monitor", "/assessment/analytics/", count),
        ("heatmap, head, 2016–2020, one region, concerns", "head",
         f"/assessment/analytics/?year_from=2016&year_to=2020&region={region}&kind=concern",
         count),
        ("trends, head, tally current", "head", "/assessment/analytics/trends/", count),
        ("API heatmap, head, tally current", "head", "/api/v1/analytics/heatmap/", count),
        ("heatmap, external expert (always live)", "expert", "/assessment/analytics/", count),
        ("generic problems, head (live)", "head", "/assessment/analytics/generic/", SLOW),
        ("good practices, head (live)", "head", "/assessment/analytics/good-practices/", SLOW),
        ("most serious places, head (live)", "head", "/assessment/analytics/serious/", SLOW),
        ("findings behind a cell, head", "head",
         "/assessment/analytics/findings/?theme=conditions&year_from=2020&year_to=2020", SLOW),
    ]  # fmt: skip
    results.update(measure_requests(current))
    TallyState.objects.filter(pk=1).update(generation=TallyState.objects.get(pk=1).generation + 1)
    stale = [
        ("heatmap, head, live (tally stale)", "head", "/assessment/analytics/", SLOW),
        ("heatmap, monitor, live (tally stale)", "monitor", "/assessment/analytics/", SLOW),
        ("trends, head, live (tally stale)", "head", "/assessment/analytics/trends/", SLOW),
    ]
    results.update(measure_requests(stale))
    return results


def measure_requests(urls: list[tuple[str, str, str, int]]) -> dict[str, Any]:
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from places import percentiles, sql_profile  # bench/places.py

    results: dict[str, Any] = {}
    for label, role, url, count in urls:
        client = _client(role)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        queries, sql = len(captured), sql_profile(captured.captured_queries)
        if status != 200:
            results[label] = {"url": url, "status": status}
            print(f"   {label:<48} HTTP {status}: not measured", flush=True)
            continue
        for _ in range(WARM_UP if count > SLOW else 1):
            client.get(url)
        timings, cpu = [], []
        for _ in range(count):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        results[label] = {"url": url, "status": status, "queries": queries, **sql,
                          **percentiles(timings),
                          "cpu_p50_ms": round(statistics.median(cpu), 1)}  # fmt: skip
        row = results[label]
        print(f"   {label:<48} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
              f"{row['queries']} queries", flush=True)  # fmt: skip
    return results


# -- docs/benchmarks.md -----------------------------------------------------------------------


def write_section(result: dict[str, Any]) -> None:
    """Put this benchmark's section at the end of docs/benchmarks.md, replacing an earlier
    one."""
    lines = [START, *section_lines(result), END]
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    section = "\n".join(lines) + "\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def _row(label: str, row: dict[str, Any]) -> str:
    if "p95_ms" not in row:
        return f"| {label} | HTTP {row['status']} | | not measured | | | |"
    judged = label.startswith(("heatmap, head, tally", "heatmap, monitor, tally",
                               "heatmap, head, 2016"))  # fmt: skip
    met = ("met" if row["p95_ms"] < HEATMAP_P95_MS else "NOT met") if judged else "—"
    return (f"| {label} (`{row['url']}`) | {row['queries']} | {row['sql_ms']} "
            f"| {row['p50_ms']} | {row['p95_ms']} (n={row['n']}) "
            f"| {row.get('cpu_p50_ms', '—')} | {met} |")  # fmt: skip


def section_lines(result: dict[str, Any]) -> list[str]:
    machine, data = result["machine"], result["data"]
    built = (
        "measured on the database an earlier run built (`--reuse`)"
        if result.get("reused")
        else f"inventory and accounts built in {result['base_s']} s, the rest generated "
        "with COPY in "
        f"{result['generate_s']} s"
    )
    lines = [
        "## Analytics: systematisation of findings (bench/analytics.py)",
        "",
        "Generated by `bench/analytics.py`; run it again rather than editing. PostgreSQL, "
        "the large scale's inventory (20,000 places with France's category mix, in 12 "
        "regions of 4 districts; the demo's staff accounts) and the design ceiling: 200,000 "
        "closed visits over 20 years, 1,000,000 findings and 1,000,000 interviews, the demo's "
        "external expert on 1,000 visits, 50 unannounced visits in preparation with 5 "
        "findings each; statistics gathered. Pages requested through Django's test Client "
        f"(server time, in process) by verified users: {WARM_UP} warm-up requests, then the "
        "timed ones. *Tally current*: the heatmap and trends read the pre-aggregated "
        "`FindingTally` (plus, live, what the reader may see of the unannounced visits in "
        "preparation, which the tally leaves out). *Live*: the tally is stale, as between a "
        "change to a finding, visit or place and the rebuild the page queues; figures are "
        "then counted from the findings through `restrict`. The external expert is always "
        "counted live (the tally cannot tell a team's visits apart).",
        "",
        f"**Target** (issue 9): p95 under {HEATMAP_P95_MS} ms for the heatmap.",
        "",
        f"Run {result['finished_at']}. Machine: {machine['nproc']} CPUs ({machine['cpu']}), "
        f"{machine['memory_gib']} GiB, Python {machine['python']}, Django {machine['django']}, "
        f"PostgreSQL {machine.get('postgresql', '?')}.",
        "",
        f"Data: {data['places']:,} places, {data['visits']:,} visits, {data['findings']:,} "
        f"findings, {data['interviews']:,} interviews; {built}.",
    ]
    load = result.get("load_average")
    if load:
        lines.append(f"Load average (1 min) at the start and end: {load[0]} → {load[1]} on "
                     f"{machine['nproc']} CPUs; other work shared the machine.")  # fmt: skip
    tally = result["tally"]
    lines += [
        "",
        f"`manage.py analytics_tally` (full rebuild): {tally['seconds']} s, "
        f"{tally['rows']:,} tally rows.",
        "",
        "| page | queries | SQL, one request (ms) | p50 (ms) | p95 (ms) | CPU, p50 (ms) | target |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_row(label, row) for label, row in result["requests"].items()]
    return [*lines, ""]


if __name__ == "__main__":
    main()
