"""Crypto-erase confidential records kept past their retention (SECURITY.md test 25).

The retention of each kind of record is `settings.HABEAS_RETENTION_DAYS`; the work is done
by `habeas.core.retention.purge_expired`. Records under legal hold are left untouched
and listed. Run it daily (a cron job or a systemd timer).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from habeas.core import retention


class Command(BaseCommand):
    help = "Crypto-erase closed records kept longer than their retention allows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be erased; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        report = retention.purge_expired(
            dry_run=dry_run,
            progress=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None,
        )
        verb = "would be erased" if dry_run else "erased"
        for kind in report.kinds:
            parts = ", ".join(f"{n} {label}" for label, n in sorted(kind.parts.items()))
            self.stdout.write(
                f"{kind.label} (kept {kind.retention_days} days after closing): "
                f"{len(kind.erased)} {verb}" + (f", with {parts}" if parts else "") + "."
            )
            if kind.held:
                self.stdout.write(
                    self.style.WARNING(
                        f"{kind.label}: {len(kind.held)} past retention but under legal hold, "
                        f"left untouched: {', '.join(kind.held)}."
                    )
                )
        summary = (
            f"{'Dry run: ' if dry_run else ''}{report.erased} records {verb} "
            f"({report.parts} parts), {report.held} held."
        )
        self.stdout.write(self.style.SUCCESS(summary))
