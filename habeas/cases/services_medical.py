"""Medical documentation of an allegation, after the Istanbul Protocol (¶18).

Examinations and their attachments are seen only by the case's grantees who hold the
medical flag and a role that may hold medical content (`MedicalExamination.objects.
restrict`). Findings, file names and file contents are sealed under the examination's
own data key. Each write and each read of a file writes one audit event, filed under
the case so that every grantee sees who did it, never what it said.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.cases.models import Case, CaseGrant, MedicalAttachment, MedicalExamination
from habeas.core import audit
from habeas.core.services import stale_guarded, versioned_update
from habeas.places import archive

EXAMINATION_PLAIN_FIELDS = ("examined_on", "examiner", "examiner_name", "consistency")
EXAMINATION_SEALED_FIELDS = (
    "history",
    "physical_findings",
    "psychological_findings",
    "interpretation",
)
# A photograph, a body chart, a report: the types a medical file holds, each checked by
# its first bytes (habeas.places.archive), never by its name alone.
ATTACHMENT_TYPES = frozenset({"pdf", "jpg", "jpeg", "png", "docx", "odt", "txt"})
ATTACHMENT_TYPES_LABEL = "PDF, JPG, PNG, DOCX, ODT, TXT"
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def _may_write(actor: Any, case: Case) -> bool:
    """Medical rights on the case (role and grant flag) and the right to change it."""
    return (
        roles.can(actor, "cases.medical")
        and CaseGrant.objects.filter(case=case, user=actor, medical=True).exists()
        and Case.objects.restrict(actor, "change").filter(pk=case.pk).exists()
    )


def _refuse_unless_medical(actor: Any, case: Case) -> None:
    if not _may_write(actor, case):
        raise PermissionDenied(_("You may not do this."))


def _check_examiner(case: Case, values: Mapping[str, Any]) -> None:
    """The examining doctor, if one of the NPM's, must be granted on the case's medical file."""
    examiner = values.get("examiner")
    if (
        examiner is not None
        and not CaseGrant.objects.filter(case=case, user=examiner, medical=True).exists()
    ):
        raise ValidationError(
            {"examiner": _("The examining doctor must be granted the case's medical file.")}
        )


def examination_add(*, actor: Any, case: Case, data: Mapping[str, Any]) -> MedicalExamination:
    """Record a medical examination; its findings are sealed."""
    _refuse_unless_medical(actor, case)
    values = {name: data[name] for name in EXAMINATION_PLAIN_FIELDS if name in data}
    _check_examiner(case, values)
    with transaction.atomic():
        examination = MedicalExamination(case=case, **values)
        for name in EXAMINATION_SEALED_FIELDS:
            examination.seal(name, data.get(name) or "")
        examination.full_clean(exclude=["identity_key", "content_key", "case", "examiner"])
        examination.save(force_insert=True)
        audit.record(
            actor=actor,
            action="cases.medical.create",
            obj=case,
            detail={"examination": str(examination.pk)},
        )
    return examination


def examination_update(
    *,
    actor: Any,
    examination: MedicalExamination,
    data: Mapping[str, Any],
    expected_version: int,
) -> MedicalExamination:
    """Edit an examination; a stale edit raises `StaleEdit` and changes nothing."""
    _refuse_unless_medical(actor, examination.case)
    values: dict[str, Any] = {name: data[name] for name in EXAMINATION_PLAIN_FIELDS if name in data}
    _check_examiner(examination.case, values)
    with stale_guarded("cases.medical.update", examination.case, actor, expected_version):
        probe = MedicalExamination(pk=examination.pk, content_key=examination.content_key)
        for name in EXAMINATION_SEALED_FIELDS:
            if name in data and (data[name] or "") != examination.unseal(name):
                probe.seal(name, data[name] or "")
                values[name] = getattr(probe, name)
        if probe.content_key_id != examination.content_key_id:
            values["content_key"] = probe.content_key
        changed = versioned_update(
            model=MedicalExamination,
            obj=examination,
            values=values,
            expected_version=expected_version,
        )
        audit.record(
            actor=actor,
            action="cases.medical.update",
            obj=examination.case,
            detail={
                "examination": str(examination.pk),
                "fields": sorted(name for name in changed if not name.endswith("_key")),
            },
        )
    return examination


def examination_read(*, actor: Any, examination: MedicalExamination) -> None:
    """Audit a read of an examination's findings (rule 5)."""
    audit.record(
        actor=actor,
        action="cases.medical.read",
        obj=examination.case,
        detail={"examination": str(examination.pk)},
    )


# -- attachments --------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedAttachment:
    filename: str
    content_type: str
    content: bytes


def _strip_metadata(content: bytes, content_type: str) -> bytes:
    """Re-encode a photograph from its pixels alone: no EXIF (camera, GPS, time), no
    text chunks, no embedded thumbnail. The picture is turned upright first, since the
    orientation tag goes with the rest."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    image_format = IMAGE_FORMATS[content_type]
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            clean = Image.new(upright.mode, upright.size)
            clean.paste(upright)
            if "transparency" in upright.info and image_format == "PNG":
                clean.info["transparency"] = upright.info["transparency"]
            if upright.mode == "P" and upright.getpalette():
                clean.putpalette(upright.getpalette() or [])
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 95} if image_format == "JPEG" else {}
            if image_format == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
                clean = clean.convert("RGB")
            clean.save(out, format=image_format, **options)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            {"upload": _("The picture could not be read. It was not saved.")}
        ) from exc
    return out.getvalue()


def _check_attachment(upload: Any) -> archive.CheckedUpload:
    checked = archive.check_upload(upload)  # size first, then name and first bytes
    if checked.extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "upload": _("This type of file is not accepted. Accepted types: %(types)s.")
                % {"types": ATTACHMENT_TYPES_LABEL}
            }
        )
    return checked


def attachment_add(
    *, actor: Any, examination: MedicalExamination, upload: Any
) -> MedicalAttachment:
    """Seal a file and its name under the examination's record; photographs are stripped
    of their metadata first. Nothing is written to storage in the clear."""
    _refuse_unless_medical(actor, examination.case)
    checked = _check_attachment(upload)
    upload.seek(0)
    content = upload.read()
    if checked.content_type in IMAGE_FORMATS:
        content = _strip_metadata(content, checked.content_type)
    with transaction.atomic():
        attachment = MedicalAttachment(
            examination=examination,
            content_type=checked.content_type,
            size=len(content),
            uploaded_by=actor,
        )
        attachment.seal("filename", checked.original_name)
        attachment.seal("content", content)
        attachment.save(force_insert=True)
        audit.record(
            actor=actor,
            action="cases.medical.attachment_add",
            obj=examination.case,
            detail={"examination": str(examination.pk), "attachment": str(attachment.pk)},
        )
    return attachment


def attachment_open(*, actor: Any, attachment: MedicalAttachment) -> OpenedAttachment:
    """The file in the clear for one download, audited (rule 5)."""
    if not MedicalAttachment.objects.restrict(actor, "view").filter(pk=attachment.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    filename = attachment.unseal("filename", actor=actor)
    content = attachment.unseal_bytes("content", actor=actor)
    audit.record(
        actor=actor,
        action="cases.medical.download",
        obj=attachment.examination.case,
        detail={"attachment": str(attachment.pk)},
    )
    return OpenedAttachment(
        filename=filename, content_type=attachment.content_type, content=content
    )
