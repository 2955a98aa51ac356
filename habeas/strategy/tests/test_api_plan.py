"""API v1 of the plan with the personas: /api/v1/objectives/, /activities/,
/budget-lines/ and /year-end/. Who sees what, who may write, stale edits, the computed
staff-days, and the year-end answers counted as far as the reader may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import CategoryFactory, PlaceFactory
from habeas.recommendations.models import Recommendation
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective
from habeas.strategy.tests.factories_plan import make_activity, make_line, make_objective, visit_at
from habeas.visits.models import Visit

pytestmark = pytest.mark.django_db

OBJECTIVES = "/api/v1/objectives/"
ACTIVITIES = "/api/v1/activities/"
LINES = "/api/v1/budget-lines/"
YEAR_END = "/api/v1/year-end/"
READERS = ("head", "monitor", "doctor", "data_officer", "comms", "auditor")
HIDDEN_FROM = ("expert", "admin", "outsider")


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def plan(personas, make_user):
    head = personas["head"]
    objective = make_objective(head)
    activity = make_activity(head, objective, planned_staff_days=Decimal("8"))
    line = make_line(head, activity=activity)
    # 2 days × (lead + 1 member) = 4 staff-days; the interpreter is not counted.
    visit_at(
        PlaceFactory(),
        head,
        dt.date(2025, 5, 5),
        dt.date(2025, 5, 6),
        members=[make_user("monitor")],
        interpreters=[make_user("monitor")],
    )
    return {"objective": objective, "activity": activity, "line": line}


@pytest.mark.parametrize("name", HIDDEN_FROM)
def test_hidden_from_those_without_strategy_view(personas, plan, name):
    client = api(personas[name])
    for url, record in ((OBJECTIVES, "objective"), (ACTIVITIES, "activity"), (LINES, "line")):
        listing = client.get(url)
        assert listing.status_code == 200
        assert listing.json()["results"] == []
        assert client.get(f"{url}{plan[record].pk}/").status_code == 404
    assert client.get(YEAR_END + "?year=2025").status_code == 404
    assert client.delete(f"{OBJECTIVES}{plan['objective'].pk}/").status_code == 403
    assert Objective.objects.exists()


@pytest.mark.parametrize("name", READERS)
def test_readers_see_activities_with_counted_days(personas, plan, name):
    client = api(personas[name])
    row = client.get(ACTIVITIES + "?year=2025").json()["results"][0]
    assert row["id"] == plan["activity"].pk
    assert row["spent_staff_days_counted"] == "4.0"
    assert client.get(ACTIVITIES + "?year=2024").json()["results"] == []
    assert client.get(LINES + "?kind=visits").json()["results"][0]["label"] == "Travel"


@pytest.mark.parametrize("name", ["monitor", "doctor", "comms", "auditor"])
def test_readers_may_not_write(personas, plan, name):
    client = api(personas[name])
    body = {"code": "SO5", "title": "X", "first_year": 2025, "last_year": 2025}
    assert client.post(OBJECTIVES, body, format="json").status_code == 403
    line = plan["line"]
    assert (
        client.patch(f"{LINES}{line.pk}/", {"version": 1, "spent": "1"}, format="json").status_code
        == 403
    )
    assert client.delete(f"{LINES}{line.pk}/").status_code == 403
    line.refresh_from_db()
    assert line.spent == Decimal("800")
    assert not Objective.objects.filter(code="SO5").exists()


def test_data_officer_writes_through_the_services(personas, plan):
    client = api(personas["data_officer"])
    police = CategoryFactory(code="police-custody")
    created = client.post(
        ACTIVITIES,
        {
            "objective": plan["objective"].pk,
            "kind": "visits",
            "title": "Police custody round",
            "year": 2025,
            "categories": [police.pk],
            "planned_staff_days": "30",
            "id": 999,
            "version": 77,
            "spent_staff_days_counted": "1000",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["categories"] == [police.pk]
    assert data["version"] == 1 and data["id"] != 999
    # No visit at a police station yet.
    assert data["spent_staff_days_counted"] == "0.0"
    assert AuditEvent.objects.filter(action="strategy.activity_create").count() == 2


def test_visits_activity_refuses_entered_days(personas, plan):
    response = api(personas["head"]).patch(
        f"{ACTIVITIES}{plan['activity'].pk}/",
        {"version": 1, "spent_staff_days": "99"},
        format="json",
    )
    assert response.status_code == 400
    assert "spent_staff_days" in response.json()
    assert Activity.objects.get().spent_staff_days is None


def test_stale_patch_is_409(personas, plan):
    client = api(personas["head"])
    url = f"{LINES}{plan['line'].pk}/"
    first = client.patch(url, {"spent": "900"}, format="json", HTTP_IF_MATCH='"1"')
    assert first.status_code == 200 and first["ETag"] == '"2"'
    stale = client.patch(url, {"version": 1, "spent": "950"}, format="json")
    assert stale.status_code == 409
    assert BudgetLine.objects.get().spent == Decimal("900")


def test_delete_objective(personas, plan):
    client = api(personas["head"])
    assert client.delete(f"{OBJECTIVES}{plan['objective'].pk}/").status_code == 204
    assert not Activity.objects.exists()
    assert BudgetLine.objects.get().activity is None


def test_line_to_an_unseen_activity_is_refused(personas, plan):
    response = api(personas["head"]).post(
        LINES,
        {"year": 2025, "kind": "visits", "label": "Ghost", "activity": 999999},
        format="json",
    )
    assert response.status_code == 400
    assert not BudgetLine.objects.filter(label="Ghost").exists()


def test_year_end_counts_only_what_the_reader_sees(personas, plan):
    head, comms = personas["head"], personas["comms"]
    secret = visit_at(
        PlaceFactory(), head, dt.date(2025, 9, 1), state=Visit.State.PLANNED, announced=False
    )
    for n, visit in enumerate([None, secret]):
        Recommendation.objects.create(
            reference=f"R-API-{n}",
            text="Open the windows.",
            state=Recommendation.State.SENT,
            sent_on=dt.date(2025, 10, 1),
            visit=visit,
            created_by=head,
        )
    seen_by_head = api(head).get(YEAR_END + "?year=2025").json()
    seen_by_comms = api(comms).get(YEAR_END + "?year=2025").json()
    assert seen_by_head["recommendations"]["issued"] == 2
    assert seen_by_comms["recommendations"]["issued"] == 1
    visits = {row["kind"]: row for row in seen_by_head["kinds"]}["visits"]
    assert (visits["days_planned"], visits["days_spent"]) == ("8.0", "4.0")
    assert seen_by_head["visits_total"] == 1


@pytest.mark.parametrize("query", ["", "?year=abc", "?year=20255"])
def test_year_end_needs_a_year(personas, query):
    response = api(personas["head"]).get(YEAR_END + query)
    assert response.status_code == 400
    assert "year" in response.json()


def test_kind_filter_refuses_unknown(personas, plan):
    assert api(personas["head"]).get(ACTIVITIES + "?kind=parties").status_code == 400
    assert ActivityKind.VISITS in ActivityKind.values
