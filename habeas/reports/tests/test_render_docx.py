"""The DOCX of a report, drawn from hand-built content, opened again with python-docx as
a reader's word processor would."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from habeas.reports import render
from habeas.reports.content_types import Section
from habeas.reports.tests.test_render import HIDDEN, NPM, TITLE, sample


def opened(content=None):  # type: ignore[no-untyped-def]
    return docx.Document(io.BytesIO(render.report_docx(content or sample())))


def field_codes(element) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.text or "" for node in element.iter(qn("w:instrText")))


def all_text(document) -> str:  # type: ignore[no-untyped-def]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_it_opens_with_the_title_page_headings_and_tables():
    document = opened()

    texts = [p.text for p in document.paragraphs]
    assert TITLE in texts and NPM in texts and "CONFIDENTIAL" in texts
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Contents", "1. Executive summary", "2. Findings", "3. Recommendations"]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "VR-2026-0007" in cells  # the title page's facts
    assert "Units seen" in texts and "Wing A" in cells and "1,200" in cells
    assert document.core_properties.title == TITLE


def test_it_has_a_contents_field_and_a_plain_contents_list():
    document = opened()

    assert "TOC" in field_codes(document.element.body)
    listed = [p.text for p in document.paragraphs if p.style.name == "List"]
    assert listed == ["1. Executive summary", "2. Findings", "3. Recommendations"]
    update = document.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_every_page_carries_the_marking_and_its_number():
    section = opened().sections[0]

    assert "Confidential" in section.header.paragraphs[0].text
    codes = field_codes(section.footer._element)
    assert "PAGE" in codes.split() and "NUMPAGES" in codes.split()
    assert "Page" in section.footer.paragraphs[0].text


def test_the_public_version_is_marked_public_in_the_header():
    document = opened(sample(variant="public"))

    assert "Public version" in document.sections[0].header.paragraphs[0].text
    assert "Confidential" not in all_text(document)


def test_the_chart_and_the_logo_are_pictures():
    document = opened()

    assert len(document.inline_shapes) == 2  # the logo, the chart
    blobs = [
        document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        for shape in document.inline_shapes
    ]
    assert all(blob.startswith(b"\x89PNG") for blob in blobs)


def test_a_suppressed_count_reads_fewer_than_k_and_never_its_value():
    text = all_text(opened(sample(variant="public", k=7)))

    assert "fewer than 7" in text
    assert HIDDEN not in text


def test_markdown_becomes_bold_italic_and_list_paragraphs():
    document = opened()

    runs = [run for p in document.paragraphs for run in p.runs]
    assert any(run.text == "visited" and run.bold for run in runs)
    assert any(run.text == "reduce" and run.italic for run in runs)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["first point", "second point"]


def test_an_arabic_report_marks_its_paragraphs_right_to_left():
    content = sample(
        language="ar",
        direction="rtl",
        title="زيارة إلى سجن الشمال",
        sections=[
            Section(key="s", title="الملخص", narrative="زار الفريق السجن.\n\nEnglish line."),
        ],
    )
    document = opened(content)

    by_text = {p.text: p for p in document.paragraphs}
    arabic = by_text["زار الفريق السجن."]
    english = by_text["English line."]
    assert arabic._p.pPr.find(qn("w:bidi")) is not None
    assert all(run._r.rPr.find(qn("w:rtl")) is not None for run in arabic.runs)
    assert english._p.pPr is None or english._p.pPr.find(qn("w:bidi")) is None
    assert all(t._tbl.tblPr.find(qn("w:bidiVisual")) is not None for t in document.tables)


def test_right_to_left_marks_keep_the_order_word_requires():
    sections = [
        Section(key="a", title="الملخص", narrative="- البند الأول\n- البند الثاني"),
        Section(key="b", title="النتائج", narrative="### عنوان فرعي\n\nنص."),
    ]
    document = opened(sample(language="ar", direction="rtl", sections=sections))

    styled = 0
    for paragraph in document.paragraphs:
        properties = paragraph._p.pPr
        if properties is None or properties.find(qn("w:bidi")) is None:
            continue
        names = [child.tag for child in properties]
        bidi = names.index(qn("w:bidi"))
        if qn("w:pStyle") in names:
            styled += 1
            assert names.index(qn("w:pStyle")) < bidi
        later = [qn("w:spacing"), qn("w:ind"), qn("w:jc"), qn("w:rPr")]
        assert all(bidi < names.index(tag) for tag in later if tag in names)
    assert styled >= 4  # headings and list items: their style comes first


def test_each_numbered_list_starts_again_at_one():
    content = sample()
    content.sections[0].narrative = "1. Heat\n2. Light\n\nThen:\n\n1. Food\n2. Water"
    document = opened(content)

    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["Heat", "Light", "Food", "Water"]
    first, second = (
        {p._p.pPr.numPr.numId.val for p in numbered[:2]},
        {p._p.pPr.numPr.numId.val for p in numbered[2:]},
    )
    assert len(first) == len(second) == 1 and first != second  # two lists, two numberings
    numbering = document.part.numbering_part.element
    for num_id in first | second:
        override = numbering.num_having_numId(num_id).lvlOverride_lst[0]
        assert override.startOverride.val == 1
