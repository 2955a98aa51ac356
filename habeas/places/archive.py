"""Checking and storing the files of a place's archive (¶9; SECURITY.md 21).

A file is accepted only if its extension is on the allow-list AND its first bytes
match that type, so an HTML page renamed `report.pdf` is refused. Accepted files are
stored under a random name with no extension and served back only as attachments.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

STORAGE_DIR = "places"
HEAD_BYTES = 8192

OOXML_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OOXML_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODF_TEXT = "application/vnd.oasis.opendocument.text"
ODF_SHEET = "application/vnd.oasis.opendocument.spreadsheet"

BINARY_SIGNATURES = (
    b"%PDF",
    b"PK\x03\x04",
    b"MZ",
    b"\x7fELF",
    b"\xff\xd8\xff",
    b"\x89PNG",
    b"GIF8",
)
MARKUP_STARTS = (
    b"<!doctype",
    b"<html",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<body",
    b"<head",
    b"<iframe",
)
CONTROL_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 27)) | frozenset(range(28, 32))
UNSAFE_NAME_CHARS = '"\\/:*?<>|'


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _zip_names(upload: Any) -> list[str] | None:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as bundle:
            names = bundle.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    # Never extracted, but a document whose parts climb out of the archive is not a document.
    if any(name.startswith("/") or ".." in PurePosixPath(name).parts for name in names):
        return None
    return names


def _odf_mimetype(upload: Any) -> str:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as bundle:
            info = bundle.getinfo("mimetype")
            if info.file_size > 100:
                return ""
            return bundle.read(info).decode("ascii", errors="replace").strip()
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return ""
    finally:
        upload.seek(0)


def _is_pdf(head: bytes, upload: Any) -> bool:
    return head.startswith(b"%PDF-")


def _is_docx(head: bytes, upload: Any) -> bool:
    names = _zip_names(upload) if head.startswith(b"PK\x03\x04") else None
    return names is not None and {"[Content_Types].xml", "word/document.xml"} <= set(names)


def _is_xlsx(head: bytes, upload: Any) -> bool:
    names = _zip_names(upload) if head.startswith(b"PK\x03\x04") else None
    return names is not None and {"[Content_Types].xml", "xl/workbook.xml"} <= set(names)


def _is_odt(head: bytes, upload: Any) -> bool:
    return head.startswith(b"PK\x03\x04") and _odf_mimetype(upload) == ODF_TEXT


def _is_ods(head: bytes, upload: Any) -> bool:
    return head.startswith(b"PK\x03\x04") and _odf_mimetype(upload) == ODF_SHEET


def _is_jpeg(head: bytes, upload: Any) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_png(head: bytes, upload: Any) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_text(head: bytes, upload: Any) -> bool:
    """Plain text or CSV: no control bytes, no binary signature, no markup a browser would run."""
    if any(byte in CONTROL_BYTES for byte in head):
        return False
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return not (start.startswith(BINARY_SIGNATURES) or start.lower().startswith(MARKUP_STARTS))


# extension → (content type, check of the first bytes)
ALLOWED: dict[str, tuple[str, Callable[[bytes, Any], bool]]] = {
    "pdf": ("application/pdf", _is_pdf),
    "docx": (OOXML_WORD, _is_docx),
    "xlsx": (OOXML_SHEET, _is_xlsx),
    "odt": (ODF_TEXT, _is_odt),
    "ods": (ODF_SHEET, _is_ods),
    "csv": ("text/csv", _is_text),
    "txt": ("text/plain", _is_text),
    "jpg": ("image/jpeg", _is_jpeg),
    "jpeg": ("image/jpeg", _is_jpeg),
    "png": ("image/png", _is_png),
}
ALLOWED_LABEL = "PDF, DOCX, XLSX, ODT, ODS, CSV, TXT, JPG, PNG"


def sanitise_filename(name: str, *, fallback: str = "document") -> str:
    """A file name safe to show and to send back in Content-Disposition.

    Drops any path, control and formatting characters and the characters that
    operating systems or headers treat specially; keeps the extension when shortening.
    """
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        "_" if char in UNSAFE_NAME_CHARS else char
        for char in name
        if unicodedata.category(char)[0] not in {"C", "Z"} or char == " "
    )
    name = " ".join(name.split()).lstrip(". ").rstrip(". ")
    if not name:
        return fallback
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name


def extension_of(name: str) -> str:
    suffix = PurePosixPath(sanitise_filename(name)).suffix
    return suffix.removeprefix(".").lower()


def check_upload(upload: Any) -> CheckedUpload:
    """Refuse a file that is too big or not of an allowed type; nothing is written here."""
    limit = settings.HABEAS_UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "upload": _("The file is too big. The largest file accepted is %(limit)s.")
                % {"limit": filesizeformat(limit)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"upload": _("The file is empty.")})
    extension = extension_of(upload.name or "")
    if extension not in ALLOWED:
        raise ValidationError(
            {
                "upload": _("This type of file is not accepted. Accepted types: %(types)s.")
                % {"types": ALLOWED_LABEL}
            }
        )
    content_type, matches = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if not matches(head, upload):
        raise ValidationError(
            {
                "upload": _(
                    "The file's content does not match its name (.%(ext)s). It was not saved."
                )
                % {"ext": extension}
            }
        )
    return CheckedUpload(
        original_name=sanitise_filename(upload.name or "", fallback=f"document.{extension}"),
        extension=extension,
        content_type=content_type,
        size=upload.size,
        sha256=_sha256(upload),
    )


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def store(upload: Any) -> str:
    """Write the file under a random name with no extension; return its storage name."""
    return default_storage.save(f"{STORAGE_DIR}/{secrets.token_hex(16)}", upload)


def discard(stored_name: str | None) -> None:
    if stored_name and default_storage.exists(stored_name):
        default_storage.delete(stored_name)


def open_stored(stored_name: str) -> IO[bytes]:
    return default_storage.open(stored_name, "rb")
