"""Export of the tracker's recommendations, as CSV or XLSX, for a ministry (¶5, 22, 34).

One recommendation per row, with the tracker's filters: its words, where it comes from,
to whom it went, what they answered (with the latest quoted passage), what was verified,
whether it is overdue and which recommendations it is tracked with. Column names and
values are in the reader's language. Every export is audited with its format, row count
and filters, never its content (SECURITY.md 18); the views ask for sudo first.

Both formats stream. CSV is written by `spreadsheets.csv_lines_of` (formula-like text
neutralised). XLSX is written here, row by row, as a minimal SpreadsheetML package:
openpyxl's write-only mode costs about 20 µs a cell on the reference machine, so 200,000
recommendations (3.8 million cells) took over a minute, against a 30-second target.
Text goes in inline-string cells, which a spreadsheet shows as text and never runs as a
formula; characters XML cannot hold are dropped, as openpyxl drops them.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.core import audit
from habeas.places.spreadsheets import csv_lines_of
from habeas.recommendations.models import (
    SETTLED,
    Implementation,
    Level,
    Origin,
    Priority,
    Recommendation,
    Response,
    ResponseStatus,
)
from habeas.recommendations.selectors import tracker_records
from habeas.visits.models import Theme

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
CSV_LINES_PER_CHUNK = 500

# (value read from the database, heading, XLSX column width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("reference", "Reference", 16),
    ("text", "Recommendation", 80),
    ("origin", "Origin", 16),
    ("source_ref", "Source reference", 20),
    ("place__name", "Place", 30),
    ("place__region__name", "Region", 20),
    ("addressee__name", "Addressee", 30),
    ("level", "Level", 12),
    ("theme", "Theme", 20),
    ("priority", "Priority", 10),
    ("deadline", "Deadline", 12),
    ("sent_on", "Sent on", 12),
    ("response", "Response", 18),
    ("responded_on", "Response date", 12),
    ("passage", "Response passage (latest)", 60),
    ("implementation", "Implementation", 18),
    ("implementation_on", "Verified on", 12),
    ("overdue", "Overdue", 10),
    ("linked", "Linked recommendations", 30),
)


def column_names() -> list[str]:
    """The headings, in the reader's language."""
    headings = {
        "Reference": _("Reference"),
        "Recommendation": _("Recommendation"),
        "Origin": _("Origin"),
        "Source reference": _("Source reference"),
        "Place": _("Place"),
        "Region": _("Region"),
        "Addressee": _("Addressee"),
        "Level": _("Level"),
        "Theme": _("Theme"),
        "Priority": _("Priority"),
        "Deadline": _("Deadline"),
        "Sent on": _("Sent on"),
        "Response": _("Response"),
        "Response date": _("Response date"),
        "Response passage (latest)": _("Response passage (latest)"),
        "Implementation": _("Implementation"),
        "Verified on": _("Verified on"),
        "Overdue": _("Overdue"),
        "Linked recommendations": _("Linked recommendations"),
    }
    return [headings[heading] for _name, heading, _width in COLUMNS]


@dataclass(frozen=True)
class RecommendationExport:
    """What one export writes: its records, their number, and its words in the reader's
    language (taken when it was asked for, as the file is written after the view returns)."""

    user: Any
    records: QuerySet[Recommendation]
    count: int
    file_format: str
    today: dt.date
    header: list[str] = field(default_factory=list)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    yes_no: tuple[str, str] = ("yes", "no")

    @property
    def filename(self) -> str:
        return f"recommendations-{self.today:%Y-%m-%d}.{self.file_format}"


def _labels() -> dict[str, dict[str, str]]:
    choices: dict[str, Any] = {
        "origin": Origin.choices,
        "level": Level.choices,
        "theme": Theme.choices,
        "priority": Priority.choices,
        "response": ResponseStatus.choices,
        "implementation": Implementation.choices,
    }
    return {name: {key: str(label) for key, label in pairs} for name, pairs in choices.items()}


def _audited_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters for the audit trail: the words searched for are content, so only the
    fact of a search is kept."""
    return {name: (True if name == "q" else value) for name, value in sorted(filters.items())}


@transaction.atomic
def recommendations_export(
    *, actor: Any, filters: Mapping[str, Any], file_format: str
) -> RecommendationExport:
    """Decide what an export holds and audit it once, with its size and never its content."""
    if not roles.can(actor, "recommendations.export"):
        raise PermissionDenied(_("You may not do this."))
    if file_format not in FORMATS:
        raise ValueError(file_format)
    today = timezone.localdate()
    records = tracker_records(user=actor, filters=filters, today=today)
    count = records.count()
    audit.record(
        actor=actor,
        action="recommendations.export",
        detail={"format": file_format, "rows": count, "filters": _audited_filters(filters)},
    )
    return RecommendationExport(
        user=actor,
        records=records,
        count=count,
        file_format=file_format,
        today=today,
        header=column_names(),
        labels=_labels(),
        yes_no=(_("Yes"), _("No")),
    )


# -- rows -------------------------------------------------------------------------------------


def _latest_passage() -> Subquery:
    latest = Response.objects.filter(recommendation=OuterRef("pk")).order_by("-responded_on", "-id")
    return Subquery(latest.values("passage")[:1])


def _linked(user: Any, ids: list[int]) -> dict[int, list[str]]:
    """The references each of `ids` is tracked with, among those `user` may see."""
    through = Recommendation.linked.through.objects.filter(from_recommendation_id__in=ids)
    pairs = list(through.values_list("from_recommendation_id", "to_recommendation_id"))
    visible = dict(
        Recommendation.objects.restrict(user, "view")
        .filter(pk__in={other for _one, other in pairs})
        .values_list("pk", "reference")
    )
    linked: dict[int, list[str]] = {}
    for one, other in pairs:
        if other in visible:
            linked.setdefault(one, []).append(visible[other])
    return linked


VALUES = ("pk", *(name for name, _heading, _width in COLUMNS[:-2]), "state")
_CODED_FIELDS = ("origin", "level", "theme", "priority", "response", "implementation")


def rows(export: RecommendationExport) -> Iterator[list[Any]]:
    """One list of typed values per recommendation, in `COLUMNS` order, by reference."""
    records = (
        export.records.annotate(passage=_latest_passage())
        .order_by("reference")
        .values_list(*VALUES)
        .iterator(chunk_size=CHUNK)
    )
    batch: list[tuple[Any, ...]] = []
    for record in records:
        batch.append(record)
        if len(batch) == CHUNK:
            yield from _batch_rows(export, batch)
            batch = []
    yield from _batch_rows(export, batch)


CODED = {index: name for index, name in enumerate(VALUES) if name in _CODED_FIELDS}
DEADLINE_AT, IMPLEMENTATION_AT = VALUES.index("deadline"), VALUES.index("implementation")


def _batch_rows(export: RecommendationExport, batch: list[tuple[Any, ...]]) -> Iterator[list[Any]]:
    """Rows of one batch, with the linked recommendations of the whole batch in one go."""
    if not batch:
        return
    linked = _linked(export.user, [record[0] for record in batch])
    yes, no = export.yes_no
    for record in batch:
        values = list(record)
        deadline, state = values[DEADLINE_AT], values[-1]
        overdue = (
            state == Recommendation.State.SENT
            and deadline is not None
            and deadline < export.today
            and values[IMPLEMENTATION_AT] not in SETTLED
        )
        for index, name in CODED.items():
            values[index] = export.labels[name].get(values[index], values[index])
        references = "; ".join(sorted(linked.get(values[0], [])))
        yield [*values[1:-1], yes if overdue else no, references]


# -- CSV -------------------------------------------------------------------------------------


def csv_lines(export: RecommendationExport) -> Iterator[str]:
    """The CSV file in pieces of a few hundred lines (fewer, larger writes to the client)."""
    pending: list[str] = []
    for line in csv_lines_of(export.header, rows(export)):
        pending.append(line)
        if len(pending) == CSV_LINES_PER_CHUNK:
            yield "".join(pending)
            pending = []
    if pending:
        yield "".join(pending)


# -- XLSX ------------------------------------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_CELL_CHARS = 32767  # what a spreadsheet cell can hold
STYLE_DATE, STYLE_HEADING = 1, 2

STATIC_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{MAIN_NS}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# Characters XML 1.0 cannot hold (controls but tab, line feed, carriage return): dropped.
_UNWRITABLE = dict.fromkeys([*range(9), 11, 12, *range(14, 32)])


def _escape(text: str) -> str:
    text = text[:MAX_CELL_CHARS].translate(_UNWRITABLE)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, value: Any, style: int = 0) -> str:
    """One cell: text as an inline string, a date, or a number; nothing when empty."""
    styled = f' s="{style}"' if style else ""
    if type(value) is str:  # the common case first: most cells are text
        if not value:
            return ""
        text = _escape(value)
        return f'<c r="{ref}" t="inlineStr"{styled}><is><t xml:space="preserve">{text}</t></is></c>'
    if value is None:
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return f'<c r="{ref}"{styled}><v>{value}</v></c>'
    return _cell(ref, str(value), style)


def _sheet_rows(header: list[str], body: Iterable[list[Any]]) -> Iterator[str]:
    letters = [_column_letter(index) for index in range(len(header))]
    cells = "".join(_cell(f"{letters[i]}1", name, STYLE_HEADING) for i, name in enumerate(header))
    yield f'<row r="1">{cells}</row>'
    for number, values in enumerate(body, start=2):
        cells = "".join(
            _cell(f"{letter}{number}", value)
            for letter, value in zip(letters, values, strict=False)
        )
        yield f'<row r="{number}">{cells}</row>'


def _sheet_head(widths: list[int]) -> str:
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in enumerate(widths, start=1)
    )
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        f"<cols>{cols}</cols><sheetData>"
    )


class _Pipe(io.RawIOBase):
    """A write-only, unseekable file: the zip is sent as it is written."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.pieces.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.pieces)
        self.pieces.clear()
        return data


def xlsx_stream(
    sheet_name: str, header: list[str], body: Iterable[list[Any]], widths: list[int] | None = None
) -> Iterator[bytes]:
    """An XLSX workbook of one sheet, in pieces as it is compressed."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, xml in STATIC_PARTS.items():
            package.writestr(name, XML_HEAD + xml)
        title = _escape(sheet_name[:31]).replace('"', "&quot;") or "Sheet1"
        package.writestr(
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            f'<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_sheet_head(widths or [12] * len(header)).encode())
            pending: list[str] = []
            for row in _sheet_rows(header, body):
                pending.append(row)
                if len(pending) == CHUNK:
                    sheet.write("".join(pending).encode("utf-8", "replace"))
                    pending = []
                    yield pipe.take()
            pending.append("</sheetData></worksheet>")
            sheet.write("".join(pending).encode("utf-8", "replace"))
        yield pipe.take()
    yield pipe.take()


def xlsx_chunks(export: RecommendationExport) -> Iterator[bytes]:
    widths = [width for _name, _heading, width in COLUMNS]
    return xlsx_stream(_("Recommendations"), export.header, rows(export), widths)


def xlsx_bytes(export: RecommendationExport) -> bytes:
    return b"".join(xlsx_chunks(export))
