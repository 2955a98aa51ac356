"""Builders for the tests of the strategic plan, budget and year-end view.

Objectives, activities and budget lines are made through the services; visits and their
teams are written directly, with exactly the dates, states and team sizes a hand count
needs (the visits app's own rules are tested there)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from habeas.accounts.models import User
from habeas.places.models import Place
from habeas.strategy import services
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective
from habeas.visits.models import TeamAssignment, Visit

_numbers = itertools.count(1)


def make_objective(actor: User, **fields: Any) -> Objective:
    data: dict[str, Any] = {
        "code": "SO1",
        "title": "Visit every kind of place of detention",
        "first_year": 2023,
        "last_year": 2026,
        **fields,
    }
    return services.objective_create(actor=actor, **data)


def make_activity(actor: User, objective: Objective, **fields: Any) -> Activity:
    data: dict[str, Any] = {
        "kind": ActivityKind.VISITS,
        "title": "Visits to police stations",
        "year": 2025,
        **fields,
    }
    return services.activity_create(actor=actor, objective=objective, **data)


def make_line(actor: User, **fields: Any) -> BudgetLine:
    data: dict[str, Any] = {
        "year": 2025,
        "kind": ActivityKind.VISITS,
        "label": "Travel",
        "planned": Decimal("1000"),
        "spent": Decimal("800"),
        **fields,
    }
    return services.line_create(actor=actor, **data)


def visit_at(
    place: Place,
    lead: User,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    *,
    state: str = Visit.State.CLOSED,
    members: list[User] | tuple[User, ...] = (),
    interpreters: list[User] | tuple[User, ...] = (),
    announced: bool = True,
) -> Visit:
    """A visit with `lead` as its head of delegation plus `members` and `interpreters`."""
    visit = Visit.objects.create(
        reference=f"V-T-{next(_numbers):05d}",
        place=place,
        kind=Visit.Kind.IN_DEPTH,
        announced=announced,
        state=state,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        lead=lead,
        created_by=lead,
    )
    TeamAssignment.objects.create(
        visit=visit, user=lead, role=TeamAssignment.Role.LEADER, assigned_by=lead
    )
    for user in members:
        TeamAssignment.objects.create(visit=visit, user=user, assigned_by=lead)
    for user in interpreters:
        TeamAssignment.objects.create(
            visit=visit, user=user, role=TeamAssignment.Role.INTERPRETER, assigned_by=lead
        )
    return visit
