"""Builders shared by the visits app's tests: visits and teams made through the services,
so every test starts from rows the application itself could have written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from habeas.accounts.models import User
from habeas.places.models import Place
from habeas.places.tests.factories import PlaceFactory
from habeas.visits import services
from habeas.visits.models import TeamAssignment, TeamProfile, Visit


def make_visit(actor: User, place: Place | None = None, **fields: Any) -> Visit:
    """A planned visit by `actor` (a planner), led by `actor` unless `lead=` says otherwise.

    Fields not in the service's whitelist (e.g. `state`) are set afterwards directly,
    for tests that need a visit further along its life.
    """
    later = {name: fields.pop(name) for name in ("state", "closed_at") if name in fields}
    data: dict[str, Any] = {
        "place": place or PlaceFactory(),
        "kind": Visit.Kind.IN_DEPTH,
        "announced": False,
        "starts_on": dt.date(2025, 3, 10),
        "ends_on": dt.date(2025, 3, 12),
        "objectives": "Check the conditions in the remand wing.",
        "lead": actor,
        **fields,
    }
    visit = services.visit_create(actor=actor, data=data)
    if later:
        Visit.objects.filter(pk=visit.pk).update(**later)
        visit.refresh_from_db()
    return visit


def add_member(
    visit: Visit,
    user: User,
    actor: User,
    *,
    role: str = TeamAssignment.Role.MEMBER,
    override_reason: str = "",
    acknowledged: bool = False,
) -> TeamAssignment:
    """Put `user` on the team through `team_add`, or return their assignment if the lead
    was already added at creation. `acknowledged=True` also records the code of conduct."""
    existing = TeamAssignment.objects.filter(visit=visit, user=user).first()
    assignment = existing or services.team_add(
        actor=actor, visit=visit, user=user, role=role, override_reason=override_reason
    )
    if acknowledged and assignment.conduct_acknowledged_at is None:
        assignment = services.conduct_acknowledge(actor=user, assignment=assignment)
    return assignment


def make_profile(user: User, actor: User | None = None, **fields: Any) -> TeamProfile:
    """A team profile through `profile_save`; `actor` defaults to a head-level editor."""
    data: dict[str, Any] = {"profession": TeamProfile.Profession.LAWYER, **fields}
    return services.profile_save(actor=actor or user, person=user, data=data)
