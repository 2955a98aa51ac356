"""The dialogue's services: exchanges, the mapping of a letter, action plans (¶2, 22, 31a)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory
from habeas.recommendations import selectors_dialogue as selectors
from habeas.recommendations import services_dialogue as services
from habeas.recommendations.models import Exchange, Response, ResponseStatus
from habeas.recommendations.services_dialogue import MapEntry
from habeas.recommendations.tests.dialogue_factories import (
    make_commitment,
    make_exchange,
    make_plan,
    make_sent_to,
)
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

STATUSES = [
    ResponseStatus.ACCEPTED,
    ResponseStatus.PARTIALLY_ACCEPTED,
    ResponseStatus.REJECTED,
    ResponseStatus.NO_REPLY,
]


@pytest.fixture
def ministry():
    return AuthorityFactory(kind=Authority.Kind.MINISTRY, name="Ministry of Justice")


# -- exchanges ------------------------------------------------------------------------------


def test_it_logs_an_exchange_and_audits_it_without_content(personas, ministry):
    exchange = make_exchange(
        personas["data_officer"], authority=ministry, summary="The minister promised funds."
    )

    event = AuditEvent.objects.get(action="exchange.create")
    assert event.object_id == str(exchange.pk)
    assert event.detail == {"authority": ministry.pk, "kind": "letter"}
    assert "minister" not in str(event.detail)


@pytest.mark.parametrize("who", ["doctor", "comms", "expert", "admin", "outsider"])
def test_it_refuses_an_exchange_from_a_role_without_the_dialogue(personas, ministry, who):
    with pytest.raises(PermissionDenied):
        make_exchange(personas[who], authority=ministry)
    assert not Exchange.objects.exists()


def test_it_refuses_a_letter_dated_in_the_future_or_both_ways(personas, ministry):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        make_exchange(personas["head"], authority=ministry, occurred_on=tomorrow)
    assert "occurred_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_exchange(personas["head"], authority=ministry, direction="mutual")
    assert "direction" in error.value.message_dict
    # A meeting may be planned ahead.
    make_exchange(
        personas["head"],
        authority=ministry,
        kind="meeting",
        direction="mutual",
        occurred_on=tomorrow,
    )


def test_an_exchange_edit_is_versioned(personas, ministry):
    exchange = make_exchange(personas["head"], authority=ministry)
    services.exchange_update(
        actor=personas["monitor"], exchange=exchange, data={"subject": "Theirs"}, expected_version=1
    )

    with pytest.raises(StaleEdit):
        services.exchange_update(
            actor=personas["data_officer"],
            exchange=exchange,
            data={"subject": "Mine"},
            expected_version=1,
        )

    exchange.refresh_from_db()
    assert exchange.subject == "Theirs" and exchange.version == 2
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-2:] == ["exchange.update", "exchange.update_stale"]


# -- mapping a letter -----------------------------------------------------------------------


def test_it_maps_one_letter_to_40_recommendations_at_once(personas, ministry):
    head = personas["head"]
    recommendations = make_sent_to(head, ministry, 40)
    letter = make_exchange(personas["data_officer"], authority=ministry)
    entries = [
        MapEntry(
            recommendation=r,
            status=STATUSES[n % 4],
            passage=f"  As to point {n}, the Ministry will act by June.  ",
        )
        for n, r in enumerate(recommendations)
    ]

    written = services.letter_map(actor=personas["data_officer"], exchange=letter, entries=entries)

    assert len(written) == 40
    for n, recommendation in enumerate(recommendations):
        response = Response.objects.get(recommendation=recommendation)
        assert response.exchange_id == letter.pk
        assert response.status == STATUSES[n % 4]
        assert response.passage == f"As to point {n}, the Ministry will act by June."
        assert response.responded_on == letter.occurred_on
        recommendation.refresh_from_db()
        assert recommendation.response == STATUSES[n % 4]
        assert recommendation.responded_on == letter.occurred_on
    events = AuditEvent.objects.filter(action="recommendation.response")
    assert events.count() == 40
    assert all("Ministry will act" not in str(e.detail) for e in events)


def test_one_bad_entry_writes_nothing_and_says_which(personas, ministry):
    head = personas["head"]
    good = make_sent_to(head, ministry, 3)
    draft = make_recommendation(head, addressee=ministry)  # never sent
    letter = make_exchange(head, authority=ministry)
    entries = [MapEntry(recommendation=r, status="accepted") for r in good]
    entries.insert(1, MapEntry(recommendation=draft, status="accepted"))

    with pytest.raises(services.MappingRefused) as refused:
        services.letter_map(actor=head, exchange=letter, entries=entries)

    assert list(refused.value.entry_errors) == [1]
    assert "has not been sent" in refused.value.entry_errors[1][0]
    assert not Response.objects.exists()
    assert not AuditEvent.objects.filter(action="recommendation.response").exists()
    for recommendation in good:
        recommendation.refresh_from_db()
        assert recommendation.response == ""


def test_a_bad_status_or_date_is_refused_per_entry(personas, ministry):
    head = personas["head"]
    first, second = make_sent_to(head, ministry, 2, days_ago=5)
    letter = make_exchange(head, authority=ministry)
    too_early = timezone.localdate() - dt.timedelta(days=30)

    with pytest.raises(services.MappingRefused) as refused:
        services.letter_map(
            actor=head,
            exchange=letter,
            entries=[
                MapEntry(recommendation=first, status="maybe"),
                MapEntry(recommendation=second, status="accepted", responded_on=too_early),
            ],
        )

    assert sorted(refused.value.entry_errors) == [0, 1]
    assert not Response.objects.exists()


def test_a_recommendation_the_actor_cannot_see_is_refused(personas, ministry):
    head, officer = personas["head"], personas["data_officer"]
    hidden_visit = make_visit(head)  # unannounced, being prepared: planners and team only
    hidden = make_sent(head, addressee=ministry, visit=hidden_visit)
    visible = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(officer, authority=ministry)

    with pytest.raises(services.MappingRefused) as refused:
        services.letter_map(
            actor=officer,
            exchange=letter,
            entries=[
                MapEntry(recommendation=visible, status="accepted"),
                MapEntry(recommendation=hidden, status="rejected"),
            ],
        )

    assert refused.value.entry_errors == {1: ["No recommendation you may record a response to."]}
    assert not Response.objects.exists()


def test_the_same_recommendation_twice_is_refused(personas, ministry):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    entry = MapEntry(recommendation=recommendation, status="accepted")

    with pytest.raises(services.MappingRefused) as refused:
        services.letter_map(actor=head, exchange=letter, entries=[entry, entry])

    assert list(refused.value.entry_errors) == [1]


def test_mapping_again_corrects_rather_than_repeats(personas, ministry):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    services.letter_map(
        actor=head,
        exchange=letter,
        entries=[MapEntry(recommendation=recommendation, status="accepted", passage="Yes.")],
    )

    services.letter_map(
        actor=head,
        exchange=letter,
        entries=[MapEntry(recommendation=recommendation, status="rejected", passage="No.")],
    )

    response = Response.objects.get(recommendation=recommendation)
    assert (response.status, response.passage) == ("rejected", "No.")
    recommendation.refresh_from_db()
    assert recommendation.response == "rejected"
    actions = AuditEvent.objects.filter(object_type="recommendations.recommendation")
    assert list(actions.values_list("action", flat=True))[-2:] == [
        "recommendation.response",
        "recommendation.response_correct",
    ]


def test_a_letter_the_npm_sent_answers_nothing(personas, ministry):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    sent = make_exchange(head, authority=ministry, direction="outgoing")

    with pytest.raises(ValidationError):
        services.letter_map(
            actor=head,
            exchange=sent,
            entries=[MapEntry(recommendation=recommendation, status="accepted")],
        )
    assert not Response.objects.exists()


def test_a_role_without_the_dialogue_cannot_map(personas, ministry):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    with pytest.raises(PermissionDenied):
        services.letter_map(
            actor=personas["doctor"],
            exchange=letter,
            entries=[MapEntry(recommendation=recommendation, status="accepted")],
        )
    assert not Response.objects.exists()


def test_candidates_are_the_authoritys_and_those_below_awaiting_first(personas, ministry):
    head = personas["head"]
    prison_service = AuthorityFactory(parent=ministry, name="Prison service")
    prison = AuthorityFactory(parent=prison_service, name="Central prison management")
    place = PlaceFactory(authority=prison)
    other = AuthorityFactory(name="Health ministry")
    answered = make_sent_to(head, ministry, 1, days_ago=40)[0]
    to_ministry = make_sent_to(head, ministry, 1, days_ago=30)[0]
    to_prison = make_sent_to(head, prison, 1, days_ago=20)[0]
    about_place = make_sent(
        head, sent_on=timezone.localdate() - dt.timedelta(days=10), addressee=other, place=place
    )
    elsewhere = make_sent_to(head, other, 1)[0]
    make_recommendation(head, addressee=ministry)  # a draft is not a candidate
    earlier = make_exchange(head, authority=ministry)
    services.letter_map(
        actor=head,
        exchange=earlier,
        entries=[MapEntry(recommendation=answered, status="accepted")],
    )
    letter = make_exchange(head, authority=ministry)

    candidates = list(selectors.map_candidates(user=head, exchange=letter))

    assert candidates == [about_place, to_prison, to_ministry, answered]
    assert elsewhere not in candidates
    found = selectors.map_candidates(user=head, exchange=letter, text=to_prison.reference)
    assert list(found) == [to_prison]


# -- action plans ---------------------------------------------------------------------------


def test_an_action_plan_holds_dated_commitments_readable_from_the_recommendation(
    personas, ministry
):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    plan = make_plan(personas["monitor"], authority=ministry, exchange=letter)
    overdue = make_commitment(
        head,
        plan,
        recommendation=recommendation,
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    make_commitment(head, plan, due_on=timezone.localdate() - dt.timedelta(days=5))

    assert list(recommendation.commitments.all()) == [overdue]
    rows = selectors.commitments_of(user=head, plan=plan)
    assert [row.overdue for row in rows] == [True, True]

    services.commitment_update(
        actor=head,
        commitment=overdue,
        data={"done_on": timezone.localdate()},
        expected_version=1,
    )
    rows = {row.pk: row for row in selectors.commitments_of(user=head, plan=plan)}
    assert rows[overdue.pk].overdue is False
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"action_plan.create", "commitment.add", "commitment.update"} <= actions


def test_a_commitment_edit_is_versioned_and_dates_are_checked(personas, ministry):
    head = personas["head"]
    plan = make_plan(head, authority=ministry)
    commitment = make_commitment(head, plan)
    services.commitment_update(
        actor=head, commitment=commitment, data={"text": "Theirs"}, expected_version=1
    )
    with pytest.raises(StaleEdit):
        services.commitment_update(
            actor=head, commitment=commitment, data={"text": "Mine"}, expected_version=1
        )
    with pytest.raises(ValidationError):
        services.commitment_update(
            actor=head,
            commitment=commitment,
            data={"done_on": timezone.localdate() + dt.timedelta(days=3)},
            expected_version=2,
        )
    commitment.refresh_from_db()
    assert commitment.text == "Theirs" and commitment.done_on is None


def test_a_commitment_cannot_link_a_recommendation_the_actor_cannot_see(personas, ministry):
    head, officer = personas["head"], personas["data_officer"]
    hidden = make_sent(head, addressee=ministry, visit=make_visit(head))
    plan = make_plan(officer, authority=ministry)

    with pytest.raises(ValidationError) as error:
        make_commitment(officer, plan, recommendation=hidden)

    assert "recommendation" in error.value.message_dict
    assert not plan.commitments.exists()


def test_a_plan_edit_is_versioned_and_refused_to_a_reader(personas, ministry):
    plan = make_plan(personas["head"], authority=ministry)
    with pytest.raises(PermissionDenied):
        services.action_plan_update(
            actor=personas["comms"], plan=plan, data={"title": "x"}, expected_version=1
        )
    services.action_plan_update(
        actor=personas["monitor"], plan=plan, data={"title": "Revised plan"}, expected_version=1
    )
    with pytest.raises(StaleEdit):
        services.action_plan_update(
            actor=personas["head"], plan=plan, data={"title": "Lost"}, expected_version=1
        )
    plan.refresh_from_db()
    assert plan.title == "Revised plan"


def test_a_letter_is_offered_only_what_was_sent_before_it(personas, ministry):
    head = personas["head"]
    earlier = make_sent_to(head, ministry, 1, days_ago=40)
    later = make_sent_to(head, ministry, 1, days_ago=5)
    letter = make_exchange(
        head, authority=ministry, occurred_on=timezone.localdate() - dt.timedelta(days=20)
    )

    offered = set(selectors.map_candidates(user=head, exchange=letter).values_list("pk", flat=True))

    assert offered == {earlier[0].pk}
    assert later[0].pk not in offered
