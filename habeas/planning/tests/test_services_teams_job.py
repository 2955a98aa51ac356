"""Team proposals as a background job (¶11): `teams_queue` refuses what cannot be staffed
and queues the job once the request commits; `teams_solve` (the job, `tasks.teams_solve`)
ends every request BUILT or FAILED with a plain sentence, searches for the programme's
time limit, and writes nothing when the plan changed under it; building the programme
again makes the proposals stale."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.models import AuditEvent
from habeas.planning import services, services_teams, tasks
from habeas.planning.models import PlannedVisit, Programme, TeamProposal
from habeas.planning.solver import teams as team_solver
from habeas.planning.tests.factories import build_now, make_country, make_programme, set_capacity
from habeas.visits.tests.factories import make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def country(db: Any) -> Any:
    return make_country()


@pytest.fixture
def built(personas: Any, country: Any) -> Programme:
    head = personas["head"]
    programme = make_programme(
        head, trip_sharing="none", trip_overhead_days=Decimal("0"), time_limit_seconds=2
    )
    set_capacity(head, programme, {country.north: 40, country.south: 40})
    build_now(head, programme)
    assert programme.status == Programme.Status.BUILT, programme.failure
    make_profile(head, head, profession="lawyer", gender="woman")
    make_profile(personas["monitor"], head, profession="lawyer", gender="man")
    make_profile(personas["doctor"], head, profession="doctor", gender="woman")
    return programme


def fresh(programme: Programme) -> Programme:
    programme.refresh_from_db()
    return programme


def proposals(programme: Programme) -> int:
    return TeamProposal.objects.filter(planned_visit__programme=programme).count()


# -- queueing ---------------------------------------------------------------------------------


def test_it_queues_the_job_once_the_request_commits(
    personas, built, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        programme = services_teams.teams_queue(actor=personas["monitor"], programme=built)

    assert programme.teams_status == Programme.TeamsStatus.QUEUED
    assert fresh(built).teams_status == Programme.TeamsStatus.QUEUED
    assert len(callbacks) == 1 and proposals(built) == 0
    assert AuditEvent.objects.filter(action="planning.teams_build").count() == 1

    callbacks[0]()

    programme = fresh(built)
    assert programme.teams_status == Programme.TeamsStatus.BUILT
    assert programme.teams_built_at is not None and programme.teams_failure == ""
    assert proposals(built) == PlannedVisit.objects.filter(programme=built).count() > 0
    assert AuditEvent.objects.filter(action="planning.teams_solve").count() == 1


def test_it_refuses_a_programme_not_built(personas, country):
    head = personas["head"]
    programme = make_programme(head)
    set_capacity(head, programme, {country.north: 40})

    with pytest.raises(ValidationError, match="Build the programme before proposing teams"):
        services_teams.teams_queue(actor=head, programme=programme)

    assert fresh(programme).teams_status == Programme.TeamsStatus.NONE


def test_it_refuses_a_programme_being_built_again(personas, built):
    services.programme_build(actor=personas["head"], programme=built, enqueue=False)

    with pytest.raises(ValidationError):
        services_teams.teams_queue(actor=personas["head"], programme=built, enqueue=False)


def test_it_refuses_a_programme_without_planned_visits(personas, built):
    for planned in PlannedVisit.objects.filter(programme=built):
        services.visit_remove(actor=personas["head"], planned=planned)

    with pytest.raises(ValidationError, match="no planned visit"):
        services_teams.teams_queue(actor=personas["head"], programme=built, enqueue=False)

    assert fresh(built).teams_status == Programme.TeamsStatus.NONE


def test_it_refuses_an_adopted_programme(personas, built):
    head = personas["head"]
    Programme.objects.filter(pk=built.pk).update(left_out={})
    services.programme_adopt(actor=head, programme=fresh(built))

    with pytest.raises(ValidationError, match="adopted"):
        services_teams.teams_queue(actor=head, programme=built, enqueue=False)


@pytest.mark.parametrize("who", ["data_officer", "outsider", "doctor"])
def test_only_planners_queue_teams(personas, built, who):
    with pytest.raises(PermissionDenied):
        services_teams.teams_queue(actor=personas[who], programme=built, enqueue=False)

    assert fresh(built).teams_status == Programme.TeamsStatus.NONE


def test_adoption_waits_for_the_teams_being_proposed(personas, built):
    head = personas["head"]
    Programme.objects.filter(pk=built.pk).update(left_out={})
    services_teams.teams_queue(actor=head, programme=built, enqueue=False)

    with pytest.raises(ValidationError, match="Teams are being proposed"):
        services.programme_adopt(actor=head, programme=fresh(built))

    assert fresh(built).status == Programme.Status.BUILT


# -- the job ----------------------------------------------------------------------------------


def test_the_job_searches_for_the_programmes_time_limit(personas, built, monkeypatch):
    """The issue lets the team builder improve for a minute: the programme's own limit,
    not a shorter one of the page's."""
    services.programme_update(
        actor=personas["head"],
        programme=built,
        data={"time_limit_seconds": 37},
        expected_version=fresh(built).version,
    )
    seen = []
    real = team_solver.solve

    def spy(inp: Any) -> Any:
        seen.append(inp.time_limit)
        return real(dataclasses.replace(inp, time_limit=1.0))  # the real search, shorter

    monkeypatch.setattr(team_solver, "solve", spy)
    services_teams.teams_queue(actor=personas["head"], programme=built, enqueue=False)

    count = services_teams.teams_solve(programme_id=built.pk)

    assert seen == [37.0]
    assert count == proposals(built) > 0
    assert fresh(built).teams_status == Programme.TeamsStatus.BUILT


def test_a_crash_in_the_job_ends_failed_with_a_sentence(personas, built, monkeypatch, caplog):
    def broken(inp: Any) -> Any:
        raise RuntimeError("team solver exploded")

    # Fault injection: the job must survive any error, whatever its source.
    monkeypatch.setattr(team_solver, "solve", broken)
    services_teams.teams_queue(actor=personas["head"], programme=built, enqueue=False)

    assert services_teams.teams_solve(programme_id=built.pk, time_limit=1) == 0

    programme = fresh(built)
    assert programme.teams_status == Programme.TeamsStatus.FAILED
    assert "internal error" in programme.teams_failure
    assert "exploded" not in programme.teams_failure
    assert "Traceback" not in programme.teams_failure
    assert "RuntimeError" in caplog.text
    assert proposals(built) == 0
    assert AuditEvent.objects.filter(action="planning.teams_fail").count() == 1
    # The synchronous wrapper says the same sentence instead of returning quietly.
    with pytest.raises(ValidationError, match="internal error"):
        services_teams.teams_build(actor=personas["head"], programme=programme, time_limit=1)


def test_the_job_leaves_alone_a_programme_whose_teams_are_not_queued(built):
    tasks.teams_solve.enqueue(programme_id=built.pk, language="en")

    assert fresh(built).teams_status == Programme.TeamsStatus.NONE
    assert proposals(built) == 0


def test_the_job_writes_nothing_when_the_programme_is_built_again_meanwhile(personas, built):
    head = personas["head"]
    services_teams.teams_queue(actor=head, programme=built, enqueue=False)
    build_now(head, built)  # finishes first: the plan the job would staff is gone

    assert services_teams.teams_solve(programme_id=built.pk, time_limit=1) == 0

    assert fresh(built).teams_status == Programme.TeamsStatus.NONE
    assert proposals(built) == 0


def test_the_job_keeps_nothing_while_the_programme_is_being_rebuilt(personas, built):
    head = personas["head"]
    services_teams.teams_queue(actor=head, programme=built, enqueue=False)
    services.programme_build(actor=head, programme=built, enqueue=False)

    assert services_teams.teams_solve(programme_id=built.pk, time_limit=1) == 0

    programme = fresh(built)
    assert programme.teams_status == Programme.TeamsStatus.FAILED
    assert "propose them again" in programme.teams_failure
    assert proposals(built) == 0


# -- a new build makes proposals stale --------------------------------------------------------


def test_building_again_makes_the_proposals_stale(personas, built):
    head = personas["head"]
    first = services_teams.teams_build(actor=head, programme=built, time_limit=1)
    proposed_at = fresh(built).teams_built_at
    assert first == proposals(built) > 0

    build_now(head, built)

    programme = fresh(built)
    assert programme.status == Programme.Status.BUILT
    assert programme.teams_status == Programme.TeamsStatus.NONE
    assert programme.teams_built_at == proposed_at  # the page says they were proposed once
    # The replaced visits took their proposals with them.
    assert proposals(built) == 0
    assert services_teams.teams_build(actor=head, programme=programme, time_limit=1) > 0
    assert fresh(built).teams_status == Programme.TeamsStatus.BUILT
