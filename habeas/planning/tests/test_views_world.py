"""Builders for the tests of the programme's pages (no tests here): a small country of
two regions and six places, a programme for 2027-Q1 with its capacity, and one visit the
NPM added itself. Rows are made through the services, so every test starts from what the
application itself could have written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from habeas.accounts.models import User
from habeas.places.tests.factories import PlaceFactory
from habeas.planning import services
from habeas.planning.models import PlannedVisit, Programme
from habeas.planning.tests.factories import make_country, make_programme, set_capacity

PERIOD = "2027-Q1"
FIRST_WEEK = dt.date(2027, 1, 4)  # the first Monday of 2027-Q1


@dataclass
class World:
    personas: dict[str, User]
    country: Any
    programme: Programme
    added: PlannedVisit

    @property
    def head(self) -> User:
        return self.personas["head"]

    @property
    def monitor(self) -> User:
        return self.personas["monitor"]


def world(personas: dict[str, User], *, time_limit: int = 2) -> World:
    monitor = personas["monitor"]
    country = make_country()
    # A place with no coordinates: the map counts it below instead of drawing it.
    country.lost = PlaceFactory(
        region=country.south, category=country.police, latitude=None, longitude=None
    )
    for place, (lat, lon) in {
        country.north_prison: ("50.5", "4.1"),
        country.north_police: ("50.8", "4.4"),
        country.north_police_2: ("50.2", "4.9"),
        country.north_ward: ("50.9", "3.8"),
        country.south_prison: ("49.1", "4.6"),
        country.south_police: ("49.3", "5.2"),
    }.items():
        # Coordinates spread over the country (the factory puts every place in Paris).
        type(place).objects.filter(pk=place.pk).update(latitude=lat, longitude=lon)
    programme = make_programme(monitor, PERIOD, time_limit_seconds=time_limit)
    set_capacity(monitor, programme, {country.north: 60, country.south: 40})
    programme.refresh_from_db()
    added = services.visit_add(
        actor=monitor,
        programme=programme,
        place=country.north_ward,
        week_starts_on=FIRST_WEEK,
        kind="follow_up",
    )
    programme.refresh_from_db()
    return World(personas, country, programme, added)
