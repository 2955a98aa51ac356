"""Shared test helpers for case files and reprisal watches.

Records are built through the services, as a user would build them, so they carry
their data keys, their creator's grant, their checklist and their audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from habeas.cases import services
from habeas.cases.models import Case, CaseGrant, Element, Recipient, ReprisalWatch
from habeas.places.tests.factories import PlaceFactory

CANARY_VICTIM = "Canary Victim Zebulon Quist"
CANARY_ACTS = "Canary account of the acts: beaten with a rubber hose"


def case_data(**data: Any) -> dict[str, Any]:
    """Form-like data for a case; keyword arguments override the defaults."""
    values: dict[str, Any] = {
        "kind": Case.Kind.ILL_TREATMENT,
        "reported_on": dt.date(2026, 1, 15),
        "occurred_on": dt.date(2026, 1, 10),
        "source": Case.Source.PRIVATE_INTERVIEW,
        "source_ref": "Visit V-12",
        "victim": CANARY_VICTIM,
        "victim_details": "Born 1990, cell block B",
        "complainant": "",
        "officials": "Officer Canary Brack",
        "witnesses": "Cellmate Canary Olm",
        "acts": CANARY_ACTS,
        "circumstances": "During the night count",
        "consent_use": True,
        "consent_elements": [Element.ACCOUNT, Element.IDENTITY],
        "consent_recipients": [Recipient.PROSECUTOR],
        "consent_recorded_on": dt.date(2026, 1, 15),
    }
    values.update(data)
    return values


def make_case(actor: Any, **data: Any) -> Case:
    """A case opened by `actor` (who must hold `cases.create`), led and granted to them.

    `place` defaults to a new place; pass `place=None` for none.
    """
    if "place" not in data:
        data["place"] = PlaceFactory()
    return services.case_create(actor=actor, data=case_data(**data))


def make_watch(actor: Any, place: Any = None, **data: Any) -> ReprisalWatch:
    """A reprisal watch opened by `actor` on a person held at `place`."""
    values: dict[str, Any] = {
        "pseudonym": "Heron",
        "source_kind": ReprisalWatch.SourceKind.PRIVATE_INTERVIEW,
        "source_ref": "Visit V-12",
        "risk_source": ReprisalWatch.RiskSource.STAFF,
        "feared": [ReprisalWatch.ReprisalKind.THREATS],
        "consent_raise": False,
        "identity": "Canary Watched Person Ilsabet Vorn",
        "risk_detail": "Threatened by the night shift",
        "opened_on": dt.date(2026, 1, 15),
    }
    values.update(data)
    return services.watch_create(actor=actor, data=values, place=place or PlaceFactory())


def grant(
    lead: Any,
    record: Case | ReprisalWatch,
    user: Any,
    *,
    identity: bool = False,
    medical: bool = False,
    reason: str = "Needs to know for the follow-up",
) -> CaseGrant:
    """Grant `user` on `record`, as its lead."""
    return services.grant_add(
        actor=lead, record=record, user=user, identity=identity, medical=medical, reason=reason
    )
