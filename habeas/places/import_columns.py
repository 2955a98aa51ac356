"""The columns of a places import file and how each cell is read and checked (¶9).

Every reference table is loaded once (`Lookups`), so checking 20,000 rows makes no
query per row. Every problem is collected, none stops the reading: a person fixes
their spreadsheet once, from one list of (row, column, message).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.places.models import Authority, Category, Place, PopulationGroup, Region
from habeas.places.spreadsheets import ImportRefused, Table

MAX_COUNT = 2_147_483_647


@dataclass(frozen=True)
class Column:
    name: str
    help: Any
    required: bool = False


COLUMNS = (
    Column("external_ref", required=True, help=gettext_lazy(
        "Your identifier for the place, unique in the file. Re-importing matches on it.")),
    Column("name", required=True, help=gettext_lazy("Name of the place.")),
    Column("category", gettext_lazy(
        "Category code or name, e.g. prison-remand or “Police custody”. "
        "Required for a new place.")),
    Column("region", gettext_lazy("Region code or name.")),
    Column("authority", gettext_lazy("Name of the supervising authority, as entered in Habeas.")),
    Column("operator", gettext_lazy("public or private; empty means public.")),
    Column("official", gettext_lazy("yes or no (also true/false, 1/0); empty means yes.")),
    Column("status", gettext_lazy("open or closed; empty means open.")),
    Column("address", gettext_lazy("Postal address.")),
    Column("latitude", gettext_lazy(
        "Decimal degrees from -90 to 90, given together with longitude.")),
    Column("longitude", gettext_lazy(
        "Decimal degrees from -180 to 180, given together with latitude.")),
    Column("capacity", gettext_lazy("Official capacity, a whole number of 0 or more.")),
    Column("groups", gettext_lazy(
        "Codes of the groups held, separated by “;”, e.g. women; children. "
        "They replace the place's groups.")),
    Column("units", gettext_lazy(
        "Names of units or wings, separated by “;”. Missing units are added; none is removed.")),
    Column("last_visit_on", gettext_lazy("Date of the last visit, YYYY-MM-DD.")),
    Column("population", gettext_lazy("Number of people held on population_date.")),
    Column("population_date", gettext_lazy(
        "Date of the population count, YYYY-MM-DD; required with population.")),
)  # fmt: skip
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
# Columns that map one-to-one onto a Place field (groups, units, population do not).
PLACE_COLUMNS = {
    "external_ref": "external_ref",
    "name": "name",
    "category": "category_id",
    "region": "region_id",
    "authority": "authority_id",
    "operator": "operator",
    "official": "official",
    "status": "status",
    "address": "address",
    "latitude": "latitude",
    "longitude": "longitude",
    "capacity": "capacity",
    "last_visit_on": "last_visit_on",
}


class CellError(ValueError):
    """One cell's value cannot be used; its message is shown to the user."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


# Lookups ---------------------------------------------------------------------------

AMBIGUOUS = -1


def name_index(
    names: Iterable[tuple[str, int]], codes: Iterable[tuple[str, int]] = ()
) -> dict[str, int]:
    """Case-insensitive name or code → id. A name that several rows share maps to
    AMBIGUOUS; a code is unique and wins over any name spelt the same."""
    index: dict[str, int] = {}
    for key, pk in names:
        key = key.strip().casefold()
        if key:
            index[key] = AMBIGUOUS if index.get(key, pk) != pk else pk
    index.update((code.strip().casefold(), pk) for code, pk in codes if code.strip())
    return index


@dataclass
class Lookups:
    """Every reference table loaded once, so validating a row makes no query."""

    today: dt.date
    categories: dict[str, int]
    category_codes: list[str]
    regions: dict[str, int]
    authorities: dict[str, int]
    groups: dict[str, int]
    group_codes: list[str]

    @classmethod
    def load(cls) -> Lookups:
        categories = list(Category.objects.values_list("code", "name", "pk"))
        regions = list(Region.objects.values_list("code", "name", "pk"))
        groups = list(PopulationGroup.objects.values_list("code", "name", "pk"))
        return cls(
            today=timezone.localdate(),
            categories=name_index(
                [(n, pk) for _c, n, pk in categories], [(c, pk) for c, _n, pk in categories]
            ),
            category_codes=[code for code, _n, _pk in categories],
            regions=name_index(
                [(n, pk) for _c, n, pk in regions], [(c, pk) for c, _n, pk in regions]
            ),
            authorities=name_index(Authority.objects.values_list("name", "pk")),
            groups=name_index([(n, pk) for _c, n, pk in groups], [(c, pk) for c, _n, pk in groups]),
            group_codes=[code for code, _n, _pk in groups],
        )


def _lookup(index: dict[str, int], text: str, what: Any, known: list[str] | None = None) -> int:
    pk = index.get(text.casefold())
    if pk == AMBIGUOUS:
        raise CellError(
            _("“%(value)s” is the name of more than one %(what)s; use its code.")
            % {"value": text, "what": what}
        )
    if pk is None:
        message = _("“%(value)s” is not a known %(what)s.") % {"value": text, "what": what}
        if known:
            message += " " + _("Known: %(codes)s.") % {"codes": ", ".join(known)}
        raise CellError(message)
    return pk


# Cells -----------------------------------------------------------------------------


def _text(limit: int) -> Any:
    def clean(text: str, lookups: Lookups) -> str:
        if len(text) > limit:
            raise CellError(_("is longer than %(limit)s characters.") % {"limit": limit})
        return text

    return clean


def _decimal(low: int, high: int) -> Any:
    def clean(text: str, lookups: Lookups) -> Decimal | None:
        if not text:
            return None
        try:
            value = Decimal(text.replace(",", ".") if "." not in text else text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or not low <= value <= high:
            raise CellError(
                _("“%(value)s” is not a number from %(low)s to %(high)s.")
                % {"value": text, "low": low, "high": high}
            )
        return value.quantize(Decimal("0.000001"))

    return clean


def _count(text: str, lookups: Lookups) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > MAX_COUNT:
        raise CellError(_("“%(value)s” is not a whole number of 0 or more.") % {"value": text})
    return int(text)


def _date(text: str, lookups: Lookups) -> dt.date | None:
    if not text:
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": text}
        ) from None
    if value > lookups.today:
        raise CellError(_("%(value)s is in the future.") % {"value": value.isoformat()})
    return value


def _choice(choices: type[Any], default: str) -> Any:
    values = set(choices.values)

    def clean(text: str, lookups: Lookups) -> str:
        if not text:
            return default
        word = text.casefold()
        if word in values:
            return word
        for value, label in choices.choices:  # a label in the user's language, e.g. "Public"
            if word == str(label).casefold():
                return value
        raise CellError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(choices.values)}
        )

    return clean


TRUE, FALSE = {"yes", "true", "1", "y"}, {"no", "false", "0", "n"}


def _boolean(text: str, lookups: Lookups) -> bool:
    word = text.casefold()
    if not word or word in TRUE:
        return True
    if word in FALSE:
        return False
    raise CellError(_("“%(value)s” is not yes or no.") % {"value": text})


def _category(text: str, lookups: Lookups) -> int | None:
    return (
        _lookup(lookups.categories, text, gettext_lazy("category"), lookups.category_codes)
        if text
        else None
    )


def _region(text: str, lookups: Lookups) -> int | None:
    return _lookup(lookups.regions, text, gettext_lazy("region")) if text else None


def _authority(text: str, lookups: Lookups) -> int | None:
    return _lookup(lookups.authorities, text, gettext_lazy("authority")) if text else None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _groups(text: str, lookups: Lookups) -> frozenset[int]:
    return frozenset(
        _lookup(lookups.groups, code, gettext_lazy("group"), lookups.group_codes)
        for code in _split(text)
    )


def _units(text: str, lookups: Lookups) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for name in _split(text):
        if len(name) > 200:
            raise CellError(
                _("“%(value)s” is longer than 200 characters.") % {"value": name[:40] + "…"}
            )
        names.setdefault(name.casefold(), name)
    return tuple(names.values())


CLEANERS = {
    "external_ref": _text(64),
    "name": _text(300),
    "category": _category,
    "region": _region,
    "authority": _authority,
    "operator": _choice(Place.Operator, Place.Operator.PUBLIC),
    "official": _boolean,
    "status": _choice(Place.Status, Place.Status.OPEN),
    "address": _text(2000),
    "latitude": _decimal(-90, 90),
    "longitude": _decimal(-180, 180),
    "capacity": _count,
    "groups": _groups,
    "units": _units,
    "last_visit_on": _date,
    "population": _count,
    "population_date": _date,
}


# Rows ------------------------------------------------------------------------------


@dataclass
class PlaceRow:
    """One spreadsheet row, cleaned, with what applying it would do."""

    row: int
    cells: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    action: str = "error"
    changes: list[str] = field(default_factory=list)
    place: Place | None = None

    @property
    def values(self) -> dict[str, Any]:
        return {PLACE_COLUMNS[c]: v for c, v in self.cells.items() if c in PLACE_COLUMNS}

    def as_report(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "external_ref": str(self.cells.get("external_ref") or ""),
            "name": str(self.cells.get("name") or ""),
            "action": "error" if self.errors else self.action,
            "changes": self.changes,
            "errors": [{"column": e.column, "message": e.message} for e in self.errors],
        }


def clean_row(number: int, raw: dict[str, str], lookups: Lookups) -> PlaceRow:
    row = PlaceRow(row=number, cells={})
    for column, text in raw.items():
        try:
            row.cells[column] = CLEANERS[column](text, lookups)
        except CellError as exc:
            row.errors.append(RowError(number, column, str(exc)))
    for column in REQUIRED:
        if not raw.get(column):
            row.errors.append(RowError(number, column, _("is required.")))
    _check_pairs(row, raw)
    return row


def _check_pairs(row: PlaceRow, raw: dict[str, str]) -> None:
    for first, second in (("latitude", "longitude"), ("population", "population_date")):
        if bool(raw.get(first)) != bool(raw.get(second)):
            missing = second if raw.get(first) else first
            message = _("is required when %(other)s is given.") % {
                "other": first if missing == second else second
            }
            row.errors.append(RowError(row.row, missing, message))


def table_rows(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    known = [(i, name) for i, name in enumerate(table.header) if name in CLEANERS]
    for number, cells in table.rows:
        raw = {name: cells[i] if i < len(cells) else "" for i, name in known}
        if any(raw.values()):
            yield number, raw


def warnings(table: Table) -> list[str]:
    unknown = [name for name in table.header if name and name not in CLEANERS]
    return [
        _("Column “%(column)s” is not known and was ignored.") % {"column": name}
        for name in unknown
    ]


def check_header(table: Table) -> None:
    twice = sorted({name for name in table.header if name and table.header.count(name) > 1})
    if twice:
        raise ImportRefused(
            _("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    missing = [name for name in REQUIRED if name not in table.header]
    if missing:
        raise ImportRefused(
            _("The first row must name the columns; these required ones are missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
