"""The demo NPM's strategy, budget, rules of procedure and training (¶5–8, 35–37).

`demo_load_strategy(scale=..., seed=...)` runs after the visits demo (`manage.py demo`),
in the same transaction and under one audit event of its own. It builds:

- four strategic objectives over four years (two years back to next year), with
  activities of all five kinds in each of the last two years and the current one: their
  selection criteria, planned and spent staff-days and money, indicators, outcomes and
  lessons learnt. Past years are done (one activity dropped); in the current year each
  activity is done, under way or still planned according to today's month, and partly
  spent. A visits activity names the categories of places (and, for one, the regions) its
  visits cover, and leaves its spent staff-days empty: they are counted from the visits;
  its planned staff-days are set from the visits of its year, so that planned and spent
  compare as a real plan would;
- budget lines for those years: one per activity that costs money, and general lines per
  kind (interpreters, travel, publications…), planned against spent. The money of visits
  follows the visits recorded, as a real NPM's would: a visits activity costs
  `VISIT_STAFF_DAY_COST` per staff-day of its visits, the general visit lines a sum per
  visit (planned for the year's programme, spent for the visits that took place);
- the rules of procedure of every ¶8 area, some in two versions, acknowledged by most of
  the staff: the latest data protection version is still awaited from several members;
- training histories (through the visits service, each audited): the trainings their
  visits needed, taken before the visits by some members, after them or not at all by
  others, so that training needs remain; refresher courses; and this year's training
  plan with entries planned, done and cancelled.

Rows of this app are written directly, keeping the invariants the services keep (version
numbers 1, 2…; one acknowledgement per member and version, after its issue; versions
never edited), and backdated where history needs it. The same seed builds the same
strategy; dates follow today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from habeas.accounts import roles
from habeas.accounts.demo import demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.assessment.demo import SPT_EMAIL
from habeas.core import audit
from habeas.places.demo import SCALES, DemoRefused
from habeas.places.models import Category, Region
from habeas.places.selectors import region_descendant_ids
from habeas.strategy import demo_text as text
from habeas.strategy import selectors
from habeas.strategy.demo_training import TrainingBuilder
from habeas.strategy.models import (
    Acknowledgement,
    Activity,
    ActivityKind,
    BudgetLine,
    Objective,
    Policy,
    PolicyVersion,
)
from habeas.visits.models import TeamAssignment, Visit

S = Activity.Status
YEARS_BACK = 2
# A version acknowledged by everyone after this many days; newer ones are still awaited.
SETTLED_DAYS = 180
CENT = Decimal("0.01")


@dataclass
class StrategyDemoSummary:
    objectives: int = 0
    activities: int = 0
    budget_lines: int = 0
    policies: int = 0
    policy_versions: int = 0
    acknowledgements: int = 0
    awaiting: int = 0
    training_records: int = 0
    plan_entries: int = 0
    training_needs: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, Any]:
        counts = asdict(self)
        counts.pop("seconds")
        return counts

    def describe(self) -> str:
        """One line for `manage.py demo`."""
        return (
            f"Strategy: {self.objectives} objectives with {self.activities} activities, "
            f"{self.budget_lines} budget lines; {self.policies} policies in "
            f"{self.policy_versions} versions ({self.acknowledgements} acknowledgements, "
            f"{self.awaiting} awaited); {self.training_records} training records, "
            f"{self.plan_entries} training plan entries, {self.training_needs} training "
            f"needs open ({self.seconds:.1f} s)."
        )


def demo_load_strategy(*, scale: str, seed: int) -> StrategyDemoSummary:
    """Build the demo's strategy into an app that holds none; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    if scale not in SCALES:
        raise DemoRefused(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    started = time.perf_counter()
    with transaction.atomic():
        if Objective.objects.exists() or Policy.objects.exists():
            raise DemoRefused("The strategy already holds objectives or policies.")
        rng = random.Random(f"strategy-{seed}")  # noqa: S311 - fiction, not secrets
        summary = _Strategy(rng, today=timezone.localdate()).build()
        audit.record(actor=None, action="demo.load_strategy", detail=summary.counts())
    summary.seconds = time.perf_counter() - started
    return summary


def _account(role: str) -> User:
    user = User.objects.filter(email=demo_email(role)).first()
    if user is None:
        raise DemoRefused(f"The demo account {demo_email(role)} is missing.")
    return user


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _money(value: float) -> Decimal:
    return Decimal(round(value)).quantize(CENT)


def _days(value: float) -> Decimal:
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.1"))


class _Strategy:
    def __init__(self, rng: random.Random, *, today: dt.date) -> None:
        self.rng, self.today = rng, today
        self.head = _account(Role.HEAD)
        self.data_officer = _account(Role.DATA_OFFICER)
        self.first_year = today.year - YEARS_BACK
        length = 366 if calendar.isleap(today.year) else 365
        self.elapsed = today.timetuple().tm_yday / length
        self.summary = StrategyDemoSummary()

    def build(self) -> StrategyDemoSummary:
        objectives = self._objectives()
        activities = self._activities(objectives)
        self._budget(activities)
        self._policies()
        TrainingBuilder(self.rng, self.today, self.head, self.summary).build()
        return self.summary

    # -- plan --------------------------------------------------------------------------

    def _objectives(self) -> dict[str, Objective]:
        made = {}
        for position, spec in enumerate(text.OBJECTIVES):
            made[spec.code] = Objective.objects.create(
                code=spec.code,
                title=spec.title,
                description=spec.description,
                first_year=self.first_year,
                last_year=self.today.year + 1,
                position=position,
                created_by=self.head,
            )
        adopted = _aware(dt.date(self.first_year - 1, 12, 12))
        Objective.objects.filter(pk__in=[o.pk for o in made.values()]).update(created_at=adopted)
        self.summary.objectives = len(made)
        return made

    def _activities(self, objectives: dict[str, Objective]) -> list[Activity]:
        made = []
        for spec in text.ACTIVITIES:
            categories = list(Category.objects.filter(code__in=spec.categories))
            regions = self._busy_regions(categories) if spec.regional else []
            for offset in spec.offsets:
                made.append(
                    self._activity(objectives[spec.objective], spec, offset, categories, regions)
                )
        self.summary.activities = len(made)
        return made

    def _status(self, spec: text.ActivitySpec, offset: int, year: int) -> tuple[str, float]:
        """The activity's status and the share of it carried out so far."""
        if spec.dropped_in == offset:
            return S.DROPPED, 0.15
        if year < self.today.year:
            return S.DONE, 1.0
        first, last = spec.months
        month = self.today.month
        if last < month:
            return S.DONE, 1.0
        if first <= month:
            return S.UNDER_WAY, (month - first + 0.5) / (last - first + 1)
        return S.PLANNED, 0.0

    def _activity(
        self,
        objective: Objective,
        spec: text.ActivitySpec,
        offset: int,
        categories: list[Category],
        chosen: list[Region],
    ) -> Activity:
        rng = self.rng
        year = self.first_year + offset
        status, share = self._status(spec, offset, year)
        visits = spec.kind == ActivityKind.VISITS
        planned_money = spec.money * 1.04**offset * rng.uniform(0.9, 1.1)
        if visits:
            planned_days = max(
                6.0, self._visit_days(year, categories, chosen) * rng.uniform(1.0, 1.3)
            )
            planned_money = planned_days * text.VISIT_STAFF_DAY_COST
        else:
            planned_days = spec.staff_days * rng.uniform(0.9, 1.15)
        spent_days = None
        spent_money = None
        factor = 1.0
        if status != S.PLANNED:
            factor = rng.uniform(0.85, 1.08)
            spent_money = _money(planned_money * share * factor)
            if not visits:
                spent_days = _days(planned_days * share * rng.uniform(0.8, 1.2))
        done = status in (S.DONE, S.DROPPED)
        outcome: dict[str, str] = {
            S.DONE: spec.outcome,
            S.UNDER_WAY: spec.so_far,
            S.DROPPED: spec.dropped_note,
        }
        activity = Activity.objects.create(
            objective=objective,
            kind=spec.kind,
            title=spec.title,
            year=year,
            status=status,
            selection_criteria=spec.criteria,
            planned_staff_days=_days(planned_days),
            spent_staff_days=spent_days,
            planned_money=_money(round(planned_money, -2)),
            spent_money=spent_money,
            indicators=spec.indicators,
            outcomes=outcome.get(status, ""),
            lessons=spec.lessons if done else "",
            created_by=self.data_officer,
        )
        if categories:
            activity.categories.set(categories)
        if chosen:
            activity.regions.set(chosen)
        if visits and status != S.PLANNED:
            # The money spent follows the staff-days its visits took (as the page counts
            # them), at the day's cost give or take a little (the same draw as any
            # activity's, so that the rest of the demo stays as it was).
            days = selectors.activity_spent_staff_days(activity) or Decimal(0)
            cost = float(days) * text.VISIT_STAFF_DAY_COST * factor
            activity.spent_money = _money(cost)
            Activity.objects.filter(pk=activity.pk).update(spent_money=activity.spent_money)
        Activity.objects.filter(pk=activity.pk).update(created_at=_aware(dt.date(year - 1, 12, 15)))
        return activity

    def _busy_regions(self, categories: list[Category]) -> list[Region]:
        """The two regions (below the country) where most of the plan's visits to places
        of these categories took place."""
        top = list(Region.objects.filter(parent__isnull=False, parent__parent__isnull=True))
        counts = {region.pk: 0 for region in top}
        visits = Visit.objects.filter(starts_on__year__gte=self.first_year)
        if categories:
            visits = visits.filter(place__category__in=categories)
        for region, parent in visits.values_list("place__region", "place__region__parent"):
            key = region if region in counts else parent
            if key in counts:
                counts[key] += 1
        return sorted(top, key=lambda region: (-counts[region.pk], region.code))[:2]

    def _visit_days(self, year: int, categories: list[Category], regions: list[Region]) -> float:
        """Days × team members (interpreters apart) of the year's visits these cover,
        whatever their state (the plan counts those still to come)."""
        visits = Visit.objects.filter(starts_on__year=year)
        if categories:
            visits = visits.filter(place__category__in=categories)
        if regions:
            inside = region_descendant_ids(region.pk for region in regions)
            visits = visits.filter(place__region__in=sorted(inside))
        total = 0
        members = _team_sizes(visits.values_list("pk", flat=True))
        for pk, starts, ends in visits.values_list("pk", "starts_on", "ends_on"):
            total += ((ends - starts).days + 1) * members.get(pk, 0)
        return float(total)

    # -- budget --------------------------------------------------------------------------

    def _budget(self, activities: list[Activity]) -> None:
        rng = self.rng
        lines = [
            BudgetLine(
                year=activity.year,
                kind=activity.kind,
                activity=activity,
                label=activity.title[:200],
                planned=activity.planned_money,
                spent=activity.spent_money or Decimal("0.00"),
                note=text.UNDERSPENT_NOTE if activity.status == S.DROPPED else "",
                created_by=self.data_officer,
            )
            for activity in activities
            if activity.planned_money
        ]
        for offset in range(YEARS_BACK + 1):
            year = self.first_year + offset
            lines.extend(self._visit_lines(year))
            for kind, label, base in text.GENERAL_LINES:
                planned = round(base * 1.04**offset * rng.uniform(0.95, 1.05), -2)
                if year < self.today.year:
                    share = rng.uniform(0.78, 1.12)
                else:
                    share = self.elapsed * rng.uniform(0.85, 1.05)
                spent = planned * share
                note = ""
                if spent > planned * 1.02:
                    note = text.OVERSPENT_NOTE
                elif year < self.today.year and spent < planned * 0.85:
                    note = text.UNDERSPENT_NOTE
                lines.append(
                    BudgetLine(
                        year=year,
                        kind=kind,
                        label=label,
                        planned=_money(planned),
                        spent=_money(spent),
                        note=note,
                        created_by=self.data_officer,
                    )
                )
        BudgetLine.objects.bulk_create(lines)
        self.summary.budget_lines = len(lines)

    def _visit_lines(self, year: int) -> list[BudgetLine]:
        """The general visit lines (interpreters, travel, experts): planned per visit of
        the year's programme, spent per visit that took place, give or take a tenth."""
        rng = self.rng
        planned_visits = max(Visit.objects.filter(starts_on__year=year).count(), 1)
        held = selectors.year_visits(year).count()
        lines = []
        for label, per_visit in text.VISIT_LINES:
            planned = round(per_visit * planned_visits * rng.uniform(0.95, 1.05), -2)
            spent = per_visit * held * rng.uniform(0.9, 1.1)
            note = text.OVERSPENT_NOTE if spent > planned * 1.02 else ""
            lines.append(
                BudgetLine(
                    year=year,
                    kind=ActivityKind.VISITS,
                    label=label,
                    planned=_money(planned),
                    spent=_money(spent),
                    note=note,
                    created_by=self.data_officer,
                )
            )
        return lines

    # -- policies --------------------------------------------------------------------------

    def _policies(self) -> None:
        # Who is asked to acknowledge: the staff, not the auditor (who only reads).
        members = [
            user
            for user in User.objects.filter(is_active=True).exclude(email=SPT_EMAIL).order_by("pk")
            if roles.can(user, "policies.acknowledge")
        ]
        # Who is slow to acknowledge a new version: always someone, never the head.
        slow = [m for m in members if m.pk != self.head.pk]
        for spec in text.POLICIES:
            policy = Policy.objects.create(area=spec.area, title=spec.title, created_by=self.head)
            issued = []
            for number, (years_ago, note, body) in enumerate(spec.versions, start=1):
                effective = self.today - dt.timedelta(days=round(years_ago * 365))
                version = PolicyVersion.objects.create(
                    policy=policy,
                    number=number,
                    text=body,
                    effective_on=effective,
                    change_note=note,
                    issued_by=self.head,
                )
                issued_at = _aware(effective - dt.timedelta(days=14))
                PolicyVersion.objects.filter(pk=version.pk).update(issued_at=issued_at)
                issued.append((version, issued_at, number == len(spec.versions)))
            Policy.objects.filter(pk=policy.pk).update(created_at=issued[0][1])
            for version, issued_at, current in issued:
                self._acknowledge(version, issued_at, members, slow, current=current)
            self.summary.policies += 1
            self.summary.policy_versions += len(issued)

    def _acknowledge(
        self,
        version: PolicyVersion,
        issued_at: dt.datetime,
        members: list[User],
        slow: list[User],
        *,
        current: bool,
    ) -> None:
        rng = self.rng
        now = timezone.now()
        age = (now - issued_at).days
        if current and age < SETTLED_DAYS:
            missing = set(rng.sample([m.pk for m in slow], min(len(slow), max(2, len(slow) // 3))))
        elif current:
            missing = {rng.choice(slow).pk} if slow and rng.random() < 0.5 else set()
        else:
            missing = set()
        rows = [Acknowledgement(version=version, user=m) for m in members if m.pk not in missing]
        Acknowledgement.objects.bulk_create(rows)
        for row in rows:
            row.at = min(
                issued_at
                + dt.timedelta(
                    days=rng.randint(0, min(45, max(age - 1, 0))), hours=rng.randint(1, 7)
                ),
                now - dt.timedelta(hours=1),
            )
        Acknowledgement.objects.bulk_update(rows, ["at"])
        self.summary.acknowledgements += len(rows)
        if current:
            self.summary.awaiting += len(missing)


def _team_sizes(visit_ids: Iterable[int]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    rows = TeamAssignment.objects.filter(visit__in=list(visit_ids)).exclude(
        role=TeamAssignment.Role.INTERPRETER
    )
    for visit_id in rows.values_list("visit_id", flat=True):
        sizes[visit_id] = sizes.get(visit_id, 0) + 1
    return sizes
