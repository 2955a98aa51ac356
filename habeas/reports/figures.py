"""The records behind a report's figure: a reader inside the NPM clicks a count and sees
the list (¶19, 38).

`figure_records(user=..., report=..., key=...)` parses the figure's key and reads the
very querysets the content was counted from (`selectors`), through `restrict` as the
clicking user, so the list never shows more than that user may see. An interview is
listed by its kind, unit and day only, and links nowhere: never a pseudonym, never an
identity. An unknown key, or a report the user may not see, answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from habeas.intake.models import Status as SubmissionStatus
from habeas.places.models import Category, Place, Region
from habeas.recommendations.models import Implementation, ResponseStatus
from habeas.reports import content_periodic, selectors
from habeas.reports.content import NONE, day
from habeas.reports.models import Kind, Report
from habeas.visits.models import Difficulty, Finding, Interview, Theme, Visit


@dataclass
class FigureRecords:
    label: str
    columns: list[str]
    rows: list[list[tuple[str, str]]]  # (text, url or "")
    total: int


Row = list[tuple[str, str]]


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _date(value: dt.date | dt.datetime | None) -> str:
    return day(value)


# -- how each kind of record is listed --------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    columns: Callable[[], list[str]]
    row: Callable[[Any], Row]
    related: tuple[str, ...] = ()
    order: tuple[str, ...] = ()


def _interview_row(i: Interview) -> Row:
    return [
        (i.get_kind_display(), ""),
        (i.unit.name if i.unit_id and i.unit else _("Unit not recorded"), ""),
        (_date(i.held_at), ""),
    ]


def _visit_row(v: Visit) -> Row:
    return [
        (v.reference, _url("visits:visit_detail", visit_pk=v.pk)),
        (v.place.name, _url("places:detail", pk=v.place_id)),
        (f"{_date(v.starts_on)} – {_date(v.ends_on)}", ""),
        (v.get_kind_display(), ""),
    ]


def _finding_row(f: Finding) -> Row:
    return [
        (f.visit.reference, _url("visits:visit_detail", visit_pk=f.visit_id)),
        (f.get_theme_display(), ""),
        (f.get_severity_display() if f.severity else f.get_kind_display(), ""),
        (
            " ".join(f.statement.split()),
            _url("visits:finding_detail", visit_pk=f.visit_id, finding_pk=f.pk),
        ),
    ]


def _recommendation_row(r: Any) -> Row:
    return [
        (r.reference, _url("recommendations:detail", recommendation_pk=r.pk)),
        (" ".join(r.text.split()), ""),
        (dict(ResponseStatus.choices).get(r.response, _("No response recorded")), ""),
        (dict(Implementation.choices).get(r.implementation, _("Not verified yet")), ""),
    ]


def _place_row(p: Place) -> Row:
    return [
        (p.name, _url("places:detail", pk=p.pk)),
        (p.category.name, ""),
        (p.region.name if p.region_id and p.region else "—", ""),
    ]


def _unit_row(u: Any) -> Row:
    unit = getattr(u, "unit", u)
    return [(unit.name, ""), (str(unit.capacity) if unit.capacity is not None else "—", "")]


def _submission_row(s: Any) -> Row:
    return [
        (s.reference, _url("intake:detail", pk=s.pk)),
        (_date(s.received_on), ""),
        (dict(SubmissionStatus.choices).get(s.status, s.status), ""),
    ]


def _communication_row(c: Any) -> Row:
    return [
        (c.reference, _url("partners:communication", pk=c.pk)),
        (_date(c.occurred_on), ""),
        (c.get_kind_display(), ""),
        (c.subject, ""),
    ]


def _difficulty_row(d: Difficulty) -> Row:
    return [
        (d.get_kind_display(), ""),
        (_date(d.occurred_at), ""),
        (d.visit.reference, _url("visits:difficulty_list", visit_pk=d.visit_id)),
    ]


def _report_row(r: Report) -> Row:
    return [
        (r.reference, _url("reports:detail", pk=r.pk)),
        (r.title, ""),
        (_date(r.signed_at), ""),
    ]


LISTINGS: dict[str, Listing] = {
    "interview": Listing(
        lambda: [_("Kind"), _("Unit"), _("Day")], _interview_row, ("unit",), ("held_at", "id")
    ),
    "visit": Listing(
        lambda: [_("Visit"), _("Place"), _("Dates"), _("Type")],
        _visit_row,
        ("place",),
        ("-starts_on", "-id"),
    ),
    "finding": Listing(
        lambda: [_("Visit"), _("Theme"), _("Severity"), _("Statement")],
        _finding_row,
        ("visit",),
        ("-visit__starts_on", "theme", "id"),
    ),
    "recommendation": Listing(
        lambda: [_("Reference"), _("Recommendation"), _("Response"), _("Implementation")],
        _recommendation_row,
        (),
        ("reference",),
    ),
    "place": Listing(
        lambda: [_("Place"), _("Category"), _("Region")],
        _place_row,
        ("category", "region"),
        ("name", "id"),
    ),
    "unit": Listing(lambda: [_("Unit"), _("Capacity")], _unit_row, (), ("name",)),
    "coverage": Listing(lambda: [_("Unit"), _("Capacity")], _unit_row, ("unit",), ("unit__name",)),
    "submission": Listing(
        lambda: [_("Reference"), _("Received on"), _("Status")],
        _submission_row,
        (),
        ("-received_on",),
    ),
    "communication": Listing(
        lambda: [_("Reference"), _("Date"), _("Kind"), _("Subject")],
        _communication_row,
        (),
        ("-occurred_on",),
    ),
    "difficulty": Listing(
        lambda: [_("Kind"), _("When"), _("Visit")], _difficulty_row, ("visit",), ("occurred_at",)
    ),
    "report": Listing(
        lambda: [_("Reference"), _("Title"), _("Signed")], _report_row, (), ("signed_at",)
    ),
}


# -- which records each key names ----------------------------------------------------------------


def _status(queryset: QuerySet, field: str, value: str, choices: Any) -> QuerySet:
    if value == NONE:
        return queryset.filter(**{field: ""})
    if value not in dict(choices):
        raise Http404
    return queryset.filter(**{field: value})


def _choice(value: str, choices: Any) -> str:
    if value not in dict(choices):
        raise Http404
    return value


def _int(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)


def _visit_figure(user: Any, report: Report, parts: list[str]) -> tuple[str, Any, Any]:
    rows: Any
    visit_id = report.visit_id
    if visit_id is None:
        raise Http404
    match parts:
        case ["visit", "interviews"]:
            return "interview", _("Interviews"), selectors.visit_interviews(user, visit_id)
        case ["visit", "interviews", kind]:
            rows = selectors.visit_interviews(user, visit_id).filter(
                kind=_choice(kind, Interview.Kind.choices)
            )
            return "interview", dict(Interview.Kind.choices)[kind], rows
        case ["visit", "units", "seen"]:
            return "coverage", _("Units seen"), selectors.visit_units_seen(user, visit_id)
        case ["visit", "units", "total"] | ["place", "units"]:
            if report.visit is None:
                raise Http404
            return (
                "unit",
                _("Units of the place"),
                selectors.place_units(user, report.visit.place_id),
            )
        case ["visit", "findings", "theme", theme]:
            rows = selectors.visit_findings(user, visit_id).filter(
                kind=Finding.Kind.CONCERN, theme=_choice(theme, Theme.choices)
            )
            return "finding", dict(Theme.choices)[theme], rows
        case ["visit", "good_practices"]:
            rows = selectors.visit_findings(user, visit_id).filter(kind=Finding.Kind.GOOD_PRACTICE)
            return "finding", _("Good practices"), rows
        case ["visit", "recommendations"]:
            rows = selectors.recommendations(user).filter(visit_id=visit_id)
            return "recommendation", _("Recommendations"), rows
        case ["changes", "recommendations"]:
            visit = Visit.objects.get(pk=visit_id)
            previous = selectors.previous_visit(user, visit)
            if previous is None:
                raise Http404
            rows = selectors.recommendations(user).filter(visit_id=previous.pk)
            return "recommendation", _("Recommendations made after that visit"), rows
    raise Http404


def _follow_up_figure(user: Any, report: Report, parts: list[str]) -> tuple[str, Any, Any]:
    rows: Any
    if report.place_id is None:
        raise Http404
    before = report.visit.starts_on if report.visit_id and report.visit else None
    rows = selectors.place_recommendations_before(user, report.place_id, before)
    match parts:
        case ["follow_up", "recommendations"]:
            return "recommendation", _("Earlier recommendations"), rows
        case ["follow_up", "implementation", status]:
            rows = _status(rows, "implementation", status, Implementation.choices)
            return "recommendation", _("Earlier recommendations"), rows
    raise Http404


def _thematic_figure(user: Any, report: Report, parts: list[str]) -> tuple[str, Any, Any]:
    rows: Any
    if not (report.theme and report.period_start and report.period_end):
        raise Http404
    findings = selectors.concerns_between(user, report.period_start, report.period_end).filter(
        theme=report.theme
    )
    concerns = findings.filter(kind=Finding.Kind.CONCERN)
    match parts:
        case ["thematic", "visits"]:
            rows = Visit.objects.filter(pk__in=concerns.values("visit_id"))
            return "visit", _("Visits with concerns on the theme"), rows
        case ["thematic", "places"]:
            rows = Place.objects.filter(pk__in=concerns.values("visit__place_id"))
            return "place", _("Places concerned"), rows
        case ["thematic", "findings"]:
            return "finding", _("Concerns on the theme"), concerns
        case ["thematic", "findings", category, year]:
            rows = concerns.filter(
                visit__place__category_id=_int(category), visit__starts_on__year=_int(year)
            )
            name = Category.objects.filter(pk=_int(category)).values_list("name", flat=True).first()
            return "finding", f"{name or ''}, {year}", rows
        case ["thematic", "good_practices"]:
            rows = findings.filter(kind=Finding.Kind.GOOD_PRACTICE)
            return "finding", _("Good practices on the theme"), rows
        case ["thematic", "recommendations"]:
            rows = content_periodic.thematic_recommendations(user, report)
            return "recommendation", _("Recommendations on the theme"), rows
    raise Http404


def _annual_figure(user: Any, report: Report, parts: list[str]) -> tuple[str, Any, Any]:
    rows: Any
    if not report.year:
        raise Http404
    start, end = selectors.year_bounds(int(report.year))
    visits = selectors.visits_between(user, start, end)
    sent = selectors.sent_recommendations(user).filter(sent_on__gte=start, sent_on__lte=end)
    earlier = content_periodic.earlier_recommendations(user, int(report.year))
    match parts:
        case ["annual", "visits"]:
            return "visit", _("Visits"), visits
        case ["annual", "places"]:
            rows = Place.objects.filter(pk__in=visits.values("place_id"))
            return "place", _("Places visited"), rows
        case ["annual", "visits", "category", pk]:
            name = Category.objects.filter(pk=_int(pk)).values_list("name", flat=True).first()
            return "visit", name or "", visits.filter(place__category_id=_int(pk))
        case ["annual", "visits", "region", pk]:
            if pk == NONE:
                return "visit", _("No region"), visits.filter(place__region__isnull=True)
            name = Region.objects.filter(pk=_int(pk)).values_list("name", flat=True).first()
            return "visit", name or "", visits.filter(place__region_id=_int(pk))
        case ["annual", "visits", "kind", kind]:
            rows = visits.filter(kind=_choice(kind, Visit.Kind.choices))
            return "visit", dict(Visit.Kind.choices)[kind], rows
        case ["annual", "interviews"]:
            return "interview", _("Interviews"), selectors.interviews_between(user, start, end)
        case ["annual", "interviews", kind]:
            rows = selectors.interviews_between(user, start, end).filter(
                kind=_choice(kind, Interview.Kind.choices)
            )
            return "interview", dict(Interview.Kind.choices)[kind], rows
        case ["annual", "submissions"]:
            if not selectors.may_see_submissions(user):
                raise Http404
            rows = selectors.submissions_between(user, start, end)
            return "submission", _("Submissions from the public"), rows
        case ["annual", "findings", theme, severity]:
            rows = selectors.concerns_between(user, start, end).filter(
                kind=Finding.Kind.CONCERN,
                theme=_choice(theme, Theme.choices),
                severity=_choice(severity, content_periodic.SERIOUS_CHOICES),
            )
            return "finding", dict(Theme.choices)[theme], rows
        case ["annual", "recommendations"]:
            return "recommendation", _("Recommendations sent"), sent
        case ["annual", "recommendations", "response", status]:
            rows = _status(sent, "response", status, ResponseStatus.choices)
            return "recommendation", _("Recommendations sent"), rows
        case ["annual", "recommendations", "implementation", status]:
            rows = _status(sent, "implementation", status, Implementation.choices)
            return "recommendation", _("Recommendations sent"), rows
        case ["annual", "follow_up"]:
            return "recommendation", _("Recommendations of earlier years"), earlier
        case ["annual", "follow_up", "implementation", status]:
            rows = _status(earlier, "implementation", status, Implementation.choices)
            return "recommendation", _("Recommendations of earlier years"), rows
        case ["annual", "thematic"]:
            rows = selectors.thematic_reports_signed(user, int(report.year))
            return "report", _("Thematic reports signed"), rows
        case ["annual", "cooperation", *kind]:
            from habeas.partners.models import Communication

            rows = selectors.communications_between(user, start, end)
            if kind:
                rows = rows.filter(kind=_choice(kind[0], Communication.Kind.choices))
            return "communication", _("Exchanges with other actors"), rows
        case ["annual", "difficulties", *kind]:
            rows = selectors.difficulties_between(user, start, end)
            if kind:
                rows = rows.filter(kind=_choice(kind[0], Difficulty.Kind.choices))
            return "difficulty", _("Operational difficulties"), rows
    raise Http404


RESOLVERS: dict[str, Callable[[Any, Report, list[str]], tuple[str, Any, Any]]] = {
    Kind.VISIT: _visit_figure,
    Kind.FOLLOW_UP: _follow_up_figure,
    Kind.THEMATIC: _thematic_figure,
    Kind.ANNUAL: _annual_figure,
}


def figure_queryset(*, user: Any, report: Report, key: str) -> tuple[str, Any, Any]:
    """(listing kind, label, queryset) of the records behind `key`; 404 if unknown."""
    if not Report.objects.restrict(user, "view").filter(pk=report.pk).exists():
        raise Http404
    resolver = RESOLVERS.get(report.kind)
    parts = str(key or "").split(".")
    if resolver is None or len(parts) > 6 or not all(parts):
        raise Http404
    return resolver(user, report, parts)


def figure_records(*, user: Any, report: Report, key: str, limit: int = 500) -> FigureRecords:
    """The records behind a figure, as rows of (text, link) the user may see."""
    listing_kind, label, queryset = figure_queryset(user=user, report=report, key=key)
    listing = LISTINGS[listing_kind]
    total = queryset.count()
    rows = queryset
    if listing.related:
        rows = rows.select_related(*listing.related)
    if listing.order:
        rows = rows.order_by(*listing.order)
    return FigureRecords(
        label=str(label),
        columns=[str(c) for c in listing.columns()],
        rows=[listing.row(record) for record in rows[: max(limit, 0)]],
        total=total,
    )
