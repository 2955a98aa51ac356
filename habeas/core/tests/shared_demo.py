"""One demo load shared by the tests that only read it: the whole demo takes some twenty
seconds to load, and a dozen modules check what it built.

Such a test is marked with `MARKS`: `django_db`, and the module-scoped `shared_demo`
fixture of the root conftest. The demo is loaded, once, in a transaction that stays open
while these tests run, each in the savepoint `django_db` gives it and rolls back, so a
test that writes leaves the demo as it was. Before the first test that does not read it,
and at the end of the session, the transaction is rolled back: no other test sees the
demo. A module-scoped fixture is set up before `django_db` opens the test's savepoint;
the load must come first. The tests share one xdist group, so in `make test` they run one
after the other in one worker and the demo is loaded once.
"""

from __future__ import annotations

import contextlib
import hashlib
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from habeas.cases.models import Case, RegisterEntry, ReprisalWatch
from habeas.recommendations.models import Recommendation, Response, Verification
from habeas.visits.models import Finding, Interview, Visit

FIXTURE = "shared_demo"
SEED = 4
MARKS = [pytest.mark.django_db, pytest.mark.usefixtures(FIXTURE), pytest.mark.xdist_group("demo")]


class SharedDemo:
    """The open transaction holding the demo, if any, and what the command printed."""

    def __init__(self) -> None:
        self._atomic: Any = None
        self.output = ""
        # What the load built (`fingerprint`), kept after it is rolled back.
        self.fingerprint: dict[str, Any] | None = None
        # The database blocker, while the session's test database is ready.
        self.blocker: Any = None

    @property
    def loaded(self) -> bool:
        return self._atomic is not None

    def prepare_for(self, reads_the_demo: bool) -> None:
        """Load or roll back the demo for the next test, outside its transaction. The
        first load of a session waits for the `shared_demo` fixture (the test database
        may not exist yet)."""
        if self.blocker is None or reads_the_demo == self.loaded:
            return
        with self.blocker.unblock():
            if reads_the_demo:
                self.acquire()
            else:
                self.release()

    def acquire(self) -> str:
        """Load the demo unless it is loaded; the caller has unblocked the database."""
        if self._atomic is None:
            if connection.in_atomic_block:
                raise RuntimeError(
                    "the shared demo must be loaded outside any transaction: ask for "
                    "it through `shared_demo.MARKS`"
                )
            atomic = transaction.atomic()
            atomic.__enter__()
            out = StringIO()
            try:
                call_command("demo", "--scale", "small", "--seed", str(SEED), stdout=out)
            except BaseException as error:
                atomic.__exit__(type(error), error, error.__traceback__)
                raise
            self._atomic, self.output = atomic, out.getvalue()
            self.fingerprint = fingerprint()
        return self.output

    def release(self) -> None:
        """Roll the demo back; the caller has unblocked the database."""
        if self._atomic is None:
            return
        atomic, self._atomic = self._atomic, None
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


STATE = SharedDemo()


class Discard(Exception):
    """Rolls a load back once its fingerprint is taken."""


def fingerprint_of_a_load() -> dict[str, Any]:
    """The fingerprint of a fresh load with the shared seed, rolled back."""
    with contextlib.suppress(Discard), transaction.atomic():
        call_command("demo", "--scale", "small", "--seed", str(SEED), stdout=StringIO())
        taken = fingerprint()
        raise Discard
    return taken


def fingerprint() -> dict[str, Any]:
    """What the same seed must build again, without database keys (which differ between
    two loads): visits, interviews, findings, cases and recommendations."""
    return {
        "recommendations": _recommendations_digest(),
        "visits": list(
            Visit.objects.order_by("reference").values_list(
                "reference", "place__external_ref", "kind", "announced", "state", "starts_on"
            )
        ),
        "interviews": list(
            Interview.objects.order_by("visit__reference", "pseudonym").values_list(
                "visit__reference", "pseudonym", "kind", "sensitive", "allegation"
            )
        ),
        "findings": list(
            Finding.objects.order_by("visit__reference", "theme", "kind").values_list(
                "visit__reference", "theme", "kind", "severity", "triangulation", "established"
            )
        ),
        "cases": list(Case.objects.order_by("reference").values_list("reference", "kind")),
        "watches": list(ReprisalWatch.objects.order_by("reference").values_list("reference")),
        "register": RegisterEntry.objects.count(),
    }


def _recommendations_digest() -> str:
    """Everything the same seed must write again, without database keys (which differ
    between two loads)."""
    parts: list[Any] = [
        list(
            Recommendation.objects.order_by("reference").values_list(
                "reference",
                "text",
                "origin",
                "source_ref",
                "visit__reference",
                "place__external_ref",
                "addressee__name",
                "level",
                "theme",
                "root_cause",
                "priority",
                "deadline",
                "state",
                "sent_on",
                "response_due",
                "response",
                "implementation",
                "implementation_on",
                "days_to_implement",
                "repeat_of__reference",
            )
        ),
        list(
            Response.objects.order_by(
                "recommendation__reference", "responded_on", "id"
            ).values_list(
                "recommendation__reference",
                "status",
                "passage",
                "responded_on",
                "exchange__subject",
                "exchange__their_reference",
            )
        ),
        list(
            Verification.objects.order_by(
                "recommendation__reference", "verified_on", "id"
            ).values_list(
                "recommendation__reference",
                "status",
                "verified_on",
                "evidence",
                "finding__statement",
                "note",
            )
        ),
        sorted(
            Recommendation.linked.through.objects.values_list(
                "from_recommendation__reference", "to_recommendation__reference"
            )
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
