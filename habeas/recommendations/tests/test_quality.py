"""The drafting quality check after APT's "double SMART" (¶20): advice, never a block."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from habeas.recommendations import services
from habeas.recommendations.models import FollowUpRule, Origin, Priority
from habeas.recommendations.quality import Advice, advise, advise_recommendation, vague_words
from habeas.recommendations.tests.factories import make_recommendation, make_sent

pytestmark = pytest.mark.django_db

GOOD_TEXT = (
    "Install a working call bell in every cell of Wing B by 30 June, tested monthly "
    "by the maintenance team."
)


def good(**changes: Any) -> dict[str, Any]:
    """A draft that meets every criterion the check can see."""
    return {
        "text": GOOD_TEXT,
        "addressee": 1,
        "deadline": timezone.localdate() + dt.timedelta(days=90),
        "root_cause": "No maintenance budget for the wing since 2021.",
        "findings_count": 2,
        "origin": Origin.OWN_VISIT,
        "priority": Priority.KEY,
        **changes,
    }


def codes(advice: list[Advice]) -> list[str]:
    return [a.code for a in advice]


def test_it_has_nothing_to_say_about_a_complete_specific_draft():
    assert advise(**good()) == []


@pytest.mark.parametrize(
    ("change", "code", "criterion"),
    [
        ({"addressee": None}, "addressee", "Targeted"),
        ({"deadline": None}, "deadline", "Time-bound"),
        ({"root_cause": "   "}, "root_cause", "Root-cause responsive"),
        ({"findings_count": 0}, "evidence", "Argued"),
    ],
)
def test_it_flags_each_missing_element_with_its_criterion(change, code, criterion):
    advice = advise(**good(**change))

    assert codes(advice) == [code]
    assert advice[0].criterion == criterion
    assert advice[0].message


def test_it_asks_for_evidence_only_from_the_npms_own_visits():
    assert codes(advise(**good(findings_count=0, origin=Origin.SPT))) == []
    assert codes(advise(**good(findings_count=0, origin=Origin.OWN_VISIT))) == ["evidence"]


def test_it_questions_vague_verbs_quoting_each_word_found_once_in_order():
    text = (
        "The administration should consider improving the regime, and ensure that staff "
        "continue to take steps as appropriate; it should consider it in every wing."
    )

    advice = [a for a in advise(**good(text=text)) if a.code == "vague_verb"]

    assert [a.message for a in advice] == [
        "“consider” is vague: say what must change, and by whom.",
        "“improving” is vague: say what must change, and by whom.",
        "“ensure” is vague: say what must change, and by whom.",
        "“continue to” is vague: say what must change, and by whom.",
        "“take steps” is vague: say what must change, and by whom.",
        "“as appropriate” is vague: say what must change, and by whom.",
    ]
    assert {a.criterion for a in advice} == {"Specific"}


def test_it_matches_vague_words_case_insensitively_on_word_boundaries_only():
    assert vague_words("CONSIDER the Ensured outcome") == ["consider", "ensured"]
    assert (
        vague_words(
            "Pay the insurance premium, reconsideration is considerable; notify the addressee"
        )
        == []
    )


def test_it_questions_vague_words_in_spanish_and_french():
    assert vague_words("Se recomienda mejorar las condiciones y adoptar medidas necesarias") == [
        "mejorar",
        "adoptar medidas necesarias",
    ]
    assert vague_words("Veiller à ce que les détenus soient informés, le cas échéant.") == [
        "veiller à",
        "le cas échéant",
    ]


def test_it_flags_a_deadline_already_past():
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    advice = advise(**good(deadline=yesterday))

    assert codes(advice) == ["deadline_past"]
    assert yesterday.isoformat() in advice[0].message


def test_it_wants_a_short_deadline_for_an_urgent_recommendation():
    days = FollowUpRule.current().urgent_days
    today = timezone.localdate()

    assert codes(advise(**good(priority=Priority.URGENT, deadline=None))) == ["urgent_deadline"]
    late = today + dt.timedelta(days=days + 30)
    assert codes(advise(**good(priority=Priority.URGENT, deadline=late))) == ["urgent_deadline"]
    soon = today + dt.timedelta(days=days)
    assert codes(advise(**good(priority=Priority.URGENT, deadline=soon))) == []


def test_it_follows_the_npms_own_urgent_deadline(personas):
    rule = FollowUpRule.current()
    services.follow_up_rule_update(
        actor=personas["head"], data={"urgent_days": 3}, expected_version=rule.version
    )
    in_a_week = timezone.localdate() + dt.timedelta(days=7)

    advice = advise(**good(priority=Priority.URGENT, deadline=in_a_week))

    assert codes(advice) == ["urgent_deadline"] and "3 days" in advice[0].message


def test_it_finds_a_text_too_short_to_be_specific_and_says_nothing_else_of_its_words():
    assert codes(advise(**good(text="Improve it."))) == ["too_short"]
    assert codes(advise(**good(text=""))) == ["too_short"]


def test_it_suggests_splitting_a_text_that_bundles_many_demands():
    text = (
        "Repair the showers of Wing B within 30 days and paint the cells and replace the "
        "mattresses; train the staff and publish the house rules."
    )

    advice = advise(**good(text=text))

    assert codes(advice) == ["bundled"]
    assert advice[0].criterion == "Mindful of sequencing and risk"
    assert "Split it" in advice[0].message


def test_it_leaves_one_or_two_joined_demands_alone():
    text = "Repair the showers of Wing B and test the hot water supply within 30 days."

    assert codes(advise(**good(text=text))) == []


def test_it_hints_softly_when_nothing_in_the_text_can_be_checked():
    text = "Give the people held in the annex access to fresh air outside their building."

    assert codes(advise(**good(text=text))) == ["measurable"]
    assert codes(advise(**good(text=text + " Two hours."))) == []
    assert codes(advise(**good(text=text.replace("Give", "Every day give")))) == []


def test_it_gives_the_same_advice_in_the_same_order_every_time():
    draft = good(
        addressee=None,
        deadline=None,
        root_cause="",
        findings_count=0,
        text="Consider how to improve the conditions of detention in the annex building.",
    )

    first = advise(**draft)

    assert first == advise(**draft)
    assert codes(first) == [
        "addressee",
        "deadline",
        "root_cause",
        "evidence",
        "vague_verb",
        "vague_verb",
        "measurable",
    ]


def test_it_advises_on_a_stored_draft_from_its_fields_and_findings(personas):
    draft = make_recommendation(
        personas["head"], origin=Origin.OWN_VISIT, root_cause="", deadline=None
    )

    assert codes(advise_recommendation(draft)) == ["deadline", "root_cause", "evidence"]


def test_it_does_not_call_a_sent_recommendations_passed_deadline_a_drafting_fault(personas):
    sent = make_sent(personas["head"], sent_on=timezone.localdate() - dt.timedelta(days=200))
    services.recommendation_update(
        actor=personas["head"],
        recommendation=sent,
        data={"deadline": timezone.localdate() - dt.timedelta(days=10)},
        expected_version=sent.version,
    )

    assert "deadline_past" not in codes(advise_recommendation(sent))
