"""The public's channel from both ends (issue 8), in real Chromium.

1. An anonymous relative writes to the NPM from a phone with JavaScript turned off, keeps
   the receipt, and comes back days later on a fresh browser: a wrong receipt is told
   nothing, the right one (typed with other spaces) shows the monitor's reply, and what
   the relative adds then reaches the monitor, marked as new information until answered.
2. A lawyer says someone is in danger now, asking that no authority be told. The data
   officer on duty is told in the header, opens the submission from the notification,
   is refused "raised with the authority", and triages it as urgent, linked to the
   police station in the inventory; the queue lists it first, with the place.

Only the people, the places and one other submission are made here; the public's part
and the intake team's part go through the pages.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.people import SignIn, member
from habeas.accounts.roles import Role
from habeas.core.models import Notification
from habeas.intake import services
from habeas.intake.models import Consent, Message, SenderKind, Status, Submission, Urgency
from habeas.places.models import Category, Place
from habeas.places.tests.factories import PlaceFactory

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "java_script_enabled": False,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

PRISON = "Eastmoor Prison"
OTHER_PRISON = "Westbrook Prison"
SECRET_SITE = "Site K, unofficial holding facility"
STATION = "Harbour Road Police Station"

WHAT = "My brother was beaten by two guards in wing C. He has not seen a doctor since."
WHEN = "on Tuesday night"
ANSWER = "We have read your message. A team of the NPM will visit Eastmoor Prison soon."
MORE = "He was moved to the isolation block this morning, still without a doctor."

URGENT_WHAT = (
    "My client has been held in the basement cells for three days without water or a "
    "lawyer's visit. He says officers threatened to hurt him again tonight."
)
URGENT_PLACE = "the police station on Harbour Road"
NO_RAISING = (
    "The sender asked that nothing reach an authority: this submission may not be raised "
    "with an authority or referred."
)

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "user" / "img"


@pytest.fixture
def open_browser(browser: Browser, live_server) -> Iterator:
    """A browser of the public's own: no account, no cookies from anyone else."""
    contexts = []

    def open_as(device: dict) -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **device)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, with or without Django's trailing colon."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def choose(page: Page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def main_menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def messages(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text=re.compile(r"\S"))


def facts(page: Page, term: str) -> Locator:
    """The value of one fact of the submission's page (a <dd> after its <dt>)."""
    return (
        page.locator("dl.facts dt")
        .filter(has_text=re.compile(rf"^{term}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def queue_rows(page: Page) -> Locator:
    return page.locator("table.intake-queue tbody tr")


def shoot(page: Page, name: str, *, phone: bool = False) -> None:
    """A screenshot for the user guide when HABEAS_SCREENSHOTS is set: staff pages at
    1280x900, the public's pages as the phone shows them, from the top."""
    if not os.environ.get("HABEAS_SCREENSHOTS"):
        return
    if phone:
        page.evaluate("() => window.scrollTo(0, 0)")
    else:
        page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / name))


def open_receipt(page: Page, receipt: str) -> None:
    page.goto(reverse("submit:receipt"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Read our answer")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Open my messages").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_relative_writes_from_a_phone_without_javascript_and_reads_the_reply(
    open_browser, signed_in: SignIn, settings
) -> None:
    # Given a monitor of the NPM, two prisons in the inventory, and a site the NPM keeps
    # to itself (unofficial)
    settings.HABEAS_INTAKE_STAMP_MIN_SECONDS = 0  # a browser driven by a test types fast
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    prison = PlaceFactory(name=PRISON)
    PlaceFactory(name=OTHER_PRISON)
    PlaceFactory(name=SECRET_SITE, official=False)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    # == 1. A relative writes from a phone, with JavaScript turned off ========================
    phone = open_browser(PHONE)
    phone.goto(reverse("submit:form"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Tell the NPM about a place of detention"
    )
    # The list of places offers the official ones by name, never the unofficial site
    offered = phone.locator("datalist#places option").evaluate_all(
        "options => options.map(option => option.value)"
    )
    assert offered == [PRISON, OTHER_PRISON], offered

    choose(phone, "A relative or friend")
    phone.get_by_label("Which place is it about?").fill(PRISON)
    phone.get_by_label("What happened?").fill(WHAT)
    phone.get_by_label("When did it happen? (date, optional)").fill(yesterday.isoformat())
    phone.get_by_label("Or say when in words (optional)").fill(WHEN)
    choose(phone, "Soon: within days")
    choose(phone, "The NPM may raise the facts, without anything that identifies me")
    # An answer through the receipt is what the form proposes
    expect(phone.get_by_label("I will come back with my receipt", exact=True)).to_be_checked()
    shoot(phone, "intake-submit-phone.png", phone=True)
    phone.get_by_role("button", name="Send to the NPM").click()

    # Then they get their receipt: 20 digits in groups of four, to write down
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your message has reached us")
    receipt = phone.locator(".receipt").inner_text().strip()
    assert re.fullmatch(r"\d{4}( \d{4}){4}", receipt), receipt
    expect(phone.locator(".receipt-group")).to_have_count(5)
    expect(phone.get_by_text("Write this number down now, or learn it.")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("the person on duty at the NPM")
    shoot(phone, "intake-receipt.png", phone=True)
    phone.context.close()  # they close the browser, as the page advises

    # And the NPM received it, linked to the prison chosen from the list
    submission = Submission.objects.get()
    reference = submission.reference
    assert re.fullmatch(rf"S-{timezone.localdate().year}-\d{{4}}", reference), reference
    assert submission.place == prison

    # == 2. A monitor reads it and replies ===================================================
    page = signed_in(monitor)
    main_menu(page, "Submissions")
    expect(page.get_by_role("heading", name="Submissions from the public")).to_be_visible()
    row = queue_rows(page).filter(has_text=reference)
    expect(row).to_contain_text("New since your last visit")
    expect(row).to_contain_text(PRISON)
    expect(row).to_contain_text("Soon: within days (sender)")
    row.get_by_role("link", name=reference).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Submission {reference}")
    expect(facts(page, "Who is writing")).to_have_text("A relative or friend")
    expect(facts(page, "Place").get_by_role("link", name=PRISON)).to_be_visible()
    expect(facts(page, "When it happened")).to_have_text(
        f"{yesterday.day} {yesterday:%B %Y} · {WHEN}"
    )
    expect(facts(page, "Urgency given by the sender")).to_have_text("Soon: within days")
    expect(facts(page, "What may reach an authority")).to_have_text(
        "The NPM may raise the facts, without anything that identifies me"
    )
    expect(facts(page, "Reply")).to_have_text("I will come back with my receipt")
    expect(page.locator(".sender-text")).to_have_text(WHAT)
    expect(page.locator("main")).to_contain_text("No messages yet.")

    field(page, "Reply to the sender").fill(ANSWER)
    page.get_by_role("button", name="Send the reply").click()
    expect(messages(page)).to_contain_text(
        "Your reply was added. The sender reads it with the receipt."
    )
    reply = page.locator("ol.thread li")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("Reply of the NPM (Milan Monitor)")
    expect(reply).to_contain_text(ANSWER)

    # == 3. Days later, the relative comes back on a fresh browser ===========================
    phone = open_browser(PHONE)

    # When they mistype their receipt, or type too few digits
    digits = receipt.replace(" ", "")
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    open_receipt(phone, " ".join(wrong[i : i + 4] for i in range(0, 20, 4)))
    # Then they are told only that nothing opens, the same answer whatever they typed
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text(
        "We could not open any messages with this receipt. Check the number and try again."
    )
    expect(phone.get_by_label("Your receipt")).to_have_value("")
    neutral = phone.locator("main").inner_text()
    open_receipt(phone, digits[:12])
    expect(alert).to_be_visible()
    assert phone.locator("main").inner_text() == neutral
    expect(phone.locator("main")).not_to_contain_text(ANSWER)

    # When they type it right, in groups of five, with spaces around
    open_receipt(phone, "  " + " ".join(digits[i : i + 5] for i in range(0, 20, 5)) + " ")

    # Then they read the monitor's reply, not what they wrote, and no receipt in the address
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your messages")
    main = phone.locator("main")
    expect(main).to_contain_text(
        f"You wrote to us on {timezone.localdate().day} {timezone.localdate():%B %Y}. "
        "We have received your message."
    )
    entries = phone.locator("ol.thread > li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("You wrote to us")
    expect(entries.nth(1)).to_contain_text("Our answer")
    expect(entries.nth(1)).to_contain_text(ANSWER)
    expect(main).not_to_contain_text(WHAT)
    expect(main).not_to_contain_text("Milan Monitor")
    assert digits not in phone.url.replace("%20", "").replace("+", "")

    # When they add information
    phone.get_by_label("What do you want to add?").fill(MORE)
    phone.get_by_role("button", name="Send", exact=True).click()

    # Then it is added to their thread, and the form is empty again
    expect(phone.get_by_role("status")).to_contain_text("Your information was added. Thank you.")
    expect(entries).to_have_count(3)
    expect(entries.nth(2)).to_contain_text("You added information")
    expect(main).not_to_contain_text(MORE)
    expect(phone.get_by_label("What do you want to add?")).to_have_value("")

    # == 4. The monitor sees the new information, marked ===================================
    main_menu(page, "Submissions")
    row = queue_rows(page).filter(has_text=reference)
    expect(row.locator(".badge")).to_have_text("New information")
    row.get_by_role("link", name=reference).click()
    thread = page.locator("ol.thread li")
    expect(thread).to_have_count(2)
    expect(thread.nth(1)).to_contain_text("The sender added")
    expect(thread.nth(1)).to_contain_text(MORE)

    # Reading it alone leaves it marked; once answered, the queue no longer marks it
    main_menu(page, "Submissions")
    expect(queue_rows(page).filter(has_text=reference).locator(".badge")).to_have_text(
        "New information"
    )
    queue_rows(page).filter(has_text=reference).get_by_role("link", name=reference).click()
    field(page, "Reply to the sender").fill("Thank you, this helps: we will ask about it there.")
    page.get_by_role("button", name="Send the reply").click()
    main_menu(page, "Submissions")
    expect(queue_rows(page).filter(has_text=reference)).to_be_visible()
    expect(queue_rows(page).filter(has_text=reference).locator(".badge")).to_have_count(0)

    added = Message.objects.get(author=Message.Author.SENDER)
    assert added.unseal("body") == MORE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_duty_person_triages_an_urgent_submission_and_links_it_to_a_place(
    open_browser, signed_in: SignIn, settings
) -> None:
    # Given the NPM's head, a monitor, and its data officer, on duty for urgent submissions
    settings.HABEAS_INTAKE_STAMP_MIN_SECONDS = 0  # a browser driven by a test types fast
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    officer = member("data@npm.test", "Dora Data", Role.DATA_OFFICER)
    services.settings_update(actor=head, duty_user=officer, open=True)
    # And a police station and a prison in the inventory
    PlaceFactory(name=PRISON)
    prison = Place.objects.get(name=PRISON)
    PlaceFactory(name=STATION, category=Category.objects.get(code="police-custody"))

    # == 1. A lawyer writes: someone is in danger now, tell no authority =====================
    public = open_browser(DESKTOP)
    public.goto(reverse("submit:form"))
    choose(public, "A lawyer")
    public.get_by_label("Which place is it about?").fill(URGENT_PLACE)
    public.get_by_label("What happened?").fill(URGENT_WHAT)
    public.get_by_label("Or say when in words (optional)").fill("since Sunday")
    choose(public, "Urgent: someone is in danger now")
    choose(public, "Keep it inside the NPM: tell no authority")
    public.get_by_label("Your name (optional)").fill("Sara Quinn")
    public.get_by_role("button", name="Send to the NPM").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Your message has reached us")
    expect(public.locator("main")).to_contain_text(
        "You said someone is in danger now: the person on duty at the NPM has been alerted."
    )
    urgent = Submission.objects.get()
    reference = urgent.reference
    assert urgent.place is None  # a place in their own words, not one from the list

    # And a little later a relative writes about the prison, not urgent (arrived last)
    later, _receipt = services.submission_create(
        sender_kind=SenderKind.RELATIVE,
        urgency=Urgency.SOON,
        body="The food in wing A is not enough and the cells are cold.",
        consent=Consent.ANONYMOUS,
        place=prison,
    )

    # == 2. The data officer on duty is told in the header ==================================
    page = signed_in(officer)
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell.locator(".badge")).to_have_text("1")
    bell.click()
    notice = page.get_by_role("row").filter(has_text=reference)
    expect(notice).to_contain_text(f"Urgent submission {reference}: someone may be in danger now.")
    expect(notice).not_to_contain_text("basement")  # the reference only, never the content
    # (and so is the rest of the intake team)
    for person in (head, monitor):
        assert Notification.objects.filter(user=person, link__contains=str(urgent.pk)).exists()

    # When they open it from the notification
    notice.get_by_role("button", name="Mark as read and open").click()

    # Then they read it in full, with the sender's wish that no authority be told
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Submission {reference}")
    expect(bell.locator(".badge")).to_have_count(0)
    expect(page.get_by_role("note")).to_contain_text("Tell no authority")
    expect(facts(page, "Urgency given by the sender")).to_contain_text(
        "Urgent: someone is in danger now (duty person alerted"
    )
    expect(facts(page, "Place")).to_have_text(f"In the sender's words: {URGENT_PLACE}")
    expect(facts(page, "Who is writing")).to_have_text("A lawyer")
    expect(facts(page, "Name")).to_have_text("Sara Quinn")
    expect(facts(page, "Status")).to_have_text("New")
    expect(page.locator(".sender-text")).to_have_text(URGENT_WHAT)
    # And, as a data officer, they may triage it but not answer the sender
    expect(page.get_by_role("button", name="Send the reply")).to_have_count(0)

    # When they triage it as raised with the authority
    field(page, "Status").select_option(label="Triaged")
    field(page, "Theme").select_option(label="Security and coercive measures")
    field(page, "Urgency assessed").select_option(label="Urgent: someone is in danger now")
    field(page, "Action taken").select_option(label="Raised with the authority (with consent)")
    field(page, "Triage note").fill("Call the station's duty officer; plan a visit tonight.")
    field(page, "Assigned to").select_option(label="Dora Data")
    field(page, "Place").select_option(label=STATION)
    page.get_by_role("button", name="Save the triage").click()

    # Then it is refused, beside the action, nothing saved, what they chose kept
    action = page.locator(".field").filter(has=field(page, "Action taken"))
    expect(action).to_contain_text(NO_RAISING)
    expect(facts(page, "Status")).to_have_text("New")
    expect(field(page, "Place").locator("option:checked")).to_have_text(STATION)
    expect(field(page, "Triage note")).to_have_value(
        "Call the station's duty officer; plan a visit tonight."
    )
    urgent.refresh_from_db()
    assert (urgent.status, urgent.action, urgent.place) == (Status.NEW, "", None)

    # When they choose a visit instead and save
    field(page, "Action taken").select_option(label="Visit proposed or made")
    page.get_by_role("button", name="Save the triage").click()

    # Then the triage is saved, the submission linked to the police station
    expect(messages(page)).to_contain_text("The triage was saved.")
    expect(facts(page, "Status")).to_have_text("Triaged · Visit proposed or made")
    place = facts(page, "Place")
    expect(place.get_by_role("link", name=STATION)).to_be_visible()
    expect(place).to_contain_text(f"In the sender's words: {URGENT_PLACE}")
    expect(field(page, "Urgency assessed").locator("option:checked")).to_have_text(
        "Urgent: someone is in danger now"
    )
    expect(field(page, "Theme").locator("option:checked")).to_have_text(
        "Security and coercive measures"
    )
    shoot(page, "intake-submission.png")

    # And the queue lists it first, as assessed urgent, at the police station, though the
    # relative's arrived after it
    page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name="Submissions from the public"
    ).click()
    rows = queue_rows(page)
    expect(rows).to_have_count(2)
    first = rows.nth(0)
    expect(first.get_by_role("link", name=reference)).to_be_visible()
    expect(first).to_contain_text("Urgent: someone is in danger now")
    expect(first).not_to_contain_text("(sender)")
    expect(first).to_contain_text(STATION)
    expect(first).to_contain_text("Triaged")
    expect(first).to_contain_text("Tell no authority")
    expect(first).to_contain_text("Dora Data")
    second = rows.nth(1)
    expect(second.get_by_role("link", name=later.reference)).to_be_visible()
    expect(second).to_contain_text("Soon: within days (sender)")
    expect(second).to_contain_text(PRISON)
    expect(second).to_contain_text("New")
    shoot(page, "intake-queue.png")

    # And filtering the queue by the police station finds it alone
    field(page, "Place").select_option(label=STATION)
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).get_by_role("link", name=reference)).to_be_visible()

    urgent.refresh_from_db()
    assert urgent.place == Place.objects.get(name=STATION)
    assert (urgent.triage_urgency, urgent.assigned_to) == (Urgency.URGENT, officer)
