"""The places, authorities and regions API: tokens, scopes, restrict, 409, mass assignment."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.accounts.models import ApiToken
from habeas.core.models import AuditEvent
from habeas.places.models import Authority, Place, Region
from habeas.places.tests.factories import (
    AuthorityFactory,
    CategoryFactory,
    PlaceFactory,
    PopulationRecordFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def api(user, scope: str = "read", *, expires_in=dt.timedelta(days=30), revoked=False) -> APIClient:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name="script",
        prefix=key[:8],
        key_hash=ApiToken.hash_key(key),
        scope=scope,
        expires_at=timezone.now() + expires_in,
        revoked_at=timezone.now() if revoked else None,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def new_place(**overrides) -> dict:
    CategoryFactory(code="police-custody")
    return {"name": "Harbour police station", "category": "police-custody", **overrides}


# Tokens -----------------------------------------------------------------------------


def test_it_lists_places_to_a_read_token_with_codes_and_ids(personas):
    region = RegionFactory()
    place = PlaceFactory(region=region, groups=["women", "children"], capacity=50)
    PopulationRecordFactory(place=place, population=60, recorded_on=dt.date(2024, 2, 1))

    response = api(personas["comms"]).get("/api/v1/places/")

    assert response.status_code == 200 and response.json()["count"] == 1
    (row,) = response.json()["results"]
    assert row["category"] == "prison-sentenced" and row["region"] == region.pk
    assert sorted(row["groups"]) == ["children", "women"]
    assert row["latest_population"] == 60 and row["latest_population_on"] == "2024-02-01"
    assert row["version"] == 1


@pytest.mark.parametrize("token", [{"expires_in": dt.timedelta(seconds=-1)}, {"revoked": True}])
def test_it_refuses_an_expired_or_revoked_token(personas, token):
    PlaceFactory()

    response = api(personas["head"], "write", **token).get("/api/v1/places/")

    assert response.status_code == 401


def test_it_refuses_an_unknown_token_and_no_token(db):
    bogus = APIClient()
    bogus.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")

    assert bogus.get("/api/v1/places/").status_code == 401
    assert APIClient().get("/api/v1/places/").status_code == 401


def test_it_refuses_writes_from_a_read_token_and_creates_nothing(personas):
    place = PlaceFactory(name="Kept")
    client = api(personas["head"], "read")

    created = client.post("/api/v1/places/", new_place(), format="json")
    patched = client.patch(
        f"/api/v1/places/{place.pk}/", {"name": "X", "version": 1}, format="json"
    )

    assert created.status_code == 403 and patched.status_code == 403
    assert list(Place.objects.values_list("name", flat=True)) == ["Kept"]
    assert not AuditEvent.objects.filter(action__startswith="place.").exists()


def test_it_shows_an_outsider_an_empty_list_and_404_for_any_place(personas):
    place = PlaceFactory()
    client = api(personas["outsider"], "write")

    listed = client.get("/api/v1/places/")
    hidden = client.get(f"/api/v1/places/{place.pk}/")
    missing = client.get(f"/api/v1/places/{place.pk + 1000}/")

    assert listed.status_code == 200 and listed.json()["results"] == []
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert client.post("/api/v1/places/", new_place(), format="json").status_code == 403
    assert client.get("/api/v1/authorities/").json()["results"] == []
    assert client.get("/api/v1/regions/").json()["results"] == []


def test_it_refuses_writes_by_a_role_that_may_only_read(personas):
    response = api(personas["comms"], "write").post("/api/v1/places/", new_place(), format="json")

    assert response.status_code == 403 and not Place.objects.exists()


# Reads ------------------------------------------------------------------------------


def test_it_applies_the_list_filters_from_query_parameters(personas):
    north = RegionFactory()
    district = RegionFactory(parent=north)
    PlaceFactory(name="In district", region=district, last_visit_on=None)
    PlaceFactory(name="Elsewhere", last_visit_on=dt.date(2025, 1, 1))
    client = api(personas["monitor"])

    by_region = client.get(f"/api/v1/places/?region={north.pk}").json()["results"]
    never = client.get("/api/v1/places/?visited=never").json()["results"]

    assert [row["name"] for row in by_region] == ["In district"]
    assert [row["name"] for row in never] == ["In district"]


def test_it_keeps_the_list_query_count_flat(personas):
    client = api(personas["monitor"])
    region, authority = RegionFactory(), AuthorityFactory()

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/places/").status_code == 200
        return len(captured)

    PlaceFactory.create_batch(3, region=region, authority=authority, groups=["women"])
    client.get("/api/v1/places/")  # the first use stamps the token's last use
    small = count_queries()
    PlaceFactory.create_batch(40, region=region, authority=authority, groups=["women", "children"])
    large = count_queries()

    assert large == small


def test_it_reads_one_place(personas):
    place = PlaceFactory(name="Central Prison")

    response = api(personas["doctor"]).get(f"/api/v1/places/{place.pk}/")

    assert response.status_code == 200 and response.json()["name"] == "Central Prison"


# Writes -----------------------------------------------------------------------------


def test_it_creates_a_place_through_the_service_ignoring_fields_it_does_not_take(personas):
    authority = AuthorityFactory()

    response = api(personas["monitor"], "write").post(
        "/api/v1/places/",
        new_place(
            authority=authority.pk,
            groups=["women"],
            id=777,
            version=40,
            status="closed",
            created_at="2001-01-01T00:00:00Z",
            owner="someone",
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    place = Place.objects.get()
    assert body["id"] == place.pk != 777
    assert place.version == 1 and place.status == Place.Status.OPEN
    assert place.authority == authority and [g.code for g in place.groups.all()] == ["women"]
    assert AuditEvent.objects.filter(action="place.create", object_id=str(place.pk)).count() == 1


def test_it_refuses_an_unknown_category_or_a_region_out_of_reach(personas):
    client = api(personas["monitor"], "write")

    unknown = client.post("/api/v1/places/", new_place(category="moon-base"), format="json")
    no_region = client.post("/api/v1/places/", new_place(region=99999), format="json")

    assert unknown.status_code == 400 and "category" in unknown.json()
    assert no_region.status_code == 400 and "region" in no_region.json()
    assert not Place.objects.exists()


def test_it_patches_a_place_from_its_current_version(personas):
    place = PlaceFactory(capacity=10)

    response = api(personas["monitor"], "write").patch(
        f"/api/v1/places/{place.pk}/", {"capacity": 25, "version": 1}, format="json"
    )

    assert response.status_code == 200 and response.json()["version"] == 2
    place.refresh_from_db()
    assert place.capacity == 25


def test_it_requires_the_version_on_patch(personas):
    place = PlaceFactory(capacity=10)

    response = api(personas["monitor"], "write").patch(
        f"/api/v1/places/{place.pk}/", {"capacity": 25}, format="json"
    )

    assert response.status_code == 400 and "version" in response.json()
    place.refresh_from_db()
    assert place.capacity == 10


def test_it_answers_409_to_a_stale_patch_and_audits_both(personas):
    place = PlaceFactory(name="Original")
    api(personas["head"], "write").patch(
        f"/api/v1/places/{place.pk}/", {"name": "Theirs", "version": 1}, format="json"
    )

    response = api(personas["monitor"], "write").patch(
        f"/api/v1/places/{place.pk}/", {"name": "Mine", "version": 1}, format="json"
    )

    assert response.status_code == 409 and response.json()["current_version"] == 2
    place.refresh_from_db()
    assert place.name == "Theirs"
    assert AuditEvent.objects.filter(action="place.update").count() == 1
    assert AuditEvent.objects.filter(action="place.update_stale").count() == 1


def test_it_offers_neither_put_nor_delete(personas):
    place = PlaceFactory()
    client = api(personas["head"], "write")

    assert client.delete(f"/api/v1/places/{place.pk}/").status_code in (403, 405)
    assert client.put(f"/api/v1/places/{place.pk}/", new_place(), format="json").status_code in (
        403,
        405,
    )
    assert Place.objects.filter(pk=place.pk).exists()


def test_it_creates_and_patches_authorities_and_regions_for_the_data_officer(personas):
    client = api(personas["data_officer"], "write")

    region = client.post("/api/v1/regions/", {"name": "North", "code": "N"}, format="json")
    authority = client.post(
        "/api/v1/authorities/",
        {"name": "Ministry", "kind": "ministry", "region": region.json()["id"]},
        format="json",
    )
    patched = client.patch(
        f"/api/v1/authorities/{authority.json()['id']}/",
        {"response_days": 45, "version": 1},
        format="json",
    )

    assert region.status_code == authority.status_code == 201
    assert patched.status_code == 200 and patched.json()["response_days"] == 45
    assert Authority.objects.get().region == Region.objects.get()


def test_it_forbids_a_monitor_to_create_an_authority(personas):
    response = api(personas["monitor"], "write").post(
        "/api/v1/authorities/", {"name": "Ministry", "kind": "ministry"}, format="json"
    )

    assert response.status_code == 403 and not Authority.objects.exists()


def test_it_searches_authorities_and_regions_by_name(personas):
    AuthorityFactory(name="Ministry of Justice")
    AuthorityFactory(name="Police Directorate")
    RegionFactory(name="North", code="N")
    RegionFactory(name="South", code="S")
    client = api(personas["comms"])

    authorities = client.get("/api/v1/authorities/?q=justice").json()["results"]
    regions = client.get("/api/v1/regions/?q=sou").json()["results"]

    assert [row["name"] for row in authorities] == ["Ministry of Justice"]
    assert [row["name"] for row in regions] == ["South"]


def test_it_describes_the_endpoints_in_the_openapi_schema(db):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert set(paths["/api/v1/places/"]) == {"get", "post"}
    assert set(paths["/api/v1/places/{id}/"]) == {"get", "patch"}
    assert "/api/v1/authorities/{id}/" in paths and "/api/v1/regions/" in paths
    patch = paths["/api/v1/places/{id}/"]["patch"]
    assert "409" in patch["responses"]
