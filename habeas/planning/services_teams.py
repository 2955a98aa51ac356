"""Writes of the team builder, people's absences and visit durations (¶8, 11).

Proposing teams is a background job (`tasks.teams_solve`, which calls `teams_solve`
here): the solver runs outside any transaction and its answer is written in one. The
same rules as `services.py` hold: keyword-only, the right checked first, one audit event
that never holds content.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.core import audit
from habeas.core.services import require
from habeas.places.models import Category
from habeas.planning.inputs_teams import store_proposals, team_input
from habeas.planning.models import DurationRule, PlannedVisit, Programme, Unavailability
from habeas.planning.services import _planner, _whole

logger = logging.getLogger(__name__)


# -- teams ------------------------------------------------------------------------------------


@transaction.atomic
def teams_queue(*, actor: Any, programme: Programme, enqueue: bool = True) -> Programme:
    """Queue the team builder for every planned visit of a built programme; the job starts
    once this commits (`enqueue=False` leaves it to the caller to run `teams_solve`)."""
    _planner(actor, programme)
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    if current.status != Programme.Status.BUILT:
        raise ValidationError(_("Build the programme before proposing teams for its visits."))
    if not PlannedVisit.objects.filter(programme=programme).exists():
        raise ValidationError(_("The programme has no planned visit to propose a team for."))
    Programme.objects.filter(pk=programme.pk).update(
        teams_status=Programme.TeamsStatus.QUEUED, teams_failure=""
    )
    programme.refresh_from_db()
    audit.record(actor=actor, action="planning.teams_build", obj=programme)
    if enqueue:
        language = get_language() or "en"
        pk = programme.pk
        transaction.on_commit(lambda: _enqueue_teams(pk, language))
    return programme


def _enqueue_teams(programme_id: int, language: str) -> None:
    from habeas.planning.tasks import teams_solve as job

    job.enqueue(programme_id=programme_id, language=language)


def _teams_fail(programme_id: int, reason: str) -> None:
    with transaction.atomic():
        updated = Programme.objects.filter(
            pk=programme_id, teams_status=Programme.TeamsStatus.QUEUED
        ).update(teams_status=Programme.TeamsStatus.FAILED, teams_failure=reason)
        if updated:
            audit.record(
                actor=None,
                action="planning.teams_fail",
                obj=Programme.objects.get(pk=programme_id),
            )


def teams_solve(*, programme_id: int, time_limit: float | None = None) -> int:
    """The team job: one model for the whole period, searched for the programme's time
    limit (`time_limit` overrides it); returns the proposals written. Never raises: a
    failure leaves the teams FAILED with one plain sentence, the cause in the log."""
    from habeas.planning.solver import teams as team_solver

    programme = Programme.objects.filter(
        pk=programme_id, teams_status=Programme.TeamsStatus.QUEUED
    ).first()
    if programme is None:
        return 0
    try:
        prepared = team_input(programme, time_limit=time_limit)
        if not prepared.planned:
            _teams_fail(
                programme_id, _("The programme has no planned visit to propose a team for.")
            )
            return 0
        result = team_solver.solve(prepared.inp)
        written = store_proposals(programme_id, prepared, result)
    except Exception as exc:  # noqa: BLE001 - any failure must end as FAILED, not QUEUED
        logger.exception("teams of %s could not be proposed (%s)", programme_id, type(exc).__name__)
        _teams_fail(
            programme_id,
            _(
                "The teams could not be proposed because of an internal error; the "
                "administrator can see its cause in the log. Try again, or ask them."
            ),
        )
        return 0
    if written is None:
        _teams_fail(
            programme_id,
            _(
                "The programme changed while its teams were being proposed, so none was "
                "kept: propose them again."
            ),
        )
        return 0
    return written


def teams_build(*, actor: Any, programme: Programme, time_limit: float | None = None) -> int:
    """Queue and run the team builder at once (the demo, `manage.py plan`, tests): the
    number of proposals. A failure is raised with its plain sentence."""
    teams_queue(actor=actor, programme=programme, enqueue=False)
    count = teams_solve(programme_id=programme.pk, time_limit=time_limit)
    programme.refresh_from_db()
    if programme.teams_status == Programme.TeamsStatus.FAILED:
        raise ValidationError(programme.teams_failure)
    return count


# -- availability and durations ---------------------------------------------------------------


@transaction.atomic
def unavailability_add(
    *, actor: Any, user: Any, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> Unavailability:
    """A time a person cannot visit; the team builder leaves them out of those weeks."""
    require(actor, "planning.change")
    if not (user.is_active and roles.can(user, "visits.record")):
        raise ValidationError({"user": _("This person does not take part in visits.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day cannot come before the first.")})
    item = Unavailability.objects.create(
        user=user, starts_on=starts_on, ends_on=ends_on, note=(note or "").strip()[:200]
    )
    audit.record(actor=actor, action="planning.unavailability_add", obj=item)
    return item


@transaction.atomic
def unavailability_remove(*, actor: Any, item: Unavailability) -> None:
    require(actor, "planning.change")
    audit.record(
        actor=actor,
        action="planning.unavailability_remove",
        obj=item,
        detail={"user": item.user_id},
    )
    item.delete()


def _days(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give a number of days, such as 0.5 or 3.")}) from None
    if not Decimal("0.5") <= number <= Decimal("60"):
        raise ValidationError({field: _("Give from 0.5 to 60 days.")})
    return number.quantize(Decimal("0.1"))


@transaction.atomic
def duration_rule_save(
    *,
    actor: Any,
    category: Category,
    capacity_from: int,
    in_depth_days: Any,
    follow_up_days: Any,
    team_size: int,
) -> DurationRule:
    """How long a visit to a place of this category and size takes, with how many people."""
    require(actor, "planning.change")
    values = {
        "in_depth_days": _days(in_depth_days, "in_depth_days"),
        "follow_up_days": _days(follow_up_days, "follow_up_days"),
        "team_size": _whole(team_size, "team_size", low=1, high=30),
    }
    rule, _created = DurationRule.objects.update_or_create(
        category=category,
        capacity_from=_whole(capacity_from, "capacity_from", high=100000),
        defaults=values,
    )
    audit.record(
        actor=actor,
        action="planning.duration_rule_save",
        obj=rule,
        detail={"category": category.pk, "capacity_from": rule.capacity_from},
    )
    return rule
