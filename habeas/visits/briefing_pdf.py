"""The briefing pack and the paper checklist as PDF, through WeasyPrint (¶13, 17).

The HTML is the same content the page shows (`briefing.BriefingPack`), in a print
template. WeasyPrint fetches nothing from the network: the shared
`StaticOnlyFetcher` (habeas.core.documents) serves our own print stylesheet and refuses
every other address.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from habeas.core.documents import STATIC_BASE, StaticOnlyFetcher
from habeas.visits.briefing import BriefingPack
from habeas.visits.guidelines import ThemeItems
from habeas.visits.models import ChecklistAnswer, Guideline, Visit

STYLESHEET = "visits/briefing-print.css"


def _direction() -> str:
    return "rtl" if translation.get_language_bidi() else "ltr"


def briefing_html(pack: BriefingPack) -> str:
    """The HTML given to WeasyPrint; tests read it to check what the PDF says."""
    context = {
        "pack": pack,
        "stylesheet": STYLESHEET,
        "direction": _direction(),
        "language": translation.get_language(),
    }
    return render_to_string("visits/briefing_pdf.html", context)


def checklist_html(
    *, visit: Visit, guideline: Guideline | None, checklist: list[ThemeItems]
) -> str:
    context = {
        "visit": visit,
        "guideline": guideline,
        "checklist": checklist,
        "answers": ChecklistAnswer.Answer.choices,
        "stylesheet": STYLESHEET,
        "direction": _direction(),
        "language": translation.get_language(),
    }
    return render_to_string("visits/checklist_pdf.html", context)


def render_pdf(html: str) -> bytes:
    document: Any = HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def briefing_pdf(pack: BriefingPack) -> bytes:
    return render_pdf(briefing_html(pack))


def checklist_pdf(
    *, visit: Visit, guideline: Guideline | None, checklist: list[ThemeItems]
) -> bytes:
    return render_pdf(checklist_html(visit=visit, guideline=guideline, checklist=checklist))


def file_name(visit: Visit, what: str) -> str:
    """An ASCII file name from the visit's reference: no place name leaves in a header."""
    reference = "".join(c if c.isalnum() or c in "-_" else "-" for c in visit.reference)
    return f"{what}-{reference}.pdf"
