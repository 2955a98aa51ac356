"""The access matrix's tables for planning (¶10, 11, 35, 36). See
habeas/core/tests/access_matrix.py and access_world.py for how they are used.

The world, built through the services: a programme for 2027-Q1 with capacity in one
region ("Matrix north") and none in the other, so the other region and its category are
left out and justified; built by the solver (one second), with one visit the NPM added
and pinned; `elsewhere`, a visit of another programme.

Audiences are written out by hand from the querysets' docstrings in
habeas/planning/models.py, never computed from roles.PERMISSIONS: the risk model is the
head's, the monitors' and the data officer's; a programme, which says where and when
unannounced visits go, only the head's and the monitors' (the planners of the visits app).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from habeas.core.tests.matrix_base import Record
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.planning import services

# The risk model: the head, the monitors and the data officer.
RISK_READERS = frozenset({"head", "monitor", "data_officer"})
# Programmes say where and when unannounced visits go: the planners alone, as in visits.
PLANNERS = frozenset({"head", "monitor"})
FIRST_WEEK = dt.date(2027, 1, 4)

RECORDS: dict[tuple[str, str], Record] = {
    ("planning", "places/<place_pk>"): Record("place", RISK_READERS),
    ("planning", "programmes/<pk>"): Record("programme", PLANNERS),
    ("planning", "visits/<visit_pk>"): Record(
        "planned_visit", elsewhere="a planned visit of another programme"
    ),
}
ROUTE_RECORDS: dict[tuple[str, str], Record] = {}
EXCEPTIONS: dict[str, str] = {}
RECORD_NAMES: set[str] = {"programme", "planned_visit"}


def _capacity(w: Any) -> dict[str, Any]:
    p = w.programme
    north, south = w.records["north"], w.records["south"]
    return {
        "version": p.version,
        "title": "Matrix quarter",
        "reserve_percent": "25",
        "default_max_interval_months": "48",
        "trip_sharing": "region",
        "trip_radius_km": "50",
        "trip_overhead_days": "1",
        "time_limit_seconds": "1",
        f"r{north.pk}_days": "50",
        f"r{south.pk}_days": "0",
    }


def _justify(w: Any) -> dict[str, Any]:
    left = w.programme.left_out or {}
    target = (
        f"region-{left['regions'][0]}"
        if left.get("regions")
        else f"category-{left['categories'][0]}"
    )
    return {"target": target, "text": "Visited by the regional team last quarter; none due."}


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "planning:capacity": _capacity,
    "planning:place_rules": lambda w: {
        "place": w.records["spare"].pk,
        "kind": "avoid",
        "visit_kind": "",
        "note": "Closed for works this quarter",
    },
    "planning:justify": _justify,
    "planning:visit_add": lambda w: {
        "place": w.records["unplanned"].pk,
        "week": (FIRST_WEEK + dt.timedelta(weeks=3)).isoformat(),
        "kind": "in_depth",
    },
    "planning:visit_pin": lambda w: {"pinned": "0"},
    "planning:visit_move": lambda w: {"week": (FIRST_WEEK + dt.timedelta(weeks=5)).isoformat()},
    "planning:visit_remove": lambda w: {"note": "Visited last month by the ombudsman"},
}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {}


def _programme(head: Any, period: str, north: Any, south: Any, added_place: Any) -> Any:
    programme = services.programme_create(actor=head, data={"period": period})
    programme = services.programme_update(
        actor=head,
        programme=programme,
        data={"time_limit_seconds": 1},
        expected_version=programme.version,
    )
    programme = services.capacity_save(
        actor=head,
        programme=programme,
        regions={north.pk: (40, 0), south.pk: (0, 0)},
        professions={},
        categories={},
        expected_version=programme.version,
    )
    added = services.visit_add(
        actor=head,
        programme=programme,
        place=added_place,
        week_starts_on=programme.starts_on
        + dt.timedelta(days=(7 - programme.starts_on.weekday()) % 7),
        kind="follow_up",
    )
    services.programme_build(actor=head, programme=programme, enqueue=False)
    services.programme_solve(programme_id=programme.pk, time_limit=1)
    programme.refresh_from_db()
    for region_pk in programme.left_out.get("regions", []):
        services.justification_save(
            actor=head,
            programme=programme,
            region=type(north).objects.get(pk=region_pk),
            text="No staff-days there this quarter; visited in the last one.",
        )
    for category_pk in programme.left_out.get("categories", []):
        services.justification_save(
            actor=head,
            programme=programme,
            category=type(added_place.category).objects.get(pk=category_pk),
            text="No place of this category is due this quarter.",
        )
    programme.refresh_from_db()
    added.refresh_from_db()
    return programme, added


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    head = people["head"]
    north = RegionFactory(name="Matrix north")
    south = RegionFactory(name="Matrix south")
    police = CategoryFactory(code="police-custody")
    prison = CategoryFactory(code="prison-sentenced")
    ward = CategoryFactory(code="psychiatric")
    chosen = PlaceFactory(name="Matrix police station", region=north, category=police, capacity=12)
    PlaceFactory(name="Matrix remand prison", region=north, category=prison, capacity=300)
    spare = PlaceFactory(name="Matrix second station", region=north, category=police, capacity=8)
    PlaceFactory(name="Matrix southern ward", region=south, category=ward, capacity=40)
    # In a region without staff-days, so the solver never takes it: the NPM adds it.
    unplanned = PlaceFactory(name="Matrix southern station", region=south, category=police)
    programme, added = _programme(head, "2027-Q1", north, south, chosen)
    _other, other_added = _programme(head, "2027-Q2", north, south, chosen)
    world = {
        "programme": programme,
        "planned_visit": added,
        "north": north,
        "south": south,
        "spare": spare,
        "unplanned": unplanned,
    }
    return world, {"a planned visit of another programme": other_added}
