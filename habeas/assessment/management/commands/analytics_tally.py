"""Rebuild the findings tally of the analytics (¶34); run it after a bulk import, or
nightly from cron as a safety net beside the jobs that pages queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from habeas.assessment.analytics_tally import tally_rebuild


class Command(BaseCommand):
    help = "Recount the findings tally behind the analytics heatmap and trends."

    def handle(self, *args: Any, **options: Any) -> None:
        result = tally_rebuild()
        self.stdout.write(
            f"Findings tally rebuilt: {result.findings} findings in {result.rows} rows "
            f"(generation {result.generation})."
        )
