"""The assessment pages: list, start, summary, state changes, sharing, action plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from habeas.assessment import services
from habeas.assessment.models import ActionItem, Assessment, AssessmentShare, Organisation
from habeas.assessment.tests.factories import FrameworkVersionFactory, OrganisationFactory
from habeas.assessment.tests.test_services import finalised, member, rate, rating_of, spt, start

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "assessment"
MINE = [
    path
    for path in TEMPLATES.glob("*.html")
    if not path.name.startswith(("framework", "report", "export", "import"))
]


def test_it_lists_visible_assessments_grouped_by_npm(personas, client_for):
    start(personas["head"], title="Self-assessment 2024")

    response = client_for(personas["comms"]).get("/assessment/")

    assert response.status_code == 200
    assert b"Self-assessment 2024" in response.content
    [(subject, assessments)] = response.context["groups"]
    assert subject.is_home and len(assessments) == 1
    assert b"Start a self-assessment" not in response.content  # comms may not start one


def test_it_offers_to_start_a_self_assessment(personas, client_for):
    response = client_for(personas["monitor"]).get("/assessment/")

    assert b"Start a self-assessment" in response.content


def test_it_starts_a_self_assessment_from_the_form(personas, client_for):
    version = FrameworkVersionFactory()
    home = Organisation.objects.get(is_home=True)

    response = client_for(personas["monitor"]).post(
        "/assessment/new/",
        {
            "framework_version": version.pk,
            "subject": home.pk,
            "title": "Self-assessment 2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )

    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response.url == f"/assessment/{assessment.pk}/"
    assert assessment.ratings.count() == 5
    assert list(assessment.assessors.all()) == [personas["monitor"]]


def test_it_offers_an_npm_user_only_their_own_npm_as_subject(personas, client_for):
    OrganisationFactory(name="NPM of Ruritania")

    response = client_for(personas["head"]).get("/assessment/new/")

    subjects = list(response.context["form"].fields["subject"].queryset)
    assert [subject.is_home for subject in subjects] == [True]
    assert b"Ruritania" not in response.content


def test_it_refuses_the_start_form_to_a_view_only_role(personas, client_for):
    assert client_for(personas["comms"]).get("/assessment/new/").status_code == 403


def test_it_shows_the_summary_with_progress_chart_and_links(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "fully")

    response = client_for(head).get(f"/assessment/{assessment.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="rated-progress" max="5" value="1">' in content
    assert "<svg" in content and "100 %" in content
    assert f"/assessment/{assessment.pk}/compare/" in content
    assert f"/assessment/{assessment.pk}/actions/" in content
    assert "Submit for review" in content


def test_it_walks_a_draft_through_review_to_final_and_a_revision(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    client = client_for(head)

    client.post(f"/assessment/{assessment.pk}/submit/")
    client.post(f"/assessment/{assessment.pk}/finalise/")
    assessment.refresh_from_db()
    assert assessment.state == "final"
    response = client.post(f"/assessment/{assessment.pk}/revise/")

    revision = Assessment.objects.get(supersedes=assessment)
    assert response.url == f"/assessment/{revision.pk}/" and revision.state == "draft"


def test_it_shows_why_a_state_change_was_refused(personas, client_for):
    head = personas["head"]
    assessment = start(head)

    response = client_for(head).post(f"/assessment/{assessment.pk}/finalise/", follow=True)

    assert b"Submit the assessment for review before finalising it." in response.content


@pytest.mark.parametrize("action", ["submit", "finalise", "revise", "edit"])
def test_it_answers_403_to_state_changes_by_view_only_users(personas, client_for, action):
    assessment = start(personas["head"])

    response = client_for(personas["comms"]).post(f"/assessment/{assessment.pk}/{action}/")

    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.state == "draft"


def test_it_edits_the_summary_and_answers_409_to_a_stale_edit(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    url = f"/assessment/{assessment.pk}/edit/"
    fields = {
        "title": "Self-assessment 2024",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "assessors": [head.pk],
        "version": 1,
    }
    client_for(head).post(url, {**fields, "summary": "Theirs"})

    response = client_for(head).post(url, {**fields, "summary": "Mine"})

    assert response.status_code == 409
    assert b"Mine</textarea>" in response.content and b"Theirs" in response.content


# Sharing ------------------------------------------------


def test_it_lets_the_head_share_and_stop_sharing_from_the_page(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    body = spt()
    client = client_for(head)

    client.post(f"/assessment/{assessment.pk}/share/", {"organisation": body.pk})
    assert AssessmentShare.objects.filter(organisation=body).exists()
    client.post(f"/assessment/{assessment.pk}/share/{body.pk}/remove/")

    assert not AssessmentShare.objects.exists()


def test_it_answers_403_to_sharing_by_anyone_but_the_head(personas, client_for):
    assessment = start(personas["monitor"])
    body = spt()

    for persona in ("monitor", "comms", "data_officer"):
        client = client_for(personas[persona])
        assert client.get(f"/assessment/{assessment.pk}/share/").status_code == 403
        response = client.post(f"/assessment/{assessment.pk}/share/", {"organisation": body.pk})
        assert response.status_code == 403

    assert not AssessmentShare.objects.exists()


# The action plan ------------------------------------------------


def test_it_turns_a_gap_into_an_action_and_follows_it(personas, client_for):
    head, monitor = personas["head"], personas["monitor"]
    assessment = start(head)
    rate(head, assessment, "2", "not_in_place")
    client = client_for(head)
    criterion = rating_of(assessment, "2").criterion

    page = client.get(f"/assessment/{assessment.pk}/actions/")
    assert [c.ref for c in page.context["form"].fields["criterion"].queryset] == ["2"]
    client.post(
        f"/assessment/{assessment.pk}/actions/",
        {
            "item-criterion": criterion.pk,
            "item-title": "Adopt a written strategy",
            "item-owner": monitor.pk,
            "item-deadline": "2025-06-30",
        },
    )
    item = ActionItem.objects.get()
    client.post(f"/assessment/{assessment.pk}/actions/{item.pk}/", {"status": "done", "version": 1})

    item.refresh_from_db()
    assert item.owner == monitor and item.status == "done" and item.completed_on
    assert b"Adopt a written strategy" in client.get(f"/assessment/{assessment.pk}/").content


def test_it_answers_409_to_a_stale_status_change(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "2", "not_in_place")
    item = services.action_item_create(
        actor=head,
        assessment=assessment,
        criterion=rating_of(assessment, "2").criterion,
        title="Adopt a strategy",
        owner=head,
        deadline="2025-06-30",
    )
    url = f"/assessment/{assessment.pk}/actions/{item.pk}/"
    client_for(head).post(url, {"status": "in_progress", "version": 1})

    response = client_for(head).post(url, {"status": "dropped", "version": 1})

    assert response.status_code == 409 and b"Someone else changed" in response.content
    item.refresh_from_db()
    assert item.status == "in_progress"


def test_it_refuses_an_action_for_a_criterion_that_is_no_gap(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "2", "fully")

    response = client_for(head).post(
        f"/assessment/{assessment.pk}/actions/",
        {
            "item-criterion": rating_of(assessment, "2").criterion_id,
            "item-title": "Nothing to do",
            "item-owner": head.pk,
            "item-deadline": "2025-06-30",
        },
    )

    assert response.status_code == 400 and not ActionItem.objects.exists()


def test_it_keeps_the_action_plan_open_on_a_final_assessment(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "2", "partially")
    finalised(head, assessment)

    response = client_for(head).get(f"/assessment/{assessment.pk}/actions/")

    assert response.status_code == 200 and b"Turn a gap into an action" in response.content


# The overview of an assessing body ------------------------------------------------


def test_it_shows_an_assessing_body_the_npms_it_assesses_with_section_scores(
    personas, make_user, client_for
):
    body = spt()
    spt_head = member(make_user, body, "head")
    ruritania = OrganisationFactory(name="NPM of Ruritania")
    version = FrameworkVersionFactory()
    old = start(spt_head, subject=ruritania, version=version, title="Visit 2022")
    old.period_end = old.period_end.replace(year=2022)
    old.save(update_fields=["period_end"])
    latest = start(spt_head, subject=ruritania, version=version, title="Visit 2024")
    rate(spt_head, latest, "3", "largely")

    response = client_for(spt_head).get("/assessment/overview/")

    [row] = response.context["overview"].rows
    assert row.assessment == latest and row.scores == [None, 66.7]
    assert b"NPM of Ruritania" in response.content and b"Visit 2022" not in response.content


def test_it_has_no_overview_for_an_npm(personas, client_for):
    assert client_for(personas["head"]).get("/assessment/overview/").status_code == 404


# Templates ------------------------------------------------


@pytest.mark.parametrize("path", MINE, ids=lambda path: path.name)
def test_it_keeps_templates_free_of_inline_script_style_and_handlers(path):
    text = path.read_text()

    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text)
    assert not re.search(r"margin-left|margin-right|padding-left|padding-right", text)


def test_it_draws_charts_without_style_attributes(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")

    content = client_for(head).get(f"/assessment/{assessment.pk}/").content.decode()

    svg = content[content.index("<svg") : content.index("</svg>")]
    assert "style=" not in svg and 'class="bar"' in svg and "<title" in svg


def test_it_lists_assessments_in_a_fixed_number_of_queries(personas, client_for):
    head = personas["head"]
    client = client_for(head)
    start(head)
    client.get("/assessment/")
    with CaptureQueriesContext(connection) as one:
        client.get("/assessment/")
    for _ in range(4):
        start(head)
    with CaptureQueriesContext(connection) as five:
        response = client.get("/assessment/")

    assert len(response.context["groups"][0][1]) == 5
    assert len(five) == len(one)
