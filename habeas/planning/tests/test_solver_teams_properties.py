"""Property: on any small instance, the team builder never breaks a hard rule (¶11)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from habeas.planning.solver import teams
from habeas.planning.tests.test_solver_teams import assert_hard_rules, random_instance


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_visits=st.integers(0, 14),
    n_people=st.integers(0, 9),
    weeks=st.integers(1, 4),
)
def test_every_plan_keeps_the_hard_rules(seed, n_visits, n_people, weeks):
    inp = random_instance(random.Random(seed), n_visits, n_people, weeks)
    inp.time_limit = 0.6
    result = teams.solve(inp)
    assert_hard_rules(inp, result)
    assert set(result.members) == {v.key for v in inp.visits}
    assert result.objective <= result.initial_objective + 1e-9
    for key, members in result.members.items():
        lead = members[:1]
        if lead and any(not p.external for p in inp.people if p.key in members):
            assert not next(p for p in inp.people if p.key == lead[0]).external
        need = next(v for v in inp.visits if v.key == key)
        if len(members) < need.team_size:
            assert any(item.code == "team_short" for item in result.unmet[key])
