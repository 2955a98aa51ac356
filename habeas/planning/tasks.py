"""Background jobs of planning (¶10, 11): building a visit programme, proposing its teams.

Run by `manage.py db_worker` in development and production, at once in tests. The jobs
never raise: `services.programme_solve` ends every build BUILT or FAILED, and
`services_teams.teams_solve` every team proposal, with one plain sentence for people and the
cause in the log for the administrator.
"""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from habeas.planning import services, services_risk, services_teams


@task()
def programme_solve(*, programme_id: int, language: str = "en") -> None:
    """Build a queued programme: 10 % (instance read), 50 % (solved), 90 % (written), 100 %."""
    with translation.override(language):
        services.programme_solve(programme_id=programme_id)


@task()
def teams_solve(*, programme_id: int, language: str = "en") -> int:
    """Propose a team for every planned visit of a programme whose teams are queued,
    searching for the programme's time limit; the number of proposals written."""
    with translation.override(language):
        return services_teams.teams_solve(programme_id=programme_id)


@task()
def risk_refresh() -> int:
    """A snapshot of every open place's score with the weights now in use (after the head
    saves new weights, so the risk list is ranked by them without waiting for the night)."""
    return services_risk.risk_refresh(actor=None)
