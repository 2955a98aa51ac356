"""Reading and writing the spreadsheets people exchange with the NPM (¶9; OPCAT art. 20(a)).

Files come from outside, so nothing here trusts them: the size is capped before
reading, an XLSX file's zip directory is checked before openpyxl opens it (zip bombs),
text must be UTF-8, and every failure becomes a plain message for the person who
uploaded the file. Cells are handed back as stripped text with their row number as the
person sees it in their spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls format
TEXT_SUFFIXES = (".csv", ".txt")
# Characters that make a spreadsheet program read a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_RATIO = 100


class ImportRefused(Exception):
    """The file as a whole cannot be used. Nothing was stored or changed."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class Table:
    """The header (lower-case names, spaces as underscores) and the rows below it."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def max_bytes() -> int:
    return int(settings.HABEAS_IMPORT_MAX_BYTES)


def max_unzipped_bytes() -> int:
    return int(getattr(settings, "HABEAS_IMPORT_MAX_UNZIPPED_BYTES", 20 * max_bytes()))


def max_rows() -> int:
    return int(getattr(settings, "HABEAS_IMPORT_MAX_ROWS", 100_000))


def read_upload(upload: Any) -> bytes:
    """The uploaded bytes, refusing an empty file or one over the size limit unread."""
    limit = max_bytes()
    if upload is None:
        raise ImportRefused(_("Choose a file to upload."))
    if (upload.size or 0) > limit:
        raise ImportRefused(_too_big(limit))
    content = b"".join(upload.chunks())
    if len(content) > limit:
        raise ImportRefused(_too_big(limit))
    if not content.strip():
        raise ImportRefused(_("The file is empty."))
    return content


def _too_big(limit: int) -> str:
    return _("The file is larger than %(size)s MB. Split it into smaller files.") % {
        "size": round(limit / 1024 / 1024, 1)
    }


def read_table(*, name: str, content: bytes) -> Table:
    """Parse CSV or XLSX, deciding by the bytes themselves and not only by the name."""
    lowered = (name or "").lower()
    if content.startswith(OLE_MAGIC) or lowered.endswith(".xls"):
        raise ImportRefused(_("This is the old Excel format (.xls). Save it as .xlsx or CSV."))
    if content.startswith(ZIP_MAGIC):
        rows = _read_xlsx(content)
    elif lowered.endswith(".xlsx"):
        raise ImportRefused(_("This .xlsx file is damaged or not really a spreadsheet."))
    elif lowered.endswith(TEXT_SUFFIXES):
        rows = _read_csv(content)
    else:
        raise ImportRefused(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))
    return _table(rows)


def _table(rows: list[tuple[int, list[str]]]) -> Table:
    filled = [(number, cells) for number, cells in rows if any(cells)]
    if not filled:
        raise ImportRefused(_("The file is empty."))
    if len(filled) - 1 > max_rows():
        raise ImportRefused(
            _("The file has more than %(rows)s rows. Split it.") % {"rows": max_rows()}
        )
    header_number, header = filled[0]
    names = [cell.strip().lower().replace(" ", "_") for cell in header]
    return Table(header=names, rows=[(n, cells) for n, cells in rows if n > header_number])


def restore(text: str) -> str:
    """Undo the apostrophe that `neutralise` puts before a formula-like cell."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]
    return text.strip()


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return restore(str(value))


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    if b"\x00" in content:
        raise ImportRefused(_("This file is not text. Upload a CSV or an .xlsx file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            _(
                "The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” "
                "and upload it again."
            )
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return [
            (number, [restore(cell) for cell in cells])
            for number, cells in enumerate(reader, start=1)
        ]
    except csv.Error as exc:
        raise ImportRefused(
            _("The CSV file cannot be read: %(reason)s") % {"reason": exc}
        ) from None


def _delimiter(text: str) -> str:
    """Comma or semicolon (what spreadsheets write where the comma is a decimal mark)."""
    first_line = text.split("\n", 1)[0]
    try:
        found = csv.Sniffer().sniff(text[:65536], delimiters=",;").delimiter
    except csv.Error:
        found = ","
    other = ";" if found == "," else ","
    if first_line.count(found) < first_line.count(other):
        return other  # the header row settles what a data row with stray commas confused
    return found


def _check_zip(content: bytes) -> None:
    """Refuse a zip bomb from its directory, before anything is decompressed."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused(_("This .xlsx file is damaged or not really a spreadsheet.")) from None
    total = sum(member.file_size for member in members)
    if (
        len(members) > MAX_ZIP_MEMBERS
        or total > max_unzipped_bytes()
        or total > MAX_ZIP_RATIO * len(content)
    ):
        raise ImportRefused(_("This .xlsx file unpacks to far more than its size; it was refused."))


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    _check_zip(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged workbook can fail in many ways; all mean "unreadable"
        raise ImportRefused(_("This .xlsx file is damaged or not really a spreadsheet.")) from None
    try:
        if not workbook.worksheets:
            raise ImportRefused(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, [cell_text(value) for value in values]))
            if number > max_rows() + 1000:
                raise ImportRefused(
                    _("The file has more than %(rows)s rows. Split it.") % {"rows": max_rows()}
                )
        return rows
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - see above
        raise ImportRefused(_("This .xlsx file is damaged or not really a spreadsheet.")) from None
    finally:
        workbook.close()


def neutralise(text: str) -> str:
    """Put an apostrophe before a text cell that a spreadsheet would run as a formula.

    A plain number such as -33.5 is left alone: it is not text and runs nothing.
    """
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lstrip("+-").replace(".", "", 1).isdigit()


# Writing CSV and XLSX exports (places, the register of allegations…) --------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(str(value))


class _Line:
    """A file-like object whose write returns what was written, for streaming CSV."""

    def write(self, text: str) -> str:
        return text


def csv_lines_of(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A CSV file line by line, starting with a byte-order mark so Excel reads UTF-8; text
    that a spreadsheet would run as a formula is neutralised."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([neutralise(str(name)) for name in header])
    for row in rows:
        yield writer.writerow([_csv_text(value) for value in row])


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        # Written as a string cell, so "=…" is shown as text and never run as a formula.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value


def xlsx_bytes_of(sheet_name: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append([_xlsx_cell(sheet, str(name)) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
