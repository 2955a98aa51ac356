"""Reads of the risk model (¶10): the risk list, one place's breakdown and its history.

Places come through `Place.objects.restrict(user, "view")`; the scores are computed
live for the places shown, with the reader as `viewer`, so a factor drawn from records
the reader may not see stays masked (see `risk.compute`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from habeas.accounts import roles
from habeas.places.models import Place
from habeas.places.selectors import region_descendant_ids
from habeas.planning import risk
from habeas.planning.models import RiskSnapshot, RiskWeights
from habeas.planning.risk import FactorScore, PlaceRisk

ORDERINGS = ("-score", "score", "name", "-name", "category", "region")
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class RiskFilters:
    region: int | None = None  # its sub-regions included
    category: int | None = None
    order: str = "-score"


@dataclass(frozen=True)
class RiskRow:
    place_id: int
    name: str
    category: str
    region: str
    risk: PlaceRisk

    @property
    def score(self) -> float:
        return self.risk.score

    def reasons(self, count: int = 3) -> list[FactorScore]:
        return self.risk.top(count)

    def missing(self) -> list[FactorScore]:
        return [factor for factor in self.risk.factors if factor.missing]


def _sort(rows: list[RiskRow], order: str) -> None:
    """Highest score first by default; ties and groups in name order."""
    if order == "-score":
        rows.sort(key=lambda row: (-row.score, row.name.casefold(), row.place_id))
    elif order == "score":
        rows.sort(key=lambda row: (row.score, row.name.casefold(), row.place_id))
    elif order in ("name", "-name"):
        rows.sort(key=lambda row: (row.name.casefold(), row.place_id), reverse=order == "-name")
    else:
        rows.sort(key=lambda row: (getattr(row, order).casefold(), -row.score, row.name.casefold()))


def risk_rows(
    *,
    user: Any,
    filters: RiskFilters,
    today: dt.date | None = None,
    weights: RiskWeights | None = None,
) -> list[RiskRow]:
    """Every open place the user may see, with its live score, filtered and sorted (the
    view pages the list). A handful of queries for any number of places."""
    if not roles.can(user, "planning.view"):
        return []
    places = Place.objects.restrict(user, "view").filter(status=Place.Status.OPEN)
    if filters.region:
        places = places.filter(region_id__in=region_descendant_ids([filters.region]))
    if filters.category:
        places = places.filter(category_id=filters.category)
    weights = weights or risk.current_weights()
    with risk.collector_paused():  # tens of thousands of rows: see `risk.collector_paused`
        found = list(places.order_by().values_list("pk", "name", "category__name", "region__name"))
        if not found:
            return []
        scores = risk.compute(
            place_ids=[row[0] for row in found],
            today=today or timezone.localdate(),
            weights=weights.weights,
            viewer=user,
        )
        rows = [
            RiskRow(pk, name, category or "", region or "", scores[pk])
            for pk, name, category, region in found
            if pk in scores
        ]
        _sort(rows, filters.order if filters.order in ORDERINGS else "-score")
    return rows


def place_for_risk(*, user: Any, pk: int) -> Place | None:
    """The place, if the user may see it and planning at all; None otherwise (a 404)."""
    if not roles.can(user, "planning.view"):
        return None
    return (
        Place.objects.restrict(user, "view")
        .select_related("category", "region")
        .filter(pk=pk)
        .first()
    )


def place_risk(
    *, user: Any, place: Place, today: dt.date | None = None, weights: RiskWeights | None = None
) -> PlaceRisk | None:
    """The place's live score as the user may see it; None for a closed place."""
    weights = weights or risk.current_weights()
    scores = risk.compute(
        place_ids=[place.pk],
        today=today or timezone.localdate(),
        weights=weights.weights,
        viewer=user,
    )
    return scores.get(place.pk)


def place_history(*, user: Any, place: Place) -> list[RiskSnapshot]:
    """The place's snapshots, oldest first (the latest 200), as the user may see them.

    A snapshot's breakdown counts confidential records too: pages show its score and
    date, never its figures."""
    if not Place.objects.restrict(user, "view").filter(pk=place.pk).exists():
        return []
    latest = (
        RiskSnapshot.objects.restrict(user, "view")
        .filter(place=place)
        .select_related("weights")
        .order_by("-computed_at", "-pk")[:HISTORY_LIMIT]
    )
    return list(reversed(list(latest)))


def weights_versions(*, user: Any) -> list[RiskWeights]:
    """Every version of the weights, newest first (the defaults saved as version 1)."""
    if not roles.can(user, "planning.view"):
        return []
    risk.current_weights()
    return list(RiskWeights.objects.restrict(user, "view").select_related("created_by"))
