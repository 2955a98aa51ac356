"""Reads of the inventory (¶9, 10, 36). Every read starts from `restrict(user, action)`.

`place_list(user=, filters=)` is the one list of places: the list page, the map, the
API and exports all call it with the same filters, so none can show more than another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import AuditEvent
from habeas.places.models import (
    Authority,
    Category,
    Place,
    PlaceDocument,
    PopulationRecord,
    Region,
    Unit,
)

VISITED_NEVER = "never"
# "over N years" includes places never visited: they too have gone that long without one.
VISITED_YEARS = {"1y": 1, "2y": 2, "4y": 4}

BY_NAME = (Lower("name").asc(), "id")
ORDERINGS: dict[str, tuple[Any, ...]] = {
    "name": BY_NAME,
    "-name": (Lower("name").desc(), "-id"),
    # Oldest visit first puts the never-visited at the top: they are the most overdue.
    "last_visit": (F("last_visit_on").asc(nulls_first=True), *BY_NAME),
    "-last_visit": (F("last_visit_on").desc(nulls_last=True), *BY_NAME),
    "category": ("category__position", "category__name", *BY_NAME),
    "region": (F("region__name").asc(nulls_last=True), *BY_NAME),
    "-capacity": (F("capacity").desc(nulls_last=True), *BY_NAME),
}


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _code(value: Any) -> Any:
    return getattr(value, "code", value)


def region_descendant_ids(region_ids: Iterable[int]) -> set[int]:
    """The regions given and every region inside them, in one query."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Region.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    pending = [int(pk) for pk in region_ids]
    while pending:
        pk = pending.pop()
        if pk in found:
            continue
        found.add(pk)
        pending.extend(children.get(pk, []))
    return found


def _visited_filter(value: str, today: dt.date) -> Q | None:
    if value == VISITED_NEVER:
        return Q(last_visit_on__isnull=True)
    years = VISITED_YEARS.get(value)
    if years is None:
        return None
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    return Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=cutoff)


def _search_filter(text: str) -> Q:
    query = Q()
    for word in text.split()[:8]:
        query &= (
            Q(name__icontains=word) | Q(external_ref__icontains=word) | Q(address__icontains=word)
        )
    return query


def _apply_filters(places: QuerySet[Place], filters: Mapping[str, Any]) -> QuerySet[Place]:
    if text := (filters.get("q") or "").strip():
        places = places.filter(_search_filter(text))
    if category := filters.get("category"):
        places = places.filter(category__code=_code(category))
    if region := filters.get("region"):
        places = places.filter(region_id__in=region_descendant_ids([_pk(region)]))
    if authority := filters.get("authority"):
        places = places.filter(authority_id=_pk(authority))
    if operator := filters.get("operator"):
        places = places.filter(operator=operator)
    if group := filters.get("group"):
        # A subquery, not a join: no duplicate rows, so no DISTINCT to fight the ordering.
        holding = Place.groups.through.objects.filter(populationgroup__code=_code(group))
        places = places.filter(pk__in=holding.values("place_id"))
    official = filters.get("official")
    if official in ("yes", True):
        places = places.filter(official=True)
    elif official in ("no", False):
        places = places.filter(official=False)
    if status := filters.get("status"):
        places = places.filter(status=status)
    if visited := _visited_filter(filters.get("visited") or "", timezone.localdate()):
        places = places.filter(visited)
    return places


def latest_population_subquery(field: str = "population") -> Subquery:
    return Subquery(
        PopulationRecord.objects.filter(place=OuterRef("pk"))
        .order_by("-recorded_on")
        .values(field)[:1]
    )


def place_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Place]:
    """The places `user` may see, filtered and ordered.

    `filters` keys (all optional): q, category (code or row), region (id or row; its
    sub-regions included), authority (id or row), operator, group (code or row),
    official ("yes"/"no"), status, visited ("never", "1y", "2y", "4y"), ordering.
    Each place carries `population_now` and `population_on` (the latest count).
    """
    filters = filters or {}
    places = _apply_filters(Place.objects.restrict(user, "view"), filters)
    ordering = ORDERINGS.get(filters.get("ordering") or "name", BY_NAME)
    return (
        places.select_related("category", "region", "authority")
        .annotate(
            population_now=latest_population_subquery("population"),
            population_on=latest_population_subquery("recorded_on"),
        )
        .order_by(*ordering)
    )


class IdsFirstPaginator(Paginator):
    """Pages a large list by choosing the page's ids first, then loading those rows.

    The database then sorts and skips bare ids, and computes joins and the latest
    population only for the rows shown: a page deep in 20,000 places costs what the
    first one does.
    """

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = cast(QuerySet, self.object_list)
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


def occupancy_percent(population: int | None, capacity: int | None) -> int | None:
    if population is None or not capacity:
        return None
    return round(population * 100 / capacity)


def with_occupancy(places: Iterable[Place]) -> list[Place]:
    """Set `occupancy` (per cent of capacity) on places that carry `population_now`."""
    rows = list(places)
    for place in rows:
        population = getattr(place, "population_now", None)
        place.occupancy = occupancy_percent(population, place.capacity)  # type: ignore[attr-defined]
    return rows


def place_map_points(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """What the map needs and nothing more, as tuples (20,000 places stay light)."""
    return (
        place_list(user=user, filters=filters)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values_list("id", "name", "category__name", "status", "official", "latitude", "longitude")
    )


def place_for_view(*, user: Any, pk: int) -> QuerySet[Place]:
    return (
        Place.objects.restrict(user, "view")
        .select_related("category", "region", "authority", "region__parent")
        .filter(pk=pk)
    )


def inventory_summary(*, user: Any) -> dict[str, Any] | None:
    """The home page's figures, or None for someone who may not see the inventory."""
    if not roles.can(user, "places.view"):
        return None
    places = Place.objects.restrict(user, "view")
    totals = places.aggregate(
        open=Count("id", filter=Q(status=Place.Status.OPEN)),
        never_visited=Count("id", filter=Q(last_visit_on__isnull=True)),
        unofficial=Count("id", filter=Q(official=False)),
    )
    per_category = dict(
        places.filter(status=Place.Status.OPEN)
        .order_by()
        .values_list("category_id")
        .annotate(count=Count("id"))
        .values_list("category_id", "count")
    )
    by_category = [
        {"code": category.code, "name": category.name, "count": per_category.get(category.pk, 0)}
        for category in Category.objects.all()
    ]
    return {**totals, "by_category": by_category}


# Regions and authorities ------------------------------------------------------------


@dataclass(frozen=True)
class RegionNode:
    region: Region
    depth: int


def region_tree(*, user: Any) -> list[RegionNode]:
    """Regions in tree order (each followed by its parts), with their depth."""
    regions = list(Region.objects.restrict(user, "view").order_by("name"))
    children: dict[int | None, list[Region]] = {}
    known = {region.pk for region in regions}
    for region in regions:
        parent = region.parent_id if region.parent_id in known else None
        children.setdefault(parent, []).append(region)
    nodes: list[RegionNode] = []
    stack = [(region, 0) for region in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        region, depth = stack.pop()
        if region.pk in seen:
            continue
        seen.add(region.pk)
        nodes.append(RegionNode(region, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(region.pk, [])))
    return nodes


def region_place_counts(*, user: Any) -> dict[int, int]:
    return dict(
        Place.objects.restrict(user, "view")
        .filter(region__isnull=False)
        .order_by()
        .values_list("region_id")
        .annotate(count=Count("id"))
        .values_list("region_id", "count")
    )


def authority_list(*, user: Any, text: str = "") -> QuerySet[Authority]:
    authorities = Authority.objects.restrict(user, "view").select_related("region", "parent")
    if text := text.strip():
        authorities = authorities.filter(Q(name__icontains=text) | Q(email__icontains=text))
    return authorities.annotate(place_count=Count("places")).order_by(Lower("name"), "id")


def region_list(*, user: Any, text: str = "") -> QuerySet[Region]:
    regions = Region.objects.restrict(user, "view").select_related("parent")
    if text := text.strip():
        regions = regions.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return regions.order_by(Lower("name"), "id")


# The detail page --------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationSeries:
    records: list[PopulationRecord]  # oldest first
    points: str  # SVG polyline points in a 0..WIDTH × 0..HEIGHT box
    capacity_y: float | None
    latest: PopulationRecord | None
    occupancy: int | None

    WIDTH = 240
    HEIGHT = 48


def population_series(*, place: Place, limit: int = 36) -> PopulationSeries:
    """The latest counts, oldest first, with a server-drawn sparkline (no JavaScript)."""
    records = list(place.population.order_by("-recorded_on")[:limit])[::-1]
    latest = records[-1] if records else None
    values = [record.population for record in records]
    top = max([*values, place.capacity or 0, 1])
    width, height, pad = PopulationSeries.WIDTH, PopulationSeries.HEIGHT, 2

    def y(value: float) -> float:
        return round(height - pad - (value / top) * (height - 2 * pad), 1)

    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = " ".join(f"{round(pad + i * step, 1)},{y(v)}" for i, v in enumerate(values))
    if len(values) == 1:
        points += f" {width - pad},{y(values[0])}"
    return PopulationSeries(
        records=records,
        points=points,
        capacity_y=y(place.capacity) if place.capacity else None,
        latest=latest,
        occupancy=occupancy_percent(latest.population if latest else None, place.capacity),
    )


@dataclass(frozen=True)
class TimelineEntry:
    when: dt.date | dt.datetime
    kind: str
    text: str
    actor: str = ""
    link: str = ""

    @property
    def sort_key(self) -> tuple[dt.date, str]:
        if isinstance(self.when, dt.datetime):
            local = timezone.localtime(self.when)
            return (local.date(), local.time().isoformat())
        return (self.when, "")

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, dt.datetime)


AUDIT_LABELS = {
    "place.create": _("Added to the inventory"),
    "place.update": _("Details changed"),
    "place.close": _("Closed"),
    "place.reopen": _("Reopened"),
    "place.import_create": _("Added by an import"),
    "place.import_update": _("Updated by an import"),
    "unit.create": _("Unit added"),
    "unit.update": _("Unit changed"),
    "unit.deactivate": _("Unit taken out of use"),
    "unit.reactivate": _("Unit back in use"),
}


def _audit_entries(place: Place, units: dict[str, Unit]) -> list[TimelineEntry]:
    events = (
        AuditEvent.objects.filter(
            Q(object_type="places.place", object_id=str(place.pk))
            | Q(object_type="places.unit", object_id__in=list(units))
        )
        .exclude(action__endswith="_stale")
        .order_by("-id")[:200]
    )
    entries = []
    for event in events:
        text = str(AUDIT_LABELS.get(event.action, event.action))
        if event.object_type == "places.unit" and event.object_id in units:
            text = f"{text}: {units[event.object_id].name}"
        fields = (event.detail or {}).get("fields") if isinstance(event.detail, dict) else None
        if fields:
            text = f"{text} ({', '.join(_field_label(name) for name in fields)})"
        entries.append(TimelineEntry(event.at, "change", text, event.actor_label))
    return entries


def _field_label(name: str) -> str:
    try:
        field = Place._meta.get_field(name)
    except FieldDoesNotExist:  # a name from an older event is shown as it is
        return name
    return str(getattr(field, "verbose_name", name))


def place_timeline(*, place: Place, limit: int = 200) -> list[TimelineEntry]:
    """The place's history, newest first: changes, population counts and archive items.

    Only what any viewer of the place may read; no confidential content.
    """
    units = {str(unit.pk): unit for unit in Unit.objects.filter(place=place)}
    entries = _audit_entries(place, units)
    for record in place.population.order_by("-recorded_on")[:limit]:
        text = _("Population count: %(count)s") % {"count": record.population}
        if record.source:
            text = f"{text} — {record.source}"
        entries.append(TimelineEntry(record.recorded_on, "population", text))
    documents = PlaceDocument.objects.filter(place=place).order_by("-created_at")[:limit]
    for document in documents:
        label = (
            PlaceDocument.Kind(document.kind).label
            if document.kind in PlaceDocument.Kind.values
            else ""
        )
        when = document.received_on or document.created_at
        entries.append(TimelineEntry(when, "archive", f"{label}: {document.title}"))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    return entries[:limit]
