"""The drafting workflow (¶19, 21): create, edit, submit, return, approve, sign, new
version; signed versions frozen; stale edits refused; every step audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.reports import services
from habeas.reports.content import build_content, build_live
from habeas.reports.content_types import to_json
from habeas.reports.models import Comment, Kind, Redaction, Report, ReportVersion, State
from habeas.reports.tests.factories import finding_at, report_factory, report_world
from habeas.visits import services_field as visit_field
from habeas.visits.models import Interview, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, make_user):
    return report_world(personas, make_user)


def _draft(world, **data):
    return report_factory(kind=Kind.VISIT, actor=world.monitor, visit=world.visit, **data)


def _signed(world):
    report = _draft(world)
    version = services.latest_version(report)
    services.version_submit(actor=world.monitor, version=version)
    services.version_approve(actor=world.head, version=version)
    services.version_sign(actor=world.head, version=version)
    report.refresh_from_db()
    version.refresh_from_db()
    return report, version


def test_it_creates_a_report_with_a_reference_a_title_and_a_prefilled_first_version(world):
    report = _draft(world)
    second = _draft(world)
    year = timezone.localdate().year
    assert report.reference == f"RPT-{year}-0001" and second.reference == f"RPT-{year}-0002"
    assert "Northgate Remand Prison" in report.title
    assert report.place == world.place and report.state == State.DRAFT
    version = services.latest_version(report)
    assert version.number == 1 and version.state == State.DRAFT
    assert "Northgate Remand Prison" in version.sections["summary"]
    assert set(version.sections) == {
        "summary",
        "visit",
        "place",
        "changes",
        "findings",
        "good_practices",
        "recommendations",
    }
    event = AuditEvent.objects.get(action="reports.create", object_id=str(report.pk))
    assert event.detail == {"kind": "visit"}


def test_it_refuses_a_visit_report_to_those_who_may_not_change_the_visit(world, personas):
    # The doctor sees the visit but is not on its team; the expert persona is on no team.
    for who in ("doctor", "expert", "comms", "outsider"):
        with pytest.raises((PermissionDenied, ValidationError)):
            report_factory(kind=Kind.VISIT, actor=personas[who], visit=world.visit)
    # The expert on the team may draft it.
    report = report_factory(kind=Kind.VISIT, actor=world.expert_on_team, visit=world.visit)
    assert report.pk
    # …but not a thematic or annual report, which an external expert never sees.
    with pytest.raises(PermissionDenied):
        report_factory(kind=Kind.ANNUAL, actor=world.expert_on_team, year=2026)
    assert not Report.objects.filter(kind=Kind.ANNUAL).exists()


def test_it_checks_each_kind_s_scope(world):
    head = world.head
    with pytest.raises(ValidationError):
        report_factory(kind="memo", actor=head)
    with pytest.raises(ValidationError):
        report_factory(kind=Kind.VISIT, actor=head)
    with pytest.raises(ValidationError):
        report_factory(
            kind=Kind.THEMATIC,
            actor=head,
            theme="conditions",
            period_start=dt.date(2026, 5, 1),
            period_end=dt.date(2026, 1, 1),
        )
    with pytest.raises(ValidationError):
        report_factory(
            kind=Kind.THEMATIC,
            actor=head,
            theme="weather",
            period_start="2026-01-01",
            period_end="2026-12-31",
        )
    with pytest.raises(ValidationError):
        report_factory(kind=Kind.ANNUAL, actor=head, year=timezone.localdate().year + 1)
    with pytest.raises(ValidationError):  # not urgent
        report_factory(
            kind=Kind.URGENT, actor=head, visit=world.visit, recommendation=world.recommendations[0]
        )
    with pytest.raises(ValidationError):  # of another visit
        report_factory(
            kind=Kind.URGENT,
            actor=head,
            visit=world.police_visit,
            recommendation=world.recommendations[1],
        )
    urgent = report_factory(
        kind=Kind.URGENT, actor=head, visit=world.visit, recommendation=world.recommendations[1]
    )
    assert urgent.addressee == world.ministry
    with pytest.raises(ValidationError):
        report_factory(kind=Kind.VISIT, actor=head, visit=world.visit, k=1)
    planned = Visit.objects.create(
        reference="V-2027-0001",
        place=world.place,
        kind=Visit.Kind.IN_DEPTH,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 1, 2),
        lead=head,
        created_by=head,
    )
    with pytest.raises(ValidationError):
        report_factory(kind=Kind.VISIT, actor=head, visit=planned)


def test_it_edits_a_draft_and_refuses_unknown_sections_and_stale_edits(world):
    report = _draft(world)
    version = services.latest_version(report)
    services.version_edit(
        actor=world.monitor,
        version=version,
        sections={"summary": "New summary."},
        public_omit=["changes"],
        expected_version=1,
    )
    version.refresh_from_db()
    assert version.sections["summary"] == "New summary." and version.public_omit == ["changes"]
    assert version.sections["findings"] == ""  # untouched sections stay
    with pytest.raises(ValidationError):
        services.version_edit(
            actor=world.monitor,
            version=version,
            sections={"gossip": "x"},
            public_omit=None,
            expected_version=version.version,
        )
    with pytest.raises(ValidationError):
        services.version_edit(
            actor=world.monitor,
            version=version,
            sections={},
            public_omit=["gossip"],
            expected_version=version.version,
        )
    with pytest.raises(StaleEdit):
        services.version_edit(
            actor=world.monitor,
            version=version,
            sections={"summary": "Lost update."},
            public_omit=None,
            expected_version=1,
        )
    version.refresh_from_db()
    assert version.sections["summary"] == "New summary."
    assert AuditEvent.objects.filter(action="reports.edit_stale").exists()


def test_it_refuses_edits_by_those_who_may_not_draft(world, personas):
    report = _draft(world)
    version = services.latest_version(report)
    for who in ("comms", "doctor", "expert"):
        with pytest.raises(PermissionDenied):
            services.version_edit(
                actor=personas[who],
                version=version,
                sections={"summary": "x"},
                public_omit=None,
                expected_version=1,
            )


def test_it_runs_the_workflow_and_returns_with_a_comment(world, personas):
    report = _draft(world)
    version = services.latest_version(report)
    with pytest.raises(ValidationError):
        services.version_approve(actor=world.head, version=version)  # not submitted
    services.version_submit(actor=world.monitor, version=version)
    report.refresh_from_db()
    assert version.state == State.IN_REVIEW and report.state == State.IN_REVIEW
    with pytest.raises(ValidationError):  # under review: not editable
        services.version_edit(
            actor=world.monitor,
            version=version,
            sections={"summary": "x"},
            public_omit=None,
            expected_version=version.version,
        )
    with pytest.raises(PermissionDenied):  # the doctor does not review
        services.version_return(actor=personas["doctor"], version=version, comment="No.")
    with pytest.raises(ValidationError):
        services.version_return(actor=world.head, version=version, comment="  ")
    services.version_return(actor=world.head, version=version, comment="Shorten the summary.")
    report.refresh_from_db()
    assert version.state == State.DRAFT and report.state == State.DRAFT
    assert Comment.objects.get(version=version).text == "Shorten the summary."
    services.version_submit(actor=world.monitor, version=version)
    with pytest.raises(ValidationError):  # the monitor wrote it: someone else reviews
        services.version_approve(actor=world.monitor, version=version)
    with pytest.raises(PermissionDenied):  # only the head signs
        services.version_sign(actor=world.monitor, version=version)
    services.version_approve(actor=world.head, version=version)
    assert version.state == State.APPROVED and version.reviewed_by == world.head
    services.version_sign(actor=world.head, version=version)
    report.refresh_from_db()
    assert version.state == State.SIGNED and report.state == State.SIGNED
    assert report.signed_at is not None and version.signed_by == world.head
    actions = list(
        AuditEvent.objects.filter(action__startswith="reports.").values_list("action", flat=True)
    )
    for action in (
        "reports.create",
        "reports.submit",
        "reports.return",
        "reports.approve",
        "reports.sign",
    ):
        assert action in actions


def test_signing_freezes_the_content_as_the_head_saw_it(world):
    report, version = _signed(world)
    assert version.content["state"] == "signed"
    assert version.content["signed_by"] == (world.head.full_name or str(world.head))
    expected = hashlib.sha256(
        json.dumps(
            {"sections": version.sections, "content": version.content},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    assert version.digest == expected
    before = build_content(user=world.head, report=report, version=version)
    assert before.figures["visit.interviews"].value == 7
    # The records change after the signature…
    visit_field.interview_create(
        actor=world.head,
        visit=Visit.objects.get(pk=world.visit.pk),
        data={"kind": Interview.Kind.PRIVATE, "pseudonym": "P-09", "participants": 1},
    )
    finding_at(world.visit, world.head, "A new concern found later.")
    live = build_live(user=world.head, report=report, version=version)
    assert live.figures["visit.interviews"].value == 8
    assert "new concern found later" in json.dumps(to_json(live))
    after = build_content(user=world.head, report=report, version=version)
    # …the signed content does not.
    assert after.figures["visit.interviews"].value == 7
    assert "new concern found later" not in json.dumps(version.content)
    assert after == before


def test_a_signed_version_can_never_be_edited_and_a_new_version_copies_it(world):
    report, version = _signed(world)
    with pytest.raises(ValidationError):
        services.version_edit(
            actor=world.head,
            version=version,
            sections={"summary": "Rewritten."},
            public_omit=None,
            expected_version=version.version,
        )
    for step in (services.version_submit, services.version_approve, services.version_sign):
        with pytest.raises(ValidationError):
            step(actor=world.head, version=version)
    Redaction.objects.create(
        version=version, section="summary", passage="Northgate", created_by=world.head
    )
    ReportVersion.objects.filter(pk=version.pk).update(public_omit=["changes"])
    new = services.version_new(actor=world.monitor, report=report)
    report.refresh_from_db()
    assert new.number == 2 and new.state == State.DRAFT and report.state == State.DRAFT
    assert new.sections == version.sections and new.public_omit == ["changes"]
    assert list(new.redactions.values_list("section", "passage")) == [("summary", "Northgate")]
    with pytest.raises(ValidationError):  # the latest is a draft: edit it instead
        services.version_new(actor=world.monitor, report=report)
    services.version_edit(
        actor=world.monitor,
        version=new,
        sections={"summary": "Version two."},
        public_omit=None,
        expected_version=new.version,
    )
    version.refresh_from_db()
    assert version.sections["summary"] != "Version two."  # v1 untouched
    assert services.latest_version(report) == new
    assert AuditEvent.objects.filter(action="reports.new_version").count() == 1


def test_the_first_signature_moves_a_debriefed_visit_to_report_drafted(world):
    assert world.visit.state == Visit.State.DEBRIEFED
    _signed(world)
    world.visit.refresh_from_db()
    assert world.visit.state == Visit.State.REPORT_DRAFTED


def test_a_visit_that_cannot_move_does_not_block_the_signature(world):
    Visit.objects.filter(pk=world.visit.pk).update(state=Visit.State.CLOSED)
    report, version = _signed(world)
    assert version.state == State.SIGNED
    assert Visit.objects.get(pk=world.visit.pk).state == Visit.State.CLOSED


def test_settings_are_versioned_and_checked(world):
    report = _draft(world)
    services.report_update(
        actor=world.monitor,
        report=report,
        data={"title": "Northgate, March", "k": 7},
        expected_version=1,
    )
    report.refresh_from_db()
    assert report.title == "Northgate, March" and report.k == 7 and report.version == 2
    with pytest.raises(StaleEdit):
        services.report_update(
            actor=world.monitor, report=report, data={"k": 9}, expected_version=1
        )
    with pytest.raises(ValidationError):
        services.report_update(
            actor=world.monitor, report=report, data={"k": 1}, expected_version=2
        )
    with pytest.raises(ValidationError):
        services.report_update(
            actor=world.monitor, report=report, data={"language": "xx"}, expected_version=2
        )


def test_comments_are_added_on_known_sections_and_resolved(world, personas):
    report = _draft(world)
    version = services.latest_version(report)
    comment = services.comment_add(
        actor=world.head, version=version, section="findings", text="Check the wording."
    )
    with pytest.raises(ValidationError):
        services.comment_add(actor=world.head, version=version, section="gossip", text="x")
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=personas["comms"], version=version, section="", text="x")
    services.comment_resolve(actor=world.monitor, comment=comment)
    comment.refresh_from_db()
    assert comment.resolved
    event = AuditEvent.objects.get(action="reports.comment")
    assert "wording" not in json.dumps(event.detail)
