"""Recompute the legislation tracker's priorities; run it daily from cron.

A priority counts the days to an item's deadline, so it changes with the date even when
nobody edits the item. Safe to repeat: an unchanged priority is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from habeas.legislation.priority import priorities_refresh


class Command(BaseCommand):
    help = "Recompute every legislation item's priority for today (safe to repeat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today takes a date written YYYY-MM-DD.") from error
        changed = priorities_refresh(today=today)
        self.stdout.write(f"Legislation priorities: {changed} changed.")
