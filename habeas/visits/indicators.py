"""Self-assessment figures from the visits (SPT tool ¶11, 14, 16, 19, 24, 25).

A visit *held in the period* is one whose first day falls in the assessment's period and
that took place: a visit still planned or prepared has not. Shares are of the visits
held in the period; None (no data) when there were none.

Aggregates over all the NPM's visits, deliberately not narrowed by `restrict` (see
`habeas.assessment.indicators`): a share of visits names no visit, no person and nothing
said in an interview.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Min, QuerySet

from habeas.assessment.indicators import indicator, is_home, share
from habeas.assessment.models import Assessment
from habeas.visits.models import (
    Debrief,
    Interview,
    TeamAssignment,
    TeamProfile,
    UnitCoverage,
    Visit,
)

NOT_HELD = (Visit.State.PLANNED, Visit.State.PREPARED)
MEDICAL = (
    TeamProfile.Profession.DOCTOR,
    TeamProfile.Profession.PSYCHIATRIST,
    TeamProfile.Profession.NURSE,
)


def held_visits(assessment: Assessment) -> QuerySet[Visit]:
    """Visits that took place, whose first day falls in the period."""
    return Visit.objects.filter(
        starts_on__gte=assessment.period_start, starts_on__lte=assessment.period_end
    ).exclude(state__in=NOT_HELD)


def _team(assessment: Assessment) -> tuple[int, dict[int, list[tuple[str, str]]]]:
    """The number of visits held, and each one's team as (gender, profession), interpreters
    aside; a member without a team profile reads as undisclosed, with no profession."""
    visits = held_visits(assessment)
    team: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        TeamAssignment.objects.filter(visit__in=visits.values("pk"))
        .exclude(role=TeamAssignment.Role.INTERPRETER)
        .values_list("visit_id", "user__team_profile__gender", "user__team_profile__profession")
    )
    for visit_id, gender, profession in rows:
        team[visit_id].append((gender or TeamProfile.Gender.UNDISCLOSED, profession or ""))
    return visits.count(), team


@indicator("visits-with-balanced-team")
def visits_with_balanced_team(assessment: Assessment) -> Decimal | None:
    """Visits whose team (interpreters aside) included at least one woman and one man."""
    if not is_home(assessment):
        return None
    total, team = _team(assessment)
    both = {TeamProfile.Gender.WOMAN, TeamProfile.Gender.MAN}
    mixed = sum(both <= {gender for gender, _job in members} for members in team.values())
    return share(mixed, total)


@indicator("visits-with-medical-member")
def visits_with_medical_member(assessment: Assessment) -> Decimal | None:
    """Visits whose team (interpreters aside) included a doctor, psychiatrist or nurse."""
    if not is_home(assessment):
        return None
    total, team = _team(assessment)
    medical = sum(any(job in MEDICAL for _g, job in members) for members in team.values())
    return share(medical, total)


@indicator("visits-with-debriefing")
def visits_with_debriefing(assessment: Assessment) -> Decimal | None:
    """Visits with a debriefing of the management recorded (¶16)."""
    if not is_home(assessment):
        return None
    visits = held_visits(assessment)
    debriefed = Debrief.objects.filter(visit__in=visits.values("pk")).count()
    return share(debriefed, visits.count())


@indicator("visits-with-all-units-covered")
def visits_with_all_units_covered(assessment: Assessment) -> Decimal | None:
    """Visits that saw every unit in use at the place or said why not (¶14), as in
    `habeas.visits.coverage`: a unit neither seen nor explained is a gap. Visits to
    places with no unit recorded are left out."""
    from habeas.places.models import Unit

    if not is_home(assessment):
        return None
    visits = list(held_visits(assessment).values_list("pk", "place_id"))
    units: dict[int, set[int]] = defaultdict(set)
    for place_id, unit_id in Unit.objects.filter(
        place_id__in={place for _pk, place in visits}, active=True
    ).values_list("place_id", "pk"):
        units[place_id].add(unit_id)
    accounted: dict[int, set[int]] = defaultdict(set)
    for visit_id, unit_id, seen, reason in UnitCoverage.objects.filter(
        visit_id__in=[pk for pk, _place in visits]
    ).values_list("visit_id", "unit_id", "seen", "reason"):
        if seen or reason.strip():
            accounted[visit_id].add(unit_id)
    with_units = [(pk, place) for pk, place in visits if units[place]]
    complete = sum(units[place] <= accounted[pk] for pk, place in with_units)
    return share(complete, len(with_units))


@indicator("visits-anonymity-rule-met")
def visits_anonymity_rule_met(assessment: Assessment) -> Decimal | None:
    """Visits with a sensitive private interview where every unit met the anonymity rule
    of ¶25 (`habeas.visits.anonymity`); None when no visit held one."""
    from habeas.visits.anonymity import anonymity_satisfied

    if not is_home(assessment):
        return None
    ids = (
        Interview.objects.filter(
            visit__in=held_visits(assessment).values("pk"),
            kind=Interview.Kind.PRIVATE,
            sensitive=True,
        )
        .exclude(pseudonym="")
        .values_list("visit_id", flat=True)
        .distinct()
    )
    visits = list(Visit.objects.filter(pk__in=list(ids)))
    return share(sum(anonymity_satisfied(visit) for visit in visits), len(visits))


@indicator("follow-up-visits")
def follow_up_visits(assessment: Assessment) -> Decimal | None:
    """Follow-up visits held in the period (¶24)."""
    if not is_home(assessment) or not Visit.objects.exists():
        return None
    return Decimal(held_visits(assessment).filter(kind=Visit.Kind.FOLLOW_UP).count())


@indicator("visit-reports-issued")
def visit_reports_issued(assessment: Assessment) -> Decimal | None:
    """Visit and follow-up reports first sent to an authority in the period (¶19)."""
    from habeas.reports.models import Kind, Report

    if not is_home(assessment) or not Report.objects.exists():
        return None
    first_sent = (
        Report.objects.filter(kind__in=[Kind.VISIT, Kind.FOLLOW_UP])
        .annotate(first=Min("disseminations__sent_on"))
        .filter(first__gte=assessment.period_start, first__lte=assessment.period_end)
    )
    return Decimal(first_sent.count())
