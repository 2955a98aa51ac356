"""A report's narrative: Markdown written by the team, rendered safely (¶19).

markdown-it-py in its CommonMark preset with raw HTML turned off (and tables on), then
nh3 with a small allow-list, so that nothing typed into a report can run in a reader's
browser or in the PDF renderer. Headings are moved down to h3/h4 because the report's
own titles take h1 and h2.
"""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p",
    "h3",
    "h4",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "code",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Content dropped with its tag (nh3 keeps the text of other disallowed tags).
DROPPED_WITH_CONTENT = {"script", "style"}


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table")
    return parser


_PARSER = _parser()


def tokens(text: str) -> list[Token]:
    """The markdown-it tokens of `text`, headings moved down to h3/h4 (for the DOCX)."""
    found = _PARSER.parse(text or "")
    for token in found:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = "h3" if level <= 2 else "h4"
    return found


def render(text: str) -> SafeString:
    """Markdown → sanitised HTML, safe to put in a page or a PDF."""
    if not text or not text.strip():
        return mark_safe("")  # noqa: S308 - empty
    html = _PARSER.renderer.render(tokens(text), _PARSER.options, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


_SPACES = re.compile(r"[ \t]+")


def to_plain(text: str) -> str:
    """Markdown → plain text: paragraphs and list items on their own lines, no markup.
    Used by the publication check and wherever HTML cannot go."""
    lines: list[str] = []
    current: list[str] = []
    for token in tokens(text):
        if token.type == "inline":
            current.append(_inline_text(token))
        elif token.type in ("paragraph_close", "heading_close", "th_close", "td_close"):
            if current:
                lines.append(" ".join(current))
                current = []
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.rstrip("\n"))
    if current:
        lines.append(" ".join(current))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in lines if line.strip())


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
