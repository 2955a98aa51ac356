"""Places proposed for follow-up visits (¶22, 24; DOMAIN.md "Follow-up").

A place is proposed when at least `threshold` (3 by default) of its recommendations of
the counted priorities (key by default) were sent, are past their deadline, and are not
verified as achieved or no longer relevant. Everything is read through `restrict`, so a
reader is proposed places only on what they may see, and counted in the database in one
aggregate query, whatever the number of recommendations (200,000 at the `large` scale).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from habeas.places.models import Place
from habeas.recommendations.models import (
    FollowUpRule,
    Implementation,
    Recommendation,
)
from habeas.visits.models import Visit

# Not achieved yet: nothing verified, not achieved, or only partly.
UNACHIEVED = ("", Implementation.NOT_ACHIEVED, Implementation.PARTIALLY_ACHIEVED)

# What the follow-up page shows of each recommendation (its text stays on its own page).
LISTED_FIELDS = (
    "reference",
    "place",
    "addressee__name",
    "priority",
    "deadline",
    "response",
    "implementation",
)


@dataclass
class Proposal:
    place: Place
    count: int
    oldest_deadline: dt.date
    recommendations: list[Recommendation] = field(default_factory=list)
    # The follow-up visit not closed yet at the place, if the reader may see one.
    follow_up: Visit | None = None

    @property
    def follow_up_planned(self) -> bool:
        return self.follow_up is not None


def overdue_counted(
    *, user: Any, today: dt.date, rule: FollowUpRule | None = None
) -> QuerySet[Recommendation]:
    """The recommendations that count towards a proposal, as the user may see them."""
    return Recommendation.objects.restrict(user, "view").filter(overdue_filter(today, rule))


def proposed_places(*, user: Any, today: dt.date, rule: FollowUpRule | None = None) -> QuerySet:
    """One row per proposed place (`place`, `count`, `oldest`), most overdue first: one
    aggregate query, which a paginator may slice."""
    rule = rule or FollowUpRule.current()
    return (
        overdue_counted(user=user, today=today, rule=rule)
        .order_by()
        .values("place")
        .annotate(count=Count("pk"), oldest=Min("deadline"))
        .filter(count__gte=rule.threshold)
        .order_by("-count", "oldest", "place")
    )


def proposals_for(
    *,
    user: Any,
    today: dt.date,
    rows: Iterable[Mapping[str, Any]],
    rule: FollowUpRule | None = None,
) -> list[Proposal]:
    """Fill aggregate rows with their places, recommendations and follow-up visits: three
    more queries for any number of rows."""
    rule = rule or FollowUpRule.current()
    rows = list(rows)
    place_ids = [row["place"] for row in rows]
    if not place_ids:
        return []
    places = Place.objects.restrict(user, "view").in_bulk(place_ids)
    recommendations: dict[int, list[Recommendation]] = defaultdict(list)
    for recommendation in (
        overdue_counted(user=user, today=today, rule=rule)
        .filter(place_id__in=place_ids)
        .select_related("addressee")
        .only(*LISTED_FIELDS)
        .order_by("deadline", "reference")
    ):
        if recommendation.place_id is not None:
            recommendations[recommendation.place_id].append(recommendation)
    follow_ups: dict[int, Visit] = {}
    for visit in (
        Visit.objects.restrict(user, "view")
        .filter(place_id__in=place_ids, kind=Visit.Kind.FOLLOW_UP)
        .exclude(state=Visit.State.CLOSED)
        .order_by("-starts_on", "-pk")
    ):
        follow_ups.setdefault(visit.place_id, visit)
    return [
        Proposal(
            place=places[row["place"]],
            count=row["count"],
            oldest_deadline=row["oldest"],
            recommendations=recommendations[row["place"]],
            follow_up=follow_ups.get(row["place"]),
        )
        for row in rows
        if row["place"] in places
    ]


def follow_up_proposals(*, user: Any, today: dt.date) -> list[Proposal]:
    """Every place proposed for a follow-up visit, as the user may see it."""
    rule = FollowUpRule.current()
    rows = proposed_places(user=user, today=today, rule=rule)
    return proposals_for(user=user, today=today, rows=rows, rule=rule)


def overdue_key_counts(*, user: Any, today: dt.date) -> dict[int, int]:
    """For every place, how many of its counted recommendations are overdue and not
    achieved (for the risk model, ¶10): one aggregate query, no threshold."""
    rows = (
        overdue_counted(user=user, today=today)
        .order_by()
        .values("place")
        .annotate(count=Count("pk"))
        .values_list("place", "count")
    )
    return dict(rows)


def overdue_filter(today: dt.date, rule: FollowUpRule | None = None) -> Q:
    """The same rule as a Q over `Recommendation`, for callers building their own query."""
    rule = rule or FollowUpRule.current()
    return Q(
        state=Recommendation.State.SENT,
        place__isnull=False,
        priority__in=rule.counted_priorities,
        deadline__lt=today,
        implementation__in=UNACHIEVED,
    )
