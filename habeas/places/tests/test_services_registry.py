"""Services that write regions and authorities."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places import services
from habeas.places.models import Authority, Region
from habeas.places.tests.factories import AuthorityFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_it_creates_a_region_inside_another_and_audits_it(personas):
    country = RegionFactory(name="Country")

    region = services.region_create(
        actor=personas["data_officer"], data={"name": "North", "code": "N", "parent": country}
    )

    assert region.parent == country
    assert AuditEvent.objects.filter(action="region.create", object_id=str(region.pk)).count() == 1


def test_it_lets_only_the_head_and_data_officer_change_regions(personas):
    for name in ("monitor", "doctor", "comms", "admin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.region_create(actor=personas[name], data={"name": name, "code": name})

    assert not Region.objects.exists()


def test_it_refuses_to_make_a_region_part_of_its_own_part(personas):
    top = RegionFactory()
    middle = RegionFactory(parent=top)
    bottom = RegionFactory(parent=middle)

    with pytest.raises(ValidationError) as caught:
        services.region_update(
            actor=personas["head"], region=top, data={"parent": bottom}, expected_version=1
        )

    assert "parent" in caught.value.message_dict
    top.refresh_from_db()
    assert top.parent is None


def test_it_refuses_a_duplicate_region_code(personas):
    RegionFactory(code="N")
    other = RegionFactory(code="S")

    with pytest.raises(ValidationError):
        services.region_update(
            actor=personas["head"], region=other, data={"code": "N"}, expected_version=1
        )


def test_it_refuses_a_stale_region_edit(personas):
    region = RegionFactory()
    services.region_update(
        actor=personas["head"], region=region, data={"name": "A"}, expected_version=1
    )

    with pytest.raises(StaleEdit):
        services.region_update(
            actor=personas["head"], region=region, data={"name": "B"}, expected_version=1
        )

    region.refresh_from_db()
    assert region.name == "A"


def test_it_creates_and_updates_an_authority(personas):
    authority = services.authority_create(
        actor=personas["data_officer"],
        data={"name": "Ministry of Justice", "kind": Authority.Kind.MINISTRY, "response_days": 60},
    )
    services.authority_update(
        actor=personas["head"],
        authority=authority,
        data={"response_days": 30},
        expected_version=1,
    )

    assert authority.response_days == 30 and authority.version == 2
    actions = AuditEvent.objects.filter(object_type="places.authority").values_list(
        "action", flat=True
    )
    assert list(actions) == ["authority.create", "authority.update"]


def test_it_refuses_an_authority_that_reports_to_itself(personas):
    authority = AuthorityFactory()

    with pytest.raises(ValidationError):
        services.authority_update(
            actor=personas["head"],
            authority=authority,
            data={"parent": authority},
            expected_version=1,
        )


def test_it_refuses_authority_changes_by_a_monitor(personas):
    authority = AuthorityFactory(name="Kept")

    with pytest.raises(PermissionDenied):
        services.authority_update(
            actor=personas["monitor"], authority=authority, data={"name": "X"}, expected_version=1
        )
