"""Writes of the reprisal watch (¶25): transfers, checks and their alerts, information
received about a reprisal, and investigations requested of the authorities.

Each service is keyword-only, checks the actor's right first, runs in one transaction
and writes one audit event of its own (ARCHITECTURE.md rule 1). Audit details carry ids
and references, never a place, a name or a note: the trail is read by auditors who are
not granted on the watch.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.cases import notices, services
from habeas.cases.models import (
    Case,
    CaseGrant,
    InvestigationRequest,
    ReprisalWatch,
    Transfer,
    WatchCheck,
)
from habeas.core import audit
from habeas.places.models import Authority, Place


class Informant(models.TextChoices):
    """Who told the NPM of a reprisal (¶25)."""

    NGO = "ngo", _("An NGO")
    RELATIVE = "relative", _("A relative")
    LAWYER = "lawyer", _("A lawyer")
    PERSON = "person", _("The person under watch")
    OTHER = "other", _("Someone else")


# The case's source for each informant; the person under watch has no source of their own.
INFORMANT_SOURCE = {
    Informant.NGO: Case.Source.NGO,
    Informant.RELATIVE: Case.Source.RELATIVE,
    Informant.LAWYER: Case.Source.LAWYER,
    Informant.PERSON: Case.Source.OTHER,
    Informant.OTHER: Case.Source.OTHER,
}

DENIED = _("You may not do this.")


def _require_change(actor: Any, watch: ReprisalWatch) -> None:
    if not ReprisalWatch.objects.restrict(actor, "change").filter(pk=watch.pk).exists():
        raise PermissionDenied(DENIED)


def _not_in_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


# -- transfers ----------------------------------------------------------------------


def watch_transfer(
    *, actor: Any, watch: ReprisalWatch, to_place: Place, moved_on: dt.date
) -> Transfer:
    """The person was moved: record the transfer; the watch follows them to `to_place`."""
    _require_change(actor, watch)
    if not Place.objects.restrict(actor, "view").filter(pk=to_place.pk).exists():
        raise ValidationError({"to_place": _("Choose a place from the inventory.")})
    if to_place.pk == watch.place_id:
        raise ValidationError({"to_place": _("The person is already recorded at this place.")})
    _not_in_future(moved_on, "moved_on")
    last = watch.transfers.order_by("-moved_on").values_list("moved_on", flat=True).first()
    if last is not None and moved_on < last:
        message = _("A transfer cannot be dated before the last one recorded (%(day)s).")
        raise ValidationError({"moved_on": message % {"day": last.isoformat()}})
    with transaction.atomic():
        transfer = Transfer.objects.create(
            watch=watch,
            from_place_id=watch.place_id,
            to_place=to_place,
            moved_on=moved_on,
            recorded_by=actor,
        )
        ReprisalWatch.objects.filter(pk=watch.pk).update(
            place=to_place, version=F("version") + 1, updated_at=timezone.now()
        )
        watch.refresh_from_db()
        audit.record(
            actor=actor,
            action="cases.watch.transfer",
            obj=watch,
            detail={"transfer": transfer.pk},
        )
    return transfer


# -- closing ------------------------------------------------------------------------


def watch_close(*, actor: Any, watch: ReprisalWatch) -> ReprisalWatch:
    """The risk has passed (released, or no reprisal for a long time): close the watch.
    Its retention period runs from now (`purge_expired`)."""
    _require_change(actor, watch)
    if watch.status == ReprisalWatch.Status.CLOSED:
        raise ValidationError(_("The watch is already closed."))
    with transaction.atomic():
        ReprisalWatch.objects.filter(pk=watch.pk).update(
            status=ReprisalWatch.Status.CLOSED,
            closed_at=timezone.now(),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        watch.refresh_from_db()
        audit.record(actor=actor, action="cases.watch.close", obj=watch)
    return watch


def watch_reopen(*, actor: Any, watch: ReprisalWatch) -> ReprisalWatch:
    _require_change(actor, watch)
    if watch.status != ReprisalWatch.Status.CLOSED:
        raise ValidationError(_("The watch is not closed."))
    with transaction.atomic():
        ReprisalWatch.objects.filter(pk=watch.pk).update(
            status=ReprisalWatch.Status.ACTIVE,
            closed_at=None,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        watch.refresh_from_db()
        audit.record(actor=actor, action="cases.watch.reopen", obj=watch)
    return watch


# -- checks -------------------------------------------------------------------------


def check_schedule(*, actor: Any, watch: ReprisalWatch, kind: str, due_on: dt.date) -> WatchCheck:
    """Plan a check on the person: a call, a visit, their lawyer or an NGO."""
    _require_change(actor, watch)
    if kind not in WatchCheck.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of check.")})
    if watch.status != ReprisalWatch.Status.ACTIVE:
        raise ValidationError(_("The watch is closed; reopen it before planning checks."))
    with transaction.atomic():
        check = WatchCheck.objects.create(watch=watch, kind=kind, due_on=due_on)
        audit.record(
            actor=actor,
            action="cases.watch.check_schedule",
            obj=watch,
            detail={"check": str(check.pk)},
        )
    return check


def check_record(
    *, actor: Any, check: WatchCheck, done_on: dt.date, outcome: str, note: str = ""
) -> WatchCheck:
    """Record a check as done, with its outcome; the note is sealed."""
    if not WatchCheck.objects.restrict(actor, "change").filter(pk=check.pk).exists():
        raise PermissionDenied(DENIED)
    if check.done_on is not None:
        raise ValidationError(_("This check is already recorded as done."))
    if outcome not in WatchCheck.Outcome.values:
        raise ValidationError({"outcome": _("Choose what the check found.")})
    _not_in_future(done_on, "done_on")
    with transaction.atomic():
        check.seal("note", note.strip())
        updated = WatchCheck.objects.filter(pk=check.pk, done_on__isnull=True).update(
            done_on=done_on,
            outcome=outcome,
            note=check.note,
            content_key=check.content_key,
            done_by=actor,
        )
        if not updated:  # recorded by someone else meanwhile
            raise ValidationError(_("This check is already recorded as done."))
        check.refresh_from_db()
        audit.record(
            actor=actor,
            action="cases.watch.check_record",
            obj=check.watch,
            detail={"check": str(check.pk)},
        )
    return check


def is_overdue(check: WatchCheck, today: dt.date | None = None) -> bool:
    return check.done_on is None and check.due_on < (today or timezone.localdate())


def overdue_alerts_send(*, today: dt.date | None = None) -> int:
    """Tell the team of each watch of every check now overdue, once per check.

    Run by `manage.py case_alerts`. The notice names the watch's reference and the date
    due, nothing else. Each check is claimed by a conditional update, so two runs at
    once never alert twice. Returns the number of checks alerted.
    """
    today = today or timezone.localdate()
    due = (
        WatchCheck.objects.filter(
            done_on__isnull=True,
            due_on__lt=today,
            alerted_on__isnull=True,
            watch__status=ReprisalWatch.Status.ACTIVE,
            watch__erased_at__isnull=True,
        )
        .select_related("watch")
        .order_by("due_on", "pk")
    )
    sent = 0
    for check in due:
        with transaction.atomic():
            claimed = WatchCheck.objects.filter(pk=check.pk, alerted_on__isnull=True).update(
                alerted_on=today
            )
            if not claimed:
                continue
            audit.record(
                actor=None,
                action="cases.watch.check_overdue_alert",
                obj=check.watch,
                detail={"check": str(check.pk)},
            )
            transaction.on_commit(
                partial(notices.overdue_check, watch=check.watch, due_on=check.due_on)
            )
        sent += 1
    return sent


# -- information about a reprisal ---------------------------------------------------


def reprisal_report(
    *,
    actor: Any,
    watch: ReprisalWatch,
    informant: str,
    received_on: dt.date,
    account: str,
) -> Case:
    """Information about a reprisal was received: open a reprisal allegation today.

    The case comes with its checklist (opened by `case_create`); every grantee of the
    watch is granted on it with the same identity and medical flags, and the team is
    told by a notice naming only the new case's reference.
    """
    _require_change(actor, watch)
    services.require(actor, "cases.create")
    if informant not in Informant.values:
        raise ValidationError({"informant": _("Say who told the NPM.")})
    if not account.strip():
        raise ValidationError({"account": _("Write down what was reported.")})
    _not_in_future(received_on, "received_on")
    data = {
        "kind": Case.Kind.REPRISAL,
        "place": watch.place,
        "reported_on": received_on,
        "source": INFORMANT_SOURCE[Informant(informant)],
        "source_ref": f"{watch.reference} · {informant}"[:64],
        "acts": account.strip(),
    }
    with transaction.atomic():
        case = services.case_create(actor=actor, data=data, watch=watch)
        grantees = (
            CaseGrant.objects.filter(watch=watch)
            .exclude(user=actor)
            .select_related("user")
            .order_by("pk")
        )
        for grant in grantees:
            if not roles.can(grant.user, "cases.view"):
                continue  # their role no longer holds case files
            services.grant_add(
                actor=actor,
                record=case,
                user=grant.user,
                identity=grant.identity,
                medical=grant.medical,
                reason=str(_("Granted on reprisal watch %(ref)s") % {"ref": watch.reference}),
            )
        _keep_own_flags(actor=actor, watch=watch, case=case)
        audit.record(
            actor=actor,
            action="cases.watch.reprisal_report",
            obj=watch,
            detail={"case": case.reference},
        )
        transaction.on_commit(lambda: notices.reprisal_reported(case=case))
    return case


def _keep_own_flags(*, actor: Any, watch: ReprisalWatch, case: Case) -> None:
    """The reporter holds on the case the field rights they hold on the watch."""
    own = services.grant_of(actor, watch)
    created = services.grant_of(actor, case)
    if own is None or created is None:
        return
    if (created.identity, created.medical) != (own.identity, own.medical):
        services.grant_add(
            actor=actor,
            record=case,
            user=actor,
            identity=own.identity,
            medical=own.medical,
            reason=created.reason,
        )


# -- investigations requested -------------------------------------------------------


def investigation_request(
    *,
    actor: Any,
    kind: str,
    requested_on: dt.date,
    addressee: Authority | None = None,
    case: Case | None = None,
    watch: ReprisalWatch | None = None,
) -> InvestigationRequest:
    """An investigation asked of an authority, disciplinary or criminal, on a case or a
    watch (¶25)."""
    if (case is None) == (watch is None):
        raise ValidationError(_("An investigation is requested on a case or on a watch."))
    record: Case | ReprisalWatch = case if case is not None else watch  # type: ignore[assignment]
    if not type(record).objects.restrict(actor, "change").filter(pk=record.pk).exists():
        raise PermissionDenied(DENIED)
    if kind not in InvestigationRequest.Kind.values:
        raise ValidationError({"kind": _("Choose disciplinary or criminal.")})
    if addressee is not None and not (
        Authority.objects.restrict(actor, "view").filter(pk=addressee.pk).exists()
    ):
        raise ValidationError({"addressee": _("Choose an authority from the list.")})
    _not_in_future(requested_on, "requested_on")
    with transaction.atomic():
        investigation = InvestigationRequest.objects.create(
            case=case,
            watch=watch,
            kind=kind,
            addressee=addressee,
            requested_on=requested_on,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="cases.investigation.request",
            obj=record,
            detail={"investigation": investigation.pk},
        )
    return investigation


def investigation_outcome(
    *,
    actor: Any,
    investigation: InvestigationRequest,
    outcome: str,
    outcome_on: dt.date | None,
) -> InvestigationRequest:
    """What the authority did with the request, and when."""
    allowed = InvestigationRequest.objects.restrict(actor, "change")
    if not allowed.filter(pk=investigation.pk).exists():
        raise PermissionDenied(DENIED)
    if outcome not in InvestigationRequest.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    pending = outcome == InvestigationRequest.Outcome.PENDING
    if pending:
        outcome_on = None
    elif outcome_on is None:
        raise ValidationError({"outcome_on": _("Give the date of the outcome.")})
    elif outcome_on < investigation.requested_on:
        raise ValidationError(
            {"outcome_on": _("The outcome cannot come before the request was made.")}
        )
    _not_in_future(outcome_on, "outcome_on")
    record = investigation.case or investigation.watch
    with transaction.atomic():
        InvestigationRequest.objects.filter(pk=investigation.pk).update(
            outcome=outcome, outcome_on=outcome_on
        )
        investigation.refresh_from_db()
        audit.record(
            actor=actor,
            action="cases.investigation.outcome",
            obj=record,
            detail={"investigation": investigation.pk},
        )
    return investigation
