"""Places proposed for follow-up visits (¶22, 24): at least `threshold` (3 by default) of
their counted recommendations (key by default) sent, past deadline and not achieved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from habeas.places.models import Place
from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations import proposals, services
from habeas.recommendations.models import FollowUpRule, Priority, Recommendation
from habeas.recommendations.tests.factories import make_sent
from habeas.visits.models import Visit
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAST = TODAY - dt.timedelta(days=30)
FUTURE = TODAY + dt.timedelta(days=30)


def overdue(actor: Any, place: Place, count: int, **fields: Any) -> list[Recommendation]:
    """`count` recommendations about `place`, sent 90 days ago, due 30 days ago."""
    made = []
    for _n in range(count):
        recommendation = make_sent(
            actor, sent_on=TODAY - dt.timedelta(days=90), place=place, **fields
        )
        Recommendation.objects.filter(pk=recommendation.pk).update(
            deadline=fields.get("deadline", PAST)
        )
        recommendation.refresh_from_db()
        made.append(recommendation)
    return made


def verify(actor: Any, recommendation: Recommendation, status: str) -> None:
    response = services.response_record(
        actor=actor,
        recommendation=recommendation,
        status="accepted",
        responded_on=TODAY - dt.timedelta(days=60),
    )
    services.verification_record(
        actor=actor,
        recommendation=recommendation,
        status=status,
        verified_on=TODAY,
        evidence="response",
        response=response,
    )


def proposed(user: Any) -> dict[int, int]:
    return {p.place.pk: p.count for p in proposals.follow_up_proposals(user=user, today=TODAY)}


def test_three_overdue_key_recommendations_propose_the_place(personas):
    head = personas["head"]
    place, quieter = PlaceFactory(), PlaceFactory()
    made = overdue(head, place, 3)
    overdue(head, quieter, 2)

    found = proposals.follow_up_proposals(user=head, today=TODAY)

    assert [(p.place, p.count) for p in found] == [(place, 3)]
    assert {r.pk for r in found[0].recommendations} == {r.pk for r in made}
    assert found[0].oldest_deadline == PAST
    assert not found[0].follow_up_planned


def test_a_lower_threshold_proposes_more_places(personas):
    head = personas["head"]
    place, quieter = PlaceFactory(), PlaceFactory()
    overdue(head, place, 3)
    overdue(head, quieter, 2)
    FollowUpRule.objects.create(pk=1, threshold=2, priorities=[Priority.KEY])

    assert proposed(head) == {place.pk: 3, quieter.pk: 2}


def test_only_the_counted_priorities_count(personas):
    head = personas["head"]
    place = PlaceFactory()
    overdue(head, place, 2)
    overdue(head, place, 2, priority=Priority.GENERAL)

    assert proposed(head) == {}

    FollowUpRule.objects.create(pk=1, priorities=[Priority.KEY, Priority.GENERAL])
    assert proposed(head) == {place.pk: 4}


def test_settled_and_not_yet_due_ones_do_not_count(personas):
    head = personas["head"]
    place = PlaceFactory()
    counted = overdue(head, place, 3)
    verify(head, counted[0], "achieved")

    assert proposed(head) == {}

    verify(head, counted[0], "partially_achieved")  # a later, worse verification
    assert proposed(head) == {place.pk: 3}

    verify(head, counted[1], "no_longer_relevant")
    overdue(head, place, 1, deadline=FUTURE)
    assert proposed(head) == {}


def test_not_achieved_ones_count(personas):
    head = personas["head"]
    place = PlaceFactory()
    counted = overdue(head, place, 3)
    verify(head, counted[0], "not_achieved")

    assert proposed(head) == {place.pk: 3}


def test_drafts_do_not_count(personas):
    from habeas.recommendations.tests.factories import make_recommendation

    head = personas["head"]
    place = PlaceFactory()
    overdue(head, place, 2)
    make_recommendation(head, place=place, deadline=PAST)

    assert proposed(head) == {}


def test_an_expert_counts_only_the_recommendations_they_may_see(personas):
    head, expert = personas["head"], personas["expert"]
    place = PlaceFactory()
    visit = make_visit(head, place=place)
    add_member(visit, expert, head, override_reason="Papers signed on site")
    overdue(head, place, 2, visit=visit)
    overdue(head, place, 2)  # not from a visit: the expert does not see them

    assert proposed(head) == {place.pk: 4}
    assert proposed(expert) == {}
    assert proposals.overdue_key_counts(user=expert, today=TODAY) == {place.pk: 2}


def test_a_follow_up_visit_not_closed_is_shown_as_planned(personas):
    head = personas["head"]
    place = PlaceFactory()
    overdue(head, place, 3)
    closed = make_visit(head, place=place, kind=Visit.Kind.FOLLOW_UP, state=Visit.State.CLOSED)
    make_visit(head, place=place, kind=Visit.Kind.IN_DEPTH)

    found = proposals.follow_up_proposals(user=head, today=TODAY)[0]
    assert found.follow_up is None and closed.pk

    planned = make_visit(head, place=place, kind=Visit.Kind.FOLLOW_UP)
    found = proposals.follow_up_proposals(user=head, today=TODAY)[0]
    assert found.follow_up == planned and found.follow_up_planned


def test_overdue_key_counts_every_place_without_a_threshold(personas):
    head = personas["head"]
    place, other = PlaceFactory(), PlaceFactory()
    overdue(head, place, 3)
    overdue(head, other, 1)

    assert proposals.overdue_key_counts(user=head, today=TODAY) == {place.pk: 3, other.pk: 1}


def test_an_outsider_is_proposed_nothing(personas):
    head = personas["head"]
    overdue(head, PlaceFactory(), 3)

    assert proposed(personas["outsider"]) == {}
    assert proposed(personas["admin"]) == {}
    assert proposals.overdue_key_counts(user=personas["outsider"], today=TODAY) == {}


def test_it_counts_in_one_aggregate_query_and_fills_in_a_fixed_number(personas):
    head = personas["head"]
    for _n in range(4):
        overdue(head, PlaceFactory(), 3)

    with CaptureQueriesContext(connection) as counting:
        rows = list(proposals.proposed_places(user=head, today=TODAY))
    with CaptureQueriesContext(connection) as filling:
        found = proposals.proposals_for(user=head, today=TODAY, rows=rows)

    assert len(rows) == 4 and len(found) == 4
    assert len(counting) <= 2  # the rule, then the one aggregate
    assert len(filling) <= 4  # the rule, places, recommendations, follow-up visits
