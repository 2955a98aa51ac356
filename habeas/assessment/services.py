"""Writes to assessments, their ratings and their sharing (whole tool, ¶3).

Every service is keyword-only, checks the actor's right first, runs in one transaction
and writes exactly one audit event (ARCHITECTURE.md rule 1). A final assessment is
frozen: its title, summary, ratings, narratives and evidence can no longer change, and
every service that would change them refuses with `AssessmentFrozen`; a revision is
started instead. Sharing and the action plan stay open after finalisation: a finished
self-assessment is what an NPM shares, and its action plan is followed long after.

Evidence and the action plan live in `services_evidence` and `services_actions`; they
are re-exported here so that callers import every write from one place.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.assessment import selectors
from habeas.assessment.models import (
    Assessment,
    AssessmentShare,
    Evidence,
    FrameworkVersion,
    IndicatorValue,
    Organisation,
    Rating,
)
from habeas.assessment.services_actions import action_item_create, action_item_update
from habeas.assessment.services_common import (
    STORAGE_DIR,
    AssessmentFrozen,
    bump,
    check_period,
    lock_open,
    require,
    require_change,
    stale_guarded,
    versioned_update,
)
from habeas.assessment.services_evidence import evidence_add, evidence_open, evidence_remove
from habeas.core import audit
from habeas.places import archive

__all__ = [
    "AssessmentFrozen",
    "action_item_create",
    "action_item_update",
    "assessment_create",
    "assessment_finalise",
    "assessment_revise",
    "assessment_share",
    "assessment_submit_for_review",
    "assessment_unshare",
    "assessment_update",
    "evidence_add",
    "evidence_open",
    "evidence_remove",
    "rating_save",
]


# Assessments ------------------------------------------------


def _check_subject(organisation: Organisation, subject: Organisation) -> None:
    """An NPM assesses itself; an assessing body assesses NPMs."""
    if organisation.kind == Organisation.Kind.NPM:
        if subject.pk != organisation.pk:
            raise PermissionDenied(_("An NPM can only assess itself: start a self-assessment."))
        return
    if subject.kind != Organisation.Kind.NPM or subject.pk == organisation.pk:
        raise ValidationError({"subject": _("Choose the NPM to be assessed.")})


def _check_assessors(organisation: Organisation, assessors: list[Any]) -> None:
    colleagues = set(
        selectors.organisation_users(organisation=organisation).values_list("pk", flat=True)
    )
    for person in assessors:
        if person.pk not in colleagues or not roles.can(person, "assessment.change"):
            raise ValidationError(
                {
                    "assessors": _(
                        "%(name)s cannot be an assessor: assessors work for the organisation "
                        "making the assessment and may change assessments."
                    )
                    % {"name": person}
                }
            )


@transaction.atomic
def assessment_create(
    *,
    actor: Any,
    framework_version: FrameworkVersion,
    subject: Organisation,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    assessors: Iterable[Any],
) -> Assessment:
    """Start an assessment with one empty rating per criterion of the framework version."""
    require(actor, "assessment.create")
    organisation = selectors.organisation_of(user=actor)
    if organisation is None:
        raise PermissionDenied(_("Your organisation is not set up yet."))
    _check_subject(organisation, subject)
    check_period(period_start, period_end)
    people = list(assessors) or [actor]
    _check_assessors(organisation, people)
    criteria = list(framework_version.criteria.values_list("pk", flat=True))
    if not criteria:
        raise ValidationError({"framework_version": _("This framework version has no criteria.")})
    assessment = Assessment(
        title=title.strip(),
        framework_version=framework_version,
        subject=subject,
        made_by=organisation,
        period_start=period_start,
        period_end=period_end,
    )
    assessment.full_clean()
    assessment.save()
    assessment.assessors.set(people)
    Rating.objects.bulk_create(
        [Rating(assessment=assessment, criterion_id=pk) for pk in criteria], batch_size=500
    )
    audit.record(
        actor=actor,
        action="assessment.create",
        obj=assessment,
        detail={
            "subject": subject.pk,
            "framework_version": framework_version.pk,
            "criteria": len(criteria),
        },
    )
    return assessment


def assessment_update(
    *,
    actor: Any,
    assessment: Assessment,
    title: str,
    summary: str,
    period_start: dt.date,
    period_end: dt.date,
    assessors: Iterable[Any],
    expected_version: int,
) -> Assessment:
    """Change an assessment's title, summary, period or assessors."""
    require_change(actor, assessment)
    check_period(period_start, period_end)
    people = list(assessors)
    if not people:
        raise ValidationError({"assessors": _("An assessment needs at least one assessor.")})
    _check_assessors(assessment.made_by, people)
    values = {
        "title": title.strip(),
        "summary": summary,
        "period_start": period_start,
        "period_end": period_end,
    }
    if not values["title"]:
        raise ValidationError({"title": _("Give the assessment a title.")})
    with stale_guarded("assessment.update", assessment, actor, expected_version):
        lock_open(assessment)
        changed = versioned_update(
            model=Assessment, obj=assessment, values=values, expected_version=expected_version
        )
        if {p.pk for p in assessment.assessors.all()} != {p.pk for p in people}:
            assessment.assessors.set(people)
            changed.append("assessors")
        audit.record(
            actor=actor, action="assessment.update", obj=assessment, detail={"fields": changed}
        )
    return assessment


@transaction.atomic
def assessment_submit_for_review(*, actor: Any, assessment: Assessment) -> Assessment:
    """Hand a draft to review: ratings stay editable until the head finalises it."""
    require_change(actor, assessment)
    current = lock_open(assessment)
    if current.state != Assessment.State.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    bump(assessment, state=Assessment.State.IN_REVIEW)
    audit.record(actor=actor, action="assessment.submit_for_review", obj=assessment)
    return assessment


@transaction.atomic
def assessment_finalise(*, actor: Any, assessment: Assessment) -> Assessment:
    """Freeze an assessment in review, with its indicator figures as they are today."""
    require(actor, "assessment.finalise")
    require_change(actor, assessment)
    current = lock_open(assessment)
    if current.state != Assessment.State.IN_REVIEW:
        raise ValidationError(_("Submit the assessment for review before finalising it."))
    from habeas.assessment import indicators  # written alongside; imported when needed

    figures = indicators.indicator_snapshot(assessment=current)
    IndicatorValue.objects.filter(assessment=assessment).delete()
    IndicatorValue.objects.bulk_create(figures)
    bump(
        assessment,
        state=Assessment.State.FINAL,
        finalised_at=timezone.now(),
        finalised_by=actor,
    )
    audit.record(
        actor=actor,
        action="assessment.finalise",
        obj=assessment,
        detail={"indicator_values": len(figures)},
    )
    return assessment


def _copy_document(evidence: Evidence) -> str | None:
    if not evidence.stored_name:
        return None
    with default_storage.open(evidence.stored_name, "rb") as handle:
        return default_storage.save(f"{STORAGE_DIR}/{secrets.token_hex(16)}", handle)


def _copy_evidence(source: Assessment, revision: Assessment, copied_files: list[str]) -> int:
    copies = []
    for item in source.evidence.all():
        stored_name = _copy_document(item)
        if stored_name:
            copied_files.append(stored_name)
        item.pk = None
        item.assessment = revision
        item.stored_name = stored_name
        copies.append(item)
    Evidence.objects.bulk_create(copies)
    return len(copies)


def assessment_revise(*, actor: Any, assessment: Assessment) -> Assessment:
    """Start revision n+1 of a final assessment as a draft with its ratings and evidence."""
    require(actor, "assessment.create")
    require_change(actor, assessment)
    copied_files: list[str] = []
    try:
        with transaction.atomic():
            revision = _revise(actor, assessment, copied_files)
    except BaseException:
        for name in copied_files:
            archive.discard(name)
        raise
    return revision


def _revise(actor: Any, assessment: Assessment, copied_files: list[str]) -> Assessment:
    source = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not source.is_frozen:
        raise ValidationError(_("Only a final assessment can be revised; change this one instead."))
    if Assessment.objects.filter(supersedes=source).exists():
        raise ValidationError(_("This assessment has already been revised; revise the latest."))
    revision = Assessment.objects.create(
        title=source.title,
        framework_version=source.framework_version,
        subject=source.subject,
        made_by=source.made_by,
        period_start=source.period_start,
        period_end=source.period_end,
        summary=source.summary,
        revision=source.revision + 1,
        supersedes=source,
    )
    revision.assessors.set(source.assessors.all())
    rated = {r.criterion_id: r for r in source.ratings.all()}
    criteria = source.framework_version.criteria.values_list("pk", flat=True)
    Rating.objects.bulk_create(
        Rating(
            assessment=revision,
            criterion_id=pk,
            level=rated[pk].level if pk in rated else "",
            reason=rated[pk].reason if pk in rated else "",
            narrative=rated[pk].narrative if pk in rated else "",
            updated_by=rated[pk].updated_by if pk in rated else None,
        )
        for pk in criteria
    )
    evidence = _copy_evidence(source, revision, copied_files)
    audit.record(
        actor=actor,
        action="assessment.revise",
        obj=revision,
        detail={"supersedes": source.pk, "revision": revision.revision, "evidence": evidence},
    )
    return revision


# Sharing ------------------------------------------------


def _require_sharer(actor: Any, assessment: Assessment) -> None:
    """Only the head of the NPM assessed decides who sees its self-assessment."""
    require(actor, "assessment.share")
    if not Assessment.objects.restrict(actor, "view").filter(pk=assessment.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    organisation = selectors.organisation_of(user=actor)
    if (
        organisation is None
        or not assessment.is_self_assessment
        or assessment.subject_id != organisation.pk
    ):
        raise PermissionDenied(
            _("Only the head of the NPM assessed may share its self-assessment.")
        )


@transaction.atomic
def assessment_share(
    *, actor: Any, assessment: Assessment, organisation: Organisation
) -> AssessmentShare:
    """Let another organisation (the SPT, a peer network, …) see this self-assessment."""
    _require_sharer(actor, assessment)
    if organisation.pk == assessment.subject_id:
        raise ValidationError({"organisation": _("Your own organisation already sees it.")})
    if AssessmentShare.objects.filter(assessment=assessment, organisation=organisation).exists():
        raise ValidationError({"organisation": _("It is already shared with this organisation.")})
    share = AssessmentShare.objects.create(
        assessment=assessment, organisation=organisation, shared_by=actor
    )
    audit.record(
        actor=actor,
        action="assessment.share",
        obj=assessment,
        detail={"organisation": organisation.pk},
    )
    return share


@transaction.atomic
def assessment_unshare(*, actor: Any, assessment: Assessment, organisation: Organisation) -> None:
    """Stop sharing: the organisation no longer sees the assessment at all."""
    _require_sharer(actor, assessment)
    deleted, _count = AssessmentShare.objects.filter(
        assessment=assessment, organisation=organisation
    ).delete()
    if not deleted:
        raise ValidationError(_("This assessment is not shared with that organisation."))
    audit.record(
        actor=actor,
        action="assessment.unshare",
        obj=assessment,
        detail={"organisation": organisation.pk},
    )


# Ratings ------------------------------------------------


def rating_save(
    *,
    actor: Any,
    rating: Rating,
    level: str,
    reason: str,
    narrative: str,
    expected_version: int,
) -> Rating:
    """Record how far a criterion is in place; a stale save raises `StaleEdit`."""
    require_change(actor, rating.assessment)
    level = level or ""
    if level not in Rating.Level.values and level != "":
        raise ValidationError({"level": _("Choose one of the levels of the scale.")})
    reason = reason.strip() if level == Rating.Level.NOT_APPLICABLE else ""
    if level == Rating.Level.NOT_APPLICABLE and not reason:
        raise ValidationError({"reason": _("Say why this criterion does not apply.")})
    values = {"level": level, "reason": reason, "narrative": narrative, "updated_by": actor}
    with stale_guarded("rating.save", rating, actor, expected_version):
        lock_open(rating.assessment)
        changed = versioned_update(
            model=Rating, obj=rating, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="rating.save",
            obj=rating,
            detail={
                "assessment": rating.assessment_id,
                "criterion": rating.criterion_id,
                "fields": [name for name in changed if name != "updated_by"],
            },
        )
    return rating
