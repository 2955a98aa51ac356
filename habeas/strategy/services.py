"""Writes of the strategic plan and its money (¶5, 35, 36): objectives, their activities
and the budget lines.

Each service is keyword-only, checks the actor's right first (`strategy.change`), runs in
one transaction and writes one audit event that names what changed, never its text
(ARCHITECTURE.md rules 1, 5, 6). Edits are made from the version the editor read: a
stale edit raises `StaleEdit` and is audited too.

Rules kept here, whatever the page or the API sends:
- an activity's year lies within its objective's years;
- the spent staff-days of a visits activity are counted from the visits
  (`selectors.activity_spent_staff_days`), so none may be entered for it;
- amounts and staff-days are never negative;
- a budget line tied to an activity has the activity's year and kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.places.models import Category, Region
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective

OBJECTIVE_FIELDS = ("code", "title", "description", "first_year", "last_year", "position")
ACTIVITY_FIELDS = (
    "kind",
    "title",
    "year",
    "status",
    "selection_criteria",
    "planned_staff_days",
    "spent_staff_days",
    "planned_money",
    "spent_money",
    "indicators",
    "outcomes",
    "lessons",
)
ACTIVITY_LINKS = ("categories", "regions")
LINE_FIELDS = ("year", "kind", "activity", "label", "planned", "spent", "note")
AMOUNTS = ("planned_staff_days", "spent_staff_days", "planned_money", "spent_money")
LINE_AMOUNTS = ("planned", "spent")
MIN_YEAR, MAX_YEAR = 1990, 2100


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _in_scope(actor: Any, model: type[Any], record: Any) -> None:
    """Refuse, as if it did not exist, a record the actor may not change."""
    if not model.objects.restrict(actor, "change").filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may not do this."))


def _unknown(fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})


def _check_year(errors: dict[str, str], name: str, year: Any) -> None:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        errors[name] = _("Give a year between %(first)d and %(last)d.") % {
            "first": MIN_YEAR,
            "last": MAX_YEAR,
        }


def _check_amounts(errors: dict[str, str], values: Mapping[str, Any], names: Iterable[str]) -> None:
    for name in names:
        value = values.get(name)
        if value is not None and Decimal(value) < 0:
            errors[name] = _("This cannot be negative.")


def _clean(record: Any, exclude: list[str]) -> None:
    record.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


# -- objectives -------------------------------------------------------------------------------


def _check_objective(values: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    _check_year(errors, "first_year", values.get("first_year"))
    _check_year(errors, "last_year", values.get("last_year"))
    if not errors and values["last_year"] < values["first_year"]:
        errors["last_year"] = _("The last year cannot come before the first.")
    for name in ("code", "title"):
        if not values.get(name):
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)


def _activities_outside(objective: Objective, first: int, last: int) -> int:
    return objective.activities.exclude(year__gte=first, year__lte=last).count()


@transaction.atomic
def objective_create(
    *,
    actor: Any,
    code: str,
    title: str,
    first_year: int,
    last_year: int,
    description: str = "",
    position: int = 0,
) -> Objective:
    """Add a strategic objective spanning `first_year` to `last_year`."""
    require(actor, "strategy.change")
    values = {
        "code": _text(code),
        "title": _text(title),
        "description": _text(description) or "",
        "first_year": first_year,
        "last_year": last_year,
        "position": position or 0,
    }
    _check_objective(values)
    objective = Objective(**values, created_by=actor)
    _clean(objective, ["created_by"])
    objective.save()
    audit.record(
        actor=actor,
        action="strategy.objective_create",
        obj=objective,
        detail={"years": [first_year, last_year]},
    )
    return objective


def objective_update(
    *, actor: Any, objective: Objective, expected_version: int, **fields: Any
) -> Objective:
    """Edit an objective from the version read. Its years must still hold its activities."""
    require(actor, "strategy.change")
    _in_scope(actor, Objective, objective)
    _unknown(fields, OBJECTIVE_FIELDS)
    values = {name: _text(value) for name, value in fields.items()}
    merged = {**{name: getattr(objective, name) for name in OBJECTIVE_FIELDS}, **values}
    _check_objective(merged)
    if _activities_outside(objective, merged["first_year"], merged["last_year"]):
        raise ValidationError(
            {"first_year": _("Some of its activities fall outside these years: move them first.")}
        )
    _clean(Objective(**merged, created_by_id=objective.created_by_id), ["created_by"])
    with stale_guarded("strategy.objective_update", objective, actor, expected_version):
        changed = versioned_update(
            model=Objective, obj=objective, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="strategy.objective_update",
            obj=objective,
            detail={"fields": changed},
        )
    return objective


@transaction.atomic
def objective_delete(*, actor: Any, objective: Objective) -> None:
    """Delete an objective and its activities; budget lines tied to them stay, untied."""
    require(actor, "strategy.change")
    _in_scope(actor, Objective, objective)
    activities = objective.activities.count()
    pk = objective.pk
    audit.record(
        actor=actor,
        action="strategy.objective_delete",
        obj=objective,
        detail={"activities": activities},
    )
    Objective.objects.filter(pk=pk).delete()


# -- activities -------------------------------------------------------------------------------


def _check_activity(objective: Objective, values: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    if values.get("kind") not in ActivityKind.values:
        errors["kind"] = _("Choose one of the kinds of activity.")
    if values.get("status") not in Activity.Status.values:
        errors["status"] = _("Choose one of the statuses.")
    if not values.get("title"):
        errors["title"] = _("This field is required.")
    _check_year(errors, "year", values.get("year"))
    if "year" not in errors and not objective.first_year <= values["year"] <= objective.last_year:
        errors["year"] = _("The objective runs from %(first)d to %(last)d.") % {
            "first": objective.first_year,
            "last": objective.last_year,
        }
    _check_amounts(errors, values, AMOUNTS)
    if values.get("kind") == ActivityKind.VISITS and values.get("spent_staff_days") is not None:
        errors["spent_staff_days"] = _(
            "The staff-days of a visits activity are counted from its visits: leave this empty."
        )
    if errors:
        raise ValidationError(errors)


def _links(values: dict[str, Any]) -> dict[str, list[Any]]:
    """Take the chosen categories and regions out of `values`."""
    links: dict[str, list[Any]] = {}
    for name, model in (("categories", Category), ("regions", Region)):
        if name in values:
            chosen = list(values.pop(name) or [])
            known = set(
                model._default_manager.filter(pk__in=[c.pk for c in chosen]).values_list(
                    "pk", flat=True
                )
            )
            if known != {c.pk for c in chosen}:
                raise ValidationError({name: _("Choose from the list.")})
            links[name] = chosen
    return links


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    objective: Objective,
    kind: str,
    title: str,
    year: int,
    status: str = Activity.Status.PLANNED,
    selection_criteria: str = "",
    categories: Iterable[Category] = (),
    regions: Iterable[Region] = (),
    planned_staff_days: Decimal | int = 0,
    spent_staff_days: Decimal | None = None,
    planned_money: Decimal | int = 0,
    spent_money: Decimal | None = None,
    indicators: str = "",
    outcomes: str = "",
    lessons: str = "",
) -> Activity:
    """Add an activity to an objective, in one of the objective's years."""
    require(actor, "strategy.change")
    _in_scope(actor, Objective, objective)
    values: dict[str, Any] = {
        "kind": kind,
        "title": _text(title),
        "year": year,
        "status": status,
        "selection_criteria": _text(selection_criteria) or "",
        "planned_staff_days": planned_staff_days if planned_staff_days is not None else 0,
        "spent_staff_days": spent_staff_days,
        "planned_money": planned_money if planned_money is not None else 0,
        "spent_money": spent_money,
        "indicators": _text(indicators) or "",
        "outcomes": _text(outcomes) or "",
        "lessons": _text(lessons) or "",
        "categories": categories,
        "regions": regions,
    }
    links = _links(values)
    _check_activity(objective, values)
    activity = Activity(objective=objective, **values, created_by=actor)
    _clean(activity, ["objective", "created_by"])
    activity.save()
    for name, chosen in links.items():
        getattr(activity, name).set(chosen)
    audit.record(
        actor=actor,
        action="strategy.activity_create",
        obj=activity,
        detail={"objective": objective.pk, "kind": kind, "year": year},
    )
    return activity


def activity_update(
    *, actor: Any, activity: Activity, expected_version: int, **fields: Any
) -> Activity:
    """Edit an activity from the version read (its objective does not change)."""
    require(actor, "strategy.change")
    _in_scope(actor, Activity, activity)
    _unknown(fields, ACTIVITY_FIELDS + ACTIVITY_LINKS)
    values = {name: _text(value) for name, value in fields.items()}
    links = _links(values)
    objective = activity.objective
    merged = {**{name: getattr(activity, name) for name in ACTIVITY_FIELDS}, **values}
    _check_activity(objective, merged)
    _clean(
        Activity(objective=objective, created_by_id=activity.created_by_id, **merged),
        ["objective", "created_by"],
    )
    with stale_guarded("strategy.activity_update", activity, actor, expected_version):
        changed = versioned_update(
            model=Activity, obj=activity, values=values, expected_version=expected_version
        )
        for name, chosen in links.items():
            relation = getattr(activity, name)
            if set(relation.values_list("pk", flat=True)) != {c.pk for c in chosen}:
                relation.set(chosen)
                changed.append(name)
        audit.record(
            actor=actor, action="strategy.activity_update", obj=activity, detail={"fields": changed}
        )
    return activity


@transaction.atomic
def activity_delete(*, actor: Any, activity: Activity) -> None:
    """Delete an activity; budget lines tied to it stay, untied."""
    require(actor, "strategy.change")
    _in_scope(actor, Activity, activity)
    audit.record(
        actor=actor,
        action="strategy.activity_delete",
        obj=activity,
        detail={"objective": activity.objective_id, "year": activity.year},
    )
    Activity.objects.filter(pk=activity.pk).delete()


# -- budget lines -----------------------------------------------------------------------------


def _check_line(actor: Any, values: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    _check_year(errors, "year", values.get("year"))
    if values.get("kind") not in ActivityKind.values:
        errors["kind"] = _("Choose one of the kinds of activity.")
    if not values.get("label"):
        errors["label"] = _("This field is required.")
    _check_amounts(errors, values, LINE_AMOUNTS)
    activity = values.get("activity")
    if activity is not None:
        if not Activity.objects.restrict(actor, "view").filter(pk=activity.pk).exists():
            errors["activity"] = _("Choose from the list.")
        elif activity.year != values.get("year") or activity.kind != values.get("kind"):
            errors["activity"] = _(
                "The line must have the activity's year (%(year)d) and kind (%(kind)s)."
            ) % {"year": activity.year, "kind": activity.get_kind_display()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def line_create(
    *,
    actor: Any,
    year: int,
    kind: str,
    label: str,
    planned: Decimal | int = 0,
    spent: Decimal | int = 0,
    activity: Activity | None = None,
    note: str = "",
) -> BudgetLine:
    """Add a budget line: money planned and spent in a year for a kind of activity."""
    require(actor, "strategy.change")
    values: dict[str, Any] = {
        "year": year,
        "kind": kind,
        "label": _text(label),
        "planned": planned if planned is not None else 0,
        "spent": spent if spent is not None else 0,
        "activity": activity,
        "note": _text(note) or "",
    }
    _check_line(actor, values)
    line = BudgetLine(**values, created_by=actor)
    _clean(line, ["created_by", "activity"])
    line.save()
    audit.record(
        actor=actor,
        action="strategy.line_create",
        obj=line,
        detail={"year": year, "kind": kind},
    )
    return line


def line_update(
    *, actor: Any, line: BudgetLine, expected_version: int, **fields: Any
) -> BudgetLine:
    """Edit a budget line from the version read."""
    require(actor, "strategy.change")
    _in_scope(actor, BudgetLine, line)
    _unknown(fields, LINE_FIELDS)
    values = {name: _text(value) for name, value in fields.items()}
    merged = {**{name: getattr(line, name) for name in LINE_FIELDS}, **values}
    _check_line(actor, merged)
    _clean(BudgetLine(**merged, created_by_id=line.created_by_id), ["created_by", "activity"])
    with stale_guarded("strategy.line_update", line, actor, expected_version):
        changed = versioned_update(
            model=BudgetLine, obj=line, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="strategy.line_update", obj=line, detail={"fields": changed}
        )
    return line


@transaction.atomic
def line_delete(*, actor: Any, line: BudgetLine) -> None:
    """Delete a budget line."""
    require(actor, "strategy.change")
    _in_scope(actor, BudgetLine, line)
    audit.record(actor=actor, action="strategy.line_delete", obj=line, detail={"year": line.year})
    BudgetLine.objects.filter(pk=line.pk).delete()
