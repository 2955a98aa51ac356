"""Information from an NGO that signals a reprisal reaches the reprisal team the day it is
recorded, and leaves its attention list once a watch answers it (¶23, 25, 30–33), in real
Chromium.

The communications officer adds an NGO to the registry, with a contact and its memorandum
of understanding; a monitor records what the NGO told the NPM after a visit, ticks that it
signals a risk of reprisal, and sees it routed. The doctor, told in the header, opens the
information from the notification and opens a reprisal watch from it; the information then
shows the watch, and the registry's list of signals without a watch is empty. Last, the
head downloads the confidential package of exchanges for the SPT, confirming it is them.

Only the people, two prisons, the SPT and one letter exchanged with it are made here;
everything else goes through the pages.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from e2e.people import PASSWORD, SignIn, current_code, member
from habeas.accounts.roles import Role
from habeas.cases.models import ReprisalWatch
from habeas.partners import services
from habeas.partners.models import Communication, PartnerKind
from habeas.places.models import Category
from habeas.places.tests.factories import PlaceFactory

PRISON = "Eastmoor Prison"
ELSEWHERE = "Westbrook Prison"
NGO = "Prisoners' Rights Watch"
CONTACT = "Ines Ortega"
MOU = "Memorandum of understanding on referrals from prisons"

SUBJECT = "Fear of reprisals after the NPM's visit to Eastmoor Prison"
DETAILS = (
    "A relative told PRW that a man the NPM interviewed in Wing B was threatened with a "
    "transfer by two officers on the day after the visit."
)
SPT_NAME = "UN Subcommittee on Prevention of Torture"
SPT_SUBJECT = "Annual exchange on the NPM's programme of visits"

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "user" / "img"


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, with or without Django's trailing colon."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def main_menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def partners_menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Partners and communication").get_by_role(
        "link", name=name, exact=True
    ).click()


def messages(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text=re.compile(r"\S"))


def unrouted(page: Page) -> Locator:
    """The registry's and the log's list of reprisal signals that no watch answers yet."""
    return page.locator("section.reprisal-signals")


def shoot(page: Page, name: str) -> None:
    """A screenshot for the user guide, at 1280x900, when HABEAS_SCREENSHOTS is set."""
    if not os.environ.get("HABEAS_SCREENSHOTS"):
        return
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / name))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_partners_reprisal_signal_reaches_the_team_and_is_answered_by_a_watch(
    signed_in: SignIn,
) -> None:
    # Given the NPM's communications officer, a monitor, its doctor and its head
    comms = member("comms@npm.test", "Cora Comms", Role.COMMS)
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    doctor = member("doctor@npm.test", "Dora Doctor", Role.DOCTOR)
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    # And two prisons in the inventory
    sentenced = Category.objects.get(code="prison-sentenced")
    PlaceFactory(name=PRISON, category=sentenced)
    PlaceFactory(name=ELSEWHERE, category=sentenced)
    today = timezone.localdate()

    # == 1. The communications officer adds the NGO ===========================================
    page = signed_in(comms)
    main_menu(page, "Partners")
    expect(page.get_by_role("heading", name="Partners", level=1)).to_be_visible()
    page.get_by_role("link", name="Add a partner").click()
    expect(page.get_by_role("heading", name="Add a partner")).to_be_visible()
    field(page, "Name").fill(NGO)
    field(page, "Short name").fill("PRW")
    field(page, "Kind").select_option(label="Civil society organisation")
    field(page, "Areas of work").fill("prisons")
    page.get_by_role("button", name="Add the partner").click()
    expect(messages(page)).to_contain_text(
        "The partner was added. Add its contacts and agreements."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{NGO} (PRW)")

    # And its contact
    page.get_by_role("link", name="Add a contact").click()
    expect(page.get_by_role("heading", name=f"Add a contact at {NGO}")).to_be_visible()
    field(page, "Name").fill(CONTACT)
    field(page, "Position").fill("Head of the prisons programme")
    field(page, "E-mail").fill("ines.ortega@prw.example")
    field(page, "Phone").fill("+44 20 7946 0123")
    page.get_by_role("button", name="Add the contact").click()
    expect(messages(page)).to_contain_text("The contact was added.")
    contact = (
        page.get_by_role("region", name="Contacts").get_by_role("row").filter(has_text=CONTACT)
    )
    expect(contact).to_contain_text("Head of the prisons programme")
    expect(contact.get_by_role("link", name="ines.ortega@prw.example")).to_be_visible()

    # And the memorandum of understanding signed last year, which ends in two months
    expires = today + dt.timedelta(days=60)
    page.get_by_role("link", name="Record an agreement").click()
    expect(page.get_by_role("heading", name=f"Record an agreement with {NGO}")).to_be_visible()
    field(page, "Kind").select_option(label="Memorandum of understanding")
    field(page, "Title").fill(MOU)
    field(page, "Signed on").fill((today - dt.timedelta(days=300)).isoformat())
    field(page, "Expires on").fill(expires.isoformat())
    field(page, "Terms").fill("PRW refers to the NPM what families tell it, with their consent.")
    page.get_by_role("button", name="Record the agreement").click()

    # Then its page shows the agreement, about to expire
    expect(messages(page)).to_contain_text("The agreement was recorded.")
    agreement = page.get_by_role("region", name="Agreements").get_by_role("listitem")
    expect(agreement).to_contain_text(MOU)
    expect(agreement).to_contain_text("Memorandum of understanding")
    expect(agreement).to_contain_text("Expires in 60 days")
    expect(agreement).to_contain_text(f"Expires on {expires.isoformat()}")

    # And the registry lists the NGO with its area of work and its agreement in force
    main_menu(page, "Partners")
    expect(page.locator("#partner-results")).to_contain_text("1 partner found")
    row = page.locator("#partner-results").get_by_role("row").filter(has_text=NGO)
    expect(row).to_contain_text("Civil society organisation")
    expect(row).to_contain_text("prisons")
    expect(row.get_by_role("cell").nth(3)).to_have_text("1 1 expiring")
    expiring = page.get_by_role("region", name="Agreements expiring soon")
    expect(expiring).to_contain_text(f"{NGO}: {MOU} · expires on {expires.isoformat()}")

    # == 2. A monitor records what the NGO told the NPM =====================================
    # When the monitor opens the NGO from the registry and records the information received
    monitors_page = signed_in(monitor)
    main_menu(monitors_page, "Partners")
    monitors_page.locator("#partner-results").get_by_role("link", name=NGO).click()
    monitors_page.get_by_role("link", name="Record a communication").click()
    expect(monitors_page.get_by_role("heading", name="Record a communication")).to_be_visible()
    expect(field(monitors_page, "Partners").locator("option:checked")).to_have_text(f"{NGO} (PRW)")
    expect(field(monitors_page, "Date")).to_have_value(today.isoformat())
    field(monitors_page, "Kind").select_option(label="Information received")
    field(monitors_page, "Direction").select_option(label="Received")
    field(monitors_page, "Subject").fill(SUBJECT)
    field(monitors_page, "Details").fill(DETAILS)
    field(monitors_page, "Confidential").check()
    field(monitors_page, "Signals a risk of reprisal").check()
    field(monitors_page, "Places").select_option(label=PRISON)
    monitors_page.get_by_role("button", name="Record the communication").click()

    # Then it is numbered, and the people who open reprisal watches are told
    told = messages(monitors_page)
    expect(told).to_contain_text("The people who open reprisal watches have been told.")
    heading = monitors_page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(SUBJECT)
    reference = heading.locator(".ref").inner_text()
    assert re.fullmatch(rf"COM-{today.year}-\d{{4}}", reference), reference
    expect(told).to_contain_text(f"The communication was recorded as {reference}.")

    # And its page shows when it was routed, and that no watch answers it yet
    routed_at = Communication.objects.get(reference=reference).reprisal_routed_at
    assert routed_at is not None
    routed = timezone.localtime(routed_at).strftime("%Y-%m-%d %H:%M")
    risk = monitors_page.get_by_role("region", name="Risk of reprisal")
    expect(risk).to_contain_text(f"On {routed}, to the people who open reprisal watches")
    expect(risk).to_contain_text("No watch yet")
    expect(monitors_page.locator("main")).to_contain_text(
        "Confidential: only staff who record communications and the people who open "
        "reprisal watches see it."
    )
    expect(monitors_page.get_by_role("region", name="Details")).to_contain_text(DETAILS)
    concerns = monitors_page.get_by_role("region", name="What it concerns")
    expect(concerns.get_by_role("link", name=PRISON)).to_be_visible()
    expect(concerns).not_to_contain_text(ELSEWHERE)
    shoot(monitors_page, "partners-communication.png")

    # And the log lists it among the signals no watch answers yet
    monitors_page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name="Communication log"
    ).click()
    expect(monitors_page.get_by_role("heading", name="Communication log", level=1)).to_be_visible()
    expect(unrouted(monitors_page)).to_contain_text("1 reprisal signal without a watch")
    expect(unrouted(monitors_page).get_by_role("link", name=reference)).to_be_visible()
    logged = monitors_page.locator("#log-results").get_by_role("row").filter(has_text=reference)
    expect(logged).to_contain_text("Reprisal signal · no watch yet")
    expect(logged).to_contain_text("Confidential")
    expect(logged).to_contain_text("PRW")
    shoot(monitors_page, "partners-log.png")

    # And so does the registry, where the reprisal team looks first
    partners_menu(monitors_page, "Registry of partners")
    expect(unrouted(monitors_page)).to_contain_text("1 reprisal signal without a watch")
    expect(unrouted(monitors_page)).to_contain_text(f"{reference} · {today.isoformat()} · PRW")

    # == 3. The doctor is told, and opens a watch from it ====================================
    # When the doctor signs in
    doctors_page = signed_in(doctor)

    # Then the header shows one unread notification, naming the reference only
    bell = doctors_page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell.locator(".badge")).to_have_text("1")
    bell.click()
    expect(doctors_page.locator("main")).to_contain_text("1 unread notification.")
    notice = doctors_page.get_by_role("row").filter(has_text=reference)
    expect(notice).to_contain_text(f"{reference}: a partner signals a risk of reprisal")
    expect(notice).not_to_contain_text(SUBJECT)

    # When they follow it, it opens the information, which they may read though confidential
    notice.get_by_role("button", name="Mark as read and open").click()
    expect(doctors_page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    expect(doctors_page.get_by_role("region", name="Details")).to_contain_text(DETAILS)
    expect(bell.locator(".badge")).to_have_count(0)
    risk = doctors_page.get_by_role("region", name="Risk of reprisal")
    expect(risk).to_contain_text("No watch yet")

    # And they open a reprisal watch from it, its source filled in
    risk.get_by_role("link", name="Open a reprisal watch from this information").click()
    expect(doctors_page.get_by_role("heading", name="Open a reprisal watch")).to_be_visible()
    expect(field(doctors_page, "What put them at risk")).to_be_disabled()
    expect(field(doctors_page, "What put them at risk").locator("option:checked")).to_have_text(
        "Information from a partner"
    )
    expect(field(doctors_page, "Source reference")).to_have_value(reference)
    field(doctors_page, "Pseudonym").fill("Orchid")
    field(doctors_page, "Current place").select_option(label=PRISON)
    field(doctors_page, "Risk comes from").select_option(label="Staff")
    doctors_page.get_by_label("Threats", exact=True).check()
    doctors_page.get_by_label("Transfer", exact=True).check()
    field(doctors_page, "NGOs involved").fill(NGO)
    doctors_page.get_by_role("button", name="Open the watch").click()

    # Then the watch is open, naming the information as its source
    expect(messages(doctors_page)).to_contain_text(
        f"The person is now under reprisal watch, linked to {reference}."
    )
    watch_heading = doctors_page.get_by_role("heading", level=1)
    expect(watch_heading).to_contain_text("Orchid")
    watch = watch_heading.inner_text().split()[0]
    assert re.fullmatch(r"W-\d{4}-\d+", watch), watch
    expect(doctors_page.get_by_role("region", name="The risk")).to_contain_text(
        f"Information from a partner — {reference}"
    )

    # And the registry no longer lists a signal without a watch
    main_menu(doctors_page, "Partners")
    expect(doctors_page.get_by_role("heading", name="Partners", level=1)).to_be_visible()
    expect(doctors_page.locator("#partner-results")).to_contain_text(NGO)
    expect(unrouted(doctors_page)).to_have_count(0)

    # And in the log, the information shows the watch linked
    partners_menu(doctors_page, "Communication log")
    expect(unrouted(doctors_page)).to_have_count(0)
    logged = doctors_page.locator("#log-results").get_by_role("row").filter(has_text=reference)
    expect(logged).to_contain_text("Reprisal signal · watch linked")
    logged.get_by_role("link", name=reference).click()
    risk = doctors_page.get_by_role("region", name="Risk of reprisal")
    expect(risk.get_by_role("link", name=watch)).to_be_visible()
    expect(risk).to_contain_text(f"{watch} · Orchid")
    expect(risk).not_to_contain_text("No watch yet")
    expect(
        risk.get_by_role("link", name="Open a reprisal watch from this information")
    ).to_have_count(0)

    # And the monitor's registry no longer lists it either; the information tells them a
    # watch is linked, but not which, as they are not granted on it
    monitors_page.reload()
    expect(monitors_page.locator("#partner-results")).to_contain_text(NGO)
    expect(unrouted(monitors_page)).to_have_count(0)
    partners_menu(monitors_page, "Communication log")
    logged = monitors_page.locator("#log-results").get_by_role("row").filter(has_text=reference)
    expect(logged).to_contain_text("Reprisal signal · watch linked")
    logged.get_by_role("link", name=reference).click()
    risk = monitors_page.get_by_role("region", name="Risk of reprisal")
    expect(risk).to_contain_text("A watch is linked; only the people granted on it can open it.")
    expect(risk).not_to_contain_text(watch)
    expect(risk).not_to_contain_text("Orchid")

    # == 4. The head sends the SPT the package of exchanges ==================================
    # Given the SPT in the registry, and a letter the head exchanged with it
    spt = services.partner_create(actor=head, name=SPT_NAME, acronym="SPT", kind=PartnerKind.SPT)
    letter = services.communication_record(
        actor=head,
        kind=Communication.Kind.LETTER,
        direction=Communication.Direction.OUTGOING,
        occurred_on=today,
        subject=SPT_SUBJECT,
        details="The NPM's plan of visits for the coming year, as the SPT asked.",
        partners=[spt],
        confidential=True,
    )

    # When the head opens the package for the SPT
    heads_page = signed_in(head)
    main_menu(heads_page, "Partners")
    partners_menu(heads_page, "Package for the SPT")
    expect(
        heads_page.get_by_role("heading", name="Package of exchanges for the SPT")
    ).to_be_visible()

    # Then only international bodies are offered, not the NGO
    body = field(heads_page, "International body")
    expect(body.locator("option")).to_have_text([f"{SPT_NAME} (SPT)"])

    # When, half a minute on (their app shows the next code), they ask for it and confirm
    # it is them
    later = timezone.now() + dt.timedelta(seconds=30)
    with time_machine.travel(later, tick=True):
        heads_page.get_by_role("button", name="Download the package").click()
        expect(heads_page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
        field(heads_page, "Your password").fill(PASSWORD)
        field(heads_page, "Code from your authenticator app").fill(
            current_code(TOTPDevice.objects.get(user=head))
        )
        with heads_page.expect_download() as arrival:
            heads_page.get_by_role("button", name="Confirm").click()
        download = arrival.value

        # Then the package arrives, named for the SPT and the whole period, confidential
        assert download.suggested_filename == "exchanges-spt-all-confidential.zip"
        data = Path(download.path()).read_bytes()
        assert zipfile.is_zipfile(io.BytesIO(data))
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert sorted(package.namelist()) == ["exchanges.pdf", "manifest.json"]
            assert package.read("exchanges.pdf").startswith(b"%PDF")
            manifest = json.loads(package.read("manifest.json"))
        # And it holds the letter to the SPT, and nothing of what the NGO said
        assert manifest["partner"]["acronym"] == "SPT"
        assert [e["reference"] for e in manifest["communications"]] == [letter.reference]
        assert manifest["communications"][0]["subject"] == SPT_SUBJECT
        assert DETAILS not in json.dumps(manifest)

        # And asked again a moment later, it comes without asking them to confirm again
        main_menu(heads_page, "Partners")
        partners_menu(heads_page, "Package for the SPT")
        expect(
            heads_page.get_by_role("heading", name="Package of exchanges for the SPT")
        ).to_be_visible()
        with heads_page.expect_download() as again:
            heads_page.get_by_role("button", name="Download the package").click()
        assert again.value.suggested_filename == "exchanges-spt-all-confidential.zip"

    linked = Communication.objects.get(reference=reference)
    assert linked.reprisal_watch == ReprisalWatch.objects.get(reference=watch)
    assert linked.reprisal_watch.lead == doctor
