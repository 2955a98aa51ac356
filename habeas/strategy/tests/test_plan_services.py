"""The plan's services and the figures other parts read (selectors), counted by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.strategy import selectors, services
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective
from habeas.strategy.tests.factories_plan import (
    make_activity,
    make_line,
    make_objective,
    visit_at,
)
from habeas.visits.models import Visit

pytestmark = pytest.mark.django_db
D = Decimal


# -- who may write -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["monitor", "doctor", "expert", "comms", "admin", "auditor"])
def test_only_head_and_data_officer_write_the_plan(personas, name):
    with pytest.raises(PermissionDenied):
        make_objective(personas[name])
    assert not Objective.objects.exists()


def test_data_officer_writes_and_every_write_is_audited(personas):
    actor = personas["data_officer"]
    objective = make_objective(actor)
    activity = make_activity(actor, objective)
    line = make_line(actor, activity=activity)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == [
        "strategy.objective_create",
        "strategy.activity_create",
        "strategy.line_create",
    ]
    assert line.activity == activity


# -- refusals: bad input changes nothing ----------------------------------------------------


def test_objective_years_out_of_order_refused(personas):
    with pytest.raises(ValidationError) as error:
        make_objective(personas["head"], first_year=2026, last_year=2024)
    assert "last_year" in error.value.message_dict
    assert not Objective.objects.exists()


def test_activity_outside_objective_years_refused(personas):
    head = personas["head"]
    objective = make_objective(head, first_year=2024, last_year=2025)
    with pytest.raises(ValidationError) as error:
        make_activity(head, objective, year=2027)
    assert "2024" in error.value.message_dict["year"][0]
    assert not Activity.objects.exists()


def test_visits_activity_refuses_entered_staff_days(personas):
    head = personas["head"]
    objective = make_objective(head)
    with pytest.raises(ValidationError) as error:
        make_activity(head, objective, spent_staff_days=D("12"))
    assert "spent_staff_days" in error.value.message_dict
    assert not Activity.objects.exists()


def test_negative_money_refused(personas):
    head = personas["head"]
    objective = make_objective(head)
    with pytest.raises(ValidationError) as error:
        make_activity(head, objective, kind=ActivityKind.TRAINING, planned_money=D("-5"))
    assert "planned_money" in error.value.message_dict
    with pytest.raises(ValidationError):
        make_line(head, spent=D("-1"))
    assert not BudgetLine.objects.exists()


def test_line_must_match_its_activity(personas):
    head = personas["head"]
    activity = make_activity(head, make_objective(head), year=2025)
    with pytest.raises(ValidationError) as error:
        make_line(head, activity=activity, year=2024)
    assert "activity" in error.value.message_dict
    with pytest.raises(ValidationError):
        make_line(head, activity=activity, kind=ActivityKind.TRAINING)
    assert not BudgetLine.objects.exists()


def test_objective_years_cannot_drop_its_activities(personas):
    head = personas["head"]
    objective = make_objective(head, first_year=2023, last_year=2026)
    make_activity(head, objective, year=2023)
    with pytest.raises(ValidationError):
        services.objective_update(
            actor=head, objective=objective, expected_version=1, first_year=2024
        )
    objective.refresh_from_db()
    assert objective.first_year == 2023


# -- edits from the version read ---------------------------------------------------------------


def test_stale_activity_edit_refused_and_audited(personas):
    head = personas["head"]
    activity = make_activity(head, make_objective(head), kind=ActivityKind.AWARENESS)
    services.activity_update(actor=head, activity=activity, expected_version=1, title="Radio")
    stale = Activity.objects.get(pk=activity.pk)
    with pytest.raises(StaleEdit):
        services.activity_update(actor=head, activity=stale, expected_version=1, title="TV")
    stale.refresh_from_db()
    assert stale.title == "Radio"
    assert AuditEvent.objects.filter(action="strategy.activity_update_stale").count() == 1


def test_activity_update_sets_categories(personas):
    head = personas["head"]
    police = CategoryFactory(code="police-custody")
    activity = make_activity(head, make_objective(head))
    services.activity_update(
        actor=head, activity=activity, expected_version=activity.version, categories=[police]
    )
    assert list(activity.categories.all()) == [police]
    event = AuditEvent.objects.filter(action="strategy.activity_update").get()
    assert event.detail == {"fields": ["categories"]}


def test_delete_objective_keeps_its_budget_lines(personas):
    head = personas["head"]
    objective = make_objective(head)
    activity = make_activity(head, objective)
    line = make_line(head, activity=activity)
    services.objective_delete(actor=head, objective=objective)
    assert not Activity.objects.exists()
    line.refresh_from_db()
    assert line.activity is None


# -- staff-days counted from the visits ---------------------------------------------------------


@pytest.fixture
def year_2025(personas, make_user):
    """Two places, four visits; counted by hand:

    - V1 police custody in R1, 10–12 March 2025 (3 days), lead + 1 member + 1 interpreter:
      3 × 2 = 6 staff-days;
    - V2 prison in R2, 1 June 2025 (1 day), lead + 2 members: 1 × 3 = 3;
    - V3 police custody, November 2025, still planned: not spent, not counted;
    - V4 police custody, 2024: another year.
    """
    head = personas["head"]
    police, prison = CategoryFactory(code="police-custody"), CategoryFactory(code="prison-remand")
    r1, r2 = RegionFactory(), RegionFactory()
    station = PlaceFactory(category=police, region=r1)
    jail = PlaceFactory(category=prison, region=r2)
    m1, m2, m3, interp = (make_user("monitor") for _ in range(4))
    visit_at(
        station,
        head,
        dt.date(2025, 3, 10),
        dt.date(2025, 3, 12),
        members=[m1],
        interpreters=[interp],
    )
    visit_at(jail, head, dt.date(2025, 6, 1), members=[m2, m3])
    visit_at(station, head, dt.date(2025, 11, 5), state=Visit.State.PLANNED, members=[m1])
    visit_at(station, head, dt.date(2024, 5, 1), members=[m1, m2])
    return {"police": police, "prison": prison, "r1": r1, "r2": r2}


def test_visits_activity_counts_days_times_team(personas, year_2025):
    head = personas["head"]
    objective = make_objective(head)
    everything = make_activity(head, objective, planned_staff_days=D("20"))
    police_only = make_activity(head, objective, categories=[year_2025["police"]])
    region_two = make_activity(head, objective, regions=[year_2025["r2"]])
    assert selectors.activity_spent_staff_days(everything) == D("9")
    assert selectors.activity_spent_staff_days(police_only) == D("6")
    assert selectors.activity_spent_staff_days(region_two) == D("3")
    rows = selectors.visit_days(selectors.covered_visits(police_only))
    assert [(r.days, r.members, r.interpreters) for r in rows] == [(3, 2, 1)]


def test_other_kinds_read_the_entered_figure(personas):
    head = personas["head"]
    objective = make_objective(head)
    entered = make_activity(head, objective, kind=ActivityKind.LEGISLATION, spent_staff_days=4)
    empty = make_activity(head, objective, kind=ActivityKind.TRAINING)
    assert selectors.activity_spent_staff_days(entered) == D("4")
    assert selectors.activity_spent_staff_days(empty) is None


def test_staff_days_totals_count_each_visit_once(personas, year_2025):
    head = personas["head"]
    objective = make_objective(head)
    make_activity(head, objective, planned_staff_days=D("20"))
    make_activity(head, objective, categories=[year_2025["police"]], planned_staff_days=D("10"))
    make_activity(
        head,
        objective,
        kind=ActivityKind.LEGISLATION,
        planned_staff_days=5,
        spent_staff_days=D("4.5"),
    )
    make_activity(head, objective, kind=ActivityKind.TRAINING, planned_staff_days=3)
    totals = selectors.staff_days_totals(2025)
    # V1 and V2 once each (6 + 3), although the second activity covers V1 again.
    assert totals["visits"]["planned"] == D("30")
    assert totals["visits"]["spent"] == D("9")
    assert totals["legislation"]["spent"] == D("4.5")
    assert (totals["training"]["spent"], totals["training"]["missing"]) == (D("0"), 1)


# -- money ----------------------------------------------------------------------------------


def test_budget_totals_by_kind(personas):
    head = personas["head"]
    make_line(head, planned=D("1000"), spent=D("800"))
    make_line(head, label="Per diem", planned=D("500"), spent=D("700"))
    make_line(head, kind=ActivityKind.TRAINING, label="Course", planned=D("300"), spent=0)
    make_line(head, year=2024, planned=D("9999"), spent=D("9999"))
    totals = selectors.budget_totals(2025)
    visits = totals["by_kind"]["visits"]
    assert (visits["planned"], visits["spent"], visits["lines"]) == (D("1500"), D("1500"), 2)
    assert visits["execution"] == D("100.0")
    assert totals["by_kind"]["training"]["execution"] == D("0.0")
    assert totals["by_kind"]["awareness"]["execution"] is None
    # 1800 planned, 1500 spent: 83.3 %.
    assert (totals["planned"], totals["spent"], totals["lines"]) == (D("1800"), D("1500"), 3)
    assert totals["execution"] == D("83.3")
