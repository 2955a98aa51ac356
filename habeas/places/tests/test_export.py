"""Export of places: behind sudo, audited once, neutralised, and re-importable unchanged (¶9)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from habeas.accounts.sudo import SESSION_KEY
from habeas.core.models import AuditEvent
from habeas.places.importing import COLUMN_NAMES, plan_import
from habeas.places.spreadsheets import read_table
from habeas.places.tests.factories import (
    AuthorityFactory,
    PlaceFactory,
    PopulationRecordFactory,
    RegionFactory,
    UnitFactory,
)

EVIL = '=HYPERLINK("http://evil.test","click")'


def with_sudo(client):
    session = client.session
    session[SESSION_KEY] = time.time() + 600
    session.save()
    return client


def content_of(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def inventory():
    north = RegionFactory(code="NORTH", name="North")
    service = AuthorityFactory(name="Prison service")
    prison = PlaceFactory(
        external_ref="P-1",
        name="Northgate Prison",
        region=north,
        authority=service,
        latitude=Decimal("-33.500000"),
        longitude=Decimal("151.250000"),
        groups=["women", "children"],
        last_visit_on=dt.date(2024, 3, 14),
    )
    UnitFactory(place=prison, name="Wing A")
    UnitFactory(place=prison, name="Wing B")
    PopulationRecordFactory(place=prison, recorded_on=dt.date(2025, 6, 30), population=455)
    PlaceFactory(
        external_ref="P-2",
        name=EVIL,
        address="+1 Road\nsecond line",
        category__code="police-custody",
    )
    PlaceFactory(
        external_ref="P-3",
        name="Closed cells",
        status="closed",
        official=False,
        region=None,
        authority=None,
    )
    return prison


@pytest.fixture
def officer_client(personas, client_for):
    return with_sudo(client_for(personas["data_officer"]))


def test_it_asks_for_sudo_before_exporting(personas, client_for, inventory):
    response = client_for(personas["data_officer"]).get(reverse("places:export"), {"format": "csv"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert not AuditEvent.objects.filter(action="places.export").exists()


def test_it_exports_csv_in_the_import_columns_and_neutralises_formulas(officer_client, inventory):
    response = officer_client.get(reverse("places:export"), {"format": "csv"})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(content_of(response).decode("utf-8-sig"))))
    assert rows[0] == list(COLUMN_NAMES)
    by_ref = {row[0]: dict(zip(COLUMN_NAMES, row, strict=True)) for row in rows[1:]}
    assert by_ref["P-2"]["name"] == "'" + EVIL
    assert by_ref["P-2"]["address"] == "'+1 Road\nsecond line"
    assert by_ref["P-1"]["latitude"] == "-33.500000"  # a number, not a formula: left alone
    assert by_ref["P-1"]["groups"] == "children; women"
    assert by_ref["P-1"]["units"] == "Wing A; Wing B"
    assert (by_ref["P-1"]["population"], by_ref["P-1"]["population_date"]) == ("455", "2025-06-30")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_reimports_its_own_export_unchanged(officer_client, personas, inventory, file_format):
    response = officer_client.get(reverse("places:export"), {"format": file_format})

    table = read_table(name=f"places.{file_format}", content=content_of(response))
    plan = plan_import(table, actor=personas["data_officer"])

    assert plan.errors == []
    assert [row.action for row in plan.rows] == ["unchanged"] * 3
    assert {row.cells["name"] for row in plan.rows} >= {EVIL, "Northgate Prison"}


def test_it_writes_formulas_into_xlsx_as_plain_text(officer_client, inventory):
    response = officer_client.get(reverse("places:export"), {"format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    evil = next(cell for cell in names if cell.value == EVIL)
    assert evil.data_type == "s"  # a string cell: shown, never calculated


def test_it_exports_only_the_filtered_places(officer_client, inventory):
    response = officer_client.get(reverse("places:export"), {"format": "csv", "status": "closed"})

    rows = list(csv.reader(io.StringIO(content_of(response).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["P-3"]
    event = AuditEvent.objects.get(action="places.export")
    assert event.detail["rows"] == 1


def test_it_audits_each_export_once_with_its_size_and_no_content(
    officer_client, personas, inventory
):
    content_of(officer_client.get(reverse("places:export"), {"format": "xlsx"}))

    event = AuditEvent.objects.get(action="places.export")
    assert event.actor == personas["data_officer"]
    assert event.detail["format"] == "xlsx" and event.detail["rows"] == 3
    assert "Northgate" not in str(event.detail)


def test_it_offers_both_formats_without_exporting_anything(personas, client_for, inventory):
    response = client_for(personas["monitor"]).get(reverse("places:export"), {"status": "open"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "status=open&amp;format=csv" in page and "format=xlsx" in page
    assert not AuditEvent.objects.filter(action="places.export").exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("comms", 403), ("auditor", 403)]
)
def test_it_refuses_those_who_may_not_export_even_in_sudo(
    personas, client_for, inventory, persona, status
):
    client = with_sudo(client_for(personas[persona]))

    assert client.get(reverse("places:export"), {"format": "csv"}).status_code == status
    assert client.get(reverse("places:export")).status_code == status
    assert not AuditEvent.objects.filter(action="places.export").exists()


def test_it_refuses_an_unknown_format(officer_client, inventory):
    response = officer_client.get(reverse("places:export"), {"format": "pdf"})

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="places.export").exists()
