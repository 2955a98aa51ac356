"""The access matrix's tables for strategy and resources (¶5–8, 35–37) and the saved views
of the analytics (¶34). See habeas/core/tests/access_matrix.py and access_world.py.

The world, built through the services: an objective with one activity, a budget line,
a policy with its first version (acknowledged by no one yet), a training plan entry of
the doctor's, and a saved view of the head's, not shared.

Audiences are written out by hand from the querysets' docstrings in
habeas/strategy/models.py and habeas/assessment/models_analytics.py, never computed from
roles.PERMISSIONS: the strategy is the NPM's staff's (not external experts', not the
administrator's); every member, administrator included, reads the policies; a training
plan entry is its person's and of whoever manages training; a saved view its owner's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from habeas.assessment.models_analytics import SavedView
from habeas.core.tests.matrix_base import HOME_STAFF, Record
from habeas.strategy import services, services_people
from habeas.strategy.models import TrainingPlanEntry
from habeas.visits.models import Training

STRATEGY = frozenset({"head", "monitor", "doctor", "data_officer", "comms", "auditor"})
POLICIES = HOME_STAFF
# The doctor's own entry: they read it on the training page; its form is the managers'.
TRAINING_ENTRY = frozenset({"head", "monitor", "admin"})
OWNER = frozenset({"head"})

RECORDS: dict[tuple[str, str], Record] = {
    ("strategy", "objectives/<objective_pk>"): Record("objective", STRATEGY),
    ("strategy", "activities/<activity_pk>"): Record("plan_activity", STRATEGY),
    ("strategy", "budget/<line_pk>"): Record("budget_line", STRATEGY),
    ("strategy", "policies/<policy_pk>"): Record("policy", POLICIES),
    ("strategy", "plan/<entry_pk>"): Record("plan_entry", TRAINING_ENTRY),
    ("assessment", "views/<view_pk>"): Record("saved_view", OWNER),
}
ROUTE_RECORDS: dict[tuple[str, str], Record] = {}
EXCEPTIONS: dict[str, str] = {}
RECORD_NAMES: set[str] = {
    "objective",
    "plan_activity",
    "budget_line",
    "policy",
    "plan_entry",
    "saved_view",
}


def _year() -> int:
    return timezone.localdate().year


def _objective_edit(w: Any) -> dict[str, Any]:
    o = w.objective
    return {
        "version": o.version,
        "code": o.code,
        "title": "Every police station visited within four years",
        "description": o.description,
        "first_year": o.first_year,
        "last_year": o.last_year,
        "position": o.position,
    }


def _activity(w: Any, title: str) -> dict[str, Any]:
    return {
        "kind": "legislation",
        "title": title,
        "year": _year(),
        "status": "under_way",
        "selection_criteria": "Bills touching police custody.",
        "planned_staff_days": "12",
        "spent_staff_days": "4",
        "planned_money": "1500",
        "spent_money": "300",
        "indicators": "Opinions sent before the committee votes.",
        "outcomes": "",
        "lessons": "",
    }


def _line_edit(w: Any) -> dict[str, Any]:
    line = w.budget_line
    return {
        "version": line.version,
        "year": line.year,
        "kind": line.kind,
        "activity": "",
        "label": line.label,
        "planned": "5000",
        "spent": "2750",
        "note": "Second quarter included.",
    }


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "strategy:objective_edit": _objective_edit,
    "strategy:activity_create": lambda w: _activity(w, "Opinion on the custody bill"),
    "strategy:activity_edit": lambda w: {
        **_activity(w, "Opinions on custody bills"),
        "version": w.plan_activity.version,
    },
    "strategy:line_edit": _line_edit,
    "strategy:policy_version_create": lambda w: {
        "version": w.policy.version,
        "text": "Interview notes are kept in Habeas only, never on paper after the visit.",
        "effective_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "change_note": "Paper notes are no longer allowed.",
    },
    "strategy:policy_acknowledge": lambda w: {"number": 1},
    "strategy:policy_edit": lambda w: {
        "version": w.policy.version,
        "area": "data_protection",
        "title": "Data protection and confidentiality",
    },
    "strategy:training_entry_edit": lambda w: {
        "version": w.plan_entry.version,
        "status": "cancelled",
    },
}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {}


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    head, year = people["head"], _year()
    objective = services.objective_create(
        actor=head,
        code="SO1",
        title="Regular coverage of police custody",
        first_year=year - 1,
        last_year=year + 2,
    )
    activity = services.activity_create(
        actor=head, objective=objective, kind="visits", title="Police visits", year=year
    )
    line = services.line_create(
        actor=head, year=year, kind="visits", label="Travel", planned=4000, spent=1200
    )
    policy = services_people.policy_create(
        actor=head,
        area="data_protection",
        title="Data protection",
        text="Personal data of detainees is kept in Habeas only.",
        effective_on=timezone.localdate(),
    )
    training = Training.objects.order_by("position", "pk").first()
    assert training is not None, "the trainings are seeded by a migration"
    entry = TrainingPlanEntry.objects.create(
        year=year, user=people["doctor"], training=training, created_by=head
    )
    saved = SavedView.objects.create(
        owner=head, name="Health care in prisons", kind="heatmap", params={"theme": "health"}
    )
    world = {
        "objective": objective,
        "plan_activity": activity,
        "budget_line": line,
        "policy": policy,
        "plan_entry": entry,
        "saved_view": saved,
    }
    for record in world.values():
        record.refresh_from_db()
    return world, {}
