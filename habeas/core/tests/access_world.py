"""The real records the access matrix points its routes at, built through the services
(SECURITY.md test 3), and what each route is sent when it is posted to.

One world per test: a place with a unit, a population count and an archived document,
its authority and region; a places import and a reconciliation uploaded by the head; the
home NPM's self-assessment, rated, evidenced (a link and a document), with an action,
a finished report and an uploaded import, shared with the SPT; the SPT and another NPM,
each with a member; an account for the administrator to manage; the head's API token.

`elsewhere` holds records of the same kinds that belong to something else — a second
place and a second self-assessment with their own children, another user's token — so
the matrix can check that none of them answers under the first one's address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.accounts import services as account_services
from habeas.assessment import services, services_organisations, services_outputs
from habeas.assessment.models import Organisation
from habeas.assessment.tests.factories import (
    FrameworkVersionFactory,
    HomeOrganisationFactory,
    OrganisationFactory,
)
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
from habeas.places import importing, reconcile
from habeas.places import services as place_services
from habeas.places.tests.factories import PlaceFactory

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

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PLACES_CSV = (
    b"external_ref,name,category,operator,official,status\n"
    b"MX-0001,Matrix remand prison,prison-remand,public,yes,open\n"
)
OFFICIAL_LIST_CSV = b"external_ref,name,category\nMOJ-77,Harbour police station,police-custody\n"


@dataclass
class World:
    people: dict[str, Any]
    media: Path
    organisation: Any
    member: Any
    other_npm: Any
    account: Any
    token: Any
    elsewhere: dict[str, Any]
    # The inventory's records: built only for routes that name one.
    place: Any = None
    unit: Any = None
    document: Any = None
    authority: Any = None
    region: Any = None
    places_import: Any = None
    reconcile: Any = None
    reconcile_row: int = 0
    # The assessment's records: likewise.
    assessment: Any = None
    criterion: Any = None
    rating: Any = None
    evidence: Any = None
    action_item: Any = None
    report_job: Any = None
    assessment_import: Any = None
    export_json: bytes = b""
    framework_version: Any = None
    # Records of the apps that keep their own tables (matrix_<app>.py), by attribute.
    records: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        records = self.__dict__.get("records") or {}
        if name in records:
            return records[name]
        raise AttributeError(name)


INVENTORY_RECORDS = {"place", "unit", "document", "authority", "region", "places_import"}
INVENTORY_RECORDS |= {"reconcile"}
ASSESSMENT_RECORDS = {"assessment", "criterion", "rating", "evidence", "action_item"}
ASSESSMENT_RECORDS |= {"report_job", "assessment_import", "framework_version"}


def build_world(
    personas: dict[str, Any], make_user: Callable[..., Any], media: Path, needs: set[str]
) -> World:
    """The records a route names (`needs`: World attributes) and everything around them;
    the inventory and the assessments, the slow parts, only when the route names one."""
    head = personas["head"]
    people = dict(personas)
    spt = OrganisationFactory(name="UN SPT", kind=Organisation.Kind.SPT)
    other_npm = OrganisationFactory(name="NPM of Ruritania", kind=Organisation.Kind.NPM)
    for name, organisation in (("spt_member", spt), ("peer_member", other_npm)):
        people[name] = make_user("head", f"{name}@elsewhere.test")
        services_organisations.membership_set(
            actor=head, user=people[name], organisation=organisation
        )
    records: dict[str, Any] = {}
    elsewhere = {
        "an organisation it is not shared with": other_npm,
        "a member of another organisation": people["peer_member"],
        "another user's token": _token(people["monitor"]),
    }
    if needs & INVENTORY_RECORDS:
        records.update(_inventory(head))
        elsewhere.update(_inventory_elsewhere(head, records))
    app_records: dict[str, Any] = {}
    for app in MATRIX_APPS:
        if needs & app.RECORD_NAMES:
            built, foreign = app.build(people, make_user, needs)
            app_records.update(built)
            elsewhere.update(foreign)
    if needs & ASSESSMENT_RECORDS:
        records.update(_assessment(head, "Matrix self-assessment"))
        services.assessment_share(actor=head, assessment=records["assessment"], organisation=spt)
        elsewhere.update(_assessment_elsewhere(head))
    world = World(
        people=people,
        media=media,
        organisation=spt,
        member=people["spt_member"],
        other_npm=other_npm,
        account=make_user("monitor", "account@npm.test"),
        token=_token(head),
        elsewhere=elsewhere,
        records=app_records,
        **records,
    )
    # Payloads carry the versions the records have now, after every service above ran.
    for name in ("place", "unit", "authority", "region", "assessment", "rating", "action_item"):
        if getattr(world, name) is not None:
            getattr(world, name).refresh_from_db()
    world.organisation.refresh_from_db()
    return world


def _token(user: Any) -> Any:
    token, _key = account_services.api_token_create(
        actor=user, name="Matrix script", scope="read", days=30
    )
    return token


def _inventory_elsewhere(head: Any, inventory: dict[str, Any]) -> dict[str, Any]:
    place = PlaceFactory(name="Another prison")
    unit = place_services.unit_create(
        actor=head, place=place, data={"name": "Wing A", "description": "", "capacity": 20}
    )
    document = place_services.place_document_add(
        actor=head, place=place, upload=SimpleUploadedFile("plan.pdf", PDF), title="Floor plan"
    )
    return {
        "a unit of another place": unit,
        "a document of another place": document,
        "an uploaded official list": inventory["reconcile"],
        "an uploaded places import": inventory["places_import"],
    }


def _assessment_elsewhere(head: Any) -> dict[str, Any]:
    other = _assessment(head, "Another self-assessment")
    return {
        "a criterion of another framework": other["criterion"],
        "evidence of another assessment": other["evidence"],
        "an action of another assessment": other["action_item"],
        "a report of another assessment": other["report_job"],
        "an upload for another assessment": other["assessment_import"],
    }


def _inventory(head: Any) -> dict[str, Any]:
    place = PlaceFactory(name="Matrix prison", groups=["women"])
    unit = place_services.unit_create(
        actor=head, place=place, data={"name": "Wing A", "description": "", "capacity": 20}
    )
    place_services.population_record_add(
        actor=head, place=place, recorded_on=dt.date(2025, 1, 31), population=80
    )
    document = place_services.place_document_add(
        actor=head,
        place=place,
        upload=SimpleUploadedFile("inspection.pdf", PDF),
        title="Inspection report",
    )
    places_import = importing.places_import_preview(
        actor=head, upload=SimpleUploadedFile("places.csv", PLACES_CSV)
    )
    official = reconcile.places_reconcile(
        actor=head, upload=SimpleUploadedFile("official.csv", OFFICIAL_LIST_CSV)
    )
    theirs = reconcile.reconciliation_for(user=head, batch=official).theirs_only
    return {
        "place": place,
        "unit": unit,
        "document": document,
        "authority": place.authority,
        "region": place.region,
        "places_import": places_import,
        "reconcile": official,
        "reconcile_row": theirs[0].row,
    }


def _assessment(head: Any, title: str) -> dict[str, Any]:
    """A self-assessment of the home NPM against a framework version of its own."""
    version = FrameworkVersionFactory()
    assessment = services.assessment_create(
        actor=head,
        framework_version=version,
        subject=HomeOrganisationFactory(),
        title=title,
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        assessors=[head],
    )
    rating = assessment.ratings.select_related("criterion").get(criterion__ref="1")
    rating = services.rating_save(
        actor=head,
        rating=rating,
        level="partially",
        reason="",
        narrative="Partly in place.",
        expected_version=rating.version,
    )
    criterion = rating.criterion
    services.evidence_add(
        actor=head,
        assessment=assessment,
        criterion=criterion,
        kind="link",
        url="https://npm.example/annual-report",
    )
    document = services.evidence_add(
        actor=head,
        assessment=assessment,
        criterion=criterion,
        kind="document",
        upload=SimpleUploadedFile("minutes.pdf", PDF),
    )
    item = services.action_item_create(
        actor=head,
        assessment=assessment,
        criterion=criterion,
        title="Publish the budget",
        owner=head,
        deadline=dt.date(2025, 6, 30),
    )
    job = services_outputs.report_request(actor=head, assessment=assessment, format="pdf")
    started = services_outputs.report_job_start(job_id=job.pk)
    assert started is not None
    job = services_outputs.report_job_store(job=started, content=PDF)
    exported = services_outputs.assessment_export(
        actor=head, assessment=assessment, file_format="json"
    ).content
    upload = SimpleUploadedFile("assessment.json", exported.replace(b"Partly", b"Mostly"))
    batch = services_outputs.assessment_import_preview(
        actor=head, assessment=assessment, upload=upload
    )
    return {
        "assessment": assessment,
        "criterion": criterion,
        "rating": rating,
        "evidence": document,
        "action_item": item,
        "report_job": job,
        "assessment_import": batch,
        "export_json": exported,
        "framework_version": version,
    }


# What each route is posted. A route not listed is posted nothing: a form-less action
# (close, submit, remove, revoke…) needs nothing more to act.


def _place(w: World) -> dict[str, Any]:
    p = w.place
    return {
        "name": "Matrix prison (renamed)",
        "category": p.category_id,
        "official": "on",
        "operator": p.operator,
        "authority": p.authority_id,
        "region": p.region_id,
        "address": p.address,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "capacity": 120,
        "external_ref": p.external_ref,
        "notes": "",
        "version": p.version,
    }


def _authority(w: World) -> dict[str, Any]:
    a = w.authority
    return {
        "name": f"{a.name} (renamed)",
        "kind": a.kind,
        "response_days": 30,
        "email": a.email,
        "version": a.version,
    }


def _assessment_edit(w: World) -> dict[str, Any]:
    a = w.assessment
    return {
        "title": "Matrix self-assessment (renamed)",
        "summary": "",
        "period_start": a.period_start,
        "period_end": a.period_end,
        "assessors": [w.people["head"].pk],
        "version": a.version,
    }


PAYLOADS: dict[str, Callable[[World], dict[str, Any]]] = {
    "places:edit": _place,
    "places:close": lambda w: {"closed_on": "2025-02-01"},
    "places:unit_create": lambda w: {"name": "Wing Z", "description": "", "capacity": 10},
    "places:unit_edit": lambda w: {"name": "Wing A2", "capacity": 12, "version": w.unit.version},
    "places:population_add": lambda w: {"recorded_on": "2025-02-28", "population": 90},
    "places:document_upload": lambda w: {
        "upload": SimpleUploadedFile("letter.pdf", PDF),
        "title": "Letter from the director",
        "kind": "correspondence",
    },
    "places:authority_edit": _authority,
    "places:region_edit": lambda w: {
        "name": "Renamed region",
        "code": w.region.code,
        "version": w.region.version,
    },
    "places:reconcile_add": lambda w: {"row": [str(w.reconcile_row)], "category": "other"},
    "assessment:edit": _assessment_edit,
    "assessment:share": lambda w: {"organisation": w.other_npm.pk},
    "assessment:criterion": lambda w: {
        "level": "fully",
        "narrative": "Now fully in place.",
        "version": w.rating.version,
    },
    "assessment:evidence_add": lambda w: {
        "kind": "link",
        "link-url": "https://npm.example/budget",
        "link-title": "Budget",
    },
    "assessment:action_plan": lambda w: {
        "item-criterion": w.criterion.pk,
        "item-title": "Train the staff",
        "item-owner": w.people["head"].pk,
        "item-deadline": "2025-09-30",
    },
    "assessment:action_item_update": lambda w: {
        "status": "done",
        "version": w.action_item.version,
    },
    "assessment:organisation_edit": lambda w: {
        "name": "UN SPT (renamed)",
        "kind": w.organisation.kind,
        "country": "",
        "version": w.organisation.version,
    },
    "assessment:organisation_members": lambda w: {"email": w.account.email},
    "assessment:report_new": lambda w: {"format": "docx"},
    "assessment:import": lambda w: {
        "file": SimpleUploadedFile("assessment.json", w.export_json),
    },
    "accounts:user_edit": lambda w: {
        "role": "doctor",
        "is_active": "on",
        "expires_at": "",
        "version": w.account.version,
    },
}

# Who may carry out each write in this world; by default the head, whose records these
# are. The matrix checks that their POST changes something, so that the refusals it
# checks are refusals of a write that would otherwise happen.
WRITERS: dict[str, str] = {
    "accounts:user_edit": "admin",
    "accounts:user_reset_2fa": "admin",
    "accounts:user_password_link": "admin",
}

# Routes that accept a POST from their writer but change no table in this world,
# with the reason.
NO_CHANGE: dict[str, str] = {
    "places:reopen": "the world's place is open; reopening an open place is refused",
    "assessment:finalise": "the world's assessment is a draft; only one in review is finalised",
    "assessment:revise": "the world's assessment is a draft; only a final one is revised",
    "accounts:user_password_link": "issues a link from the password hash; stores nothing",
}


def payload(route_name: str, world: World) -> dict[str, Any]:
    build = PAYLOADS.get(route_name)
    return build(world) if build else {}


for _app in MATRIX_APPS:
    PAYLOADS.update(_app.PAYLOADS)
    WRITERS.update(_app.WRITERS)
    NO_CHANGE.update(_app.NO_CHANGE)
