"""The year-end view's four answers on a small hand-built year (2025), counted by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from habeas.places.models import Place
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.recommendations.models import (
    Implementation,
    Recommendation,
    Response,
    ResponseStatus,
    Verification,
)
from habeas.strategy import selectors, yearend
from habeas.strategy.models import ActivityKind
from habeas.strategy.tests.factories_plan import make_activity, make_line, make_objective, visit_at
from habeas.visits.models import Visit

pytestmark = pytest.mark.django_db
D = Decimal
day = dt.date


def _recommendation(head, n, *, sent_on=None, implementation="", visit=None):
    return Recommendation.objects.create(
        reference=f"R-T-{n}",
        text="Give every detainee a mattress.",
        state=Recommendation.State.SENT if sent_on else Recommendation.State.DRAFT,
        sent_on=sent_on,
        implementation=implementation,
        visit=visit,
        created_by=head,
    )


def _verify(head, recommendation, on):
    response = Response.objects.create(
        recommendation=recommendation,
        status=ResponseStatus.ACCEPTED,
        responded_on=on,
        recorded_by=head,
    )
    Verification.objects.create(
        recommendation=recommendation,
        status=Implementation.ACHIEVED,
        verified_on=on,
        evidence=Verification.Evidence.RESPONSE,
        response=response,
        recorded_by=head,
    )


@pytest.fixture
def world(personas):
    """Six places in two regions (r1, r2):

    police P1 (r1) visited March 2025 · police P2 (r1) visited 2021 and October 2025 ·
    police P3 (r2) never visited · prison J1 (r2) visited June 2022 (inventory says 2020) ·
    social care S1 (r2) no visit, inventory records 1 Feb 2021 · juvenile K1 (r2) closed
    in June 2024 (left out of 2025). S1 also has an unannounced visit still planned for
    September 2025: not a visit that took place.
    """
    head = personas["head"]
    police = CategoryFactory(code="police-custody")
    prison = CategoryFactory(code="prison-remand")
    social = CategoryFactory(code="social-care")
    juvenile = CategoryFactory(code="juvenile")
    r1, r2 = RegionFactory(name="North"), RegionFactory(name="South")
    p1 = PlaceFactory(category=police, region=r1)
    p2 = PlaceFactory(category=police, region=r1)
    PlaceFactory(category=police, region=r2)  # P3
    j1 = PlaceFactory(category=prison, region=r2, last_visit_on=day(2020, 1, 1))
    s1 = PlaceFactory(category=social, region=r2, last_visit_on=day(2021, 2, 1))
    PlaceFactory(
        category=juvenile, region=r2, status=Place.Status.CLOSED, closed_on=day(2024, 6, 1)
    )
    visit_at(p1, head, day(2025, 3, 10), day(2025, 3, 11))
    visit_at(p2, head, day(2021, 5, 4))
    visit_at(p2, head, day(2025, 10, 1))
    visit_at(j1, head, day(2022, 6, 7))
    secret = visit_at(s1, head, day(2025, 9, 1), state=Visit.State.PLANNED, announced=False)
    return {
        "police": police,
        "prison": prison,
        "social": social,
        "juvenile": juvenile,
        "r1": r1,
        "r2": r2,
        "secret": secret,
        "s1": s1,
    }


def test_neglected_categories_and_regions(personas, world):
    rows = yearend.neglected(personas["head"], 2025)
    found = [(r.scope, r.name, r.places, r.last_visit) for r in rows]
    # Social care: only the inventory's 2021 date; prison: the 2022 visit beats the
    # inventory's 2020; police had visits in 2025; juvenile's only place closed in 2024.
    # South: P3 never, J1 2022, S1 2021 -> latest 2022. North: visited in 2025.
    assert found == [
        ("category", world["social"].name, 1, day(2021, 2, 1)),
        ("category", world["prison"].name, 1, day(2022, 6, 7)),
        ("region", "South", 3, day(2022, 6, 7)),
    ]


def test_neglect_at_an_earlier_year_end_ignores_later_visits(personas, world):
    # At the end of 2023 (window 2021-2023): police had P2's 2021 visit; prison 2022;
    # social care 2021 (inventory); North had P2 2021; South J1 2022. Only the juvenile
    # centre, still open at the end of 2023 and never visited, is neglected.
    rows = yearend.neglected(personas["head"], 2023)
    assert [(r.scope, r.name, r.last_visit) for r in rows] == [
        ("category", world["juvenile"].name, None)
    ]
    # At the end of 2020 (window 2018-2020) the 2021 and 2022 visits had not happened;
    # only J1's inventory date (2020) counts.
    names = {(r.scope, r.name) for r in yearend.neglected(personas["head"], 2020)}
    assert names == {
        ("category", world["police"].name),
        ("category", world["social"].name),
        ("category", world["juvenile"].name),
        ("region", "North"),
    }


def test_neglected_places_list_oldest_first(personas, world):
    rows = yearend.neglected_places(personas["head"], 2025, region=world["r2"].pk)
    assert [(place.category.code, last) for place, last in rows] == [
        ("police-custody", None),
        ("social-care", day(2021, 2, 1)),
        ("prison-remand", day(2022, 6, 7)),
    ]


def test_shares_flag_nothing_when_too_few_visits_are_expected(personas, world):
    found = yearend.shares(personas["head"], 2025)
    # Five places open during 2025 (K1 closed in 2024); two visits took place (P1, P2).
    assert (found.places, found.visits) == (5, 2)
    by_name = {
        r.name: (r.places, r.places_share, r.visits, r.visits_share, r.expected, r.flagged)
        for r in found.categories
    }
    # Expected visits = share of the places × 2: below 2 everywhere but police (1.2,
    # 0.4, 0.4): nothing is flagged, although prison and social care got none.
    assert by_name == {
        world["police"].name: (3, D("60.0"), 2, D("100.0"), D("1.2"), False),
        world["prison"].name: (1, D("20.0"), 0, D("0.0"), D("0.4"), False),
        world["social"].name: (1, D("20.0"), 0, D("0.0"), D("0.4"), False),
    }
    by_region = {r.name: (r.places_share, r.visits_share, r.flagged) for r in found.regions}
    assert by_region == {
        "North": (D("40.0"), D("100.0"), False),
        "South": (D("60.0"), D("0.0"), False),
    }


def test_shares_flag_a_real_shortfall_flagged_first(personas, world):
    head = personas["head"]
    p1 = Place.objects.filter(category=world["police"], region=world["r1"]).order_by("pk")[0]
    for month in (4, 5, 6, 7):
        visit_at(p1, head, day(2025, month, 2))
    found = yearend.shares(head, 2025)
    assert found.visits == 6
    # South holds 3 of the 5 places: 3.6 visits expected, none had -> flagged. Prison and
    # social care: 1.2 expected, under 2 -> not flagged. North: 2.4 expected, had 6.
    assert [(r.name, r.expected, r.flagged) for r in found.regions] == [
        ("South", D("3.6"), True),
        ("North", D("2.4"), False),
    ]
    assert [r.flagged for r in found.categories] == [False, False, False]
    assert yearend.is_flagged(3, 5, 1, 6) is True  # 1 < 3.6 / 2
    assert yearend.is_flagged(3, 5, 2, 6) is False  # 2 >= 1.8


def test_the_year_end_tells_recorded_visits_from_the_inventorys_dates(personas, world, client_for):
    # S1's inventory says it was visited in 2025, a visit Habeas does not record.
    Place.objects.filter(pk=world["s1"].pk).update(last_visit_on=day(2025, 2, 1))
    found = yearend.shares(personas["head"], 2025)
    assert (found.visits, found.places_visited, found.places_kept_only) == (2, 2, 1)
    page = client_for(personas["head"]).get("/strategy/year-end/?year=2025").content.decode()
    assert "2 visits recorded in Habeas took place in 2025" in page
    assert "(at 2 places)." in page
    assert "The inventory also dates the last visit of 1 other place in 2025" in page
    # Nothing flagged: the rule is stated and the rows sit in a collapsed <details>.
    assert "No category or region is flagged." in page
    assert "should have had at least 2 visits" in page
    assert '<details class="year-end-shares-rest">' in page
    # The sub-navigation links every strategy page.
    for name in ("index", "budget", "year_end", "policy_list", "training"):
        assert f'href="{reverse("strategy:" + name)}' in page


def test_a_visits_activity_limited_to_a_region_counts_its_districts(personas, world):
    head = personas["head"]
    district = RegionFactory(name="North-East", parent=world["r1"])
    place = PlaceFactory(category=world["police"], region=district)
    visit_at(place, head, day(2025, 5, 5), day(2025, 5, 6))  # 2 days x 1 = 2
    activity = make_activity(head, make_objective(head), regions=[world["r1"]])
    # North: P1 (2 days) + P2 (1 day) + the district's place (2 days) = 5 staff-days.
    assert selectors.activity_spent_staff_days(activity) == D("5")
    assert selectors.covered_visits(activity).count() == 3
    # The neglected list of North shows the district's place too.
    rows = yearend.neglected_places(head, 2025, region=world["r1"].pk)
    assert place in [p for p, _last in rows]


def test_recommendations_issued_and_achieved(personas, world, make_user):
    head, comms = personas["head"], personas["comms"]
    r1 = _recommendation(head, 1, sent_on=day(2025, 2, 1), implementation=Implementation.ACHIEVED)
    _verify(head, r1, day(2025, 9, 1))
    _recommendation(
        head, 2, sent_on=day(2025, 5, 1), implementation=Implementation.PARTIALLY_ACHIEVED
    )
    _recommendation(head, 3, sent_on=day(2025, 6, 1))
    r4 = _recommendation(head, 4, sent_on=day(2024, 3, 1), implementation=Implementation.ACHIEVED)
    _verify(head, r4, day(2025, 4, 1))
    _recommendation(head, 5)  # a draft: not issued
    # Tied to the unannounced visit still planned: the head sees it, comms does not.
    _recommendation(head, 6, sent_on=day(2025, 7, 1), visit=world["secret"])
    figures = yearend.recommendation_figures(head, 2025)
    assert (figures.issued, figures.achieved, figures.partly, figures.achieved_in_year) == (
        4,
        1,
        1,
        2,
    )
    assert figures.achieved_share == D("25.0")
    assert yearend.recommendation_figures(comms, 2025).issued == 3


def test_year_end_money_and_days(personas, world, make_user):
    head = personas["head"]
    objective = make_objective(head)
    # Covers the two 2025 visits: P1 2 days × 1 (the lead) + P2 1 day × 1 = 3.
    make_activity(head, objective, planned_staff_days=D("10"))
    make_activity(
        head,
        objective,
        kind=ActivityKind.AWARENESS,
        planned_staff_days=4,
        spent_staff_days=D("2.5"),
    )
    make_line(head, planned=D("1000"), spent=D("400"))
    make_line(head, kind=ActivityKind.AWARENESS, label="Leaflets", planned=D("200"), spent=D("250"))
    answers = selectors.year_end(head, 2025)
    rows = {r.kind: r for r in answers.kinds}
    assert (rows["visits"].days_planned, rows["visits"].days_spent) == (D("10"), D("3"))
    assert (rows["awareness"].money_spent, rows["awareness"].execution) == (D("250"), D("125.0"))
    assert (answers.money_planned, answers.money_spent) == (D("1200"), D("650"))
    assert answers.money_execution == D("54.2")
    assert (answers.days_planned, answers.days_spent) == (D("14"), D("5.5"))
    assert "<svg" in answers.money_chart() and "Leaflets" not in answers.money_chart()
