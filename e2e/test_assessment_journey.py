"""A head's yearly self-assessment against the SPT's tool (whole tool, ¶3), in real Chromium.

Start this year's self-assessment, rate ¶10 with a public source as evidence, turn the
gap into an action, finalise, compare with last year's and download the PDF report.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from e2e.people import current_code
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.assessment import services
from habeas.assessment.framework_io import SPT_CODE, SPT_VERSION
from habeas.assessment.models import ActionItem, Assessment, FrameworkVersion, Organisation

PASSWORD = "a long passphrase for the head of the npm"  # noqa: S105
SOURCE = "https://npm.example/visit-programme-2026.pdf"
LAST_YEAR = {"9": "largely", "10": "not_in_place", "11": "largely", "12": "partially"}


def sign_in(page: Page, user: User, device: TOTPDevice) -> None:
    page.goto(reverse("home"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def last_years_final_self_assessment(head: User, year: int) -> Assessment:
    """Built through the services, as the head would have done a year ago."""
    version = FrameworkVersion.objects.get(framework__code=SPT_CODE, version=SPT_VERSION)
    assessment = services.assessment_create(
        actor=head,
        framework_version=version,
        subject=Organisation.objects.get(is_home=True),
        title=f"Self-assessment {year}",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        assessors=[head],
    )
    ratings = assessment.ratings.select_related("assessment", "criterion")
    for rating in ratings.filter(criterion__ref__in=LAST_YEAR):
        services.rating_save(
            actor=head,
            rating=rating,
            level=LAST_YEAR[rating.criterion.ref],
            reason="",
            narrative="As rated last year.",
            expected_version=rating.version,
        )
    services.assessment_submit_for_review(actor=head, assessment=assessment)
    return services.assessment_finalise(actor=head, assessment=assessment)


def rate(page: Page, level: str, narrative: str, button: str = "Save") -> None:
    page.get_by_label(level, exact=True).check()
    page.get_by_label("Narrative").fill(narrative)
    page.get_by_role("button", name=button, exact=True).click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_head_assess_the_npm_plan_finalise_compare_and_report(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # "Finalise this assessment?"
    this_year = timezone.localdate().year

    # Given a head of the NPM with a confirmed authenticator, and last year's final
    # self-assessment, where ¶10 was not in place and ¶11 largely in place
    head = User.objects.create_user(
        email="head@npm.test", password=PASSWORD, full_name="Hana Head", role=Role.HEAD
    )
    device = TOTPDevice.objects.create(user=head, name="phone", confirmed=True)
    last_year = last_years_final_self_assessment(head, this_year - 1)
    sign_in(page, head, device)

    # When they start this year's self-assessment against the SPT's tool
    page.goto(reverse("assessment:list"))
    page.get_by_role("link", name="Start a self-assessment").first.click()
    page.get_by_label("Framework").select_option(label=str(last_year.framework_version))
    page.get_by_label("Title").fill(f"Self-assessment {this_year}")
    page.get_by_label("Period from").fill(f"{this_year}-01-01")
    page.get_by_label("Period to").fill(f"{this_year}-12-31")
    page.get_by_role("button", name="Start").click()

    # Then they see the new draft, with no criterion rated yet
    expect(page.get_by_text("The assessment was started.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("0 of 69 criteria rated")
    assessment = Assessment.objects.exclude(pk=last_year.pk).get()
    assert assessment.state == Assessment.State.DRAFT

    # When they open ¶10, rate it "partially in place" and cite a public source
    page.get_by_role("link", name="Start rating").click()
    page.locator(".criteria-nav").get_by_role("link", name="¶10", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^¶10\b"))).to_be_visible()
    rate(page, "Partially in place", "Written criteria, not yet applied in two regions.")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    public_source = page.locator("details").filter(has_text="Link a public source")
    public_source.get_by_text("Link a public source").click()
    public_source.get_by_label("Address").fill(SOURCE)
    public_source.get_by_label("Title").fill("Visit programme 2026")
    public_source.get_by_role("button", name="Add the link").click()

    # Then ¶10 lists the source as its evidence
    evidence = page.locator("#evidence")
    expect(evidence.get_by_role("link", name="Visit programme 2026")).to_have_attribute(
        "href", SOURCE
    )

    # When they go on to ¶11
    page.get_by_role("link", name="¶11 →").click()
    expect(page.get_by_role("heading", name=re.compile(r"^¶11\b"))).to_be_visible()

    # Then ¶10 counts as rated and evidenced
    expect(page.locator(".entry-progress")).to_contain_text("1 of 69 rated, 1 with evidence")

    # When they rate ¶11 lower than last year
    rate(page, "Partially in place", "No doctor on half the visits.", "Save and next")
    expect(page.get_by_role("heading", name=re.compile(r"^¶12\b"))).to_be_visible()

    # And turn the gap at ¶10 into an action with an owner and a deadline
    page.goto(reverse("assessment:action_plan", args=[assessment.pk]))
    ten = last_year.framework_version.criteria.get(ref="10")
    new_action = page.get_by_role("region", name="Turn a gap into an action")
    new_action.get_by_label("Gap").select_option(value=str(ten.pk))
    new_action.get_by_label("Action").fill("Apply the selection criteria in every region")
    new_action.get_by_label("Owner").select_option(label="Hana Head")
    new_action.get_by_label("Deadline").fill(f"{this_year + 1}-06-30")
    new_action.get_by_role("button", name="Add to the plan").click()

    # Then the plan lists it, open, against ¶10
    row = page.locator("table.action-plan tbody tr").filter(has_text="Apply the selection")
    expect(row).to_contain_text("¶10")
    expect(row.get_by_label("Status")).to_have_value("open")
    assert ActionItem.objects.get(assessment=assessment).criterion.ref == "10"

    # When they submit the assessment for review and finalise it
    page.get_by_role("link", name=assessment.title).first.click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("The assessment is now in review.")).to_be_visible()
    page.get_by_role("button", name="Finalise").click()

    # Then it is final and frozen
    expect(page.get_by_text("The assessment is final.")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.FINAL and assessment.finalised_by == head

    # When they compare it with last year's
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page.get_by_role("heading", name="What improved and what slipped")).to_be_visible()
    expect(page.get_by_label("Compare with")).to_have_value(str(last_year.pk))

    # Then ¶10 improved and ¶11 slipped
    improved = page.locator("section").filter(has=page.get_by_role("heading", name="Improved"))
    slipped = page.locator("section").filter(has=page.get_by_role("heading", name="Slipped"))
    expect(improved.locator("tbody tr")).to_have_count(1)
    expect(improved).to_contain_text("¶10")
    expect(slipped.locator("tbody tr")).to_have_count(1)
    expect(slipped).to_contain_text("¶11")

    # When they request the PDF report and download it
    page.goto(reverse("assessment:detail", args=[assessment.pk]))
    page.get_by_role("link", name="Report", exact=True).click()
    page.get_by_label("PDF", exact=False).check()
    page.get_by_role("button", name="Produce the report").click()
    expect(page.get_by_text("The report is ready.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the PDF file")).click()
    download = download_info.value

    # Then the file is a PDF
    with open(download.path(), "rb") as report:
        assert report.read(4) == b"%PDF"
    assert download.suggested_filename.endswith(".pdf")
