"""The demo NPM's visit programme (¶10, 11, 35, 36).

`load(scale=..., seed=...)` runs after the places, visits, cases and recommendations demos
(`manage.py demo`), in the same transaction. It builds what an NPM plans for the quarter
after today:

- a programme with staff-days for every region (in proportion to its open places, scarce
  as a real NPM's: a few hundred staff-days a quarter for a small NPM), at least one visit
  per region, staff-days per profession (medical members included), 20 % kept in reserve,
  trips shared by region;
- one place avoided this quarter (visited by the ombudsman), with its reason;
- some of the visiting staff away for a week or two;
- the programme built with the real solvers (a short search: 5 seconds), one left-out
  category or region justified, and a team proposed for every planned visit.

Everything is written through the services, by the demo's head and monitor, so it is
audited exactly as in use. The same seed builds the same programme; dates follow today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from habeas.accounts.demo import demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.demo import DemoRefused
from habeas.places.models import Category, Place, Region
from habeas.planning import inputs, selectors, services, services_risk, services_teams
from habeas.planning.models import PlannedVisit, Programme, Unavailability
from habeas.visits.models import TeamProfile

# Staff-days a quarter for the whole NPM, and those of its medical members, by scale.
STAFF_DAYS = {"small": 320, "national": 1600, "large": 2600}
MEDICAL_DAYS = {"small": 40, "national": 160, "large": 260}
OTHER_PROFESSIONS = {"lawyer": 0.3, "social_worker": 0.2, "psychologist": 0.1, "other": 0.1}
# Visits a quarter, reserve included, after DOMAIN.md's scale: 10–60 visits a year for a
# small NPM, 110–150 for a national one, 40–70 for a large federal one.
# A small NPM's follow-ups proposed from overdue recommendations are mandatory, so its
# quarter is a busy one.
MAX_VISITS = {"small": 28, "national": 40, "large": 24}
SEARCH_SECONDS = 5.0
AWAY = 4  # people away for part of the quarter


@dataclass
class PlanningDemoSummary:
    programme: int
    period: str
    visits: int
    objective: float
    gap: float
    left_out: int
    justified: int
    proposals: int
    unavailabilities: int
    seconds: float = 0.0

    def describe(self) -> str:
        """One line for `manage.py demo`."""
        return (
            f"Planning: the programme for {self.period} with {self.visits} visits "
            f"(gap {100 * self.gap:.1f} % to the proven bound), {self.left_out} regions or "
            f"categories left out ({self.justified} justified), {self.proposals} team "
            f"proposals, {self.unavailabilities} absences ({self.seconds:.1f} s)."
        )


def next_quarter(today: dt.date) -> str:
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)
    return f"{year}-Q{quarter}"


def load(*, scale: str, seed: int = 1, today: dt.date | None = None) -> PlanningDemoSummary:
    """Build the demo's programme for the quarter after `today`; refuse in production or
    when a programme exists already."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    if scale not in STAFF_DAYS:
        raise DemoRefused(f"Unknown scale {scale!r}: choose one of {', '.join(STAFF_DAYS)}.")
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        if Programme.objects.exists():
            raise DemoRefused("Programmes exist already; the demo loads only into none.")
        rng = random.Random(seed * 7919 + 29)  # noqa: S311 - fiction, not secrets
        summary = _Builder(rng, scale, today).build()
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


demo_load_planning = load


def _person(role: str) -> User:
    user = User.objects.filter(email=demo_email(role)).first()
    if user is None:
        raise DemoRefused(f"The demo account {demo_email(role)} is missing.")
    return user


class _Builder:
    def __init__(self, rng: random.Random, scale: str, today: dt.date) -> None:
        self.rng, self.scale, self.today = rng, scale, today
        self.head = _person(Role.HEAD)
        self.monitor = _person(Role.MONITOR)

    def build(self) -> PlanningDemoSummary:
        # Today's scores, so the risk list is ranked from a snapshot from the start and each
        # place's history has a first point.
        services_risk.risk_refresh(actor=None, today=self.today)
        programme = services.programme_create(
            actor=self.monitor,
            data={
                "period": next_quarter(self.today),
                "title": f"Visit programme {next_quarter(self.today)}",
            },
        )
        programme = services.programme_update(
            actor=self.monitor,
            programme=programme,
            data={"max_visits": MAX_VISITS[self.scale]},
            expected_version=programme.version,
        )
        self._capacity(programme)
        self._avoid_one(programme)
        absences = self._absences(programme)
        services.programme_build(actor=self.monitor, programme=programme, enqueue=False)
        services.programme_solve(programme_id=programme.pk, time_limit=SEARCH_SECONDS)
        programme.refresh_from_db()
        if programme.status != Programme.Status.BUILT:
            raise DemoRefused(f"The demo programme could not be built: {programme.failure}")
        justified = self._justify(programme)
        proposals = services_teams.teams_build(
            actor=self.monitor, programme=programme, time_limit=SEARCH_SECONDS
        )
        programme.refresh_from_db()
        left = programme.left_out or {}
        return PlanningDemoSummary(
            programme=programme.pk,
            period=programme.period,
            visits=PlannedVisit.objects.filter(programme=programme).count(),
            objective=programme.objective or 0.0,
            gap=programme.gap or 0.0,
            left_out=len(left.get("regions", [])) + len(left.get("categories", [])),
            justified=justified,
            proposals=proposals,
            unavailabilities=absences,
        )

    def _capacity(self, programme: Programme) -> None:
        """Staff-days for every top region in proportion to its open places."""
        tops = list(Region.objects.filter(parent__isnull=True).values_list("pk", flat=True))
        levels = Region.objects.filter(parent_id__in=tops)
        # One country above its regions: the regions carry the capacity.
        stated = (
            levels if len(tops) == 1 and levels.exists() else Region.objects.filter(pk__in=tops)
        )
        roots = inputs.capacity_regions(stated.values_list("pk", flat=True))
        counts: dict[int, int] = {}
        for region_id, count in (
            Place.objects.filter(status=Place.Status.OPEN, region__isnull=False)
            .order_by()
            .values("region_id")
            .annotate(count=Count("pk"))
            .values_list("region_id", "count")
        ):
            root = roots.get(region_id, region_id)
            counts[root] = counts.get(root, 0) + count
        total_places = sum(counts.values()) or 1
        total = STAFF_DAYS[self.scale]
        regions = {
            region: (max(8, round(total * count / total_places)), 1)
            for region, count in sorted(counts.items())
        }
        medical = MEDICAL_DAYS[self.scale]
        professions = {
            "doctor": medical // 2,
            "psychiatrist": medical // 4,
            "nurse": medical - medical // 2 - medical // 4,
            **{name: round(total * share) for name, share in OTHER_PROFESSIONS.items()},
        }
        juvenile = Category.objects.filter(code="juvenile").first()
        categories = {juvenile.pk: (None, 1)} if juvenile else {}
        services.capacity_save(
            actor=self.monitor,
            programme=programme,
            regions=regions,
            professions=professions,
            categories=categories,
            expected_version=programme.version,
        )
        programme.refresh_from_db()

    def _avoid_one(self, programme: Programme) -> None:
        place = (
            Place.objects.filter(status=Place.Status.OPEN, category__code="prison-remand")
            .order_by("pk")
            .first()
        )
        if place is not None:
            services.place_rule_set(
                actor=self.monitor,
                programme=programme,
                place=place,
                kind="avoid",
                note="Visited in depth by the ombudsman's office last month.",
            )

    def _absences(self, programme: Programme) -> int:
        weeks = inputs.week_starts(programme)
        people = list(
            TeamProfile.objects.filter(user__is_active=True)
            .select_related("user")
            .order_by("user__email")
        )
        chosen = self.rng.sample(people, k=min(AWAY, len(people)))
        for profile in chosen:
            first = self.rng.randrange(0, len(weeks) - 2)
            length = self.rng.choice((1, 2))
            services_teams.unavailability_add(
                actor=self.head,
                user=profile.user,
                starts_on=weeks[first],
                ends_on=weeks[first + length - 1] + dt.timedelta(days=4),
                note=self.rng.choice(("Annual leave", "Training abroad", "Court hearing")),
            )
        return Unavailability.objects.count()

    def _justify(self, programme: Programme) -> int:
        """Justify every left-out region and category but one, which the head still owes."""
        regions, categories = selectors.left_out(programme)
        targets: list[tuple[str, Any]] = [("category", c) for c, _none in categories]
        targets += [("region", r) for r, _none in regions]
        for kind, target in targets[:-1]:
            text = (
                f"{target.name}: visited in depth within its interval; this quarter's few "
                "visits go to places with higher risk, and it is planned for a later quarter."
                if kind == "category"
                else f"{target.name}: its places were visited last quarter; the regional "
                "office's staff are on the thematic review of police custody."
            )
            services.justification_save(
                actor=self.head, programme=programme, **{kind: target}, text=text
            )
        return max(len(targets) - 1, 0)
