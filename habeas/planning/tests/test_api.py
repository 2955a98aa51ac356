"""`/api/v1/programmes/`, `/api/v1/planned-visits/`, `/api/v1/team-proposals/`: the same
rights as the pages, 404 for the invisible, 409 for a stale edit, the real solvers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from habeas.planning import services
from habeas.planning.models import PlannedVisit, Programme, TeamProposal
from habeas.planning.tests.factories import make_country, make_programme, set_capacity
from habeas.visits.models import Visit
from habeas.visits.tests.factories import make_profile

pytestmark = pytest.mark.django_db

PROGRAMMES = "/api/v1/programmes/"
VISITS = "/api/v1/planned-visits/"
TEAMS = "/api/v1/team-proposals/"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(personas: Any, django_capture_on_commit_callbacks: Any) -> Any:
    country = make_country()
    head = personas["head"]
    programme = make_programme(
        head, trip_sharing="none", trip_overhead_days=Decimal("0"), time_limit_seconds=2
    )
    set_capacity(head, programme, {country.north: 30, country.south: 0})
    country.programme = programme
    country.capture = django_capture_on_commit_callbacks
    return country


def build(world: Any, user: Any) -> Any:
    with world.capture(execute=True):
        response = api(user).post(f"{PROGRAMMES}{world.programme.pk}/build/")
    world.programme.refresh_from_db()
    return response


@pytest.mark.parametrize("who", ["outsider", "comms", "doctor"])
def test_the_invisible_answers_404(personas, world, who):
    client = api(personas[who])

    assert client.get(PROGRAMMES).json()["count"] == 0
    assert client.get(f"{PROGRAMMES}{world.programme.pk}/").status_code == 404
    assert client.get(f"{PROGRAMMES}999999/").status_code == 404
    assert client.get(VISITS).json()["count"] == 0
    assert client.post(f"{PROGRAMMES}{world.programme.pk}/build/").status_code == 403
    assert Programme.objects.get().status == Programme.Status.DRAFT


def test_the_data_officer_reads_the_risk_but_sees_no_programme(personas, world):
    # A programme says where and when unannounced visits go: the planners' alone.
    client = api(personas["data_officer"])

    assert client.get(f"{PROGRAMMES}{world.programme.pk}/").status_code == 404
    assert client.get(PROGRAMMES).json()["count"] == 0
    assert client.get(VISITS).json()["count"] == 0
    assert client.post(f"{PROGRAMMES}{world.programme.pk}/build/").status_code == 403
    assert client.get("/api/v1/risk-scores/").status_code == 200


def test_a_monitor_builds_and_reads_the_plan(personas, world):
    response = build(world, personas["monitor"])

    assert response.status_code == 202
    body = api(personas["monitor"]).get(f"{PROGRAMMES}{world.programme.pk}/").json()
    assert body["status"] == "built"
    assert set(body["comparison"]) == {"programme", "greedy"}
    assert body["left_out"]["regions"] == [world.south.pk]
    assert any("South" in e["text"] for e in body["explanations"])
    visits = api(personas["monitor"]).get(f"{VISITS}?programme={world.programme.pk}").json()
    assert visits["count"] == PlannedVisit.objects.count() > 0
    assert all(r["text"] for v in visits["results"] for r in v["reasons"])


def test_a_monitor_creates_a_programme(personas, world):
    response = api(personas["monitor"]).post(PROGRAMMES, {"period": "2027-Q3"}, format="json")

    assert response.status_code == 201
    assert response.json()["starts_on"] == "2027-07-01"
    bad = api(personas["monitor"]).post(PROGRAMMES, {"period": "soon"}, format="json")
    assert bad.status_code == 400 and "period" in bad.json()


def test_a_stale_settings_edit_answers_409(personas, world):
    url = f"{PROGRAMMES}{world.programme.pk}/"
    version = world.programme.version
    client = api(personas["monitor"])
    assert (
        client.patch(url, {"title": "Winter", "version": version}, format="json").status_code == 200
    )

    stale = client.patch(url, {"reserve_share": "0.10", "version": version}, format="json")

    assert stale.status_code == 409
    assert Programme.objects.get().reserve_share == Decimal("0.20")


def test_only_the_head_adopts(personas, world):
    build(world, personas["monitor"])
    url = f"{PROGRAMMES}{world.programme.pk}/"
    monitor = api(personas["monitor"])
    refused = api(personas["head"]).post(url + "adopt/")
    assert refused.status_code == 400  # South is left out and not justified yet
    justified = monitor.post(
        url + "justify/",
        {"region": world.south.pk, "text": "No staff based in the South this winter."},
        format="json",
    )
    assert justified.status_code == 200
    for category in justified.json()["left_out"]["categories"]:
        monitor.post(
            url + "justify/",
            {"category": category, "text": "Covered by the thematic review in spring."},
            format="json",
        )

    assert monitor.post(url + "adopt/").status_code == 403
    adopted = api(personas["head"]).post(url + "adopt/")

    assert adopted.status_code == 200 and adopted.json()["status"] == "adopted"
    assert Visit.objects.count() == PlannedVisit.objects.count()
    again = monitor.patch(
        url, {"title": "Changed", "version": adopted.json()["version"]}, format="json"
    )
    assert again.status_code == 400


def test_planned_visits_are_pinned_moved_added_and_removed(personas, world):
    build(world, personas["monitor"])
    client = api(personas["monitor"])
    visit = PlannedVisit.objects.first()
    url = f"{VISITS}{visit.pk}/"

    pinned = client.patch(url, {"pinned": True, "version": visit.version}, format="json")
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    stale = client.patch(url, {"pinned": False, "version": visit.version}, format="json")
    assert stale.status_code == 409
    moved = client.patch(
        url,
        {"week_starts_on": "2027-02-10", "version": pinned.json()["version"]},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["week_starts_on"] == "2027-02-08"
    assert client.delete(url).status_code == 204
    assert not PlannedVisit.objects.filter(pk=visit.pk).exists()
    added = client.post(
        VISITS,
        {
            "programme": world.programme.pk,
            "place": visit.place_id,
            "week_starts_on": "2027-03-01",
            "kind": "follow_up",
        },
        format="json",
    )
    assert added.status_code == 201 and added.json()["source"] == "added"
    outside = client.post(
        VISITS,
        {
            "programme": world.programme.pk,
            "place": world.south_prison.pk,
            "week_starts_on": "2028-01-01",
            "kind": "in_depth",
        },
        format="json",
    )
    assert outside.status_code == 400


def test_team_proposals_are_built_and_explained(personas, world, django_assert_max_num_queries):
    head = personas["head"]
    make_profile(head, head, profession="lawyer", gender="woman")
    make_profile(personas["doctor"], head, profession="doctor", gender="man")
    build(world, personas["monitor"])
    services.programme_update(
        actor=head,
        programme=world.programme,
        data={"time_limit_seconds": 2},
        expected_version=Programme.objects.get().version,
    )

    with world.capture(execute=True):
        response = api(personas["monitor"]).post(f"{PROGRAMMES}{world.programme.pk}/teams/")

    assert response.status_code == 202
    assert response.json()["teams_status"] == "queued"  # answered before the job ran
    body = api(personas["monitor"]).get(f"{PROGRAMMES}{world.programme.pk}/").json()
    assert body["teams_status"] == "built" and body["teams_built_at"]
    assert body["teams_failure"] == ""
    reader = api(personas["head"])
    with django_assert_max_num_queries(12):  # whatever the number of proposals
        teams = reader.get(f"{TEAMS}?programme={world.programme.pk}").json()
    assert teams["count"] == TeamProposal.objects.count() == PlannedVisit.objects.count()
    first = teams["results"][0]
    assert all(c["text"] for c in first["checks"])
    assert api(personas["outsider"]).get(f"{TEAMS}{first['id']}/").status_code == 404


def test_the_schema_describes_the_programme_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--file", str(out), stderr=StringIO())

    text = out.read_text()
    for path in (
        "/api/v1/programmes/{id}/adopt/",
        "/api/v1/planned-visits/{id}/",
        "/api/v1/team-proposals/",
    ):
        assert path in text


def test_a_week_outside_the_period_is_refused_in_words(personas, world):
    response = api(personas["monitor"]).post(
        VISITS,
        {
            "programme": world.programme.pk,
            "place": world.north_police.pk,
            "week_starts_on": (world.programme.ends_on + dt.timedelta(days=30)).isoformat(),
            "kind": "in_depth",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "week_starts_on" in response.json()


@pytest.mark.parametrize("who", ["outsider", "data_officer", "doctor"])
def test_teams_are_queued_by_planners_only(personas, world, who):
    """As for every write of the API, a role that may not plan is refused before the id
    is looked at: the same answer for a programme that exists and one that does not."""
    build(world, personas["monitor"])
    client = api(personas[who])

    with world.capture(execute=True):
        existing = client.post(f"{PROGRAMMES}{world.programme.pk}/teams/")
        missing = client.post(f"{PROGRAMMES}999999/teams/")

    assert existing.status_code == missing.status_code == 403
    assert existing.content == missing.content
    assert Programme.objects.get().teams_status == ""
    assert not TeamProposal.objects.exists()


def test_teams_of_a_programme_not_built_are_refused_in_words(personas, world):
    response = api(personas["monitor"]).post(f"{PROGRAMMES}{world.programme.pk}/teams/")

    assert response.status_code == 400
    assert "Build the programme before proposing teams" in response.content.decode()
    assert Programme.objects.get().teams_status == ""
