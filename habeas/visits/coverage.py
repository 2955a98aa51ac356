"""Unit coverage of a visit (¶14): every unit in use must be seen, or the team must say
why it was not.

The place's active units are the list the team works through; a `UnitCoverage` row
records that a unit was seen (with the number of people held there that day, which the
anonymity rule of ¶25 uses) or why it was not. A gap is a unit in use that is neither
seen nor explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from habeas.places.models import Unit
from habeas.visits.models import UnitCoverage, Visit


@dataclass(frozen=True)
class CoverageRow:
    """One unit of the place, with what the visit recorded of it (None: nothing yet)."""

    unit: Unit
    record: UnitCoverage | None

    @property
    def seen(self) -> bool:
        return bool(self.record and self.record.seen)

    @property
    def explained(self) -> bool:
        return bool(self.record and not self.record.seen and self.record.reason.strip())

    @property
    def gap(self) -> bool:
        return not self.seen and not self.explained

    @property
    def held(self) -> int | None:
        return self.record.held if self.record else None


def active_units(visit: Visit) -> list[Unit]:
    """The units of the visited place that are in use, by name."""
    return list(Unit.objects.filter(place_id=visit.place_id, active=True).order_by("name"))


def coverage_rows(visit: Visit) -> list[CoverageRow]:
    """Every active unit with its record, plus units recorded on this visit that have
    since been taken out of use (what was recorded is never hidden)."""
    records: dict[int, UnitCoverage] = {
        c.unit_id: c for c in UnitCoverage.objects.filter(visit=visit).select_related("unit")
    }
    units = active_units(visit)
    known = {u.pk for u in units}
    extra = [c.unit for uid, c in records.items() if uid not in known]
    rows = [CoverageRow(unit=u, record=records.get(u.pk)) for u in units]
    rows += [CoverageRow(unit=u, record=records[u.pk]) for u in sorted(extra, key=_name)]
    return rows


def _name(unit: Any) -> str:
    return str(unit.name)


def coverage_gaps(visit: Visit) -> list[Unit]:
    """Units in use at the place that the visit neither saw nor explained (¶14)."""
    return [row.unit for row in coverage_rows(visit) if row.unit.active and row.gap]


def held_in_unit(visit: Visit, unit: Unit | None) -> int | None:
    """People held in the unit that day if the team recorded it, else its capacity."""
    if unit is None:
        return None
    record = UnitCoverage.objects.filter(visit=visit, unit=unit).first()
    if record is not None and record.held is not None:
        return record.held
    return unit.capacity
