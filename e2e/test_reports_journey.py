"""A visit report goes from the visit to the public page, and its public version does not
betray the one unit of three people it first named (¶21, 31c; OPCAT 21(2)), in real
Chromium.

The world is the reports tests' `report_world`: Northgate Remand Prison, with Wing C
holding 3 people, and its visit of 10–12 March 2026, debriefed. A monitor on the visit's
team drafts the visit report from the visit page and writes in the executive summary a
sentence that names Wing C. The publication check blocks it and says why; the monitor
applies the proposed redaction and the check comes clear. A second monitor reviews and
approves, the head signs, downloads the PDF and the DOCX, and publishes. A reader with no
account then finds the report on the public page, in words and in its PDF, without the
sentence that named the unit.

Only the world is made here; everything else goes through the pages, and the PDF and DOCX
are produced by the background job as the test settings run it (at once).
"""

from __future__ import annotations

import re
from typing import Any

import pypdfium2
import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.people import PASSWORD, SignIn
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.reports.models import Hit, Redaction, Report, State
from habeas.reports.tests.factories import report_world
from habeas.visits.models import Visit

PRISON = "Northgate Remand Prison"
# Wing C holds 3 people (k = 5): naming it points at them.
NAMES_THE_UNIT = "The men held in Wing C are locked in their cells for 23 hours a day."
REDACTED = "The men held in one unit are locked in their cells for 23 hours a day."


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, with or without Django's trailing colon."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def messages(page: Page) -> Locator:
    """The messages the last action left (the check page has a status notice of its own)."""
    return page.locator("ul.messages")


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def produce_and_download(page: Page, fmt: str) -> bytes:
    """From the report page's "PDF and DOCX" panel: produce the confidential version in
    `fmt`, wait for the progress to end, download it and return its bytes."""
    downloads = region(page, "PDF and DOCX")
    downloads.get_by_label("Confidential version").check()
    downloads.get_by_role("button", name=f"Produce the {fmt}").click()
    rendering = downloads.locator(".rendering").filter(has_text=f"{fmt} · Confidential").first
    link = rendering.get_by_role("link", name="Download")
    expect(link).to_be_visible(timeout=45_000)
    with page.expect_download() as arrival:
        link.click()
    return arrival.value.path().read_bytes()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visit_report_is_checked_signed_and_published_without_the_unit_it_named(
    signed_in: SignIn, browser: Browser, live_server: Any, personas: Any, make_user: Any
) -> None:
    # Given the reports' world: the prison, its small Wing C, and the debriefed visit led by
    # the head with the monitor on its team
    world = report_world(personas, make_user)
    assert world.unit("Wing C").capacity == 3
    monitor, head = world.monitor, world.head
    # And a second monitor, not on the team, who reviews reports
    reviewer = make_user(Role.MONITOR, "reviewer@npm.test", full_name="Rita Reviewer")
    User.objects.filter(pk__in=[monitor.pk, head.pk, reviewer.pk]).update(
        password=make_password(PASSWORD)
    )

    # == 1. The monitor drafts the visit report from the visit's page =======================
    page = signed_in(monitor)
    page.on("dialog", lambda dialog: dialog.accept())  # "Send this version for review?"
    page.goto(reverse("visits:visit_detail", kwargs={"visit_pk": world.visit.pk}))
    reports = region(page, "Reports")
    expect(reports).to_contain_text("No report drawn from this visit yet.")
    reports.get_by_role("link", name="Draft the visit report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New report: Visit report")
    # The visit comes chosen from its page
    expect(field(page, "Visit")).to_have_value(str(world.visit.pk))
    page.get_by_role("button", name="Create the report").click()
    expect(messages(page)).to_contain_text("its text drafted from the records")
    report = Report.objects.get(visit=world.visit)
    title = report.title
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    header = page.locator("dl.report-header")
    expect(header).to_contain_text("Draft")
    expect(header).to_contain_text("1 of 1")
    # The summary is pre-filled from the records
    summary = page.locator("#section-summary")
    expect(summary).to_contain_text("made an unannounced in-depth visit to " + PRISON)

    # == 2. The monitor adds a sentence that names the small unit to the executive summary ==
    summary.get_by_role("link", name="Edit Executive summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Executive summary”")
    text = field(page, "Text")
    text.fill(text.input_value() + "\n\n" + NAMES_THE_UNIT)
    page.get_by_role("button", name="Save the section").click()
    expect(page.locator("#section-summary")).to_contain_text(NAMES_THE_UNIT)

    # == 3. The publication check blocks it, and says why ===================================
    page.get_by_role("link", name="Publication check", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publication check of version 1")
    expect(page.get_by_text("The check has not run on this version yet.")).to_be_visible()
    page.get_by_role("button", name="Run the check").click()
    expect(messages(page)).to_contain_text("The check found 1 passage to look at")
    found = region(page, "What the check found")
    expect(found.get_by_role("heading", name="Executive summary")).to_be_visible()
    hit = found.locator("li.hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text("Wing C")
    expect(hit).to_contain_text("This unit holds fewer than 5 people")
    expect(hit).to_contain_text("Proposed redaction: one unit")
    # The head alone may keep a passage; the monitor is offered the redaction only
    expect(hit.get_by_role("link", name="Override")).to_have_count(0)
    publication = region(page, "Publication")
    expect(publication).to_contain_text("The public version cannot be published yet:")

    # == 4. The proposed redaction clears it ================================================
    hit.get_by_role("button", name="Apply the proposed redaction").click()
    redactions = region(page, "Redactions")
    row = redactions.get_by_role("row").filter(has_text="Wing C")
    expect(row).to_contain_text("Executive summary")
    expect(row).to_contain_text("one unit")
    page.get_by_role("button", name="Run the check again").click()
    expect(messages(page)).to_contain_text("The check found nothing left open.")
    expect(
        page.get_by_text(
            "The check found nothing in the public version that could betray a person."
        )
    ).to_be_visible()
    expect(region(page, "Last run")).to_contain_text("Nothing left open")
    # The public version reads the redacted sentence; the confidential one keeps it
    page.get_by_role("link", name="Preview the public version").click()
    expect(page.get_by_text(REDACTED)).to_be_visible()
    expect(page.get_by_text("Wing C", exact=False)).to_have_count(0)

    # == 5. Sent for review, approved by a second monitor, signed by the head ===============
    page.goto(reverse("reports:detail", kwargs={"pk": report.pk}))
    expect(page.locator("#section-summary")).to_contain_text(NAMES_THE_UNIT)
    page.get_by_role("button", name="Send for review").click()
    expect(messages(page)).to_contain_text("The version is sent for review.")
    expect(page.locator("dl.report-header")).to_contain_text("In review")
    expect(page.get_by_role("link", name="Edit Executive summary")).to_have_count(0)

    reviewers_page = signed_in(reviewer)
    reviewers_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Reports", exact=True
    ).click()
    waiting = reviewers_page.get_by_role("row").filter(has_text=title)
    expect(waiting).to_contain_text("In review")
    waiting.get_by_role("link", name=report.reference).click()
    expect(reviewers_page.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
    reviewers_page.get_by_role("button", name="Approve").click()
    expect(messages(reviewers_page)).to_contain_text(
        "The version is approved and awaits the head's signature."
    )
    reviewed = reviewers_page.locator("dl.report-header div").filter(has_text="Reviewed by")
    expect(reviewed).to_contain_text("Rita Reviewer")

    heads_page = signed_in(head)
    heads_page.on("dialog", lambda dialog: dialog.accept())  # "Sign this version?", "Publish…?"
    heads_page.goto(reverse("reports:detail", kwargs={"pk": report.pk}))
    heads_page.get_by_role("button", name="Sign", exact=True).click()
    expect(messages(heads_page)).to_contain_text("The version is signed")
    header = heads_page.locator("dl.report-header")
    expect(header).to_contain_text("Signed")
    expect(header.locator("div").filter(has_text="Signed by")).to_contain_text(head.full_name)
    expect(heads_page.get_by_role("button", name="Start a new version")).to_be_visible()
    # Its first signature moves the debriefed visit on
    world.visit.refresh_from_db()
    assert world.visit.state == Visit.State.REPORT_DRAFTED

    # == 6. The head downloads the PDF and the DOCX =========================================
    pdf = produce_and_download(heads_page, "PDF")
    assert pdf.startswith(b"%PDF")
    assert title in " ".join(pdf_text(pdf).split())
    docx = produce_and_download(heads_page, "DOCX")
    assert docx.startswith(b"PK")

    # == 7. The head publishes; a reader with no account finds it on the public page ========
    region(heads_page, "What you can do now").get_by_role("button", name="Publish").click()
    expect(heads_page.locator("dl.report-header")).to_contain_text("Published")

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        public = context.new_page()
        public.set_default_timeout(15_000)
        public.goto(reverse("public:index"))
        expect(public.get_by_role("heading", name="Published reports", level=1)).to_be_visible()
        public.get_by_role("link", name=title).click()
        expect(public.get_by_role("heading", name=title, level=1)).to_be_visible()
        expect(public.get_by_text(REDACTED)).to_be_visible()
        body = public.locator("body").inner_text()
        assert NAMES_THE_UNIT not in body
        assert "Wing C" not in body
        # Nor does its PDF, produced at publication
        with public.expect_download() as arrival:
            public.get_by_role("link", name="Download the PDF").click()
        public_pdf = " ".join(pdf_text(arrival.value.path().read_bytes()).split())
        assert title in public_pdf
        assert "Wing C" not in public_pdf
        assert "locked in their cells for 23 hours" in public_pdf
    finally:
        context.close()

    report.refresh_from_db()
    assert report.state == State.SIGNED and report.published_at is not None
    assert Redaction.objects.filter(version__report=report, passage="Wing C").count() == 1
    latest_run = report.published_version.checks.first()  # type: ignore[union-attr]
    assert latest_run is not None and not latest_run.hits.filter(status=Hit.Status.OPEN).exists()
