"""The programme's solved plan back into the database, and out as visits (¶10, 35, 36).

`store_result` writes what the solvers chose: the planned visits with why each was
chosen, the figures the programme and "most overdue first" are compared on, the regions
and categories left out, the rules that could not be met. `adopt_visits` turns an adopted
programme's planned visits into the NPM's planned visits.

A planned visit's reasons are `{"factor", "points", "params"}`: the top factors of its
risk (params are the factor's figures, as a risk snapshot keeps them) and whether it was
overdue, mandatory, pinned or added. Words are made at display time (`selectors.explain`),
in the reader's language. The reprisal-watch factor is always kept masked here: a
programme is read by people who may not see the watches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.places.models import Category, Place, Region
from habeas.planning.inputs import (
    NEVER_MONTHS,
    Candidate,
    Prepared,
    capacity_regions,
    visit_days,
)
from habeas.planning.models import PlannedVisit, Programme, RegionCapacity
from habeas.planning.solver import programme as programme_solver
from habeas.visits.models import Visit

TOP_FACTORS = 3
MASKED_FACTORS = frozenset({"watches"})


def risk_reasons(place_risk: Any | None) -> list[dict[str, Any]]:
    if place_risk is None:
        return []
    found = []
    for factor in place_risk.top(TOP_FACTORS):
        params = factor.as_json()
        if factor.factor in MASKED_FACTORS:
            params.update(value=None, detail={}, hidden=True)
        found.append({"factor": factor.factor, "points": round(factor.points, 1), "params": params})
    return found


def _overdue_at_end(candidate: Candidate, period_months: float) -> bool:
    return candidate.months_since + period_months >= candidate.max_interval  # as solver.due


def reasons_for(
    candidate: Candidate, place_risk: Any | None, period_months: float, source: str = ""
) -> list[dict[str, Any]]:
    """Why this place is in the programme: the NPM's choice first, then the rules, then
    its risk."""
    found: list[dict[str, Any]] = []
    if source == PlannedVisit.Source.ADDED:
        found.append({"factor": "added", "points": None, "params": {}})
    elif candidate.mandatory == "pinned":
        found.append({"factor": "pinned", "points": None, "params": {}})
    elif candidate.mandatory == "rule":
        found.append({"factor": "mandatory", "points": None, "params": {}})
    if candidate.follow_up_count:
        found.append(
            {
                "factor": "follow_up",
                "points": None,
                "params": {"count": candidate.follow_up_count},
            }
        )
    if _overdue_at_end(candidate, period_months):
        never = candidate.months_since >= NEVER_MONTHS
        found.append(
            {
                "factor": "overdue",
                "points": None,
                "params": {
                    "months": None if never else round(candidate.months_since),
                    "max": round(candidate.max_interval),
                },
            }
        )
    return found + risk_reasons(place_risk)


def planned_reasons(place_id: int, *, source: str) -> tuple[float | None, list[dict[str, Any]]]:
    """The risk score and reasons of a visit the NPM added itself."""
    from habeas.planning import risk

    weights = risk.current_weights()
    scores = risk.compute(
        place_ids=[place_id], today=timezone.localdate(), weights=weights.weights, viewer=None
    )
    place_risk = scores.get(place_id)
    reasons = [{"factor": source, "points": None, "params": {}}, *risk_reasons(place_risk)]
    return (place_risk.score if place_risk else None), reasons


def _open_pairs(programme: Programme) -> tuple[set[int], set[int]]:
    """The regions (at the level capacity is stated) and categories that hold open places:
    what ¶36 asks the programme not to disregard."""
    region_map = capacity_regions(
        RegionCapacity.objects.filter(programme=programme).values_list("region_id", flat=True)
    )
    rows = set(
        Place.objects.filter(status=Place.Status.OPEN)
        .order_by()
        .values_list("region_id", "category_id")
        .distinct()
    )
    return {region_map.get(r, r) for r, _c in rows if r is not None}, {c for _r, c in rows}


def left_out_now(programme: Programme) -> dict[str, list[int]]:
    """Regions and categories with open places and no visit in the programme (¶36)."""
    regions, categories = _open_pairs(programme)
    region_map = capacity_regions(
        RegionCapacity.objects.filter(programme=programme).values_list("region_id", flat=True)
    )
    planned = set(
        PlannedVisit.objects.filter(programme=programme)
        .order_by()
        .values_list("place__region_id", "place__category_id")
        .distinct()
    )
    visited_regions = {region_map.get(r, r) for r, _c in planned if r is not None}
    visited_categories = {c for _r, c in planned}
    return {
        "regions": sorted(regions - visited_regions),
        "categories": sorted(categories - visited_categories),
    }


def figures(prepared: Prepared, chosen: Any) -> dict[str, Any]:
    """The figures a programme and "most overdue first" are compared on. Regions and
    categories left out are counted as on the programme's page: among all that hold open
    places, avoided ones included, not only among the places the model could choose."""
    inp = prepared.inp
    mask = np.asarray(chosen, dtype=np.bool_)
    overdue = programme_solver.due(inp) & ~mask
    regions, categories = _open_pairs(prepared.programme)
    chosen_regions = {prepared.regions[int(r)] for r in inp.region[mask].tolist()}
    chosen_categories = {prepared.categories[int(c)] for c in inp.category[mask].tolist()}
    return {
        "risk_covered": round(float(inp.value[mask].sum()), 2),
        "places_overdue": int(overdue.sum()),
        "regions_left_out": len(regions - chosen_regions),
        "categories_left_out": len(categories - chosen_categories),
        "visits": int(mask.sum()),
    }


def explanations_for(prepared: Prepared, explained: Iterable[Any]) -> list[dict[str, Any]]:
    """The solver's explanations with region and category indices turned into ids (and
    the names they had, so pages need no further query)."""
    region_names = dict(Region.objects.filter(pk__in=prepared.regions).values_list("pk", "name"))
    category_names = dict(
        Category.objects.filter(pk__in=prepared.categories).values_list("pk", "name")
    )
    found = list(prepared.explanations)
    for item in explained:
        params = dict(item.params)
        if "region" in params:
            region = prepared.regions[int(params["region"])]
            params.update(region=region, region_name=region_names.get(region, ""))
        if "category" in params:
            category = prepared.categories[int(params["category"])]
            params.update(category=category, category_name=str(category_names.get(category, "")))
        found.append({"code": item.code, "params": params})
    return found


def store_result(
    prepared: Prepared,
    result: Any,
    scores: Mapping[int, Any],
    weights: Any,
    *,
    progress: tuple[int, int],
) -> None:
    """Write the solved plan: the pinned and added visits stay (their reasons refreshed),
    every other visit is replaced by the solver's choice; the summary goes on the
    programme and the programme is BUILT. Team proposals made for the earlier plan are
    stale: the teams' status goes back to none (a team job still running then writes
    nothing), and `teams_built_at` stays to tell the page that they were proposed once."""
    inp = prepared.inp
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=prepared.programme.pk)
        if programme.status != Programme.Status.QUEUED:
            return
        kept = {
            v.place_id: v for v in PlannedVisit.objects.filter(programme=programme, pinned=True)
        }
        PlannedVisit.objects.filter(programme=programme, pinned=False).delete()
        Programme.objects.filter(pk=programme.pk).update(progress=progress[0])
        new, refreshed = [], []
        for i in np.flatnonzero(result.chosen).tolist():
            candidate = prepared.candidates[i]
            place_risk = scores.get(candidate.place_id)
            score = place_risk.score if place_risk is not None else None
            visit = kept.get(candidate.place_id)
            if visit is not None:
                visit.reasons = reasons_for(candidate, place_risk, inp.period_months, visit.source)
                visit.risk_score = score
                refreshed.append(visit)
                continue
            week = prepared.weeks[max(0, int(result.week[i]))]
            new.append(
                PlannedVisit(
                    programme=programme,
                    place_id=candidate.place_id,
                    week_starts_on=week,
                    kind=candidate.kind,
                    days=candidate.days,
                    staff_days=Decimal(str(round(candidate.staff_days, 1))),
                    team_size=candidate.team_size,
                    source=PlannedVisit.Source.SOLVER,
                    pinned=False,
                    risk_score=score,
                    reasons=reasons_for(candidate, place_risk, inp.period_months),
                )
            )
        PlannedVisit.objects.bulk_create(new, batch_size=1000)
        PlannedVisit.objects.bulk_update(refreshed, ["reasons", "risk_score"], batch_size=1000)
        exceeded = [prepared.candidates[i].place_id for i in np.flatnonzero(result.exceeded)]
        Programme.objects.filter(pk=programme.pk).update(
            status=Programme.Status.BUILT,
            progress=progress[1],
            failure="",
            solver=result.solver[:16],
            objective=float(result.objective),
            bound=float(result.bound),
            gap=float(result.gap),
            solve_seconds=float(result.solve_seconds),
            greedy_objective=float(result.greedy_objective),
            comparison={
                "programme": figures(prepared, result.chosen),
                "greedy": figures(prepared, result.greedy_chosen),
                "status": result.status,
            },
            left_out=left_out_now(programme),
            exceeded=exceeded,
            explanations=explanations_for(prepared, result.explanations),
            weights=weights,
            built_at=timezone.now(),
            changed_since_build=False,
            teams_status=Programme.TeamsStatus.NONE,
            teams_failure="",
        )
        audit.record(
            actor=None,
            action="planning.programme_solve",
            obj=programme,
            detail={
                "visits": len(new) + len(refreshed),
                "solver": result.solver,
                "status": result.status,
            },
        )


def adopt_visits(*, actor: Any, programme: Programme) -> tuple[list[Visit], int]:
    """Create a planned Visit for each planned visit (inside the adoption's transaction):
    led by the proposed head of delegation when one may lead, else by the actor, with the
    proposed members who can join (one a check blocks is left out, and counted)."""
    from habeas.accounts import roles
    from habeas.accounts.models import User
    from habeas.visits import services as visit_services

    planned = list(
        PlannedVisit.objects.filter(programme=programme, visit__isnull=True)
        .select_related("place", "team_proposal")
        .order_by("week_starts_on", "pk")
    )
    wanted = {
        member["user"]
        for visit in planned
        if hasattr(visit, "team_proposal")
        for member in visit.team_proposal.members
    }
    users = User.objects.in_bulk(list(wanted))
    created: list[Visit] = []
    skipped = 0
    label = programme.title or programme.period
    for item in planned:
        proposal = getattr(item, "team_proposal", None)
        team = [
            users[m["user"]] for m in (proposal.members if proposal else []) if m["user"] in users
        ]
        lead = next(
            (
                user
                for user in team[:1]
                if user.is_active
                and roles.can(user, "visits.record")
                and user.role != roles.Role.EXPERT
            ),
            actor,
        )
        visit = visit_services.visit_create(
            actor=actor,
            data={
                "place": item.place,
                "kind": item.kind,
                "announced": False,
                "starts_on": item.week_starts_on,
                "ends_on": item.week_starts_on + dt.timedelta(days=visit_days(item.days) - 1),
                "objectives": _("Planned in the visit programme %(programme)s.")
                % {"programme": label},
                "lead": lead,
            },
        )
        for user in team:
            if user.pk == lead.pk:
                continue
            try:
                visit_services.team_add(actor=actor, visit=visit, user=user)
            except ValidationError:
                skipped += 1
        item.visit = visit
        created.append(visit)
    PlannedVisit.objects.bulk_update(planned, ["visit"], batch_size=1000)
    return created, skipped
