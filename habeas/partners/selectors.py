"""Reads of the partners registry, the communication log and awareness work
(¶4, 23, 25, 30–33).

Everything starts from `restrict(user, action)`: confidential communications are absent
for those who may not see them, and so are their counts. What a communication links to
is shown per record, each through its own `restrict`: a linked case file is listed only
to those granted on it, so a communication never reveals that a case exists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404
from django.utils import timezone

from habeas.cases.models import Case, ReprisalWatch
from habeas.legislation.models import LegislationItem
from habeas.partners.models import (
    INTERNATIONAL_KINDS,
    Agreement,
    AwarenessActivity,
    Communication,
    Partner,
)
from habeas.places.models import Place
from habeas.recommendations.models import Recommendation


def _id(value: Any) -> Any:
    return getattr(value, "pk", value)


def _words(q: str | None) -> str:
    """What to search for: no NUL (PostgreSQL refuses to be asked), at most 200 characters."""
    return (q or "").replace("\x00", "").strip()[:200]


def _year_ok(year: int | None) -> bool:
    return year is None or 1 <= year <= 9999


# -- partners ------------------------------------------------------------------------------


def _visible_log_of_partner(user: Any) -> QuerySet:
    """The partner's rows of the log the user may see, for subqueries on `Partner`."""
    through: Any = Communication.partners.through
    visible = Communication.objects.restrict(user, "view").values("pk")
    return through.objects.filter(partner=OuterRef("pk"), communication__in=visible)


def partner_list(
    user: Any, *, kind: str | None = None, q: str | None = None, active_only: bool = False
) -> QuerySet[Partner]:
    """Partners with `communication_count` (how many communications with them the user
    may see) and `last_contact` (the date of the latest of those)."""
    partners = Partner.objects.restrict(user, "view")
    if kind:
        partners = partners.filter(kind=kind)
    text = _words(q)
    if text:
        partners = partners.filter(
            Q(name__icontains=text) | Q(acronym__icontains=text) | Q(areas__icontains=text)
        )
    if active_only:
        partners = partners.filter(active=True)
    visible = _visible_log_of_partner(user)
    counted = visible.order_by().values("partner").annotate(n=Count("communication")).values("n")
    latest = visible.order_by("-communication__occurred_on").values("communication__occurred_on")
    return partners.annotate(
        communication_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
        last_contact=Subquery(latest[:1]),
    )


def partner_detail(user: Any, pk: Any) -> Partner:
    """One partner with its contacts and agreements; 404 when missing or not visible."""
    key = str(pk)
    if not key.isdigit():
        raise Http404
    found = partner_list(user).prefetch_related("contacts", "agreements").filter(pk=int(key))
    partner = found.first()
    if partner is None:
        raise Http404
    return partner


def international_partners(user: Any) -> QuerySet[Partner]:
    """The bodies an exchange package may be made for: the SPT, the CPT, other UN bodies."""
    return Partner.objects.restrict(user, "export").filter(kind__in=INTERNATIONAL_KINDS)


def agreements_expiring(user: Any, *, within_days: int = 90) -> QuerySet[Agreement]:
    today = timezone.localdate()
    return (
        Agreement.objects.restrict(user, "view")
        .filter(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=within_days))
        .select_related("partner")
        .order_by("expires_on")
    )


# -- the communication log -------------------------------------------------------------------


def log(
    user: Any,
    *,
    partner: Any = None,
    kind: str | None = None,
    place: Any = None,
    q: str | None = None,
    reprisal_only: bool = False,
    year: int | None = None,
) -> QuerySet[Communication]:
    """The communications the user may see, newest first, with their partners."""
    rows = Communication.objects.restrict(user, "view")
    if partner is not None:
        rows = rows.filter(partners=_id(partner))
    if kind:
        rows = rows.filter(kind=kind)
    if place is not None:
        rows = rows.filter(places=_id(place))
    if not _year_ok(year):
        return rows.none()
    if year:
        rows = rows.filter(occurred_on__year=year)
    text = _words(q)
    if text:
        rows = rows.filter(Q(reference__icontains=text) | Q(subject__icontains=text))
    if reprisal_only:
        rows = rows.filter(reprisal_signal=True)
    return rows.distinct().prefetch_related("partners").select_related("recorded_by")


def communication_detail(user: Any, pk: Any) -> Communication:
    """One communication; 404 when missing or not visible, the same answer."""
    try:
        key = pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk))
    except ValueError as malformed:
        raise Http404 from malformed
    found = (
        Communication.objects.restrict(user, "view")
        .prefetch_related("partners")
        .select_related("recorded_by")
        .filter(pk=key)
        .first()
    )
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class CommunicationLinks:
    """What a communication links to, as far as the user may see each record."""

    places: list[Place]
    cases: list[Case]
    recommendations: list[Recommendation]
    legislation: list[LegislationItem]
    watch: ReprisalWatch | None


def linked_records(user: Any, communication: Communication) -> CommunicationLinks:
    def visible(name: str, model: Any, order: str) -> list[Any]:
        ids = getattr(communication, name).values("pk")
        return list(model.objects.restrict(user, "view").filter(pk__in=ids).order_by(order))

    watch = None
    if communication.reprisal_watch_id is not None:
        watch = (
            ReprisalWatch.objects.restrict(user, "view")
            .filter(pk=communication.reprisal_watch_id)
            .first()
        )
    return CommunicationLinks(
        places=visible("places", Place, "name"),
        cases=visible("cases", Case, "reference"),
        recommendations=visible("recommendations", Recommendation, "reference"),
        legislation=visible("legislation", LegislationItem, "reference"),
        watch=watch,
    )


def unrouted_reprisal_signals(user: Any) -> QuerySet[Communication]:
    """Information signalling a reprisal risk that no reprisal watch answers yet, oldest
    first: the reprisal leads' attention list."""
    return (
        Communication.objects.restrict(user, "view")
        .filter(reprisal_signal=True, reprisal_watch__isnull=True)
        .prefetch_related("partners")
        .order_by("occurred_on", "created_at")
    )


def communications_for_watch(user: Any, watch: Any) -> QuerySet[Communication]:
    """The information linked to a reprisal watch (for the watch's page)."""
    return log(user).filter(reprisal_watch=_id(watch))


# -- awareness (¶33) ---------------------------------------------------------------------------


def activity_list(
    user: Any,
    *,
    year: int | None = None,
    kind: str | None = None,
    audience: str | None = None,
    partner: Any = None,
) -> QuerySet[AwarenessActivity]:
    rows = AwarenessActivity.objects.restrict(user, "view")
    if not _year_ok(year):
        return rows.none()
    if year:
        rows = rows.filter(held_on__year=year)
    if kind:
        rows = rows.filter(kind=kind)
    if audience:
        rows = rows.filter(audience=audience)
    if partner is not None:
        rows = rows.filter(partners=_id(partner))
    return rows.distinct().select_related("region").prefetch_related("partners")


def activity_detail(user: Any, pk: Any) -> AwarenessActivity:
    key = str(pk)
    activity = activity_list(user).filter(pk=int(key)).first() if key.isdigit() else None
    if activity is None:
        raise Http404
    return activity


@dataclass(frozen=True)
class FigureRow:
    """Activities of one kind, one audience or one year, and the people they reached."""

    key: Any
    label: str
    activities: int
    reached: int


@dataclass(frozen=True)
class AwarenessFigures:
    year: int | None
    activities: int
    reached: int
    by_kind: list[FigureRow] = field(default_factory=list)
    by_audience: list[FigureRow] = field(default_factory=list)
    by_year: list[FigureRow] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def _rows(queryset: QuerySet, key: str, labels: Mapping[Any, Any] | None) -> list[FigureRow]:
    grouped = (
        queryset.order_by()
        .values(key)
        .annotate(activities=Count("pk"), reached=Coalesce(Sum("reached"), 0))
        .order_by(key)
    )
    rows = [
        FigureRow(
            key=row[key],
            label=str(labels.get(row[key], row[key])) if labels else str(row[key]),
            activities=row["activities"],
            reached=row["reached"],
        )
        for row in grouped
    ]
    if labels:  # the choices' order, not the alphabet of their codes
        order = list(labels)
        rows.sort(key=lambda row: order.index(row.key) if row.key in order else len(order))
    return rows


def awareness_figures(user: Any, *, year: int | None = None) -> AwarenessFigures:
    """Totals of awareness activities (¶33): by kind, by audience and by year; the kind
    and audience totals are for `year` when given, the yearly ones always for every year."""
    every = AwarenessActivity.objects.restrict(user, "view")
    if not _year_ok(year):
        every = every.none()
    chosen = every.filter(held_on__year=year) if year else every
    totals = chosen.aggregate(activities=Count("pk"), reached=Coalesce(Sum("reached"), 0))
    yearly = _rows(every.annotate(year=ExtractYear("held_on")), "year", None)
    return AwarenessFigures(
        year=year,
        activities=totals["activities"],
        reached=totals["reached"],
        by_kind=_rows(chosen, "kind", dict(AwarenessActivity.Kind.choices)),
        by_audience=_rows(chosen, "audience", dict(AwarenessActivity.Audience.choices)),
        by_year=yearly,
        years=[row.key for row in yearly],
    )


def last_activity_on(user: Any) -> dt.date | None:
    found = AwarenessActivity.objects.restrict(user, "view").aggregate(last=Max("held_on"))
    return found["last"]
