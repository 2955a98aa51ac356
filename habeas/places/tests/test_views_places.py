"""The place pages with each persona: list, map, detail, create, edit (409), close."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from habeas.core.models import AuditEvent
from habeas.places.models import Place
from habeas.places.tests.factories import (
    AuthorityFactory,
    CategoryFactory,
    PlaceFactory,
    PopulationRecordFactory,
    RegionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def assert_csp_clean(html: str) -> None:
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert not INLINE_HANDLER.search(html)


def edit_form(place: Place, **changes) -> dict:
    data = {
        "name": place.name,
        "category": place.category_id,
        "official": "on" if place.official else "",
        "operator": place.operator,
        "authority": place.authority_id or "",
        "region": place.region_id or "",
        "address": place.address,
        "latitude": place.latitude or "",
        "longitude": place.longitude or "",
        "capacity": place.capacity or "",
        "last_visit_on": "",
        "external_ref": place.external_ref or "",
        "notes": place.notes,
        "version": place.version,
    }
    return {**data, **changes}


# Who may reach what ------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/places/", "/places/map/", "/places/map.geojson", "/places/new/"])
def test_it_answers_404_to_an_outsider_on_the_inventory_pages(personas, client_for, url):
    PlaceFactory()

    assert client_for(personas["outsider"]).get(url).status_code == 404


@pytest.mark.parametrize("suffix", ["", "edit/", "close/", "units/new/", "population/new/"])
def test_it_answers_an_outsider_exactly_as_for_a_missing_place(personas, client_for, suffix):
    place = PlaceFactory()
    client = client_for(personas["outsider"])

    hidden = client.get(f"/places/{place.pk}/{suffix}")
    missing = client.get(f"/places/{place.pk + 1000}/{suffix}")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_it_sends_an_anonymous_visitor_to_the_login_page(db):
    place = PlaceFactory()

    for url in ("/places/", f"/places/{place.pk}/", "/places/map.geojson"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ["new/", "{pk}/edit/", "{pk}/close/"])
def test_it_forbids_the_communications_officer_to_change_a_place(personas, client_for, url):
    place = PlaceFactory(name="Kept")
    client = client_for(personas["comms"])
    target = "/places/" + url.format(pk=place.pk)

    assert client.get(target).status_code == 403
    assert (
        client.post(target, edit_form(place, name="Changed", closed_on="2024-01-01")).status_code
        == 403
    )
    place.refresh_from_db()
    assert place.name == "Kept" and place.status == Place.Status.OPEN
    assert Place.objects.count() == 1


def test_it_lets_every_role_read_a_place(personas, client_for):
    place = PlaceFactory(name="Readable")

    for name in (
        "head",
        "monitor",
        "doctor",
        "expert",
        "data_officer",
        "comms",
        "admin",
        "auditor",
    ):
        response = client_for(personas[name]).get(f"/places/{place.pk}/")
        assert response.status_code == 200 and b"Readable" in response.content


# The list -------------------------------------------------------------------------


def test_it_lists_places_with_their_occupancy_and_badges(personas, client_for):
    place = PlaceFactory(name="Crowded", capacity=100, official=False)
    PopulationRecordFactory(place=place, population=150)
    PlaceFactory(name="Quiet", status=Place.Status.CLOSED)

    html = client_for(personas["comms"]).get("/places/").content.decode()

    assert "Crowded" in html and "150 %" in html and "Unofficial" in html
    assert "Closed" in html and "Never visited" in html
    assert "2 places found" in html
    assert_csp_clean(html)


def test_it_filters_the_list_from_the_query_string(personas, client_for):
    PlaceFactory(name="Police station", category=CategoryFactory(code="police-custody"))
    PlaceFactory(name="Prison")

    html = client_for(personas["monitor"]).get("/places/?category=police-custody").content.decode()

    assert "Police station" in html and ">Prison<" not in html
    assert "1 place found" in html


def test_it_pages_through_a_filtered_list_and_keeps_the_choices_shown(personas, client_for):
    PlaceFactory.create_batch(52, groups=["women", "children"])
    PlaceFactory(name="Men only")
    client = client_for(personas["monitor"])

    first = client.get("/places/?group=women&ordering=-name").content.decode()
    second = client.get("/places/?group=women&ordering=-name&page=2").content.decode()

    assert "52 places found" in first and "Page 2 of 2" in second
    assert "Men only" not in first + second
    assert '<option value="women" selected>' in first
    assert 'href="?group=women&amp;ordering=-name&amp;page=2"' in first


def test_it_ignores_a_filter_value_it_does_not_know(personas, client_for):
    PlaceFactory(name="Prison")

    response = client_for(personas["monitor"]).get("/places/?region=abc&visited=ages&category=x")

    assert response.status_code == 200 and b"Prison" in response.content


def test_it_serves_only_the_results_to_htmx(personas, client_for):
    PlaceFactory(name="Prison")

    response = client_for(personas["monitor"]).get("/places/?q=pri", HTTP_HX_REQUEST="true")

    assert b"Prison" in response.content and b"<html" not in response.content


def test_it_serves_the_whole_page_when_htmx_restores_history(personas, client_for):
    response = client_for(personas["monitor"]).get(
        "/places/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert b"<html" in response.content


def test_it_pages_the_list_by_fifty(personas, client_for):
    PlaceFactory.create_batch(55)
    client = client_for(personas["monitor"])

    first = client.get("/places/").content.decode()
    second = client.get("/places/?page=2").content.decode()

    assert first.count('href="/places/') - second.count('href="/places/') == 45
    assert "Page 1 of 2" in first and "55 places found" in first


def test_it_links_import_and_export_only_for_those_who_may(personas, client_for):
    comms = client_for(personas["comms"]).get("/places/").content.decode()
    head = client_for(personas["head"]).get("/places/?status=open").content.decode()

    assert "Add a place" not in comms and "Import" not in comms
    assert "Add a place" in head


def test_it_keeps_the_list_query_count_flat_as_places_grow(personas, client_for):
    client = client_for(personas["monitor"])

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/places/").status_code == 200
        return len(captured)

    def add_places(count: int) -> None:
        region, authority = RegionFactory(), AuthorityFactory()
        for place in PlaceFactory.create_batch(
            count, region=region, authority=authority, groups=["women"]
        ):
            PopulationRecordFactory(place=place)

    add_places(5)
    client.get("/places/")  # warm the session and the user's device
    small = queries_for_list()
    add_places(55)
    large = queries_for_list()

    assert large == small


# The map --------------------------------------------------------------------------


def test_it_draws_the_map_without_tiles_by_default(personas, client_for):
    html = client_for(personas["comms"]).get("/places/map/").content.decode()

    assert 'data-tile-url=""' in html
    assert "vendor/leaflet/leaflet.js" in html and "habeas/js/places-map.js" in html
    assert 'data-geojson-url="/places/map.geojson"' in html
    assert_csp_clean(html)


def test_it_passes_the_tile_server_through_a_data_attribute(personas, client_for, settings):
    settings.HABEAS_MAP_TILE_URL = "https://tiles.npm.example/{z}/{x}/{y}.png"

    html = client_for(personas["comms"]).get("/places/map/?status=open").content.decode()

    assert 'data-tile-url="https://tiles.npm.example/{z}/{x}/{y}.png"' in html
    assert 'data-geojson-url="/places/map.geojson?status=open"' in html


def test_it_serves_markers_with_the_list_filters_and_nothing_more(personas, client_for):
    shown = PlaceFactory(name="Station", category=CategoryFactory(code="police-custody"))
    PlaceFactory(name="Prison")
    PlaceFactory(
        name="Nowhere",
        category=CategoryFactory(code="police-custody"),
        latitude=None,
        longitude=None,
    )

    response = client_for(personas["comms"]).get("/places/map.geojson?category=police-custody")

    (feature,) = response.json()["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.3522, 48.8566]}
    assert set(feature["properties"]) == {"id", "name", "category", "status", "official", "url"}
    assert feature["properties"]["url"] == f"/places/{shown.pk}/"


# Detail ---------------------------------------------------------------------------


def test_it_shows_a_place_with_units_population_map_and_history(personas, client_for):
    place = PlaceFactory(name="Central Prison", capacity=100, groups=["women"])
    UnitFactory(place=place, name="Wing A")
    PopulationRecordFactory(place=place, population=120)

    html = client_for(personas["doctor"]).get(f"/places/{place.pk}/").content.decode()

    assert "Wing A" in html and "Women" in html and "120 % of capacity" in html
    assert '<svg class="sparkline"' in html and 'data-lat="48.856600"' in html
    assert "Population count: 120" in html
    assert "Edit details" not in html  # a doctor may read, not change
    assert "Add a document to the archive" in html  # but may file documents
    assert_csp_clean(html)


def test_it_keeps_coordinates_unlocalised_for_the_map(personas, client_for):
    place = PlaceFactory()
    client = client_for(personas["comms"])
    client.cookies["django_language"] = "fr"

    html = client.get(f"/places/{place.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert 'data-lat="48.856600"' in html and 'data-lon="2.352200"' in html


# Create, edit, close --------------------------------------------------------------


def test_it_lets_a_monitor_add_a_place(personas, client_for):
    category = CategoryFactory(code="police-custody")

    response = client_for(personas["monitor"]).post(
        "/places/new/",
        {"name": "New station", "category": category.pk, "operator": "public", "official": "on"},
    )

    place = Place.objects.get(name="New station")
    assert response.status_code == 302 and response["Location"] == f"/places/{place.pk}/"
    assert AuditEvent.objects.filter(action="place.create", object_id=str(place.pk)).exists()


def test_it_shows_form_errors_and_keeps_the_text(personas, client_for):
    response = client_for(personas["monitor"]).post(
        "/places/new/", {"name": "Half-filled", "latitude": "48.1"}
    )

    html = response.content.decode()
    assert response.status_code == 200 and "Half-filled" in html
    assert "Give both latitude and longitude" in html and not Place.objects.exists()


def test_it_lets_a_monitor_edit_a_place(personas, client_for):
    place = PlaceFactory(name="Old name")

    response = client_for(personas["monitor"]).post(
        f"/places/{place.pk}/edit/", edit_form(place, name="New name", capacity=80)
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "New name" and place.capacity == 80 and place.version == 2
    event = AuditEvent.objects.get(action="place.update")
    assert sorted(event.detail["fields"]) == ["capacity", "name"]


def test_it_answers_409_to_a_stale_edit_and_gives_the_text_back(personas, client_for):
    place = PlaceFactory(name="Original", notes="")
    form_from_version_1 = edit_form(place, notes="My careful observations", name="Mine")
    client_for(personas["head"]).post(f"/places/{place.pk}/edit/", edit_form(place, name="Theirs"))

    response = client_for(personas["monitor"]).post(
        f"/places/{place.pk}/edit/", form_from_version_1
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "My careful observations" in html and 'value="Mine"' in html
    assert 'class="stale' in html and "Theirs" in html
    assert 'name="version" value="2"' in html
    assert html.count('class="current-label"') == 2  # the name and the notes differ, only
    place.refresh_from_db()
    assert place.name == "Theirs" and place.notes == ""


def test_it_saves_the_second_attempt_after_a_stale_edit(personas, client_for):
    place = PlaceFactory(name="Original")
    client_for(personas["head"]).post(f"/places/{place.pk}/edit/", edit_form(place, name="Theirs"))
    place.refresh_from_db()

    response = client_for(personas["monitor"]).post(
        f"/places/{place.pk}/edit/", edit_form(place, name="Mine after comparing")
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "Mine after comparing" and place.version == 3


def test_it_closes_and_reopens_a_place(personas, client_for):
    place = PlaceFactory()
    client = client_for(personas["monitor"])

    closed = client.post(f"/places/{place.pk}/close/", {"closed_on": "2024-02-01"})
    place.refresh_from_db()
    assert closed.status_code == 302 and place.status == Place.Status.CLOSED

    assert client.get(f"/places/{place.pk}/reopen/").status_code == 405
    client.post(f"/places/{place.pk}/reopen/")
    place.refresh_from_db()
    assert place.status == Place.Status.OPEN


def test_it_refuses_a_closure_dated_in_the_future(personas, client_for):
    place = PlaceFactory()

    response = client_for(personas["monitor"]).post(
        f"/places/{place.pk}/close/", {"closed_on": "2999-01-01"}
    )

    assert response.status_code == 200 and b"cannot be in the future" in response.content
    place.refresh_from_db()
    assert place.status == Place.Status.OPEN
