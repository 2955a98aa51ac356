"""Reads of the inventory: filters, the home page's figures, the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from habeas.core.errors import StaleEdit
from habeas.places import selectors, services
from habeas.places.models import Place
from habeas.places.tests.factories import (
    AuthorityFactory,
    CategoryFactory,
    PlaceFactory,
    PopulationRecordFactory,
    RegionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 15)


def names(user, **filters) -> list[str]:
    return [place.name for place in selectors.place_list(user=user, filters=filters)]


def test_it_shows_every_place_to_staff_and_none_to_an_outsider(personas):
    PlaceFactory(name="A")

    assert names(personas["comms"]) == ["A"]
    assert names(personas["outsider"]) == []


def test_it_shows_nothing_to_an_expert_whose_account_expired(personas):
    PlaceFactory(name="A")
    expert = personas["expert"]
    expert.expires_at = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    assert names(expert) == []


def test_it_searches_name_reference_and_address(personas):
    PlaceFactory(name="North Prison", external_ref="NP-1", address="1 High Street")
    PlaceFactory(name="South Station", external_ref="SS-2", address="2 Low Road")
    user = personas["monitor"]

    assert names(user, q="north") == ["North Prison"]
    assert names(user, q="ss-2") == ["South Station"]
    assert names(user, q="low road") == ["South Station"]
    assert names(user, q="prison high") == ["North Prison"]
    assert names(user, q="nowhere") == []


def test_it_filters_by_category_code_or_row(personas):
    police = CategoryFactory(code="police-custody")
    PlaceFactory(name="Station", category=police)
    PlaceFactory(name="Prison", category=CategoryFactory(code="prison-remand"))

    assert names(personas["monitor"], category="police-custody") == ["Station"]
    assert names(personas["monitor"], category=police) == ["Station"]


def test_it_includes_sub_regions_when_filtering_by_region(personas):
    country = RegionFactory(name="Country")
    north = RegionFactory(name="North", parent=country)
    district = RegionFactory(name="District", parent=north)
    south = RegionFactory(name="South", parent=country)
    PlaceFactory(name="In district", region=district)
    PlaceFactory(name="In north", region=north)
    PlaceFactory(name="In south", region=south)
    PlaceFactory(name="Nowhere", region=None)
    user = personas["monitor"]

    assert names(user, region=north.pk) == ["In district", "In north"]
    assert names(user, region=country) == ["In district", "In north", "In south"]
    assert names(user, region=district.pk) == ["In district"]


def test_it_filters_by_authority_operator_official_and_status(personas):
    ministry = AuthorityFactory()
    PlaceFactory(name="A", authority=ministry, operator="private", official=False)
    PlaceFactory(name="B", status=Place.Status.CLOSED)
    user = personas["monitor"]

    assert names(user, authority=ministry.pk) == ["A"]
    assert names(user, operator="private") == ["A"]
    assert names(user, official="no") == ["A"]
    assert names(user, official="yes") == ["B"]
    assert names(user, status="closed") == ["B"]
    assert names(user, status="open") == ["A"]


def test_it_filters_by_group_held_without_duplicates(personas):
    PlaceFactory(name="Women and children", groups=["women", "children"])
    PlaceFactory(name="Men only")

    assert names(personas["monitor"], group="women") == ["Women and children"]


@time_machine.travel(TODAY)
def test_it_filters_by_time_since_the_last_visit(personas):
    PlaceFactory(name="Never", last_visit_on=None)
    PlaceFactory(name="Last month", last_visit_on=dt.date(2025, 5, 1))
    PlaceFactory(name="18 months ago", last_visit_on=dt.date(2023, 12, 15))
    PlaceFactory(name="3 years ago", last_visit_on=dt.date(2022, 6, 1))
    PlaceFactory(name="5 years ago", last_visit_on=dt.date(2020, 6, 1))
    user = personas["monitor"]

    assert names(user, visited="never") == ["Never"]
    assert names(user, visited="1y") == ["18 months ago", "3 years ago", "5 years ago", "Never"]
    assert names(user, visited="2y") == ["3 years ago", "5 years ago", "Never"]
    assert names(user, visited="4y") == ["5 years ago", "Never"]


def test_it_orders_the_longest_unvisited_first(personas):
    PlaceFactory(name="Recent", last_visit_on=dt.date(2025, 1, 1))
    PlaceFactory(name="Never", last_visit_on=None)
    PlaceFactory(name="Old", last_visit_on=dt.date(2019, 1, 1))

    assert names(personas["monitor"], ordering="last_visit") == ["Never", "Old", "Recent"]
    assert names(personas["monitor"], ordering="-last_visit") == ["Recent", "Old", "Never"]


def test_it_carries_the_latest_population_and_occupancy(personas):
    place = PlaceFactory(capacity=100)
    PopulationRecordFactory(place=place, recorded_on=dt.date(2024, 1, 1), population=90)
    PopulationRecordFactory(place=place, recorded_on=dt.date(2024, 6, 1), population=130)

    (row,) = selectors.with_occupancy(selectors.place_list(user=personas["monitor"]))

    assert row.population_now == 130 and row.population_on == dt.date(2024, 6, 1)
    assert row.occupancy == 130


def test_it_summarises_the_inventory_for_the_home_page(personas):
    police = CategoryFactory(code="police-custody")
    PlaceFactory(category=police, last_visit_on=None, official=False)
    PlaceFactory(category=police, last_visit_on=dt.date(2024, 1, 1))
    PlaceFactory(category=police, status=Place.Status.CLOSED, last_visit_on=dt.date(2024, 1, 1))

    summary = selectors.inventory_summary(user=personas["comms"])

    assert summary["open"] == 2 and summary["never_visited"] == 1 and summary["unofficial"] == 1
    counts = {row["code"]: row["count"] for row in summary["by_category"]}
    assert counts["police-custody"] == 2 and counts["prison-remand"] == 0
    assert selectors.inventory_summary(user=personas["outsider"]) is None


def test_it_lists_regions_as_a_tree(personas):
    country = RegionFactory(name="Country")
    RegionFactory(name="B district", parent=RegionFactory(name="A region", parent=country))
    RegionFactory(name="Z region", parent=country)

    tree = [(node.region.name, node.depth) for node in selectors.region_tree(user=personas["head"])]

    assert tree == [("Country", 0), ("A region", 1), ("B district", 2), ("Z region", 1)]
    assert selectors.region_tree(user=personas["outsider"]) == []


def test_it_tells_a_place_history_newest_first(personas):
    place = services.place_create(
        actor=personas["monitor"],
        data={"name": "Station", "category": CategoryFactory(code="police-custody")},
    )
    services.place_update(
        actor=personas["monitor"], place=place, data={"capacity": 20}, expected_version=1
    )
    unit = UnitFactory(place=place, name="Cells")
    services.unit_deactivate(actor=personas["monitor"], unit=unit)
    PopulationRecordFactory(place=place, recorded_on=dt.date(2001, 1, 1), population=7)
    other = PlaceFactory()
    services.place_close(actor=personas["monitor"], place=other, closed_on=dt.date(2024, 1, 1))

    texts = [entry.text for entry in selectors.place_timeline(place=place)]

    assert texts[:3] == [
        "Unit taken out of use: Cells",
        "Details changed (capacity)",
        "Added to the inventory",
    ]
    assert texts[-1].startswith("Population count: 7")
    assert not any("Closed" in text for text in texts)


def test_it_leaves_refused_stale_edits_out_of_the_history(personas):
    place = PlaceFactory()
    services.place_update(
        actor=personas["monitor"], place=place, data={"name": "A"}, expected_version=1
    )
    with pytest.raises(StaleEdit):
        services.place_update(
            actor=personas["head"], place=place, data={"name": "B"}, expected_version=1
        )

    texts = [entry.text for entry in selectors.place_timeline(place=place)]

    assert texts == ["Details changed (name)"]


def test_it_draws_a_sparkline_scaled_to_capacity(personas):
    place = PlaceFactory(capacity=100)
    PopulationRecordFactory(place=place, recorded_on=dt.date(2024, 1, 1), population=50)
    PopulationRecordFactory(place=place, recorded_on=dt.date(2024, 2, 1), population=100)

    series = selectors.population_series(place=place)

    assert [record.population for record in series.records] == [50, 100]
    first, last = series.points.split()
    assert float(last.split(",")[1]) == series.capacity_y
    assert float(first.split(",")[1]) > float(last.split(",")[1])
