"""The briefing pack of a visit (¶13, 17): read from the records, never typed again.

`briefing_pack` reads, once and with a fixed number of queries whatever the place's
history, everything the team should know before going in: the place's profile and
population trend, the previous visits and their findings, the urgent recommendations
still open, the people under reprisal watch held there (pseudonyms only, for team
members granted on them), the information received since the last visit and the
checklist. The page and the PDF render the same `BriefingPack`.

Every read starts from `restrict`: a previous visit, finding or watch the reader may not
see is not in the pack. Reading the pack is audited (`briefing_record_read`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from habeas.cases.models import ReprisalWatch
from habeas.core import audit
from habeas.places.models import Place, PlaceDocument, PopulationGroup, PopulationRecord, Unit
from habeas.visits.guidelines import ThemeItems, guideline_for_visit, items_by_theme
from habeas.visits.models import Finding, Guideline, TeamAssignment, Theme, UrgentDraft, Visit

# Findings are given in full for the most recent previous visits; older visits are
# counted, so that twenty years of history stay a readable pack.
DETAILED_VISITS = 3


@dataclass(frozen=True)
class FindingGroup:
    theme: str
    label: str
    findings: list[Finding]


@dataclass
class PreviousVisit:
    visit: Visit
    urgent: int
    key: int
    general: int
    good: int
    detailed: bool = False
    themes: list[FindingGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.urgent + self.key + self.general + self.good


@dataclass(frozen=True)
class OpenRecommendation:
    draft: UrgentDraft
    overdue: bool


@dataclass(frozen=True)
class TrackedRecommendation:
    """A recommendation sent about the place and not settled, as the tracker has it."""

    recommendation: Any
    overdue: bool
    response_overdue: bool


@dataclass(frozen=True)
class WatchLine:
    """What the pack shows of a watch: its reference and pseudonym, nothing else."""

    pk: Any
    reference: str
    pseudonym: str


@dataclass
class BriefingPack:
    visit: Visit
    place: Place
    groups: list[PopulationGroup]
    units: list[Unit]
    population: list[PopulationRecord]
    population_chart: SafeString | None
    previous: list[PreviousVisit]
    recommendations: list[OpenRecommendation]
    # The place's recommendations sent and not settled (empty until the module is installed).
    tracked: list[TrackedRecommendation]
    # None: the reader is not on the team, and the pack says nothing of watches at all.
    watches: list[WatchLine] | None
    information: list[PlaceDocument]
    information_since: dt.date | None
    guideline: Guideline | None
    checklist: list[ThemeItems]
    produced_at: dt.datetime

    @property
    def latest_population(self) -> PopulationRecord | None:
        return self.population[-1] if self.population else None

    @property
    def occupancy(self) -> int | None:
        latest = self.latest_population
        if latest is None or not self.place.capacity:
            return None
        return round(100 * latest.population / self.place.capacity)

    @property
    def last_visit(self) -> Visit | None:
        return self.previous[0].visit if self.previous else None

    @property
    def detailed(self) -> list[PreviousVisit]:
        return [entry for entry in self.previous if entry.detailed]


# Reading the pack -------------------------------------------------------------------


def visit_for_briefing(*, user: Any, visit_pk: int) -> Visit | None:
    """The visit if the user may see it (else None, which the pages answer with 404)."""
    return (
        Visit.objects.restrict(user, "view")
        .select_related("place__category", "place__authority", "place__region", "lead")
        .filter(pk=visit_pk)
        .first()
    )


def briefing_pack(*, user: Any, visit: Visit) -> BriefingPack:
    """Everything the pack shows, read with a bounded number of queries."""
    place = visit.place
    population = list(place.population.order_by("recorded_on"))
    previous = previous_visits(user=user, visit=visit)
    guideline = guideline_for_visit(visit)
    return BriefingPack(
        visit=visit,
        place=place,
        groups=list(place.groups.all()),
        units=list(place.units.filter(active=True).order_by("name")),
        population=population,
        population_chart=population_chart(population, capacity=place.capacity),
        previous=previous,
        recommendations=open_recommendations(user=user, previous=previous),
        tracked=tracked_recommendations(user=user, place=place),
        watches=watches_for_team(user=user, visit=visit),
        information=information_since(place=place, previous=previous),
        information_since=previous[0].visit.ends_on if previous else None,
        guideline=guideline,
        checklist=items_by_theme(guideline),
        produced_at=timezone.now(),
    )


def previous_visits(*, user: Any, visit: Visit) -> list[PreviousVisit]:
    """Earlier visits to the place that the reader may see, newest first, with their
    findings counted; the most recent ones carry their findings grouped by theme."""
    concern = Q(findings__kind=Finding.Kind.CONCERN)
    rows = (
        Visit.objects.restrict(user, "view")
        .filter(place_id=visit.place_id, starts_on__lt=visit.starts_on)
        .exclude(pk=visit.pk)
        .annotate(
            urgent=Count("findings", filter=concern & Q(findings__severity="urgent")),
            key=Count("findings", filter=concern & Q(findings__severity="key")),
            general=Count(
                "findings", filter=concern & ~Q(findings__severity__in=["urgent", "key"])
            ),
            good=Count("findings", filter=Q(findings__kind=Finding.Kind.GOOD_PRACTICE)),
        )
        .order_by("-starts_on", "-pk")
    )
    previous = [
        PreviousVisit(row, row.urgent, row.key, row.general, row.good)  # type: ignore[attr-defined]
        for row in rows
    ]
    recent = {entry.visit.pk: entry for entry in previous[:DETAILED_VISITS]}
    findings: dict[int, list[Finding]] = defaultdict(list)
    for finding in (
        Finding.objects.restrict(user, "view")
        .filter(visit_id__in=list(recent))
        .select_related("unit")
        .order_by("id")
    ):
        findings[finding.visit_id].append(finding)
    for pk, entry in recent.items():
        entry.detailed = True
        entry.themes = group_by_theme(findings[pk])
    return previous


def group_by_theme(findings: Sequence[Finding]) -> list[FindingGroup]:
    """Themes in DOMAIN.md's order; in each, urgent, then key, general, good practice."""
    rank = {"urgent": 0, "key": 1}

    def order(finding: Finding) -> tuple[int, int]:
        if finding.kind == Finding.Kind.GOOD_PRACTICE:
            return (3, finding.pk)
        return (rank.get(finding.severity, 2), finding.pk)

    return [
        FindingGroup(theme, str(label), sorted(chosen, key=order))
        for theme, label in Theme.choices
        if (chosen := [f for f in findings if f.theme == theme])
    ]


def open_recommendations(*, user: Any, previous: list[PreviousVisit]) -> list[OpenRecommendation]:
    """Urgent recommendation drafts of the previous visits. Until the recommendations
    module is installed they are the only recommendations Habeas knows of."""
    today = timezone.localdate()
    drafts = (
        UrgentDraft.objects.restrict(user, "view")
        .filter(visit_id__in=[entry.visit.pk for entry in previous])
        .select_related("addressee", "visit")
        .order_by("deadline", "pk")
    )
    return [OpenRecommendation(draft, draft.deadline < today) for draft in drafts]


def tracked_recommendations(*, user: Any, place: Place) -> list[TrackedRecommendation]:
    """The place's recommendations sent and not yet achieved or no longer relevant, with
    their response and implementation status; one query, through `restrict`."""
    from habeas.recommendations.models import SETTLED, Recommendation

    today = timezone.localdate()
    rows = (
        Recommendation.objects.restrict(user, "view")
        .filter(place_id=place.pk, state=Recommendation.State.SENT)
        .exclude(implementation__in=SETTLED)
        .select_related("addressee")
        .order_by(F("deadline").asc(nulls_last=True), "reference")
    )
    return [
        TrackedRecommendation(
            recommendation=row,
            overdue=row.deadline is not None and row.deadline < today,
            response_overdue=(
                row.response in ("", "no_reply")
                and row.response_due is not None
                and row.response_due < today
            ),
        )
        for row in rows
    ]


def watches_for_team(*, user: Any, visit: Visit) -> list[WatchLine] | None:
    """Pseudonyms and references of the people under watch held at the place, only those
    the reader is granted on, and only for a member of the visit's team. None for anyone
    else: the pack then shows no heading and no count."""
    if not TeamAssignment.objects.filter(visit=visit, user=user).exists():
        return None
    watches = (
        ReprisalWatch.objects.restrict(user)
        .filter(place=visit.place_id, status=ReprisalWatch.Status.ACTIVE)
        .order_by("reference")
        .values_list("pk", "reference", "pseudonym")
    )
    return [WatchLine(pk, reference, pseudonym) for pk, reference, pseudonym in watches]


def information_since(*, place: Place, previous: list[PreviousVisit]) -> list[PlaceDocument]:
    """Information received about the place after the end of the last visit (all of it
    if the place was never visited)."""
    documents = place.documents.filter(kind=PlaceDocument.Kind.INFORMATION)
    if previous:
        since = previous[0].visit.ends_on
        documents = documents.filter(
            Q(received_on__gt=since) | Q(received_on__isnull=True, created_at__date__gt=since)
        )
    return list(documents.order_by("-received_on", "-created_at"))


def briefing_record_read(*, actor: Any, visit: Visit, file_format: str) -> None:
    """Reading the pack is audited: it gathers a place's history and, for the team,
    the pseudonyms of people under watch."""
    audit.record(
        actor=actor, action="visit.briefing_read", obj=visit, detail={"format": file_format}
    )


# The population trend ---------------------------------------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 180
PAD_START = 48
PAD_END = 12
PAD_TOP = 12
PAD_BOTTOM = 26
INK = "#1d2430"
LINE = "#1f4e79"
GRID = "#d6dae1"
CAPACITY = "#a4262c"


def population_chart(
    records: Sequence[PopulationRecord], *, capacity: int | None, chart_id: str = "population"
) -> SafeString | None:
    """The people held over time as a line, with the capacity dashed, drawn on the server.

    Colours are presentation attributes, not a stylesheet: the page's CSP forbids inline
    styles, and WeasyPrint does not apply the document's stylesheet inside an SVG.
    """
    if not records:
        return None
    first, last = records[0].recorded_on, records[-1].recorded_on
    span = max((last - first).days, 1)
    top = max([record.population for record in records] + [capacity or 0, 1]) * 1.1
    inner_w = CHART_WIDTH - PAD_START - PAD_END
    inner_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: dt.date) -> float:
        return round(PAD_START + inner_w * (day - first).days / span, 1)

    def y(value: float) -> float:
        return round(PAD_TOP + inner_h * (1 - value / top), 1)

    points = " ".join(f"{x(r.recorded_on)},{y(r.population)}" for r in records)
    if len(records) == 1:
        points += f" {CHART_WIDTH - PAD_END},{y(records[0].population)}"
    parts = [_axes(first, last, top, y), _capacity_line(capacity, y)]
    parts.append(
        format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"></polyline>',
            points,
            LINE,
        )
    )
    title = _("People held from %(first)s to %(last)s; latest count %(latest)s") % {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "latest": records[-1].population,
    }
    if capacity:
        title += " " + _("(the dashed line is the capacity, %(capacity)s)") % {"capacity": capacity}
    return format_html(
        '<svg class="population-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}">'
        '<title id="{id}">{title}</title>{body}</svg>',
        w=CHART_WIDTH,
        h=CHART_HEIGHT,
        id=chart_id,
        title=title,
        body=format_html_join("", "{}", ((part,) for part in parts)),
    )


def _axes(first: dt.date, last: dt.date, top: float, y: Any) -> SafeString:
    base, peak = y(0), y(top / 1.1)
    label = 'font-size="11" fill="{}"'.format(INK)  # noqa: UP032 - a constant, no user text
    return format_html(
        '<line x1="{s}" y1="{b}" x2="{e}" y2="{b}" stroke="{g}"></line>'
        '<line x1="{s}" y1="{p}" x2="{e}" y2="{p}" stroke="{g}" stroke-dasharray="2 3"></line>'
        '<text x="{t}" y="{b}" text-anchor="end" dominant-baseline="middle" {a}>0</text>'
        '<text x="{t}" y="{p}" text-anchor="end" dominant-baseline="middle" {a}>{top}</text>'
        '<text x="{s}" y="{yb}" text-anchor="start" {a}>{first}</text>'
        '<text x="{e}" y="{yb}" text-anchor="end" {a}>{last}</text>',
        s=PAD_START,
        e=CHART_WIDTH - PAD_END,
        b=base,
        p=peak,
        g=GRID,
        t=PAD_START - 6,
        yb=CHART_HEIGHT - 6,
        a=SafeString(label),
        top=round(top / 1.1),
        first=first.strftime("%Y-%m"),
        last=last.strftime("%Y-%m"),
    )


def _capacity_line(capacity: int | None, y: Any) -> SafeString:
    if not capacity:
        return SafeString("")
    return format_html(
        '<line x1="{}" y1="{c}" x2="{}" y2="{c}" stroke="{}" stroke-width="1.5" '
        'stroke-dasharray="6 4"></line>',
        PAD_START,
        CHART_WIDTH - PAD_END,
        CAPACITY,
        c=y(capacity),
    )
