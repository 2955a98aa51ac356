"""Reminders of the action plan: a gap is followed to completion (¶3, 5).

An open item's owner is mailed 14 days before its deadline, on the deadline, and every
week while it is overdue; never twice on one day, and never about an item done or
dropped. A day missed (the job did not run) is caught up at the next run. The mail
holds the item's title and a link, nothing else: the rest is behind the sign-in.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from habeas.assessment.models import ActionItem, Assessment
from habeas.assessment.services_common import OPEN_ITEM_STATUSES
from habeas.core import audit

DAYS_AHEAD = 14
OVERDUE_EVERY = 7


def reminder_milestone(*, deadline: dt.date, today: dt.date) -> dt.date | None:
    """The latest day on or before today on which the owner should have been reminded."""
    if today >= deadline:
        weeks = (today - deadline).days // OVERDUE_EVERY
        return deadline + dt.timedelta(days=weeks * OVERDUE_EVERY)
    ahead = deadline - dt.timedelta(days=DAYS_AHEAD)
    return ahead if today >= ahead else None


def reminder_due(*, item: ActionItem, today: dt.date) -> bool:
    milestone = reminder_milestone(deadline=item.deadline, today=today)
    if milestone is None or item.status not in OPEN_ITEM_STATUSES:
        return False
    return item.last_reminded_on is None or item.last_reminded_on < milestone


def _owner_may_see(item: ActionItem) -> bool:
    """Nobody is mailed about an assessment they can no longer see (left, expired, …)."""
    owner = item.owner
    if not owner.email:
        return False
    return Assessment.objects.restrict(owner, "view").filter(pk=item.assessment_id).exists()


def _link(item: ActionItem) -> str:
    base = getattr(settings, "HABEAS_BASE_URL", "").rstrip("/")
    return base + reverse("assessment:action_plan", args=[item.assessment_id])


def _send(email: str, title: str, link: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Habeas: reminder about an action item")
        body = _("Action item: %(title)s\n\n%(link)s\n") % {"title": title, "link": link}
    send_mail(subject, body, None, [email])


@transaction.atomic
def action_item_remind(*, item: ActionItem, today: dt.date) -> bool:
    """Mark the item reminded today and mail its owner once the transaction commits.

    The conditional update makes two runs on the same day send one mail, not two.
    """
    claimed = (
        ActionItem.objects.filter(pk=item.pk, status__in=OPEN_ITEM_STATUSES)
        .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
        .update(last_reminded_on=today)
    )
    if not claimed:
        return False
    item.last_reminded_on = today
    audit.record(
        actor=None,
        action="action_item.reminded",
        obj=item,
        detail={"assessment": item.assessment_id, "owner": item.owner_id},
    )
    email, title, link = item.owner.email, item.title, _link(item)
    transaction.on_commit(lambda: _send(email, title, link))
    return True


def action_item_reminders_send(*, today: dt.date) -> int:
    """Send every reminder due today; return how many were sent."""
    items = ActionItem.objects.filter(status__in=OPEN_ITEM_STATUSES).select_related(
        "owner", "assessment"
    )
    sent = 0
    for item in items.iterator(chunk_size=500):
        if reminder_due(item=item, today=today) and _owner_may_see(item):
            sent += action_item_remind(item=item, today=today)
    return sent


def describe(count: int) -> str:
    return ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", count) % {
        "count": count
    }
