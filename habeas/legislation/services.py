"""Writes of the legislation tracker (¶12, 26, 28, 29): items, assessments against the
benchmarks, opinions in versions, advocacy steps, outcomes, links, and the benchmarks.

Each service is keyword-only, checks the actor's right first, runs in one transaction
and writes one audit event that never holds content (ARCHITECTURE.md rules 1, 5, 6).
Items and opinions are edited from the version the editor read: a stale edit raises
`StaleEdit` and is audited too. Whatever changes an item's priority (its assessments,
kind, procedure or deadline, a benchmark's weight) recomputes it in the same
transaction (`priority.item_priority_refresh`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.cases.models import RegisterEntry
from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.legislation.models import (
    AdvocacyStep,
    Assessment,
    Benchmark,
    BenchmarkGroup,
    Effect,
    LegislationItem,
    Opinion,
    OpinionVersion,
    Outcome,
    Procedure,
)
from habeas.legislation.priority import item_priority_refresh
from habeas.partners.models import Partner
from habeas.places.models import Authority
from habeas.recommendations.models import Recommendation

ITEM_FIELDS = (
    "title",
    "kind",
    "subject",
    "responsible_body",
    "authority",
    "procedure",
    "deadline",
    "official_ref",
    "link",
    "lead",
)
# The fields an item's priority is computed from.
PRIORITY_FIELDS = frozenset({"kind", "procedure", "deadline"})
BENCHMARK_FIELDS = ("group", "title", "source", "guidance", "weight", "active", "position")
REFERENCE_ATTEMPTS = 5
SENT_TO_LENGTH = 300  # Opinion.sent_to


def _in_scope(actor: Any, item: LegislationItem, action: str = "change") -> None:
    """Refuse, as if it did not exist, an item the actor may not reach."""
    if not LegislationItem.objects.restrict(actor, action).filter(pk=item.pk).exists():
        raise PermissionDenied(_("You may not do this."))


def _lock(item: LegislationItem) -> None:
    """Hold the item's row until the end of the transaction, so that two writes that
    each recompute its priority do not miss each other's change."""
    LegislationItem.objects.select_for_update().filter(pk=item.pk).values_list("pk").first()


def _bump(model: type[Any], obj: Any) -> None:
    """A write that takes no expected version still moves the version on, so an edit
    begun before it is refused rather than silently overwriting it."""
    model.objects.filter(pk=obj.pk).update(version=F("version") + 1, updated_at=timezone.now())
    obj.refresh_from_db(fields=["version", "updated_at"])


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else value


# -- items ------------------------------------------------------------------------------------


def _check_item(actor: Any, values: Mapping[str, Any]) -> None:
    """Refuse an authority the actor may not see and a lead who may not follow the item."""
    errors: dict[str, str] = {}
    authority = values.get("authority")
    if (
        authority is not None
        and not Authority.objects.restrict(actor, "view").filter(pk=authority.pk).exists()
    ):
        errors["authority"] = _("Choose one from the list.")
    lead = values.get("lead")
    if lead is not None and not roles.can(lead, "legislation.change"):
        errors["lead"] = _("The lead must be a member of the NPM who may work on legislation.")
    if errors:
        raise ValidationError(errors)


def _clean_item(candidate: LegislationItem) -> None:
    candidate.full_clean(
        exclude=["reference", "created_by", "priority", "priority_reasons"],
        validate_unique=False,
        validate_constraints=False,
    )


def _next_reference() -> str:
    """L-2026-001, L-2026-002…: sequential per year; past 999 the numbers grow longer."""
    stem = f"L-{timezone.localdate().year}-"
    last = (
        LegislationItem.objects.filter(reference__startswith=stem)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:03d}"


def _insert(item: LegislationItem) -> None:
    """Insert under the next free reference; two items made at once retry the later."""
    for attempt in range(REFERENCE_ATTEMPTS):
        item.reference = _next_reference()
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
        else:
            return


@transaction.atomic
def item_create(
    *,
    actor: Any,
    title: str,
    kind: str,
    subject: str,
    responsible_body: str = "",
    authority: Authority | None = None,
    procedure: str = Procedure.IDENTIFIED,
    deadline: dt.date | None = None,
    official_ref: str = "",
    link: str = "",
    lead: Any = None,
) -> LegislationItem:
    """Start following a law, a bill or a gap in the law; numbered L-<year>-<nnn>."""
    require(actor, "legislation.change")
    values: dict[str, Any] = {
        "title": _text(title),
        "kind": kind,
        "subject": _text(subject),
        "responsible_body": _text(responsible_body),
        "authority": authority,
        "procedure": procedure,
        "deadline": deadline,
        "official_ref": _text(official_ref),
        "link": _text(link),
        "lead": lead,
    }
    _check_item(actor, values)
    item = LegislationItem(**values, created_by=actor)
    _clean_item(item)
    _insert(item)
    item_priority_refresh(item)
    audit.record(
        actor=actor,
        action="legislation.item_create",
        obj=item,
        detail={"kind": item.kind, "procedure": item.procedure},
    )
    return item


def item_update(
    *, actor: Any, item: LegislationItem, expected_version: int, **fields: Any
) -> LegislationItem:
    """Edit an item's description, procedure or deadline from the version read.

    The outcome and the links have their own services; any other name is refused."""
    require(actor, "legislation.change")
    _in_scope(actor, item)
    unknown = sorted(set(fields) - set(ITEM_FIELDS))
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    values = {name: _text(value) for name, value in fields.items()}
    _check_item(actor, {k: v for k, v in values.items() if getattr(item, k) != v})
    candidate = LegislationItem(
        **{**{name: getattr(item, name) for name in ITEM_FIELDS}, **values},
        created_by_id=item.created_by_id,
    )
    _clean_item(candidate)
    with stale_guarded("legislation.item_update", item, actor, expected_version):
        changed = versioned_update(
            model=LegislationItem, obj=item, values=values, expected_version=expected_version
        )
        if PRIORITY_FIELDS.intersection(changed):
            item_priority_refresh(item)
        audit.record(
            actor=actor, action="legislation.item_update", obj=item, detail={"fields": changed}
        )
    return item


@transaction.atomic
def outcome_record(
    *, actor: Any, item: LegislationItem, outcome: str, note: str = ""
) -> LegislationItem:
    """Record what became of the NPM's proposals: adopted as proposed, partly, not."""
    require(actor, "legislation.change")
    _in_scope(actor, item)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the outcomes.")})
    _lock(item)
    note = _text(note) or ""
    LegislationItem.objects.filter(pk=item.pk).update(outcome=outcome, outcome_note=note)
    _bump(LegislationItem, item)
    item.outcome, item.outcome_note = outcome, note
    audit.record(
        actor=actor, action="legislation.outcome_record", obj=item, detail={"outcome": outcome}
    )
    return item


def _visible_part(
    actor: Any, model: type[Any], chosen: Iterable[Any], field: str
) -> tuple[set[int], set[int]]:
    """The ids chosen, all of which the actor must see, and those the actor sees."""
    wanted = {record.pk for record in chosen}
    seen = set(
        model.objects.restrict(actor, "view").filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if seen != wanted:
        raise ValidationError({field: _("One of the records chosen is not yours to link.")})
    return wanted, seen


@transaction.atomic
def links_set(
    *,
    actor: Any,
    item: LegislationItem,
    recommendations: Iterable[Recommendation] | None = None,
    register_entries: Iterable[RegisterEntry] | None = None,
) -> LegislationItem:
    """Link the item to systemic recommendations and allegations register entries (for
    example prosecutions that classify torture as a lesser offence).

    Only records the actor may see can be linked; links to records the actor cannot see
    are kept as they are, so no one unlinks what they do not know of. None leaves a kind
    of link unchanged."""
    require(actor, "legislation.change")
    _in_scope(actor, item)
    _lock(item)
    detail: dict[str, int] = {}
    for name, model, chosen in (
        ("recommendations", Recommendation, recommendations),
        ("register_entries", RegisterEntry, register_entries),
    ):
        if chosen is None:
            continue
        wanted, _seen = _visible_part(actor, model, chosen, name)
        relation = getattr(item, name)
        visible_now = set(
            model.objects.restrict(actor, "view")
            .filter(pk__in=relation.values("pk"))
            .values_list("pk", flat=True)
        )
        hidden_now = set(relation.values_list("pk", flat=True)) - visible_now
        relation.set(wanted | hidden_now)
        detail[name] = len(wanted)
    audit.record(actor=actor, action="legislation.links_set", obj=item, detail=detail)
    return item


# -- assessments ------------------------------------------------------------------------------


@transaction.atomic
def assessment_set(
    *, actor: Any, item: LegislationItem, benchmark: Benchmark, effect: str, note: str = ""
) -> Assessment:
    """Say what the item does to one benchmark, and why; its priority follows."""
    require(actor, "legislation.change")
    _in_scope(actor, item)
    if not Benchmark.objects.filter(pk=benchmark.pk, active=True).exists():
        raise ValidationError({"benchmark": _("This benchmark is no longer in use.")})
    if effect not in Effect.values:
        raise ValidationError({"effect": _("Choose one of the effects.")})
    _lock(item)
    assessment, created = Assessment.objects.update_or_create(
        item=item,
        benchmark=benchmark,
        defaults={"effect": effect, "note": _text(note) or "", "assessed_by": actor},
    )
    item_priority_refresh(item)
    audit.record(
        actor=actor,
        action="legislation.assessment_set",
        obj=item,
        detail={"benchmark": benchmark.code, "effect": effect, "created": created},
    )
    return assessment


@transaction.atomic
def assessment_clear(*, actor: Any, item: LegislationItem, benchmark: Benchmark) -> None:
    """Withdraw the item's assessment against one benchmark; its priority follows."""
    require(actor, "legislation.change")
    _in_scope(actor, item)
    _lock(item)
    deleted, _rows = Assessment.objects.filter(item=item, benchmark=benchmark).delete()
    if not deleted:
        raise ValidationError({"benchmark": _("The item was not assessed against it.")})
    item_priority_refresh(item)
    audit.record(
        actor=actor,
        action="legislation.assessment_clear",
        obj=item,
        detail={"benchmark": benchmark.code},
    )


# -- opinions ---------------------------------------------------------------------------------


def _opinion_in_scope(actor: Any, opinion: Opinion, action: str) -> None:
    if not Opinion.objects.restrict(actor, action).filter(pk=opinion.pk).exists():
        raise PermissionDenied(_("You may not do this."))


def _required(values: Mapping[str, Any]) -> None:
    missing = {name: _("This field is required.") for name, value in values.items() if not value}
    if missing:
        raise ValidationError(missing)


@transaction.atomic
def opinion_create(*, actor: Any, item: LegislationItem, title: str, text: str) -> Opinion:
    """Draft an opinion of the NPM on an item; its text is kept as version 1."""
    require(actor, "legislation.change")
    _in_scope(actor, item)
    title, text = _text(title), _text(text)
    _required({"title": title, "text": text})
    opinion = Opinion(item=item, title=title, text=text, author=actor)
    opinion.full_clean(exclude=["item", "author"])
    opinion.save()
    OpinionVersion.objects.create(opinion=opinion, number=1, text=text, saved_by=actor)
    audit.record(actor=actor, action="legislation.opinion_create", obj=opinion)
    return opinion


def opinion_revise(
    *,
    actor: Any,
    opinion: Opinion,
    text: str,
    title: str | None = None,
    expected_version: int,
) -> Opinion:
    """Save a new text of a draft opinion from the version read; every text is kept.

    A sent opinion keeps its words: write a new one instead."""
    require(actor, "legislation.change")
    _opinion_in_scope(actor, opinion, "change")
    if opinion.state == Opinion.State.SENT:
        raise ValidationError(
            {"text": _("This opinion was sent and keeps its words; write a new one instead.")}
        )
    values = {"text": _text(text)}
    if title is not None:
        values["title"] = _text(title)
    _required(values)
    candidate = Opinion(
        item_id=opinion.item_id, author_id=opinion.author_id, **{"title": opinion.title, **values}
    )
    candidate.full_clean(exclude=["item", "author"])
    with stale_guarded("legislation.opinion_revise", opinion, actor, expected_version):
        changed = versioned_update(
            model=Opinion,
            obj=opinion,
            values=values,
            expected_version=expected_version,
        )
        number = None
        if "text" in changed:
            last = opinion.versions.aggregate(last=Max("number"))["last"] or 0
            number = last + 1
            OpinionVersion.objects.create(
                opinion=opinion, number=number, text=opinion.text, saved_by=actor
            )
        audit.record(
            actor=actor,
            action="legislation.opinion_revise",
            obj=opinion,
            detail={"fields": changed, "text_version": number},
        )
    return opinion


@transaction.atomic
def opinion_send(*, actor: Any, opinion: Opinion, sent_on: dt.date | None, sent_to: str) -> Opinion:
    """Record that the opinion went out, when and to whom; from then on it is fixed."""
    require(actor, "legislation.send")
    _opinion_in_scope(actor, opinion, "send")
    locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
    if locked.state == Opinion.State.SENT:
        raise ValidationError({"sent_on": _("This opinion was already sent.")})
    sent_on = sent_on or timezone.localdate()
    errors = {}
    if sent_on > timezone.localdate():
        errors["sent_on"] = _("The date of sending cannot be in the future.")
    sent_to = _text(sent_to) or ""
    if not sent_to:
        errors["sent_to"] = _("Say to whom it was sent.")
    elif len(sent_to) > SENT_TO_LENGTH:
        errors["sent_to"] = _("This is too long.")
    if errors:
        raise ValidationError(errors)
    Opinion.objects.filter(pk=opinion.pk).update(
        state=Opinion.State.SENT, sent_on=sent_on, sent_to=sent_to
    )
    _bump(Opinion, opinion)
    opinion.state, opinion.sent_on, opinion.sent_to = Opinion.State.SENT, sent_on, sent_to
    audit.record(
        actor=actor,
        action="legislation.opinion_send",
        obj=opinion,
        detail={"sent_on": sent_on.isoformat()},
    )
    return opinion


# -- advocacy ---------------------------------------------------------------------------------


@transaction.atomic
def step_add(
    *,
    actor: Any,
    item: LegislationItem,
    kind: str,
    held_on: dt.date,
    with_whom: str = "",
    partners: Iterable[Partner] = (),
    summary: str = "",
    result: str = "",
) -> AdvocacyStep:
    """Record a meeting, a hearing, a letter to parliamentarians, a joint statement…
    Partners named must be ones the actor may see."""
    require(actor, "legislation.change")
    _in_scope(actor, item)
    partners = list(partners)
    if partners:
        _visible_part(actor, Partner, partners, "partners")
    step = AdvocacyStep(
        item=item,
        kind=kind,
        held_on=held_on,
        with_whom=_text(with_whom) or "",
        summary=_text(summary) or "",
        result=_text(result) or "",
        recorded_by=actor,
    )
    step.full_clean(exclude=["item", "recorded_by"])
    step.save()
    if partners:
        step.partners.set(partners)
    audit.record(
        actor=actor,
        action="legislation.step_add",
        obj=step,
        detail={"item": item.pk, "kind": kind, "partners": len(partners)},
    )
    return step


# -- benchmarks -------------------------------------------------------------------------------


def _check_benchmark(benchmark: Benchmark) -> None:
    errors = {}
    weight = benchmark.weight
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 5:
        errors["weight"] = _("The weight goes from 1 (a formality) to 5 (the gravest).")
    if benchmark.group not in BenchmarkGroup.values:
        errors["group"] = _("Choose one of the standards.")
    if errors:
        raise ValidationError(errors)
    benchmark.full_clean(validate_constraints=False)


@transaction.atomic
def benchmark_create(
    *,
    actor: Any,
    code: str,
    group: str,
    title: str,
    source: str = "",
    guidance: str = "",
    weight: int = 3,
) -> Benchmark:
    """Add a line to the checklists; it comes last in its list."""
    require(actor, "legislation.benchmarks")
    last = Benchmark.objects.aggregate(last=Max("position"))["last"] or 0
    benchmark = Benchmark(
        code=_text(code),
        group=group,
        title=_text(title),
        source=_text(source) or "",
        guidance=_text(guidance) or "",
        weight=weight,
        position=min(last + 10, 32767),
    )
    _check_benchmark(benchmark)
    benchmark.save()
    audit.record(
        actor=actor,
        action="legislation.benchmark_create",
        obj=benchmark,
        detail={"code": benchmark.code, "weight": benchmark.weight},
    )
    return benchmark


@transaction.atomic
def benchmark_update(*, actor: Any, benchmark: Benchmark, **fields: Any) -> Benchmark:
    """Change a benchmark's words, weight, place in the list, or take it out of use; the
    priorities of the items assessed against it are recomputed. Its code stays."""
    require(actor, "legislation.benchmarks")
    if "code" in fields and fields.pop("code") != benchmark.code:
        raise ValidationError({"code": _("The code of a benchmark does not change.")})
    unknown = sorted(set(fields) - set(BENCHMARK_FIELDS))
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    locked = Benchmark.objects.select_for_update().get(pk=benchmark.pk)
    values = {name: _text(value) for name, value in fields.items()}
    for name, value in values.items():
        setattr(locked, name, value)
    _check_benchmark(locked)
    changed = [name for name, value in values.items() if getattr(benchmark, name) != value]
    locked.save()
    for name in BENCHMARK_FIELDS:
        setattr(benchmark, name, getattr(locked, name))
    if {"weight", "active", "title"}.intersection(changed):
        assessed = LegislationItem.objects.filter(assessments__benchmark=locked).distinct()
        for item in assessed.order_by("pk"):
            item_priority_refresh(item)
    audit.record(
        actor=actor,
        action="legislation.benchmark_update",
        obj=benchmark,
        detail={"fields": changed},
    )
    return benchmark
