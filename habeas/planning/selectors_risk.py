"""Reads of the risk model (¶10): the risk list, one place's breakdown and its history.

Places come through `Place.objects.restrict(user, "view")`; the scores shown are
computed live for the places shown, with the reader as `viewer`, so a factor drawn from
records the reader may not see stays masked (see `risk.compute`).

The list ranks every open place the reader may see. Scoring all of them live takes about
a second at 20,000 places, so when the nightly `risk_refresh` has left a snapshot taken
with the weights in use (at most `RANKING_DAYS` old), the list is ranked by the scores of
that snapshot and only the rows of the page read are computed live (`RiskRows`); the page
says which day ranked it. Places the snapshot does not hold (opened since) are scored
live. Without such a snapshot, every place is scored live, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import Max
from django.utils import timezone

from habeas.accounts import roles
from habeas.places.models import Place
from habeas.places.selectors import region_descendant_ids
from habeas.planning import risk
from habeas.planning.models import RiskSnapshot, RiskWeights
from habeas.planning.risk import FactorScore, PlaceRisk

ORDERINGS = ("-score", "score", "name", "-name", "category", "region")
HISTORY_LIMIT = 200
# The orderings that need every place's score (the others rank by name alone).
BY_SCORE = ("-score", "score", "category", "region")
# A snapshot older than this no longer ranks the list: every place is scored live.
RANKING_DAYS = 7


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


# A place of the list before its live score is read: what ranks it. A plain tuple (there
# are 20,000): id, name, category, region, and the snapshot's score or the live one (0
# when the order needs none). `_sort` reads it by position.
_Entry = tuple[int, str, str, str, float]


def _sort(entries: list[_Entry], order: str) -> None:
    """Highest score first by default; ties and groups in name order."""
    if order == "-score":
        entries.sort(key=lambda e: (-e[4], e[1].casefold(), e[0]))
    elif order == "score":
        entries.sort(key=lambda e: (e[4], e[1].casefold(), e[0]))
    elif order in ("name", "-name"):
        entries.sort(key=lambda e: (e[1].casefold(), e[0]), reverse=order == "-name")
    elif order == "category":
        entries.sort(key=lambda e: (e[2].casefold(), -e[4], e[1].casefold()))
    else:
        entries.sort(key=lambda e: (e[3].casefold(), -e[4], e[1].casefold()))


class RiskRows(Sequence[RiskRow]):
    """The ranked list; a row's live score and breakdown are computed when it is read.

    A page (a slice) costs one `risk.compute` of its own places; reading them all, one
    compute of every place. `ranked_on` is the day of the snapshot that ranked the list,
    None when it was ranked by live scores (or by name)."""

    def __init__(
        self,
        entries: list[_Entry],
        *,
        user: Any,
        today: dt.date,
        weights: RiskWeights,
        ranked_on: dt.date | None,
        scored: dict[int, PlaceRisk] | None = None,
    ) -> None:
        self._entries = entries
        self._user, self._today, self._weights = user, today, weights
        self._scored: dict[int, PlaceRisk] = dict(scored or {})
        self.ranked_on = ranked_on

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> RiskRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[RiskRow]: ...

    def __getitem__(self, index: int | slice) -> RiskRow | list[RiskRow]:
        if isinstance(index, slice):
            return self._rows(self._entries[index])
        rows = self._rows([self._entries[index]])
        if not rows:
            raise IndexError(index)  # closed since it was ranked
        return rows[0]

    def __iter__(self) -> Iterator[RiskRow]:
        return iter(self._rows(self._entries))

    def _rows(self, entries: list[_Entry]) -> list[RiskRow]:
        wanted = [entry[0] for entry in entries if entry[0] not in self._scored]
        if wanted:
            with risk.collector_paused():
                self._scored.update(
                    risk.compute(
                        place_ids=wanted,
                        today=self._today,
                        weights=self._weights.weights,
                        viewer=self._user,
                    )
                )
        return [
            RiskRow(pk, name, category, region, scored)
            for pk, name, category, region, _score in entries
            if (scored := self._scored.get(pk)) is not None
        ]


def _day_after(today: dt.date) -> dt.datetime:
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    return timezone.make_aware(midnight, timezone.get_current_timezone())


def ranking_snapshot(
    *, user: Any, weights: RiskWeights, today: dt.date
) -> tuple[dt.datetime | None, dict[int, float]]:
    """The latest `risk_refresh` taken with these weights, on or before `today` and at
    most `RANKING_DAYS` old: its time and every place's score in it; (None, {}) if none."""
    snapshots = RiskSnapshot.objects.restrict(user, "view").filter(weights=weights).order_by()
    end = _day_after(today)
    at = snapshots.filter(
        computed_at__lt=end, computed_at__gte=end - dt.timedelta(days=RANKING_DAYS + 1)
    ).aggregate(at=Max("computed_at"))["at"]
    if at is None:
        return None, {}
    return at, dict(snapshots.filter(computed_at=at).values_list("place_id", "score"))


def risk_rows(
    *,
    user: Any,
    filters: RiskFilters,
    today: dt.date | None = None,
    weights: RiskWeights | None = None,
) -> Sequence[RiskRow]:
    """Every open place the user may see, ranked, filtered and sorted (see `ranked`)."""
    return ranked(user=user, filters=filters, today=today, weights=weights)


def ranked(
    *,
    user: Any,
    filters: RiskFilters,
    today: dt.date | None = None,
    weights: RiskWeights | None = None,
) -> RiskRows:
    """Every open place the user may see, ranked, filtered and sorted; each row's live
    score is computed when it is read (the view pages the list, so only the page's), and
    `ranked_on` says which snapshot ranked it."""
    today = today or timezone.localdate()
    weights = weights or risk.current_weights()
    if not roles.can(user, "planning.view"):
        return RiskRows([], user=user, today=today, weights=weights, ranked_on=None)
    places = Place.objects.restrict(user, "view").filter(status=Place.Status.OPEN)
    if filters.region:
        places = places.filter(region_id__in=region_descendant_ids([filters.region]))
    if filters.category:
        places = places.filter(category_id=filters.category)
    order = filters.order if filters.order in ORDERINGS else "-score"
    with risk.collector_paused():  # tens of thousands of rows: see `risk.collector_paused`
        found = list(places.order_by().values_list("pk", "name", "category__name", "region__name"))
        ranked_on: dt.date | None = None
        ranks: dict[int, float] = {}
        scored: dict[int, PlaceRisk] = {}
        if found and order in BY_SCORE:
            at, ranks = ranking_snapshot(user=user, weights=weights, today=today)
            unranked = [row[0] for row in found if row[0] not in ranks]
            if at is not None and ranks:
                ranked_on = timezone.localdate(at)
            else:
                unranked = [row[0] for row in found]
            if unranked:
                # No snapshot (or places opened since it): score these live, once.
                scored = risk.compute(
                    place_ids=unranked, today=today, weights=weights.weights, viewer=user
                )
                ranks = {**ranks, **{pk: place.score for pk, place in scored.items()}}
            found = [row for row in found if row[0] in ranks]
        entries: list[_Entry] = [
            (pk, name, category or "", region or "", ranks.get(pk, 0.0))
            for pk, name, category, region in found
        ]
        _sort(entries, order)
    return RiskRows(
        entries, user=user, today=today, weights=weights, ranked_on=ranked_on, scored=scored
    )


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
