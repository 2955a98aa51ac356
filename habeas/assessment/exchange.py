"""An assessment as a JSON file or a workbook, to fill offline and load back (whole tool, ¶3).

Export writes the framework's code and version, the assessment's metadata, every
criterion's rating, reason and narrative, the evidence as links (never the files) and
the action plan. The workbook has three sheets, named in English because the import
reads them by name: "Criteria" (ref and text locked; rating with a drop-down of the
levels; reason; narrative), "Action plan" and "About" (instructions and the framework
version).

Import reads either format back into a plan: each row checked, every problem collected
with its place in the file ("Criteria sheet, row 14 (¶12), rating: …"), and the changes
it would make. A file made for another framework version is refused whole. Writing the
plan is `services_outputs.assessment_import_apply`'s job.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from habeas.accounts.models import User
from habeas.assessment.models import ActionItem, Assessment, Criterion, Rating
from habeas.places.spreadsheets import ImportRefused, _check_zip, cell_text

FORMAT = "habeas.assessment"
FORMAT_VERSION = 1
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CRITERIA_SHEET, ACTIONS_SHEET, ABOUT_SHEET = "Criteria", "Action plan", "About"
CRITERIA_COLUMNS = ("ref", "text", "rating", "reason", "narrative")
ACTION_COLUMNS = ("id", "ref", "action", "description", "owner", "deadline", "status")
LEVELS = tuple(Rating.Level.values)
STATUSES = tuple(ActionItem.Status.values)
GAP_LEVELS = {Rating.Level.NOT_IN_PLACE, Rating.Level.PARTIALLY}
MAX_ROWS = 5000


# Export ----------------------------------------------------------------------------


def _evidence(item: Any) -> dict[str, str]:
    return {
        "kind": item.kind,
        "title": item.title,
        "url": item.url,
        "record_type": item.record_type,
        "record_id": item.record_id,
        "file_name": item.original_name,
    }


def export_data(assessment: Assessment) -> dict[str, Any]:
    """The assessment as plain data; both file formats are written from it."""
    version = assessment.framework_version
    ratings = {r.criterion_id: r for r in assessment.ratings.all()}
    evidence: dict[int, list[dict[str, str]]] = {}
    for item in assessment.evidence.order_by("added_at", "pk"):
        evidence.setdefault(item.criterion_id, []).append(_evidence(item))
    criteria = version.criteria.order_by("position", "pk")
    items = assessment.action_items.select_related("criterion", "owner").order_by("deadline", "pk")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "framework": {"code": version.framework.code, "version": version.version},
        "assessment": {
            "id": assessment.pk,
            "title": assessment.title,
            "subject": assessment.subject.name,
            "made_by": assessment.made_by.name,
            "period_start": assessment.period_start.isoformat(),
            "period_end": assessment.period_end.isoformat(),
            "state": assessment.state,
            "revision": assessment.revision,
            "summary": assessment.summary,
        },
        "ratings": [_rating_data(c, ratings.get(c.pk), evidence.get(c.pk, [])) for c in criteria],
        "action_items": [_action_data(item) for item in items],
    }


def _rating_data(criterion: Criterion, rating: Rating | None, evidence: list) -> dict[str, Any]:
    return {
        "ref": criterion.ref,
        "text": criterion.text,
        "level": rating.level if rating else "",
        "reason": rating.reason if rating else "",
        "narrative": rating.narrative if rating else "",
        "evidence": evidence,
    }


def _action_data(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "ref": item.criterion.ref if item.criterion else "",
        "title": item.title,
        "description": item.description,
        "owner": item.owner.email,
        "deadline": item.deadline.isoformat(),
        "status": item.status,
        "completed_on": item.completed_on.isoformat() if item.completed_on else None,
    }


def export_json(assessment: Assessment) -> bytes:
    return json.dumps(export_data(assessment), ensure_ascii=False, indent=2).encode()


def _text(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _append(sheet: Any, values: list[Any], *, editable: tuple[int, ...] = ()) -> None:
    sheet.append([_text(value) for value in values])
    for index, cell in enumerate(sheet[sheet.max_row], start=1):
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text shown as text: "=…" never runs as a formula
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index in editable:
            cell.protection = Protection(locked=False)


def _header(sheet: Any, names: tuple[str, ...], widths: tuple[int, ...]) -> None:
    sheet.append(list(names))
    for cell, width in zip(sheet[1], widths, strict=True):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _criteria_sheet(workbook: Any, data: dict[str, Any]) -> None:
    sheet = workbook.active
    sheet.title = CRITERIA_SHEET
    _header(sheet, CRITERIA_COLUMNS, (8, 60, 16, 30, 60))
    for rating in data["ratings"]:
        row = [
            rating["ref"],
            rating["text"],
            rating["level"],
            rating["reason"],
            rating["narrative"],
        ]
        _append(sheet, row, editable=(3, 4, 5))
    levels = DataValidation(type="list", formula1=f'"{",".join(LEVELS)}"', allow_blank=True)
    levels.error = _("Choose one of: %(levels)s") % {"levels": ", ".join(LEVELS)}
    levels.showErrorMessage = True
    sheet.add_data_validation(levels)
    levels.add(f"C2:C{max(sheet.max_row, 2)}")
    sheet.protection.sheet = True  # ref and text are read-only; the other columns are not
    sheet.protection.formatColumns = False


def _actions_sheet(workbook: Any, data: dict[str, Any]) -> None:
    sheet = workbook.create_sheet(ACTIONS_SHEET)
    _header(sheet, ACTION_COLUMNS, (8, 8, 40, 50, 30, 14, 14))
    for item in data["action_items"]:
        deadline = dt.date.fromisoformat(item["deadline"])
        row = [item["id"], item["ref"], item["title"], item["description"], item["owner"]]
        _append(sheet, [*row, deadline, item["status"]])
        sheet.cell(row=sheet.max_row, column=6).number_format = "yyyy-mm-dd"
    statuses = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=True)
    sheet.add_data_validation(statuses)
    statuses.add(f"G2:G{MAX_ROWS}")


def _about_sheet(workbook: Any, data: dict[str, Any]) -> None:
    sheet = workbook.create_sheet(ABOUT_SHEET)
    facts = [
        ("format", FORMAT),
        ("format_version", FORMAT_VERSION),
        ("framework", data["framework"]["code"]),
        ("framework_version", data["framework"]["version"]),
        ("assessment", data["assessment"]["id"]),
        ("title", data["assessment"]["title"]),
        ("exported_at", data["exported_at"]),
    ]
    for name, value in facts:
        _append(sheet, [name, value])
    sheet.append([])
    for line in instructions():
        _append(sheet, [line])
    sheet.column_dimensions["A"].width = 100
    sheet.column_dimensions["B"].width = 40
    sheet.protection.sheet = True


def instructions() -> list[str]:
    return [
        _("How to fill this workbook"),
        _(
            "On the Criteria sheet, fill in the rating, reason and narrative columns. "
            "The ref and text columns are locked: do not add, remove or renumber criteria."
        ),
        _("Ratings: %(levels)s. Leave the cell empty for a criterion not rated yet.")
        % {"levels": ", ".join(LEVELS)},
        _("A criterion rated not_applicable needs a reason; other ratings ignore the reason."),
        _(
            "On the Action plan sheet, change an action's owner (an e-mail address), "
            "deadline (YYYY-MM-DD) or status (%(statuses)s), or add a row with no id for a "
            "new action on a criterion rated not_in_place or partially."
        )
        % {"statuses": ", ".join(STATUSES)},
        _(
            "Upload the workbook on the assessment's import page. Habeas shows what would "
            "change and lists every problem by sheet and row; nothing is saved until you "
            "apply it, and then everything is saved or nothing is."
        ),
        _("Keep the sheet names and the lines above: the import reads them."),
    ]


def export_xlsx(assessment: Assessment) -> bytes:
    data = export_data(assessment)
    workbook = openpyxl.Workbook()
    _criteria_sheet(workbook, data)
    _actions_sheet(workbook, data)
    _about_sheet(workbook, data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Reading a file --------------------------------------------------------------------


@dataclass
class Row:
    """One criterion or action from the file, with where it was found and its problems."""

    where: str
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    target: Any = None  # the Rating or ActionItem it changes; None for a new action
    values: dict[str, Any] = field(default_factory=dict)  # cells read into objects

    def error(self, column: str, message: str) -> None:
        self.errors.append(f"{self.where}, {column}: {message}")


@dataclass
class ImportFile:
    framework: str
    framework_version: str
    source_assessment: str
    criteria: list[Row]
    actions: list[Row]


def read_file(*, name: str, content: bytes) -> ImportFile:
    """A JSON or XLSX file as rows, deciding by the bytes and not only by the name."""
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _read_json(content)
    raise ImportRefused(
        _("Upload a workbook (.xlsx) or a JSON file (.json) exported from an assessment.")
    )


def _sheet_rows(workbook: Any, title: str) -> list[tuple[int, dict[str, str]]]:
    """A sheet's rows as {column: text} under its header row; empty rows left out."""
    if title not in workbook.sheetnames:
        return []
    rows = workbook[title].iter_rows(values_only=True, max_row=MAX_ROWS)
    header = [cell_text(value).lower() for value in next(rows, ())]
    result = []
    for number, values in enumerate(rows, start=2):
        values = list(values) + [None] * (len(header) - len(values))
        cells = {name: cell_text(value) for name, value in zip(header, values, strict=False)}
        cells.pop("", None)  # a column without a header
        if any(cells.values()):
            result.append((number, cells))
    return result


def _about(workbook: Any) -> dict[str, str]:
    if ABOUT_SHEET not in workbook.sheetnames:
        raise ImportRefused(
            _("The workbook has no “About” sheet, so its framework version is unknown.")
        )
    rows = workbook[ABOUT_SHEET].iter_rows(values_only=True, max_row=20, max_col=2)
    return {cell_text(row[0]): cell_text(row[1]) for row in rows if len(row) > 1 and row[0]}


def _read_xlsx(content: bytes) -> ImportFile:
    _check_zip(content)
    damaged = _("This .xlsx file is damaged or not really a spreadsheet.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged workbook fails in many ways; all mean "unreadable"
        raise ImportRefused(damaged) from None
    try:
        return _workbook_file(workbook)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - sheets are parsed lazily, so damage can show up here too
        raise ImportRefused(damaged) from None
    finally:
        workbook.close()


def _workbook_file(workbook: Any) -> ImportFile:
    about = _about(workbook)
    if CRITERIA_SHEET not in workbook.sheetnames:
        raise ImportRefused(_("The workbook has no “Criteria” sheet."))
    where = _("Criteria sheet, row %(row)s (¶%(ref)s)")
    criteria = [
        Row(where % {"row": n, "ref": cells.get("ref", "")}, cells)
        for n, cells in _sheet_rows(workbook, CRITERIA_SHEET)
    ]
    where = _("Action plan sheet, row %(row)s")
    return ImportFile(
        framework=about.get("framework", ""),
        framework_version=about.get("framework_version", ""),
        source_assessment=about.get("assessment", ""),
        criteria=criteria,
        actions=[Row(where % {"row": n}, c) for n, c in _sheet_rows(workbook, ACTIONS_SHEET)],
    )


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _read_json(content: bytes) -> ImportFile:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ImportRefused(_("This JSON file cannot be read.")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(_("This JSON file is not an assessment exported from Habeas."))
    framework = _mapping(data.get("framework"))
    ratings, items = data.get("ratings"), data.get("action_items", [])
    if not isinstance(ratings, list) or not isinstance(items, list):
        raise ImportRefused(_("This JSON file has no list of ratings."))
    names = {"level": "rating", "title": "action"}
    where = _("Ratings, item %(number)s (¶%(ref)s)")
    criteria = [
        Row(
            where % {"number": n, "ref": _json_text(r.get("ref")) if isinstance(r, dict) else ""},
            _json_cells(r, names),
        )
        for n, r in enumerate(ratings, start=1)
    ]
    where = _("Action items, item %(number)s")
    actions = [Row(where % {"number": n}, _json_cells(i, names)) for n, i in enumerate(items, 1)]
    return ImportFile(
        framework=_json_text(framework.get("code")),
        framework_version=_json_text(framework.get("version")),
        source_assessment=_json_text(_mapping(data.get("assessment")).get("id")),
        criteria=criteria,
        actions=actions,
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _json_cells(entry: Any, names: dict[str, str]) -> dict[str, str]:
    if not isinstance(entry, dict):
        return {"_invalid": "1"}
    return {names.get(str(key), str(key)): _json_text(value) for key, value in entry.items()}


# Planning --------------------------------------------------------------------------


@dataclass
class ImportPlan:
    criteria: list[Row]
    actions: list[Row]
    warnings: list[str]

    @property
    def rows(self) -> list[Row]:
        return self.criteria + self.actions

    @property
    def errors(self) -> list[str]:
        return [error for row in self.rows for error in row.errors]

    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "ratings_changed": sum(1 for r in self.criteria if r.changes and not r.errors),
            "actions_new": sum(1 for r in self.actions if r.target is None and not r.errors),
            "actions_changed": sum(1 for r in self.actions if r.target and r.changes),
            "errors": sum(1 for r in self.rows if r.errors),
        }

    def report(self, assessment: Assessment) -> dict[str, Any]:
        shown = [r for r in self.rows if r.errors or r.changes or r.warnings]
        return {
            "assessment": assessment.pk,
            "summary": self.summary(),
            "warnings": self.warnings,
            "rows": [
                {"where": r.where, "errors": r.errors, "changes": r.changes, "notes": r.warnings}
                for r in shown
            ],
        }


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _level(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _level_code(text: str) -> str:
    """A level's code from its code or its label ("Fully in place"), in any case."""
    code = _level(text)
    labels = {_level(str(label)): value for value, label in Rating.Level.choices}
    return labels.get(code, code)


def _plan_rating(row: Row, criteria: dict[str, Criterion], ratings: dict[int, Rating]) -> None:
    """Check a criterion's row; a column the file leaves out keeps the current value."""
    ref = row.cells.get("ref", "")
    criterion = criteria.get(ref)
    if "_invalid" in row.cells or not ref:
        row.error("ref", _("is required."))
        return
    if criterion is None:
        row.error("ref", _("“%(ref)s” is not a criterion of this framework.") % {"ref": ref})
        return
    rating = ratings.get(criterion.pk) or Rating(criterion=criterion, version=0)
    current = {"rating": rating.level, "reason": rating.reason, "narrative": rating.narrative}
    given = {name: row.cells.get(name, value) for name, value in current.items()}
    level = _level_code(given["rating"])
    if level and level not in LEVELS:
        message = _("“%(value)s” is not one of: %(levels)s")
        row.error("rating", message % {"value": given["rating"], "levels": ", ".join(LEVELS)})
    reason = given["reason"].strip() if level == Rating.Level.NOT_APPLICABLE else ""
    if level == Rating.Level.NOT_APPLICABLE and not reason:
        row.error("reason", _("is required when the rating is not_applicable."))
    narrative = given["narrative"].replace("\r\n", "\n").strip()
    row.target = rating
    row.cells.update(rating=level, reason=reason, narrative=narrative)
    row.changes = [name for name, value in current.items() if not _same(value, row.cells[name])]


def plan_import(parsed: ImportFile, *, assessment: Assessment) -> ImportPlan:
    """Check every row against the assessment; refuse a file for another framework version."""
    version = assessment.framework_version
    if (parsed.framework, parsed.framework_version) != (version.framework.code, version.version):
        raise ImportRefused(
            _(
                "This file was made for framework “%(file_code)s” version “%(file_version)s”, "
                "but the assessment uses “%(code)s” version “%(version)s”. Nothing was imported."
            )
            % {
                "file_code": parsed.framework or "?",
                "file_version": parsed.framework_version or "?",
                "code": version.framework.code,
                "version": version.version,
            }
        )
    if not parsed.criteria and not parsed.actions:
        raise ImportRefused(_("The file has no criteria and no actions."))
    criteria = {c.ref: c for c in version.criteria.all()}
    ratings = {r.criterion_id: r for r in assessment.ratings.select_related("criterion")}
    seen: dict[str, str] = {}
    for row in parsed.criteria:
        ref = row.cells.get("ref", "")
        if ref in seen:
            row.error(
                "ref", _("¶%(ref)s is already in %(where)s.") % {"ref": ref, "where": seen[ref]}
            )
            continue
        seen[ref] = row.where
        _plan_rating(row, criteria, ratings)
    levels = {r.criterion_id: r.level for r in ratings.values()}
    levels.update({r.target.criterion_id: r.cells["rating"] for r in parsed.criteria if r.target})
    _plan_actions(parsed.actions, assessment=assessment, criteria=criteria, levels=levels)
    warnings = []
    if parsed.source_assessment and parsed.source_assessment != str(assessment.pk):
        warnings.append(_("This file was exported from another assessment of the same framework."))
    return ImportPlan(criteria=parsed.criteria, actions=parsed.actions, warnings=warnings)


# The action plan -------------------------------------------------------------------


def _owner(row: Row, assessment: Assessment, owners: dict[str, Any]) -> Any:
    """The user an e-mail address names, if they may see the assessment; None if empty."""
    email = row.cells.get("owner", "").strip().lower()
    if not email:
        return None
    if email not in owners:
        user = User.objects.filter(email__iexact=email).first()
        visible = Assessment.objects.restrict(user, "view").filter(pk=assessment.pk).exists()
        owners[email] = user if visible else None
    if owners[email] is None:
        row.error("owner", _("give the e-mail address of someone who can see this assessment."))
    return owners[email]


def _deadline(row: Row) -> dt.date | None:
    text = row.cells.get("deadline", "")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        row.error("deadline", _("give a date as YYYY-MM-DD."))
        return None


def _plan_actions(
    rows: list[Row], *, assessment: Assessment, criteria: dict[str, Criterion], levels: dict
) -> None:
    """Check the action plan's rows; on an existing action an empty cell keeps its value."""
    items = {str(item.pk): item for item in assessment.action_items.select_related("owner")}
    owners: dict[str, Any] = {}
    for row in rows:
        if "_invalid" in row.cells:
            row.error("id", _("is not an action."))
            continue
        status = _level(row.cells.get("status", ""))
        if status and status not in STATUSES:
            message = _("“%(value)s” is not one of: %(levels)s")
            values = {"value": row.cells["status"], "levels": ", ".join(STATUSES)}
            row.error("status", message % values)
        row.cells["status"] = status
        row.values.update(owner=_owner(row, assessment, owners), deadline=_deadline(row))
        if row.cells.get("id"):
            _plan_existing(row, items)
        else:
            _plan_new(row, criteria, levels)


def _plan_existing(row: Row, items: dict[str, ActionItem]) -> None:
    item = items.get(row.cells["id"])
    if item is None:
        row.error("id", _("no action %(id)s in this assessment.") % {"id": row.cells["id"]})
        return
    row.target = item
    row.cells["status"] = row.cells["status"] or item.status
    current = {"status": item.status, "owner": item.owner, "deadline": item.deadline}
    new = {"status": row.cells["status"], **row.values}
    row.changes = [name for name, value in current.items() if new[name] not in (None, value)]
    if not _same(item.title, row.cells.get("action", item.title)) or not _same(
        item.description, row.cells.get("description", item.description)
    ):
        row.warnings.append(
            _("%(where)s: an import does not change an existing action's text; edit it in Habeas.")
            % {"where": row.where}
        )


def _plan_new(row: Row, criteria: dict[str, Criterion], levels: dict) -> None:
    criterion = criteria.get(row.cells.get("ref", ""))
    if criterion is None:
        row.error("ref", _("give the criterion of the gap this action closes."))
    elif levels.get(criterion.pk) not in GAP_LEVELS:
        row.error(
            "ref", _("¶%(ref)s is not rated not_in_place or partially.") % {"ref": criterion.ref}
        )
    for column, value in (
        ("action", row.cells.get("action", "").strip()),
        ("owner", row.values["owner"] or row.cells.get("owner")),
        ("deadline", row.values["deadline"] or row.cells.get("deadline")),
    ):
        if not value:
            row.error(column, _("is required for a new action."))
    row.cells["status"] = row.cells["status"] or ActionItem.Status.OPEN
    row.values["criterion"] = criterion
    row.changes = [_("new action")]
