"""Service tests of a recommendation's life: drafted, edited, sent, answered, verified,
linked, and the NPM's follow-up rule (habeas/recommendations/services.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.models import Authority, PlaceDocument
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations import services
from habeas.recommendations.models import (
    Exchange,
    FollowUpRule,
    Implementation,
    Level,
    Origin,
    Priority,
    Recommendation,
    ResponseStatus,
    Verification,
)
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.visits import services_field as field
from habeas.visits.models import Finding, UrgentDraft, Visit
from habeas.visits.tests.factories import add_member, make_profile, make_visit

pytestmark = pytest.mark.django_db

CANARY = "rec-canary-7f3a: the guard named Petrov"


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def finding_at(visit: Visit, actor: Any, statement: str = "No call bells in Wing B.") -> Finding:
    data = {"theme": "conditions", "kind": "concern", "severity": "key", "statement": statement}
    return field.finding_create(actor=actor, visit=visit, data=data)


def on_team_expert(personas: dict, visit: Visit) -> Any:
    expert, head = personas["expert"], personas["head"]
    make_profile(
        expert,
        head,
        is_external=True,
        terms_of_reference_on=dt.date(2025, 1, 1),
        undertaking_signed_on=dt.date(2025, 1, 1),
    )
    add_member(visit, expert, head)
    return expert


def exchange_with(authority: Authority, actor: Any) -> Exchange:
    return Exchange.objects.create(
        authority=authority,
        kind=Exchange.Kind.LETTER,
        direction=Exchange.Direction.INCOMING,
        occurred_on=days_ago(1),
        subject="Answer of the ministry",
        created_by=actor,
    )


def document_of(place: Any, actor: Any) -> PlaceDocument:
    return PlaceDocument.objects.create(place=place, title="Works order", uploaded_by=actor)


@pytest.fixture
def world(personas):
    head = personas["head"]
    visit = make_visit(head, announced=True)
    return SimpleNamespace(
        head=head, visit=visit, place=visit.place, finding=finding_at(visit, head), p=personas
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# -- drafting --------------------------------------------------------------------------


def test_it_numbers_references_per_year(personas, time_machine):
    head = personas["head"]
    time_machine.move_to(dt.datetime(2025, 12, 30, 12, tzinfo=dt.UTC))
    first, second = make_recommendation(head), make_recommendation(head)
    time_machine.move_to(dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC))
    third = make_recommendation(head)
    assert [first.reference, second.reference, third.reference] == [
        "R-2025-00001",
        "R-2025-00002",
        "R-2026-00001",
    ]


def test_a_draft_from_a_visit_takes_its_place_and_origin_and_the_drafter_follows_it(world):
    draft = make_recommendation(world.head, visit=world.visit)
    assert draft.place == world.place and draft.origin == Origin.OWN_VISIT
    assert draft.owner == world.head and draft.state == Recommendation.State.DRAFT
    loose = make_recommendation(world.head)
    assert loose.place is None and loose.origin == Origin.OTHER
    spt = make_recommendation(world.head, origin=Origin.SPT, place=world.place)
    assert spt.origin == Origin.SPT and spt.visit is None


@pytest.mark.parametrize(
    ("kind", "level"),
    [
        (Authority.Kind.FACILITY, Level.FACILITY),
        (Authority.Kind.SUPERVISORY, Level.SUPERVISORY),
        (Authority.Kind.MINISTRY, Level.NATIONAL),
        (Authority.Kind.PARLIAMENT, Level.LEGISLATIVE),
        (Authority.Kind.PROSECUTOR, ""),
    ],
)
def test_the_level_follows_the_addressee_unless_given(personas, kind, level):
    head = personas["head"]
    assert make_recommendation(head, addressee=AuthorityFactory(kind=kind)).level == level
    chosen = make_recommendation(head, addressee=AuthorityFactory(kind=kind), level="legislative")
    assert chosen.level == Level.LEGISLATIVE


def test_an_urgent_draft_gets_a_short_deadline_and_the_urgent_liaison(personas):
    head = personas["head"]
    ministry = AuthorityFactory(
        kind=Authority.Kind.MINISTRY, urgent_contact="Duty officer, ext. 12"
    )
    urgent = make_recommendation(head, addressee=ministry, priority=Priority.URGENT, deadline=None)
    assert urgent.deadline == today() + dt.timedelta(days=14)
    assert urgent.liaison == "Duty officer, ext. 12"
    FollowUpRule.objects.create(pk=1, urgent_days=5, priorities=["key"])
    sooner = make_recommendation(head, addressee=ministry, priority=Priority.URGENT, deadline=None)
    assert sooner.deadline == today() + dt.timedelta(days=5)
    own = make_recommendation(
        head, addressee=ministry, priority=Priority.URGENT, deadline=days_ago(-3), liaison="Ms Y"
    )
    assert (own.deadline, own.liaison) == (days_ago(-3), "Ms Y")
    key = make_recommendation(head, addressee=ministry, priority=Priority.KEY, deadline=None)
    assert key.deadline is None and key.liaison == ""


def test_linked_findings_must_come_from_the_same_visit_or_place(world):
    head = world.head
    later = make_visit(head, place=world.place, announced=True)
    same_place = finding_at(later, head)
    draft = make_recommendation(head, visit=world.visit, findings=[world.finding, same_place])
    assert set(draft.findings.all()) == {world.finding, same_place}
    elsewhere = finding_at(make_visit(head, announced=True), head)
    with pytest.raises(ValidationError) as refused:
        make_recommendation(head, visit=world.visit, findings=[elsewhere])
    assert "findings" in refused.value.message_dict
    assert Recommendation.objects.count() == 1


def test_a_finding_the_drafter_cannot_see_cannot_be_linked(world):
    officer = world.p["data_officer"]
    secret = make_visit(world.head, place=world.place)  # unannounced, still planned
    hidden = finding_at(secret, world.head)
    with pytest.raises(ValidationError) as refused:
        make_recommendation(officer, place=world.place, findings=[hidden])
    assert "not yours" in refused.value.message_dict["findings"][0]
    assert not Recommendation.objects.exists()


def test_a_draft_on_a_visit_needs_the_right_to_record_on_it(world):
    with pytest.raises(ValidationError) as refused:
        make_recommendation(world.p["doctor"], visit=world.visit)
    assert "visit" in refused.value.message_dict
    expert = on_team_expert(world.p, world.visit)
    assert make_recommendation(expert, visit=world.visit).visit == world.visit


def test_an_expert_cannot_draft_a_recommendation_they_would_not_see(world):
    expert = on_team_expert(world.p, world.visit)
    with pytest.raises(ValidationError) as refused:
        make_recommendation(expert, place=world.place)
    assert "visit" in refused.value.message_dict
    assert not Recommendation.objects.exists()


# -- editing ----------------------------------------------------------------------------


def test_a_draft_is_fully_editable_and_the_edit_is_audited_without_content(world):
    head = world.head
    draft = make_recommendation(head, visit=world.visit)
    facility = AuthorityFactory(kind=Authority.Kind.FACILITY)
    services.recommendation_update(
        actor=head,
        recommendation=draft,
        data={"text": CANARY, "addressee": facility, "theme": "health", "root_cause": CANARY},
        expected_version=1,
        findings=[world.finding],
    )
    draft.refresh_from_db()
    assert (draft.text, draft.addressee, draft.theme, draft.version) == (
        CANARY,
        facility,
        "health",
        2,
    )
    assert list(draft.findings.all()) == [world.finding]
    [event] = events("recommendation.update")
    assert set(event.detail["fields"]) == {"text", "addressee", "theme", "root_cause", "findings"}
    assert CANARY not in str(event.detail)


def test_once_sent_only_its_follow_up_changes(world):
    head = world.head
    sent = make_sent(head, visit=world.visit)
    services.recommendation_update(
        actor=head,
        recommendation=sent,
        data={
            "text": "Other words",
            "theme": "health",
            "priority": Priority.GENERAL,
            "deadline": days_ago(-90),
            "liaison": "Mr Z",
            "owner": world.p["monitor"],
        },
        expected_version=sent.version,
        findings=[world.finding],
    )
    sent.refresh_from_db()
    assert sent.text.startswith("Install a working call bell") and sent.theme == ""
    assert (sent.priority, sent.deadline, sent.liaison, sent.owner) == (
        Priority.GENERAL,
        days_ago(-90),
        "Mr Z",
        world.p["monitor"],
    )
    assert not sent.findings.exists()


def test_turning_a_draft_urgent_fills_its_deadline_and_liaison(personas):
    head = personas["head"]
    addressee = AuthorityFactory(urgent_contact="Governor's office")
    draft = make_recommendation(head, addressee=addressee, deadline=None)
    services.recommendation_update(
        actor=head, recommendation=draft, data={"priority": "urgent"}, expected_version=1
    )
    draft.refresh_from_db()
    assert draft.deadline == today() + dt.timedelta(days=14)
    assert draft.liaison == "Governor's office"


def test_a_stale_edit_is_refused_with_the_current_version_and_audited(world):
    draft = make_recommendation(world.head)
    services.recommendation_update(
        actor=world.head, recommendation=draft, data={"text": "First"}, expected_version=1
    )
    stale = Recommendation.objects.get(pk=draft.pk)
    stale.version = 1
    with pytest.raises(StaleEdit) as refused:
        services.recommendation_update(
            actor=world.p["monitor"],
            recommendation=stale,
            data={"text": "Second"},
            expected_version=1,
        )
    assert refused.value.current_version == 2
    assert Recommendation.objects.get(pk=draft.pk).text == "First"
    assert len(events("recommendation.update_stale")) == 1


def test_an_edit_with_a_bad_value_changes_nothing(world):
    draft = make_recommendation(world.head)
    with pytest.raises(ValidationError) as refused:
        services.recommendation_update(
            actor=world.head,
            recommendation=draft,
            data={"priority": "whenever"},
            expected_version=1,
        )
    assert "priority" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.priority == Priority.KEY and draft.version == 1


def test_who_may_edit_a_draft_or_a_sent_recommendation(world):
    draft = make_recommendation(world.head, visit=world.visit)
    sent = make_sent(world.head, visit=world.visit)
    for who, record in (("doctor", draft), ("comms", draft), ("doctor", sent)):
        with pytest.raises(PermissionDenied):
            services.recommendation_update(
                actor=world.p[who],
                recommendation=record,
                data={"priority": "urgent"},
                expected_version=record.version,
            )
    expert = on_team_expert(world.p, world.visit)
    services.recommendation_update(
        actor=expert, recommendation=draft, data={"text": "Expert's words"}, expected_version=1
    )
    with pytest.raises(PermissionDenied):
        services.recommendation_update(
            actor=expert,
            recommendation=sent,
            data={"priority": "general"},
            expected_version=sent.version,
        )


# -- sending ----------------------------------------------------------------------------


def test_sending_dates_it_and_sets_the_response_deadline_of_the_addressee(world):
    head = world.head
    slow = make_recommendation(head, addressee=AuthorityFactory(response_days=90))
    silent = make_recommendation(head, addressee=AuthorityFactory(response_days=None))
    sent_on = days_ago(10)
    rows = services.recommendation_send(actor=head, recommendations=[slow, silent], sent_on=sent_on)
    by_pk = {row.pk: row for row in rows}
    assert by_pk[slow.pk].state == Recommendation.State.SENT
    assert by_pk[slow.pk].sent_on == sent_on and by_pk[slow.pk].version == 2
    assert by_pk[slow.pk].response_due == sent_on + dt.timedelta(days=90)
    assert by_pk[silent.pk].response_due == sent_on + dt.timedelta(days=60)
    assert len(events("recommendation.send")) == 2
    FollowUpRule.objects.create(pk=1, default_response_days=30, priorities=["key"])
    later = make_sent(head, addressee=AuthorityFactory(response_days=None), sent_on=sent_on)
    assert later.response_due == sent_on + dt.timedelta(days=30)


def test_an_urgent_recommendation_is_answered_by_its_own_deadline_when_sooner(personas):
    head = personas["head"]
    urgent = make_sent(
        head,
        addressee=AuthorityFactory(response_days=60),
        priority=Priority.URGENT,
        deadline=today() + dt.timedelta(days=7),
    )
    assert urgent.sent_on == today() and urgent.response_due == today() + dt.timedelta(days=7)
    roomy = make_sent(
        head,
        addressee=AuthorityFactory(response_days=10),
        priority=Priority.URGENT,
        deadline=today() + dt.timedelta(days=30),
    )
    assert roomy.response_due == today() + dt.timedelta(days=10)


def test_sending_refuses_a_draft_without_addressee_or_sent_already_and_sends_none(personas):
    head = personas["head"]
    ready = make_recommendation(head)
    bare = services.recommendation_draft(actor=head, data={"text": "Repaint the cells."})
    with pytest.raises(ValidationError) as refused:
        services.recommendation_send(actor=head, recommendations=[ready, bare])
    assert refused.value.messages == [f"{bare.reference} has no addressee."]
    ready.refresh_from_db()
    assert ready.state == Recommendation.State.DRAFT and ready.sent_on is None
    services.recommendation_send(actor=head, recommendations=[ready])
    with pytest.raises(ValidationError) as again:
        services.recommendation_send(actor=head, recommendations=[ready])
    assert again.value.messages == [f"{ready.reference} was already sent."]
    assert len(events("recommendation.send")) == 1


def test_a_sending_date_in_the_future_is_refused(personas):
    draft = make_recommendation(personas["head"])
    with pytest.raises(ValidationError) as refused:
        services.recommendation_send(
            actor=personas["head"], recommendations=[draft], sent_on=days_ago(-1)
        )
    assert "sent_on" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.state == Recommendation.State.DRAFT


def test_only_those_who_may_send_send_what_they_see(world):
    draft = make_recommendation(world.head, visit=world.visit)
    for who in ("doctor", "data_officer", "expert", "comms", "admin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.recommendation_send(actor=world.p[who], recommendations=[draft])
    services.recommendation_send(actor=world.p["monitor"], recommendations=[draft])
    draft.refresh_from_db()
    assert draft.state == Recommendation.State.SENT


# -- responses --------------------------------------------------------------------------


def test_a_draft_cannot_be_answered(personas):
    draft = make_recommendation(personas["head"])
    with pytest.raises(ValidationError) as refused:
        services.response_record(
            actor=personas["head"],
            recommendation=draft,
            status="accepted",
            responded_on=today(),
        )
    assert refused.value.messages == [
        f"{draft.reference} has not been sent: it cannot be answered yet."
    ]
    assert not draft.responses.exists()


def test_a_response_is_dated_between_sending_and_today_with_a_known_status(personas):
    head = personas["head"]
    sent = make_sent(head, sent_on=days_ago(20))
    for status, when, field_name in (
        ("accepted", days_ago(21), "responded_on"),
        ("accepted", days_ago(-1), "responded_on"),
        ("maybe", days_ago(5), "status"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.response_record(
                actor=head, recommendation=sent, status=status, responded_on=when
            )
        assert field_name in refused.value.message_dict
    assert not sent.responses.exists()


def test_the_latest_response_by_date_stays_on_the_row(personas):
    head = personas["head"]
    sent = make_sent(head, sent_on=days_ago(30))
    letter = exchange_with(sent.addressee, head)
    services.response_record(
        actor=head,
        recommendation=sent,
        status="accepted",
        responded_on=days_ago(10),
        passage=f"  {CANARY}  ",
        exchange=letter,
    )
    older = services.response_record(
        actor=head, recommendation=sent, status="rejected", responded_on=days_ago(20)
    )
    sent.refresh_from_db()
    assert (sent.response, sent.responded_on) == (ResponseStatus.ACCEPTED, days_ago(10))
    assert sent.responses.count() == 2 and older.status == "rejected"
    assert sent.responses.get(exchange=letter).passage == CANARY
    recorded = events("recommendation.response")
    assert [e.detail for e in recorded] == [
        {"status": "accepted", "exchange": letter.pk},
        {"status": "rejected", "exchange": None},
    ]


def test_only_the_dialogue_roles_record_responses(world):
    sent = make_sent(world.head, visit=world.visit, sent_on=days_ago(5))
    for who in ("doctor", "expert", "comms", "admin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.response_record(
                actor=world.p[who],
                recommendation=sent,
                status="accepted",
                responded_on=today(),
            )
    services.response_record(
        actor=world.p["data_officer"],
        recommendation=sent,
        status="accepted",
        responded_on=today(),
    )
    assert sent.responses.count() == 1


# -- verification -----------------------------------------------------------------------


@pytest.fixture
def sent(world):
    return make_sent(world.head, visit=world.visit, sent_on=days_ago(100))


def verify(actor: Any, recommendation: Recommendation, **kwargs: Any) -> Verification:
    kwargs.setdefault("status", Implementation.ACHIEVED)
    kwargs.setdefault("verified_on", days_ago(40))
    return services.verification_record(actor=actor, recommendation=recommendation, **kwargs)


def test_a_status_needs_evidence_of_the_kind_given(world, sent):
    answer = services.response_record(
        actor=world.head, recommendation=sent, status="accepted", responded_on=days_ago(50)
    )
    for evidence, given in (
        ("finding", {}),
        ("finding", {"response": answer}),
        ("response", {"finding": world.finding}),
        ("document", {"response": answer}),
        ("hearsay", {"finding": world.finding}),
    ):
        with pytest.raises(ValidationError) as refused:
            verify(world.head, sent, evidence=evidence, **given)
        assert "evidence" in refused.value.message_dict, evidence
    assert not sent.verifications.exists()
    made = verify(world.head, sent, evidence="response", response=answer, finding=world.finding)
    assert made.response == answer and made.finding is None


def test_evidence_must_concern_this_recommendation(world, sent):
    head = world.head
    elsewhere = make_visit(head, announced=True)
    other = make_sent(head, sent_on=days_ago(60))
    their_answer = services.response_record(
        actor=head, recommendation=other, status="accepted", responded_on=days_ago(50)
    )
    for given, field_name in (
        ({"evidence": "finding", "finding": finding_at(elsewhere, head)}, "finding"),
        ({"evidence": "document", "document": document_of(elsewhere.place, head)}, "document"),
        ({"evidence": "response", "response": their_answer}, "response"),
    ):
        with pytest.raises(ValidationError) as refused:
            verify(head, sent, **given)
        assert field_name in refused.value.message_dict
    assert not sent.verifications.exists()


def test_a_finding_the_verifier_cannot_see_is_refused(world, sent):
    secret = make_visit(world.head, place=world.place, kind="follow_up")  # unannounced, planned
    hidden = finding_at(secret, world.head)
    with pytest.raises(PermissionDenied):
        verify(world.p["doctor"], sent, evidence="finding", finding=hidden)
    assert not sent.verifications.exists()
    verify(world.head, sent, evidence="finding", finding=hidden)
    assert sent.verifications.count() == 1


def test_a_document_or_an_exchange_is_evidence(world, sent):
    document = verify(
        world.head, sent, evidence="document", document=document_of(world.place, world.head)
    )
    letter = verify(
        world.head,
        sent,
        evidence="document",
        exchange=exchange_with(sent.addressee, world.head),
        status=Implementation.PARTIALLY_ACHIEVED,
        verified_on=days_ago(30),
        note=f" {CANARY} ",
    )
    assert document.document is not None and letter.exchange is not None
    assert letter.note == CANARY


def test_the_history_is_kept_and_the_row_follows_the_latest_by_date(world, sent):
    verify(
        world.head,
        sent,
        evidence="finding",
        finding=world.finding,
        status=Implementation.NOT_ACHIEVED,
        verified_on=days_ago(70),
    )
    sent.refresh_from_db()
    assert sent.implementation == Implementation.NOT_ACHIEVED and sent.days_to_implement is None
    verify(world.head, sent, evidence="finding", finding=world.finding, verified_on=days_ago(40))
    sent.refresh_from_db()
    assert (sent.implementation, sent.implementation_on) == ("achieved", days_ago(40))
    assert sent.days_to_implement == 60
    verify(
        world.head,
        sent,
        evidence="finding",
        finding=world.finding,
        status=Implementation.PARTIALLY_ACHIEVED,
        verified_on=days_ago(80),
    )
    sent.refresh_from_db()
    assert sent.implementation == Implementation.ACHIEVED and sent.days_to_implement == 60
    assert sent.verifications.count() == 3
    assert [e.detail for e in events("recommendation.verify")][0] == {
        "status": "not_achieved",
        "evidence": "finding",
    }


def test_only_a_sent_recommendation_is_verified_between_sending_and_today(world, sent):
    draft = make_recommendation(world.head)
    for record, when, status in (
        (draft, days_ago(1), "achieved"),
        (sent, days_ago(101), "achieved"),
        (sent, days_ago(-1), "achieved"),
        (sent, days_ago(1), "done"),
    ):
        with pytest.raises(ValidationError):
            verify(
                world.head,
                record,
                evidence="finding",
                finding=world.finding,
                verified_on=when,
                status=status,
            )
    assert not Verification.objects.exists()


def test_only_the_verifying_roles_verify_what_they_see(world, sent):
    for who in ("comms", "admin", "outsider", "auditor", "expert"):
        with pytest.raises(PermissionDenied):
            verify(world.p[who], sent, evidence="finding", finding=world.finding)
    expert = on_team_expert(world.p, world.visit)
    verify(expert, sent, evidence="finding", finding=world.finding)
    assert sent.verifications.count() == 1


def test_overdue_means_sent_past_its_deadline_and_not_settled(world, sent):
    assert not services.is_overdue(sent, today())
    assert services.is_overdue(sent, sent.deadline + dt.timedelta(days=1))
    draft = make_recommendation(world.head, deadline=days_ago(1))
    assert not services.is_overdue(draft, today())
    verify(world.head, sent, evidence="finding", finding=world.finding)
    sent.refresh_from_db()
    assert not services.is_overdue(sent, sent.deadline + dt.timedelta(days=1))


# -- linking and repeats ----------------------------------------------------------------


def test_two_recommendations_are_linked_both_ways_and_unlinked(world):
    own = make_recommendation(world.head, visit=world.visit)
    spt = make_recommendation(world.head, origin=Origin.SPT)
    services.recommendation_link(actor=world.head, recommendation=own, other=spt)
    assert list(spt.linked.all()) == [own]
    services.recommendation_link(actor=world.head, recommendation=spt, other=own, linked=False)
    assert not own.linked.exists()
    assert [e.detail for e in events("recommendation.link")] == [{"other": spt.reference}]
    assert [e.detail for e in events("recommendation.unlink")] == [{"other": own.reference}]
    with pytest.raises(ValidationError):
        services.recommendation_link(actor=world.head, recommendation=own, other=own)


def test_linking_needs_the_right_and_sight_of_both(world):
    expert = on_team_expert(world.p, world.visit)
    theirs = make_recommendation(world.head, visit=world.visit)
    unseen = make_recommendation(world.head)
    with pytest.raises(PermissionDenied):
        services.recommendation_link(actor=expert, recommendation=theirs, other=unseen)
    with pytest.raises(PermissionDenied):
        services.recommendation_link(actor=world.p["comms"], recommendation=theirs, other=unseen)
    assert not theirs.linked.exists()


def test_a_draft_is_marked_as_repeating_an_earlier_one(world):
    earlier = make_sent(world.head)
    draft = make_recommendation(world.head, visit=world.visit)
    services.recommendation_mark_repeat(actor=world.head, recommendation=draft, earlier=earlier)
    assert Recommendation.objects.get(pk=draft.pk).repeat_of == earlier
    assert events("recommendation.repeat")[0].detail == {"earlier": earlier.reference}
    with pytest.raises(ValidationError):
        services.recommendation_mark_repeat(actor=world.head, recommendation=draft, earlier=draft)
    with pytest.raises(ValidationError):
        services.recommendation_mark_repeat(actor=world.head, recommendation=earlier, earlier=draft)
    with pytest.raises(PermissionDenied):
        services.recommendation_mark_repeat(
            actor=world.p["doctor"], recommendation=draft, earlier=None
        )
    services.recommendation_mark_repeat(actor=world.head, recommendation=draft, earlier=None)
    assert Recommendation.objects.get(pk=draft.pk).repeat_of is None


def test_an_urgent_matter_of_a_debrief_becomes_an_urgent_recommendation_once(world):
    addressee = AuthorityFactory(kind=Authority.Kind.FACILITY, urgent_contact="Deputy governor")
    matter = field.urgent_draft_create(
        actor=world.head,
        visit=world.visit,
        data={
            "text": "Release the man held in the yard cage.",
            "addressee": addressee,
            "deadline": days_ago(-3),
        },
    )
    made = services.recommendation_from_urgent_draft(actor=world.head, draft=matter)
    assert (made.priority, made.deadline, made.liaison, made.level) == (
        Priority.URGENT,
        days_ago(-3),
        "Deputy governor",
        Level.FACILITY,
    )
    assert made.visit == world.visit and made.place == world.place
    assert UrgentDraft.objects.get(pk=matter.pk).recommendation_ref == made.reference
    with pytest.raises(ValidationError):
        services.recommendation_from_urgent_draft(
            actor=world.head, draft=UrgentDraft.objects.get(pk=matter.pk)
        )
    assert Recommendation.objects.count() == 1


# -- the follow-up rule -----------------------------------------------------------------


def test_the_head_sets_the_follow_up_rule(personas):
    head = personas["head"]
    rule = services.follow_up_rule_update(
        actor=head,
        data={"threshold": 2, "priorities": ["key", "urgent", "someday"], "urgent_days": 7},
        expected_version=1,
    )
    assert (rule.threshold, rule.priorities, rule.urgent_days, rule.version) == (
        2,
        ["key", "urgent"],
        7,
        2,
    )
    assert events("follow_up_rule.update")[0].detail == {
        "fields": ["threshold", "priorities", "urgent_days"]
    }


@pytest.mark.parametrize(
    ("data", "field_name"),
    [
        ({"threshold": 0}, "threshold"),
        ({"priorities": []}, "priorities"),
        ({"priorities": ["soon"]}, "priorities"),
    ],
)
def test_a_bad_follow_up_rule_is_refused(personas, data, field_name):
    with pytest.raises(ValidationError) as refused:
        services.follow_up_rule_update(actor=personas["head"], data=data, expected_version=1)
    assert field_name in refused.value.message_dict
    assert FollowUpRule.current().threshold == 3


def test_a_stale_follow_up_rule_edit_gets_the_current_version_and_is_audited(personas):
    head = personas["head"]
    services.follow_up_rule_update(actor=head, data={"threshold": 4}, expected_version=1)
    with pytest.raises(StaleEdit) as refused:
        services.follow_up_rule_update(actor=head, data={"threshold": 5}, expected_version=1)
    assert refused.value.current_version == 2
    assert FollowUpRule.current().threshold == 4
    assert len(events("follow_up_rule.update_stale")) == 1


@pytest.mark.parametrize("who", ["monitor", "data_officer", "comms", "admin", "outsider"])
def test_only_the_head_sets_the_follow_up_rule(personas, who):
    with pytest.raises(PermissionDenied):
        services.follow_up_rule_update(
            actor=personas[who], data={"threshold": 1}, expected_version=1
        )


# -- rights and the audit trail ---------------------------------------------------------


@pytest.mark.parametrize("who", ["comms", "admin", "auditor", "outsider"])
def test_a_role_without_the_right_can_draft_nothing(personas, who):
    with pytest.raises(PermissionDenied):
        make_recommendation(personas[who])
    assert not Recommendation.objects.exists()


def test_every_write_is_audited_once_and_never_with_the_text(world):
    head = world.head
    before = AuditEvent.objects.count()
    draft = make_recommendation(
        head,
        visit=world.visit,
        findings=[world.finding],
        addressee=AuthorityFactory(urgent_contact=CANARY),
        text=CANARY,
        root_cause=CANARY,
        priority=Priority.URGENT,
    )
    other = make_recommendation(head, text=CANARY, source_ref=CANARY)
    services.recommendation_update(
        actor=head, recommendation=draft, data={"text": CANARY + "!"}, expected_version=1
    )
    services.recommendation_link(actor=head, recommendation=draft, other=other)
    services.recommendation_mark_repeat(actor=head, recommendation=draft, earlier=other)
    services.recommendation_send(actor=head, recommendations=[draft], sent_on=days_ago(3))
    draft.refresh_from_db()
    answer = services.response_record(
        actor=head,
        recommendation=draft,
        status="accepted",
        responded_on=days_ago(2),
        passage=CANARY,
    )
    services.verification_record(
        actor=head,
        recommendation=draft,
        status="achieved",
        verified_on=days_ago(1),
        evidence="response",
        response=answer,
        note=CANARY,
    )
    written = list(AuditEvent.objects.order_by("id"))[before:]
    assert [e.action for e in written if e.action.startswith("recommendation.")] == [
        "recommendation.draft",
        "recommendation.draft",
        "recommendation.update",
        "recommendation.link",
        "recommendation.repeat",
        "recommendation.send",
        "recommendation.response",
        "recommendation.verify",
    ]
    assert written[0].detail == {"findings": 1, "origin": "own_visit"}
    assert all(e.object_id in {str(draft.pk), str(other.pk)} for e in written[:8])
    assert "canary" not in str([(e.action, e.detail) for e in written])


def test_a_document_from_the_dialogue_must_be_with_the_addressee_or_above_it(personas):
    from habeas.recommendations.tests.dialogue_factories import make_exchange

    head = personas["head"]
    ministry = AuthorityFactory(kind=Authority.Kind.MINISTRY)
    administration = AuthorityFactory(parent=ministry)
    recommendation = make_sent(
        head, addressee=administration, sent_on=today() - dt.timedelta(days=9)
    )
    elsewhere = make_exchange(head, authority=AuthorityFactory())
    above = make_exchange(head, authority=ministry)

    with pytest.raises(ValidationError) as refused:
        services.verification_record(
            actor=head,
            recommendation=recommendation,
            status=Implementation.ACHIEVED,
            verified_on=today(),
            evidence=Verification.Evidence.DOCUMENT,
            exchange=elsewhere,
        )
    assert "another authority" in str(refused.value)
    assert not recommendation.verifications.exists()

    services.verification_record(
        actor=head,
        recommendation=recommendation,
        status=Implementation.ACHIEVED,
        verified_on=today(),
        evidence=Verification.Evidence.DOCUMENT,
        exchange=above,
    )
    recommendation.refresh_from_db()
    assert recommendation.implementation == Implementation.ACHIEVED
