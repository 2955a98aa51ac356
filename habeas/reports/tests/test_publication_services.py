"""The services of publication: the check run and its audit, redactions, the head's
overrides, publishing and withdrawing, dissemination, and the public recommendations."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.models import AuditEvent
from habeas.reports import publication, services
from habeas.reports import services_publication as pub
from habeas.reports.content import build_content
from habeas.reports.models import Dissemination, Hit, Override, Redaction, Rendering
from habeas.reports.tests.factories import report_factory, report_world
from habeas.visits.models import Visit

pytestmark = pytest.mark.django_db

LEAK = "We met Mr Dupont in the yard; he was calm."


@pytest.fixture
def world(personas, make_user):
    return report_world(personas, make_user)


def draft(world, summary: str = LEAK):
    report = report_factory(kind="visit", actor=world.head, visit=world.visit.pk)
    version = services.latest_version(report)
    services.version_edit(
        actor=world.head,
        version=version,
        sections={"summary": summary},
        public_omit=None,
        expected_version=version.version,
    )
    version.refresh_from_db()
    return report, version


def sign(world, version):
    services.version_submit(actor=world.head, version=version)
    services.version_approve(actor=world.head, version=version)
    services.version_sign(actor=world.head, version=version)
    version.refresh_from_db()
    version.report.refresh_from_db()
    return version


def public_text(world, version) -> str:
    content = build_content(user=world.head, report=version.report, version=version)
    public = publication.public_content(content=content, version=version, k=version.report.k)
    return "\n".join(p.text for p in publication.passages(public))


# -- the check ------------------------------------------------------------------------------


def test_it_stores_the_hits_of_a_check_and_audits_counts_only(world):
    _report, version = draft(world)
    run = pub.check_run(actor=world.monitor, version=version)
    hit = run.hits.get()
    assert (hit.code, hit.status, run.open_hits) == (Hit.Code.NAME, Hit.Status.OPEN, 1)
    assert LEAK[hit.start : hit.end] == "Mr Dupont"
    assert run.text_digest == publication.public_text_digest(
        publication.public_content(
            content=build_content(user=world.monitor, report=version.report, version=version),
            version=version,
            k=5,
        )
    )
    event = AuditEvent.objects.get(action="reports.check")
    assert event.detail == {"hits": {"name": 1}, "open": 1}
    assert "Dupont" not in json.dumps(event.detail)


def test_only_those_who_draft_or_publish_the_report_run_the_check(world, personas):
    _report, version = draft(world)
    for who in ("comms", "outsider", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            pub.check_run(actor=personas[who], version=version)
    # Once signed, the communications officer may check it (they publish it).
    sign(world, version)
    assert pub.check_run(actor=personas["comms"], version=version).open_hits == 1


# -- redactions ---------------------------------------------------------------------------


def test_redacting_a_hit_removes_it_from_the_public_text_and_the_next_check(world):
    _report, version = draft(world)
    hit = pub.check_run(actor=world.head, version=version).hits.get()
    redaction = pub.redaction_from_hit(actor=world.monitor, hit=hit)
    assert (redaction.passage, redaction.replacement) == ("Mr Dupont", "[name withheld]")
    assert "Mr Dupont" not in public_text(world, version)
    assert "We met [name withheld] in the yard" in public_text(world, version)
    assert pub.check_run(actor=world.head, version=version).open_hits == 0
    # The confidential version keeps what was written.
    content = build_content(user=world.head, report=version.report, version=version)
    assert content.sections[0].narrative == LEAK
    assert AuditEvent.objects.get(action="reports.redact").detail == {
        "redaction": redaction.pk,
        "section": "summary",
    }


def test_a_redaction_from_a_stale_check_is_refused(world):
    _report, version = draft(world)
    hit = pub.check_run(actor=world.head, version=version).hits.get()
    services.version_edit(
        actor=world.head,
        version=version,
        sections={"summary": "Later: " + LEAK},
        public_omit=None,
        expected_version=version.version,
    )
    with pytest.raises(ValidationError, match="run the check again"):
        pub.redaction_from_hit(actor=world.head, hit=hit)


def test_a_manual_redaction_must_quote_the_section_and_a_signed_version_is_frozen(world):
    _report, version = draft(world)
    with pytest.raises(ValidationError):
        pub.redaction_add(actor=world.head, version=version, section="summary", passage="nowhere")
    made = pub.redaction_add(
        actor=world.head, version=version, section="summary", passage="in the yard"
    )
    assert "We met Mr Dupont […]; he was calm." in public_text(world, version)
    pub.redaction_remove(actor=world.head, redaction=made)
    assert not Redaction.objects.filter(pk=made.pk).exists()
    sign(world, version)
    with pytest.raises(ValidationError, match="signed version"):
        pub.redaction_add(actor=world.head, version=version, section="summary", passage="yard")


def test_a_redaction_of_the_title_applies_to_the_title(world):
    report, version = draft(world)
    assert "Northgate" in report.title
    pub.redaction_add(actor=world.head, version=version, section="", passage="Northgate")
    title = public_text(world, version).splitlines()[0]
    assert "Northgate" not in title
    assert "[…] Remand Prison" in title


# -- overrides ---------------------------------------------------------------------------


def test_only_the_head_overrides_with_a_written_reason(world, personas):
    _report, version = draft(world)
    hit = pub.check_run(actor=world.head, version=version).hits.get()
    for who in ("comms", "monitor", "data_officer"):
        with pytest.raises(PermissionDenied):
            pub.hit_override(actor=personas[who], hit=hit, reason="He is the prison's director.")
    with pytest.raises(ValidationError):
        pub.hit_override(actor=world.head, hit=hit, reason="ok")
    override = pub.hit_override(
        actor=world.head, hit=hit, reason="Mr Dupont is the prison's director, named publicly."
    )
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OVERRIDDEN
    assert hit.run.open_hits == 0
    event = AuditEvent.objects.get(action="reports.override")
    assert event.detail["code"] == "name"
    assert "director" not in json.dumps(event.detail)
    assert "Dupont" not in json.dumps(event.detail)
    assert override.reason.startswith("Mr Dupont is")


def test_an_override_holds_for_the_next_checks_and_versions(world):
    report, version = draft(world)
    hit = pub.check_run(actor=world.head, version=version).hits.get()
    pub.hit_override(actor=world.head, hit=hit, reason="The director, named in the press.")
    sign(world, version)
    again = pub.check_run(actor=world.head, version=version)
    assert (again.open_hits, again.hits.get().status) == (0, Hit.Status.OVERRIDDEN)
    new = services.version_new(actor=world.head, report=report)
    later = pub.check_run(actor=world.head, version=new)
    assert later.open_hits == 0
    # A different passage is a new decision.
    services.version_edit(
        actor=world.head,
        version=new,
        sections={"summary": LEAK + " Mme Martin was not."},
        public_omit=None,
        expected_version=new.version,
    )
    assert pub.check_run(actor=world.head, version=new).open_hits == 1
    assert Override.objects.filter(report=report).count() == 1


# -- publishing --------------------------------------------------------------------------


def test_publication_is_blocked_until_every_hit_is_redacted_or_overridden(
    world, personas, django_capture_on_commit_callbacks
):
    report, version = draft(world)
    with pytest.raises(ValidationError, match="no signed version"):
        pub.report_publish(actor=world.head, report=report)
    assert pub.publication_blockers(version=version)[0].startswith("The version is not signed")
    sign(world, version)
    with pytest.raises(ValidationError) as refused:
        pub.report_publish(actor=personas["comms"], report=report)
    assert any("Name of a person" in m and "Mr Dupont" in m for m in refused.value.messages)
    # The check that refused it is kept, with its hit to deal with.
    run = pub.latest_check(version)
    assert run is not None and run.open_hits == 1
    report.refresh_from_db()
    assert report.published_version is None
    pub.hit_override(actor=world.head, hit=run.hits.get(), reason="The director, named publicly.")
    assert pub.publication_blockers(version=version) == []
    with django_capture_on_commit_callbacks(execute=True):
        published = pub.report_publish(actor=personas["comms"], report=report)
    assert published.published_version == version
    assert published.published_at is not None
    assert list(pub.public_reports()) == [published]
    queued = set(Rendering.objects.filter(version=version).values_list("variant", "format"))
    assert queued == {("public", "pdf"), ("public", "docx")}


def test_the_check_must_have_read_the_current_public_text(world):
    report, version = draft(world, summary="Nothing to hide here.")
    sign(world, version)
    pub.check_run(actor=world.head, version=version)
    assert pub.publication_blockers(version=version) == []
    report.k = 7
    report.save(update_fields=["k"])
    version.report.refresh_from_db()
    assert pub.publication_blockers(version=version) == [
        "The public text changed since the last check: run the check again."
    ]


def test_those_who_may_not_publish_cannot(world, personas):
    report, version = draft(world, summary="Nothing to hide here.")
    sign(world, version)
    for who in ("monitor", "doctor", "data_officer", "outsider"):
        with pytest.raises(PermissionDenied):
            pub.report_publish(actor=personas[who], report=report)


def test_the_head_withdraws_a_published_report_with_a_reason(world, personas):
    report, version = draft(world, summary="Nothing to hide here.")
    sign(world, version)
    pub.report_publish(actor=world.head, report=report)
    with pytest.raises(PermissionDenied):
        pub.report_unpublish(actor=personas["comms"], report=report, reason="Asked to withdraw.")
    with pytest.raises(ValidationError):
        pub.report_unpublish(actor=world.head, report=report, reason="no")
    pub.report_unpublish(actor=world.head, report=report, reason="An error in the figures.")
    assert list(pub.public_reports()) == []
    assert version.comments.get().text == "Withdrawn from publication: An error in the figures."
    assert AuditEvent.objects.get(action="reports.unpublish").detail == {"number": 1}


# -- dissemination ---------------------------------------------------------------------------


def test_the_confidential_version_goes_to_an_authority_and_moves_the_visit_on(world, personas):
    report, version = draft(world, summary="Nothing to hide here.")
    sign(world, version)
    assert Visit.objects.get(pk=world.visit.pk).state == Visit.State.REPORT_DRAFTED
    with pytest.raises(ValidationError):
        pub.dissemination_add(
            actor=world.head,
            report=report,
            data={
                "variant": "confidential",
                "recipient": "A newspaper",
                "tier": "civil_society",
                "channel": "email",
                "sent_on": "2026-04-02",
            },
        )
    sent = pub.dissemination_add(
        actor=world.monitor,
        report=report,
        data={
            "variant": "confidential",
            "authority": world.administration.pk,
            "tier": "regional",
            "channel": "post",
            "sent_on": "2026-04-02",
        },
    )
    assert (sent.version, sent.authority) == (version, world.administration)
    assert Visit.objects.get(pk=world.visit.pk).state == Visit.State.REPORT_SENT
    with pytest.raises(ValidationError):
        pub.dissemination_acknowledge(actor=world.head, dissemination=sent, on=dt.date(2026, 4, 1))
    done = pub.dissemination_acknowledge(
        actor=personas["comms"], dissemination=sent, on=dt.date(2026, 4, 9)
    )
    assert done.acknowledged_on == dt.date(2026, 4, 9)
    with pytest.raises(PermissionDenied):
        pub.dissemination_add(
            actor=personas["data_officer"],
            report=report,
            data={
                "variant": "confidential",
                "authority": world.ministry.pk,
                "tier": "national",
                "channel": "post",
                "sent_on": "2026-04-02",
            },
        )


def test_the_public_version_is_sent_only_once_published(world):
    report, version = draft(world, summary="Nothing to hide here.")
    sign(world, version)
    data = {
        "variant": "public",
        "recipient": "Prison Watch",
        "tier": "civil_society",
        "channel": "email",
        "sent_on": "2026-04-02",
    }
    with pytest.raises(ValidationError):
        pub.dissemination_add(actor=world.head, report=report, data=data)
    pub.report_publish(actor=world.head, report=report)
    report.refresh_from_db()
    assert pub.dissemination_add(actor=world.head, report=report, data=data).variant == "public"
    assert Dissemination.objects.count() == 1


# -- what /public/ shows -----------------------------------------------------------------------


def test_public_recommendations_are_those_shown_in_the_public_version(world):
    report, version = draft(world, summary="Nothing to hide here.")
    first, urgent = world.recommendations
    pub.redaction_add(
        actor=world.head,
        version=version,
        section="recommendations",
        passage=urgent.text,
        replacement="[recommendation withheld]",
    )
    sign(world, version)
    assert pub.public_recommendations() == []  # not published yet
    pub.report_publish(actor=world.head, report=report)
    shown = pub.public_recommendations()
    assert [(r.reference, r.text, r.addressee, r.response) for r in shown] == [
        (first.reference, first.text, "Prison Administration", "Accepted")
    ]
    assert shown[0].implementation == "Not yet verified"
    counts = dict(pub.public_recommendation_counts())
    assert counts["Not yet verified"] is None  # 1 is under k
    assert counts["Achieved"] == 0
