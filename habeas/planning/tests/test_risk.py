"""The risk model's factors, each on hand-built places (¶10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from habeas.cases.models import RegisterEntry, ReprisalWatch
from habeas.cases.tests.factories import grant, make_watch
from habeas.intake.models import Action, Submission
from habeas.intake.selectors import place_signal
from habeas.intake.tests.factories import make_submission
from habeas.places.models import Place
from habeas.places.tests.factories import (
    CategoryFactory,
    PlaceFactory,
    PopulationGroupFactory,
    PopulationRecordFactory,
)
from habeas.planning import risk
from habeas.planning.models import DEFAULT_WEIGHTS, Factor, RiskWeights
from habeas.recommendations.models import Implementation, Priority, Recommendation
from habeas.recommendations.tests.factories import make_sent
from habeas.visits.models import Difficulty, Visit
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)
WEIGHTS = {str(name): weight for name, weight in DEFAULT_WEIGHTS.items()}


def months_ago(months: float) -> dt.date:
    return TODAY - dt.timedelta(days=round(months * risk.MONTH_DAYS))


@pytest.fixture
def head(make_user):
    return make_user("head")


@pytest.fixture
def category():
    return CategoryFactory(code="risk-test", max_interval_months=48, inherent_risk=4)


@pytest.fixture
def place(category):
    return PlaceFactory(category=category, capacity=100)


def score_of(place, viewer=None, weights=None):
    scores = risk.compute(
        place_ids=[place.pk], today=TODAY, weights=weights or WEIGHTS, viewer=viewer
    )
    return scores[place.pk]


def factor_of(place, name, viewer=None):
    found = score_of(place, viewer).factor(name)
    assert found is not None
    return found


def visit(head, place, months, kind=Visit.Kind.IN_DEPTH, state=Visit.State.CLOSED):
    day = months_ago(months)
    return make_visit(head, place, kind=kind, starts_on=day, ends_on=day, state=state)


# -- occupancy -------------------------------------------------------------------------------


def test_it_counts_occupancy_over_capacity_from_the_latest_count(place):
    PopulationRecordFactory(place=place, recorded_on=dt.date(2025, 1, 1), population=250)
    PopulationRecordFactory(place=place, recorded_on=dt.date(2026, 3, 1), population=130)

    factor = factor_of(place, Factor.OCCUPANCY)

    assert factor.value == pytest.approx(1.3)
    assert factor.strength == pytest.approx(0.3)
    assert factor.points == pytest.approx(15 * 0.3)
    assert not factor.missing
    assert factor.text == "Holds 130 people for 100 places (130 %), counted on 2026-03-01."


def test_it_gives_full_strength_at_twice_the_capacity_and_none_under_it(category):
    full = PlaceFactory(category=category, capacity=50)
    under = PlaceFactory(category=category, capacity=50)
    PopulationRecordFactory(place=full, population=140)
    PopulationRecordFactory(place=under, population=30)

    assert factor_of(full, Factor.OCCUPANCY).strength == 1.0
    assert factor_of(under, Factor.OCCUPANCY).points == 0.0


def test_it_says_occupancy_is_not_counted_without_a_count_or_a_capacity(category):
    no_count = PlaceFactory(category=category, capacity=100)
    no_capacity = PlaceFactory(category=category, capacity=None)
    PopulationRecordFactory(place=no_capacity, population=300)

    for place, words in ((no_count, "No count of the people held"), (no_capacity, "No capacity")):
        factor = factor_of(place, Factor.OCCUPANCY)
        assert factor.missing and factor.value is None and factor.points == 0
        assert factor.text.startswith(words) and "not counted" in factor.text
    assert Factor.OCCUPANCY in score_of(no_count).missing()


# -- time since visits ----------------------------------------------------------------------


def test_it_counts_months_since_the_last_in_depth_visit_that_took_place(head, place):
    visit(head, place, 24)
    visit(head, place, 6, kind=Visit.Kind.THEMATIC)
    visit(head, place, -1, state=Visit.State.PLANNED)  # planned: has not happened
    visit(head, place, 1, state=Visit.State.PREPARED)  # prepared, never carried out

    in_depth = factor_of(place, Factor.SINCE_IN_DEPTH)
    since_any = factor_of(place, Factor.SINCE_ANY)

    assert in_depth.value == pytest.approx(24, abs=0.05)
    assert in_depth.strength == pytest.approx(0.5, abs=0.01)
    assert "24 months ago" in in_depth.text and "the maximum is 48" in in_depth.text
    assert since_any.value == pytest.approx(6, abs=0.05)
    assert since_any.strength == pytest.approx(0.5, abs=0.01)


def test_it_caps_time_since_a_visit_at_the_category_maximum(head, category):
    place = PlaceFactory(category=category)
    visit(head, place, 60)

    assert factor_of(place, Factor.SINCE_IN_DEPTH).strength == 1.0
    assert factor_of(place, Factor.SINCE_ANY).strength == 1.0


def test_it_says_a_place_never_visited_counts_in_full(place):
    in_depth = factor_of(place, Factor.SINCE_IN_DEPTH)
    since_any = factor_of(place, Factor.SINCE_ANY)

    assert in_depth.strength == 1.0 and in_depth.value is None and not in_depth.missing
    assert in_depth.text.startswith("No in-depth visit on record")
    assert since_any.strength == 1.0 and since_any.text == "No visit of any kind on record."


def test_it_takes_the_last_visit_recorded_on_the_place_for_any_visit(place):
    Place.objects.filter(pk=place.pk).update(last_visit_on=months_ago(3))

    assert factor_of(place, Factor.SINCE_ANY).value == pytest.approx(3, abs=0.05)
    assert factor_of(place, Factor.SINCE_IN_DEPTH).value is None


# -- recommendations -------------------------------------------------------------------------


def test_it_counts_key_and_urgent_recommendations_past_deadline_not_achieved(head, place):
    counted = [
        make_sent(head, place=place, priority=Priority.KEY),
        make_sent(head, place=place, priority=Priority.URGENT),
    ]
    general = make_sent(head, place=place, priority=Priority.GENERAL)
    achieved = make_sent(head, place=place, priority=Priority.KEY)
    future = make_sent(head, place=place, priority=Priority.KEY)
    past = TODAY - dt.timedelta(days=10)
    Recommendation.objects.filter(pk__in=[r.pk for r in [*counted, general, achieved]]).update(
        deadline=past
    )
    Recommendation.objects.filter(pk=achieved.pk).update(implementation=Implementation.ACHIEVED)
    Recommendation.objects.filter(pk=future.pk).update(deadline=TODAY + dt.timedelta(days=10))

    factor = factor_of(place, Factor.OVERDUE_RECOMMENDATIONS)

    assert factor.value == 2
    assert factor.strength == pytest.approx(2 / 3)
    assert (
        factor.text == "2 key or urgent recommendations are past their deadline and not achieved."
    )


# -- allegations, watches, submissions ----------------------------------------------------------


def _entry(head, place, **dates):
    return RegisterEntry.objects.create(
        reference=f"A-{RegisterEntry.objects.count() + 1}", place=place, created_by=head, **dates
    )


def test_it_counts_allegations_dated_after_the_last_visit(head, place):
    visit(head, place, 12, kind=Visit.Kind.FOLLOW_UP)
    _entry(head, place, complaint_on=months_ago(13))  # before the visit
    _entry(head, place, complaint_on=months_ago(2), alleged_on=months_ago(20))  # lodged after
    _entry(head, place, alleged_on=months_ago(1))  # only the date of the acts
    _entry(head, PlaceFactory(), complaint_on=months_ago(1))  # another place

    factor = factor_of(place, Factor.ALLEGATIONS)

    assert factor.value == 2
    assert factor.strength == pytest.approx(2 / 3)
    assert "since the last visit on" in factor.text


def test_it_counts_allegations_of_the_last_four_years_for_a_place_never_visited(head, place):
    _entry(head, place, complaint_on=months_ago(60))
    for months in (1, 2, 3, 4):
        _entry(head, place, complaint_on=months_ago(months))

    factor = factor_of(place, Factor.ALLEGATIONS)

    assert factor.value == 4 and factor.strength == 1.0
    assert "never visited" in factor.text


def test_it_counts_submissions_since_the_last_visit_as_the_intake_signal_does(head, place):
    last = visit(head, place, 6, kind=Visit.Kind.AD_HOC)
    days = [months_ago(8), months_ago(3), months_ago(2), months_ago(1)]
    for day in days:
        submission, _receipt = make_submission(place=place)
        Submission.objects.filter(pk=submission.pk).update(received_on=day)
    outside, _receipt = make_submission(place=place)
    Submission.objects.filter(pk=outside.pk).update(
        received_on=months_ago(1), action=Action.OUTSIDE_MANDATE
    )

    factor = factor_of(place, Factor.SUBMISSIONS)

    signal = place_signal(place_ids=[place.pk], since=last.ends_on + dt.timedelta(days=1))
    assert factor.value == signal[place.pk] == 3
    assert factor.strength == pytest.approx(3 / 5)


def test_it_counts_open_reprisal_watches_for_the_system(head, place):
    make_watch(head, place)
    make_watch(head, place)
    closed = make_watch(head, place)
    ReprisalWatch.objects.filter(pk=closed.pk).update(status=ReprisalWatch.Status.CLOSED)

    factor = factor_of(place, Factor.WATCHES)

    assert factor.value == 2 and factor.strength == 1.0 and not factor.hidden
    assert factor.points == DEFAULT_WEIGHTS[Factor.WATCHES]


def test_it_masks_watches_from_a_viewer_not_granted_on_every_one(head, make_user, place):
    granted, ungranted = make_user("monitor"), make_user("monitor")
    watch = make_watch(head, place)
    grant(head, watch, granted)

    for_granted = score_of(place, viewer=granted)
    for_ungranted = score_of(place, viewer=ungranted)

    shown = for_granted.factor(Factor.WATCHES)
    masked = for_ungranted.factor(Factor.WATCHES)
    assert shown is not None and masked is not None
    assert not shown.hidden and shown.value == 1
    assert masked.hidden and masked.value is None and masked.detail == {}
    assert "confidential records" in masked.text and "1" not in masked.text
    # The total is the same for everyone: the programme sees the whole risk.
    assert for_granted.score == for_ungranted.score == score_of(place).score


def test_it_does_not_mask_a_place_without_watches(make_user, place):
    factor = factor_of(place, Factor.WATCHES, viewer=make_user("monitor"))

    assert not factor.hidden and factor.value == 0


# -- groups, category, difficulties ------------------------------------------------------------


def test_it_counts_vulnerable_groups_held(category):
    groups = [
        PopulationGroupFactory(code="risk-women", vulnerable=True),
        PopulationGroupFactory(code="risk-children", vulnerable=True),
        PopulationGroupFactory(code="risk-adults", vulnerable=False),
    ]
    place = PlaceFactory(category=category, groups=groups)

    factor = factor_of(place, Factor.VULNERABLE)

    assert factor.value == 2 and factor.strength == pytest.approx(2 / 3)
    assert "of 3 recorded" in factor.text


def test_it_says_vulnerable_groups_are_not_counted_without_groups_recorded(place):
    factor = factor_of(place, Factor.VULNERABLE)

    assert factor.missing and factor.points == 0
    assert factor.text == "No groups held recorded, so vulnerable groups are not counted."


def test_it_takes_the_category_inherent_risk_out_of_five(place):
    factor = factor_of(place, Factor.CATEGORY)

    assert factor.value == 4 and factor.strength == pytest.approx(0.8)
    assert factor.points == pytest.approx(8.0)


def test_it_counts_difficulties_met_on_visits_of_the_last_four_years(head, place):
    recent = visit(head, place, 10)
    old = visit(head, place, 60)
    for record, months in ((recent, 10), (old, 60)):
        Difficulty.objects.create(
            visit=record,
            kind=Difficulty.Kind.ACCESS_DELAYED,
            occurred_at=timezone.make_aware(dt.datetime.combine(months_ago(months), dt.time(9))),
            description="Kept waiting at the gate",
            recorded_by=head,
        )

    factor = factor_of(place, Factor.DIFFICULTIES)

    assert factor.value == 1 and factor.strength == pytest.approx(0.5)


def test_it_says_difficulties_are_not_counted_without_a_recent_visit(head, place):
    visit(head, place, 60)

    factor = factor_of(place, Factor.DIFFICULTIES)

    assert factor.missing and "No visit in the last 48 months" in factor.text


# -- the score ---------------------------------------------------------------------------------


def test_it_adds_up_the_points_and_scores_only_open_places(head, category):
    place = PlaceFactory(category=category, capacity=100)
    closed = PlaceFactory(category=category, status=Place.Status.CLOSED)
    PopulationRecordFactory(place=place, population=150)

    scores = risk.compute(place_ids=[place.pk, closed.pk], today=TODAY, weights=WEIGHTS)

    assert set(scores) == {place.pk}
    scored = scores[place.pk]
    assert scored.score == pytest.approx(sum(f.points for f in scored.factors))
    # occupancy 7.5 + never in depth 20 + never any 5 + category 8
    assert scored.score == pytest.approx(7.5 + 20 + 5 + 8)
    assert [f.factor for f in scored.factors] == Factor.values
    assert [f.factor for f in scored.top(3)] == [
        Factor.SINCE_IN_DEPTH,
        Factor.CATEGORY,
        Factor.OCCUPANCY,
    ]


def test_it_follows_the_weights_given(place):
    weights = {**WEIGHTS, Factor.CATEGORY: 50.0, Factor.SINCE_IN_DEPTH: 0.0}

    scored = score_of(place, weights=weights)

    category = scored.factor(Factor.CATEGORY)
    in_depth = scored.factor(Factor.SINCE_IN_DEPTH)
    assert category is not None and category.points == pytest.approx(40.0)
    assert in_depth is not None and in_depth.strength == 1.0 and in_depth.points == 0.0


def test_it_reads_many_places_in_the_same_few_queries(head, category, make_user):
    viewer = make_user("monitor")
    risk.compute(place_ids=None, today=TODAY, weights=WEIGHTS, viewer=viewer)  # warm caches

    def queries(count):
        for _index in range(count):
            place = PlaceFactory(category=category)
            PopulationRecordFactory(place=place, population=120)
            visit(head, place, 5)
        with CaptureQueriesContext(connection) as captured:
            risk.compute(place_ids=None, today=TODAY, weights=WEIGHTS, viewer=viewer)
        return len(captured)

    assert queries(2) == queries(20) <= 15


def test_it_saves_the_default_weights_as_version_one_once():
    first = risk.current_weights()
    again = risk.current_weights()

    assert first.pk == again.pk and first.number == 1
    assert RiskWeights.objects.count() == 1
    assert risk.weights_of(first.weights) == WEIGHTS


def test_it_describes_every_factor_with_its_rule():
    for name in Factor.values:
        assert risk.rule(name)
