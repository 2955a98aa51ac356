"""Reads of the reprisal watch (¶25). Every one starts from `restrict`: a watch the user
is not granted on does not exist for them, on any page, count or alert."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from habeas.cases.models import Case, CaseGrant, InvestigationRequest, ReprisalWatch, WatchCheck


def watch_list(*, user: Any, today: dt.date | None = None) -> QuerySet[ReprisalWatch]:
    """The watches the user is granted on, with their next check and an overdue flag."""
    today = today or timezone.localdate()
    overdue = WatchCheck.objects.filter(
        watch=OuterRef("pk"), done_on__isnull=True, due_on__lt=today
    )
    return (
        ReprisalWatch.objects.restrict(user, "view")
        .select_related("place")
        .annotate(
            next_check=Min("checks__due_on", filter=Q(checks__done_on__isnull=True)),
            overdue=Exists(overdue),
        )
        .order_by("status", "-opened_on", "reference")
    )


def overdue_checks(*, user: Any, today: dt.date | None = None) -> QuerySet[WatchCheck]:
    """The user's alerts: checks past due and not done, on watches they are granted on."""
    today = today or timezone.localdate()
    return (
        WatchCheck.objects.restrict(user, "view")
        .filter(done_on__isnull=True, due_on__lt=today, watch__status=ReprisalWatch.Status.ACTIVE)
        .select_related("watch")
        .order_by("due_on", "watch__reference")
    )


def watches_at_place(*, user: Any, place: Any) -> QuerySet[ReprisalWatch]:
    """The watches at a place that the user is granted on; nothing for anyone else."""
    return (
        ReprisalWatch.objects.restrict(user, "view")
        .filter(place=place, status=ReprisalWatch.Status.ACTIVE)
        .order_by("reference")
    )


def watch_checks(*, watch: ReprisalWatch) -> list[WatchCheck]:
    """Every check of a watch the caller already holds through `restrict`."""
    return list(watch.checks.select_related("done_by").order_by("due_on", "created_at"))


def watch_transfers(*, watch: ReprisalWatch) -> QuerySet[Any]:
    return watch.transfers.select_related("from_place", "to_place", "recorded_by").order_by(
        "moved_on", "recorded_at"
    )


def allegations_of(*, user: Any, watch: ReprisalWatch) -> QuerySet[Case]:
    """Reprisal allegations opened on this watch that the user may see: a case the user is
    not granted on stays invisible here too."""
    return Case.objects.restrict(user, "view").filter(watch=watch).order_by("-reported_on")


def investigations_of(*, user: Any, record: Case | ReprisalWatch) -> QuerySet[InvestigationRequest]:
    link: dict[str, Any] = {"case": record} if isinstance(record, Case) else {"watch": record}
    return (
        InvestigationRequest.objects.restrict(user, "view")
        .filter(**link)
        .select_related("addressee")
        .order_by("requested_on", "pk")
    )


def watch_grants(*, watch: ReprisalWatch) -> QuerySet[CaseGrant]:
    return (
        CaseGrant.objects.filter(watch=watch)
        .select_related("user", "granted_by")
        .order_by("granted_at")
    )
