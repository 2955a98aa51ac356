"""Exports of the allegations register (¶27): the aggregated statistics for the annual
report and the entry list; behind sudo, audited once, neutralised, and holding only what
the reader may see."""

from __future__ import annotations

import csv
import io
import time

import openpyxl
import pytest
from django.urls import reverse

from habeas.accounts.sudo import SESSION_KEY
from habeas.cases import services_register as services
from habeas.cases.tests.factories import make_case
from habeas.cases.tests.test_register_selectors import register_world
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db
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


def csv_rows(response) -> list[list[str]]:
    text = content_of(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(response)))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


# Statistics ----------------------------------------------------------------------------


def test_it_exports_the_statistics_by_agency_as_csv(personas, client_for):
    register_world(personas["head"])
    client = with_sudo(client_for(personas["comms"]))

    response = client.get(reverse("cases:register_stats_export"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="register-statistics-agency-'
    )
    header, *rows = csv_rows(response)
    assert header[:5] == [
        "Agency concerned",
        "Complaints",
        "Investigations opened",
        "Prosecutions",
        "Convictions",
    ]
    assert rows == [
        ["National police", "4", "3", "2", "2", "1", "1", "50.0", "50.0", "3", "60.0"],
        ["Prison service", "2", "1", "2", "1", "0", "2", "0.0", "100.0", "2", "30.0"],
        ["Agency not recorded", "1", "0", "0", "0", "0", "0", "", "", "0", ""],
        ["All", "7", "4", "4", "3", "1", "3", "25.0", "75.0", "5", "45.0"],
    ]


def test_it_exports_the_statistics_by_year_as_xlsx_with_numbers(personas, client_for):
    register_world(personas["head"])
    client = with_sudo(client_for(personas["head"]))

    response = client.get(
        reverse("cases:register_stats_export"), {"format": "xlsx", "group": "year"}
    )

    header, *rows = xlsx_rows(response)
    assert header[0] == "Year of complaint"
    assert rows[0] == ("2024", 3, 3, 2, 2, 1, 1, 50.0, 50.0, 3, 60.0)
    assert rows[1][0] == "2025" and rows[1][-1] == 30.0
    assert rows[-1][:2] == ("All", 7)


def test_it_audits_a_statistics_export_once_without_content(personas, client_for):
    register_world(personas["head"])
    client = with_sudo(client_for(personas["comms"]))

    client.get(
        reverse("cases:register_stats_export"), {"format": "csv", "group": "region", "year": 2024}
    )

    (event,) = AuditEvent.objects.filter(action="cases.register.statistics_export")
    assert event.actor == personas["comms"]
    assert event.detail == {"format": "csv", "group": "region", "rows": 2, "filters": ["year"]}


def test_it_neutralises_formulas_in_exported_names(personas, client_for):
    services.register_entry_create(
        actor=personas["head"], data={"agency": AuthorityFactory(name=EVIL)}
    )
    client = with_sudo(client_for(personas["head"]))

    as_csv = csv_rows(client.get(reverse("cases:register_stats_export"), {"format": "csv"}))
    as_xlsx = client.get(reverse("cases:register_stats_export"), {"format": "xlsx"})

    assert as_csv[1][0] == "'" + EVIL
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(as_xlsx)))
    cell = workbook.worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == (EVIL, "s")


def test_it_asks_for_the_password_again_before_an_export(personas, client_for):
    register_world(personas["head"])

    response = client_for(personas["comms"]).get(
        reverse("cases:register_stats_export"), {"format": "csv"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert not AuditEvent.objects.filter(action="cases.register.statistics_export").exists()


def test_it_offers_the_formats_before_exporting(personas, client_for):
    page = client_for(personas["comms"]).get(
        reverse("cases:register_stats_export"), {"group": "year"}
    )

    assert page.status_code == 200
    assert "group=year&amp;format=csv" in page.content.decode()


def test_it_refuses_an_unknown_format(personas, client_for):
    client = with_sudo(client_for(personas["head"]))

    assert client.get(reverse("cases:register_stats_export"), {"format": "pdf"}).status_code == 400
    assert client.get(reverse("cases:register_export"), {"format": "exe"}).status_code == 400


# Entries -------------------------------------------------------------------------------------


def test_it_exports_the_filtered_entries_with_their_durations(personas, client_for):
    world = register_world(personas["head"])
    client = with_sudo(client_for(personas["monitor"]))

    response = client.get(
        reverse("cases:register_export"), {"format": "csv", "agency": world.prisons.pk}
    )

    header, *rows = csv_rows(response)
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_reference) == {world.entries[4].reference, world.entries[5].reference}
    cruel = by_reference[world.entries[5].reference]
    assert cruel["Prosecution"] == "2025-05-10"
    assert cruel["Days from investigation to prosecution"] == "9"  # from the complaint
    assert cruel["Days from complaint to decision"] == "15"
    assert cruel["Legal classification"] == "Cruel, inhuman or degrading treatment"
    (event,) = AuditEvent.objects.filter(action="cases.register.export")
    assert event.detail == {"format": "csv", "rows": 2, "filters": ["agency"]}


def test_it_exports_entries_as_xlsx_without_the_case_link(personas, client_for):
    case = make_case(personas["head"])
    entry = services.register_entry_create(actor=personas["head"], data={"case": case})
    client = with_sudo(client_for(personas["head"]))

    response = client.get(reverse("cases:register_export"), {"format": "xlsx"})

    body = content_of(response)
    header, row = xlsx_rows(response)
    assert row[0] == entry.reference
    assert case.reference.encode() not in body and str(case.pk).encode() not in body


@pytest.mark.parametrize("who", ["comms", "admin", "auditor", "outsider"])
def test_only_readers_export_entries(personas, client_for, who):
    client = with_sudo(client_for(personas[who]))

    response = client.get(reverse("cases:register_export"), {"format": "csv"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="cases.register.export").exists()
