"""Confidential case files and the reprisal watch (¶18, 19, 25, 27), in real Chromium.

Three walks through the pages: a doctor records an allegation with partial consent,
documents it and refers it; a monitor without a grant looks for the case everywhere and
finds nothing until the doctor grants them; a protected person is transferred and their
watch follows them to the new prison, for the people granted on it only.

Only the people and the places are made here; everything else goes through the pages.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.people import SignIn, member
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.cases.models import Case, ReprisalWatch
from habeas.places.models import Place
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory

VICTIM = "Jonas Meral"
ACCOUNT = "Beaten with batons on the soles of the feet in the night of 3 March, wing C."
OFFICIALS = "The night-shift officer of wing C"


def open_case(page: Page, *, place: str, consent_to: list[str], elements: list[str]) -> str:
    """Fill the new-case form as after a private interview; return the case's reference."""
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name="New case").click()
    expect(page.get_by_role("heading", name="New case")).to_be_visible()
    page.get_by_label("Kind").select_option(label="Ill-treatment")
    page.get_by_label("Place:", exact=True).select_option(label=place)
    page.get_by_label("Date of the acts").fill(timezone.localdate().replace(day=1).isoformat())
    page.get_by_label("Source:", exact=True).select_option(label="Private interview during a visit")
    page.get_by_label("Source reference").fill("Visit V-12, interview 3")
    page.get_by_label("Victim:", exact=True).fill(VICTIM)
    page.get_by_role("textbox", name="Officials named").fill(OFFICIALS)
    page.get_by_role("textbox", name="Account of the acts").fill(ACCOUNT)
    page.get_by_label("The person consents to the NPM using the information").check()
    may_transmit = page.get_by_role("group", name="Elements that may be transmitted")
    for element in elements:
        may_transmit.get_by_label(element, exact=True).check()
    recipients = page.get_by_role("group", name="Bodies they may be transmitted to")
    for recipient in consent_to:
        recipients.get_by_label(recipient, exact=True).check()
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".messages")).to_contain_text("was opened.")
    return page.locator("h1").inner_text().split()[0]


def preview_referral(page: Page, recipient: str) -> None:
    page.get_by_role("link", name="Build a referral").click()
    page.get_by_label("Recipient:", exact=True).select_option(label=recipient)
    page.get_by_role("button", name="See what it would carry").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_doctor_records_documents_and_refers_an_allegation_within_the_consent(
    signed_in: SignIn,
) -> None:
    # Given a doctor of the NPM and the prison they visited
    doctor = member("doctor@npm.test", "Dr Ada Okafor", Role.DOCTOR)
    PlaceFactory(name="Northgate Prison", authority=AuthorityFactory(name="Prison Service"))
    page = signed_in(doctor)

    # When they record what a detainee told them in a private interview, who agreed to
    # the NPM using it and to the account (not their name) going to the prosecutor only
    reference = open_case(
        page,
        place="Northgate Prison",
        consent_to=["Prosecutor"],
        elements=["Account of the acts", "Medical documentation"],
    )

    # Then the case shows the name to its lead, and the consent as given
    expect(page.get_by_role("heading", name=reference)).to_be_visible()
    expect(page.locator("main")).to_contain_text(VICTIM)
    consent = page.get_by_role("region", name="Consent")
    expect(consent).to_contain_text("Account of the acts")
    expect(consent).to_contain_text("Medical documentation")
    expect(consent).to_contain_text("Prosecutor")
    expect(consent).not_to_contain_text("Identity of the victim")
    expect(page.get_by_role("region", name="Who is granted")).to_contain_text("Dr Ada Okafor")

    # When they add their Istanbul Protocol examination
    page.get_by_role("link", name="Record an examination").click()
    page.get_by_label("Examining doctor").select_option(label="Dr Ada Okafor")
    page.get_by_label("History (the person's account").fill("Pain walking since 4 March.")
    page.get_by_label("Physical findings").fill("Bruising and swelling of both soles.")
    page.get_by_label("Consistency with the account").select_option(label="Highly consistent")
    page.get_by_role("button", name="Record the examination").click()

    # Then the examination is recorded and listed on the case
    expect(page.locator(".messages")).to_contain_text("The examination was recorded.")
    expect(page.locator("main")).to_contain_text("Bruising and swelling of both soles.")
    page.get_by_role("navigation", name="You are here").get_by_role("link", name=reference).click()
    medical = page.get_by_role("region", name="Medical documentation")
    expect(medical).to_contain_text("Highly consistent")

    # When they build a referral to the prosecutor
    preview_referral(page, "Prosecutor")
    page.get_by_label("Recipient name").fill("Regional prosecutor, Northgate")
    page.get_by_role("button", name="See what it would carry").click()

    # Then, before anything is drafted, they see what goes and what stays out, and why
    included = page.get_by_role("region", name="Included")
    withheld = page.get_by_role("region", name="Withheld, and why")
    expect(included).to_contain_text("Bare facts")
    expect(included).to_contain_text("Account of the acts")
    expect(included).to_contain_text("Medical documentation")
    expect(withheld).to_contain_text(
        "Identity of the victim: No consent to transmit the identity of the victim."
    )
    expect(withheld).to_contain_text("Officials named: No consent to transmit the officials named.")

    # When they draft it
    page.get_by_role("button", name="Draft the referral").click()

    # Then its text carries the account and the findings, and not the person's name
    expect(page.locator(".messages")).to_contain_text("The referral was drafted.")
    expect(
        page.get_by_role("heading", name=re.compile(r"Referral to the Prosecutor"))
    ).to_be_visible()
    body = page.locator("pre.referral-body")
    expect(body).to_contain_text(ACCOUNT)
    expect(body).to_contain_text("Bruising and swelling of both soles.")
    expect(body).not_to_contain_text(VICTIM)
    expect(body).not_to_contain_text(OFFICIALS)
    expect(page.get_by_role("region", name="Withheld, and why")).to_contain_text(
        "No consent to transmit the identity of the victim."
    )
    prosecutor_referral = page.url

    # When they try the UN Subcommittee, to which the person did not consent
    page.get_by_role("navigation", name="You are here").get_by_role("link", name=reference).click()
    preview_referral(page, "UN Subcommittee on Prevention of Torture")

    # Then every element is withheld as not consented to that body
    withheld = page.get_by_role("region", name="Withheld, and why")
    no_spt = "No consent to transmit to the UN Subcommittee on Prevention of Torture."
    for element in ("Identity of the victim", "Account of the acts", "Medical documentation"):
        expect(withheld).to_contain_text(f"{element}: {no_spt}")
    expect(page.get_by_role("region", name="Included")).not_to_contain_text("Account of the acts")
    expect(page.get_by_role("button", name="Draft the referral")).to_have_count(0)

    # When they go back to the prosecutor's referral and record it as sent today
    page.goto(prosecutor_referral)
    page.get_by_label("Sent on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record as sent").click()

    # Then the referral is sent, awaits an answer, and the case is referred
    expect(page.locator(".messages")).to_contain_text("The referral is recorded as sent.")
    expect(page.locator("h1 .badge")).to_have_text("Sent")
    expect(page.get_by_role("button", name="Record the outcome")).to_be_visible()
    page.get_by_role("navigation", name="You are here").get_by_role("link", name=reference).click()
    expect(page.locator("h1 .badge")).to_have_text("Referred")
    referrals = page.get_by_role("region", name="Referrals")
    expect(referrals).to_contain_text("Prosecutor — Regional prosecutor, Northgate")
    expect(referrals).to_contain_text(timezone.localdate().isoformat())

    # When they record the criminal investigation they asked the prosecutor for
    page.get_by_role("link", name="Record an investigation requested").click()
    page.get_by_label("Kind").select_option(label="Criminal")
    page.get_by_role("button", name="Record the request").click()

    # Then the case lists it, awaiting an answer, and its log says in words what was done
    expect(page.locator(".messages")).to_contain_text("The investigation request was recorded.")
    investigations = page.get_by_role("region", name="Investigations requested")
    expect(investigations).to_contain_text("Criminal")
    expect(investigations).to_contain_text("Awaiting an answer")
    log = page.get_by_role("region", name="Who read it, who changed it")
    expect(log).to_contain_text("recorded a referral as sent")
    expect(log).to_contain_text("recorded an investigation requested")
    expect(log).not_to_contain_text("cases.")


def grant(page: Page, reference: str, person: User, reason: str, *, identity: bool) -> None:
    """On the case's access page, grant `person` need-to-know access."""
    page.get_by_role("link", name="Manage access").click()
    expect(page.get_by_role("heading", name=f"Access to {reference}")).to_be_visible()
    page.get_by_label("Person:", exact=True).select_option(value=str(person.pk))
    page.get_by_label("May see identities").set_checked(identity)
    page.get_by_label("Why this person needs to know").fill(reason)
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Access was granted.")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_monitor_without_a_grant_finds_the_case_nowhere_until_granted(
    signed_in: SignIn,
) -> None:
    # Given a doctor, a monitor and the head of the NPM, and the prison the case is about
    doctor = member("doctor@npm.test", "Dr Ada Okafor", Role.DOCTOR)
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    prison = PlaceFactory(
        name="Northgate Prison", authority=AuthorityFactory(name="Prison Service")
    )

    # And the doctor's case, on which they grant the head (who keeps the register)
    doctors_page = signed_in(doctor)
    reference = open_case(
        doctors_page,
        place="Northgate Prison",
        consent_to=["Prosecutor"],
        elements=["Account of the acts"],
    )
    grant(doctors_page, reference, head, "Records the proceedings in the register", identity=False)
    case = Case.objects.get(reference=reference)
    case_url = reverse("cases:case_detail", kwargs={"case_id": case.pk})

    # And the head's entry in the register of allegations, linked to the case
    heads_page = signed_in(head)
    heads_page.get_by_role("link", name="Allegations register").first.click()
    heads_page.get_by_role("link", name="Add an entry").click()
    heads_page.get_by_label("Place:", exact=True).select_option(label="Northgate Prison")
    heads_page.get_by_label("Complaint lodged on").fill(timezone.localdate().isoformat())
    heads_page.get_by_label("Legal classification used").select_option(label="Abuse of office")
    heads_page.get_by_label("Case:", exact=True).select_option(label=reference)
    heads_page.get_by_role("button", name="Save").click()
    expect(heads_page.locator(".messages")).to_contain_text("The entry was added to the register.")
    expect(heads_page.locator("main")).to_contain_text(reference)
    entry_url = heads_page.url

    # When the monitor, not granted, looks for the case
    page = signed_in(monitor)
    page.get_by_role("link", name="Cases", exact=True).click()

    # Then it is not in their list, and its place is not even offered as a filter
    expect(page.get_by_role("heading", name="Case files")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No case to show.")
    expect(page.locator("main")).not_to_contain_text(reference)
    expect(page.get_by_label("Place")).not_to_contain_text("Northgate Prison")

    # Nor does searching the victim's name or the reference find anything
    for words in (VICTIM, reference):
        page.goto(reverse("places:list"))
        page.get_by_role("searchbox", name="Search").fill(words)
        page.get_by_role("button", name="Apply", exact=True).click()
        expect(page.locator("#place-results")).to_contain_text("0 places found")

    # Its address answers "Not found", the very page a case that never existed gets
    answer = page.goto(case_url)
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(reference)
    never_existed = reverse(
        "cases:case_detail", kwargs={"case_id": "00000000-0000-4000-8000-000000000000"}
    )
    assert page.request.get(case_url).body() == page.request.get(never_existed).body()

    # The register's entry shows the proceedings, and nothing of the case file
    page.goto(entry_url)
    expect(page.locator("main")).to_contain_text("Abuse of office")
    expect(page.locator("main")).not_to_contain_text(reference)
    expect(page.locator("main")).not_to_contain_text("Case file")

    # The API knows no case either, with the same session
    listing = page.request.get("/api/v1/cases/")
    assert listing.status == 200
    assert listing.json()["count"] == 0
    assert page.request.get(f"/api/v1/cases/{case.pk}/").status == 404

    # And the prison's page says nothing of it
    page.goto(reverse("places:detail", kwargs={"pk": prison.pk}))
    expect(page.get_by_role("heading", name="Northgate Prison")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(reference)

    # When the doctor grants the monitor, without identities
    doctors_page.goto(case_url)
    grant(doctors_page, reference, monitor, "Follows up at Northgate Prison", identity=False)
    expect(doctors_page.locator("tbody")).to_contain_text("Milan Monitor")

    # Then the monitor finds the case in their list and reads it, without the name
    page.goto(reverse("cases:case_list"))
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible()
    expect(page.locator("main")).to_contain_text(ACCOUNT)
    expect(page.locator("main")).to_contain_text("You are not granted identities")
    expect(page.locator("main")).not_to_contain_text(VICTIM)
    expect(page.locator("main")).not_to_contain_text(OFFICIALS)

    # And the doctor sees, in the case's log, that the monitor read it
    doctors_page.goto(case_url)
    log = doctors_page.get_by_role("region", name="Who read it, who changed it")
    monitors_reads = log.locator("tbody tr").filter(has_text="monitor@npm.test")
    expect(monitors_reads).to_have_count(1)
    expect(monitors_reads).to_contain_text("read the case")

    # And the register's entry now links to the case; the API lists it, without the name
    page.goto(entry_url)
    expect(page.get_by_role("link", name=reference)).to_have_attribute("href", case_url)
    assert page.request.get("/api/v1/cases/").json()["count"] == 1
    detail = page.request.get(f"/api/v1/cases/{case.pk}/")
    assert detail.status == 200
    assert VICTIM not in detail.text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_protected_persons_watch_follows_them_to_the_prison_they_are_moved_to(
    signed_in: SignIn,
) -> None:
    # Given a monitor, a colleague not granted on anything, and two prisons
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    colleague = member("colleague@npm.test", "Cora Colleague", Role.MONITOR)
    service = AuthorityFactory(name="Prison Service")
    eastmoor = PlaceFactory(name="Eastmoor Prison", authority=service)
    westbrook = PlaceFactory(name="Westbrook Prison", authority=service)
    today = timezone.localdate()
    in_a_week = today + dt.timedelta(days=7)
    page = signed_in(monitor)

    # When they put under watch, under a pseudonym, a detainee at Eastmoor who fears
    # the staff's reprisals for speaking to the NPM
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name="Reprisal watch").click()
    page.get_by_role("link", name="New watch").click()
    page.get_by_label("Pseudonym:").fill("Kestrel")
    page.get_by_label("Current place:").select_option(label="Eastmoor Prison")
    page.get_by_label("What put them at risk:").select_option(label="Private interview")
    page.get_by_label("Source reference").fill("Visit V-31, interview 2")
    page.get_by_label("Risk comes from:").select_option(label="Staff")
    feared = page.get_by_role("group", name="Reprisals feared")
    feared.get_by_label("Isolation").check()
    feared.get_by_label("Transfer").check()
    page.get_by_label("Consents to the risk being raised with the authorities").check()
    page.get_by_role("button", name="Open the watch").click()

    # Then the watch's page shows the pseudonym at Eastmoor, and no real name
    expect(page.locator(".messages")).to_contain_text("The person is now under reprisal watch.")
    expect(page.get_by_role("heading", name=re.compile(r"— Kestrel$"))).to_be_visible()
    person = page.get_by_role("region", name="The person", exact=True)
    expect(person).to_contain_text("Eastmoor Prison")
    expect(person.locator("dt:text-is('Real identity') + dd")).to_have_text("—")
    watch = ReprisalWatch.objects.get(pseudonym="Kestrel")
    watch_url = reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})

    # When they plan a phone call in a week
    page.get_by_role("link", name="Plan a check").first.click()
    page.get_by_label("Kind of check").select_option(label="Phone call")
    page.get_by_label("Due on").fill(in_a_week.isoformat())
    page.get_by_role("button", name="Plan the check").click()

    # Then the check is scheduled on the watch, and the list shows it as the next one
    expect(page.locator(".messages")).to_contain_text("The check was planned.")
    check = page.get_by_role("region", name="Checks").locator("tbody tr")
    expect(check).to_contain_text("Phone call")
    expect(check).to_contain_text(in_a_week.isoformat())
    expect(check).to_contain_text("Scheduled")
    page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name="Reprisal watch"
    ).click()
    row = page.locator("tbody tr").filter(has_text="Kestrel")
    expect(row).to_contain_text("Eastmoor Prison")
    expect(row).to_contain_text(in_a_week.isoformat())
    expect(page.locator("main")).to_contain_text("No check is overdue on your watches.")

    # And Eastmoor's page lists the watch, for them
    page.goto(reverse("places:detail", kwargs={"pk": eastmoor.pk}))
    here = page.get_by_role("region", name="Under reprisal watch here")
    expect(here).to_contain_text("Kestrel")

    # When Kestrel is moved to Westbrook today and they record the transfer
    page.goto(watch_url)
    page.get_by_role("link", name="Record a transfer").click()
    expect(page.locator("main")).to_contain_text("The person is recorded at Eastmoor Prison.")
    page.get_by_label("Moved to").select_option(label="Westbrook Prison")
    page.get_by_label("Moved on").fill(today.isoformat())
    page.get_by_role("button", name="Record the transfer").click()

    # Then the watch is at Westbrook, and its history keeps where Kestrel was held
    expect(page.locator(".messages")).to_contain_text("the watch follows the person")
    expect(page.get_by_role("region", name="The person", exact=True)).to_contain_text(
        "Westbrook Prison"
    )
    history = page.get_by_role("region", name="Where the person has been held")
    expect(history).to_contain_text("Held at Eastmoor Prison when the watch opened")
    expect(history).to_contain_text("Moved from Eastmoor Prison to Westbrook Prison")
    expect(page.get_by_role("region", name="Checks")).to_contain_text(in_a_week.isoformat())

    # And the watch is on Westbrook's page, and no longer on Eastmoor's
    page.goto(reverse("places:detail", kwargs={"pk": westbrook.pk}))
    here = page.get_by_role("region", name="Under reprisal watch here")
    expect(here.get_by_role("link", name=watch.reference)).to_have_attribute("href", watch_url)
    expect(here).to_contain_text("Kestrel")
    page.goto(reverse("places:detail", kwargs={"pk": eastmoor.pk}))
    expect(page.get_by_role("heading", name="Eastmoor Prison")).to_be_visible()
    expect(page.get_by_role("heading", name="Under reprisal watch here")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Kestrel")

    # When a colleague not granted on the watch opens Westbrook's page
    colleagues_page = signed_in(colleague)
    colleagues_page.goto(reverse("places:detail", kwargs={"pk": westbrook.pk}))

    # Then they see the prison and nothing of the watch, not even its heading
    expect(colleagues_page.get_by_role("heading", name="Westbrook Prison")).to_be_visible()
    expect(colleagues_page.get_by_role("heading", name="Under reprisal watch here")).to_have_count(
        0
    )
    expect(colleagues_page.locator("main")).not_to_contain_text("Kestrel")
    expect(colleagues_page.locator("main")).not_to_contain_text(watch.reference)

    # Nor in their reprisal watch list, nor at the watch's address
    colleagues_page.goto(reverse("cases:watch_list"))
    expect(colleagues_page.locator("main")).to_contain_text(
        "You are not granted on any reprisal watch."
    )
    answer = colleagues_page.goto(watch_url)
    assert answer is not None and answer.status == 404
    expect(colleagues_page.get_by_role("heading", name="Not found")).to_be_visible()
    assert Place.objects.get(pk=westbrook.pk).reprisal_watches.get() == watch
