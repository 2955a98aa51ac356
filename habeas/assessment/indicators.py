"""Indicator slots and the functions that fill them (whole tool; ¶9, 10, 36 for now).

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
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Q
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


class IndicatorReading(NamedTuple):
    """One slot's figure for an assessment; unpacks as (slot, value, filled)."""

    slot: IndicatorSlot
    value: Decimal | None
    filled: bool

    @property
    def display(self) -> str:
        return str(self.value) if self.filled else str(NO_DATA)


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
    for key in {slot.key for slot in slots}:
        function = _registry.get(key)
        by_key[key] = function(assessment) if function else None
    return [IndicatorReading(s, by_key[s.key], by_key[s.key] is not None) for s in slots]


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


# Indicators from the inventory of places (¶9, 10, 36) ---------------------------------
#
# Aggregates over the whole inventory, deliberately not narrowed by `restrict`: the
# inventory is shared knowledge inside the NPM (places.view is every staff role) and
# the figure describes the NPM, not what one reader may see.


def _is_home(assessment: Assessment) -> bool:
    return bool(assessment.subject.is_home)


def _open_at(day: dt.date) -> Q:
    """Places open at the end of the period: still open, or closed after it."""
    return Q(status="open") | Q(closed_on__gt=day)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, clamped to the end of a shorter month."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@indicator("places-in-inventory")
def places_in_inventory(assessment: Assessment) -> Decimal | None:
    """Open places at the end of the period. An empty inventory is "no data", not zero:
    an NPM that keeps its inventory elsewhere has not got zero places."""
    from habeas.places.models import Place

    if not _is_home(assessment) or not Place.objects.exists():
        return None
    return Decimal(Place.objects.filter(_open_at(assessment.period_end)).count())


@indicator("places-visited-within-interval")
def places_visited_within_interval(assessment: Assessment) -> Decimal | None:
    """Share (%) of places open at the end of the period whose last visit falls within
    their category's maximum interval before that day.

    Until visits record their own history, this reads each place's `last_visit_on`: a
    place whose last visit came after the period counts as not covered, since the visit
    before it is unknown.
    """
    from habeas.places.models import Category, Place

    if not _is_home(assessment):
        return None
    end = assessment.period_end
    covered = Q(pk__in=[])
    for months in set(Category.objects.values_list("max_interval_months", flat=True)):
        since = months_before(end, months)
        covered |= Q(category__max_interval_months=months, last_visit_on__gte=since)
    counts = Place.objects.filter(_open_at(end)).aggregate(
        total=Count("pk"), covered=Count("pk", filter=covered & Q(last_visit_on__lte=end))
    )
    if not counts["total"]:
        return None
    return (Decimal(100) * counts["covered"] / counts["total"]).quantize(Decimal("0.01"))
