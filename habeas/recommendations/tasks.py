"""Background jobs of the recommendations module: the daily follow-up (¶22, 24, 31a).

Run by `manage.py db_worker` in production (queued by `recommendation_followup
--enqueue` from cron), at once in tests. The job itself is idempotent: queued twice on
one day, it sends each notice once.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from habeas.recommendations.followup import recommendation_followup_run


@task()
def recommendation_followup(today_iso: str | None = None) -> dict[str, int]:
    """Send the reminders and escalations due on `today_iso` (YYYY-MM-DD; default today)."""
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    return recommendation_followup_run(today=today).as_dict()
