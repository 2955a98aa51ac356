"""The public version of a report and the check that guards it (¶21, 25, 31c; OPCAT 21(2)).

`public_content` makes the public face of a report from its content: the sections and
blocks kept out are dropped, the redactions applied, and every count of people under k
hidden. `find_hits` reads that public text (`passages`) against the confidential records
of the report's scope (`publication_scope.knowledge_of`) and reports what could betray
a person:

- names of people who did not consent to publication (interview identities, the names in
  the case files and reprisal watches of the scope's places), and a title followed by a
  capitalised word ("Mr Dupont") even when no record matches;
- the pseudonyms of the scope's interviews and watches;
- contact details and identifying numbers (emails, phones, dates of birth, prisoner or
  ID-like numbers);
- quotes from interviews without publish consent: a run of eight words shared with their
  notes, or a quotation of six words or more most of whose six-word runs are in them;
- small groups: a count of fewer than k people, a unit holding fewer than k, a visit day
  with fewer than k private interviews named beside a statement about a person, and a
  characteristic that singles someone out ("the only woman", "la plus jeune").

Scope: a visit or urgent report covers its visit; a follow-up report every visit to its
place; a thematic report the visits of its period with a finding on its theme; an annual
report the visits of its year.

A hit explains itself without quoting or naming the confidential record it matched, and
proposes a replacement. Its fingerprint (code, folded matched text, section) lets the
head's override hold for the same passage in later checks and versions.
"""

from __future__ import annotations

import copy
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from habeas.reports.content_types import Cell, Chart, Content, Facts, Table, Text
from habeas.reports.models import Redaction, Report, ReportVersion
from habeas.reports.publication_scope import fold

CONTEXT_CHARS = 40


@dataclass
class Passage:
    section: str
    location: str  # "narrative", "block-<n>", or "title"/"subtitle" (section "")
    text: str
    # A table's, facts' or chart's text: one line per cell, fact or label, and no phrase
    # runs from one line into the next ("Capacity: 4" / "People held: 3" is not "4 people").
    lines: bool = False


@dataclass
class Found:
    code: str
    section: str
    location: str
    start: int
    end: int
    passage: str
    explanation: str
    proposal: str
    fingerprint: str


# -- the public text ------------------------------------------------------------------


def _block_lines(block: Any) -> list[str]:
    if isinstance(block, Text):
        return [block.markdown]
    if isinstance(block, Table):
        lines = [block.caption, *block.header]
        lines += [cell.text for row in block.rows for cell in row]
        return lines
    if isinstance(block, Facts):
        return [f"{item.label}: {item.cell.text}" for item in block.items]
    if isinstance(block, Chart):
        lines = [block.title, *block.labels, *(s.name for s in block.series)]
        return lines + [pin.name for pin in block.pins]
    return []


def passages(content: Content) -> list[Passage]:
    """Every piece of text a reader of `content` sees: the title, each section's
    narrative and each block's text (a table's caption, header and cells, a chart's
    titles and labels), one passage per block."""
    found = [
        Passage("", name, value)
        for name, value in (("title", content.title), ("subtitle", content.subtitle))
        if value
    ]
    for section in content.sections:
        if section.narrative:
            found.append(Passage(section.key, "narrative", section.narrative))
        for number, block in enumerate(section.blocks):
            text = "\n".join(line for line in _block_lines(block) if line)
            if text:
                lines = not isinstance(block, Text)
                found.append(Passage(section.key, f"block-{number}", text, lines))
    return found


def public_text_digest(content: Content) -> str:
    digest = hashlib.sha256()
    for item in passages(content):
        digest.update(f"{item.section}\x1e{item.location}\x1e{item.text}\x1f".encode())
    return digest.hexdigest()


def _replace_in_block(block: Any, old: str, new: str) -> None:
    if isinstance(block, Text):
        block.markdown = block.markdown.replace(old, new)
    elif isinstance(block, Table):
        block.caption = block.caption.replace(old, new)
        block.header = [h.replace(old, new) for h in block.header]
        for row in block.rows:
            for cell in row:
                cell.text = cell.text.replace(old, new)
    elif isinstance(block, Facts):
        for item in block.items:
            item.label = item.label.replace(old, new)
            item.cell.text = item.cell.text.replace(old, new)
    elif isinstance(block, Chart):
        block.title = block.title.replace(old, new)
        block.labels = [label.replace(old, new) for label in block.labels]
        for series in block.series:
            series.name = series.name.replace(old, new)
        for pin in block.pins:
            pin.name = pin.name.replace(old, new)


def apply_redactions(content: Content, redactions: Iterable[Redaction]) -> Content:
    """A copy of `content` with each redaction's passage replaced, wherever it occurs in
    its section (narrative, text blocks, cells, captions, labels). A redaction of section
    "" applies to the report's title and subtitle."""
    result = copy.deepcopy(content)
    by_section: dict[str, list[Redaction]] = defaultdict(list)
    for redaction in redactions:
        if redaction.passage:
            by_section[redaction.section].append(redaction)
    for items in by_section.values():
        # In the order they were made: each was written against the text the ones
        # before it left, as the check showed it.
        items.sort(key=lambda r: (r.pk is None, r.pk or 0))
    for redaction in by_section.get("", []):
        result.title = result.title.replace(redaction.passage, redaction.replacement)
        result.subtitle = result.subtitle.replace(redaction.passage, redaction.replacement)
    for section in result.sections:
        for redaction in by_section.get(section.key, []):
            section.narrative = section.narrative.replace(redaction.passage, redaction.replacement)
            for block in section.blocks:
                _replace_in_block(block, redaction.passage, redaction.replacement)
    return result


def _small(value: int | None, k: int) -> bool:
    return value is not None and 0 < value < k


def withheld() -> str:
    """The text of a count hidden because it would give away a hidden one (secondary
    suppression): its own value may be large, so it does not say "< k"."""
    return str(_("withheld"))


def is_withheld(cell: Cell, k: int) -> bool:
    """A cell hidden by secondary suppression: its text is exactly "withheld", never
    anything else a suppressed cell might still carry."""
    return cell.suppressed and cell.text == withheld()


def _is_people(cell: Cell, figures: dict[str, Any]) -> bool:
    figure = figures.get(cell.figure) if cell.figure else None
    return cell.people or bool(figure and figure.people)


def _suppress_cell(cell: Cell, figures: dict[str, Any], k: int) -> None:
    figure = figures.get(cell.figure) if cell.figure else None
    people = _is_people(cell, figures)
    value = cell.value if cell.value is not None else (figure.value if figure else None)
    if (people and _small(value, k)) or (figure is not None and figure.suppressed):
        cell.value = None
        cell.suppressed = True
        cell.text = f"< {k}"


def _withhold(cell: Cell, figures: dict[str, Any]) -> None:
    cell.value = None
    cell.suppressed = True
    cell.text = withheld()
    figure = figures.get(cell.figure) if cell.figure else None
    if figure is not None and not figure.suppressed:
        figure.value = None
        figure.suppressed = True


def _family(key: str, other: str) -> bool:
    """Two figure keys of one breakdown: a total and its parts ("visit.interviews" and
    "visit.interviews.private"), or two parts of one total."""
    parent = key.rsplit(".", 1)[0]
    siblings = "." in parent and other.rsplit(".", 1)[0] == parent
    return other.startswith(key + ".") or key.startswith(other + ".") or siblings


def _people_groups(content: Content) -> Iterator[list[Cell]]:
    """The people counts that are read together: those of one Facts block, of one table."""
    for section in content.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                yield [
                    cell for row in block.rows for cell in row if _is_people(cell, content.figures)
                ]
            elif isinstance(block, Facts):
                cells = [item.cell for item in block.items]
                yield [cell for cell in cells if _is_people(cell, content.figures)]


def _secondary_suppression(content: Content) -> None:
    """Hide what would let a reader work a hidden count out (a total minus the other
    parts): when a block holds a hidden people count, every people count of that block is
    hidden (zeros and totals too), and so is every people figure of the same breakdown
    (a total and its parts, wherever they are shown). Repeated until nothing changes."""
    groups = list(_people_groups(content))
    changed = True
    while changed:
        changed = False
        hidden = {key for key, figure in content.figures.items() if figure.suppressed}
        for key, figure in content.figures.items():
            if figure.people and not figure.suppressed and any(_family(key, h) for h in hidden):
                figure.value = None
                figure.suppressed = True
                changed = True
        hidden = {key for key, figure in content.figures.items() if figure.suppressed}
        for cells in groups:
            if not any(c.suppressed or (c.figure and c.figure in hidden) for c in cells):
                continue
            for cell in cells:
                if not cell.suppressed:
                    _withhold(cell, content.figures)
                    changed = True


def _any_small(chart: Chart, k: int) -> bool:
    return any(_small(v, k) for series in chart.series for v in series.values)


def public_content(*, content: Content, version: ReportVersion, k: int) -> Content:
    """The public version: sections kept out (the version's `public_omit`, or marked
    confidential) and confidential blocks dropped, redactions applied, counts of 1 to
    k-1 people hidden (a figure or cell's value None and `suppressed`; its text "< k"),
    and a people chart with a small value blanked whole. Then secondary suppression: every other
    people count that would give a hidden one away (the same block, the same breakdown's
    total and parts, the rest of a people chart) is hidden too (its text "withheld").
    Figures no public cell shows are left out."""
    omitted = set(version.public_omit or [])
    result = copy.deepcopy(content)
    result.sections = [
        section
        for section in result.sections
        if not section.confidential and section.key not in omitted
    ]
    for section in result.sections:
        section.blocks = [b for b in section.blocks if not getattr(b, "confidential", False)]
    redactions = list(version.redactions.all()) if version.pk else []
    result = apply_redactions(result, redactions)
    shown: set[str] = set()
    for cell in _cells(result):
        if cell.figure:
            shown.add(cell.figure)
    result.figures = {key: fig for key, fig in result.figures.items() if key in shown}
    for figure in result.figures.values():
        figure.linked = False
        if figure.people and _small(figure.value, k):
            figure.value = None
            figure.suppressed = True
    for cell in _cells(result):
        _suppress_cell(cell, result.figures, k)
    for section in result.sections:
        for block in section.blocks:
            # One small value hidden, all of the chart's values are: the others (with a
            # total shown elsewhere) would give it away.
            if isinstance(block, Chart) and block.people and _any_small(block, k):
                for series in block.series:
                    series.values = [None for _v in series.values]
    with translation.override(result.language or None):
        _secondary_suppression(result)
    result.variant = "public"
    result.k = k
    return result


def _cells(content: Content) -> Iterator[Cell]:
    for section in content.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                for row in block.rows:
                    yield from row
            elif isinstance(block, Facts):
                for item in block.items:
                    yield item.cell


# -- the check ------------------------------------------------------------------------


def fingerprint(code: str, matched: str, section: str) -> str:
    folded = " ".join(fold(matched).split())
    return hashlib.sha256(f"{code}\x00{folded}\x00{section}".encode()).hexdigest()


def excerpt(text: str, start: int, end: int) -> str:
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(text), end + CONTEXT_CHARS)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    shown = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + shown + ("…" if right < len(text) else "")


def find_hits(*, report: Report, content: Content, k: int) -> list[Found]:
    """What in the public text of `content` could betray a person (see the module
    docstring). `content` is the public content; the scope's confidential records are
    read with system rights, once, and never quoted in an explanation."""
    from habeas.reports.publication_check import candidates

    items = passages(content)
    order = {id(item): n for n, item in enumerate(items)}
    with translation.override(report.language or None):
        found = candidates(report, items, k)
    found.sort(key=lambda c: (order[id(c.passage)], c.start, c.code))
    hits = []
    for candidate in found:
        text = candidate.passage.text
        matched = text[candidate.start : candidate.end]
        hits.append(
            Found(
                code=str(candidate.code),
                section=candidate.passage.section,
                location=candidate.passage.location,
                start=candidate.start,
                end=candidate.end,
                passage=excerpt(text, candidate.start, candidate.end),
                explanation=str(candidate.explanation),
                proposal=str(candidate.proposal),
                fingerprint=fingerprint(str(candidate.code), matched, candidate.passage.section),
            )
        )
    return hits


def matched_text(content: Content, *, section: str, location: str, start: int, end: int) -> str:
    """The exact text a hit covers in `content` ('' if that passage is gone)."""
    for item in passages(content):
        if item.section == section and item.location == location:
            return item.text[start:end]
    return ""
