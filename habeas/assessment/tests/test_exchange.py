"""Export of an assessment as JSON and XLSX (whole tool, ¶3)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.urls import reverse

from habeas.assessment import exchange, services, services_outputs
from habeas.assessment.models import Membership
from habeas.assessment.tests.factories import OrganisationFactory
from habeas.assessment.tests.test_report import ACTION_TITLE, NARRATIVE_10, build_assessment
from habeas.core.models import AuditEvent


@pytest.fixture
def assessment(personas):
    return build_assessment(personas["monitor"])


def workbook_of(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_it_exports_json_with_framework_metadata_ratings_evidence_and_plan(personas, assessment):
    exported = services_outputs.assessment_export(
        actor=personas["doctor"], assessment=assessment, file_format="json"
    )

    data = json.loads(exported.content)
    version = assessment.framework_version
    assert data["format"] == "habeas.assessment"
    assert data["framework"] == {"code": version.framework.code, "version": version.version}
    assert data["assessment"]["title"] == "Self-assessment 2024"
    assert data["assessment"]["period_start"] == "2024-01-01"
    assert data["assessment"]["state"] == "draft"
    ratings = {rating["ref"]: rating for rating in data["ratings"]}
    assert list(ratings) == ["1", "2", "2.1", "2.2", "3"]
    assert ratings["1"]["level"] == "fully" and ratings["1"]["narrative"] == NARRATIVE_10
    assert ratings["2.1"]["reason"] == "Objectives are set by law."
    assert ratings["1"]["evidence"][0]["url"] == "https://npm.example/annual-report-2024.pdf"
    assert ratings["3"]["level"] == ""
    assert [item["title"] for item in data["action_items"]] == [ACTION_TITLE]
    assert data["action_items"][0]["owner"] == personas["monitor"].email
    assert exported.filename.endswith(".json") and exported.filename.isascii()


def test_it_exports_a_workbook_to_fill_offline(personas, assessment):
    exported = services_outputs.assessment_export(
        actor=personas["monitor"], assessment=assessment, file_format="xlsx"
    )

    workbook = workbook_of(exported.content)
    assert workbook.sheetnames == ["Criteria", "Action plan", "About"]
    criteria = workbook["Criteria"]
    rows = list(criteria.iter_rows(values_only=True))
    assert rows[0] == ("ref", "text", "rating", "reason", "narrative")
    assert rows[1] == ("1", "The NPM is independent.", "fully", None, NARRATIVE_10)
    assert len(rows) == 6
    # ref and text are locked on a protected sheet; rating, reason and narrative are not
    assert criteria.protection.sheet
    assert criteria["B2"].protection.locked and not criteria["C2"].protection.locked
    validation = criteria.data_validations.dataValidation[0]
    assert validation.formula1 == '"not_in_place,partially,largely,fully,not_applicable"'
    assert "C2:C6" in str(validation.sqref)
    plan = list(workbook["Action plan"].iter_rows(values_only=True))
    assert plan[0] == ("id", "ref", "action", "description", "owner", "deadline", "status")
    assert plan[1][2] == ACTION_TITLE
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True) if row[0]}
    assert about["framework_version"] == assessment.framework_version.version
    assert any("not_applicable needs a reason" in str(key) for key in about)


def test_it_writes_a_formula_typed_as_narrative_as_text(personas, assessment):
    rating = assessment.ratings.get(criterion__ref="3")
    services.rating_save(
        actor=personas["monitor"],
        rating=rating,
        level="largely",
        reason="",
        narrative='=HYPERLINK("https://evil.example","click")',
        expected_version=rating.version,
    )

    workbook = workbook_of(exchange.export_xlsx(assessment))

    cell = workbook["Criteria"]["E6"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_it_audits_each_export_without_its_content(personas, client_for, assessment):
    client = client_for(personas["monitor"])

    page = client.get(reverse("assessment:export", args=[assessment.pk]))
    response = client.get(reverse("assessment:export", args=[assessment.pk]), {"format": "xlsx"})

    assert page.status_code == 200 and b"format=xlsx" in page.content
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="assessment-')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == exchange.XLSX_TYPE
    event = AuditEvent.objects.get(action="assessment.export")
    assert event.detail == {"format": "xlsx", "size": len(response.content)}
    assert NARRATIVE_10 not in json.dumps(event.detail)


def test_it_answers_404_to_outsiders_and_other_organisations(
    personas, client_for, make_user, assessment
):
    member = make_user("head", "head@peer.test")
    Membership.objects.create(user=member, organisation=OrganisationFactory(kind="peer_network"))
    url = reverse("assessment:export", args=[assessment.pk])

    for user in (personas["outsider"], member):
        assert client_for(user).get(url, {"format": "json"}).status_code == 404
    assert not AuditEvent.objects.filter(action="assessment.export").exists()


def test_it_refuses_an_unknown_export_format(personas, client_for, assessment):
    response = client_for(personas["monitor"]).get(
        reverse("assessment:export", args=[assessment.pk]), {"format": "csv"}
    )

    assert response.status_code == 400
