"""API v1 of the risk model: /api/v1/risk-scores/ and /api/v1/risk-weights/."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from habeas.cases.tests.factories import grant, make_watch
from habeas.places.tests.factories import (
    CategoryFactory,
    PlaceFactory,
    PopulationRecordFactory,
    RegionFactory,
)
from habeas.planning import risk
from habeas.planning.models import DEFAULT_WEIGHTS, Factor, RiskWeights
from habeas.planning.serializers_risk import RiskFactorWeightsSerializer

pytestmark = pytest.mark.django_db

SCORES = "/api/v1/risk-scores/"
WEIGHTS_URL = "/api/v1/risk-weights/"
WEIGHTS = {str(name): weight for name, weight in DEFAULT_WEIGHTS.items()}


def test_it_lists_live_scores_with_their_breakdown(personas, client_for):
    place = PlaceFactory(name="Harbour Station", capacity=10)
    PopulationRecordFactory(place=place, population=15)
    PlaceFactory(name="Calm Home")

    response = client_for(personas["monitor"]).get(SCORES)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and "next" in data
    first = data["results"][0]
    assert first["name"] == "Harbour Station" and first["place"] == place.pk
    assert first["score"] >= data["results"][1]["score"]
    assert [row["factor"] for row in first["breakdown"]] == Factor.values
    occupancy = first["breakdown"][0]
    assert occupancy["value"] == pytest.approx(1.5) and occupancy["strength"] == pytest.approx(0.5)
    assert occupancy["points"] == pytest.approx(7.5) and not occupancy["missing"]
    assert occupancy["text"].startswith("Holds 15 people for 10 places")
    assert first["missing"] == [Factor.VULNERABLE, Factor.DIFFICULTIES]


def test_it_filters_the_scores(personas, client_for):
    region, other = RegionFactory(), RegionFactory()
    custody = CategoryFactory(code="risk-api-custody")
    one = PlaceFactory(region=region, category=custody)
    PlaceFactory(region=region)
    PlaceFactory(region=other, category=custody)
    client = client_for(personas["head"])

    def places(**query: object) -> list[int]:
        response = client.get(SCORES, query)
        assert response.status_code == 200
        return [row["place"] for row in response.json()["results"]]

    assert len(places(region=region.pk)) == 2
    assert places(region=region.pk, category=custody.pk) == [one.pk]
    assert places(place=one.pk) == [one.pk]
    assert places(place=10**30) == []
    assert client.get(SCORES, {"region": "north"}).status_code == 400


@pytest.mark.parametrize("role", ["doctor", "expert", "comms", "admin", "outsider"])
def test_it_shows_nothing_to_whoever_may_not_see_planning(personas, client_for, role):
    PlaceFactory()
    client = client_for(personas[role])

    for url in (SCORES, WEIGHTS_URL):
        response = client.get(url)
        assert response.status_code == 200 and response.json()["results"] == []
    response = client.post(WEIGHTS_URL, {"weights": WEIGHTS, "based_on": 1}, "application/json")
    assert response.status_code == 403


def test_it_hides_the_watch_count_from_an_ungranted_reader(personas, make_user, client_for):
    head = personas["head"]
    granted, ungranted = make_user("monitor"), make_user("monitor")
    place = PlaceFactory()
    watch = make_watch(head, place)
    grant(head, watch, granted)

    def watches_of(user):
        data = client_for(user).get(SCORES, {"place": place.pk}).json()
        row = data["results"][0]
        return row, next(f for f in row["breakdown"] if f["factor"] == Factor.WATCHES)

    seen_row, seen = watches_of(granted)
    masked_row, masked = watches_of(ungranted)

    assert seen["value"] == 1 and seen["points"] == pytest.approx(5.0) and not seen["hidden"]
    assert masked["hidden"] and masked["value"] is None
    assert masked["strength"] is None and masked["points"] is None
    assert "confidential records" in masked["text"] and "1" not in masked["text"]
    assert masked_row["score"] == seen_row["score"]


def test_it_lists_every_version_of_the_weights(personas, client_for):
    risk.current_weights()
    RiskWeights.objects.create(number=2, weights={**WEIGHTS, "watches": 20}, note="Reprisals")

    data = client_for(personas["data_officer"]).get(WEIGHTS_URL).json()

    assert [row["number"] for row in data["results"]] == [2, 1]
    assert data["results"][0]["weights"]["watches"] == 20.0
    assert set(data["results"][1]["weights"]) == set(Factor.values)


def test_the_head_saves_new_weights(personas, client_for):
    first = risk.current_weights()
    body = {"weights": {**WEIGHTS, "category": 40}, "note": "Custody", "based_on": first.number}

    response = client_for(personas["head"]).post(WEIGHTS_URL, body, "application/json")

    assert response.status_code == 201
    assert response.json()["number"] == 2 and response.json()["weights"]["category"] == 40.0
    assert risk.current_weights().note == "Custody"


def test_it_refuses_new_weights_from_a_reader(personas, client_for):
    first = risk.current_weights()
    body = {"weights": WEIGHTS, "based_on": first.number}

    response = client_for(personas["monitor"]).post(WEIGHTS_URL, body, "application/json")

    assert response.status_code == 403
    assert RiskWeights.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"weights": {**WEIGHTS, "occupancy": 150}, "based_on": 1},
        {"weights": {k: v for k, v in WEIGHTS.items() if k != "watches"}, "based_on": 1},
        {"weights": dict.fromkeys(WEIGHTS, 0), "based_on": 1},
        {"weights": WEIGHTS},
    ],
)
def test_it_refuses_bad_weights(personas, client_for, body):
    risk.current_weights()

    response = client_for(personas["head"]).post(WEIGHTS_URL, body, "application/json")

    assert response.status_code == 400
    assert RiskWeights.objects.count() == 1


def test_it_answers_409_to_a_save_from_an_old_version(personas, client_for):
    first = risk.current_weights()
    client = client_for(personas["head"])
    body = {"weights": WEIGHTS, "based_on": first.number}
    assert client.post(WEIGHTS_URL, body, "application/json").status_code == 201

    response = client.post(WEIGHTS_URL, body, "application/json")

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert RiskWeights.objects.count() == 2


def test_the_weights_serializer_names_every_factor():
    assert set(RiskFactorWeightsSerializer().fields) == set(Factor.values)


def test_it_describes_the_endpoints_without_warnings(tmp_path):
    out = tmp_path / "schema.json"

    call_command(
        "spectacular",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(out),
        stderr=StringIO(),
    )

    paths = json.loads(out.read_text())["paths"]
    assert set(paths[SCORES]) == {"get"}
    assert set(paths[WEIGHTS_URL]) == {"get", "post"}
    assert "409" in paths[WEIGHTS_URL]["post"]["responses"]
