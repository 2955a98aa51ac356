"""`/api/v1/watches/`: list, audited retrieve, create, PATCH with its version (409)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from habeas.cases import services, services_watches
from habeas.cases.models import ReprisalWatch
from habeas.cases.tests.factories import grant, make_case, make_watch
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

TODAY = services.today()
LIST = "/api/v1/watches/"
PSEUDONYM = "Canary Pseudonym Plover"
IDENTITY = "Canary Identity Bertil Saar"
RISK = "Canary risk detail"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def one(watch) -> str:
    return f"{LIST}{watch.pk}/"


@pytest.fixture
def watch(personas):
    """Led by the head; the expert is granted without the identity flag."""
    watch = make_watch(personas["head"], pseudonym=PSEUDONYM, identity=IDENTITY, risk_detail=RISK)
    grant(personas["head"], watch, personas["expert"], identity=False)
    services_watches.check_schedule(
        actor=personas["head"], watch=watch, kind="phone", due_on=TODAY - dt.timedelta(days=1)
    )
    return watch


def test_it_lists_only_granted_watches_without_sealed_values(personas, watch):
    make_watch(personas["doctor"], pseudonym="Canary Hidden")
    body = api(personas["expert"]).get(LIST).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["pseudonym"], row["overdue"]) == (str(watch.pk), PSEUDONYM, True)
    assert "identity" not in row and "risk_detail" not in row
    assert "Canary Hidden" not in str(body)
    assert not AuditEvent.objects.filter(action="cases.watch.read").exists()


@pytest.mark.parametrize("who", ["outsider", "comms", "admin", "head_not_granted"])
def test_it_shows_nothing_to_anyone_not_granted(personas, make_user, watch, who):
    user = make_user("head") if who == "head_not_granted" else personas[who]
    client = api(user)
    assert client.get(LIST).json()["count"] == 0
    missing = f"{LIST}{uuid.uuid4()}/"
    hidden, absent = client.get(one(watch)), client.get(missing)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.content == absent.content
    patch = client.patch(one(watch), {"version": 1, "pseudonym": "x"}, format="json")
    assert patch.status_code == 404
    assert PSEUDONYM not in hidden.content.decode() + patch.content.decode()
    watch.refresh_from_db()
    assert watch.pseudonym == PSEUDONYM and watch.version == 1


def test_it_audits_a_read_and_gives_the_identity_only_with_the_flag(personas, watch):
    lead = api(personas["head"]).get(one(watch)).json()
    expert = api(personas["expert"]).get(one(watch)).json()
    assert lead["identity"] == IDENTITY
    assert expert["identity"] is None
    assert IDENTITY not in str(expert)
    assert lead["risk_detail"] == expert["risk_detail"] == RISK
    assert [t["to_place"] for t in lead["transfers"]] == [watch.place_id]
    assert [(c["kind"], c["overdue"]) for c in lead["checks"]] == [("phone", True)]
    reads = AuditEvent.objects.filter(action="cases.watch.read", object_id=str(watch.pk))
    assert reads.count() == 2


def test_it_creates_a_watch_ignoring_fields_it_does_not_take(personas):
    monitor = personas["monitor"]
    place = PlaceFactory()
    response = api(monitor).post(
        LIST,
        {
            "pseudonym": "Canary Lapwing",
            "identity": IDENTITY,
            "source_kind": "group_interview",
            "risk_source": "detainees",
            "feared": ["assault", "threats"],
            "place": place.pk,
            "lead": personas["head"].pk,  # not taken: the creator leads
            "reference": "W-1999-9999",
            "status": "closed",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    watch = ReprisalWatch.objects.get(pk=response.json()["id"])
    assert watch.lead == monitor and watch.status == "active"
    assert watch.reference != "W-1999-9999"
    assert sorted(watch.feared) == ["assault", "threats"]
    assert response.json()["identity"] == IDENTITY


def test_it_refuses_creation_to_a_role_that_may_not(personas):
    response = api(personas["data_officer"]).post(
        LIST,
        {"pseudonym": "x", "source_kind": "other", "risk_source": "staff", "place": 1},
        format="json",
    )
    assert response.status_code == 403
    assert not ReprisalWatch.objects.exists()


def test_it_refuses_a_link_to_a_case_the_user_cannot_see(personas):
    hidden = make_case(personas["doctor"])
    response = api(personas["head"]).post(
        LIST,
        {
            "pseudonym": "x",
            "source_kind": "case",
            "risk_source": "staff",
            "place": PlaceFactory().pk,
            "source_case": str(hidden.pk),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "source_case" in response.json()
    assert not ReprisalWatch.objects.exists()


def test_it_patches_with_the_version_and_refuses_a_stale_one(personas, watch):
    client = api(personas["expert"])
    response = client.patch(one(watch), {"version": 1, "ngos": "Prison Watch"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["ngos"] == "Prison Watch"
    assert response.json()["version"] == 2

    stale = client.patch(one(watch), {"version": 1, "ngos": "Lost"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    watch.refresh_from_db()
    assert watch.ngos == "Prison Watch"


def test_it_ignores_an_identity_from_someone_without_the_flag(personas, watch):
    response = api(personas["expert"]).patch(
        one(watch), {"version": 1, "identity": "Overwritten"}, format="json"
    )
    assert response.status_code == 200
    watch.refresh_from_db()
    assert watch.unseal("identity") == IDENTITY


def test_it_wants_the_version(personas, watch):
    response = api(personas["head"]).patch(one(watch), {"ngos": "x"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_it_describes_the_watches_in_the_schema(personas):
    schema = api(personas["head"]).get("/api/schema/?format=json").json()
    assert "/api/v1/watches/{id}/" in schema["paths"]
    operations = schema["paths"]["/api/v1/watches/{id}/"]
    assert set(operations) >= {"get", "patch"}
    assert "409" in operations["patch"]["responses"]
    assert "404" in operations["get"]["responses"]
