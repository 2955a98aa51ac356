"""Reads of the recommendations tracker and its figures (¶5, 34, 38).

`tracker_records(user=, filters=, today=)` is the one filtered set of recommendations:
the tracker's list (`tracker_list`), its exports and its figures all start from it, so
none can count or show more than another, nor more than the reader may see
(`Recommendation.objects.restrict(user, "view")`).

`tracker_figures(user=, filters=, today=)` gives the rates over time, per year of
sending, for the annual report (¶38) as for the tracker page. Every number carries the
filters (as query-string parameters) that list exactly the records it counts.

Filters are plain values (the tracker form's cleaned data, or the same keys built by
another module): `q` (text), `place`, `region`, `authority` (ids), `category` (a code),
`theme`, `origin`, `priority`, `state`, `response`, `implementation` (codes, see
`RESPONSE_FILTERS` and `IMPLEMENTATION_FILTERS`), `overdue` ("yes"), `year` (of sending).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet
from django.db.models.functions import Cast, ExtractYear, Substr
from django.utils.translation import gettext_lazy as _

from habeas.places.models import Place
from habeas.places.selectors import region_descendant_ids
from habeas.recommendations.models import (
    SETTLED,
    Implementation,
    Recommendation,
    ResponseStatus,
)

SENT = Recommendation.State.SENT
ACCEPTED_ANY = "accepted_any"
AWAITING = "awaiting"
NOT_VERIFIED = "not_verified"
YES = "yes"

# What each value of the `response` and `implementation` filters admits; "" is a
# recommendation sent and not answered (or not verified) yet.
RESPONSE_FILTERS: dict[str, frozenset[str]] = {
    ResponseStatus.ACCEPTED.value: frozenset({ResponseStatus.ACCEPTED.value}),
    ResponseStatus.PARTIALLY_ACCEPTED.value: frozenset({ResponseStatus.PARTIALLY_ACCEPTED.value}),
    ACCEPTED_ANY: frozenset(
        {ResponseStatus.ACCEPTED.value, ResponseStatus.PARTIALLY_ACCEPTED.value}
    ),
    ResponseStatus.REJECTED.value: frozenset({ResponseStatus.REJECTED.value}),
    ResponseStatus.NO_REPLY.value: frozenset({ResponseStatus.NO_REPLY.value}),
    AWAITING: frozenset({""}),
}
IMPLEMENTATION_FILTERS: dict[str, frozenset[str]] = {
    **{status: frozenset({status}) for status in Implementation.values},
    NOT_VERIFIED: frozenset({""}),
}
RESPONSE_CHOICES = [
    (ACCEPTED_ANY, _("Accepted or partially accepted")),
    *ResponseStatus.choices,
    (AWAITING, _("Awaiting a response")),
]
IMPLEMENTATION_CHOICES = [*Implementation.choices, (NOT_VERIFIED, _("Not verified yet"))]
FIGURE_NAMES = ("sent", "accepted", "achieved", "overdue", "median")


# -- the list -----------------------------------------------------------------------------


def overdue_q(today: dt.date) -> Q:
    """Sent, its deadline passed, and neither achieved nor no longer relevant."""
    return Q(state=SENT, deadline__lt=today) & ~Q(implementation__in=SETTLED)


def year_q(year: int) -> Q:
    return Q(sent_on__gte=dt.date(year, 1, 1), sent_on__lt=dt.date(year + 1, 1, 1))


def _status_q(name: str, value: str, admitted: Mapping[str, frozenset[str]]) -> Q | None:
    statuses = admitted.get(value)
    if statuses is None:
        return None
    if statuses == {""}:
        return Q(state=SENT, **{name: ""})
    return Q(**{f"{name}__in": sorted(statuses)})


def _search_q(text: str) -> Q:
    query = Q()
    for word in text.split()[:8]:
        query &= Q(reference__icontains=word) | Q(text__icontains=word)
    return query


def _filter_q(filters: Mapping[str, Any], today: dt.date) -> Q:
    """The filters as one condition on `Recommendation`; unknown or empty ones ignored."""
    query = Q()
    if text := str(filters.get("q") or "").strip():
        query &= _search_q(text)
    for name in ("place", "authority"):
        if value := filters.get(name):
            query &= Q(**{"addressee_id" if name == "authority" else "place_id": int(value)})
    # Places as a subquery, not a join: the recommendations' own indexes stay usable.
    places = Place.objects.all()
    if region := filters.get("region"):
        places = places.filter(region_id__in=sorted(region_descendant_ids([int(region)])))
    if category := filters.get("category"):
        places = places.filter(category__code=category)
    if region or category:
        query &= Q(place_id__in=places.values("pk"))
    for name in ("theme", "origin", "priority", "state"):
        if value := filters.get(name):
            query &= Q(**{name: value})
    if response := _status_q("response", filters.get("response") or "", RESPONSE_FILTERS):
        query &= response
    implementation = filters.get("implementation") or ""
    if verified := _status_q("implementation", implementation, IMPLEMENTATION_FILTERS):
        query &= verified
    if filters.get("overdue") == YES:
        query &= overdue_q(today)
    if year := filters.get("year"):
        query &= year_q(int(year))
    return query


def tracker_records(
    *, user: Any, filters: Mapping[str, Any], today: dt.date
) -> QuerySet[Recommendation]:
    """The recommendations `user` may see under `filters`, unordered and bare."""
    seen = Recommendation.objects.restrict(user, "view")
    return seen.filter(_filter_q(filters, today)).order_by()


def tracker_list(
    *, user: Any, filters: Mapping[str, Any], today: dt.date
) -> QuerySet[Recommendation]:
    """The tracker's rows, newest first, with what a row shows joined in (and only that:
    a row is built fifty times a page)."""
    return (
        tracker_records(user=user, filters=filters, today=today)
        .select_related("place", "addressee")
        .only(*ROW_FIELDS)
        .order_by("-id")
    )


ROW_FIELDS = (
    "reference",
    "text",
    "state",
    "level",
    "priority",
    "deadline",
    "sent_on",
    "response",
    "responded_on",
    "implementation",
    "implementation_on",
    "place__name",
    "addressee__name",
)


# -- the figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """The figures of the recommendations sent in one year (`year` None: every year).

    `traces` maps each figure name ("sent", "accepted", "achieved", "overdue", "median")
    to the query-string parameters of the tracker listing exactly the records it counts,
    or None when it counts none because the filters already exclude them.
    """

    year: int | None
    sent: int
    accepted: int
    achieved: int
    overdue: int
    timed: int
    median_days: float | None
    traces: Mapping[str, dict[str, str] | None] = field(default_factory=dict)

    def rate(self, count: int) -> float | None:
        """`count` as a percentage of those sent, one decimal; None when none were sent."""
        return round(100 * count / self.sent, 1) if self.sent else None

    @property
    def accepted_rate(self) -> float | None:
        return self.rate(self.accepted)

    @property
    def achieved_rate(self) -> float | None:
        return self.rate(self.achieved)

    @property
    def overdue_rate(self) -> float | None:
        return self.rate(self.overdue)

    @property
    def median_rounded(self) -> int | None:
        """The median in whole days (for plural forms: "1 day", "12 days")."""
        return None if self.median_days is None else int(self.median_days + 0.5)

    @cached_property
    def links(self) -> dict[str, str | None]:
        """Each figure's tracing filters as a query string (for `?…` after the list's URL)."""
        return {
            name: urlencode(trace) if trace is not None else None
            for name, trace in self.traces.items()
        }


@dataclass(frozen=True)
class Figures:
    """The tracker's figures under one set of filters; see `tracker_figures`."""

    years: list[YearFigures]
    total: YearFigures
    records: int  # every record under the filters, drafts included: the list's length
    today: dt.date

    @property
    def table(self) -> list[YearFigures]:
        """The years, then the total: the rows of the tracker's table."""
        return [*self.years, self.total]


def _year_of_sending() -> Any:
    # SQLite keeps a date as ISO text; Django's ExtractYear would call Python on each row.
    if connection.vendor == "sqlite":
        return Cast(Substr("sent_on", 1, 4), IntegerField())
    return ExtractYear("sent_on")


def _narrowed(
    filters: Mapping[str, str], name: str, value: str, admitted: Mapping[str, frozenset[str]]
) -> dict[str, str] | None:
    """`filters` also requiring `name=value`; None when the two cannot both hold."""
    current = filters.get(name)
    if not current or current not in admitted:
        return {**filters, name: value}
    both = admitted[current] & admitted[value]
    chosen = next((key for key, statuses in admitted.items() if statuses == both), None)
    return None if not both or chosen is None else {**filters, name: chosen}


def _traces(filters: Mapping[str, Any], year: int | None) -> dict[str, dict[str, str] | None]:
    base = {name: str(value) for name, value in filters.items() if value not in ("", None)}
    base.pop("page", None)
    sent: dict[str, str] | None
    if year is not None:
        sent = {**base, "year": str(year)}
    else:
        sent = _narrowed(base, "state", SENT, {SENT: frozenset({SENT}), "draft": frozenset()})
    if sent is None:
        return dict.fromkeys(FIGURE_NAMES)
    achieved = _narrowed(sent, "implementation", Implementation.ACHIEVED, IMPLEMENTATION_FILTERS)
    return {
        "sent": sent,
        "accepted": _narrowed(sent, "response", ACCEPTED_ANY, RESPONSE_FILTERS),
        "achieved": achieved,
        "overdue": {**sent, "overdue": YES},
        "median": achieved,
    }


def _times_to_implement(achieved: QuerySet[Recommendation]) -> dict[int, Counter[int]]:
    """How many of `achieved` took each number of days, per year of sending.

    One query whose rows are (year, days, how many): a few thousand at most, since times
    repeat, whatever the number of recommendations; the column itself is never loaded.
    """
    histogram: dict[int, Counter[int]] = {}
    rows = (
        # No "days_to_implement IS NOT NULL" here: nearly every achieved one has a time,
        # and that second condition made PostgreSQL expect a hundredth of the rows and
        # read them from the table rather than from `rec_tracker_median_idx`.
        achieved.filter(sent_on__isnull=False)
        .annotate(year=_year_of_sending())
        .values("year", "days_to_implement")
        .annotate(count=Count("*"))
        .order_by()
        .values_list("year", "days_to_implement", "count")
    )
    for year, days, count in rows:
        if days is not None:  # an achieved one without a time is not counted
            histogram.setdefault(int(year), Counter())[days] = count
    return histogram


def median_of(counts: Counter[int]) -> float | None:
    """The median of values given with how many times each occurs; the mean of the middle
    two when their number is even; None for none."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}  # positions of the middle one or two, from 0
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        found += [value for position in sorted(wanted) if position < seen]
        wanted = {position for position in wanted if position >= seen}
        if not wanted:
            break
    return sum(found) / len(found)


COUNTED = ("sent", "accepted", "achieved", "overdue")


def _per_year(records: QuerySet[Recommendation], today: dt.date) -> dict[int, dict[str, int]]:
    """Counts of the recommendations sent, per year of sending.

    Grouped by the date of sending, which `rec_tracker_idx` keeps in order, and summed
    per year here: a few thousand dates, where grouping by year would sort every row.
    """
    grouped = (
        records.filter(state=SENT, sent_on__isnull=False)
        .values("sent_on")
        .annotate(
            # Counting a column of the index (never null here), not the id: PostgreSQL
            # can then answer from `rec_tracker_idx` alone.
            sent=Count("*"),
            accepted=Count("sent_on", filter=Q(response__in=RESPONSE_FILTERS[ACCEPTED_ANY])),
            achieved=Count("sent_on", filter=Q(implementation=Implementation.ACHIEVED)),
            overdue=Count("sent_on", filter=Q(deadline__lt=today) & ~Q(implementation__in=SETTLED)),
        )
        .order_by("sent_on")
        .values_list("sent_on", *COUNTED)
    )
    years: dict[int, dict[str, int]] = {}
    for sent_on, *counts in grouped:
        year = years.setdefault(sent_on.year, dict.fromkeys(COUNTED, 0))
        for name, count in zip(COUNTED, counts, strict=True):
            year[name] += count
    return years


def tracker_figures(*, user: Any, filters: Mapping[str, Any], today: dt.date) -> Figures:
    """Rates over time of the recommendations `user` sees under `filters` (¶5, 34, 38).

    Per year of sending (`sent_on`), over the recommendations sent that year:

    - **sent**: how many were sent. Traced by `year=<year>` (every year: `state=sent`).
    - **accepted**: how many the authority accepted or partially accepted, by their
      latest response; the rate is over those sent. Traced by `response=accepted_any`.
    - **achieved**: how many are verified as achieved (latest verification); the rate is
      over those sent. Traced by `implementation=achieved`.
    - **overdue**: how many are past their deadline on `today` and neither achieved nor no
      longer relevant; the rate is over those sent. Traced by `overdue=yes`.
    - **median time to implementation**: the median number of days from sending to the
      verification that found the recommendation achieved (`days_to_implement`), over the
      achieved ones (`timed` of them carry a time: all, when written by the services).
      Traced like achieved. With an even number of values, the mean of the middle two.

    Each trace adds to `filters`, so the list it opens holds exactly the records counted;
    a trace is None when `filters` already exclude every record it would list (then the
    figure is 0). The total row counts every year; `records` adds the drafts (the list's
    length). Cost: three queries at most, whatever the number of records and years: one
    counting per date of sending, one counting how many achieved recommendations took
    each number of days (when some are achieved; the medians are read from these counts,
    the times themselves are never loaded), one counting drafts.
    """
    records = tracker_records(user=user, filters=filters, today=today)
    years = _per_year(records, today)
    achieved = records.filter(state=SENT, implementation=Implementation.ACHIEVED)
    any_achieved = any(counts["achieved"] for counts in years.values())
    times = _times_to_implement(achieved) if any_achieved else {}
    rows = [
        YearFigures(
            year=year,
            **counts,
            timed=sum(times.get(year, Counter()).values()),
            median_days=median_of(times.get(year, Counter())),
            traces=_traces(filters, year),
        )
        for year, counts in sorted(years.items())
    ]
    every_year = sum(times.values(), Counter())
    total = YearFigures(
        year=None,
        **{name: sum(row[name] for row in years.values()) for name in COUNTED},
        timed=sum(every_year.values()),
        median_days=median_of(every_year),
        traces=_traces(filters, None),
    )
    # Not sent yet: no date of sending (the services set both together); counted by index.
    drafts = records.filter(sent_on__isnull=True).count()
    return Figures(years=rows, total=total, records=total.sent + drafts, today=today)
