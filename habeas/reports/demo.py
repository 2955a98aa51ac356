"""The demo NPM's reports (¶19, 21, 22, 31d, 38).

`demo_load_reports(scale=..., seed=...)` runs after every other demo loader (places,
visits, cases, recommendations, legislation, partners, intake, planning), in the same
transaction. Through the services, as the demo's monitor (who drafts) and head (who
reviews and signs), it writes:

- signed visit reports for the latest visits past their debrief (3 at small scale, 6
  otherwise), the first of them checked for publication, every hit redacted with the
  check's proposal before signing, and published when nothing is left open;
- a signed thematic report on the theme with the most concerns over the last three
  full years;
- a signed annual report for the last full year;
- a follow-up report, in draft, for the place with the most recommendations sent;
- an urgent communication, in review, for the latest urgent recommendation of a visit.

The same seed writes the same reports; dates follow today.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from habeas.accounts.demo import demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.demo import DemoRefused
from habeas.recommendations.models import Priority, Recommendation
from habeas.reports import services, services_publication
from habeas.reports.models import Hit, Kind, Report, ReportVersion
from habeas.visits.models import Finding, Visit

VISIT_REPORTS = {"small": 3, "national": 6, "large": 6}
AFTER_DEBRIEF = (
    Visit.State.DEBRIEFED,
    Visit.State.REPORT_DRAFTED,
    Visit.State.REPORT_SENT,
    Visit.State.RESPONSE_RECEIVED,
    Visit.State.CLOSED,
)
MAX_REDACTION_ROUNDS = 40
CLOSING = (
    "The delegation thanks the management and staff for their cooperation, and the people "
    "held who agreed to speak with it."
)


@dataclass
class ReportsDemoSummary:
    visit_reports: int = 0
    published: int = 0
    thematic: int = 0
    annual: int = 0
    follow_up: int = 0
    urgent: int = 0
    redactions: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        """One line for `manage.py demo`."""
        line = (
            f"Reports: {self.visit_reports} signed visit reports ({self.published} published, "
            f"{self.redactions} passages redacted), {self.thematic} thematic and "
            f"{self.annual} annual report signed, {self.follow_up} follow-up report in draft, "
            f"{self.urgent} urgent communication in review ({self.seconds:.1f} s)."
        )
        return line + ("" if not self.notes else " " + " ".join(self.notes))


def _account(role: str) -> User:
    user = User.objects.filter(email=demo_email(role)).first()
    if user is None:
        raise DemoRefused(f"The demo account {demo_email(role)} is missing.")
    return user


def _through_review(monitor: User, head: User, version: ReportVersion) -> ReportVersion:
    services.version_submit(actor=monitor, version=version)
    services.version_approve(actor=head, version=version)
    return version


def _sign(monitor: User, head: User, report: Report) -> ReportVersion:
    version = services.latest_version(report)
    _through_review(monitor, head, version)
    return services.version_sign(actor=head, version=version)


def _redact_until_clear(head: User, version: ReportVersion) -> int:
    """Run the check, redact the first open hit with its proposal, again, until the
    check finds nothing open. Returns the passages redacted (-1 if it never cleared)."""

    for redacted in range(MAX_REDACTION_ROUNDS):
        run = services_publication.check_run(actor=head, version=version)
        hit = run.hits.filter(status=Hit.Status.OPEN).order_by("section", "start", "id").first()
        if hit is None:
            return redacted
        try:
            services_publication.redaction_from_hit(actor=head, hit=hit)
        except ValidationError:
            return -1
    return -1


def _visit_reports(
    summary: ReportsDemoSummary, monitor: User, head: User, count: int, rng: random.Random
) -> None:
    visits = list(
        Visit.objects.filter(state__in=AFTER_DEBRIEF)
        .order_by("-ends_on", "-id")
        .values_list("pk", flat=True)[: count * 3]
    )
    chosen = sorted(rng.sample(visits, min(count, len(visits))), reverse=True)
    for position, visit_pk in enumerate(chosen):
        visit = Visit.objects.get(pk=visit_pk)
        report = services.report_create(actor=monitor, data={"kind": Kind.VISIT, "visit": visit})
        version = services.latest_version(report)
        summary_text = version.sections.get("summary", "")
        services.version_edit(
            actor=monitor,
            version=version,
            sections={"summary": f"{summary_text}\n\n{CLOSING}".strip()},
            public_omit=None,
            expected_version=version.version,
        )
        version.refresh_from_db()
        to_publish = position == 0
        if to_publish:
            redacted = _redact_until_clear(head, version)
            if redacted < 0:
                summary.notes.append(
                    f"({report.reference}: the publication check could not be cleared "
                    "by redaction; left for the head.)"
                )
                to_publish = False
            else:
                summary.redactions += redacted
        _sign(monitor, head, report)
        summary.visit_reports += 1
        if to_publish:
            try:
                services_publication.report_publish(actor=head, report=report)
                summary.published += 1
            except ValidationError as refused:
                summary.notes.append(
                    f"({report.reference} not published: {'; '.join(refused.messages)})"
                )


def _thematic(summary: ReportsDemoSummary, monitor: User, head: User, today: dt.date) -> None:
    start, end = dt.date(today.year - 3, 1, 1), dt.date(today.year - 1, 12, 31)
    theme = (
        Finding.objects.filter(
            kind=Finding.Kind.CONCERN, visit__starts_on__gte=start, visit__starts_on__lte=end
        )
        .values_list("theme")
        .annotate(n=Count("id"))
        .order_by("-n", "theme")
        .values_list("theme", flat=True)
        .first()
    )
    if theme is None:
        summary.notes.append("(No concern in the last three years: no thematic report.)")
        return
    report = services.report_create(
        actor=monitor,
        data={"kind": Kind.THEMATIC, "theme": theme, "period_start": start, "period_end": end},
    )
    _sign(monitor, head, report)
    summary.thematic += 1


def _annual(summary: ReportsDemoSummary, monitor: User, head: User, today: dt.date) -> None:
    report = services.report_create(
        actor=monitor, data={"kind": Kind.ANNUAL, "year": today.year - 1}
    )
    _sign(monitor, head, report)
    summary.annual += 1


def _follow_up(summary: ReportsDemoSummary, monitor: User) -> None:
    place_id = (
        Recommendation.objects.filter(state=Recommendation.State.SENT, place__isnull=False)
        .values_list("place")
        .annotate(n=Count("id"))
        .order_by("-n", "place")
        .values_list("place", flat=True)
        .first()
    )
    if place_id is None:
        summary.notes.append("(No recommendation sent: no follow-up report.)")
        return
    services.report_create(actor=monitor, data={"kind": Kind.FOLLOW_UP, "place": place_id})
    summary.follow_up += 1


def _urgent(summary: ReportsDemoSummary, monitor: User) -> None:
    recommendation = (
        Recommendation.objects.filter(
            priority=Priority.URGENT,
            visit__isnull=False,
            visit__state__in=(Visit.State.IN_PROGRESS, *AFTER_DEBRIEF),
        )
        .select_related("visit")
        .order_by("-created_at", "-id")
        .first()
    )
    if recommendation is None:
        summary.notes.append("(No urgent recommendation: no urgent communication.)")
        return
    report = services.report_create(
        actor=monitor,
        data={
            "kind": Kind.URGENT,
            "visit": recommendation.visit,
            "recommendation": recommendation,
        },
    )
    services.version_submit(actor=monitor, version=services.latest_version(report))
    summary.urgent += 1


def demo_load_reports(*, scale: str, seed: int = 1) -> ReportsDemoSummary:
    """Write the demo's reports; refuses in production, or if reports exist already."""
    started = time.monotonic()
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    if scale not in VISIT_REPORTS:
        raise DemoRefused(f"Unknown scale {scale!r}: choose one of {', '.join(VISIT_REPORTS)}.")
    if Report.objects.exists():
        raise DemoRefused("Reports exist already; the demo loads only into none.")
    head, monitor = _account(Role.HEAD), _account(Role.MONITOR)
    rng = random.Random(f"reports-{seed}")  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    summary = ReportsDemoSummary()
    _visit_reports(summary, monitor, head, VISIT_REPORTS[scale], rng)
    _thematic(summary, monitor, head, today)
    _annual(summary, monitor, head, today)
    _follow_up(summary, monitor)
    _urgent(summary, monitor)
    summary.seconds = time.monotonic() - started
    return summary
