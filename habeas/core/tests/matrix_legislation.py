"""The access matrix's tables for the legislation tracker (¶12, 26, 28, 29). See
habeas/core/tests/access_matrix.py and access_world.py for how they are used.

The world, built through the services: a draft bill under consultation, assessed
against one benchmark, with an opinion in draft; `elsewhere`, an opinion of another
item.

Audiences are written out by hand from the querysets' docstrings in
habeas/legislation/models.py, never computed from roles.PERMISSIONS: the NPM's staff see
the tracker, not external experts (who see only their visits' work) and not the
administrator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from habeas.core.tests.matrix_base import HOME_STAFF, Record
from habeas.legislation import services
from habeas.legislation.models import Benchmark

TRACKER = HOME_STAFF - {"admin", "expert"}

RECORDS: dict[tuple[str, str], Record] = {
    ("legislation", "legislation/<item_pk>"): Record("bill", TRACKER),
    ("legislation", "opinions/<opinion_pk>"): Record(
        "opinion", elsewhere="an opinion on another item"
    ),
    ("legislation", "benchmarks/<benchmark_pk>"): Record("benchmark", TRACKER),
}
ROUTE_RECORDS: dict[tuple[str, str], Record] = {}
EXCEPTIONS: dict[str, str] = {}
RECORD_NAMES: set[str] = {"bill", "opinion", "benchmark"}

PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {}


def _bill(head: Any, title: str) -> Any:
    return services.item_create(
        actor=head,
        title=title,
        kind="draft",
        subject="Extends police custody before access to a lawyer to 48 hours.",
        responsible_body="Ministry of Justice",
        procedure="consultation",
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    head = people["head"]
    bill = _bill(head, "Criminal procedure (amendment) bill")
    benchmark = Benchmark.objects.filter(active=True).order_by("position", "code").first()
    assert benchmark is not None, "the default benchmarks are seeded by a migration"
    services.assessment_set(
        actor=head, item=bill, benchmark=benchmark, effect="weakens", note="Art. 12 delays it."
    )
    opinion = services.opinion_create(
        actor=head, item=bill, title="Opinion on the bill", text="The NPM opposes art. 12."
    )
    other = _bill(head, "Another bill")
    other_opinion = services.opinion_create(
        actor=head, item=other, title="Another opinion", text="Another text."
    )
    world = {"bill": bill, "opinion": opinion, "benchmark": benchmark}
    for record in world.values():
        record.refresh_from_db()
    return world, {"an opinion on another item": other_opinion}
