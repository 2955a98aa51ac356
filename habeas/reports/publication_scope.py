"""What the publication check must know of a report's scope (¶21, 25, 31c; OPCAT 21(2)).

The check reads the confidential records behind a report with system rights (it is a
safeguard, not a reader): the interviews of the visits the report covers, the case files
and reprisal watches of their places, the places' units and the interviews held each
day. It unseals each record once per run and keeps only what matching needs, in memory,
for the length of the run: sets of folded names, the pseudonyms, the notes of the
interviews without publish consent, the small units and the small days. Nothing here is
logged, stored or returned to a caller outside `habeas.reports.publication`.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from habeas.accounts.models import User
from habeas.cases.models import Case, ReprisalWatch
from habeas.places.models import Authority, Place, Region, Unit
from habeas.reports.models import Kind, Report
from habeas.reports.publication_words import COMMON_WORDS, MONTHS, PEOPLE_NOUNS, TITLES
from habeas.visits.models import Interview, Visit
from habeas.visits.source_check import COMMON

TOKEN = re.compile(r"\w+(?:[:./-]\w+)*", re.UNICODE)
FAMILY_NAME_LETTERS = 4
# Lowercase particles inside a name ("Juan de la Cruz", "Ludwig van Beethoven").
PARTICLES = frozenset(
    "de da del della di du la le van von der den bin ben al el y".split()  # noqa: SIM905
)
PIECE_SEPARATORS = re.compile(r"[,;\n/()]|\s+(?:and|et|y|e)\s+")


_COMBINING: dict[int, None] | None = None


def _combining() -> dict[int, None]:
    global _COMBINING  # noqa: PLW0603 - a constant table, built on first use
    if _COMBINING is None:
        _COMBINING = {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}
    return _COMBINING


def fold(text: str) -> str:
    """Lower case without accents ("BÉNALI" → "benali"), as
    `habeas.visits.source_check.fold` does, faster: a national annual report's check
    folds every note of its scope."""
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFKD", text).translate(_combining()).casefold()


@dataclass
class Knowledge:
    """The scope's confidential facts, folded, held for one run of the check."""

    names: set[tuple[str, ...]] = field(default_factory=set)
    family_names: set[str] = field(default_factory=set)
    pseudonyms: set[tuple[str, ...]] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    small_units: set[tuple[str, ...]] = field(default_factory=set)
    small_days: set[dt.date] = field(default_factory=set)
    public_words: set[str] = field(default_factory=set)
    references: set[str] = field(default_factory=set)


def folded_tokens(text: str) -> list[str]:
    return [fold(m.group()) for m in TOKEN.finditer(text or "")]


def scope_visits(report: Report) -> list[Any]:
    """The visits a report covers (see the module docstring of `publication`)."""

    visits = Visit.objects.all()
    if report.kind in (Kind.VISIT, Kind.URGENT):
        return list(visits.filter(pk=report.visit_id)) if report.visit_id else []
    if report.kind == Kind.FOLLOW_UP:
        place_id = report.place_id or (report.visit.place_id if report.visit else None)
        return list(visits.filter(Q(pk=report.visit_id) | Q(place_id=place_id)))
    if report.kind == Kind.THEMATIC:
        found = visits.filter(findings__theme=report.theme)
        if report.period_start:
            found = found.filter(ends_on__gte=report.period_start)
        if report.period_end:
            found = found.filter(starts_on__lte=report.period_end)
        return list(found.distinct())
    if report.kind == Kind.ANNUAL and report.year:
        return list(visits.filter(starts_on__year__lte=report.year, ends_on__year__gte=report.year))
    return []


def name_variants(value: str) -> tuple[set[tuple[str, ...]], set[str]]:
    """The ways a recorded name may appear in a text: whole names (folded token tuples)
    and family names that may stand alone (folded tokens, filtered later)."""
    names: set[tuple[str, ...]] = set()
    families: set[str] = set()
    for piece in PIECE_SEPARATORS.split(value or ""):
        raw = [m.group() for m in TOKEN.finditer(piece)]
        raw = [t for t in raw if not any(c.isdigit() for c in t)]
        if not raw:
            continue
        runs = _capitalised_runs(raw) or [raw]
        if len(raw) <= 6:
            names.add(tuple(fold(t) for t in raw))
        for run in runs:
            words = [fold(t) for t in run if t[:1].isupper()]
            if len(words) >= 2:
                names.add(tuple(fold(t) for t in run))
                names.add(tuple(words[-2:]))
            if words:
                families.add(words[-1])
            if len(words) >= 3:
                families.add(words[-2])
    return {n for n in names if n}, families


def _capitalised_runs(tokens: list[str]) -> list[list[str]]:
    runs: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        if token[:1].isupper() or (current and fold(token) in PARTICLES):
            current.append(token)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [
        r[: len(r) - next(i for i, t in enumerate(reversed(r)) if t[:1].isupper())] for r in runs
    ]


def _distinctive(word: str, public: set[str]) -> bool:
    return (
        len(word) >= FAMILY_NAME_LETTERS
        and word.isalpha()
        and word not in COMMON
        and word not in COMMON_WORDS
        and word not in PEOPLE_NOUNS
        and word not in MONTHS
        and word not in TITLES
        and word not in public
    )


def _add_names(knowledge: Knowledge, values: Iterable[str], families: set[str]) -> None:
    for value in values:
        names, family = name_variants(value)
        knowledge.names |= names
        families |= family


def knowledge_of(report: Report, *, k: int) -> Knowledge:
    """Everything the check matches against, read once for this run."""

    visits = scope_visits(report)
    visit_ids = [v.pk for v in visits]
    place_ids = {v.place_id for v in visits} | ({report.place_id} if report.place_id else set())
    knowledge = Knowledge()
    knowledge.public_words = _public_words(report, place_ids)
    knowledge.references = {fold(v.reference) for v in visits} | {fold(report.reference)}
    families: set[str] = set()

    interviews = (
        Interview.objects.filter(visit_id__in=visit_ids)
        .select_related("identity_key", "content_key")
        .only(
            "id",
            "visit_id",
            "kind",
            "pseudonym",
            "held_at",
            "consent_publish",
            "interpreter_name",
            "notes",
            "identity",
            "identity_key",
            "content_key",
            "erased_at",
        )
    )
    per_day: Counter[tuple[int, dt.date]] = Counter()
    for interview in interviews.iterator(chunk_size=500):
        if interview.pseudonym:
            knowledge.pseudonyms.add(tuple(folded_tokens(interview.pseudonym)))
        if interview.kind == Interview.Kind.PRIVATE and interview.pseudonym:
            per_day[(interview.visit_id, timezone.localdate(interview.held_at))] += 1
        if interview.interpreter_name:
            _add_names(knowledge, [interview.interpreter_name], families)
        if interview.consent_publish:
            continue
        _add_names(knowledge, [interview.unseal("identity")], families)
        notes = interview.unseal("notes")
        if notes.strip():
            knowledge.notes.append(notes)

    _read_case_files(knowledge, families, place_ids, visits)
    knowledge.family_names = {w for w in families if _distinctive(w, knowledge.public_words)}
    knowledge.names = {
        n for n in knowledge.names if len(n) >= 2 or _distinctive(n[0], knowledge.public_words)
    }
    knowledge.small_units = _small_units(place_ids, k)
    for visit in visits:
        day = visit.starts_on
        while day <= visit.ends_on:
            if per_day[(visit.pk, day)] < k:
                knowledge.small_days.add(day)
            day += dt.timedelta(days=1)
    return knowledge


def _read_case_files(
    knowledge: Knowledge, families: set[str], place_ids: set[int], visits: list[Any]
) -> None:
    """Names in the case files and reprisal watches of the scope's places, and in case
    files whose source reference names one of the scope's visits."""
    references = {v.reference.casefold() for v in visits}
    linked = [
        pk
        for pk, source_ref in Case.objects.exclude(source_ref="")
        .exclude(place_id__in=place_ids)
        .values_list("pk", "source_ref")
        if any(ref in folded_tokens(source_ref) for ref in references)
    ]
    cases = Case.objects.filter(Q(place_id__in=place_ids) | Q(pk__in=linked)).select_related(
        "identity_key"
    )
    for case in cases.iterator(chunk_size=200):
        _add_names(
            knowledge,
            [case.unseal(name) for name in ("victim", "complainant", "officials", "witnesses")],
            families,
        )
    watches = ReprisalWatch.objects.filter(place_id__in=place_ids).select_related("identity_key")
    for watch in watches.iterator(chunk_size=200):
        _add_names(knowledge, [watch.unseal("identity")], families)
        if watch.pseudonym:
            knowledge.pseudonyms.add(tuple(folded_tokens(watch.pseudonym)))


def _public_words(report: Report, place_ids: set[int]) -> set[str]:
    """Words of names that are public anyway: the places, their units, authorities and
    regions, and the NPM's own staff (who sign and are named as the team's authors)."""

    texts: list[str] = []
    texts += Place.objects.filter(pk__in=place_ids).values_list("name", flat=True)
    texts += Unit.objects.filter(place_id__in=place_ids).values_list("name", flat=True)
    texts += Authority.objects.values_list("name", flat=True)
    texts += Region.objects.values_list("name", flat=True)
    texts += User.objects.values_list("full_name", flat=True)
    words: set[str] = set()
    for text in texts:
        words.update(folded_tokens(text))
    return words


def _small_units(place_ids: set[int], k: int) -> set[tuple[str, ...]]:
    """Units of the scope's places holding fewer than k people (unknown: not small)."""

    rows = Unit.objects.filter(place_id__in=place_ids, capacity__isnull=False, capacity__lt=k)
    return {tuple(folded_tokens(name)) for name in rows.values_list("name", flat=True)} - {()}
