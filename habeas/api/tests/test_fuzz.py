"""SECURITY.md test 19: schemathesis fuzzes the API, role by role, with a fixed seed.

The schema is the one the app serves at `/api/schema/`; the requests go to Django's WSGI
handler in-process, each with a real personal token (write scope) of the persona. Every
operation gets generated requests, valid and invalid by the schema, and requests aimed
at every seeded record (visible and hidden), at the edges of its filters, and valid
creations (one naming another organisation's assessment). Pass, for every response:

- no 5xx;
- the status code is documented, the content type is, and the body matches its schema;
- nothing out of scope: another organisation's assessment never shows (its id answers
  404, its canary never appears); a user without a role gets empty lists, a 404 for
  every id and a 403 for every write;
- a role that may not write (comms, no role) changes nothing, audit trail included.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
from django.conf import LazySettings
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework import permissions

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.api.tests import fuzzing

pytestmark = pytest.mark.django_db

PERSONAS = ("head", "data_officer", "auditor", "outsider")
READ_ONLY = frozenset({"auditor", "outsider"})
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# Generated examples per operation, persona and mode, beside the aimed ones (every seeded
# id, every valid creation, each filter's ids and edges): with some two hundred
# operations, enough to reach the branches the aimed requests miss, few enough that the
# file runs in about a minute per persona.
EXAMPLES = {
    "parameters": {POSITIVE: 5, NEGATIVE: 2},
    # Only the path's id varies: every seeded id is aimed at anyway, and a broken id
    # matches no route.
    "id only": {POSITIVE: 1, NEGATIVE: 1},
    # A write by a role that may not write is refused before its body is read.
    "refused": {POSITIVE: 3, NEGATIVE: 0},
}
# Filters also get these: for numbers, a negative one, zero and one past the largest key;
# for free text, a NUL byte (PostgreSQL refuses it) and SQL LIKE's wildcards.
EDGES = {"integer": (-1, 0, 2**63), "string": ("a\x00b", "%_")}
FILTERS = {"assessment": "assessments", "region": "regions", "authority": "authorities"}
SCHEMA = "/api/schema/?format=json"

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
# A path whose id is not a number matches no API route: Django's resolver answers its
# own HTML 404 page (see the known failure at the end of this file).
UNROUTED_CHECKS = CHECKS[:2]


def fixed_seed(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same requests on every run, on every machine
        database=None,  # no .hypothesis/ directory in the checkout
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
        print_blob=False,
    )


@pytest.fixture
def media(settings: LazySettings, tmp_path: Any) -> Any:
    """Uploaded evidence lands in a directory of this test, not in var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture(scope="module")
def served_schema(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """The schema the app serves at /api/schema/, as the head reads it: the same for every
    persona, so it is generated once for the module (the reader is rolled back)."""
    with django_db_blocker.unblock(), transaction.atomic():
        head = User.objects.create_user(
            email="schema-reader@npm.test", password=None, full_name="Reader", role=Role.HEAD
        )
        with fuzzing.wsgi_app() as app:
            loaded = schemathesis.openapi.from_wsgi(SCHEMA, app, headers=fuzzing.bearer(head))
        transaction.set_rollback(True)
    return loaded.raw_schema


def schema_of(served: dict[str, Any], app: Any) -> Any:
    """What `schemathesis.openapi.from_wsgi` builds from the served schema, for this app."""
    schema = schemathesis.openapi.from_dict(copy.deepcopy(served))
    schema.app, schema.location = app, SCHEMA
    return schema


@pytest.mark.parametrize("who", PERSONAS)
def test_it_answers_every_fuzzed_request_within_the_schema_and_the_role(
    who: str,
    personas: dict[str, User],
    make_user: Any,
    media: Any,
    served_schema: dict[str, Any],
) -> None:
    world = fuzzing.seed(personas, make_user)
    with fuzzing.wsgi_app() as app:
        schema = schema_of(served_schema, app)
        headers = fuzzing.bearer(personas[who])
        before = fuzzing.snapshot()
        failures = [
            failure
            for operation in operations(schema)
            for mode in (POSITIVE, NEGATIVE)
            if (failure := fuzz(operation, mode, headers=headers, who=who, world=world))
        ]
    assert not failures, "\n\n".join(failures)
    if who in READ_ONLY:
        assert fuzzing.snapshot() == before, f"{who} changed records through the API"


def operations(schema: Any) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 30, "the schema lost operations"
    return found


def fuzz(
    operation: Any,
    mode: schemathesis.GenerationMode,
    *,
    headers: dict[str, str],
    who: str,
    world: fuzzing.World,
) -> str | None:
    """Run one operation's examples; the failure Hypothesis shrank, or None."""
    examples = examples_for(operation, mode, who)
    if not examples:
        return None

    @given(case=strategy(operation, mode, world))
    @fixed_seed(examples)
    def run(case: Any) -> None:
        checks = CHECKS if routed(case) else UNROUTED_CHECKS
        response = case.call_and_validate(headers=headers, checks=checks)
        within_scope(case, response, who=who, world=world)

    if mode is POSITIVE:
        for case in aimed(operation, world):
            run = example(case=case)(run)
    try:
        run()
    # Every failure is reported, then the test fails; schemathesis groups check failures.
    except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001
        return f"{operation.label} ({mode}) as {who}:\n{error}"
    return None


def examples_for(operation: Any, mode: schemathesis.GenerationMode, who: str) -> int:
    if operation.method.upper() not in permissions.SAFE_METHODS and who in READ_ONLY:
        return EXAMPLES["refused"][mode]
    if not (len(operation.query) or len(operation.body)):
        return EXAMPLES["id only"][mode]
    return EXAMPLES["parameters"][mode]


def aimed(operation: Any, world: fuzzing.World) -> list[Any]:
    """Every seeded id of the resource (a PATCH with the version it was seeded at, which
    changes nothing), a valid creation, and each filter's seeded ids and edges. Nested
    records (a plan's commitment) are left to the generated requests."""
    path_names = {parameter.name for parameter in operation.path_parameters}
    if path_names - {"id"}:
        return []
    if operation.method.upper() == "POST" and len(operation.body) and not path_names:
        return [
            operation.Case(body=body, media_type="application/json")
            for body in world.creations.get(resource(operation.path), [])
        ]
    if "{id}" in operation.path:
        body = {"body": {"version": 1}, "media_type": "application/json"}
        return [
            operation.Case(path_parameters={"id": pk}, **(body if len(operation.body) else {}))
            for pk in world.ids(resource(operation.path))
        ]
    return [
        operation.Case(query={parameter.name: value})
        for parameter in operation.query
        if "enum" not in parameter.definition["schema"]
        for value in (
            *world.ids(FILTERS.get(parameter.name, "")),
            *EDGES.get(parameter.definition["schema"].get("type"), ()),
        )
    ]


def strategy(operation: Any, mode: schemathesis.GenerationMode, world: fuzzing.World) -> Any:
    """Generated requests; for a write with a body, also generated bodies sent to the
    seeded records."""
    generated = operation.as_strategy(generation_mode=mode)
    ids = world.ids(resource(operation.path))
    if "{id}" not in operation.path or not len(operation.body) or not ids:
        return generated
    aimed_at = st.sampled_from(ids).flatmap(
        lambda pk: operation.as_strategy(generation_mode=mode, path_parameters={"id": pk})
    )
    return st.one_of(generated, aimed_at)


def resource(path: str) -> str:
    return path.split("/")[3]  # /api/v1/<resource>/…


def routed(case: Any) -> bool:
    pk = str((case.path_parameters or {}).get("id", "0"))
    return pk.isascii() and pk.isdigit()


def body_text(response: Any) -> str:
    """The body as text; a file (a report's PDF) is read with undecodable bytes replaced."""
    try:
        return str(response.text)
    except UnicodeDecodeError:
        return bytes(response.content).decode("utf-8", errors="replace")


def within_scope(case: Any, response: Any, *, who: str, world: fuzzing.World) -> None:
    status, method = response.status_code, case.method.upper()
    where = f"{method} {case.formatted_path} {case.query or ''} as {who} answered {status}"
    text = body_text(response)
    assert world.hidden_canary not in text, f"{where}: another organisation's record"
    if who == "outsider":
        assert world.staff_canary not in text, f"{where}: a record of this NPM"
    if not routed(case):
        assert status == 404, where
        return
    pk = (case.path_parameters or {}).get("id")
    records = resource(case.path)
    named = case.body.get("assessment") if isinstance(case.body, dict) else None
    if method not in permissions.SAFE_METHODS and who in READ_ONLY:
        # Refused before anything is written: 403, or 404 where the resource answers a
        # reader who may see none of its records as if the id did not exist (reports).
        refused = {403, 404} if pk is not None else {403}
        assert status in refused, f"{where}: a write was not refused"
    elif named is not None and named in world.hidden["assessments"]:
        assert status == 400, f"{where}: a write into another organisation's assessment"
    elif records in world.public:
        if pk is not None and method == "GET":
            found = int(pk) in world.public[records]
            assert status == (200 if found else 404), f"{where}: the public listing"
    elif pk is None and method == "GET" and who == "outsider" and status == 200:
        assert response.json()["count"] == 0, f"{where}: a list that is not empty"
    elif pk is not None and (
        who == "outsider"
        or int(pk) in world.hidden.get(records, [])
        or (
            # A seeded record outside the persona's audience; one the persona made while
            # fuzzing (a saved view, a rendering) is its own.
            int(pk) in world.ids(records)
            and who not in world.audience.get(records, frozenset({who}))
        )
    ):
        # A write the role may not make is refused (403) before the id is looked at.
        refusals = {404} if method == "GET" else {403, 404}
        assert status in refusals, f"{where}: a hidden record was not 404"
    elif pk is not None and method == "GET" and int(pk) in world.visible.get(records, []):
        assert status == 200, f"{where}: a record in scope was not found"


def test_it_refuses_an_id_that_is_not_a_number_in_json(make_user: Any) -> None:
    head = make_user("head")
    with fuzzing.wsgi_app() as app:
        schema = schemathesis.openapi.from_wsgi(SCHEMA, app, headers=fuzzing.bearer(head))
        case = schema.find_operation_by_label("GET /api/v1/places/{id}/").Case(
            path_parameters={"id": "abc"}
        )
        response = case.call(headers=fuzzing.bearer(head))
    assert response.status_code == 404
    case.validate_response(response, checks=[schemathesis.checks.content_type_conformance])
