"""Indicator slots and the functions that fill them (whole tool, ¶3).

A framework's criteria declare slots by key ("places-in-inventory"); any part of Habeas
fills a slot by registering a function under that key:

    from habeas.assessment.indicators import indicator

    @indicator("reprisal-watches-opened")
    def reprisal_watches_opened(assessment) -> Decimal | None:
        ...

Put such functions in a module named `indicators.py` in the app: the registry imports
every installed app's `indicators` module the first time it is asked for values. The
key names the computation, so every framework that declares a slot with that key gets
the same figure (a national framework can reuse the SPT tool's keys).

A function receives the assessment and returns a number, or None when Habeas holds no
data for it. Figures are aggregates (counts and shares) computed over THIS NPM's own
records, never lists of records, so they carry nothing confidential; the function must
return None for an assessment of another NPM, whose records Habeas does not hold. An
unregistered slot, or a function that returns None, shows as "no data in Habeas yet",
never as zero. Once an assessment is final its figures are those frozen in
`IndicatorValue` (see `indicator_snapshot`), not recomputed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from habeas.assessment.models import Assessment, IndicatorSlot, IndicatorValue

IndicatorFunction = Callable[[Assessment], Decimal | None]
NO_DATA = _("no data in Habeas yet")

_registry: dict[str, IndicatorFunction] = {}
_discovered = False


def indicator(key: str) -> Callable[[IndicatorFunction], IndicatorFunction]:
    """Register the function that fills every slot with this key."""

    def register(function: IndicatorFunction) -> IndicatorFunction:
        existing = _registry.get(key)
        if existing is not None and _name(existing) != _name(function):
            raise ValueError(f"Indicator {key!r} is already filled by {_name(existing)}")
        _registry[key] = function
        return function

    return register


def _name(function: IndicatorFunction) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def registered_keys() -> set[str]:
    _discover()
    return set(_registry)


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("indicators")
        _discovered = True


def format_value(value: Decimal | None) -> str | None:
    """A figure as pages and reports print it: a whole number without decimals ("299",
    never "299.00", whether computed or frozen), any other number (a share) to at most
    two decimals ("33.33", "12.5"); None stays None."""
    if value is None:
        return None
    rounded = Decimal(value).quantize(Decimal("0.01"))
    if rounded == rounded.to_integral_value():
        return f"{rounded.to_integral_value():f}"
    return f"{rounded.normalize():f}"


class IndicatorReading(NamedTuple):
    """One slot's figure for an assessment; unpacks as (slot, value, filled)."""

    slot: IndicatorSlot
    value: Decimal | None
    filled: bool

    @property
    def display(self) -> str:
        """The figure (`format_value`), or "no data in Habeas yet"."""
        shown = format_value(self.value) if self.filled else None
        return shown if shown is not None else str(NO_DATA)


def indicator_values(*, assessment: Assessment, criterion: Any = None) -> list[IndicatorReading]:
    """The figure of every slot of the assessment's framework version (or of one criterion)."""
    slots = _slots_of(assessment)
    if criterion is not None:
        slots = slots.filter(criterion=criterion)
    if assessment.is_frozen:
        return _frozen(assessment, list(slots))
    return _computed(assessment, list(slots))


def _computed(assessment: Assessment, slots: list[IndicatorSlot]) -> list[IndicatorReading]:
    _discover()
    by_key: dict[str, Decimal | None] = {}
    token = _memo.set({})
    try:
        for key in sorted({slot.key for slot in slots}):
            function = _registry.get(key)
            by_key[key] = function(assessment) if function else None
    finally:
        _memo.reset(token)
    return [IndicatorReading(s, by_key[s.key], by_key[s.key] is not None) for s in slots]


# Work shared by several functions (the coverage of the inventory feeds five slots) is
# done once per computation of an assessment's figures, never kept beyond it.
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("indicator_memo", default=None)


def memoised(key: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`, once per `key` within one computation of figures."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _frozen(assessment: Assessment, slots: list[IndicatorSlot]) -> list[IndicatorReading]:
    stored = dict(
        IndicatorValue.objects.filter(assessment=assessment).values_list("slot_id", "value")
    )
    return [IndicatorReading(s, stored.get(s.pk), stored.get(s.pk) is not None) for s in slots]


def indicator_snapshot(*, assessment: Assessment) -> list[IndicatorValue]:
    """Unsaved IndicatorValue rows freezing today's figures; the finalising service saves
    them (bulk_create) in its own transaction. Slots without data are left out."""
    now = timezone.now()
    return [
        IndicatorValue(assessment=assessment, slot=r.slot, value=r.value, computed_at=now)
        for r in _computed(assessment, list(_slots_of(assessment)))
        if r.filled
    ]


def _slots_of(assessment: Assessment) -> Any:
    return IndicatorSlot.objects.filter(
        criterion__framework_version_id=assessment.framework_version_id
    ).select_related("criterion")


# Helpers for the functions that fill slots ------------------------------------------
#
# The functions live in each app's `indicators.py` (places, visits, recommendations,
# legislation, intake, strategy). They read the NPM's records directly, deliberately
# not narrowed by `restrict`: a figure describes the NPM, not what one reader may see,
# and it is an aggregate (a count or a share) that names no record.


def is_home(assessment: Assessment) -> bool:
    """Habeas holds records only for its own NPM: anything else is "no data"."""
    return bool(assessment.subject.is_home)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, clamped to the end of a shorter month."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to a hundredth; None (no data) when whole is 0."""
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"))


def period_years(assessment: Assessment) -> range:
    """The calendar years the period touches, for records kept per year (budgets, plans)."""
    return range(assessment.period_start.year, assessment.period_end.year + 1)


def end_of_period(assessment: Assessment) -> dt.datetime:
    """The last instant of the period's last day, for records dated with a time."""
    day = assessment.period_end + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min)) - dt.timedelta(microseconds=1)


def start_of_period(assessment: Assessment) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(assessment.period_start, dt.time.min))


# Year on year ------------------------------------------------------------------------


class IndicatorChange(NamedTuple):
    """One figure in two assessments, matched by paragraph and key."""

    ref: str
    name: str
    unit: str
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def before_shown(self) -> str | None:
        return format_value(self.before)

    @property
    def after_shown(self) -> str | None:
        return format_value(self.after)

    @property
    def delta_shown(self) -> str | None:
        """The change with its sign ("+3", "-1.5", "0"), None when a figure is missing."""
        delta = self.delta
        if delta is None:
            return None
        shown = format_value(delta) or ""
        return f"+{shown}" if delta > 0 else shown


def indicator_compare(*, earlier: Assessment, later: Assessment) -> list[IndicatorChange]:
    """The later assessment's slots with both figures (frozen ones for final assessments);
    a slot new in the later framework version reads "no data" before."""
    before = {
        (r.slot.criterion.ref, r.slot.key): r.value for r in indicator_values(assessment=earlier)
    }
    return [
        IndicatorChange(
            r.slot.criterion.ref,
            r.slot.name,
            r.slot.unit,
            before.get((r.slot.criterion.ref, r.slot.key)),
            r.value,
        )
        for r in indicator_values(assessment=later)
    ]


# Coverage of the inventory by category and region (¶9, 10, 36) -----------------------

# Criteria showing one of these slots also show the breakdown table.
BREAKDOWN_KEYS = frozenset(
    {
        "places-in-inventory",
        "places-visited-within-interval",
        "categories-visited-within-interval",
        "regions-visited-within-interval",
        "regions-without-visit",
    }
)


def shows_breakdown(readings: list[IndicatorReading]) -> bool:
    return any(r.slot.key in BREAKDOWN_KEYS for r in readings)


def coverage_breakdown(assessment: Assessment) -> Any:
    """Places and places visited within their interval, per category and per region
    (`habeas.places.indicators.Breakdown`), or None for another NPM or an empty
    inventory. Always computed from today's records for the assessment's period."""
    from habeas.places.indicators import coverage_breakdown as compute

    return compute(assessment)
