"""Writes to the inventory of places of detention (¶9). Every write goes through here.

Each service is keyword-only, checks the actor's right before anything else, runs in
one transaction and writes exactly one audit event (ARCHITECTURE.md rule 1). Edits of
versioned records are optimistic: a stale `expected_version` raises `StaleEdit`.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.core import audit
from habeas.core.services import require as _require
from habeas.core.services import stale_guarded as _stale_guarded
from habeas.core.services import versioned_update as _versioned_update
from habeas.places import archive
from habeas.places.models import (
    Authority,
    Place,
    PlaceDocument,
    PopulationRecord,
    Region,
    Unit,
)

M = TypeVar("M", bound=models.Model)

PLACE_FIELDS = (
    "name",
    "external_ref",
    "category",
    "operator",
    "authority",
    "region",
    "address",
    "latitude",
    "longitude",
    "capacity",
    "official",
    "last_visit_on",
    "notes",
)
REGION_FIELDS = ("name", "code", "parent")
AUTHORITY_FIELDS = (
    "name",
    "kind",
    "region",
    "parent",
    "response_days",
    "email",
    "phone",
    "urgent_contact",
    "address",
)
UNIT_FIELDS = ("name", "description", "capacity")


def _pick(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Keep only the fields a service writes, so extra keys can never be mass-assigned."""
    return {name: data[name] for name in allowed if name in data}


def _blank_to_none(values: dict[str, Any], *names: str) -> None:
    for name in names:
        if name in values and values[name] == "":
            values[name] = None


def _validated(obj: M, values: dict[str, Any]) -> None:
    """Validate the record as it would be after the edit, without touching `obj`."""
    candidate = copy.copy(obj)
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.full_clean()


# Regions ---------------------------------------------------------------------------


def _check_region_parent(region: Region | None, parent: Region | None) -> None:
    if region is None or parent is None:
        return
    seen: set[int] = set()
    node: Region | None = parent
    while node is not None and node.pk not in seen:
        if node.pk == region.pk:
            raise ValidationError(
                {"parent": _("A region cannot be part of itself or of one of its parts.")}
            )
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def region_create(*, actor: Any, data: Mapping[str, Any]) -> Region:
    _require(actor, "regions.change")
    region = Region(**_pick(data, REGION_FIELDS))
    region.full_clean()
    region.save()
    audit.record(actor=actor, action="region.create", obj=region)
    return region


def region_update(
    *, actor: Any, region: Region, data: Mapping[str, Any], expected_version: int
) -> Region:
    _require(actor, "regions.change")
    values = _pick(data, REGION_FIELDS)
    _check_region_parent(region, values.get("parent", region.parent))
    _validated(region, values)
    with _stale_guarded("region.update", region, actor, expected_version):
        changed = _versioned_update(
            model=Region, obj=region, values=values, expected_version=expected_version
        )
        audit.record(actor=actor, action="region.update", obj=region, detail={"fields": changed})
    return region


# Authorities -----------------------------------------------------------------------


@transaction.atomic
def authority_create(*, actor: Any, data: Mapping[str, Any]) -> Authority:
    _require(actor, "authorities.change")
    authority = Authority(**_pick(data, AUTHORITY_FIELDS))
    authority.full_clean()
    authority.save()
    audit.record(actor=actor, action="authority.create", obj=authority)
    return authority


def authority_update(
    *, actor: Any, authority: Authority, data: Mapping[str, Any], expected_version: int
) -> Authority:
    _require(actor, "authorities.change")
    values = _pick(data, AUTHORITY_FIELDS)
    parent = values.get("parent")
    if parent is not None and parent.pk == authority.pk:
        raise ValidationError({"parent": _("An authority cannot report to itself.")})
    _validated(authority, values)
    with _stale_guarded("authority.update", authority, actor, expected_version):
        changed = _versioned_update(
            model=Authority, obj=authority, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="authority.update", obj=authority, detail={"fields": changed}
        )
    return authority


# Places ----------------------------------------------------------------------------


def _place_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = _pick(data, PLACE_FIELDS)
    _blank_to_none(values, "external_ref")
    return values


@transaction.atomic
def place_create(*, actor: Any, data: Mapping[str, Any]) -> Place:
    """Add a place to the inventory. `data` holds model values (Category, Region… rows)."""
    _require(actor, "places.change")
    place = Place(**_place_values(data))
    place.full_clean()
    place.save()
    if data.get("groups"):
        place.groups.set(data["groups"])
    audit.record(actor=actor, action="place.create", obj=place)
    return place


def place_update(
    *, actor: Any, place: Place, data: Mapping[str, Any], expected_version: int
) -> Place:
    """Change a place's facts, refusing with `StaleEdit` if someone saved it meanwhile."""
    _require(actor, "places.change")
    values = _place_values(data)
    _validated(place, values)
    with _stale_guarded("place.update", place, actor, expected_version):
        changed = _versioned_update(
            model=Place, obj=place, values=values, expected_version=expected_version
        )
        if "groups" in data:
            before = set(place.groups.values_list("pk", flat=True))
            place.groups.set(data["groups"])
            if before != {group.pk for group in data["groups"]}:
                changed.append("groups")
        audit.record(actor=actor, action="place.update", obj=place, detail={"fields": changed})
    return place


@transaction.atomic
def place_close(*, actor: Any, place: Place, closed_on: dt.date) -> Place:
    """Record that a place no longer holds anyone; it stays in the inventory and its history."""
    _require(actor, "places.change")
    if place.status == Place.Status.CLOSED:
        raise ValidationError(_("This place is already closed."))
    Place.objects.filter(pk=place.pk).update(
        status=Place.Status.CLOSED,
        closed_on=closed_on,
        version=models.F("version") + 1,
        updated_at=timezone.now(),
    )
    place.refresh_from_db()
    audit.record(actor=actor, action="place.close", obj=place, detail={"closed_on": str(closed_on)})
    return place


@transaction.atomic
def place_reopen(*, actor: Any, place: Place) -> Place:
    _require(actor, "places.change")
    if place.status == Place.Status.OPEN:
        raise ValidationError(_("This place is already open."))
    Place.objects.filter(pk=place.pk).update(
        status=Place.Status.OPEN,
        closed_on=None,
        version=models.F("version") + 1,
        updated_at=timezone.now(),
    )
    place.refresh_from_db()
    audit.record(actor=actor, action="place.reopen", obj=place)
    return place


# Units -----------------------------------------------------------------------------


def _check_unit_name(place: Place, name: str, unit: Unit | None = None) -> None:
    clash = Unit.objects.filter(place=place, name=name)
    if unit is not None:
        clash = clash.exclude(pk=unit.pk)
    if clash.exists():
        raise ValidationError({"name": _("This place already has a unit with this name.")})


@transaction.atomic
def unit_create(*, actor: Any, place: Place, data: Mapping[str, Any]) -> Unit:
    _require(actor, "places.change")
    unit = Unit(place=place, **_pick(data, UNIT_FIELDS))
    _check_unit_name(place, unit.name)
    unit.full_clean()
    unit.save()
    audit.record(actor=actor, action="unit.create", obj=unit, detail={"place": place.pk})
    return unit


def unit_update(*, actor: Any, unit: Unit, data: Mapping[str, Any], expected_version: int) -> Unit:
    _require(actor, "places.change")
    values = _pick(data, UNIT_FIELDS)
    if "name" in values:
        _check_unit_name(unit.place, values["name"], unit)
    _validated(unit, values)
    with _stale_guarded("unit.update", unit, actor, expected_version):
        changed = _versioned_update(
            model=Unit, obj=unit, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="unit.update",
            obj=unit,
            detail={"place": unit.place_id, "fields": changed},
        )
    return unit


@transaction.atomic
def unit_deactivate(*, actor: Any, unit: Unit) -> Unit:
    """Take a unit out of use. It is kept, because past visits covered it (¶14)."""
    _require(actor, "places.change")
    Unit.objects.filter(pk=unit.pk).update(
        active=False, version=models.F("version") + 1, updated_at=timezone.now()
    )
    unit.refresh_from_db()
    audit.record(actor=actor, action="unit.deactivate", obj=unit, detail={"place": unit.place_id})
    return unit


@transaction.atomic
def unit_reactivate(*, actor: Any, unit: Unit) -> Unit:
    _require(actor, "places.change")
    Unit.objects.filter(pk=unit.pk).update(
        active=True, version=models.F("version") + 1, updated_at=timezone.now()
    )
    unit.refresh_from_db()
    audit.record(actor=actor, action="unit.reactivate", obj=unit, detail={"place": unit.place_id})
    return unit


# Population ------------------------------------------------------------------------


@transaction.atomic
def population_record_add(
    *, actor: Any, place: Place, recorded_on: dt.date, population: int, source: str = ""
) -> PopulationRecord:
    """Add one dated count of the people held; occupancy is a series, not a number."""
    _require(actor, "places.change")
    if recorded_on > timezone.localdate():
        raise ValidationError({"recorded_on": _("A count cannot be dated in the future.")})
    if PopulationRecord.objects.filter(place=place, recorded_on=recorded_on).exists():
        raise ValidationError(
            {"recorded_on": _("There is already a count for this place on this date.")}
        )
    record = PopulationRecord(
        place=place, recorded_on=recorded_on, population=population, source=source
    )
    record.full_clean()
    record.save()
    audit.record(
        actor=actor, action="population_record.add", obj=record, detail={"place": place.pk}
    )
    return record


# The archive -----------------------------------------------------------------------


def place_document_add(
    *,
    actor: Any,
    place: Place,
    upload: UploadedFile,
    title: str,
    kind: str = PlaceDocument.Kind.DOCUMENT,
    received_on: dt.date | None = None,
    source: str = "",
    summary: str = "",
) -> PlaceDocument:
    """File a document received about a place (¶9).

    Size and type are checked before anything is written; the file is stored under a
    random name with no extension, so it can be neither guessed nor executed.
    """
    _require(actor, "places.archive")
    document = PlaceDocument(
        place=place,
        kind=kind,
        title=title,
        received_on=received_on,
        source=source,
        summary=summary,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["stored_name"])
    checked = archive.check_upload(upload)
    document.original_name = checked.original_name
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = checked.sha256
    document.stored_name = archive.store(upload)
    try:
        with transaction.atomic():
            document.save()
            audit.record(
                actor=actor,
                action="place_document.add",
                obj=document,
                detail={"place": place.pk, "size": checked.size, "sha256": checked.sha256},
            )
    except BaseException:
        # No orphan file: a failed write leaves the storage as it was.
        archive.discard(document.stored_name)
        raise
    return document


@transaction.atomic
def place_document_open(*, actor: Any, document: PlaceDocument) -> Any:
    """Open an archived file for download, after checking the actor may see its place."""
    if not Place.objects.restrict(actor, "view").filter(pk=document.place_id).exists():
        raise PermissionDenied(_("You may not do this."))
    audit.record(
        actor=actor,
        action="place_document.download",
        obj=document,
        detail={"place": document.place_id},
    )
    return archive.open_stored(document.stored_name or "")
