"""Who reaches the tracker's pages: an outsider, the administrator and an external expert
get 404 everywhere, an item's id answering as a missing one does; an anonymous visitor is
sent to log in; the doctor and the auditor read but every write answers 403 and changes
nothing; only the head sends an opinion; only the head and the data officer edit the
benchmarks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from habeas.core.models import AuditEvent
from habeas.legislation import services
from habeas.legislation.models import (
    AdvocacyStep,
    Assessment,
    Benchmark,
    LegislationItem,
    Opinion,
    OpinionVersion,
)
from habeas.legislation.tests.test_views_world import BILL, world

pytestmark = pytest.mark.django_db

MISSING = 987654


def _routes(w, opinion, *, item_pk=None):
    i = item_pk or w.bill.pk
    o, b = opinion.pk, w.lawyer.pk
    today = timezone.localdate().isoformat()
    return [
        ("get", reverse("legislation:list"), {}),
        ("get", reverse("legislation:create"), {}),
        ("get", reverse("legislation:benchmarks"), {}),
        ("get", reverse("legislation:benchmark_create"), {}),
        ("get", reverse("legislation:benchmark_edit", args=[b]), {}),
        ("get", reverse("legislation:detail", args=[i]), {}),
        ("get", reverse("legislation:edit", args=[i]), {}),
        ("get", reverse("legislation:checklist", args=[i]), {}),
        ("get", reverse("legislation:opinion_create", args=[i]), {}),
        ("get", reverse("legislation:opinion_revise", args=[i, o]), {}),
        ("get", reverse("legislation:opinion_send", args=[i, o]), {}),
        ("get", reverse("legislation:step_add", args=[i]), {}),
        ("get", reverse("legislation:outcome", args=[i]), {}),
        ("get", reverse("legislation:links", args=[i]), {}),
        (
            "post",
            reverse("legislation:create"),
            {"title": "T", "kind": "draft", "subject": "S", "procedure": "identified"},
        ),
        (
            "post",
            reverse("legislation:edit", args=[i]),
            {
                "title": "T",
                "kind": "draft",
                "subject": "S",
                "procedure": "identified",
                "version": 1,
            },
        ),
        (
            "post",
            reverse("legislation:checklist", args=[i]),
            {f"b{b}-effect": "breaches", f"b{b}-was_effect": "weakens"},
        ),
        ("post", reverse("legislation:opinion_create", args=[i]), {"title": "T", "text": "X"}),
        (
            "post",
            reverse("legislation:opinion_revise", args=[i, o]),
            {"title": "T", "text": "Changed", "version": 1},
        ),
        (
            "post",
            reverse("legislation:opinion_send", args=[i, o]),
            {"sent_on": today, "sent_to": "Parliament"},
        ),
        (
            "post",
            reverse("legislation:step_add", args=[i]),
            {"kind": "meeting", "held_on": today, "with_whom": "Rapporteur"},
        ),
        ("post", reverse("legislation:outcome", args=[i]), {"outcome": "adopted"}),
        (
            "post",
            reverse("legislation:links", args=[i]),
            {"add_recommendations": w.recommendation.reference},
        ),
        (
            "post",
            reverse("legislation:benchmark_create"),
            {"code": "new-line", "group": "other", "title": "New", "weight": 3},
        ),
        (
            "post",
            reverse("legislation:benchmark_edit", args=[b]),
            {"code": w.lawyer.code, "group": "first_hours", "title": "Renamed", "weight": 1},
        ),
    ]


def _state():
    """Everything a write could change, to prove a refused one changed nothing."""
    return (
        list(LegislationItem.objects.values_list("pk", "version", "title", "outcome", "priority")),
        list(Assessment.objects.values_list("pk", "effect", "note")),
        list(Opinion.objects.values_list("pk", "version", "state", "text")),
        OpinionVersion.objects.count(),
        AdvocacyStep.objects.count(),
        list(Benchmark.objects.values_list("pk", "title", "weight")),
        sorted(LegislationItem.recommendations.through.objects.values_list("pk", flat=True)),
        AuditEvent.objects.count(),
    )


def _setup(personas):
    w = world(personas)
    opinion = services.opinion_create(
        actor=w.monitor, item=w.bill, title="Opinion on the bill", text="The NPM advises."
    )
    return w, opinion


@pytest.mark.parametrize("persona", ["outsider", "admin", "expert"])
def test_it_answers_404_everywhere_to_who_may_not_see(persona, personas, client_for):
    w, opinion = _setup(personas)
    client = client_for(personas[persona])
    before = _state()
    missing = client.get(reverse("legislation:detail", args=[MISSING]))
    assert missing.status_code == 404
    hidden = client.get(reverse("legislation:detail", args=[w.bill.pk]))
    assert hidden.status_code == 404 and hidden.content == missing.content
    for method, url, data in _routes(w, opinion):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (persona, method, url, response.status_code)
    assert _state() == before


def test_an_anonymous_visitor_is_sent_to_log_in(personas):
    w, opinion = _setup(personas)
    client = Client()
    before = _state()
    for method, url, data in _routes(w, opinion):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url
    assert _state() == before


@pytest.mark.parametrize("persona", ["doctor", "auditor"])
def test_readers_read_but_every_write_is_refused_and_changes_nothing(persona, personas, client_for):
    w, opinion = _setup(personas)
    client = client_for(personas[persona])
    before = _state()
    readable = {
        reverse("legislation:list"),
        reverse("legislation:benchmarks"),
        reverse("legislation:detail", args=[w.bill.pk]),
    }
    for method, url, data in _routes(w, opinion):
        response = getattr(client, method)(url, data)
        expected = 200 if method == "get" and url in readable else 403
        assert response.status_code == expected, (persona, method, url, response.status_code)
    assert _state() == before


def test_a_reader_gets_404_not_403_for_a_missing_item(personas, client_for):
    w, opinion = _setup(personas)
    client = client_for(personas["doctor"])
    for method, url, data in _routes(w, opinion, item_pk=MISSING):
        if f"/{MISSING}/" in url:
            assert getattr(client, method)(url, data).status_code == 404, url


def test_an_opinion_of_another_item_is_404(personas, client_for):
    w, opinion = _setup(personas)
    client = client_for(personas["head"])
    url = reverse("legislation:opinion_revise", args=[w.decree.pk, opinion.pk])
    assert client.get(url).status_code == 404
    url = reverse("legislation:opinion_send", args=[w.decree.pk, opinion.pk])
    assert client.post(url, {"sent_on": "2026-01-01", "sent_to": "X"}).status_code == 404
    opinion.refresh_from_db()
    assert opinion.state == Opinion.State.DRAFT


@pytest.mark.parametrize("persona", ["monitor", "comms"])
def test_staff_who_may_change_work_but_neither_send_nor_edit_benchmarks(
    persona, personas, client_for
):
    w, opinion = _setup(personas)
    client = client_for(personas[persona])
    for method, url, _data in _routes(w, opinion):
        if method != "get":
            continue
        expected = (
            403
            if "/send/" in url or "/benchmarks/" in url and url.endswith(("/new/", "/edit/"))
            else 200
        )
        assert client.get(url).status_code == expected, (persona, url)
    page = client.get(reverse("legislation:detail", args=[w.bill.pk])).content.decode()
    assert BILL in page
    assert reverse("legislation:opinion_send", args=[w.bill.pk, opinion.pk]) not in page
    assert reverse("legislation:edit", args=[w.bill.pk]) in page
    before = _state()
    send = reverse("legislation:opinion_send", args=[w.bill.pk, opinion.pk])
    assert client.post(send, {"sent_on": "2026-01-01", "sent_to": "X"}).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("persona", ["head", "data_officer"])
def test_the_head_and_the_data_officer_reach_every_page(persona, personas, client_for):
    w, opinion = _setup(personas)
    client = client_for(personas[persona])
    for method, url, _data in _routes(w, opinion):
        if method == "get":
            expected = 403 if persona == "data_officer" and "/send/" in url else 200
            assert client.get(url).status_code == expected, (persona, url)
