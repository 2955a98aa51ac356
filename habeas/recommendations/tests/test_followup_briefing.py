"""The briefing pack's "Open recommendations" (¶13, 24): the place's recommendations sent
and not settled, with their response, implementation and deadline, overdue marked; only
what the reader may see, and nothing of another place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations import services
from habeas.recommendations.models import Recommendation
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.visits import briefing
from habeas.visits.models import Visit
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OVERDUE = "Canary overdue: give every person held a mattress at night"
ANSWERED = "Canary answered: record the time a lawyer is called"
ACHIEVED = "Canary achieved: repair the call bells"
ELSEWHERE = "Canary elsewhere: another place's recommendation"
DRAFT = "Canary draft: not sent yet"


def days(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def sent(actor: Any, place: Any, text: str, **fields: Any) -> Recommendation:
    return make_sent(
        actor, sent_on=TODAY - dt.timedelta(days=120), place=place, text=text, **fields
    )


@pytest.fixture
def world(personas) -> dict[str, Any]:
    head = personas["head"]
    place = PlaceFactory(name="Canary prison Westend")
    earlier = make_visit(
        head, place=place, starts_on=days(-200), ends_on=days(-199), state=Visit.State.CLOSED
    )
    late = sent(head, place, OVERDUE, visit=earlier)
    Recommendation.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=10))
    answered = sent(head, place, ANSWERED)
    services.response_record(
        actor=head,
        recommendation=answered,
        status="partially_accepted",
        responded_on=TODAY - dt.timedelta(days=100),
    )
    done = sent(head, place, ACHIEVED)
    response = services.response_record(
        actor=head, recommendation=done, status="accepted", responded_on=TODAY
    )
    services.verification_record(
        actor=head,
        recommendation=done,
        status="achieved",
        verified_on=TODAY,
        evidence="response",
        response=response,
    )
    sent(head, PlaceFactory(), ELSEWHERE)
    make_recommendation(head, place=place, text=DRAFT)
    visit = make_visit(head, place=place, starts_on=days(5), ends_on=days(6))
    return {"place": place, "visit": visit, "late": late, "answered": answered, "done": done}


def page(client: Any, visit: Any) -> Any:
    return client.get(reverse("visits:briefing", kwargs={"visit_pk": visit.pk}))


def test_a_team_member_sees_the_places_open_recommendations(client_for, personas, world):
    doctor = personas["doctor"]
    add_member(world["visit"], doctor, personas["head"])

    pack = briefing.briefing_pack(user=doctor, visit=world["visit"])
    response = page(client_for(doctor), world["visit"])

    lines = {line.recommendation.pk: line for line in pack.tracked}
    assert set(lines) == {world["late"].pk, world["answered"].pk}
    assert lines[world["late"].pk].overdue and lines[world["late"].pk].response_overdue
    assert not lines[world["answered"].pk].overdue
    assert not lines[world["answered"].pk].response_overdue
    html = response.content.decode()
    assert response.status_code == 200
    assert OVERDUE in html and ANSWERED in html
    assert "Partially accepted" in html and "past deadline" in html
    assert world["late"].reference in html


def test_settled_drafts_and_other_places_are_left_out(client_for, personas, world):
    html = page(client_for(personas["monitor"]), world["visit"]).content.decode()

    assert ACHIEVED not in html
    assert ELSEWHERE not in html
    assert DRAFT not in html


def test_an_expert_on_the_team_sees_only_what_they_may_see(client_for, personas, world):
    expert = personas["expert"]
    add_member(world["visit"], expert, personas["head"], override_reason="Papers signed")

    pack = briefing.briefing_pack(user=expert, visit=world["visit"])

    assert pack.tracked == []  # recommendations of visits the expert was not on
    assert OVERDUE not in page(client_for(expert), world["visit"]).content.decode()


def test_the_pdf_lists_them_too(personas, world):
    from django.template.loader import render_to_string

    pack = briefing.briefing_pack(user=personas["monitor"], visit=world["visit"])
    html = render_to_string("visits/briefing_body.html", {"pack": pack, "pdf": True})

    assert OVERDUE in html and world["late"].reference in html
    assert 'href="/recommendations/' not in html


def test_a_place_without_open_recommendations_says_so(client_for, personas):
    visit = make_visit(personas["head"], place=PlaceFactory())

    html = page(client_for(personas["monitor"]), visit).content.decode()

    assert "No recommendation about this place is open." in html
