"""A small world of findings, counted by hand, for the analytics tests (¶34).

Regions: North (with the district N1 inside it) and South. Categories: sentenced prison
(A) and police custody (B). Places: P1 (A, North), P2 (A, N1), P3 (B, South), P4 (B, no
region). Visits, all by the head:

- V1 at P1, 2023, closed;   V2 at P2, 2024, closed, the expert on its team;
- V3 at P3, 2024, closed;   V4 at P4, 2022, closed;
- VS at P1, 2025, unannounced and still planned (secret: the expert is not on it).

Findings (theme / kind / severity / standards):

- V1: conditions concern key [mandela]; conditions concern urgent [mandela];
  health good practice
- V2: conditions concern general [mandela]; treatment concern urgent []
- V3: conditions concern key [mandela, cpt]; health good practice
- V4: safeguards concern general [cpt]
- VS: conditions concern urgent [mandela]

So the head sees 9 findings, the comms officer 8 (not VS), the expert 2 (V2 only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from habeas.places.models import Category, Place
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.visits.models import Finding, Visit
from habeas.visits.tests.factories import add_member, make_visit


@dataclass
class World:
    head: Any
    expert: Any
    comms: Any
    monitor: Any
    a: Category
    b: Category
    north: Any
    n1: Any
    south: Any
    places: dict[str, Place]
    visits: dict[str, Visit]


def _finding(visit: Visit, actor: Any, theme: str, kind: str, severity: str, standards: list):
    return Finding.objects.create(
        visit=visit,
        theme=theme,
        kind=kind,
        severity=severity,
        statement=f"{theme} {kind} {severity} at {visit.reference}",
        standards=standards,
        created_by=actor,
    )


def build(personas: dict[str, Any]) -> World:
    head, expert = personas["head"], personas["expert"]
    a = CategoryFactory(code="prison-sentenced")
    b = CategoryFactory(code="police-custody")
    north = RegionFactory(name="North")
    n1 = RegionFactory(name="N1", parent=north)
    south = RegionFactory(name="South")
    places = {
        "P1": PlaceFactory(name="P1", category=a, region=north),
        "P2": PlaceFactory(name="P2", category=a, region=n1),
        "P3": PlaceFactory(name="P3", category=b, region=south),
        "P4": PlaceFactory(name="P4", category=b, region=None),
    }

    def visit(place: str, year: int, **fields: Any) -> Visit:
        day = dt.date(year, 5, 4)
        return make_visit(head, places[place], starts_on=day, ends_on=day, announced=True, **fields)

    visits = {
        "V1": visit("P1", 2023),
        "V2": visit("P2", 2024),
        "V3": visit("P3", 2024),
        "V4": visit("P4", 2022),
        "VS": make_visit(
            head, places["P1"], starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2025, 9, 1)
        ),
    }
    add_member(visits["V2"], expert, head, override_reason="Test world: papers on file.")
    for code in ("V1", "V2", "V3", "V4"):
        visits[code].state = Visit.State.CLOSED
        visits[code].save(update_fields=["state"])
    concern, good = Finding.Kind.CONCERN, Finding.Kind.GOOD_PRACTICE
    rows = [
        ("V1", "conditions", concern, "key", ["mandela"]),
        ("V1", "conditions", concern, "urgent", ["mandela"]),
        ("V1", "health", good, "", []),
        ("V2", "conditions", concern, "general", ["mandela"]),
        ("V2", "treatment", concern, "urgent", []),
        ("V3", "conditions", concern, "key", ["mandela", "cpt"]),
        ("V3", "health", good, "", []),
        ("V4", "safeguards", concern, "general", ["cpt"]),
        ("VS", "conditions", concern, "urgent", ["mandela"]),
    ]
    for code, theme, kind, severity, standards in rows:
        _finding(visits[code], head, theme, kind, severity, standards)
    return World(
        head, expert, personas["comms"], personas["monitor"], a, b, north, n1, south, places,
        visits,
    )  # fmt: skip
