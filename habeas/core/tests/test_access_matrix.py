"""The access matrix (SECURITY.md test 3): every page route that takes a record's id,
filled with real records, crossed with every persona and with GET and POST.

- Whoever may not see a record gets exactly the answer, byte for byte and header for
  header, that a record that does not exist gets (its id replaced by 987654); outsiders
  and members of other organisations get a plain 404.
- A record that belongs to something else (another place's unit, another assessment's
  evidence, another user's token) answers under this one's address as a missing one.
- A refused request (400, 403, 404, 405, 409) changes no row of the domain tables and
  no stored file, and writes no audit event but a stale edit's; a GET changes nothing.
- Whoever may see the record reaches it (never a 404; the record's own page is a 200),
  and the record's owner, posting the same data, does change something: so a refusal
  above is the refusal of a write that would otherwise have happened.

Routes are found at import time by walking the URL resolver (`access_matrix.id_routes`),
so a new route joins by itself and fails until `RECORDS` and `access_world` know how to
build its records. Every request is rolled back to a savepoint, so each one meets the
same world and the world is built once per route.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from habeas.accounts.sudo import SESSION_KEY as SUDO_KEY
from habeas.core.tests import access_matrix as matrix
from habeas.core.tests.access_matrix import IdRoute, Snapshot
from habeas.core.tests.access_world import (
    NO_CHANGE,
    PAYLOADS,
    WRITERS,
    World,
    build_world,
    payload,
)
from habeas.places.tests.test_services_documents import use_tmp_media

ROUTES = matrix.id_routes()
METHODS = ("get", "post")


@pytest.fixture
def world(route, personas, make_user, settings, tmp_path) -> World:
    use_tmp_media(settings, tmp_path)
    return build_world(personas, make_user, tmp_path, matrix.attributes_named(route))


@pytest.fixture
def clients(world, client_for) -> dict[str, Client]:
    """Signed in with a verified second factor and in sudo mode: the strongest session
    each persona can have, so that only their rights stand between them and a record."""
    signed_in = {}
    for name, user in world.people.items():
        client = client_for(user)
        session = client.session
        session[SUDO_KEY] = time.time() + 3600
        session.save()
        signed_in[name] = client
    return signed_in


def same(one: Any, other: Any) -> bool:
    return (one.status, one.headers, one.body) == (other.status, other.headers, other.body)


def differences(real: Any, absent: Any) -> str:
    """What gives the real record away: its status, headers or bytes."""
    found = []
    if real.status != absent.status:
        found.append(f"{real.status} instead of {absent.status}")
    names = {
        n
        for n in real.headers.keys() | absent.headers.keys()
        if real.headers.get(n) != absent.headers.get(n)
    }
    if names:
        found.append(f"headers {sorted(names)} differ")
    if real.body != absent.body:
        found.append(f"{len(real.body)} bytes instead of {len(absent.body)}, not the same")
    return "; ".join(found)


class Matrix:
    """One route's requests and what they broke, gathered so a failure lists them all."""

    def __init__(self, route: IdRoute, world: World, clients: dict[str, Client]) -> None:
        self.route, self.world, self.clients = route, world, clients
        self.base = Snapshot.take(world.media)
        self.problems: list[str] = []

    def send(
        self,
        persona: str,
        method: str,
        missing: tuple[str, ...] = (),
        elsewhere: tuple[str, ...] = (),
    ) -> Any:
        url = matrix.path(self.route, self.world, missing=missing, elsewhere=elsewhere)
        data = payload(self.route.name, self.world) if method == "post" else None
        client = self.clients[persona]
        return matrix.send(client, method, url, data, self.base, watch=not missing)

    def fail(self, persona: str, method: str, problem: str) -> None:
        self.problems.append(f"{persona} {method.upper()} {self.route.name}: {problem}")

    def check(self, persona: str, method: str) -> None:
        answer = self.send(persona, method)
        hidden = matrix.hidden_arguments(self.route, persona)
        if hidden:
            self.check_hidden(persona, method, answer, hidden)
        else:
            self.check_audience(persona, method, answer)
            self.check_elsewhere(persona, method)
        self.check_trace(persona, method, answer)

    def check_elsewhere(self, persona: str, method: str) -> None:
        """A record that belongs to something else answers as a missing one, here."""
        for argument in self.route.arguments:
            kind = matrix.record_of(self.route, argument).elsewhere
            if not kind:
                continue
            foreign = self.send(persona, method, elsewhere=(argument.name,))
            absent = self.send(persona, method, missing=(argument.name,))
            if not same(foreign, absent):
                self.fail(persona, method, f"{kind}: {differences(foreign, absent)}")
            self.check_trace(persona, method, foreign)

    def check_hidden(self, persona: str, method: str, answer: Any, hidden: tuple[str, ...]) -> None:
        for missing in matrix.missing_variants(hidden):
            absent = self.send(persona, method, missing)
            if not same(answer, absent):
                self.fail(
                    persona,
                    method,
                    f"hidden, yet with {', '.join(missing)} missing: {differences(answer, absent)}",
                )
        stranger = persona in matrix.STRANGERS and hidden[0] == self.route.arguments[0].name
        if stranger and answer.status != 404:
            never_allowed = answer.status == 405 and method.upper() not in answer.headers.get(
                "Allow", ""
            )
            if not never_allowed:
                self.fail(persona, method, f"a stranger gets {answer.status}, not 404")

    def check_audience(self, persona: str, method: str, answer: Any) -> None:
        if answer.status == 404:
            self.fail(persona, method, "404 for someone who may see the record")
        elif method == "get" and self.route.is_detail and answer.status != 200:
            self.fail(persona, method, f"the record's own page answers {answer.status}")
        if persona == WRITERS.get(self.route.name, "head") and method == "post":
            self.check_writer(persona, answer)

    def check_writer(self, persona: str, answer: Any) -> None:
        if answer.status == 405:
            return  # a route that takes no POST: the refusals above are all 405s
        reason = NO_CHANGE.get(self.route.name)
        if reason is None and (answer.status in matrix.REFUSED or not answer.changed):
            self.fail(
                persona,
                "post",
                f"the writer's POST answers {answer.status} and changes nothing: fix its "
                "payload in access_world.PAYLOADS, or say why in NO_CHANGE",
            )
        elif reason is not None and answer.changed:
            self.fail(persona, "post", f"changed {answer.changed}; drop it from NO_CHANGE")

    def check_trace(self, persona: str, method: str, answer: Any) -> None:
        if method == "get" or answer.status in matrix.REFUSED:
            if answer.changed:
                self.fail(persona, method, f"{answer.status} yet changed {answer.changed}")
            audited = matrix.unexpected_audit(answer.audited, answer.status)
            if method == "post" and audited:
                self.fail(persona, method, f"{answer.status} yet audited {audited}")


def refuse_to_guess(route: IdRoute) -> None:
    """Fail, saying what to add, rather than skip a route the matrix cannot fill."""
    if not route.named:
        pytest.fail(f"The route {route.pattern} has no name; the matrix reverses routes by name.")
    unknown = matrix.unknown_arguments(route)
    if unknown:
        pytest.fail(
            f"{route.name} ({route.pattern}) takes {unknown}, which the access matrix "
            "cannot fill: build such a record in habeas/core/tests/access_world.py and name "
            "it and its audience in access_matrix.RECORDS (or, if it is no record id, list "
            "the route in access_matrix.EXCEPTIONS with the reason)."
        )
    writer = WRITERS.get(route.name, "head")
    if matrix.hidden_arguments(route, writer):
        pytest.fail(
            f"{route.name}: its writer, {writer}, may not see its records; name someone who "
            "may in access_world.WRITERS."
        )


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_it_shows_each_record_only_to_its_audience_and_refuses_without_a_trace(
    route, world, clients
):
    refuse_to_guess(route)
    checks = Matrix(route, world, clients)

    for persona in sorted(matrix.EVERYONE):
        for method in METHODS:
            checks.check(persona, method)

    assert not checks.problems, "\n".join(checks.problems)


def test_it_finds_the_record_routes_of_places_and_assessments():
    names = {route.name for route in ROUTES}

    assert {"places:detail", "places:unit_edit", "assessment:criterion"} <= names
    assert {route.namespace for route in ROUTES} >= {"places", "assessment"}
    assert not names & set(matrix.EXCEPTIONS)


def test_it_names_only_routes_that_exist_in_its_tables():
    names = {route.name for route in ROUTES}
    stale = (set(PAYLOADS) | set(WRITERS) | set(NO_CHANGE)) - names
    stale |= set(matrix.EXCEPTIONS) - matrix.all_route_names()

    assert not stale, f"entries for routes that no longer exist: {sorted(stale)}"
