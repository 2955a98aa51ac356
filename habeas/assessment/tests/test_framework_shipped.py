"""The SPT's tool as shipped: exactly its 38 paragraphs, its listed items and its
sections, with the text of the source (issue: "the shipped framework has exactly the 38
paragraphs and the listed items of the seed, with their text")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from habeas.assessment import framework_io
from habeas.assessment.models import Criterion, FrameworkVersion, IndicatorSlot, Organisation

SPEC = Path(settings.BASE_DIR).parent / "shared" / "spec" / "spt-analytical-assessment-tool.txt"
ITEM_COUNTS = {"5": 13, "8": 7, "25": 6, "38": 5}
MARKER = re.compile(r"^\s*(?:[IVX]+|[A-F]|\d+)\.\s*$")
PARAGRAPH = re.compile(r"^\s*(\d+)\.\s*$")


def normalise(text: str) -> str:
    """Whitespace as the data file writes it: one space, none before a semicolon (the
    source breaks ¶1 at a footnote marker just before “; and shall make”)."""
    return re.sub(r" ;", ";", " ".join(text.split()))


def spec_paragraphs() -> dict[str, list[str]]:
    """Each numbered paragraph of the source: its lines, up to the footnotes."""
    if not SPEC.is_file():
        pytest.skip(f"The SPT tool's source text is not at {SPEC} (../shared beside the clone)")
    paragraphs: dict[str, list[str]] = {}
    current: list[str] | None = None
    lines = SPEC.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if "\ufffd" in line:
            break
        number = PARAGRAPH.match(line)
        if number:
            current = paragraphs.setdefault(number.group(1), [])
        elif MARKER.match(line):
            current = None
        elif current is not None and not _is_heading(lines, index):
            current.append(line)
    return paragraphs


def _is_heading(lines: list[str], index: int) -> bool:
    """A section title: the line right after a section marker."""
    return (
        index > 0 and bool(MARKER.match(lines[index - 1])) and not PARAGRAPH.match(lines[index - 1])
    )


@pytest.fixture
def spt(db) -> FrameworkVersion:
    return FrameworkVersion.objects.get(
        framework__code=framework_io.SPT_CODE, version=framework_io.SPT_VERSION
    )


def test_it_ships_exactly_the_38_paragraphs_numbered_1_to_38(spt):
    refs = list(spt.criteria.filter(kind="paragraph").values_list("ref", flat=True))
    assert refs == [str(n) for n in range(1, 39)]


def test_it_ships_each_paragraph_with_the_text_of_the_source(spt):
    source = spec_paragraphs()
    assert sorted(source, key=int) == [str(n) for n in range(1, 39)]
    shipped = dict(spt.criteria.filter(kind="paragraph").values_list("ref", "text"))
    different = [
        ref
        for ref, lines in source.items()
        if normalise(shipped[ref]) != normalise(" ".join(lines))
    ]
    assert different == []


def test_it_ships_each_listed_item_of_the_source_as_a_criterion(spt):
    source = spec_paragraphs()
    for paragraph, count in ITEM_COUNTS.items():
        bullets = [normalise(line.strip()[1:]) for line in source[paragraph] if "·" in line]
        items = spt.criteria.filter(kind="item", parent__ref=paragraph).order_by("position")
        assert [normalise(item.text) for item in items] == bullets
        assert len(bullets) == count


def test_it_numbers_the_items_of_paragraphs_5_8_25_and_38(spt):
    for paragraph, count in ITEM_COUNTS.items():
        items = spt.criteria.filter(kind="item", parent__ref=paragraph).order_by("position")
        assert [i.ref for i in items] == [f"{paragraph}.{n}" for n in range(1, count + 1)]
        assert {i.section_id for i in items} == {spt.criteria.get(ref=paragraph).section_id}
    assert spt.criteria.filter(kind="item").count() == sum(ITEM_COUNTS.values())


def test_it_keeps_the_items_verbatim(spt):
    texts = dict(spt.criteria.filter(kind="item").values_list("ref", "text"))
    assert texts["5.1"] == "criteria for the selection of planned activity;"
    assert texts["8.6"] == "Data protection;"
    assert texts["25.3"] == (
        "Intervention and the assistance of other actors, including NGOs, "
        "may be sought and facilitated."
    )
    assert (
        texts["38.5"] == "accounts of cooperation with other actors on the prevention of torture."
    )


def test_it_leaves_the_footnotes_out(spt):
    assert not spt.criteria.filter(text__contains="CAT/OP/12/5").exists()
    assert not spt.criteria.filter(text__contains="\ufffd").exists()


def test_it_ships_the_sections_with_their_sub_sections(spt):
    sections = {s.ref: s for s in spt.sections.select_related("parent")}
    assert list(sections) == [
        "I", "II", "III", "IV", "IV.A", "IV.B", "IV.C", "IV.D", "IV.E", "IV.F",
        "V", "V.A", "V.B", "V.C", "V.D", "V.E",
    ]  # fmt: skip
    assert sections["IV.D"].title == "Follow-up on SPT’s and own recommendations for changes"
    assert sections["V.C"].title == "Budgets; prioritizing resources"
    assert {s.parent.ref for s in sections.values() if s.parent} == {"IV", "V"}


def test_it_places_each_paragraph_in_its_section(spt):
    section_of = dict(spt.criteria.filter(kind="paragraph").values_list("ref", "section__ref"))
    assert section_of["3"] == "I"
    assert section_of["8"] == "III"
    assert section_of["10"] == "IV.A"
    assert section_of["25"] == "IV.E"
    assert section_of["29"] == "IV.F"
    assert section_of["34"] == "V.B"
    assert section_of["38"] == "V.E"


def test_it_declares_indicator_slots_with_a_name_unit_and_description(spt):
    slots = {
        (s.criterion.ref, s.key): s
        for s in IndicatorSlot.objects.filter(criterion__framework_version=spt).select_related(
            "criterion"
        )
    }
    for where in [("9", "places-in-inventory"), ("10", "places-visited-within-interval"),
                  ("24", "recommendations-implemented-share"), ("25", "reprisal-watches-opened"),
                  ("33", "public-submissions-received"), ("37", "training-days-per-staff"),
                  ("38", "annual-report-on-time")]:  # fmt: skip
        assert slots[where].name and slots[where].unit and slots[where].description


def test_it_ships_a_file_its_own_import_accepts_and_the_migration_loaded_as_is(spt):
    parsed = framework_io.parse_framework(framework_io.SPT_FILE.read_bytes())
    assert parsed.sha256 == spt.sha256
    shipped = {c.ref: c.text for c in parsed.criteria}
    assert shipped == dict(
        Criterion.objects.filter(framework_version=spt).values_list("ref", "text")
    )


def test_it_creates_the_home_npm(db):
    home = Organisation.objects.get(is_home=True)
    assert home.kind == Organisation.Kind.NPM
    assert home.name == "This NPM"
