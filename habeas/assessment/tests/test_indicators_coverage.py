"""Coverage of the inventory by category and region (¶9, 10, 36), counted by hand.

The world, at the end of 2024 (period 1 January – 31 December 2024):

    category    interval  place  region  last visit (kept)  visits recorded        covered
    yearly      12 m      A      North   2024-03-01         —                      yes
    yearly      12 m      B      North   —                  2024-06-10 closed      yes
    yearly      12 m      C      South   2023-01-15         2023-12-30 (debriefed) no: 1 day old
    yearly      12 m      D      South   —                  2024-09-01 *planned*   no: not held
    yearly      12 m      E      —       2025-02-01         —                      no: after
    four-yearly 48 m      F      South   2021-01-01         —                      yes
    four-yearly 48 m      G      East    —                  —                      no
    four-yearly 48 m      H      East    2024-05-05, closed 2024-06-30                  (not open)

Open places 7; covered A, B, F = 3 → 42.86 %. Visited in the period: A (kept date),
B (held visit), H (closed, so not in the table) → places-visited 3.
Categories: yearly 2/5, four-yearly 1/2 → none fully covered → 0 %.
Regions: North 2/2 (fully covered), South 1/3, East 0/1 → 1 of 3 = 33.33 %;
visited in the period: North 2, South 0, East 0 → regions without a visit: 2.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from habeas.assessment import framework_io
from habeas.assessment.indicators import coverage_breakdown, indicator_values
from habeas.assessment.models import FrameworkVersion
from habeas.assessment.tests.factories import AssessmentFactory
from habeas.places.models import Category, Place
from habeas.places.tests.factories import PlaceFactory, RegionFactory
from habeas.visits.models import Visit


def category(code: str, months: int, position: int) -> Category:
    return Category.objects.create(
        code=code, name=code.capitalize(), max_interval_months=months, position=position
    )


def visit(place: Place, lead, day: dt.date, state: str = Visit.State.CLOSED) -> Visit:
    return Visit.objects.create(
        reference=f"V-{place.pk}-{day:%Y%m%d}",
        place=place,
        kind=Visit.Kind.IN_DEPTH,
        starts_on=day,
        ends_on=day,
        lead=lead,
        created_by=lead,
        state=state,
    )


@pytest.fixture
def world(personas):
    head = personas["head"]
    yearly, four = category("yearly", 12, 1), category("four-yearly", 48, 2)
    north = RegionFactory(name="North")
    south = RegionFactory(name="South")
    east = RegionFactory(name="East")
    PlaceFactory(name="A", category=yearly, region=north, last_visit_on=dt.date(2024, 3, 1))
    b = PlaceFactory(name="B", category=yearly, region=north)
    visit(b, head, dt.date(2024, 6, 10))
    c = PlaceFactory(name="C", category=yearly, region=south, last_visit_on=dt.date(2023, 1, 15))
    visit(c, head, dt.date(2023, 12, 30), Visit.State.DEBRIEFED)
    d = PlaceFactory(name="D", category=yearly, region=south)
    visit(d, head, dt.date(2024, 9, 1), Visit.State.PLANNED)
    PlaceFactory(name="E", category=yearly, region=None, last_visit_on=dt.date(2025, 2, 1))
    PlaceFactory(name="F", category=four, region=south, last_visit_on=dt.date(2021, 1, 1))
    PlaceFactory(name="G", category=four, region=east)
    PlaceFactory(
        name="H",
        category=four,
        region=east,
        status=Place.Status.CLOSED,
        closed_on=dt.date(2024, 6, 30),
        last_visit_on=dt.date(2024, 5, 5),
    )
    spt = FrameworkVersion.objects.get(framework__code=framework_io.SPT_CODE)
    return AssessmentFactory(framework_version=spt)


def figures(assessment) -> dict[tuple[str, str], Decimal | None]:
    return {
        (r.slot.criterion.ref, r.slot.key): r.value for r in indicator_values(assessment=assessment)
    }


def test_it_breaks_coverage_down_by_category_and_region(world):
    breakdown = coverage_breakdown(world)

    assert (breakdown.total.places, breakdown.total.covered) == (7, 3)
    assert breakdown.total.percent == Decimal("42.86")
    categories = [(r.label, r.interval_months, r.places, r.covered) for r in breakdown.categories]
    assert categories == [("Yearly", 12, 5, 2), ("Four-yearly", 48, 2, 1)]
    regions = [(r.label, r.places, r.covered, r.visited_in_period) for r in breakdown.regions]
    assert regions == [
        ("East", 1, 0, 0),
        ("North", 2, 2, 2),
        ("South", 3, 1, 0),
        ("No region recorded", 1, 0, 0),
    ]
    assert [r.percent for r in breakdown.regions] == [
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("33.33"),
        Decimal("0.00"),
    ]


def test_the_figures_agree_with_the_breakdown_on_paragraphs_9_10_and_36(world):
    found = figures(world)

    assert found[("9", "places-in-inventory")] == Decimal(7)
    for ref in ("9", "10", "36"):
        assert found[(ref, "places-visited-within-interval")] == Decimal("42.86")
    assert found[("10", "places-visited")] == Decimal(3)  # A, B and H (closed since)
    assert found[("10", "categories-visited-within-interval")] == Decimal("0.00")
    assert found[("36", "categories-visited-within-interval")] == Decimal("0.00")
    assert found[("10", "regions-visited-within-interval")] == Decimal("33.33")
    assert found[("36", "regions-without-visit")] == Decimal(2)  # South and East


def test_a_category_is_fully_covered_when_every_open_place_is(world):
    Place.objects.filter(name="G").update(last_visit_on=dt.date(2022, 1, 1))

    assert figures(world)[("10", "categories-visited-within-interval")] == Decimal("50.00")


def test_a_visit_after_the_period_does_not_cover_it_and_no_inventory_is_no_data(world, personas):
    visit(Place.objects.get(name="G"), personas["head"], dt.date(2025, 1, 10))
    assert figures(world)[("9", "places-visited-within-interval")] == Decimal("42.86")

    Visit.objects.all().delete()
    Place.objects.all().delete()
    found = figures(world)
    assert coverage_breakdown(world) is None
    assert found[("9", "places-in-inventory")] is None
    assert found[("10", "places-visited-within-interval")] is None
    assert found[("36", "regions-without-visit")] is None
