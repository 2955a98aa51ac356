"""A visit's life through the services: planning, editing, and each move with what
blocks it (¶11, 14, 16, 17, 25)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, UnitFactory
from habeas.visits import services
from habeas.visits.blockers import blockers
from habeas.visits.models import (
    Debrief,
    Guideline,
    Interview,
    TeamAssignment,
    UnitCoverage,
    Visit,
)
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db
S = Visit.State


def codes(found):
    return sorted({b.code for b in found})


# -- planning ---------------------------------------------------------------------


def test_it_numbers_visits_by_year(personas):
    head = personas["head"]
    first = make_visit(head)
    second = make_visit(head)
    other_year = make_visit(head, starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 1, 5))
    assert (first.reference, second.reference) == ("V-2025-0001", "V-2025-0002")
    assert other_year.reference == "V-2026-0001"


def test_it_takes_the_published_guideline_of_the_category_by_default(personas):
    head = personas["head"]
    category = CategoryFactory(code="police-custody")
    Guideline.objects.create(category=category, number=101, title="Old", status="retired")
    used = Guideline.objects.create(category=category, number=102, title="Now", status="published")
    Guideline.objects.create(category=category, number=103, title="Next", status="draft")
    visit = make_visit(head, place=PlaceFactory(category=category))
    assert visit.guideline == used


def test_it_refuses_a_guideline_of_another_category(personas):
    head = personas["head"]
    other = Guideline.objects.create(
        category=CategoryFactory(code="juvenile"), number=104, title="Juveniles", status="published"
    )
    with pytest.raises(ValidationError):
        make_visit(head, guideline=other)


def test_it_refuses_a_last_day_before_the_first(personas):
    with pytest.raises(ValidationError):
        make_visit(personas["head"], starts_on=dt.date(2025, 3, 10), ends_on=dt.date(2025, 3, 9))
    assert not Visit.objects.exists()


def test_it_refuses_unknown_themes_and_an_expert_as_lead(personas):
    with pytest.raises(ValidationError):
        make_visit(personas["head"], themes=["treatment", "gossip"])
    with pytest.raises(ValidationError):
        make_visit(personas["head"], lead=personas["expert"])


def test_only_planners_plan(personas):
    with pytest.raises(PermissionDenied):
        make_visit(personas["doctor"])


def test_it_ignores_fields_outside_the_whitelist(personas):
    head = personas["head"]
    visit = make_visit(head)
    services.visit_update(
        actor=head,
        visit=visit,
        data={"objectives": "New aims", "state": S.CLOSED, "reference": "X"},
        expected_version=visit.version,
    )
    visit.refresh_from_db()
    assert (visit.objectives, visit.state, visit.reference) == (
        "New aims",
        S.PLANNED,
        "V-2025-0001",
    )


def test_a_stale_edit_is_refused_and_both_are_audited(personas):
    head = personas["head"]
    visit = make_visit(head)
    services.visit_update(actor=head, visit=visit, data={"objectives": "A"}, expected_version=1)
    with pytest.raises(StaleEdit):
        services.visit_update(actor=head, visit=visit, data={"objectives": "B"}, expected_version=1)
    visit.refresh_from_db()
    assert visit.objectives == "A"
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))[-2:]
    assert actions == ["visit.update", "visit.update_stale"]


# -- moves --------------------------------------------------------------------------


@pytest.fixture
def ready(personas):
    """A planned visit with the head and a monitor on the team."""
    head = personas["head"]
    visit = make_visit(head, place=PlaceFactory())
    add_member(visit, personas["monitor"], head)
    return visit


def test_planned_to_prepared_needs_a_team_of_two(personas):
    head = personas["head"]
    visit = make_visit(head)
    with pytest.raises(services.VisitBlocked) as refused:
        services.visit_move(actor=head, visit=visit, to=S.PREPARED)
    assert codes(refused.value.blockers) == ["size"]
    visit.refresh_from_db()
    assert visit.state == S.PLANNED


def test_planned_to_prepared_needs_the_head_of_delegation(ready, personas):
    TeamAssignment.objects.filter(visit=ready, role="leader").delete()
    assert "head" in codes(blockers(ready, S.PREPARED))


def test_an_unresolved_block_on_a_member_stops_preparation(ready, personas):
    from habeas.visits.tests.factories import make_profile

    make_profile(personas["monitor"], personas["head"], conflict_places=[ready.place])
    assert codes(blockers(ready, S.PREPARED)) == ["conflict_place"]


def test_planned_to_prepared_with_a_ready_team(ready, personas):
    visit = services.visit_move(actor=personas["head"], visit=ready, to=S.PREPARED)
    assert visit.state == S.PREPARED
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.detail) == ("visit.move", {"from": "planned", "to": "prepared"})


def test_in_progress_needs_every_member_to_acknowledge_the_code(ready, personas):
    head, monitor = personas["head"], personas["monitor"]
    services.visit_move(actor=head, visit=ready, to=S.PREPARED)
    found = blockers(ready.__class__.objects.get(pk=ready.pk), S.IN_PROGRESS)
    assert codes(found) == ["conduct"] and len(found) == 2
    for row in TeamAssignment.objects.filter(visit=ready):
        services.conduct_acknowledge(actor=row.user, assignment=row)
    visit = services.visit_move(actor=head, visit=ready, to=S.IN_PROGRESS)
    assert visit.state == S.IN_PROGRESS and visit.closed_at is None
    assert monitor.pk in visit.team.values_list("user_id", flat=True)


def test_moves_the_state_does_not_allow_are_refused(ready, personas):
    with pytest.raises(services.VisitBlocked) as refused:
        services.visit_move(actor=personas["head"], visit=ready, to=S.CLOSED)
    assert codes(refused.value.blockers) == ["move_not_allowed"]


def test_only_planners_move_a_visit(ready, personas):
    with pytest.raises(PermissionDenied):
        services.visit_move(actor=personas["doctor"], visit=ready, to=S.PREPARED)


def _in_progress(visit):
    Visit.objects.filter(pk=visit.pk).update(state=S.IN_PROGRESS)
    visit.refresh_from_db()
    return visit


def test_debriefing_needs_coverage_anonymity_and_a_debrief(ready, personas):
    head = personas["head"]
    visit = _in_progress(ready)
    seen, skipped = (
        UnitFactory(place=visit.place, name="A"),
        UnitFactory(place=visit.place, name="B"),
    )
    UnitFactory(place=visit.place, name="Closed wing", active=False)
    Interview.objects.create(
        visit=visit,
        kind=Interview.Kind.PRIVATE,
        unit=seen,
        pseudonym="Oak",
        held_at=timezone.now(),
        interviewer=head,
        sensitive=True,
    )
    found = blockers(visit, S.DEBRIEFED)
    assert codes(found) == ["anonymity", "coverage", "debrief"]
    assert any("B" in b.message for b in found if b.code == "coverage")

    UnitCoverage.objects.create(visit=visit, unit=seen, seen=True, held=40, recorded_by=head)
    UnitCoverage.objects.create(
        visit=visit, unit=skipped, reason="Under renovation, empty", recorded_by=head
    )
    for n in range(3):
        Interview.objects.create(
            visit=visit,
            kind=Interview.Kind.PRIVATE,
            unit=seen,
            pseudonym=f"Cover {n}",
            held_at=timezone.now(),
            interviewer=head,
        )
    assert codes(blockers(visit, S.DEBRIEFED)) == ["debrief"]
    Debrief.objects.create(
        visit=visit,
        held_at=timezone.now(),
        participants="Director, head of security",
        main_concerns="Overcrowding in wing A",
        recorded_by=head,
    )
    visit = services.visit_move(actor=head, visit=visit, to=S.DEBRIEFED)
    assert visit.state == S.DEBRIEFED


def _debriefed(visit, head):
    Visit.objects.filter(pk=visit.pk).update(state=S.DEBRIEFED)
    Debrief.objects.create(
        visit=visit,
        held_at=timezone.now(),
        participants="Director",
        main_concerns="Heat in the cells",
        recorded_by=head,
    )
    visit.refresh_from_db()
    return visit


def test_report_states_are_set_by_hand_with_their_date(ready, personas):
    head = personas["head"]
    visit = _debriefed(ready, head)
    visit = services.visit_move(
        actor=head, visit=visit, to=S.REPORT_DRAFTED, on=dt.date(2025, 4, 2)
    )
    assert visit.state == S.REPORT_DRAFTED
    assert AuditEvent.objects.latest("id").detail["on"] == "2025-04-02"
    with pytest.raises(ValidationError):
        services.visit_move(
            actor=head,
            visit=visit,
            to=S.REPORT_SENT,
            on=timezone.localdate() + dt.timedelta(days=3),
        )


def test_closing_sets_the_time_and_the_places_last_visit(ready, personas):
    head = personas["head"]
    place = ready.place
    place_version = place.version
    visit = _debriefed(ready, head)
    visit = services.visit_move(actor=head, visit=visit, to=S.CLOSED)
    place.refresh_from_db()
    assert visit.state == S.CLOSED and visit.closed_at is not None
    assert place.last_visit_on == visit.ends_on
    assert place.version == place_version + 1


def test_closing_never_moves_the_last_visit_back_in_time(ready, personas):
    head = personas["head"]
    place = ready.place
    place.__class__.objects.filter(pk=place.pk).update(last_visit_on=dt.date(2030, 1, 1))
    services.visit_move(actor=head, visit=_debriefed(ready, head), to=S.CLOSED)
    place.refresh_from_db()
    assert place.last_visit_on == dt.date(2030, 1, 1)


def test_closing_later_is_blocked_by_a_field_gap(ready, personas):
    head = personas["head"]
    visit = _debriefed(ready, head)
    Visit.objects.filter(pk=visit.pk).update(state=S.REPORT_SENT)
    visit.refresh_from_db()
    UnitFactory(place=visit.place, name="Segregation")
    with pytest.raises(services.VisitBlocked) as refused:
        services.visit_move(actor=head, visit=visit, to=S.CLOSED)
    assert codes(refused.value.blockers) == ["coverage"]
    visit.refresh_from_db()
    assert visit.state == S.REPORT_SENT and visit.closed_at is None
