"""Writes of the analytics (¶34): saved views. A view keeps only filters; whoever opens it
sees the figures their own access allows (SavedViewQuerySet)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.assessment.models_analytics import SavedView
from habeas.core import audit
from habeas.core.services import require

MAX_VIEWS_PER_OWNER = 200


@transaction.atomic
def saved_view_create(
    *, actor: Any, name: str, kind: str, params: dict[str, Any], shared: bool = False
) -> SavedView:
    require(actor, "analytics.save")
    if kind not in SavedView.Kind.values:
        raise ValidationError({"kind": _("Choose an analysis from the list.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if SavedView.objects.filter(owner=actor).count() >= MAX_VIEWS_PER_OWNER:
        raise ValidationError(
            _("You have %(n)s saved views already: delete some first.") % {"n": MAX_VIEWS_PER_OWNER}
        )
    view = SavedView.objects.create(owner=actor, name=name, kind=kind, params=params, shared=shared)
    audit.record(
        actor=actor, action="analytics.view_save", obj=view, detail={"kind": kind, "shared": shared}
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor: Any, view: SavedView) -> None:
    require(actor, "analytics.save")
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the person who saved this view may delete it."))
    audit.record(actor=actor, action="analytics.view_delete", obj=view)
    view.delete()
