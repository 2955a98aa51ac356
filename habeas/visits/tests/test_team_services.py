"""Composing a team through the services: blocks, overrides, removal, the code of
conduct (¶11, 17). Each write is audited once, without content."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.visits import services
from habeas.visits.models import TeamAssignment, Visit
from habeas.visits.tests.factories import add_member, make_profile, make_visit

pytestmark = pytest.mark.django_db

REASON = "The only member who speaks Romanian; she left that prison twelve years ago."


@pytest.fixture
def conflicted(personas):
    """A visit to a place the monitor declared a conflict with."""
    head, monitor = personas["head"], personas["monitor"]
    place = PlaceFactory()
    make_profile(monitor, head, conflict_places=[place])
    return make_visit(head, place=place), monitor


def test_it_refuses_a_blocked_member_without_a_reason(conflicted, personas):
    visit, monitor = conflicted
    with pytest.raises(services.MemberBlocked) as refused:
        services.team_add(actor=personas["head"], visit=visit, user=monitor)
    assert [c.code for c in refused.value.checks] == ["conflict_place"]
    assert not TeamAssignment.objects.filter(visit=visit, user=monitor).exists()


def test_it_refuses_an_override_by_someone_without_the_right(conflicted, personas, make_user):
    visit, monitor = conflicted
    planner = make_user("monitor")
    with pytest.raises(services.MemberBlocked):
        services.team_add(actor=planner, visit=visit, user=monitor, override_reason=REASON)
    assert not TeamAssignment.objects.filter(visit=visit, user=monitor).exists()


def test_it_refuses_a_blank_reason(conflicted, personas):
    visit, monitor = conflicted
    with pytest.raises(services.MemberBlocked):
        services.team_add(actor=personas["head"], visit=visit, user=monitor, override_reason="  ")


def test_the_head_overrides_with_a_reason_kept_and_audited_without_it(conflicted, personas):
    visit, monitor = conflicted
    head = personas["head"]
    before = AuditEvent.objects.count()
    row = services.team_add(actor=head, visit=visit, user=monitor, override_reason=REASON)
    assert row.override_reason == REASON and row.overridden_by == head
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "team.add"
    assert event.detail["overridden"] == ["conflict_place"]
    assert REASON not in str(event.detail)


def test_an_unblocked_member_keeps_no_override_reason(personas):
    head = personas["head"]
    visit = make_visit(head)
    row = services.team_add(
        actor=head, visit=visit, user=personas["monitor"], override_reason=REASON
    )
    assert row.override_reason == "" and row.overridden_by is None


def test_only_planners_compose_a_team(personas):
    visit = make_visit(personas["head"])
    with pytest.raises(PermissionDenied):
        services.team_add(actor=personas["doctor"], visit=visit, user=personas["monitor"])


def test_it_refuses_a_person_who_cannot_take_part_in_visits(personas):
    visit = make_visit(personas["head"])
    with pytest.raises(ValidationError):
        services.team_add(actor=personas["head"], visit=visit, user=personas["comms"])
    with pytest.raises(ValidationError):
        services.team_add(actor=personas["head"], visit=visit, user=personas["outsider"])


def test_it_refuses_the_same_person_twice(personas):
    visit = make_visit(personas["head"])
    services.team_add(actor=personas["head"], visit=visit, user=personas["monitor"])
    with pytest.raises(ValidationError):
        services.team_add(actor=personas["head"], visit=visit, user=personas["monitor"])


def test_the_lead_joins_as_head_of_delegation_and_no_one_else_can(personas):
    head, monitor = personas["head"], personas["monitor"]
    visit = make_visit(head, lead=monitor)
    assert TeamAssignment.objects.get(visit=visit, user=monitor).role == "leader"
    with pytest.raises(ValidationError):
        services.team_add(actor=head, visit=visit, user=personas["doctor"], role="leader")


def test_changing_the_lead_moves_the_head_of_delegation_role(personas):
    head, monitor = personas["head"], personas["monitor"]
    visit = make_visit(head)
    add_member(visit, monitor, head)
    services.visit_update(actor=head, visit=visit, data={"lead": monitor}, expected_version=1)
    roles = dict(TeamAssignment.objects.filter(visit=visit).values_list("user_id", "role"))
    assert roles == {head.pk: "member", monitor.pk: "leader"}


def test_a_lead_with_a_conflict_is_not_put_on_the_team(personas):
    head, monitor = personas["head"], personas["monitor"]
    place = PlaceFactory()
    make_profile(monitor, head, conflict_places=[place])
    visit = make_visit(head, place=place, lead=monitor)
    assert not visit.team.exists()


def test_removing_a_member_is_audited(personas):
    head = personas["head"]
    visit = make_visit(head)
    row = add_member(visit, personas["monitor"], head)
    services.team_remove(actor=head, assignment=row)
    assert not visit.team.filter(user=personas["monitor"]).exists()
    assert AuditEvent.objects.latest("id").action == "team.remove"


def test_the_team_of_a_closed_visit_does_not_change(personas):
    head = personas["head"]
    visit = make_visit(head, state=Visit.State.CLOSED)
    with pytest.raises(ValidationError):
        services.team_add(actor=head, visit=visit, user=personas["monitor"])


# -- the code of conduct ------------------------------------------------------------


def test_a_member_acknowledges_the_code_once_and_it_is_audited(personas):
    head, monitor = personas["head"], personas["monitor"]
    visit = make_visit(head)
    row = add_member(visit, monitor, head)
    services.conduct_acknowledge(actor=monitor, assignment=row)
    row.refresh_from_db()
    assert row.conduct_acknowledged_at is not None
    assert AuditEvent.objects.latest("id").action == "team.conduct_acknowledge"
    with pytest.raises(ValidationError):
        services.conduct_acknowledge(actor=monitor, assignment=row)


def test_no_one_acknowledges_for_someone_else(personas):
    head, monitor = personas["head"], personas["monitor"]
    visit = make_visit(head)
    row = add_member(visit, monitor, head)
    with pytest.raises(PermissionDenied):
        services.conduct_acknowledge(actor=head, assignment=row)
    row.refresh_from_db()
    assert row.conduct_acknowledged_at is None
