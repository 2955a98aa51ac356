"""The access matrix's tables for reports (¶19, 21, 22, 38). See
habeas/core/tests/access_matrix.py and access_world.py for how they are used.

The world, built through the services on habeas/reports/tests/factories.py's records:
- `report`: a draft visit report on the Northgate visit (unannounced, debriefed; team:
  the head, the monitor and an external expert who is not the `expert` persona), with a
  comment, a publication check whose hit is an interview's pseudonym, a redaction and
  the head's PDF of the draft;
- `signed_report`: a visit report on the police station's visit, signed, published,
  sent to the ministry;
- elsewhere: an urgent communication on the same visit with its own comment, hit,
  redaction and rendering, and a dissemination of the draft.

Audiences are written out by hand from `ReportQuerySet`'s docstring in
habeas/reports/models.py, never computed from roles.PERMISSIONS: a report drawn from a
visit is seen by those with `reports.view` who see that visit, the communications
officer only once signed; a rendering of a draft only by who asked for it. The public
pages show a published report to everyone, signed in or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from habeas.core.tests.matrix_base import EVERYONE, Record

# Those who see the Northgate visit and may read reports: the head and the monitor (on
# its team and planners), the doctor and the data officer (every visit once it began).
DRAFT_READERS = frozenset({"head", "monitor", "doctor", "data_officer"})
# Once signed, the communications officer too (to send and publish it).
SIGNED_READERS = DRAFT_READERS | {"comms"}
# A rendering of a draft was built as its requester saw the records: theirs alone.
REQUESTER = frozenset({"head"})


@dataclass(frozen=True)
class Token:
    """A path argument that is a word, not a record id (a section key, an action)."""

    pk: Any


RECORDS: dict[tuple[str, str], Record] = {
    ("reports", "reports/<pk>"): Record("report", DRAFT_READERS),
    ("reports", "versions/<number>"): Record("version_number"),
    ("reports", "sections/<key>"): Record("section_key"),
    ("reports", "workflow/<action>"): Record("workflow_action"),
    ("reports", "figures/<key>"): Record("figure_key"),
    ("reports", "comments/<comment_pk>"): Record(
        "report_comment", elsewhere="a comment on another report"
    ),
    ("reports", "hits/<hit_pk>"): Record("report_hit", elsewhere="a hit of another report"),
    ("reports", "redactions/<redaction_pk>"): Record(
        "report_redaction", elsewhere="a redaction of another report"
    ),
    ("reports", "disseminations/<dissemination_pk>"): Record(
        "dissemination", elsewhere="a dissemination of another report"
    ),
    ("reports", "renderings/<rendering_pk>"): Record(
        "rendering", REQUESTER, elsewhere="a rendering of another report"
    ),
    ("public", "reports/<pk>"): Record("signed_report", EVERYONE),
    ("public", "<int:pk>/<fmt>"): Record("file_format"),
}
# Dissemination and withdrawal concern the signed report: a draft is sent nowhere.
ROUTE_RECORDS: dict[tuple[str, str], Record] = {
    ("reports:disseminations", "pk"): Record("signed_report", SIGNED_READERS),
    ("reports:dissemination_ack", "pk"): Record("signed_report", SIGNED_READERS),
    ("reports:unpublish", "pk"): Record("signed_report", SIGNED_READERS),
}
EXCEPTIONS: dict[str, str] = {
    "public-report-detail": (
        "the API's public listing (a DRF route without a page pattern); "
        "habeas/reports/tests/test_api*.py cover it, published and not"
    ),
}
RECORD_NAMES: set[str] = {
    "report",
    "signed_report",
    "report_comment",
    "report_hit",
    "report_redaction",
    "dissemination",
    "rendering",
    "version_number",
    "section_key",
    "workflow_action",
    "figure_key",
    "file_format",
}

SENT_ON = dt.date(2026, 7, 1)


def _section(w: Any) -> dict[str, Any]:
    return {"text": "The delegation saw every wing.", "version": w.records["version"].version}


def _settings(w: Any) -> dict[str, Any]:
    report = w.report
    return {"title": "Matrix report", "language": "en", "k": "6", "version": report.version}


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "reports:settings": _settings,
    "reports:section": _section,
    "reports:comment_add": lambda w: {"section": "", "text": "Shorten the summary."},
    "reports:hit_override": lambda w: {"reason": "The pseudonym is a cell number here."},
    "reports:redaction_add": lambda w: {
        "section": "summary",
        "passage": "overcrowded",
        "replacement": "[…]",
        "reason": "",
    },
    "reports:unpublish": lambda w: {"reason": "A name was found after publication."},
    "reports:disseminations": lambda w: {
        "version": w.records["signed_version"].pk,
        "variant": "confidential",
        "authority": w.records["ministry"].pk,
        "recipient": "",
        "tier": "national",
        "channel": "email",
        "sent_on": SENT_ON.isoformat(),
        "note": "",
    },
    "reports:dissemination_ack": lambda w: {"on": (SENT_ON + dt.timedelta(days=9)).isoformat()},
    "reports:render": lambda w: {"variant": "confidential", "fmt": "pdf"},
}
WRITERS: dict[str, str] = {}
NO_CHANGE: dict[str, str] = {
    "reports:publish": "the world's report is a draft: publication is refused until it is signed",
}

SUMMARY = "The wings were overcrowded; P-02 spoke of it."


def _with_hit(head: Any, report: Any, key: str, text: str) -> tuple[Any, Any, Any]:
    """Write `text` in the section `key`, redact "wings" in it, then run the check: its
    hit is the pseudonym."""
    from habeas.reports import services, services_publication

    version = services.latest_version(report)
    version = services.version_edit(
        actor=head,
        version=version,
        sections={key: text},
        public_omit=None,
        expected_version=version.version,
    )
    redaction = services_publication.redaction_add(
        actor=head, version=version, section=key, passage="wings", reason=""
    )
    version.refresh_from_db()
    run = services_publication.check_run(actor=head, version=version)
    return version, redaction, run.hits.filter(code="pseudonym").first()


def _children(head: Any, report: Any, key: str, needs: set[str]) -> dict[str, Any]:
    from habeas.reports import services, services_render, tasks

    version, redaction, hit = _with_hit(head, report, key, SUMMARY)
    comment = services.comment_add(actor=head, version=version, section="", text="Check dates.")
    rendering = services_render.rendering_request(
        actor=head, version=version, variant="confidential", fmt="pdf"
    )
    if "rendering" in needs:  # the PDF itself, only for the routes that name one
        tasks.render_report.call(rendering_id=rendering.pk)
        rendering.refresh_from_db()
    return {
        "version": version,
        "report_hit": hit,
        "report_comment": comment,
        "report_redaction": redaction,
        "rendering": rendering,
    }


def _signed(people: dict[str, Any], w: Any) -> tuple[Any, Any]:
    from habeas.reports import services, services_publication
    from habeas.reports.tests.factories import report_factory

    head, monitor = people["head"], people["monitor"]
    report = report_factory(kind="visit", actor=head, visit=w.police_visit)
    version = services.version_submit(actor=head, version=services.latest_version(report))
    version = services.version_approve(actor=monitor, version=version)
    version = services.version_sign(actor=head, version=version)
    run = services_publication.check_run(actor=head, version=version)
    for hit in run.hits.filter(status="open"):
        services_publication.hit_override(
            actor=head, hit=hit, reason="Reviewed by the head for the matrix."
        )
    services_publication.report_publish(actor=head, report=report)
    report.refresh_from_db()
    return report, version


def build(
    people: dict[str, Any], make_user: Callable[..., Any], needs: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    from habeas.reports import content, services, services_publication
    from habeas.reports.models import Dissemination
    from habeas.reports.tests.factories import report_factory, report_world

    head = people["head"]
    w = report_world(people, make_user)
    report = report_factory(kind="visit", actor=head, visit=w.visit)
    mine = _children(head, report, "summary", needs)
    urgent = report_factory(
        kind="urgent", actor=head, visit=w.visit, recommendation=w.recommendations[1]
    )
    theirs = _children(head, urgent, "letter", needs)
    signed_report, signed_version = _signed(people, w)
    sent = services_publication.dissemination_add(
        actor=head,
        report=signed_report,
        data={
            "version": signed_version.pk,
            "variant": "confidential",
            "authority": w.ministry.pk,
            "tier": "national",
            "channel": "post",
            "sent_on": SENT_ON,
        },
    )
    # A draft is never sent through the services; the row stands for "another report's".
    foreign_sent = Dissemination.objects.create(
        report=report,
        version=mine["version"],
        variant="confidential",
        authority=w.ministry,
        tier="national",
        channel="post",
        sent_on=SENT_ON,
        created_by=head,
    )
    figures = content.build_content(user=head, report=report, version=mine["version"]).figures
    report.refresh_from_db()
    world = {
        "report": report,
        **mine,
        "signed_report": signed_report,
        "signed_version": signed_version,
        "dissemination": sent,
        "ministry": w.ministry,
        "version_number": Token(1),
        "section_key": Token("summary"),
        "workflow_action": Token("submit"),
        "figure_key": Token(next(iter(figures))),
        "file_format": Token("pdf"),
    }
    services.latest_version(report)  # the world's report keeps its one draft version
    return world, {
        "a comment on another report": theirs["report_comment"],
        "a hit of another report": theirs["report_hit"],
        "a redaction of another report": theirs["report_redaction"],
        "a rendering of another report": theirs["rendering"],
        "a dissemination of another report": foreign_sent,
    }
