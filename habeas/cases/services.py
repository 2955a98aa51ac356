"""Writes to case files and reprisal watches, and their grants (¶18, 25).

Each service is keyword-only, checks the actor's right first, runs in one transaction
and writes one audit event (ARCHITECTURE.md rule 1). Sealed fields are passed in
plaintext and sealed here; nothing in the clear reaches the database or the audit.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.cases.models import Case, CaseGrant, ChecklistItem, Element, Recipient, ReprisalWatch
from habeas.core import audit, crypto
from habeas.core.services import require
from habeas.core.services import stale_guarded as _stale_guarded
from habeas.core.services import versioned_update as _versioned_update

CASE_PLAIN_FIELDS = (
    "kind",
    "place",
    "authority",
    "occurred_on",
    "occurred_until",
    "reported_on",
    "source",
    "source_ref",
    "pattern",
    "consent_use",
    "consent_elements",
    "consent_recipients",
    "consent_publish",
    "consent_recorded_on",
)
CASE_IDENTITY_FIELDS = ("victim", "victim_details", "complainant", "officials", "witnesses")
CASE_CONTENT_FIELDS = ("acts", "circumstances")
WATCH_PLAIN_FIELDS = (
    "pseudonym",
    "source_kind",
    "source_ref",
    "risk_source",
    "feared",
    "consent_raise",
    "ngos",
)
WATCH_IDENTITY_FIELDS = ("identity",)
WATCH_CONTENT_FIELDS = ("risk_detail",)
NAME_DOMAIN = "person-name"


# -- who may see what ---------------------------------------------------------------


def grant_of(user: Any, record: Case | ReprisalWatch) -> CaseGrant | None:
    link: dict[str, Any] = {"case": record} if isinstance(record, Case) else {"watch": record}
    return CaseGrant.objects.filter(user=user, **link).first()


def may_see_identity(user: Any, record: Case | ReprisalWatch) -> bool:
    """Identities need a role that may hold them and the grant's identity flag."""
    if not roles.can(user, "cases.identity"):
        return False
    grant = grant_of(user, record)
    return grant is not None and grant.identity


def may_see_medical(user: Any, case: Case) -> bool:
    if not roles.can(user, "cases.medical"):
        return False
    grant = grant_of(user, case)
    return grant is not None and grant.medical


def _plain(data: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """Only the fields a service writes, so extra keys are never mass-assigned."""
    return {name: data[name] for name in names if name in data}


def _check_consent(values: Mapping[str, Any]) -> None:
    bad_elements = set(values.get("consent_elements") or []) - set(Element.values)
    bad_recipients = set(values.get("consent_recipients") or []) - set(Recipient.values)
    if bad_elements or bad_recipients:
        raise ValidationError(_("Consent names an element or a recipient that does not exist."))


def _next_reference(model: type[Case] | type[ReprisalWatch], prefix: str) -> str:
    """C-2026-0001, C-2026-0002…: sequential per year, taken under the write lock."""
    year = timezone.localdate().year
    stem = f"{prefix}-{year}-"
    last = (
        model.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:04d}"


def _grant_creator(*, actor: Any, record: Case | ReprisalWatch, reason: str) -> CaseGrant:
    link: dict[str, Any] = {"case": record} if isinstance(record, Case) else {"watch": record}
    return CaseGrant.objects.create(
        user=actor,
        identity=roles.can(actor, "cases.identity"),
        medical=actor.role == roles.Role.DOCTOR,
        granted_by=actor,
        reason=reason,
        **link,
    )


def _known_elsewhere(*, actor: Any, index: str, record: Case | ReprisalWatch) -> None:
    """Tell the leads of other records about the same person, without telling the actor.

    The actor learns nothing of records they are not granted on; the leads of those
    records get a notice naming only the new record's reference, and the audit says so.
    """
    if not index:
        return
    others = [
        *Case.objects.filter(victim_index=index).exclude(pk=record.pk),
        *ReprisalWatch.objects.filter(identity_index=index).exclude(pk=record.pk),
    ]
    for other in others:
        audit.record(
            actor=actor,
            action="cases.same_person_flagged",
            obj=other,
            detail={"new_record": record.reference},
        )
        from habeas.cases import notices

        transaction.on_commit(
            functools.partial(notices.same_person, record_reference=record.reference, other=other)
        )


# -- cases --------------------------------------------------------------------------


def case_create(*, actor: Any, data: Mapping[str, Any], watch: ReprisalWatch | None = None) -> Case:
    """Open a case file. Its creator leads it and is its first and only grantee."""
    require(actor, "cases.create")
    values = _plain(data, CASE_PLAIN_FIELDS)
    _check_consent(values)
    values.setdefault("reported_on", timezone.localdate())
    with transaction.atomic():
        case = Case(reference=_next_reference(Case, "C"), lead=actor, watch=watch, **values)
        for name in (*CASE_IDENTITY_FIELDS, *CASE_CONTENT_FIELDS):
            case.seal(name, data.get(name) or "")
        case.victim_index = crypto.blind_index(data.get("victim") or "", domain=NAME_DOMAIN)
        case.full_clean(exclude=["identity_key", "content_key", "lead", "watch"])
        case.save(force_insert=True)
        _grant_creator(actor=actor, record=case, reason=str(_("Opened the case")))
        if case.kind == Case.Kind.REPRISAL:
            ChecklistItem.objects.bulk_create(
                ChecklistItem(case=case, code=code, position=position)
                for position, code in enumerate(ChecklistItem.Code.values)
            )
        audit.record(actor=actor, action="cases.case.create", obj=case)
        _known_elsewhere(actor=actor, index=case.victim_index, record=case)
    return case


def _sealed_values(
    obj: Case | ReprisalWatch, data: Mapping[str, Any], names: Iterable[str]
) -> dict[str, Any]:
    """Seal the changed sealed fields of `obj` without touching `obj` itself."""
    probe = copy.copy(obj)
    values: dict[str, Any] = {}
    for name in names:
        if name in data and (data[name] or "") != obj.unseal(name):
            probe.seal(name, data[name] or "")
            values[name] = getattr(probe, name)
    for kind in ("identity", "content"):
        if getattr(probe, f"{kind}_key_id") != getattr(obj, f"{kind}_key_id"):
            values[f"{kind}_key"] = getattr(probe, f"{kind}_key")
    return values


def case_update(*, actor: Any, case: Case, data: Mapping[str, Any], expected_version: int) -> Case:
    """Edit a case. Identity fields change only for those who may see them."""
    if not Case.objects.restrict(actor, "change").filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    sealed = list(CASE_CONTENT_FIELDS)
    plain: tuple[str, ...] = CASE_PLAIN_FIELDS
    if may_see_identity(actor, case):
        sealed += CASE_IDENTITY_FIELDS
    else:
        # Consent is the person's word on their identity: recorded by those who know it.
        plain = tuple(name for name in CASE_PLAIN_FIELDS if not name.startswith("consent_"))
    values: dict[str, Any] = _plain(data, plain)
    _check_consent(values)
    with _stale_guarded("cases.case.update", case, actor, expected_version):
        values.update(_sealed_values(case, data, sealed))
        if "victim" in values:
            values["victim_index"] = crypto.blind_index(
                data.get("victim") or "", domain=NAME_DOMAIN
            )
        changed = _versioned_update(
            model=Case, obj=case, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="cases.case.update",
            obj=case,
            detail={"fields": sorted(k for k in changed if not k.endswith("_key"))},
        )
        if "victim_index" in changed:
            _known_elsewhere(actor=actor, index=case.victim_index, record=case)
    return case


def case_close(*, actor: Any, case: Case) -> Case:
    if not Case.objects.restrict(actor, "change").filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if case.status == Case.Status.CLOSED:
        # Closing again would move the date it was closed and log a close that did not happen.
        raise ValidationError(_("This case is already closed."))
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.CLOSED, closed_at=timezone.now(), version=case.version + 1
        )
        case.refresh_from_db()
        audit.record(actor=actor, action="cases.case.close", obj=case)
    return case


def case_reopen(*, actor: Any, case: Case) -> Case:
    if not Case.objects.restrict(actor, "change").filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if case.status != Case.Status.CLOSED:
        raise ValidationError(_("This case is not closed."))
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.OPEN, closed_at=None, version=case.version + 1
        )
        case.refresh_from_db()
        audit.record(actor=actor, action="cases.case.reopen", obj=case)
    return case


def record_read(*, actor: Any, record: Case | ReprisalWatch, what: str = "read") -> None:
    """Audit a read of a confidential record (rule 5); every grantee can see these."""
    kind = "case" if isinstance(record, Case) else "watch"
    audit.record(actor=actor, action=f"cases.{kind}.{what}", obj=record)


def access_log(record: Case | ReprisalWatch) -> list[audit.AuditEvent]:
    """Who did what to the record, reads included, newest first."""
    from habeas.core.models import AuditEvent

    return list(
        AuditEvent.objects.filter(
            object_type=record._meta.label_lower, object_id=str(record.pk)
        ).order_by("-id")[:500]
    )


# -- grants -------------------------------------------------------------------------


def grant_add(
    *,
    actor: Any,
    record: Case | ReprisalWatch,
    user: Any,
    identity: bool,
    medical: bool,
    reason: str,
) -> CaseGrant:
    """Give `user` need-to-know access; only the lead or a granted head may."""
    model = type(record)
    if not model.objects.restrict(actor, "grant").filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if not roles.can(user, "cases.view"):
        raise ValidationError(_("This person's role cannot hold case files."))
    if not reason.strip():
        raise ValidationError(_("Say why this person needs to know."))
    identity = identity and roles.can(user, "cases.identity")
    medical = medical and roles.can(user, "cases.medical")
    link: dict[str, Any] = {"case": record} if isinstance(record, Case) else {"watch": record}
    with transaction.atomic():
        grant, created = CaseGrant.objects.update_or_create(
            user=user,
            **link,
            defaults={
                "identity": identity,
                "medical": medical,
                "granted_by": actor,
                "reason": reason.strip()[:300],
            },
        )
        audit.record(
            actor=actor,
            action="cases.grant.add" if created else "cases.grant.change",
            obj=record,
            detail={"user": user.pk, "identity": identity, "medical": medical},
        )
    return grant


def grant_remove(*, actor: Any, grant: CaseGrant) -> None:
    record: Case | ReprisalWatch = grant.case or grant.watch  # type: ignore[assignment]
    model = type(record)
    if not model.objects.restrict(actor, "grant").filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if grant.user_id == record.lead_id:
        raise ValidationError(_("The lead keeps access. Hand the lead to someone else first."))
    with transaction.atomic():
        audit.record(
            actor=actor, action="cases.grant.remove", obj=record, detail={"user": grant.user_id}
        )
        grant.delete()


def lead_change(*, actor: Any, record: Case | ReprisalWatch, user: Any) -> None:
    """Hand the lead to another grantee."""
    model = type(record)
    if not model.objects.restrict(actor, "grant").filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if grant_of(user, record) is None:
        raise ValidationError(_("Grant this person access before making them lead."))
    with transaction.atomic():
        model.objects.filter(pk=record.pk).update(lead=user, version=record.version + 1)
        record.refresh_from_db()
        audit.record(actor=actor, action="cases.lead.change", obj=record, detail={"user": user.pk})


def legal_hold_set(
    *, actor: Any, record: Case | ReprisalWatch, hold: bool, reason: str
) -> Case | ReprisalWatch:
    """Put a record under legal hold, or lift it: a held record is never erased by
    `purge_expired`, whatever its age (an investigation or a trial may need it). Only
    the lead or a granted head may, with a reason; both are audited."""
    model = type(record)
    if not model.objects.restrict(actor, "grant").filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if not reason.strip():
        raise ValidationError(_("Say why the hold is placed or lifted."))
    if record.legal_hold == hold:
        raise ValidationError(
            _("The record is already under legal hold.") if hold else _("The record is not held.")
        )
    with transaction.atomic():
        model.objects.filter(pk=record.pk).update(
            legal_hold=hold, version=record.version + 1, updated_at=timezone.now()
        )
        record.refresh_from_db()
        audit.record(
            actor=actor,
            action="cases.legal_hold.set" if hold else "cases.legal_hold.lift",
            obj=record,
            detail={"reason_length": len(reason.strip())},
        )
    return record


# -- reprisal watches ---------------------------------------------------------------


def _source_case(actor: Any, data: Mapping[str, Any]) -> Case | None:
    """The case a watch comes from: only one the actor may see (no link to a hidden case)."""
    case = data.get("source_case")
    if case is None:
        return None
    if not Case.objects.restrict(actor, "view").filter(pk=case.pk).exists():
        raise ValidationError({"source_case": _("Choose a case you are granted on.")})
    return case


def watch_create(*, actor: Any, data: Mapping[str, Any], place: Any) -> ReprisalWatch:
    """Put a person at risk under watch. Its creator leads it and is its first grantee."""
    require(actor, "cases.create")
    values = _plain(data, WATCH_PLAIN_FIELDS)
    bad = set(values.get("feared") or []) - set(ReprisalWatch.ReprisalKind.values)
    if bad:
        raise ValidationError(_("Unknown kind of reprisal."))
    with transaction.atomic():
        watch = ReprisalWatch(
            reference=_next_reference(ReprisalWatch, "W"),
            lead=actor,
            place=place,
            opened_on=data.get("opened_on") or timezone.localdate(),
            source_case=_source_case(actor, data),
            **values,
        )
        for name in (*WATCH_IDENTITY_FIELDS, *WATCH_CONTENT_FIELDS):
            watch.seal(name, data.get(name) or "")
        watch.identity_index = crypto.blind_index(data.get("identity") or "", domain=NAME_DOMAIN)
        watch.full_clean(exclude=["identity_key", "content_key", "lead", "source_case"])
        watch.save(force_insert=True)
        _grant_creator(actor=actor, record=watch, reason=str(_("Opened the watch")))
        from habeas.cases.models import Transfer

        Transfer.objects.create(
            watch=watch,
            from_place=None,
            to_place=place,
            moved_on=watch.opened_on,
            recorded_by=actor,
        )
        audit.record(actor=actor, action="cases.watch.create", obj=watch)
        _known_elsewhere(actor=actor, index=watch.identity_index, record=watch)
    return watch


def watch_update(
    *, actor: Any, watch: ReprisalWatch, data: Mapping[str, Any], expected_version: int
) -> ReprisalWatch:
    if not ReprisalWatch.objects.restrict(actor, "change").filter(pk=watch.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    sealed = list(WATCH_CONTENT_FIELDS)
    if may_see_identity(actor, watch):
        sealed += WATCH_IDENTITY_FIELDS
    values: dict[str, Any] = _plain(data, WATCH_PLAIN_FIELDS)
    if "source_case" in data and getattr(data["source_case"], "pk", None) != watch.source_case_id:
        values["source_case"] = _source_case(actor, data)
    with _stale_guarded("cases.watch.update", watch, actor, expected_version):
        values.update(_sealed_values(watch, data, sealed))
        if "identity" in values:
            values["identity_index"] = crypto.blind_index(
                data.get("identity") or "", domain=NAME_DOMAIN
            )
        changed = _versioned_update(
            model=ReprisalWatch, obj=watch, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="cases.watch.update",
            obj=watch,
            detail={"fields": sorted(k for k in changed if not k.endswith("_key"))},
        )
    return watch


def today() -> dt.date:
    return timezone.localdate()
