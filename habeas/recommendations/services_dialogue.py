"""Writes of the dialogue with authorities: exchanges and their files, the mapping of a
letter onto the recommendations it answers, and action plans (¶2, 22, 31a).

Each service is keyword-only, checks the actor's right first, runs in one transaction and
writes audit events that never hold content (ARCHITECTURE.md rules 1, 5, 6). Responses
are written by `services.response_add`, shared with the recommendation's own page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.places import archive
from habeas.places.models import Authority
from habeas.recommendations import services
from habeas.recommendations.models import (
    ActionPlan,
    Commitment,
    Exchange,
    ExchangeAttachment,
    Recommendation,
    Response,
)

EXCHANGE_FIELDS = (
    "authority",
    "kind",
    "direction",
    "occurred_on",
    "subject",
    "their_reference",
    "participants",
    "summary",
)
PLAN_FIELDS = ("authority", "title", "adopted_on", "exchange")
COMMITMENT_FIELDS = ("recommendation", "text", "due_on", "done_on")
# Letters and e-mails are things that happened; a meeting or roundtable may be planned.
WRITTEN = (Exchange.Kind.LETTER, Exchange.Kind.EMAIL)
MAX_ATTACHMENTS = 50
PASSAGE_LIMIT = 20000
DIALOGUE = "recommendations.dialogue"


def _pick(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    return {name: data[name] for name in allowed if name in data}


def _reachable(actor: Any, model: Any, pk: Any, action: str = "dialogue") -> None:
    """Refuse, as if it did not exist, a record the actor may not reach."""
    if not model.objects.restrict(actor, action).filter(pk=pk).exists():
        raise PermissionDenied(_("You may not do this."))


def _check_authority(actor: Any, authority: Authority | None) -> None:
    if authority is not None and not (
        Authority.objects.restrict(actor, "view").filter(pk=authority.pk).exists()
    ):
        raise ValidationError({"authority": _("Choose an authority from the list.")})


def _clean_text(values: dict[str, Any]) -> None:
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()


# -- exchanges ----------------------------------------------------------------------------


def _check_exchange(values: Mapping[str, Any]) -> None:
    kind, direction = values.get("kind"), values.get("direction")
    if kind in WRITTEN and direction == Exchange.Direction.MUTUAL:
        raise ValidationError({"direction": _("A letter or an e-mail is either received or sent.")})
    occurred_on = values.get("occurred_on")
    if kind in WRITTEN and occurred_on and occurred_on > timezone.localdate():
        raise ValidationError(
            {"occurred_on": _("A letter or an e-mail cannot be dated in the future.")}
        )


@transaction.atomic
def exchange_create(*, actor: Any, data: Mapping[str, Any]) -> Exchange:
    """Log a letter, e-mail, meeting, call or roundtable with an authority."""
    require(actor, DIALOGUE)
    values = _pick(data, EXCHANGE_FIELDS)
    _clean_text(values)
    _check_authority(actor, values.get("authority"))
    _check_exchange(values)
    exchange = Exchange(**values, created_by=actor)
    exchange.full_clean()
    exchange.save()
    audit.record(
        actor=actor,
        action="exchange.create",
        obj=exchange,
        detail={"authority": exchange.authority_id, "kind": exchange.kind},
    )
    return exchange


def exchange_update(
    *, actor: Any, exchange: Exchange, data: Mapping[str, Any], expected_version: int
) -> Exchange:
    """Correct an exchange; a stale edit raises StaleEdit (409 with the user's text)."""
    require(actor, DIALOGUE)
    _reachable(actor, Exchange, exchange.pk)
    values = _pick(data, EXCHANGE_FIELDS)
    _clean_text(values)
    if "authority" in values and values["authority"] != exchange.authority:
        _check_authority(actor, values["authority"])
    merged = {**{f: getattr(exchange, f) for f in EXCHANGE_FIELDS}, **values}
    _check_exchange(merged)
    Exchange(**merged, created_by_id=exchange.created_by_id).full_clean()
    with stale_guarded("exchange.update", exchange, actor, expected_version):
        changed = versioned_update(
            model=Exchange, obj=exchange, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="exchange.update", obj=exchange, detail={"fields": changed}
        )
    return exchange


def exchange_attachment_add(*, actor: Any, exchange: Exchange, upload: Any) -> ExchangeAttachment:
    """File a letter's scan or a meeting's minutes with the exchange.

    Checked and stored as the places' archive does (same size and type limits, random
    name with no extension); a failed write leaves no file behind.
    """
    require(actor, DIALOGUE)
    _reachable(actor, Exchange, exchange.pk)
    if exchange.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            {"upload": _("An exchange holds at most %(count)d files.") % {"count": MAX_ATTACHMENTS}}
        )
    checked = archive.check_upload(upload)
    stored_name = archive.store(upload)
    try:
        with transaction.atomic():
            attachment = ExchangeAttachment.objects.create(
                exchange=exchange,
                original_name=checked.original_name,
                stored_name=stored_name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            audit.record(
                actor=actor,
                action="exchange_attachment.add",
                obj=attachment,
                detail={"exchange": exchange.pk, "size": checked.size, "sha256": checked.sha256},
            )
    except BaseException:
        archive.discard(stored_name)
        raise
    return attachment


def exchange_attachment_open(*, actor: Any, attachment: ExchangeAttachment) -> IO[bytes]:
    """Open a file for download, after checking the actor may see its exchange (audited)."""
    _reachable(actor, ExchangeAttachment, attachment.pk, "view")
    audit.record(
        actor=actor,
        action="exchange_attachment.download",
        obj=attachment,
        detail={"exchange": attachment.exchange_id},
    )
    return archive.open_stored(attachment.stored_name)


# -- mapping a letter onto the recommendations it answers ---------------------------------


@dataclass(frozen=True)
class MapEntry:
    """One recommendation a letter answers: its status and the passage that says so."""

    recommendation: Recommendation
    status: str
    passage: str = ""
    responded_on: dt.date | None = None


class MappingRefused(ValidationError):
    """Nothing was written; `entry_errors` says, entry by entry, what is wrong."""

    def __init__(self, entry_errors: dict[int, list[str]], entries: Sequence[MapEntry]):
        messages = [
            f"{entries[index].recommendation.reference}: {message}"
            for index, problems in sorted(entry_errors.items())
            for message in problems
        ]
        super().__init__(messages)
        self.entry_errors = entry_errors


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _entry_errors(
    actor: Any, exchange: Exchange, entries: Sequence[MapEntry]
) -> tuple[dict[int, list[str]], dict[int, Recommendation]]:
    ids = [entry.recommendation.pk for entry in entries]
    rows = {
        row.pk: row
        for row in Recommendation.objects.restrict(actor, "dialogue")
        .filter(pk__in=ids)
        .select_for_update()
    }
    errors: dict[int, list[str]] = {}
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        pk = entry.recommendation.pk
        row = rows.get(pk)
        if row is None:
            errors[index] = [_("No recommendation you may record a response to.")]
            continue
        if pk in seen:
            errors[index] = [_("This recommendation is listed twice.")]
            continue
        seen.add(pk)
        if len(entry.passage) > PASSAGE_LIMIT:
            errors[index] = [_("The passage is too long: quote at most 20,000 characters.")]
            continue
        try:
            services.check_response(row, entry.status, entry.responded_on or exchange.occurred_on)
        except ValidationError as error:
            errors[index] = _messages(error)
    return errors, rows


def _changed(response: Response, entry: MapEntry, responded_on: dt.date) -> bool:
    return (
        response.status != entry.status
        or response.passage != entry.passage.strip()
        or response.responded_on != responded_on
    )


@transaction.atomic
def letter_map(*, actor: Any, exchange: Exchange, entries: Sequence[MapEntry]) -> list[Response]:
    """Record, from one letter (or meeting), the authority's response to each of many
    recommendations, with the passage that gives it (¶22).

    All or nothing: one bad entry and nothing is written; `MappingRefused` says what is
    wrong with each. A recommendation this letter already answered has its response
    corrected rather than repeated. One audit event per recommendation, never content.
    """
    require(actor, DIALOGUE)
    _reachable(actor, Exchange, exchange.pk)
    if exchange.direction == Exchange.Direction.OUTGOING:
        raise ValidationError(
            _("This exchange was sent by the NPM: record the responses from the authority's reply.")
        )
    if not entries:
        raise ValidationError(_("Choose a response for at least one recommendation."))
    errors, rows = _entry_errors(actor, exchange, entries)
    if errors:
        raise MappingRefused(errors, entries)
    earlier = {r.recommendation_id: r for r in exchange.responses.order_by("id")}
    written: list[Response] = []
    events = []
    for entry in entries:
        row = rows[entry.recommendation.pk]
        responded_on = entry.responded_on or exchange.occurred_on
        previous = earlier.get(row.pk)
        if previous is not None:
            if not _changed(previous, entry, responded_on):
                written.append(previous)
                continue
            response = _correct(previous, entry, responded_on)
            action = "recommendation.response_correct"
        else:
            response = services.response_add(
                recommendation=row,
                actor=actor,
                status=entry.status,
                responded_on=responded_on,
                passage=entry.passage,
                exchange=exchange,
            )
            action = "recommendation.response"
        written.append(response)
        detail = {"status": entry.status, "exchange": exchange.pk}
        events.append(audit.event(actor=actor, action=action, obj=row, detail=detail))
    if events:
        audit.record_many(events)
    return written


def _correct(response: Response, entry: MapEntry, responded_on: dt.date) -> Response:
    Response.objects.filter(pk=response.pk).update(
        status=entry.status, passage=entry.passage.strip(), responded_on=responded_on
    )
    response.refresh_from_db()
    services._refresh_latest_response(response.recommendation)
    return response


# -- action plans -------------------------------------------------------------------------


def _check_plan(actor: Any, values: Mapping[str, Any]) -> None:
    _check_authority(actor, values.get("authority"))
    exchange = values.get("exchange")
    if (
        exchange is not None
        and not Exchange.objects.restrict(actor, "view").filter(pk=exchange.pk).exists()
    ):
        raise ValidationError({"exchange": _("Choose an exchange from the list.")})
    adopted_on = values.get("adopted_on")
    if adopted_on and adopted_on > timezone.localdate():
        raise ValidationError({"adopted_on": _("The date cannot be in the future.")})


@transaction.atomic
def action_plan_create(*, actor: Any, data: Mapping[str, Any]) -> ActionPlan:
    """Record an authority's action plan; its commitments are added one by one."""
    require(actor, DIALOGUE)
    values = _pick(data, PLAN_FIELDS)
    _clean_text(values)
    _check_plan(actor, values)
    plan = ActionPlan(**values, created_by=actor)
    plan.full_clean()
    plan.save()
    audit.record(
        actor=actor,
        action="action_plan.create",
        obj=plan,
        detail={"authority": plan.authority_id, "exchange": plan.exchange_id},
    )
    return plan


def action_plan_update(
    *, actor: Any, plan: ActionPlan, data: Mapping[str, Any], expected_version: int
) -> ActionPlan:
    require(actor, DIALOGUE)
    _reachable(actor, ActionPlan, plan.pk)
    values = _pick(data, PLAN_FIELDS)
    _clean_text(values)
    changing = {k: v for k, v in values.items() if v != getattr(plan, k)}
    _check_plan(actor, changing)
    merged = {**{f: getattr(plan, f) for f in PLAN_FIELDS}, **values}
    ActionPlan(**merged, created_by_id=plan.created_by_id).full_clean()
    with stale_guarded("action_plan.update", plan, actor, expected_version):
        changed = versioned_update(
            model=ActionPlan, obj=plan, values=values, expected_version=expected_version
        )
        audit.record(actor=actor, action="action_plan.update", obj=plan, detail={"fields": changed})
    return plan


def _check_commitment(actor: Any, values: Mapping[str, Any]) -> None:
    recommendation = values.get("recommendation")
    if recommendation is not None and not (
        Recommendation.objects.restrict(actor, "dialogue").filter(pk=recommendation.pk).exists()
    ):
        raise ValidationError({"recommendation": _("Choose a recommendation from the list.")})
    done_on = values.get("done_on")
    if done_on and done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})


@transaction.atomic
def commitment_add(*, actor: Any, plan: ActionPlan, data: Mapping[str, Any]) -> Commitment:
    """Add one dated commitment to a plan, optionally answering a recommendation."""
    require(actor, DIALOGUE)
    _reachable(actor, ActionPlan, plan.pk)
    values = _pick(data, COMMITMENT_FIELDS)
    _clean_text(values)
    _check_commitment(actor, values)
    commitment = Commitment(**values, plan=plan)
    commitment.full_clean()
    commitment.save()
    audit.record(
        actor=actor,
        action="commitment.add",
        obj=commitment,
        detail={"plan": plan.pk, "recommendation": commitment.recommendation_id},
    )
    return commitment


def commitment_update(
    *, actor: Any, commitment: Commitment, data: Mapping[str, Any], expected_version: int
) -> Commitment:
    """Change a commitment: its date moved, or recorded as done."""
    require(actor, DIALOGUE)
    _reachable(actor, Commitment, commitment.pk)
    values = _pick(data, COMMITMENT_FIELDS)
    _clean_text(values)
    changing = {k: v for k, v in values.items() if v != getattr(commitment, k)}
    _check_commitment(actor, changing)
    merged = {**{f: getattr(commitment, f) for f in COMMITMENT_FIELDS}, **values}
    Commitment(**merged, plan_id=commitment.plan_id).full_clean()
    with stale_guarded("commitment.update", commitment, actor, expected_version):
        changed = versioned_update(
            model=Commitment, obj=commitment, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="commitment.update",
            obj=commitment,
            detail={"plan": commitment.plan_id, "fields": changed},
        )
    return commitment
