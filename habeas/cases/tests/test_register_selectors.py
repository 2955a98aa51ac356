"""Statistics of the allegations register (¶27) against counts made by hand.

The world: seven entries, two agencies, two categories of place, two regions, two years,
and one entry that says nothing of where or when. Each group's numbers below were
counted by hand from the table in `register_world`, not computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from habeas.cases import selectors_register as selectors
from habeas.cases import services_register as services
from habeas.cases.models import RegisterEntry
from habeas.places.tests.factories import (
    AuthorityFactory,
    CategoryFactory,
    PlaceFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

C, Out = RegisterEntry.Classification, RegisterEntry.Outcome
D = dt.date


@dataclass
class RegisterWorld:
    police: Any  # agency A
    prisons: Any  # agency B
    station: Any  # place in category police-custody, region North
    jail: Any  # place in category prison-sentenced, region South
    north: Any
    south: Any
    entries: list[RegisterEntry]


def register_world(actor: Any) -> RegisterWorld:
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    police = AuthorityFactory(name="National police")
    prisons = AuthorityFactory(name="Prison service")
    station = PlaceFactory(
        name="Harbour station", category=CategoryFactory(code="police-custody"), region=north
    )
    jail = PlaceFactory(
        name="Hill jail", category=CategoryFactory(code="prison-sentenced"), region=south
    )
    # agency, place, complaint, investigation, prosecution, decision, classification, outcome
    table = [
        (
            police,
            station,
            D(2024, 1, 1),
            D(2024, 1, 11),
            D(2024, 2, 1),
            D(2024, 3, 1),
            C.TORTURE,
            Out.CONVICTED,
        ),  # 60 days  # noqa: E501
        (
            police,
            station,
            D(2024, 2, 1),
            D(2024, 2, 5),
            D(2024, 3, 1),
            D(2024, 5, 11),
            C.ABUSE_OF_OFFICE,
            Out.CONVICTED,
        ),  # 100  # noqa: E501
        (
            police,
            jail,
            D(2024, 6, 1),
            D(2024, 6, 10),
            None,
            D(2024, 7, 1),
            C.NONE,
            Out.DISCONTINUED,
        ),  # 30  # noqa: E501
        (police, jail, D(2025, 1, 10), None, None, None, C.NONE, Out.PENDING),  # no decision
        (
            prisons,
            jail,
            D(2025, 3, 1),
            D(2025, 3, 2),
            D(2025, 4, 1),
            D(2025, 4, 15),
            C.BODILY_HARM,
            Out.ACQUITTED,
        ),  # 45  # noqa: E501
        (
            prisons,
            station,
            D(2025, 5, 1),
            None,
            D(2025, 5, 10),
            D(2025, 5, 16),
            C.CRUEL,
            Out.CONVICTED,
        ),  # 15  # noqa: E501
    ]
    entries = [
        services.register_entry_create(
            actor=actor,
            data={
                "agency": agency,
                "place": place,
                "complaint_on": complaint,
                "investigation_on": investigation,
                "prosecution_on": prosecution,
                "decision_on": decision,
                "classification": classification,
                "outcome": outcome,
            },
        )
        for agency, place, complaint, investigation, prosecution, decision, classification, outcome in table  # noqa: E501
    ]
    # The last one happened at the station but is counted in the South, as recorded.
    services.register_entry_update(
        actor=actor, entry=entries[5], data={"region": south}, expected_version=1
    )
    # An allegation known only by the date of the acts: no agency, place or complaint.
    entries.append(
        services.register_entry_create(actor=actor, data={"alleged_on": D(2023, 12, 24)})
    )
    return RegisterWorld(police, prisons, station, jail, north, south, entries)


@pytest.fixture
def world(personas) -> RegisterWorld:
    return register_world(personas["head"])


def counts(row: selectors.StatRow) -> tuple:
    return (
        row.complaints,
        row.investigations,
        row.prosecutions,
        row.convictions,
        row.torture,
        row.lesser,
        row.decided,
        row.median_days,
    )


def by_label(rows: list[selectors.StatRow]) -> dict[str, selectors.StatRow]:
    return {row.label: row for row in rows}


# Each grouping ---------------------------------------------------------------------


def test_it_counts_by_agency_with_the_unknown_last(world, personas):
    rows = selectors.register_statistics(user=personas["head"], group="agency")

    assert [row.label for row in rows] == [
        "National police",
        "Prison service",
        "Agency not recorded",
    ]
    police, prisons, unknown = rows
    # complaints, investigations, prosecutions, convictions, torture, lesser, decided, median
    assert counts(police) == (4, 3, 2, 2, 1, 1, 3, 60.0)  # median of 60, 100, 30
    assert counts(prisons) == (2, 1, 2, 1, 0, 2, 2, 30.0)  # median of 45 and 15
    assert counts(unknown) == (1, 0, 0, 0, 0, 0, 0, None)
    assert police.key == world.police.pk and unknown.key is None


def test_it_counts_by_category_of_place(world, personas):
    rows = {
        row.key: row
        for row in selectors.register_statistics(user=personas["head"], group="category")
    }

    assert counts(rows["police-custody"]) == (3, 2, 3, 3, 1, 2, 3, 60.0)  # 60, 100, 15
    assert counts(rows["prison-sentenced"]) == (3, 2, 1, 0, 0, 1, 2, 37.5)  # 30 and 45
    assert rows["police-custody"].label == world.station.category.name
    assert rows[None].label == "Category not recorded"
    assert counts(rows[None]) == (1, 0, 0, 0, 0, 0, 0, None)


def test_it_counts_by_region_as_recorded_not_as_the_place_says(world, personas):
    rows = by_label(selectors.register_statistics(user=personas["head"], group="region"))

    assert counts(rows["North"]) == (2, 2, 2, 2, 1, 1, 2, 80.0)  # 60 and 100
    assert counts(rows["South"]) == (4, 2, 2, 1, 0, 2, 3, 30.0)  # 30, 45, 15
    assert counts(rows["Region not recorded"]) == (1, 0, 0, 0, 0, 0, 0, None)


def test_it_counts_by_year_of_complaint(world, personas):
    rows = selectors.register_statistics(user=personas["head"], group="year")

    assert [(row.key, row.label) for row in rows] == [
        (2024, "2024"),
        (2025, "2025"),
        (None, "Date of complaint not recorded"),
    ]
    assert counts(rows[0]) == (3, 3, 2, 2, 1, 1, 3, 60.0)  # 60, 100, 30
    assert counts(rows[1]) == (3, 1, 2, 1, 0, 2, 2, 30.0)  # 45 and 15


def test_it_totals_every_entry(world, personas):
    total = selectors.register_totals(user=personas["head"])

    assert counts(total) == (7, 4, 4, 3, 1, 3, 5, 45.0)  # 60, 100, 30, 45, 15
    assert (total.torture_share, total.lesser_share) == (25.0, 75.0)


def test_it_shows_the_share_prosecuted_as_torture_against_lesser_offences(world, personas):
    police, prisons, unknown = selectors.register_statistics(user=personas["head"], group="agency")

    assert (police.torture_share, police.lesser_share) == (50.0, 50.0)
    assert (prisons.torture_share, prisons.lesser_share) == (0.0, 100.0)
    assert (unknown.torture_share, unknown.lesser_share) == (None, None)


def test_it_leaves_unclassified_prosecutions_out_of_the_shares(personas):
    head = personas["head"]
    for classification in (C.TORTURE, C.NONE, C.NONE):
        services.register_entry_create(
            actor=head,
            data={
                "complaint_on": D(2024, 1, 1),
                "prosecution_on": D(2024, 2, 1),
                "classification": classification,
            },
        )

    (row,) = selectors.register_statistics(user=head, group="year")

    assert (row.prosecutions, row.torture, row.lesser, row.torture_share) == (3, 1, 0, 100.0)


def test_it_counts_only_the_year_asked_for(world, personas):
    rows = selectors.register_statistics(
        user=personas["head"], group="agency", filters={"year": 2025}
    )

    assert [(row.label, row.complaints) for row in rows] == [
        ("National police", 1),
        ("Prison service", 2),
    ]


# The median ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "median"),
    [([7], 7.0), ([10, 1, 4], 4.0), ([10, 1, 4, 6], 5.0), ([1, 2], 1.5), ([], None)],
)
def test_it_takes_the_median_of_odd_and_even_counts(days, median):
    start = D(2024, 1, 1)
    pairs = [(start, start + dt.timedelta(days=n)) for n in days]

    assert selectors.median_days(pairs) == median


def test_it_ignores_entries_without_a_decision_in_the_median(personas):
    head = personas["head"]
    for complaint, decision in [
        (D(2024, 1, 1), D(2024, 1, 11)),  # 10 days
        (D(2024, 1, 1), D(2024, 1, 21)),  # 20 days
        (D(2024, 1, 1), None),  # pending: would pull the median nowhere
        (None, D(2024, 1, 2)),  # no complaint date: no duration
    ]:
        services.register_entry_create(
            actor=head, data={"complaint_on": complaint, "decision_on": decision}
        )

    total = selectors.register_totals(user=head)

    assert (total.complaints, total.decided, total.median_days) == (4, 2, 15.0)


def test_it_aggregates_in_the_database_in_two_queries(world, personas, django_assert_num_queries):
    with django_assert_num_queries(2):
        selectors.register_statistics(user=personas["head"], group="region")


# Who counts what ---------------------------------------------------------------------


def test_it_gives_communications_the_statistics_of_every_entry(world, personas):
    rows = selectors.register_statistics(user=personas["comms"], group="agency")

    assert sum(row.complaints for row in rows) == 7


@pytest.mark.parametrize("who", ["admin", "auditor", "outsider", "expert"])
def test_it_counts_nothing_for_those_without_the_right(world, personas, who):
    assert selectors.register_statistics(user=personas[who], group="agency") == []
    assert selectors.register_totals(user=personas[who]).complaints == 0


# The time each step took --------------------------------------------------------------


def test_it_times_each_step_from_the_step_before(world):
    cruel = world.entries[5]  # complaint 1 May, no investigation, prosecution 10, decision 16

    steps = selectors.timeline(cruel)

    assert [(step.name, step.days) for step in steps.steps] == [
        ("complaint_on", None),
        ("investigation_on", None),
        ("prosecution_on", 9),
        ("decision_on", 6),
    ]
    assert steps.total_days == 15
