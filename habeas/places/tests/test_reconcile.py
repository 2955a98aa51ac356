"""Reconciliation with the authorities' official list (OPCAT art. 20(a); ¶9)."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from habeas.core.models import AuditEvent, ImportBatch
from habeas.places.models import Category, Place
from habeas.places.reconcile import (
    normalise,
    places_reconcile,
    places_reconcile_add,
    reconciliation_for,
)
from habeas.places.tests.factories import PlaceFactory, RegionFactory
from habeas.places.tests.test_import_parser import csv_bytes, xlsx_bytes

THEIR_LIST = csv_bytes(
    [
        {"external_ref": "MOJ-1", "name": "Anything at all", "region": "", "category": ""},
        {"external_ref": "", "name": "prison of St-Éloi", "region": "NORTH", "category": ""},
        {"external_ref": "", "name": "Harbour Police Station", "region": "SOUTH", "category": ""},
        {
            "external_ref": "",
            "name": "Hillside Juvenile Centre",
            "region": "",
            "category": "juvenile",
        },
    ]
)


@pytest.fixture
def inventory():
    north, south = (
        RegionFactory(code="NORTH", name="North"),
        RegionFactory(code="SOUTH", name="South"),
    )
    return {
        "by_ref": PlaceFactory(external_ref="MOJ-1", name="Central remand prison", region=north),
        "by_name": PlaceFactory(external_ref=None, name="Saint Eloi Prison", region=north),
        "near_name": PlaceFactory(external_ref=None, name="St Eloi Prison", region=north),
        "other_region": PlaceFactory(
            external_ref=None, name="Harbour Police Station", region=north
        ),
        "omitted": PlaceFactory(external_ref=None, name="Old barracks cells", region=south),
        "closed": PlaceFactory(
            external_ref=None, name="Closed jail", status="closed", region=south
        ),
        "unofficial": PlaceFactory(
            external_ref=None, name="Secret site", official=False, region=south
        ),
    }


def compare(user, content: bytes = THEIR_LIST, name: str = "official.csv"):
    batch = places_reconcile(actor=user, upload=SimpleUploadedFile(name, content))
    return batch, reconciliation_for(user=user, batch=batch)


def test_it_normalises_case_accents_and_punctuation():
    assert normalise("  Prison  St-Éloi (Annex) ") == "prison st eloi annex"


def test_it_sorts_their_list_and_ours_into_three_lists(personas, inventory):
    _batch, result = compare(personas["data_officer"])

    pairs = {match.official.row: (match.place, match.score) for match in result.matched}
    assert pairs[2] == (inventory["by_ref"], 100)
    assert pairs[3][0] == inventory["near_name"] and pairs[3][1] >= 90
    assert [row.name for row in result.theirs_only] == [
        "Harbour Police Station",
        "Hillside Juvenile Centre",
    ]
    assert set(result.ours_only) == {
        inventory["by_name"],
        inventory["other_region"],
        inventory["omitted"],
    }


def test_it_explains_each_match(personas, inventory):
    _batch, result = compare(personas["data_officer"])

    reasons = {match.official.row: match.reason for match in result.matched}
    assert reasons[2] == "Same external reference"
    assert reasons[3].startswith("Names ") and reasons[3].endswith("alike in the same region")


def test_it_reads_an_xlsx_list_too(personas, inventory):
    content = xlsx_bytes([["Name", "Region"], ["ST ELOI PRISON", "North"]])

    _batch, result = compare(personas["data_officer"], content, "official.xlsx")

    assert [(m.place, m.score, m.reason) for m in result.matched] == [
        (inventory["near_name"], 100, "Same name in the same region")
    ]


def test_it_writes_nothing_to_the_inventory_and_audits_counts_only(personas, inventory):
    before = sorted(Place.objects.values_list("pk", "name", "version"))

    compare(personas["data_officer"])

    assert sorted(Place.objects.values_list("pk", "name", "version")) == before
    event = AuditEvent.objects.get(action="places.reconcile")
    assert event.detail == {"rows": 4, "matched": 2, "theirs_only": 2, "ours_only": 3}


def test_it_adds_the_chosen_rows_as_official_places_with_audit(personas, inventory):
    officer = personas["data_officer"]
    batch, _result = compare(officer)

    added = places_reconcile_add(
        actor=officer, batch=batch, rows=[4, 5, 2], category=Category.objects.get(code="other")
    )

    assert sorted(place.name for place in added) == [
        "Harbour Police Station",
        "Hillside Juvenile Centre",
    ]
    harbour = Place.objects.get(name="Harbour Police Station", region__code="SOUTH")
    assert (harbour.official, harbour.status, harbour.category.code) == (True, "open", "other")
    assert Place.objects.get(name="Hillside Juvenile Centre").category.code == "juvenile"
    assert AuditEvent.objects.filter(action="place.create").count() == 2
    assert AuditEvent.objects.filter(action="places.reconcile_add").count() == 1
    assert reconciliation_for(user=officer, batch=batch).theirs_only == []


def test_it_lets_only_the_uploader_see_or_use_a_list(personas, inventory):
    batch, _result = compare(personas["data_officer"])

    with pytest.raises(PermissionDenied):
        reconciliation_for(user=personas["head"], batch=batch)
    with pytest.raises(PermissionDenied):
        places_reconcile_add(
            actor=personas["head"], batch=batch, rows=[4], category=Category.objects.first()
        )
    with pytest.raises(PermissionDenied):
        compare(personas["monitor"])


# Pages -----------------------------------------------------------------------------


def test_it_shows_the_three_lists_on_the_result_page(personas, client_for, inventory):
    client = client_for(personas["data_officer"])

    response = client.post(
        reverse("places:reconcile"), {"file": SimpleUploadedFile("official.csv", THEIR_LIST)}
    )
    page = client.get(response["Location"]).content.decode()

    assert "Hillside Juvenile Centre" in page  # theirs only
    assert "Old barracks cells" in page  # ours only
    assert "Same external reference" in page  # matched
    assert "Secret site" not in page and "Closed jail" not in page


def test_it_adds_ticked_rows_from_the_result_page(personas, client_for, inventory):
    client = client_for(personas["head"])
    client.post(
        reverse("places:reconcile"), {"file": SimpleUploadedFile("official.csv", THEIR_LIST)}
    )
    batch = ImportBatch.objects.get(kind="reconcile")

    response = client.post(
        reverse("places:reconcile_add", args=[batch.pk]), {"row": ["5"], "category": "other"}
    )

    assert response.status_code == 302
    assert Place.objects.filter(name="Hillside Juvenile Centre").count() == 1


def test_it_answers_a_file_without_a_name_column_plainly(personas, client_for):
    client = client_for(personas["data_officer"])

    response = client.post(
        reverse("places:reconcile"),
        {"file": SimpleUploadedFile("official.csv", b"title,town\nA,B\n")},
    )

    assert response.status_code == 400
    assert "one of them must be “name”" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("comms", 403), ("monitor", 403)]
)
def test_it_keeps_the_pages_from_those_who_may_not_reconcile(
    personas, client_for, inventory, persona, status
):
    batch, _result = compare(personas["data_officer"])
    client = client_for(personas[persona])

    assert client.get(reverse("places:reconcile")).status_code == status
    assert client.get(reverse("places:reconcile_result", args=[batch.pk])).status_code == status
    response = client.post(
        reverse("places:reconcile_add", args=[batch.pk]), {"row": ["5"], "category": "other"}
    )
    assert response.status_code == status
    assert not Place.objects.filter(name="Hillside Juvenile Centre").exists()


def test_it_answers_another_users_list_like_a_missing_one(personas, client_for, inventory):
    batch, _result = compare(personas["data_officer"])
    client = client_for(personas["head"])

    hidden = client.get(reverse("places:reconcile_result", args=[batch.pk]))
    missing = client.get(reverse("places:reconcile_result", args=[uuid.uuid4()]))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_it_compares_only_the_categories_their_list_covers(personas, inventory):
    content = csv_bytes([{"name": "Hillside Juvenile Centre", "category": "juvenile"}])
    PlaceFactory(external_ref=None, name="Riverside juvenile centre", category__code="juvenile")

    _batch, result = compare(personas["data_officer"], content)

    assert [place.name for place in result.ours_only] == ["Riverside juvenile centre"]
    assert any("only these are compared: Juvenile" in note for note in result.notes)
