"""Retention: crypto-erasure of confidential records kept past their time (SECURITY.md 25).

`settings.HABEAS_RETENTION_DAYS` names, per record kind (`app_label.model`), how many
days after it was closed a record is kept. Such a kind must be a `SealedModel` with a
`closed_at` field. Past that, the record is crypto-erased (`SealedModel.crypto_erase`):
its data keys are destroyed and its ciphertext blanked, with every sealed record that
belongs to it.

What belongs to a record is found generically: a sealed record whose foreign key to it
cascades on delete (`on_delete=CASCADE`) lives and dies with it, so it is erased with
it, and so on down (a case's medical examinations, their attachments, its referrals; a
watch's checks). A protected link (`PROTECT`, `SET_NULL`) marks a record with a life of
its own (a case opened from a watch, a register entry), which keeps its own retention.
New apps thus need no hook: declaring the foreign key is enough.

A record under legal hold, or with any part under legal hold, is never erased; it is
counted and reported. Each erasure is one transaction with one audit event that names
the record and counts its parts, never its content.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from habeas.core import audit
from habeas.core.crypto import LegalHold, SealedModel

CHUNK = 200


@dataclass
class KindReport:
    """What a purge did, or would do, to one kind of record."""

    label: str
    retention_days: int
    erased: list[str] = field(default_factory=list)  # references (or ids) only
    held: list[str] = field(default_factory=list)
    parts: Counter[str] = field(default_factory=Counter)


@dataclass
class PurgeReport:
    dry_run: bool
    kinds: list[KindReport] = field(default_factory=list)

    @property
    def erased(self) -> int:
        return sum(len(kind.erased) for kind in self.kinds)

    @property
    def held(self) -> int:
        return sum(len(kind.held) for kind in self.kinds)

    @property
    def parts(self) -> int:
        return sum(sum(kind.parts.values()) for kind in self.kinds)


def policies() -> dict[type[SealedModel], int]:
    """The kinds of record that have a retention, checked against the models."""
    result: dict[type[SealedModel], int] = {}
    for label, days in (getattr(settings, "HABEAS_RETENTION_DAYS", {}) or {}).items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"HABEAS_RETENTION_DAYS names {label!r}, which is not a model."
            ) from exc
        if not issubclass(model, SealedModel):
            raise ImproperlyConfigured(
                f"HABEAS_RETENTION_DAYS names {label!r}, which has no sealed fields to erase."
            )
        names = {f.name for f in model._meta.concrete_fields}
        if "closed_at" not in names:
            raise ImproperlyConfigured(
                f"HABEAS_RETENTION_DAYS names {label!r}, which has no closed_at field."
            )
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            raise ImproperlyConfigured(
                f"HABEAS_RETENTION_DAYS[{label!r}] must be a whole number of days."
            )
        result[model] = days
    return result


def expired(model: type[SealedModel], days: int, *, now: dt.datetime | None = None) -> Any:
    """Records of `model` closed more than `days` ago and not yet erased."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    closed = {"closed_at__isnull": False, "closed_at__lt": cutoff}  # checked by policies()
    return model._base_manager.filter(erased_at__isnull=True, **closed).order_by("pk")


# -- what belongs to a record ----------------------------------------------------------


def _cascading(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(child model, its foreign key's name) for each kind of row deleted with `model`'s."""
    return [
        (cast(type[models.Model], rel.related_model), rel.field.name)
        for rel in model._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and rel.on_delete is models.CASCADE
    ]


def _owned_relations(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """The cascading relations of `model` that lead to sealed records: its parts."""
    return [(child, link) for child, link in _cascading(model) if _reaches_sealed(child)]


@cache
def _reaches_sealed(model: type[models.Model]) -> bool:
    """Whether `model`, or something it owns, has sealed fields (cached per model)."""
    return _reaches(model, frozenset())


def _reaches(model: type[models.Model], seen: frozenset[type[models.Model]]) -> bool:
    if issubclass(model, SealedModel):
        return True
    if model in seen:
        return False
    return any(_reaches(child, seen | {model}) for child, _ in _cascading(model))


def sealed_parts(record: models.Model) -> Iterator[SealedModel]:
    """Every sealed record that belongs to `record`, at any depth (not `record` itself)."""
    for child_model, link in _owned_relations(type(record)):
        children = child_model._base_manager.filter(**{link: record.pk})
        for child in list(children.order_by("pk")):
            if isinstance(child, SealedModel):
                yield child
            yield from sealed_parts(child)


# -- erasure -----------------------------------------------------------------------------


def _label(record: models.Model) -> str:
    return str(getattr(record, "reference", "") or record.pk)


def record_erase(*, record: SealedModel, actor: Any = None, reason: str = "retention") -> Counter:
    """Crypto-erase `record` and its sealed parts in one transaction, with one audit event.

    Raises `LegalHold`, and changes nothing, if the record or one of its parts is held.
    Returns how many parts of each kind were erased.
    """
    with transaction.atomic():
        model = type(record)
        fresh = model._base_manager.select_for_update().get(pk=record.pk)
        if fresh.erased_at is not None:  # erased meanwhile by another run
            record.erased_at = fresh.erased_at
            return Counter()
        parts = [part for part in sealed_parts(fresh) if part.erased_at is None]
        if fresh.legal_hold or any(part.legal_hold for part in parts):
            raise LegalHold(str(record.pk))
        counts: Counter[str] = Counter()
        for part in parts:
            part.crypto_erase()
            counts[part._meta.label_lower] += 1
        fresh.crypto_erase()
        audit.record(
            actor=actor,
            action="retention.erase",
            obj=fresh,
            detail={"reason": reason, "parts": dict(sorted(counts.items()))},
        )
    record.erased_at = fresh.erased_at
    for sealed in record.sealed_fields():
        setattr(record, sealed.name, b"")
    return counts


def _held(record: SealedModel) -> bool:
    return record.legal_hold or any(
        part.legal_hold for part in sealed_parts(record) if part.erased_at is None
    )


def _records(model: type[SealedModel], pks: list[Any]) -> Iterator[SealedModel]:
    """The records, read a chunk at a time, so no cursor stays open across erasures."""
    for start in range(0, len(pks), CHUNK):
        yield from model._base_manager.filter(pk__in=pks[start : start + CHUNK]).order_by("pk")


def purge_expired(
    *,
    actor: Any = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> PurgeReport:
    """Crypto-erase every record kept past its retention; records on hold are refused.

    Each record is erased in its own transaction, so an interrupted purge keeps what it
    did and the next run finishes the rest.
    """
    now = now or timezone.now()
    report = PurgeReport(dry_run=dry_run)
    for model, days in policies().items():
        kind = KindReport(label=model._meta.label_lower, retention_days=days)
        report.kinds.append(kind)
        for record in _records(
            model, list(expired(model, days, now=now).values_list("pk", flat=True))
        ):
            if dry_run:
                if _held(record):
                    kind.held.append(_label(record))
                else:
                    kind.erased.append(_label(record))
                    for part in sealed_parts(record):
                        if part.erased_at is None:
                            kind.parts[part._meta.label_lower] += 1
                continue
            try:
                counts = record_erase(record=record, actor=actor)
            except LegalHold:
                kind.held.append(_label(record))
                continue
            kind.erased.append(_label(record))
            kind.parts.update(counts)
            if progress is not None:
                progress(f"{kind.label} {_label(record)}: erased")
    if not dry_run and (report.erased or report.held):
        audit.record(
            actor=actor,
            action="retention.purge",
            detail={
                kind.label: {
                    "erased": len(kind.erased),
                    "held": len(kind.held),
                    "parts": sum(kind.parts.values()),
                }
                for kind in report.kinds
            },
        )
    return report
