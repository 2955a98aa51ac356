"""Who reaches the programme's pages: whoever lacks `planning.programmes` (the data
officer, who reads the risk model but not where and when visits go; doctor, expert,
comms, administrator, auditor, outsider) gets 404 everywhere, a programme's id answering
as a missing one does, and nothing changes; the monitor plans but may not adopt (403);
an anonymous visitor is sent to log in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from habeas.planning.models import (
    DurationRule,
    Justification,
    PlaceRule,
    PlannedVisit,
    Programme,
    RegionCapacity,
    Unavailability,
)
from habeas.planning.tests.test_views_world import FIRST_WEEK, world

pytestmark = pytest.mark.django_db

MISSING = 987654
NO_PLANNING = ["doctor", "expert", "comms", "admin", "auditor", "outsider"]


def _reads(w, pk=None, visit_pk=None):
    p = pk or w.programme.pk
    v = visit_pk or w.added.pk
    return [
        reverse("planning:programmes"),
        reverse("planning:programme_create"),
        reverse("planning:durations"),
        reverse("planning:availability"),
        reverse("planning:programme", args=[p]),
        reverse("planning:capacity", args=[p]),
        reverse("planning:place_rules", args=[p]),
        reverse("planning:status", args=[p]),
        reverse("planning:visit_add", args=[p]),
        reverse("planning:visit", args=[p, v]),
    ]


def _writes(w, pk=None, visit_pk=None):
    p = pk or w.programme.pk
    v = visit_pk or w.added.pk
    c = w.country
    return [
        (reverse("planning:programme_create"), {"period": "2027-Q2"}),
        (
            reverse("planning:capacity", args=[p]),
            {
                "version": w.programme.version,
                "reserve_percent": "30",
                "default_max_interval_months": "48",
                "trip_sharing": "region",
                "trip_radius_km": "50",
                "trip_overhead_days": "1",
                "time_limit_seconds": "2",
                f"r{c.north.pk}_days": "999",
            },
        ),
        (
            reverse("planning:place_rules", args=[p]),
            {"place": c.south_prison.pk, "kind": "avoid", "note": "Renovation"},
        ),
        (reverse("planning:build", args=[p]), {}),
        (
            reverse("planning:justify", args=[p]),
            {"target": f"region-{c.south.pk}", "text": "A long enough reason for the test."},
        ),
        (reverse("planning:adopt", args=[p]), {}),
        (reverse("planning:teams", args=[p]), {}),
        (
            reverse("planning:visit_add", args=[p]),
            {"place": c.south_police.pk, "week": FIRST_WEEK.isoformat(), "kind": "in_depth"},
        ),
        (reverse("planning:visit_pin", args=[p, v]), {"pinned": "0"}),
        (reverse("planning:visit_remove", args=[p, v]), {"note": "Not now"}),
        (
            reverse("planning:durations"),
            {
                "new-category": c.prison.pk,
                "new-capacity_from": "9999",
                "new-in_depth_days": "9",
                "new-follow_up_days": "2",
                "new-team_size": "5",
            },
        ),
        (
            reverse("planning:availability"),
            {"user": w.monitor.pk, "starts_on": "2027-01-04", "ends_on": "2027-01-08"},
        ),
    ]


def _state(w):
    """What a refused request must leave untouched."""
    programme = Programme.objects.get(pk=w.programme.pk)
    return (
        Programme.objects.count(),
        programme.version,
        programme.status,
        list(RegionCapacity.objects.values_list("region_id", "staff_days").order_by("region_id")),
        PlaceRule.objects.count(),
        list(PlannedVisit.objects.values_list("pk", "pinned").order_by("pk")),
        Justification.objects.count(),
        DurationRule.objects.count(),
        Unavailability.objects.count(),
    )


@pytest.mark.parametrize("persona", NO_PLANNING)
def test_it_answers_404_everywhere_to_whoever_may_not_see_planning(personas, client_for, persona):
    w = world(personas)
    client = client_for(personas[persona])
    before = _state(w)
    for url in _reads(w):
        assert client.get(url).status_code == 404, url
    for url, data in _writes(w):
        assert client.post(url, data).status_code == 404, url
    assert _state(w) == before


def test_it_answers_a_missing_programme_or_visit_as_404(personas, client_for):
    w = world(personas)
    client = client_for(w.head)
    for url in _reads(w, pk=MISSING)[4:]:
        assert client.get(url).status_code == 404, url
    for url, _data in _writes(w, pk=MISSING)[1:10]:
        assert client.post(url, {}).status_code == 404, url
    visit_urls = _reads(w, visit_pk=MISSING)[-1:]
    for url in visit_urls:
        assert client.get(url).status_code == 404, url


def test_it_answers_404_to_the_data_officer_on_every_programme_page(personas, client_for):
    w = world(personas)
    client = client_for(personas["data_officer"])
    before = _state(w)
    for url in _reads(w):
        expected = 200 if url == reverse("planning:durations") else 404
        assert client.get(url).status_code == expected, url
    for url, data in _writes(w):
        expected = 403 if url == reverse("planning:durations") else 404
        assert client.post(url, data).status_code == expected, url
    assert _state(w) == before


def test_it_shows_the_monitor_no_button_to_adopt(personas, client_for):
    w = world(personas)
    page = client_for(w.monitor).get(reverse("planning:programme", args=[w.programme.pk]))
    content = page.content.decode()
    assert reverse("planning:adopt", args=[w.programme.pk]) not in content
    assert "Only the head of the NPM adopts a programme." in content


def test_it_refuses_adoption_to_the_monitor(personas, client_for):
    w = world(personas)
    client = client_for(w.monitor)
    before = _state(w)
    assert client.post(reverse("planning:adopt", args=[w.programme.pk])).status_code == 403
    assert _state(w) == before


def test_it_sends_an_anonymous_visitor_to_log_in(personas):
    w = world(personas)
    client = Client()
    for url in _reads(w):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url
