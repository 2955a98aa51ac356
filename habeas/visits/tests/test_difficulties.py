"""Operational difficulties (¶31b)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.visits import services_field as field
from habeas.visits.models import Difficulty
from habeas.visits.tests.test_interviews_builders import field_world

pytestmark = pytest.mark.django_db


def _data(**extra):
    at = timezone.now() - dt.timedelta(hours=3)
    return {
        "kind": "access_delayed",
        "occurred_at": at,
        "duration_minutes": 95,
        "description": "Kept at the gate while the director was called.",
        "told_whom": "Director of the prison",
        "told_at": at + dt.timedelta(hours=1),
        **extra,
    }


def test_it_records_a_difficulty_with_who_was_told(personas):
    world = field_world(personas)
    made = field.difficulty_create(actor=world.monitor, visit=world.visit, data=_data())
    assert made.duration_minutes == 95 and made.told_whom == "Director of the prison"


def test_it_refuses_telling_before_it_happened_and_telling_nobody(personas):
    world = field_world(personas)
    at = timezone.now()
    with pytest.raises(ValidationError):
        field.difficulty_create(
            actor=world.monitor,
            visit=world.visit,
            data=_data(occurred_at=at, told_at=at - dt.timedelta(minutes=5)),
        )
    with pytest.raises(ValidationError):
        field.difficulty_create(actor=world.monitor, visit=world.visit, data=_data(told_whom=""))
    with pytest.raises(ValidationError):
        field.difficulty_create(actor=world.monitor, visit=world.visit, data=_data(kind="x"))
    assert not Difficulty.objects.exists()


def test_it_refuses_difficulties_from_off_the_team(personas):
    world = field_world(personas)
    with pytest.raises(PermissionDenied):
        field.difficulty_create(actor=personas["comms"], visit=world.visit, data=_data())
