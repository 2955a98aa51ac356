"""The public's channel is accessible (WCAG 2.2 AA) and light on a phone, in real Chromium.

A relative writes to the NPM from a phone, then from a desktop; they make a mistake,
correct it, get their receipt, come back with it to read the NPM's answer and add
information. On every page on the way, Deque's axe-core (vendored in
`e2e/vendor/axe-core`, injected by the test, never served by Habeas) checks the WCAG
2.0, 2.1 and 2.2 A and AA rules, and any serious or critical violation fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from e2e.people import member
from habeas.accounts.roles import Role
from habeas.intake import services
from habeas.intake.models import Message, Submission
from habeas.places.tests.factories import PlaceFactory

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

PRISON = "Eastmoor Prison"
WHAT = "My brother was beaten by two guards in wing C on Tuesday night. He has no doctor."
MORE = "He was moved to the isolation block this morning."
ANSWER = "We have read your message. A team of the NPM will visit Eastmoor Prison soon."


def check_accessibility(page: Page, where: str) -> None:
    """Run axe-core on the page as it is; fail on any serious or critical violation."""
    page.evaluate(AXE)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    )
    assert not blocking, f"axe-core on {where}:\n{report}"


def check_fits(page: Page, where: str) -> None:
    """Nothing scrolls sideways: the page reflows to the screen's width (WCAG 1.4.10)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"


@pytest.fixture
def open_browser(browser: Browser, live_server) -> Iterator:
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


def choose(page: Page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def write_to_the_npm(page: Page, where: str) -> str:
    """Open the form, send it once with a mistake, correct it, and return the receipt."""
    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body() or b"")))
    page.goto(reverse("submit:form"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell the NPM about a place of detention"
    )
    # The form is light: no script, a single small style sheet, nothing from elsewhere.
    assert page.locator("script").count() == 0
    assert sum(sizes) < 60_000, f"the form weighs {sum(sizes)} bytes"
    check_fits(page, f"the form ({where})")
    check_accessibility(page, f"the form ({where})")

    # When they send it without saying how urgent it is or who may be told
    choose(page, "A relative or friend")
    page.get_by_label("Which place is it about?").fill(PRISON)
    page.get_by_label("What happened?").fill(WHAT)
    page.get_by_label("Or say when in words (optional)").fill("last Tuesday night")
    page.get_by_role("button", name="Send to the NPM").click()

    # Then the problems are listed at the top and beside their fields, their text kept
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Say how urgent it is.")
    expect(page.get_by_label("What happened?")).to_have_value(WHAT)
    check_fits(page, f"the form with errors ({where})")
    check_accessibility(page, f"the form with errors ({where})")

    # When they answer the missing questions and send it again
    summary.get_by_role("link").first.click()
    choose(page, "Soon: within days")
    choose(page, "The NPM may raise the facts, without anything that identifies me")
    page.get_by_role("button", name="Send to the NPM").click()

    # Then they get their receipt, large and grouped, with advice to write it down
    expect(page.get_by_role("heading", level=1)).to_have_text("Your message has reached us")
    receipt = page.locator(".receipt").inner_text().strip()
    assert re.fullmatch(r"\d{4}( \d{4}){4}", receipt), receipt
    expect(page.get_by_text("Write this number down now, or learn it.")).to_be_visible()
    check_fits(page, f"the receipt ({where})")
    check_accessibility(page, f"the receipt ({where})")
    return receipt


def come_back(page: Page, receipt: str, where: str) -> None:
    """With the receipt, read the NPM's answer and add information."""
    page.goto(reverse("submit:receipt"))
    check_accessibility(page, f"the receipt page ({where})")

    # When they mistype their receipt
    page.get_by_label("Your receipt").fill("1234 5678 9012 3456 7890")
    page.get_by_role("button", name="Open my messages").click()
    # Then they are told, and learn nothing more
    expect(page.get_by_role("alert")).to_contain_text("We could not open any messages")
    check_accessibility(page, f"a wrong receipt ({where})")

    # When they type it right
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Open my messages").click()
    # Then they read the NPM's answer, and never see their receipt in the address bar
    expect(page.get_by_role("heading", level=1)).to_have_text("Your messages")
    expect(page.locator("main")).to_contain_text(ANSWER)
    assert receipt.replace(" ", "") not in page.url.replace("%20", "")
    check_fits(page, f"the thread ({where})")
    check_accessibility(page, f"the thread ({where})")

    # When they add information
    page.get_by_label("What do you want to add?").fill(MORE)
    page.get_by_role("button", name="Send", exact=True).click()
    # Then it is added, and the page stays accessible
    expect(page.get_by_role("status")).to_contain_text("Your information was added.")
    check_accessibility(page, f"the thread after adding ({where})")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_public_channel_has_no_serious_accessibility_violation(
    open_browser, settings, device
) -> None:
    # Given a prison in the inventory and a monitor of the NPM who answers submissions
    settings.HABEAS_INTAKE_STAMP_MIN_SECONDS = 0  # a browser driven by a test types fast
    PlaceFactory(name=PRISON)
    monitor = member("monitor@npm.test", "Milan Monitor", Role.MONITOR)
    where = "phone" if device is PHONE else "desktop"

    # When a relative writes to the NPM
    page = open_browser(device)
    receipt = write_to_the_npm(page, where)

    # And the NPM answers
    submission = Submission.objects.get()
    assert submission.place is not None and submission.place.name == PRISON
    services.reply_add(actor=monitor, submission=submission, body=ANSWER)

    # Then, coming back with the receipt, they read the answer and add information
    come_back(page, receipt, where)
    added = Message.objects.filter(author=Message.Author.SENDER).get()
    assert added.unseal("body") == MORE
