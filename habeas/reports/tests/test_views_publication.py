"""The publication pages: the check shows what could betray a source (escaped, the matched
words marked), the proposed redaction clears it, the head alone overrides with a written
reason, publishing waits until nothing is left open; the public preview; who received
which version.

Drafter: the external expert on the visit's team; reviewer: the monitor; head signs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from habeas.reports import services, services_publication
from habeas.reports.models import (
    CheckRun,
    Dissemination,
    Hit,
    Kind,
    Override,
    Redaction,
    Report,
    ReportVersion,
    State,
)
from habeas.reports.tests.factories import report_factory, report_world

pytestmark = pytest.mark.django_db

PSEUDONYM_SENTENCE = "P-02 told the team that the showers had no hot water."
REASON = "Checked with the team: this passage names no one who could be found."


@pytest.fixture
def world(personas: Any, make_user: Any) -> Any:
    return report_world(personas, make_user)


@pytest.fixture
def report(world: Any) -> Report:
    return report_factory(kind=Kind.VISIT, actor=world.expert_on_team, visit=world.visit.pk)


def url(name: str, report: Report, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"pk": report.pk, **kwargs})


def latest(report: Report) -> ReportVersion:
    return ReportVersion.objects.filter(report=report).order_by("-number").first()  # type: ignore[return-value]


def write(world: Any, report: Report, text: str, key: str = "summary") -> None:
    version = latest(report)
    services.version_edit(
        actor=world.expert_on_team,
        version=version,
        sections={key: text},
        public_omit=None,
        expected_version=version.version,
    )


def sign(world: Any, report: Report) -> ReportVersion:
    version = latest(report)
    services.version_submit(actor=world.expert_on_team, version=version)
    services.version_approve(actor=world.monitor, version=version)
    return services.version_sign(actor=world.head, version=version)


def open_hits(report: Report) -> list[Hit]:
    run = CheckRun.objects.filter(version=latest(report)).first()
    return list(run.hits.filter(status=Hit.Status.OPEN)) if run else []


def clear_by_redacting(client: Any, report: Report, limit: int = 30) -> None:
    """Run the check and apply each proposed redaction through the pages until the
    check finds nothing left open."""
    for _round in range(limit):
        assert client.post(url("check", report)).status_code == 302
        hits = open_hits(report)
        if not hits:
            return
        assert client.post(url("hit_redact", report, hit_pk=hits[0].pk)).status_code == 302
    raise AssertionError("the check never came clear")


# -- the check page ---------------------------------------------------------------------------


def test_it_marks_a_pseudonym_and_clears_it_with_the_proposed_redaction(
    world: Any, report: Report, client_for: Any
) -> None:
    write(world, report, PSEUDONYM_SENTENCE)
    drafter = client_for(world.expert_on_team)
    assert drafter.post(url("check", report)).status_code == 302
    hit = next(h for h in open_hits(report) if h.code == Hit.Code.PSEUDONYM)
    assert hit.section == "summary"
    page = drafter.get(url("check", report)).content.decode()
    assert "<mark>P-02</mark>" in page
    assert hit.explanation.replace("'", "&#x27;") in page or hit.explanation in page
    assert url("hit_redact", report, hit_pk=hit.pk) in page
    assert url("hit_override", report, hit_pk=hit.pk) not in page  # the head's alone

    assert drafter.post(url("hit_redact", report, hit_pk=hit.pk)).status_code == 302
    assert Redaction.objects.filter(
        version=latest(report), section="summary", passage="P-02"
    ).exists()
    drafter.post(url("check", report))
    assert not [h for h in open_hits(report) if h.code == Hit.Code.PSEUDONYM]
    # The confidential version keeps the sentence; the public preview does not.
    assert "P-02 told the team" in drafter.get(url("detail", report)).content.decode()
    preview = drafter.get(url("public_preview", report)).content.decode()
    assert "Preview of the public version" in preview
    assert "P-02" not in preview

    clear_by_redacting(drafter, report)
    page = drafter.get(url("check", report)).content.decode()
    assert "Nothing left open" in page


def test_it_escapes_a_flagged_passage(world: Any, report: Report, client_for: Any) -> None:
    write(world, report, "<b>P-02</b> said <script>alert(1)</script> in Wing A.")
    drafter = client_for(world.expert_on_team)
    drafter.post(url("check", report))
    assert any(h.code == Hit.Code.PSEUDONYM for h in open_hits(report))
    page = drafter.get(url("check", report)).content.decode()
    assert "<script>alert(1)" not in page
    assert "<b>P-02</b>" not in page


def test_it_lets_a_drafter_redact_and_unredact_a_passage_by_hand(
    world: Any, report: Report, client_for: Any
) -> None:
    write(world, report, "The director, Ms Agnes Holloway, was helpful.")
    drafter = client_for(world.expert_on_team)
    missing = drafter.post(
        url("redaction_add", report),
        {"section": "summary", "passage": "not in the text", "replacement": "[…]"},
    )
    assert missing.status_code == 400
    assert not Redaction.objects.exists()
    added = drafter.post(
        url("redaction_add", report),
        {"section": "summary", "passage": "Ms Agnes Holloway", "replacement": "[the director]"},
    )
    assert added.status_code == 302
    redaction = Redaction.objects.get()
    assert "Agnes Holloway" not in drafter.get(url("public_preview", report)).content.decode()
    assert "Ms Agnes Holloway" in drafter.get(url("check", report)).content.decode()  # the list
    # A reviewer who may not draft sees the list but may not change it.
    doctor = client_for(world.personas["doctor"])
    assert (
        doctor.post(url("redaction_remove", report, redaction_pk=redaction.pk)).status_code == 403
    )
    assert (
        drafter.post(url("redaction_remove", report, redaction_pk=redaction.pk)).status_code == 302
    )
    assert not Redaction.objects.exists()


def test_it_lets_only_the_head_override_a_hit_with_a_written_reason(
    world: Any, report: Report, client_for: Any
) -> None:
    write(world, report, PSEUDONYM_SENTENCE)
    drafter = client_for(world.expert_on_team)
    drafter.post(url("check", report))
    hit = next(h for h in open_hits(report) if h.code == Hit.Code.PSEUDONYM)
    override = url("hit_override", report, hit_pk=hit.pk)
    assert drafter.get(override).status_code == 403
    assert client_for(world.monitor).post(override, {"reason": REASON}).status_code == 403
    head = client_for(world.head)
    form = head.get(override)
    assert form.status_code == 200 and "<mark>P-02</mark>" in form.content.decode()
    assert head.post(override, {"reason": "short"}).status_code == 400
    assert not Override.objects.exists()
    assert head.post(override, {"reason": REASON}).status_code == 302
    assert Override.objects.get().reason == REASON
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OVERRIDDEN


# -- publishing ---------------------------------------------------------------------------------


def test_it_publishes_only_when_the_check_is_clear(
    world: Any, report: Report, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    write(world, report, PSEUDONYM_SENTENCE)
    drafter = client_for(world.expert_on_team)
    head = client_for(world.head)
    sign(world, report)
    # Signed with an open hit: publishing is refused, with the reasons, and nothing changes.
    refused = head.post(url("publish", report))
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.published_at is None
    assert "cannot be published yet" in head.get(url("check", report)).content.decode()
    # The comms officer, who may publish, sees the same refusal.
    assert client_for(world.personas["comms"]).post(url("publish", report)).status_code == 400
    # A new version, its hits redacted by the drafter, signed again: the head publishes.
    assert drafter.post(url("workflow", report, action="new")).status_code == 302
    clear_by_redacting(drafter, report)
    sign(world, report)
    # The text the drafter checked is now signed as the head reads it: check it again.
    assert "run the check again" in head.get(url("check", report)).content.decode()
    assert head.post(url("check", report)).status_code == 302
    page = head.get(url("check", report)).content.decode()
    assert "Everything is clear" in page
    assert url("publish", report) in page
    with django_capture_on_commit_callbacks(execute=True):
        assert head.post(url("publish", report)).status_code == 302
    report.refresh_from_db()
    assert report.published_version == latest(report) and report.published_at is not None
    assert "Published" in head.get(url("detail", report)).content.decode()
    assert (
        "P-02"
        not in client_for(world.head)
        .get(reverse("public:report", args=[report.pk]))
        .content.decode()
    )
    # Publishing is for the head and comms: the monitor gets 403.
    assert client_for(world.monitor).post(url("publish", report)).status_code == 403


def test_it_refuses_an_unsigned_version_for_publication(
    world: Any, report: Report, client_for: Any
) -> None:
    head = client_for(world.head)
    assert head.post(url("publish", report)).status_code == 400
    report.refresh_from_db()
    assert report.published_at is None
    body = head.get(url("check", report)).content.decode()
    assert "not signed" in body


# -- dissemination ---------------------------------------------------------------------------


def test_it_records_a_sending_and_its_acknowledgement(
    world: Any, report: Report, client_for: Any
) -> None:
    signed = sign(world, report)
    monitor = client_for(world.monitor)
    page = monitor.get(url("disseminations", report)).content.decode()
    assert "Not sent to anyone yet." in page
    form = {
        "version": signed.pk,
        "variant": "confidential",
        "authority": world.administration.pk,
        "tier": Dissemination.Tier.NATIONAL,
        "channel": Dissemination.Channel.EMAIL,
        "sent_on": "2026-04-02",
    }
    assert monitor.post(url("disseminations", report), {**form, "authority": ""}).status_code == 400
    assert monitor.post(url("disseminations", report), form).status_code == 302
    sent = Dissemination.objects.get(report=report)
    page = monitor.get(url("disseminations", report)).content.decode()
    assert "Prison Administration" in page and "2026-04-02" in page
    ack = url("dissemination_ack", report, dissemination_pk=sent.pk)
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert monitor.post(ack, {"on": future}).status_code == 400
    assert monitor.post(ack, {"on": "2026-04-10"}).status_code == 302
    sent.refresh_from_db()
    assert sent.acknowledged_on == dt.date(2026, 4, 10)
    # The doctor sees who received it but may not record a sending.
    doctor = client_for(world.personas["doctor"])
    assert doctor.get(url("disseminations", report)).status_code == 200
    assert doctor.post(url("disseminations", report), form).status_code == 403
    assert Dissemination.objects.count() == 1


def test_it_answers_404_on_the_publication_pages_to_an_outsider(
    world: Any, report: Report, client_for: Any
) -> None:
    write(world, report, PSEUDONYM_SENTENCE)
    run = services_publication.check_run(actor=world.head, version=latest(report))
    hit = run.hits.first()
    assert hit is not None
    redaction = services_publication.redaction_add(
        actor=world.head, version=latest(report), section="summary", passage="showers"
    )
    sign(world, report)
    sent = services_publication.dissemination_add(
        actor=world.head,
        report=report,
        data={
            "version": latest(report).pk,
            "variant": "confidential",
            "authority": world.ministry.pk,
            "tier": "national",
            "channel": "post",
            "sent_on": dt.date(2026, 4, 1),
        },
    )
    routes = [
        ("post", url("hit_redact", report, hit_pk=hit.pk)),
        ("get", url("hit_override", report, hit_pk=hit.pk)),
        ("post", url("hit_override", report, hit_pk=hit.pk)),
        ("post", url("redaction_remove", report, redaction_pk=redaction.pk)),
        ("post", url("dissemination_ack", report, dissemination_pk=sent.pk)),
        ("get", url("check", report)),
        ("get", url("disseminations", report)),
        ("get", url("public_preview", report)),
    ]
    for persona in ("admin", "auditor", "outsider", "expert"):
        client = client_for(world.personas[persona])
        for method, path in routes:
            assert getattr(client, method)(path).status_code == 404, (persona, method, path)
    # A hit of this report is not reachable under another report, even for the head.
    other = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2025)
    head = client_for(world.head)
    assert head.get(url("hit_override", other, hit_pk=hit.pk)).status_code == 404
    assert Redaction.objects.filter(pk=redaction.pk).exists()
    assert latest(report).state == State.SIGNED
