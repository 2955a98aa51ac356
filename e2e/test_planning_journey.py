"""A quarter's visit programme is built, explained, changed, justified and adopted, and a
proposed team says what it lacks (¶10, 11, 35, 36), in real Chromium.

A small country of three regions and eight open places. A monitor creates the programme
for the coming quarter, states the staff-days of each region and a two-second search,
and keeps the only sobering-up station out of this period (the ombudsman is inspecting
it). The build chooses every other place but one: Southvale's staff-days hold its police
station, never visited, and not its women's prison, visited in depth three months ago.
The monitor opens the overcrowded Northmoor Prison and reads why it was chosen, in words;
then adds a follow-up visit to the women's prison in the quarter's seventh week and
builds again: the follow-up stays where it was put. Wanda, the only woman who goes on
visits, is on leave that week; after "Propose teams" the monitor leaves the rest to the
head. The head finds the adopt button disabled until the left-out category is justified,
justifies it, adopts, and finds the planned visits in the visits' list. Last, the
follow-up's proposed team explains what it lacks: no woman for a place holding women,
because one person is away that week.

Only the people (with their team profiles), the places, one population count and the
women's prison's earlier visit are made here; everything else goes through the pages.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from e2e.people import SignIn, member
from habeas.accounts.roles import Role
from habeas.places.models import Category
from habeas.places.tests.factories import PlaceFactory, PopulationRecordFactory, RegionFactory
from habeas.planning.models import PlannedVisit, Programme
from habeas.visits.models import TeamProfile, Visit
from habeas.visits.tests.factories import make_profile, make_visit

NORTH, SOUTH, EAST = "Northmoor", "Southvale", "Eastfen"
PRISON = "Northmoor Prison"
WARD = "St Brigid's Psychiatric Hospital"
HARBOUR = "Harbour Street Police Station"
WOMEN = "Southvale Women's Prison"
MARKET = "Market Square Police Station"
SOBERING = "Riverside Sobering-up Station"
CENTRE = "Eastfen Immigration Detention Centre"
FERRY = "Ferry Port Police Station"

AVOID_NOTE = "The ombudsman inspects it this quarter; we wait for the report."
JUSTIFICATION = (
    "The only sobering-up station is inspected by the ombudsman this quarter; "
    "the NPM visits it first thing next quarter, once the report is out."
)
SHOTS = os.environ.get("HABEAS_E2E_SHOTS")


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, with or without Django's trailing colon."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def messages(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text=re.compile(r"\S"))


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def next_quarter(today: dt.date) -> tuple[str, dt.date]:
    """The coming quarter, as the pages write it, and its first day."""
    quarter = (today.month - 1) // 3 + 2
    year = today.year + (quarter > 4)
    quarter = (quarter - 1) % 4 + 1
    return f"{year}-Q{quarter}", dt.date(year, 3 * quarter - 2, 1)


def to_the_programme(page: Page, period: str) -> None:
    """From the main menu, through the visit programmes, to the quarter's programme."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Planning", exact=True
    ).click()
    page.get_by_role("link", name="Visit programmes").first.click()
    expect(page.get_by_role("heading", name="Visit programmes", level=1)).to_be_visible()
    page.get_by_role("link", name=period, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Visit programme {period}")


def calendar_row(page: Page, place: str) -> Locator:
    """The calendar's week holding the visit to `place`."""
    return (
        region(page, "Calendar")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=place, exact=True))
    )


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot, /tmp/e2e-planning-<name>.png, only when HABEAS_E2E_SHOTS is
    set (CI writes no files)."""
    if SHOTS:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(
            path=str(Path(tempfile.gettempdir()) / f"e2e-planning-{name}.png"), full_page=True
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_quarters_programme_is_built_explained_justified_and_adopted(
    signed_in: SignIn,
) -> None:
    today = timezone.localdate()
    period, first_day = next_quarter(today)
    first_monday = first_day + dt.timedelta(days=(7 - first_day.weekday()) % 7)
    follow_up_week = first_monday + dt.timedelta(weeks=6)

    # Given a head, who adopts programmes and does not go on visits herself
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    # And the people who go on visits, with their team profiles: one woman among them
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    wanda = member("wanda@npm.test", "Wanda Weiss", Role.MONITOR)
    doctor = member("doctor@npm.test", "Omar Okafor", Role.DOCTOR)
    pavel = member("pavel@npm.test", "Pavel Petrov", Role.MONITOR)
    ivo = member("ivo@npm.test", "Ivo Ilic", Role.MONITOR)
    man, woman = TeamProfile.Gender.MAN, TeamProfile.Gender.WOMAN
    for person, profession, gender in (
        (monitor, TeamProfile.Profession.LAWYER, man),
        (wanda, TeamProfile.Profession.PSYCHOLOGIST, woman),
        (doctor, TeamProfile.Profession.DOCTOR, man),
        (pavel, TeamProfile.Profession.SOCIAL_WORKER, man),
        (ivo, TeamProfile.Profession.LAWYER, man),
    ):
        make_profile(person, head, profession=profession, gender=gender, languages=["en"])

    # And a small country: three regions, eight open places spread over the map
    category = {c.code: c for c in Category.objects.all()}
    regions = {name: RegionFactory(name=name) for name in (NORTH, SOUTH, EAST)}
    places = {}
    for name, where, code, capacity, (lat, lon), groups in (
        (PRISON, NORTH, "prison-sentenced", 250, ("53.80", "-1.55"), ["foreigners"]),
        (WARD, NORTH, "psychiatric", 80, ("53.95", "-1.08"), []),
        (HARBOUR, NORTH, "police-custody", 20, ("53.74", "-0.33"), []),
        (WOMEN, SOUTH, "prison-sentenced", 120, ("51.45", "-2.59"), ["women"]),
        (MARKET, SOUTH, "police-custody", 15, ("51.38", "-2.36"), []),
        (SOBERING, SOUTH, "sobering-up", 10, ("50.72", "-3.53"), []),
        (CENTRE, EAST, "immigration-detention", 100, ("52.63", "1.30"), ["foreigners"]),
        (FERRY, EAST, "police-custody", 10, ("51.95", "1.35"), []),
    ):
        places[name] = PlaceFactory(
            name=name,
            region=regions[where],
            category=category[code],
            capacity=capacity,
            latitude=lat,
            longitude=lon,
            groups=groups,
        )
    # And Northmoor Prison holds far more people than it has places for
    PopulationRecordFactory(
        place=places[PRISON], recorded_on=today - dt.timedelta(days=10), population=330
    )
    # And the women's prison had its in-depth visit three months ago
    make_visit(
        head,
        places[WOMEN],
        starts_on=today - dt.timedelta(days=92),
        ends_on=today - dt.timedelta(days=90),
        state=Visit.State.CLOSED,
    )

    # == 1. The monitor sets the quarter's capacity ==========================================
    page = signed_in(monitor)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Planning", exact=True
    ).click()
    page.get_by_role("link", name="Visit programmes").first.click()
    expect(page.get_by_text("No programme yet.")).to_be_visible()
    page.get_by_role("link", name="New programme").click()
    expect(page.get_by_role("heading", name="New programme")).to_be_visible()
    field(page, "Period").fill(period)
    field(page, "Title").fill("Coming quarter")
    page.get_by_role("button", name="Create").click()
    expect(messages(page)).to_contain_text(
        f"The programme for {period} is created. Check its capacity, then build it."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Capacity and settings for {period}")
    # Staff-days per region (a fifth kept in reserve), and a short search for the best plan
    expect(field(page, "Share kept in reserve (%)")).to_have_value("20")
    field(page, "Time to search for the best plan (seconds)").fill("2")
    field(page, "Travel").select_option(label="Visits in the same region and week share a trip")
    for name, days in ((NORTH, "40"), (SOUTH, "10"), (EAST, "20")):
        page.get_by_label(name, exact=True).fill(days)
    shoot(page, "capacity")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages(page)).to_contain_text("The capacity and settings are saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Visit programme {period}")
    expect(region(page, "Where it stands")).to_contain_text("Draft: not built yet")
    expect(page.get_by_text("20 % of the 70 staff-days is kept in reserve")).to_be_visible()

    # And keeps the sobering-up station out of this quarter
    page.get_by_role("link", name="Places to include or avoid").click()
    expect(page.get_by_text("No place is named yet: the programme chooses freely.")).to_be_visible()
    field(page, "Place").select_option(label=f"{SOBERING} ({SOUTH})")
    field(page, "Rule").select_option(label="Not in this period")
    field(page, "Why").fill(AVOID_NOTE)
    page.get_by_role("button", name="Add the rule").click()
    expect(messages(page)).to_contain_text("The rule is saved.")
    rule = page.get_by_role("row").filter(has_text=SOBERING)
    expect(rule).to_contain_text("Not in this period")
    expect(rule).to_contain_text(AVOID_NOTE)
    page.get_by_role("link", name="Back to the programme").click()

    # == 2. The monitor builds the programme =================================================
    page.get_by_role("button", name="Build the programme").click()
    expect(region(page, "Where it stands")).to_contain_text("Built")
    result = region(page, "The result")
    expect(result).to_contain_text("Proven optimal: no better plan exists under these rules.")
    expect(result).to_contain_text("Points gained:")
    comparison = result.get_by_role("table", name="This programme against the most overdue first")
    expect(comparison.get_by_role("row").filter(has_text="Regions left out")).to_be_visible()
    # Every place but the women's prison and the avoided station is in the calendar
    calendar = region(page, "Calendar")
    for name in (PRISON, WARD, HARBOUR, MARKET, CENTRE, FERRY):
        expect(calendar.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in (WOMEN, SOBERING):
        expect(calendar.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(region(page, "Map")).to_contain_text("Chosen for a visit (6)")
    # And the only sobering-up station leaves its category out: adoption waits for a reason
    left_out = region(page, "Left out of this programme")
    sobering_up = left_out.get_by_role("article").filter(has_text="Sobering-up station")
    expect(sobering_up).to_contain_text("No justification yet")
    adoption = region(page, "Adoption")
    expect(adoption).to_contain_text("Write why this is left out: Sobering-up station.")
    expect(adoption).to_contain_text("Only the head of the NPM adopts a programme.")

    # == 3. Why Northmoor Prison was chosen ==================================================
    calendar.get_by_role("link", name=PRISON, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Visit to {PRISON}")
    why = region(page, "Why this place")
    expect(why).to_contain_text("Never visited in depth: overdue (the maximum interval is 48")
    expect(why).to_contain_text("Risk score when the programme was built:")
    breakdown = why.get_by_role("table", name="Its risk today, factor by factor")
    occupancy = breakdown.get_by_role("row").filter(has_text="Occupancy against capacity")
    expect(occupancy).to_contain_text("Holds 330 people for 250 places (132 %)")
    expect(breakdown.get_by_role("row").filter(has_text="Vulnerable groups held")).to_contain_text(
        "Holds 1 group that needs particular attention"
    )
    expect(page.locator("dl.facts")).to_contain_text("Chosen by the model")
    shoot(page, "why")
    page.get_by_role("link", name="Back to the calendar").click()

    # == 4. A follow-up visit to the women's prison, pinned, survives a new build ============
    page.get_by_role("link", name="Add a visit").click()
    expect(page.get_by_role("heading", name=f"Add a visit to {period}")).to_be_visible()
    field(page, "Place").select_option(label=f"{WOMEN} ({SOUTH})")
    field(page, "Week of").select_option(follow_up_week.isoformat())
    field(page, "Type of visit").select_option(label="Follow-up")
    page.get_by_role("button", name="Add the visit").click()
    expect(messages(page)).to_contain_text(
        "The visit is added and pinned: building again keeps it."
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Visit to {WOMEN}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pinned")
    expect(region(page, "Why this place")).to_contain_text("Added by the NPM.")
    page.get_by_role("link", name="Back to the calendar").click()
    page.get_by_role("button", name="Build again").click()
    expect(region(page, "Where it stands")).to_contain_text("Built")
    follow_up = calendar_row(page, WOMEN)
    expect(follow_up.get_by_role("rowheader")).to_have_text(follow_up_week.isoformat())
    expect(follow_up).to_contain_text(f"{WOMEN} — Follow-up")
    expect(follow_up.locator("li").filter(has_text=WOMEN)).to_contain_text("Pinned")
    expect(follow_up.locator("li").filter(has_text=WOMEN)).to_contain_text("Added")
    expect(calendar_row(page, MARKET)).to_be_visible()

    # And Wanda is recorded away that week, so the team proposals leave her out
    page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name="Visit programmes"
    ).click()
    page.get_by_role("link", name="Who is away").click()
    field(page, "Person").select_option(label="Wanda Weiss")
    field(page, "From").fill(follow_up_week.isoformat())
    field(page, "To").fill((follow_up_week + dt.timedelta(days=4)).isoformat())
    field(page, "Note").fill("Annual leave")
    page.get_by_role("button", name="Record").click()
    expect(messages(page)).to_contain_text("The period is recorded.")
    expect(page.get_by_role("row").filter(has_text="Wanda Weiss")).to_contain_text("Annual leave")

    # When the monitor proposes teams for every visit
    to_the_programme(page, period)
    page.get_by_role("button", name="Propose teams").click()
    expect(messages(page)).to_contain_text("A team is proposed for 7 visits.")
    expect(region(page, "Where it stands")).to_contain_text("Teams proposed on")

    # == 5 and 6. The head justifies the left-out category and adopts ========================
    heads_page = signed_in(head)
    to_the_programme(heads_page, period)
    adopt = heads_page.get_by_role("button", name="Adopt the programme")
    expect(adopt).to_be_disabled()
    expect(region(heads_page, "Adoption")).to_contain_text(
        "Write why this is left out: Sobering-up station."
    )
    shoot(heads_page, "programme")
    sobering_up = region(heads_page, "Left out of this programme").get_by_role("article")
    sobering_up.get_by_label("Why is it left out?").fill("Inspected.")
    sobering_up.get_by_role("button", name="Save the justification").click()
    # A word is not a reason
    expect(heads_page.get_by_text("Write at least 20 characters")).to_be_visible()
    expect(adopt).to_be_disabled()
    sobering_up = region(heads_page, "Left out of this programme").get_by_role("article")
    sobering_up.get_by_label("Why is it left out?").fill(JUSTIFICATION)
    sobering_up.get_by_role("button", name="Save the justification").click()
    expect(messages(heads_page)).to_contain_text("The justification is saved.")
    sobering_up = region(heads_page, "Left out of this programme").get_by_role("article")
    expect(sobering_up).to_contain_text("Justified")
    expect(sobering_up).to_contain_text(JUSTIFICATION)
    expect(sobering_up).to_contain_text("Written by Hana Head")
    expect(adopt).to_be_enabled()
    adopt.click()
    expect(messages(heads_page)).to_contain_text("The programme is adopted: 7 visits are planned.")
    expect(region(heads_page, "Adoption")).to_contain_text(
        "Adopted on " + today.isoformat() + " by Hana Head."
    )
    expect(heads_page.get_by_role("button", name="Build again")).to_have_count(0)

    # And the visits' list holds the planned visits, the follow-up among them
    heads_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Visits", exact=True
    ).click()
    expect(heads_page.get_by_role("heading", name="Visits", level=1)).to_be_visible()
    expect(heads_page.locator("#visit-results")).to_contain_text("8 visits found")
    rows = heads_page.get_by_role("table").get_by_role("row")
    expect(rows.filter(has_text="Planned")).to_have_count(7)
    planned_follow_up = rows.filter(has_text=WOMEN).filter(has_text="Follow-up")
    expect(planned_follow_up).to_contain_text("Planned")
    expect(planned_follow_up).to_contain_text(follow_up_week.isoformat())
    for name in (PRISON, WARD, HARBOUR, MARKET, CENTRE, FERRY):
        expect(rows.filter(has_text=name)).to_contain_text("Planned")

    # == 7. The follow-up's proposed team explains what it lacks =============================
    to_the_programme(heads_page, period)
    region(heads_page, "Calendar").get_by_role("link", name=WOMEN, exact=True).click()
    team = region(heads_page, "Proposed team")
    expect(team.get_by_role("listitem").filter(has_text="Wanda Weiss")).to_have_count(0)
    checks = team.locator("li.check-item")
    missing = checks.filter(has_text="This place holds women and no woman is available")
    expect(missing).to_contain_text("Missing")
    expect(checks.filter(has_text="1 person is unavailable that week.")).to_contain_text(
        "Limited the choice"
    )
    expect(checks.filter(has_text="No one on the team declared a conflict")).to_contain_text("Met")
    expect(region(heads_page, "Change this visit")).to_have_count(0)
    shoot(heads_page, "visit")

    programme = Programme.objects.get(period=period)
    assert programme.status == Programme.Status.ADOPTED
    kept = PlannedVisit.objects.get(programme=programme, place=places[WOMEN])
    assert (kept.week_starts_on, kept.kind, kept.pinned) == (follow_up_week, "follow_up", True)
    assert kept.visit is not None and kept.visit.state == Visit.State.PLANNED
