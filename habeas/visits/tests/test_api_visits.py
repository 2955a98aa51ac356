"""API v1: /api/v1/visits/ and /api/v1/team-assignments/ with the personas."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.visits.models import TeamAssignment, Visit
from habeas.visits.tests.factories import add_member, make_profile, make_visit

pytestmark = pytest.mark.django_db
VISITS = "/api/v1/visits/"
TEAM = "/api/v1/team-assignments/"


@pytest.fixture
def api():
    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return client


@pytest.fixture
def secret(personas):
    visit = make_visit(personas["head"])
    add_member(visit, personas["doctor"], personas["head"])
    return visit


def refs(response):
    return [row["reference"] for row in response.json()["results"]]


def test_the_list_is_restricted_like_the_pages(personas, api, secret):
    assert refs(api(personas["head"]).get(VISITS)) == [secret.reference]
    assert refs(api(personas["doctor"]).get(VISITS)) == [secret.reference]
    for who in ("comms", "data_officer", "auditor", "expert", "outsider"):
        assert refs(api(personas[who]).get(VISITS)) == [], who
        assert api(personas[who]).get(f"{VISITS}{secret.pk}/").status_code == 404, who


def test_the_list_filters(personas, api):
    head = personas["head"]
    place = PlaceFactory()
    wanted = make_visit(head, place=place, kind="follow_up")
    make_visit(head, kind="follow_up")
    response = api(head).get(VISITS, {"place": place.pk, "kind": "follow_up", "year": 2025})
    assert refs(response) == [wanted.reference]
    assert api(head).get(VISITS, {"state": "nonsense"}).status_code == 400
    assert api(head).get(VISITS, {"year": "x"}).status_code == 400


def test_a_planner_creates_a_visit_and_extra_fields_are_ignored(personas, api):
    head = personas["head"]
    place = PlaceFactory()
    response = api(head).post(
        VISITS,
        {
            "place": place.pk,
            "kind": "thematic",
            "starts_on": "2025-09-01",
            "ends_on": "2025-09-02",
            "lead": head.pk,
            "themes": ["health"],
            "state": "closed",
            "reference": "V-1999-9999",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "V-2025-0001" and body["state"] == "planned"
    assert body["team"] == [head.pk]


def test_a_reader_cannot_create_or_change(personas, api, secret):
    Visit.objects.filter(pk=secret.pk).update(announced=True)
    comms = api(personas["comms"])
    before = AuditEvent.objects.count()
    assert comms.post(VISITS, {}, format="json").status_code == 403
    response = comms.patch(
        f"{VISITS}{secret.pk}/", {"version": 1, "objectives": "x"}, format="json"
    )
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_patch_needs_the_version_and_a_stale_one_gets_409(personas, api, secret):
    head = api(personas["head"])
    url = f"{VISITS}{secret.pk}/"
    assert head.patch(url, {"objectives": "x"}, format="json").status_code == 400
    assert head.patch(url, {"version": 1, "objectives": "A"}, format="json").status_code == 200
    response = head.patch(url, {"version": 1, "objectives": "B"}, format="json")
    assert response.status_code == 409 and response.json()["current_version"] == 2
    secret.refresh_from_db()
    assert secret.objectives == "A"


def test_team_assignments_are_listed_by_visit_and_restricted(personas, api, secret):
    other = make_visit(personas["head"], announced=True)
    rows = api(personas["head"]).get(TEAM, {"visit": secret.pk}).json()["results"]
    assert sorted(r["user"] for r in rows) == sorted([personas["head"].pk, personas["doctor"].pk])
    comms_rows = api(personas["comms"]).get(TEAM).json()["results"]
    assert {r["visit"] for r in comms_rows} == {other.pk}
    assert api(personas["outsider"]).get(TEAM).json()["results"] == []


def test_a_blocked_person_is_refused_with_the_blockers(personas, api):
    head, monitor = personas["head"], personas["monitor"]
    place = PlaceFactory()
    make_profile(monitor, head, conflict_places=[place])
    visit = make_visit(head, place=place)
    response = api(head).post(TEAM, {"visit": visit.pk, "user": monitor.pk}, format="json")
    assert response.status_code == 400
    assert [b["code"] for b in response.json()["blockers"]] == ["conflict_place"]
    response = api(head).post(
        TEAM,
        {"visit": visit.pk, "user": monitor.pk, "override_reason": "Only Romanian speaker."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["overridden"] is True


def test_the_override_reason_is_shown_only_to_planners(personas, api):
    head, monitor = personas["head"], personas["monitor"]
    place = PlaceFactory()
    make_profile(monitor, head, conflict_places=[place])
    visit = make_visit(head, place=place, announced=True)
    add_member(visit, monitor, head, override_reason="Reason-canary")
    for who, shown in (("head", True), ("comms", False)):
        rows = api(personas[who]).get(TEAM, {"visit": visit.pk}).json()["results"]
        assert ("Reason-canary" in str(rows)) is shown, who


def test_a_team_member_is_added_and_removed(personas, api):
    head = personas["head"]
    visit = make_visit(head)
    created = api(head).post(
        TEAM, {"visit": visit.pk, "user": personas["monitor"].pk}, format="json"
    )
    assert created.status_code == 201
    row_id = created.json()["id"]
    assert api(personas["comms"]).delete(f"{TEAM}{row_id}/").status_code == 403
    assert api(head).delete(f"{TEAM}{row_id}/").status_code == 204
    assert not TeamAssignment.objects.filter(pk=row_id).exists()


def test_a_planner_cannot_add_to_a_visit_it_names_wrongly(personas, api, secret):
    response = api(personas["head"]).post(
        TEAM, {"visit": 987654, "user": personas["monitor"].pk}, format="json"
    )
    assert response.status_code == 400
