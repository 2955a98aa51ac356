"""Versioned visit guidelines and the checklist answers of a visit (¶13, 17, 25).

A category of place has at most one guideline in use (published) and at most one draft.
An editor (`visits.guidelines`) makes a draft as a copy of the latest version, changes
its items, and publishes it: the version in use is then retired. A visit keeps the
version it used, so its checklist answers always point at the questions asked.

Every write is keyword-only, checks the actor's right first, runs in one transaction and
writes exactly one audit event, never with the text of an item or an answer in it.
Edits of a draft carry the draft's version: a stale one raises `StaleEdit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.core import audit
from habeas.core.services import require as _require
from habeas.core.services import stale_guarded as _stale_guarded
from habeas.core.services import versioned_update as _versioned_update
from habeas.places.models import Category
from habeas.visits.models import ChecklistAnswer, Guideline, GuidelineItem, Theme, Visit

GUIDELINE_FIELDS = ("title", "notes")
ITEM_FIELDS = ("theme", "kind", "text", "register_kind", "group_allowed")
MOVES = ("up", "down")


# Reads ------------------------------------------------------------------------------


def published_for(category_id: int) -> Guideline | None:
    return Guideline.objects.filter(
        category_id=category_id, status=Guideline.Status.PUBLISHED
    ).first()


def guideline_for_visit(visit: Visit) -> Guideline | None:
    """The visit's own version if it has one, else the one in use for its category."""
    if visit.guideline_id:
        return Guideline.objects.select_related("category").get(pk=visit.guideline_id)
    return published_for(visit.place.category_id)


@dataclass(frozen=True)
class ThemeItems:
    theme: str
    label: str
    items: list[GuidelineItem]


def items_by_theme(guideline: Guideline | None) -> list[ThemeItems]:
    """The items in the themes' own order (DOMAIN.md), each theme in item order."""
    if guideline is None:
        return []
    items = list(guideline.items.order_by("position", "id"))
    return [
        ThemeItems(theme, str(label), [item for item in items if item.theme == theme])
        for theme, label in Theme.choices
        if any(item.theme == theme for item in items)
    ]


def versions_by_category(*, user: Any) -> list[tuple[Category, list[Guideline]]]:
    """Every category with its guideline versions, newest first; categories without any
    come last so that an editor can start one."""
    guidelines = list(
        Guideline.objects.restrict(user, "view")
        .select_related("category")
        .annotate(item_count=Count("items"))
        .order_by("category__position", "category__name", "-number")
    )
    by_category: dict[int, list[Guideline]] = {}
    for guideline in guidelines:
        by_category.setdefault(guideline.category_id, []).append(guideline)
    categories = list(Category.objects.order_by("position", "name"))
    with_versions = [(c, by_category[c.pk]) for c in categories if c.pk in by_category]
    without: list[tuple[Category, list[Guideline]]] = [
        (c, []) for c in categories if c.pk not in by_category
    ]
    return with_versions + without


# Writes: versions -------------------------------------------------------------------


def _pick(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Only the fields a service writes: extra keys can never be mass-assigned."""
    return {name: data[name] for name in allowed if name in data}


def _require_draft(guideline: Guideline) -> None:
    if guideline.status != Guideline.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be changed. Make a new version to change this guideline.")
        )


@transaction.atomic
def guideline_draft_create(*, actor: Any, category: Category) -> Guideline:
    """A new draft version of the category's guideline: a copy of its latest version, or
    an empty one if the category has none yet."""
    _require(actor, "visits.guidelines")
    # Lock the category's versions so that two editors cannot both make version N+1.
    versions = list(
        Guideline.objects.select_for_update().filter(category=category).order_by("-number")
    )
    if any(version.status == Guideline.Status.DRAFT for version in versions):
        raise ValidationError(
            _("This category already has a draft version: change it or publish it first.")
        )
    latest = versions[0] if versions else None
    draft = Guideline.objects.create(
        category=category,
        number=(latest.number + 1) if latest else 1,
        title=latest.title
        if latest
        else str(_("%(category)s: visit guideline") % {"category": category.name}),
        notes=latest.notes if latest else "",
        status=Guideline.Status.DRAFT,
    )
    if latest is not None:
        GuidelineItem.objects.bulk_create(
            GuidelineItem(
                guideline=draft,
                **{name: getattr(item, name) for name in ITEM_FIELDS},
                position=item.position,
            )
            for item in latest.items.order_by("position", "id")
        )
    audit.record(
        actor=actor,
        action="guideline.draft_create",
        obj=draft,
        detail={"number": draft.number, "copied_from": latest.pk if latest else None},
    )
    return draft


def _touch(*, guideline: Guideline, values: dict[str, Any], expected_version: int) -> list[str]:
    """Every change to a draft or its items moves the draft's version on, so that two
    editors working from the same version cannot overwrite each other."""
    return _versioned_update(
        model=Guideline, obj=guideline, values=values, expected_version=expected_version
    )


def guideline_update(
    *, actor: Any, guideline: Guideline, data: Mapping[str, Any], expected_version: int
) -> Guideline:
    _require(actor, "visits.guidelines")
    _require_draft(guideline)
    values = _pick(data, GUIDELINE_FIELDS)
    if "title" in values and not str(values["title"]).strip():
        raise ValidationError({"title": _("Give the guideline a title.")})
    with _stale_guarded("guideline.update", guideline, actor, expected_version):
        changed = _touch(guideline=guideline, values=values, expected_version=expected_version)
        audit.record(
            actor=actor, action="guideline.update", obj=guideline, detail={"changed": changed}
        )
    return guideline


def guideline_publish(*, actor: Any, guideline: Guideline, expected_version: int) -> Guideline:
    """Put a draft in use; the version in use until now is retired. Visits that used it
    keep it."""
    _require(actor, "visits.guidelines")
    _require_draft(guideline)
    if not guideline.items.exists():
        raise ValidationError(_("Add at least one item before publishing the guideline."))
    with _stale_guarded("guideline.publish", guideline, actor, expected_version):
        retired = list(
            Guideline.objects.select_for_update()
            .filter(category_id=guideline.category_id, status=Guideline.Status.PUBLISHED)
            .values_list("pk", flat=True)
        )
        Guideline.objects.filter(pk__in=retired).update(status=Guideline.Status.RETIRED)
        _touch(
            guideline=guideline,
            values={"status": Guideline.Status.PUBLISHED, "published_on": timezone.localdate()},
            expected_version=expected_version,
        )
        audit.record(
            actor=actor,
            action="guideline.publish",
            obj=guideline,
            detail={"number": guideline.number, "retired": retired},
        )
    return guideline


@transaction.atomic
def guideline_discard(*, actor: Any, guideline: Guideline) -> None:
    """Throw away a draft that no visit uses."""
    _require(actor, "visits.guidelines")
    _require_draft(guideline)
    if Visit.objects.filter(guideline=guideline).exists():
        raise ValidationError(_("A visit uses this draft; it cannot be thrown away."))
    audit.record(
        actor=actor,
        action="guideline.discard",
        obj=guideline,
        detail={"number": guideline.number, "category": guideline.category_id},
    )
    guideline.delete()


# Writes: items ----------------------------------------------------------------------


def _clean_item(item: GuidelineItem) -> None:
    item.text = item.text.strip()
    if item.kind == GuidelineItem.Kind.REGISTER and not item.register_kind:
        raise ValidationError({"register_kind": _("Say which register is to be checked.")})
    if item.kind != GuidelineItem.Kind.REGISTER:
        item.register_kind = ""
    item.full_clean(exclude=["guideline"], validate_unique=False)


def guideline_item_add(
    *, actor: Any, guideline: Guideline, data: Mapping[str, Any], expected_version: int
) -> GuidelineItem:
    _require(actor, "visits.guidelines")
    _require_draft(guideline)
    item = GuidelineItem(guideline=guideline, **_pick(data, ITEM_FIELDS))
    _clean_item(item)
    with _stale_guarded("guideline.item_add", guideline, actor, expected_version):
        _touch(guideline=guideline, values={}, expected_version=expected_version)
        last = guideline.items.aggregate(last=Max("position"))["last"] or 0
        item.position = last + 1
        item.save()
        audit.record(
            actor=actor, action="guideline.item_add", obj=guideline, detail={"item": item.pk}
        )
    return item


def guideline_item_update(
    *, actor: Any, item: GuidelineItem, data: Mapping[str, Any], expected_version: int
) -> GuidelineItem:
    _require(actor, "visits.guidelines")
    guideline = item.guideline
    _require_draft(guideline)
    values = _pick(data, ITEM_FIELDS)
    candidate = GuidelineItem(pk=item.pk, guideline=guideline, position=item.position)
    for name in ITEM_FIELDS:
        setattr(candidate, name, values.get(name, getattr(item, name)))
    _clean_item(candidate)
    with _stale_guarded("guideline.item_update", guideline, actor, expected_version):
        _touch(guideline=guideline, values={}, expected_version=expected_version)
        changed = [name for name in ITEM_FIELDS if getattr(item, name) != getattr(candidate, name)]
        for name in ITEM_FIELDS:
            setattr(item, name, getattr(candidate, name))
        item.save(update_fields=list(ITEM_FIELDS))
        audit.record(
            actor=actor,
            action="guideline.item_update",
            obj=guideline,
            detail={"item": item.pk, "changed": changed},
        )
    return item


def guideline_item_remove(*, actor: Any, item: GuidelineItem, expected_version: int) -> None:
    _require(actor, "visits.guidelines")
    guideline = item.guideline
    _require_draft(guideline)
    if ChecklistAnswer.objects.filter(item=item).exists():
        raise ValidationError(_("A visit has answered this item; it cannot be removed."))
    with _stale_guarded("guideline.item_remove", guideline, actor, expected_version):
        _touch(guideline=guideline, values={}, expected_version=expected_version)
        audit.record(
            actor=actor, action="guideline.item_remove", obj=guideline, detail={"item": item.pk}
        )
        item.delete()


def guideline_item_move(
    *, actor: Any, item: GuidelineItem, direction: str, expected_version: int
) -> GuidelineItem:
    """Move an item one place up or down the draft (positions are renumbered 1…n)."""
    _require(actor, "visits.guidelines")
    guideline = item.guideline
    _require_draft(guideline)
    if direction not in MOVES:
        raise ValidationError(_("Move an item up or down."))
    with _stale_guarded("guideline.item_move", guideline, actor, expected_version):
        _touch(guideline=guideline, values={}, expected_version=expected_version)
        order = list(guideline.items.order_by("position", "id"))
        index = next(i for i, other in enumerate(order) if other.pk == item.pk)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
        for position, other in enumerate(order, start=1):
            other.position = position
        GuidelineItem.objects.bulk_update(order, ["position"])
        audit.record(
            actor=actor,
            action="guideline.item_move",
            obj=guideline,
            detail={"item": item.pk, "direction": direction},
        )
    item.refresh_from_db()
    return item


# Checklist answers of a visit ---------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    """One item's answer as typed in: one of ChecklistAnswer.Answer (or "" for none) and a
    note that names no one."""

    answer: str
    note: str = ""


def _changeable_visit(actor: Any, visit: Visit) -> None:
    if not Visit.objects.restrict(actor, "change").filter(pk=visit.pk).exists():
        raise PermissionDenied(_("Only the visit's team and the planners may do this."))


@transaction.atomic
def checklist_answers_save(*, actor: Any, visit: Visit, answers: Mapping[int, AnswerInput]) -> int:
    """Save the answers to the visit's checklist, typed in on screen or from the paper
    form; an item left without answer and note is skipped (an earlier answer stays).

    The visit is pinned to the version answered, so that a later version in use never
    detaches its answers. Returns how many answers were written.
    """
    _changeable_visit(actor, visit)
    guideline = guideline_for_visit(visit)
    if guideline is None:
        raise ValidationError(_("No guideline is in use for this category of place."))
    items = set(guideline.items.values_list("pk", flat=True))
    valid = set(ChecklistAnswer.Answer.values) | {""}
    errors = [pk for pk, given in answers.items() if pk not in items or given.answer not in valid]
    if errors:
        raise ValidationError(_("Some answers do not belong to this visit's checklist."))
    given = {pk: a for pk, a in answers.items() if a.answer or a.note.strip()}
    existing = {
        a.item_id: a for a in ChecklistAnswer.objects.filter(visit=visit, item_id__in=given)
    }
    now = timezone.now()
    changed: list[ChecklistAnswer] = []
    created: list[ChecklistAnswer] = []
    for pk, typed in given.items():
        row = existing.get(pk)
        note = typed.note.strip()
        if row is None:
            created.append(
                ChecklistAnswer(
                    visit=visit, item_id=pk, answer=typed.answer, note=note, answered_by=actor
                )
            )
        elif (row.answer, row.note) != (typed.answer, note):
            row.answer, row.note, row.answered_by, row.answered_at = typed.answer, note, actor, now
            changed.append(row)
    ChecklistAnswer.objects.bulk_create(created)
    ChecklistAnswer.objects.bulk_update(changed, ["answer", "note", "answered_by", "answered_at"])
    if visit.guideline_id is None:
        Visit.objects.filter(pk=visit.pk, guideline__isnull=True).update(guideline=guideline)
        visit.guideline = guideline
    audit.record(
        actor=actor,
        action="visit.checklist_answers",
        obj=visit,
        detail={"guideline": guideline.pk, "created": len(created), "changed": len(changed)},
    )
    return len(created) + len(changed)


def answers_of(visit: Visit) -> dict[int, ChecklistAnswer]:
    return {answer.item_id: answer for answer in ChecklistAnswer.objects.filter(visit=visit)}


def guidelines_for_api(*, user: Any) -> QuerySet[Guideline]:
    return (
        Guideline.objects.restrict(user, "view")
        .select_related("category")
        .prefetch_related("items")
    )
