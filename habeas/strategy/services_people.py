"""Writes of the policy library and the training plan (¶7, 8, 37).

Each service is keyword-only, checks the actor's right first, runs in one transaction
and writes one audit event that holds no text of a policy (ARCHITECTURE.md rules 1, 5, 6).

- A policy is created with its first version; a new version is issued from the version
  of the policy the editor read (a second head issuing meanwhile gets `StaleEdit`).
  Versions never change.
- A member acknowledges the latest version of a policy, once.
- The training plan of a year is drawn from the needs (`habeas.strategy.training`): one
  entry per person and missing training, never twice. An entry is marked done (which
  records the training in the person's record) or cancelled, or planned again.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.errors import StaleEdit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.strategy import policies as policy_reads
from habeas.strategy.models import (
    Acknowledgement,
    Policy,
    PolicyArea,
    PolicyVersion,
    TrainingPlanEntry,
)
from habeas.strategy.training import training_needs
from habeas.visits import services as visit_services
from habeas.visits.models import TrainingRecord

REASON_LENGTH = 300  # TrainingPlanEntry.reason
CHANGE_NOTE_LENGTH = 300  # PolicyVersion.change_note
TITLE_LENGTH = 300  # Policy.title


# -- policies --------------------------------------------------------------------------


def _check_version_values(
    text: str, effective_on: datetime.date | None, change_note: str, *, first: bool
) -> tuple[str, datetime.date, str]:
    errors: dict[str, str] = {}
    text = (text or "").strip()
    change_note = (change_note or "").strip()
    if not text:
        errors["text"] = _("Write the text of the policy.")
    if effective_on is None:
        errors["effective_on"] = _("Give the date from which this version applies.")
    if not first and not change_note:
        errors["change_note"] = _("Say what changed from the previous version.")
    if len(change_note) > CHANGE_NOTE_LENGTH:
        errors["change_note"] = _("Keep it under %(n)s characters.") % {"n": CHANGE_NOTE_LENGTH}
    if errors or effective_on is None:
        raise ValidationError(errors)
    return text, effective_on, change_note


def _check_heading(area: str, title: str) -> tuple[str, dict[str, str]]:
    """A policy's title, stripped, and what is wrong with it or its area."""
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if area not in PolicyArea.values:
        errors["area"] = _("Choose one of the areas listed.")
    if not title:
        errors["title"] = _("Give the policy a title.")
    elif len(title) > TITLE_LENGTH:
        errors["title"] = _("Keep it under %(n)s characters.") % {"n": TITLE_LENGTH}
    return title, errors


@transaction.atomic
def policy_create(
    *,
    actor: Any,
    area: str,
    title: str,
    text: str,
    effective_on: datetime.date | None,
    change_note: str = "",
) -> Policy:
    """A new policy with its first version."""
    require(actor, "policies.change")
    title, errors = _check_heading(area, title)
    try:
        text, applies, change_note = _check_version_values(
            text, effective_on, change_note, first=True
        )
    except ValidationError as error:
        errors.update({name: " ".join(found) for name, found in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    policy = Policy.objects.create(area=area, title=title, created_by=actor)
    PolicyVersion.objects.create(
        policy=policy,
        number=1,
        text=text,
        effective_on=applies,
        change_note=change_note,
        issued_by=actor,
    )
    audit.record(
        actor=actor, action="policy.create", obj=policy, detail={"area": area, "version": 1}
    )
    return policy


def policy_update(
    *, actor: Any, policy: Policy, expected_version: int, area: str, title: str
) -> Policy:
    """Rename a policy or move it to another area, from the version the editor read. Its
    text is changed only by issuing a version."""
    require(actor, "policies.change")
    if not Policy.objects.restrict(actor, "change").filter(pk=policy.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    title, errors = _check_heading(area, title)
    if errors:
        raise ValidationError(errors)
    with stale_guarded("policy.update", policy, actor, expected_version):
        changed = versioned_update(
            model=Policy,
            obj=policy,
            values={"area": area, "title": title},
            expected_version=expected_version,
        )
        audit.record(actor=actor, action="policy.update", obj=policy, detail={"fields": changed})
    return policy


def policy_version_issue(
    *,
    actor: Any,
    policy: Policy,
    text: str,
    effective_on: datetime.date | None,
    change_note: str,
    expected_version: int,
) -> PolicyVersion:
    """Issue the next version of `policy`, from the policy's version the editor read."""
    require(actor, "policies.change")
    if not Policy.objects.restrict(actor, "change").filter(pk=policy.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    text, applies, change_note = _check_version_values(text, effective_on, change_note, first=False)
    with stale_guarded("policy.version_issue", policy, actor, expected_version):
        versioned_update(model=Policy, obj=policy, values={}, expected_version=expected_version)
        latest = policy_reads.latest_versions([policy.pk]).get(policy.pk)
        if latest is not None and applies < latest.effective_on:
            raise ValidationError(
                {
                    "effective_on": _(
                        "A new version cannot apply before the one it replaces (%(date)s)."
                    )
                    % {"date": latest.effective_on.isoformat()}
                }
            )
        try:
            with transaction.atomic():
                version = PolicyVersion.objects.create(
                    policy=policy,
                    number=policy_reads.next_number(policy),
                    text=text,
                    effective_on=applies,
                    change_note=change_note,
                    issued_by=actor,
                )
        except IntegrityError:
            raise ValidationError(_("Another version was issued meanwhile; try again.")) from None
        audit.record(
            actor=actor,
            action="policy.version_issue",
            obj=policy,
            detail={"version": version.number},
        )
    return version


@transaction.atomic
def policy_acknowledge(*, actor: Any, version: PolicyVersion) -> Acknowledgement:
    """`actor` has read and accepts this version, which must be the policy's latest."""
    require(actor, "policies.acknowledge")
    if not PolicyVersion.objects.restrict(actor, "view").filter(pk=version.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    latest = policy_reads.latest_versions([version.policy_id]).get(version.policy_id)
    if latest is None or latest.pk != version.pk:
        raise ValidationError(
            _("A newer version of this policy exists: read and acknowledge that one.")
        )
    if Acknowledgement.objects.filter(version=version, user=actor).exists():
        raise ValidationError(_("You have already acknowledged this version."))
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(version=version, user=actor)
    except IntegrityError:
        raise ValidationError(_("You have already acknowledged this version.")) from None
    audit.record(
        actor=actor,
        action="policy.acknowledge",
        obj=version.policy,
        detail={"version": version.number},
    )
    return ack


# -- the training plan -----------------------------------------------------------------


def _check_year(year: int) -> None:
    this = timezone.localdate().year
    if not (this - 5 <= year <= this + 5):
        raise ValidationError(
            {"year": _("Choose a year between %(a)s and %(b)s.") % {"a": this - 5, "b": this + 5}}
        )


@transaction.atomic
def training_plan_draw(
    *, actor: Any, year: int, today: datetime.date | None = None
) -> tuple[int, int]:
    """Create a plan entry for each need the actor sees that has none in `year` yet.

    Returns (created, already planned). Drawing twice creates nothing the second time;
    an entry cancelled stays cancelled."""
    require(actor, "training.manage")
    _check_year(year)
    today = today or timezone.localdate()
    existing = set(
        TrainingPlanEntry.objects.filter(year=year).values_list("user_id", "training_id")
    )
    created = skipped = 0
    for need in training_needs(actor, today=today):
        if (need.user.pk, need.training.pk) in existing:
            skipped += 1
            continue
        upcoming = [v.visit.starts_on for v in need.visits if v.visit.starts_on >= today]
        TrainingPlanEntry.objects.create(
            year=year,
            user=need.user,
            training=need.training,
            reason=need.reason[:REASON_LENGTH],
            due_by=min(upcoming) if upcoming else None,
            created_by=actor,
        )
        existing.add((need.user.pk, need.training.pk))
        created += 1
    audit.record(
        actor=actor,
        action="training.plan_draw",
        obj=None,
        detail={"year": year, "created": created, "skipped": skipped},
    )
    return created, skipped


STATUS_MOVES = {
    TrainingPlanEntry.Status.PLANNED: {
        TrainingPlanEntry.Status.DONE,
        TrainingPlanEntry.Status.CANCELLED,
    },
    TrainingPlanEntry.Status.CANCELLED: {TrainingPlanEntry.Status.PLANNED},
    TrainingPlanEntry.Status.DONE: set(),
}


def training_entry_set_status(
    *,
    actor: Any,
    entry: TrainingPlanEntry,
    status: str,
    expected_version: int,
    completed_on: datetime.date | None = None,
) -> TrainingPlanEntry:
    """Move an entry: planned → done (records the training, completed on the date
    given) or cancelled; cancelled → planned. A done entry stays done."""
    require(actor, "training.manage")
    if not TrainingPlanEntry.objects.restrict(actor, "change").filter(pk=entry.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if status not in TrainingPlanEntry.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == TrainingPlanEntry.Status.DONE and completed_on is None:
        raise ValidationError({"completed_on": _("Give the date the training was completed.")})
    with stale_guarded("training.entry_status", entry, actor, expected_version):
        # Read the row as it is now, locked: a stale edit is told so before anything else.
        current = TrainingPlanEntry.objects.select_for_update().get(pk=entry.pk)
        if current.version != expected_version:
            raise StaleEdit(current.version)
        _check_move(current, status)
        versioned_update(
            model=TrainingPlanEntry,
            obj=entry,
            values={"status": status},
            expected_version=expected_version,
        )
        if status == TrainingPlanEntry.Status.DONE and completed_on is not None:
            _record_training(actor, entry, completed_on)
        audit.record(
            actor=actor,
            action="training.entry_status",
            obj=entry,
            detail={"status": status, "user": entry.user_id, "training": entry.training_id},
        )
    return entry


def _check_move(entry: TrainingPlanEntry, status: str) -> None:
    if status not in STATUS_MOVES[TrainingPlanEntry.Status(entry.status)]:
        raise ValidationError(
            {
                "status": _("An entry that is “%(now)s” cannot become “%(new)s”.")
                % {
                    "now": entry.get_status_display(),
                    "new": TrainingPlanEntry.Status(status).label,
                }
            }
        )


def _record_training(actor: Any, entry: TrainingPlanEntry, completed_on: datetime.date) -> None:
    already = TrainingRecord.objects.filter(
        user=entry.user, training=entry.training, completed_on=completed_on
    ).exists()
    if already:
        return
    try:
        visit_services.training_record_add(
            actor=actor, person=entry.user, training=entry.training, completed_on=completed_on
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ValidationError({"completed_on": error.messages}) from None
