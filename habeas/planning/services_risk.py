"""Writes of the risk model (¶10): a new version of the weights, and the snapshots that
make each place's history.

Each service is keyword-only, checks the actor's right first, runs in one transaction
and writes one audit event that holds no content (ARCHITECTURE.md rules 1, 5, 6).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.errors import StaleEdit
from habeas.core.services import require
from habeas.planning import risk
from habeas.planning.models import Factor, RiskSnapshot, RiskWeights

MAX_WEIGHT = 100.0
NOTE_LENGTH = 300  # RiskWeights.note
BATCH = 1000


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def weights_clean(weights: Mapping[str, Any]) -> dict[str, float]:
    """Every factor's weight, each a number from 0 to 100; the errors factor by factor."""
    errors: dict[str, str] = {}
    cleaned: dict[str, float] = {}
    for name in Factor.values:
        if name not in weights or weights[name] in (None, ""):
            errors[name] = _("Give a weight for this factor (0 leaves it out).")
            continue
        number = _number(weights[name])
        if number is None or not 0 <= number <= MAX_WEIGHT:
            errors[name] = _("Give a number from 0 to 100.")
            continue
        cleaned[name] = round(number, 2)
    for name in sorted(set(weights) - set(Factor.values)):
        errors[name] = _("There is no such factor.")
    if not errors and not any(cleaned.values()):
        errors["__all__"] = _("At least one factor needs a weight above 0.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def weights_save(
    *,
    actor: Any,
    weights: Mapping[str, Any],
    note: str,
    expected_number: int | None = None,
) -> RiskWeights:
    """Save the weights as a new version; every earlier version is kept.

    `expected_number` is the version the editor started from: if someone saved another
    meanwhile, `StaleEdit` is raised (and audited) and nothing is written.
    """
    require(actor, "planning.weights")
    cleaned = weights_clean(weights)
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    latest = risk.current_weights()
    try:
        with transaction.atomic():
            latest = RiskWeights.objects.order_by("-number")[0]
            if expected_number is not None and latest.number != expected_number:
                raise StaleEdit(latest.number)
            saved = RiskWeights.objects.create(
                number=latest.number + 1, weights=cleaned, note=note, created_by=actor
            )
            audit.record(
                actor=actor,
                action="planning.weights_save",
                obj=saved,
                detail={"number": saved.number, "previous": latest.number},
            )
            # The list ranks places by the latest snapshot taken with the weights in use:
            # take one with the new weights in the background (seconds at 20,000 places).
            transaction.on_commit(_enqueue_refresh)
    except (StaleEdit, IntegrityError) as refused:
        # Two saves from the same version: the one whose number is taken loses.
        current = RiskWeights.objects.order_by("-number").values_list("number", flat=True)[0]
        audit.record(
            actor=actor,
            action="planning.weights_save_stale",
            obj=latest,
            detail={"expected_number": expected_number, "current_number": current},
        )
        raise StaleEdit(current) from refused
    return saved


def _enqueue_refresh() -> None:
    from habeas.planning.tasks import risk_refresh as job

    job.enqueue()


def _moment(today: dt.date | None) -> dt.datetime:
    now = timezone.now()
    if today is None or today == timezone.localdate(now):
        return now
    noon = dt.datetime.combine(today, dt.time(12))
    return timezone.make_aware(noon, timezone.get_current_timezone())


@transaction.atomic
def risk_refresh(*, actor: Any | None, today: dt.date | None = None) -> int:
    """Write one snapshot of the score of every open place with the current weights (the
    history the breakdown page draws). `actor=None` is the scheduled command."""
    if actor is not None:
        require(actor, "planning.change")
    day = today or timezone.localdate()
    weights = risk.current_weights()
    scores = risk.compute(place_ids=None, today=day, weights=weights.weights)
    at = _moment(today)
    snapshots = [
        RiskSnapshot(
            place_id=pk,
            weights=weights,
            computed_at=at,
            score=place.score,
            breakdown=[factor.as_json() for factor in place.factors],
        )
        for pk, place in scores.items()
    ]
    RiskSnapshot.objects.bulk_create(snapshots, batch_size=BATCH)
    audit.record(
        actor=actor,
        action="planning.risk_refresh",
        obj=weights,
        detail={"places": len(snapshots), "day": day.isoformat(), "weights": weights.number},
    )
    return len(snapshots)
