"""API v1 of the legislation tracker with the personas: /api/v1/legislation-items/,
-opinions/, -benchmarks/ and -steps/. Who sees what, who may write, stale edits (version
or If-Match), the priority and its reasons, links only to what the writer may see."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.accounts.models import ApiToken
from habeas.api.tests import fuzzing
from habeas.core.models import AuditEvent
from habeas.legislation import services
from habeas.legislation.models import (
    AdvocacyStep,
    Assessment,
    Benchmark,
    Effect,
    LegislationItem,
    Opinion,
    OpinionVersion,
)
from habeas.legislation.tests.factories import (
    assess,
    benchmark,
    in_days,
    make_item,
    make_opinion,
    make_partner,
    make_register_entry,
)
from habeas.recommendations.tests.factories import make_recommendation
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/legislation-items/"
OPINIONS = "/api/v1/legislation-opinions/"
BENCHMARKS = "/api/v1/legislation-benchmarks/"
STEPS = "/api/v1/legislation-steps/"
READERS = ("head", "monitor", "doctor", "data_officer", "comms", "auditor")
HIDDEN_FROM = ("expert", "admin", "outsider")
WRITERS = ("head", "monitor", "data_officer", "comms")
LAWYER = "Access to a lawyer from the very outset of deprivation of liberty"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def state() -> tuple:
    """Everything a refused write must leave as it was."""
    return (
        AuditEvent.objects.count(),
        sorted(LegislationItem.objects.values_list("pk", "version", "priority", "outcome")),
        sorted(Opinion.objects.values_list("pk", "version", "state")),
        OpinionVersion.objects.count(),
        sorted(Assessment.objects.values_list("pk", "effect")),
        AdvocacyStep.objects.count(),
        sorted(Benchmark.objects.values_list("pk", "weight", "title", "active")),
    )


@pytest.fixture
def world(personas):
    head = personas["head"]
    bill = make_item(head, title="Custody bill", deadline=in_days(9))
    assess(head, bill, "first-hours-lawyer", Effect.WEAKENS, "Art. 63-4: 48 hours.")
    decree = make_item(head, title="Visiting-hours decree", official_ref="PA/12")
    opinion = make_opinion(head, bill)
    step = services.step_add(
        actor=head, item=bill, kind="meeting", held_on=timezone.localdate(), with_whom="Ministry"
    )
    return SimpleNamespace(
        p=personas, head=head, bill=bill, decree=decree, opinion=opinion, step=step
    )


def url(base: str, record: Any, suffix: str = "") -> str:
    return f"{base}{record.pk}/{suffix}"


# -- reading ----------------------------------------------------------------------------------


def test_each_persona_sees_the_tracker_only_with_the_right(world):
    for who in (*READERS, *HIDDEN_FROM):
        client = api(world.p[who])
        seen = who in READERS
        for base, record in (
            (ITEMS, world.bill),
            (OPINIONS, world.opinion),
            (STEPS, world.step),
            (BENCHMARKS, benchmark("first-hours-lawyer")),
        ):
            listed = client.get(base)
            assert listed.status_code == 200, (who, base)
            assert (listed.json()["count"] > 0) == seen, (who, base)
            assert client.get(url(base, record)).status_code == (200 if seen else 404), (who, base)


def test_a_hidden_item_answers_like_a_missing_one(world):
    client = api(world.p["expert"])
    hidden = client.get(url(ITEMS, world.bill))
    missing = client.get(f"{ITEMS}999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_the_list_is_ranked_and_each_item_says_why(world):
    rows = api(world.p["doctor"]).get(ITEMS).json()["results"]
    assert [row["title"] for row in rows] == ["Custody bill", "Visiting-hours decree"]
    top = rows[0]
    assert top["priority"] == 15 + 8
    assert top["priority_reasons"] == [
        {"code": "weakens", "points": 15, "text": f"Weakens or delays: {LAWYER} (weight 5)"},
        {
            "code": "deadline_14",
            "points": 8,
            "text": "The consultation closes in 9 days. Adds 50% of the harm.",
        },
    ]
    assert rows[1]["priority_reasons"][0]["code"] == "not_assessed"
    assert top["is_open"] is True and top["steps_count"] == 1 and top["opinions_sent"] == 0


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("kind=draft", ["Custody bill", "Visiting-hours decree"]),
        ("kind=missing", []),
        ("procedure=consultation&open=true", ["Custody bill", "Visiting-hours decree"]),
        ("q=PA/12", ["Visiting-hours decree"]),
        ("q=custody+bill", ["Custody bill"]),
        ("q=a%00b", []),
    ],
)
def test_the_list_filters(world, query, titles):
    rows = api(world.head).get(f"{ITEMS}?{query}").json()["results"]
    assert [row["title"] for row in rows] == titles


def test_a_bad_filter_is_refused(world):
    answer = api(world.head).get(f"{ITEMS}?kind=rumour")
    assert answer.status_code == 400 and "kind" in answer.json()


def test_an_item_carries_its_assessments_opinions_and_visible_links(world):
    head = world.head
    seen = make_recommendation(head, place=make_visit(head, announced=True).place)
    secret = make_recommendation(head, visit=make_visit(head))
    entry = make_register_entry(head)
    services.links_set(
        actor=head, item=world.bill, recommendations=[seen, secret], register_entries=[entry]
    )
    full = api(head).get(url(ITEMS, world.bill))
    assert full["ETag"] == f'"{world.bill.version}"'
    body = full.json()
    assert [a["benchmark_code"] for a in body["assessments"]] == ["first-hours-lawyer"]
    assert body["assessments"][0]["harm"] == 15
    assert body["opinions"][0]["id"] == world.opinion.pk
    assert {r["reference"] for r in body["recommendations"]} == {seen.reference, secret.reference}
    assert body["register_entries"] == [{"id": entry.pk, "reference": entry.reference}]
    comms = api(world.p["comms"]).get(url(ITEMS, world.bill)).json()
    assert comms["recommendations"] == [{"id": seen.pk, "reference": seen.reference}]
    assert comms["register_entries"] == []
    assert secret.reference not in str(comms) and entry.reference not in str(comms)


# -- writing items ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_the_legislation_team_may_add_an_item(world, who):
    answer = api(world.p[who]).post(
        ITEMS,
        {
            "title": "Mental Health Bill",
            "kind": "draft",
            "subject": "Visits on 48 hours' notice.",
            "procedure": "parliament",
            "deadline": str(in_days(20)),
            "lead": world.p["monitor"].pk,
            "reference": "L-1999-999",
            "priority": 99,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["reference"].startswith(f"L-{timezone.localdate().year}-")
    assert body["priority"] == 0 and body["priority_reasons"][0]["code"] == "not_assessed"
    assert LegislationItem.objects.get(pk=body["id"]).created_by == world.p[who]


@pytest.mark.parametrize("who", ("doctor", "auditor", *HIDDEN_FROM))
def test_any_other_write_is_refused_and_changes_nothing(world, who):
    client, before = api(world.p[who]), state()
    lawyer = benchmark("first-hours-lawyer")
    attempts = [
        client.post(ITEMS, {"title": "T", "kind": "draft", "subject": "S"}, format="json"),
        client.patch(url(ITEMS, world.bill), {"title": "Mine", "version": 1}, format="json"),
        client.post(
            url(ITEMS, world.bill, "assess/"),
            {"benchmark": lawyer.pk, "effect": "breaches"},
            format="json",
        ),
        client.post(url(ITEMS, world.bill, "clear-assessment/"), {"benchmark": lawyer.pk}),
        client.post(url(ITEMS, world.bill, "outcome/"), {"outcome": "adopted"}),
        client.post(url(ITEMS, world.bill, "links/"), {"recommendations": []}, format="json"),
        client.post(OPINIONS, {"item": world.bill.pk, "title": "T", "text": "X"}),
        client.patch(url(OPINIONS, world.opinion), {"text": "X", "version": 1}),
        client.post(url(OPINIONS, world.opinion, "send/"), {"sent_to": "Ministry"}),
        client.post(STEPS, {"item": world.bill.pk, "kind": "meeting", "held_on": "2026-01-05"}),
        client.post(BENCHMARKS, {"code": "x", "group": "npm", "title": "X"}),
        client.patch(url(BENCHMARKS, lawyer), {"weight": 1}),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert state() == before


def test_a_read_only_token_may_not_write(world):
    header = fuzzing.bearer(world.head, ApiToken.Scope.READ)["Authorization"]
    client, before = APIClient(), state()
    answer = client.patch(
        url(ITEMS, world.bill), {"title": "Mine", "version": 1}, HTTP_AUTHORIZATION=header
    )
    assert answer.status_code == 403
    assert client.get(ITEMS, HTTP_AUTHORIZATION=header).status_code == 200
    assert state()[1:] == before[1:]


def test_an_edit_carries_the_version_read_in_the_body_or_in_if_match(world):
    client = api(world.p["monitor"])
    first = client.patch(url(ITEMS, world.bill), {"title": "Second draft", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    assert first["ETag"] == '"2"'
    second = client.patch(
        url(ITEMS, world.bill), {"deadline": str(in_days(40))}, HTTP_IF_MATCH='"2"'
    )
    assert second.status_code == 200
    body = second.json()
    assert body["version"] == 3 and body["priority"] == 15 + 2  # the deadline moved away


def test_a_stale_edit_gets_409_and_changes_nothing(world):
    client = api(world.head)
    client.patch(url(ITEMS, world.bill), {"title": "First", "version": 1})
    stale = client.patch(url(ITEMS, world.bill), {"title": "Second"}, HTTP_IF_MATCH='W/"1"')
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert LegislationItem.objects.get(pk=world.bill.pk).title == "First"
    assert AuditEvent.objects.filter(action="legislation.item_update_stale").count() == 1


@pytest.mark.parametrize("header", [None, "", "abc", '"0"', "*"])
def test_an_edit_without_a_usable_version_is_refused(world, header):
    extra = {} if header is None else {"HTTP_IF_MATCH": header}
    answer = api(world.head).patch(url(ITEMS, world.bill), {"title": "Nope"}, **extra)
    assert answer.status_code == 400 and "version" in answer.json()
    assert LegislationItem.objects.get(pk=world.bill.pk).title == "Custody bill"


def test_bad_input_names_the_field_and_writes_nothing(world):
    before = state()
    answer = api(world.head).post(
        ITEMS,
        {"title": "", "kind": "rumour", "subject": "S", "link": "javascript:alert(1)"},
        format="json",
    )
    assert answer.status_code == 400
    assert {"title", "kind", "link"} <= set(answer.json())
    assert state() == before


def test_assessing_through_the_api_reranks_the_item(world):
    client = api(world.p["comms"])
    answer = client.post(
        url(ITEMS, world.decree, "assess/"),
        {
            "benchmark": benchmark("npm-unannounced-access").pk,
            "effect": "breaches",
            "note": "Art 9",
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["priority"] == 25
    titles = [row["title"] for row in client.get(ITEMS).json()["results"]]
    assert titles == ["Visiting-hours decree", "Custody bill"]
    cleared = client.post(
        url(ITEMS, world.decree, "clear-assessment/"),
        {"benchmark": benchmark("npm-unannounced-access").pk},
    )
    assert cleared.status_code == 200 and cleared.json()["priority"] == 0
    refused = client.post(
        url(ITEMS, world.decree, "clear-assessment/"),
        {"benchmark": benchmark("npm-unannounced-access").pk},
    )
    assert refused.status_code == 400 and "benchmark" in refused.json()


def test_the_outcome_is_recorded(world):
    answer = api(world.head).post(
        url(ITEMS, world.bill, "outcome/"), {"outcome": "partly", "note": "Under-16s only."}
    )
    assert answer.status_code == 200
    assert (answer.json()["outcome"], answer.json()["outcome_note"]) == (
        "partly",
        "Under-16s only.",
    )


def test_links_refuse_a_record_the_writer_may_not_see_as_a_missing_one(world):
    head, officer = world.head, world.p["data_officer"]
    secret = make_recommendation(head, visit=make_visit(head))
    client = api(officer)
    hidden = client.post(
        url(ITEMS, world.bill, "links/"), {"recommendations": [secret.pk]}, format="json"
    )
    missing = client.post(
        url(ITEMS, world.bill, "links/"), {"recommendations": [secret.pk + 1000]}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["recommendations"] != [] and secret.reference not in str(hidden.json())
    assert not world.bill.recommendations.exists()


# -- opinions ---------------------------------------------------------------------------------


def test_an_opinion_is_drafted_revised_and_sent(world):
    monitor, head = api(world.p["monitor"]), api(world.head)
    made = monitor.post(OPINIONS, {"item": world.decree.pk, "title": "Opinion", "text": "One."})
    assert made.status_code == 201, made.content
    opinion = made.json()
    assert [v["number"] for v in opinion["versions"]] == [1]
    where = f"{OPINIONS}{opinion['id']}/"
    revised = monitor.patch(where, {"text": "Two.", "version": opinion["version"]})
    assert revised.status_code == 200
    assert [(v["number"], v["text"]) for v in revised.json()["versions"]] == [
        (2, "Two."),
        (1, "One."),
    ]
    assert monitor.post(f"{where}send/", {"sent_to": "Ministry"}).status_code == 403
    sent = head.post(f"{where}send/", {"sent_to": "Ministry of Health", "sent_on": "2026-01-05"})
    assert sent.status_code == 200
    assert (sent.json()["state"], sent.json()["sent_on"]) == ("sent", "2026-01-05")
    late = monitor.patch(where, {"text": "Three.", "version": sent.json()["version"]})
    assert late.status_code == 400 and "text" in late.json()
    listed = head.get(f"{OPINIONS}?item={world.decree.pk}&state=sent").json()
    assert [row["id"] for row in listed["results"]] == [opinion["id"]]
    assert head.get(f"{ITEMS}{world.decree.pk}/").json()["opinions_sent"] == 1


def test_a_stale_revision_gets_409(world):
    client = api(world.head)
    where = url(OPINIONS, world.opinion)
    assert client.patch(where, {"text": "Mine.", "version": 1}).status_code == 200
    stale = client.patch(where, {"text": "Theirs."}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert Opinion.objects.get(pk=world.opinion.pk).text == "Mine."


def test_an_opinion_on_an_unseen_item_is_refused(world):
    answer = api(world.p["head"]).post(OPINIONS, {"item": 999999, "title": "T", "text": "X"})
    assert answer.status_code == 400 and "item" in answer.json()


# -- benchmarks and steps ---------------------------------------------------------------------


def test_the_benchmarks_are_listed_and_edited_by_their_keepers(world):
    client = api(world.p["data_officer"])
    rows = client.get(f"{BENCHMARKS}?group=first_hours&page_size=50").json()["results"]
    assert "first-hours-lawyer" in {row["code"] for row in rows}
    made = client.post(
        BENCHMARKS,
        {"code": "npm-military", "group": "npm", "title": "Military places", "weight": 3},
    )
    assert made.status_code == 201, made.content
    lawyer = benchmark("first-hours-lawyer")
    changed = client.patch(url(BENCHMARKS, lawyer), {"weight": 4, "code": "renamed"})
    assert changed.status_code == 200 and changed.json()["code"] == "first-hours-lawyer"
    world.bill.refresh_from_db()
    assert world.bill.priority == 12 + 6  # 3 x 4, and half again for the deadline
    assert client.patch(url(BENCHMARKS, lawyer), {"weight": 7}).status_code == 400
    assert api(world.p["monitor"]).patch(url(BENCHMARKS, lawyer), {"weight": 1}).status_code == 403


def test_an_advocacy_step_is_recorded_with_the_partners_its_reader_may_see(world):
    bar = make_partner()
    answer = api(world.p["comms"]).post(
        STEPS,
        {
            "item": world.bill.pk,
            "kind": "joint_statement",
            "held_on": str(timezone.localdate() - dt.timedelta(days=2)),
            "with_whom": "Bar Association",
            "partners": [bar.pk],
            "summary": "No custody without a lawyer.",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["partners"] == [bar.pk]
    rows = api(world.p["auditor"]).get(f"{STEPS}?item={world.bill.pk}&kind=joint_statement")
    assert [row["partners"] for row in rows.json()["results"]] == [[bar.pk]]
    assert api(world.head).get(f"{STEPS}?item=0").json()["count"] == 0


def test_the_lists_cost_the_same_however_many_rows(world):
    client = api(world.head)

    def cost() -> list[int]:
        counts = []
        for base in (ITEMS, OPINIONS, STEPS):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(base).status_code == 200
            counts.append(len(queries))
        return counts

    before = cost()
    bar = make_partner()
    for n in range(4):
        item = make_item(world.head, title=f"Bill {n}", deadline=in_days(n + 1))
        assess(world.head, item, "first-hours-doctor", Effect.BREACHES)
        make_opinion(world.head, item)
        services.step_add(
            actor=world.head,
            item=item,
            kind="letter",
            held_on=timezone.localdate(),
            partners=[bar],
        )
    assert cost() == before
