"""The action plan: gaps turned into steps with an owner and a deadline (¶3, 5).

The plan stays open after its assessment is final: it is followed to completion.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.assessment.models import ActionItem, Assessment, Criterion, Rating
from habeas.assessment.services_common import (
    GAP_LEVELS,
    check_criterion,
    require_change,
    stale_guarded,
    versioned_update,
)
from habeas.core import audit


def _check_owner(assessment: Assessment, owner: Any) -> None:
    if not Assessment.objects.restrict(owner, "view").filter(pk=assessment.pk).exists():
        raise ValidationError(
            {"owner": _("The owner must be someone who can see this assessment.")}
        )


@transaction.atomic
def action_item_create(
    *,
    actor: Any,
    assessment: Assessment,
    criterion: Criterion,
    title: str,
    owner: Any,
    deadline: dt.date,
    description: str = "",
) -> ActionItem:
    """Turn a gap (a criterion not or only partially in place) into a step with an owner."""
    require_change(actor, assessment)
    check_criterion(assessment, criterion)
    level = (
        Rating.objects.filter(assessment=assessment, criterion=criterion)
        .values_list("level", flat=True)
        .first()
    )
    if level not in GAP_LEVELS:
        raise ValidationError(
            {"criterion": _("Only a criterion rated not in place or partially in place is a gap.")}
        )
    _check_owner(assessment, owner)
    item = ActionItem(
        assessment=assessment,
        criterion=criterion,
        title=title.strip(),
        description=description,
        owner=owner,
        deadline=deadline,
    )
    item.full_clean()
    item.save()
    audit.record(
        actor=actor,
        action="action_item.create",
        obj=item,
        detail={"assessment": assessment.pk, "criterion": criterion.pk, "owner": owner.pk},
    )
    return item


def action_item_update(
    *,
    actor: Any,
    item: ActionItem,
    status: str,
    expected_version: int,
    owner: Any | None = None,
    deadline: dt.date | None = None,
) -> ActionItem:
    """Follow an item: its status (dated when done), and if given a new owner or deadline."""
    require_change(actor, item.assessment)
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    values: dict[str, Any] = {"status": status}
    if status == ActionItem.Status.DONE:
        values["completed_on"] = item.completed_on or timezone.localdate()
    else:
        values["completed_on"] = None
    if owner is not None:
        _check_owner(item.assessment, owner)
        values["owner"] = owner
    if deadline is not None:
        values["deadline"] = deadline
    with stale_guarded("action_item.update", item, actor, expected_version):
        changed = versioned_update(
            model=ActionItem, obj=item, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="action_item.update",
            obj=item,
            detail={"assessment": item.assessment_id, "status": status, "fields": changed},
        )
    return item
