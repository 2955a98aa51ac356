"""The head writes a rule of procedure, a monitor acknowledges it, and a new version asks
everyone again (¶7, 8), in real Chromium.

The world, made here: the head, a monitor and an auditor, who only reads and is not asked
to acknowledge. The head adds a communication policy in Markdown; it reaches the
monitor's list of policies awaiting acknowledgement; the monitor reads it and
acknowledges version 1; the head's page counts 1 of 2 members and names the monitor.
The head issues version 2 and the monitor is asked again, with what changed. The head
then renames the policy, which asks no one again.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.people import SignIn, member
from habeas.accounts.roles import Role

TITLE = "Speaking to the press"
TEXT = "## Who speaks\n\nOnly the **head** speaks to journalists about a visit."


def open_policies(page: Page) -> None:
    page.get_by_role("link", name="Strategy", exact=True).first.click()
    page.get_by_role("link", name="Policies", exact=True).first.click()
    expect(page.get_by_role("heading", name="Policies and rules of procedure")).to_be_visible()


def awaiting(page: Page):
    return page.get_by_role("region", name="Policies awaiting your acknowledgement")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_policy_is_written_acknowledged_and_acknowledged_again_when_it_changes(
    signed_in: SignIn,
) -> None:
    head = member("head@npm.test", "Hana Head", Role.HEAD)
    monitor = member("monitor@npm.test", "Mo Monitor", Role.MONITOR)
    member("auditor@npm.test", "Ada Auditor", Role.AUDITOR)
    today = timezone.localdate().isoformat()
    chief = signed_in(head)

    # == 1. The head adds a policy: version 1, acknowledged by nobody yet ==================
    open_policies(chief)
    chief.get_by_role("link", name="Add a policy").click()
    chief.get_by_label("Area (¶8)").select_option(label="Communication")
    chief.get_by_label("Title").fill(TITLE)
    chief.get_by_label("Text").fill(TEXT)
    chief.get_by_label("Applies from").fill(today)
    chief.get_by_role("button", name="Save").click()

    expect(chief.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(chief.locator(".policy-text strong")).to_have_text("head")
    who = chief.get_by_role("region", name="Who has acknowledged version 1")
    expect(who).to_contain_text("0 of 2 members.")
    expect(who).to_contain_text("except the auditor, who only reads")
    expect(who.get_by_role("listitem").filter(has_text="Mo Monitor")).to_be_visible()

    # == 2. The monitor finds it awaiting and acknowledges it ==============================
    mo = signed_in(monitor)
    open_policies(mo)
    awaiting(mo).get_by_role("link", name=TITLE).click()
    mo.get_by_role("button", name="I have read version 1 and will follow it").click()
    expect(mo.get_by_text("You have acknowledged version 1, the latest.")).to_be_visible()
    open_policies(mo)
    expect(awaiting(mo)).to_contain_text("you have acknowledged the latest version")

    # == 3. The head sees who has ===========================================================
    chief.reload()
    who = chief.get_by_role("region", name="Who has acknowledged version 1")
    expect(who).to_contain_text("1 of 2 members.")
    expect(who).to_contain_text("Mo Monitor")

    # == 4. A new version asks the monitor again, with what changed =========================
    chief.get_by_role("link", name="Issue a new version").click()
    chief.get_by_label("Text of the new version").fill(
        TEXT.replace("Only the **head**", "The **head** or the communications officer")
    )
    chief.get_by_label("Applies from").fill(today)
    chief.get_by_label("What changed").fill("The communications officer may speak too.")
    chief.get_by_role("button", name="Issue this version").click()
    expect(chief.get_by_role("heading", name="Version 2 in force")).to_be_visible()
    expect(chief.get_by_role("region", name="Who has acknowledged version 2")).to_contain_text(
        "0 of 2 members."
    )

    open_policies(mo)
    expect(awaiting(mo)).to_contain_text("version 2: The communications officer may speak too.")

    # == 5. A new title asks no one again ==================================================
    chief.get_by_role("link", name="Change title or area").click()
    chief.get_by_label("Title").fill("Press and media")
    chief.get_by_role("button", name="Save").click()
    expect(chief.get_by_role("heading", name="Press and media", level=1)).to_be_visible()
    expect(chief.get_by_role("region", name="Who has acknowledged version 2")).to_contain_text(
        "0 of 2 members."
    )
    mo.reload()
    expect(awaiting(mo).get_by_role("link", name="Press and media")).to_be_visible()
