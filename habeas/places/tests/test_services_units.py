"""Services for a place's units and its population series."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places import services
from habeas.places.models import PopulationRecord, Unit
from habeas.places.tests.factories import PlaceFactory, PopulationRecordFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_it_adds_a_unit_and_audits_it(personas):
    place = PlaceFactory()

    unit = services.unit_create(
        actor=personas["monitor"], place=place, data={"name": "Wing A", "capacity": 30}
    )

    assert unit.place == place and unit.active
    event = AuditEvent.objects.get(action="unit.create")
    assert event.object_id == str(unit.pk) and event.detail == {"place": place.pk}


def test_it_refuses_two_units_with_the_same_name_in_one_place(personas):
    place = PlaceFactory()
    UnitFactory(place=place, name="Wing A")

    with pytest.raises(ValidationError) as caught:
        services.unit_create(actor=personas["monitor"], place=place, data={"name": "Wing A"})

    assert "name" in caught.value.message_dict
    assert Unit.objects.filter(place=place).count() == 1


def test_it_allows_the_same_unit_name_in_another_place(personas):
    UnitFactory(name="Wing A")

    unit = services.unit_create(
        actor=personas["monitor"], place=PlaceFactory(), data={"name": "Wing A"}
    )

    assert unit.pk


def test_it_renames_a_unit_and_refuses_a_stale_rename(personas):
    unit = UnitFactory(name="Wing A")
    services.unit_update(
        actor=personas["monitor"], unit=unit, data={"name": "Wing B"}, expected_version=1
    )

    with pytest.raises(StaleEdit):
        services.unit_update(
            actor=personas["head"], unit=unit, data={"name": "Wing C"}, expected_version=1
        )

    unit.refresh_from_db()
    assert unit.name == "Wing B"
    assert AuditEvent.objects.filter(action="unit.update_stale").count() == 1


def test_it_keeps_a_deactivated_unit_for_the_record(personas):
    unit = UnitFactory()

    services.unit_deactivate(actor=personas["monitor"], unit=unit)

    assert Unit.objects.filter(pk=unit.pk, active=False).exists()
    assert AuditEvent.objects.filter(action="unit.deactivate", object_id=str(unit.pk)).exists()


def test_it_refuses_unit_changes_by_a_doctor(personas):
    with pytest.raises(PermissionDenied):
        services.unit_create(actor=personas["doctor"], place=PlaceFactory(), data={"name": "X"})


def test_it_adds_a_dated_population_count(personas):
    place = PlaceFactory()

    record = services.population_record_add(
        actor=personas["monitor"],
        place=place,
        recorded_on=dt.date(2024, 3, 1),
        population=120,
        source="Monthly return",
    )

    assert list(place.population.values_list("population", flat=True)) == [120]
    assert AuditEvent.objects.filter(
        action="population_record.add", object_id=str(record.pk)
    ).exists()


def test_it_refuses_a_second_count_on_the_same_day(personas):
    place = PlaceFactory()
    PopulationRecordFactory(place=place, recorded_on=dt.date(2024, 3, 1), population=100)

    with pytest.raises(ValidationError):
        services.population_record_add(
            actor=personas["monitor"], place=place, recorded_on=dt.date(2024, 3, 1), population=90
        )

    assert PopulationRecord.objects.get(place=place).population == 100


def test_it_refuses_a_count_dated_in_the_future(personas):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ValidationError):
        services.population_record_add(
            actor=personas["monitor"], place=PlaceFactory(), recorded_on=tomorrow, population=1
        )
