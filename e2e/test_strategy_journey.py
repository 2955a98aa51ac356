"""A head reviews last year, finds a kind of place left unvisited, and carries it into the
SPT self-assessment (¶5, 10, 36), in real Chromium.

The world, made here through the factories: two police custody cells in the North,
both visited last March, and two psychiatric hospitals in the South, whose last visits
were five and four years ago. The head opens last year's year-end review, sees the
psychiatric hospitals listed among the categories with no visit for three years or
more, follows the link to the two hospitals and their last visits, then starts last
year's self-assessment, opens ¶10 with the coverage of the inventory computed beside it
(2 of 4 places visited within their category's interval, the psychiatric row
uncovered), rates it "partially in place" and downloads the DOCX report, which carries
the rating and the same coverage table.

Only the world is made here; everything else goes through the pages, and the report is
produced by the background job as the test settings run it (at once).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from e2e.people import SignIn, member
from habeas.accounts.roles import Role
from habeas.assessment.framework_io import SPT_CODE, SPT_VERSION
from habeas.assessment.models import Assessment, FrameworkVersion, Rating
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.strategy.tests.factories_plan import visit_at

PSYCHIATRIC = "Psychiatric or other health establishment"  # seeded category, 48 months
POLICE = "Police custody"  # seeded category, 48 months
NARRATIVE = "Police custody is covered; no psychiatric hospital was visited in four years."


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name)


def world(head: Any, year: int) -> None:
    """Four open places; only the two police cells had a visit in `year`."""
    psychiatric = CategoryFactory(code="psychiatric")
    police = CategoryFactory(code="police-custody")
    assert (psychiatric.name, police.name) == (PSYCHIATRIC, POLICE)
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    hillside = PlaceFactory(
        name="Hillside Psychiatric Hospital", category=psychiatric, region=south
    )
    riverside = PlaceFactory(
        name="Riverside Psychiatric Clinic", category=psychiatric, region=south
    )
    for name, day in (("Central Police Station", 10), ("Harbour Police Station", 24)):
        station = PlaceFactory(name=name, category=police, region=north)
        visit_at(station, head, dt.date(year, 3, day))
    # Four and five years before: beyond the three years of the year-end review and the
    # 48 months of the category's maximum interval.
    visit_at(hillside, head, dt.date(year - 4, 5, 4), dt.date(year - 4, 5, 5))
    visit_at(riverside, head, dt.date(year - 5, 9, 14))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_head_follows_a_neglected_category_into_the_self_assessment(
    signed_in: SignIn,
) -> None:
    year = timezone.localdate().year - 1
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    world(head, year)
    page = signed_in(head)
    page.on("dialog", lambda dialog: dialog.accept())

    # == 1. The head opens last year's year-end review ======================================
    page.get_by_role("link", name="Strategy", exact=True).first.click()
    page.get_by_role("link", name="Year-end review").first.click()
    page.locator("nav.year-nav").get_by_role("link", name=str(year), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Year-end review: {year}")
    # The psychiatric hospitals are listed as neglected, with when they were last seen;
    # police custody, visited in the year, is not
    neglected = page.locator("#neglected-categories")
    expect(neglected.get_by_role("listitem")).to_have_count(1)
    link = neglected.get_by_role("link", name=f"2 places, last visit {year - 4}")
    expect(neglected.get_by_role("listitem")).to_contain_text(PSYCHIATRIC)
    # And so is the South, where they are
    regions = page.locator("#neglected-regions")
    expect(regions.get_by_role("listitem")).to_have_count(1)
    expect(regions).to_contain_text("South")

    # == 2. They follow the category to its places ==========================================
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{PSYCHIATRIC}: places and their last visit"
    )
    rows = page.locator("#neglected-places tbody tr")
    expect(rows).to_have_count(2)
    # The oldest visit comes first, each marked as neglected
    expect(rows.nth(0)).to_contain_text("Riverside Psychiatric Clinic")
    expect(rows.nth(0)).to_contain_text(f"{year - 5}-09-14")
    expect(rows.nth(1)).to_contain_text("Hillside Psychiatric Hospital")
    expect(rows.nth(1)).to_contain_text(f"{year - 4}-05-04")
    for index in range(2):
        expect(rows.nth(index)).to_contain_text("no visit for 3 years or more")
    expect(page.locator("main")).not_to_contain_text("Police Station")

    # == 3. They open the self-assessment and start last year's ============================
    page.get_by_role("link", name="Self-assessment", exact=True).first.click()
    page.get_by_role("link", name="Start a self-assessment").first.click()
    spt = FrameworkVersion.objects.get(framework__code=SPT_CODE, version=SPT_VERSION)
    page.get_by_label("Framework").select_option(label=str(spt))
    page.get_by_label("Title").fill(f"Self-assessment {year}")
    page.get_by_label("Period from").fill(f"{year}-01-01")
    page.get_by_label("Period to").fill(f"{year}-12-31")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("The assessment was started.")).to_be_visible()
    assessment = Assessment.objects.get()

    # == 4. ¶10 shows the coverage computed from the records, and they rate it =============
    page.get_by_role("link", name="Start rating").click()
    page.locator(".criteria-nav").get_by_role("link", name="¶10", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^¶10\b"))).to_be_visible()
    indicators = region(page, "Indicators")
    # 2 of the 4 open places were visited within 48 months of the end of the year; one
    # of the two categories and one of the two regions were fully covered
    expect(indicators.locator("dl.facts")).to_contain_text("50 %")
    coverage = region(page, "Coverage of the inventory by category and region")
    by_category = coverage.locator("table").filter(has_text="By category of place")
    psychiatric_row = by_category.get_by_role("row").filter(has_text=PSYCHIATRIC)
    expect(psychiatric_row.get_by_role("cell")).to_have_text(["48", "2", "0", "0", "0", "0"])
    police_row = by_category.get_by_role("row").filter(has_text=POLICE)
    expect(police_row.get_by_role("cell")).to_have_text(["48", "2", "2", "100", "2", "2"])
    by_region = coverage.locator("table").filter(has_text="By region")
    expect(by_region.get_by_role("row").filter(has_text="South")).to_contain_text(
        "no visit in the period"
    )
    page.get_by_label("Partially in place", exact=True).check()
    page.get_by_label("Narrative").fill(NARRATIVE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    rating = Rating.objects.get(assessment=assessment, criterion__ref="10")
    assert (rating.level, rating.narrative) == ("partially", NARRATIVE)

    # == 5. They export the assessment as a DOCX report =====================================
    page.goto(reverse("assessment:detail", args=[assessment.pk]))
    page.get_by_role("link", name="Report", exact=True).click()
    page.get_by_label("DOCX, to edit in a word processor").check()
    page.get_by_role("button", name="Produce the report").click()
    expect(page.get_by_text("The report is ready.")).to_be_visible()
    with page.expect_download() as arrival:
        page.get_by_role("link", name=re.compile("Download the DOCX file")).click()
    download = arrival.value
    assert download.suggested_filename.endswith(".docx")
    report = docx.Document(io.BytesIO(download.path().read_bytes()))
    text = "\n".join(paragraph.text for paragraph in report.paragraphs)
    # The report carries the rating of ¶10 and its narrative
    assert "¶10" in text and NARRATIVE in text
    # And the same coverage table as the page (shares written without trailing zeros)
    cells = [[cell.text for cell in row.cells] for table in report.tables for row in table.rows]
    assert [PSYCHIATRIC, "2", "0", "0", "0"] in cells
    assert [POLICE, "2", "2", "100", "2"] in cells
