"""Reads of the public's channel: the intake team's queue, one submission, the risk
signal planning reads, and what a sender sees with the receipt (¶10, 33).

The team's reads start from `Submission.objects.restrict(user, ...)`: whoever is not on
the intake team sees no submission at all, and any id answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from habeas.intake import receipts
from habeas.intake.models import (
    Action,
    Attachment,
    IntakeSettings,
    Message,
    Status,
    Submission,
    Urgency,
)

OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.IN_PROGRESS)
URGENCY_RANK = {Urgency.URGENT: 0, Urgency.SOON: 1, Urgency.ROUTINE: 2}


def intake_settings() -> IntakeSettings:
    """The channel's one settings row (made, with its receipt salt, on first use)."""
    receipts.install_salt()
    return IntakeSettings.objects.select_related("duty_user").get(pk=1)


def channel_open() -> bool:
    """Whether the public form takes submissions now (the receipt page always works)."""
    found = IntakeSettings.objects.filter(pk=1).values_list("open", flat=True).first()
    return True if found is None else bool(found)


def _effective_urgency(urgency: str) -> Q:
    """The team's assessment where there is one, else the sender's."""
    return Q(triage_urgency=urgency) | Q(triage_urgency="", urgency=urgency)


def queue(
    user: Any,
    *,
    status: str | None = None,
    urgency: str | None = None,
    place: Any = None,
    q: str | None = None,
) -> QuerySet[Submission]:
    """The submissions the user may see, most urgent first, then newest first."""
    found = Submission.objects.restrict(user, "view").select_related("place", "assigned_to")
    if status:
        found = found.filter(status=status)
    if urgency:
        found = found.filter(_effective_urgency(urgency))
    if place is not None:
        found = found.filter(place=place)
    text = (q or "").replace("\x00", "").strip()
    if text:
        found = found.filter(reference__icontains=text)
    rank = Case(
        *(
            When(_effective_urgency(value), then=Value(order))
            for value, order in URGENCY_RANK.items()
        ),
        default=Value(3),
        output_field=IntegerField(),
    )
    return found.annotate(urgency_rank=rank).order_by("urgency_rank", "-received_on", "-created_at")


def waiting_count(user: Any) -> int:
    """Submissions new or with something new from the sender, for the team's counter."""
    return (
        Submission.objects.restrict(user, "view")
        .filter(Q(status=Status.NEW) | Q(unread_from_sender=True, status__in=OPEN_STATUSES))
        .count()
    )


def submission_detail(user: Any, pk: Any, action: str = "view") -> Submission:
    """One submission the user may reach, or 404, the same for a missing one."""
    try:
        return (
            Submission.objects.restrict(user, action)
            .select_related("place", "assigned_to", "visit", "case")
            .get(pk=pk)
        )
    except (Submission.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def attachment_detail(user: Any, submission: Submission, pk: Any) -> Attachment:
    try:
        return Attachment.objects.restrict(user, "view").get(submission=submission, pk=pk)
    except (Attachment.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def place_signal(
    *, place_ids: Iterable[int] | None = None, since: dt.date | None = None
) -> dict[int, int]:
    """How many submissions each place received (since a day, if given), for planning's
    risk model. Those triaged as outside the mandate do not count."""
    found = Submission.objects.filter(place__isnull=False).exclude(action=Action.OUTSIDE_MANDATE)
    if place_ids is not None:
        found = found.filter(place_id__in=list(place_ids))
    if since is not None:
        found = found.filter(received_on__gte=since)
    rows = found.values("place_id").annotate(count=Count("pk")).order_by()
    return {row["place_id"]: row["count"] for row in rows}


# -- what the sender sees -------------------------------------------------------------------


@dataclass(frozen=True)
class SenderEntry:
    """One step of the thread as the sender sees it: the NPM's replies in full; of what
    the sender sent, only the day and the files' names (see `sender_thread`)."""

    author: str  # Message.Author
    on: dt.date
    body: str
    filenames: list[str]


@dataclass(frozen=True)
class SenderThread:
    received_on: dt.date
    status: str
    status_label: str
    entries: list[SenderEntry]


def sender_thread(submission: Submission) -> SenderThread:
    """What the receipt shows: when it was received, where it stands, the NPM's replies.

    The sender's own words are not shown back: a receipt taken from someone (a cell
    search, a seized phone) must reveal as little as possible of what they said. Their
    messages appear as "you added information on <day>" with the names of their files.
    """
    names: dict[Any, list[str]] = defaultdict(list)
    for attachment in Attachment.objects.filter(submission=submission).order_by("created_at"):
        names[attachment.message_id].append(attachment.unseal("filename"))
    entries = [
        SenderEntry(
            author=Message.Author.SENDER,
            on=submission.received_on,
            body="",
            filenames=names.get(None, []),
        )
    ]
    for message in Message.objects.filter(submission=submission):
        mine = message.author == Message.Author.SENDER
        entries.append(
            SenderEntry(
                author=message.author,
                on=timezone.localdate(message.created_at),
                body="" if mine else message.unseal("body"),
                filenames=names.get(message.pk, []),
            )
        )
    return SenderThread(
        received_on=submission.received_on,
        status=submission.status,
        status_label=str(Status(submission.status).label),
        entries=entries,
    )
