"""Mail the owners of action-plan items due soon or overdue; run it daily from cron."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from habeas.assessment.reminders import action_item_reminders_send, describe


class Command(BaseCommand):
    help = "Send the action plan's reminders due today (safe to run more than once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today takes a date written YYYY-MM-DD.") from error
        sent = action_item_reminders_send(today=today)
        self.stdout.write(str(describe(sent)))
