"""A data officer's day with the inventory of places of detention (¶9), in real Chromium.

Sign in with a password and an authenticator code, add a place by hand, import a
spreadsheet with one bad row, fix it, import it again, then find the new place in the
list and on the map.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from e2e.people import current_code
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.models import Place
from habeas.places.tests.factories import AuthorityFactory, RegionFactory

PASSWORD = "a long passphrase for the data officer"  # noqa: S105
HEADER = (
    "external_ref,name,category,region,authority,operator,official,status,"
    "address,latitude,longitude,capacity,groups,units"
)
GOOD_ROW = (
    "E2E-0001,Eastfield Police Station,police-custody,NORTH,,public,yes,open,"
    "3 Mill Lane,47.120000,5.440000,8,,Cell block"
)


def spreadsheet(second_row_category: str) -> dict:
    rows = [
        HEADER,
        GOOD_ROW,
        f"E2E-0002,Hill Street Remand Centre,{second_row_category},NORTH,,public,yes,open,"
        "Hill Street 9,47.180000,5.520000,240,women,Wing A; Wing B",
    ]
    return {
        "name": "places.csv",
        "mimeType": "text/csv",
        "buffer": ("\n".join(rows) + "\n").encode(),
    }


def sign_in(page: Page, user: User, device: TOTPDevice) -> None:
    page.goto(reverse("home"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_data_officer_add_import_and_find_places(page: Page) -> None:
    # Given a data officer with a confirmed authenticator, a region and an authority
    officer = User.objects.create_user(
        email="officer@npm.test",
        password=PASSWORD,
        full_name="Dana Officer",
        role=Role.DATA_OFFICER,
    )
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    RegionFactory(name="Northern Province", code="NORTH")
    AuthorityFactory(name="Prison Administration")

    # When they sign in with their password and the code their app shows
    sign_in(page, officer, device)

    # Then they land on the overview
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))

    # When they add a place through the form
    page.get_by_role("link", name="Places", exact=True).click()
    page.get_by_role("link", name="Add a place").click()
    page.get_by_label("Name:", exact=True).fill("Westbrook Juvenile Centre")
    page.get_by_label("Category").select_option(label="Juvenile centre")
    page.get_by_label("Supervising authority").select_option(label="Prison Administration")
    page.get_by_label("Region").select_option(label="Northern Province")
    page.get_by_label("Capacity").fill("36")
    page.get_by_role("button", name="Add the place").click()

    # Then they see the place's own page, with what they entered and its history
    expect(page.get_by_role("heading", name="Westbrook Juvenile Centre")).to_be_visible()
    expect(page.get_by_text("The place was added to the inventory.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Juvenile centre")
    expect(facts).to_contain_text("Northern Province")
    expect(facts).to_contain_text("Prison Administration")
    expect(page.locator("ol.timeline")).to_contain_text("Added to the inventory")

    # When they import a spreadsheet whose second row has a category Habeas does not know
    page.goto(reverse("places:import"))
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(spreadsheet("jail"))
    page.get_by_role("button", name="Upload and preview").click()

    # Then the preview names the bad row and its column, offers no Apply, imports nothing
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    bad_row = page.locator("tr.row-error")
    expect(bad_row).to_have_count(1)
    expect(bad_row).to_contain_text("Row 3, category:")
    expect(bad_row).to_contain_text("“jail” is not a known category")
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been imported")
    expect(page.get_by_role("button", name="Apply the import")).to_have_count(0)
    assert not Place.objects.filter(external_ref__startswith="E2E-").exists()

    # When they read the error, fix the category in the file and upload it again
    page.get_by_role("link", name="Upload the corrected file").click()
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(spreadsheet("prison-remand"))
    page.get_by_role("button", name="Upload and preview").click()

    # Then the preview shows two new places and no error, and applying imports them
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    expect(page.locator("tr.row-error")).to_have_count(0)
    expect(page.locator("tbody .badge.ok")).to_have_count(2)
    page.get_by_role("button", name="Apply the import").click()
    expect(page.locator(".messages .success")).to_contain_text("Imported.")
    assert Place.objects.filter(external_ref__startswith="E2E-").count() == 2

    # When they search the list for the imported place and open it
    page.get_by_role("searchbox", name="Search").fill("Hill Street")
    page.get_by_role("button", name="Apply", exact=True).click()
    results = page.locator("#place-results")
    expect(results).to_contain_text("1 place found")
    page.get_by_role("link", name="Hill Street Remand Centre").click()

    # Then its page shows what the file said, its units included
    expect(page.get_by_role("heading", name="Hill Street Remand Centre")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("E2E-0002")
    expect(page.get_by_role("cell", name="Wing B")).to_be_visible()
    hill_street = Place.objects.get(external_ref="E2E-0002")

    # When they go back to what they found and show it on the map
    page.go_back()
    expect(results).to_contain_text("1 place found")
    with page.expect_response(lambda response: "/places/map.geojson" in response.url) as answer:
        page.get_by_role("link", name="Show these on the map").click()
    names = [feature["properties"]["name"] for feature in answer.value.json()["features"]]

    # Then the map draws that one place; clicking its dot opens a popup linking to it
    assert names == ["Hill Street Remand Centre"]
    expect(page.locator("#map-status")).to_contain_text("1 place")
    canvas = page.locator("#map canvas")
    expect(canvas).to_be_visible()
    page.locator("#map").click()  # one place is fitted to the centre of the map
    popup = page.locator(".leaflet-popup .place-popup")
    expect(popup).to_contain_text("Hill Street Remand Centre")
    popup.get_by_role("link", name="Open this place").click()
    expect(page).to_have_url(re.compile(rf"/places/{hill_street.pk}/$"))
