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


def _today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _item_edit(w: Any) -> dict[str, Any]:
    b = w.bill
    return {
        "version": b.version,
        "title": "Criminal procedure (amendment) bill, second reading",
        "kind": b.kind,
        "subject": b.subject,
        "responsible_body": b.responsible_body,
        "authority": "",
        "procedure": "parliament",
        "deadline": _today(30),
        "official_ref": "",
        "link": "",
        "lead": "",
    }


def _checklist(w: Any) -> dict[str, Any]:
    prefix = f"b{w.benchmark.pk}"
    return {
        f"{prefix}-effect": "breaches",
        f"{prefix}-note": "Art. 12 removes the right for 48 hours.",
        f"{prefix}-was_effect": "weakens",
        f"{prefix}-was_note": "Art. 12 delays it.",
    }


def _benchmark_edit(w: Any) -> dict[str, Any]:
    b = w.benchmark
    return {
        "code": b.code,
        "group": b.group,
        "title": f"{b.title} (revised)",
        "source": b.source,
        "guidance": b.guidance,
        "weight": b.weight,
        "position": b.position,
        "active": "on",
    }


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "legislation:edit": _item_edit,
    "legislation:checklist": _checklist,
    "legislation:opinion_create": lambda w: {
        "title": "Second opinion",
        "text": "The NPM asks parliament to strike art. 12.",
    },
    "legislation:opinion_revise": lambda w: {
        "version": w.opinion.version,
        "title": w.opinion.title,
        "text": "The NPM opposes art. 12 and proposes access from the outset.",
    },
    "legislation:opinion_send": lambda w: {
        "sent_on": _today(),
        "sent_to": "Parliamentary committee on justice",
    },
    "legislation:step_add": lambda w: {
        "kind": "hearing",
        "held_on": _today(),
        "with_whom": "Committee on justice",
        "summary": "The NPM testified on art. 12.",
        "result": "",
    },
    "legislation:outcome": lambda w: {"outcome": "partly", "note": "Art. 12 was amended."},
    "legislation:benchmark_edit": _benchmark_edit,
}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {
    "legislation:links": (
        "links name recommendations and register entries, which this world does not build; "
        "habeas/legislation/tests/test_views_work.py links and unlinks them"
    ),
}


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
