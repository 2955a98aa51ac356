"""Figures from the visits, counted by hand (¶11, 14, 16, 24, 25).

Visits of 2024 (the period), each at its own place:

    visit  state       kind       team (interpreters aside)        debrief  units seen
    V1     closed      in-depth   woman lawyer, man doctor         yes      2 of 2
    V2     debriefed   follow-up  man lawyer, man nurse            yes      1 of 2, 1 explained
    V3     in progress in-depth   woman lawyer (+ man interpreter) no       1 of 2
    V4     planned     in-depth   woman lawyer, man doctor         —        (not held)
    V5     closed 2023 in-depth   woman lawyer, man lawyer         yes      (before the period)

Held in the period: V1, V2, V3.
Mixed-gender team: V1 → 1 of 3 = 33.33 % (V3's interpreter does not count).
Medical member: V1 (doctor), V2 (nurse) → 66.67 %.
Debriefing: V1, V2 → 66.67 %. Unit coverage: V1, V2 complete, V3 has a gap → 66.67 %.
Follow-up visits: V2 → 1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from habeas.assessment import framework_io
from habeas.assessment.indicators import indicator_values
from habeas.assessment.models import FrameworkVersion
from habeas.assessment.tests.factories import AssessmentFactory
from habeas.places.tests.factories import PlaceFactory, UnitFactory
from habeas.visits.models import (
    Debrief,
    Interview,
    TeamAssignment,
    TeamProfile,
    UnitCoverage,
    Visit,
)

W, M = TeamProfile.Gender.WOMAN, TeamProfile.Gender.MAN
LAWYER, DOCTOR, NURSE = "lawyer", "doctor", "nurse"


@pytest.fixture
def people(make_user):
    def person(gender: str, profession: str):
        user = make_user("monitor")
        TeamProfile.objects.create(user=user, gender=gender, profession=profession)
        return user

    return person


def make_visit(lead, day, state=Visit.State.CLOSED, kind=Visit.Kind.IN_DEPTH, units=0):
    place = PlaceFactory()
    for n in range(units):
        UnitFactory(place=place, name=f"Wing {n}")
    return Visit.objects.create(
        reference=f"V-{place.pk}",
        place=place,
        kind=kind,
        starts_on=day,
        ends_on=day,
        lead=lead,
        created_by=lead,
        state=state,
    )


def team(visit, *members, interpreter=None):
    for user in members:
        TeamAssignment.objects.create(visit=visit, user=user, assigned_by=visit.lead)
    if interpreter is not None:
        TeamAssignment.objects.create(
            visit=visit,
            user=interpreter,
            role=TeamAssignment.Role.INTERPRETER,
            assigned_by=visit.lead,
        )


def debrief(visit):
    Debrief.objects.create(
        visit=visit,
        held_at=timezone.now(),
        participants="Director",
        main_concerns="Overcrowding",
        recorded_by=visit.lead,
    )


def cover(visit, seen: int, explained: int = 0):
    units = list(visit.place.units.order_by("name"))
    for unit in units[:seen]:
        UnitCoverage.objects.create(visit=visit, unit=unit, seen=True, recorded_by=visit.lead)
    for unit in units[seen : seen + explained]:
        UnitCoverage.objects.create(
            visit=visit, unit=unit, seen=False, reason="Closed for works", recorded_by=visit.lead
        )


@pytest.fixture
def spt(db):
    return FrameworkVersion.objects.get(framework__code=framework_io.SPT_CODE)


@pytest.fixture
def world(personas, people, spt):
    head = personas["head"]
    v1 = make_visit(head, dt.date(2024, 2, 1), units=2)
    team(v1, people(W, LAWYER), people(M, DOCTOR))
    debrief(v1)
    cover(v1, seen=2)
    v2 = make_visit(head, dt.date(2024, 5, 1), Visit.State.DEBRIEFED, Visit.Kind.FOLLOW_UP, 2)
    team(v2, people(M, LAWYER), people(M, NURSE))
    debrief(v2)
    cover(v2, seen=1, explained=1)
    v3 = make_visit(head, dt.date(2024, 11, 3), Visit.State.IN_PROGRESS, units=2)
    team(v3, people(W, LAWYER), interpreter=people(M, LAWYER))
    cover(v3, seen=1)
    v4 = make_visit(head, dt.date(2024, 12, 1), Visit.State.PLANNED, units=1)
    team(v4, people(W, LAWYER), people(M, DOCTOR))
    v5 = make_visit(head, dt.date(2023, 6, 1), units=1)
    team(v5, people(W, LAWYER), people(M, LAWYER))
    debrief(v5)
    return {"v1": v1, "v2": v2, "v3": v3, "assessment": AssessmentFactory(framework_version=spt)}


def value(assessment, key: str) -> Decimal | None:
    return next(r.value for r in indicator_values(assessment=assessment) if r.slot.key == key)


def test_it_counts_the_teams_gender_balance_and_medical_expertise(world):
    assessment = world["assessment"]
    assert value(assessment, "visits-with-balanced-team") == Decimal("33.33")
    assert value(assessment, "visits-with-medical-member") == Decimal("66.67")


def test_it_counts_debriefings_units_covered_and_follow_up_visits(world):
    assessment = world["assessment"]
    assert value(assessment, "visits-with-debriefing") == Decimal("66.67")
    assert value(assessment, "visits-with-all-units-covered") == Decimal("66.67")
    assert value(assessment, "follow-up-visits") == Decimal(1)


def test_it_checks_the_anonymity_rule_on_visits_with_a_sensitive_interview(world, personas):
    """V1: 1 sensitive + 3 cover interviews in Wing 0 (rule met). V2: 1 sensitive + 1
    other in Wing 0 (needs 4). V3: none sensitive, left out. → 1 of 2 = 50 %."""
    assessment = world["assessment"]
    assert value(assessment, "visits-anonymity-rule-met") is None  # no sensitive interview

    def interviews(visit, sensitive: int, others: int):
        unit = visit.place.units.order_by("name").first()
        for n in range(sensitive + others):
            Interview.objects.create(
                visit=visit,
                kind=Interview.Kind.PRIVATE,
                unit=unit,
                pseudonym=f"P{visit.pk}-{n}",
                held_at=timezone.now(),
                interviewer=personas["head"],
                sensitive=n < sensitive,
            )

    interviews(world["v1"], sensitive=1, others=3)
    interviews(world["v2"], sensitive=1, others=1)
    interviews(world["v3"], sensitive=0, others=2)
    assert value(assessment, "visits-anonymity-rule-met") == Decimal("50.00")


def test_with_no_visit_held_the_shares_are_no_data_and_the_counts_zero(personas, spt):
    make_visit(personas["head"], dt.date(2024, 3, 1), Visit.State.PLANNED)
    assessment = AssessmentFactory(framework_version=spt)
    for key in ("visits-with-balanced-team", "visits-with-debriefing",
                "visits-with-all-units-covered", "visits-with-medical-member"):  # fmt: skip
        assert value(assessment, key) is None
    assert value(assessment, "follow-up-visits") == Decimal(0)
