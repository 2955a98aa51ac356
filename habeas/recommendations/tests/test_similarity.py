"""Repeated recommendations: close in text AND in target, explained, never leaking (¶20, 22)."""

from __future__ import annotations

import pytest

from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory
from habeas.recommendations import similarity
from habeas.recommendations.models import Origin
from habeas.recommendations.similarity import link_candidates, similar_recommendations
from habeas.recommendations.tests.factories import make_recommendation
from habeas.visits.models import Theme
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

CALL_BELL = "Install a working call bell in every cell of Wing B by 30 June."
CALL_BELL_REWORDED = "Every cell in Wing B must have a call bell that works, by the end of June."
SHOWERS = "Repair the showers of Wing B and provide hot water every day."
CUSTODY_LAW = "The Ministry should adopt a law limiting police custody to 48 hours."
CUSTODY_LAW_REWORDED = "Adopt legislation that limits police custody to 48 hours at most."


@pytest.fixture
def head(personas):
    return personas["head"]


@pytest.fixture
def place():
    return PlaceFactory(name="Northgate Prison")


def test_it_finds_the_same_demand_reworded_at_the_same_place_and_says_why(head, place):
    earlier = make_recommendation(head, text=CALL_BELL, place=place, theme=Theme.CONDITIONS)

    matches = similar_recommendations(
        user=head, text=CALL_BELL_REWORDED, place=place, addressee=AuthorityFactory()
    )

    assert [m.recommendation for m in matches] == [earlier]
    match = matches[0]
    assert similarity.THRESHOLD <= match.score <= 100
    assert match.reasons[0] == f"{match.score} % of the wording is shared"
    assert "Same place: Northgate Prison" in match.reasons
    assert "cell in Wing B" in match.shared_words
    assert any(phrase.startswith("call bell") for phrase in match.shared_words)
    assert any(r.startswith("Words in common: ") and "call bell" in r for r in match.reasons)
    assert not any(r.startswith("Same addressee") for r in match.reasons)


def test_it_finds_the_same_demand_made_to_the_same_authority(head):
    ministry = AuthorityFactory(name="Ministry of the Interior", kind=Authority.Kind.MINISTRY)
    earlier = make_recommendation(head, text=CUSTODY_LAW, addressee=ministry)

    matches = similar_recommendations(user=head, text=CUSTODY_LAW_REWORDED, addressee=ministry.pk)

    assert [m.recommendation for m in matches] == [earlier]
    assert "Same addressee: Ministry of the Interior" in matches[0].reasons


def test_it_finds_the_same_demand_on_the_same_theme(head):
    earlier = make_recommendation(head, text=CALL_BELL, theme=Theme.CONDITIONS)

    matches = similar_recommendations(user=head, text=CALL_BELL_REWORDED, theme=Theme.CONDITIONS)

    assert [m.recommendation for m in matches] == [earlier]
    assert "Same theme: Material conditions" in matches[0].reasons


def test_it_does_not_match_a_different_demand_about_the_same_place(head, place):
    make_recommendation(head, text=SHOWERS, place=place)

    assert similar_recommendations(user=head, text=CALL_BELL, place=place) == []


def test_it_does_not_match_the_same_words_aimed_at_another_target(head, place):
    make_recommendation(
        head, text=CALL_BELL, place=PlaceFactory(), addressee=AuthorityFactory(), theme=Theme.STAFF
    )

    matches = similar_recommendations(
        user=head,
        text=CALL_BELL,
        place=place,
        addressee=AuthorityFactory(),
        theme=Theme.CONDITIONS,
    )

    assert matches == []


def test_it_needs_a_target_to_compare_with(head):
    make_recommendation(head, text=CALL_BELL)

    assert similar_recommendations(user=head, text=CALL_BELL) == []


def test_it_never_shows_a_recommendation_the_user_may_not_see(personas, head, place):
    visit = make_visit(head, place=place)
    hidden = make_recommendation(head, text=CALL_BELL, visit=visit)
    expert = personas["expert"]  # sees only the recommendations of visits they were on

    assert [
        m.recommendation
        for m in similar_recommendations(user=head, text=CALL_BELL_REWORDED, place=place)
    ] == [hidden]
    assert similar_recommendations(user=expert, text=CALL_BELL_REWORDED, place=place) == []
    assert similar_recommendations(user=personas["outsider"], text=CALL_BELL, place=place) == []


def test_it_leaves_out_the_draft_being_edited_and_keeps_the_closest_first(head, place):
    draft = make_recommendation(head, text=CALL_BELL, place=place)
    close = make_recommendation(head, text=CALL_BELL_REWORDED, place=place)
    exact = make_recommendation(head, text=CALL_BELL, place=place)

    matches = similar_recommendations(user=head, text=CALL_BELL, place=place, exclude_pk=draft.pk)

    assert [m.recommendation for m in matches] == [exact, close]
    assert matches[0].score == 100 and matches[0].score > matches[1].score
    assert len(similar_recommendations(user=head, text=CALL_BELL, place=place, limit=1)) == 1


def test_it_ignores_case_accents_punctuation_and_stop_words():
    assert similarity.normalise("Les DÉTENUS, les détenus!") == "detenu detenu"
    assert similarity.normalise("The SPT recommends that the State party limits it") == "limit"
    assert (
        similarity.score(
            similarity.normalise("Install call-bells in EVERY cell."),
            similarity.normalise("install the call bell in every cell"),
        )
        == 100
    )


def test_a_short_phrase_inside_a_long_text_is_not_the_same_demand(head, place):
    make_recommendation(head, text=CALL_BELL, place=place)

    assert similar_recommendations(user=head, text="Call bell", place=place) == []


def test_it_scores_only_the_most_recent_candidates_of_each_target(head, place, monkeypatch):
    make_recommendation(head, text=CALL_BELL, place=place)
    make_recommendation(head, text=SHOWERS, place=place)
    monkeypatch.setattr(similarity, "CANDIDATES_PER_TARGET", 1)

    assert similar_recommendations(user=head, text=CALL_BELL, place=place) == []


def test_it_makes_a_few_queries_however_many_candidates(head, place, django_assert_max_num_queries):
    theme = Theme.CONDITIONS
    for number in range(15):
        make_recommendation(head, text=f"{CALL_BELL} Check {number}.", place=place, theme=theme)

    with django_assert_max_num_queries(6):
        matches = similar_recommendations(
            user=head, text=CALL_BELL, place=place, addressee=AuthorityFactory(), theme=theme
        )

    assert len(matches) == 5


# -- linking an imported recommendation to the NPM's own -------------------------------

SPT_DOCTOR = (
    "The SPT recommends that the State party ensure that every detainee is examined by a "
    "doctor within 24 hours of arrival."
)
OWN_DOCTOR = "Give every detainee a medical examination by a doctor within 24 hours of arrival."


def test_it_links_an_spt_recommendation_to_the_npms_own_on_the_same_theme(head):
    own = make_recommendation(head, text=OWN_DOCTOR, theme=Theme.HEALTH, origin=Origin.OWN_VISIT)
    make_recommendation(  # same theme, another demand
        head,
        text="Recruit a second psychiatrist for the regional hospital unit.",
        theme=Theme.HEALTH,
        origin=Origin.OWN_VISIT,
    )
    make_recommendation(head, text=OWN_DOCTOR, theme=Theme.SAFEGUARDS, origin=Origin.OWN_VISIT)
    make_recommendation(head, text=OWN_DOCTOR, theme=Theme.HEALTH, origin=Origin.CPT)
    spt = make_recommendation(head, text=SPT_DOCTOR, theme=Theme.HEALTH, origin=Origin.SPT)

    matches = link_candidates(user=head, recommendation=spt)

    assert [m.recommendation for m in matches] == [own]
    assert "Same theme: Health care" in matches[0].reasons
    assert "doctor within 24 hours of arrival" in matches[0].shared_words


def test_it_links_nothing_the_user_may_not_see(personas, head):
    visit = make_visit(head)
    make_recommendation(head, text=OWN_DOCTOR, theme=Theme.HEALTH, visit=visit)
    spt = make_recommendation(head, text=SPT_DOCTOR, theme=Theme.HEALTH, origin=Origin.SPT)

    assert len(link_candidates(user=head, recommendation=spt)) == 1
    assert link_candidates(user=personas["expert"], recommendation=spt) == []
