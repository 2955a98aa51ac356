"""The access matrix's tables for the cases app: which record fills each argument of its
routes, who may see it, how the records are built, and what each route is posted.
See habeas/core/tests/access_matrix.py and access_world.py for how they are used.

The world: the doctor opens a reprisal case (so it has its checklist) with a victim's
name and testimony and the person's full consent, grants the monitor on it without the
identity or medical flag, records a medical examination with a file, drafts a referral
and sends another, and records an investigation requested; the doctor also puts a person
under reprisal watch, plans a check and grants the monitor on it; the head adds an
entry to the register. No one else is granted: the head, the administrator and the
auditor must meet these records exactly as they meet missing ones.

`elsewhere` holds a second case and a second watch of the doctor's, each with children
of every kind, so that none of them answers under the first record's address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from habeas.cases import (
    services,
    services_medical,
    services_referrals,
    services_register,
    services_watches,
)
from habeas.cases.models import (
    Case,
    Element,
    InvestigationRequest,
    MedicalExamination,
    Recipient,
    RegisterEntry,
    ReprisalWatch,
    WatchCheck,
)
from habeas.core.tests.matrix_base import Record
from habeas.places.tests.factories import PlaceFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
VICTIM = "Canary Victim Matrix Oddvar Thrane"
ACTS = "Canary testimony: held in the cold cell for three nights"

# Who sees each record, written out by hand: a case or a watch only its grantees (the
# doctor, who opened it, and the monitor); medical documentation only the doctor (the
# monitor's grant carries no medical flag); the register whoever may read it.
GRANTEES = frozenset({"doctor", "monitor"})
DOCTOR = frozenset({"doctor"})
REGISTER = frozenset({"head", "monitor", "doctor", "data_officer"})

# (namespace, "segment/<argument>") -> Record, as access_matrix.RECORDS.
RECORDS: dict[tuple[str, str], Record] = {
    ("cases", "cases/<case_id>"): Record("case", GRANTEES),
    ("cases", "medical/<examination_id>"): Record(
        "examination", DOCTOR, elsewhere="an examination of another case"
    ),
    ("cases", "attachments/<attachment_id>"): Record(
        "attachment", elsewhere="a medical file of another case"
    ),
    ("cases", "referrals/<referral_id>"): Record(
        "referral", elsewhere="a referral of another case"
    ),
    ("cases", "checklist/<item_pk>"): Record(
        "checklist_item", elsewhere="a checklist step of another case"
    ),
    ("cases", "grants/<grant_pk>"): Record("case_grant", elsewhere="a grant on another case"),
    ("cases", "watches/<watch_id>"): Record("watch", GRANTEES),
    ("cases", "checks/<check_id>"): Record("watch_check", elsewhere="a check of another watch"),
    ("cases", "grantees/<grant_pk>"): Record("watch_grant", elsewhere="a grant on another watch"),
    # Under no parent in its address: whoever sees the case it was requested on.
    ("cases", "investigations/<investigation_pk>"): Record("investigation", GRANTEES),
    ("cases", "register/<entry_pk>"): Record("register_entry", REGISTER),
}
# (route name, argument name) -> Record, where the namespace-wide key is ambiguous.
ROUTE_RECORDS: dict[tuple[str, str], Record] = {
    # Recording an examination is for those who hold the case's medical file: to the
    # monitor, granted without it, the page does not exist.
    ("cases:medical_create", "case_id"): Record("case", DOCTOR),
    # The referral sent, whose outcome is recorded (a draft has none).
    ("cases:referral_outcome", "referral_id"): Record(
        "sent_referral", elsewhere="a referral of another case"
    ),
    # The printed referral is its body, which names the victim: only for those who may
    # see identities (the monitor is granted without them).
    ("cases:referral_print", "referral_id"): Record(
        "referral", DOCTOR, elsewhere="a referral of another case"
    ),
    # A watch's grants and lead are managed by its lead; to any other grantee these
    # pages answer as for a missing watch (everything about a watch is confidential).
    ("cases:watch_grant_add", "watch_id"): Record("watch", DOCTOR),
    ("cases:watch_grant_remove", "watch_id"): Record("watch", DOCTOR),
    ("cases:watch_lead_change", "watch_id"): Record("watch", DOCTOR),
    ("cases:watch_legal_hold", "watch_id"): Record("watch", DOCTOR),
}
# Routes with arguments that name no record, each with the reason.
EXCEPTIONS: dict[str, str] = {}
# The attributes `build` provides; the world is built only for routes that name one.
CASE_RECORDS = {
    "case",
    "examination",
    "attachment",
    "referral",
    "sent_referral",
    "checklist_item",
    "case_grant",
    "investigation",
}
WATCH_RECORDS = {"watch", "watch_check", "watch_grant"}
RECORD_NAMES: set[str] = CASE_RECORDS | WATCH_RECORDS | {"register_entry"}


def _today() -> dt.date:
    return timezone.localdate()


def _days_ago(days: int) -> dt.date:
    return _today() - dt.timedelta(days=days)


# The world ------------------------------------------------------------------------


def _case_data(victim: str) -> dict[str, Any]:
    return {
        "kind": Case.Kind.REPRISAL,
        "place": PlaceFactory(),
        "occurred_on": _days_ago(20),
        "reported_on": _days_ago(15),
        "source": Case.Source.PRIVATE_INTERVIEW,
        "source_ref": "Visit V-12",
        "pattern": Case.Pattern.UNKNOWN,
        "victim": victim,
        "victim_details": "Born 1990, block C",
        "complainant": "",
        "officials": "Canary Officer Brack",
        "witnesses": "Canary Cellmate Olm",
        "acts": ACTS,
        "circumstances": "After the NPM's visit",
        "consent_use": True,
        "consent_elements": list(Element.values),
        "consent_recipients": list(Recipient.values),
        "consent_publish": False,
        "consent_recorded_on": _days_ago(15),
    }


def _examination_data() -> dict[str, Any]:
    return {
        "examined_on": _days_ago(14),
        "examiner_name": "Dr Outside",
        "history": "Canary history: kept in the cold",
        "physical_findings": "Canary finding: frostbite on two toes",
        "psychological_findings": "Hypervigilance",
        "interpretation": "Exposure",
        "consistency": MedicalExamination.Consistency.HIGHLY_CONSISTENT,
    }


def _case_world(doctor: Any, monitor: Any, victim: str) -> dict[str, Any]:
    """A reprisal case of the doctor's with one child of every kind, the monitor granted
    on it without identities or medical documentation."""
    case = services.case_create(actor=doctor, data=_case_data(victim))
    case_grant = services.grant_add(
        actor=doctor,
        record=case,
        user=monitor,
        identity=False,
        medical=False,
        reason="Follows the case",
    )
    examination = services_medical.examination_add(
        actor=doctor, case=case, data=_examination_data()
    )
    attachment = services_medical.attachment_add(
        actor=doctor,
        examination=examination,
        upload=SimpleUploadedFile("body-chart.pdf", PDF),
    )
    referral = services_referrals.referral_create(
        actor=doctor, case=case, recipient_kind=Recipient.PROSECUTOR
    )
    sent = services_referrals.referral_create(
        actor=doctor, case=case, recipient_kind=Recipient.DISCIPLINARY
    )
    sent = services_referrals.referral_send(actor=doctor, referral=sent, sent_on=_days_ago(3))
    investigation = services_watches.investigation_request(
        actor=doctor,
        kind=InvestigationRequest.Kind.DISCIPLINARY,
        requested_on=_days_ago(5),
        case=case,
    )
    for record in (case, examination, referral, sent):
        record.refresh_from_db()
    return {
        "case": case,
        "case_grant": case_grant,
        "examination": examination,
        "attachment": attachment,
        "referral": referral,
        "sent_referral": sent,
        "checklist_item": case.checklist.order_by("position").first(),
        "investigation": investigation,
    }


def _watch_world(doctor: Any, monitor: Any, pseudonym: str) -> dict[str, Any]:
    """A watch of the doctor's with a check planned, the monitor granted on it."""
    watch = services.watch_create(
        actor=doctor,
        data={
            "pseudonym": pseudonym,
            "identity": f"Canary Watched Person {pseudonym}",
            "source_kind": ReprisalWatch.SourceKind.PRIVATE_INTERVIEW,
            "source_ref": "Visit V-12",
            "risk_source": ReprisalWatch.RiskSource.STAFF,
            "risk_detail": "Canary risk: threatened by the night shift",
            "feared": [ReprisalWatch.ReprisalKind.THREATS],
            "consent_raise": True,
            "ngos": "",
            "opened_on": _days_ago(10),
        },
        place=PlaceFactory(name=f"Prison of {pseudonym}"),
    )
    check = services_watches.check_schedule(
        actor=doctor, watch=watch, kind=WatchCheck.Kind.PHONE, due_on=_today()
    )
    watch_grant = services.grant_add(
        actor=doctor,
        record=watch,
        user=monitor,
        identity=False,
        medical=False,
        reason="Visits the place",
    )
    watch.refresh_from_db()
    return {"watch": watch, "watch_check": check, "watch_grant": watch_grant}


def _register_entry(head: Any) -> RegisterEntry:
    return services_register.register_entry_create(
        actor=head,
        data={
            "alleged_on": _days_ago(90),
            "complaint_on": _days_ago(60),
            "classification": RegisterEntry.Classification.TORTURE,
            "outcome": RegisterEntry.Outcome.PENDING,
            "sanction": RegisterEntry.Sanction.NONE,
            "reparation": RegisterEntry.Reparation.NONE,
            "legislation_ref": "",
        },
    )


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The records (by attribute) and the `elsewhere` records (by description)."""
    doctor, monitor = people["doctor"], people["monitor"]
    records: dict[str, Any] = {}
    elsewhere: dict[str, Any] = {}
    if needs & CASE_RECORDS:
        records.update(_case_world(doctor, monitor, VICTIM))
        other = _case_world(doctor, monitor, "Canary Victim Elsewhere Ines Marrow")
        elsewhere.update(
            {
                "an examination of another case": other["examination"],
                "a medical file of another case": other["attachment"],
                "a referral of another case": other["referral"],
                "a checklist step of another case": other["checklist_item"],
                "a grant on another case": other["case_grant"],
            }
        )
    if needs & WATCH_RECORDS:
        records.update(_watch_world(doctor, monitor, "Heron"))
        records["other_place"] = PlaceFactory(name="Matrix transfer prison")
        other = _watch_world(doctor, monitor, "Plover")
        elsewhere.update(
            {
                "a check of another watch": other["watch_check"],
                "a grant on another watch": other["watch_grant"],
            }
        )
    if "register_entry" in needs:
        records["register_entry"] = _register_entry(people["head"])
    return records, elsewhere


# What each route is posted ----------------------------------------------------------


def _case_edit(w: Any) -> dict[str, Any]:
    """The whole form as the doctor (who sees identities and consent) sends it."""
    c = w.case
    return {
        "version": c.version,
        "kind": c.kind,
        "place": c.place_id,
        "authority": "",
        "occurred_on": c.occurred_on,
        "occurred_until": "",
        "reported_on": c.reported_on,
        "source": c.source,
        "source_ref": "Visit V-99",
        "pattern": Case.Pattern.PATTERN,
        "victim": VICTIM,
        "victim_details": "Born 1990, block C",
        "complainant": "",
        "officials": "Canary Officer Brack",
        "witnesses": "Canary Cellmate Olm",
        "acts": ACTS,
        "circumstances": "After the NPM's visit",
        "consent_use": "on",
        "consent_elements": list(c.consent_elements),
        "consent_recipients": list(c.consent_recipients),
        "consent_recorded_on": c.consent_recorded_on,
    }


def _examination(w: Any) -> dict[str, Any]:
    data = {**_examination_data(), "examiner": ""}
    data["interpretation"] = "Exposure to cold, consistent with the account"
    return data


def _watch_edit(w: Any) -> dict[str, Any]:
    watch = w.watch
    return {
        "version": watch.version,
        "pseudonym": "Heron (renamed)",
        "identity": "Canary Watched Person Heron",
        "source_kind": watch.source_kind,
        "source_ref": watch.source_ref,
        "source_case": "",
        "risk_source": watch.risk_source,
        "risk_detail": "Canary risk: threatened by the night shift",
        "feared": list(watch.feared),
        "consent_raise": "on",
        "ngos": "Prison Watch",
    }


def _register_edit(w: Any) -> dict[str, Any]:
    entry = w.register_entry
    return {
        "version": entry.version,
        "agency": "",
        "place": "",
        "category": "",
        "region": "",
        "alleged_on": entry.alleged_on,
        "complaint_on": entry.complaint_on,
        "investigation_on": _days_ago(30),
        "prosecution_on": "",
        "decision_on": "",
        "classification": entry.classification,
        "outcome": entry.outcome,
        "sanction": entry.sanction,
        "reparation": entry.reparation,
        "legislation_ref": "",
        "case": "",
    }


def _grant(w: Any) -> dict[str, Any]:
    return {
        "user": w.people["expert"].pk,
        "identity": "",
        "medical": "",
        "reason": "Advises on the medical file",
    }


# Route name -> function of the world giving the POST data of its writer.
PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "cases:case_edit": _case_edit,
    "cases:case_grants": _grant,
    "cases:case_lead": lambda w: {"user": w.people["monitor"].pk},
    "cases:checklist_mark": lambda w: {"status": "done", "reason": ""},
    "cases:medical_create": _examination,
    "cases:medical_edit": lambda w: {**_examination(w), "version": w.examination.version},
    "cases:medical_attachment_add": lambda w: {
        "upload": SimpleUploadedFile("report.pdf", PDF),
    },
    "cases:referral_create": lambda w: {
        "recipient_kind": Recipient.AUTHORITY,
        "recipient_authority": "",
        "recipient_name": "Director of the prison",
        "create": "1",
    },
    "cases:referral_send": lambda w: {"sent_on": _today()},
    "cases:referral_outcome": lambda w: {
        "outcome": "investigation",
        "outcome_on": _today(),
    },
    "cases:investigation_add_case": lambda w: {
        "kind": InvestigationRequest.Kind.CRIMINAL,
        "addressee": "",
        "requested_on": _today(),
    },
    "cases:investigation_add_watch": lambda w: {
        "kind": InvestigationRequest.Kind.CRIMINAL,
        "addressee": "",
        "requested_on": _today(),
    },
    "cases:investigation_outcome": lambda w: {
        "outcome": InvestigationRequest.Outcome.OPENED,
        "outcome_on": _today(),
    },
    "cases:watch_edit": _watch_edit,
    "cases:watch_transfer": lambda w: {"to_place": w.other_place.pk, "moved_on": _today()},
    "cases:case_legal_hold": lambda w: {"hold": "1", "reason": "The prosecutor opened a trial"},
    "cases:watch_legal_hold": lambda w: {"hold": "1", "reason": "Complaint pending in court"},
    "cases:watch_check_add": lambda w: {"kind": WatchCheck.Kind.VISIT, "due_on": _today()},
    "cases:watch_check_record": lambda w: {
        "done_on": _today(),
        "outcome": WatchCheck.Outcome.SAFE,
        "note": "Canary note: seen in the yard, no sign of harm",
    },
    "cases:watch_reprisal_report": lambda w: {
        "informant": "ngo",
        "received_on": _today(),
        "account": "Canary report: moved to isolation after the visit",
    },
    "cases:watch_grant_add": _grant,
    "cases:watch_lead_change": lambda w: {"user": w.people["monitor"].pk},
    "cases:register_edit": _register_edit,
}
# Route name -> the persona who may carry out the write (default: the head). The doctor
# leads the case and the watch; the register is the head's.
WRITERS: dict[str, str] = {
    name: "doctor"
    for name in (
        "cases:case_close",
        "cases:case_detail",
        "cases:case_edit",
        "cases:case_grant_remove",
        "cases:case_grants",
        "cases:case_lead",
        "cases:case_reopen",
        "cases:checklist_mark",
        "cases:investigation_add_case",
        "cases:investigation_add_watch",
        "cases:investigation_outcome",
        "cases:medical_attachment_add",
        "cases:medical_attachment_download",
        "cases:medical_create",
        "cases:medical_detail",
        "cases:medical_edit",
        "cases:referral_create",
        "cases:referral_detail",
        "cases:referral_outcome",
        "cases:referral_print",
        "cases:referral_send",
        "cases:watch_check_add",
        "cases:watch_check_record",
        "cases:watch_detail",
        "cases:watch_edit",
        "cases:watch_grant_add",
        "cases:watch_grant_remove",
        "cases:watch_lead_change",
        "cases:watch_reprisal_report",
        "cases:watch_transfer",
        "cases:watch_close",
        "cases:watch_reopen",
        "cases:case_legal_hold",
        "cases:watch_legal_hold",
    )
}
# Route name -> why its writer's POST changes nothing in this world.
NO_CHANGE: dict[str, str] = {
    "cases:case_reopen": "the world's case is referred, not closed; only a closed case reopens",
    "cases:watch_reopen": "the world's watch is active; only a closed watch reopens",
}
