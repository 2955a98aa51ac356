"""The sections of the reports across places and time: the thematic report (¶22, 31d)
and the annual report (¶31b, 38).

Counts are aggregate queries (`values().annotate(Count)`), never loops over rows, so the
annual report of a national NPM (~150 visits and ~9,000 interviews a year) builds in a
moment. Every count is a figure whose key `habeas.reports.figures` resolves to the same
records, read through `restrict` as the reader.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Count
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.partners.models import Communication
from habeas.places.models import Category, Place, Region
from habeas.recommendations.models import Implementation, ResponseStatus
from habeas.reports import selectors
from habeas.reports.content import (
    NONE,
    Builder,
    count_table,
    day,
    fact,
    finding_line,
    label_of,
    text_cell,
)
from habeas.reports.content_types import Block, Chart, Facts, MapPin, Series, Table, Text
from habeas.visits.models import Difficulty, Finding, Interview, Theme, Visit

THEMES = dict(Theme.choices)
MOST_SERIOUS = 25  # concerns quoted in a thematic report's text
SERIOUS = (Finding.Severity.URGENT, Finding.Severity.KEY)
SERIOUS_CHOICES = [(s.value, s.label) for s in SERIOUS]


def _grouped(queryset: Any, field: str) -> dict[Any, int]:
    return dict(queryset.values_list(field).annotate(n=Count("id")).order_by())


def _pins(place_ids: Any) -> list[MapPin]:
    rows = (
        Place.objects.filter(pk__in=place_ids)
        .order_by("name")
        .values_list("name", "latitude", "longitude")
    )
    return [
        MapPin(
            name=name,
            latitude=float(lat) if lat is not None else None,
            longitude=float(lon) if lon is not None else None,
        )
        for name, lat, lon in rows
    ]


def _status_rows(
    counts: dict[Any, int], choices: Any, key: str, none_label: Any
) -> list[tuple[str, str, int]]:
    rows = [(str(label), f"{key}.{value}", counts.get(value, 0)) for value, label in choices]
    rows.append((str(none_label), f"{key}.{NONE}", counts.get("", 0) + counts.get(None, 0)))
    return rows


def _counted(
    builder: Builder, *, caption: Any, label: Any, column: Any, rows: list[tuple[str, str, int]]
) -> list[Block]:
    """The same counts as a table (each count linked to its records) and as a bar chart."""
    return [
        count_table(builder, caption=caption, header=[label, column], rows=rows),
        _bar(caption, rows, column),
    ]


def _bar(title: Any, rows: list[tuple[str, str, int]], series: Any) -> Chart:
    return Chart(
        kind="bar",
        title=str(title),
        labels=[label for label, _k, _v in rows],
        series=[Series(name=str(series), values=[value for _l, _k, value in rows])],
    )


# -- thematic ---------------------------------------------------------------------------------


def _theme_findings(builder: Builder) -> Any:
    report = builder.report
    start, end = cast(dt.date, report.period_start), cast(dt.date, report.period_end)
    return selectors.concerns_between(builder.user, start, end).filter(theme=report.theme)


def thematic_section(builder: Builder, key: str) -> list[Block]:
    report = builder.report
    if not (report.theme and report.period_start and report.period_end):
        return []
    return {
        "summary": lambda: [],
        "scope": lambda: _thematic_scope(builder),
        "findings": lambda: _thematic_findings(builder),
        "good_practices": lambda: _thematic_good_practices(builder),
        "recommendations": lambda: _thematic_recommendations(builder),
    }[key]()


def _thematic_scope(builder: Builder) -> list[Block]:
    concerns = _theme_findings(builder).filter(kind=Finding.Kind.CONCERN)
    visit_ids = concerns.values("visit_id")
    visits = Visit.objects.filter(pk__in=visit_ids)
    place_ids = list(visits.order_by().values_list("place_id", flat=True).distinct())
    report = builder.report
    facts = Facts(
        items=[
            fact(_("Theme"), THEMES.get(report.theme, report.theme)),
            fact(_("Period"), f"{day(report.period_start)} – {day(report.period_end)}"),
            builder.count_fact(
                "thematic.visits", _("Visits with concerns on the theme"), visits.count()
            ),
            builder.count_fact("thematic.places", _("Places concerned"), len(place_ids)),
            builder.count_fact("thematic.findings", _("Concerns on the theme"), concerns.count()),
        ]
    )
    chart = Chart(kind="map", title=_("Places with concerns on the theme"), pins=_pins(place_ids))
    return [facts, chart]


def _years(builder: Builder) -> list[int]:
    start, end = (
        cast(dt.date, builder.report.period_start),
        cast(dt.date, builder.report.period_end),
    )
    return list(range(start.year, end.year + 1))


def _thematic_findings(builder: Builder) -> list[Block]:
    concerns = _theme_findings(builder).filter(kind=Finding.Kind.CONCERN)
    grid = (
        concerns.values_list("visit__place__category", "visit__starts_on__year")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, int], int] = {(c, y): n for c, y, n in grid}
    years = _years(builder)
    categories = Category.objects.filter(pk__in={c for c, _y in counts}).order_by(
        "position", "name"
    )
    rows = []
    for category in categories:
        row = [text_cell(category.name)]
        for year in years:
            row.append(
                builder.count(
                    f"thematic.findings.{category.pk}.{year}",
                    f"{category.name}, {year}",
                    counts.get((category.pk, year), 0),
                )
            )
        rows.append(row)
    table = Table(
        caption=_("Concerns on the theme by category of place and year"),
        header=[_("Category"), *[str(y) for y in years]],
        rows=rows,
    )
    per_year: list[int | None] = [
        sum(n for (c, y), n in counts.items() if y == year) for year in years
    ]
    line = Chart(
        kind="line",
        title=_("Concerns on the theme per year"),
        labels=[str(y) for y in years],
        series=[Series(name=str(_("Concerns")), values=per_year)],
    )
    serious = list(
        concerns.filter(severity__in=SERIOUS)
        .order_by("severity", "-visit__starts_on", "id")
        .values(
            "statement",
            "severity",
            "triangulation",
            "established",
            "visit__place__name",
            "visit__starts_on",
        )[:MOST_SERIOUS]
    )
    serious.sort(key=lambda r: 0 if r["severity"] == Finding.Severity.URGENT else 1)
    lines = "\n".join(
        finding_line(r, f" ({r['visit__place__name']}, {r['visit__starts_on'].year})")
        for r in serious
    )
    text = Text(
        markdown=lines or _("No urgent or key concern on the theme was recorded in the period.")
    )
    return [table, line, text]


def _thematic_good_practices(builder: Builder) -> list[Block]:
    rows = list(
        _theme_findings(builder)
        .filter(kind=Finding.Kind.GOOD_PRACTICE)
        .order_by("-visit__starts_on", "id")
        .values_list("statement", "visit__place__name", "visit__place__category__name")
    )
    blocks: list[Block] = [
        Facts(
            items=[
                builder.count_fact(
                    "thematic.good_practices", _("Good practices on the theme"), len(rows)
                )
            ]
        )
    ]
    if rows:
        blocks.append(
            Text(
                markdown="\n".join(
                    f"- {' '.join(s.split()).rstrip('.')} ({place}, {category})."
                    for s, place, category in rows
                )
            )
        )
    return blocks


def thematic_recommendations(user: Any, report: Any) -> Any:
    return selectors.sent_recommendations(user).filter(
        theme=report.theme, sent_on__gte=report.period_start, sent_on__lte=report.period_end
    )


def _thematic_recommendations(builder: Builder) -> list[Block]:
    recs = list(
        thematic_recommendations(builder.user, builder.report)
        .select_related("place")
        .order_by("sent_on", "reference")
    )
    facts = Facts(
        items=[
            builder.count_fact(
                "thematic.recommendations", _("Recommendations on the theme"), len(recs)
            )
        ]
    )
    rows = [
        [
            text_cell(r.reference),
            text_cell(" ".join(r.text.split())),
            text_cell(r.place.name if r.place else "—"),
            text_cell(label_of(ResponseStatus.choices, r.response, _("No response recorded"))),
            text_cell(label_of(Implementation.choices, r.implementation, _("Not verified yet"))),
        ]
        for r in recs
    ]
    table = Table(
        caption=_("Recommendations on the theme, their response and implementation"),
        header=[
            _("Reference"),
            _("Recommendation"),
            _("Place"),
            _("Response"),
            _("Implementation"),
        ],
        rows=rows,
    )
    return [facts, table]


# -- annual -------------------------------------------------------------------------------------


def _bounds(builder: Builder) -> tuple[dt.date, dt.date]:
    return selectors.year_bounds(int(builder.report.year or 0))


def annual_section(builder: Builder, key: str) -> list[Block]:
    if not builder.report.year:
        return []
    return {
        "challenges": lambda: [],
        "activities": lambda: _activities(builder),
        "findings": lambda: _annual_findings(builder),
        "recommendations": lambda: _annual_recommendations(builder),
        "follow_up": lambda: _annual_follow_up(builder),
        "thematic": lambda: _annual_thematic(builder),
        "cooperation": lambda: _cooperation(builder),
        "difficulties": lambda: _difficulties(builder),
    }[key]()


def _activities(builder: Builder) -> list[Block]:
    start, end = _bounds(builder)
    visits = selectors.visits_between(builder.user, start, end)
    by_category = _grouped(visits, "place__category")
    by_region = _grouped(visits, "place__region")
    by_kind = _grouped(visits, "kind")
    place_ids = list(visits.order_by().values_list("place_id", flat=True).distinct())
    interviews = _grouped(selectors.interviews_between(builder.user, start, end), "kind")
    items = [
        builder.count_fact("annual.visits", _("Visits"), sum(by_category.values())),
        builder.count_fact("annual.places", _("Places visited"), len(place_ids)),
        builder.count_fact(
            "annual.interviews", _("Interviews"), sum(interviews.values()), people=True
        ),
    ]
    if selectors.may_see_submissions(builder.user):
        submissions = selectors.submissions_between(builder.user, start, end).count()
        items.append(
            builder.count_fact("annual.submissions", _("Submissions from the public"), submissions)
        )
    else:
        items.append(fact(_("Submissions from the public"), _("Not available to you")))
    categories = Category.objects.filter(pk__in=by_category).order_by("position", "name")
    category_rows = [
        (c.name, f"annual.visits.category.{c.pk}", by_category[c.pk]) for c in categories
    ]
    regions = Region.objects.filter(pk__in=[r for r in by_region if r]).order_by("name")
    region_rows = [(r.name, f"annual.visits.region.{r.pk}", by_region[r.pk]) for r in regions]
    if None in by_region:
        region_rows.append((str(_("No region")), f"annual.visits.region.{NONE}", by_region[None]))
    kind_rows = [
        (str(label), f"annual.visits.kind.{value}", by_kind.get(value, 0))
        for value, label in Visit.Kind.choices
    ]
    interview_rows = [
        (str(label), f"annual.interviews.{value}", interviews.get(value, 0))
        for value, label in Interview.Kind.choices
    ]
    return [
        Facts(items=items),
        *_counted(
            builder,
            caption=_("Visits by category of place"),
            label=_("Category"),
            column=_("Visits"),
            rows=category_rows,
        ),
        *_counted(
            builder,
            caption=_("Visits by region"),
            label=_("Region"),
            column=_("Visits"),
            rows=region_rows,
        ),
        count_table(
            builder, caption=_("Visits by type"), header=[_("Type"), _("Visits")], rows=kind_rows
        ),
        count_table(
            builder,
            caption=_("Interviews by kind"),
            header=[_("Kind"), _("Interviews")],
            rows=interview_rows,
            people=True,
        ),
        Chart(kind="map", title=_("Places visited"), pins=_pins(place_ids)),
    ]


def _annual_findings(builder: Builder) -> list[Block]:
    start, end = _bounds(builder)
    concerns = selectors.concerns_between(builder.user, start, end).filter(
        kind=Finding.Kind.CONCERN, severity__in=SERIOUS
    )
    grid = dict(
        ((t, s), n)
        for t, s, n in concerns.values_list("theme", "severity").annotate(n=Count("id")).order_by()
    )
    themes = [t for t in Theme.values if any((t, s) in grid for s in SERIOUS)]
    severity_labels = dict(Finding.Severity.choices)
    rows = []
    for theme in themes:
        row = [text_cell(THEMES[theme])]
        for severity in SERIOUS:
            row.append(
                builder.count(
                    f"annual.findings.{theme}.{severity}",
                    f"{THEMES[theme]}: {severity_labels[severity]}",
                    grid.get((theme, severity), 0),
                )
            )
        rows.append(row)
    table = Table(
        caption=_("Urgent and key concerns by theme"),
        header=[_("Theme"), *[str(severity_labels[s]) for s in SERIOUS]],
        rows=rows,
    )
    chart = Chart(
        kind="bar",
        title=_("Urgent and key concerns by theme"),
        labels=[str(THEMES[t]) for t in themes],
        series=[
            Series(name=str(severity_labels[s]), values=[grid.get((t, s), 0) for t in themes])
            for s in SERIOUS
        ],
    )
    return (
        [table, chart]
        if themes
        else [Text(markdown=_("No urgent or key concern was recorded this year."))]
    )


def _annual_recommendations(builder: Builder) -> list[Block]:
    start, end = _bounds(builder)
    recs = selectors.sent_recommendations(builder.user).filter(sent_on__gte=start, sent_on__lte=end)
    responses = _grouped(recs, "response")
    implementation = _grouped(recs, "implementation")
    response_rows = _status_rows(
        responses,
        ResponseStatus.choices,
        "annual.recommendations.response",
        _("No response recorded"),
    )
    implementation_rows = _status_rows(
        implementation,
        Implementation.choices,
        "annual.recommendations.implementation",
        _("Not verified yet"),
    )
    total = sum(responses.values())
    return [
        Facts(
            items=[builder.count_fact("annual.recommendations", _("Recommendations sent"), total)]
        ),
        *_counted(
            builder,
            caption=_("Responses of the authorities"),
            label=_("Response"),
            column=_("Recommendations"),
            rows=response_rows,
        ),
        *_counted(
            builder,
            caption=_("Implementation"),
            label=_("Implementation"),
            column=_("Recommendations"),
            rows=implementation_rows,
        ),
    ]


def earlier_recommendations(user: Any, year: int) -> Any:
    return selectors.sent_recommendations(user).filter(sent_on__lt=dt.date(year, 1, 1))


def _annual_follow_up(builder: Builder) -> list[Block]:
    recs = earlier_recommendations(builder.user, int(builder.report.year or 0))
    implementation = _grouped(recs, "implementation")
    rows = _status_rows(
        implementation,
        Implementation.choices,
        "annual.follow_up.implementation",
        _("Not verified yet"),
    )
    return [
        Facts(
            items=[
                builder.count_fact(
                    "annual.follow_up",
                    _("Recommendations of earlier years"),
                    sum(implementation.values()),
                )
            ]
        ),
        *_counted(
            builder,
            caption=_("Recommendations of earlier years: implementation now"),
            label=_("Implementation"),
            column=_("Recommendations"),
            rows=rows,
        ),
    ]


def _annual_thematic(builder: Builder) -> list[Block]:
    reports = list(
        selectors.thematic_reports_signed(builder.user, int(builder.report.year or 0)).order_by(
            "signed_at"
        )
    )
    blocks: list[Block] = [
        Facts(
            items=[
                builder.count_fact("annual.thematic", _("Thematic reports signed"), len(reports))
            ]
        )
    ]
    if reports:
        blocks.append(
            Table(
                caption=_("Thematic reports signed this year"),
                header=[_("Reference"), _("Title"), _("Signed")],
                rows=[
                    [text_cell(r.reference), text_cell(r.title), text_cell(day(r.signed_at))]
                    for r in reports
                ],
            )
        )
    return blocks


def _cooperation(builder: Builder) -> list[Block]:
    if not roles.can(builder.user, "partners.view"):
        return [Facts(items=[fact(_("Exchanges with other actors"), _("Not available to you"))])]

    start, end = _bounds(builder)
    return _by_kind(
        builder,
        selectors.communications_between(builder.user, start, end),
        Communication.Kind.choices,
        key="annual.cooperation",
        total=_("Exchanges with other actors"),
        caption=_("Exchanges by kind"),
        column=_("Exchanges"),
    )


def _difficulties(builder: Builder) -> list[Block]:
    start, end = _bounds(builder)
    return _by_kind(
        builder,
        selectors.difficulties_between(builder.user, start, end),
        Difficulty.Kind.choices,
        key="annual.difficulties",
        total=_("Operational difficulties"),
        caption=_("Operational difficulties by kind"),
        column=_("Times met"),
        chart=True,
    )


def _by_kind(
    builder: Builder,
    records: Any,
    choices: Any,
    *,
    key: str,
    total: Any,
    caption: Any,
    column: Any,
    chart: bool = False,
) -> list[Block]:
    """A total of `records` and a table of them by kind (and its bar chart if `chart`),
    each count a figure under `key`."""
    by_kind = _grouped(records, "kind")
    rows = [(str(label), f"{key}.{value}", by_kind.get(value, 0)) for value, label in choices]
    blocks: list[Block] = [
        Facts(items=[builder.count_fact(key, total, sum(by_kind.values()))]),
        count_table(builder, caption=caption, header=[_("Kind"), column], rows=rows),
    ]
    if chart:
        blocks[1:] = _counted(builder, caption=caption, label=_("Kind"), column=column, rows=rows)
    return blocks


# -- pre-filled narrative -----------------------------------------------------------------------


def initial(user: Any, report: Any) -> dict[str, str]:
    if report.kind == "annual" and report.year:
        start, end = selectors.year_bounds(int(report.year))
        visits = selectors.visits_between(user, start, end)
        return {
            "challenges": _(
                "In %(year)s the mechanism made %(visits)d visits to %(places)d places of "
                "detention."
            )
            % {
                "year": report.year,
                "visits": visits.count(),
                "places": visits.values("place_id").distinct().count(),
            }
        }
    if report.kind == "thematic" and report.theme and report.period_start and report.period_end:
        builder = Builder(user, report)
        concerns = _theme_findings(builder).filter(kind=Finding.Kind.CONCERN)
        return {
            "summary": _(
                "This report looks at %(theme)s across the places visited from %(start)s to "
                "%(end)s: %(visits)d visits raised concerns on it."
            )
            % {
                "theme": str(THEMES.get(report.theme, report.theme)).lower(),
                "start": day(report.period_start),
                "end": day(report.period_end),
                "visits": concerns.values("visit_id").distinct().count(),
            }
        }
    return {}
