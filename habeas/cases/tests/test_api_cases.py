"""The cases API: grants, field rights, audited reads, 409 and mass assignment."""

from __future__ import annotations

import pytest

from habeas.cases.models import Case, CaseGrant, Element, Recipient
from habeas.cases.tests.factories import CANARY_ACTS, CANARY_VICTIM, grant, make_case
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.places.tests.test_api import api

pytestmark = pytest.mark.django_db

IDENTITY_KEYS = {"victim", "victim_details", "complainant", "officials", "witnesses"}
MISSING = "00000000-0000-4000-8000-0000000000aa"


def reads(case: Case) -> int:
    return AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action="cases.case.read"
    ).count()


def test_it_lists_only_granted_cases_without_identity_or_testimony(personas):
    mine = make_case(personas["monitor"])
    make_case(personas["doctor"])
    response = api(personas["monitor"]).get("/api/v1/cases/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(mine.pk)]
    assert response.json()["count"] == 1
    assert CANARY_VICTIM not in response.content.decode()
    assert CANARY_ACTS not in response.content.decode()


def test_it_filters_the_list_and_refuses_a_bad_filter(personas):
    monitor = personas["monitor"]
    reprisal = make_case(monitor, kind=Case.Kind.REPRISAL)
    make_case(monitor, kind=Case.Kind.TORTURE)
    client = api(monitor)
    rows = client.get("/api/v1/cases/", {"kind": "reprisal"}).json()["results"]
    assert [row["id"] for row in rows] == [str(reprisal.pk)]
    assert client.get("/api/v1/cases/", {"kind": "nonsense"}).status_code == 400
    assert client.get("/api/v1/cases/", {"place": "1 OR 1=1"}).status_code == 400


@pytest.mark.parametrize("who", ["outsider", "head", "admin", "comms", "data_officer"])
def test_it_answers_404_to_anyone_not_granted_for_every_method(personas, who):
    case = make_case(personas["monitor"])
    client = api(personas[who], "write")
    existing, missing = f"/api/v1/cases/{case.pk}/", f"/api/v1/cases/{MISSING}/"
    patch = {"version": 1, "pattern": "isolated"}
    for path in (existing, missing):
        assert client.get(path).status_code == 404, path
        assert client.patch(path, patch, format="json").status_code == 404, path
    assert client.get(existing).content == client.get(missing).content
    assert (
        client.patch(existing, patch, format="json").content
        == client.patch(missing, patch, format="json").content
    )
    assert client.get("/api/v1/cases/").json().get("count", 0) == 0
    case.refresh_from_db()
    assert case.pattern == Case.Pattern.UNKNOWN and reads(case) == 0


def test_it_audits_a_retrieve_and_returns_identities_to_who_may_see_them(personas):
    monitor = personas["monitor"]
    case = make_case(monitor)
    body = api(monitor).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["victim"] == CANARY_VICTIM and body["acts"] == CANARY_ACTS
    assert reads(case) == 1


@pytest.mark.parametrize(("who", "flag"), [("expert", False), ("data_officer", True)])
def test_it_leaves_identity_keys_out_for_a_grantee_without_identity_rights(personas, who, flag):
    monitor = personas["monitor"]
    case = make_case(monitor)
    grant(monitor, case, personas[who], identity=flag)
    response = api(personas[who]).get(f"/api/v1/cases/{case.pk}/")
    body = response.json()
    assert response.status_code == 200
    assert IDENTITY_KEYS.isdisjoint(body)
    assert CANARY_VICTIM not in response.content.decode()
    assert body["acts"] == CANARY_ACTS


def test_it_creates_a_case_ignoring_lead_grants_and_other_extra_fields(personas):
    monitor, head = personas["monitor"], personas["head"]
    place = PlaceFactory()
    response = api(monitor, "write").post(
        "/api/v1/cases/",
        {
            "kind": "torture",
            "source": "ngo",
            "place": place.pk,
            "victim": CANARY_VICTIM,
            "acts": CANARY_ACTS,
            "consent_use": True,
            "consent_elements": ["account"],
            "consent_recipients": ["spt"],
            "lead": head.pk,
            "grants": [{"user": head.pk, "identity": True}],
            "status": "closed",
            "reference": "C-1999-9999",
            "version": 7,
            "victim_index": "forged",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert case.lead == monitor and case.status == Case.Status.OPEN
    assert case.reference != "C-1999-9999" and case.version == 1
    assert case.victim_index != "forged"
    assert list(CaseGrant.objects.values_list("user", flat=True)) == [monitor.pk]
    assert response.json()["victim"] == CANARY_VICTIM


def test_it_refuses_a_creation_to_a_role_that_may_not_open_cases(personas):
    for who in ("expert", "comms", "outsider"):
        response = api(personas[who], "write").post(
            "/api/v1/cases/", {"kind": "torture", "source": "ngo"}, format="json"
        )
        assert response.status_code == 403, who
    assert not Case.objects.exists()


def test_it_answers_409_to_a_stale_patch(personas):
    monitor = personas["monitor"]
    case = make_case(monitor)
    client = api(monitor, "write")
    url = f"/api/v1/cases/{case.pk}/"
    first = client.patch(url, {"version": 1, "acts": "Saved first"}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "acts": "Lost"}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert client.patch(url, {"acts": "No version"}, format="json").status_code == 400
    case.refresh_from_db()
    assert case.unseal("acts") == "Saved first"


def test_it_ignores_identity_and_consent_in_a_patch_from_a_grantee_without_identities(
    personas,
):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor)
    grant(monitor, case, expert, identity=False)
    response = api(expert, "write").patch(
        f"/api/v1/cases/{case.pk}/",
        {
            "version": 1,
            "pattern": "pattern",
            "victim": "Overwritten",
            "consent_elements": [Element.IDENTITY],
            "consent_recipients": [Recipient.SPT],
            "lead": expert.pk,
        },
        format="json",
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.pattern == "pattern" and case.lead == monitor
    assert case.unseal("victim") == CANARY_VICTIM
    assert case.consent_recipients == [Recipient.PROSECUTOR]
    assert IDENTITY_KEYS.isdisjoint(response.json())


def test_it_refuses_a_write_with_a_read_only_token(personas):
    monitor = personas["monitor"]
    case = make_case(monitor)
    response = api(monitor, "read").patch(
        f"/api/v1/cases/{case.pk}/", {"version": 1, "pattern": "isolated"}, format="json"
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.pattern == Case.Pattern.UNKNOWN


def test_it_describes_the_cases_api_in_the_schema(personas):
    schema = api(personas["head"]).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases/"])
    assert {"get", "patch"} <= set(paths["/api/v1/cases/{id}/"])
    assert "delete" not in paths["/api/v1/cases/{id}/"]
    assert "409" in paths["/api/v1/cases/{id}/"]["patch"]["responses"]
    case_schema = schema["components"]["schemas"]["Case"]
    assert "victim" in case_schema["properties"]
    assert "victim" not in case_schema.get("required", [])
