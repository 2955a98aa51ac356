"""Photographs taken during a visit (¶15): checked, stripped of metadata, sealed.

An upload is refused past `settings.HABEAS_UPLOAD_MAX_BYTES` (checked before it is
read into memory) and unless its content, not its name or declared type, is a JPEG or
a PNG. Its pixels alone are then re-encoded with Pillow into a fresh image: EXIF
(camera, time, GPS position), XMP, ICC profiles, comments and PNG text chunks are all
left behind, since a location or a device serial can place a photograph, and a
photograph can place a person. The clean bytes and the caption are sealed; the photo
is served back only to the visit's team and the head, audited.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from habeas.core import audit
from habeas.visits.models import Photo, Visit
from habeas.visits.services_field import _require_team, team_access

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded
CAPTION_MAX = 500


def sniff(head: bytes) -> str | None:
    """The image type from the first bytes, or None: the name and the browser's
    declared type are not trusted."""
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    return None


def strip_metadata(content: bytes, content_type: str) -> bytes:
    """The same picture, pixels only: a new image is built from the decoded pixels, so
    no metadata block of the original can survive. The EXIF orientation is applied
    first so that the picture still stands the right way up."""
    try:
        with Image.open(io.BytesIO(content)) as source:
            if source.width * source.height > MAX_PIXELS:
                raise ValidationError(_("This image is too large."))
            source.load()
            upright = ImageOps.exif_transpose(source) or source
            mode = "RGB" if content_type == "image/jpeg" else _png_mode(upright.mode)
            pixels = upright.convert(mode)
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This file is not a readable JPEG or PNG image.")) from error
    out = io.BytesIO()
    if content_type == "image/jpeg":
        clean.save(out, format="JPEG", quality=90, optimize=True)
    else:
        clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _png_mode(mode: str) -> str:
    return "RGBA" if mode in ("RGBA", "LA", "P", "PA") else "RGB"


def read_upload(upload: Any) -> tuple[bytes, str]:
    """The upload's bytes and sniffed type, refusing what is too big or not an image."""
    limit = int(settings.HABEAS_UPLOAD_MAX_BYTES)
    if getattr(upload, "size", 0) and upload.size > limit:
        raise ValidationError({"upload": _("This file is too large.")})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({"upload": _("This file is too large.")})
    if not content:
        raise ValidationError({"upload": _("The file is empty.")})
    content_type = sniff(content[:16])
    if content_type is None:
        raise ValidationError({"upload": _("Only JPEG and PNG photographs are accepted.")})
    return content, content_type


def photo_upload(
    *,
    actor: Any,
    visit: Visit,
    upload: Any,
    caption: str = "",
    taken_on: dt.date | None = None,
) -> Photo:
    with transaction.atomic():
        _require_team(actor, visit)
        content, content_type = read_upload(upload)
        try:
            clean = strip_metadata(content, content_type)
        except ValidationError as error:
            raise ValidationError({"upload": error.messages}) from error
        caption = (caption or "").strip()
        if len(caption) > CAPTION_MAX:
            raise ValidationError({"caption": _("The caption is too long.")})
        photo = Photo(
            visit=visit,
            content_type=content_type,
            size=len(clean),
            taken_on=taken_on,
            uploaded_by=actor,
        )
        photo.seal("content", clean)
        photo.seal("caption", caption)
        photo.save()
        audit.record(
            actor=actor, action="visits.photo.upload", obj=photo, detail={"size": len(clean)}
        )
    return photo


def photo_open(*, actor: Any, photo: Photo, what: str = "content") -> bytes:
    """The photograph's bytes (or its caption) for the team; the read is audited."""
    if what not in ("content", "caption"):
        raise ValueError(what)
    with transaction.atomic():
        if not team_access(actor, photo.visit):
            raise PermissionDenied(_("You may not do this."))
        data = photo.unseal_bytes(what, actor=actor)
        audit.record(actor=actor, action="visits.photo.read", obj=photo, detail={"part": what})
    return data
