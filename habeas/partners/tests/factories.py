"""Builders shared by the partners app's tests: rows made through the services, so every
test starts from what the application itself could have written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from habeas.legislation.models import ItemKind, LegislationItem
from habeas.partners import services
from habeas.partners.models import AwarenessActivity, Communication, Partner, PartnerKind

CANARY_DETAILS = "Canary details: the NGO's source Orlaith Vesk fears the night shift"


def make_partner(actor: Any, **fields: Any) -> Partner:
    values: dict[str, Any] = {
        "name": "Prisoners' Rights Circle",
        "kind": PartnerKind.NGO,
        "acronym": "PRC",
        "areas": "prisons, legal aid",
        **fields,
    }
    return services.partner_create(actor=actor, **values)


def make_spt(actor: Any, **fields: Any) -> Partner:
    values = {
        "name": "UN Subcommittee on Prevention of Torture",
        "kind": PartnerKind.SPT,
        "acronym": "SPT",
        **fields,
    }
    return make_partner(actor, **values)


def make_communication(actor: Any, *, partners: list[Partner], **fields: Any) -> Communication:
    values: dict[str, Any] = {
        "kind": Communication.Kind.MEETING,
        "occurred_on": timezone.localdate() - dt.timedelta(days=10),
        "subject": "Quarterly meeting on conditions in remand prisons",
        "details": CANARY_DETAILS,
        **fields,
    }
    return services.communication_record(actor=actor, partners=partners, **values)


def make_activity(actor: Any, **fields: Any) -> AwarenessActivity:
    values: dict[str, Any] = {
        "kind": AwarenessActivity.Kind.TRAINING,
        "title": "Training on OPCAT for prison officers",
        "held_on": timezone.localdate() - dt.timedelta(days=30),
        "audience": AwarenessActivity.Audience.STAFF,
        "reached": 25,
        **fields,
    }
    return services.activity_record(actor=actor, **values)


def make_legislation(actor: Any, **fields: Any) -> LegislationItem:
    """A legislation item, through its service when the legislation app has one."""
    values: dict[str, Any] = {
        "title": "Bill on police custody",
        "kind": fields.pop("kind", ItemKind.values[0]),
        "subject": "Extends police custody to 96 hours without a lawyer.",
        **fields,
    }
    try:
        from habeas.legislation import services as legislation_services

        create = legislation_services.item_create
    except (ImportError, AttributeError):
        number = LegislationItem.objects.count() + 1
        year = timezone.localdate().year
        return LegislationItem.objects.create(
            reference=f"L-{year}-{number:03d}", created_by=actor, **values
        )
    return create(actor=actor, **values)
