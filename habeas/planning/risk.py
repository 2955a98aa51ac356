"""The risk model (¶10): each open place scored from transparent, weighted factors.

A factor has a *strength* from 0 to 1, worked out from one raw figure; it adds
`weight × strength` points to the place's score, so the score runs from 0 to the sum of
the weights (100 with the default weights). The weights are the NPM's, kept as numbered
versions (`RiskWeights`). The strengths:

- **occupancy**: people held (the latest count) divided by the capacity, minus 1, kept
  between 0 and 1: a place at or under capacity adds nothing, one at 200 % or more adds
  the full weight. No data when the place has no capacity or no count of people held.
- **since_in_depth**: months since the last in-depth visit that took place, divided by
  the category's maximum interval (48 months by default), at most 1. A place never
  visited in depth gets 1, and the page says so.
- **since_any**: months since the last visit of any kind (a visit that took place, or
  the last visit date recorded on the place), divided by 12, at most 1. Never visited: 1.
- **overdue_recommendations**: key or urgent recommendations sent to the place that are
  past their deadline and not achieved; 3 or more give 1.
- **allegations**: entries of the allegations register about the place dated after the
  last visit (the date the complaint was lodged, else the date of the acts, else the
  date it was recorded), within the last 4 years; 3 or more give 1.
- **watches**: reprisal watches open on people held there; 2 or more give 1. They are
  confidential: the score counts them all, but the figure is shown only to a viewer
  granted on every one of them; anyone else reads "a signal from confidential records".
- **submissions**: submissions from the public about the place received after the last
  visit, within the last 4 years (those triaged as outside the mandate do not count);
  5 or more give 1.
- **vulnerable**: groups held that need particular attention (women, children, persons
  with disabilities…); 3 or more give 1. No data when no group is recorded.
- **category**: the category's inherent risk (0 to 5: first hours of police custody,
  admission, transfer, removal carry more) divided by 5.
- **difficulties**: operational difficulties (access refused or delayed, documents
  withheld, intimidation…) recorded on visits in the last 4 years; 2 or more give 1. No
  data when the place had no visit in those 4 years: nothing could have been recorded.

A factor without data adds nothing and says so; it is never counted as a zero that
looks like good news. `compute` reads everything for any number of places in a handful
of aggregate queries (none per place).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from habeas.accounts import roles
from habeas.cases.models import RegisterEntry, ReprisalWatch
from habeas.core import audit
from habeas.intake.models import Action, Submission
from habeas.places.models import Place, PopulationRecord
from habeas.planning.models import DEFAULT_WEIGHTS, Factor, RiskWeights
from habeas.recommendations.models import FollowUpRule, Priority, Recommendation
from habeas.recommendations.proposals import overdue_counted, overdue_filter
from habeas.visits.models import Difficulty, Visit

# Visits that took place: anything past "planned" and "prepared".
HAPPENED = [
    state
    for state in Visit.State.values
    if state not in (Visit.State.PLANNED, Visit.State.PREPARED)
]
MONTH_DAYS = 30.4375
LOOKBACK_MONTHS = 48  # allegations and submissions: at most this far back
DIFFICULTY_MONTHS = 48
DEFAULT_INTERVAL_MONTHS = 48
# Above this many ids, every open place is read and the rest dropped in Python, so no
# query carries a list of thousands of parameters.
ID_FILTER_LIMIT = 500

# The figure at which each count reaches full strength.
FULL_AT: dict[str, int] = {
    Factor.OVERDUE_RECOMMENDATIONS: 3,
    Factor.ALLEGATIONS: 3,
    Factor.WATCHES: 2,
    Factor.SUBMISSIONS: 5,
    Factor.VULNERABLE: 3,
    Factor.DIFFICULTIES: 2,
}
ORDER = [choice.value for choice in Factor]


@dataclass(frozen=True, slots=True)
class FactorScore:
    factor: str  # models.Factor value
    value: float | None  # raw figure: ratio, months, count; None when no data (or hidden)
    strength: float  # 0..1
    points: float  # weight × strength
    missing: bool  # no data: the factor adds 0 and the page says so
    hidden: bool = False  # counted from records this viewer may not see: shown masked
    # What the sentence needs beside the value (capacity, people held, dates, maximum).
    detail: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return str(Factor(self.factor).label)

    @property
    def text(self) -> str:
        return describe(self)

    def as_json(self) -> dict[str, Any]:
        """The snapshot's form of the factor (RiskSnapshot.breakdown)."""
        return {
            "factor": self.factor,
            "value": None if self.value is None else round(self.value, 4),
            "strength": round(self.strength, 4),
            "points": round(self.points, 4),
            "missing": self.missing,
            "detail": {
                name: value.isoformat() if isinstance(value, dt.date) else value
                for name, value in self.detail.items()
            },
        }


@dataclass(frozen=True, slots=True)
class PlaceRisk:
    place_id: int
    score: float  # sum of points, 0..sum(weights)
    factors: list[FactorScore]

    def missing(self) -> list[str]:
        return [factor.factor for factor in self.factors if factor.missing]

    def factor(self, name: str) -> FactorScore | None:
        return next((factor for factor in self.factors if factor.factor == name), None)

    def top(self, count: int = 3) -> list[FactorScore]:
        """The factors that add most, weightiest first (those adding nothing left out)."""
        adding = [factor for factor in self.factors if factor.points > 0]
        return sorted(adding, key=lambda factor: (-factor.points, ORDER.index(factor.factor)))[
            :count
        ]


# -- weights ----------------------------------------------------------------------------------


def weights_of(weights: Mapping[str, float]) -> dict[str, float]:
    """Every factor's weight; a factor a stored version does not name weighs 0."""
    return {name: float(weights.get(name, 0.0) or 0.0) for name in ORDER}


def current_weights() -> RiskWeights:
    """The latest version of the weights; the defaults become version 1 if there is none."""
    latest = RiskWeights.objects.order_by("-number").first()
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            first = RiskWeights.objects.create(number=1, weights=dict(DEFAULT_WEIGHTS), note="")
            audit.record(actor=None, action="planning.weights_default", obj=first)
    except IntegrityError:  # created meanwhile by another request
        return RiskWeights.objects.order_by("-number")[0]
    return first


# -- compute ----------------------------------------------------------------------------------


def _months_ago(today: dt.date, months: int) -> dt.date:
    return today - dt.timedelta(days=round(months * MONTH_DAYS))


@dataclass
class _Facts:
    """Everything the factors read, for many places at once."""

    places: dict[int, dict[str, Any]]
    last_any: dict[int, dt.date]
    last_in_depth: dict[int, dt.date]
    difficulties: dict[int, int]
    overdue: dict[int, int]
    allegations: dict[int, int]
    watches: dict[int, int]
    submissions: dict[int, int]
    groups: dict[int, tuple[int, int]]  # place: (groups recorded, vulnerable ones)
    difficulty_window: dt.date  # difficulties count from this day; no visit since: no data


def _by_place(queryset: Any, wanted: set[int] | None, field_name: str = "place_id") -> Any:
    if wanted is not None and len(wanted) <= ID_FILTER_LIMIT:
        return queryset.filter(**{f"{field_name}__in": wanted})
    return queryset


def _counts(rows: Iterable[tuple[int, int]], wanted: set[int] | None) -> dict[int, int]:
    return {pk: n for pk, n in rows if pk is not None and (wanted is None or pk in wanted)}


def _places(wanted: set[int] | None) -> dict[int, dict[str, Any]]:
    latest = PopulationRecord.objects.filter(place=OuterRef("pk")).order_by("-recorded_on")
    rows = (
        _by_place(Place.objects.filter(status=Place.Status.OPEN), wanted, "pk")
        .annotate(
            held=Subquery(latest.values("population")[:1]),
            counted_on=Subquery(latest.values("recorded_on")[:1]),
        )
        .order_by()
        .values(
            "pk",
            "capacity",
            "last_visit_on",
            "held",
            "counted_on",
            "category__inherent_risk",
            "category__max_interval_months",
        )
    )
    return {row["pk"]: row for row in rows if wanted is None or row["pk"] in wanted}


def _visits(wanted: set[int] | None, today: dt.date) -> tuple[dict[int, dt.date], ...]:
    rows = (
        _by_place(Visit.objects.filter(state__in=HAPPENED, starts_on__lte=today), wanted)
        .order_by()
        .values("place_id")
        .annotate(
            last_any=Max("ends_on"),
            last_in_depth=Max("ends_on", filter=Q(kind=Visit.Kind.IN_DEPTH)),
        )
        .values_list("place_id", "last_any", "last_in_depth")
    )
    last_any: dict[int, dt.date] = {}
    last_in_depth: dict[int, dt.date] = {}
    for pk, any_day, in_depth_day in rows:
        if wanted is not None and pk not in wanted:
            continue
        last_any[pk] = min(any_day, today)
        if in_depth_day is not None:
            last_in_depth[pk] = min(in_depth_day, today)
    return last_any, last_in_depth


def _since_last_visit(
    rows: Iterable[tuple[int, dt.date]], last_visit: Mapping[int, dt.date], wanted: set[int] | None
) -> dict[int, int]:
    """Count dated rows per place that came after the place's last visit."""
    counts: dict[int, int] = defaultdict(int)
    for pk, day in rows:
        if pk is None or day is None or (wanted is not None and pk not in wanted):
            continue
        last = last_visit.get(pk)
        if last is None or day > last:
            counts[pk] += 1
    return dict(counts)


def _allegation_days(wanted: set[int] | None, since: dt.date) -> Any:
    day = Coalesce("complaint_on", "alleged_on", TruncDate("created_at"), output_field=DateField())
    return (
        _by_place(RegisterEntry.objects.filter(place__isnull=False), wanted)
        .annotate(day=day)
        .filter(day__gte=since)
        .order_by()
        .values_list("place_id", "day")
    )


def _submission_days(wanted: set[int] | None, since: dt.date) -> Any:
    # The rule of `habeas.intake.selectors.place_signal` (outside the mandate does not
    # count), read with each day so that each place's own last visit can be applied in
    # one query; a test keeps the two in step.
    return (
        _by_place(
            Submission.objects.filter(place__isnull=False, received_on__gte=since).exclude(
                action=Action.OUTSIDE_MANDATE
            ),
            wanted,
        )
        .order_by()
        .values_list("place_id", "received_on")
    )


def _groups(wanted: set[int] | None) -> dict[int, tuple[int, int]]:
    through = Place.groups.through
    rows = (
        _by_place(through.objects.all(), wanted)
        .order_by()
        .values("place_id")
        .annotate(
            total=Count("pk"), vulnerable=Count("pk", filter=Q(populationgroup__vulnerable=True))
        )
        .values_list("place_id", "total", "vulnerable")
    )
    return {
        pk: (total, vulnerable) for pk, total, vulnerable in rows if wanted is None or pk in wanted
    }


def _overdue_rule() -> FollowUpRule:
    """The follow-up rule's recommendations (key ones by default), urgent and key always.

    `proposals.overdue_key_counts` applies the same test but only to what a given user
    may see; the score counts every recommendation (the system's view), and a viewer's
    own count (`overdue_counted`) only decides whether the figure is shown to them."""
    rule = FollowUpRule.current()
    priorities = list(dict.fromkeys([*rule.counted_priorities, Priority.URGENT, Priority.KEY]))
    return FollowUpRule(pk=rule.pk, priorities=priorities, threshold=rule.threshold)


def _facts(wanted: set[int] | None, today: dt.date) -> _Facts:
    places = _places(wanted)
    last_any, last_in_depth = _visits(wanted, today)
    for pk, row in places.items():
        recorded = row["last_visit_on"]
        if recorded is not None and (pk not in last_any or recorded > last_any[pk]):
            last_any[pk] = min(recorded, today)
    window = _months_ago(today, DIFFICULTY_MONTHS)
    difficulties = (
        _by_place(
            Difficulty.objects.filter(occurred_at__date__gte=window), wanted, "visit__place_id"
        )
        .order_by()
        .values("visit__place_id")
        .annotate(n=Count("pk"))
        .values_list("visit__place_id", "n")
    )
    overdue = (
        _by_place(Recommendation.objects.filter(overdue_filter(today, _overdue_rule())), wanted)
        .order_by()
        .values("place_id")
        .annotate(n=Count("pk"))
        .values_list("place_id", "n")
    )
    watches = (
        _by_place(ReprisalWatch.objects.filter(status=ReprisalWatch.Status.ACTIVE), wanted)
        .order_by()
        .values("place_id")
        .annotate(n=Count("pk"))
        .values_list("place_id", "n")
    )
    since = _months_ago(today, LOOKBACK_MONTHS)
    return _Facts(
        places=places,
        last_any=last_any,
        last_in_depth=last_in_depth,
        difficulties=_counts(difficulties, wanted),
        overdue=_counts(overdue, wanted),
        allegations=_since_last_visit(_allegation_days(wanted, since), last_any, wanted),
        watches=_counts(watches, wanted),
        submissions=_since_last_visit(_submission_days(wanted, since), last_any, wanted),
        groups=_groups(wanted),
        difficulty_window=window,
    )


def _masked(
    viewer: Any, wanted: set[int] | None, facts: _Facts, today: dt.date
) -> dict[str, set[int]]:
    """Places where a factor counts records the viewer may not see, factor by factor.

    Watches are need-to-know: the viewer's own count (only watches they are granted on)
    is compared with the full one. Overdue recommendations follow the visits they came
    from, which a viewer may not all see; the same comparison applies.
    """
    seen_watches = _counts(
        _by_place(
            ReprisalWatch.objects.restrict(viewer, "view").filter(
                status=ReprisalWatch.Status.ACTIVE
            ),
            wanted,
        )
        .order_by()
        .values("place_id")
        .annotate(n=Count("pk"))
        .values_list("place_id", "n"),
        wanted,
    )
    seen_overdue = _counts(
        _by_place(overdue_counted(user=viewer, today=today, rule=_overdue_rule()), wanted)
        .order_by()
        .values("place_id")
        .annotate(n=Count("pk"))
        .values_list("place_id", "n"),
        wanted,
    )
    masked: dict[str, set[int]] = {
        Factor.WATCHES: {pk for pk, n in facts.watches.items() if seen_watches.get(pk, 0) < n},
        Factor.OVERDUE_RECOMMENDATIONS: {
            pk for pk, n in facts.overdue.items() if seen_overdue.get(pk, 0) < n
        },
    }
    # The register and the public's submissions are seen whole or not at all (every
    # planning role sees both; the check keeps it so if roles change).
    if not roles.can(viewer, "register.view"):
        masked[Factor.ALLEGATIONS] = {pk for pk, n in facts.allegations.items() if n}
    if not roles.can(viewer, "intake.view"):
        masked[Factor.SUBMISSIONS] = {pk for pk, n in facts.submissions.items() if n}
    return masked


def compute(
    *,
    place_ids: Iterable[int] | None,
    today: dt.date,
    weights: Mapping[str, float],
    viewer: Any | None = None,
) -> dict[int, PlaceRisk]:
    """The score of every open place named (all open places for None), with its factors.

    The score always counts every record (a programme must see the whole risk). For a
    `viewer`, a factor counted from records they may not all see is `hidden`: its figure
    is dropped (value None) and pages show it masked; its points stay in the total, so
    the total is the same for everyone. `viewer=None` is the system: nothing hidden.
    """
    wanted = None if place_ids is None else {int(pk) for pk in place_ids}
    if wanted is not None and not wanted:
        return {}
    with collector_paused():
        facts = _facts(wanted, today)
        masked = _masked(viewer, wanted, facts, today) if viewer is not None else {}
        return _scores(facts, masked, weights_of(weights), today)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the figures are read and the scores
    built: they hold no cycles, and its passes over 200,000 new objects (20,000 places)
    took a third of the time. Reference counting still frees everything; the collector
    resumes after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scores(
    facts: _Facts, masked: Mapping[str, set[int]], weight: Mapping[str, float], today: dt.date
) -> dict[int, PlaceRisk]:
    steps = [(_FACTORS[name], weight[name], masked.get(name) or set()) for name in ORDER]
    result: dict[int, PlaceRisk] = {}
    for pk, row in facts.places.items():
        factors = []
        for step, factor_weight, hide in steps:
            score = step(pk, row, facts, today, factor_weight)
            if pk in hide:
                # Masked for this reader, but its points stay in the total: the score is
                # the same for everyone and the programme sees the whole risk. A reader
                # may infer that a confidential signal exists; the page says as much.
                score = FactorScore(
                    score.factor, None, score.strength, score.points, score.missing, hidden=True
                )
            factors.append(score)
        total = round(sum(factor.points for factor in factors), 4)
        result[pk] = PlaceRisk(place_id=pk, score=total, factors=factors)
    return result


# -- the factors ---------------------------------------------------------------------------------
# Plain functions over pre-read figures: run 10 times per place, they stay lean (20,000
# places make 200,000 factors). Dates stay `date` objects until shown or stored.

Row = Mapping[str, Any]
NO_DETAIL: Mapping[str, Any] = {}  # shared, never written to
OCCUPANCY, SINCE_IN_DEPTH, SINCE_ANY = "occupancy", "since_in_depth", "since_any"
OVERDUE, ALLEGATIONS, WATCHES = "overdue_recommendations", "allegations", "watches"
SUBMISSIONS, VULNERABLE, CATEGORY = "submissions", "vulnerable", "category"
DIFFICULTIES = "difficulties"


def _score(
    name: str,
    weight: float,
    value: float | None,
    strength: float,
    detail: Mapping[str, Any] = NO_DETAIL,
) -> FactorScore:
    strength = 0.0 if strength < 0 else 1.0 if strength > 1 else strength
    return FactorScore(name, value, strength, weight * strength, False, False, detail)


def _missing(name: str, detail: Mapping[str, Any] = NO_DETAIL) -> FactorScore:
    return FactorScore(name, None, 0.0, 0.0, True, False, detail)


def _count_score(
    name: str, weight: float, count: int, detail: Mapping[str, Any] = NO_DETAIL
) -> FactorScore:
    return _score(name, weight, float(count), count / FULL_AT[name], detail)


def _occupancy(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    capacity, population = row["capacity"], row["held"]
    if not capacity:
        return _missing(OCCUPANCY, {"reason": "capacity"})
    if population is None:
        return _missing(OCCUPANCY, {"reason": "population"})
    ratio = population / capacity
    detail = {"population": population, "capacity": capacity, "counted_on": row["counted_on"]}
    return _score(OCCUPANCY, weight, ratio, ratio - 1, detail)


def _since_in_depth(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    maximum = row["category__max_interval_months"] or DEFAULT_INTERVAL_MONTHS
    last = facts.last_in_depth.get(pk)
    if last is None:
        return _score(SINCE_IN_DEPTH, weight, None, 1.0, {"maximum": maximum, "never": True})
    months = (today - last).days / MONTH_DAYS
    return _score(
        SINCE_IN_DEPTH, weight, months, months / maximum, {"maximum": maximum, "last": last}
    )


def _since_any(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    last = facts.last_any.get(pk)
    if last is None:
        return _score(SINCE_ANY, weight, None, 1.0, {"never": True})
    months = (today - last).days / MONTH_DAYS
    return _score(SINCE_ANY, weight, months, months / 12, {"last": last})


def _overdue(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    return _count_score(OVERDUE, weight, facts.overdue.get(pk, 0))


def _allegations(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    count = facts.allegations.get(pk, 0)
    return _count_score(ALLEGATIONS, weight, count, {"since": facts.last_any.get(pk)})


def _watches(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    return _count_score(WATCHES, weight, facts.watches.get(pk, 0))


def _submissions(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    count = facts.submissions.get(pk, 0)
    return _count_score(SUBMISSIONS, weight, count, {"since": facts.last_any.get(pk)})


def _vulnerable(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    total, vulnerable = facts.groups.get(pk, (0, 0))
    if not total:
        return _missing(VULNERABLE)
    return _count_score(VULNERABLE, weight, vulnerable, {"recorded": total})


def _category(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    inherent = row["category__inherent_risk"] or 0
    return _score(CATEGORY, weight, float(inherent), inherent / 5)


def _difficulties(pk: int, row: Row, facts: _Facts, today: dt.date, weight: float) -> FactorScore:
    last = facts.last_any.get(pk)
    if last is None or last < facts.difficulty_window:
        return _missing(DIFFICULTIES)
    return _count_score(DIFFICULTIES, weight, facts.difficulties.get(pk, 0))


_FACTORS: dict[str, Callable[[int, Row, _Facts, dt.date, float], FactorScore]] = {
    OCCUPANCY: _occupancy,
    SINCE_IN_DEPTH: _since_in_depth,
    SINCE_ANY: _since_any,
    OVERDUE: _overdue,
    ALLEGATIONS: _allegations,
    WATCHES: _watches,
    SUBMISSIONS: _submissions,
    VULNERABLE: _vulnerable,
    CATEGORY: _category,
    DIFFICULTIES: _difficulties,
}


# -- words ------------------------------------------------------------------------------------


def from_json(data: Mapping[str, Any]) -> FactorScore:
    """A factor read back from a snapshot's breakdown."""
    return FactorScore(
        factor=data["factor"],
        value=data.get("value"),
        strength=float(data.get("strength") or 0),
        points=float(data.get("points") or 0),
        missing=bool(data.get("missing")),
        detail=data.get("detail") or {},
    )


def _whole(value: float | None) -> int:
    return round(value or 0)


def describe(factor: FactorScore) -> str:
    """One translated sentence in plain words saying what the factor found."""
    if factor.hidden:
        return _(
            "A signal from confidential records you are not granted on: it counts in the "
            "total, but its figure is not shown to you."
        )
    return _SENTENCES[factor.factor](factor, factor.detail)


def _occupancy_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    if factor.missing:
        if detail.get("reason") == "capacity":
            return _("No capacity recorded, so occupancy is not counted.")
        return _("No count of the people held recorded, so occupancy is not counted.")
    return _(
        "Holds %(population)s people for %(capacity)s places (%(percent)s %%), counted on %(on)s."
    ) % {
        "population": detail.get("population"),
        "capacity": detail.get("capacity"),
        "percent": _whole((factor.value or 0) * 100),
        "on": detail.get("counted_on"),
    }


def _since_in_depth_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    maximum = detail.get("maximum", DEFAULT_INTERVAL_MONTHS)
    if factor.value is None:
        return _(
            "No in-depth visit on record (the maximum interval for this category is "
            "%(maximum)s months)."
        ) % {"maximum": maximum}
    months = _whole(factor.value)
    return ngettext(
        "Last in-depth visit %(months)s month ago, on %(on)s (the maximum is %(maximum)s).",
        "Last in-depth visit %(months)s months ago, on %(on)s (the maximum is %(maximum)s).",
        months,
    ) % {"months": months, "on": detail.get("last"), "maximum": maximum}


def _since_any_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    if factor.value is None:
        return _("No visit of any kind on record.")
    months = _whole(factor.value)
    return ngettext(
        "Last visit of any kind %(months)s month ago, on %(on)s.",
        "Last visit of any kind %(months)s months ago, on %(on)s.",
        months,
    ) % {"months": months, "on": detail.get("last")}


def _overdue_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    count = _whole(factor.value)
    if not count:
        return _("No key or urgent recommendation is past its deadline.")
    return ngettext(
        "%(count)s key or urgent recommendation is past its deadline and not achieved.",
        "%(count)s key or urgent recommendations are past their deadline and not achieved.",
        count,
    ) % {"count": count}


def _since_words(detail: Mapping[str, Any]) -> str:
    if detail.get("since"):
        return _("since the last visit on %(on)s") % {"on": detail["since"]}
    return _("in the last %(months)s months (never visited)") % {"months": LOOKBACK_MONTHS}


def _allegations_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    count = _whole(factor.value)
    if not count:
        return _("No allegation in the register %(since)s.") % {"since": _since_words(detail)}
    return ngettext(
        "%(count)s allegation in the register %(since)s.",
        "%(count)s allegations in the register %(since)s.",
        count,
    ) % {"count": count, "since": _since_words(detail)}


def _watches_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    count = _whole(factor.value)
    if not count:
        return _("No reprisal watch open on someone held here.")
    return ngettext(
        "%(count)s reprisal watch open on someone held here.",
        "%(count)s reprisal watches open on people held here.",
        count,
    ) % {"count": count}


def _submissions_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    count = _whole(factor.value)
    if not count:
        return _("No submission from the public %(since)s.") % {"since": _since_words(detail)}
    return ngettext(
        "%(count)s submission from the public %(since)s.",
        "%(count)s submissions from the public %(since)s.",
        count,
    ) % {"count": count, "since": _since_words(detail)}


def _vulnerable_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    if factor.missing:
        return _("No groups held recorded, so vulnerable groups are not counted.")
    count = _whole(factor.value)
    return ngettext(
        "Holds %(count)s group that needs particular attention (of %(recorded)s recorded).",
        "Holds %(count)s groups that need particular attention (of %(recorded)s recorded).",
        count,
    ) % {"count": count, "recorded": detail.get("recorded", count)}


def _category_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    return _("The category's inherent risk is %(level)s out of 5.") % {
        "level": _whole(factor.value)
    }


def _difficulties_text(factor: FactorScore, detail: Mapping[str, Any]) -> str:
    if factor.missing:
        return _(
            "No visit in the last %(months)s months, so no difficulty could have been "
            "recorded: not counted."
        ) % {"months": DIFFICULTY_MONTHS}
    count = _whole(factor.value)
    if not count:
        return _("No operational difficulty met on visits in the last %(months)s months.") % {
            "months": DIFFICULTY_MONTHS
        }
    return ngettext(
        "%(count)s operational difficulty met on visits in the last %(months)s months.",
        "%(count)s operational difficulties met on visits in the last %(months)s months.",
        count,
    ) % {"count": count, "months": DIFFICULTY_MONTHS}


_SENTENCES: dict[str, Callable[[FactorScore, Mapping[str, Any]], str]] = {
    Factor.OCCUPANCY: _occupancy_text,
    Factor.SINCE_IN_DEPTH: _since_in_depth_text,
    Factor.SINCE_ANY: _since_any_text,
    Factor.OVERDUE_RECOMMENDATIONS: _overdue_text,
    Factor.ALLEGATIONS: _allegations_text,
    Factor.WATCHES: _watches_text,
    Factor.SUBMISSIONS: _submissions_text,
    Factor.VULNERABLE: _vulnerable_text,
    Factor.CATEGORY: _category_text,
    Factor.DIFFICULTIES: _difficulties_text,
}


def rule(factor: str) -> str:
    """How a factor's strength is worked out, in plain words (the weights page shows it)."""
    rules: dict[str, str] = {
        Factor.OCCUPANCY: _(
            "People held against the capacity: nothing at or under capacity, the full "
            "weight at twice the capacity or more."
        ),
        Factor.SINCE_IN_DEPTH: _(
            "Months since the last in-depth visit, against the category's maximum interval: "
            "the full weight once the maximum is reached, or if there was never one."
        ),
        Factor.SINCE_ANY: _(
            "Months since the last visit of any kind: the full weight after 12 months, or "
            "if there was never one."
        ),
        Factor.OVERDUE_RECOMMENDATIONS: _(
            "Key or urgent recommendations past their deadline and not achieved: the full "
            "weight from 3."
        ),
        Factor.ALLEGATIONS: _(
            "Allegations in the register since the last visit (at most 4 years back): the "
            "full weight from 3."
        ),
        Factor.WATCHES: _(
            "Reprisal watches open on people held there: the full weight from 2. Only those "
            "granted on the watches see the figure."
        ),
        Factor.SUBMISSIONS: _(
            "Submissions from the public since the last visit (at most 4 years back), "
            "except those outside the mandate: the full weight from 5."
        ),
        Factor.VULNERABLE: _(
            "Groups held that need particular attention: the full weight from 3. Not "
            "counted when no group is recorded."
        ),
        Factor.CATEGORY: _("The category's inherent risk, from 0 to 5: the full weight at 5."),
        Factor.DIFFICULTIES: _(
            "Operational difficulties met on visits in the last 4 years: the full weight "
            "from 2. Not counted when there was no visit in those years."
        ),
    }
    return str(rules.get(factor, ""))
