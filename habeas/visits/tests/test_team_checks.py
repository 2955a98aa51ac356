"""Every rule of `check_team` (¶8, 11): what blocks, what warns, what holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from habeas.cases.models import Case
from habeas.cases.tests.factories import make_case
from habeas.places.tests.factories import AuthorityFactory, CategoryFactory, PlaceFactory
from habeas.visits.models import Interview, TeamAssignment, Training, TrainingRecord
from habeas.visits.team_checks import BLOCK, OK, WARNING, check_team, member_checks
from habeas.visits.tests.factories import add_member, make_profile, make_visit

pytestmark = pytest.mark.django_db


def team_items(visit, code_prefix):
    return [c for c in check_team(visit).team if c.code.startswith(code_prefix)]


def member_items(visit, user, code_prefix):
    report = check_team(visit)
    member = next(m for m in report.members if m.user == user)
    return [c for c in member.checks if c.code.startswith(code_prefix)]


@pytest.fixture
def team(personas, make_user):
    head, monitor = personas["head"], personas["monitor"]
    make_profile(head, head, gender="man")
    make_profile(monitor, head, gender="man")
    return head, monitor


# -- composition ------------------------------------------------------------------


def test_it_blocks_a_team_without_its_head_of_delegation(personas):
    head = personas["head"]
    visit = make_visit(head)
    TeamAssignment.objects.filter(visit=visit).delete()
    [item] = team_items(visit, "head")
    assert item.level == BLOCK and head.full_name in item.message


def test_it_blocks_a_team_of_one_and_not_a_team_of_two(personas):
    head = personas["head"]
    visit = make_visit(head)
    assert team_items(visit, "size")[0].level == BLOCK
    add_member(visit, personas["monitor"], head)
    assert team_items(visit, "size")[0].level == OK


def test_it_does_not_count_interpreters_in_the_team_size(personas, make_user):
    head = personas["head"]
    visit = make_visit(head)
    interpreter = make_user("data_officer")
    add_member(visit, interpreter, head, role=TeamAssignment.Role.INTERPRETER)
    assert team_items(visit, "size")[0].level == BLOCK


# -- gender ------------------------------------------------------------------------


def test_it_warns_when_every_member_is_a_man(team):
    head, monitor = team
    visit = make_visit(head)
    add_member(visit, monitor, head)
    [item] = team_items(visit, "gender_balance")
    assert item.level == WARNING and "man" in item.message


def test_it_warns_when_a_place_holding_women_has_no_woman_on_the_team(team):
    head, monitor = team
    visit = make_visit(head, place=PlaceFactory(groups=["women"]))
    add_member(visit, monitor, head)
    assert [c.level for c in team_items(visit, "gender_women")] == [WARNING]


def test_it_is_satisfied_with_a_mixed_team_at_a_place_holding_women(team, personas):
    head, monitor = team
    doctor = personas["doctor"]
    make_profile(doctor, head, gender="woman", profession="doctor")
    visit = make_visit(head, place=PlaceFactory(groups=["women"]))
    add_member(visit, doctor, head)
    assert team_items(visit, "gender_women") == []
    assert [c.level for c in team_items(visit, "gender")] == [OK]


# -- a medical member --------------------------------------------------------------


@pytest.mark.parametrize("category", ["psychiatric", "social-care"])
def test_it_asks_for_a_medical_member_where_the_category_needs_one(team, category):
    head, monitor = team
    visit = make_visit(head, place=PlaceFactory(category=CategoryFactory(code=category)))
    add_member(visit, monitor, head)
    [item] = team_items(visit, "medical")
    assert item.level == WARNING and "medical" in item.message


def test_it_is_satisfied_by_a_doctor_at_a_psychiatric_hospital(team, personas):
    head, _ = team
    doctor = personas["doctor"]
    make_profile(doctor, head, profession="psychiatrist")
    visit = make_visit(head, place=PlaceFactory(category=CategoryFactory(code="psychiatric")))
    add_member(visit, doctor, head)
    assert team_items(visit, "medical")[0].level == OK


def test_it_needs_no_medical_member_at_an_ordinary_prison(team):
    head, monitor = team
    visit = make_visit(head)
    assert team_items(visit, "medical")[0].level == OK


def test_it_asks_for_a_medical_member_when_an_interview_alleges_injuries(team):
    head, monitor = team
    visit = make_visit(head)
    Interview.objects.create(
        visit=visit,
        kind=Interview.Kind.PRIVATE,
        pseudonym="Cedar",
        held_at=timezone.now(),
        interviewer=head,
        allegation=True,
    )
    [item] = team_items(visit, "medical")
    assert item.level == WARNING and "injuries" in item.message


def test_it_asks_for_a_medical_member_when_a_case_is_open_at_the_place_and_says_no_more(
    team,
):
    head, _ = team
    place = PlaceFactory()
    case = make_case(head, place=place)
    visit = make_visit(head, place=place)
    [item] = team_items(visit, "medical")
    assert item.level == WARNING
    assert case.reference not in item.message and "case" not in item.message.lower()


def test_it_forgets_a_closed_case(team):
    head, _ = team
    place = PlaceFactory()
    case = make_case(head, place=place)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    visit = make_visit(head, place=place)
    assert team_items(visit, "medical")[0].level == OK


# -- languages ---------------------------------------------------------------------


def test_it_warns_for_each_language_no_one_on_the_team_speaks(team):
    head, monitor = team
    visit = make_visit(head, languages_needed=["Arabic", "Romanian"])
    make_profile(monitor, head, languages=["romanian"])
    add_member(visit, monitor, head)
    items = team_items(visit, "language")
    assert [(c.level, "Arabic" in c.message) for c in items] == [(WARNING, True)]


def test_it_counts_an_interpreters_languages(team, make_user):
    head, _ = team
    interpreter = make_user("data_officer")
    make_profile(interpreter, head, languages=["Arabic"])
    visit = make_visit(head, languages_needed=["Arabic"])
    add_member(visit, interpreter, head, role=TeamAssignment.Role.INTERPRETER)
    assert [c.level for c in team_items(visit, "language")] == [OK]


# -- conflicts of interest and papers -----------------------------------------------


def test_it_blocks_a_member_with_a_conflict_with_the_place(team, personas):
    head, monitor = team
    place = PlaceFactory()
    make_profile(monitor, head, conflict_places=[place])
    visit = make_visit(head, place=place)
    [item] = [c for c in member_checks(visit, monitor) if c.code == "conflict_place"]
    assert item.level == BLOCK


def test_it_blocks_a_member_with_a_conflict_with_the_authority_above_the_place(team):
    head, monitor = team
    ministry = AuthorityFactory()
    administration = AuthorityFactory(parent=ministry)
    place = PlaceFactory(authority=administration)
    make_profile(monitor, head, conflict_authorities=[ministry])
    visit = make_visit(head, place=place)
    assert [c.level for c in member_checks(visit, monitor) if c.code.startswith("conflict")] == [
        BLOCK
    ]


def test_it_lets_a_member_with_a_conflict_elsewhere_through(team):
    head, monitor = team
    make_profile(monitor, head, conflict_places=[PlaceFactory()])
    visit = make_visit(head)
    assert [c.level for c in member_checks(visit, monitor) if c.code.startswith("conflict")] == [OK]


def test_it_blocks_an_external_expert_without_terms_of_reference_or_undertaking(team, personas):
    head, _ = team
    expert = personas["expert"]
    make_profile(expert, head, is_external=True, terms_of_reference_on=dt.date(2025, 1, 1))
    visit = make_visit(head)
    [item] = [c for c in member_checks(visit, expert) if c.code == "external_papers"]
    assert item.level == BLOCK and "undertaking" in item.message


def test_it_blocks_an_expert_account_without_any_profile(team, personas):
    head, _ = team
    visit = make_visit(head)
    levels = {c.code: c.level for c in member_checks(visit, personas["expert"])}
    assert levels["external_papers"] == BLOCK


def test_it_lets_an_external_expert_with_both_papers_through(team, personas):
    head, _ = team
    expert = personas["expert"]
    make_profile(
        expert,
        head,
        is_external=True,
        terms_of_reference_on=dt.date(2025, 1, 1),
        undertaking_signed_on=dt.date(2025, 1, 2),
    )
    visit = make_visit(head)
    assert not [c for c in member_checks(visit, expert) if c.blocks]


# -- training ----------------------------------------------------------------------


def test_it_proposes_the_missing_training_by_name(team):
    head, monitor = team
    visit = make_visit(head, place=PlaceFactory(category=CategoryFactory(code="juvenile")))
    add_member(visit, monitor, head)
    items = member_items(visit, monitor, "training_childrens-rights")
    assert [c.level for c in items] == [WARNING]
    assert "Children's rights in detention" in items[0].message


def test_it_proposes_training_for_a_group_held(team):
    head, monitor = team
    visit = make_visit(head, place=PlaceFactory(groups=["women"]))
    add_member(visit, monitor, head)
    assert member_items(visit, monitor, "training_gender-sensitive")


def test_it_stops_proposing_a_training_once_taken(team):
    head, monitor = team
    TrainingRecord.objects.create(
        user=monitor,
        training=Training.objects.get(code="childrens-rights"),
        completed_on=dt.date(2024, 5, 1),
        recorded_by=head,
    )
    visit = make_visit(head, place=PlaceFactory(category=CategoryFactory(code="juvenile")))
    add_member(visit, monitor, head)
    assert member_items(visit, monitor, "training_childrens-rights") == []


def test_it_warns_that_a_person_without_a_profile_cannot_be_checked(personas):
    head = personas["head"]
    visit = make_visit(head)
    levels = {c.code: c.level for c in member_checks(visit, personas["monitor"])}
    assert levels["no_profile"] == WARNING


def test_a_block_overridden_is_no_longer_unresolved(team, personas):
    head, monitor = team
    place = PlaceFactory()
    make_profile(monitor, head, conflict_places=[place])
    visit = make_visit(head, place=place)
    add_member(visit, monitor, head, override_reason="Only Arabic speaker available.")
    report = check_team(visit)
    member = next(m for m in report.members if m.user == monitor)
    assert member.blocks and member.overridden and not member.unresolved_blocks
