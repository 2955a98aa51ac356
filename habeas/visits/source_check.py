"""The debrief must not identify a source (¶16, 25).

What the management hears at the debriefing must not let them work out who spoke. Text
written for the debrief (and for urgent drafts born of it) is checked against what the
visit knows, server-side, and refused when it contains:

1. **a pseudonym** of one of the visit's interviews (whole word, any case): the
   refusal quotes the pseudonym, which the writer typed and which is not secret inside
   the team;
2. **a real identity** recorded on an interview (the whole name, or any part of it of
   four letters or more, whole word, ignoring case and accents): unsealed here and
   never echoed; the refusal says "a name known only from an interview" and where;
3. **another name known to the visit**: interpreters named on interviews and the
   pseudonyms of people under reprisal watch at the place; said as "a name known to
   the visit";
4. **an interview-only detail**, compared with every interview's notes after folding
   case and accents:
   - any run of four or more consecutive words that also appears, in the same order,
     in a note, unless all but one of its words are common function words (so "at the
     time of" does not count, "beaten in the shower room" does); or
   - a rare token found in a note: a token containing a digit and at least three
     characters long ("214", "03:40", "B-12"), which points at a cell, a time or a
     date; tokens that are public anyway (words of the place's name, its units' names,
     the visit's reference) are left out.
   The refusal gives the offsets of the passage, never the note's words.

Nothing unsealed here leaves this module: hits carry only their kind, offsets and, for
a pseudonym, the pseudonym itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from habeas.places.models import Unit
from habeas.visits.models import Interview, Visit

RUN = 4
NAME_PART = 4
TOKEN = re.compile(r"\w+(?:[:./-]\w+)*", re.UNICODE)
# Function words of the NPM's working languages; a run made of them proves nothing.
COMMON = frozenset(
    """
    a an the of to in on at by for from with without and or but not no nor is are was
    were be been being has have had do does did it its this that these those he she they
    we you i me him her them us my his their our your as so if then than there here when
    where who whom which what all any some each every one two three into out up down over
    under about after before during while very too also just only more most other such
    le la les un une des du de d l et ou mais ne pas ni est sont etait il elle ils elles
    nous vous je on se sa son ses leur leurs ce cet cette ces qui que quoi dont dans sur
    sous par pour avec sans en au aux y a plus tres aussi
    el los las unos unas del al y o pero no es son era ella ellos ellas nosotros yo se su
    sus que quien cual en con sin por para sobre muy tambien mas lo
    """.split()  # noqa: SIM905 - a word list reads better as text
)


@dataclass(frozen=True)
class SourceHit:
    kind: str  # pseudonym | identity | name | detail
    start: int
    end: int
    quoted: str = ""  # only for a pseudonym

    def message(self) -> str:
        where = {"start": self.start + 1, "end": self.end}
        if self.kind == "pseudonym":
            return _(
                "The text names the interview pseudonym “%(pseudonym)s” (characters "
                "%(start)d–%(end)d): the management must not learn who spoke."
            ) % {"pseudonym": self.quoted, **where}
        if self.kind == "identity":
            return (
                _(
                    "The text contains a name known only from an interview (characters "
                    "%(start)d–%(end)d)."
                )
                % where
            )
        if self.kind == "name":
            return (
                _("The text contains a name known to the visit (characters %(start)d–%(end)d).")
                % where
            )
        return (
            _(
                "The text repeats a detail known only from an interview (characters "
                "%(start)d–%(end)d): say it in general terms so that it cannot be traced back."
            )
            % where
        )


def fold(text: str) -> str:
    """Lower case without accents, so "Benali" and "BÉNALI" are one word."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) of each word of the original text.

    Folding is done per token on the original text, so offsets stay those of the text
    the user typed.
    """
    return [(fold(m.group()), m.start(), m.end()) for m in TOKEN.finditer(text or "")]


def _words(text: str) -> list[str]:
    return [t for t, _s, _e in _tokens(text)]


def _phrase_hits(text: str, phrases: Iterable[str], kind: str, *, quote: bool) -> list[SourceHit]:
    hits = []
    tokens = _tokens(text)
    for phrase in phrases:
        words = _words(phrase)
        if not words:
            continue
        n = len(words)
        for i in range(len(tokens) - n + 1):
            if [t for t, _s, _e in tokens[i : i + n]] == words:
                start, end = tokens[i][1], tokens[i + n - 1][2]
                hits.append(SourceHit(kind, start, end, phrase if quote else ""))
    return hits


@dataclass
class VisitKnowledge:
    """What the visit knows that the debrief must not repeat (held only in memory)."""

    pseudonyms: list[str]
    identities: list[str]
    names: list[str]
    notes: list[list[str]]
    public: set[str]


def knowledge_of(visit: Visit) -> VisitKnowledge:
    interviews = list(Interview.objects.filter(visit=visit))
    identities: list[str] = []
    for interview in interviews:
        identity = interview.unseal("identity").strip()
        if identity:
            identities.append(identity)
            identities += [p for p in TOKEN.findall(identity) if len(p) >= NAME_PART]
    names = [i.interpreter_name.strip() for i in interviews if i.interpreter_name.strip()]
    names += _watch_names(visit)
    public = set(_words(visit.place.name)) | set(_words(visit.reference))
    for unit_name in Unit.objects.filter(place_id=visit.place_id).values_list("name", flat=True):
        public |= set(_words(unit_name))
    return VisitKnowledge(
        pseudonyms=[i.pseudonym for i in interviews if i.pseudonym],
        identities=identities,
        names=names,
        notes=[_words(i.unseal("notes")) for i in interviews],
        public=public,
    )


def _watch_names(visit: Visit) -> list[str]:
    """Pseudonyms of people under reprisal watch at the place (cases app, if present)."""
    try:
        from habeas.cases.models import ReprisalWatch
    except ImportError:  # pragma: no cover - the cases app is optional at this stage
        return []
    return [
        p
        for p in ReprisalWatch.objects.filter(place_id=visit.place_id).values_list(
            "pseudonym", flat=True
        )
        if p
    ]


def _rare(token: str) -> bool:
    return len(token) >= 3 and any(c.isdigit() for c in token)


def _detail_hits(text: str, knowledge: VisitKnowledge) -> list[SourceHit]:
    tokens = _tokens(text)
    words = [t for t, _s, _e in tokens]
    runs: set[tuple[str, ...]] = set()
    rare: set[str] = set()
    for note in knowledge.notes:
        runs |= {tuple(note[i : i + RUN]) for i in range(len(note) - RUN + 1)}
        rare |= {w for w in note if _rare(w) and w not in knowledge.public}
    hits = []
    for i in range(len(words) - RUN + 1):
        window = tuple(words[i : i + RUN])
        if window in runs and sum(w not in COMMON for w in window) >= 2:
            hits.append(SourceHit("detail", tokens[i][1], tokens[i + RUN - 1][2]))
    for word, start, end in tokens:
        if word in rare:
            hits.append(SourceHit("detail", start, end))
    return _merge(hits)


def _merge(hits: list[SourceHit]) -> list[SourceHit]:
    """Overlapping passages of one kind become one, so a long copied sentence is one
    refusal, not one per word."""
    merged: list[SourceHit] = []
    for hit in sorted(hits, key=lambda h: (h.kind, h.start)):
        last = merged[-1] if merged else None
        if last and last.kind == hit.kind and hit.start <= last.end and not hit.quoted:
            merged[-1] = SourceHit(hit.kind, last.start, max(last.end, hit.end))
        else:
            merged.append(hit)
    return merged


def check_text(text: str, knowledge: VisitKnowledge) -> list[SourceHit]:
    """Every passage of `text` that could identify a source, in reading order."""
    if not (text or "").strip():
        return []
    hits = _phrase_hits(text, knowledge.pseudonyms, "pseudonym", quote=True)
    hits += _merge(_phrase_hits(text, knowledge.identities, "identity", quote=False))
    hits += _merge(_phrase_hits(text, knowledge.names, "name", quote=False))
    hits += _detail_hits(text, knowledge)
    return sorted(set(hits), key=lambda h: (h.start, h.kind))


def check_fields(visit: Visit, fields: Mapping[str, str]) -> dict[str, list[str]]:
    """The refusal messages for each field of `fields` that could identify a source."""
    if not any((value or "").strip() for value in fields.values()):
        return {}
    knowledge = knowledge_of(visit)
    refusals = {}
    for name, value in fields.items():
        hits = check_text(value or "", knowledge)
        if hits:
            refusals[name] = list(dict.fromkeys(hit.message() for hit in hits))
    return refusals
