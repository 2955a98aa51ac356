"""The team builder's input and its proposals back (¶8, 11).

`team_input` turns a programme's planned visits and the people who go on visits into a
`solver.types.TeamInput`, in a handful of queries whatever the number of visits: what
each place needs (a medical member for psychiatric, health and social-care places,
someone trained in children's rights for juvenile centres, a woman where women are held,
the languages the last visit recorded, a member of a declared minority background), each
person's profile, papers, availability and share of the staff-days, and every conflict of
interest declared on the place or on an authority above it (a hard exclusion).

`store_proposals` writes the solver's answer as one `TeamProposal` per planned visit,
with its checks: what is missing, what limited the choice, and what holds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from habeas.core import audit
from habeas.places.models import Authority, Place
from habeas.planning.inputs import week_index, week_starts
from habeas.planning.models import (
    PlannedVisit,
    ProfessionCapacity,
    Programme,
    TeamProposal,
    Unavailability,
)
from habeas.planning.solver.types import Person, TeamInput, VisitNeed
from habeas.visits.models import TeamProfile, Training, TrainingRecord, Visit
from habeas.visits.team_checks import MEDICAL_CATEGORIES

# Staff-days a person can give to visits per week of the period when no profession
# capacity says otherwise (two days a week).
DEFAULT_DAYS_PER_WEEK = 2.0
CHILD_RIGHTS_TRAINING = "childrens-rights"


# -- the team builder's input -----------------------------------------------------------------


@dataclass
class TeamPrepared:
    inp: TeamInput
    planned: dict[int, PlannedVisit]  # visit key → planned visit
    people: dict[int, Any]  # person key → user


def _authority_chains(authority_ids: Iterable[int]) -> dict[int, set[int]]:
    parents = dict(Authority.objects.values_list("pk", "parent_id"))
    chains: dict[int, set[int]] = {}
    for start in authority_ids:
        seen: set[int] = set()
        node: int | None = start
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        chains[start] = seen
    return chains


def _languages(place_ids: list[int]) -> dict[int, frozenset[str]]:
    """The languages of the people held, as the last visit to each place recorded them."""
    found: dict[int, frozenset[str]] = {}
    for place_id, languages in (
        Visit.objects.filter(place_id__in=place_ids)
        .exclude(languages_needed=[])
        .order_by("place_id", "-starts_on", "-pk")
        .values_list("place_id", "languages_needed")
    ):
        if place_id not in found and languages:
            found[place_id] = frozenset(str(lang).strip().casefold() for lang in languages if lang)
    return found


def _people(programme: Programme, weeks: list[dt.date]) -> tuple[list[Person], dict[int, Any]]:
    from habeas.accounts import roles
    from habeas.accounts.models import User

    visiting = roles.PERMISSIONS["visits.record"]
    profiles = list(
        TeamProfile.objects.filter(user__is_active=True, user__role__in=visiting).select_related(
            "user"
        )
    )
    profiles = [p for p in profiles if not p.user.has_expired()]
    user_ids = [p.user_id for p in profiles]
    trained = set(
        TrainingRecord.objects.filter(
            user_id__in=user_ids, training__code=CHILD_RIGHTS_TRAINING
        ).values_list("user_id", flat=True)
    )
    away: dict[int, set[int]] = defaultdict(set)
    last_day = weeks[-1] + dt.timedelta(days=6)
    for item in Unavailability.objects.filter(
        user_id__in=user_ids, starts_on__lte=last_day, ends_on__gte=weeks[0]
    ):
        for w, monday in enumerate(weeks):
            if item.starts_on <= monday + dt.timedelta(days=6) and item.ends_on >= monday:
                away[item.user_id].add(w)
    per_profession = dict(
        ProfessionCapacity.objects.filter(programme=programme).values_list(
            "profession", "staff_days"
        )
    )
    counts: dict[str, int] = defaultdict(int)
    for profile in profiles:
        counts[profile.profession] += 1
    people: list[Person] = []
    users: dict[int, User] = {}
    for profile in profiles:
        user = profile.user
        external = profile.is_external or user.role == roles.Role.EXPERT
        stated = per_profession.get(profile.profession)
        max_days = (
            stated / counts[profile.profession]
            if stated is not None
            else DEFAULT_DAYS_PER_WEEK * len(weeks)
        )
        people.append(
            Person(
                key=user.pk,
                gender=profile.gender,
                medical=profile.is_medical,
                child_rights=user.pk in trained,
                languages=frozenset(
                    str(lang).strip().casefold() for lang in profile.languages or [] if lang
                ),
                minority=bool(profile.background.strip()),
                external=external,
                papers=bool(profile.terms_of_reference_on and profile.undertaking_signed_on),
                max_days=float(max_days),
                unavailable_weeks=frozenset(away.get(user.pk, set())),
            )
        )
        users[user.pk] = user
    return people, users


def team_input(programme: Programme, *, time_limit: float | None = None) -> TeamPrepared:
    """The team builder's instance: every planned visit of the programme and every person
    with a team profile who may take part in visits (external experts included)."""
    weeks = week_starts(programme)
    planned = list(
        PlannedVisit.objects.filter(programme=programme)
        .select_related("place", "place__category")
        .order_by("week_starts_on", "pk")
    )
    place_ids = [v.place_id for v in planned]
    groups: dict[int, set[str]] = defaultdict(set)
    for place_id, code in Place.groups.through.objects.filter(place_id__in=place_ids).values_list(
        "place_id", "populationgroup__code"
    ):
        groups[place_id].add(code)
    child_training = Training.objects.filter(code=CHILD_RIGHTS_TRAINING).first()
    child_codes = set(child_training.needed_for or []) if child_training else {"juvenile"}
    languages = _languages(place_ids)
    people, users = _people(programme, weeks)
    chains = _authority_chains({v.place.authority_id for v in planned if v.place.authority_id})
    conflicts: set[tuple[int, int]] = set()
    place_conflicts = TeamProfile.conflict_places.through.objects.filter(
        teamprofile__user_id__in=list(users), place_id__in=place_ids
    ).values_list("teamprofile__user_id", "place_id")
    by_place: dict[int, set[int]] = defaultdict(set)
    for user_id, place_id in place_conflicts:
        by_place[place_id].add(user_id)
    by_authority: dict[int, set[int]] = defaultdict(set)
    for user_id, authority_id in TeamProfile.conflict_authorities.through.objects.filter(
        teamprofile__user_id__in=list(users)
    ).values_list("teamprofile__user_id", "authority_id"):
        by_authority[authority_id].add(user_id)
    needs: list[VisitNeed] = []
    for visit in planned:
        place = visit.place
        codes = groups[place.pk] | {place.category.code}
        excluded = set(by_place[place.pk])
        for authority in chains.get(place.authority_id or 0, set()):
            excluded |= by_authority[authority]
        conflicts |= {(visit.pk, user_id) for user_id in excluded}
        needs.append(
            VisitNeed(
                key=visit.pk,
                week=week_index(weeks, visit.week_starts_on),
                days=float(visit.days),
                team_size=visit.team_size,
                medical=place.category.code in MEDICAL_CATEGORIES,
                child_rights=bool(codes & child_codes),
                woman="women" in codes,
                languages=languages.get(place.pk, frozenset()),
                minority="minorities" in codes,
            )
        )
    return TeamPrepared(
        inp=TeamInput(
            visits=needs,
            people=people,
            conflicts=frozenset(conflicts),
            time_limit=float(time_limit or programme.time_limit_seconds),
            seed=programme.pk or 0,
        ),
        planned={v.pk: v for v in planned},
        people=users,
    )


# -- the proposals back -----------------------------------------------------------------------

OK_LEVEL, INFO_LEVEL, WARNING_LEVEL, BLOCK_LEVEL = "ok", "info", "warning", "block"


def team_checks_for(
    need: VisitNeed, members: list[int], prepared: TeamPrepared, result: Any
) -> list[dict[str, Any]]:
    """A proposal's checks: what is missing (`warning`, or `block` when no full team or no
    staff head of delegation), what limited the choice (`info`), and what holds (`ok`)."""
    from habeas.planning.solver import types

    unmet = list(result.unmet.get(need.key, []))
    blocking = {types.TEAM_SHORT, types.NO_STAFF_LEAD}
    checks = [
        {
            "code": item.code,
            "level": BLOCK_LEVEL if item.code in blocking else WARNING_LEVEL,
            "params": dict(item.params),
        }
        for item in unmet
    ]
    checks += [
        {"code": item.code, "level": INFO_LEVEL, "params": dict(item.params)}
        for item in result.binding.get(need.key, [])
    ]
    codes = {item.code for item in unmet}
    missing_languages = {
        str(item.params.get("language", "")) for item in unmet if item.code == types.NO_LANGUAGE
    }

    def ok(code: str, **params: Any) -> None:
        checks.append({"code": code, "level": OK_LEVEL, "params": params})

    if types.TEAM_SHORT not in codes:
        ok("team_full", count=len(members))
    if members and types.NO_STAFF_LEAD not in codes:
        ok("staff_lead")
    if need.medical and types.NO_MEDICAL not in codes:
        ok("medical_met")
    if need.child_rights and types.NO_CHILD_RIGHTS not in codes:
        ok("child_rights_met")
    if need.woman and types.NO_WOMAN not in codes:
        ok("woman_met")
    for language in sorted(need.languages - missing_languages):
        ok("language_met", language=language)
    if need.minority and types.NO_MINORITY not in codes:
        ok("minority_met")
    ok("conflicts_checked")
    return checks


def store_proposals(programme_id: int, prepared: TeamPrepared, result: Any) -> int | None:
    """Write the proposals (the team job's last step): every earlier proposal of the
    programme is replaced, a visit removed meanwhile gets none, and the programme's teams
    are BUILT. None, writing nothing, when the plan changed under the job: the programme
    was built again (its teams' status is no longer queued) or is no longer built."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme_id)
        if (
            programme.teams_status != Programme.TeamsStatus.QUEUED
            or programme.status != Programme.Status.BUILT
        ):
            return None
        still = set(
            PlannedVisit.objects.filter(
                programme=programme, pk__in=list(prepared.planned)
            ).values_list("pk", flat=True)
        )
        TeamProposal.objects.filter(planned_visit__programme=programme).delete()
        rows = [
            _proposal(need, result.members.get(need.key, []), prepared, result)
            for need in prepared.inp.visits
            if need.key in still
        ]
        TeamProposal.objects.bulk_create(rows)
        Programme.objects.filter(pk=programme.pk).update(
            teams_status=Programme.TeamsStatus.BUILT,
            teams_failure="",
            teams_built_at=timezone.now(),
        )
        audit.record(
            actor=None,
            action="planning.teams_solve",
            obj=programme,
            detail={"proposals": len(rows), "solver": result.solver},
        )
    return len(rows)


def _proposal(
    need: VisitNeed, members: list[int], prepared: TeamPrepared, result: Any
) -> TeamProposal:
    return TeamProposal(
        planned_visit_id=need.key,
        members=[
            {"user": key, "role": "leader" if i == 0 else "member"} for i, key in enumerate(members)
        ],
        checks=team_checks_for(need, members, prepared, result),
    )
