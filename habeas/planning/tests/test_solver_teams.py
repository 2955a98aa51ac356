"""The team builder's solver: hard rules, needs, explanations, fairness (¶8, 11).

Pure Python: no database. Instances are small and time limits short.
"""

from __future__ import annotations

import random

from habeas.planning.solver import teams
from habeas.planning.solver.types import (
    CONFLICTS_EXCLUDED,
    NO_CHILD_RIGHTS,
    NO_LANGUAGE,
    NO_MEDICAL,
    NO_MINORITY,
    NO_STAFF_LEAD,
    NO_WOMAN,
    PAPERS_EXCLUDED,
    TEAM_SHORT,
    UNAVAILABLE_EXCLUDED,
    WORKLOAD_LIMIT,
    Person,
    TeamInput,
    TeamResult,
    VisitNeed,
)


def person(key: int, **kwargs) -> Person:
    values = {
        "gender": "woman" if key % 2 else "man",
        "medical": False,
        "child_rights": False,
        "languages": frozenset({"fr"}),
        "minority": False,
        "external": False,
        "papers": True,
        "max_days": 20.0,
    }
    values.update(kwargs)
    return Person(key=key, **values)


def visit(key: int, week: int = 0, **kwargs) -> VisitNeed:
    values = {"days": 1.0, "team_size": 2}
    values.update(kwargs)
    return VisitNeed(key=key, week=week, **values)


def solve(visits, people, conflicts=(), time_limit=2.0) -> TeamResult:
    return teams.solve(
        TeamInput(
            visits=visits, people=people, conflicts=frozenset(conflicts), time_limit=time_limit
        )
    )


def codes(result: TeamResult, key: int) -> set[str]:
    return {item.code for item in result.unmet[key]}


def explanation(items, code):
    return next(item for item in items if item.code == code)


def assert_hard_rules(inp: TeamInput, result: TeamResult) -> None:
    """Every hard rule, checked from the input alone."""
    people = {p.key: p for p in inp.people}
    visits = {v.key: v for v in inp.visits}
    days: dict[int, float] = {}
    weeks: set[tuple[int, int]] = set()
    for key, members in result.members.items():
        need = visits[key]
        assert len(members) <= max(need.team_size, 0)
        assert len(set(members)) == len(members)
        for member in members:
            who = people[member]
            assert (key, member) not in inp.conflicts
            assert not who.external or who.papers
            assert need.week not in who.unavailable_weeks
            assert (member, need.week) not in weeks
            weeks.add((member, need.week))
            days[member] = days.get(member, 0.0) + need.days
    for member, total in days.items():
        assert total <= people[member].max_days + 1e-6


def random_instance(rng: random.Random, n_visits: int, n_people: int, weeks: int) -> TeamInput:
    languages = ["en", "ar", "es"]
    people = [
        person(
            key=100 + j,
            gender=rng.choice(["woman", "man", "man", "other"]),
            medical=rng.random() < 0.2,
            child_rights=rng.random() < 0.2,
            languages=frozenset({"fr", *rng.sample(languages, rng.randint(0, 2))}),
            minority=rng.random() < 0.2,
            external=(external := rng.random() < 0.4),
            papers=not external or rng.random() < 0.6,
            max_days=float(rng.randint(0, 8)),
            unavailable_weeks=frozenset(rng.sample(range(weeks), rng.randint(0, weeks // 2))),
        )
        for j in range(n_people)
    ]
    visits = [
        visit(
            key=i,
            week=rng.randrange(weeks),
            days=rng.choice([0.5, 1.0, 2.0, 3.0]),
            team_size=rng.randint(0, 4),
            medical=rng.random() < 0.3,
            child_rights=rng.random() < 0.2,
            woman=rng.random() < 0.4,
            languages=frozenset(rng.sample(languages, rng.randint(0, 2))),
            minority=rng.random() < 0.2,
        )
        for i in range(n_visits)
    ]
    conflicts = {
        (v.key, p.key) for v in visits for p in people if rng.random() < 0.1
    }  # fmt: skip
    return TeamInput(visits=visits, people=people, conflicts=frozenset(conflicts), time_limit=1.0)


# -- hard rules ----------------------------------------------------------------------


def test_it_never_sends_a_person_with_a_conflict_of_interest():
    people = [person(1), person(2), person(3)]
    result = solve([visit(10, team_size=3)], people, conflicts={(10, 2)})
    assert 2 not in result.members[10]
    assert sorted(result.members[10]) == [1, 3]
    assert explanation(result.binding[10], CONFLICTS_EXCLUDED).params["count"] == 1


def test_it_sends_external_experts_only_with_their_papers():
    people = [person(1), person(2, external=True, papers=False), person(3, external=True)]
    result = solve([visit(10, team_size=3)], people)
    assert sorted(result.members[10]) == [1, 3]
    assert explanation(result.binding[10], PAPERS_EXCLUDED).params["count"] == 1
    assert explanation(result.unmet[10], TEAM_SHORT).params == {"have": 2, "need": 3}


def test_it_never_sends_a_person_in_a_week_they_are_unavailable():
    people = [person(1, unavailable_weeks=frozenset({3})), person(2), person(3)]
    result = solve([visit(10, week=3, team_size=3), visit(11, week=4, team_size=3)], people)
    assert 1 not in result.members[10]
    assert 1 in result.members[11]
    assert explanation(result.binding[10], UNAVAILABLE_EXCLUDED).params["count"] == 1


def test_it_puts_a_person_on_one_visit_a_week():
    people = [person(1), person(2)]
    result = solve([visit(10, week=0), visit(11, week=0), visit(12, week=1)], people)
    week0 = result.members[10] + result.members[11]
    assert sorted(week0) == [1, 2]
    assert sorted(result.members[12]) == [1, 2]


def test_it_keeps_each_person_within_their_days():
    people = [person(1, max_days=3.0), person(2, max_days=3.0)]
    visits = [visit(10 + w, week=w, days=2.0) for w in range(3)]
    inp = TeamInput(visits=visits, people=people, conflicts=frozenset(), time_limit=2.0)
    result = teams.solve(inp)
    assert_hard_rules(inp, result)
    assert sum(len(m) for m in result.members.values()) == 2
    assert any(item.code == WORKLOAD_LIMIT for items in result.binding.values() for item in items)


def test_it_never_makes_a_team_larger_than_asked():
    people = [person(j) for j in range(1, 7)]
    result = solve([visit(10, team_size=2), visit(11, week=1, team_size=0)], people)
    assert len(result.members[10]) == 2
    assert result.members[11] == []
    assert result.unmet[11] == []


# -- needs ---------------------------------------------------------------------------


def test_it_gives_a_medical_member_where_one_is_needed():
    people = [person(1), person(2), person(3), person(4, medical=True)]
    result = solve([visit(10, team_size=2, medical=True)], people)
    assert 4 in result.members[10]
    assert result.unmet[10] == []


def test_it_says_no_medical_member_when_no_doctor_is_free_that_week():
    people = [person(1), person(2), person(3, medical=True, unavailable_weeks=frozenset({0}))]
    result = solve([visit(10, team_size=2, medical=True)], people)
    assert NO_MEDICAL in codes(result, 10)
    assert explanation(result.unmet[10], NO_MEDICAL).params == {"eligible": 0, "free": 0}


def test_it_says_no_woman_where_women_are_held_and_none_can_go():
    people = [person(2, gender="man"), person(4, gender="man"), person(5, gender="woman")]
    result = solve([visit(10, team_size=2, woman=True)], people, conflicts={(10, 5)})
    assert NO_WOMAN in codes(result, 10)
    assert teams.GENDER_UNBALANCED in codes(result, 10)


def test_it_sends_a_woman_where_women_are_held():
    people = [person(2, gender="man"), person(4, gender="man"), person(5, gender="woman")]
    result = solve([visit(10, team_size=2, woman=True)], people)
    assert 5 in result.members[10]
    assert result.unmet[10] == []


def test_it_finds_the_languages_spoken_by_the_people_held():
    people = [person(1), person(2), person(3, languages=frozenset({"ar"}))]
    result = solve([visit(10, team_size=2, languages=frozenset({"ar", "ru"}))], people)
    assert 3 in result.members[10]
    missing = [item for item in result.unmet[10] if item.code == NO_LANGUAGE]
    assert [item.params["language"] for item in missing] == ["ru"]


def test_it_asks_for_children_s_rights_and_minority_members_where_needed():
    people = [person(1), person(2, child_rights=True), person(3, minority=True), person(4)]
    result = solve([visit(10, team_size=3, child_rights=True, minority=True)], people)
    assert {2, 3} <= set(result.members[10])
    result = solve([visit(10, team_size=2, child_rights=True, minority=True)], people[:1])
    assert {NO_CHILD_RIGHTS, NO_MINORITY, TEAM_SHORT} <= codes(result, 10)


def test_it_balances_genders():
    people = [person(1, gender="man"), person(2, gender="man"), person(3, gender="woman")]
    result = solve([visit(10, team_size=2)], people)
    assert 3 in result.members[10]
    assert result.unmet[10] == []


def test_it_keeps_a_scarce_doctor_for_the_visit_that_needs_one():
    # The doctor has days for one visit only; the first visit of the period does not need one.
    people = [person(1), person(2), person(3, medical=True, max_days=2.0)]
    visits = [visit(10, week=0, days=2.0), visit(11, week=1, days=2.0, medical=True)]
    result = solve(visits, people)
    assert 3 in result.members[11]
    assert result.unmet[11] == []


# -- the head of delegation ----------------------------------------------------------


def test_it_proposes_a_staff_member_to_lead():
    people = [person(1, external=True), person(2, external=True), person(9)]
    result = solve([visit(10, team_size=3)], people)
    assert result.members[10][0] == 9
    assert NO_STAFF_LEAD not in codes(result, 10)


def test_it_says_when_no_staff_member_can_lead():
    people = [person(1, external=True), person(2, external=True), person(9)]
    result = solve([visit(10, team_size=2)], people, conflicts={(10, 9)})
    assert sorted(result.members[10]) == [1, 2]
    assert NO_STAFF_LEAD in codes(result, 10)


# -- fairness ------------------------------------------------------------------------


def test_two_equal_people_share_the_load():
    people = [person(1, gender="other"), person(2, gender="other")]
    visits = [visit(10 + w, week=w, team_size=1) for w in range(4)]
    result = solve(visits, people)
    counts = {1: 0, 2: 0}
    for members in result.members.values():
        assert len(members) == 1
        counts[members[0]] += 1
    assert counts == {1: 2, 2: 2}


def test_fairness_counts_shares_of_each_person_s_days():
    # A half-time colleague should get half the visits, not the same number.
    people = [person(1, gender="other", max_days=12), person(2, gender="other", max_days=6)]
    visits = [visit(10 + w, week=w, team_size=1) for w in range(6)]
    result = solve(visits, people)
    counts = {1: 0, 2: 0}
    for members in result.members.values():
        counts[members[0]] += 1
    assert counts == {1: 4, 2: 2}


# -- odd input -----------------------------------------------------------------------


def test_it_explains_instead_of_failing_when_there_is_nobody():
    result = solve([visit(10, team_size=2, medical=True, woman=True)], [])
    assert result.members == {10: []}
    assert {TEAM_SHORT, NO_MEDICAL, NO_WOMAN, NO_STAFF_LEAD} <= codes(result, 10)
    assert result.objective == result.initial_objective > 0


def test_it_answers_an_empty_period_with_an_empty_plan():
    result = solve([], [person(1)])
    assert result.members == {} and result.unmet == {} and result.binding == {}
    assert result.objective == 0
    assert result.solver == "greedy"


def test_it_survives_odd_figures():
    people = [person(1, max_days=-3), person(1), person(2, max_days=float("nan"))]
    visits = [visit(10, days=-1.0, team_size=-2), visit(10), visit(11, week=-5, days=0.0)]
    people.append(person(3, languages=None, unavailable_weeks=frozenset({"x", 1.5})))
    visits.append(visit(12, week=2, languages=frozenset({"ar"})))
    conflicts = frozenset({(99, 1), (10, 77), "junk", (11,)})
    inp = TeamInput(visits=visits, people=people, conflicts=conflicts, time_limit=-1)
    result = teams.solve(inp)
    assert set(result.members) == {10, 11, 12}
    assert result.members[10] == []  # the first visit 10 asks for no team; the duplicate is dropped
    assert result.members[12] == [3]  # person 1 has no days, person 2 none that count
    assert NO_LANGUAGE in codes(result, 12)


# -- the optimisation ----------------------------------------------------------------


def test_the_improved_plan_is_never_worse_than_the_greedy_and_keeps_the_time_limit():
    inp = random_instance(random.Random(7), n_visits=40, n_people=18, weeks=5)
    inp.time_limit = 3.0
    result = teams.solve(inp)
    assert_hard_rules(inp, result)
    assert result.objective <= result.initial_objective + 1e-9
    assert result.solve_seconds < inp.time_limit + 1.0
    assert result.initial_seconds < 1.0


def test_it_keeps_the_only_arabic_speaker_for_the_visit_that_needs_her():
    people = [
        person(1, languages=frozenset({"fr", "ar"}), max_days=2.0),
        person(2, max_days=10.0),
        person(3, max_days=10.0),
    ]
    visits = [
        visit(10, week=0, days=2.0, team_size=1),
        visit(11, week=1, days=2.0, team_size=2, languages=frozenset({"ar"})),
    ]
    result = solve(visits, people, time_limit=5.0)
    assert 1 in result.members[11]
    assert result.unmet[11] == []


def test_the_solvers_improve_on_the_greedy_plan():
    inp = random_instance(random.Random(7), n_visits=40, n_people=18, weeks=5)
    inp.time_limit = 3.0
    result = teams.solve(inp)
    assert result.solver in {"highs", "cp-sat"}
    assert result.objective < result.initial_objective - 1


def test_its_objective_is_what_it_says():
    people = [person(1, gender="other"), person(2, gender="other")]
    result = solve([visit(10, team_size=3, days=2.0)], people)
    short = teams.W_MEMBER + teams.W_MEMBER_DAY * 2.0
    assert result.objective == short  # one member missing; fairness even
    assert explanation(result.unmet[10], TEAM_SHORT).params == {"have": 2, "need": 3}


def test_it_stops_early_when_nothing_can_improve():
    # Two people with a day each for thirty visits: the plan is proven best long before 30 s.
    people = [person(1, max_days=1.0), person(2, max_days=1.0)]
    visits = [visit(10 + i, week=i % 10) for i in range(30)]
    result = solve(visits, people, time_limit=30.0)
    assert result.solve_seconds < 10
    assert sum(len(members) for members in result.members.values()) == 2
