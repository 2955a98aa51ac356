"""The team builder's service (¶11): the whole period's teams in one model, proposals that
explain themselves, conflicts of interest and papers as hard exclusions, proposals that
adoption follows; proposed follow-ups in the programme; availability and durations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.models import AuditEvent
from habeas.planning import inputs, selectors, services, services_teams
from habeas.planning.models import DurationRule, PlannedVisit, TeamProposal
from habeas.planning.tests.factories import build_now, make_country, make_programme, set_capacity
from habeas.recommendations.models import Recommendation
from habeas.recommendations.tests.factories import make_sent
from habeas.visits.models import TeamAssignment, TeamProfile
from habeas.visits.tests.factories import make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any) -> Any:
    country = make_country()
    head = personas["head"]
    programme = make_programme(head, trip_sharing="none", trip_overhead_days=Decimal("0"))
    set_capacity(
        head, programme, {country.north: 40, country.south: 40}, {"doctor": 20, "lawyer": 40}
    )
    build_now(head, programme)
    make_profile(head, head, profession="lawyer", gender="woman")
    make_profile(personas["monitor"], head, profession="lawyer", gender="man")
    make_profile(personas["doctor"], head, profession="doctor", gender="woman")
    country.programme = programme
    return country


def proposals(programme: Any) -> dict[int, TeamProposal]:
    return {
        p.planned_visit.place_id: p
        for p in TeamProposal.objects.filter(planned_visit__programme=programme).select_related(
            "planned_visit"
        )
    }


def members(proposal: TeamProposal) -> set[int]:
    return {m["user"] for m in proposal.members}


def test_it_proposes_a_team_for_every_planned_visit(personas, world):
    count = services_teams.teams_build(
        actor=personas["monitor"], programme=world.programme, time_limit=2
    )

    planned = PlannedVisit.objects.filter(programme=world.programme).count()
    assert count == planned > 0
    found = proposals(world.programme)
    assert len(found) == planned
    for proposal in found.values():
        codes = {c["code"] for c in proposal.checks}
        # Three people for several visits a week: a proposal is a team led by a member of
        # staff, or says why there is none.
        assert (proposal.members and proposal.members[0]["role"] == "leader") or (
            "team_short" in codes
        )
        assert {c["level"] for c in proposal.checks} <= {"ok", "info", "warning", "block"}
    assert any(p.members for p in found.values())
    assert "planning.teams_build" in AuditEvent.objects.values_list("action", flat=True)


def test_a_declared_conflict_of_interest_keeps_a_person_off(personas, world):
    head = personas["head"]
    planned = list(PlannedVisit.objects.filter(programme=world.programme).select_related("place"))
    place = planned[0].place
    monitor = personas["monitor"]
    profile = TeamProfile.objects.get(user=monitor)
    profile.conflict_places.add(place)

    services_teams.teams_build(actor=head, programme=world.programme, time_limit=2)

    assert monitor.pk not in members(proposals(world.programme)[place.pk])


def test_an_external_expert_without_papers_is_never_proposed(personas, world):
    expert = personas["expert"]
    make_profile(expert, personas["head"], profession="psychiatrist", gender="man")

    services_teams.teams_build(actor=personas["head"], programme=world.programme, time_limit=2)

    assert all(expert.pk not in members(p) for p in proposals(world.programme).values())


def test_each_check_is_explained_in_words(personas, world):
    services_teams.teams_build(actor=personas["head"], programme=world.programme, time_limit=2)
    views = [
        selectors.team_view(planned)
        for planned in PlannedVisit.objects.filter(programme=world.programme)
    ]

    assert all(view is not None for view in views)
    assert any(m["name"] for view in views if view for m in view["members"])
    for view in views:
        assert view is not None
        assert all(c["text"] and "Unexplained" not in c["text"] for c in view["checks"])


def test_a_psychiatric_ward_asks_for_a_medical_member(personas, world):
    services_teams.teams_build(actor=personas["head"], programme=world.programme, time_limit=2)
    ward = proposals(world.programme).get(world.north_ward.pk)
    if ward is None:
        pytest.skip("the ward was not chosen in this instance")

    codes = {c["code"] for c in ward.checks}

    assert codes & {"medical_met", "no_medical"}


def test_adoption_follows_the_proposed_team(personas, world):
    head = personas["head"]
    services_teams.teams_build(actor=head, programme=world.programme, time_limit=2)
    programme = world.programme
    programme.refresh_from_db()
    for region, _j in selectors.left_out(programme)[0]:
        services.justification_save(
            actor=head, programme=programme, region=region, text="Covered by the regional office."
        )
    for category, _j in selectors.left_out(programme)[1]:
        services.justification_save(
            actor=head, programme=programme, category=category, text="A thematic visit follows."
        )

    services.programme_adopt(actor=head, programme=programme)

    for place_id, proposal in proposals(programme).items():
        visit = PlannedVisit.objects.get(programme=programme, place_id=place_id).visit
        team = set(TeamAssignment.objects.filter(visit=visit).values_list("user_id", flat=True))
        if proposal.members:
            assert visit.lead_id == proposal.members[0]["user"]
            assert team == members(proposal)
        else:
            assert visit.lead_id == head.pk and team == {head.pk}


def test_teams_need_planned_visits(personas):
    programme = make_programme(personas["head"])

    with pytest.raises(ValidationError):
        services_teams.teams_build(actor=personas["head"], programme=programme, time_limit=1)


# -- proposed follow-ups ----------------------------------------------------------------------


def test_a_proposed_follow_up_becomes_a_mandatory_follow_up_visit(personas, world):
    head = personas["head"]
    place = world.south_police
    past = dt.date.today() - dt.timedelta(days=30)  # noqa: DTZ011 - a day, not an instant
    for n in range(3):
        make_sent(head, place=place, text=f"Repair the cell doors of block {n}.")
    Recommendation.objects.filter(place=place).update(deadline=past)

    build_now(head, world.programme)

    visit = PlannedVisit.objects.get(programme=world.programme, place=place)
    assert visit.kind == "follow_up"
    reason = next(r for r in visit.reasons if r["factor"] == "follow_up")
    assert reason["params"]["count"] == 3
    assert "3 key recommendations" in selectors.explain("follow_up", reason["params"])


# -- availability and durations ---------------------------------------------------------------


def test_an_unavailable_person_is_kept_out_of_those_weeks(personas, world):
    head, doctor = personas["head"], personas["doctor"]
    weeks = inputs.week_starts(world.programme)
    services_teams.unavailability_add(
        actor=head, user=doctor, starts_on=weeks[0], ends_on=weeks[-1] + dt.timedelta(days=6)
    )

    services_teams.teams_build(actor=head, programme=world.programme, time_limit=2)

    assert all(doctor.pk not in members(p) for p in proposals(world.programme).values())


def test_an_unavailability_must_end_after_it_starts(personas):
    with pytest.raises(ValidationError):
        services_teams.unavailability_add(
            actor=personas["head"],
            user=personas["doctor"],
            starts_on=dt.date(2027, 2, 1),
            ends_on=dt.date(2027, 1, 1),
        )


def test_a_duration_rule_is_saved_and_checked(personas, world):
    rule = services_teams.duration_rule_save(
        actor=personas["monitor"],
        category=world.police,
        capacity_from=50,
        in_depth_days="1.5",
        follow_up_days="0.5",
        team_size=3,
    )

    assert DurationRule.objects.get(pk=rule.pk).in_depth_days == Decimal("1.5")
    with pytest.raises(ValidationError):
        services_teams.duration_rule_save(
            actor=personas["monitor"],
            category=world.police,
            capacity_from=50,
            in_depth_days="0",
            follow_up_days="0.5",
            team_size=3,
        )
    with pytest.raises(PermissionDenied):
        services_teams.duration_rule_save(
            actor=personas["data_officer"],
            category=world.police,
            capacity_from=0,
            in_depth_days="1",
            follow_up_days="0.5",
            team_size=2,
        )
