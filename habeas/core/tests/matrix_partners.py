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

PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {}


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
