"""The demo's strategy (`demo_load_strategy`): a plan with activities of every kind in each
of the last three years, budget lines planned against spent, the rules of procedure of
every ¶8 area acknowledged by most but not all of the staff, and training histories that
leave real training needs."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.assessment.demo import SPT_EMAIL
from habeas.core.models import AuditEvent
from habeas.core.tests import shared_demo
from habeas.places.demo import DemoRefused
from habeas.strategy.demo import demo_load_strategy
from habeas.strategy.models import (
    Acknowledgement,
    Activity,
    ActivityKind,
    BudgetLine,
    Objective,
    Policy,
    PolicyArea,
    PolicyVersion,
    TrainingPlanEntry,
)
from habeas.visits.models import TeamAssignment, TrainingRecord
from habeas.visits.team_checks import needed_trainings

# The demo the command loads, shared with the other demo tests (`shared_demo.py`).
pytestmark = shared_demo.MARKS
SEED = shared_demo.SEED


def years() -> tuple[int, int, int]:
    today = timezone.localdate()
    return today.year - 2, today.year - 1, today.year


def test_objectives_span_the_plan_with_every_kind_of_activity_each_year(demo):
    objectives = Objective.objects.all()
    assert 3 <= objectives.count() <= 4
    first, _, current = years()
    assert set(objectives.values_list("first_year", "last_year")) == {(first, current + 1)}
    for year in years():
        kinds = set(Activity.objects.filter(year=year).values_list("kind", flat=True))
        assert kinds == set(ActivityKind.values), year
    assert not Activity.objects.exclude(year__in=years()).exists()
    for activity in Activity.objects.all():
        assert activity.title and activity.selection_criteria and activity.indicators
        assert activity.planned_staff_days > 0 and activity.planned_money > 0


def test_visits_activities_leave_spent_days_to_the_visits_and_others_enter_them(demo):
    visits = Activity.objects.filter(kind=ActivityKind.VISITS)
    assert visits.exists() and not visits.exclude(spent_staff_days=None).exists()
    assert not visits.annotate(n=Count("categories")).filter(n=0).exists()
    assert visits.annotate(n=Count("regions")).filter(n__gt=0).exists()
    started = Activity.objects.exclude(status=Activity.Status.PLANNED)
    assert not started.filter(spent_money=None).exists()
    others = started.exclude(kind=ActivityKind.VISITS)
    assert others.exists() and not others.filter(spent_staff_days=None).exists()


def test_past_years_are_done_with_outcomes_and_lessons_and_one_was_dropped(demo):
    past = Activity.objects.filter(year__lt=timezone.localdate().year)
    assert set(past.values_list("status", flat=True)) == {"done", "dropped"}
    assert not past.filter(outcomes="").exists() and not past.filter(lessons="").exists()
    current = Activity.objects.filter(year=timezone.localdate().year)
    assert current.exclude(status__in=["done", "dropped"]).exists()


def test_budget_lines_for_each_year_and_kind_with_the_current_year_partly_spent(demo):
    for year in years():
        lines = BudgetLine.objects.filter(year=year)
        assert set(lines.values_list("kind", flat=True)) == set(ActivityKind.values), year
        assert lines.filter(activity__isnull=False).exists()
        assert lines.filter(activity__isnull=True).exists()
    first, last, current = years()
    for year in (first, last):
        totals = BudgetLine.objects.filter(year=year).aggregate(p=Sum("planned"), s=Sum("spent"))
        assert totals["p"] * Decimal("0.75") < totals["s"] < totals["p"] * Decimal("1.15"), year
    totals = BudgetLine.objects.filter(year=current).aggregate(p=Sum("planned"), s=Sum("spent"))
    assert 0 < totals["s"] < totals["p"]
    for line in BudgetLine.objects.exclude(activity=None).select_related("activity"):
        assert line.kind == line.activity.kind and line.year == line.activity.year


def test_every_area_has_its_policies_numbered_in_sequence(demo):
    assert set(Policy.objects.values_list("area", flat=True)) == set(PolicyArea.values)
    for policy in Policy.objects.all():
        numbers = list(policy.versions.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        dates = list(policy.versions.order_by("number").values_list("effective_on", flat=True))
        assert dates == sorted(dates) and dates[-1] <= timezone.localdate()
    revised = Policy.objects.annotate(n=Count("versions")).filter(n__gte=2)
    assert revised.count() >= 2
    assert not PolicyVersion.objects.filter(number__gt=1, change_note="").exists()


def test_most_members_acknowledged_but_someone_has_not(demo):
    # The auditor, who only reads, is not asked to acknowledge.
    members = [
        user
        for user in User.objects.filter(is_active=True).exclude(email=SPT_EMAIL)
        if roles.can(user, "policies.acknowledge")
    ]
    member_ids = {user.pk for user in members}
    awaited = 0
    for policy in Policy.objects.all():
        current = policy.versions.order_by("-number").first()
        acknowledged = set(current.acknowledgements.values_list("user", flat=True))
        assert acknowledged <= member_ids
        awaited += len(member_ids - acknowledged)
    assert awaited > 0
    total = Policy.objects.count() * len(members)
    assert (
        Acknowledgement.objects.filter(
            version__in=[p.versions.order_by("-number").first() for p in Policy.objects.all()]
        ).count()
        > total * 0.7
    )
    for ack in Acknowledgement.objects.select_related("version"):
        assert ack.version.issued_at <= ack.at <= timezone.now()
    assert re.search(rf" acknowledgements, {awaited} awaited\)", demo)


def test_training_needs_remain_and_some_members_are_fully_trained(demo):
    today = timezone.localdate()
    done = set(TrainingRecord.objects.values_list("user", "training"))
    lacking: dict[int, set[str]] = {}
    assigned = set()
    for assignment in TeamAssignment.objects.exclude(role="interpreter").filter(
        visit__ends_on__gte=today - dt.timedelta(days=365)
    ):
        assigned.add(assignment.user_id)
        for training in needed_trainings(assignment.visit):
            if (assignment.user_id, training.pk) not in done:
                lacking.setdefault(assignment.user_id, set()).add(training.code)
    assert lacking, "no training need in the demo"
    assert assigned - set(lacking), "nobody assigned has every training their visits need"
    needs = sum(len(codes) for codes in lacking.values())
    assert f"{needs} training needs open" in demo


def test_training_histories_and_this_years_plan(demo):
    today = timezone.localdate()
    assert TrainingRecord.objects.filter(user__email__startswith="data_officer@").exists()
    refreshed = TrainingRecord.objects.values("user", "training").annotate(n=Count("id"))
    assert refreshed.filter(n__gte=2).exists()
    assert not TrainingRecord.objects.filter(completed_on__gt=today).exists()
    plan = TrainingPlanEntry.objects.filter(year=today.year)
    assert set(plan.values_list("status", flat=True)) == set(TrainingPlanEntry.Status.values)
    for entry in plan.filter(status=TrainingPlanEntry.Status.DONE):
        assert TrainingRecord.objects.filter(
            user=entry.user, training=entry.training, completed_on__year__gte=today.year - 1
        ).exists()
    assert not plan.filter(status=TrainingPlanEntry.Status.PLANNED, reason="").exists()


def test_the_load_is_audited_and_refuses_a_second_time_and_in_production(demo):
    event = AuditEvent.objects.get(action="demo.load_strategy")
    assert event.detail["objectives"] == Objective.objects.count()
    assert f"Strategy: {Objective.objects.count()} objectives" in demo
    with pytest.raises(DemoRefused):
        demo_load_strategy(scale="small", seed=SEED)
    with pytest.raises(DemoRefused), override_settings(HABEAS_ENV="production"):
        demo_load_strategy(scale="small", seed=SEED)
    with pytest.raises(DemoRefused):
        demo_load_strategy(scale="huge", seed=SEED)
