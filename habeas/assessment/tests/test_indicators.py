"""The indicator registry: unfilled slots say "no data", filled ones show their figure,
and Habeas computes nothing for another NPM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from habeas.assessment import framework_io, indicators
from habeas.assessment.indicators import indicator, indicator_snapshot, indicator_values
from habeas.assessment.models import Assessment, FrameworkVersion, IndicatorValue, Organisation
from habeas.assessment.tests.factories import AssessmentFactory, OrganisationFactory
from habeas.places.models import Category, Place
from habeas.places.tests.factories import PlaceFactory

END = dt.date(2024, 12, 31)


@pytest.fixture
def spt(db) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__code=framework_io.SPT_CODE)


@pytest.fixture
def self_assessment(spt):
    return AssessmentFactory(framework_version=spt, period_end=END)


@pytest.fixture
def registered():
    """Keys registered by a test are removed afterwards."""
    keys: list[str] = []
    yield keys
    for key in keys:
        indicators._registry.pop(key, None)


def reading(assessment: Assessment, key: str) -> indicators.IndicatorReading:
    [first, *_] = [r for r in indicator_values(assessment=assessment) if r.slot.key == key]
    return first


def category(months: int) -> Category:
    return Category.objects.create(
        code=f"test-{months}", name=f"{months} months", max_interval_months=months
    )


def test_it_shows_an_unfilled_slot_as_no_data_never_zero(db):
    assessment = AssessmentFactory()  # the factory's framework: one unregistered slot
    [only] = indicator_values(assessment=assessment)
    slot, value, filled = only
    assert (slot.key, value, filled) == ("test-budget-share", None, False)
    assert only.display == "no data in Habeas yet"


def test_it_fills_a_slot_from_the_function_registered_under_its_key(db, registered):
    registered.append("test-budget-share")

    @indicator("test-budget-share")
    def budget_share(assessment: Assessment) -> Decimal | None:
        return Decimal("87.50")

    [only] = indicator_values(assessment=AssessmentFactory())
    assert (only.value, only.filled, only.display) == (Decimal("87.50"), True, "87.5")


def test_it_shows_no_data_when_the_function_finds_none(db, registered):
    registered.append("test-budget-share")
    indicator("test-budget-share")(lambda assessment: None)
    [only] = indicator_values(assessment=AssessmentFactory())
    assert (only.value, only.filled) == (None, False)


def test_it_refuses_two_functions_for_one_key(db, registered):
    registered.append("test-twice")

    @indicator("test-twice")
    def first(assessment: Assessment) -> Decimal | None:
        return None

    with pytest.raises(ValueError, match="already filled"):

        @indicator("test-twice")
        def second(assessment: Assessment) -> Decimal | None:
            return None


def test_it_counts_the_places_open_at_the_end_of_the_period(self_assessment):
    assert reading(self_assessment, "places-in-inventory").filled is False  # empty inventory
    PlaceFactory.create_batch(3)
    PlaceFactory(status=Place.Status.CLOSED, closed_on=dt.date(2024, 6, 1))
    PlaceFactory(status=Place.Status.CLOSED, closed_on=dt.date(2025, 2, 1))
    figures = {
        (r.slot.criterion.ref, r.slot.key): r.value
        for r in indicator_values(assessment=self_assessment)
    }
    assert figures[("9", "places-in-inventory")] == Decimal(4)
    assert figures[("36", "places-in-inventory")] == Decimal(4)


def test_it_computes_the_share_of_places_visited_within_their_categorys_interval(self_assessment):
    yearly, four_yearly = category(12), category(48)
    PlaceFactory(category=yearly, last_visit_on=dt.date(2024, 3, 1))  # within
    PlaceFactory(category=yearly, last_visit_on=dt.date(2023, 12, 31))  # exactly 12 months
    PlaceFactory(category=yearly, last_visit_on=dt.date(2023, 12, 30))  # one day too old
    PlaceFactory(category=yearly, last_visit_on=None)  # never visited
    PlaceFactory(category=yearly, last_visit_on=dt.date(2025, 1, 15))  # after the period
    PlaceFactory(category=four_yearly, last_visit_on=dt.date(2021, 1, 1))  # within 48 months
    PlaceFactory(category=yearly, status=Place.Status.CLOSED, closed_on=dt.date(2024, 1, 1))
    share = reading(self_assessment, "places-visited-within-interval")
    assert (share.value, share.filled) == (Decimal("50.00"), True)  # 3 of 6 open places


def test_it_computes_nothing_for_another_npms_assessment(spt):
    PlaceFactory.create_batch(2, last_visit_on=dt.date(2024, 6, 1))
    assessor = OrganisationFactory(kind=Organisation.Kind.SPT, name="SPT")
    other = AssessmentFactory(
        framework_version=spt, subject=OrganisationFactory(), made_by=assessor
    )
    assert [r for r in indicator_values(assessment=other) if r.filled] == []


def test_it_shows_a_final_assessments_frozen_figures_not_todays(self_assessment):
    PlaceFactory.create_batch(2)
    IndicatorValue.objects.bulk_create(indicator_snapshot(assessment=self_assessment))
    Assessment.objects.filter(pk=self_assessment.pk).update(state=Assessment.State.FINAL)
    self_assessment.refresh_from_db()
    PlaceFactory.create_batch(5)
    assert reading(self_assessment, "places-in-inventory").value == Decimal(2)
    assert reading(self_assessment, "places-visited-within-interval").value == Decimal("0.00")
    assert reading(self_assessment, "public-submissions-received").filled is False


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("299.00"), "299"),
        (Decimal("296"), "296"),
        (Decimal("0.00"), "0"),
        (Decimal("33.33"), "33.33"),
        (Decimal("12.50"), "12.5"),
        (Decimal("66.666"), "66.67"),
        (Decimal("-1.50"), "-1.5"),
        (None, None),
    ],
)
def test_figures_print_whole_numbers_bare_and_shares_to_two_decimals(value, shown):
    assert indicators.format_value(value) == shown


def test_a_frozen_count_prints_like_a_computed_one(self_assessment):
    PlaceFactory.create_batch(2)
    computed = reading(self_assessment, "places-in-inventory").display
    IndicatorValue.objects.bulk_create(indicator_snapshot(assessment=self_assessment))
    Assessment.objects.filter(pk=self_assessment.pk).update(state=Assessment.State.FINAL)
    self_assessment.refresh_from_db()
    frozen = reading(self_assessment, "places-in-inventory")
    assert frozen.value == Decimal("2.00")  # stored with two decimals
    assert (computed, frozen.display) == ("2", "2")
    change = indicators.IndicatorChange("10", "Places", "", Decimal("299.00"), Decimal("296"))
    assert (change.before_shown, change.after_shown, change.delta_shown) == ("299", "296", "-3")


def test_it_snapshots_only_the_slots_that_have_data(self_assessment):
    PlaceFactory()
    keys = {value.slot.key for value in indicator_snapshot(assessment=self_assessment)}
    # One open place, never visited, in one category and one region.
    assert keys == {
        "places-in-inventory",
        "places-visited",
        "places-visited-within-interval",
        "categories-visited-within-interval",
        "regions-visited-within-interval",
        "regions-without-visit",
    }


def test_it_can_limit_the_figures_to_one_criterion(self_assessment):
    paragraph_10 = self_assessment.framework_version.criteria.get(ref="10")
    keys = [
        r.slot.key for r in indicator_values(assessment=self_assessment, criterion=paragraph_10)
    ]
    assert sorted(keys) == [
        "categories-visited-within-interval",
        "places-visited",
        "places-visited-within-interval",
        "regions-visited-within-interval",
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 12, 31), 12, dt.date(2023, 12, 31)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 1, 15), 48, dt.date(2020, 1, 15)),
        (dt.date(2024, 5, 31), 0, dt.date(2024, 5, 31)),
    ],
)
def test_it_counts_months_back_from_the_end_of_the_period(day, months, expected):
    assert indicators.months_before(day, months) == expected
