"""The PDF of a report, drawn from hand-built content: what a reader sees on its pages,
in which order, in which direction, and that laying it out fetches nothing."""

from __future__ import annotations

import io
import re
import socket

from PIL import Image

from habeas.core.documents import STATIC_BASE, StaticOnlyFetcher
from habeas.reports import render
from habeas.reports.content_types import (
    Cell,
    Chart,
    Content,
    Fact,
    Facts,
    Figure,
    Section,
    Series,
    Table,
    Text,
)

TITLE = "Visit to Northgate Remand Prison"
NPM = "National Preventive Mechanism of Demoland"
HIDDEN = "HIDDEN-COUNT-4"


def sample(**changes: object) -> Content:
    sections = [
        Section(
            key="summary",
            title="Executive summary",
            narrative="The team **visited** the prison.\n\n- first point\n- second point",
            blocks=[
                Facts(items=[Fact("Interviews", Cell(text="12", figure="interviews", value=12))]),
                Table(
                    caption="Units seen",
                    header=["Unit", "Detainees"],
                    rows=[
                        [Cell("Wing A"), Cell("1200", figure="wing-a", value=1200, people=True)],
                        [Cell("Wing C"), Cell(HIDDEN, value=None, people=True, suppressed=True)],
                    ],
                ),
            ],
        ),
        Section(
            key="findings",
            title="Findings",
            narrative="Cells were overcrowded.",
            blocks=[
                Chart(
                    kind="bar",
                    title="Findings by theme",
                    labels=["Conditions", "Treatment"],
                    series=[Series("2026", [7, 3])],
                ),
                Text(markdown="Recommendation: *reduce* occupancy."),
            ],
        ),
        Section(key="recommendations", title="Recommendations", narrative="See below."),
    ]
    values = {
        "reference": "VR-2026-0007",
        "kind": "visit",
        "title": TITLE,
        "subtitle": "Visit report · 10–12 March 2026",
        "language": "en",
        "direction": "ltr",
        "npm_name": NPM,
        "version": 2,
        "state": "signed",
        "dated": "2026-04-02",
        "signed_by": "Head of the NPM",
        "sections": sections,
        "figures": {"interviews": Figure("interviews", "Interviews", 12, people=True)},
    }
    values.update(changes)
    return Content(**values)  # type: ignore[arg-type]


def non_white(png: bytes) -> int:
    histogram = Image.open(io.BytesIO(png)).convert("L").histogram()
    return sum(histogram[:240])


def rgb_pixels(png: bytes) -> list[tuple[int, int, int]]:
    data = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    return [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data), 3)]


def test_it_renders_a_first_page_with_the_title_that_is_not_blank():
    pdf = render.report_pdf(sample())

    assert pdf.startswith(b"%PDF")
    pages = render.pdf_pages_png(pdf, scale=1.0)
    assert non_white(pages[0]) > 2000
    first = render.pdf_text(pdf)[0]
    for expected in (TITLE, NPM, "VR-2026-0007", "Visit report", "April 2, 2026"):
        assert expected in first
    assert "Version" in first and "2 (Signed)" in first


def test_it_lists_every_section_in_the_contents_at_the_page_it_starts_on():
    content = sample()
    pages = render.pdf_text(render.report_pdf(content))

    contents = pages[1]
    assert contents.startswith("Contents")
    for number, section in enumerate(content.sections, start=1):
        entry = re.search(rf"{number}\. {section.title}[ .]*(\d+)", contents)
        assert entry, section.title
        page = int(entry[1])
        assert pages[page - 1].startswith(f"{number}. {section.title}")


def test_it_marks_and_numbers_every_page():
    pdf = render.report_pdf(sample())
    pages = render.pdf_text(pdf)

    assert "CONFIDENTIAL" in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert "CONFIDENTIAL" in text
        assert f"Page {number} of {len(pages)}" in text
        assert NPM in text and "VR-2026-0007" in text


def test_the_public_version_is_marked_public_on_every_page():
    pages = render.pdf_text(render.report_pdf(sample(variant="public")))

    assert all("PUBLIC VERSION" in text for text in pages)
    assert not any("CONFIDENTIAL" in text for text in pages)


def test_an_unsigned_version_is_marked_as_a_draft():
    signed = render.report_html(sample())
    draft = render.report_html(sample(state="draft"))

    assert 'class="watermark"' in draft and 'class="watermark"' not in signed


def test_a_suppressed_count_reads_fewer_than_k_and_never_its_value():
    content = sample(variant="public", k=6)
    text = "\n".join(render.pdf_text(render.report_pdf(content)))

    assert "fewer than 6" in text
    assert HIDDEN not in text
    assert "1,200" in text  # a large count is shown, grouped


def test_a_small_count_of_people_in_a_public_version_is_hidden_even_if_not_marked():
    content = sample(variant="public")
    content.sections[0].blocks[1].rows[0][1] = Cell("4", figure="w", value=4, people=True)  # type: ignore[union-attr]

    html = render.report_html(content)

    assert html.count("fewer than 5") == 2
    assert ">4<" not in html


def test_it_draws_the_chart_and_the_markdown():
    html = render.report_html(sample())

    assert "<svg" in html and "Findings by theme" in html
    assert "<strong>visited</strong>" in html and "<em>reduce</em>" in html
    assert "<li>first point</li>" in html


def test_an_arabic_report_is_laid_out_right_to_left():
    arabic_title = "زيارة إلى سجن الشمال"
    content = sample(
        language="ar",
        direction="rtl",
        title=arabic_title,
        sections=[
            Section(
                key="summary",
                title="الملخص التنفيذي",
                narrative="زار الفريق السجن في آذار.\n\nThe director declined to comment.",
            )
        ],
    )

    html = render.report_html(content)
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    # A paragraph typed in English gets its own direction inside the Arabic report.
    assert '<p dir="ltr">The director declined to comment.</p>' in html
    assert "<p>زار الفريق" in html  # follows the document

    text = "\n".join(render.pdf_text(render.report_pdf(content)))
    assert arabic_title in text
    assert "زار الفريق السجن" in text


def test_an_arabic_paragraph_in_an_english_report_runs_right_to_left():
    content = sample(sections=[Section(key="s", title="Quotes", narrative="نص عربي هنا.")])

    assert '<p dir="rtl">نص عربي هنا.</p>' in render.report_html(content)


def test_laying_out_a_report_fetches_nothing_from_the_network(monkeypatch):
    attempts: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or [])
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: attempts.append(a))
    fetched: list[str] = []
    original = StaticOnlyFetcher.fetch

    def recording(self: StaticOnlyFetcher, url: str, headers: object = None) -> object:
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", recording)
    narrative = (
        "![tracker](http://example.invalid/x.png)\n\n"
        '<img src="http://example.invalid/y.png">\n\n[a link](http://example.invalid/z)'
    )
    content = sample(sections=[Section(key="s", title="Images", narrative=narrative)])

    pdf = render.report_pdf(content)

    assert pdf.startswith(b"%PDF")
    assert not attempts
    assert fetched and all(url.startswith(STATIC_BASE) for url in fetched)
    assert render.report_html(content).count("<img") == 1  # the logo, not what was typed


def test_the_fetcher_refuses_an_image_that_reaches_the_layout(monkeypatch):
    attempts: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or [])
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: attempts.append(a))
    refused: list[str] = []
    original = StaticOnlyFetcher.fetch

    def recording(self: StaticOnlyFetcher, url: str, headers: object = None) -> object:
        try:
            return original(self, url, headers)
        except ValueError:
            refused.append(url)
            raise

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", recording)
    html = (
        '<html><head><link rel="stylesheet" href="http://example.invalid/x.css"></head><body>'
        '<img src="http://example.invalid/x.png"><img src="file:///etc/passwd">'
        '<p style="background: url(http://169.254.169.254/latest/)">x</p></body></html>'
    )

    assert render.html_pdf(html).startswith(b"%PDF")
    assert set(refused) >= {"http://example.invalid/x.css", "http://example.invalid/x.png"}
    assert not attempts


def test_the_title_page_shows_the_configured_logo(settings, tmp_path):
    logo = tmp_path / "npm.png"
    Image.new("RGB", (200, 200), (220, 0, 0)).save(logo)
    settings.HABEAS_NPM_LOGO = str(logo)

    assert render.logo() == (logo.read_bytes(), "image/png")
    first = render.pdf_pages_png(render.report_pdf(sample()))[0]
    reds = [p for p in rgb_pixels(first) if p[0] > 200 and p[1] < 40 and p[2] < 40]
    assert len(reds) > 500


def test_without_a_usable_logo_the_title_page_shows_habeas_mark(settings, tmp_path):
    settings.HABEAS_NPM_LOGO = str(tmp_path / "missing.png")
    data, mime = render.logo()
    assert mime == "image/svg+xml" and b"<svg" in data

    settings.HABEAS_NPM_LOGO = ""
    assert render.logo()[1] == "image/svg+xml"
    first = render.pdf_pages_png(render.report_pdf(sample()))[0]
    blue = [p for p in rgb_pixels(first) if p[2] > 120 and p[0] < 60]
    assert len(blue) > 500  # the mark's blue square


def test_a_chart_becomes_a_png_of_the_width_asked_for():
    chart = Chart(kind="bar", title="Visits", labels=["Prisons", "Police"],
                  series=[Series("2026", [12, 30])])  # fmt: skip

    png = render.chart_png(chart, width_px=900)

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert abs(image.width - 900) <= 2
    assert non_white(png) > 1000


def test_page_words_cannot_break_out_of_the_stylesheet():
    quoted = render.css_string('Seite "1" </style><script>')

    assert quoted.startswith('"') and quoted.endswith('"')
    assert '"' not in quoted[1:-1] and "<" not in quoted and ">" not in quoted
