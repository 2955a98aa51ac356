"""Builders shared by the legislation tracker's tests: rows made through the services, so
every test starts from what the application itself could have written. The benchmarks
are those the migration seeds (`benchmark("first-hours-lawyer")`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from habeas.cases.models import RegisterEntry
from habeas.cases.services_register import register_entry_create
from habeas.legislation import services
from habeas.legislation.models import (
    Assessment,
    Benchmark,
    ItemKind,
    LegislationItem,
    Opinion,
    Procedure,
)
from habeas.partners.models import Partner, PartnerKind


def benchmark(code: str) -> Benchmark:
    """A benchmark the migration seeds, e.g. "first-hours-lawyer" (weight 5)."""
    return Benchmark.objects.get(code=code)


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def make_item(actor: Any, **fields: Any) -> LegislationItem:
    """A draft bill under consultation, by `actor` (who needs `legislation.change`)."""
    values: dict[str, Any] = {
        "title": "Code of Criminal Procedure (Amendment) Bill",
        "kind": ItemKind.DRAFT,
        "subject": "Police custody: access to a lawyer deferred by 48 hours.",
        "responsible_body": "Ministry of Justice",
        "procedure": Procedure.CONSULTATION,
        **fields,
    }
    return services.item_create(actor=actor, **values)


def assess(actor: Any, item: LegislationItem, code: str, effect: str, note: str = "") -> Assessment:
    assessment = services.assessment_set(
        actor=actor, item=item, benchmark=benchmark(code), effect=effect, note=note
    )
    item.refresh_from_db()
    return assessment


def make_opinion(actor: Any, item: LegislationItem, **fields: Any) -> Opinion:
    values = {
        "title": "Opinion on the custody amendment",
        "text": "The NPM opposes any deferral of access to a lawyer.",
        **fields,
    }
    return services.opinion_create(actor=actor, item=item, **values)


def make_partner(name: str = "Bar Association", kind: str = PartnerKind.PROFESSIONAL) -> Partner:
    """A partner of the NPM. The partners app's services are not the subject here."""
    return Partner.objects.create(name=name, kind=kind)


def make_register_entry(actor: Any, **data: Any) -> RegisterEntry:
    """An allegation prosecutors classified as bodily harm (not torture), by `actor` (who
    needs `register.change`)."""
    values = {
        "classification": RegisterEntry.Classification.BODILY_HARM,
        "complaint_on": dt.date(2025, 2, 1),
        **data,
    }
    return register_entry_create(actor=actor, data=values)
