"""The access matrix's tables for the visits app: which record fills each argument of its
routes, who may see it, how the records are built, and what each route is posted.
See habeas/core/tests/access_matrix.py and access_world.py for how they are used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from habeas.core.tests.matrix_base import Record

# (namespace, "segment/<argument>") -> Record, as access_matrix.RECORDS.
RECORDS: dict[tuple[str, str], Record] = {}
# (route name, argument name) -> Record, where the namespace-wide key is ambiguous.
ROUTE_RECORDS: dict[tuple[str, str], Record] = {}
# Routes with arguments that name no record, each with the reason.
EXCEPTIONS: dict[str, str] = {}
# The attributes `build` provides; the world is built only for routes that name one.
RECORD_NAMES: set[str] = set()
# Route name -> function of the world giving the POST data of its writer.
PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {}
# Route name -> the persona who may carry out the write (default: the head).
WRITERS: dict[str, str] = {}
# Route name -> why its writer's POST changes nothing in this world.
NO_CHANGE: dict[str, str] = {}


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The records (by attribute) and the `elsewhere` records (by description)."""
    return {}, {}
