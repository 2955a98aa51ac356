"""From a visit's findings to a verified change (¶20–24), in real Chromium.

A monitor drafts recommendations from a visit's findings, sees the quality check question
a vague text and go quiet once it is rewritten, and sends them; the head records the
ministry's letter and maps it onto the recommendations it answers; the deadlines pass and
the follow-up job tells the monitor; a follow-up visit finds nothing achieved, and the
prison is proposed for follow-up.

Only the people, the prison, its authorities, the first visit with its findings and one
recommendation about another prison (to show the filters narrow) are made here; everything
else goes through the pages, and the daily follow-up job runs as cron would run it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from e2e.people import SignIn, member, sign_in
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.models import Authority, Category
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory
from habeas.recommendations.models import Recommendation, Verification
from habeas.recommendations.tests.factories import make_sent
from habeas.visits import services_field
from habeas.visits.models import Finding, Visit
from habeas.visits.tests.factories import make_visit

PRISON = "Eastmoor Prison"
SERVICE = "Prison Service"
MINISTRY = "Ministry of Justice"

DARK = "Most cells of Wing B have no working light: the men sit in the dark from 6 p.m."
DOCTOR = "No doctor examines new arrivals; the medical register has gaps of several weeks."
CALLS = "Detainees may call their families once a month, for five minutes."

VAGUE = "Consider improving the lighting in the cells of Wing B."
LIGHT = (
    "Repair or replace the light fittings in every cell of Wing B, so that each cell "
    "can be lit from dusk to 11 p.m."
)
EXAMINE = (
    "Have a doctor examine every new arrival within 24 hours of admission and record "
    "each examination in the medical register."
)
PHONE = "Allow every detainee a telephone call to their family of at least ten minutes each week."

SHARED = (
    "The Ministry accepts the recommendations on lighting and on medical examinations. "
    "Funds have been requested for the 2026 budget; works will start once they are granted."
)
REFUSAL = "Calls are a privilege under the prison rules, which the Ministry will not amend."


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, with or without Django's trailing colon."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def main_menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def messages(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text=re.compile(r"\S"))


def finding_at(visit: Visit, actor: User, theme: str, statement: str) -> Finding:
    return services_field.finding_create(
        actor=actor,
        visit=visit,
        data={"theme": theme, "kind": "concern", "severity": "key", "statement": statement},
    )


def draft(
    page: Page,
    *,
    finding: str,
    text: str,
    theme: str,
    root_cause: str,
    deadline: dt.date,
) -> str:
    """From the visit's recommendations page, draft a key recommendation resting on
    `finding`; return its reference."""
    page.get_by_role("link", name="Draft a recommendation").click()
    expect(page.get_by_role("heading", name="Draft a recommendation")).to_be_visible()
    page.get_by_label(finding).check()
    field(page, "Recommendation").fill(text)
    field(page, "Theme").select_option(label=theme)
    field(page, "Root cause").fill(root_cause)
    field(page, "Priority").select_option(label="Key")
    field(page, "Deadline").fill(deadline.isoformat())
    return save_draft(page)


def save_draft(page: Page) -> str:
    page.get_by_role("button", name="Save the draft").click()
    saved = messages(page).filter(has_text="is saved as a draft")
    expect(saved).to_be_visible()
    reference = page.get_by_role("heading", level=1).inner_text().split()[0]
    assert re.fullmatch(r"R-\d{4}-\d+", reference), reference
    return reference


def recommendation_url(reference: str) -> str:
    pk = Recommendation.objects.get(reference=reference).pk
    return reverse("recommendations:detail", kwargs={"recommendation_pk": pk})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recommendations_go_from_findings_to_a_verified_change(signed_in: SignIn) -> None:
    # Given a prison supervised by the Prison Service, which answers within 30 days and
    # reports to the Ministry of Justice
    ministry = AuthorityFactory(name=MINISTRY, kind=Authority.Kind.MINISTRY, response_days=30)
    service = AuthorityFactory(
        name=SERVICE, kind=Authority.Kind.SUPERVISORY, parent=ministry, response_days=30
    )
    prison = PlaceFactory(
        name=PRISON, authority=service, category=Category.objects.get(code="prison-sentenced")
    )
    # And a monitor of the NPM and its head
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    today = timezone.localdate()
    # And the visit the monitor led there last week, debriefed, with three key findings
    visit = make_visit(
        monitor,
        prison,
        starts_on=today - dt.timedelta(days=8),
        ends_on=today - dt.timedelta(days=7),
        state=Visit.State.DEBRIEFED,
    )
    finding_at(visit, monitor, "conditions", DARK)
    finding_at(visit, monitor, "health", DOCTOR)
    finding_at(visit, monitor, "contact", CALLS)
    # And, elsewhere, an older recommendation about another prison, not yet due
    elsewhere = PlaceFactory(name="Westbrook Prison")
    make_sent(head, place=elsewhere, addressee=elsewhere.authority, sent_on=today)

    # == 1. Draft recommendations from the visit's findings ==================================
    # When the monitor opens the visit and follows "Recommendations"
    page = signed_in(monitor)
    page.goto(reverse("visits:visit_detail", kwargs={"visit_pk": visit.pk}))
    page.get_by_role("link", name="Recommendations (0)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Recommendations of {visit.reference} · {PRISON}"
    )
    expect(page.locator("main")).to_contain_text("No recommendation drafted from this visit yet.")

    # And starts a draft resting on the finding about the dark cells, in vague words
    page.get_by_role("link", name="Draft a recommendation").click()
    expect(page.locator("main")).to_contain_text(f"From the visit {visit.reference} to {PRISON}.")
    assert page.url.endswith(f"{reverse('recommendations:draft')}?visit={visit.pk}")
    expect(field(page, "Addressed to")).to_have_value(str(service.pk))
    page.get_by_label(DARK).check()
    field(page, "Recommendation").fill(VAGUE)

    # Then the quality check questions the vague verbs and the missing deadline, as advice
    advice = page.get_by_role("complementary", name="Advice on the draft")
    expect(advice).to_contain_text("“consider” is vague: say what must change, and by whom.")
    expect(advice).to_contain_text("“improving” is vague")
    expect(advice).to_contain_text("Set a deadline")
    expect(advice).to_contain_text("Say what causes the problem (the root cause)")
    expect(advice).to_contain_text("Advice only: you can save and send the recommendation")
    expect(advice).not_to_contain_text("Link the findings")

    # When they rewrite it plainly, with its theme, root cause, priority and deadline
    field(page, "Recommendation").fill(LIGHT)
    field(page, "Theme").select_option(label="Material conditions")
    field(page, "Root cause").fill("No maintenance budget for Wing B since 2021.")
    field(page, "Priority").select_option(label="Key")
    field(page, "Deadline").fill((today + dt.timedelta(days=14)).isoformat())

    # Then the vague words are no longer questioned, nor anything else
    expect(advice).not_to_contain_text("is vague")
    expect(advice).not_to_contain_text("Set a deadline")
    expect(advice).to_contain_text("Nothing to add")

    # And they save it: a key draft, resting on its finding
    light = save_draft(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    expect(page.get_by_role("region", name="Findings it rests on")).to_contain_text(DARK)

    # When they draft two more, each from its finding
    page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name=visit.reference
    ).click()
    examine = draft(
        page,
        finding=DOCTOR,
        text=EXAMINE,
        theme="Health care",
        root_cause="The prison has had no doctor under contract since March.",
        deadline=today + dt.timedelta(days=21),
    )
    page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name=visit.reference
    ).click()
    phone = draft(
        page,
        finding=CALLS,
        text=PHONE,
        theme="Contact with the outside world",
        root_cause="The prison rules cap calls at one a month.",
        deadline=today + dt.timedelta(days=28),
    )
    references = [light, examine, phone]

    # == 2. Send them =========================================================================
    # When they tick the three drafts on the visit's recommendations page and send them
    page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name=visit.reference
    ).click()
    drafted = page.get_by_role("region", name="Drafted from this visit")
    for reference in references:
        row = drafted.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text("Key")
        expect(row).to_contain_text(SERVICE)
        drafted.get_by_role("checkbox", name=f"Send {reference}").check()
    page.get_by_role("button", name="Send selected").click()

    # Then all three are sent today, and nothing is left to send
    expect(messages(page)).to_contain_text(f"Sent: {', '.join(sorted(references))}.")
    for reference in references:
        row = drafted.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text("Sent")
        expect(row).to_contain_text(today.isoformat())
    expect(drafted.get_by_role("checkbox")).to_have_count(0)

    # And the tracker lists them for the prison, none overdue yet
    main_menu(page, "Recommendations")
    results = page.locator("#tracker-results")
    expect(results).to_contain_text("4 recommendations found")
    results.get_by_role("row").filter(has_text=light).get_by_role("link", name=PRISON).click()
    expect(results).to_contain_text("3 recommendations found")
    expect(page.get_by_role("search", name="Filter recommendations")).to_contain_text(PRISON)
    expect(results).not_to_contain_text("Westbrook Prison")
    field(page, "Deadline").select_option(label="Overdue only")
    expect(results).to_contain_text("No recommendation matches these filters.")

    # == 3. The ministry's letter answers them ================================================
    # When the head records the ministry's letter in the dialogue log
    heads_page = signed_in(head)
    main_menu(heads_page, "Recommendations")
    heads_page.get_by_role("link", name="Dialogue with authorities").click()
    heads_page.get_by_role("link", name="Record an exchange").click()
    expect(heads_page.get_by_role("heading", name="Record an exchange")).to_be_visible()
    field(heads_page, "Authority").select_option(label=MINISTRY)
    expect(field(heads_page, "Kind")).to_have_value("letter")
    expect(field(heads_page, "Direction")).to_have_value("incoming")
    field(heads_page, "Date").fill(today.isoformat())
    field(heads_page, "Subject").fill("Reply to the NPM's visit to Eastmoor Prison")
    field(heads_page, "Their reference").fill("MJ/2025/117")
    heads_page.get_by_role(
        "button", name="Record it and map the recommendations it answers"
    ).click()

    # Then the mapping page offers the three recommendations, awaiting a response
    expect(
        heads_page.get_by_role("heading", name="Which recommendations does it answer?")
    ).to_be_visible()
    expect(heads_page.locator("main")).to_contain_text(MINISTRY)
    rows = heads_page.locator("#map-rows")
    for reference in references:
        expect(rows.get_by_role("row").filter(has_text=reference)).to_contain_text("Awaiting")
    expect(rows).not_to_contain_text("Westbrook Prison")

    # When one paragraph answers the first two: pasted once, applied to both rows ticked
    for reference in (light, examine):
        heads_page.get_by_role(
            "checkbox", name=f"Tick {reference} for the shared paragraph"
        ).check()
    heads_page.get_by_label("Paragraph answering several recommendations").fill(SHARED)
    heads_page.get_by_role("button", name="Apply to the ticked rows").click()
    expect(heads_page.locator("[data-apply-result]")).to_have_text(
        "The paragraph was applied to 2 rows."
    )
    for reference in (light, examine):
        expect(heads_page.get_by_label(f"Passage answering {reference}")).to_have_value(SHARED)

    # And each row gets its own status; the third is refused in a passage of its own
    heads_page.get_by_label(f"Response to {light}").select_option(label="Accepted")
    heads_page.get_by_label(f"Response to {examine}").select_option(label="Partially accepted")
    heads_page.get_by_label(f"Response to {phone}").select_option(label="Rejected")
    heads_page.get_by_label(f"Passage answering {phone}").fill(REFUSAL)
    heads_page.get_by_role("button", name="Save the responses").click()

    # Then the letter's page shows each recommendation it answers, its status and passage
    expect(messages(heads_page)).to_contain_text(
        "The letter's responses to 3 recommendations are recorded."
    )
    answered = heads_page.get_by_role("region", name="Answers 3 recommendations")
    for reference, status, passage in (
        (light, "Accepted", SHARED),
        (examine, "Partially accepted", SHARED),
        (phone, "Rejected", REFUSAL),
    ):
        row = answered.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text(status)
        expect(row).to_contain_text(passage)
        expect(row).to_contain_text(PRISON)

    # When the head reads that a doctor now visits twice a week and records it, citing
    # the ministry's response as the evidence
    answered.get_by_role("link", name=examine).click()
    heads_page.get_by_role("link", name="Verify implementation").click()
    field(heads_page, "Implementation").select_option(label="Partially achieved")
    heads_page.get_by_role("radio", name="A response").check()
    field(heads_page, "One of its responses").select_option(
        label=f"{today.isoformat()} · Partially accepted"
    )
    field(heads_page, "Note").fill("A doctor now attends twice a week, says the ministry.")
    heads_page.get_by_role("button", name="Record the status").click()
    expect(messages(heads_page)).to_contain_text(
        f"{examine}: “Partially achieved” is recorded with its evidence."
    )

    # == 4. The deadlines pass ================================================================
    later = today + dt.timedelta(days=40)
    moment = timezone.make_aware(dt.datetime.combine(later, dt.time(9, 0)))
    with time_machine.travel(moment, tick=True):
        # When the daily follow-up job runs, forty days on
        call_command("recommendation_followup")

        # Then the monitor, back at their desk, sees three unread notifications
        sign_in(page, monitor)
        bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
        expect(bell.locator(".badge")).to_have_text("3")
        bell.click()
        expect(page.locator("main")).to_contain_text("3 unread notifications.")
        overdue = page.get_by_role("row").filter(has_text=light)
        expect(overdue).to_contain_text(
            f"{light}: the deadline for implementation by {SERVICE} passed on "
            f"{(today + dt.timedelta(days=14)).isoformat()}"
        )
        expect(overdue).to_contain_text(f"Consider escalating to {MINISTRY}")
        for reference in (examine, phone):
            expect(
                page.get_by_role("row").filter(has_text=f"{reference}: the deadline")
            ).to_be_visible()

        # And the notice opens the recommendation, marked overdue
        overdue.get_by_role("button", name="Mark as read and open").click()
        expect(page).to_have_url(re.compile(re.escape(recommendation_url(light)) + "$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Overdue")
        where = page.get_by_role("region", name="Where it stands")
        expect(where).to_contain_text("Accepted")
        expect(where).to_contain_text("Not verified yet")
        expect(page.get_by_role("region", name="Responses")).to_contain_text(SHARED)

        # And the tracker's "overdue only" filter now finds the three of them
        main_menu(page, "Recommendations")
        field(page, "Deadline").select_option(label="Overdue only")
        results = page.locator("#tracker-results")
        expect(results).to_contain_text("3 recommendations found")
        for reference in references:
            expect(results.get_by_role("row").filter(has_text=reference)).to_contain_text("Overdue")
        expect(results).not_to_contain_text("Westbrook Prison")

        # == 5. Verify at a follow-up visit ===================================================
        # When the monitor opens the places proposed for follow-up, and plans one there
        page.get_by_role("link", name="Proposed follow-up visits").click()
        proposal = page.get_by_role("region", name=PRISON)
        expect(proposal).to_contain_text("3 recommendations overdue and not achieved")
        proposal.get_by_role("link", name="Plan a follow-up visit").click()
        expect(field(page, "Place")).to_have_value(str(prison.pk))
        field(page, "Type").select_option(label="Follow-up")
        field(page, "First day").fill(later.isoformat())
        field(page, "Last day").fill(later.isoformat())
        field(page, "Objectives").fill("Check what became of the recommendations of last visit.")
        page.get_by_role("button", name="Plan the visit").click()
        expect(messages(page)).to_contain_text("is planned.")
        follow_up = Visit.objects.get(place=prison, kind=Visit.Kind.FOLLOW_UP)

        # And the team records what it found there
        page.goto(reverse("visits:finding_list", kwargs={"visit_pk": follow_up.pk}))
        page.get_by_role("link", name="Record a finding").click()
        field(page, "Theme").select_option(label="Material conditions")
        field(page, "Kind").select_option(label="Concern")
        field(page, "Severity").select_option(label="Key concern")
        seen = (
            "Nothing has changed: Wing B is still dark at night, no doctor examines "
            "arrivals and calls are still five minutes a month."
        )
        field(page, "Statement").fill(seen)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(messages(page)).to_contain_text("Finding recorded")

        # When they open the follow-up visit's recommendations
        page.goto(reverse("visits:visit_detail", kwargs={"visit_pk": follow_up.pk}))
        page.get_by_role("link", name="Recommendations (0)").click()
        to_verify = page.get_by_role("region", name="Open recommendations to verify at this visit")

        # Then the prison's three open recommendations are there, overdue
        for reference in references:
            item = to_verify.get_by_role("listitem").filter(
                has=page.get_by_role("link", name=reference, exact=True)
            )
            expect(item).to_contain_text("Overdue")

        # And they record each as not achieved, with this visit's finding as evidence
        for reference in references:
            item = to_verify.get_by_role("listitem").filter(
                has=page.get_by_role("link", name=reference, exact=True)
            )
            item.get_by_label("Implementation").select_option(label="Not achieved")
            item.get_by_label("Finding of this visit").select_option(index=1)
            item.get_by_label("Note").fill("Seen on the follow-up visit.")
            item.get_by_role("button", name="Record").click()
            expect(messages(page)).to_contain_text(
                f"{reference}: “Not achieved” is recorded with its evidence."
            )
            item = to_verify.get_by_role("listitem").filter(
                has=page.get_by_role("link", name=reference, exact=True)
            )
            expect(item).to_contain_text(f"Not achieved on {later.isoformat()}")

        # Then the recommendation's page keeps the dated history of its verification
        page.goto(recommendation_url(examine))
        history = page.get_by_role("region", name="Verification of its implementation")
        entries = history.get_by_role("listitem")
        expect(entries).to_have_count(2)
        expect(entries.nth(0)).to_contain_text(f"{later.isoformat()} Not achieved — finding:")
        expect(entries.nth(0)).to_contain_text(follow_up.reference)
        expect(entries.nth(0)).to_contain_text("Milan Monitor")
        expect(entries.nth(1)).to_contain_text(
            f"{today.isoformat()} Partially achieved — response: Partially accepted"
        )
        expect(entries.nth(1)).to_contain_text("Hana Head")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Overdue")

        # == 6. The prison is proposed for follow-up ==========================================
        # When the monitor opens the places proposed for follow-up visits
        main_menu(page, "Recommendations")
        page.get_by_role("link", name="Proposed follow-up visits").click()

        # Then the prison is proposed, with its three key recommendations not achieved past
        # their deadline, and the follow-up visit planned
        proposal = page.get_by_role("region", name=PRISON)
        expect(proposal).to_contain_text(
            "3 recommendations overdue and not achieved; the oldest deadline was "
            f"{(today + dt.timedelta(days=14)).isoformat()}."
        )
        for reference in references:
            row = proposal.get_by_role("row").filter(has_text=reference)
            expect(row).to_contain_text("Key")
            expect(row).to_contain_text("past deadline")
            expect(row).to_contain_text("Not achieved")
        expect(proposal).to_contain_text("Follow-up visit planned")
        expect(proposal.get_by_role("link", name=follow_up.reference)).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Westbrook Prison")

    sent = Recommendation.objects.filter(reference__in=references)
    assert {r.state for r in sent} == {"sent"} and {r.priority for r in sent} == {"key"}
    assert {r.implementation for r in sent} == {"not_achieved"}
    assert Verification.objects.filter(recommendation__in=sent, evidence="finding").count() == 3
