"""Alert the teams of reprisal watches whose checks are overdue (¶25); run it daily.

Each overdue check is alerted once; the notice names the watch's reference and the
date due, never a name or a note. Safe to run more than once a day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from habeas.cases.services_watches import overdue_alerts_send


class Command(BaseCommand):
    help = "E-mail the grantees of each reprisal watch with a check overdue, once per check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today takes a date written YYYY-MM-DD.") from error
        sent = overdue_alerts_send(today=today)
        self.stdout.write(f"{sent} overdue check(s) alerted.")
