"""API v1: /api/v1/recommendations/, /api/v1/responses/ and /api/v1/verifications/ with
the personas: who sees what, who may write, stale edits, sending, evidence rules."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.accounts.models import ApiToken
from habeas.api.tests import fuzzing
from habeas.core.models import AuditEvent
from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations import services
from habeas.recommendations.models import Exchange, Origin, Recommendation
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.recommendations.tests.test_services import finding_at, on_team_expert
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

RECS = "/api/v1/recommendations/"
RESPONSES = "/api/v1/responses/"
VERIFICATIONS = "/api/v1/verifications/"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def refs(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["reference"] for row in response.json()["results"])


@pytest.fixture
def world(personas):
    """`own` from a visit the expert is on (one of its findings is from a secret visit),
    `loose` with no visit, `secret` from an unannounced visit still being planned."""
    head = personas["head"]
    visit = make_visit(head, announced=True)
    place = visit.place
    expert = on_team_expert(personas, visit)
    secret_visit = make_visit(head, place=place)
    finding, hidden_finding = finding_at(visit, head), finding_at(secret_visit, head)
    return SimpleNamespace(
        p=personas,
        head=head,
        expert=expert,
        visit=visit,
        place=place,
        finding=finding,
        hidden_finding=hidden_finding,
        own=make_recommendation(head, visit=visit, findings=[finding, hidden_finding]),
        loose=make_recommendation(head, place=place, origin=Origin.SPT),
        secret=make_recommendation(head, visit=secret_visit),
    )


def url(record: Any, suffix: str = "") -> str:
    return f"{RECS}{record.pk}/{suffix}"


# -- reading ----------------------------------------------------------------------------


def test_each_persona_sees_only_the_recommendations_it_may(world):
    everything = sorted(r.reference for r in (world.own, world.loose, world.secret))
    public = sorted([world.own.reference, world.loose.reference])
    for who, seen in (
        ("head", everything),
        ("monitor", everything),
        ("doctor", public),
        ("data_officer", public),
        ("comms", public),
        ("auditor", public),
        ("expert", [world.own.reference]),
        ("admin", []),
        ("outsider", []),
    ):
        assert refs(api(world.p[who]).get(RECS)) == seen, who
        for record in (world.own, world.loose, world.secret):
            code = api(world.p[who]).get(url(record)).status_code
            assert code == (200 if record.reference in seen else 404), (who, record)


def test_a_hidden_recommendation_answers_like_a_missing_one(world):
    comms = api(world.p["comms"])
    hidden = comms.get(url(world.secret))
    missing = comms.get(f"{RECS}999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_recommendation_shows_only_the_findings_and_links_its_reader_may_see(world):
    head = world.head
    services.recommendation_link(actor=head, recommendation=world.own, other=world.secret)
    services.recommendation_link(actor=head, recommendation=world.own, other=world.loose)
    services.recommendation_mark_repeat(actor=head, recommendation=world.own, earlier=world.secret)
    full = api(head).get(url(world.own)).json()
    assert full["findings"] == sorted([world.finding.pk, world.hidden_finding.pk])
    assert [r["reference"] for r in full["linked"]] == sorted(
        [world.loose.reference, world.secret.reference]
    )
    assert full["repeat_of"] == {"id": world.secret.pk, "reference": world.secret.reference}
    partial = api(world.p["doctor"]).get(url(world.own)).json()
    assert partial["findings"] == [world.finding.pk]
    assert partial["linked"] == [{"id": world.loose.pk, "reference": world.loose.reference}]
    assert partial["repeat_of"] is None
    assert world.secret.reference not in str(partial)
    expert = api(world.expert).get(url(world.own)).json()
    assert expert["findings"] == [world.finding.pk] and expert["linked"] == []


def test_a_recommendation_carries_its_latest_response_and_implementation(world):
    head = world.head
    sent = make_sent(head, place=world.place, sent_on=days_ago(40))
    services.response_record(
        actor=head, recommendation=sent, status="accepted", responded_on=days_ago(30)
    )
    services.verification_record(
        actor=head,
        recommendation=sent,
        status="achieved",
        verified_on=days_ago(10),
        evidence="finding",
        finding=world.finding,
    )
    body = api(world.p["comms"]).get(url(sent)).json()
    assert (body["state"], body["response"], body["responded_on"]) == (
        "sent",
        "accepted",
        str(days_ago(30)),
    )
    assert (body["implementation"], body["implementation_on"], body["days_to_implement"]) == (
        "achieved",
        str(days_ago(10)),
        30,
    )
    assert body["overdue"] is False


def test_the_list_filters_and_orders_like_the_tracker(world):
    head = world.head
    ministry = AuthorityFactory(kind=Authority.Kind.MINISTRY)
    late = make_sent(head, addressee=ministry, theme="health", sent_on=days_ago(30))
    Recommendation.objects.filter(pk=late.pk).update(deadline=days_ago(1))
    services.response_record(
        actor=head, recommendation=late, status="rejected", responded_on=days_ago(2)
    )
    client = api(head)

    def found(**params: Any) -> list[str]:
        return refs(client.get(RECS, params))

    assert found(place=world.place.pk) == sorted(
        [world.own.reference, world.loose.reference, world.secret.reference]
    )
    assert found(addressee=ministry.pk) == found(authority=ministry.pk) == [late.reference]
    assert found(theme="health", state="sent", priority="key") == [late.reference]
    assert found(origin="spt") == [world.loose.reference]
    assert found(response="rejected") == [late.reference]
    assert late.reference not in found(response="none")
    assert found(implementation="none", overdue="true") == [late.reference]
    assert late.reference not in found(overdue="false")
    assert found(sent_year=days_ago(30).year) == [late.reference]
    assert found(place=2**63) == found(place="9" * 5000) == []
    assert found(visit=world.visit.pk) == [world.own.reference]
    ordered = client.get(RECS, {"ordering": "-reference"}).json()["results"]
    assert [r["reference"] for r in ordered] == sorted(
        (r["reference"] for r in ordered), reverse=True
    )
    for bad in (
        {"theme": "x"},
        {"place": "one"},
        {"overdue": "yes"},
        {"ordering": "text"},
        {"sent_year": 1066},
        {"sent_year": "2024a"},
        {"response": "a\x00b"},
    ):
        assert client.get(RECS, bad).status_code == 400, bad


def test_the_list_costs_the_same_few_queries_for_many_rows(world, django_assert_max_num_queries):
    for _number in range(15):
        make_sent(world.head, place=world.place)
    with django_assert_max_num_queries(8):
        assert api(world.p["comms"]).get(RECS).json()["count"] == 17


# -- drafting and editing ---------------------------------------------------------------


def draft_body(world: Any, **extra: Any) -> dict[str, Any]:
    return {
        "text": "Give every detainee an hour outdoors each day.",
        "visit": world.visit.pk,
        "addressee": AuthorityFactory(kind=Authority.Kind.FACILITY).pk,
        "priority": "key",
        "findings": [world.finding.pk],
        **extra,
    }


def test_a_drafter_creates_a_draft_and_extra_fields_are_ignored(world):
    body = draft_body(world, state="sent", reference="R-1999-99999", response="accepted", version=9)
    response = api(world.p["monitor"]).post(RECS, body, format="json")
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["state"] == "draft" and made["reference"].startswith("R-")
    assert made["reference"] != "R-1999-99999" and made["response"] == ""
    assert (made["place"], made["level"], made["origin"], made["version"]) == (
        world.place.pk,
        "facility",
        "own_visit",
        1,
    )
    assert made["findings"] == [world.finding.pk] and made["owner"] == world.p["monitor"].pk
    expert = api(world.expert).post(RECS, draft_body(world), format="json")
    assert expert.status_code == 201


def test_an_invisible_finding_is_refused_as_a_missing_one(world):
    client = api(world.p["data_officer"])
    body = draft_body(world, visit=None, place=world.place.pk)
    hidden = client.post(RECS, {**body, "findings": [world.hidden_finding.pk]}, format="json")
    missing = client.post(RECS, {**body, "findings": [999999]}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert str(world.hidden_finding.pk) in str(hidden.json()["findings"])
    assert hidden.json()["findings"] == {
        "0": [
            m.replace("999999", str(world.hidden_finding.pk))
            for m in missing.json()["findings"]["0"]
        ]
    }
    assert Recommendation.objects.count() == 3


def test_drafting_refusals_are_field_errors(world):
    client = api(world.p["doctor"])
    not_on_team = client.post(RECS, draft_body(world), format="json")
    assert not_on_team.status_code == 400 and "visit" in not_on_team.json()
    assert "text" in client.post(RECS, {"priority": "key"}, format="json").json()
    loose = api(world.expert).post(RECS, draft_body(world, visit=None), format="json")
    assert loose.status_code == 400 and "visit" in loose.json()
    assert Recommendation.objects.count() == 3


@pytest.mark.parametrize("who", ["comms", "auditor", "admin", "outsider"])
def test_a_role_without_the_right_writes_nothing(world, who):
    client = api(world.p[who])
    before = (AuditEvent.objects.count(), Recommendation.objects.count())
    assert client.post(RECS, draft_body(world), format="json").status_code == 403
    for suffix, body in (
        ("", {"version": 1, "text": "x"}),
        ("send/", {}),
        ("link/", {"other": world.own.pk}),
        ("repeat/", {"earlier": None}),
    ):
        method = client.patch if not suffix else client.post
        assert method(url(world.loose, suffix), body, format="json").status_code == 403, suffix
    assert client.post(f"{RECS}send/", {"ids": [world.loose.pk]}, format="json").status_code == 403
    assert client.post(RESPONSES, {}, format="json").status_code == 403
    assert client.post(VERIFICATIONS, {}, format="json").status_code == 403
    assert (AuditEvent.objects.count(), Recommendation.objects.count()) == before


def test_a_read_only_token_cannot_write(world):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=fuzzing.bearer(world.head, ApiToken.Scope.READ)["Authorization"]
    )
    assert client.get(url(world.own)).status_code == 200
    assert client.post(url(world.own, "send/"), {}, format="json").status_code == 403


def test_a_patch_needs_the_version_and_a_stale_one_gets_409(world):
    client = api(world.head)
    assert client.patch(url(world.own), {"text": "A"}, format="json").status_code == 400
    first = client.patch(url(world.own), {"version": 1, "text": "A"}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api(world.p["monitor"]).patch(
        url(world.own), {"version": 1, "text": "B"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2 and stale.json()["detail"]
    world.own.refresh_from_db()
    assert world.own.text == "A"
    assert AuditEvent.objects.filter(action="recommendation.update_stale").count() == 1


def test_a_draft_changes_entirely_a_sent_one_only_its_follow_up(world):
    client = api(world.head)
    done = client.patch(
        url(world.own),
        {"version": 1, "theme": "health", "findings": [world.finding.pk]},
        format="json",
    )
    assert done.json()["theme"] == "health" and done.json()["findings"] == [world.finding.pk]
    sent = make_sent(world.head, place=world.place)
    words = client.patch(url(sent), {"version": 2, "text": "New words"}, format="json")
    assert words.status_code == 400 and "text" in words.json()
    later = str(days_ago(-200))
    follow_up = client.patch(
        url(sent), {"version": 2, "deadline": later, "priority": "urgent"}, format="json"
    )
    assert follow_up.status_code == 200
    assert (follow_up.json()["deadline"], follow_up.json()["version"]) == (later, 3)


def test_seen_but_not_changeable_is_403_and_unseen_is_404(world):
    doctor = api(world.p["doctor"])
    assert (
        doctor.patch(url(world.own), {"version": 1, "text": "x"}, format="json").status_code == 403
    )
    assert (
        doctor.post(url(world.own, "repeat/"), {"earlier": None}, format="json").status_code == 403
    )
    sent = make_sent(world.head, visit=world.visit)
    assert (
        api(world.expert)
        .patch(url(sent), {"version": 2, "priority": "urgent"}, format="json")
        .status_code
        == 403
    )
    expert = api(world.expert)
    assert (
        expert.patch(url(world.loose), {"version": 1, "text": "x"}, format="json").status_code
        == 404
    )
    assert (
        expert.post(url(world.loose, "link/"), {"other": world.own.pk}, format="json").status_code
        == 404
    )
    world.own.refresh_from_db()
    assert world.own.version == 1


# -- sending, linking, repeats ----------------------------------------------------------


def test_a_draft_is_sent_and_a_second_sending_is_refused(world):
    client = api(world.p["monitor"])
    response = client.post(url(world.own, "send/"), {"sent_on": str(days_ago(3))}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["sent_on"]) == ("sent", str(days_ago(3)))
    assert body["response_due"] == str(days_ago(3) + dt.timedelta(days=60))
    again = client.post(url(world.own, "send/"), {}, format="json")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": [f"{world.own.reference} was already sent."]}
    future = client.post(url(world.loose, "send/"), {"sent_on": str(days_ago(-1))}, format="json")
    assert future.status_code == 400 and "sent_on" in future.json()
    assert api(world.p["doctor"]).post(url(world.loose, "send/"), {}).status_code == 403


def test_drafts_are_sent_in_bulk_all_or_none(world):
    client = api(world.head)
    bare = services.recommendation_draft(actor=world.head, data={"text": "Fix the showers."})
    refused = client.post(f"{RECS}send/", {"ids": [world.own.pk, bare.pk]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["non_field_errors"] == [f"{bare.reference} has no addressee."]
    assert Recommendation.objects.filter(state="sent").count() == 0
    sent = client.post(f"{RECS}send/", {"ids": [world.own.pk, world.loose.pk]}, format="json")
    assert sent.status_code == 200
    assert sorted(r["reference"] for r in sent.json()) == sorted(
        [world.own.reference, world.loose.reference]
    )
    assert {r["state"] for r in sent.json()} == {"sent"}
    assert client.post(f"{RECS}send/", {"ids": []}, format="json").status_code == 400
    assert client.post(f"{RECS}send/", {"ids": [999999]}, format="json").status_code == 400


def test_recommendations_are_linked_and_unlinked(world):
    client = api(world.head)
    linked = client.post(url(world.own, "link/"), {"other": world.loose.pk}, format="json")
    assert linked.json()["linked"] == [{"id": world.loose.pk, "reference": world.loose.reference}]
    back = client.get(url(world.loose)).json()["linked"]
    assert back == [{"id": world.own.pk, "reference": world.own.reference}]
    unlinked = client.post(
        url(world.own, "link/"), {"other": world.loose.pk, "linked": False}, format="json"
    )
    assert unlinked.json()["linked"] == []
    itself = client.post(url(world.own, "link/"), {"other": world.own.pk}, format="json")
    assert itself.status_code == 400 and itself.json()["non_field_errors"]
    hidden = api(world.expert).post(
        url(world.own, "link/"), {"other": world.loose.pk}, format="json"
    )
    assert hidden.status_code == 400 and "other" in hidden.json()


def test_a_draft_is_marked_as_a_repeat_and_cleared(world):
    client = api(world.head)
    marked = client.post(url(world.own, "repeat/"), {"earlier": world.loose.pk}, format="json")
    assert marked.json()["repeat_of"] == {"id": world.loose.pk, "reference": world.loose.reference}
    cleared = client.post(url(world.own, "repeat/"), {"earlier": None}, format="json")
    assert cleared.json()["repeat_of"] is None
    itself = client.post(url(world.own, "repeat/"), {"earlier": world.own.pk}, format="json")
    assert itself.status_code == 400


# -- responses --------------------------------------------------------------------------


def test_responses_are_recorded_by_the_dialogue_roles_and_seen_with_their_recommendation(world):
    sent = make_sent(world.head, visit=world.visit, sent_on=days_ago(20))
    letter = Exchange.objects.create(
        authority=sent.addressee,
        kind="letter",
        direction="incoming",
        occurred_on=days_ago(5),
        subject="Reply",
        created_by=world.head,
    )
    body = {
        "recommendation": sent.pk,
        "status": "partially_accepted",
        "responded_on": str(days_ago(5)),
        "passage": "The ministry will fit call bells in Wing B next year.",
        "exchange": letter.pk,
        "recorded_by": world.p["comms"].pk,
    }
    made = api(world.p["data_officer"]).post(RESPONSES, body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["recorded_by"] == world.p["data_officer"].pk
    assert made.json()["exchange"] == letter.pk
    for who in ("expert", "doctor", "comms"):
        assert api(world.p[who]).post(RESPONSES, body, format="json").status_code == 403, who
    pk = made.json()["id"]
    assert api(world.expert).get(f"{RESPONSES}{pk}/").json()["exchange"] is None
    assert api(world.p["comms"]).get(f"{RESPONSES}{pk}/").json()["exchange"] == letter.pk
    assert api(world.expert).get(RESPONSES, {"exchange": letter.pk}).json()["count"] == 0
    head = api(world.head)
    assert head.get(RESPONSES, {"exchange": letter.pk}).json()["count"] == 1
    assert (
        head.get(RESPONSES, {"recommendation": sent.pk, "status": "rejected"}).json()["count"] == 0
    )
    assert head.get(RESPONSES, {"status": "maybe"}).status_code == 400
    for who in ("admin", "outsider"):
        assert api(world.p[who]).get(RESPONSES).json()["count"] == 0
        assert api(world.p[who]).get(f"{RESPONSES}{pk}/").status_code == 404
    sent.refresh_from_db()
    assert sent.response == "partially_accepted"


def test_a_response_to_a_draft_is_refused_with_a_clear_message(world):
    response = api(world.head).post(
        RESPONSES,
        {"recommendation": world.own.pk, "status": "accepted", "responded_on": str(days_ago(1))},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [f"{world.own.reference} has not been sent: it cannot be answered yet."]
    }
    hidden = api(world.p["data_officer"]).post(
        RESPONSES,
        {"recommendation": world.secret.pk, "status": "accepted", "responded_on": str(days_ago(1))},
        format="json",
    )
    assert hidden.status_code == 400 and "recommendation" in hidden.json()


# -- verifications ----------------------------------------------------------------------


@pytest.fixture
def sent(world):
    return make_sent(world.head, visit=world.visit, sent_on=days_ago(60))


def verification(record: Any, **evidence: Any) -> dict[str, Any]:
    return {
        "recommendation": record.pk,
        "status": "achieved",
        "verified_on": str(days_ago(10)),
        **evidence,
    }


def test_an_implementation_is_verified_with_its_evidence(world, sent):
    made = api(world.expert).post(
        VERIFICATIONS,
        verification(sent, evidence="finding", finding=world.finding.pk),
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["finding"] == world.finding.pk
    assert made.json()["recorded_by"] == world.expert.pk
    listed = api(world.head).get(VERIFICATIONS, {"recommendation": sent.pk, "evidence": "finding"})
    assert listed.json()["count"] == 1
    detail = api(world.p["comms"]).get(url(sent)).json()
    assert detail["implementation"] == "achieved" and detail["days_to_implement"] == 50
    assert (
        api(world.p["comms"])
        .post(
            VERIFICATIONS,
            verification(sent, evidence="finding", finding=world.finding.pk),
            format="json",
        )
        .status_code
        == 403
    )


def test_bad_evidence_is_refused_field_by_field(world, sent):
    client = api(world.head)
    other = make_sent(world.head, sent_on=days_ago(30))
    theirs = services.response_record(
        actor=world.head, recommendation=other, status="accepted", responded_on=days_ago(20)
    )
    elsewhere = finding_at(make_visit(world.head, announced=True), world.head)
    for body, field_name in (
        (verification(sent, evidence="finding"), "evidence"),
        (verification(sent, evidence="finding", response=theirs.pk), "response"),
        (verification(sent, evidence="response", response=theirs.pk), "response"),
        (verification(sent, evidence="finding", finding=elsewhere.pk), "finding"),
        (verification(sent, evidence="document", document=999999), "document"),
        (verification(sent, evidence="finding", finding=world.finding.pk, status="done"), "status"),
    ):
        response = client.post(VERIFICATIONS, body, format="json")
        assert response.status_code == 400, body
        assert field_name in response.json(), (body, response.json())
    assert not sent.verifications.exists()


def test_an_invisible_finding_as_evidence_is_refused_as_a_missing_one(world):
    loose = make_sent(world.head, place=world.place, sent_on=days_ago(30))
    doctor = api(world.p["doctor"])
    hidden = doctor.post(
        VERIFICATIONS,
        verification(loose, evidence="finding", finding=world.hidden_finding.pk),
        format="json",
    )
    missing = doctor.post(
        VERIFICATIONS, verification(loose, evidence="finding", finding=999999), format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["finding"][0].replace(str(world.hidden_finding.pk), "N") == missing.json()[
        "finding"
    ][0].replace("999999", "N")
    assert not loose.verifications.exists()


def test_a_verification_hides_evidence_its_reader_may_not_see(world):
    loose = make_sent(world.head, place=world.place, sent_on=days_ago(30))
    made = services.verification_record(
        actor=world.head,
        recommendation=loose,
        status="not_achieved",
        verified_on=days_ago(5),
        evidence="finding",
        finding=world.hidden_finding,
    )
    assert api(world.head).get(f"{VERIFICATIONS}{made.pk}/").json()["finding"] == (
        world.hidden_finding.pk
    )
    rows = api(world.p["doctor"]).get(VERIFICATIONS).json()["results"]
    assert [(r["id"], r["finding"]) for r in rows] == [(made.pk, None)]
    assert api(world.expert).get(f"{VERIFICATIONS}{made.pk}/").status_code == 404
    for who in ("admin", "outsider"):
        assert api(world.p[who]).get(VERIFICATIONS).json()["count"] == 0
