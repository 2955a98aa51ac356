"""Charts are drawn on the server as simple, accessible SVG that WeasyPrint renders
(¶19, 38): a title and a description in words, text labels, no script, no external
resource, and the values the chart was given."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pypdfium2
import pytest
import weasyprint

from habeas.reports.charts import PALETTE, describe, svg
from habeas.reports.content_types import Chart, MapPin, Series

NS = "{http://www.w3.org/2000/svg}"


def parse(drawn: object) -> ET.Element:
    return ET.fromstring(str(drawn))  # noqa: S314 - our own output, not untrusted input


SIMPLE = {"svg", "title", "desc", "rect", "line", "text", "circle", "path", "g"}


def bar() -> Chart:
    return Chart(
        kind="bar",
        title="Concerns <by> theme",
        labels=["Material conditions", "Treatment"],
        series=[Series("Urgent", [1, 0]), Series("Key concern", [3, None])],
    )


def line() -> Chart:
    return Chart(
        kind="line",
        title="Concerns per year",
        labels=["2024", "2025", "2026"],
        series=[Series("Concerns", [2, 5, 4])],
    )


def map_chart() -> Chart:
    return Chart(
        kind="map",
        title="Places visited",
        pins=[
            MapPin("Northgate", 48.85, 2.35),
            MapPin("Southport", 43.3, 5.37),
            MapPin("Nowhere", None, None),
        ],
    )


@pytest.mark.parametrize("chart", [bar(), line(), map_chart()], ids=["bar", "line", "map"])
def test_it_draws_simple_accessible_svg(chart):
    drawn = str(svg(chart, chart_id="c1"))
    root = parse(drawn)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{NS}title").text == chart.title  # escaped in the markup
    assert root.find(f"{NS}desc").text
    tags = {element.tag.replace(NS, "") for element in root.iter()}
    assert tags <= SIMPLE, tags - SIMPLE
    assert "script" not in drawn and "href" not in drawn and "@import" not in drawn
    assert "&lt;by&gt;" in drawn or "<by>" not in drawn


def test_a_bar_chart_writes_every_value_and_label():
    root = parse(svg(bar()))
    texts = [t.text for t in root.iter(f"{NS}text")]
    for word in ("Material conditions", "Treatment", "Urgent", "Key concern", "1", "3", "–"):
        assert word in texts
    fills = {r.get("fill") for r in root.iter(f"{NS}rect")}
    assert PALETTE[0] in fills and PALETTE[1] in fills
    assert describe(bar()) == (
        "Urgent: Material conditions: 1; Treatment: 0. "
        "Key concern: Material conditions: 3; Treatment: –."
    )


def test_a_line_chart_labels_its_points_and_periods():
    root = parse(svg(line()))
    texts = [t.text for t in root.iter(f"{NS}text")]
    for word in ("2024", "2025", "2026", "2", "5", "4"):
        assert word in texts
    assert len(list(root.iter(f"{NS}circle"))) == 3


def test_a_map_draws_its_located_pins_and_says_what_it_left_out():
    drawn = str(svg(map_chart()))
    root = parse(drawn)
    pins = [c for c in root.iter(f"{NS}circle") if c.find(f"{NS}title") is not None]
    assert [c.find(f"{NS}title").text for c in pins] == ["Northgate", "Southport"]
    assert "1 without coordinates" in drawn


def test_nothing_to_draw_draws_nothing():
    assert svg(Chart(kind="bar", title="Empty")) == ""
    assert svg(Chart(kind="map", title="Empty", pins=[MapPin("x", None, None)])) == ""


def test_weasyprint_renders_the_charts_to_a_non_blank_page():
    html = (
        "<html><body>"
        + "".join(str(svg(c, chart_id=f"c{n}")) for n, c in enumerate((bar(), line(), map_chart())))
        + "</body></html>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=1).to_pil().convert("L")
    assert sum(image.histogram()[:128]) > 500  # dark pixels: something is drawn
    text = "".join(page.get_textpage().get_text_range().split())
    assert "Materialconditions" in text and "202420252026" in text
