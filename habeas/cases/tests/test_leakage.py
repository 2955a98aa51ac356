"""Indirect leaks (SECURITY.md test 4): a canary case and a canary watch never show to
someone not granted on them — not through a list, a search, a filter, a count, an
autocomplete, an export, the API or a notification.

The sweep is generic: it visits every page and API route that takes no record id, with
the canaries as search terms, as every persona who is not granted. A new page joins it
by itself.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from django.core import mail

from habeas.accounts.sudo import SESSION_KEY as SUDO_KEY
from habeas.cases import services
from habeas.cases.models import RegisterEntry
from habeas.core import access
from habeas.core.tests.routes import all_routes
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

VICTIM = "Zubair Canaryvictim"
ACTS = "canary-acts beaten on the soles of the feet"
OFFICIAL = "Officer Canaryofficial"
PSEUDONYM = "Canarypseudonym"
WATCH_NAME = "Yusuf Canarywatched"
NOT_GRANTED = ("head", "monitor", "expert", "data_officer", "comms", "admin", "auditor", "outsider")
# Routes that take no record id yet are not pages to read: signing out, or answering
# a form's submission only.
SKIPPED = {"accounts:logout"}


@pytest.fixture
def canaries(personas):
    doctor = personas["doctor"]
    place = PlaceFactory(name="Leak test prison")
    case = services.case_create(
        actor=doctor,
        data={
            "kind": "torture",
            "source": "private_interview",
            "place": place,
            "victim": VICTIM,
            "acts": ACTS,
            "officials": OFFICIAL,
            "consent_use": True,
        },
    )
    watch = services.watch_create(
        actor=doctor,
        place=place,
        data={
            "pseudonym": PSEUDONYM,
            "identity": WATCH_NAME,
            "source_kind": "private_interview",
            "risk_source": "staff",
        },
    )
    RegisterEntry.objects.create(
        reference="R-2026-0001", case=case, place=place, created_by=personas["head"]
    )
    secrets = [VICTIM, ACTS, OFFICIAL, PSEUDONYM, WATCH_NAME]
    existence = [case.reference, str(case.pk), watch.reference, str(watch.pk)]
    return {"place": place, "case": case, "watch": watch, "secrets": secrets + existence}


def _client(client_for, user):
    client = client_for(user)
    session = client.session
    session[SUDO_KEY] = time.time() + 3600  # exports and the like answer, as they would
    session.save()
    return client


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _readable_routes():
    for route in all_routes():
        if route.name in SKIPPED or "987654" in route.path or "00000000-0000" in route.path:
            continue
        if access.policy_of(route.callback) == access.PUBLIC and route.name != "set_language":
            continue
        yield route


def _queries() -> list[tuple[str, str]]:
    """Query strings searching for the canaries, each with the term a page may echo back
    in its search box (that echo is the reader's own typing, not a leak)."""
    terms = [VICTIM, PSEUDONYM]
    return [("", "")] + [
        ("?" + urlencode({"q": term, "search": term, "term": term, "format": "csv"}), term)
        for term in terms
    ]


def test_a_canary_case_shows_nowhere_to_anyone_not_granted(canaries, personas, client_for):
    leaks = []
    routes = list(_readable_routes())
    assert len(routes) > 20
    for persona in NOT_GRANTED:
        client = _client(client_for, personas[persona])
        for route in routes:
            for query, typed in _queries():
                body = _body(client.get(route.path + query))
                found = [s for s in canaries["secrets"] if s != typed and s in body]
                if found:
                    leaks.append(f"{persona} GET {route.path}{query}: {found}")
    assert not leaks, "\n".join(leaks)


def test_the_sweep_would_see_a_leak_the_grantee_is_shown(canaries, personas, client_for):
    """The same sweep, as the case's lead, finds the case: the test above can fail."""
    client = _client(client_for, personas["doctor"])
    seen = "".join(_body(client.get(route.path)) for route in _readable_routes())

    assert canaries["case"].reference in seen
    assert PSEUDONYM in seen


def test_the_place_page_says_nothing_of_a_watch_to_those_not_granted(
    canaries, personas, client_for
):
    url = f"/places/{canaries['place'].pk}/"
    for persona in ("head", "monitor", "data_officer", "auditor"):
        body = _body(_client(client_for, personas[persona]).get(url))
        assert PSEUDONYM not in body and canaries["watch"].reference not in body, persona


def test_counts_through_the_api_do_not_include_cases_not_granted(canaries, personas, client_for):
    for persona in ("head", "monitor", "admin"):
        client = _client(client_for, personas[persona])
        for url in ("/api/v1/cases/", "/api/v1/watches/"):
            response = client.get(url)
            if response.status_code == 200:
                assert response.json()["count"] == 0, (persona, url)
            else:
                assert response.status_code in (403, 404), (persona, url)


def test_a_grantee_without_the_identity_flag_sees_the_case_but_no_name(
    canaries, personas, client_for
):
    doctor, monitor = personas["doctor"], personas["monitor"]
    services.grant_add(
        actor=doctor,
        record=canaries["case"],
        user=monitor,
        identity=False,
        medical=False,
        reason="Follows up the referral",
    )
    body = _body(_client(client_for, monitor).get(f"/cases/{canaries['case'].pk}/"))

    assert canaries["case"].reference in body
    assert VICTIM not in body and OFFICIAL not in body


def test_notices_reach_only_the_team_and_carry_no_name(
    canaries, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.case_create(
            actor=personas["monitor"],
            data={"kind": "ill_treatment", "source": "ngo", "victim": VICTIM.upper()},
        )

    assert mail.outbox, "the lead of the earlier case is told a new record may concern the person"
    for message in mail.outbox:
        assert set(message.to) <= {personas["doctor"].email}
        text = message.subject + message.body
        assert VICTIM not in text and VICTIM.upper() not in text and PSEUDONYM not in text
