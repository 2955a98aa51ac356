"""Benchmark the recommendations tracker and its exports at 200,000 recommendations (issue 5).

    HABEAS_ENV=test .venv/bin/python bench/recommendations.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x HABEAS_ENV=test \
        .venv/bin/python bench/recommendations.py

SQLite always; PostgreSQL too when `DATABASE_URL` is set (its server is used, with a
database of its own, `habeas_bench_recommendations`, dropped and recreated; the database
the URL names is never touched). For each, a worker process creates a fresh database,
migrates it and bulk-loads ten years of an NPM's recommendations: 200,000 over 3,000
places in 60 districts of 12 regions and every category, most drawn from 6,000 visits,
the rest from the SPT, the CPT, treaty bodies and thematic reports. As in real NPMs, most
are accepted and few achieved: about two thirds answered (accepted, partially accepted,
rejected, no reply, each with its response row and quoted passage), a fifth of the older
ones verified (with their verification rows), general ones often without a deadline,
and some linked to others. Statistics are gathered (ANALYZE; VACUUM ANALYZE on
PostgreSQL, as autovacuum would after a bulk load).

A verified head of the NPM then requests, through Django's test Client (server time, in
process), the tracker page with its figures (page 1; by region; by theme and priority;
overdue; by year and response; page 100; page 1 as the communications officer, who
does not plan visits and so goes through the visits' access rule) and the API list if
it exists (a 404 is reported as not measured): 3 warm-up requests, then the timed ones,
reporting p50, p95 and the query count of one request. Then the full export, XLSX and
CSV, timed to the last byte. Results go to bench/results/recommendations-<db>.json, and
docs/benchmarks.md gets (or has replaced) its "Recommendations tracker" section. Never run
by the test suite. Targets: p95 under 300 ms for a tracker page, under 30 s for the full
XLSX export.
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
BENCH_DB = "habeas_bench_recommendations"
# A smaller run, to try the script: BENCH_RECOMMENDATIONS=20000 (the docs say which ran).
RECOMMENDATIONS = int(os.environ.get("BENCH_RECOMMENDATIONS", "200000"))
PLACES = 3_000
REGIONS, DISTRICTS = 12, 5
VISITS = 6_000
YEARS = 10
PAGE_P95_MS = 300
XLSX_S = 30
WARM_UP = 3
BATCH = 5_000
START = "<!-- bench/recommendations.py: start -->"
END = "<!-- bench/recommendations.py: end -->"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# -- the parent ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--exports", type=int, default=2, help="timed runs per export format")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), help="run this one only")
    parser.add_argument("--worker", metavar="OUT", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    if options.db:
        databases = [options.db]
    for db in databases:
        out = RESULTS / f"recommendations-{db}.json"
        print(f"== {NAMES[db]}", flush=True)
        command = [sys.executable, __file__, "--db", db, "--requests", str(options.requests),
                   "--exports", str(options.exports), "--worker", str(out)]  # fmt: skip
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
    world = build_tracker(random.Random(2026))
    built = time.perf_counter() - started
    gather_statistics(options.db)
    print(f"   built in {built:.1f} s: {world['counts']}", flush=True)
    load_before = os.getloadavg()[0]
    from places import machine  # bench/places.py, next to this file

    result = {
        "db": options.db,
        "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(options.db),
        "data": world["counts"],
        "build_s": round(built, 1),
        "requests": measure_requests(world, options.requests),
        "exports": measure_exports(world, options.exports),
    }
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    Path(options.worker).write_text(json.dumps(result, indent=2, default=str))


def gather_statistics(db: str) -> None:
    """What an operator's database has after a bulk load: planner statistics and, on
    PostgreSQL, the visibility map that index-only scans rely on (autovacuum's work)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if db == "postgresql" else "ANALYZE")


# -- the data --------------------------------------------------------------------------------

TEXTS = [
    "Install a working call bell in every cell of {unit} and test it every week.",
    "Inform every person held of their rights in a language they understand, in writing.",
    "Notify a relative within two hours of arrival and record the time in the register.",
    "Ensure a medical examination out of the hearing and sight of officers.",
    "Record every use of force in the register, with the names of the officers involved.",
    "Give every person held at least one hour outdoors every day.",
    "Reduce the occupancy of {unit} to its official capacity by the end of the year.",
    "Repair the heating and the windows of {unit} before the winter.",
    "Train all custody staff in de-escalation techniques within six months.",
    "Stop holding people overnight in the interview rooms.",
]
PASSAGES = [
    "The ministry accepts the recommendation and will issue instructions.",
    "Works are planned for next year, subject to the budget.",
    "The directorate considers the current practice compliant.",
    "A working group will examine the question.",
    "Partly: new staff will be trained, the building cannot be altered.",
]


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    created: list[Any] = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH])
    return created


def build_world(rng: random.Random) -> dict[str, Any]:
    """Regions, authorities, places, people and visits for the recommendations."""
    from habeas.accounts.models import User
    from habeas.places.models import Authority, Category, Place, Region
    from habeas.visits.models import Visit

    head = User.objects.create_user(
        email="head@bench.test", password=None, full_name="Head", role="head"
    )
    comms = User.objects.create_user(
        email="comms@bench.test", password=None, full_name="Comms", role="comms"
    )
    regions = _bulk(Region, [Region(name=f"Region {n + 1}", code=f"R{n + 1:02d}")
                             for n in range(REGIONS)])  # fmt: skip
    districts = _bulk(Region, [
        Region(name=f"District {r.code}-{d + 1}", code=f"{r.code}-{d + 1}", parent=r)
        for r in regions for d in range(DISTRICTS)
    ])  # fmt: skip
    ministries = _bulk(Authority, [
        Authority(name=name, kind="ministry", response_days=60)
        for name in ("Ministry of Justice", "Ministry of the Interior", "Ministry of Health",
                     "Ministry of Social Affairs", "Ministry of Defence")
    ])  # fmt: skip
    parliament = Authority.objects.create(name="Parliament", kind="parliament")
    supervisory = _bulk(Authority, [
        Authority(name=f"Regional directorate {r.code}", kind="supervisory", region=r,
                  response_days=45) for r in regions
    ])  # fmt: skip
    facilities = _bulk(Authority, [
        Authority(name=f"Facility management {n + 1}", kind="facility", response_days=30)
        for n in range(PLACES // 10)
    ])  # fmt: skip
    categories = list(Category.objects.all())
    places = _bulk(Place, [
        Place(name=f"Place {n + 1}", category=categories[n % len(categories)],
              region=districts[n % len(districts)], authority=facilities[n % len(facilities)],
              capacity=rng.randint(10, 900), external_ref=f"BENCH-{n + 1:05d}")
        for n in range(PLACES)
    ])  # fmt: skip
    today = dt.date.today()  # noqa: DTZ011 - the bench's own clock, not a user's
    first = today - dt.timedelta(days=365 * YEARS)
    visits = _bulk(Visit, [
        Visit(reference=f"V-B-{n + 1:05d}", place=places[n % PLACES], kind="in_depth",
              announced=False, state="closed", lead=head, created_by=head,
              starts_on=first + dt.timedelta(days=n * 365 * YEARS // VISITS),
              ends_on=first + dt.timedelta(days=n * 365 * YEARS // VISITS + 1))
        for n in range(VISITS)
    ])  # fmt: skip
    return {"head": head, "comms": comms, "regions": regions, "places": places,
            "visits": visits, "ministries": ministries, "parliament": parliament,
            "supervisory": supervisory, "today": today, "first": first}  # fmt: skip


def _addressee(rng: random.Random, world: dict[str, Any], place: Any) -> tuple[Any, str]:
    roll = rng.random()
    if roll < 0.5:
        return place.authority, "facility"
    if roll < 0.8:
        region_index = world["regions"].index(place.region.parent)
        return world["supervisory"][region_index], "supervisory"
    if roll < 0.98:
        return rng.choice(world["ministries"]), "national"
    return world["parliament"], "legislative"


def _deadline(rng: random.Random, priority: str, sent_on: dt.date) -> dt.date | None:
    if priority == "urgent":
        return sent_on + dt.timedelta(days=30)
    if priority == "key":
        return sent_on + dt.timedelta(days=rng.randint(180, 365))
    return sent_on + dt.timedelta(days=rng.randint(365, 730)) if rng.random() < 0.4 else None


def _recommendation(rng: random.Random, world: dict[str, Any], n: int) -> Any:
    from habeas.recommendations.models import Recommendation
    from habeas.visits.models import Theme

    today, head = world["today"], world["head"]
    external = rng.random() < 0.1
    visit = None if external else world["visits"][n * VISITS // RECOMMENDATIONS]
    place = visit.place if visit else rng.choice(world["places"])
    if visit:
        sent_on = visit.ends_on + dt.timedelta(days=rng.randint(20, 90))
        origin = "own_visit"
    else:
        sent_on = world["first"] + dt.timedelta(days=rng.randint(0, 365 * YEARS))
        origin = rng.choice(["spt", "cpt", "treaty_body", "thematic_report"])
    draft = sent_on > today
    priority = rng.choices(["urgent", "key", "general"], weights=[5, 35, 60])[0]
    addressee, level = _addressee(rng, world, place)
    row = Recommendation(
        reference=f"B-{min(sent_on, today).year}-{n + 1:06d}",
        text=rng.choice(TEXTS).format(unit=f"Wing {chr(65 + n % 6)}"),
        origin=origin,
        source_ref="" if visit else f"CAT/OP/{sent_on.year}/{n % 50 + 1}, para. {n % 90 + 1}",
        visit=visit,
        place=place,
        addressee=addressee,
        level=level,
        theme=rng.choice(Theme.values),
        priority=priority,
        deadline=_deadline(rng, priority, min(sent_on, today)),
        state="draft" if draft else "sent",
        sent_on=None if draft else sent_on,
        response_due=None if draft else sent_on + dt.timedelta(days=60),
        created_by=head,
        owner=head,
    )
    if not draft:
        _answer(rng, row, today)
    return row


def _answer(rng: random.Random, row: Any, today: dt.date) -> None:
    """Many accepted, few achieved (the pattern NPMs report)."""
    age = (today - row.sent_on).days
    if age > 45 and rng.random() < 0.8:
        row.response = rng.choices(
            ["accepted", "partially_accepted", "rejected", "no_reply"], weights=[50, 22, 14, 14]
        )[0]
        row.responded_on = min(today, row.sent_on + dt.timedelta(days=rng.randint(20, 120)))
    if age > 365 and row.response and rng.random() < 0.45:
        row.implementation = rng.choices(
            ["achieved", "partially_achieved", "not_achieved", "no_longer_relevant"],
            weights=[30, 30, 32, 8],
        )[0]
        row.implementation_on = min(today, row.sent_on + dt.timedelta(days=rng.randint(90, 900)))
        if row.implementation == "achieved":
            row.days_to_implement = (row.implementation_on - row.sent_on).days


def build_tracker(rng: random.Random) -> dict[str, Any]:
    from django.db import transaction

    from habeas.recommendations.models import Recommendation, Response, Verification

    with transaction.atomic():
        world = build_world(rng)
        rows = _bulk(Recommendation, [_recommendation(rng, world, n)
                                      for n in range(RECOMMENDATIONS)])  # fmt: skip
        answered = [row for row in rows if row.response]
        responses = _bulk(Response, [
            Response(recommendation=row, status=row.response, responded_on=row.responded_on,
                     passage=rng.choice(PASSAGES), recorded_by=world["head"])
            for row in answered
        ])  # fmt: skip
        verified = [(row, response) for row, response in zip(answered, responses, strict=True)
                    if row.implementation]  # fmt: skip
        _bulk(Verification, [
            Verification(recommendation=row, status=row.implementation,
                         verified_on=row.implementation_on, evidence="response",
                         response=response, recorded_by=world["head"])
            for row, response in verified
        ])  # fmt: skip
        external = [row for row in rows if row.visit_id is None]
        through = Recommendation.linked.through
        pairs = {(row.pk, rng.choice(rows).pk) for row in external[: len(external) // 2]}
        _bulk(through, [through(from_recommendation_id=a, to_recommendation_id=b)
                        for one, other in pairs if one != other
                        for a, b in ((one, other), (other, one))])  # fmt: skip
    today = world["today"]
    sent = [row for row in rows if row.state == "sent"]
    counts = {
        "recommendations": len(rows),
        "sent": len(sent),
        "drafts": len(rows) - len(sent),
        "accepted_or_partly": sum(
            row.response in ("accepted", "partially_accepted") for row in sent
        ),  # fmt: skip
        "achieved": sum(row.implementation == "achieved" for row in sent),
        "overdue": sum(
            row.deadline is not None
            and row.deadline < today
            and row.implementation not in ("achieved", "no_longer_relevant")
            for row in sent
        ),  # fmt: skip
        "responses": len(responses),
        "verifications": len(verified),
        "links": len(pairs),
        "places": PLACES,
        "regions": REGIONS * (DISTRICTS + 1),
        "visits": VISITS,
    }
    return {**world, "counts": counts}


# -- measurements --------------------------------------------------------------------------------


def bench_urls(world: dict[str, Any]) -> list[tuple[str, str, str]]:
    year = world["today"].year - 2
    region = world["regions"][0].pk
    return [
        ("tracker, page 1", "head", "/recommendations/"),
        ("tracker, by region", "head", f"/recommendations/?region={region}"),
        ("tracker, theme + priority", "head", "/recommendations/?theme=health&priority=key"),
        ("tracker, overdue", "head", "/recommendations/?overdue=yes"),
        ("tracker, year + response", "head", f"/recommendations/?year={year}&response=accepted"),
        ("tracker, page 100", "head", "/recommendations/?page=100"),
        ("tracker, page 1 (comms)", "comms", "/recommendations/"),
        ("API list, page 1", "head", "/api/v1/recommendations/"),
        ("API list, filtered", "head", f"/api/v1/recommendations/?priority=key&year={year}"),
    ]


def measure_requests(world: dict[str, Any], count: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from places import percentiles, sql_profile  # bench/places.py

    from conftest import verified_client

    clients = {"head": verified_client(world["head"]), "comms": verified_client(world["comms"])}
    results: dict[str, Any] = {}
    for label, who, url in bench_urls(world):
        client = clients[who]
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        queries, sql = len(captured), sql_profile(captured.captured_queries)
        if status != 200:
            results[label] = {"url": url, "status": status}
            print(f"   {label:<28} HTTP {status}: not measured", flush=True)
            continue
        for _ in range(WARM_UP):
            client.get(url)
        timings, cpu = [], []
        for _ in range(count):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        # CPU time of this process (Python, and SQLite, which runs in it): what a request
        # costs when no other work competes for the machine.
        results[label] = {"url": url, "status": status, "queries": queries, **sql,
                          **percentiles(timings),
                          "cpu_p50_ms": round(statistics.median(cpu), 1)}  # fmt: skip
        row = results[label]
        print(f"   {label:<28} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
              f"CPU {row['cpu_p50_ms']:6.1f} ms  {row['queries']} queries", flush=True)  # fmt: skip
    return results


def measure_exports(world: dict[str, Any], runs: int) -> dict[str, Any]:
    from conftest import verified_client
    from habeas.accounts.sudo import SESSION_KEY

    client = verified_client(world["head"])
    session = client.session
    session[SESSION_KEY] = time.time() + 24 * 3600
    session.save()
    results: dict[str, Any] = {}
    for file_format in ("xlsx", "csv"):
        timings, size = [], 0
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get("/recommendations/export/", {"format": file_format})
            size = sum(len(piece) for piece in response.streaming_content)
            timings.append((time.perf_counter() - started, time.process_time() - started_cpu))
        results[file_format] = {
            "status": response.status_code,
            "rows": world["counts"]["recommendations"],
            "bytes": size,
            "n": runs,
            "median_s": round(statistics.median(t for t, _cpu in timings), 1),
            "max_s": round(max(t for t, _cpu in timings), 1),
            "cpu_median_s": round(statistics.median(cpu for _t, cpu in timings), 1),
        }
        row = results[file_format]
        print(f"   export {file_format:<5} median {row['median_s']} s  max {row['max_s']} s  "
              f"CPU {row['cpu_median_s']} s  {size / 1024 / 1024:.1f} MiB", flush=True)  # fmt: skip
    return results


# -- docs/benchmarks.md -----------------------------------------------------------------------


def write_section() -> None:
    """Put this benchmark's section in docs/benchmarks.md, replacing an earlier one."""
    lines = [
        START,
        "## Recommendations tracker (bench/recommendations.py)",
        "",
        "Generated by `bench/recommendations.py`; run it again rather than editing. "
        f"{RECOMMENDATIONS:,} recommendations over {YEARS} years, {PLACES:,} places in "
        f"{REGIONS * DISTRICTS} districts of {REGIONS} regions, {VISITS:,} visits; most "
        "accepted, few achieved, general recommendations often without a deadline, response "
        "and verification rows for those answered and verified, some linked. A verified "
        "head (and, in one row, the communications officer) requests each page through "
        f"Django's test Client (server time, in process): {WARM_UP} warm-up requests, then "
        "the timed ones. A tracker page includes its figures (rates per year, medians) "
        "and its count. The exports hold every recommendation, timed to the last byte. "
        "*CPU, p50* is the CPU time of the benchmark's own process (Python and, on SQLite, "
        "the database, which runs in it; not the PostgreSQL server's): what a request costs "
        "when nothing else competes for the machine. *SQL, one request* is Django's "
        "timing of the statements; on SQLite it stops at the first row, so CPU is the "
        "better measure there. PostgreSQL runs with its default settings "
        "(`random_page_cost` 4, 128 MB of shared buffers).",
        "",
        f"**Targets** (issue 5): p95 under {PAGE_P95_MS} ms for a filtered tracker page; "
        f"under {XLSX_S} s for the full XLSX export; on SQLite and PostgreSQL.",
        "",
    ]
    for db in ("sqlite", "postgresql"):
        path = RESULTS / f"recommendations-{db}.json"
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


def _verdict(url: str, p95_ms: float) -> str:
    """The target is for a filtered tracker page; other rows are reported, not judged."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    under = p95_ms < PAGE_P95_MS
    if not parts.path.startswith("/recommendations/"):
        return "—"
    if set(parse_qs(parts.query)) - {"page"}:
        return "met" if under else "NOT met"
    return f"{'under' if under else 'over'} {PAGE_P95_MS} ms (no filter: not the target)"


def db_section(result: dict[str, Any]) -> list[str]:
    machine = result["machine"]
    lines = [f"### {NAMES[result['db']]}", "", f"Run {result['finished_at']}.", ""]
    lines += ["| machine | |", "|---|---|"]
    lines += [f"| CPUs (`nproc`) | {machine['nproc']} |", f"| CPU | {machine['cpu']} |",
              f"| Memory | {machine['memory_gib']} GiB |", f"| Python | {machine['python']} |",
              f"| Django | {machine['django']} |", f"| SQLite | {machine['sqlite']} |"]  # fmt: skip
    if "postgresql" in machine:
        lines.append(f"| PostgreSQL | {machine['postgresql']} |")
    data = result["data"]
    lines += [
        "",
        f"Data: {data['recommendations']:,} recommendations ({data['sent']:,} sent, "
        f"{data['drafts']:,} drafts; {data['accepted_or_partly']:,} accepted or partly, "
        f"{data['achieved']:,} achieved, {data['overdue']:,} overdue), "
        f"{data['responses']:,} responses, {data['verifications']:,} verifications, "
        f"{data['links']:,} links; built in {result['build_s']} s.",
    ]
    load = result.get("load_average")
    if load:
        lines.append(
            f"Load average (1 min) at the start and end: {load[0]} → {load[1]} on "
            f"{machine['nproc']} CPUs; above the CPU count, other work shared the machine "
            "and the times are pessimistic."
        )
    lines += ["", "| page | queries | SQL, one request (ms) | p50 (ms) | p95 (ms) "
              "| CPU, p50 (ms) | target |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for label, row in result["requests"].items():
        if "p95_ms" not in row:
            lines.append(f"| {label} | HTTP {row['status']} | | not measured | | | |")
            continue
        met = _verdict(row["url"], row["p95_ms"])
        lines.append(f"| {label} (`{row['url']}`) | {row['queries']} | {row['sql_ms']} "
                     f"| {row['p50_ms']} | {row['p95_ms']} (n={row['n']}) "
                     f"| {row.get('cpu_p50_ms', '—')} | {met} |")  # fmt: skip
    lines += ["", "| export | rows | size | median (s) | slowest (s) | CPU, median (s) | target |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for file_format, row in result["exports"].items():
        target = (("met" if row["median_s"] < XLSX_S else "NOT met")
                  if file_format == "xlsx" else "—")  # fmt: skip
        lines.append(
            f"| {file_format.upper()} | {row['rows']:,} | {row['bytes'] / 1024 / 1024:.1f} MiB "
            f"| {row['median_s']} | {row['max_s']} (n={row['n']}) | {row['cpu_median_s']} "
            f"| {target} |"
        )
    return lines + [""]


if __name__ == "__main__":
    main()
