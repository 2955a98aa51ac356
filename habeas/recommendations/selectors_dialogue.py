"""Reads of the dialogue with authorities, always through `restrict` (ARCHITECTURE.md
rule 2). An exchange or plan the reader may not see answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from habeas.places.models import Authority
from habeas.recommendations.models import (
    ActionPlan,
    Commitment,
    Exchange,
    ExchangeAttachment,
    Recommendation,
    Response,
)

# How many candidates the mapping page lists at once; a search narrows the rest.
MAP_LIMIT = 200
SEARCH_WORDS = 6


def dialogue_visible(user: Any) -> bool:
    """Whether the user sees the NPM's correspondence at all (the models' own rule)."""
    return not Exchange.objects.restrict(user, "view").query.is_empty()


def dialogue_writable(user: Any) -> bool:
    return not Exchange.objects.restrict(user, "dialogue").query.is_empty()


def require_dialogue(user: Any) -> None:
    """404 for whoever does not see the dialogue: the pages do not exist for them."""
    if not dialogue_visible(user):
        raise Http404


def _as_pk(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


# -- exchanges ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeFilters:
    authority: int | None = None
    kind: str = ""
    direction: str = ""
    year: int | None = None

    def as_lookups(self) -> dict[str, Any]:
        lookups: dict[str, Any] = {}
        if self.authority:
            lookups["authority_id"] = self.authority
        if self.kind:
            lookups["kind"] = self.kind
        if self.direction:
            lookups["direction"] = self.direction
        if self.year:
            lookups["occurred_on__gte"] = dt.date(self.year, 1, 1)
            lookups["occurred_on__lte"] = dt.date(self.year, 12, 31)
        return lookups


def exchange_list(*, user: Any, filters: ExchangeFilters | None = None) -> QuerySet[Exchange]:
    lookups = filters.as_lookups() if filters else {}
    return Exchange.objects.restrict(user, "view").filter(**lookups).select_related("authority")


def exchange_years(*, user: Any) -> list[int]:
    years = (
        Exchange.objects.restrict(user, "view")
        .annotate(year=ExtractYear("occurred_on"))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted({int(year) for year in years if year}, reverse=True)


def exchange_for(*, user: Any, pk: Any, action: str = "view") -> Exchange:
    """The exchange if `user` may `action` it; 404 for a missing and a hidden one alike."""
    exchange = (
        Exchange.objects.restrict(user, action)
        .select_related("authority", "created_by")
        .filter(pk=_as_pk(pk))
        .first()
    )
    if exchange is None:
        raise Http404
    return exchange


def attachment_for(*, user: Any, exchange: Exchange, pk: Any) -> ExchangeAttachment:
    attachment = (
        ExchangeAttachment.objects.restrict(user, "view")
        .filter(exchange=exchange, pk=_as_pk(pk))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def responses_of(*, user: Any, exchange: Exchange) -> QuerySet[Response]:
    """The responses a letter carries, for the recommendations the reader may see."""
    return (
        Response.objects.restrict(user, "view")
        .filter(exchange=exchange)
        .select_related("recommendation", "recommendation__place")
        .order_by("recommendation__reference", "id")
    )


# -- the letter's candidates ----------------------------------------------------------------


def authority_and_below(authority: Authority) -> list[int]:
    """The authority and every body reporting to it, however deep (trees are shallow)."""
    found = {authority.pk}
    level = [authority.pk]
    while level:
        below = Authority.objects.filter(parent_id__in=level).values_list("pk", flat=True)
        level = [pk for pk in below if pk not in found]
        found.update(level)
    return sorted(found)


def _search(recommendations: QuerySet, text: str) -> QuerySet:
    text = text.replace("\x00", "").strip()[:200]
    if not text:
        return recommendations
    query = Q(reference__icontains=text)
    words = Q()
    for word in text.split()[:SEARCH_WORDS]:
        words &= Q(text__icontains=word)
    return recommendations.filter(query | words)


def map_candidates(*, user: Any, exchange: Exchange, text: str = "") -> QuerySet[Recommendation]:
    """Sent recommendations this letter may answer: addressed to its authority or a body
    under it, or about a place it supervises; and those it already answers. Still awaiting
    a response first, then the newest; none sent after the letter's date."""
    authorities = authority_and_below(exchange.authority)
    concerned = (
        Q(addressee_id__in=authorities)
        | Q(place__authority_id__in=authorities)
        | Q(pk__in=Response.objects.filter(exchange=exchange).values("recommendation_id"))
    )
    # A letter cannot answer what was sent after it was written.
    recommendations = Recommendation.objects.restrict(user, "dialogue").filter(
        concerned, state=Recommendation.State.SENT, sent_on__lte=exchange.occurred_on
    )
    return (
        _search(recommendations, text)
        .annotate(
            answered=Case(
                When(response="", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .select_related("place", "addressee")
        .order_by("answered", "-sent_on", "-id")
    )


def mapped_by(*, exchange: Exchange) -> dict[int, Response]:
    """This letter's responses, by recommendation, to prefill the rows it already answers."""
    return {r.recommendation_id: r for r in exchange.responses.order_by("id")}


def awaiting_response(*, user: Any, authority: Authority) -> QuerySet[Recommendation]:
    """Recommendations sent to this authority (or a body under it) still awaiting an answer."""
    return (
        Recommendation.objects.restrict(user, "view")
        .filter(
            addressee_id__in=authority_and_below(authority),
            state=Recommendation.State.SENT,
            response="",
        )
        .select_related("place")
        .order_by("response_due", "-id")
    )


# -- action plans ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFilters:
    authority: int | None = None

    def as_lookups(self) -> dict[str, Any]:
        return {"authority_id": self.authority} if self.authority else {}


def plan_list(*, user: Any, filters: PlanFilters | None = None) -> QuerySet[ActionPlan]:
    """Plans, each with how many commitments it holds, are done and are overdue."""
    lookups = filters.as_lookups() if filters else {}
    today = timezone.localdate()
    overdue = Q(commitments__done_on__isnull=True, commitments__due_on__lt=today)
    return (
        ActionPlan.objects.restrict(user, "view")
        .filter(**lookups)
        .select_related("authority")
        .annotate(
            commitment_count=Count("commitments"),
            done_count=Count("commitments", filter=Q(commitments__done_on__isnull=False)),
            overdue_count=Count("commitments", filter=overdue),
        )
        .order_by("-adopted_on", "-id")
    )


def plan_for(*, user: Any, pk: Any, action: str = "view") -> ActionPlan:
    plan = (
        ActionPlan.objects.restrict(user, action)
        .select_related("authority", "exchange")
        .filter(pk=_as_pk(pk))
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def commitments_of(*, user: Any, plan: ActionPlan) -> list[Commitment]:
    """The plan's commitments, each marked `overdue` when past due and not done; the
    recommendation shown only if the reader may see it."""
    today = timezone.localdate()
    visible = set(
        Recommendation.objects.restrict(user, "view")
        .filter(commitments__plan=plan)
        .values_list("pk", flat=True)
    )
    rows = list(
        Commitment.objects.restrict(user, "view").filter(plan=plan).select_related("recommendation")
    )
    for row in rows:
        row.overdue = row.done_on is None and row.due_on < today  # type: ignore[attr-defined]
        if row.recommendation_id not in visible:
            row.recommendation = None
    return rows


def commitment_for(*, user: Any, plan: ActionPlan, pk: Any) -> Commitment:
    commitment = Commitment.objects.restrict(user, "view").filter(plan=plan, pk=_as_pk(pk)).first()
    if commitment is None:
        raise Http404
    return commitment


def plans_of(*, user: Any, exchange: Exchange) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.restrict(user, "view").filter(exchange=exchange)
