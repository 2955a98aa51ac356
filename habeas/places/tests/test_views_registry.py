"""Pages for authorities and regions."""

from __future__ import annotations

import pytest

from habeas.places.models import Authority, Region
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory, RegionFactory

pytestmark = pytest.mark.django_db


def authority_form(authority: Authority, **changes) -> dict:
    return {
        "name": authority.name,
        "kind": authority.kind,
        "parent": "",
        "region": "",
        "response_days": authority.response_days or "",
        "email": authority.email,
        "phone": "",
        "urgent_contact": "",
        "address": "",
        "version": authority.version,
        **changes,
    }


@pytest.mark.parametrize(
    "url", ["/places/authorities/", "/places/authorities/{pk}/", "/places/regions/"]
)
def test_it_answers_404_to_an_outsider(personas, client_for, url):
    authority = AuthorityFactory()

    response = client_for(personas["outsider"]).get(url.format(pk=authority.pk))

    assert response.status_code == 404


def test_it_lists_authorities_with_the_places_they_supervise(personas, client_for):
    ministry = AuthorityFactory(name="Ministry of Justice")
    PlaceFactory.create_batch(3, authority=ministry)

    html = client_for(personas["comms"]).get("/places/authorities/?q=justice").content.decode()

    assert "Ministry of Justice" in html and '<td class="num">3</td>' in html


def test_it_shows_an_authority_and_its_places(personas, client_for):
    ministry = AuthorityFactory(name="Ministry", response_days=45)
    PlaceFactory(name="Central Prison", authority=ministry)

    html = client_for(personas["comms"]).get(f"/places/authorities/{ministry.pk}/").content.decode()

    assert "Central Prison" in html and "45 days" in html and "Edit" not in html


def test_it_lets_the_data_officer_add_and_edit_an_authority(personas, client_for):
    client = client_for(personas["data_officer"])

    client.post(
        "/places/authorities/new/",
        {"name": "Prosecutor", "kind": "prosecutor", "response_days": "30"},
    )
    authority = Authority.objects.get(name="Prosecutor")
    response = client.post(
        f"/places/authorities/{authority.pk}/edit/",
        authority_form(authority, name="Public Prosecutor"),
    )

    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.name == "Public Prosecutor" and authority.version == 2


def test_it_forbids_a_monitor_to_edit_an_authority(personas, client_for):
    authority = AuthorityFactory(name="Kept")

    response = client_for(personas["monitor"]).post(
        f"/places/authorities/{authority.pk}/edit/", authority_form(authority, name="Changed")
    )

    assert response.status_code == 403
    authority.refresh_from_db()
    assert authority.name == "Kept"


def test_it_answers_409_to_a_stale_authority_edit(personas, client_for):
    authority = AuthorityFactory(name="Original")
    url = f"/places/authorities/{authority.pk}/edit/"
    client_for(personas["head"]).post(url, authority_form(authority, name="Theirs"))

    response = client_for(personas["data_officer"]).post(
        url, authority_form(authority, name="Mine")
    )

    assert response.status_code == 409
    assert b'value="Mine"' in response.content and b"Theirs" in response.content


def test_it_shows_regions_as_an_indented_tree(personas, client_for):
    country = RegionFactory(name="Country")
    RegionFactory(name="North", parent=country)

    html = client_for(personas["comms"]).get("/places/regions/").content.decode()

    assert html.index("Country") < html.index("North")
    assert 'class="depth-1"' in html and "Add a region" not in html


def test_it_lets_the_head_add_a_region_and_offers_it_indented(personas, client_for):
    country = RegionFactory(name="Country")
    client = client_for(personas["head"])

    client.post("/places/regions/new/", {"name": "North", "code": "N", "parent": country.pk})

    assert Region.objects.get(code="N").parent == country
    form = client.get("/places/new/").content.decode()
    assert "\u2003North</option>" in form


def test_it_does_not_offer_a_region_as_part_of_its_own_part(personas, client_for):
    country = RegionFactory(name="Country")
    RegionFactory(name="North", parent=country)

    html = client_for(personas["head"]).get(f"/places/regions/{country.pk}/edit/").content.decode()

    assert ">\u2003North</option>" not in html and ">North</option>" not in html
