"""The risk model's pages: the list, a place's breakdown and history, the weights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from habeas.cases.tests.factories import grant, make_watch
from habeas.places.models import Place
from habeas.places.tests.factories import (
    CategoryFactory,
    PlaceFactory,
    PopulationRecordFactory,
    RegionFactory,
)
from habeas.planning import risk, services_risk
from habeas.planning.models import DEFAULT_WEIGHTS, Factor, RiskSnapshot, RiskWeights
from habeas.planning.tests.factories import make_snapshot

pytestmark = pytest.mark.django_db

WEIGHTS = {str(name): weight for name, weight in DEFAULT_WEIGHTS.items()}
SEEING = ["head", "monitor", "data_officer"]
NOT_SEEING = ["doctor", "expert", "comms", "admin", "auditor", "outsider"]


def urls(place: Place) -> list[str]:
    return [
        reverse("planning:risk"),
        reverse("planning:place_risk", kwargs={"place_pk": place.pk}),
        reverse("planning:weights"),
    ]


def weights_post(number: int, **changes: object) -> dict[str, object]:
    return {**WEIGHTS, **changes, "number": number, "note": "Custody first"}


@pytest.mark.parametrize("role", NOT_SEEING)
def test_it_answers_404_to_whoever_may_not_see_planning(personas, client_for, role):
    client = client_for(personas[role])
    place = PlaceFactory()

    for url in urls(place):
        assert client.get(url).status_code == 404
    assert client.post(reverse("planning:weights"), weights_post(1)).status_code == 404
    assert RiskWeights.objects.filter(number__gt=1).count() == 0


@pytest.mark.parametrize("role", SEEING)
def test_it_shows_the_pages_to_planning_roles(personas, client_for, role):
    client = client_for(personas[role])
    place = PlaceFactory(name="Northgate Remand Prison")

    for url in urls(place):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Northgate Remand Prison" in client.get(urls(place)[0]).content.decode()


def test_it_lists_places_by_score_with_reasons_and_missing_data(personas, client_for):
    high_category = CategoryFactory(code="risk-high", inherent_risk=5, name="Police custody")
    crowded = PlaceFactory(name="Crowded Station", category=high_category, capacity=10)
    PopulationRecordFactory(place=crowded, population=25)
    quiet = PlaceFactory(name="Quiet Home", capacity=None)
    closed = PlaceFactory(name="Shut Jail", status=Place.Status.CLOSED)

    response = client_for(personas["monitor"]).get(reverse("planning:risk"))

    body = response.content.decode()
    assert body.index("Crowded Station") < body.index("Quiet Home")
    assert closed.name not in body
    assert reverse("planning:place_risk", kwargs={"place_pk": crowded.pk}) in body
    assert "Holds 25 people for 10 places (250 %)" in body
    assert "No in-depth visit on record" in body
    assert "<meter" in body
    assert "Data missing for" in body and "Occupancy against capacity" in body
    rows = response.context["rows"]
    assert [row.name for row, _reasons, _missing in rows] == ["Crowded Station", "Quiet Home"]
    assert all(len(reasons) <= 3 for _row, reasons, _missing in rows)
    assert quiet.pk in {row.place_id for row, _r, _m in rows}


def test_it_filters_by_region_and_category_and_sorts(personas, client_for):
    north = RegionFactory(name="North")
    district = RegionFactory(name="North district", parent=north)
    south = RegionFactory(name="South")
    custody = CategoryFactory(code="risk-custody", name="Custody")
    PlaceFactory(name="Alpha", region=district, category=custody)
    PlaceFactory(name="Bravo", region=north)
    PlaceFactory(name="Charlie", region=south, category=custody)
    client = client_for(personas["head"])

    def names(**query: object) -> list[str]:
        response = client.get(reverse("planning:risk"), query)
        return [row.name for row, _reasons, _missing in response.context["rows"]]

    assert sorted(names(region=north.pk)) == ["Alpha", "Bravo"]
    assert sorted(names(category=custody.pk)) == ["Alpha", "Charlie"]
    assert names(region=north.pk, category=custody.pk) == ["Alpha"]
    assert names(order="name") == ["Alpha", "Bravo", "Charlie"]
    assert names(region="nonsense", order="nonsense") != []  # bad filters are ignored


def test_it_pages_the_list_in_the_same_queries_whatever_the_size(personas, client_for):
    client = client_for(personas["head"])
    client.get(reverse("planning:risk"))

    def queries(count: int) -> int:
        PlaceFactory.create_batch(count)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("planning:risk"), {"page": 2})
        assert response.status_code == 200
        return len(captured)

    small = queries(55)
    assert queries(40) == small
    response = client.get(reverse("planning:risk"), {"page": 2})
    assert len(response.context["rows"]) == 45
    assert "Page 2 of 2" in response.content.decode()


def test_it_serves_only_the_results_to_htmx(personas, client_for):
    PlaceFactory(name="Delta")

    response = client_for(personas["head"]).get(reverse("planning:risk"), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "Delta" in body and "<html" not in body


def test_it_explains_every_factor_of_a_place_and_its_history(personas, client_for):
    place = PlaceFactory(name="Eastfield Prison", capacity=100)
    PopulationRecordFactory(place=place, population=120)
    weights = risk.current_weights()
    make_snapshot(place, 40.0, dt.date(2026, 1, 1), weights)
    make_snapshot(place, 52.5, dt.date(2026, 4, 1), weights)

    response = client_for(personas["data_officer"]).get(
        reverse("planning:place_risk", kwargs={"place_pk": place.pk})
    )

    body = response.content.decode()
    for factor in Factor:
        assert escape(str(factor.label)) in body
    assert "Holds 120 people for 100 places (120 %)" in body
    assert "No groups held recorded, so vulnerable groups are not counted." in body
    assert "no data" in body and "the score may be too low" in body
    assert "<svg" in body and "<polyline" in body and "52.5" in body and "2026-01-01" in body
    assert reverse("places:detail", args=[place.pk]) in body
    assert "<script" not in body.split("</header>", 1)[1].split("<footer", 1)[0]
    assert "style=" not in body


def test_it_says_so_when_there_is_no_history_and_for_a_closed_place(personas, client_for):
    place = PlaceFactory(status=Place.Status.CLOSED)

    response = client_for(personas["head"]).get(
        reverse("planning:place_risk", kwargs={"place_pk": place.pk})
    )

    body = response.content.decode()
    assert "only open places are scored" in body and "No past score recorded yet" in body


def test_it_answers_404_for_a_place_that_does_not_exist(personas, client_for):
    response = client_for(personas["head"]).get(
        reverse("planning:place_risk", kwargs={"place_pk": 999999})
    )

    assert response.status_code == 404


# -- ranked by the nightly snapshot ------------------------------------------------------------


def _crowded_and_quiet() -> tuple[Place, Place]:
    high_category = CategoryFactory(code="risk-high", inherent_risk=5, name="Police custody")
    crowded = PlaceFactory(name="Crowded Station", category=high_category, capacity=10)
    PopulationRecordFactory(place=crowded, population=25)
    quiet = PlaceFactory(name="Quiet Home", capacity=None)
    return crowded, quiet


def _names(response) -> list[str]:
    return [row.name for row, _reasons, _missing in response.context["rows"]]


def test_it_ranks_by_the_latest_snapshot_and_shows_todays_breakdown(personas, client_for):
    crowded, quiet = _crowded_and_quiet()
    weights = risk.current_weights()
    today = timezone.localdate()
    make_snapshot(crowded, 5.0, today, weights)
    make_snapshot(quiet, 95.0, today, weights)
    client = client_for(personas["monitor"])

    response = client.get(reverse("planning:risk"))

    body = response.content.decode()
    assert _names(response) == ["Quiet Home", "Crowded Station"]
    assert f"Ranked by the scores of {today.isoformat()}" in body
    # The score and reasons shown are today's, not the snapshot's.
    live = risk.compute(place_ids=[crowded.pk], today=today, weights=weights.weights)
    row = next(row for row, _r, _m in response.context["rows"] if row.place_id == crowded.pk)
    assert row.score == live[crowded.pk].score != 5.0
    assert "Holds 25 people for 10 places (250 %)" in body
    # Sorting by name needs no score: no ranking day is claimed.
    by_name = client.get(reverse("planning:risk"), {"order": "name"})
    assert _names(by_name) == ["Crowded Station", "Quiet Home"]
    assert "Ranked by the scores of" not in by_name.content.decode()


def test_it_ranks_live_without_a_usable_snapshot(personas, client_for):
    crowded, quiet = _crowded_and_quiet()
    weights = risk.current_weights()
    make_snapshot(crowded, 5.0, timezone.localdate() - dt.timedelta(days=30), weights)
    make_snapshot(quiet, 95.0, timezone.localdate() - dt.timedelta(days=30), weights)
    client = client_for(personas["head"])

    stale = client.get(reverse("planning:risk"))

    assert _names(stale) == ["Crowded Station", "Quiet Home"]  # too old: live scores rank
    assert "Ranked by the scores of" not in stale.content.decode()
    services_risk.risk_refresh(actor=None)
    client.post(reverse("planning:weights"), weights_post(weights.number, occupancy=0))
    other_weights = client.get(reverse("planning:risk"))
    assert "Ranked by the scores of" not in other_weights.content.decode()
    first = other_weights.context["rows"][0][0]
    live = risk.compute(
        place_ids=None, today=timezone.localdate(), weights=risk.current_weights().weights
    )
    assert first.score == max(place.score for place in live.values())


def test_it_scores_live_the_places_opened_since_the_snapshot(personas, client_for):
    crowded, quiet = _crowded_and_quiet()
    weights = risk.current_weights()
    today = timezone.localdate()
    make_snapshot(quiet, 1.0, today, weights)
    make_snapshot(crowded, 0.5, today, weights)
    newcomer = PlaceFactory(name="New Annex", capacity=5)
    PopulationRecordFactory(place=newcomer, population=15)

    response = client_for(personas["head"]).get(reverse("planning:risk"))

    assert _names(response)[0] == "New Annex"
    assert response.context["page"].paginator.count == 3


def test_a_page_ranked_by_the_snapshot_costs_the_same_queries_whatever_the_size(
    personas, client_for
):
    client = client_for(personas["head"])
    PlaceFactory.create_batch(55)
    services_risk.risk_refresh(actor=None)
    client.get(reverse("planning:risk"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("planning:risk"), {"page": 2})
        assert response.status_code == 200
        assert "Ranked by the scores of" in response.content.decode()
        return len(captured)

    small = queries()
    PlaceFactory.create_batch(40)
    services_risk.risk_refresh(actor=None)
    assert queries() == small
    assert RiskSnapshot.objects.count() == 55 + 95


# -- confidential watches ----------------------------------------------------------------------


def test_it_shows_the_watch_count_only_to_whoever_is_granted(personas, client_for, make_user):
    head = personas["head"]
    granted, ungranted = make_user("monitor"), make_user("monitor")
    place = PlaceFactory(name="Westmoor Prison")
    watch = make_watch(head, place)
    grant(head, watch, granted)
    pages = [
        reverse("planning:place_risk", kwargs={"place_pk": place.pk}),
        reverse("planning:risk"),
    ]

    for refreshed in (False, True):
        if refreshed:  # the list ranked by the nightly snapshot masks the same way
            services_risk.risk_refresh(actor=None)
        for url in pages:
            seen = client_for(granted).get(url).content.decode()
            masked = client_for(ungranted).get(url).content.decode()
            assert "1 reprisal watch open on someone held here." in seen
            assert "reprisal watch open on" not in masked
            assert "confidential records" in masked
        assert ("Ranked by the scores of" in masked) is refreshed
    breakdown = client_for(ungranted).get(pages[0])
    row = next(f for f, _w in breakdown.context["factors"] if f.factor == Factor.WATCHES)
    assert row.hidden and row.value is None


# -- the weights -------------------------------------------------------------------------------


def test_it_shows_every_version_and_the_rules(personas, client_for):
    risk.current_weights()

    response = client_for(personas["monitor"]).get(reverse("planning:weights"))

    body = response.content.decode()
    assert "The default weights that come with Habeas" in body and "in use" in body
    assert "Only the head of the NPM may change the weights." in body
    assert escape(risk.rule(Factor.SUBMISSIONS)) in body
    assert 'class="record-form"' not in body


def test_the_head_saves_a_new_version(personas, client_for):
    first = risk.current_weights()

    response = client_for(personas["head"]).post(
        reverse("planning:weights"), weights_post(first.number, category=25)
    )

    assert response.status_code == 302
    latest = risk.current_weights()
    assert latest.number == 2 and latest.weights["category"] == 25.0
    assert latest.note == "Custody first"


def test_it_refuses_a_save_by_a_role_that_may_only_read(personas, client_for):
    first = risk.current_weights()

    response = client_for(personas["monitor"]).post(
        reverse("planning:weights"), weights_post(first.number, category=25)
    )

    assert response.status_code == 403
    assert RiskWeights.objects.count() == 1


def test_it_refuses_bad_weights_with_a_message(personas, client_for):
    first = risk.current_weights()

    response = client_for(personas["head"]).post(
        reverse("planning:weights"), weights_post(first.number, occupancy=250)
    )

    assert response.status_code == 400
    assert "less than or equal to 100" in response.content.decode()
    assert RiskWeights.objects.count() == 1


def test_it_keeps_the_input_of_a_stale_save_and_answers_409(personas, client_for):
    first = risk.current_weights()
    client = client_for(personas["head"])
    client.post(reverse("planning:weights"), weights_post(first.number, watches=12))

    response = client.post(reverse("planning:weights"), weights_post(first.number, watches=33))

    assert response.status_code == 409
    body = response.content.decode()
    assert 'value="33"' in body and "Saved meanwhile" in body and "Custody first" in body
    assert RiskWeights.objects.count() == 2
    assert response.context["form"]["number"].value() == "2"
    again = client.post(reverse("planning:weights"), response.context["form"].data)
    assert again.status_code == 302
    assert risk.current_weights().weights["watches"] == 33.0
