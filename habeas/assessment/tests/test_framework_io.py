"""Checking a framework document: every problem listed, each with its path."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from habeas.assessment.framework_io import InvalidFramework, parse_framework

DOCUMENT: dict[str, Any] = {
    "format": "habeas-framework/1",
    "code": "national-law",
    "name": "National law on the NPM",
    "version": "2024",
    "published": "2024-03-01",
    "source": "Official journal 2024/12",
    "language": "fr",
    "sections": [
        {"ref": "1", "title": "Mandate"},
        {"ref": "1.A", "title": "Places", "parent": "1"},
    ],
    "criteria": [
        {
            "ref": "Art. 1",
            "kind": "paragraph",
            "section": "1",
            "text": "The NPM visits:\n· prisons;",
        },
        {"ref": "Art. 1.1", "kind": "item", "parent": "Art. 1", "text": "prisons;"},
        {
            "ref": "Art. 2",
            "section": "1.A",
            "text": "All places are listed.",
            "slots": [{"key": "places-in-inventory", "name": "Places", "unit": "places"}],
        },
    ],
}


def encode(document: dict) -> bytes:
    return json.dumps(document).encode()


def problems_of(document: dict | bytes) -> list[str]:
    raw = document if isinstance(document, bytes) else encode(document)
    with pytest.raises(InvalidFramework) as refused:
        parse_framework(raw)
    return refused.value.problems


def changed(**edits: Any) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document.update(edits)
    return document


def test_it_reads_a_valid_document():
    parsed = parse_framework(encode(DOCUMENT))
    assert (parsed.code, parsed.version, parsed.language) == ("national-law", "2024", "fr")
    assert parsed.published == dt.date(2024, 3, 1)
    assert [c.ref for c in parsed.criteria] == ["Art. 1", "Art. 1.1", "Art. 2"]
    item = parsed.criteria[1]
    assert (item.kind, item.parent, item.section) == ("item", "Art. 1", "1")
    assert parsed.criteria[2].kind == "paragraph"
    assert parsed.criteria[2].slots[0].key == "places-in-inventory"
    assert len(parsed.sha256) == 64


def test_it_names_the_path_of_a_duplicate_reference():
    criteria = copy.deepcopy(DOCUMENT["criteria"])
    criteria[2]["ref"] = "Art. 1.1"
    assert problems_of(changed(criteria=criteria)) == [
        "criteria[2].ref: duplicate reference Art. 1.1"
    ]


def test_it_lists_every_problem_at_once():
    document = changed(code="national law!", version="", published="1 March 2024")
    document["sections"][1]["parent"] = "9"
    document["criteria"][0]["section"] = "7"
    document["criteria"][1]["parent"] = "Art. 9"
    document["criteria"][2]["slots"][0]["name"] = ""
    document["criteria"][2]["txt"] = "typo"
    assert problems_of(document) == [
        "code: may hold only letters, digits, hyphens and underscores",
        "version: is required",
        "published: must be a date written YYYY-MM-DD",
        "sections[1].parent: section 9 is not listed before this one",
        "criteria[0].section: no section 7 is listed",
        "criteria[1].parent: paragraph Art. 9 is not listed before this item",
        "criteria[2].txt: unknown field (check its spelling)",
        "criteria[2].slots[0].name: is required",
    ]


def test_it_refuses_an_item_placed_outside_its_paragraphs_section():
    document = changed()
    document["criteria"][1]["section"] = "1.A"
    assert problems_of(document) == [
        "criteria[1].section: an item belongs to the section of its paragraph (1)"
    ]


def test_it_refuses_a_paragraph_with_a_parent_and_an_unknown_kind():
    document = changed()
    document["criteria"][2]["parent"] = "Art. 1"
    document["criteria"][0]["kind"] = "article"
    assert problems_of(document) == [
        "criteria[0].kind: must be “paragraph” or “item”",
        "criteria[2].parent: only a listed item has a parent paragraph",
    ]


def test_it_refuses_duplicate_slot_keys_and_bad_slot_shapes():
    document = changed()
    slot = {"key": "places-in-inventory", "name": "Again"}
    document["criteria"][2]["slots"] += [slot, "not an object"]
    document["criteria"][0]["slots"] = {"key": "x"}
    assert problems_of(document) == [
        "criteria[0].slots: must be a list",
        "criteria[2].slots[1].key: duplicate indicator places-in-inventory",
        "criteria[2].slots[2]: must be an object",
    ]


def test_it_refuses_a_document_of_another_format_or_without_sections():
    assert problems_of(changed(format="habeas-framework/9", sections=[], criteria="x")) == [
        "format: must be “habeas-framework/1”",
        "sections: must be a non-empty list",
        "criteria: must be a non-empty list",
    ]


def test_it_refuses_text_that_is_too_long_or_not_text():
    document = changed(name="n" * 301, source=42)
    assert problems_of(document) == [
        "name: is longer than 300 characters",
        "source: must be text",
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "The file is not valid JSON (line 1, column 2"),
        (b"\xff\xfe\x00", "The file is not text in UTF-8."),
        (b"[1, 2]", "The file must hold one JSON object."),
        (b" " * (2 * 1024 * 1024 + 1), "The file is larger than 2 MB."),
    ],
)
def test_it_refuses_a_file_that_is_not_a_framework_document(raw, message):
    [problem] = problems_of(raw)
    assert problem.startswith(message)
