"""The build job (`tasks.programme_solve`): queued by `programme_build` once the request
commits, run at once in tests; it ends every build BUILT or FAILED, never QUEUED."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from habeas.planning import services, tasks
from habeas.planning.models import PlannedVisit, Programme
from habeas.planning.tests.factories import make_country, make_programme, set_capacity

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(personas: Any) -> Any:
    country = make_country()
    head = personas["head"]
    programme = make_programme(head, time_limit_seconds=2, trip_overhead_days=Decimal("0.5"))
    set_capacity(head, programme, {country.north: 30, country.south: 20})
    return programme


def test_the_build_runs_once_the_request_commits(
    personas, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.programme_build(actor=personas["monitor"], programme=queued)
    queued.refresh_from_db()
    assert queued.status == Programme.Status.QUEUED and len(callbacks) == 1

    callbacks[0]()

    queued.refresh_from_db()
    assert queued.status == Programme.Status.BUILT and queued.progress == 100
    assert queued.built_by == personas["monitor"]
    assert PlannedVisit.objects.filter(programme=queued).exists()


def test_the_job_leaves_alone_a_programme_not_queued(queued):
    tasks.programme_solve.enqueue(programme_id=queued.pk, language="en")

    queued.refresh_from_db()
    assert queued.status == Programme.Status.DRAFT
    assert not PlannedVisit.objects.exists()
