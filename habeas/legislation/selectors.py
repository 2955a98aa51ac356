"""Reads of the legislation tracker (¶12, 26, 28, 29), each from `restrict(user, ...)`.

The list is ranked by the kept priority (`priority.py`), then by the nearest deadline
(items without one last), then by reference, so equal priorities always come in the
same order. Linked recommendations, register entries and partners are shown only as far
as the reader may see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.http import Http404

from habeas.cases.models import RegisterEntry
from habeas.legislation.models import (
    OPEN_PROCEDURES,
    AdvocacyStep,
    Assessment,
    Benchmark,
    BenchmarkGroup,
    LegislationItem,
    Opinion,
    OpinionVersion,
)
from habeas.partners.models import Partner
from habeas.recommendations.models import Recommendation

SEARCHED = ("reference", "title", "subject", "official_ref", "responsible_body")


def ranked(
    user: Any,
    *,
    kind: str | None = None,
    procedure: str | None = None,
    q: str | None = None,
    open_only: bool = False,
) -> QuerySet[LegislationItem]:
    """The items the user may see, highest priority first.

    Each row carries `opinions_sent` (how many opinions went out), `last_sent_on` and
    `steps_count`, so a list shows them without a query per row."""
    items = LegislationItem.objects.restrict(user, "view")
    if kind:
        items = items.filter(kind=kind)
    if procedure:
        items = items.filter(procedure=procedure)
    if open_only:
        items = items.filter(procedure__in=OPEN_PROCEDURES)
    words = (q or "").replace("\x00", "").split()
    for word in words[:8]:
        items = items.filter(
            Q.create([(f"{name}__icontains", word) for name in SEARCHED], connector=Q.OR)
        )
    sent = Q(opinions__state=Opinion.State.SENT)
    return (
        items.select_related("authority", "lead")
        .annotate(
            opinions_sent=Count("opinions", filter=sent, distinct=True),
            last_sent_on=Max("opinions__sent_on", filter=sent),
            steps_count=Count("steps", distinct=True),
        )
        .order_by("-priority", F("deadline").asc(nulls_last=True), "reference")
    )


def with_details(items: QuerySet[LegislationItem], user: Any) -> QuerySet[LegislationItem]:
    """Items with their assessments, opinions (and versions), advocacy steps, and the
    linked records the user may see: `visible_recommendations`,
    `visible_register_entries`, and each step's `visible_partners`."""
    steps = AdvocacyStep.objects.select_related("recorded_by").prefetch_related(
        Prefetch(
            "partners",
            queryset=Partner.objects.restrict(user, "view").order_by("name"),
            to_attr="visible_partners",
        )
    )
    opinions = Opinion.objects.select_related("author").prefetch_related(
        Prefetch("versions", queryset=OpinionVersion.objects.select_related("saved_by"))
    )
    return items.select_related("authority", "lead", "created_by").prefetch_related(
        Prefetch(
            "assessments",
            queryset=Assessment.objects.select_related("benchmark", "assessed_by"),
        ),
        Prefetch("opinions", queryset=opinions),
        Prefetch("steps", queryset=steps),
        Prefetch(
            "recommendations",
            queryset=Recommendation.objects.restrict(user, "view").order_by("reference"),
            to_attr="visible_recommendations",
        ),
        Prefetch(
            "register_entries",
            queryset=RegisterEntry.objects.restrict(user, "view").order_by("reference"),
            to_attr="visible_register_entries",
        ),
    )


def item_detail(user: Any, pk: Any) -> LegislationItem:
    """One item with its details (`with_details`), or 404 when it is missing or hidden
    from the user (the same answer)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    items = with_details(LegislationItem.objects.restrict(user, "view"), user)
    item = items.filter(pk=number).first() if 0 < number < 2**63 else None
    if item is None:
        raise Http404
    return item


@dataclass
class BenchmarkSection:
    """One standard's checklist: its code (BenchmarkGroup), its name and its lines."""

    group: str
    label: str
    benchmarks: list[Benchmark] = field(default_factory=list)


def benchmarks(
    user: Any, *, item: LegislationItem | None = None, include_inactive: bool = False
) -> list[BenchmarkSection]:
    """The benchmarks the user may see, grouped by standard in the order of
    `BenchmarkGroup`, each group's lines in their own order; empty groups left out.

    With `item`, each benchmark carries `assessment`: the item's assessment against it,
    or None (the assessment sheet)."""
    rows = Benchmark.objects.restrict(user, "view")
    if not include_inactive:
        rows = rows.filter(active=True)
    found: dict[int, Assessment] = {}
    if item is not None:
        found = {
            a.benchmark_id: a for a in Assessment.objects.restrict(user, "view").filter(item=item)
        }
    sections = {
        value: BenchmarkSection(value, str(label)) for value, label in BenchmarkGroup.choices
    }
    for benchmark in rows.order_by("position", "code"):
        benchmark.assessment = found.get(benchmark.pk)  # type: ignore[attr-defined]
        sections[benchmark.group].benchmarks.append(benchmark)
    return [section for section in sections.values() if section.benchmarks]
