"""The assessment API: frameworks, assessments and their states, access between organisations,
tokens, the schema.

Ratings, evidence and action items are in `test_api_entries.py`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.accounts.models import ApiToken
from habeas.assessment import services
from habeas.assessment.framework_io import SPT_CODE, SPT_VERSION
from habeas.assessment.models import Assessment, FrameworkVersion, Organisation
from habeas.assessment.tests.factories import FrameworkVersionFactory, HomeOrganisationFactory
from habeas.assessment.tests.test_services import member, rate, spt, start
from habeas.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def api(user, scope: str = "write") -> APIClient:
    """A script's client, with a personal token of the given scope."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name="script",
        prefix=key[:8],
        key_hash=ApiToken.hash_key(key),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def new_assessment(framework: FrameworkVersion, /, **overrides) -> dict:
    return {
        "framework_version": framework.pk,
        "title": "Self-assessment 2025",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        **overrides,
    }


def count_queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Frameworks ---------------------------------------------------------------------------------


def test_it_lists_the_shipped_spt_tool_with_its_sections_and_criteria(personas):
    response = api(personas["comms"], "read").get("/api/v1/frameworks/")

    assert response.status_code == 200
    (spt_tool,) = [row for row in response.json()["results"] if row["code"] == SPT_CODE]
    assert spt_tool["version"] == SPT_VERSION
    paragraphs = [c for c in spt_tool["criteria"] if c["kind"] == "paragraph"]
    assert [c["ref"] for c in paragraphs] == [str(n) for n in range(1, 39)]
    item = next(c for c in spt_tool["criteria"] if c["ref"] == "5.3")
    assert item["kind"] == "item" and item["parent"] == "5" and item["section"]
    ten = next(c for c in spt_tool["criteria"] if c["ref"] == "10")
    assert "places-visited-within-interval" in [slot["key"] for slot in ten["slots"]]
    assert {"IV", "IV.A"} <= {section["ref"] for section in spt_tool["sections"]}


def test_it_refuses_to_change_a_framework_through_the_api(personas):
    version = FrameworkVersion.objects.get(framework__code=SPT_CODE)
    client = api(personas["head"])

    assert client.post("/api/v1/frameworks/", {"version": "x"}, format="json").status_code in (
        403,
        405,
    )
    assert client.patch(f"/api/v1/frameworks/{version.pk}/", {}, format="json").status_code in (
        403,
        405,
    )


def test_it_keeps_the_framework_list_query_count_flat(personas):
    client = api(personas["monitor"], "read")
    client.get("/api/v1/frameworks/")  # the first use stamps the token's last use
    one = count_queries(client, "/api/v1/frameworks/")
    FrameworkVersionFactory.create_batch(3)

    assert count_queries(client, "/api/v1/frameworks/") == one


# Outsiders and other organisations ------------------------------------------------------------


def test_it_shows_an_outsider_empty_lists_and_404_for_any_assessment(personas):
    assessment = start(personas["head"])
    client = api(personas["outsider"])

    hidden = client.get(f"/api/v1/assessments/{assessment.pk}/")
    missing = client.get(f"/api/v1/assessments/{assessment.pk + 1000}/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    for resource in ("frameworks", "assessments", "ratings", "evidence", "action-items"):
        listed = client.get(f"/api/v1/{resource}/")
        assert listed.status_code == 200 and listed.json()["results"] == [], resource
    version = FrameworkVersionFactory()
    assert client.post("/api/v1/assessments/", new_assessment(version)).status_code == 403
    assert not Assessment.objects.exclude(pk=assessment.pk).exists()


def test_it_hides_an_assessing_bodys_assessment_from_this_npm(personas, make_user):
    assessor = member(make_user, spt(), "head")
    other_npm = Organisation.objects.create(name="NPM of Ruritania", kind="npm")
    theirs = start(assessor, subject=other_npm)

    home = api(personas["head"])
    spt_client = api(assessor)

    assert home.get(f"/api/v1/assessments/{theirs.pk}/").status_code == 404
    assert home.get(f"/api/v1/ratings/?assessment={theirs.pk}").json()["results"] == []
    assert [row["id"] for row in spt_client.get("/api/v1/assessments/").json()["results"]] == [
        theirs.pk
    ]


def test_it_shows_a_self_assessment_to_an_assessing_body_only_once_shared(personas, make_user):
    body = spt()
    reader = member(make_user, body, "monitor")
    ours = start(personas["head"])
    rating = rate(personas["head"], ours, "1", "largely", narrative="Budget line of its own.")
    client = api(reader)

    before = client.get(f"/api/v1/assessments/{ours.pk}/")
    services.assessment_share(actor=personas["head"], assessment=ours, organisation=body)
    after = client.get(f"/api/v1/assessments/{ours.pk}/")
    ratings = client.get(f"/api/v1/ratings/?assessment={ours.pk}").json()["results"]

    assert before.status_code == 404
    assert after.status_code == 200 and after.json()["subject_name"] == ours.subject.name
    assert {row["id"]: row["level"] for row in ratings}[rating.pk] == "largely"
    patched = client.patch(
        f"/api/v1/ratings/{rating.pk}/", {"level": "fully", "version": rating.version}
    )
    assert patched.status_code == 403
    rating.refresh_from_db()
    assert rating.level == "largely"


def test_it_does_not_let_an_npm_start_an_assessment_of_another_npm(personas):
    other_npm = Organisation.objects.create(name="NPM of Ruritania", kind="npm")

    response = api(personas["head"]).post(
        "/api/v1/assessments/",
        new_assessment(FrameworkVersionFactory(), subject=other_npm.pk),
        format="json",
    )

    assert response.status_code == 403 and not Assessment.objects.exists()


# Starting an assessment --------------------------------------------------------------------------


def test_it_starts_a_self_assessment_ignoring_fields_it_does_not_take(personas):
    version = FrameworkVersionFactory()

    response = api(personas["monitor"]).post(
        "/api/v1/assessments/",
        new_assessment(
            version,
            state="final",
            made_by=12345,
            revision=7,
            version=40,
            summary="Planted",
            finalised_at="2001-01-01T00:00:00Z",
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assessment = Assessment.objects.get()
    assert body["id"] == assessment.pk and body["state"] == "draft"
    assert body["subject"] == body["made_by"] == HomeOrganisationFactory().pk
    assert body["assessors"] == [personas["monitor"].pk]
    assert body["criteria_count"] == 5 and body["rated_count"] == 0
    assert assessment.summary == "" and assessment.revision == 1 and assessment.version == 1
    assert AuditEvent.objects.filter(action="assessment.create").count() == 1


def test_it_lets_an_assessing_body_name_the_npm_it_assesses(make_user):
    assessor = member(make_user, spt(), "head")
    other_npm = Organisation.objects.create(name="NPM of Ruritania", kind="npm")

    response = api(assessor).post(
        "/api/v1/assessments/",
        new_assessment(FrameworkVersionFactory(), subject=other_npm.pk),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["subject_name"] == "NPM of Ruritania"
    assert response.json()["made_by_name"] == "UN SPT"


def test_it_refuses_an_assessor_from_outside_the_organisation(personas, make_user):
    stranger = member(make_user, spt(), "monitor")

    response = api(personas["head"]).post(
        "/api/v1/assessments/",
        new_assessment(FrameworkVersionFactory(), assessors=[stranger.pk]),
        format="json",
    )

    assert response.status_code == 400 and "assessors" in response.json()
    assert not Assessment.objects.exists()


def test_it_refuses_a_period_that_ends_before_it_starts(personas):
    response = api(personas["head"]).post(
        "/api/v1/assessments/",
        new_assessment(FrameworkVersionFactory(), period_end="2024-12-31"),
        format="json",
    )

    assert response.status_code == 400 and "period_end" in response.json()


def test_it_refuses_writes_from_a_read_token_and_changes_nothing(personas):
    assessment = start(personas["head"])
    client = api(personas["head"], "read")

    created = client.post("/api/v1/assessments/", new_assessment(FrameworkVersionFactory()))
    submitted = client.post(f"/api/v1/assessments/{assessment.pk}/submit/")
    patched = client.patch(
        f"/api/v1/assessments/{assessment.pk}/", {"title": "X", "version": 1}, format="json"
    )

    assert created.status_code == submitted.status_code == patched.status_code == 403
    assessment.refresh_from_db()
    assert assessment.state == "draft" and assessment.title == "Self-assessment 2024"
    assert Assessment.objects.count() == 1


def test_it_refuses_to_start_an_assessment_for_a_role_that_may_only_read(personas):
    response = api(personas["comms"]).post(
        "/api/v1/assessments/", new_assessment(FrameworkVersionFactory()), format="json"
    )

    assert response.status_code == 403 and not Assessment.objects.exists()


# States ------------------------------------------------------------------------------------------


def test_it_submits_and_finalises_an_assessment_then_refuses_to_change_it(personas):
    head = personas["head"]
    assessment = start(head)
    client = api(head)

    submitted = client.post(f"/api/v1/assessments/{assessment.pk}/submit/")
    finalised = client.post(f"/api/v1/assessments/{assessment.pk}/finalise/")
    assessment.refresh_from_db()
    patched = client.patch(
        f"/api/v1/assessments/{assessment.pk}/",
        {"title": "Changed", "version": assessment.version},
        format="json",
    )

    assert submitted.status_code == 200 and submitted.json()["state"] == "in_review"
    assert finalised.status_code == 200 and finalised.json()["state"] == "final"
    assert finalised.json()["finalised_at"]
    assert patched.status_code == 400
    assert "final" in patched.json()["non_field_errors"][0]
    assessment.refresh_from_db()
    assert assessment.title == "Self-assessment 2024"


def test_it_lets_only_the_head_finalise(personas):
    monitor = personas["monitor"]
    assessment = start(monitor)
    client = api(monitor)
    client.post(f"/api/v1/assessments/{assessment.pk}/submit/")

    response = client.post(f"/api/v1/assessments/{assessment.pk}/finalise/")

    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.state == "in_review"


def test_it_explains_why_a_draft_cannot_be_finalised(personas):
    assessment = start(personas["head"])

    response = api(personas["head"]).post(f"/api/v1/assessments/{assessment.pk}/finalise/")

    assert response.status_code == 400
    assert "review" in response.json()["non_field_errors"][0]


def test_it_answers_409_to_a_stale_change_of_an_assessment(personas):
    head = personas["head"]
    assessment = start(head)
    client = api(head)
    client.patch(
        f"/api/v1/assessments/{assessment.pk}/", {"title": "First", "version": 1}, format="json"
    )

    response = client.patch(
        f"/api/v1/assessments/{assessment.pk}/", {"title": "Second", "version": 1}, format="json"
    )

    assert response.status_code == 409 and response.json()["current_version"] == 2
    assessment.refresh_from_db()
    assert assessment.title == "First"


def test_it_keeps_the_assessment_list_query_count_flat(personas):
    head = personas["head"]
    client = api(head, "read")
    version = FrameworkVersionFactory()
    start(head, version=version)
    client.get("/api/v1/assessments/")
    one = count_queries(client, "/api/v1/assessments/")
    for year in range(2015, 2020):
        start(
            head,
            version=version,
            assessors=[head, personas["monitor"]],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
        )

    assert count_queries(client, "/api/v1/assessments/") == one


# Schema ------------------------------------------------------------------------------------------


def test_it_describes_the_endpoints_in_an_openapi_schema_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--file", str(out), stderr=StringIO())

    schema = out.read_text()
    for path in (
        "/api/v1/frameworks/",
        "/api/v1/assessments/{id}/finalise/",
        "/api/v1/assessments/{id}/submit/",
        "/api/v1/ratings/{id}/",
        "/api/v1/evidence/",
        "/api/v1/action-items/{id}/",
    ):
        assert f"  {path}:" in schema, path
