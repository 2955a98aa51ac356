"""Send the recommendations' reminders and escalations due today; run it daily from cron.

Each notice is sent once, however often the command runs; a day missed is caught up at
the next run. `--enqueue` hands the work to the jobs worker (`db_worker`) instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from habeas.recommendations.followup import recommendation_followup_run
from habeas.recommendations.tasks import recommendation_followup


class Command(BaseCommand):
    help = "Send the reminders and escalations of recommendations due today (safe to repeat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the job for the jobs worker (db_worker) instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today takes a date written YYYY-MM-DD.") from error
        if options.get("enqueue"):
            result = recommendation_followup.enqueue(today_iso=today.isoformat())
            self.stdout.write(f"Follow-up job queued for {today.isoformat()} ({result.id}).")
            return
        summary = recommendation_followup_run(today=today)
        self.stdout.write(str(summary))
