"""The anonymity rule (¶25): each sensitive private interview needs its own cover of
further private interviews in the same unit, and a unit too small cannot hide anyone."""

from __future__ import annotations

import pytest

from habeas.visits import services_field as field
from habeas.visits.anonymity import anonymity_status
from habeas.visits.models import Interview
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db


def test_it_has_nothing_to_say_without_sensitive_interviews(personas):
    world = field_world(personas)
    interview(world, unit=world.unit("Wing A"))
    assert anonymity_status(world.visit) == []


def test_it_needs_three_more_private_interviews_in_the_same_unit(personas):
    world = field_world(personas)
    wing = world.unit("Wing A")
    interview(world, unit=wing, sensitive=True)
    interview(world, unit=wing)
    interview(world, unit=world.unit("Wing B"))  # another unit covers nothing
    interview(world, unit=wing, kind=Interview.Kind.GROUP)  # a group covers nothing
    [item] = anonymity_status(world.visit)
    assert not item.satisfied
    assert (item.private, item.required, item.missing) == (2, 4, 2)
    assert "2 more" in item.message
    interview(world, unit=wing)
    interview(world, unit=wing)
    [item] = anonymity_status(world.visit)
    assert item.satisfied, item.message


def test_it_gives_each_sensitive_interview_its_own_cover(personas):
    world = field_world(personas)
    wing = world.unit("Wing A")
    interview(world, unit=wing, sensitive=True)
    interview(world, unit=wing, sensitive=True)
    for _ in range(3):
        interview(world, unit=wing)
    [item] = anonymity_status(world.visit)
    assert not item.satisfied  # 5 private interviews, 8 needed
    assert item.required == 8
    for _ in range(3):
        interview(world, unit=wing)
    assert anonymity_status(world.visit)[0].satisfied


def test_it_follows_the_visits_own_cover(personas):
    world = field_world(personas, anonymity_cover=1)
    wing = world.unit("Wing A")
    interview(world, unit=wing, sensitive=True)
    interview(world, unit=wing)
    assert anonymity_status(world.visit)[0].satisfied


def test_it_says_plainly_when_a_unit_is_too_small_to_hide_a_source(personas):
    world = field_world(personas)
    wing = world.unit("Wing C")  # capacity 3, cover 3: four people needed
    interview(world, unit=wing, sensitive=True)
    for _ in range(3):
        interview(world, unit=wing)
    [item] = anonymity_status(world.visit)
    assert not item.satisfied and item.too_small
    assert item.message.startswith("Wing C held 3 people: a source cannot be hidden there")


def test_it_prefers_the_people_held_that_day_to_the_capacity(personas):
    world = field_world(personas)
    wing = world.unit("Wing A")  # capacity 40
    field.coverage_record(actor=world.monitor, visit=world.visit, unit=wing, seen=True, held=2)
    interview(world, unit=wing, sensitive=True)
    [item] = anonymity_status(world.visit)
    assert item.too_small and item.people == 2
    assert "Wing A held 2 people" in item.message


def test_it_says_when_the_cover_can_never_be_reached(personas):
    world = field_world(personas)
    wing = world.unit("Wing A")
    field.coverage_record(actor=world.monitor, visit=world.visit, unit=wing, seen=True, held=6)
    interview(world, unit=wing, sensitive=True)
    interview(world, unit=wing, sensitive=True)
    [item] = anonymity_status(world.visit)
    assert not item.too_small and not item.satisfied
    assert "held 6 people, fewer than the 8" in item.message


def test_it_counts_no_planned_follow_up_as_cover(personas):
    world = field_world(personas)
    wing = world.unit("Wing A")
    interview(world, unit=wing, sensitive=True)
    group = interview(world, unit=wing, kind=Interview.Kind.GROUP)
    for _ in range(3):
        field.interview_plan_follow_up(actor=world.monitor, interview=group)
    [item] = anonymity_status(world.visit)
    assert item.private == 1 and not item.satisfied


def test_it_cannot_check_a_sensitive_interview_without_a_unit(personas):
    world = field_world(personas)
    interview(world, sensitive=True)
    [item] = anonymity_status(world.visit)
    assert item.unit is None and not item.satisfied
    assert "record the unit" in item.message


def test_its_messages_name_no_pseudonym(personas):
    world = field_world(personas)
    interview(world, unit=world.unit("Wing A"), sensitive=True, pseudonym="Falcon")
    assert "Falcon" not in anonymity_status(world.visit)[0].message
