"""A report's charts, drawn on the server as SVG (¶19, 38).

The same SVG goes into the page, the PDF (WeasyPrint) and, as a PNG, the DOCX, so the
three show one picture. It is kept simple for WeasyPrint: rect, line, circle, path and
text, no CSS, no external font, no script. Each chart carries a <title> and a <desc>
that says in words what it shows, and text labels on every bar and point, so that a
screen reader or a greyscale print loses nothing. The palette steps in lightness, and
line series also differ in dash pattern.

The map reuses the projection of `habeas.planning.charts` (plain equirectangular with a
cosine correction), with every pin drawn as a place visited.
"""

from __future__ import annotations

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from habeas.planning import charts as planning_charts
from habeas.reports.content_types import Chart

WIDTH = 640
# Dark to light, so that series stay apart in greyscale.
PALETTE = ("#1f3b5a", "#d9822b", "#7fa7c9", "#3d3d3d", "#e8c170", "#9aa1ab")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
INK = "#1d2430"
GRID = "#d5d9de"
FONT = 'font-family="sans-serif"'
LABEL_WIDTH = 215
ROW = 20
LEGEND_ROW = 18
MISSING = "–"
LABELLED_PINS = 15


def svg(chart: Chart, *, chart_id: str = "") -> SafeString:
    """The chart as an SVG element; empty when there is nothing to draw."""
    ident = chart_id or "chart"
    if chart.kind == "bar":
        return _bar(chart, ident)
    if chart.kind == "line":
        return _line(chart, ident)
    if chart.kind == "map":
        return _map(chart, ident)
    return mark_safe("")  # noqa: S308 - nothing


def describe(chart: Chart) -> str:
    """The chart's data in words, for <desc> and for readers without images."""
    if chart.kind == "map":
        names = [pin.name for pin in chart.pins]
        return _("%(n)d places: %(names)s.") % {"n": len(names), "names": ", ".join(names)}
    parts = []
    for series in chart.series:
        values = "; ".join(
            f"{label}: {MISSING if value is None else value}"
            for label, value in zip(chart.labels, series.values, strict=False)
        )
        parts.append(f"{series.name}: {values}" if len(chart.series) > 1 else values)
    return ". ".join(parts) + ("." if parts else "")


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame(ident: str, chart: Chart, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart report-chart-{kind}" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>{body}</svg>',
        kind=chart.kind,
        w=WIDTH,
        h=height,
        id=ident,
        title=chart.title,
        desc=describe(chart),
        body=body,
    )


def _max_value(chart: Chart) -> int:
    values = [v for s in chart.series for v in s.values if v is not None]
    return max(values, default=0) or 1


def _legend(chart: Chart, top: int, *, lines: bool = False) -> tuple[SafeString, int]:
    if len(chart.series) < 2:
        return mark_safe(""), 0  # noqa: S308 - nothing
    items = []
    for index, series in enumerate(chart.series):
        y = top + index * LEGEND_ROW
        colour = PALETTE[index % len(PALETTE)]
        if lines:
            mark = format_html(
                '<line x1="12" y1="{y}" x2="36" y2="{y}" stroke="{c}" stroke-width="2.5" '
                'stroke-dasharray="{d}"/>',
                y=y + 6,
                c=colour,
                d=DASHES[index % len(DASHES)] or "none",
            )
        else:
            mark = format_html(
                '<rect x="12" y="{y}" width="24" height="12" fill="{c}"/>', y=y, c=colour
            )
        items.append(
            format_html(
                '{mark}<text x="44" y="{ty}" font-size="12" fill="{ink}" {font}>{name}</text>',
                mark=mark,
                ty=y + 10,
                ink=INK,
                font=mark_safe(FONT),  # noqa: S308 - constant
                name=series.name,
            )
        )
    return mark_safe("".join(items)), len(chart.series) * LEGEND_ROW + 6  # noqa: S308


def _bar(chart: Chart, ident: str) -> SafeString:
    """Horizontal grouped bars: one group per label, one bar per series, each with its
    value written at its end."""
    if not chart.labels or not chart.series:
        return mark_safe("")  # noqa: S308 - nothing
    series_count = len(chart.series)
    bar = 14 if series_count == 1 else max(8, 14 - 2 * (series_count - 1))
    group = series_count * (bar + 2) + 8
    top = 10
    span = WIDTH - LABEL_WIDTH - 60
    highest = _max_value(chart)
    parts = []
    for row, label in enumerate(chart.labels):
        y0 = top + row * group
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="end" font-size="12" fill="{ink}" {font}>'
                "{text}<title>{full}</title></text>",
                x=LABEL_WIDTH - 8,
                y=y0 + (series_count * (bar + 2)) / 2 + 4,
                ink=INK,
                font=mark_safe(FONT),  # noqa: S308 - constant
                text=_short(label),
                full=label,
            )
        )
        for index, series in enumerate(chart.series):
            value = series.values[row] if row < len(series.values) else None
            y = y0 + index * (bar + 2)
            length = 0 if value is None else round(span * value / highest, 1)
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"/>'
                    '<text x="{tx}" y="{ty}" font-size="11" fill="{ink}" {font}>{v}</text>',
                    x=LABEL_WIDTH,
                    y=y,
                    w=length,
                    h=bar,
                    c=PALETTE[index % len(PALETTE)],
                    tx=LABEL_WIDTH + length + 4,
                    ty=y + bar - 3,
                    ink=INK,
                    font=mark_safe(FONT),  # noqa: S308 - constant
                    v=MISSING if value is None else value,
                )
            )
    bottom = top + len(chart.labels) * group
    axis = format_html(
        '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{g}" stroke-width="1"/>',
        x=LABEL_WIDTH,
        t=top - 4,
        b=bottom,
        g=INK,
    )
    legend, legend_height = _legend(chart, bottom + 8)
    body = format_html("{}{}{}", axis, mark_safe("".join(parts)), legend)  # noqa: S308
    return _frame(ident, chart, bottom + 8 + legend_height + 4, body)


def _line(chart: Chart, ident: str) -> SafeString:
    """Periods along the bottom, one line per series, each point labelled with its value."""
    if not chart.labels or not chart.series:
        return mark_safe("")  # noqa: S308 - nothing
    left, right, top, plot = 48, 24, 16, 220
    step_value = max(1, math.ceil(_max_value(chart) / 4))  # whole-number ticks
    highest = step_value * 4
    count = len(chart.labels)
    step = (WIDTH - left - right) / max(count - 1, 1)

    def x_of(index: int) -> float:
        return round(left + (index * step if count > 1 else (WIDTH - left - right) / 2), 1)

    def y_of(value: int) -> float:
        return round(top + plot - plot * value / highest, 1)

    grid = []
    for tick in range(5):
        value = step_value * tick
        y = y_of(value)
        grid.append(
            format_html(
                '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{g}" stroke-width="1"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="{ink}" '
                "{font}>{v}</text>",
                l=left,
                r=WIDTH - right,
                y=y,
                g=GRID,
                tx=left - 6,
                ty=y + 4,
                ink=INK,
                font=mark_safe(FONT),  # noqa: S308 - constant
                v=value,
            )
        )
    for index, label in enumerate(chart.labels):
        grid.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="middle" font-size="11" fill="{ink}" '
                "{font}>{t}</text>",
                x=x_of(index),
                y=top + plot + 16,
                ink=INK,
                font=mark_safe(FONT),  # noqa: S308 - constant
                t=_short(label, 12),
            )
        )
    lines = []
    for number, series in enumerate(chart.series):
        colour = PALETTE[number % len(PALETTE)]
        points = [
            (x_of(i), y_of(v), v) for i, v in enumerate(series.values[:count]) if v is not None
        ]
        if len(points) > 1:
            path = "M " + " L ".join(f"{x} {y}" for x, y, _v in points)
            lines.append(
                format_html(
                    '<path d="{d}" fill="none" stroke="{c}" stroke-width="2.5" '
                    'stroke-dasharray="{dash}"/>',
                    d=path,
                    c=colour,
                    dash=DASHES[number % len(DASHES)] or "none",
                )
            )
        lines.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="3.5" fill="{}"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="' + INK + '" '
                'font-family="sans-serif">{}</text>',
                ((x, y, colour, x, y - 7, v) for x, y, v in points),
            )
        )
    bottom = top + plot + 28
    legend, legend_height = _legend(chart, bottom, lines=True)
    body = format_html(
        "{}{}{}",
        mark_safe("".join(grid)),  # noqa: S308 - built with format_html
        mark_safe("".join(lines)),  # noqa: S308 - built with format_html
        legend,
    )
    return _frame(ident, chart, bottom + legend_height + 4, body)


def _map(chart: Chart, ident: str) -> SafeString:
    """The places as pins, on the planning map's projection."""
    points = [
        planning_charts.MapPoint(pin.name, pin.latitude, pin.longitude, True)
        for pin in chart.pins
        if pin.latitude is not None and pin.longitude is not None
    ]
    if not points:
        return mark_safe("")  # noqa: S308 - nothing to draw
    project, height = planning_charts._projection(points)
    marks = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="5" fill="' + PALETTE[0] + '" stroke="#ffffff" '
        'stroke-width="1"><title>{}</title></circle>',
        ((*project(p.latitude, p.longitude), p.name) for p in points),
    )
    if len(points) <= LABELLED_PINS:  # few places: name them on the map too
        marks = format_html(
            "{}{}",
            marks,
            format_html_join(
                "",
                '<text x="{}" y="{}" font-size="11" fill="' + INK + '" '
                'font-family="sans-serif">{}</text>',
                (
                    (x + 8, y + 4, _short(p.name, 28))
                    for p in points
                    for x, y in [project(p.latitude, p.longitude)]
                ),
            ),
        )
    without = len(chart.pins) - len(points)
    note = _("%(n)d places visited") % {"n": len(points)}
    if without:
        note += " " + _("(%(n)d without coordinates, not drawn)") % {"n": without}
    body = format_html(
        '<rect x="0" y="0" width="{w}" height="{h}" fill="#f4f6f8"/>{marks}'
        '<circle cx="18" cy="{ly}" r="5" fill="{c}"/>'
        '<text x="30" y="{ty}" font-size="12" fill="{ink}" {font}>{note}</text>',
        w=WIDTH,
        h=height,
        marks=marks,
        ly=height + 14,
        ty=height + 18,
        c=PALETTE[0],
        ink=INK,
        font=mark_safe(FONT),  # noqa: S308 - constant
        note=note,
    )
    return _frame(ident, chart, height + 28, body)
