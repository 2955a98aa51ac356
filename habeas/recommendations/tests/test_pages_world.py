"""Builders for the tests of a recommendation's pages (no tests here): a place, its
addressee reporting to a ministry, a visit in progress with the monitor and an external
expert on its team, and one of its findings. Rows are made through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.models import Authority, Place
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory
from habeas.recommendations.models import Recommendation
from habeas.recommendations.tests.factories import make_recommendation
from habeas.visits import services_field as field
from habeas.visits.models import Finding, Visit
from habeas.visits.tests.factories import add_member, make_visit

CALL_BELL = "Install a working call bell in every cell of Wing B by 30 June."


@dataclass
class PagesWorld:
    personas: dict[str, User]
    expert_on_team: User
    ministry: Authority
    administration: Authority
    place: Place
    visit: Visit
    finding: Finding

    @property
    def monitor(self) -> User:
        return self.personas["monitor"]

    @property
    def head(self) -> User:
        return self.personas["head"]


def finding_at(visit: Visit, actor: User, statement: str, **data: Any) -> Finding:
    return field.finding_create(
        actor=actor,
        visit=visit,
        data={
            "theme": "conditions",
            "kind": "concern",
            "severity": "key",
            **data,
            "statement": statement,
        },
    )


def pages_world(personas: dict[str, User], make_user: Any) -> PagesWorld:
    head, monitor = personas["head"], personas["monitor"]
    ministry = AuthorityFactory(name="Ministry of Justice", kind=Authority.Kind.MINISTRY)
    administration = AuthorityFactory(
        name="Prison Administration",
        kind=Authority.Kind.SUPERVISORY,
        parent=ministry,
        urgent_contact="Duty officer, +1 555 0100",
    )
    place = PlaceFactory(name="Northgate Remand Prison", authority=administration)
    visit = make_visit(head, place=place, state=Visit.State.IN_PROGRESS)
    add_member(visit, head, head)
    add_member(visit, monitor, head)
    expert = make_user(Role.EXPERT, "expert-on-team@npm.test")
    add_member(visit, expert, head, override_reason="Terms of reference signed on paper.")
    finding = finding_at(
        visit, monitor, "Call bells in Wing B do not work; detainees bang on doors."
    )
    return PagesWorld(personas, expert, ministry, administration, place, visit, finding)


def draft_at(world: PagesWorld, **fields: Any) -> Recommendation:
    data: dict[str, Any] = {
        "visit": world.visit,
        "addressee": world.administration,
        "theme": "conditions",
        "findings": [world.finding],
        **fields,
    }
    return make_recommendation(world.monitor, **data)


def later_visit(world: PagesWorld, **fields: Any) -> Visit:
    """A follow-up visit to the same place, after the first one, in progress."""
    data: dict[str, Any] = {
        "kind": Visit.Kind.FOLLOW_UP,
        "starts_on": dt.date(2026, 6, 1),
        "ends_on": dt.date(2026, 6, 2),
        "state": Visit.State.IN_PROGRESS,
        **fields,
    }
    visit = make_visit(world.head, place=world.place, **data)
    add_member(visit, world.monitor, world.head)
    return visit
