"""The map's count sentence follows the language's plural rules."""

from __future__ import annotations

import pytest

from habeas.places.tests.factories import PlaceFactory


@pytest.mark.django_db
def test_it_says_one_place_in_the_singular(personas, client_for):
    PlaceFactory.create()
    data = client_for(personas["monitor"]).get("/places/map.geojson").json()
    assert data["label"] == "1 place on the map"


@pytest.mark.django_db
def test_it_says_several_places_in_the_plural(personas, client_for):
    PlaceFactory.create_batch(3)
    data = client_for(personas["monitor"]).get("/places/map.geojson").json()
    assert data["label"] == "3 places on the map"
    assert len(data["features"]) == 3
