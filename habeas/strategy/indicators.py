"""Self-assessment figures from the strategy, the budget and training (SPT tool ¶5, 35, 37).

Activities and budget lines are kept per year: a period counts the years it touches.
Training coverage is `habeas.strategy.training`'s rule: of the people on the team
(interpreters aside) of a visit that began in the period and has started by today (a
visit still to come shows nothing yet), the share who had completed,
on or before the first day of each of their visits, every training that visit needed;
someone whose visits needed none counts as covered.

Aggregates over the NPM's records, deliberately not narrowed by `restrict` (see
`habeas.assessment.indicators`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from habeas.assessment.indicators import indicator, is_home, period_years, share
from habeas.assessment.models import Assessment
from habeas.strategy.models import Activity, BudgetLine


@indicator("strategy-activities-completed-share")
def strategy_activities_completed_share(assessment: Assessment) -> Decimal | None:
    """Share (%) of the activities planned for the period's years that are done; dropped
    ones count as not completed (¶5)."""
    if not is_home(assessment):
        return None
    activities = Activity.objects.filter(year__in=period_years(assessment))
    done = activities.filter(status=Activity.Status.DONE).count()
    return share(done, activities.count())


@indicator("budget-spent-share")
def budget_spent_share(assessment: Assessment) -> Decimal | None:
    """Money spent as a share (%) of money planned, over the budget lines of the period's
    years (¶35); None with no budget line or nothing planned."""
    if not is_home(assessment):
        return None
    totals = BudgetLine.objects.filter(year__in=period_years(assessment)).aggregate(
        planned=Sum("planned"), spent=Sum("spent")
    )
    return share(totals["spent"] or 0, totals["planned"] or 0)


@indicator("training-coverage")
def training_coverage(assessment: Assessment) -> Decimal | None:
    """Share (%) of the people on visit teams in the period with the trainings their
    visits needed (¶37); None when nobody was on a team."""
    if not is_home(assessment):
        return None
    covered, total = coverage_between(assessment.period_start, assessment.period_end)
    return share(covered, total)


def coverage_between(start: dt.date, end: dt.date) -> tuple[int, int]:
    """(covered, total) over visits that began between two days and by today
    (`training.coverage_between`)."""
    from habeas.strategy import training

    rows = training.coverage_between(start, end)
    return sum(1 for row in rows if row.covered), len(rows)
