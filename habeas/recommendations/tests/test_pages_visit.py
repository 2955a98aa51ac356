"""A visit's recommendations: sending its drafts together, verifying the place's open
recommendations at a follow-up visit in one click each, and turning a debrief's urgent
matters into urgent recommendations (¶22, 24, 31a)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations.models import Recommendation, Verification
from habeas.recommendations.tests.factories import make_sent
from habeas.recommendations.tests.test_pages_world import (
    draft_at,
    finding_at,
    later_visit,
    pages_world,
)
from habeas.visits import services_field as field
from habeas.visits.models import UrgentDraft
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db


def test_the_visit_page_lists_its_drafts_with_quality_badges(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    clear = draft_at(world)
    vague = draft_at(world, text="Consider improving things.", root_cause="", deadline=None)
    client = client_for(world.monitor)
    page = client.get(reverse("recommendations:visit", args=[world.visit.pk])).content.decode()
    assert clear.reference in page and vague.reference in page
    assert "Clear" in page and "points to check" in page
    assert f"{reverse('recommendations:draft')}?visit={world.visit.pk}" in page
    visit_page = client.get(reverse("visits:visit_detail", args=[world.visit.pk])).content.decode()
    assert reverse("recommendations:visit", args=[world.visit.pk]) in visit_page
    assert "Recommendations (2)" in visit_page


def test_send_selected_sends_the_ticked_drafts(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    first, second, kept = draft_at(world), draft_at(world), draft_at(world)
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:send_many"),
        {"visit": world.visit.pk, "recommendations": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("recommendations:visit", args=[world.visit.pk])
    states = dict(Recommendation.objects.values_list("pk", "state"))
    assert states == {first.pk: "sent", second.pk: "sent", kept.pk: "draft"}
    first.refresh_from_db()
    assert first.sent_on and first.response_due


def test_send_selected_sends_none_when_one_cannot_go(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    ready = draft_at(world)
    unaddressed = draft_at(world)
    Recommendation.objects.filter(pk=unaddressed.pk).update(addressee=None)
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:send_many"),
        {"visit": world.visit.pk, "recommendations": [ready.pk, unaddressed.pk]},
        follow=True,
    )
    assert "Nothing was sent" in response.content.decode()
    assert unaddressed.reference in response.content.decode()
    assert set(Recommendation.objects.values_list("state", flat=True)) == {"draft"}


def test_send_selected_refuses_a_recommendation_the_user_may_not_see(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    mine = draft_at(world)
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:send_many"),
        {"visit": world.visit.pk, "recommendations": [mine.pk, 987654]},
    )
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.state == "draft"


def test_a_follow_up_visit_verifies_open_recommendations_in_one_click(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    bells = make_sent(
        world.monitor,
        visit=world.visit,
        addressee=world.administration,
        theme="conditions",
        sent_on=dt.date(2026, 1, 5),
    )
    achieved_before = make_sent(
        world.monitor,
        visit=world.visit,
        addressee=world.administration,
        sent_on=dt.date(2026, 1, 5),
    )
    Recommendation.objects.filter(pk=achieved_before.pk).update(implementation="achieved")
    follow_up = later_visit(world)
    seen = finding_at(follow_up, world.monitor, "Every call bell in Wing B now works.")
    client = client_for(world.monitor)
    page = client.get(reverse("recommendations:visit", args=[follow_up.pk])).content.decode()
    assert "Open recommendations to verify" in page
    assert bells.reference in page and achieved_before.reference not in page
    assert f'<option value="{seen.pk}" selected>' in page
    response = client.post(
        reverse("recommendations:verify", args=[bells.pk]),
        {
            "status": "achieved",
            "evidence": "finding",
            "finding": seen.pk,
            "verified_on": "2026-06-02",
            "from_visit": follow_up.pk,
            "note": "Tested five bells.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("recommendations:visit", args=[follow_up.pk]))
    bells.refresh_from_db()
    assert bells.implementation == "achieved" and bells.implementation_on == dt.date(2026, 6, 2)
    verification = Verification.objects.get()
    assert verification.finding == seen and verification.recorded_by == world.monitor
    page = client.get(reverse("recommendations:visit", args=[follow_up.pk])).content.decode()
    assert "is recorded with its evidence" in page and f'id="open-{bells.pk}"' not in page


def test_a_verification_without_its_finding_changes_nothing(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    bells = make_sent(
        world.monitor,
        visit=world.visit,
        addressee=world.administration,
        sent_on=dt.date(2026, 1, 5),
    )
    follow_up = later_visit(world)
    finding_at(follow_up, world.monitor, "Bells work.")
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:verify", args=[bells.pk]),
        {
            "status": "achieved",
            "evidence": "finding",
            "finding": "",
            "verified_on": "2026-06-02",
            "from_visit": follow_up.pk,
        },
    )
    assert response.status_code == 400 and not Verification.objects.exists()
    other_place = later_visit(world)
    elsewhere = make_visit(world.head, place=PlaceFactory(), state="in_progress")
    foreign = finding_at(elsewhere, world.head, "A finding at another prison.")
    response = client.post(
        reverse("recommendations:verify", args=[bells.pk]),
        {
            "status": "achieved",
            "evidence": "finding",
            "finding": foreign.pk,
            "verified_on": "2026-06-02",
            "from_visit": other_place.pk,
        },
    )
    assert response.status_code == 400 and not Verification.objects.exists()


def test_an_urgent_matter_of_the_debrief_becomes_an_urgent_recommendation(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    urgent = field.urgent_draft_create(
        actor=world.monitor,
        visit=world.visit,
        data={
            "text": "Repair the fire alarm in Wing C within a week.",
            "addressee": world.administration,
        },
    )
    client = client_for(world.monitor)
    debrief = client.get(reverse("visits:debrief", args=[world.visit.pk])).content.decode()
    convert = reverse("recommendations:from_urgent", args=[urgent.pk])
    assert convert in debrief and "Make it a recommendation" in debrief
    response = client.post(convert)
    recommendation = Recommendation.objects.get()
    assert response["Location"] == reverse("recommendations:detail", args=[recommendation.pk])
    assert recommendation.priority == "urgent" and recommendation.visit == world.visit
    assert recommendation.deadline == urgent.deadline
    assert recommendation.liaison == "Duty officer, +1 555 0100"
    urgent.refresh_from_db()
    assert urgent.recommendation_ref == recommendation.reference
    page = client.get(response["Location"]).content.decode()
    assert "Named liaison (urgent track)" in page and "Duty officer, +1 555 0100" in page
    # Done once: the debrief now links to it, and a second click makes nothing new.
    debrief = client.get(reverse("visits:debrief", args=[world.visit.pk])).content.decode()
    assert "Make it a recommendation" not in debrief and recommendation.reference in debrief
    assert client.get(convert)["Location"] == response["Location"]
    assert client.post(convert)["Location"] == response["Location"]
    assert Recommendation.objects.count() == 1 and UrgentDraft.objects.count() == 1
