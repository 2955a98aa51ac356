"""Export of the places a user may see, as CSV or XLSX, in the import's own columns (¶9).

An export re-imports unchanged: same columns, codes rather than labels, one place per
row. Every export is audited with its format and row count, never its content
(SECURITY.md 18), and the views ask for sudo first (the threat model's bulk export by
a curious colleague). Cells that a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.core import audit
from habeas.places.importing import COLUMN_NAMES
from habeas.places.models import Place, PopulationGroup, Unit
from habeas.places.selectors import place_list
from habeas.places.spreadsheets import csv_lines_of, xlsx_bytes_of

FORMATS = ("csv", "xlsx")
CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class PlaceExport:
    """What one export will write: the places and how many there are."""

    places: QuerySet[Place]
    count: int
    file_format: str

    @property
    def filename(self) -> str:
        return f"places-{timezone.localdate():%Y-%m-%d}.{self.file_format}"


def exportable_places(*, user: Any, filters: Mapping[str, Any]) -> QuerySet[Place]:
    """The list page's places under the same filters, kept to those `user` may export."""
    exportable = Place.objects.restrict(user, "export").values("pk")
    return (
        place_list(user=user, filters=filters)
        .filter(pk__in=exportable)
        .prefetch_related(
            Prefetch("groups", queryset=PopulationGroup.objects.only("code").order_by("code")),
            Prefetch("units", queryset=Unit.objects.only("place_id", "name").order_by("name")),
        )
    )


@transaction.atomic
def places_export(*, actor: Any, filters: Mapping[str, Any], file_format: str) -> PlaceExport:
    """Decide what an export holds and audit it once, with its size and never its content."""
    if not roles.can(actor, "places.export"):
        raise PermissionDenied(_("You may not do this."))
    if file_format not in FORMATS:
        raise ValueError(file_format)
    places = exportable_places(user=actor, filters=filters)
    count = places.count()
    audit.record(
        actor=actor,
        action="places.export",
        detail={"format": file_format, "rows": count, "filters": sorted(filters)},
    )
    return PlaceExport(places=places, count=count, file_format=file_format)


def place_row(place: Place) -> list[Any]:
    """One place as typed values, in `COLUMN_NAMES` order."""
    return [
        place.external_ref or "",
        place.name,
        place.category.code,
        place.region.code if place.region else "",
        place.authority.name if place.authority else "",
        place.operator,
        "yes" if place.official else "no",
        place.status,
        place.address,
        place.latitude,
        place.longitude,
        place.capacity,
        "; ".join(group.code for group in place.groups.all()),
        "; ".join(unit.name for unit in place.units.all()),
        place.last_visit_on,
        getattr(place, "population_now", None),
        getattr(place, "population_on", None),
    ]


def _rows(places: QuerySet[Place]) -> Iterator[list[Any]]:
    for place in places.iterator(chunk_size=CHUNK):
        yield place_row(place)


def csv_lines(export: PlaceExport) -> Iterator[str]:
    return csv_lines_of(COLUMN_NAMES, _rows(export.places))


def xlsx_bytes(export: PlaceExport) -> bytes:
    return xlsx_bytes_of(_("Places"), COLUMN_NAMES, _rows(export.places))
