"""Pieces every app's services share: the permission check and optimistic locking
(ARCHITECTURE.md rules 1 and 6)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core import audit
from habeas.core.errors import StaleEdit

M = TypeVar("M", bound=models.Model)


def require(actor: Any, permission: str) -> None:
    """Refuse unless the actor's role grants `permission` (habeas.accounts.roles)."""
    if not roles.can(actor, permission):
        raise PermissionDenied(_("You may not do this."))


def versioned_update(
    *, model: type[M], obj: M, values: dict[str, Any], expected_version: int
) -> list[str]:
    """Write `values` only if the row is still at `expected_version`; bump the version.

    One conditional UPDATE, so two concurrent edits from the same version cannot both
    win. Returns the names of the fields whose value changed.
    """
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, version=models.F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        raise StaleEdit(current or 0)
    obj.refresh_from_db()
    return changed


@contextmanager
def stale_guarded(
    action: str, obj: models.Model, actor: Any, expected_version: int
) -> Iterator[None]:
    """Run an optimistic edit in its own transaction; audit a refused stale edit too.

    The refusal is recorded after the edit's transaction rolled back, so both edits of
    a lost-update race leave a trace (SECURITY.md 22).
    """
    try:
        with transaction.atomic():
            yield
    except StaleEdit as exc:
        audit.record(
            actor=actor,
            action=f"{action}_stale",
            obj=obj,
            detail={"expected_version": expected_version, "current_version": exc.current_version},
        )
        raise
