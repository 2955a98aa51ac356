"""Benchmark the inventory at the demo's scales: list page, API list, import, demo build.

    HABEAS_ENV=test .venv/bin/python bench/places.py --db sqlite
    HABEAS_ENV=test .venv/bin/python bench/places.py --db postgresql

For each scale (small = 300 places, large = 20,000) a worker process creates a fresh
database (a SQLite file under var/bench/, or the PostgreSQL database `habeas_bench`,
dropped and recreated), migrates it, loads `demo`, then times requests through Django's
test Client as a verified `head`: server time in-process, no network. At the large
scale it also imports 20,000 places from a generated CSV through the import service.
Results go to bench/results/<db>.json; docs/benchmarks.md is rewritten from every
result file present. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/habeas_bench")
SCALES = ("small", "large")
WARM_UP = 3


# -- the parent: one worker per scale, then the report ---------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per URL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", choices=SCALES, help=argparse.SUPPRESS)
    parser.add_argument("--worker", metavar="OUT", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    runs = {}
    for scale in SCALES:
        out = RESULTS / f".{options.db}-{scale}.json"
        print(f"== {options.db}, {scale} scale", flush=True)
        command = [sys.executable, __file__, "--db", options.db, "--scale", scale,
                   "--requests", str(options.requests), "--seed", str(options.seed),
                   "--worker", str(out)]  # fmt: skip
        subprocess.run(command, check=True, env=worker_env(options.db, scale))  # noqa: S603
        runs[scale] = json.loads(out.read_text())
        out.unlink()
    result = {"db": options.db, "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "runs": runs}  # fmt: skip
    (RESULTS / f"{options.db}.json").write_text(json.dumps(result, indent=2))
    from report import write_report  # bench/report.py, next to this file

    path = write_report(RESULTS, ROOT / "docs" / "benchmarks.md")
    print(f"Wrote {path.relative_to(ROOT)}")


def worker_env(db: str, scale: str) -> dict[str, str]:
    env = dict(os.environ, HABEAS_ENV="test", DJANGO_SETTINGS_MODULE="habeas.settings")
    # The generated CSV of 20,000 places is larger than the default upload limit.
    env.setdefault("HABEAS_IMPORT_MAX_BYTES", str(64 * 1024 * 1024))
    env.pop("DATABASE_URL", None)
    if db == "postgresql":
        env["DATABASE_URL"] = PG_URL
    else:
        env["HABEAS_SQLITE_PATH"] = str(ROOT / "var" / "bench" / f"places-{scale}.sqlite3")
    return env


# -- the worker: fresh database, demo, measurements ------------------------------------


def worker(options: argparse.Namespace) -> None:
    # Static files are not collected for a benchmark; WhiteNoise would say so per process.
    warnings.filterwarnings("ignore", message="No directory at")
    fresh_database(options.db)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from habeas.places.demo import demo_load

    summary = demo_load(scale=options.scale, seed=options.seed)
    print(f"   demo built in {summary.seconds:.1f} s ({summary.places} places)", flush=True)
    # A bulk load leaves the planner without statistics until autovacuum (PostgreSQL)
    # catches up; production runs with them, so gather them now, as an operator would.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_before = os.getloadavg()[0]
    run: dict[str, Any] = {
        "scale": options.scale,
        "machine": machine(options.db),
        "demo": {**summary.counts(), "seconds": round(summary.seconds, 2)},
        "requests": measure_requests(options.requests),
    }
    if options.scale == "large":
        run["import"] = measure_import()
    run["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    Path(options.worker).write_text(json.dumps(run, indent=2, default=str))


def fresh_database(db: str) -> None:
    if db == "sqlite":
        path = Path(os.environ["HABEAS_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        return
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(PG_URL)["dbname"]
    with psycopg.connect(make_conninfo(PG_URL, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def machine(db: str) -> dict[str, Any]:
    import platform
    import sqlite3

    from django.db import connection

    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
         if line.startswith("MemTotal:")), "0")  # fmt: skip
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor())  # fmt: skip
    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": __import__("django").get_version(),
    }
    if db == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    return info


def bench_urls() -> list[tuple[str, str]]:
    from habeas.places.models import Region

    region = Region.objects.get(code="DEMO-01").pk
    return [
        ("list, page 1", "/places/"),
        ("list, filtered", f"/places/?category=police-custody&region={region}&visited=never"),
        ("list, search", "/places/?q=police"),
        ("list, page 200", "/places/?page=200"),
        ("API list, page 1", "/api/v1/places/"),
        ("API list, filtered", "/api/v1/places/?category=police-custody"),
    ]


def head_client() -> Any:
    from conftest import verified_client
    from habeas.accounts.models import User

    return verified_client(User.objects.get(email="head@demo.habeas.test"))


def measure_requests(count: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = head_client()
    results: dict[str, Any] = {}
    for label, url in bench_urls():
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        # Read now: every request start empties the connection's query log.
        queries, sql = len(captured), sql_profile(captured.captured_queries)
        if status != 200:
            results[label] = {"url": url, "status": status}
            print(f"   {label:<20} HTTP {status}: not measured", flush=True)
            continue
        for _ in range(WARM_UP):
            client.get(url)
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        results[label] = {"url": url, "status": status, "queries": queries, **sql,
                          **percentiles(timings)}  # fmt: skip
        row = results[label]
        print(f"   {label:<20} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
              f"{row['queries']} queries", flush=True)  # fmt: skip
    return results


def sql_profile(captured: list[dict[str, str]]) -> dict[str, Any]:
    """Time spent in the database during one request, and its slowest statement."""
    slowest = max(captured, key=lambda query: float(query["time"]), default=None)
    return {
        "sql_ms": round(sum(float(query["time"]) for query in captured) * 1000, 1),
        "slowest_sql_ms": round(float(slowest["time"]) * 1000, 1) if slowest else 0,
        # The tail holds what explains a slow list: ORDER BY, LIMIT and OFFSET.
        "slowest_sql_tail": slowest["sql"][-400:] if slowest else "",
    }


def percentiles(timings: list[float]) -> dict[str, Any]:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {"n": len(timings), "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1),
            "max_ms": round(max(timings), 1)}  # fmt: skip


# -- import ------------------------------------------------------------------------------

IMPORT_ROWS = 20_000
IMPORT_COLUMNS = ("external_ref", "name", "category", "region", "authority", "operator",
                  "official", "status", "address", "latitude", "longitude", "capacity",
                  "groups", "units", "last_visit_on", "population", "population_date")  # fmt: skip


def import_csv(rows: int) -> bytes:
    """A realistic file: places like the demo's, new references, every column filled."""
    import csv
    import io
    import random

    from habeas.places.models import Place

    rng = random.Random(2026)
    sample = list(
        Place.objects.select_related("category", "region", "authority").order_by("pk")[:2000]
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(IMPORT_COLUMNS)
    for number in range(1, rows + 1):
        model = rng.choice(sample)
        writer.writerow([
            f"BENCH-{number:06d}", f"{model.name} annex {number}", model.category.code,
            model.region.code, model.authority.name, model.operator,
            "yes", "open", model.address, model.latitude, model.longitude, model.capacity,
            "women; foreigners" if number % 3 == 0 else "", "Block A; Block B",
            "2025-06-30" if number % 4 == 0 else "", rng.randint(0, model.capacity or 10),
            "2026-09-30",
        ])  # fmt: skip
    return buffer.getvalue().encode()


def measure_import() -> dict[str, Any]:
    try:
        from habeas.places.importing import places_import_apply, places_import_preview
    except ImportError as missing:
        print(f"   import: not available ({missing})", flush=True)
        return {"available": False, "reason": str(missing)}
    from django.core.files.uploadedfile import SimpleUploadedFile

    from habeas.accounts.models import User
    from habeas.places.models import Place

    actor = User.objects.get(email="head@demo.habeas.test")
    content = import_csv(IMPORT_ROWS)
    before = Place.objects.count()
    result: dict[str, Any] = {"available": True, "rows": IMPORT_ROWS, "bytes": len(content)}
    for label in ("first import", "same file again"):
        upload = SimpleUploadedFile("bench-places.csv", content, content_type="text/csv")
        started = time.perf_counter()
        batch = places_import_preview(actor=actor, upload=upload)
        previewed = time.perf_counter()
        applied = places_import_apply(actor=actor, batch=batch)
        finished = time.perf_counter()
        result[label] = {
            "preview_s": round(previewed - started, 2),
            "apply_s": round(finished - previewed, 2),
            "total_s": round(finished - started, 2),
            "applied": applied.applied,
            "summary": applied.summary,
        }
        print(f"   import, {label}: preview {previewed - started:.1f} s, "
              f"apply {finished - previewed:.1f} s, {applied.summary}", flush=True)  # fmt: skip
    result["places_added"] = Place.objects.count() - before
    return result


if __name__ == "__main__":
    main()
