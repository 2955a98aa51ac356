"""Self-assessment figures from the recommendations (SPT tool ¶20, 22, 24).

The NPM's *own* recommendations are those not imported from the SPT, the CPT or another
treaty body. A *response* is an answer recorded from the authority (in the history of
responses, or on the recommendation for imported ones); a recorded "no reply" is not
one. Implementation is what a dated verification, with its evidence, says.

Aggregates over all the NPM's recommendations, deliberately not narrowed by `restrict`
(see `habeas.assessment.indicators`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from habeas.assessment.indicators import indicator, is_home, share
from habeas.assessment.models import Assessment
from habeas.recommendations.models import (
    EXTERNAL_ORIGINS,
    Implementation,
    Recommendation,
    Response,
    ResponseStatus,
    Verification,
)

NOT_A_RESPONSE = ("", ResponseStatus.NO_REPLY)


def _has_data(assessment: Assessment) -> bool:
    return is_home(assessment) and Recommendation.objects.exists()


def own_sent(assessment: Assessment) -> QuerySet[Recommendation]:
    """The NPM's own recommendations sent in the period."""
    return Recommendation.objects.filter(
        state=Recommendation.State.SENT,
        sent_on__gte=assessment.period_start,
        sent_on__lte=assessment.period_end,
    ).exclude(origin__in=EXTERNAL_ORIGINS)


def _answered(by_due_date: bool = False) -> Q:
    """A response other than "no reply" (by the response due date, if asked)."""
    responses = Response.objects.filter(recommendation=OuterRef("pk")).exclude(
        status=ResponseStatus.NO_REPLY
    )
    on_row = ~Q(response__in=NOT_A_RESPONSE) & Q(responded_on__isnull=False)
    if by_due_date:
        responses = responses.filter(responded_on__lte=OuterRef("response_due"))
        on_row &= Q(responded_on__lte=F("response_due"))
    return Q(Exists(responses)) | on_row


@indicator("recommendations-issued")
def recommendations_issued(assessment: Assessment) -> Decimal | None:
    """The NPM's own recommendations sent in the period (¶20)."""
    if not _has_data(assessment):
        return None
    return Decimal(own_sent(assessment).count())


@indicator("recommendations-with-response")
def recommendations_with_response(assessment: Assessment) -> Decimal | None:
    """Share (%) of the own recommendations sent in the period answered so far (¶22)."""
    if not _has_data(assessment):
        return None
    sent = own_sent(assessment)
    return share(sent.filter(_answered()).count(), sent.count())


@indicator("responses-on-time")
def responses_on_time(assessment: Assessment) -> Decimal | None:
    """Share (%) of own recommendations whose response fell due in the period that were
    answered by their due date (¶22)."""
    if not _has_data(assessment):
        return None
    due = Recommendation.objects.filter(
        state=Recommendation.State.SENT,
        response_due__gte=assessment.period_start,
        response_due__lte=assessment.period_end,
    ).exclude(origin__in=EXTERNAL_ORIGINS)
    return share(due.filter(_answered(by_due_date=True)).count(), due.count())


def _verified_in_period(assessment: Assessment) -> QuerySet[Verification]:
    return Verification.objects.filter(
        verified_on__gte=assessment.period_start, verified_on__lte=assessment.period_end
    )


@indicator("recommendations-implemented-share")
def recommendations_implemented_share(assessment: Assessment) -> Decimal | None:
    """Of the recommendations verified in the period, the share (%) whose last
    verification in the period found them achieved (¶24)."""
    if not _has_data(assessment):
        return None
    latest: dict[int, str] = {}
    rows = _verified_in_period(assessment).order_by("verified_on", "pk")
    for recommendation_id, status in rows.values_list("recommendation_id", "status"):
        latest[recommendation_id] = status
    achieved = sum(status == Implementation.ACHIEVED for status in latest.values())
    return share(achieved, len(latest))


@indicator("recommendations-verified-achieved")
def recommendations_verified_achieved(assessment: Assessment) -> Decimal | None:
    """Recommendations (any origin) verified as achieved in the period (¶24)."""
    if not _has_data(assessment):
        return None
    verified = _verified_in_period(assessment).filter(status=Implementation.ACHIEVED)
    return Decimal(verified.values("recommendation_id").distinct().count())
