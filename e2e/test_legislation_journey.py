"""A draft bill is ranked above a lesser one, with the reasons shown (¶12, 29), in real
Chromium.

A monitor adds a draft bill that delays access to a lawyer, under consultation for ten
more days, and assesses it against the checklist; then a draft decree on the paperwork
of visits, which says nothing about one safeguard and meets another, due in a month and
a half. The ranked list puts the bill first and says why, in words: the lawyer safeguard
and the closing consultation. The monitor opens the bill and reads "why this rank", writes an
opinion and revises it; the head sends it.

Only the people and one item already followed (a regulation not yet assessed, whose
deadline is the nearest of all, so that the order shown cannot come from deadlines or
references alone) are made here; everything else goes through the pages.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from e2e.people import SignIn, member
from habeas.accounts.roles import Role
from habeas.legislation import services
from habeas.legislation.models import ItemKind, LegislationItem, Opinion, Procedure

BILL = "Criminal procedure (amendment) bill"
BILL_SUBJECT = "Extends police custody before access to a lawyer to 48 hours."
DECREE = "Decree on the paperwork for family visits in prisons"
DECREE_SUBJECT = "Forms and identity checks for visitors; visiting hours are unchanged."
UNIFORMS = "Regulation on prison uniforms"

LAWYER = "Access to a lawyer from the very outset of deprivation of liberty"
RELATIVE = "Notification of a relative or another person of the detainee's choice"
REGISTERED = "Every deprivation of liberty is registered: time, place, reasons, officials"
LAWYER_NOTE = (
    "Article 3 allows the police to hold a suspect for 48 hours before a lawyer is "
    "called, on the prosecutor's authorisation."
)

OPINION_TITLE = "Opinion on the criminal procedure (amendment) bill"
FIRST_TEXT = (
    "The NPM asks Parliament to delete Article 3: the first hours of custody are when the "
    "risk of ill-treatment is highest."
)
SECOND_TEXT = (
    "The NPM asks Parliament to delete Article 3: the first hours of custody are when the "
    "risk of ill-treatment is highest, and a lawyer present from the outset is the "
    "safeguard the CPT names first (CPT/Inf(92)3, para. 36)."
)
COMMITTEE = "Parliamentary committee on justice"

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "user" / "img"


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, with or without Django's trailing colon."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def messages(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text=re.compile(r"\S"))


def to_the_list(page: Page) -> Locator:
    """Open the ranked list from the main menu; its rows, header first."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Legislation", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Legislation", level=1)).to_be_visible()
    return page.get_by_role("table", name="Legislation, most urgent first").get_by_role("row")


def add_item(
    page: Page, *, title: str, subject: str, procedure: str, deadline: dt.date, body: str
) -> str:
    """From the list, add a draft text; return its reference, read from its page."""
    page.get_by_role("link", name="Add a law, bill or missing law").click()
    expect(page.get_by_role("heading", name="Add a law, bill or missing law")).to_be_visible()
    field(page, "Title").fill(title)
    field(page, "Kind").select_option(label="Draft bill")
    field(page, "Subject").fill(subject)
    field(page, "Responsible body").fill(body)
    field(page, "Status of the procedure").select_option(label=procedure)
    field(page, "Deadline").fill(deadline.isoformat())
    field(page, "Lead").select_option(label="Milan Monitor")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages(page)).to_contain_text(
        "is recorded. Assess it against the checklist to rank it."
    )
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(title)
    reference = heading.inner_text().split()[0]
    assert re.fullmatch(r"L-\d{4}-\d{3}", reference), reference
    return reference


def assess(page: Page, lines: list[tuple[str, str, str]]) -> None:
    """On an item's page, open its checklist and mark each (benchmark, effect, why)."""
    page.get_by_role("link", name="Assess against the checklist").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Checklist of L-"))).to_be_visible()
    for benchmark, effect, why in lines:
        line = page.locator(".checklist-line").filter(has=page.get_by_text(benchmark, exact=True))
        field(line, "Effect").select_option(label=effect)
        if why:
            field(line, "Why").fill(why)
    page.get_by_role("button", name="Save the checklist").click()
    expect(messages(page)).to_contain_text("The checklist is saved and the priority recomputed.")


def shoot(page: Page, name: str) -> None:
    """A screenshot for the user guide, at 1280x900, when HABEAS_SCREENSHOTS is set."""
    if not os.environ.get("HABEAS_SCREENSHOTS"):
        return
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / name))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_draft_bill_is_ranked_above_a_lesser_one_with_its_reasons(signed_in: SignIn) -> None:
    # Given a monitor of the NPM and its head
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    today = timezone.localdate()
    # And a regulation the NPM already follows, not assessed yet, whose consultation
    # closes first of all
    services.item_create(
        actor=head,
        title=UNIFORMS,
        kind=ItemKind.DRAFT,
        subject="The colour and cut of the clothes issued to sentenced prisoners.",
        procedure=Procedure.CONSULTATION,
        deadline=today + dt.timedelta(days=5),
    )

    # == 1. The bill that delays a lawyer ===================================================
    # When the monitor adds the draft bill, under consultation for ten more days
    page = signed_in(monitor)
    to_the_list(page)
    bill = add_item(
        page,
        title=BILL,
        subject=BILL_SUBJECT,
        procedure="Under public consultation",
        deadline=today + dt.timedelta(days=10),
        body="Ministry of Justice",
    )
    # Then its page says it is not assessed yet, and counts nothing
    why = page.get_by_role("region", name="Why this rank")
    expect(why).to_contain_text("0 priority points")
    expect(why).to_contain_text("Not assessed yet against the benchmarks")
    expect(page.get_by_role("region", name="Where it stands")).to_contain_text("10 days left")

    # When they mark, on its checklist, that it weakens or delays the lawyer benchmark
    assess(page, [(LAWYER, "Weakens or delays it", LAWYER_NOTE)])

    # Then its checklist shows the assessment and the note, and its priority is counted
    checklist = page.get_by_role("region", name="Benchmark checklist")
    lawyer_row = checklist.get_by_role("row").filter(has_text=LAWYER)
    expect(lawyer_row).to_contain_text("Weakens or delays it")
    expect(lawyer_row).to_contain_text(LAWYER_NOTE)
    expect(
        checklist.get_by_role("row").filter(has_text=RELATIVE).get_by_role("cell").nth(1)
    ).to_have_text("Not assessed")
    expect(why).to_contain_text("23 priority points")

    # == 2. A lesser item: a decree on the paperwork of visits ==============================
    # When they add it, due in a month and a half, and find it silent on one safeguard and
    # meeting another
    to_the_list(page)
    decree = add_item(
        page,
        title=DECREE,
        subject=DECREE_SUBJECT,
        procedure="Drafted by the government",
        deadline=today + dt.timedelta(days=45),
        body="Prison Service",
    )
    assess(
        page,
        [
            (RELATIVE, "Does not address it", "Visits only; nothing on custody."),
            (REGISTERED, "Meets it", ""),
        ],
    )
    expect(page.get_by_role("region", name="Why this rank")).to_contain_text("6 priority points")

    # == 3. The ranked list ===================================================================
    # When they open the list
    rows = to_the_list(page)

    # Then the bill comes first, then the decree, then the regulation not yet assessed
    # though its deadline is the nearest
    expect(page.locator("#legislation-results")).to_contain_text("3 items found")
    expect(rows).to_have_count(4)
    first, second, third = rows.nth(1), rows.nth(2), rows.nth(3)
    expect(first).to_contain_text(bill)
    expect(first).to_contain_text(BILL)
    expect(second).to_contain_text(decree)
    expect(second).to_contain_text(DECREE)
    expect(third).to_contain_text(UNIFORMS)
    for row, points in ((first, "23"), (second, "6"), (third, "0")):
        expect(row.get_by_role("cell").first).to_have_text(points)

    # And the reasons are in words: the lawyer safeguard it delays, and the consultation
    # closing in ten days
    reasons = first.get_by_role("listitem")
    expect(reasons).to_have_count(2)
    expect(reasons.nth(0)).to_have_text(f"Weakens or delays: {LAWYER} (weight 5) +15")
    expect(reasons.nth(1)).to_have_text(
        "The consultation closes in 10 days. Adds 50% of the harm. +8"
    )
    expect(first).to_contain_text(f"{(today + dt.timedelta(days=10)).isoformat()}")
    expect(first).to_contain_text("10 days left")
    # And the decree's: a safeguard it leaves out, and a deadline a month and a half away
    expect(second.get_by_role("listitem").nth(0)).to_have_text(
        f"Does not address: {RELATIVE} (counted once, at weight 5) +5"
    )
    expect(second.get_by_role("listitem").nth(1)).to_have_text(
        "The deadline is in 45 days. Adds 10% of the harm. +1"
    )
    expect(third).to_contain_text("Not assessed yet against the benchmarks")
    expect(third).to_contain_text("5 days left")
    shoot(page, "legislation-list.png")

    # When they open the bill
    first.get_by_role("link", name=bill).click()

    # Then "why this rank" adds up its reasons to its 23 points
    expect(page.get_by_role("heading", level=1)).to_contain_text(BILL)
    why = page.get_by_role("region", name="Why this rank")
    expect(why).to_contain_text("23 priority points")
    lines = why.get_by_role("row")
    expect(lines).to_have_count(3)
    expect(lines.nth(1)).to_contain_text(f"Weakens or delays: {LAWYER} (weight 5)")
    expect(lines.nth(1).get_by_role("cell").nth(1)).to_have_text("15")
    expect(lines.nth(2)).to_contain_text("The consultation closes in 10 days.")
    expect(lines.nth(2).get_by_role("cell").nth(1)).to_have_text("8")
    expect(page.get_by_role("region", name="The text")).to_contain_text(BILL_SUBJECT)
    expect(page.get_by_role("region", name="Where it stands")).to_contain_text(
        "Under public consultation"
    )
    shoot(page, "legislation-item.png")

    # == 4. The opinion ======================================================================
    # When the monitor writes an opinion on it
    opinions = page.get_by_role("region", name="Opinions of the NPM")
    expect(opinions).to_contain_text("No opinion written yet.")
    opinions.get_by_role("link", name="Write an opinion").click()
    expect(page.get_by_role("heading", name="Write an opinion")).to_be_visible()
    field(page, "Title").fill(OPINION_TITLE)
    field(page, "Opinion").fill(FIRST_TEXT)
    page.get_by_role("button", name="Save the draft").click()

    # Then it is a draft, version 1, which they may not send themselves
    expect(messages(page)).to_contain_text("The opinion is saved as version 1.")
    opinion = page.get_by_role("article").filter(has_text=OPINION_TITLE)
    expect(opinion.get_by_role("heading", level=3)).to_contain_text("Draft")
    expect(opinion.get_by_role("heading", level=3)).to_contain_text("version 1")
    expect(opinion).to_contain_text("Not sent yet.")
    expect(opinion).to_contain_text("Written by Milan Monitor.")
    expect(opinion.get_by_role("button", name="Record as sent")).to_have_count(0)

    # When they revise it once
    opinion.get_by_role("link", name="Revise").click()
    expect(page.get_by_role("heading", name=f"Revise “{OPINION_TITLE}”")).to_be_visible()
    expect(field(page, "Opinion")).to_have_value(FIRST_TEXT)
    field(page, "Opinion").fill(SECOND_TEXT)
    page.get_by_role("button", name="Save a new version").click()

    # Then the page shows version 2, and its history keeps version 1 as it was
    expect(messages(page)).to_contain_text("The new version of the opinion is saved.")
    opinion = page.get_by_role("article").filter(has_text=OPINION_TITLE)
    expect(opinion.get_by_role("heading", level=3)).to_contain_text("version 2")
    expect(opinion.locator(".opinion-text").first).to_contain_text("a lawyer present from")
    opinion.get_by_text("History: 2 versions").click()
    versions = opinion.get_by_role("list").get_by_role("listitem")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("Version 2, saved on")
    expect(versions.nth(0)).to_contain_text("by Milan Monitor")
    expect(versions.nth(1)).to_contain_text("Version 1, saved on")
    versions.nth(1).get_by_text("Version 1, saved on").click()
    expect(versions.nth(1)).to_contain_text(FIRST_TEXT)
    expect(versions.nth(1)).not_to_contain_text("a lawyer present from")

    # When the head opens the bill from the list and records the opinion as sent today
    heads_page = signed_in(head)
    to_the_list(heads_page).filter(has_text=BILL).get_by_role("link", name=bill).click()
    opinion = heads_page.get_by_role("article").filter(has_text=OPINION_TITLE)
    expect(opinion.get_by_label("Sent on")).to_have_value(today.isoformat())
    opinion.get_by_label("Sent to").fill(COMMITTEE)
    opinion.get_by_role("button", name="Record as sent").click()

    # Then the opinion is sent, with its date and addressee, and can no longer be revised
    expect(messages(heads_page)).to_contain_text("The opinion is recorded as sent.")
    opinion = heads_page.get_by_role("article").filter(has_text=OPINION_TITLE)
    expect(opinion.get_by_role("heading", level=3)).to_contain_text("Sent")
    expect(opinion).to_contain_text(f"Sent on {today.isoformat()} to {COMMITTEE}.")
    expect(opinion.get_by_role("link", name="Revise")).to_have_count(0)
    expect(opinion.get_by_role("button", name="Record as sent")).to_have_count(0)

    # And the ranked list says so beside the bill, still first
    rows = to_the_list(heads_page)
    expect(rows.nth(1)).to_contain_text(BILL)
    expect(rows.nth(1)).to_contain_text(f"1 opinion sent, last on {today.isoformat()}")

    sent = Opinion.objects.get(item__reference=bill)
    assert (sent.state, sent.sent_on, sent.versions.count()) == ("sent", today, 2)
    assert LegislationItem.objects.get(reference=bill).priority == 23
