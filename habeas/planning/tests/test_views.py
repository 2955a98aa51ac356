"""The programme's pages: the list, a new programme, the programme with its result in words,
its comparison with "most overdue first", what it leaves out and the justifications, the
calendar and the map, the build's progress, adoption; capacity (409 when stale, with the
input kept) and the places to include or avoid. Forms save through the services."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory, RegionFactory
from habeas.planning import charts, services
from habeas.planning.models import (
    Justification,
    PlaceRule,
    Programme,
    RegionCapacity,
)
from habeas.planning.tests.factories import build_now
from habeas.planning.tests.test_views_world import PERIOD, world

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def _capacity_data(w, **changes):
    c = w.country
    data = {
        "version": w.programme.version,
        "title": "",
        "reserve_percent": "20",
        "default_max_interval_months": "48",
        "trip_sharing": "region",
        "trip_radius_km": "50",
        "trip_overhead_days": "1",
        "time_limit_seconds": "2",
        f"r{c.north.pk}_days": "60",
        f"r{c.south.pk}_days": "40",
    }
    data.update(changes)
    return data


# -- the list and a new programme --------------------------------------------------------------


def test_it_lists_the_programmes_with_their_visits(personas, client_for):
    w = world(personas)
    page = _page(client_for(w.head), reverse("planning:programmes"))
    assert PERIOD in page
    assert "Draft: not built yet" in page
    assert re.search(r'<td class="num">1</td>', page)  # the visit the monitor added
    assert reverse("planning:programme_create") in page


def test_it_creates_a_programme_and_leads_to_its_capacity(personas, client_for):
    w = world(personas)
    client = client_for(w.monitor)
    assert "2027-Q1" in _page(client, reverse("planning:programme_create"))  # offered
    response = client.post(
        reverse("planning:programme_create"), {"period": "2027-q3", "title": "Summer"}
    )
    created = Programme.objects.get(period="2027-Q3")
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:capacity", args=[created.pk])
    assert created.title == "Summer"
    # The capacity is copied from the latest programme.
    assert RegionCapacity.objects.filter(programme=created).count() == 2
    assert AuditEvent.objects.filter(action="planning.programme_create").count() == 2


@pytest.mark.parametrize("period", ["next spring", "2027-Q7", ""])
def test_it_refuses_a_period_it_cannot_read_and_creates_nothing(personas, client_for, period):
    w = world(personas)
    response = client_for(w.monitor).post(reverse("planning:programme_create"), {"period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write the period as a quarter" in page or "This field is required." in page
    assert Programme.objects.count() == 1


# -- capacity ------------------------------------------------------------------------------------


def test_it_saves_settings_and_capacity_through_the_services(personas, client_for):
    w = world(personas)
    c = w.country
    client = client_for(w.monitor)
    page = _page(client, reverse("planning:capacity", args=[w.programme.pk]))
    assert "North" in page and "South" in page and "Medical doctor" in page
    data = _capacity_data(
        w,
        reserve_percent="25",
        title="First quarter",
        **{
            f"r{c.north.pk}_days": "80",
            f"r{c.north.pk}_min": "2",
            "p_doctor_days": "12",
            f"c{c.police.pk}_interval": "24",
            f"c{c.police.pk}_min": "1",
        },
    )
    response = client.post(reverse("planning:capacity", args=[w.programme.pk]), data)
    assert response.status_code == 302
    programme = Programme.objects.get(pk=w.programme.pk)
    assert str(programme.reserve_share) == "0.25"
    assert programme.title == "First quarter"
    north = RegionCapacity.objects.get(programme=programme, region=c.north)
    assert (north.staff_days, north.min_visits) == (80, 2)
    assert programme.profession_capacity.get().staff_days == 12
    rule = programme.category_rules.get()
    assert (rule.category_id, rule.max_interval_months, rule.min_visits) == (c.police.pk, 24, 1)
    assert AuditEvent.objects.filter(action="planning.capacity_save").count() == 2


def test_it_answers_a_stale_capacity_edit_with_409_and_keeps_the_input(personas, client_for):
    w = world(personas)
    c = w.country
    url = reverse("planning:capacity", args=[w.programme.pk])
    shown = _capacity_data(w, title="Mine, typed by hand", **{f"r{c.north.pk}_days": "77"})
    # Someone else saves meanwhile.
    services.programme_update(
        actor=w.head,
        programme=w.programme,
        data={"title": "Theirs"},
        expected_version=w.programme.version,
    )
    response = client_for(w.monitor).post(url, shown)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this record" in page
    assert 'value="Mine, typed by hand"' in page
    assert 'value="77"' in page
    programme = Programme.objects.get(pk=w.programme.pk)
    assert programme.title == "Theirs"
    assert RegionCapacity.objects.get(programme=programme, region=c.north).staff_days == 60
    # Saving again from the page as shown now applies the user's input.
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert int(version) == programme.version
    again = client_for(w.monitor).post(url, {**shown, "version": version})
    assert again.status_code == 302
    assert RegionCapacity.objects.get(programme=programme, region=c.north).staff_days == 77


def test_it_refuses_bad_capacity_with_a_message_and_saves_nothing(personas, client_for):
    w = world(personas)
    c = w.country
    response = client_for(w.monitor).post(
        reverse("planning:capacity", args=[w.programme.pk]),
        _capacity_data(w, reserve_percent="120", **{f"r{c.north.pk}_days": "-5"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value is less than or equal to 90." in page
    assert "Ensure this value is greater than or equal to 0." in page
    programme = Programme.objects.get(pk=w.programme.pk)
    assert str(programme.reserve_share) == "0.20"
    assert RegionCapacity.objects.get(programme=programme, region=c.north).staff_days == 60


def test_it_hides_the_programmes_from_the_data_officer_who_reads_the_risk(personas, client_for):
    # Programmes say where and when unannounced visits go: the visits app hides those from
    # the data officer, so planning does too; the risk model stays theirs.
    w = world(personas)
    client = client_for(personas["data_officer"])
    assert client.get(reverse("planning:capacity", args=[w.programme.pk])).status_code == 404
    assert client.get(reverse("planning:programmes")).status_code == 404
    risk = _page(client, reverse("planning:risk"))
    assert reverse("planning:programmes") not in risk
    assert reverse("planning:programmes") in _page(client_for(w.monitor), reverse("planning:risk"))


def test_it_offers_the_regions_above_those_holding_places(personas, client_for):
    w = world(personas)
    top = RegionFactory(name="Kingdom")
    district = RegionFactory(name="Lakeside district", parent=top)
    PlaceFactory(region=district, category=w.country.police)
    page = _page(client_for(w.monitor), reverse("planning:capacity", args=[w.programme.pk]))
    assert f'name="r{top.pk}_days"' in page
    assert f'name="r{district.pk}_days"' in page
    assert page.index("Kingdom") < page.index("&emsp;Lakeside district")


# -- places to include or avoid ------------------------------------------------------------------


def test_it_adds_and_removes_a_place_rule(personas, client_for):
    w = world(personas)
    c = w.country
    client = client_for(w.monitor)
    url = reverse("planning:place_rules", args=[w.programme.pk])
    found = _page(client, url + "?q=" + c.south_prison.name)
    assert c.south_prison.name in found and c.north_police.name not in found
    response = client.post(
        url,
        {
            "place": c.south_prison.pk,
            "kind": "mandatory",
            "visit_kind": "follow_up",
            "note": "Promised follow-up",
        },
    )
    assert response.status_code == 302
    rule = PlaceRule.objects.get(programme=w.programme)
    assert (rule.place_id, rule.kind, rule.visit_kind, rule.note) == (
        c.south_prison.pk,
        "mandatory",
        "follow_up",
        "Promised follow-up",
    )
    assert "Promised follow-up" in _page(client, url)
    assert client.post(url, {"remove": rule.pk}).status_code == 302
    assert not PlaceRule.objects.exists()


def test_it_refuses_a_rule_without_a_place(personas, client_for):
    w = world(personas)
    response = client_for(w.monitor).post(
        reverse("planning:place_rules", args=[w.programme.pk]), {"kind": "avoid"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not PlaceRule.objects.exists()


# -- the programme, built ------------------------------------------------------------------------


def test_it_shows_a_draft_with_its_calendar_and_map(personas, client_for):
    w = world(personas)
    c = w.country
    page = _page(client_for(w.head), reverse("planning:programme", args=[w.programme.pk]))
    assert "Draft: not built yet" in page
    assert "Build the programme" in page
    assert "Build the programme first." in page  # why it cannot be adopted yet
    assert re.search(r"<button type=\"submit\" disabled[^>]*>Adopt the programme", page)
    # The added visit in the calendar, pinned, with its region.
    assert c.north_ward.name in page and "2027-01-04" in page and "Pinned" in page
    # The map: the chosen place as a mark with its name, the others as grey dots.
    svg = re.search(r"<svg class=\"place-map\".*?</svg>", page, re.S).group(0)
    assert f"<title>{c.north_ward.name}</title>" in svg
    assert svg.count('class="map-chosen"') == 2  # the mark and the legend's
    assert 'class="map-other"' in svg
    assert "1 place has no coordinates and is not on the map." in page


def test_it_builds_and_shows_the_result_in_words(
    personas, client_for, django_capture_on_commit_callbacks
):
    w = world(personas)
    client = client_for(w.monitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:build", args=[w.programme.pk]))
    assert response.status_code == 302
    programme = Programme.objects.get(pk=w.programme.pk)
    assert programme.status == Programme.Status.BUILT, programme.failure
    page = _page(client, reverse("planning:programme", args=[programme.pk]))
    assert "Proven optimal" in page or "of the best possible plan (bound" in page
    assert "kept in reserve" in page
    assert "Compared with “most overdue first”" in page
    assert "Risk covered (points)" in page and "Places overdue at the end of the period" in page
    assert "Build again" in page
    assert 'hx-trigger="every 2s"' not in page  # nothing to poll once built


def test_it_says_why_a_build_failed(personas, client_for):
    w = world(personas)
    Programme.objects.filter(pk=w.programme.pk).update(
        status=Programme.Status.FAILED, failure="No open place can be planned."
    )
    page = _page(client_for(w.head), reverse("planning:programme", args=[w.programme.pk]))
    assert "Could not be built" in page
    assert "No open place can be planned." in page
    assert "Build again" in page


def test_it_polls_while_queued_and_reloads_the_page_once_built(personas, client_for):
    w = world(personas)
    Programme.objects.filter(pk=w.programme.pk).update(status=Programme.Status.QUEUED, progress=50)
    client = client_for(w.head)
    page = _page(client, reverse("planning:programme", args=[w.programme.pk]))
    assert 'hx-trigger="every 2s"' in page
    assert "Refresh" in page  # without JavaScript
    url = reverse("planning:status", args=[w.programme.pk])
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert 'value="50"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    Programme.objects.filter(pk=w.programme.pk).update(status=Programme.Status.BUILT)
    done = client.get(url + "?polling=1", **HTMX)
    assert done["HX-Refresh"] == "true"
    assert client.get(url).status_code == 302  # without htmx: the programme's page


def _built_with_left_out(w):
    """A built programme that leaves the South out (no staff-days there)."""
    c = w.country
    services.capacity_save(
        actor=w.monitor,
        programme=w.programme,
        regions={c.north.pk: (60, 0), c.south.pk: (0, 0)},
        professions={},
        categories={},
        expected_version=w.programme.version,
    )
    programme = build_now(w.monitor, w.programme, time_limit=2)
    assert programme.status == Programme.Status.BUILT, programme.failure
    assert c.south.pk in programme.left_out["regions"]
    return programme


def test_it_refuses_adoption_while_a_left_out_region_is_unjustified(personas, client_for):
    w = world(personas)
    programme = _built_with_left_out(w)
    client = client_for(w.head)
    url = reverse("planning:programme", args=[programme.pk])
    page = _page(client, url)
    assert "Write why" in page and "South" in page
    assert re.search(r"<button type=\"submit\" disabled[^>]*>Adopt the programme", page)
    response = client.post(reverse("planning:adopt", args=[programme.pk]))
    assert response.status_code == 400
    assert "The programme was not adopted" in response.content.decode()
    assert "South" in response.content.decode()
    assert Programme.objects.get(pk=programme.pk).status == Programme.Status.BUILT


def test_it_keeps_a_too_short_justification_and_saves_nothing(personas, client_for):
    w = world(personas)
    programme = _built_with_left_out(w)
    target = f"region-{w.country.south.pk}"
    response = client_for(w.monitor).post(
        reverse("planning:justify", args=[programme.pk]), {"target": target, "text": "No staff"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write at least 20 characters" in page
    assert ">No staff</textarea>" in page
    assert not Justification.objects.exists()


def test_it_adopts_once_every_left_out_is_justified(personas, client_for):
    w = world(personas)
    programme = _built_with_left_out(w)
    client = client_for(w.head)
    left = [f"region-{pk}" for pk in programme.left_out.get("regions", [])]
    left += [f"category-{pk}" for pk in programme.left_out.get("categories", [])]
    for target in left:
        response = client.post(
            reverse("planning:justify", args=[programme.pk]),
            {"target": target, "text": "No staff-days there this quarter: visited in Q2."},
        )
        assert response.status_code == 302
    page = _page(client, reverse("planning:programme", args=[programme.pk]))
    assert "No staff-days there this quarter: visited in Q2." in page
    assert "Justified" in page
    assert not re.search(r"<button type=\"submit\" disabled[^>]*>Adopt the programme", page)
    response = client.post(reverse("planning:adopt", args=[programme.pk]))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ADOPTED
    assert programme.visits.filter(visit__isnull=False).count() == programme.visits.count() > 0
    page = _page(client, reverse("planning:programme", args=[programme.pk]))
    assert "Adopted on" in page
    assert reverse("planning:build", args=[programme.pk]) not in page


def test_it_asks_why_a_category_is_left_out_once_its_only_visit_is_removed(personas, client_for):
    w = world(personas)
    programme = _built_with_left_out(w)
    client = client_for(w.monitor)
    ward = programme.visits.get(place=w.country.north_ward)
    client.post(
        reverse("planning:visit_remove", args=[programme.pk, ward.pk]), {"note": "Closed wing"}
    )
    psychiatric = w.country.psychiatric
    page = _page(client, reverse("planning:programme", args=[programme.pk]))
    assert f'id="left-category-{psychiatric.pk}"' in page
    response = client.post(
        reverse("planning:justify", args=[programme.pk]),
        {
            "target": f"category-{psychiatric.pk}",
            "text": "The only ward is closed for works until April.",
        },
    )
    assert response.status_code == 302
    saved = Justification.objects.get(programme=programme, category=psychiatric)
    assert saved.text == "The only ward is closed for works until April."
    assert saved.written_by == w.monitor


def test_it_lists_programmes_in_a_fixed_number_of_queries(
    personas, client_for, django_assert_max_num_queries
):
    w = world(personas)
    for period in ("2027-Q2", "2027-Q3", "2028"):
        services.programme_create(actor=w.monitor, data={"period": period})
    client = client_for(w.head)
    client.get(reverse("planning:programmes"))  # warm the session and the caches
    with django_assert_max_num_queries(12):
        page = _page(client, reverse("planning:programmes"))
    assert page.count('href="/planning/programmes/') >= 4


# -- the map ---------------------------------------------------------------------------------------


def test_it_draws_chosen_places_as_marks_and_counts_those_without_coordinates():
    drawn = charts.place_map(
        [
            {"name": "Central prison", "latitude": 50.5, "longitude": 4.1, "chosen": True},
            {"name": "Station <b>", "latitude": 49.0, "longitude": 5.0, "chosen": False},
            {"name": "Lost", "latitude": None, "longitude": None, "chosen": True},
        ]
    )
    assert (drawn.chosen, drawn.others, drawn.without_coordinates) == (1, 1, 1)
    assert "<title>Central prison</title>" in drawn.svg
    assert "Station" not in drawn.svg  # places not chosen are dots, unnamed
    assert "Chosen for a visit (1)" in drawn.svg and "Not chosen (1)" in drawn.svg
    assert charts.place_map([]).svg == ""
