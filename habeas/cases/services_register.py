"""Writes to the national register of allegations and proceedings (¶27).

Each service is keyword-only, checks the actor's right first, runs in one transaction
and writes one audit event (ARCHITECTURE.md rule 1). Only the fields named in
`ENTRY_FIELDS` are ever written. An entry may link to a case file, but only to one the
actor can see, and a link to a case the actor cannot see is left as it is.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.cases.models import Case, RegisterEntry
from habeas.cases.selectors_register import STAGES
from habeas.core import audit
from habeas.core.services import require
from habeas.core.services import stale_guarded as _stale_guarded
from habeas.core.services import versioned_update as _versioned_update
from habeas.places.models import Authority, Place, Region

ENTRY_FIELDS = (
    "agency",
    "place",
    "category",
    "region",
    "alleged_on",
    "complaint_on",
    "investigation_on",
    "prosecution_on",
    "decision_on",
    "classification",
    "outcome",
    "sanction",
    "reparation",
    "legislation_ref",
    "case",
)
DATE_FIELDS = tuple(name for name, _label in STAGES)
REFERENCE_ATTEMPTS = 5


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields the register writes, so extra keys are never mass-assigned."""
    return {name: data[name] for name in ENTRY_FIELDS if name in data}


def stage_order_errors(dates: Mapping[str, dt.date | None]) -> dict[str, list[Any]]:
    """Each step that comes before an earlier one, or after today, with why.

    Steps may be skipped (a prosecution without a recorded investigation), but those
    recorded must follow one another: a decision cannot precede the complaint.
    """
    errors: dict[str, list[Any]] = {}
    today = timezone.localdate()
    for position, (name, label) in enumerate(STAGES):
        on = dates.get(name)
        if on is None:
            continue
        if on > today:
            errors.setdefault(name, []).append(
                _("The date of the %(step)s cannot be in the future.") % {"step": label}
            )
        for earlier, earlier_label in reversed(STAGES[:position]):
            before = dates.get(earlier)
            if before is not None and on < before:
                errors.setdefault(name, []).append(
                    _("The %(step)s cannot come before the %(earlier)s (%(date)s).")
                    % {"step": label, "earlier": earlier_label, "date": before.isoformat()}
                )
                break
    return errors


def _check(values: Mapping[str, Any], *, actor: Any) -> None:
    """Refuse dates out of order and records the actor may not see."""
    errors = stage_order_errors({name: values.get(name) for name in DATE_FIELDS})
    visible: dict[str, Any] = {"agency": Authority, "place": Place, "region": Region, "case": Case}
    for name, model in visible.items():
        record = values.get(name)
        if record is not None and not (
            model.objects.restrict(actor, "view").filter(pk=record.pk).exists()
        ):
            errors.setdefault(name, []).append(_("Choose one from the list."))
    if errors:
        raise ValidationError(errors)


def _from_place(values: dict[str, Any]) -> None:
    """The category and region default to the place's own."""
    place = values.get("place")
    if place is None:
        return
    if values.get("category") is None:
        values["category"] = place.category
    if values.get("region") is None:
        values["region"] = place.region


def _case_visible(actor: Any, case_id: Any) -> bool:
    return case_id is None or Case.objects.restrict(actor, "view").filter(pk=case_id).exists()


def _next_reference() -> str:
    """R-2026-0001, R-2026-0002…: sequential per year of entry."""
    stem = f"R-{timezone.localdate().year}-"
    last = (
        RegisterEntry.objects.filter(reference__startswith=stem)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:04d}"


def register_entry_create(*, actor: Any, data: Mapping[str, Any]) -> RegisterEntry:
    """Record an allegation in the register, with the proceedings known so far."""
    require(actor, "register.change")
    values = _plain(data)
    _from_place(values)
    _check(values, actor=actor)
    with transaction.atomic():
        entry = _insert(actor=actor, values=values)
        audit.record(actor=actor, action="cases.register.create", obj=entry)
    return entry


def _insert(*, actor: Any, values: dict[str, Any]) -> RegisterEntry:
    """Insert under the next free reference; two entries made at once retry the later."""
    for attempt in range(REFERENCE_ATTEMPTS):
        entry = RegisterEntry(reference=_next_reference(), created_by=actor, **values)
        entry.full_clean(exclude=["created_by", "reference"])
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
        else:
            return entry
    raise AssertionError("unreachable")  # pragma: no cover


def register_entry_update(
    *, actor: Any, entry: RegisterEntry, data: Mapping[str, Any], expected_version: int
) -> RegisterEntry:
    """Edit an entry; a stale version is refused (409) and audited.

    The link to a case changes only for someone who can see the case linked now, so no
    one unlinks a case they do not know of.
    """
    if not RegisterEntry.objects.restrict(actor, "change").filter(pk=entry.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    values = _plain(data)
    if not _case_visible(actor, entry.case_id):
        values.pop("case", None)
    merged = {name: getattr(entry, name) for name in ENTRY_FIELDS} | values
    if values.get("place") is not None:
        # A new place brings its own category and region unless others are given.
        merged.update({name: values.get(name) for name in ("category", "region")})
    _from_place(merged)
    values.update({name: merged[name] for name in ("category", "region")})
    _check(values | {name: merged[name] for name in DATE_FIELDS}, actor=actor)
    probe = copy.copy(entry)
    for name, value in values.items():
        setattr(probe, name, value)
    probe.full_clean(exclude=["created_by", "reference"], validate_unique=False)
    with _stale_guarded("cases.register.update", entry, actor, expected_version):
        changed = _versioned_update(
            model=RegisterEntry, obj=entry, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="cases.register.update", obj=entry, detail={"fields": changed}
        )
    return entry
