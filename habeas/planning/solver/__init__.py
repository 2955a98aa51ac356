"""The optimisation behind planning, free of Django: arrays in, arrays out.

`programme.solve(ProgrammeInput) -> ProgrammeResult` builds the visit programme;
`teams.solve(TeamInput) -> TeamResult` builds teams for a programme's visits. Both run
HiGHS and OR-Tools CP-SAT from a greedy start, keep the better result, and enforce their
time limit outside the solvers.
"""

from habeas.planning.solver import quiet as _quiet  # noqa: E402,F401  (the HiGHS banner)
