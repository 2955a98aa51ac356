"""Reads of the visit programme and the team proposals (¶10, 11, 35, 36).

Every read starts from `restrict(user, action)`; a programme the user may not see answers
404, as a missing one does. `explain(code, params)` turns the codes the solvers, the
programme's reasons and the team proposals store into one translated sentence, so pages
and API speak the same words in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from habeas.accounts.models import User
from habeas.places.models import Category, Place, Region
from habeas.planning import charts, inputs
from habeas.planning.models import (
    Justification,
    PlannedVisit,
    ProfessionCapacity,
    Programme,
    RegionCapacity,
    TeamProposal,
)
from habeas.planning.solver import types


def programme_list(*, user: Any) -> QuerySet[Programme]:
    return Programme.objects.restrict(user, "view").order_by("-starts_on", "-pk")


def programme_for(*, user: Any, pk: Any, action: str = "view") -> Programme:
    """The programme, or 404 when it is missing or the user may not `action` it."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = Programme.objects.restrict(user, action).filter(pk=number).first()
    if found is None:
        raise Http404
    return found


def planned_for(*, user: Any, programme: Programme, pk: Any) -> PlannedVisit:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (
        PlannedVisit.objects.restrict(user, "view")
        .filter(programme=programme, pk=number)
        .select_related("place", "place__category", "place__region", "programme")
        .first()
    )
    if found is None:
        raise Http404
    return found


# -- the programme's views --------------------------------------------------------------------


@dataclass
class Week:
    index: int
    starts_on: dt.date
    visits: list[PlannedVisit] = field(default_factory=list)

    @property
    def staff_days(self) -> float:
        return float(sum(v.staff_days for v in self.visits))


def calendar(programme: Programme) -> list[Week]:
    """Every week of the period with its visits (by region, then place)."""
    weeks = [Week(i, day) for i, day in enumerate(inputs.week_starts(programme))]
    first = weeks[0].starts_on
    rows = (
        PlannedVisit.objects.filter(programme=programme)
        .select_related("place", "place__region", "place__category")
        .order_by("week_starts_on", "place__region__name", "place__name")
    )
    for visit in rows:
        index = max(0, min(len(weeks) - 1, (visit.week_starts_on - first).days // 7))
        weeks[index].visits.append(visit)
    return weeks


def left_out(
    programme: Programme,
) -> tuple[list[tuple[Region, Justification | None]], list[tuple[Category, Justification | None]]]:
    """The regions and categories left out, each with its justification or None."""
    stored = programme.left_out or {}
    justifications = list(Justification.objects.filter(programme=programme))
    by_region = {j.region_id: j for j in justifications if j.region_id}
    by_category = {j.category_id: j for j in justifications if j.category_id}
    regions = Region.objects.filter(pk__in=stored.get("regions", [])).order_by("name")
    categories = Category.objects.filter(pk__in=stored.get("categories", []))
    return (
        [(r, by_region.get(r.pk)) for r in regions],
        [(c, by_category.get(c.pk)) for c in categories],
    )


def map_points(programme: Programme) -> list[charts.MapPoint]:
    """Every open place with coordinates: where it is, and whether the programme visits it.
    Names are read only for the places visited (the others are grey dots), and
    coordinates as floats in the database, so 20,000 places cost one light query."""
    planned = set(
        PlannedVisit.objects.filter(programme=programme).values_list("place_id", flat=True)
    )
    names = dict(Place.objects.filter(pk__in=planned).values_list("pk", "name"))
    rows = (
        Place.objects.filter(
            status=Place.Status.OPEN, latitude__isnull=False, longitude__isnull=False
        )
        .order_by("pk")
        .annotate(lat=Cast("latitude", FloatField()), lon=Cast("longitude", FloatField()))
        .values_list("pk", "lat", "lon")
    )
    return [
        charts.MapPoint(names.get(pk, ""), lat, lon, pk in planned)
        for pk, lat, lon in rows.iterator(chunk_size=5000)
    ]


@dataclass
class CapacityLine:
    label: str
    staff_days: float
    reserve: float
    net: float
    used: float


def capacity_summary(programme: Programme) -> list[CapacityLine]:
    """Per region (and for medical members): stated staff-days, the share kept in reserve
    for urgent and follow-up visits, what is left for the programme and what it uses."""
    used: dict[int, float] = defaultdict(float)
    region_map = inputs.capacity_regions(
        RegionCapacity.objects.filter(programme=programme).values_list("region_id", flat=True)
    )
    for region_id, staff_days in PlannedVisit.objects.filter(programme=programme).values_list(
        "place__region_id", "staff_days"
    ):
        if region_id is not None:
            used[region_map.get(region_id, region_id)] += float(staff_days)
    lines = []
    for row in RegionCapacity.objects.filter(programme=programme).select_related("region"):
        net = inputs.net_capacity(programme, row.staff_days)
        lines.append(
            CapacityLine(
                row.region.name,
                float(row.staff_days),
                row.staff_days - net,
                net,
                used[row.region_id],
            )
        )
    lines.sort(key=lambda line: line.label)
    medical = list(
        ProfessionCapacity.objects.filter(
            programme=programme, profession__in=inputs.MEDICAL_PROFESSIONS
        ).values_list("staff_days", flat=True)
    )
    if medical:
        total = float(sum(medical))
        net = inputs.net_capacity(programme, total)
        medical_used = sum(
            float(v.days)
            for v in PlannedVisit.objects.filter(
                programme=programme, place__category__code__in=inputs.MEDICAL_CATEGORIES
            ).only("days")
        )
        lines.append(CapacityLine(_("Medical members"), total, total - net, net, medical_used))
    if programme.max_visits:
        slots = float(programme.max_visits)
        net = float(inputs.net_visits(programme) or 0)
        visits = float(PlannedVisit.objects.filter(programme=programme).count())
        lines.append(CapacityLine(_("Visits (not staff-days)"), slots, slots - net, net, visits))
    return lines


# -- why --------------------------------------------------------------------------------------


def reasons(planned: PlannedVisit) -> list[str]:
    """Why this place is in the programme, in sentences."""
    return [explain(r.get("factor", ""), r.get("params") or {}) for r in planned.reasons or []]


def team_view(planned: PlannedVisit) -> dict[str, Any] | None:
    """The proposed team: members with their names and roles, and every check explained.
    None when no team was proposed."""
    proposal = TeamProposal.objects.filter(planned_visit=planned).first()
    if proposal is None:
        return None
    return team_views([proposal])[proposal.pk]


def team_views(proposals: list[TeamProposal]) -> dict[int, dict[str, Any]]:
    """`team_view` of many proposals at once (one query for all their members)."""
    ids = {m["user"] for proposal in proposals for m in proposal.members}
    users = User.objects.select_related("team_profile").in_bulk(list(ids))
    order = {"block": 0, "warning": 1, "info": 2, "ok": 3}
    views: dict[int, dict[str, Any]] = {}
    for proposal in proposals:
        members = []
        for member in proposal.members:
            user = users.get(member["user"])
            if user is None:
                continue
            profile = getattr(user, "team_profile", None)
            members.append(
                {
                    "user": user,
                    "name": user.full_name or user.email,
                    "role": member.get("role", "member"),
                    "profession": profile.get_profession_display() if profile else "",
                }
            )
        checks = sorted(
            (
                {
                    "code": c["code"],
                    "level": c.get("level", "info"),
                    "text": explain(c["code"], c.get("params") or {}),
                }
                for c in proposal.checks
            ),
            key=lambda c: order.get(c["level"], 9),
        )
        views[proposal.pk] = {
            "proposal": proposal,
            "members": members,
            "checks": checks,
            "built_at": proposal.built_at,
        }
    return views


def _risk_sentence(params: dict[str, Any]) -> str:
    from habeas.planning import risk

    factor = risk.FactorScore(
        factor=params.get("factor", ""),
        value=params.get("value"),
        strength=float(params.get("strength") or 0),
        points=float(params.get("points") or 0),
        missing=bool(params.get("missing")),
        hidden=bool(params.get("hidden")),
        detail=params.get("detail") or {},
    )
    try:
        return risk.describe(factor)
    except (KeyError, ValueError, TypeError):
        return str(factor.factor)


def _count(params: dict[str, Any], key: str = "count") -> int:
    try:
        return int(params.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def explain(code: str, params: dict[str, Any] | None = None) -> str:
    """One translated sentence for a stored code and its parameters."""
    params = dict(params or {})
    if "factor" in params and code == params.get("factor"):
        return _risk_sentence(params)
    sentence = _SENTENCES.get(code)
    if sentence is None:
        return _("Unexplained item (%(code)s).") % {"code": code}
    try:
        return sentence(params)
    except (KeyError, TypeError, ValueError):
        return _("Unexplained item (%(code)s).") % {"code": code}


def _overdue(p: dict[str, Any]) -> str:
    if p.get("months") is None:
        return _("Never visited in depth: overdue (the maximum interval is %(max)s months).") % {
            "max": p.get("max")
        }
    return _(
        "Its last in-depth visit was %(months)s months ago; the maximum is %(max)s months, "
        "reached by the end of the period."
    ) % {"months": p.get("months"), "max": p.get("max")}


_SENTENCES: dict[str, Any] = {
    # Why a visit is in the programme.
    "pinned": lambda p: _("Pinned by the NPM: a re-solve keeps it in its week."),
    "added": lambda p: _("Added by the NPM."),
    "mandatory": lambda p: _("The programme's rules say this place must be visited."),
    "follow_up": lambda p: (
        ngettext(
            "Follow-up visit proposed: %(count)s key recommendation is past its deadline.",
            "Follow-up visit proposed: %(count)s key recommendations are past their deadline.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    "overdue": _overdue,
    # What the programme's build found.
    "places_without_region": lambda p: (
        ngettext(
            "%(count)s open place has no region and cannot be planned: give it one.",
            "%(count)s open places have no region and cannot be planned: give them one.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    types.CAPACITY_EXCEEDED_BY_MANDATORY: lambda p: (
        _(
            "%(region)s: the mandatory visits need %(need)s staff-days but only %(have)s are "
            "available after the reserve."
        )
        % {
            "region": p.get("region_name") or p.get("region"),
            "need": p.get("need"),
            "have": p.get("have"),
        }
    ),
    types.VISIT_SLOTS_EXCEEDED_BY_MANDATORY: lambda p: (
        _(
            "The mandatory visits number %(need)s, but the teams can make only %(have)s in the "
            "period after the reserve."
        )
        % {"need": p.get("need"), "have": p.get("have")}
    ),
    types.REGION_MINIMUM_UNREACHABLE: lambda p: (
        ngettext(
            "%(region)s: at least %(minimum)s visit was asked for, but only %(possible)s fit "
            "once the mandatory and due places took their staff-days and visit slots.",
            "%(region)s: at least %(minimum)s visits were asked for, but only %(possible)s fit "
            "once the mandatory and due places took their staff-days and visit slots.",
            _count(p, "minimum"),
        )
        % {
            "region": p.get("region_name") or p.get("region"),
            "minimum": p.get("minimum"),
            "possible": p.get("possible"),
        }
    ),
    types.CATEGORY_MINIMUM_UNREACHABLE: lambda p: (
        ngettext(
            "%(category)s: at least %(minimum)s visit was asked for, but only %(possible)s fit "
            "once the mandatory and due places took their staff-days and visit slots.",
            "%(category)s: at least %(minimum)s visits were asked for, but only %(possible)s "
            "fit once the mandatory and due places took their staff-days and visit slots.",
            _count(p, "minimum"),
        )
        % {
            "category": p.get("category_name") or p.get("category"),
            "minimum": p.get("minimum"),
            "possible": p.get("possible"),
        }
    ),
    types.MEDICAL_CAPACITY_SHORT: lambda p: (
        _(
            "Medical members are short: the visits that need one take %(need)s staff-days, and "
            "%(have)s are available after the reserve."
        )
        % {"need": p.get("need"), "have": p.get("have")}
    ),
    types.NO_CAPACITY: lambda p: (
        _("%(region)s has no staff-days stated: none of its places can be visited.")
        % {"region": p.get("region_name") or p.get("region")}
    ),
    types.INTERVAL_UNREACHABLE: lambda p: (
        ngettext(
            "%(count)s place due for an in-depth visit cannot fit in the capacity.",
            "%(count)s places due for an in-depth visit cannot fit in the capacity.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    # The team builder.
    types.TEAM_SHORT: lambda p: (
        _("No full team: %(have)s of the %(need)s people needed are available.")
        % {"have": p.get("have"), "need": p.get("need")}
    ),
    types.NO_MEDICAL: lambda p: _(
        "No medical member (doctor, psychiatrist or nurse) is available for this visit."
    ),
    types.NO_CHILD_RIGHTS: lambda p: _(
        "No one trained in children's rights is available for this visit."
    ),
    types.NO_WOMAN: lambda p: _("This place holds women and no woman is available for the team."),
    types.NO_LANGUAGE: lambda p: (
        _("No one available speaks %(language)s.") % {"language": p.get("language", "")}
    ),
    types.NO_MINORITY: lambda p: _(
        "No member of a declared minority background is available for this visit."
    ),
    types.NO_STAFF_LEAD: lambda p: _(
        "Only external experts are available: the NPM's staff must provide the head of delegation."
    ),
    types.CONFLICTS_EXCLUDED: lambda p: (
        ngettext(
            "%(count)s person was left out because of a declared conflict of interest.",
            "%(count)s people were left out because of declared conflicts of interest.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    types.UNAVAILABLE_EXCLUDED: lambda p: (
        ngettext(
            "%(count)s person is unavailable that week.",
            "%(count)s people are unavailable that week.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    types.PAPERS_EXCLUDED: lambda p: (
        ngettext(
            "%(count)s external expert was left out: no terms of reference or no signed "
            "undertaking.",
            "%(count)s external experts were left out: no terms of reference or no signed "
            "undertaking.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    types.WORKLOAD_LIMIT: lambda p: (
        ngettext(
            "%(count)s person has reached their share of visits in the period.",
            "%(count)s people have reached their share of visits in the period.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    "gender_unbalanced": lambda p: _(
        "Every member proposed is of the same gender: a mixed team was not possible."
    ),
    "week_taken": lambda p: (
        ngettext(
            "%(count)s person is already on another visit that week.",
            "%(count)s people are already on another visit that week.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    "team_full": lambda p: (
        ngettext(
            "The team is complete: %(count)s person.",
            "The team is complete: %(count)s people.",
            _count(p),
        )
        % {"count": _count(p)}
    ),
    "staff_lead": lambda p: _("The head of delegation is a member of the NPM's staff."),
    "medical_met": lambda p: _("A medical member is on the team."),
    "child_rights_met": lambda p: _("Someone trained in children's rights is on the team."),
    "woman_met": lambda p: _("A woman is on the team."),
    "language_met": lambda p: (
        _("Someone on the team speaks %(language)s.") % {"language": p.get("language", "")}
    ),
    "minority_met": lambda p: _("A member of a declared minority background is on the team."),
    "conflicts_checked": lambda p: _("No one on the team declared a conflict of interest here."),
}


def explanations(programme: Programme) -> list[str]:
    """The programme's build notes, in sentences."""
    return [explain(e.get("code", ""), e.get("params") or {}) for e in programme.explanations or []]


def gap_words(programme: Programme) -> str:
    """The gap in words: proven optimal, or within x % of the best possible."""
    if programme.gap is None:
        return ""
    if programme.gap <= 1e-6:
        return _("proven optimal")
    return _("within %(gap)s %% of the best possible") % {"gap": f"{100 * programme.gap:.1f}"}
