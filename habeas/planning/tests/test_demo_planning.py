"""The demo's visit programme (`planning.demo.load`): the quarter after today, capacity for
every region, built with the real solvers, justified, with teams and absences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from habeas.core.models import AuditEvent
from habeas.places.demo import DemoRefused, demo_load
from habeas.planning import demo
from habeas.planning.models import (
    Justification,
    PlannedVisit,
    ProfessionCapacity,
    Programme,
    RegionCapacity,
    TeamProposal,
    Unavailability,
)
from habeas.visits.demo import demo_load_visits

pytestmark = pytest.mark.django_db


@pytest.fixture
def country(db: Any) -> None:
    demo_load(scale="small", seed=1)
    demo_load_visits(scale="small", seed=1)


def test_the_next_quarter_follows_today():
    assert demo.next_quarter(dt.date(2026, 11, 29)) == "2027-Q1"
    assert demo.next_quarter(dt.date(2027, 2, 1)) == "2027-Q2"


def test_it_loads_a_built_programme_with_teams(country):
    summary = demo.load(scale="small", seed=1, today=dt.date(2026, 11, 29))

    programme = Programme.objects.get()
    assert programme.period == "2027-Q1" and programme.status == Programme.Status.BUILT
    assert RegionCapacity.objects.filter(programme=programme, staff_days__gt=0).count() >= 8
    assert ProfessionCapacity.objects.filter(programme=programme, profession="doctor").exists()
    visits = PlannedVisit.objects.filter(programme=programme).count()
    assert summary.visits == visits > 0
    assert TeamProposal.objects.count() == summary.proposals == visits
    assert Unavailability.objects.count() == summary.unavailabilities > 0
    assert Justification.objects.count() == summary.justified
    assert "Planning: the programme for 2027-Q1" in summary.describe()
    assert AuditEvent.objects.filter(action="planning.programme_solve").exists()


def test_it_loads_only_once(country):
    demo.load(scale="small", seed=1)

    with pytest.raises(DemoRefused):
        demo.load(scale="small", seed=1)
