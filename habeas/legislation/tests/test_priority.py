"""The priority of legislation items (habeas/legislation/priority.py): what a bill does to
the safeguards, and how badly, ranks it; its deadline makes that harm urgent; every
point comes with a reason in plain words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from habeas.core.models import AuditEvent
from habeas.legislation import priority, selectors, services
from habeas.legislation.models import Effect, ItemKind, LegislationItem, Procedure
from habeas.legislation.tests.factories import assess, benchmark, in_days, make_item

pytestmark = pytest.mark.django_db

E = Effect
LAWYER = "Access to a lawyer from the very outset of deprivation of liberty"
UNANNOUNCED = "Unannounced access to every place of deprivation of liberty"


@pytest.fixture
def head(personas):
    return personas["head"]


def ranked_titles(user) -> list[str]:
    return [item.title for item in selectors.ranked(user)]


def texts(item: LegislationItem) -> list[str]:
    return [reason.text for reason in item.priority_explained]


def test_a_draft_delaying_a_lawyer_outranks_a_silent_administrative_decree(head):
    bill = make_item(head, title="Custody bill", deadline=in_days(90))
    assess(head, bill, "first-hours-lawyer", E.WEAKENS)
    decree = make_item(head, title="Visiting-hours decree", deadline=in_days(3))
    for code in ("first-hours-lawyer", "first-hours-doctor", "npm-information", "npm-dialogue"):
        assess(head, decree, code, E.SILENT)
    assert bill.priority > decree.priority > 0
    assert ranked_titles(head) == ["Custody bill", "Visiting-hours decree"]


def test_restricting_the_npms_unannounced_access_outranks_a_formality(head):
    health = make_item(head, title="Mental Health Bill")
    assess(head, health, "npm-unannounced-access", E.WEAKENS)
    formal = make_item(head, title="Reporting decree")
    assess(head, formal, "npm-dialogue", E.BREACHES)
    assert ranked_titles(head) == ["Mental Health Bill", "Reporting decree"]
    assert health.priority == 3 * 5 and formal.priority == 5 * 2


def test_the_reasons_name_the_safeguards_and_how_badly_they_are_harmed(head):
    bill = make_item(head)
    assess(head, bill, "first-hours-lawyer", E.WEAKENS, "Art. 63-4: 48 hours.")
    assess(head, bill, "first-hours-notification", E.BREACHES)
    assess(head, bill, "first-hours-doctor", E.MEETS)
    reasons = bill.priority_explained
    assert [(r.code, r.points) for r in reasons] == [("breaches", 25), ("weakens", 15)]
    assert reasons[0].text == (
        "Removes or breaches: Notification of a relative or another person of the "
        "detainee's choice (weight 5)"
    )
    assert reasons[1].text == f"Weakens or delays: {LAWYER} (weight 5)"
    assert bill.priority == sum(r.points for r in reasons) == 40


def test_silence_counts_once_at_the_weightiest_benchmark(head):
    decree = make_item(head)
    for code in ("npm-dialogue", "first-hours-lawyer", "npm-resources"):
        assess(head, decree, code, E.SILENT)
    (reason,) = decree.priority_explained
    assert (reason.code, reason.points) == ("silent", 5)
    assert LAWYER in reason.text and "counted once, at weight 5" in reason.text


def test_an_item_not_assessed_says_so_instead_of_pretending(head):
    bill = make_item(head, deadline=in_days(7))
    assert bill.priority == 0
    assert [(r.code, r.points) for r in bill.priority_explained] == [
        ("not_assessed", 0),
        ("deadline_14", 0),
    ]
    assert texts(bill)[0].startswith("Not assessed yet against the benchmarks")
    assert texts(bill)[1] == "The consultation closes in 7 days."


def test_an_item_that_harms_nothing_says_what_it_was_checked_against(head):
    bill = make_item(head)
    assess(head, bill, "first-hours-doctor", E.MEETS)
    assess(head, bill, "first-hours-registration", E.STRENGTHENS)
    assert bill.priority == 0
    assert texts(bill) == ["Assessed against 2 benchmarks: none is weakened."]


@pytest.mark.parametrize(
    ("days", "code", "bonus"),
    [(0, "deadline_14", 8), (14, "deadline_14", 8), (15, "deadline_30", 4), (30, "deadline_30", 4),
     (45, "deadline_60", 2), (60, "deadline_60", 2), (61, None, 0), (-3, "deadline_past", 4)],
)  # fmt: skip
def test_a_near_deadline_makes_the_harm_urgent(head, days, code, bonus):
    bill = make_item(head)
    assess(head, bill, "first-hours-lawyer", E.WEAKENS)
    today = timezone.localdate()
    bill.deadline = today + dt.timedelta(days=days)
    scored = priority.score(bill, today=today)
    assert scored.value == 15 + bonus
    deadline = [r for r in scored.reasons if r.code.startswith("deadline")]
    assert [r.code for r in deadline] == ([code] if code else [])


def test_of_two_equal_bills_the_one_whose_consultation_closes_first_ranks_first(head):
    later = make_item(head, title="Closes in 50 days", deadline=in_days(50))
    sooner = make_item(head, title="Closes in 9 days", deadline=in_days(9))
    for bill in (later, sooner):
        assess(head, bill, "first-hours-lawyer", E.WEAKENS)
    assert sooner.priority > later.priority
    assert ranked_titles(head) == ["Closes in 9 days", "Closes in 50 days"]
    assert "The consultation closes in 9 days. Adds 50% of the harm." in texts(sooner)


def test_the_deadline_words_follow_the_procedure(head):
    bill = make_item(head, procedure=Procedure.PARLIAMENT, deadline=in_days(20))
    assess(head, bill, "first-hours-lawyer", E.WEAKENS)
    assert "Parliament's deadline is in 20 days. Adds 25% of the harm." in texts(bill)
    past = make_item(head, procedure=Procedure.GOVERNMENT, deadline=in_days(-12))
    assess(head, past, "first-hours-lawyer", E.WEAKENS)
    assert past.priority == 15 + 4
    assert texts(past)[-1] == (
        "The deadline passed 12 days ago and the procedure is still open: check where the "
        "text stands. Adds 25% of the harm."
    )


def test_a_draft_no_longer_counts_once_its_procedure_is_over(head):
    bill = make_item(head, deadline=in_days(5))
    assess(head, bill, "first-hours-lawyer", E.BREACHES)
    assert bill.priority > 0
    services.item_update(
        actor=head, item=bill, expected_version=bill.version, procedure=Procedure.ADOPTED
    )
    assert bill.priority == 0
    (reason,) = bill.priority_explained
    assert reason.code == "settled" and "(Adopted)" in reason.text
    rejected = make_item(head, procedure=Procedure.REJECTED)
    assess(head, rejected, "first-hours-lawyer", E.BREACHES)
    assert rejected.priority == 0
    assert texts(rejected) == ["Repealed, rejected or withdrawn: its effects no longer count."]


def test_an_existing_law_in_force_that_breaches_a_safeguard_still_needs_amending(head):
    code = make_item(
        head, title="Penal Code, art. 231", kind=ItemKind.EXISTING, procedure=Procedure.IN_FORCE
    )
    assess(head, code, "definition-elements", E.BREACHES)
    assert code.priority == 5 * 4
    assert texts(code)[0].startswith("Removes or breaches: The definition covers mental")


def test_a_missing_law_scores_from_the_safeguards_it_would_fill_until_one_is_adopted(head):
    gap = make_item(
        head,
        title="Independent complaints body",
        kind=ItemKind.MISSING,
        procedure=Procedure.IDENTIFIED,
    )
    assess(head, gap, "prohibition-investigation", E.BREACHES)
    assert gap.priority == 20
    assert texts(gap)[0].startswith("Left unmet for want of this law: Every allegation")
    services.item_update(
        actor=head, item=gap, expected_version=gap.version, procedure=Procedure.IN_FORCE
    )
    assert gap.priority == 0
    assert texts(gap) == ["A law filling the gap was adopted (In force): the gap no longer counts."]


def test_a_benchmark_taken_out_of_use_or_reweighted_changes_the_ranking(head):
    lawyer = make_item(head, title="Lawyer bill")
    assess(head, lawyer, "first-hours-lawyer", E.WEAKENS)
    dialogue = make_item(head, title="Dialogue bill")
    assess(head, dialogue, "npm-dialogue", E.BREACHES)
    assert ranked_titles(head) == ["Lawyer bill", "Dialogue bill"]
    services.benchmark_update(actor=head, benchmark=benchmark("npm-dialogue"), weight=5)
    assert ranked_titles(head) == ["Dialogue bill", "Lawyer bill"]
    services.benchmark_update(actor=head, benchmark=benchmark("npm-dialogue"), active=False)
    dialogue.refresh_from_db()
    assert dialogue.priority == 0 and dialogue.priority_explained[0].code == "not_assessed"


def test_equal_priorities_come_in_a_fixed_order(head):
    for title, deadline in (("B", None), ("A", None), ("C", in_days(70)), ("D", in_days(80))):
        make_item(head, title=title, deadline=deadline)
    # Nearest deadline first, none last, then by reference (B was numbered before A).
    assert ranked_titles(head) == ["C", "D", "B", "A"]


def test_the_daily_refresh_follows_the_calendar(head, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
    bill = make_item(head, deadline=dt.date(2026, 4, 20))  # 50 days away
    assess(head, bill, "first-hours-lawyer", E.WEAKENS)
    assert bill.priority == 15 + 2
    assert priority.priorities_refresh() == 0
    time_machine.move_to(dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC))  # 10 days away
    assert priority.priorities_refresh() == 1
    bill.refresh_from_db()
    assert bill.priority == 15 + 8
    assert "The consultation closes in 10 days. Adds 50% of the harm." in texts(bill)
    event = AuditEvent.objects.filter(action="legislation.priorities_refresh").get()
    assert event.detail == {"items": 1, "on": "2026-04-10"}


def test_kept_reasons_are_written_again_from_their_code_and_figures(head):
    bill = make_item(head, deadline=in_days(9))
    assess(head, bill, "first-hours-lawyer", E.WEAKENS)
    stored = LegislationItem.objects.get(pk=bill.pk).priority_reasons
    assert {row["code"] for row in stored} == {"weakens", "deadline_14"}
    rows = [
        {"code": row["code"], "points": row["points"], "params": row["params"]} for row in stored
    ]
    assert [r.text for r in priority.explain(rows)] == texts(bill)
    assert priority.explain([{"unexpected": 1}, "junk"]) == []  # type: ignore[list-item]
