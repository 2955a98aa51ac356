"""API v1: /api/v1/letters/ (with the mapping endpoint) and /api/v1/action-plans/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.core.models import AuditEvent
from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations.models import ActionPlan, Commitment, Exchange, Response
from habeas.recommendations.tests.dialogue_factories import (
    make_commitment,
    make_exchange,
    make_plan,
    make_sent_to,
)
from habeas.recommendations.tests.factories import make_sent
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db
LETTERS = "/api/v1/letters/"
PLANS = "/api/v1/action-plans/"
WRITERS = ("head", "monitor", "data_officer")
READERS = ("doctor", "comms", "auditor")
STRANGERS = ("expert", "admin", "outsider")


@pytest.fixture
def api():
    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return client


@pytest.fixture
def ministry():
    return AuthorityFactory(kind=Authority.Kind.MINISTRY, name="Ministry of Justice")


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def letter_body(authority, **fields):
    return {
        "authority": authority.pk,
        "kind": "letter",
        "direction": "incoming",
        "occurred_on": timezone.localdate().isoformat(),
        "subject": "Reply to the visit report",
        **fields,
    }


def test_letters_are_listed_for_readers_and_hidden_from_strangers(personas, api, ministry):
    letter = make_exchange(personas["head"], authority=ministry)
    for who in WRITERS + READERS:
        assert ids(api(personas[who]).get(LETTERS)) == [letter.pk], who
        assert api(personas[who]).get(f"{LETTERS}{letter.pk}/").status_code == 200, who
    for who in STRANGERS:
        client = api(personas[who])
        assert ids(client.get(LETTERS)) == [], who
        assert client.get(f"{LETTERS}{letter.pk}/").status_code == 404, who
        # A write their role may never make is refused before the id is looked at: the
        # same answer for this letter as for one that does not exist.
        for pk in (letter.pk, 987654):
            patch = client.patch(f"{LETTERS}{pk}/", {"subject": "x", "version": 1})
            assert patch.status_code == 403, who
            mapped = client.post(f"{LETTERS}{pk}/map/", [], format="json")
            assert mapped.status_code == 403, who


def test_the_list_filters_by_authority_kind_and_direction(personas, api, ministry):
    head = personas["head"]
    other = AuthorityFactory()
    wanted = make_exchange(head, authority=ministry)
    make_exchange(head, authority=other)
    make_exchange(head, authority=ministry, direction="outgoing")
    make_exchange(head, authority=ministry, kind="call", direction="mutual")
    client = api(head)

    response = client.get(
        LETTERS, {"authority": ministry.pk, "kind": "letter", "direction": "incoming"}
    )

    assert ids(response) == [wanted.pk]
    assert client.get(LETTERS, {"kind": "fax"}).status_code == 400
    assert client.get(LETTERS, {"authority": "x"}).status_code == 400


def test_writers_create_and_patch_letters_and_readers_get_403(personas, api, ministry):
    for who in READERS + ("expert",):
        response = api(personas[who]).post(LETTERS, letter_body(ministry), format="json")
        assert response.status_code == 403, who
    assert not Exchange.objects.exists()

    created = api(personas["data_officer"]).post(
        LETTERS, letter_body(ministry, created_by=personas["head"].pk, id=999), format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    exchange = Exchange.objects.get()
    assert body["id"] == exchange.pk != 999 and exchange.created_by == personas["data_officer"]
    assert body["responses"] == [] and body["attachments"] == []

    url = f"{LETTERS}{exchange.pk}/"
    assert api(personas["doctor"]).patch(url, {"subject": "x", "version": 1}).status_code == 403
    ok = api(personas["monitor"]).patch(url, {"subject": "Corrected", "version": 1})
    assert ok.status_code == 200 and ok.json()["subject"] == "Corrected"
    stale = api(personas["head"]).patch(url, {"subject": "Lost", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    missing_version = api(personas["head"]).patch(url, {"subject": "Lost"})
    assert missing_version.status_code == 400


def test_the_mapping_endpoint_records_every_entry(personas, api, ministry):
    head = personas["head"]
    recommendations = make_sent_to(head, ministry, 40)
    letter = make_exchange(head, authority=ministry)
    statuses = ["accepted", "partially_accepted", "rejected", "no_reply"]
    entries = [
        {
            # by reference and by id, alternately
            "recommendation": r.reference if n % 2 else r.pk,
            "status": statuses[n % 4],
            "passage": f"On point {n}: agreed in principle.",
        }
        for n, r in enumerate(recommendations)
    ]

    response = api(personas["data_officer"]).post(
        f"{LETTERS}{letter.pk}/map/", entries, format="json"
    )

    assert response.status_code == 200, response.json()
    assert len(response.json()["responses"]) == 40
    for n, recommendation in enumerate(recommendations):
        row = Response.objects.get(recommendation=recommendation)
        assert (row.status, row.passage) == (statuses[n % 4], f"On point {n}: agreed in principle.")
        assert row.exchange_id == letter.pk and row.responded_on == letter.occurred_on
    detail = api(personas["comms"]).get(f"{LETTERS}{letter.pk}/").json()
    assert len(detail["responses"]) == 40
    assert AuditEvent.objects.filter(action="recommendation.response").count() == 40


def test_the_mapping_is_all_or_nothing_with_per_entry_errors(personas, api, ministry):
    head, officer = personas["head"], personas["data_officer"]
    good, early = make_sent_to(head, ministry, 2, days_ago=5)
    hidden = make_sent(head, addressee=ministry, visit=make_visit(head))
    letter = make_exchange(officer, authority=ministry)
    too_early = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    entries = [
        {"recommendation": good.reference, "status": "accepted", "passage": "Fine."},
        {"recommendation": hidden.reference, "status": "accepted"},
        {"recommendation": "R-1999-99999", "status": "accepted"},
    ]

    unknown = api(officer).post(f"{LETTERS}{letter.pk}/map/", entries, format="json")
    bad_status = api(officer).post(
        f"{LETTERS}{letter.pk}/map/",
        [{"recommendation": good.pk, "status": "maybe"}],
        format="json",
    )
    bad_date = api(officer).post(
        f"{LETTERS}{letter.pk}/map/",
        [
            {"recommendation": good.pk, "status": "accepted"},
            {"recommendation": early.pk, "status": "accepted", "responded_on": too_early},
        ],
        format="json",
    )

    assert unknown.status_code == 400
    errors = unknown.json()["entries"]
    assert errors[0] == {} and "recommendation" in errors[1] and "recommendation" in errors[2]
    assert errors[1] == errors[2]  # a hidden recommendation reads like a missing one
    assert bad_status.status_code == 400 and "status" in bad_status.json()["entries"][0]
    assert bad_date.status_code == 400
    assert bad_date.json()["entries"][0] == {}
    assert "non_field_errors" in bad_date.json()["entries"][1]
    assert not Response.objects.exists()


def test_the_mapping_refuses_readers_and_a_body_that_is_not_a_list(personas, api, ministry):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    entry = {"recommendation": recommendation.reference, "status": "accepted"}
    for who in READERS:
        response = api(personas[who]).post(f"{LETTERS}{letter.pk}/map/", [entry], format="json")
        assert response.status_code == 403, who
    not_a_list = api(head).post(f"{LETTERS}{letter.pk}/map/", entry, format="json")
    assert not_a_list.status_code == 400
    assert not Response.objects.exists()


def test_action_plans_are_created_with_commitments_and_listed(personas, api, ministry):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    due = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = {
        "authority": ministry.pk,
        "title": "National plan",
        "exchange": letter.pk,
        "commitments": [
            {"recommendation": recommendation.reference, "text": "Build a clinic.", "due_on": due},
            {"text": "Train the staff.", "due_on": "2030-01-01"},
        ],
    }

    created = api(personas["monitor"]).post(PLANS, body, format="json")

    assert created.status_code == 201, created.json()
    plan = created.json()
    assert [c["text"] for c in plan["commitments"]] == ["Build a clinic.", "Train the staff."]
    assert plan["commitments"][0]["reference"] == recommendation.reference
    assert plan["commitments"][0]["overdue"] is True
    assert plan["commitments"][1]["overdue"] is False
    for who in READERS:
        assert ids(api(personas[who]).get(PLANS)) == [plan["id"]], who
    for who in STRANGERS:
        assert ids(api(personas[who]).get(PLANS)) == [], who
        assert api(personas[who]).get(f"{PLANS}{plan['id']}/").status_code == 404, who


def test_a_refused_commitment_records_no_plan(personas, api, ministry):
    body = {
        "authority": ministry.pk,
        "title": "National plan",
        "commitments": [
            {"text": "Fine.", "due_on": "2030-01-01"},
            {"recommendation": "R-1999-99999", "text": "Bad.", "due_on": "2030-01-01"},
        ],
    }

    response = api(personas["head"]).post(PLANS, body, format="json")

    assert response.status_code == 400
    errors = response.json()["commitments"]
    assert errors[0] == {} and "recommendation" in errors[1]
    assert not ActionPlan.objects.exists() and not Commitment.objects.exists()


def test_commitments_are_added_and_changed_through_the_plan(personas, api, ministry):
    head = personas["head"]
    plan = make_plan(head, authority=ministry)
    commitment = make_commitment(head, plan)
    client = api(personas["data_officer"])
    today = timezone.localdate().isoformat()

    added = client.post(
        f"{PLANS}{plan.pk}/commitments/", {"text": "New.", "due_on": today}, format="json"
    )
    done = client.patch(
        f"{PLANS}{plan.pk}/commitments/{commitment.pk}/",
        {"done_on": today, "version": 1},
        format="json",
    )
    stale = client.patch(
        f"{PLANS}{plan.pk}/commitments/{commitment.pk}/",
        {"text": "Lost.", "version": 1},
        format="json",
    )
    forbidden = api(personas["comms"]).patch(
        f"{PLANS}{plan.pk}/commitments/{commitment.pk}/", {"text": "x", "version": 2}
    )
    hidden = api(personas["expert"]).patch(
        f"{PLANS}{plan.pk}/commitments/{commitment.pk}/", {"text": "x", "version": 2}
    )
    elsewhere = client.patch(
        f"{PLANS}{make_plan(head).pk}/commitments/{commitment.pk}/",
        {"text": "x", "version": 2},
        format="json",
    )

    assert added.status_code == 201 and added.json()["text"] == "New."
    assert done.status_code == 200 and done.json()["done_on"] == today
    assert stale.status_code == 409
    assert forbidden.status_code == 403 and hidden.status_code == 403
    assert elsewhere.status_code == 404
    commitment.refresh_from_db()
    assert commitment.text != "Lost." and commitment.text != "x"
    renamed = client.patch(f"{PLANS}{plan.pk}/", {"title": "Renamed", "version": 1})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Renamed"
