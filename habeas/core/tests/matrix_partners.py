"""The access matrix's tables for partners and communication (¶4, 23, 30–33). See
habeas/core/tests/access_matrix.py and access_world.py for how they are used.

The world, through the services: an NGO with a contact and a memorandum of
understanding, a confidential communication with it that signals a risk of reprisal,
and an awareness activity.

Audiences by hand from habeas/partners/models.py: the NPM's staff see partners, the log
and activities (not external experts, not the administrator); a confidential
communication only those who record communications (head, monitor, data officer,
communications officer), and, since this one signals a risk of reprisal, those who open
reprisal watches (the doctor too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from habeas.core.tests.matrix_base import HOME_STAFF, Record
from habeas.partners import services

STAFF = HOME_STAFF - {"admin", "expert"}
RECORDERS = frozenset({"head", "monitor", "data_officer", "comms"})

RECORDS: dict[tuple[str, str], Record] = {
    ("partners", "partners/<pk>"): Record("partner", STAFF),
    ("partners", "contacts/<pk>"): Record("partner_contact", STAFF),
    ("partners", "agreements/<pk>"): Record("agreement", STAFF),
    ("partners", "log/<pk>"): Record("communication", RECORDERS | {"doctor"}),
    ("partners", "activities/<pk>"): Record("activity", STAFF),
}
ROUTE_RECORDS: dict[tuple[str, str], Record] = {}
EXCEPTIONS: dict[str, str] = {}
RECORD_NAMES: set[str] = {"partner", "partner_contact", "agreement", "communication", "activity"}


def _day(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _partner_edit(w: Any) -> dict[str, Any]:
    p = w.partner
    return {
        "version": p.version,
        "name": p.name,
        "acronym": "PRW",
        "kind": p.kind,
        "areas": "prisons, police custody",
        "website": "",
        "address": "",
        "notes": "",
        "active": "on",
    }


def _contact(version: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "B. Lawyer",
        "position": "Legal officer",
        "email": "",
        "phone": "",
        "notes": "",
        "active": "on",
    }
    if version is not None:
        data["version"] = version
    return data


def _agreement(version: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "data_sharing",
        "title": "Data-sharing terms",
        "signed_on": _day(-10),
        "expires_on": _day(700),
        "terms": "Anonymised figures only.",
    }
    if version is not None:
        data["version"] = version
    return data


def _communication_edit(w: Any) -> dict[str, Any]:
    c = w.communication
    return {
        "version": c.version,
        "kind": c.kind,
        "direction": c.direction,
        "occurred_on": c.occurred_on.isoformat(),
        "subject": "A detainee threatened after the visit (confirmed)",
        "details": "The NGO's lawyer heard of threats in Wing B.",
        "partners": [w.partner.pk],
        "confidential": "on",
        "reprisal_signal": "on",
        "places": [],
        "recommendations": "",
        "legislation": [],
        "cases": [],
    }


def _activity_edit(w: Any) -> dict[str, Any]:
    a = w.activity
    return {
        "version": a.version,
        "kind": a.kind,
        "title": a.title,
        "held_on": a.held_on.isoformat(),
        "audience": a.audience,
        "reached": 45,
        "region": "",
        "partners": [w.partner.pk],
        "notes": "",
    }


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "partners:edit": _partner_edit,
    "partners:contact_add": lambda w: _contact(None),
    "partners:contact_edit": lambda w: _contact(w.partner_contact.version),
    "partners:agreement_add": lambda w: _agreement(None),
    "partners:agreement_edit": lambda w: _agreement(w.agreement.version),
    "partners:communication_edit": _communication_edit,
    "partners:activity_edit": _activity_edit,
}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {
    "partners:communication_link_watch": (
        "linking needs a reprisal watch the writer is granted on, which this world does not "
        "build; habeas/partners/tests/test_views_log.py links, unlinks and refuses"
    ),
    "partners:communication_open_watch": (
        "opening a watch takes the whole watch form (a person, their place, the risk); "
        "habeas/partners/tests/test_views_log.py and e2e/test_partners_journey.py open one"
    ),
}


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    head = people["head"]
    today = timezone.localdate()
    partner = services.partner_create(
        actor=head, name="Prisoners' Rights Watch", kind="ngo", areas="prisons"
    )
    contact = services.contact_add(actor=head, partner=partner, name="A. Coordinator")
    agreement = services.agreement_add(
        actor=head,
        partner=partner,
        kind="mou",
        title="Memorandum on referrals",
        signed_on=today - dt.timedelta(days=300),
    )
    communication = services.communication_record(
        actor=head,
        kind="information",
        occurred_on=today - dt.timedelta(days=1),
        subject="A detainee threatened after the visit",
        partners=[partner],
        details="The NGO's lawyer heard of threats in Wing B.",
        direction="in",
        confidential=True,
        reprisal_signal=True,
    )
    activity = services.activity_record(
        actor=head,
        kind="training",
        title="Training for prison officers",
        held_on=today - dt.timedelta(days=30),
        audience="staff",
        reached=40,
        partners=[partner],
    )
    world = {
        "partner": partner,
        "partner_contact": contact,
        "agreement": agreement,
        "communication": communication,
        "activity": activity,
    }
    for record in world.values():
        record.refresh_from_db()
    return world, {}
