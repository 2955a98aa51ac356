"""Reads of the national register of allegations and proceedings (¶27).

The register holds no identity: each entry follows one allegation through complaint,
investigation, prosecution and decision. Lists start from `restrict(user, "view")`;
statistics are aggregated by the database, grouped by agency, category of place, region
or year of complaint, and never hand out an entry.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.cases.models import RegisterEntry

C = RegisterEntry.Classification
# Offences lesser than torture: prosecuting under one of these instead of torture is
# where practice departs from the definition of the Convention against Torture, art. 1.
LESSER = (C.CRUEL, C.ABUSE_OF_OFFICE, C.BODILY_HARM, C.OTHER_LESSER)

# The steps of a proceeding, in the order they must happen.
STAGES: tuple[tuple[str, Any], ...] = (
    ("alleged_on", _("alleged acts")),
    ("complaint_on", _("complaint")),
    ("investigation_on", _("investigation")),
    ("prosecution_on", _("prosecution")),
    ("decision_on", _("decision")),
)
# The steps whose durations the list shows, from the complaint on.
TIMED_STAGES = STAGES[1:]

STAGE_REACHED = {
    "investigated": Q(investigation_on__isnull=False),
    "prosecuted": Q(prosecution_on__isnull=False),
    "decided": Q(decision_on__isnull=False),
}

# The filters of the list, the statistics, the exports and the API, as lookups.
FILTER_LOOKUPS = {
    "agency": "agency_id",
    "category": "category__code",
    "region": "region_id",
    "year": "complaint_on__year",
    "classification": "classification",
    "outcome": "outcome",
}


def filter_entries(entries: QuerySet[RegisterEntry], filters: Mapping[str, Any]) -> QuerySet:
    lookups = {
        FILTER_LOOKUPS[name]: value for name, value in filters.items() if name in FILTER_LOOKUPS
    }
    entries = entries.filter(**lookups)
    stage = filters.get("stage")
    if stage in STAGE_REACHED:
        entries = entries.filter(STAGE_REACHED[stage])
    return entries


def entry_list(*, user: Any, filters: Mapping[str, Any]) -> QuerySet[RegisterEntry]:
    """The entries `user` may see, filtered, newest complaint first."""
    entries = RegisterEntry.objects.restrict(user, "view").select_related(
        "agency", "place", "category", "region"
    )
    return filter_entries(entries, filters).order_by(
        F("complaint_on").desc(nulls_last=True), "-created_at", "-pk"
    )


def entry_for_view(*, user: Any) -> QuerySet[RegisterEntry]:
    return RegisterEntry.objects.restrict(user, "view").select_related(
        "agency", "place", "category", "region", "created_by"
    )


# Time taken at each step ----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of a proceeding: its date and the days since the step before it."""

    name: str
    label: Any
    on: dt.date | None
    days: int | None  # since the latest earlier step that has a date


@dataclass(frozen=True)
class Timeline:
    steps: list[Step]
    total_days: int | None  # complaint to decision

    def step(self, name: str) -> Step:
        return next(step for step in self.steps if step.name == name)


def days_between(start: dt.date | None, end: dt.date | None) -> int | None:
    if start is None or end is None:
        return None
    return (end - start).days


def timeline(entry: RegisterEntry) -> Timeline:
    """Complaint → investigation → prosecution → decision, with the days each took."""
    steps, previous = [], None
    for name, label in TIMED_STAGES:
        on = getattr(entry, name)
        steps.append(Step(name, label, on, days_between(previous, on)))
        previous = on or previous
    return Timeline(steps, days_between(entry.complaint_on, entry.decision_on))


# Statistics -----------------------------------------------------------------------

GROUPS: dict[str, Any] = {
    "agency": _("Agency concerned"),
    "category": _("Category of place"),
    "region": _("Region"),
    "year": _("Year of complaint"),
}

# The label of the group of entries that do not say.
UNKNOWN: dict[str, Any] = {
    "agency": _("Agency not recorded"),
    "category": _("Category not recorded"),
    "region": _("Region not recorded"),
    "year": _("Date of complaint not recorded"),
}


def _group_key(group: str) -> tuple[Any, Any]:
    """The expression a group is keyed by and the one it is labelled with."""
    if group == "year":
        year = ExtractYear("complaint_on")
        return year, year
    key = {"agency": "agency_id", "category": "category__code", "region": "region_id"}[group]
    return F(key), F(f"{group}__name")


def statistics_scope(*, user: Any) -> QuerySet[RegisterEntry]:
    """The entries the statistics count for `user`.

    Those who may read the register count what they may read. Those who may see only the
    statistics (communications) count every entry, but only ever receive aggregates:
    counts of proceedings against agencies, not of people.
    """
    if roles.can(user, "register.view"):
        return RegisterEntry.objects.restrict(user, "view")
    return RegisterEntry.objects.restrict(user, "stats")


@dataclass(frozen=True)
class StatRow:
    """One group's counts: how far allegations went, and how they were classified."""

    key: Any  # the filter value for this group (id, code or year); None when unknown
    label: str
    complaints: int
    investigations: int
    prosecutions: int
    convictions: int
    torture: int  # prosecutions classified as torture
    lesser: int  # prosecutions classified as a lesser offence
    decided: int  # entries with both a complaint and a decision date
    median_days: float | None  # complaint to decision

    @property
    def torture_share(self) -> float | None:
        """Per cent of classified prosecutions brought as torture."""
        return _share(self.torture, self.torture + self.lesser)

    @property
    def lesser_share(self) -> float | None:
        return _share(self.lesser, self.torture + self.lesser)


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


COUNTS = {
    "complaints": Count("pk"),
    "investigations": Count("pk", filter=Q(investigation_on__isnull=False)),
    "prosecutions": Count("pk", filter=Q(prosecution_on__isnull=False)),
    "convictions": Count("pk", filter=Q(outcome=RegisterEntry.Outcome.CONVICTED)),
    "torture": Count(
        "pk",
        filter=Q(prosecution_on__isnull=False, classification=RegisterEntry.Classification.TORTURE),
    ),
    "lesser": Count("pk", filter=Q(prosecution_on__isnull=False, classification__in=LESSER)),
}


def median_days(pairs: Iterable[tuple[dt.date, dt.date]]) -> float | None:
    """The median number of days from complaint to decision; None without any decision."""
    days = [(decision - complaint).days for complaint, decision in pairs]
    return float(statistics.median(days)) if days else None


def register_statistics(
    *, user: Any, group: str, filters: Mapping[str, Any] | None = None
) -> list[StatRow]:
    """The statistics grouped by `group` (one of GROUPS), one row per group.

    Counts are one SQL aggregation; the median is taken in Python over the decided
    entries' two dates only, the same on SQLite and PostgreSQL.
    """
    if group not in GROUPS:
        raise ValueError(group)
    key, label = _group_key(group)
    entries = filter_entries(statistics_scope(user=user), filters or {})
    counted = entries.order_by().annotate(key=key, label=label).values("key", "label")
    counted = counted.annotate(**COUNTS)
    medians = _medians(entries, key)
    rows = [
        StatRow(
            key=row["key"],
            label=str(row["label"]) if row["key"] is not None else str(UNKNOWN[group]),
            decided=len(medians.get(row["key"], [])),
            median_days=median_days(medians.get(row["key"], [])),
            **{name: row[name] for name in COUNTS},
        )
        for row in counted
    ]
    return sorted(rows, key=lambda row: (row.key is None, row.label.casefold()))


def _medians(entries: QuerySet, key: Any) -> dict[Any, list[tuple[dt.date, dt.date]]]:
    decided = (
        entries.order_by()
        .filter(complaint_on__isnull=False, decision_on__isnull=False)
        .annotate(key=key)
        .values_list("key", "complaint_on", "decision_on")
    )
    pairs: dict[Any, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for group_key, complaint, decision in decided.iterator():
        pairs[group_key].append((complaint, decision))
    return pairs


def register_totals(*, user: Any, filters: Mapping[str, Any] | None = None) -> StatRow:
    """The same counts over every entry in scope: the statistics' last line."""
    entries = filter_entries(statistics_scope(user=user), filters or {})
    counts = entries.order_by().aggregate(**COUNTS)
    pairs = list(
        entries.order_by()
        .filter(complaint_on__isnull=False, decision_on__isnull=False)
        .values_list("complaint_on", "decision_on")
    )
    return StatRow(
        key=None,
        label=str(_("All")),
        decided=len(pairs),
        median_days=median_days(pairs),
        **counts,
    )
