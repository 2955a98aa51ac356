"""The tracker page (¶5, 34): who reaches it, what it lists and counts, and what it costs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habeas.places.tests.factories import PlaceFactory, RegionFactory
from habeas.recommendations import services
from habeas.recommendations.models import Implementation, Priority, ResponseStatus
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.visits.tests.factories import make_visit

URL = reverse("recommendations:list")


@pytest.fixture
def sent_ones(personas):
    head = personas["head"]
    overdue = make_sent(
        head, sent_on=dt.date(2024, 5, 1), deadline=dt.date(2024, 12, 1), text="Repair the heating."
    )
    services.response_record(
        actor=head,
        recommendation=overdue,
        status=ResponseStatus.ACCEPTED,
        responded_on=dt.date(2024, 6, 1),
    )
    calm = make_sent(head, sent_on=dt.date(2025, 1, 5), deadline=dt.date(2099, 1, 1))
    return {"overdue": overdue, "calm": calm}


@pytest.mark.parametrize("persona", ["outsider", "admin"])
def test_those_without_the_tracker_get_404(personas, client_for, persona):
    client = client_for(personas[persona])

    assert client.get(URL).status_code == 404
    assert client.get(reverse("recommendations:export")).status_code == 404
    assert client.get(reverse("recommendations:export"), {"format": "csv"}).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code in (302, 401, 403, 404)
    assert response.status_code != 200


@pytest.mark.parametrize(
    "persona", ["head", "monitor", "doctor", "expert", "data_officer", "comms"]
)
def test_staff_with_the_tracker_reach_it(personas, client_for, persona):
    assert client_for(personas[persona]).get(URL).status_code == 200


def test_it_lists_rows_with_their_marks_and_links(personas, client_for, sent_ones):
    response = client_for(personas["comms"]).get(URL)

    page = response.content.decode()
    assert sent_ones["overdue"].reference in page
    assert "Repair the heating." in page
    assert "Overdue" in page
    assert "Accepted" in page
    assert "Awaiting a response" in page
    assert 'href="/recommendations/export/"' in page  # comms may export
    assert f'href="{URL}"' in page  # the main navigation's link


def test_the_figures_link_to_exactly_what_they_count(personas, client_for, sent_ones):
    client = client_for(personas["comms"])

    page = client.get(URL).content.decode()

    assert f'href="{URL}?year=2024&amp;response=accepted_any"' in page
    assert f'href="{URL}?year=2024&amp;overdue=yes"' in page
    listed = client.get(URL, {"year": "2024", "overdue": "yes"})
    assert [r.pk for r in listed.context["page"].object_list] == [sent_ones["overdue"].pk]


def test_a_doctor_sees_the_tracker_without_the_export(personas, client_for, sent_ones):
    client = client_for(personas["doctor"])

    assert 'href="/recommendations/export/' not in client.get(URL).content.decode()
    assert client.get(reverse("recommendations:export")).status_code == 403
    assert client.get(reverse("recommendations:export"), {"format": "csv"}).status_code == 403


def test_filters_narrow_the_list_and_the_figures(personas, client_for, sent_ones):
    client = client_for(personas["head"])

    response = client.get(URL, {"overdue": "yes"})

    rows = list(response.context["page"].object_list)
    assert [row.pk for row in rows] == [sent_ones["overdue"].pk]
    assert response.context["figures"].total.sent == 1
    assert response.context["page"].paginator.count == 1


def test_htmx_gets_only_the_results(personas, client_for, sent_ones):
    response = client_for(personas["head"]).get(URL, {"year": "2025"}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "<html" not in page
    assert sent_ones["calm"].reference in page
    assert sent_ones["overdue"].reference not in page


def test_a_chosen_place_is_shown_and_can_be_removed(personas, client_for):
    head = personas["head"]
    place = PlaceFactory(name="Harbour police station")
    make_recommendation(head, place=place)

    response = client_for(head).get(URL, {"place": place.pk, "priority": Priority.KEY})

    page = response.content.decode()
    assert "Harbour police station" in page
    assert f'href="{URL}?priority=key"' in page
    assert response.context["page"].paginator.count == 1


def test_a_page_out_of_range_shows_the_last_page(personas, client_for, sent_ones):
    response = client_for(personas["head"]).get(URL, {"page": "999"})

    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_an_expert_sees_only_their_visits_recommendations(personas, client_for):
    head = personas["head"]
    hidden = make_recommendation(head, visit=make_visit(head))

    response = client_for(personas["expert"]).get(URL)

    assert hidden.reference not in response.content.decode()
    assert response.context["page"].paginator.count == 0


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_list_or_the_years(personas, client_for):
    head = personas["head"]
    region = RegionFactory()
    client = client_for(head)
    first = make_sent(head, sent_on=dt.date(2025, 1, 5), place=PlaceFactory(region=region))
    _verify(head, first, dt.date(2025, 3, 1))
    few = _queries(client, region=region.pk)
    for n in range(12):
        recommendation = make_sent(
            head,
            sent_on=dt.date(2020 + n % 4, 1, 5),
            place=PlaceFactory(region=region),
            priority=Priority.GENERAL,
        )
        if n % 2:
            _verify(head, recommendation, dt.date(2024, 12, 1))

    many = _queries(client, region=region.pk)

    # Four more years, with achieved recommendations in each: not one query more.
    assert many == few


def _verify(head, recommendation, on):
    response = services.response_record(
        actor=head,
        recommendation=recommendation,
        status=ResponseStatus.ACCEPTED,
        responded_on=recommendation.sent_on,
    )
    services.verification_record(
        actor=head,
        recommendation=recommendation,
        status=Implementation.ACHIEVED,
        verified_on=on,
        evidence="response",
        response=response,
    )
