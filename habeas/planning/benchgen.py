"""Generated visit-programme instances for `plan_bench`: a realistically scarce NPM.

* 12 regions of unequal size; places scattered around each region's centre, grouped into
  trip clusters of about 35 km (visits to one cluster in one week share a trip that
  costs one staff-day).
* The category mix of France's ~6,000 places (DOMAIN.md: 68 % police premises, 3 %
  prisons, 6 % mental-health establishments, …); sizes drawn per category, and visit
  durations and team sizes from the default duration rules (planning migration 0002): a
  police station is half a day for two people, a prison of 800 or more five days for five.
* Maximum intervals ("category cycles"): 48 months by default (DOMAIN.md), 24 for remand
  prisons, juvenile centres and immigration detention, 36 for psychiatric places.
* Months since the last in-depth visit spread evenly over 0–72, one place in ten never
  visited; risk scores skewed (most places low, a few very high: recent allegations).
* Capacity from about 60 staff and 40 external experts: staff give 1.2 days a week to
  visits, experts 6 days a quarter; it is capped at 400 visit slots a quarter (400 ×
  the staff-days of an average visit), of which 20 % is kept in reserve, so the solver
  gets about 320 visits' worth, shared among regions by their number of places. Medical
  members (4 staff, 6 experts) give the medical capacity.
* Each quarter: a few mandatory follow-ups (some pinned to a week), a few places to avoid,
  a minimum of 3 visits per region and 1 per category.

Demand is far above capacity at every scale: at 900 places, about 400 are due within a
quarter; at 20,000, about 9,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from habeas.planning.solver.types import ProgrammeInput

REGIONS = 12
WEEKS = 13
STAFF, EXPERTS = 60, 40
MEDICAL_STAFF, MEDICAL_EXPERTS = 4, 6
STAFF_DAYS_PER_WEEK = 1.2
EXPERT_DAYS_PER_QUARTER = 6.0
VISIT_SLOTS = 400
RESERVE = 0.2
TRIP_OVERHEAD = 1.0
CLUSTER_DEGREES = 0.35

SHORT = ("police-custody", "court-cells", "customs-custody", "sobering-up", "waiting-zone",
         "transfer-removal")  # fmt: skip
PRISONS = ("prison-remand", "prison-sentenced")
MEDIUM = ("immigration-detention", "psychiatric", "juvenile", "social-care", "military",
          "asylum-centre")  # fmt: skip
MEDICAL = ("psychiatric", "social-care")

# code: (share of places, inherent risk 0-5, maximum interval in months)
CATEGORIES: dict[str, tuple[float, int, float]] = {
    "police-custody": (0.68, 5, 48),
    "prison-remand": (0.015, 3, 24),
    "prison-sentenced": (0.015, 2, 48),
    "psychiatric": (0.06, 4, 36),
    "court-cells": (0.05, 3, 48),
    "customs-custody": (0.02, 3, 48),
    "immigration-detention": (0.005, 4, 24),
    "waiting-zone": (0.01, 4, 48),
    "transfer-removal": (0.005, 5, 48),
    "juvenile": (0.01, 4, 24),
    "social-care": (0.08, 3, 48),
    "military": (0.005, 3, 48),
    "sobering-up": (0.01, 3, 48),
    "asylum-centre": (0.02, 2, 48),
    "halfway-house": (0.01, 1, 48),
    "other": (0.005, 2, 48),
}
CODES = list(CATEGORIES)

# The defaults of planning migration 0002: (capacity from, in-depth days, team size).
RULES: dict[str, list[tuple[int, float, int]]] = {
    **{code: [(0, 0.5, 2)] for code in SHORT},
    **{code: [(0, 2.0, 3), (300, 3.0, 4), (800, 5.0, 5)] for code in PRISONS},
    **{code: [(0, 1.0, 3), (150, 2.0, 4)] for code in MEDIUM},
    "halfway-house": [(0, 1.0, 2)],
    "other": [(0, 1.0, 2)],
}


def duration(code: str, size: float) -> tuple[float, int]:
    """In-depth days and team size for a place of this category and size."""
    days, team = RULES[code][0][1:]
    for capacity_from, rule_days, rule_team in RULES[code]:
        if size >= capacity_from:
            days, team = rule_days, rule_team
    return days, team


@dataclass
class BenchYear:
    """One generated NPM; `quarter` gives each quarter's instance."""

    seed: int
    region: NDArray[np.int64]
    category: NDArray[np.int64]
    cluster: NDArray[np.int64]
    size: NDArray[np.float64]
    staff_days: NDArray[np.float64]
    medical_days: NDArray[np.float64]
    months_since: NDArray[np.float64]  # at the start of the year; 1e3 if never visited
    max_interval: NDArray[np.float64]
    signals: NDArray[np.float64]  # the risk score's part that does not depend on time
    latitude: NDArray[np.float64]
    longitude: NDArray[np.float64]
    region_capacity: NDArray[np.float64]  # per quarter, net of the reserve
    medical_capacity: float
    gross_capacity: float  # before the reserve
    max_visits: int | None = None  # visit slots per quarter, net of the reserve

    @property
    def places(self) -> int:
        return len(self.region)

    def value(self, months_since: NDArray[np.float64]) -> NDArray[np.float64]:
        """The risk score: category risk, time since the last visit, other signals."""
        inherent = np.array([CATEGORIES[c][1] for c in CODES])[self.category]
        waited = np.clip(months_since / self.max_interval, 0.0, 1.0)
        return 10.0 * inherent / 5.0 + 15.0 * waited + self.signals

    def quarter(self, q: int, months_since: NDArray[np.float64], *,
                time_limit: float = 60.0) -> ProgrammeInput:  # fmt: skip
        rng = np.random.default_rng([self.seed, q, 7])
        n = self.places
        mandatory = np.zeros(n, dtype=np.bool_)
        fixed_week = np.full(n, -1, dtype=np.int64)
        avoid = np.zeros(n, dtype=np.bool_)
        # Follow-ups: a few of the riskiest places visited recently, two pinned to a week.
        recent = np.nonzero(months_since < 12)[0]
        if len(recent):
            pick = rng.choice(recent, size=min(6, len(recent)), replace=False)
            mandatory[pick] = True
            fixed_week[pick[:2]] = rng.integers(0, WEEKS, size=len(pick[:2]))
        others = np.nonzero(~mandatory)[0]
        avoid[rng.choice(others, size=max(1, n // 200), replace=False)] = True
        present = np.bincount(self.category, minlength=len(CODES)) > 0
        return ProgrammeInput(
            weeks=WEEKS,
            value=self.value(months_since),
            region=self.region,
            category=self.category,
            cluster=self.cluster,
            staff_days=self.staff_days,
            medical_days=self.medical_days,
            months_since=months_since.copy(),
            max_interval=self.max_interval,
            mandatory=mandatory,
            fixed_week=fixed_week,
            avoid=avoid,
            region_capacity=self.region_capacity,
            medical_capacity=self.medical_capacity,
            region_min=np.full(REGIONS, 3, dtype=np.int64),
            category_min=present.astype(np.int64),
            period_months=3.0,
            trip_overhead=TRIP_OVERHEAD,
            time_limit=time_limit,
            seed=self.seed * 10 + q,
            max_visits=self.max_visits,
        )


def generate(places: int, seed: int) -> BenchYear:
    rng = np.random.default_rng([places, seed])
    n = int(places)
    shares = np.array([CATEGORIES[c][0] for c in CODES])
    category = rng.choice(len(CODES), size=n, p=shares / shares.sum())
    weights = rng.dirichlet(np.full(REGIONS, 3.0))
    region = rng.choice(REGIONS, size=n, p=weights)
    centre_lat = 42.5 + 2.8 * (np.arange(REGIONS) // 4)
    centre_lon = -3.0 + 3.2 * (np.arange(REGIONS) % 4)
    latitude = centre_lat[region] + rng.normal(0, 0.6, n)
    longitude = centre_lon[region] + rng.normal(0, 0.8, n)
    cell = np.floor(latitude / CLUSTER_DEGREES) * 1000 + np.floor(longitude / CLUSTER_DEGREES)
    cluster = np.unique(cell, return_inverse=True)[1].astype(np.int64)
    size = np.full(n, 12.0)
    code = np.array(CODES)[category]
    prison = np.isin(code, PRISONS)
    medium = np.isin(code, MEDIUM)
    size[prison] = np.clip(rng.lognormal(np.log(350), 0.8, prison.sum()), 20, 3000)
    size[medium] = np.clip(rng.lognormal(np.log(80), 0.8, medium.sum()), 5, 600)
    days_team = [duration(c, s) for c, s in zip(code, size, strict=True)]
    days = np.array([d for d, _ in days_team])
    team = np.array([t for _, t in days_team], dtype=np.float64)
    staff_days = days * team
    medical_days = np.where(np.isin(code, MEDICAL), days, 0.0)
    months_since = rng.uniform(0, 72, n).round(1)
    months_since[rng.random(n) < 0.1] = 1e3
    max_interval = np.array([CATEGORIES[c][2] for c in CODES], dtype=np.float64)[category]
    signals = 60.0 * rng.beta(0.6, 5.0, n)
    spikes = rng.random(n) < 0.03
    signals[spikes] += rng.uniform(20, 40, spikes.sum())
    # Capacity: what the people can give, capped at the visit slots; reserve taken off.
    people = STAFF * WEEKS * STAFF_DAYS_PER_WEEK + EXPERTS * EXPERT_DAYS_PER_QUARTER
    slots = VISIT_SLOTS * float(staff_days.mean()) if n else 0.0
    gross = min(people, slots)
    per_region = np.bincount(region, minlength=REGIONS).astype(np.float64)
    share = per_region * rng.uniform(0.8, 1.2, REGIONS)
    share = share / share.sum() if share.sum() else np.full(REGIONS, 1 / REGIONS)
    net = np.floor(gross * (1 - RESERVE) * share * 2) / 2
    medical_gross = (MEDICAL_STAFF * WEEKS * STAFF_DAYS_PER_WEEK
                     + MEDICAL_EXPERTS * EXPERT_DAYS_PER_QUARTER)  # fmt: skip
    return BenchYear(
        seed=seed,
        region=region.astype(np.int64),
        category=category.astype(np.int64),
        cluster=cluster,
        size=size.round(),
        staff_days=staff_days,
        medical_days=medical_days,
        months_since=months_since,
        max_interval=max_interval,
        signals=signals.round(2),
        latitude=latitude,
        longitude=longitude,
        region_capacity=net,
        medical_capacity=float(np.floor(medical_gross * (1 - RESERVE))),
        gross_capacity=gross,
        max_visits=int(VISIT_SLOTS * (1 - RESERVE)),
    )
