"""Server-side drawings of a programme: the map of places, chosen or not (¶36).

Drawn in Python as SVG so the page needs neither JavaScript nor map tiles, and a printed
programme shows the same picture. The projection is plain equirectangular, corrected by
the cosine of the middle latitude: enough to see whether a part of the country is left
out, which is all the map is for.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH = 640
MAX_HEIGHT = 560
MARGIN = 12
LEGEND_HEIGHT = 28
# Places not chosen are drawn once per cell of this many pixels: at 20,000 places the
# map stays small, and a grey dot still says "places here".
GREY_CELL = 3


@dataclass(frozen=True)
class MapPoint:
    name: str
    latitude: float | None
    longitude: float | None
    chosen: bool


@dataclass(frozen=True)
class PlaceMap:
    svg: SafeString
    chosen: int  # chosen places drawn
    others: int  # places not chosen, drawn
    without_coordinates: int  # places that could not be drawn

    @property
    def drawn(self) -> int:
        return self.chosen + self.others


def as_point(item: Any) -> MapPoint:
    """A map point from a mapping or an object with name, latitude, longitude, chosen."""
    if isinstance(item, MapPoint):
        return item
    get = (
        item.get
        if isinstance(item, Mapping)
        else lambda key, default=None: getattr(item, key, default)
    )
    return MapPoint(
        name=str(get("name", "") or ""),
        latitude=_number(get("latitude")),
        longitude=_number(get("longitude")),
        chosen=bool(get("chosen", False)),
    )


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal | int | float | str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def place_map(items: Iterable[Any], *, title: str | None = None) -> PlaceMap:
    """The SVG map: chosen places as filled marks, the others as small grey dots."""
    points = [as_point(item) for item in items]
    located = [
        p
        for p in points
        if p.latitude is not None
        and p.longitude is not None
        and -90 <= p.latitude <= 90
        and -180 <= p.longitude <= 180
    ]
    without = len(points) - len(located)
    label = title or _("Map of the places: chosen for a visit, and not chosen")
    if not located:
        return PlaceMap(SafeString(""), 0, 0, without)
    project, height = _projection(located)
    not_chosen = [p for p in located if not p.chosen]
    others = _grey_dots(project, not_chosen)
    chosen = [p for p in located if p.chosen]
    marks = format_html_join(
        "",
        '<circle class="map-chosen" cx="{}" cy="{}" r="5" fill="#a4262c" stroke="#ffffff" '
        'stroke-width="1"><title>{}</title></circle>',
        ((*_xy(project, p), p.name) for p in chosen),
    )
    grey = format_html_join(
        "",
        '<circle class="map-other" cx="{}" cy="{}" r="1.6" fill="#9aa1ab"/>',
        ((x, y) for x, y in others),
    )
    total_height = height + LEGEND_HEIGHT
    svg = format_html(
        '<svg class="place-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'role="img" aria-labelledby="place-map-title">'
        '<title id="place-map-title">{label}</title>'
        '<rect class="map-ground" x="0" y="0" width="{w}" height="{ground}" fill="#f4f6f8"/>'
        "<g>{grey}</g><g>{marks}</g>{legend}</svg>",
        w=WIDTH,
        h=total_height,
        ground=height,
        label=label,
        grey=grey,
        marks=marks,
        legend=_legend(height, len(chosen), len(not_chosen)),
    )
    return PlaceMap(svg, len(chosen), len(not_chosen), without)


def _projection(points: list[MapPoint]) -> tuple[Any, int]:
    """A function from (latitude, longitude) to pixels, and the drawing's height."""
    lats = [p.latitude for p in points if p.latitude is not None]
    lons = [p.longitude for p in points if p.longitude is not None]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    squeeze = math.cos(math.radians((south + north) / 2)) or 1e-6
    span_x = max((east - west) * squeeze, 1e-6)
    span_y = max(north - south, 1e-6)
    inner = WIDTH - 2 * MARGIN
    scale = inner / span_x
    if span_y * scale > MAX_HEIGHT - 2 * MARGIN:
        scale = (MAX_HEIGHT - 2 * MARGIN) / span_y
    if east == west and north == south:
        scale = 1.0
    height = int(round(span_y * scale)) + 2 * MARGIN
    offset_x = (WIDTH - span_x * scale) / 2 if east != west else WIDTH / 2

    def project(latitude: float, longitude: float) -> tuple[float, float]:
        x = offset_x + (longitude - west) * squeeze * scale
        y = MARGIN + (north - latitude) * scale
        return round(x, 1), round(y, 1)

    return project, max(height, 2 * MARGIN + 10)


def _xy(project: Any, point: MapPoint) -> tuple[float, float]:
    return project(point.latitude, point.longitude)  # type: ignore[no-any-return]


def _grey_dots(project: Any, points: list[MapPoint]) -> list[tuple[float, float]]:
    cells: dict[tuple[int, int], tuple[float, float]] = {}
    for point in points:
        x, y = _xy(project, point)
        cells.setdefault((int(x // GREY_CELL), int(y // GREY_CELL)), (x, y))
    return list(cells.values())


def _legend(top: int, chosen: int, others: int) -> SafeString:
    y = top + LEGEND_HEIGHT // 2
    return format_html(
        '<g class="map-legend">'
        '<circle class="map-chosen" cx="{x1}" cy="{y}" r="5" fill="#a4262c"/>'
        '<text x="{t1}" y="{ty}" font-size="13" fill="#1d2430">{chosen}</text>'
        '<circle class="map-other" cx="{x2}" cy="{y}" r="2.5" fill="#9aa1ab"/>'
        '<text x="{t2}" y="{ty}" font-size="13" fill="#1d2430">{others}</text></g>',
        x1=MARGIN + 6,
        t1=MARGIN + 16,
        x2=WIDTH // 2 + 6,
        t2=WIDTH // 2 + 16,
        y=y,
        ty=y + 4,
        chosen=_("Chosen for a visit (%(n)d)") % {"n": chosen},
        others=_("Not chosen (%(n)d)") % {"n": others},
    )
