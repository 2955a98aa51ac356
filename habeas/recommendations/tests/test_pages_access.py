"""Who reaches a recommendation's pages: an outsider, the administrator and an external
expert off the visit get 404 (the same as a missing record); the communications officer
reads but every write answers 403 and changes nothing; a monitor does the work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.recommendations.models import Recommendation
from habeas.recommendations.tests.factories import make_sent
from habeas.recommendations.tests.test_pages_world import CALL_BELL, draft_at, pages_world
from habeas.visits import services_field as field

pytestmark = pytest.mark.django_db


def _routes(world, draft, sent, urgent):
    r, s, v = draft.pk, sent.pk, world.visit.pk
    return [
        ("get", reverse("recommendations:draft") + f"?visit={v}", {}),
        ("get", reverse("recommendations:detail", args=[r]), {}),
        ("get", reverse("recommendations:edit", args=[r]), {}),
        ("get", reverse("recommendations:respond", args=[s]), {}),
        ("get", reverse("recommendations:verify", args=[s]), {}),
        ("get", reverse("recommendations:visit", args=[v]), {}),
        ("post", reverse("recommendations:draft") + f"?visit={v}", {"text": CALL_BELL, "visit": v}),
        ("post", reverse("recommendations:quality"), {"text": CALL_BELL, "visit": v}),
        ("post", reverse("recommendations:edit", args=[r]), {"text": "x", "version": 1}),
        ("post", reverse("recommendations:send", args=[r]), {}),
        ("post", reverse("recommendations:send_many"), {"recommendations": [r], "visit": v}),
        ("post", reverse("recommendations:respond", args=[s]), {"status": "accepted"}),
        ("post", reverse("recommendations:verify", args=[s]), {"status": "achieved"}),
        ("post", reverse("recommendations:link", args=[r]), {"reference": sent.reference}),
        ("post", reverse("recommendations:repeat", args=[r]), {"earlier": s}),
        ("post", reverse("recommendations:from_urgent", args=[urgent.pk]), {}),
    ]


def _world(personas, make_user):
    world = pages_world(personas, make_user)
    draft = draft_at(world)
    sent = make_sent(
        world.monitor,
        visit=world.visit,
        addressee=world.administration,
        sent_on=dt.date(2026, 1, 5),
    )
    urgent = field.urgent_draft_create(
        actor=world.monitor, visit=world.visit, data={"text": "Repair the fire alarm in Wing C."}
    )
    return world, draft, sent, urgent


def _unchanged(draft, sent, urgent):
    draft.refresh_from_db()
    sent.refresh_from_db()
    urgent.refresh_from_db()
    assert draft.state == "draft" and draft.version == 1 and draft.repeat_of_id is None
    assert not draft.linked.exists()
    assert sent.response == "" and sent.implementation == ""
    assert urgent.recommendation_ref == ""
    assert Recommendation.objects.count() == 2


@pytest.mark.parametrize("persona", ["outsider", "admin", "expert"])
def test_it_answers_404_on_every_route_to_who_may_not_see(persona, personas, make_user, client_for):
    world, draft, sent, urgent = _world(personas, make_user)
    client = client_for(personas[persona])
    missing = client.get(reverse("recommendations:detail", args=[987654]))
    assert missing.status_code == 404
    for method, url, data in _routes(world, draft, sent, urgent):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (persona, method, url, response.status_code)
    _unchanged(draft, sent, urgent)


def test_an_expert_on_the_visit_sees_its_recommendations(personas, make_user, client_for):
    world, draft, _sent, _urgent = _world(personas, make_user)
    client = client_for(world.expert_on_team)
    page = client.get(reverse("recommendations:detail", args=[draft.pk]))
    assert page.status_code == 200 and CALL_BELL.encode() in page.content


def test_comms_reads_but_every_write_is_refused_and_changes_nothing(
    personas, make_user, client_for
):
    world, draft, sent, urgent = _world(personas, make_user)
    client = client_for(personas["comms"])
    for name, pk in (("detail", draft.pk), ("detail", sent.pk), ("visit", world.visit.pk)):
        assert client.get(reverse(f"recommendations:{name}", args=[pk])).status_code == 200
    for method, url, data in _routes(world, draft, sent, urgent):
        if method == "get" and ("/edit/" in url or "/respond/" in url or "/verify/" in url):
            assert client.get(url).status_code == 403, url
        elif method == "post":
            assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("recommendations:draft")).status_code == 403
    _unchanged(draft, sent, urgent)


def test_the_pages_show_comms_no_buttons_it_may_not_use(personas, make_user, client_for):
    world, draft, sent, _urgent = _world(personas, make_user)
    client = client_for(personas["comms"])
    page = client.get(reverse("recommendations:detail", args=[draft.pk])).content.decode()
    assert reverse("recommendations:send", args=[draft.pk]) not in page
    assert reverse("recommendations:edit", args=[draft.pk]) not in page
    page = client.get(reverse("recommendations:visit", args=[world.visit.pk])).content.decode()
    assert "Send selected" not in page and reverse("recommendations:draft") not in page


def test_a_monitor_reaches_every_page(personas, make_user, client_for):
    world, draft, sent, urgent = _world(personas, make_user)
    client = client_for(world.monitor)
    for method, url, _data in _routes(world, draft, sent, urgent):
        if method == "get":
            assert client.get(url).status_code == 200, url
    page = client.get(reverse("recommendations:detail", args=[draft.pk])).content.decode()
    assert reverse("recommendations:send", args=[draft.pk]) in page
    sent_page = client.get(reverse("recommendations:detail", args=[sent.pk])).content.decode()
    assert reverse("recommendations:respond", args=[sent.pk]) in sent_page
    assert reverse("recommendations:verify", args=[sent.pk]) in sent_page


def test_a_visit_a_user_may_not_change_cannot_be_drafted_for(personas, make_user, client_for):
    world, *_rest = _world(personas, make_user)
    client = client_for(personas["data_officer"])
    url = reverse("recommendations:draft") + f"?visit={world.visit.pk}"
    assert client.get(url).status_code == 404
    assert client.get(reverse("recommendations:draft") + "?visit=abc").status_code == 404
    assert client.get(reverse("recommendations:draft")).status_code == 200
