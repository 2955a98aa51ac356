"""The access matrix's tables for the visits app: which record fills each argument of its
routes, who may see it, how the records are built, and what each route is posted.
See habeas/core/tests/access_matrix.py and access_world.py for how they are used.

The world, built through the services as the application would:

- a remand prison with two units (Wing A, Wing B);
- an ANNOUNCED visit in progress, led by the monitor, with the doctor on its team (both
  acknowledged the code of conduct), a unit's coverage, a register check, a private
  sensitive interview and a group interview (notes and identity hold canaries), a
  photograph, a finding with evidence (and a second finding with its own), an operational
  difficulty, the debrief and an urgent draft; its checklist is the guideline in use;
- an UNANNOUNCED visit to the same place, still planned, led by the monitor with the
  external expert (papers on file) on its team, who has not acknowledged the code of
  conduct yet: only the planners and its team know of it. The planning routes (edit,
  move, team, conduct, briefing) point at it;
- a draft version of the place's guideline (a copy of the one in use, with its items);
- the expert's and the doctor's team profiles.

`elsewhere`: a third visit, to another place, with its own interviews, register check,
finding, photograph and difficulty; a unit of that other place; the doctor's assignment
on the announced visit (under the unannounced one's address); an item of the guideline
version in use (under the draft's address); evidence of the announced visit's second
finding; a member of another NPM (who takes no part in this NPM's visits).

Audiences are written out by hand from the querysets' docstrings in
habeas/visits/models.py, never computed from roles.PERMISSIONS.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from habeas.core.tests.matrix_base import HOME_STAFF, Record
from habeas.places import services as places
from habeas.places.models import Category
from habeas.visits import guidelines, photos, services
from habeas.visits import services_field as field
from habeas.visits.models import GuidelineItem, Training

# -- who sees what (by hand) ------------------------------------------------------------

# The announced visit, its findings, coverage, difficulties, debrief: staff with
# visits.view (not the administrator), except an external expert who is not on its team.
ANNOUNCED = frozenset({"head", "monitor", "doctor", "data_officer", "comms", "auditor"})
# Its interviews, register checks and photographs: its team (monitor, doctor) and the head.
TEAM_AND_HEAD = frozenset({"head", "monitor", "doctor"})
# The unannounced visit still planned: the planners (head, monitor) and its team (the
# monitor and the external expert).
SECRET = frozenset({"head", "monitor", "expert"})
# Guidelines: whoever sees visits.
GUIDELINE_READERS = HOME_STAFF - {"admin"}
# People who may go on a team and their profiles: whoever sees visits, and those who
# manage profiles (the administrator among them); never members of other bodies.
PEOPLE = HOME_STAFF

# -- the tables ---------------------------------------------------------------------------

RECORDS: dict[tuple[str, str], Record] = {
    ("visits", "visits/<visit_pk>"): Record("visit", ANNOUNCED),
    ("visits", "team/<assignment_pk>"): Record(
        "visit_assignment", elsewhere="a team assignment on another visit"
    ),
    ("visits", "people/<user_pk>"): Record(
        "visit_person", PEOPLE, elsewhere="a member of another NPM, on no team of ours"
    ),
    ("visits", "guidelines/<guideline_pk>"): Record("guideline", GUIDELINE_READERS),
    ("visits", "items/<item_pk>"): Record(
        "guideline_item", elsewhere="an item of another guideline version"
    ),
    ("visits", "coverage/<unit_pk>"): Record(
        "visit_unit", elsewhere="a unit of a place this visit is not to"
    ),
    ("visits", "interviews/<interview_id>"): Record(
        "interview", TEAM_AND_HEAD, elsewhere="an interview of another visit"
    ),
    ("visits", "registers/<register_check_id>"): Record(
        "register_check", TEAM_AND_HEAD, elsewhere="a register check of another visit"
    ),
    ("visits", "findings/<finding_pk>"): Record("finding", elsewhere="a finding of another visit"),
    ("visits", "evidence/<evidence_pk>"): Record(
        "finding_evidence", elsewhere="evidence of another finding"
    ),
    ("visits", "photos/<photo_id>"): Record(
        "photo", TEAM_AND_HEAD, elsewhere="a photograph of another visit"
    ),
    ("visits", "difficulties/<difficulty_pk>"): Record(
        "difficulty", elsewhere="an operational difficulty of another visit"
    ),
}

# The planning routes work on the unannounced visit still being planned: its secrecy is
# what they must keep. The follow-up is planned from the group interview.
_SECRET_VISIT = Record("secret_visit", SECRET)
ROUTE_RECORDS: dict[tuple[str, str], Record] = {
    **{
        (f"visits:{name}", "visit_pk"): _SECRET_VISIT
        for name in (
            "visit_edit",
            "visit_move",
            "team",
            "team_checks",
            "team_remove",
            "conduct",
            "briefing",
            "briefing_pdf",
        )
    },
    # Lists and forms of interviews, register checks and photographs: a colleague who
    # sees the visit but is not on its team gets what a missing visit gets.
    **{
        (f"visits:{name}", "visit_pk"): Record("visit", TEAM_AND_HEAD)
        for name in (
            "interview_list",
            "interview_create",
            "register_check_list",
            "register_check_create",
            "photo_list",
            "photo_upload",
        )
    },
    ("visits:interview_follow_up", "interview_id"): Record(
        "group_interview", TEAM_AND_HEAD, elsewhere="an interview of another visit"
    ),
}

EXCEPTIONS: dict[str, str] = {}

RECORD_NAMES: set[str] = {
    "visit",
    "secret_visit",
    "visit_assignment",
    "visit_person",
    "guideline",
    "guideline_item",
    "visit_unit",
    "interview",
    "group_interview",
    "register_check",
    "finding",
    "finding_evidence",
    "photo",
    "difficulty",
}

# -- what a real writer posts --------------------------------------------------------------

IDENTITY = "Matrixcanary Identity"
PRIVATE_NOTES = "He says he was kept in cell matrixcanary-14 for three nights without light."
GROUP_NOTES = "The group said the exercise yard matrixcanary-7 is closed most days."


def png() -> bytes:
    picture = Image.new("RGB", (4, 4), (90, 90, 90))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


PNG = png()


def _visit_edit(w: Any) -> dict[str, Any]:
    v = w.secret_visit
    return {
        "place": v.place_id,
        "kind": v.kind,
        "starts_on": v.starts_on.isoformat(),
        "ends_on": v.ends_on.isoformat(),
        "objectives": "Check the isolation unit, unannounced.",
        "themes": ["security", "treatment"],
        "languages_needed": "Romanian",
        "guideline": v.guideline_id or "",
        "lead": v.lead_id,
        "anonymity_cover": 3,
        "version": v.version,
    }


def _interview(w: Any) -> dict[str, Any]:
    i = w.interview
    return {
        "kind": i.kind,
        "pseudonym": i.pseudonym,
        "unit": i.unit_id,
        "held_at": timezone.localtime(i.held_at).strftime("%Y-%m-%dT%H:%M"),
        "interviewer": i.interviewer_id,
        "interpreter_language": "",
        "interpreter_name": "",
        "participants": 1,
        "consent_use": "on",
        "consent_transmit": "on",
        "sensitive": "on",
        "topics": ["treatment", "conditions"],
        "notes": PRIVATE_NOTES + " He asked that nothing be said to the guards.",
        "identity": IDENTITY,
        "version": i.version,
    }


def _register_check(w: Any, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "custody",
        "unit": w.visit_unit.pk,
        "sample": "The last 30 entries",
        "entries_checked": 30,
        "verified": "Times of arrival and of notification of a lawyer.",
        "discrepancies_found": 1,
        "discrepancies": "One arrival at 03:40 with no lawyer notified.",
        **changes,
    }


def _finding_edit(w: Any) -> dict[str, Any]:
    f = w.finding
    return {
        "theme": f.theme,
        "kind": f.kind,
        "severity": "urgent",
        "statement": f.statement,
        "unit": f.unit_id or "",
        "standards": f.standards,
        "standard_note": "Rule 13",
        "version": f.version,
    }


def _difficulty(w: Any, description: str) -> dict[str, Any]:
    return {
        "kind": "documents_withheld",
        "occurred_at": "2025-03-11T09:30",
        "duration_minutes": 45,
        "description": description,
        "told_whom": "The deputy director",
        "told_at": "2025-03-11T10:30",
    }


def _profile_edit(w: Any) -> dict[str, Any]:
    p = w.visit_profile
    return {
        "profession": p.profession,
        "gender": p.gender,
        "languages": "French, Romanian",
        "background": "",
        "is_external": "on",
        "terms_of_reference_on": p.terms_of_reference_on.isoformat(),
        "undertaking_signed_on": p.undertaking_signed_on.isoformat(),
        "conflict_note": "",
        "version": p.version,
    }


def _guideline_item(w: Any) -> dict[str, Any]:
    item = w.guideline_item
    return {
        "theme": item.theme,
        "kind": item.kind,
        "text": f"{item.text} (reworded)",
        "register_kind": item.register_kind,
        "group_allowed": "on" if item.group_allowed else "",
        "version": w.guideline.version,
    }


def _checklist_answers(w: Any) -> dict[str, Any]:
    item = w.checklist_item
    return {f"answer_{item.pk}": "partly", f"note_{item.pk}": "Half of the showers work."}


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    # A visit's life and its team.
    "visits:visit_edit": _visit_edit,
    "visits:visit_move": lambda w: {"to": "prepared"},
    "visits:team": lambda w: {
        "user": w.people["doctor"].pk,
        "role": "member",
        "override_reason": "",
    },
    "visits:profile_edit": _profile_edit,
    "visits:training_add": lambda w: {
        "training": w.training.pk,
        "completed_on": "2024-10-01",
    },
    # Guidelines and the checklist.
    "visits:guideline_edit": lambda w: {
        "title": "Prisons: visit guideline (revised)",
        "notes": "Revised after the 2025 visits.",
        "version": w.guideline.version,
    },
    "visits:guideline_publish": lambda w: {"version": w.guideline.version},
    "visits:guideline_item_add": lambda w: {
        "theme": "conditions",
        "kind": "observation",
        "text": "Is drinking water available in every cell?",
        "register_kind": "",
        "group_allowed": "on",
        "version": w.guideline.version,
    },
    "visits:guideline_item_edit": _guideline_item,
    "visits:guideline_item_remove": lambda w: {"version": w.guideline.version},
    "visits:guideline_item_move": lambda w: {
        "direction": "down",
        "version": w.guideline.version,
    },
    "visits:checklist_answers": _checklist_answers,
    # Field work.
    "visits:coverage_unit": lambda w: {"seen": "yes", "held": 12, "reason": ""},
    "visits:interview_create": lambda w: {
        "kind": "private",
        "pseudonym": "P-07",
        "unit": w.visit_unit.pk,
        "held_at": "2025-03-11T14:00",
        "interviewer": w.people["doctor"].pk,
        "participants": 1,
        "consent_use": "on",
        "topics": ["health"],
        "notes": "No doctor came for four days after the request.",
        "identity": "",
    },
    "visits:interview_edit": _interview,
    "visits:register_check_create": lambda w: _register_check(w, kind="medical"),
    "visits:register_check_edit": lambda w: _register_check(w, entries_checked=40),
    "visits:finding_create": lambda w: {
        "theme": "health",
        "kind": "concern",
        "severity": "key",
        "statement": "Requests to see a doctor wait for days.",
        "unit": "",
        "standards": ["mandela"],
        "standard_note": "Rule 27",
    },
    "visits:finding_edit": _finding_edit,
    "visits:evidence_add": lambda w: {
        "source": "private_interview",
        "interview": w.interview.pk,
        "note": "",
    },
    "visits:photo_upload": lambda w: {
        "upload": SimpleUploadedFile("yard.png", PNG, content_type="image/png"),
        "caption": "The exercise yard",
        "taken_on": "2025-03-11",
    },
    "visits:difficulty_create": lambda w: _difficulty(w, "The medical register was withheld."),
    "visits:difficulty_edit": lambda w: _difficulty(w, "Access was delayed at the gate."),
    "visits:debrief": lambda w: {
        "held_at": "2025-03-12T16:00",
        "participants": "The director and the head of security.",
        "main_concerns": "Overcrowding in the wings; heating out of order.",
        "urgent_matters": "Restore the heating.",
        "version": w.visit_debrief.version,
    },
    "visits:urgent_create": lambda w: {
        "text": "Restore the heating within a week.",
        "addressee": w.visit.place.authority_id,
        "deadline": "",
    },
}

# Who writes, as on a real visit: the head (the default) plans, edits guidelines and
# manages profiles; the monitor, who leads the announced visit, records its coverage,
# findings, difficulties, debrief and checklist; the doctor, on its team, records
# interviews, register checks and photographs; the expert records their own training.
# The code of conduct is acknowledged by a member who has not done so yet: the expert,
# on the unannounced visit's team.
_MONITOR = (
    "visit_move",
    "coverage_unit",
    "finding_create",
    "finding_edit",
    "evidence_add",
    "evidence_remove",
    "difficulty_create",
    "difficulty_edit",
    "debrief",
    "urgent_create",
    "checklist_answers",
)
_DOCTOR = (
    "interview_create",
    "interview_edit",
    "interview_follow_up",
    "register_check_create",
    "register_check_edit",
    "photo_upload",
)
WRITERS: dict[str, str] = {
    **{f"visits:{name}": "monitor" for name in _MONITOR},
    **{f"visits:{name}": "doctor" for name in _DOCTOR},
    "visits:training_add": "expert",
    "visits:conduct": "expert",
}

NO_CHANGE: dict[str, str] = {}


# -- the world -----------------------------------------------------------------------------


def _place(head: Any, name: str, code: str, category: Any) -> tuple[Any, list[Any]]:
    region = places.region_create(actor=head, data={"name": f"{name} region", "code": code})
    authority = places.authority_create(
        actor=head,
        data={"name": f"{name} administration", "kind": "supervisory", "response_days": 30},
    )
    place = places.place_create(
        actor=head,
        data={
            "name": name,
            "category": category,
            "operator": "public",
            "authority": authority,
            "region": region,
            "address": "1 Harbour Road",
            "capacity": 120,
            "official": True,
        },
    )
    units = [
        places.unit_create(actor=head, place=place, data={"name": unit, "capacity": 40})
        for unit in ("Wing A", "Wing B")
    ]
    return place, units


def _visit(actor: Any, place: Any, lead: Any, *, announced: bool, starts: dt.date) -> Any:
    return services.visit_create(
        actor=actor,
        data={
            "place": place,
            "kind": "in_depth",
            "announced": announced,
            "starts_on": starts,
            "ends_on": starts + dt.timedelta(days=2),
            "objectives": "Conditions and safeguards in the remand wings.",
            "lead": lead,
        },
    )


def _interview_data(kind: str, unit: Any, interviewer: Any, notes: str) -> dict[str, Any]:
    group = kind == "group"
    return {
        "kind": kind,
        "unit": unit.pk,
        "pseudonym": "G-01" if group else "P-01",
        "held_at": timezone.now() - dt.timedelta(hours=3),
        "interviewer": interviewer,
        "participants": 6 if group else 1,
        "consent_use": True,
        "sensitive": not group,
        "topics": ["conditions"] if group else ["treatment"],
        "notes": notes,
        **({} if group else {"identity": IDENTITY}),
    }


def _field_work(actor: Any, recorder: Any, visit: Any, unit: Any) -> dict[str, Any]:
    """A visit's records: interviews, a register check, a photograph, a finding with
    evidence and a difficulty, by `actor` (a team member) and `recorder`."""
    private = field.interview_create(
        actor=actor, visit=visit, data=_interview_data("private", unit, actor, PRIVATE_NOTES)
    )
    group = field.interview_create(
        actor=actor, visit=visit, data=_interview_data("group", unit, actor, GROUP_NOTES)
    )
    check = field.register_check_create(
        actor=recorder,
        visit=visit,
        data={
            "kind": "custody",
            "unit": unit.pk,
            "sample": "The last 20 entries",
            "entries_checked": 20,
            "verified": "Times of arrival.",
            "discrepancies_found": 1,
            "discrepancies": "An arrival at 02:15 matrixcanary with no lawyer notified.",
        },
    )
    photo = photos.photo_upload(
        actor=recorder,
        visit=visit,
        upload=SimpleUploadedFile("cell.png", PNG, content_type="image/png"),
        caption="Cell window matrixcanary",
        taken_on=visit.starts_on,
    )
    finding = field.finding_create(
        actor=actor,
        visit=visit,
        data={
            "theme": "conditions",
            "kind": "concern",
            "severity": "key",
            "statement": "The cells of Wing A have no daylight.",
            "unit": unit.pk,
            "standards": ["mandela"],
        },
    )
    evidence = field.evidence_add(
        actor=actor,
        finding=finding,
        data={"source": "photograph", "photo": photo.pk, "note": "Cell windows boarded."},
    )
    difficulty = field.difficulty_create(
        actor=actor,
        visit=visit,
        data={
            "kind": "access_delayed",
            "occurred_at": timezone.now() - dt.timedelta(hours=5),
            "duration_minutes": 40,
            "description": "The team waited at the gate.",
        },
    )
    return {
        "interview": private,
        "group_interview": group,
        "register_check": check,
        "photo": photo,
        "finding": finding,
        "finding_evidence": evidence,
        "difficulty": difficulty,
    }


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The records (by attribute) and the `elsewhere` records (by description)."""
    head, monitor, doctor, expert = (people[n] for n in ("head", "monitor", "doctor", "expert"))
    category = Category.objects.get(code="prison-remand")
    place, (wing_a, _wing_b) = _place(head, "Matrix remand prison", "MX-R1", category)

    # Team profiles: the doctor's own; the expert's papers recorded by a planner.
    services.profile_save(actor=doctor, person=doctor, data={"profession": "doctor"})
    papers = services.profile_save(
        actor=monitor,
        person=expert,
        data={
            "profession": "psychologist",
            "languages": ["French"],
            "is_external": True,
            "terms_of_reference_on": dt.date(2025, 1, 6),
            "undertaking_signed_on": dt.date(2025, 1, 7),
        },
    )

    # The announced visit, taken through its life to the field work.
    visit = _visit(monitor, place, monitor, announced=True, starts=dt.date(2025, 3, 10))
    doctor_on_team = services.team_add(actor=monitor, visit=visit, user=doctor)
    services.visit_move(actor=monitor, visit=visit, to="prepared")
    for member in (monitor, doctor):
        assignment = visit.team.get(user=member)
        services.conduct_acknowledge(actor=member, assignment=assignment)
    services.visit_move(actor=monitor, visit=visit, to="in_progress")
    field.coverage_record(actor=monitor, visit=visit, unit=wing_a, seen=True, held=30)
    records = _field_work(monitor, doctor, visit, wing_a)
    second = field.finding_create(
        actor=doctor,
        visit=visit,
        data={"theme": "health", "kind": "good_practice", "statement": "A nurse is on duty."},
    )
    second_evidence = field.evidence_add(
        actor=doctor, finding=second, data={"source": "observation", "note": "Seen at night."}
    )
    debrief = field.debrief_save(
        actor=monitor,
        visit=visit,
        data={
            "held_at": timezone.now() - dt.timedelta(hours=1),
            "participants": "The director.",
            "main_concerns": "Overcrowding; heating out of order.",
            "urgent_matters": "Restore the heating.",
        },
    )
    field.urgent_draft_create(
        actor=monitor, visit=visit, data={"text": "Restore the heating within a week."}
    )

    # The unannounced visit, still planned: the monitor leads, the expert joins.
    secret = _visit(head, place, monitor, announced=False, starts=dt.date(2025, 6, 2))
    expert_on_team = services.team_add(actor=head, visit=secret, user=expert)

    # A draft of the next version of the place's guideline, a copy of the one in use.
    in_use = guidelines.published_for(category.pk)
    draft = guidelines.guideline_draft_create(actor=head, category=category)
    draft_item = draft.items.order_by("position", "id")[1]

    # Elsewhere: another place, visited by the head, with its own records.
    other_place, (other_unit, _) = _place(head, "Another remand prison", "MX-R2", category)
    other = _visit(head, other_place, head, announced=True, starts=dt.date(2025, 4, 1))
    foreign = _field_work(head, head, other, other_unit)

    # Payloads carry the versions the records have now, after every service above ran.
    for row in (visit, secret, debrief, draft, papers, records["interview"], records["finding"]):
        row.refresh_from_db()
    built = {
        "visit": visit,
        "secret_visit": secret,
        "visit_assignment": expert_on_team,
        "visit_person": expert,
        "visit_profile": papers,
        "visit_unit": wing_a,
        "visit_debrief": debrief,
        "guideline": draft,
        "guideline_item": draft_item,
        "checklist_item": GuidelineItem.objects.filter(guideline=in_use).order_by("pk")[0],
        "training": Training.objects.get(code="interviewing"),
        **records,
    }
    elsewhere = {
        "a team assignment on another visit": doctor_on_team,
        "a member of another NPM, on no team of ours": people["peer_member"],
        "an item of another guideline version": in_use.items.order_by("position", "id")[1],
        "a unit of a place this visit is not to": other_unit,
        "an interview of another visit": foreign["group_interview"],
        "a register check of another visit": foreign["register_check"],
        "a finding of another visit": foreign["finding"],
        "evidence of another finding": second_evidence,
        "a photograph of another visit": foreign["photo"],
        "an operational difficulty of another visit": foreign["difficulty"],
    }
    return built, elsewhere
