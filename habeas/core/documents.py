"""What every printed document of Habeas shares: WeasyPrint that fetches nothing from the
network, text direction for right-to-left languages, and marking paragraphs of a DOCX
right-to-left the way Word expects for Arabic.

WeasyPrint fetches through `StaticOnlyFetcher`: our own static files (print stylesheets,
the vendored mark) and, when a document needs one, a few resources it hands over in
memory (the NPM's logo); every other address is refused, so even an `<img>` a person
typed into a narrative cannot make the server call out. Fonts come from the system
(DejaVu covers Latin, Cyrillic, Greek and Arabic).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

# A host under .invalid never resolves (RFC 2606): even a fetcher bug cannot go out.
STATIC_BASE = "https://static.habeas.invalid/"
RTL_CLASSES = {"R", "AL"}
MIME_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def text_direction(text: str) -> str:
    """ "rtl" or "ltr" from the first strongly directional character; "" if there is none.

    WeasyPrint has no `dir="auto"`, so what people typed gets its direction from here.
    """
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in RTL_CLASSES:
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""


class StaticOnlyFetcher(URLFetcher):
    """Serves our own static files to WeasyPrint and refuses every other address.

    `resources` maps names under `STATIC_BASE` to (bytes, mime) given in memory, for
    what is not a static file (the logo an administrator configured)."""

    def __init__(self, *args: Any, resources: Mapping[str, tuple[bytes, str]] | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.resources = dict(resources or {})

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith(STATIC_BASE):
            raise ValueError("The document may only use Habeas's own static files.")
        name = url.removeprefix(STATIC_BASE).split("?", 1)[0].split("#", 1)[0]
        if name in self.resources:
            body, mime = self.resources[name]
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if not name or name.startswith("/") or ".." in name.split("/"):
            raise ValueError("Not a static file name.")
        return URLFetcherResponse(url, static_bytes(name), {"Content-Type": mime_type(name)})


def static_bytes(name: str) -> bytes:
    """The bytes of one of our static files, found as `collectstatic` would find it."""
    found = finders.find(name)
    if found:
        with open(found, "rb") as handle:  # noqa: PTH123 - a path the finders resolved
            return handle.read()
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name, "rb") as handle:
            return handle.read()
    raise ValueError("No such static file.")


def mime_type(name: str) -> str:
    lowered = name.lower()
    return next((t for suffix, t in MIME_TYPES.items() if lowered.endswith(suffix)), "text/plain")


# DOCX ------------------------------------------------------------------------------

# The elements that come after <w:bidi/> in a paragraph's properties, and after <w:rtl/>
# in a run's (ECMA-376 part 1, 17.3.1.26 and 17.3.2.28): Word refuses a file whose
# properties are out of this order.
_AFTER_BIDI = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
_AFTER_RTL = ("w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
_AFTER_BIDI_VISUAL = (
    "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing",
    "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
    "w:tblCaption", "w:tblDescription", "w:tblPrChange",
)  # fmt: skip


def docx_mark_rtl(paragraph: Any) -> None:
    """Mark one python-docx paragraph, and its runs, right-to-left."""
    properties = paragraph._p.get_or_add_pPr()
    if properties.find(qn("w:bidi")) is None:
        properties.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)
    for run in paragraph.runs:
        run_properties = run._r.get_or_add_rPr()
        if run_properties.find(qn("w:rtl")) is None:
            run_properties.insert_element_before(OxmlElement("w:rtl"), *_AFTER_RTL)


def docx_set_directions(document: Any, default: str) -> None:
    """Mark each paragraph right-to-left when its text (or, without strong characters,
    the document's language) is, as Word expects for Arabic; tables of a right-to-left
    document read from the right."""
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        table_properties = table._tbl.tblPr
        if default == "rtl" and table_properties.find(qn("w:bidiVisual")) is None:
            table_properties.insert_element_before(OxmlElement("w:bidiVisual"), *_AFTER_BIDI_VISUAL)
        paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    for section in document.sections:
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:  # reading a missing one would add it
                paragraphs += list(part.paragraphs)
    for paragraph in paragraphs:
        if (text_direction(paragraph.text) or default) == "rtl":
            docx_mark_rtl(paragraph)
