"""Background jobs of planning (¶10): building a visit programme.

Run by `manage.py db_worker` in development and production, at once in tests. The job
never raises: `services.programme_solve` ends every build BUILT or FAILED, with one plain
sentence for people and the cause in the log for the administrator.
"""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from habeas.planning import services


@task()
def programme_solve(*, programme_id: int, language: str = "en") -> None:
    """Build a queued programme: 10 % (instance read), 50 % (solved), 90 % (written), 100 %."""
    with translation.override(language):
        services.programme_solve(programme_id=programme_id)
