"""The demo's legislation tracker (`demo_load_legislation`): bills under consultation, an
existing law and a missing one, assessed, with opinions in versions, advocacy steps and
outcomes, written through the services and ranked as in use."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from habeas.accounts.demo import demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.cases.models import RegisterEntry
from habeas.core.models import AuditEvent
from habeas.legislation import priority, selectors
from habeas.legislation.demo import demo_load_legislation
from habeas.legislation.models import (
    AdvocacyStep,
    Assessment,
    ItemKind,
    LegislationItem,
    Opinion,
    OpinionVersion,
    Outcome,
    Procedure,
)
from habeas.legislation.tests.factories import make_register_entry
from habeas.places.demo import DemoRefused, demo_load
from habeas.places.models import Authority
from habeas.recommendations.tests.factories import make_sent

pytestmark = pytest.mark.django_db

CUSTODY = "Code of Criminal Procedure (Amendment) Bill: police custody"
DECREE = "Administrative decree on visiting hours in prisons"
PENAL_CODE = "Penal Code, article 231 (torture)"


class Discard(Exception):
    """Rolls a load back once its digest is taken."""


@pytest.fixture
def country(db) -> Any:
    """The places demo (accounts, authorities), a few systemic recommendations on
    safeguards and allegations prosecuted as lesser offences."""
    demo_load(scale="small", seed=1)
    head = User.objects.get(email=demo_email(Role.HEAD))
    interior = Authority.objects.get(name="Ministry of the Interior")
    recommendations = [
        make_sent(head, addressee=interior, theme="safeguards", text=f"Lawyer from hour one {n}.")
        for n in range(2)
    ]
    entries = [
        make_register_entry(head, classification=RegisterEntry.Classification.ABUSE_OF_OFFICE),
        make_register_entry(head, classification=RegisterEntry.Classification.TORTURE),
    ]
    return head, recommendations, entries


def digest() -> list[Any]:
    return [
        list(
            LegislationItem.objects.order_by("reference").values_list(
                "reference", "title", "kind", "procedure", "deadline", "priority", "outcome"
            )
        ),
        sorted(Assessment.objects.values_list("item__reference", "benchmark__code", "effect")),
        sorted(OpinionVersion.objects.values_list("opinion__title", "number", "text")),
        sorted(AdvocacyStep.objects.values_list("item__reference", "kind", "held_on")),
    ]


def test_it_builds_bills_under_consultation_ranked_by_what_they_do_to_safeguards(country):
    head, recommendations, entries = country
    summary = demo_load_legislation(scale="small", seed=3)
    assert summary.items == LegislationItem.objects.count() >= 14
    assert "Legislation:" in summary.describe()
    today = timezone.localdate()
    consulted = LegislationItem.objects.filter(procedure=Procedure.CONSULTATION, deadline__gt=today)
    assert {CUSTODY, DECREE} <= set(consulted.values_list("title", flat=True))
    ranked = [item.title for item in selectors.ranked(head, open_only=True)]
    assert ranked.index(CUSTODY) < ranked.index(DECREE)
    custody = LegislationItem.objects.get(title=CUSTODY)
    texts = [reason.text for reason in custody.priority_explained]
    assert any("lawyer" in text for text in texts)
    assert "The consultation closes in 9 days. Adds 50% of the harm." in texts
    assert set(custody.recommendations.all()) == set(recommendations)
    penal = LegislationItem.objects.get(title=PENAL_CODE)
    assert penal.kind == ItemKind.EXISTING and penal.priority > 0
    assert list(penal.register_entries.all()) == [entries[0]]  # abuse of office, not torture
    assert LegislationItem.objects.filter(kind=ItemKind.MISSING, priority__gt=0).exists()


def test_it_holds_opinions_in_versions_advocacy_and_every_outcome(country):
    demo_load_legislation(scale="national", seed=3)
    assert OpinionVersion.objects.filter(number__gte=2).exists()
    sent = Opinion.objects.filter(state=Opinion.State.SENT)
    assert sent.exists() and not sent.filter(sent_on__isnull=True).exists()
    assert not sent.filter(sent_on__gt=timezone.localdate()).exists()
    assert Opinion.objects.filter(state=Opinion.State.DRAFT).exists()
    kinds = set(AdvocacyStep.objects.values_list("kind", flat=True))
    assert {"meeting", "hearing", "letter", "joint_statement"} <= kinds
    outcomes = set(LegislationItem.objects.values_list("outcome", flat=True))
    assert {Outcome.ADOPTED, Outcome.PARTLY, Outcome.NOT_ADOPTED, Outcome.PENDING} <= outcomes
    # Written through the services: each item and opinion left its audit event, and the
    # priorities kept are those the scoring gives.
    assert AuditEvent.objects.filter(action="legislation.item_create").count() == (
        LegislationItem.objects.count()
    )
    assert AuditEvent.objects.filter(action="legislation.opinion_send").count() == sent.count()
    for item in LegislationItem.objects.all():
        assert item.priority == priority.score(item).value, item.title


def test_the_same_seed_builds_the_same_tracker(country):
    digests = []
    for _ in range(2):
        with contextlib.suppress(Discard), transaction.atomic():
            demo_load_legislation(scale="large", seed=11)
            digests.append(digest())
            raise Discard
    assert digests[0] == digests[1] and digests[0][0]


def test_it_loads_only_into_an_empty_tracker(country, settings):
    demo_load_legislation(scale="small", seed=1)
    count = LegislationItem.objects.count()
    with pytest.raises(DemoRefused):
        demo_load_legislation(scale="small", seed=1)
    assert LegislationItem.objects.count() == count
    settings.HABEAS_ENV = "production"
    with pytest.raises(DemoRefused):
        demo_load_legislation(scale="small", seed=1)
