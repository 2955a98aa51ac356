"""The two solvers behind the team builder agree on the same model (¶11)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from habeas.planning.solver import teams, teams_engines
from habeas.planning.tests.test_solver_teams import random_instance


@pytest.mark.parametrize("seed", [3, 11])
def test_highs_and_cp_sat_find_the_same_optimum_of_a_small_period(seed):
    inp = random_instance(random.Random(seed), n_visits=10, n_people=7, weeks=3)
    model = teams.build(inp)
    x0 = teams.greedy(model)
    everything = np.ones(len(model.visits), dtype=np.bool_)
    part, mapping = teams.restrict(model, everything, x0)
    assert (mapping == np.arange(len(model.ev))).all()
    values = []
    for engine in (teams_engines.HighsPart, teams_engines.CpSatPart):
        outcome = engine(part, x0, 20.0, seed).run()
        assert outcome.proven
        assert outcome.plan is not None
        assert teams.hard_rules_hold(model, outcome.plan)
        values.append(teams.objective(model, outcome.plan))
    # CP-SAT counts shares of days in hundredths: it may differ by a rounding.
    assert values[0] == pytest.approx(values[1], abs=0.1)
    assert max(values) <= teams.objective(model, x0) + 1e-9


def test_a_part_sees_the_rest_of_the_period():
    inp = random_instance(random.Random(5), n_visits=16, n_people=8, weeks=4)
    model = teams.build(inp)
    x0 = teams.greedy(model)
    chosen = model.week == 0
    part, mapping = teams.restrict(model, chosen, x0)
    # The part's plan, put back into the whole, keeps every hard rule and scores the same.
    outcome = teams_engines.HighsPart(part, x0[mapping], 20.0, 1).run()
    assert outcome.plan is not None
    whole = x0.copy()
    whole[mapping] = outcome.plan
    assert teams.hard_rules_hold(model, whole)
    held = teams.objective(model, x0) - teams.objective(part, x0[mapping])
    assert teams.objective(model, whole) == pytest.approx(
        held + teams.objective(part, outcome.plan)
    )
    # Days given in other weeks are no longer available inside the part.
    given = teams.loads(model, x0 & ~chosen[model.ev])
    assert np.allclose(part.max_days, np.maximum(model.max_days - given, 0))
