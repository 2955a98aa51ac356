"""The programme's services: creating, capacity, building with the real solvers, editing
the plan around the NPM's choices, justification and adoption (¶10, 35, 36)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.models import Place
from habeas.planning import selectors, services
from habeas.planning.models import (
    Justification,
    PlaceRule,
    PlannedVisit,
    Programme,
    RegionCapacity,
)
from habeas.planning.tests.factories import build_now, make_country, make_programme, set_capacity
from habeas.visits.models import TeamAssignment, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def country(db: Any) -> Any:
    return make_country()


@pytest.fixture
def built(personas: Any, country: Any) -> Any:
    """A built quarter: North has room for a few visits, South has none."""
    head = personas["head"]
    programme = make_programme(head, trip_sharing="none", trip_overhead_days=Decimal("0"))
    set_capacity(head, programme, {country.north: 40, country.south: 0})
    return build_now(head, programme)


def planned_places(programme: Programme) -> set[int]:
    return set(PlannedVisit.objects.filter(programme=programme).values_list("place_id", flat=True))


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


# -- creating ---------------------------------------------------------------------------------


def test_it_creates_a_quarter_with_its_dates(personas):
    programme = make_programme(personas["monitor"], "2027-q2")

    assert (programme.period, programme.starts_on, programme.ends_on) == (
        "2027-Q2",
        dt.date(2027, 4, 1),
        dt.date(2027, 6, 30),
    )
    assert "planning.programme_create" in actions()


def test_a_new_programme_starts_from_the_latest_capacity(personas, country):
    head = personas["head"]
    first = make_programme(head, reserve_share=Decimal("0.30"))
    set_capacity(head, first, {country.north: (120, 2)}, {"doctor": 10})

    second = make_programme(head, "2027-Q2")

    assert second.reserve_share == Decimal("0.30")
    row = RegionCapacity.objects.get(programme=second)
    assert (row.region_id, row.staff_days, row.min_visits) == (country.north.pk, 120, 2)
    assert second.profession_capacity.get().staff_days == 10


@pytest.mark.parametrize("period", ["2027-Q5", "27-Q1", "next quarter", ""])
def test_it_refuses_a_period_it_cannot_read(personas, period):
    with pytest.raises(ValidationError) as refused:
        make_programme(personas["head"], period)

    assert "period" in refused.value.message_dict
    assert not Programme.objects.exists()


@pytest.mark.parametrize("who", ["data_officer", "doctor", "outsider"])
def test_only_planners_create_programmes(personas, who):
    with pytest.raises(PermissionDenied):
        make_programme(personas[who])


def test_a_stale_capacity_edit_is_refused_and_audited(personas, country):
    head, monitor = personas["head"], personas["monitor"]
    programme = make_programme(head)
    read = programme.version
    set_capacity(monitor, programme, {country.north: 50})
    programme.version = read

    with pytest.raises(StaleEdit):
        set_capacity(head, programme, {country.north: 80})

    assert RegionCapacity.objects.get(programme=programme).staff_days == 50
    assert "planning.capacity_save_stale" in actions()


def test_it_refuses_a_reserve_of_everything(personas):
    programme = make_programme(personas["head"])

    with pytest.raises(ValidationError):
        services.programme_update(
            actor=personas["head"],
            programme=programme,
            data={"reserve_share": Decimal("1.00")},
            expected_version=programme.version,
        )


# -- building ---------------------------------------------------------------------------------


def test_it_builds_within_capacity_net_of_the_reserve(built, country):
    assert built.status == Programme.Status.BUILT
    visits = list(PlannedVisit.objects.filter(programme=built).select_related("place"))
    assert visits
    north = sum(v.staff_days for v in visits if v.place.region_id == country.north.pk)
    assert north <= Decimal("32")  # 40 staff-days, 20 % kept in reserve
    assert all(v.place.region_id != country.south.pk for v in visits)
    assert built.objective is not None and built.bound is not None and built.gap is not None
    assert set(built.comparison) >= {"programme", "greedy"}
    assert built.comparison["programme"]["visits"] == len(visits)
    assert "planning.programme_solve" in actions()


def test_each_visit_says_why_it_was_chosen(built):
    visit = PlannedVisit.objects.filter(programme=built).first()

    sentences = selectors.reasons(visit)

    assert sentences and all(isinstance(s, str) and s for s in sentences)
    # Never visited: overdue against its maximum interval.
    assert any(r["factor"] == "overdue" for r in visit.reasons)


def test_the_reserve_is_shown_in_the_summary(built):
    line = next(x for x in selectors.capacity_summary(built) if x.label == "North")

    assert (line.staff_days, line.reserve, line.net) == (40.0, 8.0, 32.0)


def test_a_region_without_capacity_is_left_out_and_explained(built, country):
    assert built.left_out["regions"] == [country.south.pk]
    texts = selectors.explanations(built)
    assert any("South" in text for text in texts)


def test_a_mandatory_place_is_planned_and_an_avoided_one_never(personas, country):
    head = personas["head"]
    programme = make_programme(head, trip_sharing="none", trip_overhead_days=Decimal("0"))
    set_capacity(head, programme, {country.north: 20, country.south: 20})
    services.place_rule_set(
        actor=head, programme=programme, place=country.north_police_2, kind="mandatory"
    )
    services.place_rule_set(
        actor=head, programme=programme, place=country.south_police, kind="avoid"
    )

    build_now(head, programme)

    chosen = planned_places(programme)
    assert country.north_police_2.pk in chosen
    assert country.south_police.pk not in chosen


def test_a_pinned_visit_keeps_its_week_when_solved_again(personas, built):
    head = personas["head"]
    visit = PlannedVisit.objects.filter(programme=built).first()
    week = services._week(built, built.starts_on + dt.timedelta(days=40))
    services.visit_move(actor=head, planned=visit, week_starts_on=week)

    build_now(head, built)

    again = PlannedVisit.objects.get(programme=built, place=visit.place)
    assert again.pinned and again.week_starts_on == week
    assert again.source == PlannedVisit.Source.PINNED
    assert again.reasons[0]["factor"] == "pinned"


def test_a_removed_visit_stays_out_when_solved_again(personas, built):
    head = personas["head"]
    visit = PlannedVisit.objects.filter(programme=built).first()

    services.visit_remove(actor=head, planned=visit, note="Visited by the ombudsman in May.")
    build_now(head, built)

    assert visit.place_id not in planned_places(built)
    rule = PlaceRule.objects.get(programme=built, place_id=visit.place_id)
    assert rule.kind == PlaceRule.Kind.AVOID


def test_an_added_visit_is_pinned_and_kept(personas, built, country):
    head = personas["head"]
    services.visit_remove(actor=head, planned=PlannedVisit.objects.filter(programme=built).first())
    added = services.visit_add(
        actor=head,
        programme=built,
        place=country.south_police,
        week_starts_on=built.starts_on + dt.timedelta(days=20),
        kind="follow_up",
    )

    assert added.pinned and added.source == PlannedVisit.Source.ADDED
    assert added.week_starts_on.weekday() == 0
    assert added.days == Decimal("0.5")
    build_now(head, built)
    assert country.south_police.pk in planned_places(built)
    built.refresh_from_db()
    assert country.south.pk not in built.left_out["regions"]


def test_a_place_cannot_be_added_twice(personas, built):
    visit = PlannedVisit.objects.filter(programme=built).first()

    with pytest.raises(ValidationError):
        services.visit_add(
            actor=personas["head"],
            programme=built,
            place=visit.place,
            week_starts_on=built.starts_on,
            kind="in_depth",
        )


def test_a_build_without_open_places_fails_in_plain_words(personas, country):
    head = personas["head"]
    programme = make_programme(head)
    set_capacity(head, programme, {country.north: 10})
    Place.objects.update(status=Place.Status.CLOSED)

    build_now(head, programme)

    assert programme.status == Programme.Status.FAILED
    assert "No open place" in programme.failure
    assert "Traceback" not in programme.failure


def test_a_crash_in_the_job_ends_failed_with_a_sentence(personas, country, monkeypatch, caplog):
    head = personas["head"]
    programme = make_programme(head)
    set_capacity(head, programme, {country.north: 10})

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("solver exploded")

    # Fault injection: the job must survive any error, whatever its source.
    monkeypatch.setattr("habeas.planning.inputs.programme_input", broken)
    build_now(head, programme)

    assert programme.status == Programme.Status.FAILED
    assert "exploded" not in programme.failure
    assert "RuntimeError" in caplog.text


def test_building_needs_some_capacity(personas):
    programme = make_programme(personas["head"])

    with pytest.raises(ValidationError):
        services.programme_build(actor=personas["head"], programme=programme, enqueue=False)


# -- justification and adoption ---------------------------------------------------------------


def test_adoption_waits_for_a_justification_of_what_is_left_out(personas, built, country):
    with pytest.raises(ValidationError) as refused:
        services.programme_adopt(actor=personas["head"], programme=built)

    assert "South" in " ".join(refused.value.messages)
    assert not Visit.objects.exists()


def test_a_justification_needs_a_real_reason(personas, built, country):
    with pytest.raises(ValidationError):
        services.justification_save(
            actor=personas["monitor"], programme=built, region=country.south, text="no staff"
        )

    assert not Justification.objects.exists()


def justify_all(actor: Any, programme: Programme) -> None:
    programme.refresh_from_db()
    for region, _j in selectors.left_out(programme)[0]:
        services.justification_save(
            actor=actor,
            programme=programme,
            region=region,
            text="Visited in depth last quarter; no staff based there this period.",
        )
    for category, _j in selectors.left_out(programme)[1]:
        services.justification_save(
            actor=actor,
            programme=programme,
            category=category,
            text="Visited in depth last quarter; a thematic review follows next year.",
        )


def test_only_a_built_programme_can_be_adopted(personas):
    programme = make_programme(personas["head"])

    with pytest.raises(ValidationError):
        services.programme_adopt(actor=personas["head"], programme=programme)


def test_only_the_head_adopts(personas, built):
    justify_all(personas["monitor"], built)

    with pytest.raises(PermissionDenied):
        services.programme_adopt(actor=personas["monitor"], programme=built)


def test_adoption_creates_the_visits_and_freezes_the_programme(personas, built):
    head = personas["head"]
    justify_all(head, built)
    planned = list(PlannedVisit.objects.filter(programme=built))

    visits = services.programme_adopt(actor=head, programme=built)

    built.refresh_from_db()
    assert built.status == Programme.Status.ADOPTED and built.adopted_by == head
    assert len(visits) == len(planned)
    for item in PlannedVisit.objects.filter(programme=built).select_related("visit"):
        assert item.visit is not None
        assert item.visit.place_id == item.place_id
        assert item.visit.starts_on == item.week_starts_on
        assert item.visit.state == Visit.State.PLANNED
        assert item.visit.lead == head
    assert "planning.programme_adopt" in actions()
    with pytest.raises(ValidationError):
        services.visit_pin(actor=head, planned=planned[0], pinned=True)
    with pytest.raises(ValidationError):
        services.programme_build(actor=head, programme=built)
    assert TeamAssignment.objects.filter(user=head).count() == len(planned)


# -- editing rights ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["data_officer", "outsider"])
def test_only_planners_edit_the_plan(personas, built, who):
    visit = PlannedVisit.objects.filter(programme=built).first()

    with pytest.raises(PermissionDenied):
        services.visit_pin(actor=personas[who], planned=visit, pinned=True)
    with pytest.raises(PermissionDenied):
        services.visit_remove(actor=personas[who], planned=visit)

    assert PlannedVisit.objects.filter(pk=visit.pk, pinned=False).exists()


def test_medical_capacity_limits_the_places_that_need_a_doctor(personas, country):
    head = personas["head"]
    programme = make_programme(head, trip_sharing="none", trip_overhead_days=Decimal("0"))
    # 1 medical staff-day, 0.8 after the reserve: not enough for the ward's day.
    set_capacity(head, programme, {country.north: 60, country.south: 60}, {"doctor": 1})

    build_now(head, programme)

    assert programme.status == Programme.Status.BUILT
    assert country.north_ward.pk not in planned_places(programme)
    assert country.north_police.pk in planned_places(programme)


def test_a_region_minimum_is_met_when_it_fits(personas, country):
    head = personas["head"]
    programme = make_programme(head, trip_sharing="none", trip_overhead_days=Decimal("0"))
    set_capacity(head, programme, {country.north: (60, 4), country.south: (60, 0)})

    build_now(head, programme)

    north = PlannedVisit.objects.filter(programme=programme, place__region=country.north)
    assert north.count() >= 4
