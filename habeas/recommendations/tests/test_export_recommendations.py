"""Export of the tracker for a ministry: behind sudo, audited once without content, the
tracker's filters honoured, and formulas never run (¶5, 22, 34; SECURITY.md 18)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from habeas.accounts.sudo import SESSION_KEY
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory, RegionFactory
from habeas.recommendations import exporting, services
from habeas.recommendations.models import Implementation, Origin, ResponseStatus
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.visits.tests.factories import make_visit

URL = reverse("recommendations:export")
EVIL = '=HYPERLINK("http://evil.test","click")'
HEADER = [
    "Reference",
    "Recommendation",
    "Origin",
    "Source reference",
    "Place",
    "Region",
    "Addressee",
    "Level",
    "Theme",
    "Priority",
    "Deadline",
    "Sent on",
    "Response",
    "Response date",
    "Response passage (latest)",
    "Implementation",
    "Verified on",
    "Overdue",
    "Linked recommendations",
]


def with_sudo(client):
    session = client.session
    session[SESSION_KEY] = time.time() + 600
    session.save()
    return client


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(content_of(response).decode("utf-8-sig"))))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def xlsx_rows(response) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content_of(response))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in values[1:]]


@pytest.fixture
def tracked(personas):
    head = personas["head"]
    region = RegionFactory(name="North")
    place = PlaceFactory(name="Northgate prison", region=region)
    main = make_sent(
        head,
        sent_on=dt.date(2024, 3, 1),
        place=place,
        theme="health",
        deadline=dt.date(2024, 9, 1),
        text=EVIL,
        origin=Origin.CPT,
        source_ref="CPT/Inf (2024) 12, para. 40",
    )
    services.response_record(
        actor=head,
        recommendation=main,
        status=ResponseStatus.REJECTED,
        responded_on=dt.date(2024, 4, 1),
        passage="We will not do this.",
    )
    services.response_record(
        actor=head,
        recommendation=main,
        status=ResponseStatus.PARTIALLY_ACCEPTED,
        responded_on=dt.date(2024, 5, 2),
        passage="+ We will do part of it by 2025.",
    )
    response = main.responses.first()
    services.verification_record(
        actor=head,
        recommendation=main,
        status=Implementation.PARTIALLY_ACHIEVED,
        verified_on=dt.date(2024, 11, 3),
        evidence="response",
        response=response,
    )
    other = make_sent(head, sent_on=dt.date(2025, 1, 1), theme="staff")
    services.recommendation_link(actor=head, recommendation=main, other=other)
    draft = make_recommendation(head, theme="staff")
    return {"main": main, "other": other, "draft": draft}


@pytest.fixture
def comms_client(personas, client_for):
    return with_sudo(client_for(personas["comms"]))


def test_it_asks_for_sudo_first_and_exports_nothing_before(personas, client_for, tracked):
    response = client_for(personas["comms"]).get(URL, {"format": "xlsx"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert not AuditEvent.objects.filter(action="recommendations.export").exists()


def test_the_export_page_offers_both_formats_with_the_filters(comms_client, tracked):
    response = comms_client.get(URL, {"theme": "staff"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "?theme=staff&amp;format=xlsx" in page
    assert "?theme=staff&amp;format=csv" in page


def test_it_exports_csv_for_a_ministry(comms_client, tracked):
    response = comms_client.get(URL, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = {row["Reference"]: row for row in csv_rows(response)}
    main = rows[tracked["main"].reference]
    assert main["Recommendation"] == "'" + EVIL  # neutralised: shown as text, never run
    assert main["Origin"] == "CPT"
    assert main["Source reference"] == "CPT/Inf (2024) 12, para. 40"
    assert main["Place"] == "Northgate prison"
    assert main["Region"] == "North"
    assert main["Theme"] == "Health care"
    assert main["Level"] == "National"
    assert main["Deadline"] == "2024-09-01"
    assert main["Sent on"] == "2024-03-01"
    assert main["Response"] == "Partially accepted"  # the latest
    assert main["Response date"] == "2024-05-02"
    assert main["Response passage (latest)"] == "'+ We will do part of it by 2025."
    assert main["Implementation"] == "Partially achieved"
    assert main["Verified on"] == "2024-11-03"
    assert main["Overdue"] == "Yes"
    assert main["Linked recommendations"] == tracked["other"].reference
    assert rows[tracked["other"].reference]["Overdue"] == "No"
    assert rows[tracked["draft"].reference]["Sent on"] == ""


def test_it_exports_xlsx_with_text_that_never_runs(comms_client, tracked):
    response = comms_client.get(URL, {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == exporting.XLSX_TYPE
    rows = {row["Reference"]: row for row in xlsx_rows(response)}
    main = rows[tracked["main"].reference]
    assert main["Recommendation"] == EVIL  # a text cell: shown, not run
    assert main["Sent on"].date() == dt.date(2024, 3, 1)  # a real date, not text
    assert main["Response passage (latest)"] == "+ We will do part of it by 2025."
    assert main["Linked recommendations"] == tracked["other"].reference
    assert len(rows) == 3


def test_the_xlsx_holds_no_formula(comms_client, tracked):
    content = content_of(comms_client.get(URL, {"format": "xlsx"}))

    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "=HYPERLINK(&quot;" in sheet or '=HYPERLINK("' in sheet


def test_it_honours_the_trackers_filters(comms_client, tracked):
    response = comms_client.get(URL, {"format": "csv", "theme": "staff", "state": "sent"})

    assert [row["Reference"] for row in csv_rows(response)] == [tracked["other"].reference]


def test_it_is_audited_once_with_its_size_and_filters_never_its_content(
    personas, comms_client, tracked
):
    content_of(comms_client.get(URL, {"format": "csv", "q": "call bell", "theme": "staff"}))

    event = AuditEvent.objects.get(action="recommendations.export")
    assert event.detail["rows"] == 2  # the staff ones: sent and draft
    assert event.detail["format"] == "csv"
    assert event.detail["filters"] == {"q": True, "theme": "staff"}
    assert "bell" not in str(event.detail)


def test_it_exports_only_what_the_reader_sees(personas, client_for):
    head = personas["head"]
    # A visit still being prepared, unannounced, is known only to its team and planners.
    secret = make_sent(head, sent_on=dt.date(2025, 1, 1), visit=make_visit(head))
    national = make_sent(head, sent_on=dt.date(2025, 1, 1))

    rows = csv_rows(with_sudo(client_for(personas["comms"])).get(URL, {"format": "csv"}))

    assert [row["Reference"] for row in rows] == [national.reference]
    rows = csv_rows(with_sudo(client_for(head)).get(URL, {"format": "csv"}))
    assert {row["Reference"] for row in rows} == {secret.reference, national.reference}


@pytest.mark.parametrize("persona", ["doctor", "expert"])
def test_those_who_may_not_export_are_refused_even_in_sudo(personas, client_for, tracked, persona):
    response = with_sudo(client_for(personas[persona])).get(URL, {"format": "csv"})

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="recommendations.export").exists()


def test_an_unknown_format_is_refused(comms_client, tracked):
    assert comms_client.get(URL, {"format": "pdf"}).status_code == 400


def test_the_xlsx_writer_keeps_every_kind_of_value():
    header = ["Text", "Date", "Number", "Empty"]
    body = [["a < b & c\x01", dt.date(2026, 1, 31), 42, None], ["=1+1", None, 1.5, ""]]

    content = b"".join(exporting.xlsx_stream("Sheet", header, body))

    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Text", "Date", "Number", "Empty")
    assert values[1][0] == "a < b & c"
    assert values[1][1].date() == dt.date(2026, 1, 31)
    assert values[1][2:] == (42, None)
    assert values[2] == ("=1+1", None, 1.5, None)
    assert sheet.cell(row=3, column=1).data_type == "s"
