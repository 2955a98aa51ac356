"""The access matrix's tables for the public's submissions (¶23, 25, 33). See
habeas/core/tests/access_matrix.py and access_world.py for how they are used.

The world: a submission received through the public's channel with an attachment, as
the form would send it; `elsewhere`, an attachment of another submission.

Audiences by hand from habeas/intake/models.py: the intake team (the head, monitors and
the data officer) sees submissions; no one else, since one may identify its sender.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.core.tests.matrix_base import Record
from habeas.intake import services

INTAKE_TEAM = frozenset({"head", "monitor", "data_officer"})
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

RECORDS: dict[tuple[str, str], Record] = {
    ("intake", "intake/<pk>"): Record("submission", INTAKE_TEAM),
    ("intake", "files/<attachment_id>"): Record(
        "submission_file", elsewhere="an attachment of another submission"
    ),
}
ROUTE_RECORDS: dict[tuple[str, str], Record] = {}
EXCEPTIONS: dict[str, str] = {}
RECORD_NAMES: set[str] = {"submission", "submission_file"}

PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "intake:reply": lambda w: {"body": "Thank you. We will visit the station this month."},
    "intake:triage": lambda w: {
        "version": w.submission.version,
        "status": "triaged",
        "theme": "treatment",
        "triage_urgency": "urgent",
        "action": "visit",
        "triage_note": "Propose a visit to the station.",
        "assigned_to": "",
        "place": "",
        "visit": "",
        "case": "",
    },
}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {}


def _submission(body: str) -> tuple[Any, Any]:
    submission, _receipt = services.submission_create(
        sender_kind="relative",
        urgency="soon",
        body=body,
        consent="anonymous",
        place_text="The police station on Harbour Road",
        uploads=[SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")],
    )
    return submission, submission.attachments.get()


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    submission, attachment = _submission("My brother was beaten at the station.")
    _other, other_attachment = _submission("Another message.")
    world = {"submission": submission, "submission_file": attachment}
    for record in world.values():
        record.refresh_from_db()
    return world, {"an attachment of another submission": other_attachment}
