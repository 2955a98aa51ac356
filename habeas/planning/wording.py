"""A programme in plain words, for its pages (¶10, 35, 36): the result ("proven optimal",
"within 0.4 % of the best possible plan"), the reserve, the comparison with "most overdue
first", the explanations of rules that could not be met, what is left out and what still
stops adoption, and why a place was chosen.

Nothing here writes. Figures are stored as numbers and codes; the words are produced at
display time, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from habeas.planning import risk
from habeas.planning.forms import JustificationForm
from habeas.planning.models import Factor, PlannedVisit, Programme

SOLVERS = {
    "highs": "HiGHS",
    "cp-sat": "OR-Tools CP-SAT",
    "cpsat": "OR-Tools CP-SAT",
}
# A gap this small is proof that no better plan exists.
PROVEN = 1e-6


def _number(value: float | int | Decimal | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return number_format(round(float(value), digits), decimal_pos=digits, force_grouping=True)


# -- the result -----------------------------------------------------------------------------


def result_lines(programme: Programme) -> list[str]:
    """What the last build found, as sentences."""
    if programme.objective is None:
        return []
    lines = []
    gap = programme.gap
    if gap is not None and gap <= PROVEN:
        lines.append(_("Proven optimal: no better plan exists under these rules."))
    elif gap is not None:
        lines.append(
            _("Within %(gap)s %% of the best possible plan (bound %(bound)s).")
            % {"gap": _number(gap * 100, 1), "bound": _number(programme.bound)}
        )
    else:
        lines.append(_("The best plan found; how far it is from the best possible is not known."))
    solver = programme.solver or ""
    if solver == "greedy":
        lines.append(
            _(
                "Neither solver improved on Habeas's first plan in the time given (built by "
                "taking the places with the most points first, within every rule); a longer "
                "search may find a better one."
            )
        )
    elif solver:
        lines.append(
            _("Found by %(solver)s in %(seconds)s seconds.")
            % {
                "solver": SOLVERS.get(solver, solver),
                "seconds": _number(programme.solve_seconds, 1),
            }
        )
    risk_part = ((programme.comparison or {}).get("programme") or {}).get("risk_covered")
    if risk_part is not None and programme.objective is not None:
        lines.append(
            _(
                "Points gained: %(objective)s, of which %(risk)s for the risk of the places "
                "visited and %(coverage)s for keeping visits regular (a place earns up to 20 "
                "more as it nears its maximum interval)."
            )
            % {
                "objective": _number(programme.objective),
                "risk": _number(risk_part),
                "coverage": _number(programme.objective - float(risk_part)),
            }
        )
    else:
        lines.append(
            _("Risk and regular coverage gained: %(objective)s points.")
            % {"objective": _number(programme.objective)}
        )
    return lines


def reserve_line(programme: Programme, staff_days: int) -> str:
    share = Decimal(programme.reserve_share or 0)
    if not staff_days:
        return _("No staff-days are stated yet: set the capacity before building.")
    kept = float(share) * staff_days
    return _(
        "%(percent)s %% of the %(total)s staff-days is kept in reserve for urgent and "
        "follow-up visits: %(kept)s staff-days are not planned."
    ) % {
        "percent": _number(share * 100),
        "total": _number(staff_days),
        "kept": _number(kept),
    }


# -- the comparison with "most overdue first" --------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    programme: str
    greedy: str
    difference: str
    better: bool | None  # True: the programme does better on this line; None: neither


# (key, label, whether more is better; None where neither is)
COMPARED: tuple[tuple[str, Any, bool | None], ...] = (
    ("risk_covered", lambda: _("Risk covered (points)"), True),
    ("places_overdue", lambda: _("Places overdue at the end of the period"), False),
    ("regions_left_out", lambda: _("Regions left out"), False),
    ("categories_left_out", lambda: _("Categories left out"), False),
    ("visits", lambda: _("Visits"), None),
)


def _count(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, list | tuple | set):
        return float(len(value))
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def comparison_rows(comparison: Mapping[str, Any]) -> list[ComparisonRow]:
    mine, theirs = comparison.get("programme") or {}, comparison.get("greedy") or {}
    if not mine or not theirs:
        return []
    rows = []
    for key, label, more_is_better in COMPARED:
        a, b = _count(mine.get(key)), _count(theirs.get(key))
        if a is None and b is None:
            continue
        digits = 0 if key != "risk_covered" else 1
        difference, better = "—", None
        if a is not None and b is not None:
            delta = a - b
            difference = ("+" if delta > 0 else "") + _number(delta, digits)
            if more_is_better is not None and delta:
                better = (delta > 0) == more_is_better
        rows.append(
            ComparisonRow(label(), _number(a, digits), _number(b, digits), difference, better)
        )
    return rows


# -- what is left out, and adoption ------------------------------------------------------------


@dataclass
class LeftOut:
    kind: str  # "region" or "category"
    target: Any  # the Region or the Category
    justification: Any | None
    form: JustificationForm
    why: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.target.pk}"


def left_out_lines(
    programme: Programme,
    left_out: tuple[Iterable[Any], Iterable[Any]],
    posted: JustificationForm | None,
) -> tuple[list[LeftOut], list[LeftOut]]:
    """Each left-out region and category with its justification (or None) and a form to
    write one; the form the user just sent keeps its text."""
    regions, categories = left_out
    counts = _why_out_counts(programme) if (regions or categories) else {}

    def lines(kind: str, items: Iterable[Any]) -> list[LeftOut]:
        found = []
        for item in items:
            target, justification = item if isinstance(item, tuple) else (item, None)
            key = f"{kind}-{target.pk}"
            form = posted if posted is not None and posted.data.get("target") == key else None
            form = form or JustificationForm(
                initial={"target": key, "text": justification.text if justification else ""},
                auto_id=False,  # one form per line: no repeated ids on the page
            )
            found.append(LeftOut(kind, target, justification, form, _why_out(kind, target, counts)))
        return found

    return lines("region", regions), lines("category", categories)


def _why_out_counts(programme: Programme) -> dict[tuple[str, int], tuple[int, int, int]]:
    """For every category and every region (at the level capacity is stated): its open
    places, those set to "Not in this period", and those in regions without staff-days.
    One pass over the open places, whatever the number of lines left out."""
    from habeas.places.models import Place
    from habeas.planning import inputs
    from habeas.planning.models import PlaceRule, RegionCapacity

    stated = dict(
        RegionCapacity.objects.filter(programme=programme).values_list("region_id", "staff_days")
    )
    roots = inputs.capacity_regions(stated)
    avoided = set(
        PlaceRule.objects.filter(programme=programme, kind=PlaceRule.Kind.AVOID).values_list(
            "place_id", flat=True
        )
    )
    counts: dict[tuple[str, int], list[int]] = {}
    rows = Place.objects.filter(status=Place.Status.OPEN).values_list(
        "pk", "region_id", "category_id"
    )
    for pk, region, category in rows.iterator(chunk_size=5000):
        root = roots.get(region, region)
        is_avoided = pk in avoided
        uncovered = not is_avoided and not stated.get(root)
        for key in (("category", category), ("region", root)):
            line = counts.setdefault(key, [0, 0, 0])
            line[0] += 1
            line[1] += is_avoided
            line[2] += uncovered
    return {key: (a, b, c) for key, (a, b, c) in counts.items()}


def _why_out(kind: str, target: Any, counts: dict[tuple[str, int], tuple[int, int, int]]) -> str:
    """What the records say about why a region or category got no visit: its open places,
    those the NPM set aside for the period, those in regions without staff-days. The
    written justification is the NPM's; this only helps to write it."""
    total, avoided, uncovered = counts.get((kind, target.pk), (0, 0, 0))
    parts = [ngettext("%(count)s open place.", "%(count)s open places.", total) % {"count": total}]
    if avoided:
        parts.append(
            ngettext(
                "%(count)s is set to “Not in this period”.",
                "%(count)s are set to “Not in this period”.",
                avoided,
            )
            % {"count": avoided}
        )
    if uncovered:
        parts.append(
            ngettext(
                "%(count)s is in a region without staff-days.",
                "%(count)s are in regions without staff-days.",
                uncovered,
            )
            % {"count": uncovered}
        )
    others = total - avoided - uncovered
    if others:
        parts.append(
            ngettext(
                "%(count)s could be visited but was not chosen: the period's visits went first "
                "to mandatory visits and places past their interval, then to more risk.",
                "%(count)s could be visited but were not chosen: the period's visits went first "
                "to mandatory visits and places past their interval, then to more risk.",
                others,
            )
            % {"count": others}
        )
    return " ".join(parts)


def adopt_blockers(programme: Programme, left: Sequence[LeftOut]) -> list[str]:
    """Why the programme cannot be adopted yet; empty when it can."""
    if programme.status == Programme.Status.ADOPTED:
        return [_("The programme is adopted.")]
    if programme.status != Programme.Status.BUILT:
        return [_("Build the programme first.")]
    if programme.teams_status == Programme.TeamsStatus.QUEUED:
        return [_("Teams are being proposed for its visits: adopt it once they are.")]
    if programme.changed_since_build:
        return [_("Capacity, rules or visits changed after the last build: build it again first.")]
    missing = [line.target.name for line in left if line.justification is None]
    if missing:
        return [
            ngettext(
                "Write why this is left out: %(names)s.",
                "Write why these are left out: %(names)s.",
                len(missing),
            )
            % {"names": ", ".join(missing)}
        ]
    return []


# -- why a place was chosen --------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownLine:
    label: str
    text: str
    points: float | None  # None: counted but not shown (confidential records)
    missing: bool
    hidden: bool


def risk_breakdown(
    programme: Programme, planned: PlannedVisit, *, viewer: Any
) -> list[BreakdownLine]:
    """The place's risk today, factor by factor, largest first. A factor counted from
    records the viewer may not see says so, without its figure or points."""
    chosen = programme.weights if programme.weights_id else None
    weights = (chosen or risk.current_weights()).weights
    scores = risk.compute(
        place_ids=[planned.place_id], today=timezone.localdate(), weights=weights, viewer=viewer
    )
    place_risk = scores.get(planned.place_id)
    if place_risk is None:
        return []
    labels = dict(Factor.choices)
    lines = [
        BreakdownLine(
            label=str(labels.get(f.factor, f.factor)),
            text=risk.describe(f),
            points=None if f.hidden else f.points,
            missing=f.missing,
            hidden=f.hidden,
        )
        for f in place_risk.factors
    ]
    return sorted(lines, key=lambda line: (line.missing, -(line.points or 0)))
