"""The priority of a legislation item, computed so that it explains itself (¶12).

The SPT asks an NPM to have "a strategy for prioritizing legislation to be commented"
(¶12). Habeas ranks the items by one number, the sum of the points of its reasons, and
shows each reason in plain words, so that anyone can check the ranking and disagree
with a weight rather than with a black box.

**Harm.** For each benchmark the item was assessed against (benchmarks in use only):
`EFFECT_HARM[effect] x weight` (models.EFFECT_HARM: strengthens or meets 0, silent 1,
weakens or delays 3, removes or breaches 5; weights 1 to 5). A draft that delays access
to a lawyer (weight 5) scores 3 x 5 = 15; one that removes it, 25. Silence is a missed
chance rather than a harm repeated: it counts once, at the weight of the weightiest
benchmark the text is silent on, so a long decree that says nothing about safeguards
never outranks a bill that weakens one.

Harm counts only while the NPM can still change something:

- a draft bill while its procedure is open (identified, consultation, government,
  parliament); adopted, in force or rejected, it scores nothing and says so;
- an existing law unless it was repealed or withdrawn: a law in force that breaches a
  safeguard still needs amending;
- a missing law until a law filling the gap is adopted: it scores from the safeguards
  it would fill (assess the gap as weakening or breaching the safeguard it leaves
  unmet).

**Deadline.** With an open procedure, a near deadline adds a share of the harm: half
again when it closes within 14 days, a quarter within 30, a tenth within 60; a quarter
when it passed while the procedure is still open (check where the text stands). Shares
are rounded up, so any harm gains at least a point, and the reason says the share. The
deadline alone adds nothing: it makes harm urgent, it is not harm. It is still named,
with 0 points, when it is near.

**Not assessed yet.** An item without any assessment scores 0 with a reason that says
so: the number does not pretend to know. Items with equal points are listed by nearest
deadline, then by reference (`selectors.ranked`).

The deadline depends on today's date: `priorities_refresh` recomputes every item and is
meant to run daily; the services recompute an item whenever its assessments, kind,
procedure or deadline change, or a benchmark's weight does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from habeas.core import audit
from habeas.legislation.models import (
    EFFECT_HARM,
    OPEN_PROCEDURES,
    Assessment,
    Effect,
    ItemKind,
    LegislationItem,
    Procedure,
)

# Within this many days of the deadline, add this percentage of the harm.
DEADLINE_TIERS = ((14, 50), (30, 25), (60, 10))
PAST_DEADLINE_PERCENT = 25
# Procedures after which the effects of each kind of item no longer count.
SETTLED: dict[str, frozenset[str]] = {
    ItemKind.DRAFT: frozenset({Procedure.ADOPTED, Procedure.IN_FORCE, Procedure.REJECTED}),
    ItemKind.EXISTING: frozenset({Procedure.REJECTED}),
    ItemKind.MISSING: frozenset({Procedure.ADOPTED, Procedure.IN_FORCE}),
}


@dataclass(frozen=True)
class Reason:
    """One reason for a priority: its points and what it means in plain words.

    `code` and `params` are kept with the item, so the words are written again in each
    reader's language (`explain`)."""

    code: str
    points: int
    text: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Priority:
    value: int
    reasons: list[Reason]


def _percent(harm: int, percent: int) -> int:
    return (harm * percent + 99) // 100


def _harm_reasons(item: LegislationItem, assessments: list[Assessment]) -> list[Reason]:
    reasons: list[Reason] = []
    silent: list[Assessment] = []
    for assessment in assessments:
        effect, benchmark = assessment.effect, assessment.benchmark
        if effect == Effect.SILENT:
            silent.append(assessment)
            continue
        points = EFFECT_HARM.get(Effect(effect), 0) * benchmark.weight
        if points:
            params = {
                "effect": effect,
                "kind": item.kind,
                "benchmark": benchmark.code,
                "title": benchmark.title,
                "weight": benchmark.weight,
            }
            reasons.append(_reason(effect, points, params))
    if silent:
        weightiest = max(a.benchmark.weight for a in silent)
        params = {
            "titles": [a.benchmark.title for a in silent],
            "benchmarks": [a.benchmark.code for a in silent],
            "weight": weightiest,
        }
        reasons.append(_reason("silent", EFFECT_HARM[Effect.SILENT] * weightiest, params))
    return reasons


def _deadline_reason(item: LegislationItem, harm: int, today: dt.date) -> Reason | None:
    if item.deadline is None or item.procedure not in OPEN_PROCEDURES:
        return None
    days = (item.deadline - today).days
    code, percent = "", 0
    if days < 0:
        code, percent = "deadline_past", PAST_DEADLINE_PERCENT
    else:
        for limit, share in DEADLINE_TIERS:
            if days <= limit:
                code, percent = f"deadline_{limit}", share
                break
    if not code:
        return None
    points = _percent(harm, percent)
    params = {"days": abs(days), "procedure": item.procedure, "percent": percent if points else 0}
    return _reason(code, points, params)


def score(item: LegislationItem, *, today: dt.date | None = None) -> Priority:
    """The priority of `item` today, with its reasons, weightiest first."""
    today = today or timezone.localdate()
    assessments = [a for a in item.assessments.all() if a.benchmark.active]
    reasons: list[Reason] = []
    if item.procedure in SETTLED.get(item.kind, frozenset()):
        reasons.append(_reason("settled", 0, {"kind": item.kind, "procedure": item.procedure}))
        return Priority(0, reasons)
    if not assessments:
        reasons.append(_reason("not_assessed", 0, {}))
    else:
        reasons.extend(_harm_reasons(item, assessments))
        if not reasons:
            reasons.append(_reason("no_harm", 0, {"count": len(assessments)}))
    harm = sum(reason.points for reason in reasons)
    deadline = _deadline_reason(item, harm, today)
    if deadline is not None:
        reasons.append(deadline)
    # Stable: equal points keep the benchmarks' own order.
    reasons.sort(key=lambda reason: -reason.points)
    return Priority(sum(reason.points for reason in reasons), reasons)


def stored(priority: Priority) -> list[dict[str, Any]]:
    """The reasons as kept on the item (`priority_reasons`)."""
    return [asdict(reason) for reason in priority.reasons]


def item_priority_refresh(item: LegislationItem, *, today: dt.date | None = None) -> None:
    """Recompute and keep the item's priority and reasons. Called by the services inside
    their transaction; it does not change the item's version (no one edits these)."""
    fresh = (
        LegislationItem.objects.filter(pk=item.pk)
        .prefetch_related(_assessed())
        .only("pk", "kind", "procedure", "deadline")
        .get()
    )
    priority = score(fresh, today=today)
    reasons = stored(priority)
    LegislationItem.objects.filter(pk=item.pk).update(
        priority=priority.value, priority_reasons=reasons
    )
    item.priority, item.priority_reasons = priority.value, reasons


@transaction.atomic
def priorities_refresh(*, today: dt.date | None = None) -> int:
    """Recompute every item's priority (deadlines come nearer each day); run daily. Returns
    how many changed; one audit event when any did."""
    today = today or timezone.localdate()
    changed: list[LegislationItem] = []
    items = LegislationItem.objects.prefetch_related(_assessed()).order_by("pk")
    for item in items.iterator(chunk_size=500):
        priority = score(item, today=today)
        reasons = stored(priority)
        if (item.priority, item.priority_reasons) != (priority.value, reasons):
            item.priority, item.priority_reasons = priority.value, reasons
            changed.append(item)
    LegislationItem.objects.bulk_update(changed, ["priority", "priority_reasons"], batch_size=500)
    if changed:
        audit.record(
            actor=None,
            action="legislation.priorities_refresh",
            detail={"items": len(changed), "on": today.isoformat()},
        )
    return len(changed)


def _assessed() -> Any:
    return Prefetch("assessments", queryset=Assessment.objects.select_related("benchmark"))


# -- the words ------------------------------------------------------------------------------


def explain(rows: list[dict[str, Any]] | None) -> list[Reason]:
    """The kept reasons, written again in the active language (a page, an API answer)."""
    reasons = []
    for row in rows or []:
        if not isinstance(row, dict) or "code" not in row:
            continue
        params = row.get("params") or {}
        reasons.append(_reason(str(row["code"]), int(row.get("points", 0)), params))
    return reasons


def _reason(code: str, points: int, params: dict[str, Any]) -> Reason:
    try:
        text = _text(code, params)
    except (KeyError, TypeError, ValueError):
        text = code
    return Reason(code=code, points=points, text=text, params=params)


def _text(code: str, params: dict[str, Any]) -> str:
    if code in (Effect.WEAKENS, Effect.BREACHES):
        return _harm_text(code, params)
    if code == "silent":
        return _("Does not address: %(titles)s (counted once, at weight %(weight)s)") % {
            "titles": "; ".join(params["titles"]),
            "weight": params["weight"],
        }
    if code.startswith("deadline_"):
        sentence = _deadline_text(code, params)
        if not params.get("percent"):
            return sentence
        return _("%(deadline)s Adds %(percent)d%% of the harm.") % {
            "deadline": sentence,
            "percent": params["percent"],
        }
    if code == "not_assessed":
        return _(
            "Not assessed yet against the benchmarks: its priority counts nothing until it is."
        )
    if code == "no_harm":
        return ngettext(
            "Assessed against %(count)d benchmark: none is weakened.",
            "Assessed against %(count)d benchmarks: none is weakened.",
            params["count"],
        ) % {"count": params["count"]}
    if code == "settled":
        return _settled_text(params)
    return code


def _harm_text(effect: str, params: dict[str, Any]) -> str:
    values = {"title": params["title"], "weight": params["weight"]}
    if params.get("kind") == ItemKind.MISSING:
        if effect == Effect.BREACHES:
            return _("Left unmet for want of this law: %(title)s (weight %(weight)s)") % values
        return _("Left only partly met for want of this law: %(title)s (weight %(weight)s)") % (
            values
        )
    if effect == Effect.BREACHES:
        return _("Removes or breaches: %(title)s (weight %(weight)s)") % values
    return _("Weakens or delays: %(title)s (weight %(weight)s)") % values


def _deadline_text(code: str, params: dict[str, Any]) -> str:
    days = int(params["days"])
    if code == "deadline_past":
        return ngettext(
            "The deadline passed %(days)d day ago and the procedure is still open: "
            "check where the text stands.",
            "The deadline passed %(days)d days ago and the procedure is still open: "
            "check where the text stands.",
            days,
        ) % {"days": days}
    procedure = params.get("procedure")
    if days == 0:
        if procedure == Procedure.CONSULTATION:
            return _("The consultation closes today.")
        return _("The deadline is today.")
    if procedure == Procedure.CONSULTATION:
        return ngettext(
            "The consultation closes in %(days)d day.",
            "The consultation closes in %(days)d days.",
            days,
        ) % {"days": days}
    if procedure == Procedure.PARLIAMENT:
        return ngettext(
            "Parliament's deadline is in %(days)d day.",
            "Parliament's deadline is in %(days)d days.",
            days,
        ) % {"days": days}
    return ngettext(
        "The deadline is in %(days)d day.", "The deadline is in %(days)d days.", days
    ) % {"days": days}


def _settled_text(params: dict[str, Any]) -> str:
    procedure = str(Procedure(params["procedure"]).label)
    if params.get("kind") == ItemKind.MISSING:
        return _("A law filling the gap was adopted (%(procedure)s): the gap no longer counts.") % {
            "procedure": procedure
        }
    if params.get("kind") == ItemKind.EXISTING or params["procedure"] == Procedure.REJECTED:
        return _("Repealed, rejected or withdrawn: its effects no longer count.")
    return _(
        "The procedure is over (%(procedure)s): the draft can no longer be changed, so its "
        "effects no longer count. If it became law, follow it as an existing law."
    ) % {"procedure": procedure}
