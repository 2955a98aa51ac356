"""End to end from the records: the annual report drafted in the test world, as PDF and
DOCX, with every section in its contents and every chart in both files."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest

from habeas.reports import content, render, services
from habeas.reports.content_types import Chart
from habeas.reports.tests.factories import YEAR, report_factory, report_world

pytestmark = pytest.mark.django_db


def test_the_annual_report_renders_with_its_contents_and_charts(personas: Any, make_user: Any):
    world = report_world(personas, make_user)
    report = report_factory(kind="annual", actor=world.head, year=YEAR)
    built = content.build_content(
        user=world.head, report=report, version=services.latest_version(report)
    )
    charts = [b for s in built.sections for b in s.blocks if isinstance(b, Chart)]
    assert len(built.sections) == 8 and charts

    pdf = render.report_pdf(built)
    pages = render.pdf_text(pdf)
    assert report.reference in pages[0]
    for number, section in enumerate(built.sections, start=1):
        entry = re.search(rf"{number}\. {re.escape(section.title)}[ .]*(\d+)", pages[1])
        assert entry, section.title
        assert pages[int(entry[1]) - 1].startswith(f"{number}. {section.title}")
    assert html_charts(render.report_html(built)) == len(charts)

    document = docx.Document(io.BytesIO(render.report_docx(built)))
    drawn = [c for c in charts if str(render.charts.svg(c)).strip()]
    assert len(document.inline_shapes) == 1 + len(drawn)  # the logo and each chart


def html_charts(html: str) -> int:
    return html.count('<figure class="block chart-figure">')
