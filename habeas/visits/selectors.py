"""Reads of visits, teams and team profiles, always through `restrict` (ARCHITECTURE.md
rule 2). A visit or a person the reader may not see answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.core.models import AuditEvent
from habeas.visits.models import TeamAssignment, TeamProfile, Visit


@dataclass(frozen=True)
class VisitFilters:
    place: int | None = None
    state: str = ""
    kind: str = ""
    year: int | None = None

    def as_lookups(self) -> dict[str, Any]:
        lookups: dict[str, Any] = {}
        if self.place:
            lookups["place_id"] = self.place
        if self.state:
            lookups["state"] = self.state
        if self.kind:
            lookups["kind"] = self.kind
        if self.year:
            lookups["starts_on__gte"] = dt.date(self.year, 1, 1)
            lookups["starts_on__lte"] = dt.date(self.year, 12, 31)
        return lookups


def visit_list(*, user: Any, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    lookups = filters.as_lookups() if filters else {}
    return (
        Visit.objects.restrict(user, "view")
        .filter(**lookups)
        .select_related("place", "place__category", "lead")
    )


def visit_for(*, user: Any, pk: Any, action: str = "view") -> Visit:
    """The visit if `user` may `action` it; 404 for a missing and a hidden one alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    visit = (
        Visit.objects.restrict(user, action)
        .select_related("place", "place__category", "place__authority", "lead", "guideline")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def team_of(visit: Visit) -> list[TeamAssignment]:
    return list(
        TeamAssignment.objects.filter(visit=visit)
        .select_related("user", "user__team_profile", "overridden_by")
        .order_by("role", "assigned_at")
    )


def assignment_of(*, visit: Visit, user: Any) -> TeamAssignment | None:
    return TeamAssignment.objects.filter(visit=visit, user=user).first()


def visit_years(*, user: Any) -> list[int]:
    dates = Visit.objects.restrict(user, "view").dates("starts_on", "year", order="DESC")
    return [d.year for d in dates]


def state_history(visit: Visit) -> list[AuditEvent]:
    """The visit's moves with their dates, as the audit trail kept them."""
    return list(
        AuditEvent.objects.filter(
            object_type=Visit._meta.label_lower,
            object_id=str(visit.pk),
            action__in=["visit.create", "visit.move"],
        ).order_by("id")
    )


# -- people ------------------------------------------------------------------------

VISITING_ROLES = roles.PERMISSIONS["visits.record"]


def may_see_people(user: Any) -> bool:
    return roles.can(user, "visits.view") or roles.can(user, "visits.profiles")


def may_see_private_profile(viewer: Any, person: Any) -> bool:
    """Gender, declared background and conflicts: the person, planners and profile
    managers only (OPCAT 18(2): the background serves the team's balance alone)."""
    return (
        viewer.pk == person.pk
        or roles.can(viewer, "visits.plan")
        or roles.can(viewer, "visits.profiles")
    )


def people(*, user: Any) -> QuerySet[User]:
    """People who may be put on a team: visiting staff and anyone with a team profile;
    never members of another organisation (the SPT, a peer NPM), whatever their role."""
    if not may_see_people(user):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=VISITING_ROLES) | Q(team_profile__isnull=False))
        .exclude(assessment_membership__organisation__is_home=False)
        .select_related("team_profile")
        .order_by("full_name", "email")
    )


def person_for(*, user: Any, pk: Any) -> User:
    if not may_see_people(user):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk == user.pk:
        return user
    person = people(user=user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def profile_of(person: Any) -> TeamProfile | None:
    return TeamProfile.objects.filter(user=person).first()


def team_candidates(*, user: Any, visit: Visit) -> QuerySet[User]:
    """People who are not on the team yet."""
    return people(user=user).exclude(visit_assignments__visit=visit)
