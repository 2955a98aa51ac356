"""The access matrix's routes, records and expectations (SECURITY.md test 3).

`id_routes()` walks the URL resolver for every page route that takes an argument, so
a new route joins the matrix by itself. Each argument is named by the path segment
before it and its own name (`units/<unit_pk>` in the places app); `RECORDS` says which
record of the `World` fills it and who may see that record. A route with an argument
that `RECORDS` does not know fails the matrix until someone writes a builder for it,
unless `EXCEPTIONS` says, with a reason, why it takes no record at all.

The audiences below are written out by hand rather than read from `roles.PERMISSIONS`:
a test that asked the code who may see a record could never disagree with it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from habeas.core import access
from habeas.core.models import AuditEvent
from habeas.core.tests import (
    matrix_cases,
    matrix_intake,
    matrix_legislation,
    matrix_partners,
    matrix_planning,
    matrix_recommendations,
    matrix_reports,
    matrix_strategy,
    matrix_visits,
)
from habeas.core.tests.matrix_base import (  # noqa: F401 (re-exported to the tests)
    ACCOUNTS,
    ASSESSMENT,
    EVERYONE,
    EXTERNAL,
    FRAMEWORK,
    HOME_STAFF,
    INVENTORY,
    ORGANISATIONS,
    OWN_TOKEN,
    STRANGERS,
    UPLOADER,
    Record,
)
from habeas.core.tests.routes import SAMPLES

MATRIX_APPS = (
    matrix_cases,
    matrix_visits,
    matrix_recommendations,
    matrix_legislation,
    matrix_intake,
    matrix_partners,
    matrix_planning,
    matrix_reports,
    matrix_strategy,
)

RECORDS: dict[tuple[str, str], Record] = {
    ("places", "places/<pk>"): Record("place", INVENTORY),
    ("places", "units/<unit_pk>"): Record("unit", elsewhere="a unit of another place"),
    ("places", "documents/<document_pk>"): Record(
        "document", elsewhere="a document of another place"
    ),
    ("places", "authorities/<pk>"): Record("authority", INVENTORY),
    ("places", "regions/<pk>"): Record("region", INVENTORY),
    ("places", "import/<batch_id>"): Record(
        "places_import", UPLOADER, elsewhere="an uploaded official list"
    ),
    ("places", "reconcile/<batch_id>"): Record(
        "reconcile", UPLOADER, elsewhere="an uploaded places import"
    ),
    ("assessment", "assessment/<pk>"): Record("assessment", ASSESSMENT),
    ("assessment", "share/<organisation_pk>"): Record(
        "organisation", elsewhere="an organisation it is not shared with"
    ),
    ("assessment", "criteria/<criterion_pk>"): Record(
        "criterion", elsewhere="a criterion of another framework"
    ),
    ("assessment", "evidence/<evidence_pk>"): Record(
        "evidence", elsewhere="evidence of another assessment"
    ),
    ("assessment", "actions/<item_pk>"): Record(
        "action_item", elsewhere="an action of another assessment"
    ),
    ("assessment", "reports/<job_pk>"): Record(
        "report_job", elsewhere="a report of another assessment"
    ),
    ("assessment", "import/<batch_id>"): Record(
        "assessment_import", UPLOADER, elsewhere="an upload for another assessment"
    ),
    ("assessment", "frameworks/<pk>"): Record("framework_version", FRAMEWORK),
    ("assessment", "organisations/<pk>"): Record("organisation", ORGANISATIONS),
    ("assessment", "members/<user_pk>"): Record(
        "member", elsewhere="a member of another organisation"
    ),
    ("accounts", "users/<pk>"): Record("account", ACCOUNTS),
    ("accounts", "tokens/<pk>"): Record("token", OWN_TOKEN, elsewhere="another user's token"),
}

# Routes with arguments that name no record, each with the reason.
EXCEPTIONS: dict[str, str] = {
    "accounts:password_set": (
        "takes a one-time token from the administrator's link, not a record id; "
        "habeas/accounts/tests cover forged and expired links"
    ),
}

# Records named by one route's argument, where the namespace-wide key above would name
# another kind (a case's grant and a watch's grant are both `grants/<grant_pk>`).
ROUTE_RECORDS: dict[tuple[str, str], Record] = {}

# The apps that keep their own tables (habeas/core/tests/matrix_<app>.py) join here.
for _app in MATRIX_APPS:
    RECORDS.update(_app.RECORDS)
    ROUTE_RECORDS.update(_app.ROUTE_RECORDS)
    EXCEPTIONS.update(_app.EXCEPTIONS)

# What a refused request may still leave in the audit trail: a stale edit's refusal
# (SECURITY.md 22) or a read.
AUDIT_ALLOWED_SUFFIXES = ("_stale", ".download")
REFUSED = frozenset({400, 403, 404, 405, 409})
REDISPLAYED = frozenset({400, 409})


# Discovery ------------------------------------------------


@dataclass(frozen=True)
class Argument:
    name: str
    key: str  # the segment before it and its name: "units/<unit_pk>"
    converter: str = ""  # "int", "uuid"…


@dataclass(frozen=True)
class IdRoute:
    name: str  # "places:unit_edit", or the pattern of a route without a name
    namespace: str
    pattern: str
    arguments: tuple[Argument, ...]
    named: bool = True

    def __str__(self) -> str:
        return self.name

    @property
    def is_detail(self) -> bool:
        """The record's own page: one argument, and nothing after it."""
        return len(self.arguments) == 1 and self.pattern.endswith(">/")


def all_route_names() -> set[str]:
    return {name for name, _pattern, _callback in _walk(get_resolver().url_patterns, "", "")}


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield name, prefix + str(entry.pattern), entry.callback


def _arguments(pattern: str) -> tuple[Argument, ...]:
    arguments, before = [], ""
    for segment in pattern.split("/"):
        found = re.fullmatch(r"<(?:(\w+):)?(\w+)>", segment)
        if found:
            converter, name = found.group(1) or "", found.group(2)
            arguments.append(Argument(name, f"{before}/<{name}>", converter))
        before = segment
    return tuple(arguments)


def id_routes() -> list[IdRoute]:
    """Every page route (not the API, which DRF governs) that takes an argument."""
    routes = []
    for name, pattern, callback in _walk(get_resolver().url_patterns, "", ""):
        if access.policy_of(callback) == "api" or "<" not in pattern or name in EXCEPTIONS:
            continue
        namespace = name.rpartition(":")[0]
        arguments = _arguments(pattern)
        routes.append(IdRoute(name or pattern, namespace, pattern, arguments, named=bool(name)))
    return sorted(routes, key=lambda route: route.name)


def unknown_arguments(route: IdRoute) -> list[str]:
    return [
        arg.key
        for arg in route.arguments
        if (route.namespace, arg.key) not in RECORDS and (route.name, arg.name) not in ROUTE_RECORDS
    ]


def attributes_named(route: IdRoute) -> set[str]:
    """The `World` attributes the route's known arguments are filled from."""
    return {
        record_of(route, argument).attribute
        for argument in route.arguments
        if not unknown_arguments(IdRoute(route.name, route.namespace, route.pattern, (argument,)))
    }


def audiences(route: IdRoute) -> list[frozenset[str]]:
    """Who may see each record the route names; a record under another is seen by no one
    who cannot see the one it hangs under."""
    seen, result = EVERYONE, []
    for argument in route.arguments:
        record = record_of(route, argument)
        if record.audience is not None:
            seen = seen & record.audience
        result.append(seen)
    return result


def hidden_arguments(route: IdRoute, persona: str) -> tuple[str, ...]:
    """The route's arguments naming a record this persona may not see."""
    return tuple(
        argument.name
        for argument, seen in zip(route.arguments, audiences(route), strict=True)
        if persona not in seen
    )


def record_of(route: IdRoute, argument: Argument) -> Record:
    return (
        ROUTE_RECORDS.get((route.name, argument.name)) or RECORDS[(route.namespace, argument.key)]
    )


def path(
    route: IdRoute,
    world: Any,
    *,
    missing: tuple[str, ...] = (),
    elsewhere: tuple[str, ...] = (),
) -> str:
    """The route filled with the world's records; arguments in `missing` get an id that
    does not exist, those in `elsewhere` the id of a record that does not belong here."""
    values = {}
    for argument in route.arguments:
        record = record_of(route, argument)
        if argument.name in missing:
            sample = SAMPLES[argument.name]
            if argument.converter == "uuid" and not isinstance(sample, uuid.UUID):
                sample = SAMPLES["uuid"]  # a `<uuid:pk>`: an integer would not resolve
            values[argument.name] = sample
        elif argument.name in elsewhere:
            values[argument.name] = world.elsewhere[record.elsewhere].pk
        else:
            values[argument.name] = getattr(world, record.attribute).pk
    return reverse(route.name, kwargs=values)


def missing_variants(hidden: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each hidden record's id replaced by one that does not exist, then all at once."""
    variants: list[tuple[str, ...]] = [(name,) for name in hidden]
    return variants if len(hidden) < 2 else [*variants, hidden]


# Requests that leave no trace ------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    changed: list[str]  # the tables (and media) the request changed
    audited: list[str]  # the audit actions it wrote


def body_of(response: HttpResponse) -> bytes:
    """The whole body. Reading a streamed one to its end makes the test client close it
    (as a WSGI server would) without closing the database connection with it."""
    if response.streaming:
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


def send(
    client: Client,
    method: str,
    url: str,
    data: dict[str, Any] | None,
    before: Snapshot,
    *,
    watch: bool = True,
) -> Answer:
    """Send one request and roll back whatever it wrote, files included, so every request
    of the matrix meets the same world; if `watch`, report what it changed."""
    with transaction.atomic():
        response = client.get(url) if method == "get" else client.post(url, data or {})
        content = body_of(response)
        after = Snapshot.take(before.media) if watch else None
        audited = after.audit_actions_since(before) if after else []
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)  # a message must not ride into the next page
    for name in set(stored_files(before.media)) - set(before.files):  # files outlive rollback
        (before.media / name).unlink()
    return Answer(
        status=response.status_code,
        headers=dict(response.headers),
        body=content,
        changed=before.differences(after) if after else [],
        audited=audited,
    )


# Snapshots ------------------------------------------------

SNAPSHOT_APPS = (
    "places",
    "assessment",
    "accounts",
    "core",
    "otp_totp",
    "cases",
    "visits",
    "recommendations",
    "legislation",
    "intake",
    "partners",
    "planning",
    "reports",
    "strategy",
)
NOT_DOMAIN = {"core.auditevent", "core.audithead"}


# Per database: a function that packs a row's columns into one JSON text, and how a
# binary column (which JSON cannot hold) is written as hex.
ROW_AS_JSON = {"sqlite": "json_array", "postgresql": "json_build_array"}
BINARY_AS_HEX = {"sqlite": "hex({})", "postgresql": "encode({}, 'hex')"}


@cache
def _snapshot_query(vendor: str) -> str:
    """One query for every row of every domain table, each row as JSON text, and the last
    audit event's id: the matrix takes a snapshot per request, a thousand and more per
    run, and one round trip per table would dominate its time."""
    quote = connection.ops.quote_name
    parts = []
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower in NOT_DOMAIN:
                continue
            columns = []
            for field in model._meta.concrete_fields:
                column = quote(field.column)
                if field.get_internal_type() == "BinaryField":
                    column = BINARY_AS_HEX[vendor].format(column)
                columns.append(column)
            packed = f"{ROW_AS_JSON[vendor]}({', '.join(columns)})"
            table = quote(model._meta.db_table)
            label_text = model._meta.label_lower
            # Names from the models' own metadata, quoted by the backend: nothing a user sent.
            parts.append(f"SELECT '{label_text}', CAST({packed} AS TEXT) FROM {table}")  # noqa: S608
    audit, key = quote(AuditEvent._meta.db_table), quote(AuditEvent._meta.pk.column)
    parts.append(f"SELECT 'audit', CAST(COALESCE(MAX({key}), 0) AS TEXT) FROM {audit}")  # noqa: S608
    return "\nUNION ALL\n".join(parts)


@dataclass(frozen=True)
class Snapshot:
    """Every row of the domain tables (versions and `updated_at` included), the files in
    media storage, and the last audit event."""

    media: Path
    rows: dict[str, tuple[str, ...]]
    files: tuple[str, ...]
    last_audit: int

    @classmethod
    def take(cls, media: Path) -> Snapshot:
        grouped: dict[str, list[str]] = {}
        with connection.cursor() as cursor:
            cursor.execute(_snapshot_query(connection.vendor))
            for label, row in cursor.fetchall():
                grouped.setdefault(label, []).append(row)
        last = int(grouped.pop("audit")[0])
        rows = {label: tuple(sorted(values)) for label, values in grouped.items()}
        return cls(media, rows, stored_files(media), last)

    def differences(self, other: Snapshot) -> list[str]:
        labels = sorted(set(self.rows) | set(other.rows))
        changed = [label for label in labels if self.rows.get(label) != other.rows.get(label)]
        return changed + (["media files"] if other.files != self.files else [])

    def audit_actions_since(self, earlier: Snapshot) -> list[str]:
        events = AuditEvent.objects.filter(pk__gt=earlier.last_audit).order_by("pk")
        return list(events.values_list("action", flat=True))


def stored_files(media: Path) -> tuple[str, ...]:
    return tuple(sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()))


def unexpected_audit(actions: list[str], status: int | None = None) -> list[str]:
    """Audit events a refused request should not have left. A form refused as invalid
    (400) or stale (409) is shown again with the record it belongs to, and that showing
    is a read of its sealed content, audited like any other (`*.read`); a 403 or 404
    shows nothing, so it may leave no read."""
    allowed: tuple[str, ...] = AUDIT_ALLOWED_SUFFIXES
    if status in REDISPLAYED:
        allowed = (*allowed, ".read")
    return [action for action in actions if not action.endswith(allowed)]
