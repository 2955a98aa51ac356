"""Templates carry no inline script or style, no event handlers, no external hosts
(SECURITY.md test 15)."""

from __future__ import annotations

import re
from pathlib import Path

import habeas

ROOT = Path(habeas.__file__).parent
TEMPLATES = [p for p in ROOT.rglob("*.html") if "static" not in p.parts]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_it_finds_the_templates():
    assert len(TEMPLATES) > 5


def test_it_has_no_inline_script_style_handler_or_external_host():
    problems = []
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        for name, pattern in [
            ("inline script", INLINE_SCRIPT),
            ("style tag", STYLE_TAG),
            ("style attribute", STYLE_ATTR),
            ("event handler", HANDLER),
            ("external host", EXTERNAL),
        ]:
            if pattern.search(text):
                problems.append(f"{template.relative_to(ROOT)}: {name}")
    assert problems == []
