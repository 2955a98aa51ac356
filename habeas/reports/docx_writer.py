"""A report as DOCX, through python-docx, with the PDF's structure (¶21, 22).

The title page (logo, NPM, kind, title, marking, reference, date, version), then the
contents twice: a Word table-of-contents field that Word fills with page numbers when
the file is opened (`updateFields`), and a plain list of the sections for readers whose
software does not update fields. Every page carries the marking in its header and
"Page N of M" (PAGE and NUMPAGES fields) in its footer. Narrative Markdown becomes
paragraphs, headings, lists, quotes and bold or italic runs from `markdown.tokens`;
charts become PNG pictures drawn from the same SVG as the page and the PDF
(`render.chart_png`). Arabic paragraphs are marked right-to-left as Word expects.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import docx
from django.utils.translation import gettext as _
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from markdown_it.token import Token

from habeas.core.documents import docx_set_directions
from habeas.reports import charts, markdown, render
from habeas.reports.content_types import Chart, Content, Facts, Section, Table, Text

MONOSPACE = "DejaVu Sans Mono"
CHART_WIDTH = Cm(16)
LOGO_WIDTH = Cm(3)
# What follows <w:updateFields/> in the settings part (ECMA-376 part 1, 17.15.1.78).
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
    "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
    "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
    "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip


def report_docx(content: Content) -> bytes:
    document = docx.Document()
    document.core_properties.title = content.title[:255]
    document.core_properties.subject = render.kind_label(content)
    _page_furniture(document, content)
    _title_page(document, content)
    _contents(document, content)
    for position, section in enumerate(content.sections, start=1):
        _section(document, content, section, position)
    _update_fields_on_open(document)
    docx_set_directions(document, content.direction)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Fields ------------------------------------------------------------------------------


def _field(paragraph: Any, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) with `shown` as its text until Word updates it."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("text", shown), ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {text} "
            run._r.append(code)
        elif kind == "text":
            run.text = text or ""
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _update_fields_on_open(document: Any) -> None:
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.insert_element_before(update, *_AFTER_UPDATE_FIELDS)


# Pages -------------------------------------------------------------------------------


def _page_furniture(document: Any, content: Content) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.add_run(content.npm_name + " · ")
    marking = header.add_run(render.marking(content))
    marking.bold = True
    if content.state != "signed":
        header.add_run(" · " + _("Draft"))
    footer = section.footer.paragraphs[0]
    footer.add_run(content.reference + " · ")
    before, between, after = render.page_words()
    footer.add_run(before)
    _field(footer, "PAGE", "1")
    footer.add_run(between)
    _field(footer, "NUMPAGES", "1")
    footer.add_run(after)


def _title_page(document: Any, content: Content) -> None:
    picture, mime = render.logo()
    if mime == "image/svg+xml":
        picture = render.image_svg_png(picture)
    document.add_picture(io.BytesIO(picture), width=LOGO_WIDTH)
    name = document.add_paragraph()
    name.add_run(content.npm_name).bold = True
    document.add_paragraph(render.kind_label(content))
    document.add_heading(content.title, level=0)
    if content.subtitle:
        document.add_paragraph(content.subtitle, style="Subtitle")
    marking = document.add_paragraph()
    marking.add_run(render.marking(content).upper()).bold = True
    facts = [
        (_("Reference"), content.reference),
        (_("Date"), render.dated(content)),
        (_("Version"), f"{content.version} ({render.state_label(content)})"),
    ]
    if content.signed_by:
        facts.append((_("Signed by"), content.signed_by))
    _grid(document, [], [[label, value] for label, value in facts])
    _page_break(document)


def _contents(document: Any, content: Content) -> None:
    document.add_heading(_("Contents"), level=1)
    _field(
        document.add_paragraph(),
        r'TOC \o "1-2" \h \z \u',
        _("The table of contents is filled in when the document is opened."),
    )
    for position, section in enumerate(content.sections, start=1):
        document.add_paragraph(f"{position}. {section.title}", style="List")
    _page_break(document)


def _page_break(document: Any) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# Sections ----------------------------------------------------------------------------


def _section(document: Any, content: Content, section: Section, position: int) -> None:
    if position > 1:
        _page_break(document)
    document.add_heading(f"{position}. {section.title}", level=1)
    if section.narrative.strip():
        write_markdown(document, section.narrative)
    for block in section.blocks:
        if isinstance(block, Facts):
            rows = [[fact.label, render.cell_text(fact.cell, content)] for fact in block.items]
            _grid(document, [], rows)
        elif isinstance(block, Table):
            _table(document, content, block)
        elif isinstance(block, Chart):
            _chart(document, block)
        elif isinstance(block, Text):
            write_markdown(document, block.markdown)
    if not section.narrative.strip() and not section.blocks:
        document.add_paragraph(_("Nothing to report in this section.")).runs[0].italic = True


def _table(document: Any, content: Content, block: Table) -> None:
    if block.caption:
        document.add_paragraph().add_run(block.caption).bold = True
    rows = [[render.cell_text(cell, content) for cell in row] for row in block.rows]
    if not rows:
        rows = [[_("None.")] + [""] * (len(block.header) - 1)] if block.header else []
    _grid(document, block.header, rows)


def _grid(document: Any, header: list[str], rows: list[list[str]]) -> None:
    width = max([len(header)] + [len(row) for row in rows] + [1])
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=False):
            cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=False):
            cell.paragraphs[0].add_run(text)
    document.add_paragraph()


def _chart(document: Any, chart: Chart) -> None:
    document.add_paragraph().add_run(chart.title).bold = True
    if not str(charts.svg(chart)).strip():
        document.add_paragraph(_("No data.")).runs[0].italic = True
        return
    document.add_picture(io.BytesIO(render.chart_png(chart)), width=CHART_WIDTH)


# Markdown ----------------------------------------------------------------------------


class _Writer:
    """Walks markdown-it tokens and writes paragraphs into a python-docx container."""

    def __init__(self, container: Any) -> None:
        self.container = container
        self.lists: list[str] = []
        self.quotes = 0
        self.heading = ""
        self.table: list[list[Token]] | None = None
        self.header_rows = 0
        self.num_id: int | None = None  # the numbering of the ordered list being written

    def style(self) -> str | None:
        if self.heading:
            return "Heading 2" if self.heading == "h3" else "Heading 3"
        if self.lists:
            kind = "List Bullet" if self.lists[-1] == "bullet" else "List Number"
            depth = min(len(self.lists), 3)
            return kind if depth == 1 else f"{kind} {depth}"
        if self.quotes:
            return "Quote"
        return None

    def number(self, paragraph: Any) -> None:
        """Give a top-level numbered list its own numbering, restarting at 1: Word's
        "List Number" style alone carries on from the previous list."""
        if self.lists != ["ordered"] or self.heading:
            return
        if self.num_id is None:
            style_num = paragraph.style.element.pPr.numPr.numId.val
            numbering = paragraph.part.numbering_part.element
            abstract = numbering.num_having_numId(style_num).abstractNumId.val
            num = numbering.add_num(abstract)
            num.add_lvlOverride(ilvl=0).add_startOverride(1)
            self.num_id = int(num.numId)
        numbering_properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        numbering_properties.get_or_add_ilvl().val = 0
        numbering_properties.get_or_add_numId().val = self.num_id

    def feed(self, tokens: Iterable[Token]) -> None:
        for token in tokens:
            self.token(token)

    def token(self, token: Token) -> None:  # noqa: C901 - one branch per token kind
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append("bullet" if kind == "bullet_list_open" else "ordered")
            if kind == "ordered_list_open" and len(self.lists) == 1:
                self.num_id = None  # a new list starts again at 1 (set on its first item)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "blockquote_open":
            self.quotes += 1
        elif kind == "blockquote_close":
            self.quotes -= 1
        elif kind == "heading_open":
            self.heading = token.tag
        elif kind == "heading_close":
            self.heading = ""
        elif kind == "table_open":
            self.table, self.header_rows = [], 0
        elif kind == "tr_open" and self.table is not None:
            self.table.append([])
        elif kind == "thead_close" and self.table is not None:
            self.header_rows = len(self.table)
        elif kind == "table_close":
            self.write_table()
        elif kind == "inline":
            if self.table is not None and self.table:
                self.table[-1].append(token)
            else:
                paragraph = self.container.add_paragraph(style=self.style())
                self.number(paragraph)
                inline(paragraph, token)
        elif kind in ("fence", "code_block"):
            paragraph = self.container.add_paragraph(style=self.style())
            run = paragraph.add_run(token.content.rstrip("\n"))
            run.font.name = MONOSPACE
            run.font.size = Pt(9)
        elif kind == "hr":
            self.container.add_paragraph("* * *")

    def write_table(self) -> None:
        rows, self.table = self.table or [], None
        if not rows:
            return
        width = max(len(row) for row in rows)
        table = self.container.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for index, row in enumerate(rows):
            for cell, token in zip(table.add_row().cells, row, strict=False):
                inline(cell.paragraphs[0], token, bold=index < self.header_rows)


def inline(paragraph: Any, token: Token, *, bold: bool = False) -> None:
    """The runs of one inline token: text, bold, italic, code, line breaks. Links keep
    their text; images are left out, as on the page (nothing is ever fetched)."""
    strong, emphasis = int(bold), 0
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            emphasis += 1
        elif kind == "em_close":
            emphasis -= 1
        elif kind in ("text", "code_inline"):
            run = paragraph.add_run(child.content)
            run.bold = strong > 0 or None
            run.italic = emphasis > 0 or None
            if kind == "code_inline":
                run.font.name = MONOSPACE
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break()


def write_markdown(container: Any, text: str) -> None:
    """Markdown (a narrative or a generated text) as paragraphs of `container`."""
    _Writer(container).feed(markdown.tokens(text))
