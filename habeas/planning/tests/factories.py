"""Builders shared by the planning app's tests (several files append to this module).

Rows of other apps are made with their own factories or services; these cover planning's
own records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from habeas.planning.models import DEFAULT_WEIGHTS, RiskSnapshot, RiskWeights

# -- the risk model (risk helper) ---------------------------------------------------------------


def make_weights(number: int | None = None, **weights: float) -> RiskWeights:
    """A version of the weights: the defaults, with the factors named overridden."""
    if number is None:
        last = RiskWeights.objects.order_by("-number").values_list("number", flat=True).first()
        number = (last or 0) + 1
    values = {str(name): value for name, value in DEFAULT_WEIGHTS.items()}
    values.update(weights)
    return RiskWeights.objects.create(number=number, weights=values)


def make_snapshot(
    place: Any, score: float, on: dt.date, weights: RiskWeights | None = None, **fields: Any
) -> RiskSnapshot:
    """A past score of `place`, computed at noon on `on`."""
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    return RiskSnapshot.objects.create(
        place=place,
        weights=weights or RiskWeights.objects.order_by("-number").first() or make_weights(),
        computed_at=at,
        score=score,
        breakdown=fields.pop("breakdown", []),
        **fields,
    )


# -- programmes (programme backend helper) ------------------------------------------------------


def make_programme(actor: Any, period: str = "2027-Q1", **settings: Any) -> Any:
    """A programme made through the service; `settings` (e.g. time_limit_seconds=2) are
    then set through `programme_update`."""
    from habeas.planning import services

    programme = services.programme_create(actor=actor, data={"period": period})
    if settings:
        services.programme_update(
            actor=actor, programme=programme, data=settings, expected_version=programme.version
        )
    return programme


def set_capacity(
    actor: Any,
    programme: Any,
    regions: dict[Any, Any],
    professions: dict[str, int] | None = None,
    categories: dict[Any, Any] | None = None,
) -> Any:
    """Capacity through `capacity_save`; `regions` maps a Region (or id) to staff-days or
    to (staff-days, minimum visits); `categories` a Category (or id) to (interval, minimum)."""
    from habeas.planning import services

    def pk(key: Any) -> int:
        return key if isinstance(key, int) else key.pk

    return services.capacity_save(
        actor=actor,
        programme=programme,
        regions={pk(r): (v if isinstance(v, tuple) else (v, 0)) for r, v in regions.items()},
        professions=professions or {},
        categories={pk(c): v for c, v in (categories or {}).items()},
        expected_version=programme.version,
    )


def build_now(actor: Any, programme: Any, time_limit: float = 2.0) -> Any:
    """Queue a build and run the job at once, with a short search."""
    from habeas.planning import services

    services.programme_build(actor=actor, programme=programme, enqueue=False)
    services.programme_solve(programme_id=programme.pk, time_limit=time_limit)
    programme.refresh_from_db()
    return programme


def make_country() -> Any:
    """A small country: North (a large prison, two police stations, a psychiatric ward)
    and South (a prison, a police station)."""
    from types import SimpleNamespace

    from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory

    north = RegionFactory(name="North")
    south = RegionFactory(name="South")
    prison = CategoryFactory(code="prison-sentenced")
    police = CategoryFactory(code="police-custody")
    psychiatric = CategoryFactory(code="psychiatric")
    return SimpleNamespace(
        north=north,
        south=south,
        prison=prison,
        police=police,
        psychiatric=psychiatric,
        north_prison=PlaceFactory(region=north, category=prison, capacity=400),
        north_police=PlaceFactory(region=north, category=police, capacity=20),
        north_police_2=PlaceFactory(region=north, category=police, capacity=10),
        north_ward=PlaceFactory(region=north, category=psychiatric, capacity=60),
        south_prison=PlaceFactory(region=south, category=prison, capacity=150),
        south_police=PlaceFactory(region=south, category=police, capacity=15),
    )
