"""The drafting quality check, after APT's "double SMART" (¶20; DOMAIN.md, Recommendation).

A recommendation should be specific, measurable, achievable, results-oriented and
time-bound, and also solution-suggestive, mindful of sequencing and risk, argued,
root-cause responsive and targeted. This module reads a draft and says, in plain
sentences, what the drafter could add or change. It is advice only: nothing here blocks
saving or sending. The check is deterministic (same draft, same advice, same order) and
matches words on word boundaries, case-insensitively, in English, Spanish and French.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.recommendations.models import FollowUpRule, Origin, Priority, Recommendation

# The ten criteria of the "double SMART" checklist, as the drafter sees them.
CRITERIA: dict[str, Promise] = {
    "specific": gettext_lazy("Specific"),
    "measurable": gettext_lazy("Measurable"),
    "achievable": gettext_lazy("Achievable"),
    "results": gettext_lazy("Results-oriented"),
    "time_bound": gettext_lazy("Time-bound"),
    "solution": gettext_lazy("Solution-suggestive"),
    "sequencing": gettext_lazy("Mindful of sequencing and risk"),
    "argued": gettext_lazy("Argued"),
    "root_cause": gettext_lazy("Root-cause responsive"),
    "targeted": gettext_lazy("Targeted"),
}

# Fewer words than this cannot say who must change what, where and by when.
MIN_WORDS = 8
# This many "and"s, semicolons or list items mean several demands in one text.
BUNDLE_LIMIT = 3

# Words that let a recommendation be answered without anything changing. Each entry is
# a regular expression matched on word boundaries; inflections are spelt out.
VAGUE_PATTERNS: tuple[str, ...] = (
    # English
    r"consider(?:s|ed|ing)?",
    r"improve(?:s|d)?|improving",
    r"ensure(?:s|d)?|ensuring",
    r"strengthen(?:s|ed|ing)?",
    r"enhance(?:s|d)?|enhancing",
    r"continue(?:s|d)? to|continuing to",
    r"endeavou?r(?:s|ed|ing)?",
    r"take steps|taking steps",
    r"take (?:all )?(?:the )?(?:necessary |appropriate )?measures",
    r"as appropriate",
    r"where (?:possible|appropriate|feasible)",
    r"as far as possible",
    r"seek(?:s)? to",
    r"make (?:every )?efforts?",
    r"look into",
    r"explore(?:s|d)?",
    r"promote(?:s|d)?",
    r"encourage(?:s|d)?",
    r"address(?:es|ed)?",
    # Spanish
    r"considerar|considere(?:n)?",
    r"mejorar|mejore(?:n)?",
    r"garantizar|garantice(?:n)?",
    r"asegurar|asegure(?:n)?",
    r"fortalecer|fortalezca(?:n)?",
    r"reforzar|refuerce(?:n)?",
    r"procurar|procure(?:n)?",
    r"seguir|siga(?:n)?|continuar|contin[uú]e(?:n)?",
    r"(?:tomar|tome(?:n)?|adoptar|adopte(?:n)?) (?:las )?medidas(?: necesarias| apropiadas)?",
    r"seg[uú]n corresponda",
    r"en la medida de lo posible",
    r"cuando sea posible",
    # French
    r"envisager|envisage(?:nt)?",
    r"am[ée]liorer|am[ée]liore(?:nt)?",
    r"veiller [àa]|veille(?:nt)? [àa]",
    r"renforcer|renforce(?:nt)?",
    r"s'efforcer|s’efforcer",
    r"continuer (?:[àa]|de)|poursuivre",
    r"prendre (?:les |des )?mesures(?: n[ée]cessaires| appropri[ée]es)?",
    r"le cas [ée]ch[ée]ant",
    r"dans la mesure du possible",
)
_VAGUE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?:{pattern})" for pattern in VAGUE_PATTERNS) + r")(?!\w)",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+(?:['’]\w+)?")
_CONJUNCTION = re.compile(r"(?<!\w)(?:and|y|et)(?!\w)", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-•*]|\(?[a-z0-9]{1,2}[.)])\s+", re.IGNORECASE | re.MULTILINE)
_DIGIT = re.compile(r"\d")
# What makes a demand checkable without a number: a frequency, a quantifier that leaves
# no exception, a unit of time, a register or written record.
_MEASURE = re.compile(
    r"(?<!\w)(?:"
    r"every|each|all|none|no one|always|never|within|per|daily|weekly|monthly|"
    r"yearly|annually|hours?|days?|weeks?|months?|years?|register(?:s|ed)?|record(?:s|ed)?|"
    r"in writing|written|percent|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"cada|todos|todas|ning[uú]n|ninguna|siempre|nunca|diari[oa]s?|semanal(?:es)?|"
    r"mensual(?:es)?|anual(?:es)?|horas?|d[ií]as?|semanas?|meses|registros?|por escrito|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    r"chaque|tous|toutes|aucun|aucune|toujours|jamais|quotidien(?:ne)?s?|hebdomadaires?|"
    r"mensuel(?:le)?s?|annuel(?:le)?s?|heures?|jours?|semaines?|mois|registres?|par [ée]crit|"
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|"
    r"d[ée]cembre"
    r")(?!\w)|%",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Advice:
    """One piece of advice on a draft; `code` is stable, the two texts are translated."""

    code: str
    criterion: str
    message: str


def _advice(code: str, criterion: str, message: str) -> Advice:
    return Advice(code=code, criterion=str(CRITERIA[criterion]), message=message)


def vague_words(text: str) -> list[str]:
    """The vague words and phrases of `text`, lower-cased, in order, each once."""
    found: list[str] = []
    for match in _VAGUE.finditer(text or ""):
        word = " ".join(match.group(0).lower().split())
        if word not in found:
            found.append(word)
    return found


def demand_count(text: str) -> int:
    """How many demands the text seems to bundle: one, plus each "and", semicolon or
    list item that joins another."""
    joins = len(_CONJUNCTION.findall(text)) + text.count(";")
    items = len(_LIST_ITEM.findall(text))
    return 1 + joins + max(items - 1, 0)


def _target_advice(addressee: Any) -> list[Advice]:
    if addressee:
        return []
    return [
        _advice(
            "addressee",
            "targeted",
            _(
                "Name the authority that must act on it (the addressee), so the "
                "recommendation can be sent and its response followed up."
            ),
        )
    ]


def _time_advice(*, deadline: dt.date | None, priority: str, today: dt.date) -> list[Advice]:
    if priority == Priority.URGENT:
        days = FollowUpRule.current().urgent_days
        if deadline is None or deadline > today + dt.timedelta(days=days):
            return [
                _advice(
                    "urgent_deadline",
                    "time_bound",
                    _(
                        "An urgent recommendation needs a short deadline: set one within "
                        "%(days)s days. Left empty, it will be %(days)s days from today."
                    )
                    % {"days": days},
                )
            ]
    if deadline is None:
        return [
            _advice(
                "deadline",
                "time_bound",
                _("Set a deadline: the date by which the change should be made."),
            )
        ]
    if deadline < today:
        return [
            _advice(
                "deadline_past",
                "time_bound",
                _("The deadline %(date)s is already past: choose a date to come.")
                % {"date": deadline.isoformat()},
            )
        ]
    return []


def _reasons_advice(*, root_cause: str, findings_count: int, origin: str) -> list[Advice]:
    advice = []
    if not (root_cause or "").strip():
        advice.append(
            _advice(
                "root_cause",
                "root_cause",
                _(
                    "Say what causes the problem (the root cause), so the recommendation "
                    "tackles the cause and not only its symptom."
                ),
            )
        )
    if origin == Origin.OWN_VISIT and findings_count <= 0:
        advice.append(
            _advice(
                "evidence",
                "argued",
                _(
                    "Link the findings this recommendation rests on: the authority is more "
                    "likely to act on what the NPM saw and recorded."
                ),
            )
        )
    return advice


def _text_advice(text: str) -> list[Advice]:
    words = _WORD.findall(text or "")
    if len(words) < MIN_WORDS:
        return [
            _advice(
                "too_short",
                "specific",
                _(
                    "The text is too short to be specific: say who must change what, where, "
                    "and what the result should be."
                ),
            )
        ]
    advice = [
        _advice(
            "vague_verb",
            "specific",
            _("“%(word)s” is vague: say what must change, and by whom.") % {"word": word},
        )
        for word in vague_words(text)
    ]
    demands = demand_count(text)
    if demands > BUNDLE_LIMIT:
        advice.append(
            _advice(
                "bundled",
                "sequencing",
                _(
                    "This text seems to make about %(count)s demands at once. Split it into "
                    "separate recommendations, in the order they should be done, so each can "
                    "be answered and verified on its own."
                )
                % {"count": demands},
            )
        )
    if not _DIGIT.search(text) and not _MEASURE.search(text):
        advice.append(
            _advice(
                "measurable",
                "measurable",
                _(
                    "If you can, add something a follow-up visit can check: a number, a date "
                    "or a result that can be observed (for example “in every cell”, "
                    "“recorded in the register”)."
                ),
            )
        )
    return advice


def advise(
    *,
    text: str,
    addressee: Any,
    deadline: dt.date | None,
    root_cause: str,
    findings_count: int,
    origin: str = Origin.OWN_VISIT,
    priority: str = Priority.GENERAL,
    level: str = "",
) -> list[Advice]:
    """Advice on a draft, in a fixed order: target, time, reasons, then the text itself."""
    today = timezone.localdate()
    return [
        *_target_advice(addressee),
        *_time_advice(deadline=deadline, priority=priority, today=today),
        *_reasons_advice(root_cause=root_cause, findings_count=findings_count, origin=origin),
        *_text_advice(text),
    ]


def advise_recommendation(recommendation: Recommendation) -> list[Advice]:
    """Advice on a stored recommendation. Once sent, a deadline that has since passed is
    a follow-up matter, not a drafting one, and is not reported here."""
    findings_count = recommendation.findings.count() if recommendation.pk else 0
    advice = advise(
        text=recommendation.text,
        addressee=recommendation.addressee_id,
        deadline=recommendation.deadline,
        root_cause=recommendation.root_cause,
        findings_count=findings_count,
        origin=recommendation.origin,
        priority=recommendation.priority,
        level=recommendation.level,
    )
    if recommendation.state == Recommendation.State.SENT:
        advice = [a for a in advice if a.code not in ("deadline_past", "urgent_deadline")]
    return advice
