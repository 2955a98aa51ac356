"""Builders for the tests of the visit's field work (coverage, interviews, registers,
findings, photographs, difficulties, debrief): a place with units, a visit in progress
and its team, and interviews made through the services."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from PIL import Image

from habeas.accounts.models import User
from habeas.places.models import Place, Unit
from habeas.places.tests.factories import PlaceFactory, UnitFactory
from habeas.visits import services_field as field
from habeas.visits.models import Interview, Visit
from habeas.visits.tests.factories import add_member, make_visit


@dataclass
class FieldWorld:
    head: User
    monitor: User
    place: Place
    units: list[Unit]
    visit: Visit

    def unit(self, name: str) -> Unit:
        return next(u for u in self.units if u.name == name)


def field_world(
    personas: dict[str, User],
    *,
    units: tuple[tuple[str, int | None], ...] = (("Wing A", 40), ("Wing B", 40), ("Wing C", 3)),
    **visit_fields: Any,
) -> FieldWorld:
    """A visit in progress led by the head, with the monitor on its team; the doctor,
    comms and the others are not on it."""
    head = personas["head"]
    place = PlaceFactory(name="Northgate Remand Prison")
    made = [UnitFactory(place=place, name=name, capacity=capacity) for name, capacity in units]
    visit = make_visit(head, place=place, state=Visit.State.IN_PROGRESS, **visit_fields)
    add_member(visit, head, head)
    add_member(visit, personas["monitor"], head)
    return FieldWorld(head=head, monitor=personas["monitor"], place=place, units=made, visit=visit)


def interview(
    world: FieldWorld,
    *,
    actor: User | None = None,
    kind: str = Interview.Kind.PRIVATE,
    unit: Unit | None = None,
    sensitive: bool = False,
    notes: str = "",
    identity: str | None = None,
    **data: Any,
) -> Interview:
    actor = actor or world.monitor
    values: dict[str, Any] = {
        "kind": kind,
        "unit": unit.pk if unit else None,
        "pseudonym": data.pop("pseudonym", None) or field.suggest_pseudonym(world.visit, kind),
        "held_at": timezone.now() - dt.timedelta(hours=1),
        "interviewer": actor,
        "participants": 1 if kind == Interview.Kind.PRIVATE else data.pop("participants", 5),
        "sensitive": sensitive,
        "notes": notes,
        **data,
    }
    if identity is not None:
        values["identity"] = identity
    return field.interview_create(actor=actor, visit=world.visit, data=values)


def image_bytes(fmt: str = "JPEG", *, gps: bool = True, size: tuple[int, int] = (32, 24)) -> bytes:
    """A small picture; a JPEG carries EXIF with a GPS position, a camera and a comment."""
    picture = Image.new("RGB", size, (180, 40, 40))
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "CanaryCam"  # Make
        exif[0x0110] = "Model-SN-4417"  # Model
        if gps:
            exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
        picture.save(out, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    else:
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "secret comment")
        picture.save(out, format="PNG", pnginfo=info)
    return out.getvalue()
