"""Record today's risk score of every open place (the history shown on each place's
breakdown); run it nightly from cron. Each run adds one snapshot per open place."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from habeas.planning.services_risk import risk_refresh


class Command(BaseCommand):
    help = "Record the risk score of every open place with the weights in use (the history)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Score as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today takes a date written YYYY-MM-DD.") from error
        started = time.perf_counter()
        count = risk_refresh(actor=None, today=today)
        seconds = time.perf_counter() - started
        self.stdout.write(f"Risk scores recorded for {count} open places in {seconds:.1f} s.")
