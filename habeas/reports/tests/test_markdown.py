"""The narrative's Markdown is rendered safely: no script, no event handler, no
javascript: link survives, whatever a drafter types (SECURITY.md: nh3)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from habeas.reports.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render, to_plain, tokens


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Elements()
    parser.feed(str(html))
    return parser.found


ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "<iframe src=//evil.test></iframe>",
    '<p style="background:url(x)" onclick="x()">hi</p>',
    "<svg onload=alert(1)>",
    "![img](https://tracker.test/pixel.png)",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_it_never_lets_markup_or_scripts_through(attack):
    html = render(f"Before.\n\n{attack}\n\nAfter.")
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            if name == "href":
                assert value and value.split(":")[0].lower() in {"http", "https", "mailto"}
    assert "<script" not in html and "<img" not in html and "<iframe" not in html


def test_it_renders_the_markdown_a_drafter_writes():
    html = render(
        "# Heading\n\n## Sub\n\n### Minor\n\nSome **bold** and *em*, `code`.\n\n"
        "- one\n- two\n\n1. first\n\n> quoted\n\n[NPM](https://npm.test/report)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    tags = [tag for tag, _attrs in elements(html)]
    for tag in (
        "h3",
        "h4",
        "strong",
        "em",
        "code",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "table",
        "td",
    ):
        assert tag in tags
    assert "h1" not in tags and "h2" not in tags  # the report's own titles take those
    assert 'rel="noopener noreferrer nofollow"' in html


def test_plain_text_drops_the_markup_and_keeps_the_words():
    assert to_plain("# Title\n\nHello **world**,\nagain.\n\n- a\n- b") == (
        "Title\nHello world, again.\na\nb"
    )
    assert to_plain("") == ""


def test_tokens_move_headings_down_for_the_docx():
    found = [t.tag for t in tokens("# One\n\n#### Four") if t.type == "heading_open"]
    assert found == ["h3", "h4"]


def test_empty_text_renders_empty():
    assert render("") == "" and render("   \n") == ""
