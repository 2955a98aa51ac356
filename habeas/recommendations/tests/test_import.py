"""Importing the recommendations of the SPT and other bodies: previewed, then all or nothing,
linked to the NPM's own, never twice (¶20)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from habeas.core.models import AuditEvent, ImportBatch
from habeas.places.models import Authority
from habeas.places.spreadsheets import ImportRefused
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory
from habeas.recommendations import importing, services
from habeas.recommendations.importing import (
    ImportFailed,
    ImportNotApplicable,
    recommendations_import_apply,
    recommendations_import_preview,
)
from habeas.recommendations.models import (
    FollowUpRule,
    Level,
    Origin,
    Priority,
    Recommendation,
    Response,
    ResponseStatus,
)
from habeas.recommendations.tests.factories import make_recommendation
from habeas.visits.models import Theme

pytestmark = pytest.mark.django_db

OWN_DOCTOR = "Give every detainee a medical examination by a doctor within 24 hours of arrival."
SPT_ROW = {
    "text": "The SPT recommends that the State party ensure that every detainee is examined "
    "by a doctor within 24 hours of arrival.",
    "origin": "spt",
    "source_ref": "CAT/OP/XX/1, para. 42",
    "addressee": "Ministry of Justice",
    "theme": "health",
    "priority": "key",
    "deadline": "2030-12-31",
    "sent_on": "2025-03-01",
    "response": "accepted",
    "responded_on": "2025-05-02",
}
CPT_ROW = {
    "text": "Keep a register of every use of restraint at Northgate Prison.",
    "origin": "CPT",
    "source_ref": "CPT/Inf (2024) 12, para. 7",
    "addressee": "ministry of justice",
    "place": "Northgate Prison",
    "priority": "urgent",
    "sent_on": "2025-04-01",
}


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    header = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def ministry():
    return AuthorityFactory(
        name="Ministry of Justice", kind=Authority.Kind.MINISTRY, urgent_contact="Duty director"
    )


@pytest.fixture
def northgate():
    return PlaceFactory(name="Northgate Prison", external_ref="P-001")


@pytest.fixture
def officer(personas, ministry, northgate):
    return personas["data_officer"]


@pytest.fixture
def own(personas, ministry):
    """The NPM's own recommendation on health care, which an SPT one should join."""
    return make_recommendation(
        personas["head"], text=OWN_DOCTOR, theme=Theme.HEALTH, origin=Origin.OWN_VISIT
    )


def preview(user, content: bytes, name: str = "spt.csv") -> ImportBatch:
    return recommendations_import_preview(actor=user, upload=SimpleUploadedFile(name, content))


def run(user, content: bytes, name: str = "spt.csv") -> importing.ImportResult:
    return recommendations_import_apply(actor=user, batch=preview(user, content, name))


def errors_of(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [
        (row["row"], error["column"], error["message"])
        for row in batch.report["rows"]
        for error in row["errors"]
    ]


def snapshot() -> tuple:
    """Everything an import may write, to prove a failed one wrote nothing."""
    return (
        sorted(Recommendation.objects.values_list("reference", "text", "state", "version")),
        sorted(Response.objects.values_list("recommendation_id", "status")),
        sorted(Recommendation.linked.through.objects.values_list("pk", flat=True)),
        list(
            AuditEvent.objects.exclude(action="recommendations.import_failed").values_list(
                "pk", flat=True
            )
        ),
    )


# -- a good file ---------------------------------------------------------------------------


def test_it_imports_recommendations_as_sent_on_the_date_the_body_issued_them(officer, own):
    result = run(officer, csv_bytes([SPT_ROW, CPT_ROW]))

    assert result.applied and result.summary == {
        "rows": 2,
        "create": 2,
        "unchanged": 0,
        "error": 0,
        "links": 1,
    }
    spt = Recommendation.objects.get(origin=Origin.SPT)
    assert (spt.state, spt.sent_on, spt.deadline) == (
        Recommendation.State.SENT,
        dt.date(2025, 3, 1),
        dt.date(2030, 12, 31),
    )
    assert (spt.addressee.name, spt.level, spt.theme, spt.priority) == (
        "Ministry of Justice",
        Level.NATIONAL,
        Theme.HEALTH,
        Priority.KEY,
    )
    assert spt.source_ref == "CAT/OP/XX/1, para. 42"
    assert spt.response_due == services.response_due_on(spt, dt.date(2025, 3, 1))
    assert spt.reference.startswith(f"R-{timezone.localdate().year}-")
    assert (spt.response, spt.responded_on) == (ResponseStatus.ACCEPTED, dt.date(2025, 5, 2))
    assert spt.responses.get().status == ResponseStatus.ACCEPTED
    assert spt.owner == officer and spt.created_by == officer


def test_it_gives_an_urgent_recommendation_a_short_deadline_and_the_liaison(officer):
    run(officer, csv_bytes([CPT_ROW]))

    cpt = Recommendation.objects.get(origin=Origin.CPT)
    days = FollowUpRule.current().urgent_days
    assert cpt.place.external_ref == "P-001"
    assert cpt.deadline == dt.date(2025, 4, 1) + dt.timedelta(days=days)
    assert cpt.liaison == "Duty director"
    assert cpt.response == ""


def test_it_links_each_one_to_the_npms_own_on_the_same_theme_and_explains_why(officer, own):
    result = run(officer, csv_bytes([SPT_ROW]))

    spt = result.created[0]
    assert list(spt.linked.all()) == [own]
    assert list(own.linked.all()) == [spt]
    link = result.batch.report["rows"][0]["links"][0]
    assert link["reference"] == own.reference and link["pk"] == own.pk
    assert "Same theme: Health care" in link["reasons"]
    assert any("of the wording is shared" in reason for reason in link["reasons"])
    assert AuditEvent.objects.filter(action="recommendation.link").count() == 1


def test_it_shows_the_links_it_will_make_in_the_preview_and_writes_nothing(officer, own):
    batch = preview(officer, csv_bytes([SPT_ROW]))

    assert batch.report["rows"][0]["action"] == "create"
    assert [link["reference"] for link in batch.report["rows"][0]["links"]] == [own.reference]
    assert Recommendation.objects.count() == 1
    assert own.linked.count() == 0


def test_it_audits_each_recommendation_and_the_batch(officer):
    result = run(officer, csv_bytes([SPT_ROW, CPT_ROW]))

    imported = AuditEvent.objects.filter(action="recommendation.import")
    assert sorted(imported.values_list("object_id", flat=True)) == sorted(
        str(r.pk) for r in result.created
    )
    assert AuditEvent.objects.filter(
        action="recommendations.import_apply", object_id=str(result.batch.pk)
    ).exists()
    assert SPT_ROW["text"] not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_it_reads_an_excel_workbook_with_real_date_cells_and_labels(officer):
    content = xlsx_bytes(
        [
            [
                "Text",
                "Origin",
                "Source ref",
                "Addressee",
                "Theme",
                "Deadline",
                "Sent on",
                "Response",
            ],
            [
                "Allow every detainee to call a relative within 2 hours of arrival.",
                "Other treaty body",
                "CAT/C/XX/CO/7, para. 11",
                "Ministry of Justice",
                "Protection safeguards",
                dt.date(2029, 6, 30),
                dt.datetime(2024, 11, 20),  # noqa: DTZ001 - a spreadsheet cell has no time zone
                "Partially accepted",
            ],
        ]
    )

    result = run(officer, content, "treaty.xlsx")

    made = Recommendation.objects.get()
    assert result.applied
    assert (made.origin, made.theme, made.deadline, made.sent_on, made.response) == (
        Origin.TREATY_BODY,
        Theme.SAFEGUARDS,
        dt.date(2029, 6, 30),
        dt.date(2024, 11, 20),
        ResponseStatus.PARTIALLY_ACCEPTED,
    )


def test_it_records_a_row_without_a_date_as_sent_today_from_another_source(officer):
    run(
        officer,
        csv_bytes(
            [{"text": "Publish the annual custody statistics.", "addressee": "Ministry of Justice"}]
        ),
    )

    made = Recommendation.objects.get()
    assert (made.origin, made.sent_on, made.priority) == (
        Origin.OTHER,
        timezone.localdate(),
        Priority.GENERAL,
    )


def test_the_template_file_imports_cleanly(personas, client_for, ministry):
    response = client_for(personas["data_officer"]).get(reverse("recommendations:import_template"))
    content = b"".join(response.streaming_content)

    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert content.decode("utf-8-sig").splitlines()[0] == ",".join(importing.COLUMN_NAMES)
    assert run(personas["data_officer"], content).applied


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"text": ""}, "text", "is required."),
        ({"text": "x" * 10_001}, "text", "is longer than 10000 characters."),
        ({"origin": "unicef"}, "origin", "“unicef” is not one of: spt, cpt, treaty_body, other."),
        (
            {"origin": "own_visit"},
            "origin",
            "“own_visit” is not one of: spt, cpt, treaty_body, other.",
        ),
        ({"source_ref": "x" * 201}, "source_ref", "is longer than 200 characters."),
        ({"addressee": ""}, "addressee", "is required."),
        (
            {"addressee": "Ministry of Magic"},
            "addressee",
            "“Ministry of Magic” is not a known authority.",
        ),
        ({"place": "Southgate"}, "place", "“Southgate” is not a known place."),
        (
            {"level": "cosmic"},
            "level",
            "“cosmic” is not one of: facility, supervisory, national, legislative.",
        ),
        (
            {"theme": "food"},
            "theme",
            "“food” is not one of: treatment, safeguards, security, contact, conditions, "
            "regime, health, staff.",
        ),
        ({"priority": "high"}, "priority", "“high” is not one of: urgent, key, general."),
        ({"deadline": "31/12/2030"}, "deadline", "“31/12/2030” is not a date written YYYY-MM-DD."),
        (
            {"deadline": "2025-01-01"},
            "deadline",
            "is earlier than the date it was issued (sent_on).",
        ),
        ({"sent_on": "2999-01-01"}, "sent_on", "2999-01-01 is in the future."),
        (
            {"response": "maybe"},
            "response",
            "“maybe” is not one of: accepted, partially_accepted, rejected, no_reply.",
        ),
        (
            {"response": "", "responded_on": "2025-05-02"},
            "response",
            "is required when responded_on is given.",
        ),
        (
            {"responded_on": "2025-02-01"},
            "responded_on",
            "is earlier than the date it was issued (sent_on).",
        ),
    ],
)
def test_it_reports_each_bad_cell_with_its_row_and_column_and_imports_nothing(
    officer, change, column, message
):
    batch = preview(officer, csv_bytes([CPT_ROW, {**SPT_ROW, **change}]))

    assert errors_of(batch) == [(3, column, message)]
    assert batch.report["summary"]["error"] == 1
    result = recommendations_import_apply(actor=officer, batch=batch)
    assert not result.applied and Recommendation.objects.count() == 0


def test_it_refuses_an_addressee_whose_name_several_authorities_share(officer):
    AuthorityFactory(name="Ministry of Justice")

    batch = preview(officer, csv_bytes([SPT_ROW]))

    assert errors_of(batch) == [
        (2, "addressee", "“Ministry of Justice” is the name of more than one authority.")
    ]


def test_it_finds_a_place_by_its_external_reference(officer, northgate):
    run(officer, csv_bytes([{**CPT_ROW, "place": "p-001"}]))

    assert Recommendation.objects.get().place == northgate


def test_it_reports_a_row_that_repeats_another_row_of_the_file(officer):
    batch = preview(officer, csv_bytes([SPT_ROW, CPT_ROW, SPT_ROW]))

    assert errors_of(batch) == [(4, "text", "repeats row 2.")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"origin,source_ref\nspt,x\n", "these required ones are missing: text, addressee"),
        (b"text,addressee,text\na,b,c\n", "These columns appear more than once: text."),
        (b"text,addressee\n", "no recommendations below it"),
    ],
)
def test_it_refuses_a_file_it_cannot_use_and_stores_nothing(officer, content, message):
    with pytest.raises(ImportRefused, match=message):
        preview(officer, content)

    assert ImportBatch.objects.count() == 0


def test_it_warns_of_columns_it_does_not_know(officer):
    batch = preview(officer, csv_bytes([{**SPT_ROW, "colour": "red"}]))

    assert batch.report["warnings"] == ["Column “colour” is not known and was ignored."]


# -- all or nothing ------------------------------------------------------------------------


def test_a_failed_apply_leaves_the_database_exactly_as_it_was(officer, own, monkeypatch):
    batch = preview(officer, csv_bytes([SPT_ROW, CPT_ROW]))
    before = snapshot()

    def refuse(*args, **kwargs):  # the last write, after the recommendations are in
        raise DatabaseError("disk full")

    monkeypatch.setattr(importing, "_link", refuse)
    with pytest.raises(ImportFailed):
        recommendations_import_apply(actor=officer, batch=batch)

    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert AuditEvent.objects.filter(action="recommendations.import_failed").count() == 1


def test_it_checks_again_at_apply_and_imports_nothing_if_a_row_no_longer_passes(officer, ministry):
    batch = preview(officer, csv_bytes([CPT_ROW, SPT_ROW]))
    Authority.objects.filter(pk=ministry.pk).update(name="Ministry of Justice and Liberties")

    result = recommendations_import_apply(actor=officer, batch=batch)

    assert not result.applied and Recommendation.objects.count() == 0
    assert errors_of(result.batch)[0][:2] == (2, "addressee")
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED


# -- never twice ---------------------------------------------------------------------------


def test_the_same_file_applied_twice_imports_nothing_the_second_time(officer, own):
    content = csv_bytes([SPT_ROW, CPT_ROW])
    first = run(officer, content)

    again = preview(officer, content)

    assert again.report["summary"]["create"] == 0 and again.report["summary"]["unchanged"] == 2
    assert {row["existing"] for row in again.report["rows"]} == {r.reference for r in first.created}
    result = recommendations_import_apply(actor=officer, batch=again)
    assert result.applied and result.created == []
    assert Recommendation.objects.count() == 3
    assert Response.objects.count() == 1


def test_a_new_wording_or_reference_is_a_new_recommendation(officer):
    run(officer, csv_bytes([SPT_ROW]))

    batch = preview(officer, csv_bytes([{**SPT_ROW, "source_ref": "CAT/OP/XX/1, para. 43"}]))

    assert batch.report["summary"]["create"] == 1


def test_a_batch_is_applied_once(officer):
    batch = preview(officer, csv_bytes([SPT_ROW]))
    recommendations_import_apply(actor=officer, batch=batch)

    with pytest.raises(ImportNotApplicable):
        recommendations_import_apply(actor=officer, batch=batch)
    assert Recommendation.objects.count() == 1


# -- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["monitor", "comms", "outsider"])
def test_only_those_with_the_right_may_import(personas, ministry, persona):
    with pytest.raises(PermissionDenied):
        preview(personas[persona], csv_bytes([SPT_ROW]))
    assert ImportBatch.objects.count() == 0


def test_nobody_applies_anothers_upload(officer, personas):
    batch = preview(officer, csv_bytes([SPT_ROW]))

    with pytest.raises(PermissionDenied):
        recommendations_import_apply(actor=personas["head"], batch=batch)
    assert Recommendation.objects.count() == 0


# -- pages -----------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "spt.csv"):
    return client.post(
        reverse("recommendations:import"), {"file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize("persona", ["data_officer", "head"])
def test_it_previews_then_applies_an_upload(
    personas, client_for, own, ministry, northgate, persona
):
    client = client_for(personas[persona])
    page = client.get(reverse("recommendations:import")).content.decode()
    assert "source_ref" in page and "responded_on" in page
    assert reverse("recommendations:import_template") in page

    response = upload(client, csv_bytes([SPT_ROW, CPT_ROW]))
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()

    assert "2 rows: 2 new" in page and "Apply the import" in page
    assert own.reference in page and "Same theme: Health care" in page
    assert Recommendation.objects.count() == 1

    batch = ImportBatch.objects.get()
    response = client.post(reverse("recommendations:import_apply", args=[batch.pk]))

    assert response.status_code == 302 and response["Location"] == preview_url
    assert Recommendation.objects.count() == 3
    page = client.get(preview_url).content.decode()
    assert "This file was imported on" in page
    assert Recommendation.objects.get(origin=Origin.SPT).reference in page


def test_it_lists_the_bad_rows_and_offers_no_apply_button(personas, client_for, ministry):
    client = client_for(personas["data_officer"])
    bad = csv_bytes([SPT_ROW, {**SPT_ROW, "source_ref": "x", "addressee": "Ministry of Magic"}])

    page = client.get(upload(client, bad)["Location"]).content.decode()

    assert "2 rows: 1 new, 1 with errors" in page
    assert "Row 3, addressee: “Ministry of Magic” is not a known authority." in page
    assert "Apply the import" not in page
    batch = ImportBatch.objects.get()
    client.post(reverse("recommendations:import_apply", args=[batch.pk]))
    assert Recommendation.objects.count() == 0


def test_it_shows_unchanged_rows_with_the_recommendation_already_there(
    personas, client_for, ministry, northgate
):
    officer = personas["data_officer"]
    first = run(officer, csv_bytes([SPT_ROW]))
    client = client_for(officer)

    url = upload(client, csv_bytes([SPT_ROW]))["Location"]
    page = client.get(url).content.decode()

    assert f"Already in Habeas as {first.created[0].reference}." in page
    assert "There is nothing to import." in page
    assert "With errors" not in client.get(url + "?show=unchanged").content.decode()


def test_it_answers_a_bad_file_with_a_clear_message(personas, client_for, ministry):
    response = upload(client_for(personas["data_officer"]), b"%PDF-1.7", "spt.pdf")

    assert response.status_code == 400
    assert "Upload a CSV file (.csv) or an Excel workbook (.xlsx)." in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("outsider", 404), ("admin", 404), ("monitor", 403), ("comms", 403), ("data_officer", 200)],
)
def test_it_lets_only_those_who_may_import_reach_the_pages(
    personas, client_for, ministry, persona, status
):
    client = client_for(personas[persona])

    assert client.get(reverse("recommendations:import")).status_code == status
    assert client.get(reverse("recommendations:import_template")).status_code == status
    assert upload(client, csv_bytes([SPT_ROW])).status_code == (302 if status == 200 else status)


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("monitor", 403)])
def test_it_refuses_preview_and_apply_to_those_who_may_not_import(
    personas, client_for, ministry, persona, status
):
    batch = preview(personas["data_officer"], csv_bytes([SPT_ROW]))
    client = client_for(personas[persona])

    url = reverse("recommendations:import_preview", args=[batch.pk])
    assert client.get(url).status_code == status
    apply_url = reverse("recommendations:import_apply", args=[batch.pk])
    assert client.post(apply_url).status_code == status
    assert Recommendation.objects.count() == 0


def test_it_hides_a_batch_from_everyone_but_its_uploader(personas, client_for, ministry):
    batch = preview(personas["data_officer"], csv_bytes([SPT_ROW]))
    head = client_for(personas["head"])
    missing = head.get(reverse("recommendations:import_preview", args=[uuid.uuid4()]))

    response = head.get(reverse("recommendations:import_preview", args=[batch.pk]))

    assert response.status_code == 404 and response.content == missing.content
    assert head.post(reverse("recommendations:import_apply", args=[batch.pk])).status_code == 404
    assert Recommendation.objects.count() == 0


def test_a_places_batch_is_not_a_recommendations_batch(personas, client_for):
    officer = personas["data_officer"]
    batch = ImportBatch.objects.create(
        kind="places", original_name="p.csv", content=b"x", sha256="0", created_by=officer
    )

    response = client_for(officer).get(reverse("recommendations:import_preview", args=[batch.pk]))

    assert response.status_code == 404


def test_it_keeps_anonymous_visitors_out(client, personas, ministry):
    batch = preview(personas["data_officer"], csv_bytes([SPT_ROW]))

    for url in (
        reverse("recommendations:import"),
        reverse("recommendations:import_preview", args=[batch.pk]),
    ):
        assert client.get(url).status_code in (302, 404)
    client.post(reverse("recommendations:import_apply", args=[batch.pk]))
    assert Recommendation.objects.count() == 0
