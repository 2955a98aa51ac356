"""The tracker's filters and figures (¶5, 34, 38): each filter keeps exactly its records,
the rates count what the reader sees, and every number traces back to its records."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

import pytest
import time_machine
from django.http import QueryDict

from habeas.places.models import Authority
from habeas.places.tests.factories import (
    AuthorityFactory,
    CategoryFactory,
    PlaceFactory,
    RegionFactory,
)
from habeas.recommendations import selectors, services
from habeas.recommendations.forms_tracker import tracker_filters
from habeas.recommendations.models import Implementation, Origin, Priority, ResponseStatus
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.visits.tests.factories import add_member, make_visit

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


def answer(actor, recommendation, status, on):
    return services.response_record(
        actor=actor, recommendation=recommendation, status=status, responded_on=on
    )


def verify(actor, recommendation, status, on):
    """Verify with a response as evidence (recording one first if there is none)."""
    response = recommendation.responses.first() or answer(
        actor, recommendation, ResponseStatus.ACCEPTED, recommendation.sent_on
    )
    return services.verification_record(
        actor=actor,
        recommendation=recommendation,
        status=status,
        verified_on=on,
        evidence="response",
        response=response,
    )


def achieved_after(actor, sent_on, days, **fields):
    recommendation = make_sent(actor, sent_on=sent_on, **fields)
    verify(actor, recommendation, Implementation.ACHIEVED, sent_on + dt.timedelta(days=days))
    return recommendation


def references(user, **filters):
    rows = selectors.tracker_list(user=user, filters=filters, today=TODAY)
    return {row.reference for row in rows}


def traced(user, trace):
    """The records a figure's link lists: its query string read back as the page reads it."""
    filters = tracker_filters(QueryDict(urlencode(trace)), user=user)
    return selectors.tracker_records(user=user, filters=filters, today=TODAY)


# -- filters ----------------------------------------------------------------------------------


@pytest.fixture
def world(personas):
    head = personas["head"]
    north = RegionFactory(code="N", name="North")
    north_district = RegionFactory(code="N-1", name="North district", parent=north)
    south = RegionFactory(code="S", name="South")
    prisons = CategoryFactory(code="prison-test", name="Prison (test)")
    ministry = AuthorityFactory(name="Ministry of Justice", kind=Authority.Kind.MINISTRY)
    police = AuthorityFactory(name="Police directorate", kind=Authority.Kind.SUPERVISORY)
    prison = PlaceFactory(name="Northgate prison", region=north_district, category=prisons)
    station = PlaceFactory(name="South police station", region=south)
    rows = {
        "draft": make_recommendation(head, place=prison, addressee=ministry, theme="health"),
        "accepted": make_sent(
            head,
            sent_on=dt.date(2024, 3, 1),
            place=prison,
            addressee=ministry,
            theme="health",
            priority=Priority.KEY,
            deadline=dt.date(2025, 1, 1),
            text="Provide a doctor every weekday.",
        ),
        "rejected": make_sent(
            head,
            sent_on=dt.date(2025, 2, 1),
            place=station,
            addressee=police,
            theme="safeguards",
            priority=Priority.GENERAL,
            deadline=dt.date(2027, 1, 1),
            origin=Origin.SPT,
        ),
        "achieved": make_sent(
            head,
            sent_on=dt.date(2025, 5, 1),
            place=station,
            addressee=police,
            theme="conditions",
            priority=Priority.URGENT,
            deadline=dt.date(2025, 6, 1),
        ),
        "awaiting": make_sent(
            head,
            sent_on=dt.date(2026, 1, 10),
            place=None,
            addressee=ministry,
            theme="staff",
            deadline=dt.date(2026, 3, 1),
        ),
    }
    answer(head, rows["accepted"], ResponseStatus.PARTIALLY_ACCEPTED, dt.date(2024, 4, 1))
    # Verified with an "accepted" response as its evidence (see `verify`).
    answer(head, rows["rejected"], ResponseStatus.REJECTED, dt.date(2025, 3, 1))
    verify(head, rows["achieved"], Implementation.ACHIEVED, dt.date(2025, 9, 1))
    verify(head, rows["accepted"], Implementation.NOT_ACHIEVED, dt.date(2025, 6, 1))
    refs = {name: row.reference for name, row in rows.items()}
    return {
        "head": head,
        "refs": refs,
        "north": north,
        "south": south,
        "prison": prison,
        "ministry": ministry,
        "prisons": prisons,
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"draft", "accepted", "rejected", "achieved", "awaiting"}),
        ({"theme": "health"}, {"draft", "accepted"}),
        ({"origin": Origin.SPT}, {"rejected"}),
        ({"priority": Priority.URGENT}, {"achieved"}),
        ({"state": "draft"}, {"draft"}),
        ({"state": "sent"}, {"accepted", "rejected", "achieved", "awaiting"}),
        ({"response": "partially_accepted"}, {"accepted"}),
        ({"response": "accepted"}, {"achieved"}),
        ({"response": "accepted_any"}, {"accepted", "achieved"}),
        ({"response": "rejected"}, {"rejected"}),
        ({"response": "awaiting"}, {"awaiting"}),
        ({"implementation": "achieved"}, {"achieved"}),
        ({"implementation": "not_achieved"}, {"accepted"}),
        ({"implementation": "not_verified"}, {"rejected", "awaiting"}),
        # Past its deadline and not settled: not the draft, not the achieved one.
        ({"overdue": "yes"}, {"accepted", "awaiting"}),
        ({"year": 2025}, {"rejected", "achieved"}),
        ({"q": "doctor weekday"}, {"accepted"}),
        ({"q": "doctor nothing-like-this"}, set()),
    ],
)
def test_it_filters_by_each_attribute(world, filters, expected):
    assert references(world["head"], **filters) == {world["refs"][name] for name in expected}


def test_it_filters_by_place_authority_category_and_reference(world):
    head, refs = world["head"], world["refs"]

    assert references(head, place=world["prison"].pk) == {refs["draft"], refs["accepted"]}
    assert references(head, authority=world["ministry"].pk) == {
        refs["draft"],
        refs["accepted"],
        refs["awaiting"],
    }
    assert references(head, category=world["prisons"].code) == {refs["draft"], refs["accepted"]}
    assert references(head, q=refs["rejected"]) == {refs["rejected"]}


def test_a_region_includes_its_sub_regions(world):
    head, refs = world["head"], world["refs"]

    assert references(head, region=world["north"].pk) == {refs["draft"], refs["accepted"]}
    assert references(head, region=world["south"].pk) == {refs["rejected"], refs["achieved"]}


def test_filters_combine(world):
    head, refs = world["head"], world["refs"]

    assert references(head, year=2025, response="accepted") == {refs["achieved"]}
    assert references(head, theme="health", state="sent", overdue="yes") == {refs["accepted"]}


def test_the_form_ignores_bad_values(world):
    query = QueryDict("year=abc&priority=nonsense&region=999999&overdue=maybe&theme=health")

    filters = tracker_filters(query, user=world["head"])

    assert filters == {"theme": "health"}


# -- figures ------------------------------------------------------------------------------------


def test_it_counts_sent_accepted_achieved_and_overdue_per_year(world):
    figures = selectors.tracker_figures(user=world["head"], filters={}, today=TODAY)

    by_year = {row.year: row for row in figures.years}
    assert sorted(by_year) == [2024, 2025, 2026]
    y2024, y2025, y2026 = by_year[2024], by_year[2025], by_year[2026]
    assert (y2024.sent, y2024.accepted, y2024.achieved, y2024.overdue) == (1, 1, 0, 1)
    assert (y2025.sent, y2025.accepted, y2025.achieved, y2025.overdue) == (2, 1, 1, 0)
    assert (y2026.sent, y2026.accepted, y2026.achieved, y2026.overdue) == (1, 0, 0, 1)
    assert y2025.achieved_rate == 50.0
    assert y2024.accepted_rate == 100.0
    assert y2025.median_days == (dt.date(2025, 9, 1) - dt.date(2025, 5, 1)).days
    assert y2024.median_days is None
    total = figures.total
    assert (total.sent, total.accepted, total.achieved, total.overdue) == (4, 2, 1, 2)
    assert total.overdue_rate == 50.0
    assert figures.records == 5  # the draft too: the list's length


def test_the_median_of_an_odd_count_is_the_middle_value(personas):
    head = personas["head"]
    for days in (300, 10, 40, 100, 20):
        achieved_after(head, dt.date(2024, 1, 5), days)
    make_sent(head, sent_on=dt.date(2024, 1, 5))  # sent, not achieved: not counted

    figures = selectors.tracker_figures(user=head, filters={}, today=TODAY)

    assert figures.years[0].timed == 5
    assert figures.years[0].median_days == 40


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values(personas):
    head = personas["head"]
    for days in (7, 100, 31, 60):
        achieved_after(head, dt.date(2024, 2, 1), days)
    achieved_after(head, dt.date(2025, 2, 1), 1)

    figures = selectors.tracker_figures(user=head, filters={}, today=TODAY)

    by_year = {row.year: row for row in figures.years}
    assert by_year[2024].median_days == (31 + 60) / 2
    assert by_year[2025].median_days == 1
    assert by_year[2025].median_rounded == 1
    # Every year together: 1, 7, 31, 60, 100.
    assert figures.total.median_days == 31


@pytest.mark.parametrize(
    ("values", "median"),
    [
        ([], None),
        ([5], 5),
        ([3, 1, 2], 2),
        ([4, 1, 3, 2], 2.5),
        ([7, 7, 7, 1], 7),
        ([1, 1, 9, 9], 5),
        ([10, 10, 10, 20, 20, 30], 15),
    ],
)
def test_the_median_is_read_from_counts_of_each_value(values, median):
    assert selectors.median_of(Counter(values)) == median


def test_a_later_status_replaces_achieved_in_the_figures(personas):
    head = personas["head"]
    recommendation = achieved_after(head, dt.date(2024, 1, 1), 30)
    verify(head, recommendation, Implementation.PARTIALLY_ACHIEVED, dt.date(2024, 6, 1))

    figures = selectors.tracker_figures(user=head, filters={}, today=TODAY)

    assert figures.total.achieved == 0
    assert figures.total.median_days is None


def test_every_figure_traces_back_to_exactly_the_records_it_counts(world):
    head = world["head"]
    for days in (12, 200):
        achieved_after(head, dt.date(2024, 7, 1), days, theme="health")

    for filters in ({}, {"theme": "health"}, {"response": "accepted_any"}, {"overdue": "yes"}):
        figures = selectors.tracker_figures(user=head, filters=filters, today=TODAY)
        for row in [*figures.years, figures.total]:
            counted = {
                "sent": row.sent,
                "accepted": row.accepted,
                "achieved": row.achieved,
                "overdue": row.overdue,
                "median": row.timed,
            }
            for name, count in counted.items():
                trace = row.traces[name]
                if trace is None:
                    assert count == 0, (filters, row.year, name)
                    continue
                assert traced(head, trace).count() == count, (filters, row.year, name)


def test_a_trace_that_contradicts_the_filters_is_none(world):
    figures = selectors.tracker_figures(
        user=world["head"], filters={"response": "rejected"}, today=TODAY
    )

    row = figures.years[0]
    assert row.accepted == 0
    assert row.traces["accepted"] is None
    assert row.links["accepted"] is None
    assert row.traces["sent"] == {"response": "rejected", "year": str(row.year)}


def test_a_trace_narrows_a_broader_filter(world):
    figures = selectors.tracker_figures(
        user=world["head"], filters={"response": "partially_accepted"}, today=TODAY
    )

    assert figures.total.traces["accepted"] == {
        "response": "partially_accepted",
        "state": "sent",
    }
    assert figures.total.links["accepted"] == "response=partially_accepted&state=sent"


def test_a_tracker_with_nothing_sent_has_no_figures(personas):
    make_recommendation(personas["head"])

    figures = selectors.tracker_figures(user=personas["head"], filters={}, today=TODAY)

    assert figures.years == []
    assert figures.total.sent == 0
    assert figures.total.accepted_rate is None
    assert figures.records == 1


# -- who sees what --------------------------------------------------------------------------------


def test_an_expert_sees_and_counts_only_their_visits_recommendations(personas, make_user):
    head, expert = personas["head"], personas["expert"]
    theirs = make_visit(head)
    add_member(theirs, expert, head, override_reason="Terms of reference signed on paper.")
    other = make_visit(head)
    mine = make_sent(head, sent_on=dt.date(2025, 1, 10), visit=theirs)
    answer(head, mine, ResponseStatus.ACCEPTED, dt.date(2025, 2, 1))
    hidden = make_sent(head, sent_on=dt.date(2025, 1, 10), visit=other)
    answer(head, hidden, ResponseStatus.ACCEPTED, dt.date(2025, 2, 1))
    national = make_sent(head, sent_on=dt.date(2025, 1, 10))

    assert references(expert) == {mine.reference}
    figures = selectors.tracker_figures(user=expert, filters={}, today=TODAY)
    assert (figures.total.sent, figures.total.accepted, figures.records) == (1, 1, 1)
    assert traced(expert, figures.total.traces["sent"]).count() == 1
    # The head sees all three.
    assert references(head) == {mine.reference, hidden.reference, national.reference}


@pytest.mark.parametrize("persona", ["admin", "outsider"])
def test_those_without_the_tracker_see_and_count_nothing(personas, persona):
    make_sent(personas["head"], sent_on=dt.date(2025, 1, 10))

    user = personas[persona]
    figures = selectors.tracker_figures(user=user, filters={}, today=TODAY)

    assert references(user) == set()
    assert figures.records == 0
    assert figures.years == []
