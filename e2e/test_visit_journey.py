"""A monitor plans and carries out a visit to a psychiatric hospital (¶11, 13–17, 25), in
real Chromium.

Compose a team whose checks raise warnings and a block, and resolve them; each member
acknowledges the code of conduct; open the briefing pack; record the coverage of units, a
register discrepancy, a private interview with a sensitive allegation and a group
interview; try to end the field phase and read why not; add the cover interviews; write
a debrief that names a pseudonym and see it refused; fix it and close the visit.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.people import current_code
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.models import Category, PlaceDocument, PopulationRecord, Unit
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory, RegionFactory
from habeas.visits.models import (
    Debrief,
    Interview,
    RegisterCheck,
    TeamAssignment,
    Training,
    TrainingRecord,
    Visit,
)
from habeas.visits.tests.factories import make_profile

PASSWORD = "a long passphrase for the visiting team"  # noqa: S105
PLACE = "St Brigid's Psychiatric Hospital"
NOTES = (
    "Says a night nurse strapped him to the bed for fourteen hours after he refused "
    "medication, in room 214, and that nobody wrote it down."
)
IDENTITY = "Jonas Whitfield"


def sign_in(page: Page, user: User) -> None:
    device = TOTPDevice.objects.get(user=user)
    page.goto(reverse("home"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, with or without Django's trailing colon."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def person(email: str, name: str, role: str) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=name, role=role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def trained(user: User, *codes: str) -> None:
    for code in codes:
        TrainingRecord.objects.create(
            user=user,
            training=Training.objects.get(code=code),
            completed_on=dt.date(2024, 5, 14),
            recorded_by=user,
        )


def move(page: Page, label: str) -> None:
    page.get_by_role("button", name=f"Move to “{label}”").click()


def state_badge(page: Page) -> Locator:
    return page.locator(".visit-state .badge").first


def acknowledge_conduct(browser: Browser, base_url: str, member: User, visit: Visit) -> None:
    """The member signs in on their own device and acknowledges the code for this visit."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    try:
        own = context.new_page()
        own.set_default_timeout(15_000)
        sign_in(own, member)
        own.goto(reverse("visits:visit_detail", kwargs={"visit_pk": visit.pk}))
        own.get_by_role("link", name="Read and acknowledge the code of conduct").click()
        expect(own.get_by_role("heading", name="Code of conduct for visits")).to_be_visible()
        own.get_by_role("button", name="I acknowledge the code of conduct").click()
        done = own.get_by_text("You acknowledged the code of conduct for this visit.")
        expect(done).to_be_visible()
    finally:
        context.close()


def record_interview(
    page: Page,
    *,
    unit: str,
    sensitive: bool = False,
    allegation: bool = False,
    notes: str = "",
    identity: str = "",
) -> str:
    """Fill the private-interview form (pseudonym as suggested) and return the pseudonym."""
    page.get_by_role("link", name="Private interview", exact=True).click()
    expect(page.get_by_role("heading", name="Record an interview")).to_be_visible()
    pseudonym = field(page, "Pseudonym").input_value()
    field(page, "Unit").select_option(label=unit)
    field(page, "Consents to the use of the information").check()
    if sensitive:
        field(page, "Sensitive information").check()
    if allegation:
        field(page, "An individual allegation was made").check()
    if notes:
        field(page, "Notes").fill(notes)
    if identity:
        field(page, "Real identity (optional)").fill(identity)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"Interview {pseudonym} recorded.")).to_be_visible()
    return pseudonym


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_monitor_prepare_carry_out_and_close_a_visit(
    page: Page, browser: Browser, live_server
) -> None:
    # Given a psychiatric hospital holding women, with three wards, a population count and
    # a letter received about it; the guideline for its category ships with Habeas
    place = PlaceFactory(
        name=PLACE,
        category=Category.objects.get(code="psychiatric"),
        authority=AuthorityFactory(name="Regional Health Authority"),
        region=RegionFactory(name="Northern Province"),
        capacity=60,
        groups=["women"],
    )
    for name, capacity in (("Ward A", 20), ("Ward B", 24), ("Ward C", 16)):
        Unit.objects.create(place=place, name=name, capacity=capacity)
    PopulationRecord.objects.create(place=place, recorded_on=dt.date(2025, 1, 1), population=52)
    # And the NPM's visiting staff, with their team profiles and training
    monitor = person("marc@npm.test", "Marc Lefort", Role.MONITOR)
    doctor = person("omar@npm.test", "Omar Haddad", Role.DOCTOR)
    psychologist = person("ines@npm.test", "Ines Costa", Role.MONITOR)
    conflicted = person("paul@npm.test", "Paul Berger", Role.MONITOR)
    PlaceDocument.objects.create(
        place=place,
        kind=PlaceDocument.Kind.INFORMATION,
        title="Letter from a patients' association about restraint",
        received_on=dt.date(2025, 2, 3),
        source="Patients' association",
        uploaded_by=monitor,
    )
    make_profile(monitor, gender="man", languages=["English", "French"])
    make_profile(doctor, profession="doctor", gender="man", languages=["English"])
    make_profile(psychologist, profession="psychologist", gender="woman", languages=["English"])
    paul = make_profile(conflicted, profession="social_worker", gender="man")
    paul.conflict_places.add(place)  # he worked there as a social worker until last year
    trained(monitor, "interviewing", "gender-sensitive", "reprisals")  # not "mental-health"
    for member in (doctor, psychologist, conflicted):
        trained(member, "interviewing", "gender-sensitive", "mental-health", "reprisals")
    today = timezone.localdate()

    # When the monitor signs in and plans an unannounced in-depth visit there
    sign_in(page, monitor)
    page.get_by_role("link", name="Visits", exact=True).click()
    page.get_by_role("link", name="Plan a visit").click()
    field(page, "Place").select_option(label=PLACE)
    field(page, "Type").select_option(label="In-depth")
    field(page, "First day").fill(today.isoformat())
    field(page, "Last day").fill(today.isoformat())
    field(page, "Objectives").fill("Check restraint and seclusion on the acute wards.")
    page.get_by_role("button", name="Plan the visit").click()

    # Then the visit is planned, with the monitor as head of delegation, and cannot yet
    # be prepared: a team needs two people
    expect(page.get_by_text(re.compile(r"^The visit V-\d{4}-\d{4} is planned\.$"))).to_be_visible()
    visit = Visit.objects.get(place=place)
    expect(page.get_by_role("heading", level=1)).to_contain_text(visit.reference)
    expect(state_badge(page)).to_have_text("Planned")
    expect(page.locator(".facts")).to_contain_text("Psychiatric establishment: visit guideline")
    expect(page.locator(".moves")).to_contain_text("A visit needs at least 2 people on the team")

    # When they open the team page
    page.get_by_role("link", name="Compose the team").click()
    checks = page.locator("#team-checks")

    # Then the checks warn of what the team lacks for this place
    expect(checks).to_contain_text("A medical member (doctor, psychiatrist or nurse) is needed")
    expect(checks).to_contain_text("This place holds women and no woman is on the team")
    expect(checks).to_contain_text(
        "Marc Lefort has not taken the training “Monitoring mental health settings”"
    )

    # When they choose Paul Berger, the preview shows he would be blocked
    field(page, "Person").select_option(label="Paul Berger")
    expect(checks).to_contain_text("If Paul Berger joins")
    expect(checks).to_contain_text("Paul Berger declared a conflict of interest with this place.")

    # And adding him anyway is refused, with and without a reason: only the head overrides
    page.get_by_role("button", name="Add to the team").click()
    refusal = page.locator(".form-errors")
    expect(refusal).to_contain_text("cannot join the team unless the head overrides")
    field(page, "Reason for overriding a block").fill("He left the hospital two years ago.")
    page.get_by_role("button", name="Add to the team").click()
    expect(refusal).to_contain_text("Only the head of the NPM may override a block.")
    assert not TeamAssignment.objects.filter(visit=visit, user=conflicted).exists()

    # When they drop him and add the doctor and the psychologist instead
    for name in ("Omar Haddad", "Ines Costa"):
        field(page, "Person").select_option(label=name)
        field(page, "Reason for overriding a block").fill("")
        page.get_by_role("button", name="Add to the team").click()
        expect(page.get_by_text(f"{name} joined the team.")).to_be_visible()

    # Then the medical and gender warnings are gone; the training one stays
    expect(checks).to_contain_text("A medical member is on the team.")
    expect(checks).not_to_contain_text("no woman is on the team")
    expect(checks).to_contain_text("has not taken the training “Monitoring mental health")

    # When the monitor records the training he took, from his profile
    page.locator(".team-table").get_by_role("link", name="Marc Lefort").click()
    field(page, "Training").select_option(label="Monitoring mental health settings")
    field(page, "Completed on").fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Record the training").click()
    expect(page.get_by_text("The training was recorded.")).to_be_visible()

    # Then the team has no warning left, and the visit can be prepared
    page.goto(reverse("visits:team", kwargs={"visit_pk": visit.pk}))
    expect(checks.locator(".level-warning")).to_have_count(0)
    expect(checks.locator(".level-block")).to_have_count(0)
    page.get_by_role("link", name="Back to the visit").click()
    expect(page.locator("#team-title + p .badge")).to_have_text("Ready")
    move(page, "Prepared")
    expect(page.get_by_text("The visit is now “Prepared”.")).to_be_visible()

    # And it cannot start before every member has acknowledged the code of conduct
    blockers = page.locator(".moves")
    for name in ("Marc Lefort", "Omar Haddad", "Ines Costa"):
        expect(blockers).to_contain_text(f"{name} has not acknowledged the code of conduct yet.")

    # When each member acknowledges it, on their own device
    page.get_by_role("link", name="Read and acknowledge the code of conduct").click()
    page.get_by_role("button", name="I acknowledge the code of conduct").click()
    expect(page.get_by_text("You acknowledged the code of conduct for this visit.")).to_be_visible()
    acknowledge_conduct(browser, live_server.url, doctor, visit)
    acknowledge_conduct(browser, live_server.url, psychologist, visit)

    # And the monitor opens the briefing pack
    page.goto(reverse("visits:visit_detail", kwargs={"visit_pk": visit.pk}))
    page.get_by_role("link", name="Briefing pack").click()

    # Then it shows the place, its wards, what was received and the checklist
    expect(page.get_by_role("heading", name=f"Briefing pack: {PLACE}")).to_be_visible()
    pack = page.locator(".briefing")
    expect(pack).to_contain_text("Regional Health Authority")
    expect(pack.get_by_role("cell", name="Ward C")).to_be_visible()
    expect(pack).to_contain_text("Letter from a patients' association about restraint")
    expect(pack).to_contain_text("No previous visit to this place is recorded.")
    expect(page.get_by_role("heading", name="Checklist")).to_be_visible()
    expect(page.get_by_role("link", name="Download as PDF")).to_be_visible()

    # When the visit starts
    page.goto(reverse("visits:visit_detail", kwargs={"visit_pk": visit.pk}))
    expect(page.locator(".moves")).to_contain_text("Nothing blocks this move.")
    move(page, "In progress")
    expect(state_badge(page)).to_have_text("In progress")

    # And the team records two wards as seen, with the people held there that day
    page.get_by_role("link", name="Unit coverage").first.click()
    for unit, held in (("Ward A", "14"), ("Ward B", "19")):
        page.locator("tr", has_text=unit).get_by_role("link", name="Record").click()
        page.get_by_role("radio", name="Seen", exact=True).check()
        field(page, "People held there today").fill(held)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(f"Coverage of {unit} recorded.")).to_be_visible()
    expect(page.locator("tr", has_text="Ward C")).to_contain_text("Not recorded")

    # And a register check that found restraint missing from the register
    page.goto(reverse("visits:register_check_list", kwargs={"visit_pk": visit.pk}))
    page.get_by_role("link", name="Record a register check").click()
    field(page, "Register").select_option(label="Restraint")
    field(page, "Unit").select_option(label="Ward A")
    field(page, "Sample taken").fill("Every entry of the last three months")
    field(page, "Entries checked").fill("41")
    field(page, "Discrepancies found").fill("2")
    field(page, "Discrepancies").fill(
        "Two restraint episodes in the nursing notes of Ward A are absent from the register."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Register check recorded.")).to_be_visible()
    expect(page.locator("tbody tr", has_text="Restraint").locator(".badge.error")).to_have_text("2")

    # And a private interview in Ward A with a sensitive allegation
    page.goto(reverse("visits:interview_list", kwargs={"visit_pk": visit.pk}))
    source = record_interview(
        page, unit="Ward A", sensitive=True, allegation=True, notes=NOTES, identity=IDENTITY
    )
    row = page.locator("tbody tr", has_text=source)
    expect(row).to_contain_text("sensitive")
    expect(row).to_contain_text("allegation")
    # The list never shows what was said
    expect(page.locator("main")).not_to_contain_text("strapped")
    expect(page.locator(".anonymity")).to_contain_text("3 more needed")

    # When they record a group interview in Ward B and tick "allegation"
    page.get_by_role("link", name="Group interview").click()
    field(page, "Unit").select_option(label="Ward B")
    field(page, "People interviewed").fill("5")
    field(page, "Consents to the use of the information").check()
    page.get_by_label("Material conditions").check()
    field(page, "An individual allegation was made").check()
    page.get_by_role("button", name="Save", exact=True).click()

    # Then it is refused: an allegation is heard in private; without it, it is saved
    expect(page.locator(".has-errors")).to_contain_text(
        "A group interview cannot carry an individual allegation"
    )
    field(page, "An individual allegation was made").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"Interview G-\d+ recorded\."))).to_be_visible()

    # When the head of delegation tries to end the field phase
    page.goto(reverse("visits:visit_detail", kwargs={"visit_pk": visit.pk}))
    move(page, "Debriefed")

    # Then the visit does not move, and the page says why: a ward not seen, a source not
    # yet covered, no debrief
    refused = page.get_by_role("alert").filter(has_text="The visit could not move:")
    expect(refused).to_contain_text("The unit “Ward C” was not seen and no reason is recorded.")
    expect(refused).to_contain_text(
        "Ward A: 1 sensitive interview needs 4 private interviews in the unit; 1 held, "
        "3 more needed."
    )
    expect(refused).to_contain_text("No debrief with the management is recorded.")
    expect(state_badge(page)).to_have_text("In progress")

    # When they hold three more private interviews in Ward A, to cover the source
    page.goto(reverse("visits:interview_list", kwargs={"visit_pk": visit.pk}))
    for _cover in range(3):
        record_interview(page, unit="Ward A", notes="Spoke of meals and visiting hours.")
    expect(page.locator(".anonymity")).to_contain_text(
        "Ward A: 1 sensitive interview covered by 4 private interviews (4 needed)."
    )

    # And record why Ward C was not seen
    page.goto(reverse("visits:coverage", kwargs={"visit_pk": visit.pk}))
    page.locator("tr", has_text="Ward C").get_by_role("link", name="Record").click()
    page.get_by_role("radio", name="Not seen", exact=True).check()
    field(page, "Why not seen").fill("Closed for repairs; no patient held there.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".coverage-table")).not_to_contain_text("Not recorded")

    # When they write a debrief that names the source's pseudonym
    page.goto(reverse("visits:debrief", kwargs={"visit_pk": visit.pk}))
    field(page, "Participants").fill("The medical director, the head nurse, the whole team")
    field(page, "Main concerns raised").fill(
        f"{source} told us restraint is used at night without being recorded."
    )
    page.get_by_role("button", name="Save the debrief").click()

    # Then it is refused, the pseudonym quoted, their text kept, and nothing is saved
    expect(page.locator(".has-errors")).to_contain_text(
        f"The text names the interview pseudonym “{source}”"
    )
    expect(field(page, "Main concerns raised")).to_have_value(
        f"{source} told us restraint is used at night without being recorded."
    )
    assert not Debrief.objects.filter(visit=visit).exists()

    # When they say it in general terms
    field(page, "Main concerns raised").fill(
        "Restraint is not always entered in the restraint register. Patients described "
        "long periods of restraint at night. Ward C is closed for repairs."
    )
    page.get_by_role("button", name="Save the debrief").click()
    expect(page.get_by_text("Debrief saved.")).to_be_visible()

    # Then the field phase can end, and the visit can close
    page.goto(reverse("visits:visit_detail", kwargs={"visit_pk": visit.pk}))
    move(page, "Debriefed")
    expect(page.get_by_text("The visit is now “Debriefed”.")).to_be_visible()
    move(page, "Closed")
    expect(page.get_by_text("The visit is now “Closed”.")).to_be_visible()
    expect(state_badge(page)).to_have_text("Closed")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    visit.refresh_from_db()
    assert visit.state == Visit.State.CLOSED and visit.closed_at is not None
    assert Interview.objects.filter(visit=visit, kind=Interview.Kind.PRIVATE).count() == 4
    assert RegisterCheck.objects.filter(visit=visit, discrepancies_found=2).exists()
    # The notes and the identity are sealed: nothing of them is stored in clear
    stored = Interview.objects.filter(visit=visit, sensitive=True).values_list("notes", "identity")
    assert all(b"strapped" not in bytes(v) and b"Whitfield" not in bytes(v) for v in stored[0])
