"""Filling an assessment from a workbook or JSON file: preview, then all or nothing (¶3)."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from habeas.assessment import exchange, services, services_outputs
from habeas.assessment.models import ActionItem, Assessment, Rating
from habeas.assessment.tests.test_report import build_assessment
from habeas.core.models import AuditEvent, ImportBatch
from habeas.places.spreadsheets import ImportRefused

LEVELS = "not_in_place, partially, largely, fully, not_applicable"


@pytest.fixture
def assessment(personas):
    return build_assessment(personas["monitor"])


def upload(content: bytes, name: str = "filled.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def edited_workbook(assessment: Assessment, edits: dict[str, dict[str, str]]) -> bytes:
    """The exported workbook with cells changed as a person would in a spreadsheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(exchange.export_xlsx(assessment)))
    for sheet_name, cells in edits.items():
        for address, value in cells.items():
            workbook[sheet_name][address] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot(assessment: Assessment) -> list:
    ratings = Rating.objects.filter(assessment=assessment).order_by("pk")
    items = ActionItem.objects.filter(assessment=assessment).order_by("pk")
    return [
        list(ratings.values_list("level", "reason", "narrative", "version")),
        list(items.values_list("title", "owner_id", "deadline", "status", "version")),
        Assessment.objects.get(pk=assessment.pk).version,
    ]


def preview(actor, assessment, content, name="filled.xlsx") -> ImportBatch:
    return services_outputs.assessment_import_preview(
        actor=actor, assessment=assessment, upload=upload(content, name)
    )


def apply(actor, assessment, batch) -> services_outputs.ImportResult:
    return services_outputs.assessment_import_apply(actor=actor, assessment=assessment, batch=batch)


def errors_of(batch: ImportBatch) -> list[str]:
    return [error for row in batch.report["rows"] for error in row["errors"]]


# Round trips -----------------------------------------------------------------------


def test_it_changes_nothing_when_the_exported_workbook_comes_back_unchanged(personas, assessment):
    before = snapshot(assessment)
    saves = AuditEvent.objects.filter(action="rating.save").count()

    batch = preview(personas["monitor"], assessment, exchange.export_xlsx(assessment))
    result = apply(personas["monitor"], assessment, batch)

    assert result.applied
    assert result.summary == {
        "rows": 6,
        "ratings_changed": 0,
        "actions_new": 0,
        "actions_changed": 0,
        "errors": 0,
    }
    assert snapshot(assessment) == before
    assert AuditEvent.objects.filter(action="rating.save").count() == saves


def test_it_imports_a_rating_edited_in_the_workbook_through_the_rating_rules(personas, assessment):
    rating = assessment.ratings.get(criterion__ref="3")
    content = edited_workbook(
        assessment, {"Criteria": {"C6": "Largely", "E6": "Visits cover 9 of 10 categories."}}
    )
    saves_before = AuditEvent.objects.filter(action="rating.save").count()

    batch = preview(personas["monitor"], assessment, content)
    rating.refresh_from_db()
    assert rating.level == ""  # a preview writes nothing
    result = apply(personas["monitor"], assessment, batch)

    rating.refresh_from_db()
    assert result.applied and result.summary["ratings_changed"] == 1
    assert (rating.level, rating.narrative) == ("largely", "Visits cover 9 of 10 categories.")
    assert rating.version == 2 and rating.updated_by == personas["monitor"]
    assert AuditEvent.objects.filter(action="rating.save").count() == saves_before + 1
    assert AuditEvent.objects.filter(action="assessment.import_apply").count() == 1
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.APPLIED


def test_it_round_trips_json_and_imports_an_edit(personas, assessment):
    data = json.loads(exchange.export_json(assessment))
    unchanged = preview(personas["monitor"], assessment, json.dumps(data).encode(), "a.json")
    data["ratings"][4].update(level="not_applicable", reason="No such places in the country.")

    batch = preview(personas["monitor"], assessment, json.dumps(data).encode(), "a.json")
    apply(personas["monitor"], assessment, batch)

    assert unchanged.report["summary"]["ratings_changed"] == 0
    rating = assessment.ratings.get(criterion__ref="3")
    assert (rating.level, rating.reason) == ("not_applicable", "No such places in the country.")


def test_it_adds_and_follows_actions_from_the_action_plan_sheet(personas, assessment):
    item = assessment.action_items.get()
    content = edited_workbook(
        assessment,
        {
            "Criteria": {"C6": "not_in_place"},
            "Action plan": {
                "G2": "in_progress",
                "A3": None,
                "B3": "3",
                "C3": "Plan visits to every category",
                "E3": personas["head"].email,
                "F3": "2025-09-30",
            },
        },
    )

    result = apply(
        personas["monitor"], assessment, preview(personas["monitor"], assessment, content)
    )

    assert result.summary["actions_new"] == 1 and result.summary["actions_changed"] == 1
    item.refresh_from_db()
    assert item.status == ActionItem.Status.IN_PROGRESS
    new = assessment.action_items.get(criterion__ref="3")
    assert (new.title, new.owner, str(new.deadline)) == (
        "Plan visits to every category",
        personas["head"],
        "2025-09-30",
    )


def test_it_keeps_what_a_column_left_out_of_the_file_holds(personas, assessment):
    workbook = openpyxl.load_workbook(io.BytesIO(exchange.export_xlsx(assessment)))
    sheet = workbook["Criteria"]
    sheet.protection.sheet = False
    sheet.delete_cols(5)  # no narrative column
    sheet["C6"] = "Largely in place"  # a label instead of the code is understood
    buffer = io.BytesIO()
    workbook.save(buffer)

    apply(
        personas["monitor"], assessment, preview(personas["monitor"], assessment, buffer.getvalue())
    )

    ratings = {r.criterion.ref: r for r in assessment.ratings.select_related("criterion")}
    assert ratings["3"].level == "largely"
    assert ratings["1"].narrative.startswith("The visiting programme covers")


# Broken files ----------------------------------------------------------------------


def test_it_lists_every_bad_row_and_changes_nothing(personas, assessment):
    content = edited_workbook(
        assessment,
        {
            "Criteria": {
                "C3": "mostly",  # ¶2
                "C5": "not_applicable",  # ¶2.2, without a reason
                "A7": "99",  # a criterion the framework does not have
                "C7": "fully",
                "C6": "fully",  # ¶3: a good row, which must not be written either
            },
        },
    )
    before = snapshot(assessment)

    batch = preview(personas["monitor"], assessment, content)
    result = apply(personas["monitor"], assessment, batch)

    assert errors_of(batch) == [
        f"Criteria sheet, row 3 (¶2), rating: “mostly” is not one of: {LEVELS}",
        "Criteria sheet, row 5 (¶2.2), reason: is required when the rating is not_applicable.",
        "Criteria sheet, row 7 (¶99), ref: “99” is not a criterion of this framework.",
    ]
    assert not result.applied
    assert snapshot(assessment) == before
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED


def test_it_keeps_an_actions_status_owner_and_deadline_left_empty(personas, assessment):
    content = edited_workbook(assessment, {"Action plan": {"E2": None, "F2": None, "G2": None}})

    batch = preview(personas["monitor"], assessment, content)

    assert errors_of(batch) == []
    assert batch.report["summary"]["actions_changed"] == 0


def test_it_checks_the_action_plan_rows_too(personas, assessment):
    content = edited_workbook(
        assessment,
        {
            "Action plan": {
                "G2": "",  # an emptied cell keeps the action's status
                "F2": "next spring",
                "A3": None,
                "B3": "1",  # rated fully: not a gap
                "C3": "Keep it up",
                "E3": "nobody@elsewhere.test",
            },
        },
    )

    batch = preview(personas["monitor"], assessment, content)

    assert errors_of(batch) == [
        "Action plan sheet, row 2, deadline: give a date as YYYY-MM-DD.",
        "Action plan sheet, row 3, owner: give the e-mail address of someone who can see "
        "this assessment.",
        "Action plan sheet, row 3, ref: ¶1 is not rated not_in_place or partially.",
        "Action plan sheet, row 3, deadline: is required for a new action.",
    ]


def test_it_refuses_a_file_for_another_framework_version_whole(personas, assessment):
    content = edited_workbook(assessment, {"About": {"B4": "2031"}})
    before = snapshot(assessment)

    with pytest.raises(ImportRefused, match="version “2031”"):
        preview(personas["monitor"], assessment, content)

    assert not ImportBatch.objects.exists()
    assert snapshot(assessment) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.xlsx", b"%PDF-1.7 not a workbook"),
        ("notes.txt", b"ref,rating\n1,fully\n"),
        ("broken.xlsx", b"PK\x03\x04 truncated"),
        ("other.json", b'{"format": "something else"}'),
    ],
)
def test_it_refuses_a_file_that_is_not_an_assessment(personas, assessment, name, content):
    with pytest.raises(ImportRefused):
        preview(personas["monitor"], assessment, content, name)

    assert not ImportBatch.objects.exists()


def test_it_refuses_a_zip_bomb_before_unpacking_it(personas, assessment):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/workbook.xml", b"\0" * 50_000_000)

    with pytest.raises(ImportRefused, match="unpacks to far more"):
        preview(personas["monitor"], assessment, buffer.getvalue())


def test_it_refuses_to_fill_a_final_assessment(personas, assessment):
    services.assessment_submit_for_review(actor=personas["head"], assessment=assessment)
    services.assessment_finalise(actor=personas["head"], assessment=assessment)
    content = edited_workbook(assessment, {"Criteria": {"C6": "fully"}})

    with pytest.raises(ImportRefused, match="Only a draft"):
        preview(personas["head"], assessment, content)


def test_it_refuses_to_apply_once_the_assessment_left_draft(personas, assessment):
    content = edited_workbook(assessment, {"Criteria": {"C6": "fully"}})
    batch = preview(personas["monitor"], assessment, content)
    services.assessment_submit_for_review(actor=personas["monitor"], assessment=assessment)
    before = snapshot(assessment)

    with pytest.raises(ImportRefused):
        apply(personas["monitor"], assessment, batch)

    assert snapshot(assessment) == before


def test_it_lets_only_the_uploader_apply_a_file(personas, assessment):
    content = edited_workbook(assessment, {"Criteria": {"C6": "fully"}})
    batch = preview(personas["monitor"], assessment, content)

    with pytest.raises(PermissionDenied):
        apply(personas["head"], assessment, batch)


def test_it_refuses_a_person_who_may_not_change_the_assessment(personas, assessment):
    with pytest.raises(PermissionDenied):
        preview(personas["comms"], assessment, exchange.export_xlsx(assessment))


# Pages -----------------------------------------------------------------------------


def test_it_previews_and_applies_through_the_pages(personas, client_for, assessment):
    client = client_for(personas["monitor"])
    content = edited_workbook(assessment, {"Criteria": {"C6": "partially"}})

    response = client.post(
        reverse("assessment:import", args=[assessment.pk]), {"file": upload(content)}
    )
    batch = ImportBatch.objects.get()
    preview_url = reverse("assessment:import_preview", args=[assessment.pk, batch.pk])
    page = client.get(preview_url)
    applied = client.post(reverse("assessment:import_apply", args=[assessment.pk, batch.pk]))

    assert response.status_code == 302 and response["Location"] == preview_url
    assert b"Apply the import" in page.content
    assert applied.status_code == 302
    assert assessment.ratings.get(criterion__ref="3").level == "partially"


def test_it_shows_row_errors_and_no_apply_button(personas, client_for, assessment):
    client = client_for(personas["monitor"])
    content = edited_workbook(assessment, {"Criteria": {"C3": "mostly"}})

    client.post(reverse("assessment:import", args=[assessment.pk]), {"file": upload(content)})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("assessment:import_preview", args=[assessment.pk, batch.pk]))

    assert "Criteria sheet, row 3 (¶2), rating: “mostly” is not one of" in page.content.decode()
    assert b"Apply the import" not in page.content


def test_it_shows_a_refused_file_on_the_upload_form(personas, client_for, assessment):
    response = client_for(personas["monitor"]).post(
        reverse("assessment:import", args=[assessment.pk]),
        {"file": upload(b"hello", "hello.txt")},
    )

    assert response.status_code == 400
    assert b"Upload a workbook (.xlsx) or a JSON file" in response.content


def test_it_answers_403_to_a_reader_and_404_to_an_outsider(personas, client_for, assessment):
    url = reverse("assessment:import", args=[assessment.pk])

    assert client_for(personas["comms"]).get(url).status_code == 403
    assert client_for(personas["outsider"]).get(url).status_code == 404


def test_it_hides_an_upload_from_everyone_but_its_uploader(personas, client_for, assessment):
    content = edited_workbook(assessment, {"Criteria": {"C6": "fully"}})
    batch = preview(personas["monitor"], assessment, content)
    url = reverse("assessment:import_preview", args=[assessment.pk, batch.pk])

    assert client_for(personas["head"]).get(url).status_code == 404
    assert client_for(personas["head"]).post(url + "apply/").status_code == 404
