"""The publication check's reading of a report's public text (see
`habeas.reports.publication` for what it looks for and why).

`candidates(report, items, k)` returns, for each passage, every span that could betray a
person, with its code, explanation and proposed replacement; `publication.find_hits`
turns them into hits. The confidential facts come from `publication_scope.knowledge_of`,
read once per run; the matching structures (names, pseudonyms and units indexed by their
first word, the report's eight-word runs and quoted six-word runs) are built once too, so
that the notes of a national annual report's scope are read in one pass.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from habeas.reports.models import Hit, Report
from habeas.reports.publication_scope import TOKEN, Knowledge, fold, knowledge_of
from habeas.reports.publication_words import (
    BIRTH,
    EMAIL,
    LONG_NUMBER,
    MIXED_ID,
    MONTHS,
    NUMBER_AFTER_WORD,
    NUMBER_WORDS,
    PARTICIPLES,
    PARTITIVES,
    PEOPLE_ADJECTIVES,
    PEOPLE_NOUNS,
    PERSON_CONTEXT,
    PHONE,
    SINGLE_PHRASES,
    SUPERLATIVES,
    TITLE_WITH_DOT,
    TITLES,
    TRAIT_PHRASES,
)
from habeas.visits.source_check import COMMON

if TYPE_CHECKING:
    from habeas.reports.publication import Passage

WORD = re.compile(r"\w+")
QUOTE_RUN = 8
QUOTED_GRAM = 6
QUOTED_SHARE = 0.6
QUOTED = re.compile(r"“([^”]{1,4000})”|\"([^\"\n]{1,4000})\"|«([^»]{1,4000})»|„([^“”]{1,4000})[“”]")
RATES = (
    ("per",),
    ("a", "cell"),
    ("in", "each"),
    ("in", "every"),
    ("in", "cells"),
    ("in", "a", "cell"),
    ("to", "a", "cell"),
    ("por",),
    ("par",),
    ("en", "cada"),
    ("dans", "chaque"),
)
REFERENCE_WORDS = frozenset(
    "rule rules article art paragraph para section page regla articulo regle alinea".split()  # noqa: SIM905
)


@dataclass
class _Candidate:
    passage: Passage
    code: str
    start: int
    end: int
    explanation: str
    proposal: str
    rank: int = 0  # among overlapping hits of one code, the higher rank explains


def _tokens(text: str, pattern: re.Pattern[str] = TOKEN) -> list[tuple[str, int, int, str]]:
    """(folded, start, end, original) for each token of the original text."""
    return [(fold(m.group()), m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def _index(phrases: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for phrase in phrases:
        if phrase:
            index[phrase[0]].append(phrase)
    for entries in index.values():
        entries.sort(key=len, reverse=True)
    return index


def _phrase_spans(
    tokens: list[tuple[str, int, int, str]], index: dict[str, list[tuple[str, ...]]]
) -> Iterator[tuple[int, int]]:
    words = [t[0] for t in tokens]
    for i, word in enumerate(words):
        for phrase in index.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                yield tokens[i][1], tokens[i + len(phrase) - 1][2]
                break


class _Matcher:
    """Matching structures built once per run from the scope's knowledge."""

    def __init__(self, knowledge: Knowledge, k: int) -> None:
        self.knowledge = knowledge
        self.k = k
        self.names = _index(knowledge.names)
        self.pseudonyms = _index(knowledge.pseudonyms)
        self.units = _index(knowledge.small_units)
        self.traits = _index(TRAIT_PHRASES)
        self.singles = _index(SINGLE_PHRASES)

    def hits(self, passage: Passage) -> list[_Candidate]:
        text = passage.text
        tokens = _tokens(text)
        words = _tokens(text, WORD)
        found = self._names(passage, tokens)
        found += self._pseudonyms(passage, tokens)
        found += _contacts(passage, self.knowledge)
        found += self._units(passage, tokens)
        found += self._dates(passage)
        for line in _lines(passage, words):
            found += self._counts(passage, line)
            found += self._traits(passage, line)
        return found

    def _names(self, passage: Passage, tokens: list[tuple[str, int, int, str]]) -> list[_Candidate]:
        record = _(
            "This matches the name of a person in a confidential record covered by this "
            "report (an interview, a case file or a reprisal watch) who has not consented "
            "to publication."
        )
        found = [
            _Candidate(passage, Hit.Code.NAME, s, e, record, _("[name withheld]"), 1)
            for s, e in _phrase_spans(tokens, self.names)
        ]
        for folded, start, end, original in tokens:
            if folded in self.knowledge.family_names and original[:1].isupper():
                found.append(
                    _Candidate(passage, Hit.Code.NAME, start, end, record, _("[name withheld]"), 1)
                )
        titled = _(
            "A title followed by a capitalised word: probably a person's name. Withhold it "
            "unless the person agreed to be named."
        )
        for start, end in _titled_names(passage.text, tokens, self.knowledge.public_words):
            found.append(
                _Candidate(passage, Hit.Code.NAME, start, end, titled, _("[name withheld]"))
            )
        return found

    def _pseudonyms(
        self, passage: Passage, tokens: list[tuple[str, int, int, str]]
    ) -> list[_Candidate]:
        why = _(
            "This is the pseudonym of an interview or of a person under reprisal watch "
            "covered by this report: a pseudonym in a public text points to a source."
        )
        return [
            _Candidate(passage, Hit.Code.PSEUDONYM, s, e, why, _("a person interviewed"))
            for s, e in _phrase_spans(tokens, self.pseudonyms)
        ]

    def _units(self, passage: Passage, tokens: list[tuple[str, int, int, str]]) -> list[_Candidate]:
        why = _("This unit holds fewer than %(k)d people: naming it narrows down who is meant.") % {
            "k": self.k
        }
        return [
            _Candidate(passage, Hit.Code.SMALL_UNIT, s, e, why, _("one unit"))
            for s, e in _phrase_spans(tokens, self.units)
        ]

    def _counts(self, passage: Passage, words: list[tuple[str, int, int, str]]) -> list[_Candidate]:
        found = []
        for i in range(len(words)):
            number = self._number_at(passage.text, words, i)
            if number is None:
                continue
            value, after = number
            noun = _people_noun_at(words, after)
            if noun is None or not 0 < value < self.k or _rate(words, noun + 1):
                continue
            original = words[noun][3]
            plural = original.casefold().endswith(("s", "men", "children", "people", "jovenes"))
            proposal = (
                _("a small number of %(people)s") % {"people": original}
                if plural and value != 1
                else _("a small number of people")
            )
            why = _(
                "A count of %(n)d people is under k = %(k)d: so few people can be recognised."
            ) % {"n": value, "k": self.k}
            start = words[i][1]
            found.append(
                _Candidate(
                    passage,
                    Hit.Code.SMALL_COUNT,
                    start,
                    words[noun][2],
                    why,
                    _as_written(passage.text, start, proposal),
                )
            )
        return found

    def _number_at(
        self, text: str, words: list[tuple[str, int, int, str]], i: int
    ) -> tuple[int, int] | None:
        """The count starting at word i and the index of the word after it, if any."""
        folded = words[i][0]
        if i > 0 and words[i - 1][0] in REFERENCE_WORDS:
            return None
        if folded.isdigit():
            if i > 0 and _continues_number(text, words, i):
                return None
            digits, j = folded, i + 1
            while j < len(words) and _continues_number(text, words, j):
                digits += words[j][0]
                j += 1
            if j < len(words) and text[words[j - 1][2] : words[j][1]] in {".", ","}:
                return None  # a decimal or a date, not a head count
            return int(digits), j
        for phrase in self.singles.get(folded, ()):
            if tuple(w[0] for w in words[i : i + len(phrase)]) == phrase:
                return 1, i + len(phrase)
        if folded in NUMBER_WORDS:
            return NUMBER_WORDS[folded], i + 1
        return None

    def _traits(self, passage: Passage, words: list[tuple[str, int, int, str]]) -> list[_Candidate]:
        why = _(
            "This characteristic singles out one person, or very few: readers who know the "
            "place could recognise them."
        )
        found = []
        folded = [w[0] for w in words]
        for i, word in enumerate(folded):
            for phrase in self.traits.get(word, ()):
                if tuple(folded[i : i + len(phrase)]) != phrase:
                    continue
                after = i + len(phrase)
                noun = next(
                    (
                        j
                        for j in range(after, min(after + 3, len(words)))
                        if folded[j] in PEOPLE_NOUNS
                    ),
                    None,
                )
                if noun is not None:
                    end, following = words[noun][2], noun + 1
                elif phrase in SUPERLATIVES and _stands_alone(passage.text, words, after):
                    end, following = words[after - 1][2], after
                else:
                    continue
                # The whole phrase ("the only foreign woman") becomes "a person held", or
                # "a person" when a participle follows ("the only woman held in…").
                participle = following < len(words) and folded[following] in PARTICIPLES
                proposal = _("a person") if participle else _("a person held")
                start = words[i][1]
                found.append(
                    _Candidate(
                        passage,
                        Hit.Code.TRAIT,
                        start,
                        end,
                        why,
                        _as_written(passage.text, start, proposal),
                    )
                )
                break
        return found

    def _dates(self, passage: Passage) -> list[_Candidate]:
        if not self.knowledge.small_days:
            return []
        why = _(
            "Fewer than %(k)d private interviews were held on this day of the visit: beside "
            "a statement about a person, the date narrows down who spoke."
        ) % {"k": self.k}
        found = []
        block = passage.location != "narrative"
        for start, end, candidates in _dates_in(passage.text):
            if not any(_on_small_day(c, self.knowledge.small_days) for c in candidates):
                continue
            sentence = _sentence(passage.text, start, end, block=block)
            if not any(fold(w) in PERSON_CONTEXT for w in WORD.findall(sentence)):
                continue
            found.append(
                _Candidate(passage, Hit.Code.SMALL_DATE, start, end, why, _("during the visit"))
            )
        return found


def _as_written(text: str, start: int, proposal: str) -> str:
    """The proposal with a capital when it replaces the words a sentence starts with."""
    before = text[:start].rstrip(" \t*_>#+-\u00a0")
    starts = not before or before.endswith(("\n", ".", "!", "?"))
    if starts and proposal[:1].islower():
        return proposal[:1].upper() + proposal[1:]
    return proposal


def _lines(
    passage: Passage, words: list[tuple[str, int, int, str]]
) -> list[list[tuple[str, int, int, str]]]:
    """The words of a passage, cut at each line break when the passage is a table's,
    facts' or chart's text (one line per cell or fact): a count or a trait is read
    within one line, never from a label into the next one."""
    if not passage.lines or not words:
        return [words]
    text = passage.text
    lines = [[words[0]]]
    for previous, word in zip(words, words[1:], strict=False):
        if "\n" in text[previous[2] : word[1]]:
            lines.append([])
        lines[-1].append(word)
    return lines


def _continues_number(text: str, words: list[tuple[str, int, int, str]], j: int) -> bool:
    """Word j is a group of three digits after a number ("1 000", "1,000")."""
    if j == 0 or not words[j - 1][0].isdigit():
        return False
    gap = text[words[j - 1][2] : words[j][1]]
    return len(words[j][0]) == 3 and words[j][0].isdigit() and gap in {" ", ",", "\u00a0", "\u202f"}


def _people_noun_at(words: list[tuple[str, int, int, str]], j: int) -> int | None:
    folded = [w[0] for w in words]
    for partitive in PARTITIVES:
        if tuple(folded[j : j + len(partitive)]) == partitive:
            j += len(partitive)
            break
    for _skip in range(3):
        if j >= len(words):
            return None
        if folded[j] in PEOPLE_NOUNS:
            return j
        if folded[j] not in PEOPLE_ADJECTIVES:
            return None
        j += 1
    return None


def _rate(words: list[tuple[str, int, int, str]], j: int) -> bool:
    """ "three people per cell", "two detainees in each cell": a density, not a group."""
    following = tuple(w[0] for w in words[j : j + 3])
    return any(following[: len(rate)] == rate for rate in RATES)


def _stands_alone(text: str, words: list[tuple[str, int, int, str]], after: int) -> bool:
    if after >= len(words):
        return True
    gap = text[words[after - 1][2] : words[after][1]]
    return any(c in gap for c in ",;:.()") or words[after][0] in {"of", "among", "de", "d", "del"}


def _titled_names(
    text: str, tokens: list[tuple[str, int, int, str]], public: set[str]
) -> Iterator[tuple[int, int]]:
    """ "Mr Dupont", "Mme Martin", "Sr. Pérez", "M. Durand": a capitalised title, then
    up to three capitalised words that are not all names known to be public."""
    for i, (folded, start, end, original) in enumerate(tokens):
        dotted = text[end : end + 1] == "."
        if not original[:1].isupper():
            continue
        if folded not in TITLES and not (folded in TITLE_WITH_DOT and dotted):
            continue
        j = i + 1
        while j < len(tokens) and j <= i + 3 and _capitalised_word(tokens[j][3]):
            gap = text[tokens[j - 1][2] : tokens[j][1]].strip()
            if gap not in ("", ".") or (gap and j > i + 1):
                break
            j += 1
        name = [t[0] for t in tokens[i + 1 : j]]
        if name and not all(word in public for word in name):
            yield start, tokens[j - 1][2]


def _capitalised_word(word: str) -> bool:
    return word[:1].isupper() and word.isalpha()


def _contacts(passage: Passage, knowledge: Knowledge) -> list[_Candidate]:
    text = passage.text
    found: list[_Candidate] = []

    def add(match: re.Match[str], why: str, proposal: str, group: int = 0) -> None:
        found.append(
            _Candidate(
                passage, Hit.Code.CONTACT, match.start(group), match.end(group), why, proposal
            )
        )

    for match in EMAIL.finditer(text):
        add(match, _("An email address identifies a person."), _("[contact details withheld]"))
    for match in PHONE.finditer(text):
        if _is_phone(match.group()):
            add(match, _("A phone number identifies a person."), _("[contact details withheld]"))
    for match in BIRTH.finditer(text):
        add(match, _("A date of birth identifies a person."), _("[date of birth withheld]"), 1)
    numbers = _(
        "A long or letter-and-digit number looks like a prisoner, register or identity "
        "number: it points to one person."
    )
    for pattern in (LONG_NUMBER, MIXED_ID):
        for match in pattern.finditer(text):
            if fold(match.group()) not in knowledge.references:
                add(match, numbers, _("[number withheld]"))
    for match in NUMBER_AFTER_WORD.finditer(text):
        add(match, numbers, _("[number withheld]"), group=1)
    return found


def _is_phone(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    if not 8 <= digits <= 15:
        return False
    if re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", value):
        return False  # a date
    if re.fullmatch(r"\d{1,3}(?:[ .,\u00a0]\d{3})+", value):
        return False  # a large number with thousands grouped
    return not re.fullmatch(r"(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d", value)


# -- dates ----------------------------------------------------------------------------

ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2,4})\b")
DAY_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|er|º|°)?\s+(?:de\s+|of\s+)?([^\W\d_]{3,})\.?"
    r"(?:,?\s+(?:de\s+)?(\d{4})\b)?"
)
MONTH_DAY = re.compile(r"\b([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?")
SENTENCE_END = re.compile(r"[.!?](?=\s)")

DateCandidate = tuple[int, int, int | None]  # month, day, year or None


def _year(value: str | None) -> int | None:
    if not value:
        return None
    year = int(value)
    return year + 2000 if year < 100 else year


def _dates_in(text: str) -> Iterator[tuple[int, int, list[DateCandidate]]]:
    taken: list[tuple[int, int]] = []

    def fresh(start: int, end: int) -> bool:
        if any(s < end and start < e for s, e in taken):
            return False
        taken.append((start, end))
        return True

    for m in ISO_DATE.finditer(text):
        if fresh(m.start(), m.end()):
            yield m.start(), m.end(), [(int(m[2]), int(m[3]), int(m[1]))]
    for m in NUMERIC_DATE.finditer(text):
        if fresh(m.start(), m.end()):
            a, b, year = int(m[1]), int(m[2]), _year(m[3])
            yield m.start(), m.end(), [(b, a, year), (a, b, year)]
    for m in DAY_MONTH.finditer(text):
        month = MONTHS.get(fold(m[2]))
        if month and fresh(m.start(), m.end()):
            yield m.start(), m.end(), [(month, int(m[1]), _year(m[3]))]
    for m in MONTH_DAY.finditer(text):
        month = MONTHS.get(fold(m[1]))
        if month and fresh(m.start(), m.end()):
            yield m.start(), m.end(), [(month, int(m[2]), _year(m[3]))]


def _on_small_day(candidate: DateCandidate, days: set[Any]) -> bool:
    month, day, year = candidate
    return any(d.month == month and d.day == day and (year is None or d.year == year) for d in days)


def _sentence(text: str, start: int, end: int, *, block: bool) -> str:
    breaks = [m.end() for m in SENTENCE_END.finditer(text)]
    separator = "\n" if block else "\n\n"
    left = max([b for b in breaks if b <= start] + [text.rfind(separator, 0, start), 0])
    right_breaks = [b for b in breaks if b > end]
    paragraph = text.find(separator, end)
    right = min(right_breaks + ([paragraph] if paragraph != -1 else []) + [len(text)])
    return text[left:right]


# -- quotes ---------------------------------------------------------------------------


def _quote_hits(items: list[Passage], notes: list[str]) -> list[_Candidate]:
    """Runs of eight words shared with the notes, and quotations of six words or more
    whose six-word runs are mostly in them. The notes are read once."""
    if not notes:
        return []
    runs: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    grams: dict[tuple[str, ...], set[int]] = defaultdict(set)
    quotes: list[tuple[int, int, int, int]] = []  # passage, start, end, number of grams
    words_of: list[list[tuple[str, int, int, str]]] = []
    for p_index, item in enumerate(items):
        words = _tokens(item.text, WORD)
        words_of.append(words)
        folded = [w[0] for w in words]
        for i in range(len(folded) - QUOTE_RUN + 1):
            run = tuple(folded[i : i + QUOTE_RUN])
            if sum(w not in COMMON for w in run) >= 3:
                runs[run].append((p_index, i))
        for match in QUOTED.finditer(item.text):
            inside = [w[0] for w in words if match.start() <= w[1] and w[2] <= match.end()]
            if len(inside) < QUOTED_GRAM:
                continue
            q_index = len(quotes)
            own = {tuple(inside[i : i + QUOTED_GRAM]) for i in range(len(inside) - QUOTED_GRAM + 1)}
            for gram in own:
                grams[gram].add(q_index)
            quotes.append((p_index, match.start(), match.end(), len(own)))
    marked: dict[int, set[int]] = defaultdict(set)
    matched: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for note in notes:
        note_words = WORD.findall(fold(note))
        # The n-word runs of a note, made in C by zip; most notes share none with the
        # report, and `isdisjoint` says so without a Python loop.
        if runs and not runs.keys().isdisjoint(_ngrams(note_words, QUOTE_RUN)):
            for run in _ngrams(note_words, QUOTE_RUN):
                for p_index, t_index in runs.get(run, ()):
                    marked[p_index].update(range(t_index, t_index + QUOTE_RUN))
        if grams and not grams.keys().isdisjoint(_ngrams(note_words, QUOTED_GRAM)):
            for gram in _ngrams(note_words, QUOTED_GRAM):
                for q_index in grams.get(gram, ()):
                    matched[q_index].add(gram)
    why = _(
        "These words repeat the notes of an interview whose author has not consented to "
        "publication: quoted, they could be recognised by whoever heard them."
    )
    proposal = _("[words from an interview withheld]")
    found = []
    for p_index, indices in marked.items():
        words = words_of[p_index]
        for first, last in _spans(sorted(indices)):
            found.append(
                _Candidate(
                    items[p_index], Hit.Code.QUOTE, words[first][1], words[last][2], why, proposal
                )
            )
    for q_index, (p_index, start, end, total) in enumerate(quotes):
        if total and len(matched[q_index]) / total >= QUOTED_SHARE:
            found.append(_Candidate(items[p_index], Hit.Code.QUOTE, start, end, why, proposal))
    return found


def _ngrams(words: list[str], n: int) -> Iterator[tuple[str, ...]]:
    return zip(*(words[k:] for k in range(n)), strict=False)


def _spans(indices: list[int]) -> Iterator[tuple[int, int]]:
    first = last = indices[0]
    for index in indices[1:]:
        if index != last + 1:
            yield first, last
            first = index
        last = index
    yield first, last


# -- assembling -----------------------------------------------------------------------


def _merged(candidates: list[_Candidate]) -> list[_Candidate]:
    """Overlapping hits of one code in one passage become one, explained by the
    best-ranked of them (a record's match before a mere title)."""
    groups: dict[tuple[int, str], list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        groups[(id(candidate.passage), candidate.code)].append(candidate)
    result: list[_Candidate] = []
    for group in groups.values():
        group.sort(key=lambda c: (c.start, -c.end))
        current = group[0]
        for candidate in group[1:]:
            if candidate.start < current.end:
                best = current if current.rank >= candidate.rank else candidate
                current = _Candidate(
                    current.passage,
                    current.code,
                    current.start,
                    max(current.end, candidate.end),
                    best.explanation,
                    best.proposal,
                    best.rank,
                )
            else:
                result.append(current)
                current = candidate
        result.append(current)
    return result


def candidates(report: Report, items: list[Passage], k: int) -> list[_Candidate]:
    """Every span of `items` the check flags, overlapping spans of one code merged."""
    knowledge = knowledge_of(report, k=k)
    matcher = _Matcher(knowledge, k)
    found: list[_Candidate] = []
    for item in items:
        found += matcher.hits(item)
    found += _quote_hits(items, knowledge.notes)
    return _merged(found)
