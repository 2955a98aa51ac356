"""Browser journeys in the system's Chromium, driven by Playwright for Python.

They run whenever Chromium is found (`/usr/bin/chromium`, or `HABEAS_CHROMIUM`). When it
is missing they are skipped, and say so; with `HABEAS_REQUIRE_E2E=1` (CI) a missing
browser fails instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _serve_one_request_at_a_time() -> None:
    """Make the live server answer requests one after another.

    Django's live server is threaded, but on SQLite all its threads share the test
    thread's single connection, so two requests in flight at once (a page's htmx
    request still running when the journey moves on) interleave their transactions on
    it; a session saved in one can then miss its row and answer 400. A browser never
    needs two answers at once here: each connection is closed after its answer (Django
    keeps connections alive only on a threaded server), and the next one waits its turn.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The live server's own thread already uses the overridden connections.
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialWSGIServer


_serve_one_request_at_a_time()


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("HABEAS_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def pytest_collection_modifyitems(config, items):
    e2e_items = [item for item in items if "e2e" in Path(str(item.fspath)).parts]
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
    if not e2e_items or chromium_path():
        return
    if os.environ.get("HABEAS_REQUIRE_E2E") == "1":
        raise pytest.UsageError("Chromium is required for the browser journeys but was not found.")
    reason = (
        "Chromium not found: browser journeys skipped "
        "(install Debian's chromium or set HABEAS_CHROMIUM)"
    )
    for item in e2e_items:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    # Playwright's sync API runs an event loop; Django refuses ORM calls from such a
    # thread unless told it is a test process.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    snapshots = _serialized_snapshots()
    with sync_playwright() as playwright:
        _restore_serialized_snapshots(snapshots)
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _serialized_snapshots() -> dict[str, str]:
    """The database as migrations left it, which `serialized_rollback` restores.

    Once Playwright's event loop runs in this thread, asgiref counts the thread as
    async and Django hands out new connection objects, which lack the snapshot taken
    when an earlier test set the database up. Without it, a journey after another one
    finds the migrations' rows (categories, groups held) flushed away.
    """
    from django.db import connections

    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


def _restore_serialized_snapshots(snapshots: dict[str, str]) -> None:
    from django.db import connections

    for alias, contents in snapshots.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents


@pytest.fixture
def signed_in(browser, live_server) -> Iterator:
    """Open a browser of one's own (own cookies) and sign in as a `people.member`."""
    from e2e.people import sign_in

    contexts = []

    def open_as(user):
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, user)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "e2e" in str(r.nodeid)]
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} browser journeys were SKIPPED: Chromium not found.", yellow=True
        )
