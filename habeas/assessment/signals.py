"""Keep the findings tally honest (¶34): any change to a finding, a visit or a place makes
it stale, in the writer's own transaction, so the analytics count live until it is
rebuilt (see `habeas.assessment.analytics_tally`).

Bulk writes (`QuerySet.update`, `bulk_create`) send no signal: code that writes findings,
visits or places in bulk calls `analytics_tally.tally_bump()` itself, or the operator runs
`manage.py analytics_tally` afterwards.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from habeas.assessment.analytics_tally import tally_bump

WATCHED = ("visits.Finding", "visits.Visit", "places.Place")


def tally_stale(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures loaded as they are
    tally_bump()


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(tally_stale, sender=model, dispatch_uid=f"tally-save-{label}")
        post_delete.connect(tally_stale, sender=model, dispatch_uid=f"tally-delete-{label}")
