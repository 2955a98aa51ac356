"""The reports' drafting pages: who reaches them (404 for whoever may not see a report,
on the report and on everything under it; 403 for a step the role may not take), the
workflow driven through the pages as practitioners would, a stale edit kept, the records
behind a count, and a section's text never rendered live.

Drafter: the external expert on the visit's team; reviewer: the monitor; signer: the head.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habeas.recommendations.models import Recommendation
from habeas.reports import services
from habeas.reports.models import Comment, Kind, Report, ReportVersion, State
from habeas.reports.tests.factories import report_factory, report_world
from habeas.visits.models import Interview, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any, make_user: Any) -> Any:
    return report_world(personas, make_user)


@pytest.fixture
def report(world: Any) -> Report:
    return report_factory(kind=Kind.VISIT, actor=world.expert_on_team, visit=world.visit.pk)


def url(name: str, report: Report, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"pk": report.pk, **kwargs})


def latest(report: Report) -> ReportVersion:
    return ReportVersion.objects.filter(report=report).order_by("-number").first()  # type: ignore[return-value]


def edit(client: Any, report: Report, key: str, text: str, **extra: Any) -> Any:
    data = {"text": text, "version": latest(report).version, **extra}
    return client.post(url("section", report, key=key), data)


def sign(world: Any, report: Report) -> ReportVersion:
    """Submit, approve and sign the latest version through the services."""
    version = latest(report)
    services.version_submit(actor=world.expert_on_team, version=version)
    services.version_approve(actor=world.monitor, version=version)
    return services.version_sign(actor=world.head, version=version)


def child_routes(report: Report, comment: Comment) -> list[tuple[str, str]]:
    """(method, path) of every page under a report that this file's views serve."""
    return [
        ("get", url("detail", report)),
        ("get", url("settings", report)),
        ("post", url("settings", report)),
        ("get", url("version", report, number=1)),
        ("get", url("section", report, key="summary")),
        ("post", url("section", report, key="summary")),
        ("post", url("workflow", report, action="submit")),
        ("post", url("workflow", report, action="sign")),
        ("post", url("comment_add", report)),
        ("post", url("comment_resolve", report, comment_pk=comment.pk)),
        ("get", url("figure", report, key="visit.recommendations")),
        ("get", url("check", report)),
        ("post", url("check", report)),
        ("post", url("redaction_add", report)),
        ("post", url("publish", report)),
        ("post", url("unpublish", report)),
        ("get", url("public_preview", report)),
        ("get", url("disseminations", report)),
        ("post", url("disseminations", report)),
        ("post", url("render", report)),
    ]


# -- who reaches the pages ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "auditor", "outsider", "expert"])
def test_it_answers_404_on_the_report_and_every_page_under_it_to_an_outsider(
    world: Any, report: Report, client_for: Any, persona: str
) -> None:
    comment = services.comment_add(
        actor=world.monitor, version=latest(report), section="summary", text="Shorter."
    )
    client = client_for(world.personas[persona])
    for method, path in child_routes(report, comment):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (persona, method, path, response.status_code)
    assert latest(report).state == State.DRAFT
    assert not Comment.objects.get(pk=comment.pk).resolved


def test_it_answers_404_to_the_communications_officer_until_the_report_is_signed(
    world: Any, report: Report, client_for: Any
) -> None:
    comment = services.comment_add(
        actor=world.monitor, version=latest(report), section="", text="Fine."
    )
    client = client_for(world.personas["comms"])
    for method, path in child_routes(report, comment):
        assert getattr(client, method)(path).status_code == 404, (method, path)
    assert report.reference not in client.get(reverse("reports:list")).content.decode()
    sign(world, report)
    assert client.get(url("detail", report)).status_code == 200
    assert report.reference in client.get(reverse("reports:list")).content.decode()


def test_it_lists_only_the_reports_the_reader_sees_with_filters(
    world: Any, report: Report, client_for: Any
) -> None:
    annual = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2025, title="Year 2025")
    head = client_for(world.head)
    page = head.get(reverse("reports:list")).content.decode()
    assert report.reference in page and annual.reference in page
    assert 'href="/reports/new/"' in page
    only_annual = head.get(reverse("reports:list"), {"kind": "annual"}).content.decode()
    assert annual.reference in only_annual and report.reference not in only_annual
    by_year = head.get(reverse("reports:list"), {"year": "2026"}).content.decode()
    assert report.reference in by_year and annual.reference not in by_year
    searched = head.get(reverse("reports:list"), {"q": "Year 2025"}).content.decode()
    assert annual.reference in searched and report.reference not in searched
    # The expert on the team sees the visit's report, not the annual report.
    expert = client_for(world.expert_on_team).get(reverse("reports:list")).content.decode()
    assert report.reference in expert and annual.reference not in expert


def test_it_refuses_with_403_a_step_the_role_may_not_take(
    world: Any, report: Report, client_for: Any
) -> None:
    version = latest(report)
    services.version_submit(actor=world.expert_on_team, version=version)
    services.version_approve(actor=world.monitor, version=version)
    monitor = client_for(world.monitor)
    assert monitor.post(url("workflow", report, action="sign")).status_code == 403
    assert latest(report).state == State.APPROVED
    # The doctor sees the report (not on the team) but may not draft it.
    doctor = client_for(world.personas["doctor"])
    assert doctor.get(url("detail", report)).status_code == 200
    assert doctor.post(url("workflow", report, action="new")).status_code == 403
    assert monitor.post(url("workflow", report, action="dance")).status_code == 404


# -- creating a report ------------------------------------------------------------------------


def test_it_creates_a_visit_report_in_two_steps_offering_only_reportable_visits(
    world: Any, client_for: Any
) -> None:
    client = client_for(world.expert_on_team)
    step1 = client.get(reverse("reports:create")).content.decode()
    for value in Kind.values:
        assert f'value="{value}"' in step1
    step2 = client.get(reverse("reports:create"), {"kind": "visit"})
    assert step2.status_code == 200
    body = step2.content.decode()
    assert world.visit.reference in body
    # The police visit is closed but the expert is not on its team.
    assert world.police_visit.reference not in body
    assert 'name="year"' not in body and 'name="theme"' not in body
    response = client.post(
        reverse("reports:create"), {"kind": "visit", "visit": world.visit.pk, "language": "en"}
    )
    assert response.status_code == 302
    created = Report.objects.get(visit=world.visit)
    assert response["Location"] == url("detail", created)
    assert created.title  # generated
    assert client.get(response["Location"]).status_code == 200


def test_it_shows_a_refused_scope_on_the_form_and_creates_nothing(
    world: Any, client_for: Any
) -> None:
    client = client_for(world.monitor)
    response = client.post(
        reverse("reports:create"), {"kind": "annual", "year": "2999", "language": "en"}
    )
    assert response.status_code == 400
    assert Report.objects.count() == 0
    assert client_for(world.personas["comms"]).get(reverse("reports:create")).status_code == 403
    assert client_for(world.personas["admin"]).get(reverse("reports:create")).status_code == 404


def test_it_preselects_the_visit_the_visit_page_links_with(world: Any, client_for: Any) -> None:
    client = client_for(world.head)
    body = client.get(
        reverse("reports:create"), {"kind": "urgent", "visit": world.visit.pk}
    ).content.decode()
    urgent = Recommendation.objects.get(visit=world.visit, priority="urgent")
    assert urgent.reference in body
    assert world.recommendations[0].reference not in body  # not urgent
    response = client.post(
        reverse("reports:create"),
        {"kind": "urgent", "recommendation": urgent.pk, "language": "en"},
    )
    assert response.status_code == 302
    assert Report.objects.get(kind="urgent").visit == world.visit


# -- the workflow through the pages ------------------------------------------------------------


def test_it_takes_a_report_from_draft_to_signed_and_a_new_version(
    world: Any, report: Report, client_for: Any
) -> None:
    drafter = client_for(world.expert_on_team)
    monitor = client_for(world.monitor)
    head = client_for(world.head)

    # The drafter edits the summary and sends the version for review.
    assert drafter.get(url("section", report, key="summary")).status_code == 200
    response = edit(drafter, report, "summary", "The team found overcrowding in Wing B.")
    assert response.status_code == 302
    page = drafter.get(url("detail", report)).content.decode()
    assert "The team found overcrowding in Wing B." in page
    assert url("section", report, key="summary") in page  # an Edit link
    assert drafter.post(url("workflow", report, action="submit")).status_code == 302
    assert latest(report).state == State.IN_REVIEW
    # In review: no Edit link, and the editor refuses.
    assert (
        url("section", report, key="summary")
        not in drafter.get(url("detail", report)).content.decode()
    )
    assert drafter.get(url("section", report, key="summary")).status_code in (403, 404)

    # The monitor returns it with a comment; an empty comment changes nothing.
    assert (
        monitor.post(url("workflow", report, action="return"), {"comment": ""}).status_code == 400
    )
    assert latest(report).state == State.IN_REVIEW
    returned = monitor.post(
        url("workflow", report, action="return"), {"comment": "Name the wing's capacity."}
    )
    assert returned.status_code == 302
    assert latest(report).state == State.DRAFT
    assert "Name the wing&#x27;s capacity." in drafter.get(url("detail", report)).content.decode()

    # The drafter edits and resubmits; the monitor approves; the head signs.
    edit(drafter, report, "summary", "Wing B held 41 people for 40 places.")
    drafter.post(url("workflow", report, action="submit"))
    assert monitor.post(url("workflow", report, action="approve")).status_code == 302
    assert latest(report).state == State.APPROVED
    assert head.post(url("workflow", report, action="sign")).status_code == 302
    signed = latest(report)
    assert signed.state == State.SIGNED and signed.signed_by == world.head
    report.refresh_from_db()
    assert report.state == State.SIGNED and report.signed_at is not None

    # Signed: the editor refuses and the page has no Edit link; "new version" makes v2.
    assert drafter.get(url("section", report, key="summary")).status_code in (403, 404)
    refused = edit(drafter, report, "summary", "Changed after signature.")
    assert refused.status_code in (403, 404)
    assert "Changed after signature." not in str(latest(report).sections)
    assert drafter.post(url("workflow", report, action="new")).status_code == 302
    v2 = latest(report)
    assert v2.number == 2 and v2.state == State.DRAFT
    assert v2.sections["summary"] == "Wing B held 41 people for 40 places."
    # Version 1 stays readable as it was signed.
    old = drafter.get(url("version", report, number=1))
    assert old.status_code == 200
    assert "Wing B held 41 people for 40 places." in old.content.decode()
    assert url("section", report, key="summary") not in old.content.decode()
    assert drafter.get(url("version", report, number=3)).status_code == 404


def test_it_refuses_a_workflow_step_out_of_turn_and_says_why(
    world: Any, report: Report, client_for: Any
) -> None:
    head = client_for(world.head)
    response = head.post(url("workflow", report, action="approve"))
    assert response.status_code == 400
    assert "Only a version under review can be approved." in response.content.decode()
    assert latest(report).state == State.DRAFT


def test_it_keeps_the_typed_text_of_a_stale_section_edit_with_409(
    world: Any, report: Report, client_for: Any
) -> None:
    drafter = client_for(world.expert_on_team)
    shown = latest(report).version
    # Someone else saves the section meanwhile.
    services.version_edit(
        actor=world.head,
        version=latest(report),
        sections={"summary": "The head's own summary."},
        public_omit=None,
        expected_version=shown,
    )
    typed = "My careful summary <of> the visit."
    response = drafter.post(
        url("section", report, key="summary"), {"text": typed, "version": shown}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "My careful summary &lt;of&gt; the visit." in body
    assert "The head&#x27;s own summary." in body  # what was saved meanwhile, beside it
    assert latest(report).sections["summary"] == "The head's own summary."
    # Saving the form as returned (now carrying the current version) applies it.
    again = drafter.post(
        url("section", report, key="summary"), {"text": typed, "version": latest(report).version}
    )
    assert again.status_code == 302
    assert latest(report).sections["summary"] == typed


def test_it_keeps_a_section_out_of_the_public_version_when_ticked(
    world: Any, report: Report, client_for: Any
) -> None:
    drafter = client_for(world.expert_on_team)
    edit(drafter, report, "changes", "Nothing changed.", keep_out="on")
    assert latest(report).public_omit == ["changes"]
    page = drafter.get(url("detail", report)).content.decode()
    assert "Kept out of the public version" in page
    edit(drafter, report, "changes", "Nothing changed.")
    assert latest(report).public_omit == []


def test_it_never_renders_a_script_or_javascript_link_written_in_a_section(
    world: Any, report: Report, client_for: Any
) -> None:
    drafter = client_for(world.expert_on_team)
    attack = "<script>alert(1)</script> and [x](javascript:alert(1)) <img src=x onerror=alert(2)>"
    assert edit(drafter, report, "summary", attack).status_code == 302
    preview = drafter.post(
        url("section", report, key="summary"),
        {"text": attack, "version": latest(report).version, "preview": "1"},
    )
    for response in (
        drafter.get(url("detail", report)),
        preview,
        drafter.get(url("public_preview", report)),
    ):
        body = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert(1)" not in body
        assert 'href="javascript' not in body.lower() and "href='javascript" not in body.lower()
        assert "<img src=x onerror" not in body


# -- comments, settings ------------------------------------------------------------------------


def test_it_adds_and_resolves_a_comment_on_a_section(
    world: Any, report: Report, client_for: Any
) -> None:
    monitor = client_for(world.monitor)
    response = monitor.post(
        url("comment_add", report), {"section": "findings", "text": "Cite the register."}
    )
    assert response.status_code == 302
    comment = Comment.objects.get(version=latest(report))
    assert comment.section == "findings" and comment.author == world.monitor
    assert "Cite the register." in monitor.get(url("detail", report)).content.decode()
    assert monitor.post(url("comment_add", report), {"text": ""}).status_code == 400
    assert (
        client_for(world.expert_on_team)
        .post(url("comment_resolve", report, comment_pk=comment.pk))
        .status_code
        == 302
    )
    comment.refresh_from_db()
    assert comment.resolved
    # Comms sees a signed report but may neither comment nor resolve.
    sign(world, report)
    comms = client_for(world.personas["comms"])
    assert comms.post(url("comment_add", report), {"text": "Hello"}).status_code == 403


def test_it_saves_the_settings_and_refuses_a_k_below_2(
    world: Any, report: Report, client_for: Any
) -> None:
    client = client_for(world.expert_on_team)
    form = {
        "title": "Northgate, March 2026",
        "language": "en",
        "addressee": "",
        "k": 7,
        "version": report.version,
    }
    assert client.post(url("settings", report), {**form, "k": 1}).status_code == 400
    assert client.post(url("settings", report), form).status_code == 302
    report.refresh_from_db()
    assert (report.title, report.k) == ("Northgate, March 2026", 7)
    stale = client.post(url("settings", report), {**form, "title": "Old form", "version": 1})
    assert stale.status_code == 409
    assert "Old form" in stale.content.decode()
    assert (
        client_for(world.personas["doctor"]).post(url("settings", report), form).status_code == 403
    )


# -- the records behind a count ----------------------------------------------------------------


def test_it_links_each_count_to_exactly_the_records_behind_it(
    world: Any, report: Report, client_for: Any
) -> None:
    client = client_for(world.head)
    page = client.get(url("detail", report)).content.decode()
    figure_url = url("figure", report, key="visit.recommendations")
    assert f'href="{figure_url}' in page
    response = client.get(figure_url)
    assert response.status_code == 200
    body = response.content.decode()
    expected = Recommendation.objects.filter(visit=world.visit)
    assert expected.count() == 2
    for recommendation in expected:
        assert recommendation.reference in body
    others = Recommendation.objects.exclude(visit=world.visit)
    assert others.exists()
    for recommendation in others:
        assert recommendation.reference not in body
    assert client.get(url("figure", report, key="no.such.figure")).status_code == 404


def test_it_counts_the_private_interviews_behind_the_figure(
    world: Any, report: Report, client_for: Any
) -> None:
    client = client_for(world.head)
    body = client.get(url("figure", report, key="visit.interviews.private")).content.decode()
    private = Interview.objects.filter(visit=world.visit, kind=Interview.Kind.PRIVATE).count()
    assert private == 4
    assert body.count("<tr>") - 1 == private  # one header row


def test_it_says_the_list_is_as_of_now_for_a_signed_version(
    world: Any, report: Report, client_for: Any
) -> None:
    sign(world, report)
    body = (
        client_for(world.head)
        .get(url("figure", report, key="visit.recommendations"))
        .content.decode()
    )
    assert "as they are now" in body
    assert Visit.objects.get(pk=world.visit.pk).state == Visit.State.REPORT_DRAFTED


def test_it_lists_reports_in_a_constant_number_of_queries(
    world: Any, report: Report, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.head)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("reports:list")).status_code == 200
    for year in (2022, 2023, 2024, 2025):
        report_factory(kind=Kind.ANNUAL, actor=world.head, year=year)
    report_factory(kind=Kind.FOLLOW_UP, actor=world.head, place=world.place.pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("reports:list")).content.decode()
    assert page.count('href="/reports/') >= 6
