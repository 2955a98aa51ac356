"""Writes of a visit's life and of its team (¶8, 11, 17). Every write goes through here.

Each service is keyword-only, checks the actor's right first, runs in one transaction and
writes exactly one audit event that never holds content (ARCHITECTURE.md rules 1, 5, 6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.places.models import Place
from habeas.visits import blockers as visit_blockers
from habeas.visits import team_checks
from habeas.visits.models import (
    Guideline,
    TeamAssignment,
    TeamProfile,
    Theme,
    Training,
    TrainingRecord,
    Visit,
)

VISIT_FIELDS = (
    "place",
    "kind",
    "announced",
    "starts_on",
    "ends_on",
    "objectives",
    "themes",
    "languages_needed",
    "guideline",
    "lead",
    "anonymity_cover",
)
PROFILE_FIELDS = (
    "profession",
    "gender",
    "languages",
    "background",
    "is_external",
    "terms_of_reference_on",
    "undertaking_signed_on",
    "conflict_note",
)
PROFILE_M2M = ("conflict_places", "conflict_authorities")
# Fields only someone who manages profiles may set: a person cannot vouch for their own
# papers or declare themselves staff.
PROFILE_MANAGED = ("is_external", "terms_of_reference_on", "undertaking_signed_on")


class VisitBlocked(ValidationError):
    """A move refused; `blockers` says why, each in plain words."""

    def __init__(self, blockers: list[visit_blockers.Blocker]) -> None:
        super().__init__([b.message for b in blockers])
        self.blockers = blockers


class MemberBlocked(ValidationError):
    """An assignment refused because of a blocking check and no valid override."""

    def __init__(self, checks: list[team_checks.Check], message: str) -> None:
        super().__init__([message, *[c.message for c in checks]])
        self.checks = checks
        self.reason = message


def _pick(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    return {name: data[name] for name in allowed if name in data}


# -- visits ------------------------------------------------------------------------


def default_guideline(place: Place) -> Guideline | None:
    """The guideline in use for the place's category, if one is published."""
    return (
        Guideline.objects.filter(category_id=place.category_id, status=Guideline.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def _clean_list(values: Any, field: str) -> list[str]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError({field: _("Give a list of words.")})
    seen: dict[str, str] = {}
    for value in values:
        text = value.strip()
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text[:64]
    return list(seen.values())


def _check_visit_values(values: dict[str, Any], visit: Visit | None) -> None:
    if "themes" in values:
        themes = _clean_list(values["themes"], "themes")
        unknown = [t for t in themes if t not in Theme.values]
        if unknown:
            raise ValidationError({"themes": _("Unknown theme.")})
        values["themes"] = themes
    if "languages_needed" in values:
        values["languages_needed"] = _clean_list(values["languages_needed"], "languages_needed")
    starts = values.get("starts_on", visit.starts_on if visit else None)
    ends = values.get("ends_on", visit.ends_on if visit else None)
    if starts and ends and ends < starts:
        raise ValidationError({"ends_on": _("The last day cannot come before the first.")})
    lead = values.get("lead")
    if lead is not None and (
        not roles.can(lead, "visits.record") or lead.role == roles.Role.EXPERT
    ):
        raise ValidationError(
            {"lead": _("The head of delegation must be a member of the NPM's visiting staff.")}
        )
    guideline = values.get("guideline")
    place = values.get("place", visit.place if visit else None)
    if guideline is not None and place is not None and guideline.category_id != place.category_id:
        raise ValidationError({"guideline": _("This guideline is for another category of place.")})
    moved = visit is not None and "place" in values and values["place"].pk != visit.place_id
    if moved and visit is not None and visit.state != Visit.State.PLANNED:
        raise ValidationError({"place": _("The place can change only while planned.")})


def _next_reference(year: int) -> str:
    prefix = f"V-{year}-"
    last = (
        Visit.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _save_with_reference(visit: Visit) -> None:
    """Number the visit V-<year>-<nnnn>; retry if another visit took the number meanwhile."""
    for _attempt in range(5):
        visit.reference = _next_reference(visit.starts_on.year)
        try:
            with transaction.atomic():
                visit.save()
            return
        except IntegrityError:
            if Visit.objects.filter(reference=visit.reference).exists():
                continue
            raise
    raise ValidationError(_("Could not number the visit; try again."))


@transaction.atomic
def visit_create(*, actor: Any, data: Mapping[str, Any]) -> Visit:
    """Plan a visit. Its head of delegation joins the team when nothing blocks them."""
    require(actor, "visits.plan")
    values = _pick(data, VISIT_FIELDS)
    _check_visit_values(values, None)
    if values.get("guideline") is None and values.get("place") is not None:
        values["guideline"] = default_guideline(values["place"])
    visit = Visit(**values, created_by=actor, state=Visit.State.PLANNED)
    visit.reference = "V-pending"
    visit.full_clean(exclude=["reference"])
    _save_with_reference(visit)
    lead_added = False
    if not [c for c in team_checks.member_checks(visit, visit.lead, trainings=[]) if c.blocks]:
        TeamAssignment.objects.create(
            visit=visit, user=visit.lead, role=TeamAssignment.Role.LEADER, assigned_by=actor
        )
        lead_added = True
    audit.record(actor=actor, action="visit.create", obj=visit, detail={"lead_added": lead_added})
    return visit


def visit_update(
    *, actor: Any, visit: Visit, data: Mapping[str, Any], expected_version: int
) -> Visit:
    require(actor, "visits.plan")
    if visit.state == Visit.State.CLOSED:
        raise ValidationError(_("A closed visit cannot be edited."))
    values = _pick(data, VISIT_FIELDS)
    _check_visit_values(values, visit)
    candidate = Visit(**{**{f: getattr(visit, f) for f in VISIT_FIELDS}, **values})
    candidate.reference, candidate.created_by_id = visit.reference, visit.created_by_id
    candidate.full_clean(exclude=["reference"], validate_unique=False)
    old_lead = visit.lead_id
    with stale_guarded("visit.update", visit, actor, expected_version):
        changed = versioned_update(
            model=Visit, obj=visit, values=values, expected_version=expected_version
        )
        if visit.lead_id != old_lead:
            _follow_lead(visit)
        audit.record(actor=actor, action="visit.update", obj=visit, detail={"fields": changed})
    return visit


def _follow_lead(visit: Visit) -> None:
    """Keep the team's head of delegation the visit's lead."""
    TeamAssignment.objects.filter(visit=visit, role=TeamAssignment.Role.LEADER).exclude(
        user_id=visit.lead_id
    ).update(role=TeamAssignment.Role.MEMBER)
    TeamAssignment.objects.filter(visit=visit, user_id=visit.lead_id).update(
        role=TeamAssignment.Role.LEADER
    )


@transaction.atomic
def visit_move(*, actor: Any, visit: Visit, to: str, on: dt.date | None = None) -> Visit:
    """Move the visit to state `to`, or refuse with what blocks it (`VisitBlocked`).

    Dated states (report drafted, sent, response received) take the day it happened,
    kept in the audit trail. Closing records the time and the place's last visit.
    """
    require(actor, "visits.plan")
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    found = visit_blockers.blockers(visit, to)
    if found:
        raise VisitBlocked(found)
    today = timezone.localdate()
    if on is not None and on > today:
        raise ValidationError({"on": _("This date is in the future.")})
    detail: dict[str, Any] = {"from": visit.state, "to": to}
    if to in visit_blockers.DATED_STATES:
        detail["on"] = (on or today).isoformat()
    fields: dict[str, Any] = {"state": to}
    if to == Visit.State.CLOSED:
        fields["closed_at"] = timezone.now()
        _record_last_visit(visit)
    Visit.objects.filter(pk=visit.pk).update(
        **fields, version=models.F("version") + 1, updated_at=timezone.now()
    )
    visit.refresh_from_db()
    audit.record(actor=actor, action="visit.move", obj=visit, detail=detail)
    return visit


def _record_last_visit(visit: Visit) -> None:
    """A documented direct update: the places services have no service for this one fact,
    and the close is the event that causes it (one audit event: `visit.move`). The
    version is bumped so a place form opened before answers 409 rather than overwrite."""
    Place.objects.filter(pk=visit.place_id).filter(
        models.Q(last_visit_on__isnull=True) | models.Q(last_visit_on__lt=visit.ends_on)
    ).update(
        last_visit_on=visit.ends_on,
        version=models.F("version") + 1,
        updated_at=timezone.now(),
    )


# -- the team ----------------------------------------------------------------------


def _open_for_team(visit: Visit) -> None:
    if visit.state == Visit.State.CLOSED:
        raise ValidationError(_("The team of a closed visit cannot change."))


@transaction.atomic
def team_add(
    *,
    actor: Any,
    visit: Visit,
    user: Any,
    role: str = TeamAssignment.Role.MEMBER,
    override_reason: str = "",
) -> TeamAssignment:
    """Put a person on the team. A blocking check refuses it unless someone with
    `visits.override` gives a written reason, which the assignment keeps."""
    require(actor, "visits.plan")
    _open_for_team(visit)
    if role not in TeamAssignment.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if user.pk == visit.lead_id:
        role = TeamAssignment.Role.LEADER
    elif role == TeamAssignment.Role.LEADER:
        raise ValidationError({"role": _("The head of delegation is the visit's lead.")})
    needed = "visits.view" if role == TeamAssignment.Role.INTERPRETER else "visits.record"
    if not roles.can(user, needed):
        raise ValidationError({"user": _("This person cannot take part in visits.")})
    if TeamAssignment.objects.filter(visit=visit, user=user).exists():
        raise ValidationError({"user": _("This person is already on the team.")})
    blocks = [c for c in team_checks.member_checks(visit, user, trainings=[]) if c.blocks]
    reason = (override_reason or "").strip()
    if blocks and not reason:
        raise MemberBlocked(
            blocks, _("This person cannot join the team unless the head overrides with a reason.")
        )
    if blocks and not roles.can(actor, "visits.override"):
        raise MemberBlocked(blocks, _("Only the head of the NPM may override a block."))
    assignment = TeamAssignment.objects.create(
        visit=visit,
        user=user,
        role=role,
        assigned_by=actor,
        override_reason=reason if blocks else "",
        overridden_by=actor if blocks else None,
    )
    detail: dict[str, Any] = {"user": user.pk, "role": role}
    if blocks:
        detail["overridden"] = sorted({c.code for c in blocks})
    audit.record(actor=actor, action="team.add", obj=visit, detail=detail)
    return assignment


@transaction.atomic
def team_remove(*, actor: Any, assignment: TeamAssignment) -> None:
    require(actor, "visits.plan")
    _open_for_team(assignment.visit)
    visit, user_pk = assignment.visit, assignment.user_id
    assignment.delete()
    audit.record(actor=actor, action="team.remove", obj=visit, detail={"user": user_pk})


@transaction.atomic
def conduct_acknowledge(*, actor: Any, assignment: TeamAssignment) -> TeamAssignment:
    """The member themself acknowledges the NPM's code of conduct for this visit (¶17)."""
    if assignment.user_id != actor.pk:
        raise PermissionDenied(_("Only the member may acknowledge the code of conduct."))
    if assignment.conduct_acknowledged_at is not None:
        raise ValidationError(_("You have already acknowledged the code of conduct."))
    assignment.conduct_acknowledged_at = timezone.now()
    assignment.save(update_fields=["conduct_acknowledged_at"])
    audit.record(actor=actor, action="team.conduct_acknowledge", obj=assignment.visit)
    return assignment


# -- profiles ----------------------------------------------------------------------


def may_edit_profile(actor: Any, person: Any) -> bool:
    if roles.can(actor, "visits.profiles"):
        return True
    return bool(actor.pk == person.pk and roles.can(actor, "visits.view"))


def _check_profile_values(values: dict[str, Any]) -> None:
    if "languages" in values:
        values["languages"] = _clean_list(values["languages"], "languages")


def profile_save(
    *, actor: Any, person: Any, data: Mapping[str, Any], expected_version: int | None = None
) -> TeamProfile:
    """Create or edit a person's team profile. Their own, or anyone's with
    `visits.profiles`; the papers of an external expert only with that right."""
    if not may_edit_profile(actor, person):
        raise PermissionDenied(_("You may not do this."))
    allowed: tuple[str, ...] = PROFILE_FIELDS
    if not roles.can(actor, "visits.profiles"):
        allowed = tuple(f for f in PROFILE_FIELDS if f not in PROFILE_MANAGED)
    values = _pick(data, allowed)
    _check_profile_values(values)
    m2m = _pick(data, PROFILE_M2M)
    profile = TeamProfile.objects.filter(user=person).first()
    if profile is None:
        return _profile_create(actor=actor, person=person, values=values, m2m=m2m)
    candidate = TeamProfile(**{**{f: getattr(profile, f) for f in PROFILE_FIELDS}, **values})
    candidate.user_id = person.pk
    candidate.full_clean(exclude=["user"], validate_unique=False)
    version = profile.version if expected_version is None else expected_version
    with stale_guarded("profile.update", profile, actor, version):
        changed = versioned_update(
            model=TeamProfile, obj=profile, values=values, expected_version=version
        )
        changed += _set_m2m(profile, m2m)
        audit.record(actor=actor, action="profile.update", obj=profile, detail={"fields": changed})
    return profile


@transaction.atomic
def _profile_create(
    *, actor: Any, person: Any, values: dict[str, Any], m2m: dict[str, Any]
) -> TeamProfile:
    profile = TeamProfile(user=person, **values)
    profile.full_clean()
    profile.save()
    _set_m2m(profile, m2m)
    audit.record(actor=actor, action="profile.create", obj=profile)
    return profile


def _set_m2m(profile: TeamProfile, m2m: dict[str, Any]) -> list[str]:
    changed = []
    for name, rows in m2m.items():
        related = getattr(profile, name)
        before = set(related.values_list("pk", flat=True))
        related.set(rows)
        if before != {row.pk for row in rows}:
            changed.append(name)
    return changed


@transaction.atomic
def training_record_add(
    *, actor: Any, person: Any, training: Training, completed_on: dt.date
) -> TrainingRecord:
    if not may_edit_profile(actor, person):
        raise PermissionDenied(_("You may not do this."))
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("This date is in the future.")})
    if TrainingRecord.objects.filter(
        user=person, training=training, completed_on=completed_on
    ).exists():
        raise ValidationError(_("This training is already recorded on that date."))
    record = TrainingRecord.objects.create(
        user=person, training=training, completed_on=completed_on, recorded_by=actor
    )
    audit.record(
        actor=actor,
        action="training.record",
        obj=record,
        detail={"user": person.pk, "training": training.code},
    )
    return record
