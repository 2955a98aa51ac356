"""Reads for a recommendation's own pages: the recommendation, its history, its repeats,
the evidence a verifier may cite, and a visit's recommendations (¶20, 22, 24, 31a).

Every read starts from `restrict` (ARCHITECTURE.md rule 2); a recommendation the reader
may not reach for the action answers 404, the same as a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from habeas.places.models import Place, PlaceDocument
from habeas.recommendations.models import (
    SETTLED,
    Commitment,
    Exchange,
    Recommendation,
    Response,
    Verification,
)
from habeas.visits.models import Finding, Visit

# The longest chain of repeats followed; a guard against a cycle written by hand.
MAX_CHAIN = 50


def recommendation_for(*, user: Any, pk: Any, action: str = "view") -> Recommendation:
    """The recommendation if `user` may `action` it; 404 for a missing and a hidden one."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (
        Recommendation.objects.restrict(user, action)
        .select_related(
            "visit",
            "place",
            "addressee",
            "addressee__parent",
            "repeat_of",
            "owner",
            "created_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def may(user: Any, recommendation: Recommendation, action: str) -> bool:
    """Whether `user` may `action` (change, send, dialogue, verify) this recommendation."""
    return Recommendation.objects.restrict(user, action).filter(pk=recommendation.pk).exists()


def visible_findings(*, user: Any, recommendation: Recommendation) -> QuerySet[Finding]:
    """The linked findings the reader may see: never more than the visits' pages show."""
    return (
        Finding.objects.restrict(user, "view")
        .filter(pk__in=recommendation.findings.values("pk"))
        .select_related("visit")
    )


def findings_to_link(*, user: Any, visit: Visit | None, place: Place | None) -> QuerySet[Finding]:
    """The findings a draft may rest on: those of its visit, else those of its place."""
    findings = Finding.objects.restrict(user, "view").select_related("visit")
    if visit is not None:
        return findings.filter(visit=visit)
    if place is not None:
        return findings.filter(visit__place=place).order_by("-visit__starts_on", "theme", "id")
    return findings.none()


# -- history ------------------------------------------------------------------------------


@dataclass
class RepeatChain:
    """The first recommendation of a chain of repeats, and how many times it was made."""

    first: Recommendation
    times: int
    members: list[Recommendation] = field(default_factory=list)

    @property
    def first_made_on(self) -> dt.date:
        return self.first.sent_on or timezone.localdate(self.first.created_at)


def repeat_chain(*, user: Any, recommendation: Recommendation) -> RepeatChain | None:
    """The chain this recommendation belongs to, as far as the reader may see it; None
    when it neither repeats nor is repeated."""
    visible = Recommendation.objects.restrict(user, "view")
    first = recommendation
    seen = {first.pk}
    while first.repeat_of_id and len(seen) < MAX_CHAIN:
        earlier = visible.filter(pk=first.repeat_of_id).first()
        if earlier is None or earlier.pk in seen:
            break
        seen.add(earlier.pk)
        first = earlier
    members = [first]
    frontier = [first.pk]
    known = {first.pk}
    while frontier and len(known) < MAX_CHAIN:
        later = list(visible.filter(repeat_of_id__in=frontier).exclude(pk__in=known))
        known.update(r.pk for r in later)
        members.extend(later)
        frontier = [r.pk for r in later]
    if len(members) < 2:
        return None
    members.sort(key=lambda r: (r.created_at, r.pk))
    return RepeatChain(first=first, times=len(members), members=members)


@dataclass
class EarlierHistory:
    """What became of an earlier recommendation: shown beside a similar draft so the NPM
    can escalate rather than repeat itself (¶22)."""

    responses: list[Response]
    verifications: list[Verification]
    repeats: int


def earlier_history(*, user: Any, recommendations: list[Recommendation]) -> dict[int, Any]:
    """For each recommendation (by pk): its responses, verifications and the number of
    visible recommendations that repeat it. Three queries whatever the number."""
    ids = [r.pk for r in recommendations]
    history = {pk: EarlierHistory([], [], 0) for pk in ids}
    if not ids:
        return history
    for response in Response.objects.restrict(user, "view").filter(recommendation_id__in=ids):
        history[response.recommendation_id].responses.append(response)
    for verification in Verification.objects.restrict(user, "view").filter(
        recommendation_id__in=ids
    ):
        history[verification.recommendation_id].verifications.append(verification)
    repeats = Recommendation.objects.restrict(user, "view").filter(repeat_of_id__in=ids)
    for earlier_id in repeats.values_list("repeat_of_id", flat=True):
        history[earlier_id].repeats += 1
    return history


def responses_of(*, user: Any, recommendation: Recommendation) -> list[Response]:
    return list(
        Response.objects.restrict(user, "view")
        .filter(recommendation=recommendation)
        .select_related("exchange", "recorded_by")
    )


def verifications_of(*, user: Any, recommendation: Recommendation) -> list[Verification]:
    return list(
        Verification.objects.restrict(user, "view")
        .filter(recommendation=recommendation)
        .select_related(
            "finding", "finding__visit", "document", "exchange", "response", "recorded_by"
        )
    )


def commitments_of(*, user: Any, recommendation: Recommendation) -> list[Commitment]:
    return list(
        Commitment.objects.restrict(user, "view")
        .filter(recommendation=recommendation)
        .select_related("plan")
    )


def linked_of(*, user: Any, recommendation: Recommendation) -> list[Recommendation]:
    return list(
        Recommendation.objects.restrict(user, "view")
        .filter(pk__in=recommendation.linked.values("pk"))
        .select_related("addressee")
        .order_by("reference")
    )


def repeated_by(*, user: Any, recommendation: Recommendation) -> list[Recommendation]:
    return list(
        Recommendation.objects.restrict(user, "view")
        .filter(repeat_of=recommendation)
        .order_by("created_at", "pk")
    )


def visible_ids(*, user: Any, model: type[Any], ids: set[int]) -> set[int]:
    """Which of `ids` the reader may see, in one query (links shown only to those)."""
    if not ids:
        return set()
    return set(model.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))


# -- evidence a verifier may cite ---------------------------------------------------------


@dataclass
class EvidenceChoices:
    findings: QuerySet[Finding]
    documents: QuerySet[PlaceDocument]
    letters: QuerySet[Exchange]
    responses: QuerySet[Response]


def evidence_choices(*, user: Any, recommendation: Recommendation) -> EvidenceChoices:
    """What a status may rest on: findings of visits to its place since it was sent,
    the place's documents, the letters exchanged with its addressee, its own responses."""
    findings = Finding.objects.restrict(user, "view").select_related("visit").none()
    documents = PlaceDocument.objects.none()
    if recommendation.place_id:
        findings = (
            Finding.objects.restrict(user, "view")
            .filter(visit__place_id=recommendation.place_id)
            .select_related("visit")
            .order_by("-visit__starts_on", "theme", "id")
        )
        if recommendation.sent_on:
            findings = findings.filter(visit__ends_on__gte=recommendation.sent_on)
        if Place.objects.restrict(user, "view").filter(pk=recommendation.place_id).exists():
            documents = PlaceDocument.objects.filter(place_id=recommendation.place_id).order_by(
                "-received_on", "-id"
            )
    letters = Exchange.objects.restrict(user, "view").none()
    if recommendation.addressee_id:
        letters = Exchange.objects.restrict(user, "view").filter(
            authority_id=recommendation.addressee_id
        )
    responses = Response.objects.restrict(user, "view").filter(recommendation=recommendation)
    return EvidenceChoices(findings, documents, letters, responses)


# -- a visit's recommendations ------------------------------------------------------------


def drafted_at(*, user: Any, visit: Visit) -> QuerySet[Recommendation]:
    """The recommendations drafted from a visit, drafts first."""
    return (
        Recommendation.objects.restrict(user, "view")
        .filter(visit=visit)
        .select_related("addressee")
        .order_by("state", "reference")
    )


def open_at_place(*, user: Any, visit: Visit) -> QuerySet[Recommendation]:
    """The place's sent recommendations not yet achieved (nor irrelevant), from other
    visits or none: those to verify during this visit (¶24)."""
    return (
        Recommendation.objects.restrict(user, "view")
        .filter(place_id=visit.place_id, state=Recommendation.State.SENT)
        .exclude(implementation__in=SETTLED)
        .exclude(visit=visit)
        .select_related("addressee", "visit")
        .order_by("deadline", "reference")
    )
