"""Charts of section scores and their changes, drawn on the server as inline SVG.

No script and no `style` attribute (the CSP forbids both): geometry is written as
presentation attributes and colours come from CSS classes in `assessments.css`. Every
chart has a title for screen readers, and the page shows the same figures as a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH = 720
LABEL_WIDTH = 300
BAR_AREA = 340
ROW = 26
BAR = 16
TOP = 8
LABEL_CHARS = 44


def _label(row: Any) -> str:
    section = row.section
    text = f"{section.ref} {section.title}"
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(rows: int, title: str, body: SafeString, chart_id: str) -> SafeString:
    height = TOP * 2 + rows * ROW
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="{}" height="{}" role="img" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}</svg>',
        WIDTH,
        height,
        WIDTH,
        height,
        chart_id,
        chart_id,
        title,
        body,
    )


def _row_label(index: int, row: Any) -> SafeString:
    y = TOP + index * ROW + ROW / 2
    x = LABEL_WIDTH - 10
    css = "label sub" if row.depth else "label"
    return format_html(
        '<text class="{}" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        css,
        x,
        y,
        _label(row),
    )


def section_score_chart(rows: Sequence[Any], *, chart_id: str = "section-scores") -> SafeString:
    """Horizontal bars: each section's score as a share of the maximum (100 %)."""
    parts = [_scale(len(rows), (0, 50, 100))]
    for index, row in enumerate(rows):
        parts.append(_row_label(index, row))
        parts.append(_score_bar(index, row))
    title = _("Section scores, as a percentage of the maximum")
    return _frame(len(rows), title, format_html_join("", "{}", ((p,) for p in parts)), chart_id)


def _scale(rows: int, ticks: tuple[int, ...]) -> SafeString:
    bottom = TOP + rows * ROW
    return format_html_join(
        "",
        '<line class="grid" x1="{0}" y1="{1}" x2="{0}" y2="{2}"></line>',
        ((LABEL_WIDTH + BAR_AREA * tick / 100, TOP, bottom) for tick in ticks),
    )


def _score_bar(index: int, row: Any) -> SafeString:
    y = TOP + index * ROW + (ROW - BAR) / 2
    text_y = TOP + index * ROW + ROW / 2
    score = row.score
    if score is None:
        return format_html(
            '<text class="value none" x="{}" y="{}" dominant-baseline="middle">{}</text>',
            LABEL_WIDTH + 4,
            text_y,
            _("not rated yet"),
        )
    width = round(BAR_AREA * score / 100, 1)
    css = "bar sub" if row.depth else "bar"
    return format_html(
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="value" x="{}" y="{}" dominant-baseline="middle">{} %</text>',
        css,
        LABEL_WIDTH,
        y,
        width,
        BAR,
        LABEL_WIDTH + width + 6,
        text_y,
        _number(score),
    )


def section_delta_chart(rows: Sequence[Any], *, chart_id: str = "section-deltas") -> SafeString:
    """Bars from a middle axis: a section's score rose (towards the end) or fell."""
    middle = LABEL_WIDTH + BAR_AREA / 2
    bottom = TOP + len(rows) * ROW
    parts = [
        format_html(
            '<line class="axis" x1="{0}" y1="{1}" x2="{0}" y2="{2}"></line>', middle, TOP, bottom
        )
    ]
    for index, row in enumerate(rows):
        parts.append(_row_label(index, row))
        parts.append(_delta_bar(index, row, middle))
    title = _("Change in section scores, in percentage points")
    return _frame(len(rows), title, format_html_join("", "{}", ((p,) for p in parts)), chart_id)


def _delta_bar(index: int, row: Any, middle: float) -> SafeString:
    y = TOP + index * ROW + (ROW - BAR) / 2
    text_y = TOP + index * ROW + ROW / 2
    delta = row.delta
    if delta is None:
        return format_html(
            '<text class="value none" x="{}" y="{}" dominant-baseline="middle">{}</text>',
            middle + 6,
            text_y,
            _("no comparison"),
        )
    width = round(min(abs(delta), 100) * (BAR_AREA / 2) / 100, 1)
    if delta >= 0:
        css, x, text_x, anchor = "bar improved", middle, middle + width + 4, "start"
        label = "+" + _number(delta)
    else:
        css, x, text_x, anchor = "bar slipped", middle - width, middle - width - 4, "end"
        label = "\u2212" + _number(-delta)
    return format_html(
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="value" x="{}" y="{}" text-anchor="{}" dominant-baseline="middle">{}</text>',
        css,
        x,
        y,
        width,
        BAR,
        text_x,
        text_y,
        anchor,
        label,
    )
