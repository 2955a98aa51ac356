"""Self-assessment figures from the legislation tracker (SPT tool ¶12, 28).

A *draft bill tracked* at the end of the period is an item of kind "draft bill" entered
in the tracker by then; the NPM *gave an opinion* on it when one of its opinions was
sent on or before that day.

Aggregates over the whole tracker, deliberately not narrowed by `restrict` (see
`habeas.assessment.indicators`).
"""

from __future__ import annotations

from decimal import Decimal

from habeas.assessment.indicators import end_of_period, indicator, is_home, share
from habeas.assessment.models import Assessment
from habeas.legislation.models import ItemKind, LegislationItem, Opinion


def _has_data(assessment: Assessment) -> bool:
    return is_home(assessment) and LegislationItem.objects.exists()


@indicator("legislation-comments-submitted")
def legislation_comments_submitted(assessment: Assessment) -> Decimal | None:
    """Opinions on draft or existing legislation sent in the period (¶28)."""
    if not _has_data(assessment):
        return None
    sent = Opinion.objects.filter(
        state=Opinion.State.SENT,
        sent_on__gte=assessment.period_start,
        sent_on__lte=assessment.period_end,
    )
    return Decimal(sent.count())


@indicator("bills-with-opinion")
def bills_with_opinion(assessment: Assessment) -> Decimal | None:
    """Share (%) of the draft bills tracked at the end of the period on which the NPM
    had sent an opinion by then (¶12, 28); None when no bill was tracked."""
    if not _has_data(assessment):
        return None
    bills = LegislationItem.objects.filter(
        kind=ItemKind.DRAFT, created_at__lte=end_of_period(assessment)
    )
    answered = bills.filter(
        opinions__state=Opinion.State.SENT, opinions__sent_on__lte=assessment.period_end
    ).distinct()
    return share(answered.count(), bills.count())
