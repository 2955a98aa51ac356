"""The "most overdue first" list, the way a spreadsheet user would build a programme.

Sort the places by the share of their maximum interval already spent (months since the
last in-depth visit ÷ maximum interval, largest first, never-visited places at the top),
then by risk score; go down the list and take a place while its region still has
staff-days (its visit plus, for the first visit of its cluster in a week, the trip); put
it in the next week that has room, taking the weeks in turn, and stop when the period's
visit slots (`max_visits`) are used up. Mandatory places come first (they are the NPM's
own decision), avoided places are skipped.

It serves twice: as the baseline the optimised programme is compared with, and (with a
different order) as the first plan handed to both solvers. `Packer` is also the week
assignment of the optimised programme.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from habeas.planning.solver.types import ProgrammeInput

EPS = 1e-9


def week_capacity(inp: ProgrammeInput) -> NDArray[np.float64]:
    """Staff-days a region may use in one week.

    `week_capacity_share` of the period's capacity, but never less than the period's
    capacity spread evenly over its weeks (so the whole capacity stays usable), nor less
    than the largest single visit (with its trip) that the region could make at all:
    a five-day visit to a large prison takes one week, whatever the share. Rounded up to
    half a staff-day.
    """
    cap = np.asarray(inp.region_capacity, dtype=np.float64)
    weeks = max(int(inp.weeks), 1)
    share = cap * max(float(inp.week_capacity_share), 0.0)
    even = cap / weeks
    largest = np.zeros_like(cap)
    n = len(inp.value)
    if n and len(cap):
        need = np.asarray(inp.staff_days, dtype=np.float64) + max(inp.trip_overhead, 0.0)
        region = np.asarray(inp.region, dtype=np.int64)
        fits = (need <= cap[np.clip(region, 0, len(cap) - 1)] + EPS) & ~np.asarray(inp.avoid)
        ok = fits & (region >= 0) & (region < len(cap))
        np.maximum.at(largest, region[ok], need[ok])
    week = np.maximum(np.maximum(share, even), largest)
    return np.minimum(np.ceil(week * 2 - EPS) / 2, np.maximum(cap, 0.0))


class Packer:
    """Adds visits one at a time, keeping every capacity: region, week, medical, trips,
    and the number of visits (`max_visits`)."""

    def __init__(self, inp: ProgrammeInput, *, round_robin: bool = False) -> None:
        self.inp = inp
        self.cap = np.asarray(inp.region_capacity, dtype=np.float64)
        self.wcap = week_capacity(inp)
        self.weeks = max(int(inp.weeks), 1)
        self.used = np.zeros(len(self.cap))
        self.load = np.zeros((len(self.cap), self.weeks))
        self.trips: set[tuple[int, int, int]] = set()  # (region, cluster, week)
        self.travelled: dict[int, set[int]] = {}  # region -> weeks with a trip
        self.medical = 0.0
        self.medical_cap = np.inf if inp.medical_capacity is None else inp.medical_capacity
        self.max_visits: float = (
            np.inf if inp.max_visits is None else float(max(int(inp.max_visits), 0))
        )
        self.count = 0
        self.round_robin = round_robin
        self.pointer = np.zeros(len(self.cap), dtype=np.int64)
        n = len(inp.value)
        self.chosen = np.zeros(n, dtype=np.bool_)
        self.week = np.full(n, -1, dtype=np.int64)

    @property
    def full(self) -> bool:
        """Every visit slot is taken."""
        return self.count >= self.max_visits

    def _weeks_for(self, i: int, r: int) -> list[int]:
        fixed = int(self.inp.fixed_week[i])
        if 0 <= fixed < self.weeks:
            return [fixed]
        if self.round_robin:
            start = int(self.pointer[r])
            return [(start + k) % self.weeks for k in range(self.weeks)]
        k = int(self.inp.cluster[i])
        shared = [w for w in range(self.weeks) if (r, k, w) in self.trips]
        rest = [w for w in range(self.weeks) if (r, k, w) not in self.trips]
        shared.sort(key=lambda w: self.load[r, w])
        # A new trip goes to the emptiest week and, among those, to the one farthest from
        # the region's other trips, so a region's visits spread over the period instead of
        # piling into its first weeks; regions start at staggered weeks. Which week a trip
        # takes costs no capacity: only the spread changes.
        travelled = self.travelled.get(r, set())
        offset = (r * 5) % self.weeks

        def spread(w: int) -> tuple[float, int, int]:
            gap = min((abs(w - t) for t in travelled), default=self.weeks)
            return (round(float(self.load[r, w]), 6), -gap, (w - offset) % self.weeks)

        rest.sort(key=spread)
        return shared + rest

    def add(self, i: int, *, force: bool = False) -> bool:
        """Take place i if it fits (or, with force, if it fits anywhere in its fixed week)."""
        inp = self.inp
        r = int(inp.region[i])
        if self.chosen[i] or not 0 <= r < len(self.cap):
            return False
        sd = float(inp.staff_days[i])
        md = float(inp.medical_days[i])
        if self.medical + md > self.medical_cap + EPS and not force:
            return False
        if self.full:  # the visit slots are never exceeded, even with force
            return False
        k = int(inp.cluster[i])
        for w in self._weeks_for(i, r):
            trip = inp.trip_overhead if (r, k, w) not in self.trips else 0.0
            fits_week = self.load[r, w] + sd + trip <= self.wcap[r] + EPS
            fits_period = self.used[r] + sd + trip <= self.cap[r] + EPS
            if (fits_week and fits_period) or force:
                self.used[r] += sd + trip
                self.load[r, w] += sd + trip
                self.trips.add((r, k, w))
                self.travelled.setdefault(r, set()).add(w)
                self.medical += md
                self.chosen[i] = True
                self.week[i] = w
                self.count += 1
                if self.round_robin and int(inp.fixed_week[i]) < 0:
                    self.pointer[r] = (w + 1) % self.weeks
                return True
        return False


def overdue_ratio(inp: ProgrammeInput) -> NDArray[np.float64]:
    interval = np.maximum(np.asarray(inp.max_interval, dtype=np.float64), 1e-9)
    return np.asarray(inp.months_since, dtype=np.float64) / interval


def greedy(
    inp: ProgrammeInput, *, share_trips: bool = False
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """The spreadsheet plan: (chosen, week), week -1 where not chosen.

    With `share_trips`, each visit goes to a week its cluster already travels in when
    there is room (a variant for benchmarks: how much of the gain is trips alone)."""
    n = len(inp.value)
    packer = Packer(inp, round_robin=not share_trips)
    if n == 0:
        return packer.chosen, packer.week
    order = np.lexsort((-np.asarray(inp.value), -overdue_ratio(inp)))
    mandatory = np.asarray(inp.mandatory) & ~np.asarray(inp.avoid)
    for i in order[mandatory[order]]:
        packer.add(int(i))
    for i in order[~mandatory[order] & ~np.asarray(inp.avoid)[order]]:
        if packer.full:
            break
        packer.add(int(i))
    return packer.chosen, packer.week
