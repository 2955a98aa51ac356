"""The analytics API: figures as the reader may see them; saved views."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from habeas.assessment import analytics_tally as tally
from habeas.assessment.models_analytics import SavedView
from habeas.assessment.tests import analytics_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return analytics_world.build(personas)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("name,total", [("head", 9), ("comms", 8), ("expert", 2)])
def test_the_heatmap_counts_only_what_the_reader_may_see(world, personas, name, total):
    tally.tally_rebuild()
    body = api(personas[name]).get("/api/v1/analytics/heatmap/").json()
    assert body["total"] == total
    assert body["source"] == ("live" if name == "expert" else "tally")
    assert sum(row["total"] for row in body["rows"]) == total


def test_the_analyses_answer_with_hand_counted_figures(world):
    client = api(world.head)
    trends = client.get("/api/v1/analytics/trends/").json()
    assert trends["years"] == [2022, 2023, 2024, 2025] and trends["year_totals"] == [1, 3, 4, 1]
    generic = client.get("/api/v1/analytics/generic/").json()
    assert [(g["theme"], g["standard"], g["places"]) for g in generic] == [
        ("conditions", "mandela", 3)
    ]
    serious = client.get("/api/v1/analytics/serious/").json()
    assert [(s["name"], s["urgent"], s["key"]) for s in serious][0] == ("P1", 2, 1)
    practices = client.get("/api/v1/analytics/good-practices/?theme=health").json()
    assert [(p["theme"], p["findings"], p["places"]) for p in practices] == [("health", 2, 2)]
    assert client.get("/api/v1/analytics/heatmap/?year_from=abc").status_code == 400


@pytest.mark.parametrize("name", ["admin", "outsider"])
def test_readers_without_the_right_get_404_and_empty_lists(world, personas, name):
    client = api(personas[name])
    assert client.get("/api/v1/analytics/heatmap/").status_code == 404
    assert client.get("/api/v1/saved-views/").json()["results"] == []
    assert client.post("/api/v1/saved-views/", {"name": "x", "kind": "heatmap"}).status_code == 403


def test_saved_views_through_the_api(world):
    head, comms = api(world.head), api(world.comms)
    created = head.post(
        "/api/v1/saved-views/",
        {"name": "Urgent", "kind": "heatmap", "params": {"severity": "urgent"}, "shared": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    listed = comms.get("/api/v1/saved-views/").json()["results"]
    assert [(v["name"], v["mine"]) for v in listed] == [("Urgent", False)]
    assert comms.delete(f"/api/v1/saved-views/{pk}/").status_code == 403
    bad = head.post(
        "/api/v1/saved-views/",
        {"name": "Bad", "kind": "heatmap", "params": {"year_from": "x"}},
        format="json",
    )
    assert bad.status_code == 400
    assert head.delete(f"/api/v1/saved-views/{pk}/").status_code == 204
    assert not SavedView.objects.exists()
