"""Training needs and coverage (¶37) on a fixture counted by hand.

Two trainings made for the test, so the seeded catalogue does not interfere:
A ("hc-interview") is needed at places of the category "hand-count", B ("hc-kids") at
places holding the group "hc-children". P1 is of that category and holds that group (it
needs A and B); P2 is of another new category (it needs nothing).

    V1  P1  2025-03-10..12  head (lead), m1, d1, interpreter i1
    V2  P2  2025-06-01..02  head (lead), m2
    V3  P1  2024-05-01..03  head (lead), m3

    head: A 2024-01-01, B 2025-03-10 (the first day of V1: in time for V1, late for V3)
    m1:   A 2024-01-01, B 2025-04-01 (after V1: missing for V1)
    d1, i1, m2, m3: nothing

2025: people head, m1, d1, m2 (i1 is an interpreter) -> covered head, m2 -> (2, 4).
2024: head (B late), m3 (nothing) -> (0, 2). 2023: nobody -> (0, 0).
Needs on 2025-07-01 (visits ending on or after 2024-07-01: V1, V2): d1 lacks A and B.
"""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.places.tests.factories import CategoryFactory, PlaceFactory, PopulationGroupFactory
from habeas.strategy import training as training_module
from habeas.strategy.training import training_coverage, training_needs
from habeas.visits.models import TeamAssignment, Training, TrainingRecord
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 7, 1)


@pytest.fixture
def world(personas, make_user):
    head = personas["head"]
    people = {
        "head": head,
        "m1": make_user("monitor", "m1@npm.test", full_name="Monitor One"),
        "d1": make_user("doctor", "d1@npm.test", full_name="Doctor One"),
        "i1": make_user("comms", "i1@npm.test", full_name="Interpreter One"),
        "m2": make_user("monitor", "m2@npm.test", full_name="Monitor Two"),
        "m3": make_user("monitor", "m3@npm.test", full_name="Monitor Three"),
    }
    a = Training.objects.create(
        code="hc-interview", name="HC interviewing", needed_for=["hand-count"], position=100
    )
    b = Training.objects.create(
        code="hc-kids", name="HC children", needed_for=["hc-children"], position=101
    )
    group = PopulationGroupFactory(code="hc-children", name="children (test)")
    p1 = PlaceFactory(category=CategoryFactory(code="hand-count"), groups=[group])
    p2 = PlaceFactory(category=CategoryFactory(code="hand-count-other"))
    v1 = make_visit(head, p1, starts_on=dt.date(2025, 3, 10), ends_on=dt.date(2025, 3, 12))
    v2 = make_visit(head, p2, starts_on=dt.date(2025, 6, 1), ends_on=dt.date(2025, 6, 2))
    v3 = make_visit(head, p1, starts_on=dt.date(2024, 5, 1), ends_on=dt.date(2024, 5, 3))
    add_member(v1, people["m1"], head)
    add_member(v1, people["d1"], head)
    add_member(v1, people["i1"], head, role=TeamAssignment.Role.INTERPRETER)
    add_member(v2, people["m2"], head)
    add_member(v3, people["m3"], head)
    for who, training, on in [
        ("head", a, dt.date(2024, 1, 1)),
        ("head", b, dt.date(2025, 3, 10)),
        ("m1", a, dt.date(2024, 1, 1)),
        ("m1", b, dt.date(2025, 4, 1)),
    ]:
        TrainingRecord.objects.create(
            user=people[who], training=training, completed_on=on, recorded_by=head
        )
    return {"people": people, "a": a, "b": b, "v1": v1, "v2": v2, "v3": v3, **personas}


def test_coverage_counts_people_with_every_needed_training_by_the_first_day(world):
    assert training_coverage(2025) == (2, 4)
    assert training_coverage(2024) == (0, 2)
    assert training_coverage(2023) == (0, 0)


def test_coverage_counts_only_visits_started_by_today(world):
    # On 2025-05-31 V2 (1 June) has not started: its team (head, m2) is not yet counted
    # on its account; V1's people remain: head covered, m1 and d1 not -> (1, 3).
    assert training_coverage(2025, today=dt.date(2025, 5, 31)) == (1, 3)
    # On V2's first day it counts: (2, 4) as at the end of the year.
    assert training_coverage(2025, today=dt.date(2025, 6, 1)) == (2, 4)
    # Before V1 began nobody was on a team yet.
    assert training_coverage(2025, today=dt.date(2025, 3, 9)) == (0, 0)


def test_needs_still_include_upcoming_visits(world):
    # On 2025-03-01 V1 is still to come: d1's needs for it are listed all the same.
    needs = training_needs(world["head"], today=dt.date(2025, 3, 1))
    assert {(n.user.email, n.training.code) for n in needs if n.user.email == "d1@npm.test"} == {
        ("d1@npm.test", "hc-interview"),
        ("d1@npm.test", "hc-kids"),
    }
    # The reason dates the visit as the tables do (ISO), not in a locale's short form.
    d1 = [n for n in needs if n.user.email == "d1@npm.test"]
    assert all("(2025-03-10)" in n.reason for n in d1)


def test_coverage_rows_say_what_was_missing(world):
    rows = {row.user.email: row for row in training_module.coverage_by_person(2025)}
    assert set(rows) == {"head@npm.test", "m1@npm.test", "d1@npm.test", "m2@npm.test"}
    assert [(v.reference, t.code) for v, t in rows["m1@npm.test"].missing] == [
        (world["v1"].reference, "hc-kids")
    ]
    assert {t.code for _v, t in rows["d1@npm.test"].missing} == {"hc-interview", "hc-kids"}
    assert rows["m2@npm.test"].covered


def test_a_training_taken_later_covers_the_next_year(world):
    TrainingRecord.objects.create(
        user=world["people"]["m3"],
        training=world["a"],
        completed_on=dt.date(2024, 4, 30),
        recorded_by=world["head"],
    )
    TrainingRecord.objects.create(
        user=world["people"]["m3"],
        training=world["b"],
        completed_on=dt.date(2024, 5, 1),
        recorded_by=world["head"],
    )
    assert training_coverage(2024) == (1, 2)


def test_needs_for_a_manager_list_what_is_missing_and_why(world):
    needs = training_needs(world["head"], today=TODAY)
    assert [(n.user.email, n.training.code) for n in needs] == [
        ("d1@npm.test", "hc-interview"),
        ("d1@npm.test", "hc-kids"),
    ]
    kids = needs[1]
    assert world["v1"].reference in kids.reason
    assert "children (test)" in kids.reason
    assert "HC children" in kids.reason
    interview = needs[0]
    assert "“Hand count”" in interview.reason


def test_needs_window_drops_visits_older_than_twelve_months(world):
    # On 2024-06-01, V3 (May 2024) is within the window: m3 lacks A and B.
    needs = training_needs(world["head"], today=dt.date(2024, 6, 1))
    assert {(n.user.email, n.training.code) for n in needs} >= {
        ("m3@npm.test", "hc-interview"),
        ("m3@npm.test", "hc-kids"),
    }
    later = training_needs(world["head"], today=TODAY)
    assert not [n for n in later if n.user.email == "m3@npm.test"]


def test_a_member_sees_only_their_own_needs(world):
    d1 = world["people"]["d1"]
    assert {n.training.code for n in training_needs(d1, today=TODAY)} == {
        "hc-interview",
        "hc-kids",
    }
    assert {n.user.pk for n in training_needs(d1, today=TODAY)} == {d1.pk}
    # A doctor on no team has no need; a monitor manages training and sees d1's.
    assert training_needs(world["doctor"], today=TODAY) == []
    assert len(training_needs(world["people"]["m1"], today=TODAY)) == 2


def test_a_manager_without_access_to_visits_sees_no_needs(world):
    # The administrator manages training records but may not see visits: a need would
    # tell them who goes where.
    assert training_needs(world["admin"], today=TODAY) == []
    assert training_needs(world["outsider"], today=TODAY) == []
