"""Register checks (¶14): the sample, what was verified and sealed discrepancies."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.models import AuditEvent
from habeas.visits import services_field as field
from habeas.visits.models import RegisterCheck
from habeas.visits.tests.test_interviews_builders import field_world

pytestmark = pytest.mark.django_db

DISCREPANCY = "An injury in the medical log of 3 March is missing from the custody record."


def _check(world, actor=None, **data):
    values = {
        "kind": "custody",
        "unit": world.unit("Wing A").pk,
        "sample": "Arrivals of the last 30 days",
        "entries_checked": 40,
        "verified": "Time of arrival, lawyer notified, medical examination",
        "discrepancies_found": 2,
        "discrepancies": DISCREPANCY + " 4 h 10 min between arrival and lawyer notification.",
        **data,
    }
    return field.register_check_create(actor=actor or world.monitor, visit=world.visit, data=values)


def test_it_records_a_check_with_sealed_discrepancies(personas):
    world = field_world(personas)
    check = _check(world)
    raw = bytes(RegisterCheck.objects.values_list("discrepancies", flat=True).get(pk=check.pk))
    assert b"injury" not in raw
    assert field.register_check_open(actor=world.monitor, check=check).startswith(DISCREPANCY)
    assert AuditEvent.objects.filter(action="visits.register_check.read").count() == 1


def test_it_requires_a_description_when_discrepancies_were_found(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError) as refused:
        _check(world, discrepancies="")
    assert "discrepancies" in refused.value.message_dict
    assert not RegisterCheck.objects.exists()


def test_it_requires_the_sample_and_a_known_register(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError):
        _check(world, sample=" ")
    with pytest.raises(ValidationError):
        _check(world, kind="diary")


@pytest.mark.parametrize("who", ["doctor", "comms", "outsider"])
def test_it_keeps_register_checks_to_the_team(personas, who):
    world = field_world(personas)
    check = _check(world)
    with pytest.raises(PermissionDenied):
        _check(world, actor=personas[who])
    with pytest.raises(PermissionDenied):
        field.register_check_open(actor=personas[who], check=check)


def test_it_updates_a_check(personas):
    world = field_world(personas)
    check = _check(world)
    field.register_check_update(
        actor=world.monitor,
        check=check,
        data={"discrepancies_found": 0, "discrepancies": "", "visit": None},
    )
    check.refresh_from_db()
    assert check.discrepancies_found == 0 and check.visit == world.visit
