"""Benchmark the annual report at the national scale: content, PDF and DOCX (issue 7).

    HABEAS_ENV=test .venv/bin/python bench/reports.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x HABEAS_ENV=test \
        .venv/bin/python bench/reports.py --write docs/benchmarks-reports.md

SQLite always; PostgreSQL too when `DATABASE_URL` is set (its server is used, with a
database of its own, `habeas_bench_reports`, dropped and recreated; the database the URL
names is never touched). For each, a worker process creates a fresh database, migrates
it and loads `manage.py demo --scale national` (6,000 places, five years of visits,
twenty years of recommendations...), timing the load. A second, fresh worker process
then measures, so that its peak memory is the report's and not the demo load's:

1. the head of the NPM creates the annual report of the busiest year (the year with the
   most visits) through `services.report_create` (its narrative pre-filled from the
   records);
2. the content is built as the head (`content.build_content`: every figure, table and
   chart through `restrict`), then the public version of it (`publication.public_content`);
3. the confidential PDF (WeasyPrint) and DOCX (python-docx, charts as PNG) are rendered;
4. the whole background job is run once for a PDF (`services_render.rendering_request`,
   whose own time is what the person asking waits, then `tasks.render_report`).

Each step is run `--repeat` times (median and maximum reported); the peak resident memory
of the measuring process (`getrusage`) is read after each step (it only grows, so each
figure is the peak so far). The result goes to bench/results/reports-<db>.json, and with
`--write FILE` a Markdown page with the table and the machine it ran on (`--page-only`
writes it again from the result files). `--reuse` measures the database an earlier run
left. Never run by the test suite.
Target (issue 7): the annual report at the national scale renders to PDF in under 60 s
on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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
BENCH_DB = "habeas_bench_reports"
SCALE = "national"
PDF_TARGET_S = 60
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
HEAD = "head@demo.habeas.test"
DUMMY_TASKS = "django_tasks.backends.dummy.DummyBackend"


# -- the parent ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed step")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), help="run this one only")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database an earlier run built"
    )
    parser.add_argument("--write", metavar="FILE", help="write the Markdown page to FILE")
    parser.add_argument(
        "--page-only",
        action="store_true",
        help="measure nothing: write the page from the result files an earlier run left",
    )
    parser.add_argument("--worker", choices=("build", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker == "build":
        build(options)
        return
    if options.worker == "measure":
        measure(options)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    if options.page_only:
        databases = list(NAMES)
    if options.db:
        databases = [options.db]
    results = []
    for db in databases:
        out = RESULTS / f"reports-{db}.json"
        if options.page_only:
            if out.exists():
                results.append(json.loads(out.read_text()))
            continue
        print(f"== {NAMES[db]}", flush=True)
        env = worker_env(db, BENCH_DB)
        base = [sys.executable, __file__, "--db", db, "--out", str(out)]
        loaded = None
        if not options.reuse:
            subprocess.run([*base, "--worker", "build"], check=True, env=env)  # noqa: S603
            loaded = json.loads(out.read_text())["load_s"]
        command = [*base, "--worker", "measure", "--repeat", str(options.repeat)]
        measuring = dict(env, HABEAS_TASKS_BACKEND=DUMMY_TASKS)  # queue without running
        subprocess.run(command, check=True, env=measuring)  # noqa: S603
        result = json.loads(out.read_text())
        result["load_s"] = loaded
        result["reused"] = bool(options.reuse)
        out.write_text(json.dumps(result, indent=2, default=str))
        results.append(result)
    page = markdown(results)
    print()
    print(page)
    if options.write:
        target = Path(options.write)
        target = target if target.is_absolute() else ROOT / target
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page)
        print(f"Wrote {target.relative_to(ROOT)}")


# -- the workers --------------------------------------------------------------------------


def setup() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(options: argparse.Namespace) -> None:
    fresh_database(options.db, BENCH_DB)
    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", scale=SCALE, seed=1, verbosity=0)
    loaded = time.perf_counter() - started
    print(f"   demo --scale {SCALE}: {loaded:.1f} s", flush=True)
    Path(options.out).write_text(json.dumps({"load_s": round(loaded, 1)}))


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(label: str, repeat: int, step: Any) -> tuple[Any, dict[str, Any]]:
    timings, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = step()
        timings.append(time.perf_counter() - started)
    row = {"step": label, "n": repeat, "median_s": round(statistics.median(timings), 2),
           "max_s": round(max(timings), 2), "peak_rss_mib": peak_mib()}  # fmt: skip
    print(f"   {label:<44} median {row['median_s']:>6} s, max {row['max_s']:>6} s, "
          f"peak RSS {row['peak_rss_mib']} MiB", flush=True)  # fmt: skip
    return value, row


def measure(options: argparse.Namespace) -> None:
    setup()
    from django.db.models import Count
    from django.db.models.functions import ExtractYear
    from django.utils import translation

    from habeas.accounts.models import User
    from habeas.reports import content, publication, render, services, services_render, tasks
    from habeas.reports.models import Kind, Report
    from habeas.visits.models import Visit

    translation.activate("en")
    head = User.objects.get(email=HEAD)
    years = (
        Visit.objects.annotate(year=ExtractYear("starts_on"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("-n", "-year")
    )
    busiest = years[0]
    Report.objects.filter(kind=Kind.ANNUAL, year=busiest["year"]).delete()
    rss_start = peak_mib()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    report = services.report_create(actor=head, data={"kind": Kind.ANNUAL, "year": busiest["year"]})
    created_s = time.perf_counter() - started
    version = services.latest_version(report)
    print(f"   annual report {report.reference} of {busiest['year']} "
          f"({busiest['n']} visits), created in {created_s:.1f} s", flush=True)  # fmt: skip
    repeat = options.repeat
    rows = [{"step": "create the report (narrative pre-filled)", "n": 1,
             "median_s": round(created_s, 2), "max_s": round(created_s, 2),
             "peak_rss_mib": peak_mib()}]  # fmt: skip
    built, row = timed(
        "content, built as the head",
        repeat,
        lambda: content.build_content(user=head, report=report, version=version),
    )
    rows.append(row)
    _, row = timed(
        "public version of the content",
        repeat,
        lambda: publication.public_content(content=built, version=version, k=report.k),
    )
    rows.append(row)
    pdf, row = timed("PDF (WeasyPrint)", repeat, lambda: render.report_pdf(built))
    rows.append(row)
    docx, row = timed("DOCX (python-docx, charts as PNG)", repeat,
                      lambda: render.report_docx(built))  # fmt: skip
    rows.append(row)

    # The whole job, as a person asking for the PDF sets it off.
    # The measuring process runs with the dummy tasks backend: the request only queues.
    started = time.perf_counter()
    rendering = services_render.rendering_request(
        actor=head, version=version, variant="confidential", fmt="pdf"
    )
    asked_s = time.perf_counter() - started
    rows.append({"step": "asking for a PDF (the request's own time)", "n": 1,
                 "median_s": round(asked_s, 3), "max_s": round(asked_s, 3),
                 "peak_rss_mib": peak_mib()})  # fmt: skip
    _, row = timed(
        "the background job, PDF (tasks.render_report)",
        1,
        lambda: tasks.render_report.call(rendering_id=rendering.pk, language="en"),
    )
    rendering.refresh_from_db()
    row["status"] = rendering.status
    rows.append(row)

    blocks = [b for s in built.sections for b in s.blocks]
    result = {
        "db": options.db,
        "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(options.db),
        "data": data_counts(),
        "report": {
            "reference": report.reference,
            "year": busiest["year"],
            "visits_that_year": busiest["n"],
            "sections": len(built.sections),
            "blocks": len(blocks),
            "table_rows": sum(len(getattr(b, "rows", [])) for b in blocks),
            "charts": sum(1 for b in blocks if getattr(b, "type", "") == "chart"),
            "figures": len(built.figures),
            "pdf_pages": len(render.pdf_text(pdf)),
            "pdf_kib": round(len(pdf) / 1024),
            "docx_kib": round(len(docx) / 1024),
            "job_status": rendering.status,
        },
        "rss_at_start_mib": rss_start,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "steps": rows,
    }
    Path(options.out).write_text(json.dumps(result, indent=2, default=str))


def data_counts() -> dict[str, int]:
    from habeas.places.models import Place
    from habeas.recommendations.models import Recommendation
    from habeas.visits.models import Finding, Interview, Visit

    return {
        "places": Place.objects.count(),
        "visits": Visit.objects.count(),
        "interviews": Interview.objects.count(),
        "findings": Finding.objects.count(),
        "recommendations": Recommendation.objects.count(),
    }


def machine(db: str) -> dict[str, Any]:
    import sqlite3

    import django
    import weasyprint
    from django.db import connection

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
         if line.startswith("MemTotal:")), "0")  # fmt: skip
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "weasyprint": weasyprint.__version__,
        "sqlite": sqlite3.sqlite_version,
    }
    if db == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    return info


# -- the page -----------------------------------------------------------------------------


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmark: the annual report at the national scale",
        "",
        "Generated by `bench/reports.py` (see its docstring); run it again rather than "
        "editing by hand.",
        "",
        f"**What is measured.** A fresh database is migrated and `manage.py demo --scale "
        f"{SCALE}` is loaded. A second process then has the demo head of the NPM create the "
        "annual report of the busiest year (narrative pre-filled from the records), builds "
        "its content as the head (every figure through `restrict`) and its public version, "
        "renders the confidential PDF (WeasyPrint) and DOCX (python-docx, charts as PNG), "
        "and runs the background job once for a PDF. Peak RSS is that of the measuring "
        "process (`getrusage`) after each step.",
        "",
        f"**Target** (issue 7): the PDF of the annual report in under {PDF_TARGET_S} s on 2 cores.",
    ]
    for result in results:
        lines += ["", *section(result)]
    return "\n".join(lines) + "\n"


def section(result: dict[str, Any]) -> list[str]:
    info, report, data = result["machine"], result["report"], result["data"]
    database = NAMES[result["db"]] + (
        f" {info['postgresql']}" if "postgresql" in info else f" {info['sqlite']}"
    )
    loaded = result.get("load_s")
    load_text = f"{loaded} s" if loaded is not None else "not timed (an earlier run's database)"
    pdf = next(row for row in result["steps"] if row["step"].startswith("PDF"))
    verdict = "met" if pdf["max_s"] < PDF_TARGET_S else "NOT met"
    lines = [
        f"## {NAMES[result['db']]}",
        "",
        f"Run {result['finished_at']} on {info['nproc']} × {info['cpu']}, "
        f"{info['memory_gib']} GiB; Python {info['python']}, Django {info['django']}, "
        f"WeasyPrint {info['weasyprint']}, {database}.",
        "",
        f"Data: {data['places']:,} places, {data['visits']:,} visits, "
        f"{data['interviews']:,} interviews, {data['findings']:,} findings, "
        f"{data['recommendations']:,} recommendations; demo load {load_text}.",
        "",
        f"Report {report['reference']}, the year {report['year']} "
        f"({report['visits_that_year']} visits): {report['sections']} sections, "
        f"{report['blocks']} blocks ({report['charts']} charts, {report['table_rows']:,} "
        f"table rows), {report['figures']} figures; the PDF has {report['pdf_pages']} pages "
        f"({report['pdf_kib']:,} KiB), the DOCX {report['docx_kib']:,} KiB; the job ended "
        f"{report['job_status']}.",
        "",
        "| step | runs | median (s) | max (s) | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["steps"]:
        lines.append(f"| {row['step']} | {row['n']} | {row['median_s']} | {row['max_s']} | "
                     f"{row['peak_rss_mib']} |")  # fmt: skip
    load = result.get("load_average")
    if load:
        lines += [
            "",
            f"Load average (1 min) at the start and end of the measurements: {load[0]} → "
            f"{load[1]}, on {info['nproc']} cores (other work on the machine slows the "
            "figures above; they are upper bounds).",
        ]
    lines += [
        "",
        f"Memory when the measuring process started (Django loaded): "
        f"{result['rss_at_start_mib']} MiB. Target under {PDF_TARGET_S} s for the PDF: "
        f"**{verdict}** ({pdf['max_s']} s at most).",
    ]
    return lines


if __name__ == "__main__":
    main()
