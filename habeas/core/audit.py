"""Writing and verifying the hash-chained audit trail (ARCHITECTURE.md rule 5).

Each event's hash covers the previous event's hash and the event's own fields, so an
edited, removed or reordered row breaks the chain at that point. Events carry who,
role, action, object and time, never the content of a confidential field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from habeas.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        [
            event.at.isoformat(),
            event.actor_id,
            event.actor_label,
            event.role,
            event.action,
            event.object_type,
            event.object_id,
            event.detail,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _new_event(
    *, actor: Any, action: str, obj: models.Model | None, detail: dict | None
) -> AuditEvent:
    object_type, object_id = _object_ref(obj)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_label=getattr(user, "email", "") if user else "",
        role=getattr(user, "role", "") if user else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
    )


def record(
    *, actor: Any, action: str, obj: models.Model | None = None, detail: dict | None = None
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction."""
    return record_many([_new_event(actor=actor, action=action, obj=obj, detail=detail)])[0]


def event(*, actor: Any, action: str, obj: models.Model | None = None, detail: dict | None = None):
    """Build an unsaved event for `record_many` (bulk imports)."""
    return _new_event(actor=actor, action=action, obj=obj, detail=detail)


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        for item in events:
            item.prev_hash = prev
            item.hash = _digest(prev, item)
            prev = item.hash
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        AuditHead.objects.filter(pk=1).update(last_hash=prev, count=models.F("count") + len(events))
    return events


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


def verify(events: Iterable[AuditEvent] | None = None) -> ChainBreak | None:
    """Return the first broken link of the chain, or None when it is intact."""
    prev = GENESIS
    count = 0
    for item in events if events is not None else _all_events():
        if item.prev_hash != prev:
            return ChainBreak(
                item.pk, "previous hash does not match: a row was removed or reordered"
            )
        if _digest(prev, item) != item.hash:
            return ChainBreak(item.pk, "hash does not match the row: the row was edited")
        prev = item.hash
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    if events is None and head is not None and (head.last_hash != prev or head.count != count):
        return ChainBreak(None, "the chain's end does not match its head: rows were removed")
    return None


def _all_events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=5000)
