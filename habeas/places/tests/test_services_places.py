"""Services that write places: create, update with optimistic locking, close, reopen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places import services
from habeas.places.models import Place
from habeas.places.tests.factories import (
    AuthorityFactory,
    CategoryFactory,
    PlaceFactory,
    PopulationGroupFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def events(action: str, place: Place) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type="places.place", object_id=str(place.pk)
        )
    )


def place_data(**overrides):
    data = {
        "name": "Central Police Station",
        "category": CategoryFactory(code="police-custody"),
        "operator": Place.Operator.PUBLIC,
        "region": RegionFactory(),
        "authority": AuthorityFactory(),
        "capacity": 12,
        "official": True,
        "groups": [PopulationGroupFactory(code="women")],
    }
    return {**data, **overrides}


def test_it_creates_a_place_with_its_groups_and_audits_it(personas):
    place = services.place_create(actor=personas["monitor"], data=place_data())

    assert place.pk and place.version == 1
    assert [group.code for group in place.groups.all()] == ["women"]
    assert len(events("place.create", place)) == 1
    assert events("place.create", place)[0].actor == personas["monitor"]


def test_it_refuses_to_create_for_a_role_that_may_not_change_places(personas):
    with pytest.raises(PermissionDenied):
        services.place_create(actor=personas["comms"], data=place_data())

    assert not Place.objects.exists()
    assert not AuditEvent.objects.filter(action="place.create").exists()


def test_it_ignores_fields_a_caller_should_not_set(personas):
    data = place_data(version=99, status="closed", id=4242, created_at="2000-01-01")

    place = services.place_create(actor=personas["monitor"], data=data)

    assert place.version == 1 and place.status == Place.Status.OPEN and place.pk != 4242


def test_it_stores_an_empty_external_reference_as_none_so_many_places_may_lack_one(personas):
    first = services.place_create(actor=personas["monitor"], data=place_data(external_ref=""))
    second = services.place_create(actor=personas["monitor"], data=place_data(external_ref=""))

    assert first.external_ref is None and second.external_ref is None


def test_it_refuses_a_duplicate_external_reference(personas):
    PlaceFactory(external_ref="P-1")

    with pytest.raises(ValidationError) as caught:
        services.place_create(actor=personas["monitor"], data=place_data(external_ref="P-1"))

    assert "external_ref" in caught.value.message_dict


def test_it_updates_a_place_bumps_its_version_and_names_the_changed_fields(personas):
    place = PlaceFactory(capacity=100)

    updated = services.place_update(
        actor=personas["monitor"],
        place=place,
        data={"capacity": 150, "name": place.name, "category": CategoryFactory(code="juvenile")},
        expected_version=1,
    )

    assert updated.version == 2 and updated.capacity == 150
    assert updated.category.code == "juvenile"
    (event,) = events("place.update", place)
    assert sorted(event.detail["fields"]) == ["capacity", "category"]


def test_it_replaces_the_groups_held(personas):
    place = PlaceFactory(groups=["women"])

    services.place_update(
        actor=personas["monitor"],
        place=place,
        data={"groups": [PopulationGroupFactory(code="children")]},
        expected_version=1,
    )

    assert [group.code for group in place.groups.all()] == ["children"]
    assert events("place.update", place)[0].detail["fields"] == ["groups"]


def test_it_refuses_a_stale_edit_and_keeps_the_first_one(personas):
    place = PlaceFactory(name="Old name")
    first = Place.objects.get(pk=place.pk)
    second = Place.objects.get(pk=place.pk)
    services.place_update(
        actor=personas["monitor"], place=first, data={"name": "First"}, expected_version=1
    )

    with pytest.raises(StaleEdit) as caught:
        services.place_update(
            actor=personas["head"], place=second, data={"name": "Second"}, expected_version=1
        )

    assert caught.value.current_version == 2
    place.refresh_from_db()
    assert place.name == "First" and place.version == 2


def test_it_audits_both_edits_of_a_lost_update_race(personas):
    place = PlaceFactory()
    services.place_update(
        actor=personas["monitor"], place=place, data={"name": "A"}, expected_version=1
    )
    with pytest.raises(StaleEdit):
        services.place_update(
            actor=personas["head"], place=place, data={"name": "B"}, expected_version=1
        )

    assert [e.actor for e in events("place.update", place)] == [personas["monitor"]]
    (refused,) = events("place.update_stale", place)
    assert refused.actor == personas["head"]
    assert refused.detail == {"expected_version": 1, "current_version": 2}


def test_it_validates_an_edit_before_writing(personas):
    place = PlaceFactory(name="Kept")

    with pytest.raises(ValidationError):
        services.place_update(
            actor=personas["monitor"], place=place, data={"name": ""}, expected_version=1
        )

    place.refresh_from_db()
    assert place.name == "Kept" and place.version == 1


def test_it_refuses_an_update_by_a_role_that_may_only_read(personas):
    place = PlaceFactory(name="Kept")

    with pytest.raises(PermissionDenied):
        services.place_update(
            actor=personas["comms"], place=place, data={"name": "X"}, expected_version=1
        )

    place.refresh_from_db()
    assert place.name == "Kept"


def test_it_closes_and_reopens_a_place_with_one_audit_event_each(personas):
    place = PlaceFactory()

    services.place_close(actor=personas["monitor"], place=place, closed_on=dt.date(2024, 5, 1))
    assert place.status == Place.Status.CLOSED and place.closed_on == dt.date(2024, 5, 1)
    services.place_reopen(actor=personas["monitor"], place=place)

    assert place.status == Place.Status.OPEN and place.closed_on is None and place.version == 3
    assert len(events("place.close", place)) == 1 and len(events("place.reopen", place)) == 1


def test_it_refuses_to_close_a_place_twice(personas):
    place = PlaceFactory(status=Place.Status.CLOSED)

    with pytest.raises(ValidationError):
        services.place_close(actor=personas["monitor"], place=place, closed_on=dt.date(2024, 1, 1))


def test_it_refuses_to_close_for_a_reader(personas):
    place = PlaceFactory()

    with pytest.raises(PermissionDenied):
        services.place_close(actor=personas["doctor"], place=place, closed_on=dt.date(2024, 1, 1))

    place.refresh_from_db()
    assert place.status == Place.Status.OPEN
