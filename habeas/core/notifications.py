"""In-app notifications: the header's counter and the `/notifications/` page.

A notification names a record's reference and links to it, never confidential content
(SECURITY.md test 4): like an e-mail, it may be read over a shoulder. Jobs (reminders,
escalations) call `notify`; the addressee marks what they have read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.models import Notification

MESSAGE_MAX = Notification._meta.get_field("message").max_length or 500
LINK_MAX = Notification._meta.get_field("link").max_length or 300


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def notify(*, users: Iterable[Any], message: str, link: str, key: str = "") -> list[Notification]:
    """Tell each active user `message`, linking to `link` (a path inside Habeas).

    With a `key`, a user is told once: a second call with the same key for the same user
    adds nothing (the unique constraint settles a race between two runs). Returns the
    notifications created.
    """
    if link and not link.startswith("/"):
        raise ValueError("A notification links inside Habeas only.")
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if key:
        told = set(
            Notification.objects.filter(user_id__in=list(recipients), key=key).values_list(
                "user_id", flat=True
            )
        )
        recipients = {pk: user for pk, user in recipients.items() if pk not in told}
    rows = [
        Notification(
            user=user,
            message=_trim(message, MESSAGE_MAX),
            link=link[:LINK_MAX],
            key=key,
        )
        for user in recipients.values()
    ]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    return rows


def _own(actor: Any, notification: Notification) -> None:
    mine = Notification.objects.restrict(actor, "view").filter(pk=notification.pk)
    if not mine.exists():
        raise PermissionDenied(_("You may not do this."))


@transaction.atomic
def notification_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (once; a second time changes nothing)."""
    _own(actor, notification)
    now = timezone.now()
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if changed:
        notification.read_at = now
        audit.record(actor=actor, action="notification.read", obj=notification)
    return notification


@transaction.atomic
def notifications_read_all(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; return how many."""
    unread = Notification.objects.restrict(actor, "view").filter(read_at__isnull=True)
    changed = unread.update(read_at=timezone.now())
    if changed:
        audit.record(actor=actor, action="notification.read_all", detail={"count": changed})
    return changed


def unread_count(user: Any) -> int:
    """The header's counter: one indexed count."""
    return Notification.objects.restrict(user, "view").filter(read_at__isnull=True).count()
