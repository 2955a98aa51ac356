"""Evidence behind a rating: uploaded documents, Habeas records, public sources (whole tool).

Documents pass the archive's checks (size, allowed type, content matching the name;
SECURITY.md 21) and are stored under a random name with no extension. A link to a
Habeas record is accepted only if the record exists and the actor can see it through
its own model's `restrict`; the same answer is given for a missing or hidden record.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from habeas.assessment import selectors
from habeas.assessment.models import Assessment, Criterion, Evidence
from habeas.assessment.services_common import (
    STORAGE_DIR,
    AssessmentFrozen,
    check_criterion,
    lock_open,
    require_change,
)
from habeas.core import audit
from habeas.places import archive


def _prepare_record(actor: Any, evidence: Evidence, record_type: str, record_id: str) -> None:
    record_type, record_id = record_type.strip().lower(), str(record_id).strip()
    model = selectors.evidence_record_model(
        user=actor, record_type=record_type, record_id=record_id
    )
    if model is None:
        # Missing, invisible or of an unknown type: one answer, so nothing is revealed.
        raise ValidationError(
            {"record_id": _("No record of this type and number is visible to you.")}
        )
    evidence.record_type, evidence.record_id = record_type, record_id
    if not evidence.title:
        evidence.title = f"{str(model._meta.verbose_name).capitalize()} {record_id}"


def _prepare_link(evidence: Evidence, url: str) -> None:
    url = url.strip()
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": _("Give the full address of a public source, starting with https://.")}
        ) from None
    evidence.url = url
    evidence.title = evidence.title or url


def evidence_add(
    *,
    actor: Any,
    assessment: Assessment,
    criterion: Criterion,
    kind: str,
    title: str = "",
    upload: UploadedFile | None = None,
    url: str = "",
    record_type: str = "",
    record_id: str = "",
) -> Evidence:
    """Support a rating with a document, a Habeas record the actor can see, or a public source."""
    require_change(actor, assessment)
    check_criterion(assessment, criterion)
    if assessment.is_frozen:
        raise AssessmentFrozen()
    evidence = Evidence(
        assessment=assessment, criterion=criterion, kind=kind, title=title.strip(), added_by=actor
    )
    if kind == Evidence.Kind.DOCUMENT:
        return _add_document(actor, evidence, upload)
    if kind == Evidence.Kind.RECORD:
        _prepare_record(actor, evidence, record_type, record_id)
    elif kind == Evidence.Kind.LINK:
        _prepare_link(evidence, url)
    else:
        raise ValidationError({"kind": _("Choose a kind of evidence.")})
    with transaction.atomic():
        _save_evidence(actor, evidence)
    return evidence


def _save_evidence(actor: Any, evidence: Evidence) -> None:
    lock_open(evidence.assessment)
    evidence.full_clean()
    evidence.save()
    audit.record(
        actor=actor,
        action="evidence.add",
        obj=evidence,
        detail={
            "assessment": evidence.assessment_id,
            "criterion": evidence.criterion_id,
            "kind": evidence.kind,
            **({"sha256": evidence.sha256, "size": evidence.size} if evidence.sha256 else {}),
        },
    )


def _add_document(actor: Any, evidence: Evidence, upload: UploadedFile | None) -> Evidence:
    """Check size and type before writing; store under a random name with no extension."""
    if upload is None:
        raise ValidationError({"upload": _("Choose a file to upload.")})
    checked = archive.check_upload(upload)
    evidence.original_name = checked.original_name
    evidence.content_type = checked.content_type
    evidence.size = checked.size
    evidence.sha256 = checked.sha256
    evidence.title = evidence.title or checked.original_name
    evidence.stored_name = default_storage.save(f"{STORAGE_DIR}/{secrets.token_hex(16)}", upload)
    try:
        with transaction.atomic():
            _save_evidence(actor, evidence)
    except BaseException:
        archive.discard(evidence.stored_name)  # no orphan file
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, actor: Any, evidence: Evidence) -> None:
    """Take a piece of evidence off a rating; an uploaded file is deleted once committed."""
    require_change(actor, evidence.assessment)
    lock_open(evidence.assessment)
    audit.record(
        actor=actor,
        action="evidence.remove",
        obj=evidence,
        detail={"assessment": evidence.assessment_id, "criterion": evidence.criterion_id},
    )
    stored_name = evidence.stored_name
    evidence.delete()
    if stored_name:
        transaction.on_commit(lambda: archive.discard(stored_name))


@transaction.atomic
def evidence_open(*, actor: Any, evidence: Evidence) -> Any:
    """Open an uploaded document for download, for someone who may see its assessment."""
    if not Assessment.objects.restrict(actor, "view").filter(pk=evidence.assessment_id).exists():
        raise PermissionDenied(_("You may not do this."))
    audit.record(
        actor=actor,
        action="evidence.download",
        obj=evidence,
        detail={"assessment": evidence.assessment_id},
    )
    return archive.open_stored(evidence.stored_name or "")
