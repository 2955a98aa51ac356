"""Checks shared by the assessment tool's services (ARCHITECTURE.md rules 1 and 6).

Who may change an assessment, the freeze of a final one, and optimistic locking.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.assessment.models import ActionItem, Assessment, Criterion, Rating

# Re-exported for the assessment services, which import them from here.
from habeas.core.services import require as require
from habeas.core.services import stale_guarded as stale_guarded
from habeas.core.services import versioned_update as versioned_update

M = TypeVar("M", bound=models.Model)

STORAGE_DIR = "assessment"
GAP_LEVELS = frozenset({Rating.Level.NOT_IN_PLACE, Rating.Level.PARTIALLY})
OPEN_ITEM_STATUSES = frozenset({ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS})


class AssessmentFrozen(ValidationError):
    """A write to a final assessment: it is kept as it was finalised."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This assessment is final and can no longer be changed. "
                "Start a revision to change it."
            ),
            code="frozen",
        )


# Shared checks ------------------------------------------------


def require_change(actor: Any, assessment: Assessment) -> None:
    """The actor may change this assessment: its assessors, its makers' head, grantees."""
    if not Assessment.objects.restrict(actor, "change").filter(pk=assessment.pk).exists():
        raise PermissionDenied(_("You may not change this assessment."))


def lock_open(assessment: Assessment) -> Assessment:
    """Lock the assessment's row for this transaction and refuse if it is final.

    Taking the lock serialises a rating saved while someone finalises: whichever comes
    second sees the other's result.
    """
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if current.is_frozen:
        raise AssessmentFrozen()
    return current


def check_criterion(assessment: Assessment, criterion: Criterion) -> None:
    if criterion.framework_version_id != assessment.framework_version_id:
        raise ValidationError(
            {"criterion": _("This criterion is not part of the assessment's framework.")}
        )


def check_period(period_start: dt.date, period_end: dt.date) -> None:
    if period_start > period_end:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})


def bump(assessment: Assessment, **values: Any) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(
        **values, version=models.F("version") + 1, updated_at=timezone.now()
    )
    assessment.refresh_from_db()
