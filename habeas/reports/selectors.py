"""Reads for reports: the report lists, and the records each kind of report counts,
always through `restrict` as the reader (ARCHITECTURE.md rule 2).

`habeas.reports.content` aggregates these querysets into figures; `habeas.reports.figures`
lists the rows behind one figure from the very same querysets, so a count and its list
cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from habeas.accounts import roles
from habeas.intake.models import Submission
from habeas.partners.models import Communication
from habeas.places.models import Place, Unit
from habeas.recommendations.models import Recommendation
from habeas.reports.models import Kind, Report, ReportVersion, State
from habeas.visits.models import Difficulty, Finding, Interview, TeamAssignment, UnitCoverage, Visit

# A visit counts in a report once it took place.
VISITED = (
    Visit.State.IN_PROGRESS,
    Visit.State.DEBRIEFED,
    Visit.State.REPORT_DRAFTED,
    Visit.State.REPORT_SENT,
    Visit.State.RESPONSE_RECEIVED,
    Visit.State.CLOSED,
)


# -- reports ------------------------------------------------------------------------------


def report_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Report]:
    """The reports a user sees, filtered by kind, state, year (of creation) or a search
    in the reference and title."""
    reports = Report.objects.restrict(user, "view").select_related("visit", "place")
    filters = filters or {}
    if filters.get("kind") in Kind.values:
        reports = reports.filter(kind=filters["kind"])
    if filters.get("state") in State.values:
        reports = reports.filter(state=filters["state"])
    year = str(filters.get("year") or "")
    if year.isdigit():
        reports = reports.filter(Q(year=int(year)) | Q(created_at__year=int(year)))
    search = str(filters.get("search") or "").strip()
    if search:
        reports = reports.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    return reports


def report_get(*, user: Any, pk: Any, action: str = "view") -> Report:
    """One report the user may reach for `action`; `Report.DoesNotExist` otherwise (the
    view answers 404 for both)."""
    return Report.objects.restrict(user, action).select_related("visit", "place").get(pk=pk)


def version_get(*, user: Any, report: Report, number: int) -> ReportVersion:
    return ReportVersion.objects.restrict(user, "view").get(report=report, number=number)


# -- what a visit report counts --------------------------------------------------------------


def visit_interviews(user: Any, visit_id: int) -> QuerySet[Interview]:
    """Interviews held (a planned follow-up without pseudonym is not one yet)."""
    return Interview.objects.restrict(user, "view").filter(visit_id=visit_id).exclude(pseudonym="")


def visit_findings(user: Any, visit_id: int) -> QuerySet[Finding]:
    return Finding.objects.restrict(user, "view").filter(visit_id=visit_id)


def visit_team(user: Any, visit_id: int) -> QuerySet[TeamAssignment]:
    return (
        TeamAssignment.objects.restrict(user, "view")
        .filter(visit_id=visit_id)
        .select_related("user")
    )


def place_units(user: Any, place_id: int) -> QuerySet[Unit]:
    """The place's units in use, for a reader who sees the inventory."""
    places = Place.objects.restrict(user, "view").filter(pk=place_id).values("pk")
    return Unit.objects.filter(place_id__in=places, active=True)


def visit_units_seen(user: Any, visit_id: int) -> QuerySet[Any]:
    return UnitCoverage.objects.restrict(user, "view").filter(
        visit_id=visit_id, seen=True, unit__active=True
    )


def visits_of_place(user: Any, place_id: int) -> QuerySet[Visit]:
    return Visit.objects.restrict(user, "view").filter(place_id=place_id, state__in=VISITED)


def previous_visit(user: Any, visit: Visit) -> Visit | None:
    return (
        visits_of_place(user, visit.place_id)
        .filter(starts_on__lt=visit.starts_on)
        .order_by("-starts_on", "-id")
        .first()
    )


def recommendations(user: Any) -> QuerySet[Recommendation]:
    return Recommendation.objects.restrict(user, "view")


def sent_recommendations(user: Any) -> QuerySet[Recommendation]:
    return recommendations(user).filter(state=Recommendation.State.SENT)


def place_recommendations_before(
    user: Any, place_id: int, before: dt.date | None
) -> QuerySet[Recommendation]:
    """The recommendations made to a place (sent) before a day: what a follow-up checks."""
    rows = sent_recommendations(user).filter(place_id=place_id)
    if before is not None:
        rows = rows.filter(sent_on__lt=before)
    return rows


# -- thematic and annual ------------------------------------------------------------------


def visits_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Visit]:
    return Visit.objects.restrict(user, "view").filter(
        state__in=VISITED, starts_on__gte=start, starts_on__lte=end
    )


def concerns_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Finding]:
    return Finding.objects.restrict(user, "view").filter(
        visit__state__in=VISITED,
        visit__starts_on__gte=start,
        visit__starts_on__lte=end,
    )


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def interviews_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Interview]:
    visits = visits_between(user, start, end).values("pk")
    return Interview.objects.restrict(user, "view").filter(visit__in=visits).exclude(pseudonym="")


def difficulties_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Difficulty]:
    visits = visits_between(user, start, end).values("pk")
    return Difficulty.objects.restrict(user, "view").filter(visit__in=visits)


def may_see_submissions(user: Any) -> bool:
    return roles.can(user, "intake.view")


def submissions_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Any]:
    return Submission.objects.restrict(user, "view").filter(
        received_on__gte=start, received_on__lte=end
    )


def communications_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Any]:
    return Communication.objects.restrict(user, "view").filter(
        occurred_on__gte=start, occurred_on__lte=end
    )


def thematic_reports_signed(user: Any, year: int) -> QuerySet[Report]:
    return Report.objects.restrict(user, "view").filter(kind=Kind.THEMATIC, signed_at__year=year)


def places_visible(user: Any) -> QuerySet[Place]:
    return Place.objects.restrict(user, "view")
