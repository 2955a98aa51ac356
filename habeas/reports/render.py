"""A report as PDF (WeasyPrint) and DOCX (python-docx), from its `Content` (¶21, 22).

Both show the same things in the same order: a title page with the NPM's name and logo,
the kind, title, reference, date and version, and the marking ("Confidential" or
"Public version") that is repeated on every page; a table of contents; then each section
with its narrative (Markdown, sanitised by `markdown.render`) and its blocks: facts,
tables, charts (the same SVG as on the page, `charts.svg`) and generated text. A count
of people hidden in the public version reads "fewer than k".

WeasyPrint fetches nothing from the network (`habeas.core.documents.StaticOnlyFetcher`):
the stylesheet and the vendored mark are our static files, the configured logo is handed
over in memory, anything else is refused. Fonts come from the system (DejaVu covers
Arabic). A right-to-left report sets `dir="rtl"` on the document, the stylesheet uses
logical properties, and each paragraph whose own text runs the other way gets its own
`dir`, as WeasyPrint has no `dir="auto"`.

The DOCX lives in `docx_writer.py`; charts go into it as PNG, drawn here by WeasyPrint
and rasterised by pypdfium2 (`chart_png`), so no second SVG renderer is needed.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import re
from pathlib import Path
from typing import Any

import pypdfium2
from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML

from habeas.core.documents import STATIC_BASE, StaticOnlyFetcher, static_bytes, text_direction
from habeas.reports import charts, markdown
from habeas.reports.content_types import Cell, Chart, Content, Facts, Section, Table, Text
from habeas.reports.models import Kind, State, Variant
from habeas.reports.publication import is_withheld

logger = logging.getLogger(__name__)

STYLESHEET = "reports/print.css"
MARK = "reports/habeas-mark.svg"
# The name under STATIC_BASE at which the fetcher hands WeasyPrint the logo's bytes.
LOGO_RESOURCE = "npm-logo"
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg"}  # fmt: skip
DEFAULT_CHART_SIZE = (800.0, 450.0)


# Wording shared by the PDF and the DOCX --------------------------------------------


def marking(content: Content) -> str:
    if content.variant == Variant.PUBLIC:
        return _("Public version")
    return _("Confidential")


def kind_label(content: Content) -> str:
    try:
        return str(Kind(content.kind).label)
    except ValueError:
        return content.kind


def state_label(content: Content) -> str:
    try:
        return str(State(content.state).label)
    except ValueError:
        return content.state


def dated(content: Content) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(content.dated), "DATE_FORMAT")
    except ValueError:
        return content.dated


def fewer_than(k: int) -> str:
    return _("fewer than %(k)s") % {"k": k}


def number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def page_words() -> tuple[str, str, str]:
    """The words of "Page N of M" in the report's language, cut around its two numbers:
    before the page, between, and after the count of pages."""
    marker = _("Page %(page)s of %(pages)s") % {"page": "\x00", "pages": "\x01"}
    before, _sep, rest = marker.partition("\x00")
    between, _sep, after = rest.partition("\x01")
    return before, between, after


def is_suppressed(cell: Cell, content: Content) -> bool:
    """A count of people that the reader may not see: hidden by the public version, or
    (should a transformation have missed one) a public count of people under k."""
    figure = content.figures.get(cell.figure) if cell.figure else None
    if cell.suppressed or (figure is not None and figure.suppressed):
        return True
    people = cell.people or (figure is not None and figure.people)
    small = cell.value is not None and 0 < cell.value < content.k
    return content.variant == Variant.PUBLIC and people and small


def cell_text(cell: Cell, content: Content) -> str:
    if cell.suppressed and cell.text and is_withheld(cell, content.k):
        return cell.text  # hidden with another count; its own value may be k or more
    if is_suppressed(cell, content):
        return fewer_than(content.k)
    if cell.value is not None and cell.text in ("", str(cell.value)):
        return number(cell.value)
    return cell.text


# The logo ----------------------------------------------------------------------------


def logo() -> tuple[bytes, str]:
    """The NPM's logo (`HABEAS_NPM_LOGO`, an SVG, PNG or JPEG file), else Habeas's mark."""
    configured = str(getattr(settings, "HABEAS_NPM_LOGO", "") or "")
    if configured:
        path = Path(configured)
        mime = LOGO_TYPES.get(path.suffix.lower())
        try:
            if mime is None:
                raise ValueError("not an SVG, PNG or JPEG file")
            return path.read_bytes(), mime
        except (OSError, ValueError) as exc:
            logger.warning("HABEAS_NPM_LOGO cannot be used (%s); Habeas's mark is shown", exc)
    return static_bytes(MARK), "image/svg+xml"


# HTML ------------------------------------------------------------------------------


_DIRECTED_TAGS = re.compile(r"<(p|li|h3|h4|td|th|blockquote)>")
_ANY_TAG = re.compile(r"<[^>]*>")
_LOOK_AHEAD = 400


def directed(fragment: str, default: str) -> SafeString:
    """Sanitised HTML with `dir` on each paragraph, item or cell whose own text runs
    against the document (an English quote in an Arabic report, or the reverse)."""

    def mark(match: re.Match[str]) -> str:
        following = fragment[match.end() : match.end() + _LOOK_AHEAD]
        direction = text_direction(html.unescape(_ANY_TAG.sub(" ", following)))
        if direction and direction != default:
            return f'<{match[1]} dir="{direction}">'
        return match[0]

    return mark_safe(_DIRECTED_TAGS.sub(mark, fragment))  # noqa: S308 - only adds dir to safe HTML


def _against(text: str, default: str) -> str:
    """The direction to set on an element showing `text`, or "" when it follows the page."""
    direction = text_direction(text)
    return direction if direction and direction != default else ""


def _cell(cell: Cell, content: Content) -> dict[str, Any]:
    shown = cell_text(cell, content)
    hidden = is_suppressed(cell, content)
    return {
        "text": shown,
        "dir": _against(shown, content.direction),
        "num": hidden or cell.value is not None or cell.figure is not None,
        "suppressed": hidden,
    }


def _table(block: Table, content: Content) -> dict[str, Any]:
    rows = [[_cell(cell, content) for cell in row] for row in block.rows]
    numeric = [bool(rows) and all(row[i]["num"] for row in rows if i < len(row))
               for i in range(len(block.header))]  # fmt: skip
    return {
        "type": "table",
        "caption": block.caption,
        "caption_dir": _against(block.caption, content.direction),
        "header": [
            {"text": head, "dir": _against(head, content.direction), "num": numeric[i]}
            for i, head in enumerate(block.header)
        ],
        "rows": rows,
    }


def _facts(block: Facts, content: Content) -> dict[str, Any]:
    items = [
        {"label": fact.label, "label_dir": _against(fact.label, content.direction),
         "cell": _cell(fact.cell, content)}
        for fact in block.items
    ]  # fmt: skip
    return {"type": "facts", "items": items}


def _chart(block: Chart, content: Content, chart_id: str) -> dict[str, Any]:
    return {
        "type": "chart",
        "title": block.title,
        "title_dir": _against(block.title, content.direction),
        "svg": charts.svg(block, chart_id=chart_id),
    }


def _text(block: Text, content: Content) -> dict[str, Any]:
    return {"type": "text", "html": directed(markdown.render(block.markdown), content.direction)}


def _section(section: Section, content: Content, position: int) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for index, block in enumerate(section.blocks):
        if isinstance(block, Table):
            blocks.append(_table(block, content))
        elif isinstance(block, Facts):
            blocks.append(_facts(block, content))
        elif isinstance(block, Chart):
            blocks.append(_chart(block, content, f"chart-{position}-{index}"))
        elif isinstance(block, Text):
            blocks.append(_text(block, content))
    return {
        "key": section.key,
        "anchor": f"section-{position}",
        "title": section.title,
        "title_dir": _against(section.title, content.direction),
        "narrative": directed(markdown.render(section.narrative), content.direction),
        "blocks": blocks,
    }


def css_string(text: str) -> str:
    """`text` as a quoted CSS string that cannot end the string, the rule or the <style>."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;-–—()%/" else f"\\{ord(ch):x} " for ch in text
    )
    return f'"{escaped}"'


def page_counter_css() -> SafeString:
    before, between, after = page_words()
    parts = [css_string(before), "counter(page)", css_string(between), "counter(pages)",
             css_string(after)]  # fmt: skip
    return mark_safe(" ".join(parts))  # noqa: S308 - CSS strings escaped by css_string


def report_html(content: Content, *, for_print: bool = True) -> str:
    """The print HTML (what WeasyPrint lays out; tests read it). `for_print=False` gives
    a page a browser can show (stylesheet and mark from the static URL, no page rules)."""
    context = {
        "report": content,
        "sections": [_section(s, content, i) for i, s in enumerate(content.sections, start=1)],
        "kind_label": kind_label(content),
        "state_label": state_label(content),
        "marking": marking(content),
        "dated": dated(content),
        "draft": content.state != State.SIGNED,
        "npm_dir": _against(content.npm_name, content.direction),
        "title_dir": _against(content.title, content.direction),
        "subtitle_dir": _against(content.subtitle, content.direction),
        "for_print": for_print,
        "stylesheet": STYLESHEET if for_print else static(STYLESHEET),
        "logo_src": LOGO_RESOURCE if for_print else _browser_logo(),
    }
    return render_to_string("reports/print/report.html", context)


def _browser_logo() -> str:
    return "" if getattr(settings, "HABEAS_NPM_LOGO", "") else static(MARK)


# PDF -------------------------------------------------------------------------------


def fetcher() -> StaticOnlyFetcher:
    return StaticOnlyFetcher(resources={LOGO_RESOURCE: logo()})


def page_rules() -> Any:
    """Page numbers in the report's language ("Page 3 of 12"), as a stylesheet handed to
    WeasyPrint beside the document: templates hold no inline style."""
    rules = (
        f"@page {{ @bottom-right {{ content: {page_counter_css()}; font-size: 8pt; "
        "color: #555; } } @page :first { @bottom-right { content: none; } }"
    )
    return CSS(string=rules)


def html_pdf(document_html: str, *, stylesheets: list[Any] | None = None) -> bytes:
    """Lay out print HTML with nothing fetched but our static files and the logo."""
    document: Any = HTML(string=document_html, base_url=STATIC_BASE, url_fetcher=fetcher())
    return bytes(document.write_pdf(stylesheets=stylesheets or []))


def report_pdf(content: Content) -> bytes:
    return html_pdf(report_html(content), stylesheets=[page_rules()])


def report_docx(content: Content) -> bytes:
    from habeas.reports import docx_writer

    return docx_writer.report_docx(content)


def render(content: Content, fmt: str) -> bytes:
    """The report in one of `Rendering.Format`."""
    if fmt == "pdf":
        return report_pdf(content)
    if fmt == "docx":
        return report_docx(content)
    raise ValueError(f"Unknown report format {fmt!r}")


# Pictures ----------------------------------------------------------------------------


_VIEW_BOX = re.compile(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')
_WIDTH = re.compile(r'<svg[^>]*?\swidth="([\d.]+)(?:px)?"')
_HEIGHT = re.compile(r'<svg[^>]*?\sheight="([\d.]+)(?:px)?"')


def svg_size(svg: str) -> tuple[float, float]:
    """The drawing's own width and height (its viewBox, else its width and height)."""
    box = _VIEW_BOX.search(svg)
    if box and float(box[1]) > 0 and float(box[2]) > 0:
        return float(box[1]), float(box[2])
    width, height = _WIDTH.search(svg), _HEIGHT.search(svg)
    if width and height and float(width[1]) > 0 and float(height[1]) > 0:
        return float(width[1]), float(height[1])
    return DEFAULT_CHART_SIZE


def svg_png(svg: str, *, width_px: int = 1200) -> bytes:
    """An SVG drawing as PNG: WeasyPrint lays it out on a page of its size, pypdfium2
    rasterises that page `width_px` wide."""
    width, height = svg_size(svg)
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width}px {height}px; margin: 0 }} html, body {{ margin: 0 }}"
        f" svg {{ display: block; width: {width}px; height: {height}px }}"
        "</style></head><body>"
        f"{svg}</body></html>"
    )
    images = pdf_pages_png(html_pdf(page), scale=width_px / (width * 0.75))
    return images[0]


def image_svg_png(data: bytes, *, width_px: int = 600) -> bytes:
    """An SVG file (the logo) as PNG, through the same route as charts."""
    text = data.decode("utf-8", errors="replace")
    text = re.sub(r"<\?xml[^>]*\?>", "", text)
    return svg_png(text, width_px=width_px)


def chart_png(chart: Chart, *, width_px: int = 1200) -> bytes:
    """The chart as on the page and in the PDF, as PNG for the DOCX."""
    return svg_png(str(charts.svg(chart, chart_id="chart")), width_px=width_px)


def pdf_pages_png(pdf: bytes, *, scale: float = 1.0) -> list[bytes]:
    """Each page of a PDF as PNG (scale 1 = 72 dpi), for tests and inspection."""
    document = pypdfium2.PdfDocument(pdf)
    images: list[bytes] = []
    try:
        for page in document:
            bitmap = page.render(scale=scale)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG")
            images.append(buffer.getvalue())
    finally:
        document.close()
    return images


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page of a PDF, as a reader's software extracts it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            text_page = page.get_textpage()
            pages.append(text_page.get_text_range())
        return pages
    finally:
        document.close()
