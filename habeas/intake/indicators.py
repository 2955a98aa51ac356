"""Self-assessment figures from the public channel (SPT tool ¶33).

A submission is *answered* when the NPM has written to its sender at least once (a reply
the sender reads with their receipt or gets by the way they chose). Submissions whose
sender asked for no reply are left out of the share.

Aggregates over all submissions, deliberately not narrowed by `restrict` (see
`habeas.assessment.indicators`): a count names no sender and says nothing they wrote.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from habeas.assessment.indicators import indicator, is_home, share
from habeas.assessment.models import Assessment
from habeas.intake.models import Message, ReplyBy, Submission


def received(assessment: Assessment) -> QuerySet[Submission]:
    return Submission.objects.filter(
        received_on__gte=assessment.period_start, received_on__lte=assessment.period_end
    )


def _has_data(assessment: Assessment) -> bool:
    return is_home(assessment) and Submission.objects.exists()


@indicator("public-submissions-received")
def public_submissions_received(assessment: Assessment) -> Decimal | None:
    """Submissions received from the public in the period."""
    if not _has_data(assessment):
        return None
    return Decimal(received(assessment).count())


@indicator("submissions-answered")
def submissions_answered(assessment: Assessment) -> Decimal | None:
    """Share (%) of the submissions received in the period whose sender asked for a reply
    that the NPM has answered so far."""
    if not _has_data(assessment):
        return None
    asking = received(assessment).exclude(reply_by=ReplyBy.NONE)
    answered = asking.filter(messages__author=Message.Author.NPM).distinct()
    return share(answered.count(), asking.count())
