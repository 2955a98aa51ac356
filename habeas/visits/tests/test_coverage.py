"""Unit coverage (¶14): every unit in use seen, or a reason given."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import UnitFactory
from habeas.visits import services_field as field
from habeas.visits.coverage import coverage_gaps, coverage_rows, held_in_unit
from habeas.visits.tests.test_interviews_builders import field_world

pytestmark = pytest.mark.django_db


def test_it_lists_every_unit_in_use_as_a_gap_until_recorded(personas):
    world = field_world(personas)
    UnitFactory(place=world.place, name="Old wing", active=False)
    assert [u.name for u in coverage_gaps(world.visit)] == ["Wing A", "Wing B", "Wing C"]


def test_it_closes_a_gap_when_a_unit_is_seen_or_explained(personas):
    world = field_world(personas)
    field.coverage_record(
        actor=world.monitor, visit=world.visit, unit=world.unit("Wing A"), seen=True, held=31
    )
    field.coverage_record(
        actor=world.monitor,
        visit=world.visit,
        unit=world.unit("Wing B"),
        seen=False,
        reason="Closed for renovation",
    )
    assert [u.name for u in coverage_gaps(world.visit)] == ["Wing C"]
    assert held_in_unit(world.visit, world.unit("Wing A")) == 31
    assert held_in_unit(world.visit, world.unit("Wing C")) == 3  # its capacity


def test_it_refuses_a_unit_not_seen_without_a_reason(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError) as refused:
        field.coverage_record(
            actor=world.monitor, visit=world.visit, unit=world.unit("Wing A"), seen=False
        )
    assert "reason" in refused.value.message_dict
    assert len(coverage_gaps(world.visit)) == 3


def test_it_refuses_a_unit_of_another_place(personas):
    world = field_world(personas)
    elsewhere = UnitFactory()
    with pytest.raises(ValidationError):
        field.coverage_record(actor=world.monitor, visit=world.visit, unit=elsewhere, seen=True)


def test_it_clears_the_reason_once_the_unit_is_seen_and_audits_each_record(personas):
    world = field_world(personas)
    wing = world.unit("Wing A")
    field.coverage_record(actor=world.monitor, visit=world.visit, unit=wing, seen=False, reason="x")
    field.coverage_record(actor=world.monitor, visit=world.visit, unit=wing, seen=True, held=4)
    row = next(r for r in coverage_rows(world.visit) if r.unit == wing)
    assert row.seen and row.record and row.record.reason == ""
    assert AuditEvent.objects.filter(action="visits.coverage.record").count() == 2


@pytest.mark.parametrize("who", ["doctor", "comms", "outsider"])
def test_it_refuses_coverage_from_someone_who_may_not_change_the_visit(personas, who):
    world = field_world(personas)
    with pytest.raises(PermissionDenied):
        field.coverage_record(
            actor=personas[who], visit=world.visit, unit=world.unit("Wing A"), seen=True
        )
