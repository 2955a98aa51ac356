"""Builders for the tests of the legislation tracker's pages (no tests here): a draft bill
that delays access to a lawyer before parliament, an administrative decree that weakens a
formality, a recommendation and a register entry to link. Rows are made through the
services, so every test starts from what the application itself could have written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from habeas.accounts.models import User
from habeas.cases.models import RegisterEntry
from habeas.cases.services_register import register_entry_create
from habeas.legislation import services
from habeas.legislation.models import Benchmark, Effect, ItemKind, LegislationItem, Procedure
from habeas.recommendations.models import Recommendation
from habeas.recommendations.tests.factories import make_recommendation

BILL = "Criminal procedure amendment on police custody"
DECREE = "Decree on the forms of custody registers"
LAWYER_DELAY = "Art. 7 delays access to a lawyer until the 24th hour of custody."


@dataclass
class World:
    personas: dict[str, User]
    bill: LegislationItem
    decree: LegislationItem
    lawyer: Benchmark
    registration: Benchmark
    recommendation: Recommendation
    entry: RegisterEntry

    @property
    def monitor(self) -> User:
        return self.personas["monitor"]

    @property
    def head(self) -> User:
        return self.personas["head"]


def benchmark(code: str) -> Benchmark:
    """One of the default benchmarks the migrations install."""
    return Benchmark.objects.get(code=code)


def make_item(actor: User, **fields: object) -> LegislationItem:
    data: dict[str, object] = {
        "title": "A law",
        "kind": ItemKind.EXISTING,
        "subject": "What the law is about.",
        **fields,
    }
    return services.item_create(actor=actor, **data)  # type: ignore[arg-type]


def world(personas: dict[str, User]) -> World:
    monitor, head = personas["monitor"], personas["head"]
    today = timezone.localdate()
    lawyer = benchmark("first-hours-lawyer")
    registration = benchmark("first-hours-registration")
    bill = make_item(
        monitor,
        title=BILL,
        kind=ItemKind.DRAFT,
        subject="Extends police custody and changes the rules on access to a lawyer.",
        responsible_body="Committee on justice",
        procedure=Procedure.PARLIAMENT,
        deadline=today + dt.timedelta(days=9),
        official_ref="Bill 2026/114",
    )
    services.assessment_set(
        actor=monitor, item=bill, benchmark=lawyer, effect=Effect.WEAKENS, note=LAWYER_DELAY
    )
    decree = make_item(
        monitor,
        title=DECREE,
        kind=ItemKind.EXISTING,
        subject="The printed forms of custody registers.",
        responsible_body="Ministry of the Interior",
        procedure=Procedure.IN_FORCE,
    )
    services.assessment_set(
        actor=monitor,
        item=decree,
        benchmark=registration,
        effect=Effect.SILENT,
        note="Says nothing of the time of arrival.",
    )
    recommendation = make_recommendation(
        monitor, text="Guarantee access to a lawyer from the first hour of police custody."
    )
    entry = register_entry_create(
        actor=head,
        data={"classification": RegisterEntry.Classification.ABUSE_OF_OFFICE},
    )
    bill.refresh_from_db()
    decree.refresh_from_db()
    return World(personas, bill, decree, lawyer, registration, recommendation, entry)
