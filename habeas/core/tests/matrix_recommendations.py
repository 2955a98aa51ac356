"""The access matrix's tables for the recommendations app and the in-app notifications:
which record fills each argument of their routes, who may see it, how the records are
built, and what each route is posted. See habeas/core/tests/access_matrix.py and
access_world.py for how they are used.

The world, built through the services as the application would:

- a remand prison and its administration (a supervisory authority under a ministry);
- an ANNOUNCED visit to it, led by the monitor with the doctor on the team, in progress,
  with a finding, the debrief and an urgent matter raised at it;
- from that visit, a recommendation sent by the monitor (linked to the finding), answered
  by a letter from the administration that the head mapped onto it, and a second one
  still a draft; an SPT recommendation, national, sent, to track with them;
- an action plan of the administration with one commitment;
- a recommendations import uploaded by the head;
- a notification for the head.

`elsewhere`: an attachment of another letter, a commitment of another plan, a
recommendations import uploaded by the data officer, the monitor's notification.

Audiences are written out by hand from the querysets' docstrings in
habeas/recommendations/models.py, never computed from roles.PERMISSIONS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from habeas.core import notifications
from habeas.core.tests.matrix_base import HOME_STAFF, UPLOADER, Record
from habeas.places import services as places
from habeas.places.models import Category
from habeas.recommendations import importing, services, services_dialogue
from habeas.visits import services as visits
from habeas.visits import services_field as field

# -- who sees what (by hand) ------------------------------------------------------------

# A recommendation drawn from the announced visit: staff who see recommendations
# (everyone but the administrator) and the visit (not an external expert off its team).
FROM_VISIT = frozenset({"head", "monitor", "doctor", "data_officer", "comms", "auditor"})
# Letters, meetings and action plans: the NPM's staff, not external experts.
DIALOGUE = HOME_STAFF - {"admin", "expert"}
# A notification: its addressee alone.
OWN_NOTIFICATION = frozenset({"head"})

RECORDS: dict[tuple[str, str], Record] = {
    ("recommendations", "recommendations/<recommendation_pk>"): Record(
        "recommendation", FROM_VISIT
    ),
    ("recommendations", "visit/<visit_pk>"): Record("rec_visit", FROM_VISIT),
    ("recommendations", "urgent/<urgent_pk>"): Record("rec_urgent", FROM_VISIT),
    ("recommendations", "dialogue/<exchange_pk>"): Record("exchange", DIALOGUE),
    ("recommendations", "attachments/<pk>"): Record(
        "exchange_attachment", elsewhere="an attachment of another letter"
    ),
    ("recommendations", "plans/<plan_pk>"): Record("action_plan", DIALOGUE),
    ("recommendations", "commitments/<commitment_pk>"): Record(
        "commitment", elsewhere="a commitment of another plan"
    ),
    ("recommendations", "import/<batch_id>"): Record(
        "rec_import", UPLOADER, elsewhere="a recommendations import of another uploader"
    ),
    ("notifications", "notifications/<notification_pk>"): Record(
        "notification", OWN_NOTIFICATION, elsewhere="another user's notification"
    ),
}

# The draft fills the routes that act on drafts: sending it, marking it as a repeat.
_DRAFT = Record("rec_draft", FROM_VISIT)
ROUTE_RECORDS: dict[tuple[str, str], Record] = {
    ("recommendations:send", "recommendation_pk"): _DRAFT,
    ("recommendations:repeat", "recommendation_pk"): _DRAFT,
    ("recommendations:edit", "recommendation_pk"): _DRAFT,
}

EXCEPTIONS: dict[str, str] = {}

RECORD_NAMES: set[str] = {
    "recommendation",
    "rec_draft",
    "rec_visit",
    "rec_urgent",
    "exchange",
    "exchange_attachment",
    "action_plan",
    "commitment",
    "rec_import",
    "notification",
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
IMPORT_CSV = (
    b"text,origin,source_ref,addressee,theme,priority\n"
    b"Set up an independent complaints body for detainees.,spt,CAT/OP/MX/1 para. 12,"
    b"Matrix ministry,safeguards,key\n"
)

# -- what a real writer posts --------------------------------------------------------------


def _draft_edit(w: Any) -> dict[str, Any]:
    d = w.rec_draft
    return {
        "version": d.version,
        "visit": d.visit_id,
        "place": d.place_id,
        "text": "Open the exercise yard of Wing A every day for at least one hour.",
        "addressee": d.addressee_id,
        "level": d.level,
        "theme": d.theme,
        "root_cause": "Too few officers on the day shift.",
        "priority": "key",
        "deadline": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        "liaison": "",
        "origin": d.origin,
        "source_ref": "",
        "owner": d.owner_id,
        "findings": [w.rec_finding.pk],
    }


def _exchange_edit(w: Any) -> dict[str, Any]:
    e = w.exchange
    return {
        "authority": e.authority_id,
        "kind": e.kind,
        "direction": e.direction,
        "occurred_on": e.occurred_on.isoformat(),
        "subject": "Reply to the visit report (corrected)",
        "their_reference": e.their_reference,
        "participants": "",
        "summary": "",
        "version": e.version,
    }


def _letter_map(w: Any) -> dict[str, Any]:
    pk = w.recommendation.pk
    return {
        "responded_on": w.exchange.occurred_on.isoformat(),
        f"status_{pk}": "partially_accepted",
        f"passage_{pk}": "The yard will open on weekdays from next month.",
    }


def _plan_edit(w: Any) -> dict[str, Any]:
    p = w.action_plan
    return {
        "authority": p.authority_id,
        "title": "Action plan 2026 (revised)",
        "adopted_on": "",
        "exchange": "",
        "version": p.version,
    }


def _commitment(w: Any, text: str, version: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "recommendation": w.recommendation.reference,
        "text": text,
        "due_on": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "done_on": "",
    }
    if version is not None:
        data["version"] = version
    return data


def _today() -> str:
    return timezone.localdate().isoformat()


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "recommendations:edit": _draft_edit,
    "recommendations:send": lambda w: {},
    "recommendations:respond": lambda w: {
        "status": "accepted",
        "responded_on": _today(),
        "passage": "The ministry accepts the recommendation.",
        "exchange": "",
    },
    "recommendations:verify": lambda w: {
        "status": "partially_achieved",
        "verified_on": _today(),
        "evidence": "document",
        "exchange": w.exchange.pk,
        "note": "",
    },
    "recommendations:link": lambda w: {"reference": w.rec_spt.reference},
    "recommendations:repeat": lambda w: {"earlier": w.recommendation.pk},
    "recommendations:from_urgent": lambda w: {},
    "recommendations:visit": lambda w: {},
    "recommendations:exchange_edit": _exchange_edit,
    "recommendations:exchange_map": _letter_map,
    "recommendations:exchange_attachment": lambda w: {
        "upload": SimpleUploadedFile("reply.pdf", PDF, content_type="application/pdf")
    },
    "recommendations:plan_edit": _plan_edit,
    "recommendations:commitment_add": lambda w: _commitment(w, "Repair the yard's gate."),
    "recommendations:commitment_edit": lambda w: _commitment(
        w, "Repair the yard's gate by spring.", w.commitment.version
    ),
    "recommendations:import_apply": lambda w: {},
    "notifications:read": lambda w: {},
}

# The monitor leads the visit: drafts, sends and verifies its recommendations; the head
# keeps the dialogue, imports and reads their own notifications (the default writer).
WRITERS: dict[str, str] = {
    "recommendations:edit": "monitor",
    "recommendations:send": "monitor",
    "recommendations:verify": "monitor",
    "recommendations:repeat": "monitor",
    "recommendations:from_urgent": "monitor",
}

NO_CHANGE: dict[str, str] = {}


# -- the world -----------------------------------------------------------------------------


def _visit_world(head: Any, monitor: Any, doctor: Any) -> dict[str, Any]:
    category = Category.objects.get(code="prison-remand")
    ministry = places.authority_create(
        actor=head, data={"name": "Matrix ministry", "kind": "ministry", "response_days": 60}
    )
    authority = places.authority_create(
        actor=head,
        data={
            "name": "Matrix prison administration",
            "kind": "supervisory",
            "response_days": 30,
            "parent": ministry,
            "urgent_contact": "Duty director, +1 555 0100",
        },
    )
    place = places.place_create(
        actor=head,
        data={
            "name": "Matrix remand prison",
            "category": category,
            "operator": "public",
            "authority": authority,
            "address": "1 Harbour Road",
            "capacity": 120,
            "official": True,
        },
    )
    unit = places.unit_create(actor=head, place=place, data={"name": "Wing A", "capacity": 40})
    visit = visits.visit_create(
        actor=monitor,
        data={
            "place": place,
            "kind": "in_depth",
            "announced": True,
            "starts_on": timezone.localdate() - dt.timedelta(days=20),
            "ends_on": timezone.localdate() - dt.timedelta(days=18),
            "objectives": "Conditions in the remand wings.",
            "lead": monitor,
        },
    )
    visits.team_add(actor=monitor, visit=visit, user=doctor)
    visits.visit_move(actor=monitor, visit=visit, to="prepared")
    for member in (monitor, doctor):
        visits.conduct_acknowledge(actor=member, assignment=visit.team.get(user=member))
    visits.visit_move(actor=monitor, visit=visit, to="in_progress")
    field.coverage_record(actor=monitor, visit=visit, unit=unit, seen=True, held=30)
    finding = field.finding_create(
        actor=monitor,
        visit=visit,
        data={
            "theme": "regime",
            "kind": "concern",
            "severity": "key",
            "statement": "The exercise yard of Wing A is closed most days.",
            "unit": unit.pk,
            "standards": ["mandela"],
        },
    )
    field.debrief_save(
        actor=monitor,
        visit=visit,
        data={
            "held_at": timezone.now() - dt.timedelta(days=18),
            "participants": "The director.",
            "main_concerns": "The yard is closed.",
            "urgent_matters": "Restore the heating.",
        },
    )
    urgent = field.urgent_draft_create(
        actor=monitor,
        visit=visit,
        data={"text": "Restore the heating within a week.", "addressee": authority},
    )
    return {
        "ministry": ministry,
        "authority": authority,
        "place": place,
        "rec_visit": visit,
        "rec_finding": finding,
        "rec_urgent": urgent,
    }


def _recommendations(head: Any, monitor: Any, world: dict[str, Any]) -> dict[str, Any]:
    visit, finding = world["rec_visit"], world["rec_finding"]
    sent = services.recommendation_draft(
        actor=monitor,
        data={
            "text": "Open the exercise yard of Wing A every day for at least one hour.",
            "visit": visit,
            "addressee": world["authority"],
            "theme": "regime",
            "priority": "key",
            "root_cause": "Too few officers on the day shift.",
            "deadline": timezone.localdate() + dt.timedelta(days=120),
        },
        findings=[finding],
    )
    services.recommendation_send(
        actor=monitor, recommendations=[sent], sent_on=timezone.localdate() - dt.timedelta(days=10)
    )
    draft = services.recommendation_draft(
        actor=monitor,
        data={
            "text": "Consider improving the heating.",
            "visit": visit,
            "addressee": world["authority"],
            "theme": "conditions",
        },
    )
    spt = services.recommendation_draft(
        actor=head,
        data={
            "text": "Guarantee daily outdoor exercise to everyone held.",
            "origin": "spt",
            "source_ref": "CAT/OP/MX/1, para. 40",
            "addressee": world["ministry"],
            "theme": "regime",
        },
    )
    services.recommendation_send(actor=head, recommendations=[spt])
    for row in (sent, draft, spt):
        row.refresh_from_db()
    return {"recommendation": sent, "rec_draft": draft, "rec_spt": spt}


def _letter(head: Any, authority: Any, subject: str) -> tuple[Any, Any]:
    exchange = services_dialogue.exchange_create(
        actor=head,
        data={
            "authority": authority,
            "kind": "letter",
            "direction": "incoming",
            "occurred_on": timezone.localdate() - dt.timedelta(days=2),
            "subject": subject,
            "their_reference": "PA/2026/114",
        },
    )
    attachment = services_dialogue.exchange_attachment_add(
        actor=head,
        exchange=exchange,
        upload=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
    )
    return exchange, attachment


def _plan(head: Any, authority: Any, title: str, recommendation: Any) -> tuple[Any, Any]:
    plan = services_dialogue.action_plan_create(
        actor=head, data={"authority": authority, "title": title}
    )
    commitment = services_dialogue.commitment_add(
        actor=head,
        plan=plan,
        data={
            "recommendation": recommendation,
            "text": "Recruit four officers for the day shift.",
            "due_on": timezone.localdate() + dt.timedelta(days=90),
        },
    )
    return plan, commitment


def _import(user: Any) -> Any:
    return importing.recommendations_import_preview(
        actor=user, upload=SimpleUploadedFile("spt.csv", IMPORT_CSV)
    )


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The records (by attribute) and the `elsewhere` records (by description)."""
    head, monitor, doctor = people["head"], people["monitor"], people["doctor"]
    world = _visit_world(head, monitor, doctor)
    world.update(_recommendations(head, monitor, world))
    authority = world["authority"]
    world["exchange"], world["exchange_attachment"] = _letter(
        head, authority, "Reply to the visit report"
    )
    plan, commitment = _plan(head, authority, "Action plan 2026", world["recommendation"])
    world["action_plan"], world["commitment"] = plan, commitment
    world["rec_import"] = _import(head)
    link = f"/recommendations/{world['recommendation'].pk}/"
    world["notification"] = notifications.notify(
        users=[head], message="R-matrix: a response is due.", link=link
    )[0]

    _other_letter, other_attachment = _letter(head, authority, "Another letter")
    _other_plan, other_commitment = _plan(head, authority, "Another plan", world["recommendation"])
    elsewhere = {
        "an attachment of another letter": other_attachment,
        "a commitment of another plan": other_commitment,
        "a recommendations import of another uploader": _import(people["data_officer"]),
        "another user's notification": notifications.notify(
            users=[monitor], message="R-matrix: for the monitor.", link=link
        )[0],
    }
    for record in world.values():
        if hasattr(record, "refresh_from_db"):
            record.refresh_from_db()
    return world, elsewhere
