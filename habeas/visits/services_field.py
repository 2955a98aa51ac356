"""Writes made during the visit and at its debriefing (¶13–16, 25, 31b).

Every function here is a service (ARCHITECTURE.md rule 1): keyword-only, atomic, the
actor's right checked first, exactly one audit event, never content in the audit.
Only the fields named in each service's whitelist are read from `data`. Sealed values
(interview notes and identity, register discrepancies) arrive in plaintext and are
sealed here before anything is saved.

Who may write:
- unit coverage, findings, difficulties, the debrief and urgent drafts: whoever may
  change the visit (`Visit.objects.restrict(actor, "change")`: its team and planners);
- interviews and register checks: the visit's team and the head only (the same rule as
  `TeamOnlyQuerySet`), since writing them means reading them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.core import audit, crypto
from habeas.core.errors import StaleEdit
from habeas.places.models import Authority, PlaceDocument, Unit
from habeas.visits import triangulation
from habeas.visits.models import (
    Debrief,
    Difficulty,
    Evidence,
    Finding,
    Interview,
    Photo,
    RegisterCheck,
    Standard,
    TeamAssignment,
    Theme,
    UnitCoverage,
    UrgentDraft,
    Visit,
)
from habeas.visits.source_check import check_fields

NAME_DOMAIN = "person-name"  # the same domain as case files: one person, one index
URGENT_DEFAULT_DAYS = 7
PSEUDONYM_PREFIX = {
    Interview.Kind.PRIVATE: "P",
    Interview.Kind.GROUP: "G",
    Interview.Kind.STAFF: "S",
    Interview.Kind.MANAGEMENT: "M",
    Interview.Kind.OTHER_VISITOR: "V",
}


# -- who may write ------------------------------------------------------------------


def may_change(actor: Any, visit: Visit) -> bool:
    return Visit.objects.restrict(actor, "change").filter(pk=visit.pk).exists()


def team_access(actor: Any, visit: Visit, action: str = "view") -> bool:
    """The visit's team and the head: who may read (and write) interviews, register
    checks and photographs. The same rule as `TeamOnlyQuerySet`, for one visit."""
    if not roles.can(actor, "visits.record"):
        return False
    if not Visit.objects.restrict(actor, action).filter(pk=visit.pk).exists():
        return False
    if roles.can(actor, "visits.all_interviews"):
        return True
    return TeamAssignment.objects.filter(visit=visit, user=actor).exists()


def may_see_identity(actor: Any, visit: Visit) -> bool:
    """A real identity is shown to team members whose role holds `cases.identity`."""
    return team_access(actor, visit) and roles.can(actor, "cases.identity")


def _require_change(actor: Any, visit: Visit) -> None:
    if not may_change(actor, visit):
        raise PermissionDenied(_("You may not do this."))
    if visit.state == Visit.State.CLOSED:
        raise ValidationError(_("This visit is closed: its record can no longer change."))


def _require_team(actor: Any, visit: Visit) -> None:
    _require_change(actor, visit)
    if not team_access(actor, visit, "change"):
        raise PermissionDenied(_("You may not do this."))


def _plain(data: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


def _unit_of(visit: Visit, unit: Any) -> Unit | None:
    if unit in (None, ""):
        return None
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    found = Unit.objects.filter(pk=unit_id, place_id=visit.place_id).first()
    if found is None:
        raise ValidationError({"unit": _("Choose a unit of the visited place.")})
    return found


def _locked(model: type[Any], obj: Any, expected_version: int | None) -> Any:
    row = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and row.version != expected_version:
        raise StaleEdit(row.version)
    return row


# -- unit coverage (¶14) --------------------------------------------------------------


def coverage_record(
    *,
    actor: Any,
    visit: Visit,
    unit: Unit,
    seen: bool,
    held: int | None = None,
    reason: str = "",
) -> UnitCoverage:
    """Mark a unit seen (with the people held there that day) or not seen with a reason."""
    with transaction.atomic():
        _require_change(actor, visit)
        unit_found = _unit_of(visit, unit)
        reason = (reason or "").strip()
        if held is not None and held < 0:
            raise ValidationError({"held": _("A number of people cannot be negative.")})
        if not seen and not reason:
            raise ValidationError({"reason": _("Say why the unit was not seen.")})
        record, _created = UnitCoverage.objects.select_for_update().get_or_create(
            visit=visit, unit=unit_found, defaults={"recorded_by": actor}
        )
        record.seen = bool(seen)
        record.reason = "" if seen else reason[:300]
        record.held = held
        record.recorded_by = actor
        record.save()
        audit.record(
            actor=actor,
            action="visits.coverage.record",
            obj=visit,
            detail={"unit": unit_found.pk if unit_found else None, "seen": record.seen},
        )
    return record


# -- register checks (¶14) -------------------------------------------------------------

REGISTER_FIELDS = ("kind", "unit", "sample", "entries_checked", "verified", "discrepancies_found")


def _register_values(visit: Visit, data: Mapping[str, Any]) -> dict[str, Any]:
    values = _plain(data, REGISTER_FIELDS)
    if "unit" in values:
        values["unit"] = _unit_of(visit, values["unit"])
    if "sample" in values and not str(values["sample"]).strip():
        raise ValidationError({"sample": _("Say which sample of the register was checked.")})
    for name in ("entries_checked", "discrepancies_found"):
        if name in values and (values[name] is None or int(values[name]) < 0):
            raise ValidationError({name: _("Enter a number, zero or more.")})
    return values


def _check_discrepancies(check: RegisterCheck, text: str | None) -> None:
    if check.discrepancies_found and text is not None and not text.strip():
        raise ValidationError(
            {"discrepancies": _("Describe the discrepancies found (they are sealed).")}
        )


def register_check_create(*, actor: Any, visit: Visit, data: Mapping[str, Any]) -> RegisterCheck:
    with transaction.atomic():
        _require_team(actor, visit)
        check = RegisterCheck(visit=visit, recorded_by=actor, **_register_values(visit, data))
        text = data.get("discrepancies") or ""
        _check_discrepancies(check, text)
        check.seal("discrepancies", text)
        check.full_clean(exclude=["discrepancies", "recorded_by", "visit"])
        check.save()
        audit.record(actor=actor, action="visits.register_check.create", obj=check)
    return check


def register_check_update(
    *, actor: Any, check: RegisterCheck, data: Mapping[str, Any]
) -> RegisterCheck:
    with transaction.atomic():
        _require_team(actor, check.visit)
        row = RegisterCheck.objects.select_for_update().get(pk=check.pk)
        for name, value in _register_values(row.visit, data).items():
            setattr(row, name, value)
        if "discrepancies" in data:
            _check_discrepancies(row, data.get("discrepancies") or "")
            row.seal("discrepancies", data.get("discrepancies") or "")
        row.full_clean(exclude=["discrepancies", "recorded_by", "visit"])
        row.save()
        audit.record(actor=actor, action="visits.register_check.update", obj=row)
    return row


def register_check_open(*, actor: Any, check: RegisterCheck) -> str:
    """The sealed discrepancies, for the team; the read is audited."""
    with transaction.atomic():
        _require_read_team(actor, check.visit)
        text = check.unseal("discrepancies", actor=actor)
        audit.record(actor=actor, action="visits.register_check.read", obj=check)
    return text


def _require_read_team(actor: Any, visit: Visit) -> None:
    if not team_access(actor, visit):
        raise PermissionDenied(_("You may not do this."))


# -- interviews (¶13, 17, 25) -------------------------------------------------------------

INTERVIEW_FIELDS = (
    "kind",
    "unit",
    "pseudonym",
    "held_at",
    "interviewer",
    "interpreter_language",
    "interpreter_name",
    "participants",
    "consent_use",
    "consent_transmit",
    "consent_publish",
    "sensitive",
    "allegation",
    "topics",
)


def suggest_pseudonym(visit: Visit, kind: str = Interview.Kind.PRIVATE) -> str:
    """A pseudonym not yet used on this visit, e.g. P-04; it says nothing of the person."""
    prefix = PSEUDONYM_PREFIX.get(kind, "P")  # type: ignore[call-overload]
    used = set(Interview.objects.filter(visit=visit).values_list("pseudonym", flat=True))
    number = Interview.objects.filter(visit=visit, kind=kind).count() + 1
    while f"{prefix}-{number:02d}" in used:
        number += 1
    return f"{prefix}-{number:02d}"


def _interview_rules(visit: Visit, interview: Interview) -> None:
    errors: dict[str, str] = {}
    interview.pseudonym = (interview.pseudonym or "").strip()
    if not interview.pseudonym:
        errors["pseudonym"] = _("Give the interview a pseudonym (never the person's name).")
    elif (
        Interview.objects.filter(visit=visit, pseudonym__iexact=interview.pseudonym)
        .exclude(pk=interview.pk)
        .exists()
    ):
        errors["pseudonym"] = _("This pseudonym is already used on this visit.")
    if interview.kind == Interview.Kind.GROUP and interview.allegation:
        errors["allegation"] = _(
            "A group interview cannot carry an individual allegation: plan a private "
            "follow-up with the person instead."
        )
    if interview.kind == Interview.Kind.PRIVATE and interview.participants != 1:
        errors["participants"] = _("A private interview is with one person.")
    if interview.kind == Interview.Kind.GROUP and interview.participants < 2:
        errors["participants"] = _("A group interview has at least two people.")
    if (interview.consent_transmit or interview.consent_publish) and not interview.consent_use:
        errors["consent_use"] = _(
            "Transmission or publication needs consent to the use of the information first."
        )
    unknown = [t for t in interview.topics or [] if t not in Theme.values]
    if not isinstance(interview.topics, list) or unknown:
        errors["topics"] = _("Choose themes from the list.")
    if interview.interviewer_id and not (
        TeamAssignment.objects.filter(visit=visit, user_id=interview.interviewer_id).exists()
        or interview.interviewer_id == visit.lead_id
    ):
        errors["interviewer"] = _("The interviewer must be on the visit's team.")
    if errors:
        raise ValidationError(errors)


def _apply_interview(actor: Any, interview: Interview, data: Mapping[str, Any]) -> None:
    for name, value in _plain(data, INTERVIEW_FIELDS).items():
        if name == "unit":
            value = _unit_of(interview.visit, value)
        setattr(interview, name, value)
    if "notes" in data:
        interview.seal("notes", data.get("notes") or "")
    if "identity" in data:
        if not may_see_identity(actor, interview.visit):
            raise PermissionDenied(_("You may not record a real identity."))
        identity = (data.get("identity") or "").strip()
        interview.seal("identity", identity)
        interview.identity_index = crypto.blind_index(identity, domain=NAME_DOMAIN)


def interview_create(*, actor: Any, visit: Visit, data: Mapping[str, Any]) -> Interview:
    with transaction.atomic():
        _require_team(actor, visit)
        interview = Interview(visit=visit, interviewer=actor, held_at=timezone.now())
        _apply_interview(actor, interview, data)
        _interview_rules(visit, interview)
        interview.full_clean(exclude=["notes", "identity", "visit", "interviewer", "follow_up_of"])
        interview.save()
        audit.record(
            actor=actor,
            action="visits.interview.create",
            obj=interview,
            detail={"kind": interview.kind},
        )
    return interview


def interview_update(
    *, actor: Any, interview: Interview, data: Mapping[str, Any], expected_version: int
) -> Interview:
    try:
        with transaction.atomic():
            _require_team(actor, interview.visit)
            row = _locked(Interview, interview, expected_version)
            if "kind" in data and data["kind"] != row.kind and row.follow_up_of_id:
                raise ValidationError({"kind": _("A private follow-up stays private.")})
            _apply_interview(actor, row, data)
            _interview_rules(row.visit, row)
            row.full_clean(exclude=["notes", "identity", "visit", "interviewer", "follow_up_of"])
            row.version += 1
            row.save()
            audit.record(actor=actor, action="visits.interview.update", obj=row)
    except StaleEdit as exc:
        audit.record(
            actor=actor,
            action="visits.interview.update_stale",
            obj=interview,
            detail={"expected_version": expected_version, "current_version": exc.current_version},
        )
        raise
    return row


def interview_plan_follow_up(*, actor: Any, interview: Interview) -> Interview:
    """A private follow-up of a group interview, in the same unit, for the person who
    wanted to make an individual allegation. Its pseudonym is to be set when it is held:
    until then it counts for nothing in the anonymity rule."""
    with transaction.atomic():
        _require_team(actor, interview.visit)
        if interview.kind != Interview.Kind.GROUP:
            raise ValidationError(_("Only a group interview is followed up in private."))
        follow_up = Interview(
            visit=interview.visit,
            kind=Interview.Kind.PRIVATE,
            unit=interview.unit,
            pseudonym="",
            held_at=timezone.now(),
            interviewer=actor,
            interpreter_language=interview.interpreter_language,
            participants=1,
            follow_up_of=interview,
        )
        follow_up.save()
        audit.record(
            actor=actor,
            action="visits.interview.follow_up",
            obj=follow_up,
            detail={"follow_up_of": str(interview.pk)},
        )
    return follow_up


def interview_open(*, actor: Any, interview: Interview) -> dict[str, str]:
    """Notes (and the identity, for those with the right) of one interview; audited."""
    with transaction.atomic():
        _require_read_team(actor, interview.visit)
        opened = {"notes": interview.unseal("notes", actor=actor)}
        identity = may_see_identity(actor, interview.visit)
        if identity:
            opened["identity"] = interview.unseal("identity", actor=actor)
        audit.record(
            actor=actor,
            action="visits.interview.read",
            obj=interview,
            detail={"identity": identity},
        )
    return opened


# -- findings and evidence (¶15, 19) ---------------------------------------------------

FINDING_FIELDS = (
    "theme",
    "kind",
    "severity",
    "statement",
    "unit",
    "standards",
    "standard_note",
    "established",
)


def _finding_values(visit: Visit, data: Mapping[str, Any]) -> dict[str, Any]:
    values = _plain(data, FINDING_FIELDS)
    if "unit" in values:
        values["unit"] = _unit_of(visit, values["unit"])
    if "statement" in values:
        values["statement"] = str(values["statement"] or "").strip()
    if "standards" in values:
        standards = values["standards"] or []
        if not isinstance(standards, list) or any(s not in Standard.values for s in standards):
            raise ValidationError({"standards": _("Choose standards from the list.")})
        values["standards"] = list(dict.fromkeys(standards))
    return values


def _finding_rules(finding: Finding) -> None:
    errors: dict[str, str] = {}
    if not finding.statement:
        errors["statement"] = _("Write the finding.")
    if finding.kind == Finding.Kind.CONCERN and not finding.severity:
        errors["severity"] = _("A concern needs a severity.")
    if finding.kind == Finding.Kind.GOOD_PRACTICE:
        finding.severity = ""
    if finding.established and finding.triangulation == Finding.Triangulation.SINGLE:
        errors["established"] = _(
            "A single-source statement can never be stated as established fact: add "
            "evidence of another kind first."
        )
    if errors:
        raise ValidationError(errors)


def finding_create(*, actor: Any, visit: Visit, data: Mapping[str, Any]) -> Finding:
    with transaction.atomic():
        _require_change(actor, visit)
        finding = Finding(visit=visit, created_by=actor, **_finding_values(visit, data))
        finding.triangulation = Finding.Triangulation.SINGLE
        _finding_rules(finding)
        finding.full_clean(exclude=["visit", "created_by", "unit"])
        finding.save()
        audit.record(actor=actor, action="visits.finding.create", obj=finding)
    return finding


def finding_update(
    *, actor: Any, finding: Finding, data: Mapping[str, Any], expected_version: int
) -> Finding:
    try:
        with transaction.atomic():
            _require_change(actor, finding.visit)
            row = _locked(Finding, finding, expected_version)
            before = {name: getattr(row, name) for name in FINDING_FIELDS}
            for name, value in _finding_values(row.visit, data).items():
                setattr(row, name, value)
            row.triangulation = triangulation.compute(row)
            _finding_rules(row)
            row.full_clean(exclude=["visit", "created_by", "unit"])
            row.version += 1
            row.save()
            changed = [name for name in FINDING_FIELDS if getattr(row, name) != before[name]]
            audit.record(
                actor=actor, action="visits.finding.update", obj=row, detail={"fields": changed}
            )
    except StaleEdit as exc:
        audit.record(
            actor=actor,
            action="visits.finding.update_stale",
            obj=finding,
            detail={"expected_version": expected_version, "current_version": exc.current_version},
        )
        raise
    return row


EVIDENCE_LINKS = {
    Evidence.Source.PRIVATE_INTERVIEW: "interview",
    Evidence.Source.GROUP_INTERVIEW: "interview",
    Evidence.Source.STAFF: "interview",
    Evidence.Source.REGISTER: "register_check",
    Evidence.Source.PHOTOGRAPH: "photo",
    Evidence.Source.DOCUMENT: "document",
    Evidence.Source.OBSERVATION: None,
}
INTERVIEW_KINDS: dict[str, set[str]] = {
    Evidence.Source.PRIVATE_INTERVIEW: {Interview.Kind.PRIVATE},
    Evidence.Source.GROUP_INTERVIEW: {Interview.Kind.GROUP},
    Evidence.Source.STAFF: {
        Interview.Kind.STAFF,
        Interview.Kind.MANAGEMENT,
        Interview.Kind.OTHER_VISITOR,
    },
}


def _linked(actor: Any, visit: Visit, source: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The one record the evidence points to, checked to belong to this visit (or its
    place, for documents) and to be visible to the actor."""
    link = EVIDENCE_LINKS.get(source, "missing")  # type: ignore[call-overload]
    if link == "missing":
        raise ValidationError({"source": _("Choose the kind of source.")})
    note = str(data.get("note") or "").strip()[:300]
    if link is None:
        if not note:
            raise ValidationError({"note": _("Describe what was observed (no names).")})
        return {"note": note}
    value = data.get(link)
    if value in (None, ""):
        raise ValidationError({link: _("Choose the record this evidence rests on.")})
    pk = getattr(value, "pk", value)
    models: dict[str, Any] = {
        "interview": Interview.objects.restrict(actor, "change").filter(visit=visit),
        "register_check": RegisterCheck.objects.restrict(actor, "change").filter(visit=visit),
        "photo": Photo.objects.restrict(actor, "change").filter(visit=visit),
        "document": PlaceDocument.objects.filter(place_id=visit.place_id),
    }
    try:
        record = models[link].filter(pk=pk).first()
    except (ValueError, ValidationError):
        record = None
    if record is None:
        raise ValidationError({link: _("Choose a record of this visit that you may see.")})
    if link == "interview" and record.kind not in INTERVIEW_KINDS[source]:
        raise ValidationError({"interview": _("This interview is not of the kind chosen.")})
    if link == "interview" and not record.pseudonym:
        raise ValidationError({"interview": _("This follow-up has not been held yet.")})
    return {link: record, "note": note}


def _retriangulate(finding: Finding) -> tuple[str, bool]:
    """Store the finding's triangulation; un-establish it if it fell to single-source.
    Returns the new status and whether it was un-established."""
    finding.triangulation = triangulation.compute(finding)
    unestablished = finding.established and finding.triangulation == Finding.Triangulation.SINGLE
    if unestablished:
        finding.established = False
    finding.version += 1
    finding.save(update_fields=["triangulation", "established", "version", "updated_at"])
    return finding.triangulation, unestablished


def evidence_add(*, actor: Any, finding: Finding, data: Mapping[str, Any]) -> Evidence:
    with transaction.atomic():
        _require_change(actor, finding.visit)
        row = Finding.objects.select_for_update().get(pk=finding.pk)
        source = str(data.get("source") or "")
        evidence = Evidence(
            finding=row, source=source, added_by=actor, **_linked(actor, row.visit, source, data)
        )
        evidence.save()
        status, _unestablished = _retriangulate(row)
        audit.record(
            actor=actor,
            action="visits.evidence.add",
            obj=row,
            detail={"evidence": evidence.pk, "source": source, "triangulation": status},
        )
    finding.refresh_from_db()
    return evidence


def evidence_remove(*, actor: Any, evidence: Evidence) -> Finding:
    """Remove one piece of evidence; a finding that falls back to a single source is no
    longer stated as established fact, and the audit event says so."""
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=evidence.finding_id)
        _require_change(actor, finding.visit)
        pk = evidence.pk
        Evidence.objects.filter(pk=pk).delete()
        status, unestablished = _retriangulate(finding)
        audit.record(
            actor=actor,
            action="visits.evidence.remove",
            obj=finding,
            detail={"evidence": pk, "triangulation": status, "unestablished": unestablished},
        )
    return finding


# -- operational difficulties (¶31b) -------------------------------------------------------

DIFFICULTY_FIELDS = (
    "kind",
    "occurred_at",
    "duration_minutes",
    "description",
    "told_whom",
    "told_at",
)


def _difficulty_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = _plain(data, DIFFICULTY_FIELDS)
    if "description" in values:
        values["description"] = str(values["description"] or "").strip()
    return values


def _difficulty_rules(difficulty: Difficulty) -> None:
    if not difficulty.description:
        raise ValidationError({"description": _("Say what happened.")})
    told, occurred = difficulty.told_at, difficulty.occurred_at
    if told and occurred and told < occurred:
        raise ValidationError({"told_at": _("Nobody can be told before it happened.")})
    if difficulty.told_at and not difficulty.told_whom.strip():
        raise ValidationError({"told_whom": _("Say who was told.")})


def difficulty_create(*, actor: Any, visit: Visit, data: Mapping[str, Any]) -> Difficulty:
    with transaction.atomic():
        _require_change(actor, visit)
        difficulty = Difficulty(visit=visit, recorded_by=actor, **_difficulty_values(data))
        _difficulty_rules(difficulty)
        difficulty.full_clean(exclude=["visit", "recorded_by"])
        difficulty.save()
        audit.record(
            actor=actor,
            action="visits.difficulty.create",
            obj=difficulty,
            detail={"kind": difficulty.kind},
        )
    return difficulty


def difficulty_update(*, actor: Any, difficulty: Difficulty, data: Mapping[str, Any]) -> Difficulty:
    with transaction.atomic():
        _require_change(actor, difficulty.visit)
        row = Difficulty.objects.select_for_update().get(pk=difficulty.pk)
        for name, value in _difficulty_values(data).items():
            setattr(row, name, value)
        _difficulty_rules(row)
        row.full_clean(exclude=["visit", "recorded_by"])
        row.save()
        audit.record(actor=actor, action="visits.difficulty.update", obj=row)
    return row


# -- the debrief (¶16) --------------------------------------------------------------------

DEBRIEF_FIELDS = ("held_at", "participants", "main_concerns", "urgent_matters")
DEBRIEF_TEXT = ("participants", "main_concerns", "urgent_matters")


def debrief_save(
    *,
    actor: Any,
    visit: Visit,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Debrief:
    """Create or update the visit's debrief; text that identifies a source is refused,
    field by field, before anything is written."""
    try:
        with transaction.atomic():
            _require_change(actor, visit)
            values = _plain(data, DEBRIEF_FIELDS)
            for name in DEBRIEF_TEXT:
                if name in values:
                    values[name] = str(values[name] or "").strip()
            existing = Debrief.objects.select_for_update().filter(visit=visit).first()
            if existing is not None:
                if expected_version is not None and existing.version != expected_version:
                    raise StaleEdit(existing.version)
                debrief = existing
            else:
                debrief = Debrief(visit=visit, recorded_by=actor)
            for name, value in values.items():
                setattr(debrief, name, value)
            errors: dict[str, str] = {}
            if not debrief.participants:
                errors["participants"] = _("Say who took part.")
            if not debrief.main_concerns:
                errors["main_concerns"] = _("Write the main concerns raised.")
            if errors:
                raise ValidationError(errors)
            refusals = check_fields(visit, {n: getattr(debrief, n) for n in DEBRIEF_TEXT})
            if refusals:
                raise ValidationError(refusals)
            debrief.full_clean(exclude=["visit", "recorded_by"])
            if existing is not None:
                debrief.version += 1
            debrief.recorded_by = actor
            debrief.save()
            audit.record(
                actor=actor,
                action="visits.debrief.update" if existing else "visits.debrief.create",
                obj=debrief,
            )
    except StaleEdit as exc:
        audit.record(
            actor=actor,
            action="visits.debrief.update_stale",
            obj=visit,
            detail={"expected_version": expected_version, "current_version": exc.current_version},
        )
        raise
    return debrief


def urgent_draft_create(*, actor: Any, visit: Visit, data: Mapping[str, Any]) -> UrgentDraft:
    """An urgent matter raised at the debrief, drafted as an urgent recommendation with a
    short deadline (7 days unless said otherwise) for the recommendations module."""
    with transaction.atomic():
        _require_change(actor, visit)
        text = str(data.get("text") or "").strip()
        if not text:
            raise ValidationError({"text": _("Write the urgent recommendation.")})
        refusals = check_fields(visit, {"text": text})
        if refusals:
            raise ValidationError(refusals)
        today = timezone.localdate()
        deadline = data.get("deadline") or today + dt.timedelta(days=URGENT_DEFAULT_DAYS)
        if not isinstance(deadline, dt.date) or deadline < today:
            raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
        addressee = data.get("addressee")
        if addressee not in (None, ""):
            found = Authority.objects.restrict(actor, "view").filter(
                pk=getattr(addressee, "pk", addressee)
            )
            addressee = found.first()
            if addressee is None:
                raise ValidationError({"addressee": _("Choose an authority.")})
        draft = UrgentDraft.objects.create(
            visit=visit,
            text=text,
            addressee=addressee or None,
            deadline=deadline,
            created_by=actor,
        )
        audit.record(actor=actor, action="visits.urgent_draft.create", obj=draft)
    return draft
