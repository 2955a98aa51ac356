"""The trends chart (¶34): findings per theme per year, one line per theme, drawn on the
server as SVG. No script and no `style` attribute (the CSP forbids both): colours come
from the classes `series-0` … `series-7` in analytics.css. The page shows the same
figures as a table, which is what a screen reader reads."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 12, 28


def _scale(highest: int) -> int:
    """A round top for the vertical axis."""
    if highest <= 5:
        return 5
    step = 10 ** (len(str(highest)) - 1)
    return ((highest + step - 1) // step) * step


def trend_chart(trends: Any) -> SafeString:
    years = trends.years
    if not years:
        return SafeString("")
    top = _scale(max((max(row["values"], default=0) for row in trends.series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (len(years) - 1) if len(years) > 1 else plot_w / 2)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    parts: list[SafeString] = []
    for tick in (0, top // 2, top):
        parts.append(
            format_html(
                '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
                '<text class="value" x="{}" y="{}" text-anchor="end" '
                'dominant-baseline="middle">{}</text>',
                LEFT,
                y(tick),
                LEFT + plot_w,
                y(tick),
                LEFT - 6,
                y(tick),
                tick,
            )  # fmt: skip
        )
    step = max(1, len(years) // 10)
    for index, year in enumerate(years):
        if index % step == 0 or index == len(years) - 1:
            parts.append(
                format_html(
                    '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x(index),
                    HEIGHT - 8,
                    year,
                )  # fmt: skip
            )
    for number, row in enumerate(trends.series):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(row["values"]))
        parts.append(
            format_html(
                '<polyline class="line series-{}" points="{}"></polyline>'
                '<text class="legend series-{}" x="{}" y="{}">{}</text>',
                number,
                points,
                number,
                LEFT + plot_w + 10,
                TOP + 14 + number * 18,
                row["label"],
            )  # fmt: skip
        )
    body = format_html_join("", "{}", ((part,) for part in parts))
    return format_html(
        '<svg class="chart trend-chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-labelledby="trend-title">'
        '<title id="trend-title">{}</title>{}</svg>',
        WIDTH, HEIGHT, WIDTH, HEIGHT, _("Findings per theme and year"), body,
    )  # fmt: skip
