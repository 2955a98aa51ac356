"""The allegations register's API (¶27): `/api/v1/register-entries/` and
`/api/v1/register-statistics/`, role by role; filters, 409, the order of the steps, and
the case link that only grantees see."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.accounts.models import ApiToken
from habeas.cases import services_register as services
from habeas.cases.models import RegisterEntry
from habeas.cases.tests.factories import make_case
from habeas.cases.tests.test_register_selectors import register_world
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db
ENTRIES = "/api/v1/register-entries/"
STATISTICS = "/api/v1/register-statistics/"


def api(user, scope: str = ApiToken.Scope.WRITE) -> APIClient:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name="script",
        prefix=key[:8],
        key_hash=ApiToken.hash_key(key),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def world(personas):
    return register_world(personas["head"])


# Reading -----------------------------------------------------------------------------------


def test_it_lists_entries_with_filters_and_durations(personas, world):
    response = api(personas["doctor"], ApiToken.Scope.READ).get(
        ENTRIES, {"agency": world.prisons.pk}
    )

    assert response.status_code == 200 and response.json()["count"] == 2
    cruel = next(
        row for row in response.json()["results"] if row["reference"] == world.entries[5].reference
    )
    assert cruel["agency"] == world.prisons.pk
    assert cruel["category"] == "police-custody" and cruel["region"] == world.south.pk
    assert (cruel["prosecution_days"], cruel["decision_days"]) == (9, 6)
    assert cruel["complaint_to_decision_days"] == 15
    assert cruel["investigation_days"] is None and cruel["classification"] == "cruel"


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"year": 2024}, 3),
        ({"category": "prison-sentenced"}, 3),
        ({"outcome": "convicted"}, 3),
        ({"classification": "torture"}, 1),
        ({"stage": "decided"}, 5),
        ({"region": "-1"}, 7),  # refused filters are ignored
    ],
)
def test_it_filters_as_the_list_page_does(personas, world, query, count):
    assert api(personas["head"]).get(ENTRIES, query).json()["count"] == count


@pytest.mark.parametrize("who", ["comms", "outsider", "admin", "auditor"])
def test_others_get_an_empty_list_and_404_for_every_entry(personas, world, who):
    client = api(personas[who])
    entry = world.entries[0]

    listing = client.get(ENTRIES)
    real = client.get(f"{ENTRIES}{entry.pk}/")
    missing = client.get(f"{ENTRIES}987654/")

    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert real.status_code == missing.status_code == 404
    assert real.content == missing.content


# Writing --------------------------------------------------------------------------------------


def test_it_creates_an_entry_with_the_place_defaults(personas):
    place = PlaceFactory()

    response = api(personas["monitor"]).post(
        ENTRIES,
        {
            "place": place.pk,
            "agency": place.authority_id,
            "complaint_on": "2024-01-01",
            "classification": "abuse_of_office",
            "reference": "R-1900-0001",
            "created_by": personas["head"].pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    entry = RegisterEntry.objects.get()
    assert body["reference"] == entry.reference != "R-1900-0001"
    assert entry.created_by == personas["monitor"]
    assert (body["category"], body["region"]) == (place.category.code, place.region_id)


def test_it_refuses_steps_out_of_order_with_the_reason(personas):
    response = api(personas["monitor"]).post(
        ENTRIES, {"complaint_on": "2024-05-01", "investigation_on": "2024-04-01"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "investigation_on": ["The investigation cannot come before the complaint (2024-05-01)."]
    }
    assert not RegisterEntry.objects.exists()


@pytest.mark.parametrize("who", ["doctor", "comms", "outsider"])
def test_it_refuses_writes_by_those_who_may_not_change(personas, world, who):
    client = api(personas[who])
    entry = world.entries[0]
    before = AuditEvent.objects.count()

    created = client.post(ENTRIES, {"complaint_on": "2024-01-01"}, format="json")
    patched = client.patch(
        f"{ENTRIES}{entry.pk}/", {"legislation_ref": "x", "version": 1}, format="json"
    )

    assert created.status_code == patched.status_code == 403
    assert RegisterEntry.objects.count() == 7 and AuditEvent.objects.count() == before


def test_a_read_token_cannot_write(personas):
    response = api(personas["head"], ApiToken.Scope.READ).post(ENTRIES, {}, format="json")

    assert response.status_code == 403


def test_a_patch_needs_the_version_and_a_stale_one_gets_409(personas, world):
    client = api(personas["data_officer"])
    url = f"{ENTRIES}{world.entries[3].pk}/"

    missing = client.patch(url, {"outcome": "discontinued"}, format="json")
    done = client.patch(url, {"outcome": "discontinued", "version": 1}, format="json")
    stale = client.patch(url, {"outcome": "acquitted", "version": 1}, format="json")

    assert missing.status_code == 400 and "version" in missing.json()
    assert done.status_code == 200 and done.json()["version"] == 2
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    world.entries[3].refresh_from_db()
    assert world.entries[3].outcome == "discontinued"


def test_a_patch_checks_the_order_against_what_is_recorded(personas, world):
    entry = world.entries[0]  # complaint on 1 January 2024

    response = api(personas["head"]).patch(
        f"{ENTRIES}{entry.pk}/", {"decision_on": "2023-12-01", "version": 1}, format="json"
    )

    assert response.status_code == 400 and "decision_on" in response.json()


# The case link ---------------------------------------------------------------------------------


def test_the_case_is_shown_only_to_its_grantees(personas):
    case = make_case(personas["head"])
    entry = services.register_entry_create(actor=personas["head"], data={"case": case})

    granted = api(personas["head"]).get(f"{ENTRIES}{entry.pk}/")
    other = api(personas["monitor"]).get(f"{ENTRIES}{entry.pk}/")
    listed = api(personas["monitor"]).get(ENTRIES)

    assert granted.json()["case"] == str(case.pk)
    assert other.json()["case"] is None
    assert str(case.pk) not in other.content.decode() + listed.content.decode()
    assert case.reference not in other.content.decode() + listed.content.decode()


def test_it_refuses_a_link_to_a_case_the_user_cannot_see(personas):
    hidden = make_case(personas["doctor"])
    mine = make_case(personas["monitor"])
    client = api(personas["monitor"])

    refused = client.post(ENTRIES, {"case": str(hidden.pk)}, format="json")
    accepted = client.post(ENTRIES, {"case": str(mine.pk)}, format="json")

    assert refused.status_code == 400 and "case" in refused.json()
    assert accepted.status_code == 201 and accepted.json()["case"] == str(mine.pk)


def test_a_patch_by_someone_not_granted_keeps_the_link(personas):
    case = make_case(personas["head"])
    entry = services.register_entry_create(actor=personas["head"], data={"case": case})

    response = api(personas["monitor"]).patch(
        f"{ENTRIES}{entry.pk}/", {"case": None, "version": 1}, format="json"
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.case == case


# Statistics ---------------------------------------------------------------------------------------


def test_it_gives_the_statistics_by_group(personas, world):
    response = api(personas["comms"], ApiToken.Scope.READ).get(STATISTICS, {"group": "year"})

    assert response.status_code == 200
    body = response.json()
    assert (body["group"], body["count"]) == ("year", 3)
    first = body["results"][0]
    assert (first["key"], first["complaints"], first["median_days"]) == ("2024", 3, 60.0)
    assert body["results"][2]["key"] is None
    assert body["total"]["complaints"] == 7 and body["total"]["torture_share"] == 25.0


def test_the_statistics_group_by_agency_by_default_and_take_a_year(personas, world):
    body = api(personas["head"]).get(STATISTICS, {"year": 2025}).json()

    assert body["group"] == "agency"
    assert [(row["label"], row["complaints"]) for row in body["results"]] == [
        ("National police", 1),
        ("Prison service", 2),
    ]


def test_it_refuses_an_unknown_grouping(personas):
    response = api(personas["head"]).get(STATISTICS, {"group": "victim"})

    assert response.status_code == 400 and "group" in response.json()


@pytest.mark.parametrize("who", ["outsider", "admin", "auditor"])
def test_others_get_statistics_of_nothing(personas, world, who):
    body = api(personas[who]).get(STATISTICS).json()

    assert (body["count"], body["results"], body["total"]["complaints"]) == (0, [], 0)


def test_the_schema_describes_both_endpoints(db):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert set(paths[ENTRIES]) == {"get", "post"}
    assert set(paths[f"{ENTRIES}{{id}}/"]) == {"get", "patch"}
    assert "409" in paths[f"{ENTRIES}{{id}}/"]["patch"]["responses"]
    assert set(paths[STATISTICS]) == {"get"}
    statistics = paths[STATISTICS]["get"]["responses"]["200"]["content"]["application/json"]
    assert statistics["schema"] == {"$ref": "#/components/schemas/RegisterStatistics"}
