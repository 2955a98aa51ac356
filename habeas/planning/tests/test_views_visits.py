"""A planned visit's page (why this place, in words; its risk with a confidential factor
masked; pin, unpin, remove with a note), adding a visit, the team proposals with every
check explained, the visit durations and who is away. Forms save through the services."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from habeas.cases.tests.factories import make_watch
from habeas.planning import services_teams
from habeas.planning.models import (
    DurationRule,
    PlaceRule,
    PlannedVisit,
    Programme,
    TeamProposal,
    Unavailability,
)
from habeas.planning.tests.factories import build_now
from habeas.planning.tests.test_views_world import FIRST_WEEK, world
from habeas.visits.models import TeamProfile
from habeas.visits.tests.factories import make_profile

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def _visit_url(w, planned=None):
    return reverse("planning:visit", args=[w.programme.pk, (planned or w.added).pk])


# -- a planned visit ------------------------------------------------------------------------------


def test_it_says_why_a_place_is_in_the_programme(personas, client_for):
    w = world(personas)
    page = _page(client_for(w.head), _visit_url(w))
    assert w.country.north_ward.name in page
    assert "Added by the NPM." in page
    assert "Follow-up" in page and "2027-01-04" in page
    # The risk, factor by factor, in words; the category's inherent risk always counts.
    assert "Its risk today, factor by factor" in page
    assert "The category&#x27;s inherent risk" in page or "The category's inherent risk" in page
    assert "No team proposed yet." in page


def test_it_masks_a_reprisal_watch_for_whoever_is_not_granted_on_it(
    personas, client_for, make_user
):
    w = world(personas)
    make_watch(w.monitor, place=w.country.north_ward)
    granted = _page(client_for(w.monitor), _visit_url(w))
    assert "1 reprisal watch open on someone held here." in granted
    colleague = make_user("monitor", "another.monitor@npm.test")  # a planner not granted
    masked = _page(client_for(colleague), _visit_url(w))
    assert "A signal from confidential records" in masked
    assert "reprisal watch open" not in masked
    assert "counted, not shown" in masked
    assert "Heron" not in masked and "Ilsabet" not in masked


def test_it_pins_and_unpins_a_visit(personas, client_for):
    w = world(personas)
    client = client_for(w.monitor)
    url = reverse("planning:visit_pin", args=[w.programme.pk, w.added.pk])
    assert client.post(url, {"pinned": "0"}).status_code == 302
    assert PlannedVisit.objects.get(pk=w.added.pk).pinned is False
    page = _page(client, _visit_url(w))
    assert "Pin it in this week" in page
    assert client.post(url, {"pinned": "1"}).status_code == 302
    assert PlannedVisit.objects.get(pk=w.added.pk).pinned is True
    assert "Unpin" in _page(client, _visit_url(w))


def test_it_removes_a_visit_and_keeps_the_place_out_with_the_note(personas, client_for):
    w = world(personas)
    response = client_for(w.monitor).post(
        reverse("planning:visit_remove", args=[w.programme.pk, w.added.pk]),
        {"note": "Visited last month by the ombudsman"},
    )
    assert response.status_code == 302
    assert not PlannedVisit.objects.filter(pk=w.added.pk).exists()
    rule = PlaceRule.objects.get(programme=w.programme, place=w.country.north_ward)
    assert (rule.kind, rule.note) == ("avoid", "Visited last month by the ombudsman")


def test_it_refuses_a_removal_note_too_long_and_removes_nothing(personas, client_for):
    w = world(personas)
    response = client_for(w.monitor).post(
        reverse("planning:visit_remove", args=[w.programme.pk, w.added.pk]), {"note": "x" * 301}
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 300 characters" in response.content.decode()
    assert PlannedVisit.objects.filter(pk=w.added.pk).exists()


# -- adding a visit -------------------------------------------------------------------------------


def test_it_adds_a_visit_found_by_name(personas, client_for):
    w = world(personas)
    c = w.country
    client = client_for(w.monitor)
    url = reverse("planning:visit_add", args=[w.programme.pk])
    page = _page(client, url + "?q=" + c.south_police.name)
    assert c.south_police.name in page and c.north_prison.name not in page
    assert '<option value="2027-03-29">' in page  # the period's last week is offered
    week = FIRST_WEEK + dt.timedelta(weeks=2)
    response = client.post(
        url, {"place": c.south_police.pk, "week": week.isoformat(), "kind": "in_depth"}
    )
    planned = PlannedVisit.objects.get(programme=w.programme, place=c.south_police)
    assert response.status_code == 302
    assert response["Location"] == _visit_url(w, planned)
    assert (planned.week_starts_on, planned.kind, planned.pinned) == (week, "in_depth", True)


def test_it_refuses_a_second_visit_to_the_same_place(personas, client_for):
    w = world(personas)
    response = client_for(w.monitor).post(
        reverse("planning:visit_add", args=[w.programme.pk]),
        {"place": w.country.north_ward.pk, "week": FIRST_WEEK.isoformat(), "kind": "in_depth"},
    )
    assert response.status_code == 400
    assert "already has a visit in the programme" in response.content.decode()
    assert PlannedVisit.objects.filter(programme=w.programme).count() == 1


def test_it_refuses_a_week_outside_the_period(personas, client_for):
    w = world(personas)
    response = client_for(w.monitor).post(
        reverse("planning:visit_add", args=[w.programme.pk]),
        {"place": w.country.south_police.pk, "week": "2027-06-07", "kind": "in_depth"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert PlannedVisit.objects.filter(programme=w.programme).count() == 1


# -- team proposals -------------------------------------------------------------------------------


def test_it_proposes_teams_and_explains_each_check(
    personas, client_for, django_capture_on_commit_callbacks
):
    w = world(personas)
    head, monitor = w.head, w.monitor
    make_profile(monitor, head, gender=TeamProfile.Gender.WOMAN)
    make_profile(personas["expert"], head, gender=TeamProfile.Gender.MAN)
    build_now(monitor, w.programme)
    client = client_for(monitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:teams", args=[w.programme.pk]))
    assert response.status_code == 302
    # The job runs once the request commits (at once here; a worker's in production).
    count = PlannedVisit.objects.filter(programme=w.programme).count()
    assert TeamProposal.objects.filter(planned_visit__programme=w.programme).count() == count
    programme_page = _page(client, response["Location"])
    assert f"Teams are being proposed for {count} visits." in programme_page
    assert "Teams proposed on" in programme_page
    assert 'hx-trigger="every 2s"' not in programme_page
    proposal = TeamProposal.objects.get(planned_visit=w.added)
    assert proposal.members
    page = _page(client, _visit_url(w))
    assert "Proposed team" in page
    assert monitor.full_name in page
    # The psychiatric ward needs a medical member and nobody medical has a profile.
    assert "No medical member (doctor, psychiatrist or nurse) is available" in page
    assert "Missing" in page or "Blocks" in page
    assert "No one on the team declared a conflict of interest here." in page


def test_it_refuses_teams_for_a_programme_not_built(personas, client_for):
    w = world(personas)
    client = client_for(w.monitor)
    response = client.post(reverse("planning:teams", args=[w.programme.pk]), follow=True)
    page = response.content.decode()
    assert "No team was proposed: Build the programme before proposing teams" in page
    assert Programme.objects.get(pk=w.programme.pk).teams_status == ""
    assert not TeamProposal.objects.exists()


def test_it_polls_while_teams_are_proposed_and_reloads_once_they_are(personas, client_for):
    w = world(personas)
    build_now(w.monitor, w.programme)
    Programme.objects.filter(pk=w.programme.pk).update(teams_status="queued")
    client = client_for(personas["head"])
    page = _page(client, reverse("planning:programme", args=[w.programme.pk]))
    status = re.search(r'<div id="programme-status".*?</div>', page, re.S).group(0)
    assert 'hx-trigger="every 2s"' in status
    assert "Proposing teams…" in status and "Refresh" in status  # without JavaScript
    url = reverse("planning:status", args=[w.programme.pk])
    fragment = client.get(url + "?polling=1", **HTMX)
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment
    assert "Proposing teams…" in fragment.content.decode()
    Programme.objects.filter(pk=w.programme.pk).update(teams_status="built")
    assert client.get(url + "?polling=1", **HTMX)["HX-Refresh"] == "true"


def test_the_propose_button_waits_while_teams_are_proposed(personas, client_for):
    w = world(personas)
    build_now(w.monitor, w.programme)
    Programme.objects.filter(pk=w.programme.pk).update(teams_status="queued")
    page = _page(client_for(w.monitor), reverse("planning:programme", args=[w.programme.pk]))
    assert re.search(r'<button type="submit" class="secondary" disabled>Propose teams', page)


def test_it_says_why_teams_could_not_be_proposed(personas, client_for):
    w = world(personas)
    build_now(w.monitor, w.programme)
    Programme.objects.filter(pk=w.programme.pk).update(
        teams_status="failed", teams_failure="The teams could not be proposed: a test."
    )
    page = _page(client_for(w.head), reverse("planning:programme", args=[w.programme.pk]))
    assert "Teams could not be proposed" in page  # the status, then why
    assert "The teams could not be proposed: a test." in page
    assert 'hx-trigger="every 2s"' not in page
    assert re.search(r'<button type="submit" class="secondary">Propose teams', page)


def test_it_asks_for_teams_again_after_a_new_build(personas, client_for):
    w = world(personas)
    make_profile(w.monitor, w.head, gender=TeamProfile.Gender.WOMAN)
    build_now(w.monitor, w.programme)
    services_teams.teams_build(actor=w.monitor, programme=w.programme, time_limit=1)
    client = client_for(w.head)
    url = reverse("planning:programme", args=[w.programme.pk])
    assert "Teams proposed on" in _page(client, url)
    build_now(w.monitor, w.programme)
    page = _page(client, url)
    assert "Teams were proposed for an earlier build: propose them again." in page
    assert "Teams proposed on" not in page


# -- durations ------------------------------------------------------------------------------------


def test_it_changes_a_duration_and_adds_a_line(personas, client_for):
    w = world(personas)
    client = client_for(w.monitor)
    url = reverse("planning:durations")
    rule = DurationRule.objects.filter(category=w.country.prison).order_by("capacity_from").first()
    page = _page(client, url)
    assert "From a capacity of" in page
    data = {}
    for line in DurationRule.objects.all():
        prefix = f"d{line.pk}-"
        data[prefix + "in_depth_days"] = str(line.in_depth_days)
        data[prefix + "follow_up_days"] = str(line.follow_up_days)
        data[prefix + "team_size"] = str(line.team_size)
    data[f"d{rule.pk}-in_depth_days"] = "4.5"
    data.update(
        {
            "new-category": w.country.police.pk,
            "new-capacity_from": "500",
            "new-in_depth_days": "2",
            "new-follow_up_days": "1",
            "new-team_size": "4",
        }
    )
    count = DurationRule.objects.count()
    assert client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert str(rule.in_depth_days) == "4.5"
    added = DurationRule.objects.get(category=w.country.police, capacity_from=500)
    assert (str(added.in_depth_days), added.team_size) == ("2.0", 4)
    assert DurationRule.objects.count() == count + 1


def test_it_refuses_a_half_filled_new_line_and_saves_nothing(personas, client_for):
    w = world(personas)
    rule = DurationRule.objects.first()
    before = list(DurationRule.objects.values_list("pk", "in_depth_days", "team_size"))
    response = client_for(w.monitor).post(
        reverse("planning:durations"),
        {
            f"d{rule.pk}-in_depth_days": "7",
            f"d{rule.pk}-follow_up_days": str(rule.follow_up_days),
            f"d{rule.pk}-team_size": str(rule.team_size),
            "new-capacity_from": "20",
        },
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert list(DurationRule.objects.values_list("pk", "in_depth_days", "team_size")) == before


# -- who is away -----------------------------------------------------------------------------------


def test_it_records_and_removes_a_time_away(personas, client_for):
    w = world(personas)
    client = client_for(w.head)
    url = reverse("planning:availability")
    response = client.post(
        url,
        {
            "user": w.monitor.pk,
            "starts_on": "2027-01-04",
            "ends_on": "2027-01-15",
            "note": "Training in Geneva",
        },
    )
    assert response.status_code == 302
    item = Unavailability.objects.get()
    assert (item.user_id, item.starts_on, item.note) == (
        w.monitor.pk,
        dt.date(2027, 1, 4),
        "Training in Geneva",
    )
    page = _page(client, url)
    assert "Training in Geneva" in page and w.monitor.full_name in page
    assert client.post(url, {"remove": item.pk}).status_code == 302
    assert not Unavailability.objects.exists()


def test_it_refuses_a_time_away_that_ends_before_it_starts(personas, client_for):
    w = world(personas)
    response = client_for(w.head).post(
        reverse("planning:availability"),
        {"user": w.monitor.pk, "starts_on": "2027-01-15", "ends_on": "2027-01-04"},
    )
    assert response.status_code == 400
    assert "The last day comes before the first." in response.content.decode()
    assert not Unavailability.objects.exists()


def test_it_offers_only_people_who_go_on_visits(personas, client_for):
    w = world(personas)
    page = _page(client_for(w.head), reverse("planning:availability"))
    options = re.findall(r'<option value="(\d+)"', page)
    assert str(w.monitor.pk) in options
    assert str(personas["comms"].pk) not in options
    assert str(personas["data_officer"].pk) not in options


def test_it_moves_a_visit_to_another_week_and_pins_it_there(personas, client_for):
    w = world(personas)
    client = client_for(w.monitor)
    week = FIRST_WEEK + dt.timedelta(weeks=6)
    response = client.post(
        reverse("planning:visit_move", args=[w.programme.pk, w.added.pk]),
        {"week": week.isoformat()},
    )
    assert response.status_code == 302
    moved = PlannedVisit.objects.get(pk=w.added.pk)
    assert (moved.week_starts_on, moved.pinned) == (week, True)
    assert f"The visit moves to the week of {week.isoformat()}" in _page(client, _visit_url(w))


def test_it_refuses_a_move_outside_the_period_and_moves_nothing(personas, client_for):
    w = world(personas)
    response = client_for(w.monitor).post(
        reverse("planning:visit_move", args=[w.programme.pk, w.added.pk]), {"week": "2027-06-07"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert PlannedVisit.objects.get(pk=w.added.pk).week_starts_on == FIRST_WEEK
