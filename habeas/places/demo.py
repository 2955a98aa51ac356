"""The demo NPM: a fictional country's inventory of places of detention (¶9, 10, 36).

`demo_load(scale=..., seed=...)` builds, in one transaction and under one audit event,
regions and districts, the authorities that supervise and must answer the NPM, places
in the proportions a real NPM sees, their units and two years of quarterly population,
and one staff account per role. The same seed always builds the same country: every
choice comes from one `random.Random(seed)`, every date from `REFERENCE_DATE`.
Nothing here names a real person.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from habeas.accounts.demo import DemoAccount, demo_accounts_create
from habeas.core import audit
from habeas.places.models import (
    Authority,
    Category,
    Place,
    PopulationGroup,
    PopulationRecord,
    Region,
    Unit,
)

REFERENCE_DATE = date(2026, 9, 30)
SCALES = {"small": 300, "national": 6000, "large": 20000}
# (regions, districts per region) by scale
LAYOUT = {"small": (8, (2, 4)), "national": (13, (5, 9)), "large": (16, (9, 15))}
BATCH = 2000
QUARTERS = 8
BOUNDS = ((44.0, 50.0), (2.0, 10.0))  # latitude, longitude of the fictional country

# Share of places per category (percent), after what a national NPM's inventory holds.
# fmt: off
MIX: dict[str, float] = {
    "police-custody": 65.0, "prison-remand": 1.5, "prison-sentenced": 2.5, "psychiatric": 6.0,
    "social-care": 10.0, "juvenile": 3.0, "court-cells": 3.0, "asylum-centre": 2.0,
    "sobering-up": 1.5, "immigration-detention": 1.2, "halfway-house": 1.2,
    "customs-custody": 1.0, "waiting-zone": 0.6, "military": 0.5, "transfer-removal": 0.5,
    "other": 0.5,
}
# fmt: on


@dataclass(frozen=True)
class Profile:
    """How places of one category look: names, size, who runs and supervises them."""

    names: tuple[str, ...]
    capacity: tuple[int, int]
    units: tuple[int, int]
    unit_names: tuple[str, ...]
    supervisor: str
    private: float = 0.0
    visited: float = 0.5
    visit_years: int = 6
    occupancy: tuple[float, float] = (0.5, 1.0)
    groups: dict[str, float] = field(default_factory=dict)


# fmt: off
CELLS = ("Cell block A", "Cell block B", "Cell block C")
WINGS = ("Wing A", "Wing B", "Wing C", "Wing D", "Wing E", "Wing F", "Wing G", "Wing H")
PRISON_UNITS = ("Segregation unit", "Health care unit", "Reception unit", "Semi-open unit",
                "Vulnerable prisoners unit")
PRISON = WINGS + PRISON_UNITS
WARDS = ("Admission ward", "Closed ward", "Open ward", "Secure ward", "Geriatric ward",
         "Adolescent ward")
FLOORS = ("Ground floor", "First floor", "Second floor", "Dementia unit", "Garden wing")
BLOCKS = ("Men's block", "Women's block", "Families' block", "Isolation rooms")
ROOMS = ("Main area", "Holding rooms")
YOUTH = ("Unit A", "Unit B", "Closed unit", "Girls' unit")

PROFILES: dict[str, Profile] = {
    "police-custody": Profile(("{town} police station", "{town} gendarmerie post",
        "{town} central police station"), (2, 20), (1, 3), CELLS, "police", visited=0.3,
        occupancy=(0.1, 0.9), groups={"women": 0.1}),
    "prison-remand": Profile(("{town} remand prison", "{town} remand centre"), (80, 900),
        (4, 12), PRISON, "prisons", private=0.1, visited=1.0, visit_years=4,
        occupancy=(0.9, 1.5), groups={"women": 0.4, "foreigners": 0.7, "minorities": 0.3,
        "lgbti": 0.1, "disabilities": 0.2}),
    "prison-sentenced": Profile(("{town} prison", "{town} penitentiary", "{town} open prison"),
        (150, 1500), (4, 12), PRISON, "prisons", private=0.1, visited=1.0,
        visit_years=4, occupancy=(0.8, 1.3), groups={"women": 0.3, "foreigners": 0.5,
        "minorities": 0.3, "elderly": 0.2, "disabilities": 0.2}),
    "psychiatric": Profile(("{town} psychiatric hospital", "{town} mental health centre",
        "{town} general hospital, psychiatric wing"), (40, 500), (2, 6), WARDS, "health",
        private=0.25, visited=0.7, occupancy=(0.8, 1.1), groups={"disabilities": 0.9,
        "women": 0.6, "elderly": 0.3}),
    "social-care": Profile(("{town} care home", "{town} nursing home",
        "{town} home for persons with disabilities"), (30, 250), (1, 4), FLOORS, "social",
        private=0.6, visited=0.35, occupancy=(0.85, 1.0), groups={"elderly": 0.8,
        "disabilities": 0.6, "women": 0.5}),
    "juvenile": Profile(("{town} juvenile centre", "{town} closed educational centre",
        "{town} youth detention centre"), (10, 80), (1, 4), YOUTH, "juvenile", private=0.2,
        visited=0.8, visit_years=4, occupancy=(0.6, 1.1), groups={"children": 1.0,
        "women": 0.2, "foreigners": 0.3}),
    "court-cells": Profile(("{town} court cells", "{town} courthouse holding cells"), (4, 30),
        (1, 2), ROOMS, "court", visited=0.3, occupancy=(0.1, 0.8)),
    "asylum-centre": Profile(("{town} reception centre for asylum seekers",), (50, 600),
        (2, 5), BLOCKS, "asylum", private=0.4, visited=0.4, occupancy=(0.6, 1.2),
        groups={"foreigners": 1.0, "children": 0.5, "women": 0.7}),
    "sobering-up": Profile(("{town} sobering-up station",), (4, 20), (1, 2), ROOMS, "police",
        visited=0.3, occupancy=(0.1, 0.8)),
    "immigration-detention": Profile(("{town} immigration detention centre",
        "{town} administrative detention centre"), (20, 200), (2, 5), BLOCKS, "border",
        private=0.2, visited=0.9, visit_years=4, occupancy=(0.6, 1.2),
        groups={"foreigners": 1.0, "women": 0.4, "children": 0.2}),
    "halfway-house": Profile(("{town} halfway house", "{town} probation hostel"), (10, 60),
        (1, 2), ROOMS, "prisons", private=0.5, visited=0.3, occupancy=(0.6, 1.0)),
    "customs-custody": Profile(("{town} customs post",), (2, 8), (1, 2), ROOMS, "customs",
        visited=0.3, occupancy=(0.0, 0.6), groups={"foreigners": 0.6}),
    "waiting-zone": Profile(("{town} airport waiting zone", "{town} port waiting zone"),
        (10, 120), (1, 3), BLOCKS, "border", visited=0.7, visit_years=4,
        occupancy=(0.3, 1.0), groups={"foreigners": 1.0, "children": 0.3}),
    "military": Profile(("{town} garrison detention", "{town} naval base brig"), (5, 40),
        (1, 2), ROOMS, "defence", visited=0.4, occupancy=(0.0, 0.7)),
    "transfer-removal": Profile(("{town} removal escort base", "{town} transfer unit"),
        (5, 40), (1, 2), ROOMS, "border", visited=0.5, occupancy=(0.2, 0.9),
        groups={"foreigners": 1.0}),
    "other": Profile(("{town} holding facility", "{town} transit rooms"), (5, 50), (1, 2),
        ROOMS, "interior", visited=0.3, occupancy=(0.2, 0.9)),
}

QUARTERS_OF_TOWN = ("North", "South", "East", "West", "Harbour", "Old Town", "Station",
    "Riverside", "Market", "Hill", "Airport", "Central", "University", "Lakeside", "Bridge",
    "Castle", "Park", "Canal", "Fairground", "Industrial estate")
STREETS = ("Main Street", "Church Road", "Mill Lane", "River Road", "Station Road",
    "Market Square", "Harbour Road", "Hill Street", "Bridge Street", "Park Avenue",
    "School Lane", "Forest Road", "Canal Street", "Garden Row", "Court Street")
ONSETS = ("Val", "Mor", "Est", "Bran", "Cor", "Dun", "Fel", "Gar", "Hal", "Ist", "Kar", "Lor",
    "Mar", "Nor", "Orm", "Pel", "Ros", "Sel", "Tor", "Ul", "Ven", "Wes", "Zar", "Aul", "Bel",
    "Cal", "Dor", "Ern", "Fal", "Gil", "Har", "Lin", "Mel", "Ost", "Ram", "Tal")
MIDDLES = ("a", "e", "i", "o", "an", "en", "ar", "or", "il", "el", "", "", "")
ENDINGS = ("mora", "via", "dor", "heim", "ville", "burg", "stad", "ona", "ac", "ec", "ino",
    "ast", "mont", "ford", "vik", "sel", "an", "ia", "ora", "enne", "ay", "wick", "lund",
    "oz", "ara", "is")
# fmt: on

# key, name, kind, statutory response deadline (days), reports to
NATIONAL_AUTHORITIES = (
    ("justice", "Ministry of Justice", Authority.Kind.MINISTRY, 60, None),
    ("interior", "Ministry of the Interior", Authority.Kind.MINISTRY, 60, None),
    ("ministry_health", "Ministry of Health", Authority.Kind.MINISTRY, 60, None),
    ("ministry_social", "Ministry of Social Affairs", Authority.Kind.MINISTRY, 60, None),
    ("defence", "Ministry of Defence", Authority.Kind.MINISTRY, 60, None),
    ("parliament", "Parliament, Human Rights Committee", Authority.Kind.PARLIAMENT, 90, None),
    ("customs", "Directorate-General of Customs", Authority.Kind.SUPERVISORY, 60, None),
    ("prisons", "Prison Administration", Authority.Kind.SUPERVISORY, 30, "justice"),
    ("juvenile", "Directorate of Juvenile Justice", Authority.Kind.SUPERVISORY, 30, "justice"),
    ("border", "Border Police Directorate", Authority.Kind.SUPERVISORY, 30, "interior"),
    ("asylum", "Office for Asylum and Reception", Authority.Kind.SUPERVISORY, 30, "interior"),
)
# key, name pattern (the region's name), kind, response deadline (days), reports to
REGIONAL_AUTHORITIES = (
    ("police", "{} Police Directorate", Authority.Kind.SUPERVISORY, 30, "interior"),
    ("health", "{} Regional Health Agency", Authority.Kind.SUPERVISORY, 60, "ministry_health"),
    ("social", "{} Social Affairs Department", Authority.Kind.SUPERVISORY, 60, "ministry_social"),
    ("prosecutor", "Public Prosecutor of {}", Authority.Kind.PROSECUTOR, 30, "justice"),
    ("court", "{} Court of Appeal", Authority.Kind.COURT, 60, None),
)
# fmt: off
REF_PREFIX = {
    "police-custody": "POL", "prison-remand": "PRR", "prison-sentenced": "PRS",
    "psychiatric": "PSY", "social-care": "SOC", "juvenile": "JUV", "court-cells": "CRT",
    "asylum-centre": "ASY", "sobering-up": "SOB", "immigration-detention": "IMM",
    "halfway-house": "HWH", "customs-custody": "CUS", "waiting-zone": "WZN",
    "military": "MIL", "transfer-removal": "TRF", "other": "OTH",
}
# fmt: on
UNOFFICIAL_CATEGORIES = ("police-custody", "military", "other")
UNOFFICIAL_NOTE = "Not on the authorities' list of places of detention; reported to the NPM."
URGENT_CONTACT = "Duty officer, day and night"
POPULATION_SOURCE = "Quarterly return of the supervising authority"


class DemoRefused(Exception):
    """The demo will not load here (production, or an inventory that is not empty)."""


@dataclass(frozen=True)
class DemoSummary:
    scale: str
    seed: int
    regions: int
    authorities: int
    places: int
    units: int
    population_records: int
    accounts: tuple[DemoAccount, ...]
    seconds: float

    def counts(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "seed": self.seed,
            "regions": self.regions,
            "authorities": self.authorities,
            "places": self.places,
            "units": self.units,
            "population_records": self.population_records,
            "accounts": sum(account.created for account in self.accounts),
        }


def demo_load(*, scale: str, seed: int) -> DemoSummary:
    """Build the fictional country into an empty inventory; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    if scale not in SCALES:
        raise DemoRefused(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    started = time.perf_counter()
    with transaction.atomic():
        if Place.objects.exists():
            raise DemoRefused(
                "The inventory already holds places; the demo loads only into an empty one."
            )
        accounts = demo_accounts_create(now=timezone.now())
        builder = _Country(random.Random(seed), scale)  # noqa: S311 - fiction, not secrets
        builder.build()
        summary = DemoSummary(
            scale=scale,
            seed=seed,
            regions=builder.region_count,
            authorities=len(builder.authorities),
            places=builder.place_count,
            units=builder.unit_count,
            population_records=builder.population_count,
            accounts=tuple(accounts),
            seconds=0.0,
        )
        audit.record(actor=None, action="demo.load", detail=summary.counts())
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


def category_counts(total: int) -> dict[str, int]:
    """Split `total` places by MIX, largest remainders first, so the shares are exact."""
    exact = {code: total * share / 100 for code, share in MIX.items()}
    counts = {code: math.floor(value) for code, value in exact.items()}
    by_remainder = sorted(exact, key=lambda code: (counts[code] - exact[code], code))
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    return counts


@dataclass
class _District:
    region: Region
    district: Region
    towns: list[str]
    lat: float
    lon: float
    cell: tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max
    postcode: str


class _Country:
    """Builds the country row by row in memory and writes it in batches."""

    def __init__(self, rng: random.Random, scale: str) -> None:
        self.rng = rng
        self.scale = scale
        self.used_names: set[str] = set()
        self.districts: list[_District] = []
        self.authorities: list[Authority] = []
        self.supervisors: dict[tuple[str, int | None], Authority] = {}
        self.region_count = self.place_count = self.unit_count = self.population_count = 0

    def build(self) -> None:
        self._regions()
        self._authorities()
        self._places()

    # -- names ---------------------------------------------------------------------------

    def _name(self) -> str:
        rng = self.rng
        while True:
            name = rng.choice(ONSETS) + rng.choice(MIDDLES) + rng.choice(ENDINGS)
            if name not in self.used_names and len(name) > 4:
                self.used_names.add(name)
                return name

    # -- regions -------------------------------------------------------------------------

    def _regions(self) -> None:
        region_total, (low, high) = LAYOUT[self.scale]
        country = Region(name=f"Republic of {self._name()}", code="DEMO")
        regions = [
            Region(name=self._name(), code=f"DEMO-{i + 1:02d}", parent=country)
            for i in range(region_total)
        ]
        districts: list[tuple[Region, Region, tuple[float, float, float, float]]] = []
        for region, cell in zip(regions, _grid(region_total), strict=True):
            for d in range(self.rng.randint(low, high)):
                district = Region(
                    name=self._name(), code=f"{region.code}-{d + 1:02d}", parent=region
                )
                districts.append((region, district, cell))
        Region.objects.bulk_create([country])
        Region.objects.bulk_create(regions)
        Region.objects.bulk_create([district for _, district, _ in districts], batch_size=BATCH)
        self.region_count = 1 + len(regions) + len(districts)
        for number, (region, district, cell) in enumerate(districts):
            towns = [district.name] + [self._name() for _ in range(self.rng.randint(2, 8))]
            lat, lon = self._point_in(cell, margin=0.15)
            postcode = f"{number + 10:03d}"
            self.districts.append(_District(region, district, towns, lat, lon, cell, postcode))

    def _point_in(
        self, cell: tuple[float, float, float, float], margin: float
    ) -> tuple[float, float]:
        lat_min, lat_max, lon_min, lon_max = cell
        lat_pad, lon_pad = (lat_max - lat_min) * margin, (lon_max - lon_min) * margin
        return (
            self.rng.uniform(lat_min + lat_pad, lat_max - lat_pad),
            self.rng.uniform(lon_min + lon_pad, lon_max - lon_pad),
        )

    # -- authorities ---------------------------------------------------------------------

    def _authorities(self) -> None:
        # Parents first: a child's foreign key is taken from its saved parent.
        for tier in (0, 1):
            created = []
            for key, name, kind, days, parent in NATIONAL_AUTHORITIES:
                if (parent is None) == (tier == 0):
                    created.append(self._authority(key, None, name, kind, days, parent))
            Authority.objects.bulk_create(created)
        regions = list({d.region.pk: d.region for d in self.districts}.values())
        created = [
            self._authority(key, region, pattern.format(region.name), kind, days, parent)
            for region in regions
            for key, pattern, kind, days, parent in REGIONAL_AUTHORITIES
        ]
        Authority.objects.bulk_create(created, batch_size=BATCH)

    def _authority(
        self, key: str, region: Region | None, name: str, kind: str, days: int, parent: str | None
    ) -> Authority:
        slug = "".join(ch if ch.isalnum() else "." for ch in name.lower()).strip(".")[:48]
        authority = Authority(
            name=name,
            kind=kind,
            region=region,
            parent=self.supervisors[(parent, None)] if parent else None,
            response_days=days,
            email=f"{slug}@gov.demo.habeas.test",
            urgent_contact="" if kind == Authority.Kind.PARLIAMENT else URGENT_CONTACT,
        )
        self.authorities.append(authority)
        self.supervisors[(key, region.pk if region else None)] = authority
        return authority

    def _supervisor(self, key: str, region: Region) -> Authority:
        return self.supervisors.get((key, region.pk)) or self.supervisors[(key, None)]

    # -- places --------------------------------------------------------------------------

    def _places(self) -> None:
        rng = self.rng
        total = SCALES[self.scale]
        codes = [code for code, count in category_counts(total).items() for _ in range(count)]
        rng.shuffle(codes)
        self.categories = {c.code: c for c in Category.objects.filter(code__in=MIX)}
        self.groups = dict(PopulationGroup.objects.values_list("code", "pk"))
        weights = [rng.uniform(0.3, 3.0) for _ in self.districts]
        districts = rng.choices(self.districts, weights=weights, k=total)
        closed = set(rng.sample(range(total), k=max(2, total // 50)))
        hidden = [i for i, code in enumerate(codes) if code in UNOFFICIAL_CATEGORIES]
        unofficial = set(rng.sample(hidden, k=min(len(hidden), max(2, total // 300))))
        for start in range(0, total, BATCH):
            batch = [
                self._place(i, codes[i], districts[i], i in closed, i in unofficial)
                for i in range(start, min(total, start + BATCH))
            ]
            Place.objects.bulk_create([place for place, _ in batch])
            self._contents(batch)
        self.place_count = total

    def _place(
        self, index: int, code: str, where: _District, closed: bool, unofficial: bool
    ) -> tuple[Place, list[str]]:
        rng, profile = self.rng, PROFILES[code]
        town = rng.choice(where.towns)
        lat, lon = self._near(where)
        closed_on = REFERENCE_DATE - timedelta(days=rng.randint(60, 900)) if closed else None
        place = Place(
            name=self._place_name(rng.choice(profile.names).format(town=town)),
            external_ref=f"{REF_PREFIX[code]}-{index + 1:06d}",
            category=self.categories[code],
            operator=self._operator(profile),
            authority=self._supervisor(profile.supervisor, where.region),
            region=where.district,
            address=f"{rng.randint(1, 180)} {rng.choice(STREETS)}, "
            f"{where.postcode}{rng.randint(0, 99):02d} {town}",
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lon:.6f}"),
            capacity=rng.randint(*profile.capacity),
            official=not unofficial,
            status=Place.Status.CLOSED if closed else Place.Status.OPEN,
            closed_on=closed_on,
            last_visit_on=self._last_visit(profile, closed_on),
            notes=UNOFFICIAL_NOTE if unofficial else "",
        )
        groups = [group for group, share in profile.groups.items() if rng.random() < share]
        return place, groups

    def _operator(self, profile: Profile) -> str:
        private = self.rng.random() < profile.private
        return Place.Operator.PRIVATE if private else Place.Operator.PUBLIC

    def _place_name(self, base: str) -> str:
        name = base
        attempt = 0
        while name in self.used_names:
            attempt += 1
            quarter = self.rng.choice(QUARTERS_OF_TOWN)
            name = f"{base}, {quarter}" if attempt < 6 else f"{base}, {quarter} {attempt}"
        self.used_names.add(name)
        return name

    def _near(self, where: _District) -> tuple[float, float]:
        lat_min, lat_max, lon_min, lon_max = where.cell
        lat = min(lat_max, max(lat_min, self.rng.gauss(where.lat, 0.07)))
        lon = min(lon_max, max(lon_min, self.rng.gauss(where.lon, 0.1)))
        return lat, lon

    def _last_visit(self, profile: Profile, closed_on: date | None) -> date | None:
        if self.rng.random() >= profile.visited:
            return None
        latest = closed_on or REFERENCE_DATE
        return latest - timedelta(days=self.rng.randint(14, profile.visit_years * 365 - 1))

    # -- what each place holds -----------------------------------------------------------

    def _contents(self, batch: list[tuple[Place, list[str]]]) -> None:
        units: list[Unit] = []
        population: list[PopulationRecord] = []
        through = Place.groups.through
        held: list[Any] = []
        for place, groups in batch:
            units.extend(self._units(place, groups))
            population.extend(self._population(place))
            held.extend(
                through(place_id=place.pk, populationgroup_id=self.groups[code])
                for code in groups
                if code in self.groups
            )
        Unit.objects.bulk_create(units, batch_size=BATCH)
        PopulationRecord.objects.bulk_create(population, batch_size=BATCH)
        through.objects.bulk_create(held, batch_size=BATCH)
        self.unit_count += len(units)
        self.population_count += len(population)

    def _units(self, place: Place, groups: list[str]) -> list[Unit]:
        rng, profile = self.rng, PROFILES[place.category.code]
        count = rng.randint(*profile.units)
        if profile.unit_names is PRISON:
            special = rng.sample(PRISON_UNITS, k=rng.randint(1, min(len(PRISON_UNITS), count // 2)))
            if "women" in groups:
                special.append("Women's unit")
            names = list(WINGS[: max(1, count - len(special))]) + special
        else:
            names = list(profile.unit_names[:count])
        size = max(1, (place.capacity or 0) // len(names))
        return [Unit(place=place, name=name, capacity=size) for name in names]

    def _population(self, place: Place) -> Iterator[PopulationRecord]:
        rng, profile = self.rng, PROFILES[place.category.code]
        capacity = place.capacity or 0
        level, trend = rng.uniform(*profile.occupancy), rng.uniform(-0.03, 0.04)
        for step, day in enumerate(QUARTER_ENDS):
            rate = level + trend * step + rng.gauss(0, 0.04)
            if place.closed_on is not None and day >= place.closed_on:
                continue
            yield PopulationRecord(
                place=place,
                recorded_on=day,
                population=max(0, round(capacity * rate)),
                source=POPULATION_SOURCE,
            )


def _quarter_ends(last: date, count: int) -> tuple[date, ...]:
    ends = []
    year, month = last.year, last.month
    for _ in range(count):
        following = date(year + (month == 12), month % 12 + 1, 1)
        ends.append(following - timedelta(days=1))
        year, month = (year, month - 3) if month > 3 else (year - 1, month + 9)
    return tuple(reversed(ends))


def _grid(count: int) -> Iterator[tuple[float, float, float, float]]:
    """Cut the country's bounding box into `count` cells, one per region."""
    (lat_min, lat_max), (lon_min, lon_max) = BOUNDS
    columns = math.ceil(math.sqrt(count * (lon_max - lon_min) / (lat_max - lat_min)))
    rows = math.ceil(count / columns)
    height, width = (lat_max - lat_min) / rows, (lon_max - lon_min) / columns
    for index in range(count):
        row, column = divmod(index, columns)
        south, west = lat_min + row * height, lon_min + column * width
        yield south, south + height, west, west + width


QUARTER_ENDS = _quarter_ends(REFERENCE_DATE, QUARTERS)
