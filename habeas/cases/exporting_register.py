"""Exports of the allegations register (¶27), as CSV or XLSX.

Two exports: the aggregated statistics for the annual report (counts of proceedings by
agency, category of place, region or year; nothing that names a person, and no entry),
and the entries themselves for those who may read the register. Neither carries the
link to a case file. Every export is audited once with its format and size, never its
content (SECURITY.md 18), and the views ask for sudo first. Cells a spreadsheet would
run as formulas are neutralised.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.cases import selectors_register as selectors
from habeas.cases.models import RegisterEntry
from habeas.core import audit
from habeas.places.spreadsheets import csv_lines_of, xlsx_bytes_of

FORMATS = ("csv", "xlsx")
CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RegisterExport:
    """What one export will write: a header, its rows, and the file's name."""

    header: list[str]
    rows: Any  # an iterable of lists of typed values, read once
    count: int
    sheet: str
    stem: str
    file_format: str

    @property
    def filename(self) -> str:
        return f"{self.stem}-{timezone.localdate():%Y-%m-%d}.{self.file_format}"


# Statistics --------------------------------------------------------------------------


def statistics_header(group: str) -> list[str]:
    return [
        str(selectors.GROUPS[group]),
        _("Complaints"),
        _("Investigations opened"),
        _("Prosecutions"),
        _("Convictions"),
        _("Prosecuted as torture"),
        _("Prosecuted as a lesser offence"),
        _("Share prosecuted as torture (%)"),
        _("Share prosecuted as a lesser offence (%)"),
        _("Decisions"),
        _("Median days from complaint to decision"),
    ]


def statistics_row(row: selectors.StatRow) -> list[Any]:
    return [
        row.label,
        row.complaints,
        row.investigations,
        row.prosecutions,
        row.convictions,
        row.torture,
        row.lesser,
        row.torture_share,
        row.lesser_share,
        row.decided,
        row.median_days,
    ]


@transaction.atomic
def register_statistics_export(
    *, actor: Any, group: str, filters: Mapping[str, Any], file_format: str
) -> RegisterExport:
    """The statistics grouped by `group`, with a last line over all; audited once."""
    if not roles.can(actor, "register.stats"):
        raise PermissionDenied(_("You may not do this."))
    if file_format not in FORMATS or group not in selectors.GROUPS:
        raise ValueError(file_format)
    stats = selectors.register_statistics(user=actor, group=group, filters=filters)
    total = selectors.register_totals(user=actor, filters=filters)
    audit.record(
        actor=actor,
        action="cases.register.statistics_export",
        detail={
            "format": file_format,
            "group": group,
            "rows": len(stats),
            "filters": sorted(filters),
        },
    )
    return RegisterExport(
        header=statistics_header(group),
        rows=[statistics_row(row) for row in [*stats, total]],
        count=len(stats),
        sheet=_("Statistics"),
        stem=f"register-statistics-{group}",
        file_format=file_format,
    )


# Entries -------------------------------------------------------------------------------


def entries_header() -> list[str]:
    return [
        _("Reference"),
        _("Agency"),
        _("Place"),
        _("Category of place"),
        _("Region"),
        _("Alleged acts"),
        _("Complaint"),
        _("Investigation"),
        _("Prosecution"),
        _("Decision"),
        _("Days from complaint to investigation"),
        _("Days from investigation to prosecution"),
        _("Days from prosecution to decision"),
        _("Days from complaint to decision"),
        _("Legal classification"),
        _("Outcome"),
        _("Sanction"),
        _("Reparation"),
        _("Legislation item"),
    ]


def entry_row(entry: RegisterEntry) -> list[Any]:
    steps = selectors.timeline(entry)
    return [
        entry.reference,
        entry.agency.name if entry.agency else "",
        entry.place.name if entry.place else "",
        entry.category.name if entry.category else "",
        entry.region.name if entry.region else "",
        entry.alleged_on,
        entry.complaint_on,
        entry.investigation_on,
        entry.prosecution_on,
        entry.decision_on,
        steps.step("investigation_on").days,
        steps.step("prosecution_on").days,
        steps.step("decision_on").days,
        steps.total_days,
        entry.get_classification_display(),
        entry.get_outcome_display(),
        entry.get_sanction_display(),
        entry.get_reparation_display(),
        entry.legislation_ref,
    ]


def _entry_rows(entries: QuerySet[RegisterEntry]) -> Iterator[list[Any]]:
    for entry in entries.iterator(chunk_size=CHUNK):
        yield entry_row(entry)


@transaction.atomic
def register_entries_export(
    *, actor: Any, filters: Mapping[str, Any], file_format: str
) -> RegisterExport:
    """The entries of the list under the same filters; audited once with their number."""
    if not roles.can(actor, "register.view"):
        raise PermissionDenied(_("You may not do this."))
    if file_format not in FORMATS:
        raise ValueError(file_format)
    entries = selectors.entry_list(user=actor, filters=filters)
    count = entries.count()
    audit.record(
        actor=actor,
        action="cases.register.export",
        detail={"format": file_format, "rows": count, "filters": sorted(filters)},
    )
    return RegisterExport(
        header=entries_header(),
        rows=_entry_rows(entries),
        count=count,
        sheet=_("Register"),
        stem="register",
        file_format=file_format,
    )


# Writing the files -----------------------------------------------------------------------


def csv_lines(export: RegisterExport) -> Iterator[str]:
    return csv_lines_of(export.header, export.rows)


def xlsx_bytes(export: RegisterExport) -> bytes:
    return xlsx_bytes_of(export.sheet, export.header, export.rows)
