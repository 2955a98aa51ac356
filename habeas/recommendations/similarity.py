"""Repeated recommendations: is a new draft close to an earlier one (¶20, 22)?

A match must be close in text AND share the target: the same place, the same addressee
or the same theme. The NPM then sees the earlier recommendation and its history, and can
escalate instead of repeating itself. Imported recommendations of the SPT, the CPT or a
treaty body are linked in the same way to the NPM's own on the same theme (¶20, 30).

How it stays honest and fast:
- candidates come only from `Recommendation.objects.restrict(user, "view")`, so nobody
  learns of a recommendation they may not see;
- the database filters by target first and hands over at most `CANDIDATES_PER_TARGET`
  of the most recent texts per target, so 200,000 recommendations cost no more than a
  few thousand;
- texts are normalised (case, accents, punctuation, stop-words, plural and verb endings)
  and scored by rapidfuzz; the score is the mean of `token_set_ratio` (the shared words
  weigh most) and `token_sort_ratio` (a short text wholly inside a long one does not
  count as the same demand);
- every match says why it matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from habeas.recommendations.models import Origin, Recommendation
from habeas.visits.models import Theme

# At or above this score two texts make the same demand.
THRESHOLD = 70
# An external body words a demand its own way: linking its recommendation to the NPM's
# own on the same theme accepts a looser likeness.
LINK_THRESHOLD = 60
CANDIDATES_PER_TARGET = 5000
MAX_SHARED_PHRASES = 8
MAX_BRIDGE = 1  # stop-words a phrase of shared words may span
OWN_ORIGINS = (Origin.OWN_VISIT, Origin.THEMATIC)

# Words that carry no demand: grammar in English, Spanish and French, and the formulas
# every recommendation opens with. Compared after case and accents are folded.
STOP_WORDS = frozenset(
    """
    a an the and or but nor of to in on at by for from with without into onto upon over
    under about as than then that this these those there their them they it its is are
    was were be been being has have had having do does did will would shall should must
    may might can could not no also any all some such which who whom whose what when
    where while how if so very more most other others same own each every both only just
    further its our we us you your he she his her i me my
    recommend recommends recommended recommendation recommendations urge urges urged
    spt cpt npm subcommittee committee state party parties authorities authority
    mechanism national preventive
    el la los las un una unos unas y o e u ni de del al en con sin por para que se su sus
    lo le les es son fue ser sea sean ha han haya como mas pero sobre entre este esta
    estos estas ese esa esos esas cual cuales quien debe deben deberia deberian recomienda
    recomiendan recomendacion recomendaciones estado parte partes autoridades
    le la les un une des du de d l et ou ni en dans par pour sur avec sans que qui
    quoi dont ce cet cette ces son sa ses leur leurs est sont etre ete au aux a ne pas
    plus doit doivent devrait devraient recommande recommandent recommandation
    recommandations etat partie autorites
    """.split()  # noqa: SIM905 - a word list reads and grows more easily as text
)

_TOKEN = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents: "Détenus" and "detenus" are the same word."""
    lowered = (text or "").casefold()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _stem(word: str) -> str:
    """A crude, language-blind stem: enough for "limits", "limited" and "limiting" to
    meet, and never shown to anyone."""
    for ending, shortest in (("ing", 6), ("ed", 5), ("es", 5), ("s", 4)):
        if len(word) >= shortest and word.endswith(ending) and not word.endswith("ss"):
            word = word[: -len(ending)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


@lru_cache(maxsize=50_000)
def _significant(folded: str) -> str:
    """The stem of a folded word, or "" for a stop-word (a pure function, so cached)."""
    folded = folded.replace("_", "")
    return "" if not folded or folded in STOP_WORDS else _stem(folded)


def _tokens(text: str) -> list[tuple[str, str]]:
    """Every word of `text` as (original, stem); stop-words get an empty stem."""
    return [
        (match.group(0), _significant(fold(match.group(0))))
        for match in _TOKEN.finditer(text or "")
    ]


_STEMS: dict[str, str] = {}  # word → stem memo of a pure function, not shared state


def normalise(text: str) -> str:
    """The significant words of `text`, folded and stemmed, in their order."""
    stems = []
    memo = _STEMS
    for word in _TOKEN.findall(fold(text)):
        stem = memo.get(word)
        if stem is None:
            if len(memo) > 200_000:
                memo.clear()
            stem = memo[word] = _significant(word)
        if stem:
            stems.append(stem)
    return " ".join(stems)


def score(first: str, second: str) -> int:
    """0–100: how alike two normalised texts are."""
    if not first or not second:
        return 0
    both = fuzz.token_set_ratio(first, second) + fuzz.token_sort_ratio(first, second)
    return round(both / 2)


def shared_words(text: str, other: str) -> list[str]:
    """The significant words of `text` that `other` also uses, as written in `text`;
    neighbours are kept together, with one small word between them ("call bell",
    "cell in Wing B", "doctor within 24 hours of arrival")."""
    theirs = set(normalise(other).split())
    phrases: list[str] = []
    seen: set[str] = set()
    run: list[str] = []
    between: list[str] = []  # stop-words after the run, kept if another shared word follows
    for original, stem in [*_tokens(text), ("", "-")]:
        if stem and stem in theirs:
            run += [*between, original]
            between = []
        elif not stem and run and len(between) < MAX_BRIDGE:
            between.append(original)
        else:
            phrase = " ".join(run)
            if run and phrase.casefold() not in seen:
                seen.add(phrase.casefold())
                phrases.append(phrase)
            run, between = [], []
    return phrases[:MAX_SHARED_PHRASES]


@dataclass(frozen=True)
class Match:
    recommendation: Recommendation
    score: int
    reasons: list[str] = field(default_factory=list)
    shared_words: list[str] = field(default_factory=list)


class CandidatePool:
    """Candidate texts loaded once, normalised once, scored against any number of drafts
    (the import scores every row of a file against the pool of its theme)."""

    def __init__(self, texts: dict[int, str]) -> None:
        self.normalised = {pk: normalise(text) for pk, text in texts.items()}

    def __len__(self) -> int:
        return len(self.normalised)

    def ranked(
        self, text: str, *, threshold: int, limit: int, exclude: Iterable[int] = ()
    ) -> list[tuple[int, int]]:
        """(pk, score) of the closest candidates at or above `threshold`, best first."""
        query = normalise(text)
        if not query or limit <= 0:
            return []
        skipped = set(exclude)
        # token_set_ratio is never below token_sort_ratio, so it alone can pre-filter.
        found = process.extract(
            query,
            self.normalised,
            scorer=fuzz.token_set_ratio,
            score_cutoff=threshold,
            limit=None,
        )
        set_scores = {pk: set_score for _text, set_score, pk in found if pk not in skipped}
        # The mean reaches `threshold` only if the sort score reaches 2 × threshold − 100.
        sort_scores = process.extract(
            query,
            {pk: self.normalised[pk] for pk in set_scores},
            scorer=fuzz.token_sort_ratio,
            score_cutoff=max(2 * threshold - 100, 0),
            limit=None,
        )
        scored = [
            (pk, round((set_scores[pk] + sort_score) / 2)) for _text, sort_score, pk in sort_scores
        ]
        scored = [(pk, value) for pk, value in scored if value >= threshold]
        scored.sort(key=lambda item: (-item[1], -item[0]))
        return scored[:limit]


def _pk(value: Any) -> int | None:
    """A model instance or a primary key, as a primary key."""
    if value is None or value == "":
        return None
    return int(getattr(value, "pk", value))


def _texts(base: QuerySet[Recommendation], targets: list[Q]) -> dict[int, str]:
    """The most recent texts of each target, as {pk: text}."""
    texts: dict[int, str] = {}
    for target in targets:
        rows = base.filter(target).order_by("-id").values_list("pk", "text")
        for pk, text in rows[:CANDIDATES_PER_TARGET]:
            texts.setdefault(pk, text)
    return texts


def _targets(place_id: int | None, addressee_id: int | None, theme: str) -> list[Q]:
    targets = []
    if place_id is not None:
        targets.append(Q(place_id=place_id))
    if addressee_id is not None:
        targets.append(Q(addressee_id=addressee_id))
    if theme:
        targets.append(Q(theme=theme))
    return targets


def visible_rows(user: Any, pks: Iterable[int]) -> dict[int, Recommendation]:
    """The recommendations of `pks` the user may see, with what a match shows of them."""
    wanted = list(set(pks))
    if not wanted:
        return {}
    rows = (
        Recommendation.objects.restrict(user, "view")
        .filter(pk__in=wanted)
        .select_related("place", "addressee")
    )
    return {row.pk: row for row in rows}


def explain(
    ranked: list[tuple[int, int]],
    *,
    user: Any,
    text: str,
    place: Any = None,
    addressee: Any = None,
    theme: str = "",
    rows: dict[int, Recommendation] | None = None,
) -> list[Match]:
    """Matches with their reasons, in the order of `ranked`. `rows` may hold the
    recommendations already loaded by `visible_rows` (the import explains many drafts)."""
    if not ranked:
        return []
    found = rows if rows is not None else visible_rows(user, (pk for pk, _score in ranked))
    place_id, addressee_id = _pk(place), _pk(addressee)
    matches = []
    for pk, value in ranked:
        row = found.get(pk)
        if row is None:
            continue
        reasons = [_("%(score)s %% of the wording is shared") % {"score": value}]
        if place_id is not None and row.place_id == place_id and row.place is not None:
            reasons.append(_("Same place: %(place)s") % {"place": row.place.name})
        if addressee_id is not None and row.addressee_id == addressee_id and row.addressee:
            reasons.append(_("Same addressee: %(addressee)s") % {"addressee": row.addressee.name})
        if theme and row.theme == theme:
            reasons.append(_("Same theme: %(theme)s") % {"theme": Theme(theme).label})
        words = shared_words(text, row.text)
        if words:
            reasons.append(_("Words in common: %(words)s") % {"words": ", ".join(words)})
        matches.append(Match(recommendation=row, score=value, reasons=reasons, shared_words=words))
    return matches


def similar_recommendations(
    *,
    user: Any,
    text: str,
    place: Any = None,
    addressee: Any = None,
    theme: str = "",
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Match]:
    """Earlier recommendations the user may see that make the same demand of the same
    target (place, addressee or theme) as `text`, closest first."""
    targets = _targets(_pk(place), _pk(addressee), theme)
    if not targets or not normalise(text):
        return []
    base = Recommendation.objects.restrict(user, "view")
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    pool = CandidatePool(_texts(base, targets))
    ranked = pool.ranked(text, threshold=THRESHOLD, limit=limit)
    return explain(ranked, user=user, text=text, place=place, addressee=addressee, theme=theme)


def own_pool(*, user: Any, theme: str = "", addressee: Any = None) -> CandidatePool:
    """The NPM's own recommendations (from visits and thematic reports) the user may see,
    on `theme`, or, for a recommendation without a theme, to the same addressee."""
    if theme:
        targets = [Q(theme=theme)]
    elif _pk(addressee) is not None:
        targets = [Q(addressee_id=_pk(addressee))]
    else:
        return CandidatePool({})
    base = Recommendation.objects.restrict(user, "view").filter(origin__in=OWN_ORIGINS)
    return CandidatePool(_texts(base, targets))


def link_candidates(*, user: Any, recommendation: Recommendation, limit: int = 3) -> list[Match]:
    """The NPM's own recommendations to track together with an imported one (SPT, CPT,
    treaty body): same theme (or, without one, same addressee) and close in text."""
    pool = own_pool(user=user, theme=recommendation.theme, addressee=recommendation.addressee_id)
    ranked = pool.ranked(
        recommendation.text,
        threshold=LINK_THRESHOLD,
        limit=limit,
        exclude=[recommendation.pk] if recommendation.pk else [],
    )
    return explain(
        ranked,
        user=user,
        text=recommendation.text,
        place=recommendation.place_id,
        addressee=recommendation.addressee_id,
        theme=recommendation.theme,
    )
