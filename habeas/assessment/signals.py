"""Keep the findings tally honest (¶34): any change to a finding, a visit or a place makes
it stale, in the writer's own transaction, so the analytics count live until it is
rebuilt (see `habeas.assessment.analytics_tally`).

Two kinds of writes reach these tables:

- `save()` and `delete()` (deletes include cascades): Django's post_save / post_delete
  signals;
- `QuerySet.update()`, which the services use for versioned edits (`versioned_update`)
  and state changes (`visit_move`, `place_close`) and which sends no signal: the update
  method of these three models' querysets is wrapped once, at start-up, to mark the
  tally stale when it changed a row.

Writes that bypass both (`bulk_create`, raw SQL such as the places import's batched
INSERT/UPDATE) must call `analytics_tally.tally_bump()` themselves, or the operator runs
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


def _watch_updates(queryset_class: type) -> None:
    """Wrap `update` of a queryset class shared, maybe, with other models: only rows of
    the watched models make the tally stale."""
    original = queryset_class.update  # type: ignore[attr-defined]
    if getattr(original, "tally_watched", False):
        return

    def update(self: Any, **kwargs: Any) -> int:
        rows = original(self, **kwargs)
        if rows and self.model._meta.label in WATCHED:
            tally_bump()
        return rows

    update.tally_watched = True  # type: ignore[attr-defined]
    queryset_class.update = update  # type: ignore[attr-defined]


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(tally_stale, sender=model, dispatch_uid=f"tally-save-{label}")
        post_delete.connect(tally_stale, sender=model, dispatch_uid=f"tally-delete-{label}")
        _watch_updates(type(model._default_manager.get_queryset()))
