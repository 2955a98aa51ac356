"""Builders for the dialogue's tests: exchanges and action plans made through the services,
so every test starts from rows the application itself could have written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from habeas.accounts.models import User
from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations import services_dialogue
from habeas.recommendations.models import ActionPlan, Commitment, Exchange, Recommendation
from habeas.recommendations.tests.factories import make_sent


def make_exchange(actor: User, *, authority: Authority | None = None, **fields: Any) -> Exchange:
    """A letter received today from `authority` (a new ministry unless given)."""
    data: dict[str, Any] = {
        "authority": authority or AuthorityFactory(kind=Authority.Kind.MINISTRY),
        "kind": Exchange.Kind.LETTER,
        "direction": Exchange.Direction.INCOMING,
        "occurred_on": timezone.localdate(),
        "subject": "Reply to the report on the visit to the central prison",
        "their_reference": "MJ/2025/118",
        **fields,
    }
    return services_dialogue.exchange_create(actor=actor, data=data)


def make_sent_to(
    actor: User, authority: Authority, count: int, *, days_ago: int = 30, **fields: Any
) -> list[Recommendation]:
    """`count` recommendations sent `days_ago` days ago to `authority`."""
    sent_on = timezone.localdate() - dt.timedelta(days=days_ago)
    return [
        make_sent(
            actor,
            sent_on=sent_on,
            addressee=authority,
            text=f"Recommendation number {n}: repair the ventilation in cell block {n}.",
            **fields,
        )
        for n in range(count)
    ]


def make_plan(actor: User, *, authority: Authority | None = None, **fields: Any) -> ActionPlan:
    data: dict[str, Any] = {
        "authority": authority or AuthorityFactory(kind=Authority.Kind.MINISTRY),
        "title": "Plan for the remand wing, 2025–2026",
        "adopted_on": timezone.localdate() - dt.timedelta(days=10),
        **fields,
    }
    return services_dialogue.action_plan_create(actor=actor, data=data)


def make_commitment(actor: User, plan: ActionPlan, **fields: Any) -> Commitment:
    data: dict[str, Any] = {
        "text": "Replace the call bells in Wing B.",
        "due_on": timezone.localdate() + dt.timedelta(days=90),
        **fields,
    }
    return services_dialogue.commitment_add(actor=actor, plan=plan, data=data)
