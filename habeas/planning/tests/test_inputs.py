"""From the database to the solver's instance (¶10): durations by size, the reserve kept
back, trips, weeks, intervals, mandatory and avoided places."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from habeas.places.models import Category
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.planning import inputs, services
from habeas.planning.models import PlannedVisit
from habeas.planning.tests.factories import make_country, make_programme, set_capacity
from habeas.visits.models import Visit
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def country(db: Any) -> Any:
    return make_country()


def prepared(programme: Any, values: dict[int, float] | None = None) -> inputs.Prepared:
    return inputs.programme_input(programme, today=dt.date(2026, 11, 1), values=values or {})


def row(p: inputs.Prepared, place: Any) -> int:
    return p.index[place.pk]


# -- the period -------------------------------------------------------------------------------


def test_a_quarter_has_13_weeks_starting_on_mondays(personas):
    programme = make_programme(personas["head"], "2027-Q1")

    weeks = inputs.week_starts(programme)

    assert len(weeks) == 13 and weeks[0] == dt.date(2027, 1, 4)
    assert all(day.weekday() == 0 for day in weeks)


def test_a_year_has_52_weeks(personas):
    programme = make_programme(personas["head"], "2027")

    assert (programme.starts_on, programme.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert len(inputs.week_starts(programme)) == 52


@pytest.mark.parametrize("period", ["2027-Q0", "2027Q1", "1999", "abc"])
def test_a_period_must_be_a_quarter_or_a_year(period):
    with pytest.raises(ValidationError):
        inputs.parse_period(period)


# -- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "days", "team"),
    [(100, "2", 3), (300, "3", 4), (450, "3", 4), (900, "5", 5), (None, "2", 3)],
)
def test_the_duration_follows_the_size_of_the_place(capacity, days, team):
    prison = CategoryFactory(code="prison-sentenced")

    found = inputs.duration(inputs.duration_rules(), prison.pk, capacity, "in_depth")

    assert found == (Decimal(days), team)


def test_a_follow_up_takes_its_own_duration():
    prison = CategoryFactory(code="prison-sentenced")

    assert inputs.duration(inputs.duration_rules(), prison.pk, 900, "follow_up") == (
        Decimal("2"),
        5,
    )


def test_a_category_without_rules_takes_a_day_for_two():
    other = Category.objects.create(code="monastery", name="Monastery")

    assert inputs.duration(inputs.duration_rules(), other.pk, 10, "in_depth") == (Decimal("1"), 2)


def test_staff_days_are_days_times_the_team(personas, country):
    head = personas["head"]
    programme = make_programme(head, trip_sharing="region")
    set_capacity(head, programme, {country.north: 100})

    p = prepared(programme)

    # A prison for 400: 3 days with 4 people.
    assert p.inp.staff_days[row(p, country.north_prison)] == 12.0
    # Psychiatric wards need a medical member for the whole visit.
    assert p.inp.medical_days[row(p, country.north_ward)] == 1.0
    assert p.inp.medical_days[row(p, country.north_police)] == 0.0


# -- capacity ---------------------------------------------------------------------------------


def test_the_reserve_is_kept_back_from_every_region(personas, country):
    head = personas["head"]
    programme = make_programme(head, reserve_share=Decimal("0.25"))
    set_capacity(
        head, programme, {country.north: 100, country.south: 40}, {"doctor": 8, "nurse": 4}
    )

    p = prepared(programme)

    capacity = dict(zip(p.regions, p.inp.region_capacity.tolist(), strict=True))
    assert capacity == {country.north.pk: 75.0, country.south.pk: 30.0}
    assert p.inp.medical_capacity == 9.0


def test_no_medical_limit_when_none_is_stated(personas, country):
    programme = make_programme(personas["head"])

    assert prepared(programme).inp.medical_capacity is None


def test_a_district_counts_against_its_region(personas):
    head = personas["head"]
    region = RegionFactory(name="East")
    district = RegionFactory(name="East district", parent=region)
    place = PlaceFactory(region=district)
    programme = make_programme(head)
    set_capacity(head, programme, {region: 10})

    p = prepared(programme)

    assert p.regions[p.inp.region[row(p, place)]] == region.pk


def test_places_without_a_region_are_reported(personas, country):
    PlaceFactory(region=None)
    programme = make_programme(personas["head"])

    p = prepared(programme)

    assert p.explanations == [{"code": "places_without_region", "params": {"count": 1}}]


# -- trips ------------------------------------------------------------------------------------


def test_trips_are_shared_by_region(personas, country):
    head = personas["head"]
    programme = make_programme(head, trip_sharing="region", trip_overhead_days=Decimal("1.5"))

    p = prepared(programme)

    cluster = p.inp.cluster
    assert cluster[row(p, country.north_prison)] == cluster[row(p, country.north_police)]
    assert cluster[row(p, country.north_prison)] != cluster[row(p, country.south_prison)]
    assert p.inp.trip_overhead == 1.5


def test_trips_are_shared_by_distance(personas, country):
    head = personas["head"]
    near = PlaceFactory(region=country.north, latitude=Decimal("48.86"), longitude=Decimal("2.35"))
    next_door = PlaceFactory(
        region=country.north, latitude=Decimal("48.87"), longitude=Decimal("2.36")
    )
    far = PlaceFactory(region=country.north, latitude=Decimal("45.0"), longitude=Decimal("5.0"))
    nowhere = PlaceFactory(region=country.north, latitude=None, longitude=None)
    nowhere_too = PlaceFactory(region=country.north, latitude=None, longitude=None)
    programme = make_programme(head, trip_sharing="distance", trip_radius_km=30)

    p = prepared(programme)

    cluster = p.inp.cluster
    assert cluster[row(p, near)] == cluster[row(p, next_door)]
    assert cluster[row(p, near)] != cluster[row(p, far)]
    assert cluster[row(p, nowhere)] == cluster[row(p, nowhere_too)]
    assert cluster[row(p, nowhere)] != cluster[row(p, near)]


def test_without_trips_each_visit_carries_its_travel(personas, country):
    head = personas["head"]
    programme = make_programme(head, trip_sharing="none", trip_overhead_days=Decimal("1"))

    p = prepared(programme)

    assert p.inp.trip_overhead == 0.0
    assert p.inp.staff_days[row(p, country.north_police)] == 2.0  # 0.5 day × 2, plus travel


# -- intervals and rules ----------------------------------------------------------------------


def test_months_count_from_the_last_in_depth_visit_that_happened(personas, country):
    head = personas["head"]
    make_visit(
        head,
        country.north_prison,
        starts_on=dt.date(2025, 1, 6),
        ends_on=dt.date(2025, 1, 8),
        state=Visit.State.CLOSED,
    )
    make_visit(  # planned, not made: does not count
        head, country.south_prison, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 2)
    )
    programme = make_programme(head)

    p = prepared(programme)

    months = p.inp.months_since[row(p, country.north_prison)]
    assert 23.5 < months < 24.0
    assert p.inp.months_since[row(p, country.south_prison)] == inputs.NEVER_MONTHS


def test_the_programme_may_shorten_a_category_interval(personas, country):
    head = personas["head"]
    programme = make_programme(head, default_max_interval_months=36)
    set_capacity(head, programme, {country.north: 10}, categories={country.police: (12, 1)})

    p = prepared(programme)

    assert p.inp.max_interval[row(p, country.north_police)] == 12.0
    assert p.inp.max_interval[row(p, country.north_prison)] == 48.0  # the category's own
    assert p.inp.category_min is not None
    assert p.inp.category_min[p.categories.index(country.police.pk)] == 1


def test_rules_and_pins_reach_the_solver(personas, country):
    head = personas["head"]
    programme = make_programme(head)
    services.place_rule_set(
        actor=head,
        programme=programme,
        place=country.north_prison,
        kind="mandatory",
        visit_kind="follow_up",
    )
    services.place_rule_set(
        actor=head, programme=programme, place=country.south_police, kind="avoid"
    )
    pinned = services.visit_add(
        actor=head,
        programme=programme,
        place=country.north_ward,
        week_starts_on=dt.date(2027, 2, 3),
        kind="in_depth",
    )

    p = prepared(programme, {country.north_prison.pk: 42.0})

    prison = row(p, country.north_prison)
    assert p.inp.mandatory[prison] and p.candidates[prison].kind == "follow_up"
    assert p.inp.staff_days[prison] == 4.0  # a follow-up: 1 day × 4 people
    assert p.inp.value[prison] == 42.0
    assert country.south_police.pk not in p.index
    ward = row(p, country.north_ward)
    assert p.inp.mandatory[ward] and p.inp.fixed_week[ward] == 4
    assert pinned.week_starts_on == dt.date(2027, 2, 1)
    assert int(np.count_nonzero(p.inp.mandatory)) == 2
    assert PlannedVisit.objects.count() == 1
