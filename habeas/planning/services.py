"""Writes of the visit programme and the team builder (¶10, 11, 35, 36).

Each service is keyword-only, checks the actor's right first, runs in one transaction and
writes one audit event that never holds content (ARCHITECTURE.md rules 1, 5, 6). A
programme's settings and capacity are edited from the version read (`StaleEdit`, 409).
Once adopted, a programme is frozen: every service refuses to change it.

Building a programme and proposing its teams are background jobs (`tasks.programme_solve`,
`tasks.teams_solve`), which call `programme_solve` and `teams_solve` here; the solvers are
run outside any transaction, their answer written in one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.places.models import Category, Place, Region
from habeas.planning import inputs
from habeas.planning.models import (
    CategoryRule,
    Justification,
    PlaceRule,
    PlannedVisit,
    ProfessionCapacity,
    Programme,
    RegionCapacity,
)
from habeas.planning.results import adopt_visits, left_out_now, planned_reasons, store_result
from habeas.visits.models import TeamProfile, Visit

logger = logging.getLogger(__name__)

SETTINGS_FIELDS = (
    "title",
    "reserve_share",
    "default_max_interval_months",
    "trip_sharing",
    "trip_radius_km",
    "trip_overhead_days",
    "time_limit_seconds",
    "max_visits",
)
COPIED_FIELDS = SETTINGS_FIELDS[1:]
JUSTIFICATION_MIN = 20
MAX_INTERVAL_MONTHS = 240
# Progress of a build, in percent.
INPUT_READ, SOLVED, WRITTEN, DONE = 10, 50, 90, 100


# -- guards -----------------------------------------------------------------------------------


def _in_scope(actor: Any, programme: Programme, action: str = "change") -> None:
    if not Programme.objects.restrict(actor, action).filter(pk=programme.pk).exists():
        raise PermissionDenied(_("You may not do this."))


def _open(programme: Programme) -> None:
    """Refuse any change to an adopted programme."""
    status = Programme.objects.filter(pk=programme.pk).values_list("status", flat=True).first()
    if status == Programme.Status.ADOPTED:
        raise ValidationError(_("This programme was adopted: it can no longer change."))


def _bump(programme: Programme) -> None:
    Programme.objects.filter(pk=programme.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    programme.refresh_from_db()


def _changed(programme: Programme) -> None:
    """Capacity, rules or visits changed after a build: the plan's figures no longer hold,
    and it must be built again before it is adopted."""
    if programme.status == Programme.Status.BUILT:
        Programme.objects.filter(pk=programme.pk).update(changed_since_build=True)
        programme.changed_since_build = True


def _planner(actor: Any, programme: Programme) -> None:
    require(actor, "planning.change")
    _in_scope(actor, programme)
    _open(programme)


# -- programmes -------------------------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor: Any, data: Mapping[str, Any]) -> Programme:
    """A programme for a quarter ("2027-Q1") or a year ("2027"). Its settings, capacity
    and category rules start as those of the latest programme, if there is one."""
    require(actor, "planning.change")
    period, starts, ends = inputs.parse_period(str(data.get("period") or ""))
    title = str(data.get("title") or "").strip()[:200]
    latest = Programme.objects.order_by("-created_at", "-pk").first()
    values = {name: getattr(latest, name) for name in COPIED_FIELDS} if latest else {}
    programme = Programme.objects.create(
        period=period, starts_on=starts, ends_on=ends, title=title, created_by=actor, **values
    )
    programme.refresh_from_db()
    if latest is not None:
        _copy_capacity(latest, programme)
    audit.record(
        actor=actor,
        action="planning.programme_create",
        obj=programme,
        detail={"period": period, "copied_from": latest.pk if latest else None},
    )
    return programme


def _copy_capacity(source: Programme, target: Programme) -> None:
    RegionCapacity.objects.bulk_create(
        RegionCapacity(
            programme=target,
            region_id=r.region_id,
            staff_days=r.staff_days,
            min_visits=r.min_visits,
        )
        for r in RegionCapacity.objects.filter(programme=source)
    )
    ProfessionCapacity.objects.bulk_create(
        ProfessionCapacity(programme=target, profession=p.profession, staff_days=p.staff_days)
        for p in ProfessionCapacity.objects.filter(programme=source)
    )
    CategoryRule.objects.bulk_create(
        CategoryRule(
            programme=target,
            category_id=c.category_id,
            max_interval_months=c.max_interval_months,
            min_visits=c.min_visits,
        )
        for c in CategoryRule.objects.filter(programme=source)
    )


def programme_update(
    *, actor: Any, programme: Programme, data: Mapping[str, Any], expected_version: int
) -> Programme:
    """Change a programme's settings: reserve, visit slots, default interval, travel, search
    time, title."""
    _planner(actor, programme)
    unknown = sorted(set(data) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    values = {name: data[name] for name in SETTINGS_FIELDS if name in data}
    for name in ("reserve_share", "trip_overhead_days"):
        if name in values:
            try:
                values[name] = Decimal(str(values[name]))
            except (InvalidOperation, ValueError):
                raise ValidationError({name: _("Give a number.")}) from None
    if "title" in values:
        values["title"] = str(values["title"] or "").strip()
    if "max_visits" in values and values["max_visits"] in ("", None):
        values["max_visits"] = None
    candidate = Programme(
        **{**{name: getattr(programme, name) for name in SETTINGS_FIELDS}, **values},
        period=programme.period,
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        created_by_id=programme.created_by_id,
    )
    candidate.full_clean(exclude=["weights", "built_by", "adopted_by"], validate_unique=False)
    reserve = Decimal(str(candidate.reserve_share))
    if not Decimal("0") <= reserve < Decimal("1"):
        raise ValidationError({"reserve_share": _("Keep between 0 and 0.99 in reserve.")})
    if candidate.time_limit_seconds < 1:
        raise ValidationError({"time_limit_seconds": _("Give at least one second.")})
    values = {name: getattr(candidate, name) for name in values}
    with stale_guarded("planning.programme_update", programme, actor, expected_version):
        changed = versioned_update(
            model=Programme, obj=programme, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="planning.programme_update",
            obj=programme,
            detail={"fields": changed},
        )
        if changed:
            _changed(programme)
    return programme


def _whole(value: Any, field: str, *, low: int = 0, high: int = 10**6) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give a whole number.")}) from None
    if not low <= number <= high:
        raise ValidationError(
            {field: _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return number


def _capacity_rows(
    programme: Programme,
    regions: Mapping[int, tuple[int, int]],
    professions: Mapping[str, int],
    categories: Mapping[int, tuple[int | None, int]],
) -> tuple[list[RegionCapacity], list[ProfessionCapacity], list[CategoryRule]]:
    known_regions = set(Region.objects.filter(pk__in=list(regions)).values_list("pk", flat=True))
    known_categories = set(
        Category.objects.filter(pk__in=list(categories)).values_list("pk", flat=True)
    )
    if set(regions) - known_regions:
        raise ValidationError({"regions": _("Choose regions from the list.")})
    if set(categories) - known_categories:
        raise ValidationError({"categories": _("Choose categories from the list.")})
    if set(professions) - set(TeamProfile.Profession.values):
        raise ValidationError({"professions": _("Choose professions from the list.")})
    region_rows = [
        RegionCapacity(
            programme=programme,
            region_id=region,
            staff_days=_whole(days, "regions"),
            min_visits=_whole(minimum, "regions", high=10000),
        )
        for region, (days, minimum) in regions.items()
    ]
    profession_rows = [
        ProfessionCapacity(
            programme=programme, profession=name, staff_days=_whole(days, "professions")
        )
        for name, days in professions.items()
    ]
    category_rows = [
        CategoryRule(
            programme=programme,
            category_id=category,
            max_interval_months=(
                None
                if interval in (None, "")
                else _whole(interval, "categories", low=1, high=MAX_INTERVAL_MONTHS)
            ),
            min_visits=_whole(minimum, "categories", high=10000),
        )
        for category, (interval, minimum) in categories.items()
    ]
    return region_rows, profession_rows, category_rows


def capacity_save(
    *,
    actor: Any,
    programme: Programme,
    regions: Mapping[int, tuple[int, int]],
    professions: Mapping[str, int],
    categories: Mapping[int, tuple[int | None, int]],
    expected_version: int,
) -> Programme:
    """Replace the programme's capacity: staff-days and minimum visits per region,
    staff-days per profession, maximum interval and minimum visits per category."""
    _planner(actor, programme)
    region_rows, profession_rows, category_rows = _capacity_rows(
        programme, regions, professions, categories
    )
    with stale_guarded("planning.capacity_save", programme, actor, expected_version):
        versioned_update(
            model=Programme, obj=programme, values={}, expected_version=expected_version
        )
        RegionCapacity.objects.filter(programme=programme).delete()
        ProfessionCapacity.objects.filter(programme=programme).delete()
        CategoryRule.objects.filter(programme=programme).delete()
        RegionCapacity.objects.bulk_create(region_rows)
        ProfessionCapacity.objects.bulk_create(profession_rows)
        CategoryRule.objects.bulk_create(category_rows)
        audit.record(
            actor=actor,
            action="planning.capacity_save",
            obj=programme,
            detail={
                "regions": len(region_rows),
                "professions": len(profession_rows),
                "categories": len(category_rows),
            },
        )
        _changed(programme)
    return programme


# -- place rules ------------------------------------------------------------------------------


def _visible_place(actor: Any, place: Place) -> None:
    if not Place.objects.restrict(actor, "view").filter(pk=place.pk).exists():
        raise ValidationError({"place": _("Choose a place from the list.")})


@transaction.atomic
def place_rule_set(
    *,
    actor: Any,
    programme: Programme,
    place: Place,
    kind: str,
    visit_kind: str = "",
    note: str = "",
) -> PlaceRule:
    """A place this programme must include, or must avoid (replaces its earlier rule)."""
    _planner(actor, programme)
    _visible_place(actor, place)
    if kind not in PlaceRule.Kind.values:
        raise ValidationError({"kind": _("Choose must be visited or not in this period.")})
    if visit_kind and visit_kind not in Visit.Kind.values:
        raise ValidationError({"visit_kind": _("Choose a type of visit from the list.")})
    planned = PlannedVisit.objects.filter(programme=programme, place=place).first()
    if kind == PlaceRule.Kind.AVOID and planned is not None:
        if planned.pinned:
            raise ValidationError(
                _("This place has a visit pinned in the programme: remove that visit first.")
            )
        planned.delete()
    rule, _created = PlaceRule.objects.update_or_create(
        programme=programme,
        place=place,
        defaults={
            "kind": kind,
            "visit_kind": visit_kind if kind == PlaceRule.Kind.MANDATORY else "",
            "note": (note or "").strip()[:300],
        },
    )
    _refresh_left_out(programme)
    audit.record(
        actor=actor,
        action="planning.place_rule_set",
        obj=programme,
        detail={"place": place.pk, "kind": kind},
    )
    _changed(programme)
    return rule


@transaction.atomic
def place_rule_remove(*, actor: Any, rule: PlaceRule) -> None:
    programme = rule.programme
    _planner(actor, programme)
    detail = {"place": rule.place_id, "kind": rule.kind}
    rule.delete()
    audit.record(actor=actor, action="planning.place_rule_remove", obj=programme, detail=detail)
    _changed(programme)


# -- building ---------------------------------------------------------------------------------


@transaction.atomic
def programme_build(*, actor: Any, programme: Programme, enqueue: bool = True) -> Programme:
    """Queue the programme's build; the job starts once this commits (`enqueue=False`
    leaves it to the caller to run `programme_solve`, as `manage.py plan` does)."""
    _planner(actor, programme)
    if not RegionCapacity.objects.filter(programme=programme).exists():
        raise ValidationError(
            _("State the staff-days of at least one region before building the programme.")
        )
    Programme.objects.filter(pk=programme.pk).update(
        status=Programme.Status.QUEUED, progress=0, failure="", built_by=actor
    )
    programme.refresh_from_db()
    audit.record(actor=actor, action="planning.programme_build", obj=programme)
    if enqueue:
        language = get_language() or "en"
        pk = programme.pk
        transaction.on_commit(lambda: _enqueue(pk, language))
    return programme


def _enqueue(programme_id: int, language: str) -> None:
    from habeas.planning.tasks import programme_solve as job

    job.enqueue(programme_id=programme_id, language=language)


def _progress(programme_id: int, progress: int) -> None:
    with transaction.atomic():
        Programme.objects.filter(pk=programme_id, status=Programme.Status.QUEUED).update(
            progress=progress
        )


def _fail(programme_id: int, reason: str) -> None:
    with transaction.atomic():
        updated = Programme.objects.filter(pk=programme_id, status=Programme.Status.QUEUED).update(
            status=Programme.Status.FAILED, failure=reason, progress=0
        )
        if updated:
            audit.record(
                actor=None,
                action="planning.programme_fail",
                obj=Programme.objects.get(pk=programme_id),
            )


def programme_solve(*, programme_id: int, time_limit: float | None = None) -> None:
    """The build job: read the instance, run the solvers, write the plan; never raises.

    A failure leaves the programme FAILED with one plain sentence; the cause goes to the
    log for the administrator."""
    from habeas.planning import risk
    from habeas.planning.solver import programme as programme_solver

    programme = Programme.objects.filter(pk=programme_id, status=Programme.Status.QUEUED).first()
    if programme is None:
        return
    try:
        weights = risk.current_weights()
        today = timezone.localdate()
        scores = risk.compute(place_ids=None, today=today, weights=weights.weights, viewer=None)
        prepared = inputs.programme_input(
            programme,
            today=today,
            values={pk: item.score for pk, item in scores.items()},
            time_limit=time_limit,
        )
        if not prepared.candidates:
            _fail(
                programme_id,
                _("No open place can be planned: the inventory holds none, or all are avoided."),
            )
            return
        _progress(programme_id, INPUT_READ)
        result = programme_solver.solve(prepared.inp)
        _progress(programme_id, SOLVED)
        store_result(prepared, result, scores, weights, progress=(WRITTEN, DONE))
    except Exception as exc:  # noqa: BLE001 - any failure must end as FAILED, not QUEUED
        logger.exception("programme %s could not be built (%s)", programme_id, type(exc).__name__)
        _fail(
            programme_id,
            _(
                "The programme could not be built because of an internal error; the "
                "administrator can see its cause in the log. Try again, or ask them."
            ),
        )


# -- editing the plan -------------------------------------------------------------------------


def _bump_visit(planned: PlannedVisit) -> None:
    PlannedVisit.objects.filter(pk=planned.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    planned.refresh_from_db()


@transaction.atomic
def visit_pin(*, actor: Any, planned: PlannedVisit, pinned: bool) -> PlannedVisit:
    """Pin a visit (a re-solve keeps it in its week) or unpin it (a re-solve may drop it)."""
    _planner(actor, planned.programme)
    source = planned.source
    if pinned and source == PlannedVisit.Source.SOLVER:
        source = PlannedVisit.Source.PINNED
    elif not pinned and source == PlannedVisit.Source.PINNED:
        source = PlannedVisit.Source.SOLVER
    PlannedVisit.objects.filter(pk=planned.pk).update(pinned=bool(pinned), source=source)
    _bump_visit(planned)
    audit.record(
        actor=actor, action="planning.visit_pin", obj=planned, detail={"pinned": bool(pinned)}
    )
    return planned


def _week(programme: Programme, day: Any) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError({"week_starts_on": _("Give a date in the programme's period.")})
    weeks = inputs.week_starts(programme)
    if not weeks[0] <= day <= weeks[-1] + dt.timedelta(days=6):
        raise ValidationError({"week_starts_on": _("Choose a week of the programme's period.")})
    return weeks[inputs.week_index(weeks, day)]


@transaction.atomic
def visit_add(
    *, actor: Any, programme: Programme, place: Place, week_starts_on: dt.date, kind: str
) -> PlannedVisit:
    """Add a visit the NPM chose itself; it is pinned, so a re-solve plans around it."""
    _planner(actor, programme)
    _visible_place(actor, place)
    if place.status != Place.Status.OPEN:
        raise ValidationError({"place": _("This place is closed.")})
    if kind not in Visit.Kind.values:
        raise ValidationError({"kind": _("Choose a type of visit from the list.")})
    week = _week(programme, week_starts_on)
    if PlannedVisit.objects.filter(programme=programme, place=place).exists():
        raise ValidationError({"place": _("This place already has a visit in the programme.")})
    PlaceRule.objects.filter(programme=programme, place=place, kind=PlaceRule.Kind.AVOID).delete()
    days, team = inputs.duration(inputs.duration_rules(), place.category_id, place.capacity, kind)
    score, reasons = planned_reasons(place.pk, source="added")
    planned = PlannedVisit.objects.create(
        programme=programme,
        place=place,
        week_starts_on=week,
        kind=kind,
        days=days,
        staff_days=days * team,
        team_size=team,
        source=PlannedVisit.Source.ADDED,
        pinned=True,
        risk_score=score,
        reasons=reasons,
    )
    _refresh_left_out(programme)
    audit.record(actor=actor, action="planning.visit_add", obj=planned, detail={"place": place.pk})
    _changed(programme)
    return planned


@transaction.atomic
def visit_move(*, actor: Any, planned: PlannedVisit, week_starts_on: dt.date) -> PlannedVisit:
    """Move a visit to another week of the period; a moved visit is pinned there."""
    _planner(actor, planned.programme)
    week = _week(planned.programme, week_starts_on)
    source = (
        PlannedVisit.Source.PINNED
        if planned.source == PlannedVisit.Source.SOLVER
        else planned.source
    )
    PlannedVisit.objects.filter(pk=planned.pk).update(
        week_starts_on=week, pinned=True, source=source
    )
    _bump_visit(planned)
    audit.record(actor=actor, action="planning.visit_move", obj=planned)
    _changed(planned.programme)
    return planned


@transaction.atomic
def visit_remove(*, actor: Any, planned: PlannedVisit, note: str = "") -> None:
    """Take a visit out; the place is avoided for this period so a re-solve keeps it out."""
    programme = planned.programme
    _planner(actor, programme)
    place_id = planned.place_id
    PlaceRule.objects.update_or_create(
        programme=programme,
        place_id=place_id,
        defaults={
            "kind": PlaceRule.Kind.AVOID,
            "visit_kind": "",
            "note": (note or "").strip()[:300],
        },
    )
    planned.delete()
    _refresh_left_out(programme)
    audit.record(
        actor=actor, action="planning.visit_remove", obj=programme, detail={"place": place_id}
    )
    _changed(programme)


def _refresh_left_out(programme: Programme) -> None:
    """Once built, what is left out follows every edit of the plan."""
    if programme.status in (Programme.Status.BUILT, Programme.Status.QUEUED):
        Programme.objects.filter(pk=programme.pk).update(left_out=left_out_now(programme))


@transaction.atomic
def justification_save(
    *,
    actor: Any,
    programme: Programme,
    category: Category | None = None,
    region: Region | None = None,
    text: str,
) -> Justification:
    """Why a category or a region gets no visit in this programme (¶36)."""
    _planner(actor, programme)
    if (category is None) == (region is None):
        raise ValidationError(_("Justify either a category or a region."))
    text = (text or "").strip()
    if len(text) < JUSTIFICATION_MIN:
        raise ValidationError(
            {
                "text": _("Write the reason in at least %(count)s characters.")
                % {"count": JUSTIFICATION_MIN}
            }
        )
    target: dict[str, Any] = {"category": category} if category is not None else {"region": region}
    justification, _created = Justification.objects.update_or_create(
        programme=programme, **target, defaults={"text": text, "written_by": actor}
    )
    audit.record(
        actor=actor,
        action="planning.justification_save",
        obj=programme,
        detail={"category": getattr(category, "pk", None), "region": getattr(region, "pk", None)},
    )
    return justification


# -- adoption ---------------------------------------------------------------------------------


def unjustified(programme: Programme) -> tuple[list[Region], list[Category]]:
    """The left-out regions and categories that still have no justification."""
    left = programme.left_out or {}
    done_regions = set(
        Justification.objects.filter(programme=programme, region__isnull=False).values_list(
            "region_id", flat=True
        )
    )
    done_categories = set(
        Justification.objects.filter(programme=programme, category__isnull=False).values_list(
            "category_id", flat=True
        )
    )
    regions = Region.objects.filter(
        pk__in=[r for r in left.get("regions", []) if r not in done_regions]
    ).order_by("name")
    categories = Category.objects.filter(
        pk__in=[c for c in left.get("categories", []) if c not in done_categories]
    )
    return list(regions), list(categories)


def _adoption_problems(programme: Programme) -> list[str]:
    if programme.status != Programme.Status.BUILT:
        return [_("Only a built programme can be adopted: build it first.")]
    regions, categories = unjustified(programme)
    problems = []
    if programme.changed_since_build:
        problems.append(
            _("Capacity, rules or visits changed after the last build: build it again first.")
        )
    if programme.teams_status == Programme.TeamsStatus.QUEUED:
        problems.append(_("Teams are being proposed for its visits: adopt it once they are."))
    if regions:
        problems.append(
            _("Justify why these regions get no visit: %(names)s.")
            % {"names": ", ".join(r.name for r in regions)}
        )
    if categories:
        problems.append(
            _("Justify why these categories of place get no visit: %(names)s.")
            % {"names": ", ".join(str(c.name) for c in categories)}
        )
    return problems


@transaction.atomic
def programme_adopt(*, actor: Any, programme: Programme) -> list[Visit]:
    """Adopt the programme: each planned visit becomes a planned Visit, led by its proposed
    head of delegation when a team was proposed (else by the actor), with the proposed
    members who can join. From then on the programme does not change."""
    require(actor, "planning.adopt")
    _in_scope(actor, programme, "adopt")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    problems = _adoption_problems(programme)
    if problems:
        raise ValidationError(problems)
    visits, skipped = adopt_visits(actor=actor, programme=programme)
    Programme.objects.filter(pk=programme.pk).update(
        status=Programme.Status.ADOPTED,
        adopted_at=timezone.now(),
        adopted_by=actor,
        version=F("version") + 1,
    )
    programme.refresh_from_db()
    audit.record(
        actor=actor,
        action="planning.programme_adopt",
        obj=programme,
        detail={"visits": len(visits), "members_skipped": skipped},
    )
    return visits
