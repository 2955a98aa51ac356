"""`/api/v1/guidelines/`: read-only, with items, for roles with `visits.view` (¶13)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from habeas.visits.models import Guideline

pytestmark = pytest.mark.django_db

URL = "/api/v1/guidelines/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_every_guideline_with_its_items(personas):
    response = api(personas["comms"]).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Guideline.objects.count() >= 6
    police = next(g for g in body["results"] if g["category"] == "police-custody")
    assert (police["number"], police["status"]) == (1, "published")
    assert 25 <= len(police["items"]) <= 40
    item = police["items"][0]
    assert set(item) == {
        "id",
        "position",
        "theme",
        "kind",
        "text",
        "register_kind",
        "group_allowed",
    }
    assert [i["position"] for i in police["items"]] == sorted(
        i["position"] for i in police["items"]
    )


def test_it_filters_by_category_and_status(personas):
    client = api(personas["doctor"])

    one = client.get(URL, {"category": "juvenile", "status": "published"}).json()
    none = client.get(URL, {"category": "juvenile", "status": "retired"}).json()

    assert [g["category"] for g in one["results"]] == ["juvenile"]
    assert none["count"] == 0


@pytest.mark.parametrize("query", [{"category": "a\x00b"}, {"status": "lost"}, {"category": "%_"}])
def test_a_bad_filter_is_refused_with_400(personas, query):
    assert api(personas["head"]).get(URL, query).status_code == 400


def test_it_retrieves_one_version(personas):
    guideline = Guideline.objects.get(category__code="psychiatric")

    response = api(personas["expert"]).get(f"{URL}{guideline.pk}/")

    assert response.status_code == 200
    assert response.json()["title"] == guideline.title
    assert len(response.json()["items"]) == guideline.items.count()


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_whoever_may_not_see_visits_gets_an_empty_list_and_404(personas, who):
    guideline = Guideline.objects.first()
    client = api(personas[who])

    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{guideline.pk}/").status_code == 404


def test_it_refuses_every_write(personas):
    guideline = Guideline.objects.first()
    client = api(personas["head"])

    assert client.post(URL, {"title": "x"}, format="json").status_code in (403, 405)
    assert client.patch(f"{URL}{guideline.pk}/", {"title": "x"}, format="json").status_code in (
        403,
        405,
    )
    assert client.delete(f"{URL}{guideline.pk}/").status_code in (403, 405)
    guideline.refresh_from_db()
    assert guideline.title != "x"


def test_anonymous_gets_401_or_403(db):
    assert APIClient().get(URL).status_code in (401, 403)


def test_the_schema_describes_the_guidelines(personas):
    response = api(personas["head"]).get("/api/schema/?format=json")

    paths = response.json()["paths"]
    assert "/api/v1/guidelines/" in paths and "/api/v1/guidelines/{id}/" in paths
    assert set(paths["/api/v1/guidelines/"]) == {"get"}
