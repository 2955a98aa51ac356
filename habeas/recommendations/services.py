"""Writes of a recommendation's life: drafted, sent, answered, verified (¶20–24, 31a).

Each service is keyword-only, checks the actor's right first, runs in one transaction and
writes audit events that never hold content (ARCHITECTURE.md rules 1, 5, 6). The dialogue
(letters, action plans), imports and the follow-up jobs have their own modules and call
`response_record` and `verification_record` from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.places.models import Authority, PlaceDocument
from habeas.recommendations.models import (
    SETTLED,
    Exchange,
    FollowUpRule,
    Implementation,
    Level,
    Origin,
    Priority,
    Recommendation,
    Response,
    ResponseStatus,
    Verification,
)
from habeas.visits.models import Finding, UrgentDraft, Visit

DRAFT_FIELDS = (
    "text",
    "origin",
    "source_ref",
    "visit",
    "place",
    "addressee",
    "level",
    "theme",
    "root_cause",
    "priority",
    "deadline",
    "liaison",
    "owner",
)
# What may still change once a recommendation is sent: its follow-up, not its words.
SENT_FIELDS = ("priority", "deadline", "liaison", "owner")

LEVEL_OF_AUTHORITY = {
    Authority.Kind.FACILITY: Level.FACILITY,
    Authority.Kind.SUPERVISORY: Level.SUPERVISORY,
    Authority.Kind.MINISTRY: Level.NATIONAL,
    Authority.Kind.PARLIAMENT: Level.LEGISLATIVE,
}


def _pick(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    return {name: data[name] for name in allowed if name in data}


def _in_scope(actor: Any, recommendation: Recommendation, action: str) -> None:
    """Refuse, as if it did not exist, a recommendation the actor may not reach."""
    scoped = Recommendation.objects.restrict(actor, action).filter(pk=recommendation.pk)
    if not scoped.exists():
        raise PermissionDenied(_("You may not do this."))


# -- drafting -----------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"R-{year}-"
    last = (
        Recommendation.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _save_with_reference(recommendation: Recommendation) -> None:
    """Number it R-<year>-<nnnnn>; retry if another draft took the number meanwhile."""
    year = timezone.localdate().year
    for _attempt in range(5):
        recommendation.reference = _next_reference(year)
        try:
            with transaction.atomic():
                recommendation.save()
            return
        except IntegrityError:
            if Recommendation.objects.filter(reference=recommendation.reference).exists():
                continue
            raise
    raise ValidationError(_("Could not number the recommendation; try again."))


def _check_visit(actor: Any, visit: Visit | None) -> None:
    if (
        visit is not None
        and not Visit.objects.restrict(actor, "change").filter(pk=visit.pk).exists()
    ):
        raise ValidationError({"visit": _("You may not add recommendations to this visit.")})


def _check_findings(actor: Any, values: Mapping[str, Any], findings: Sequence[Finding]) -> None:
    """Findings linked must be visible to the drafter and from the same visit or place."""
    if not findings:
        return
    visible = set(
        Finding.objects.restrict(actor, "view")
        .filter(pk__in=[f.pk for f in findings])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({f.pk for f in findings}):
        raise ValidationError({"findings": _("One of the findings is not yours to link.")})
    visit, place = values.get("visit"), values.get("place")
    for finding in findings:
        if visit is not None and finding.visit_id == visit.pk:
            continue
        if place is not None and finding.visit.place_id == place.pk:
            continue
        if visit is None and place is None:
            continue
        raise ValidationError(
            {"findings": _("A linked finding must come from the same visit or place.")}
        )


def _defaults(values: dict[str, Any]) -> None:
    """Fill what follows from what was given: the place of the visit, the level of the
    addressee, and for an urgent recommendation a short deadline and the liaison."""
    visit = values.get("visit")
    if visit is not None and values.get("place") is None:
        values["place"] = visit.place
    addressee = values.get("addressee")
    if addressee is not None and not values.get("level"):
        values["level"] = LEVEL_OF_AUTHORITY.get(addressee.kind, "")
    if values.get("priority") == Priority.URGENT:
        rule = FollowUpRule.current()
        if values.get("deadline") is None:
            values["deadline"] = timezone.localdate() + dt.timedelta(days=rule.urgent_days)
        if not values.get("liaison") and addressee is not None:
            values["liaison"] = addressee.urgent_contact


@transaction.atomic
def recommendation_draft(
    *, actor: Any, data: Mapping[str, Any], findings: Sequence[Finding] = ()
) -> Recommendation:
    """Draft a recommendation. The quality check (`quality`) advises; it never blocks."""
    require(actor, "recommendations.draft")
    values = _pick(data, DRAFT_FIELDS)
    values.setdefault("origin", Origin.OWN_VISIT if values.get("visit") else Origin.OTHER)
    _check_visit(actor, values.get("visit"))
    _defaults(values)
    _check_findings(actor, values, findings)
    values.setdefault("owner", actor)
    recommendation = Recommendation(**values, created_by=actor, state=Recommendation.State.DRAFT)
    recommendation.reference = "R-pending"
    recommendation.full_clean(exclude=["reference"])
    _save_with_reference(recommendation)
    if not Recommendation.objects.restrict(actor, "view").filter(pk=recommendation.pk).exists():
        # An external expert sees only their visits' recommendations: one of theirs.
        raise ValidationError({"visit": _("Choose one of your visits.")})
    if findings:
        recommendation.findings.set(findings)
    audit.record(
        actor=actor,
        action="recommendation.draft",
        obj=recommendation,
        detail={"findings": len(findings), "origin": recommendation.origin},
    )
    return recommendation


def recommendation_update(
    *,
    actor: Any,
    recommendation: Recommendation,
    data: Mapping[str, Any],
    expected_version: int,
    findings: Sequence[Finding] | None = None,
) -> Recommendation:
    """Edit a draft; once sent, only its priority, deadline, liaison and officer."""
    if recommendation.state == Recommendation.State.DRAFT:
        require(actor, "recommendations.draft")
        _in_scope(actor, recommendation, "change")
        values = _pick(data, DRAFT_FIELDS)
        if "visit" in values and values["visit"] != recommendation.visit:
            _check_visit(actor, values["visit"])
    else:
        require(actor, "recommendations.send")
        _in_scope(actor, recommendation, "send")
        values = _pick(data, SENT_FIELDS)
        findings = None
    merged = {**{f: getattr(recommendation, f) for f in DRAFT_FIELDS}, **values}
    if merged.get("priority") == Priority.URGENT and recommendation.priority != Priority.URGENT:
        _defaults(merged)
        values.update({k: merged[k] for k in ("deadline", "liaison") if k in merged})
    if findings is not None:
        _check_findings(actor, merged, findings)
    candidate = Recommendation(**merged, created_by_id=recommendation.created_by_id)
    candidate.reference = recommendation.reference
    candidate.full_clean(exclude=["reference"], validate_unique=False)
    with stale_guarded("recommendation.update", recommendation, actor, expected_version):
        changed = versioned_update(
            model=Recommendation,
            obj=recommendation,
            values=values,
            expected_version=expected_version,
        )
        if findings is not None:
            before = set(recommendation.findings.values_list("pk", flat=True))
            recommendation.findings.set(findings)
            if before != {f.pk for f in findings}:
                changed.append("findings")
        audit.record(
            actor=actor,
            action="recommendation.update",
            obj=recommendation,
            detail={"fields": changed},
        )
    return recommendation


def response_due_on(
    recommendation: Recommendation, sent_on: dt.date, rule: FollowUpRule | None = None
) -> dt.date:
    """The statutory response deadline of the addressee, or the NPM's default; an urgent
    recommendation is answered by its own (short) deadline when that comes first. Bulk
    callers pass the `rule` they loaded once."""
    rule = rule or FollowUpRule.current()
    addressee = recommendation.addressee
    days = (addressee.response_days if addressee else None) or rule.default_response_days
    due = sent_on + dt.timedelta(days=days)
    if recommendation.priority == Priority.URGENT and recommendation.deadline:
        due = min(due, recommendation.deadline)
    return due


@transaction.atomic
def recommendation_send(
    *, actor: Any, recommendations: Sequence[Recommendation], sent_on: dt.date | None = None
) -> list[Recommendation]:
    """Send drafts to their addressees: dated, with the response deadline they owe."""
    require(actor, "recommendations.send")
    sent_on = sent_on or timezone.localdate()
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The date of sending cannot be in the future.")})
    ids = [r.pk for r in recommendations]
    reachable = Recommendation.objects.restrict(actor, "send").filter(pk__in=ids)
    # `of=("self",)`: PostgreSQL cannot lock the nullable side of the addressee's join.
    rows = list(reachable.select_for_update(of=("self",)).select_related("addressee"))
    if len(rows) != len(set(ids)):
        raise PermissionDenied(_("You may not do this."))
    problems = []
    for row in rows:
        if row.state != Recommendation.State.DRAFT:
            problems.append(_("%(ref)s was already sent.") % {"ref": row.reference})
        elif row.addressee_id is None:
            problems.append(_("%(ref)s has no addressee.") % {"ref": row.reference})
    if problems:
        raise ValidationError(problems)
    events = []
    for row in rows:
        Recommendation.objects.filter(pk=row.pk).update(
            state=Recommendation.State.SENT,
            sent_on=sent_on,
            response_due=response_due_on(row, sent_on),
            version=row.version + 1,
            updated_at=timezone.now(),
        )
        events.append(audit.event(actor=actor, action="recommendation.send", obj=row))
    audit.record_many(events)
    return list(Recommendation.objects.filter(pk__in=ids))


@transaction.atomic
def recommendation_from_urgent_draft(*, actor: Any, draft: UrgentDraft) -> Recommendation:
    """Turn an urgent matter raised at a debrief into an urgent recommendation (¶31a)."""
    if draft.recommendation_ref:
        raise ValidationError(_("This urgent matter is already a recommendation."))
    visit = draft.visit
    recommendation = recommendation_draft(
        actor=actor,
        data={
            "text": draft.text,
            "origin": Origin.OWN_VISIT,
            "visit": visit,
            "addressee": draft.addressee,
            "priority": Priority.URGENT,
            "deadline": draft.deadline,
        },
    )
    UrgentDraft.objects.filter(pk=draft.pk).update(recommendation_ref=recommendation.reference)
    draft.recommendation_ref = recommendation.reference
    return recommendation


# -- linking --------------------------------------------------------------------------------


@transaction.atomic
def recommendation_link(
    *, actor: Any, recommendation: Recommendation, other: Recommendation, linked: bool = True
) -> None:
    """Track two recommendations together (an SPT one with the NPM's own, ¶20, 30)."""
    require(actor, "recommendations.draft")
    if recommendation.pk == other.pk:
        raise ValidationError(_("A recommendation cannot be linked to itself."))
    _in_scope(actor, recommendation, "view")
    _in_scope(actor, other, "view")
    if linked:
        recommendation.linked.add(other)
    else:
        recommendation.linked.remove(other)
    audit.record(
        actor=actor,
        action="recommendation.link" if linked else "recommendation.unlink",
        obj=recommendation,
        detail={"other": other.reference},
    )


@transaction.atomic
def recommendation_mark_repeat(
    *, actor: Any, recommendation: Recommendation, earlier: Recommendation | None
) -> Recommendation:
    """Record that a draft repeats an earlier recommendation, so its history is carried
    and the repetition counted: the basis for escalating rather than repeating (¶22)."""
    require(actor, "recommendations.draft")
    _in_scope(actor, recommendation, "change")
    if earlier is not None:
        _in_scope(actor, earlier, "view")
        if earlier.pk == recommendation.pk or earlier.repeat_of_id == recommendation.pk:
            raise ValidationError(_("A recommendation cannot repeat itself."))
    Recommendation.objects.filter(pk=recommendation.pk).update(
        repeat_of=earlier, updated_at=timezone.now()
    )
    recommendation.refresh_from_db()
    audit.record(
        actor=actor,
        action="recommendation.repeat",
        obj=recommendation,
        detail={"earlier": earlier.reference if earlier else ""},
    )
    return recommendation


# -- responses and verification ------------------------------------------------------------


def _refresh_latest_response(recommendation: Recommendation) -> None:
    latest = recommendation.responses.order_by("-responded_on", "-id").first()
    Recommendation.objects.filter(pk=recommendation.pk).update(
        response=latest.status if latest else "",
        responded_on=latest.responded_on if latest else None,
        updated_at=timezone.now(),
    )


def check_response(recommendation: Recommendation, status: str, responded_on: dt.date) -> None:
    if recommendation.state != Recommendation.State.SENT:
        raise ValidationError(
            _("%(ref)s has not been sent: it cannot be answered yet.")
            % {"ref": recommendation.reference}
        )
    if status not in ResponseStatus.values:
        raise ValidationError({"status": _("Choose a response.")})
    if responded_on > timezone.localdate():
        raise ValidationError({"responded_on": _("The date cannot be in the future.")})
    if recommendation.sent_on and responded_on < recommendation.sent_on:
        raise ValidationError(
            {
                "responded_on": _("%(ref)s was sent later than that.")
                % {"ref": recommendation.reference}
            }
        )


def response_add(
    *,
    recommendation: Recommendation,
    actor: Any,
    status: str,
    responded_on: dt.date,
    passage: str = "",
    exchange: Exchange | None = None,
) -> Response:
    """The write shared by `response_record` and the letter mapping: no checks of rights
    (the caller made them), one response, the row's latest refreshed, no audit."""
    check_response(recommendation, status, responded_on)
    response = Response.objects.create(
        recommendation=recommendation,
        exchange=exchange,
        status=status,
        passage=passage.strip(),
        responded_on=responded_on,
        recorded_by=actor,
    )
    _refresh_latest_response(recommendation)
    return response


@transaction.atomic
def response_record(
    *,
    actor: Any,
    recommendation: Recommendation,
    status: str,
    responded_on: dt.date,
    passage: str = "",
    exchange: Exchange | None = None,
) -> Response:
    """Record an authority's response to one recommendation (¶22)."""
    require(actor, "recommendations.dialogue")
    _in_scope(actor, recommendation, "dialogue")
    if (
        exchange is not None
        and not Exchange.objects.restrict(actor, "view").filter(pk=exchange.pk).exists()
    ):
        raise PermissionDenied(_("You may not do this."))
    response = response_add(
        recommendation=recommendation,
        actor=actor,
        status=status,
        responded_on=responded_on,
        passage=passage,
        exchange=exchange,
    )
    audit.record(
        actor=actor,
        action="recommendation.response",
        obj=recommendation,
        detail={"status": status, "exchange": exchange.pk if exchange else None},
    )
    return response


def _refresh_implementation(recommendation: Recommendation) -> None:
    latest = recommendation.verifications.order_by("-verified_on", "-id").first()
    days = None
    if latest is not None and latest.status == Implementation.ACHIEVED and recommendation.sent_on:
        days = max((latest.verified_on - recommendation.sent_on).days, 0)
    Recommendation.objects.filter(pk=recommendation.pk).update(
        implementation=latest.status if latest else "",
        implementation_on=latest.verified_on if latest else None,
        days_to_implement=days,
        updated_at=timezone.now(),
    )


def _addressee_chain(recommendation: Recommendation) -> set[int]:
    """The addressee and the authorities above it: an exchange with any of them may
    document what the addressee did."""
    chain: set[int] = set()
    authority = recommendation.addressee
    while authority is not None and authority.pk not in chain:
        chain.add(authority.pk)
        authority = authority.parent
    return chain


def _check_evidence(
    actor: Any,
    recommendation: Recommendation,
    evidence: str,
    *,
    finding: Finding | None,
    document: PlaceDocument | None,
    exchange: Exchange | None,
    response: Response | None,
) -> None:
    """A status rests on evidence the verifier can see and that concerns this
    recommendation: a finding at its place, a document of its place or of the dialogue
    with its addressee, or one of its own responses."""
    bad = ValidationError({"evidence": _("Give the evidence this status rests on.")})
    if evidence == Verification.Evidence.FINDING:
        if finding is None:
            raise bad
        if not Finding.objects.restrict(actor, "view").filter(pk=finding.pk).exists():
            raise PermissionDenied(_("You may not do this."))
        if recommendation.place_id and finding.visit.place_id != recommendation.place_id:
            raise ValidationError({"finding": _("This finding is about another place.")})
    elif evidence == Verification.Evidence.DOCUMENT:
        if document is None and exchange is None:
            raise bad
        if document is not None and recommendation.place_id != document.place_id:
            raise ValidationError({"document": _("This document is about another place.")})
        if exchange is not None:
            if not Exchange.objects.restrict(actor, "view").filter(pk=exchange.pk).exists():
                raise PermissionDenied(_("You may not do this."))
            if exchange.authority_id not in _addressee_chain(recommendation):
                raise ValidationError(
                    {"exchange": _("This exchange is with another authority than the addressee.")}
                )
    elif evidence == Verification.Evidence.RESPONSE:
        if response is None:
            raise bad
        if response.recommendation_id != recommendation.pk:
            raise ValidationError({"response": _("This response answers another recommendation.")})
    else:
        raise bad


@transaction.atomic
def verification_record(
    *,
    actor: Any,
    recommendation: Recommendation,
    status: str,
    verified_on: dt.date,
    evidence: str,
    finding: Finding | None = None,
    document: PlaceDocument | None = None,
    exchange: Exchange | None = None,
    response: Response | None = None,
    note: str = "",
) -> Verification:
    """Set the implementation status, dated, with its evidence; the history is kept (¶24)."""
    require(actor, "recommendations.verify")
    _in_scope(actor, recommendation, "verify")
    if recommendation.state != Recommendation.State.SENT:
        raise ValidationError(_("Only a recommendation that was sent can be verified."))
    if status not in Implementation.values:
        raise ValidationError({"status": _("Choose an implementation status.")})
    if verified_on > timezone.localdate():
        raise ValidationError({"verified_on": _("The date cannot be in the future.")})
    if recommendation.sent_on and verified_on < recommendation.sent_on:
        raise ValidationError({"verified_on": _("The recommendation was sent later than that.")})
    _check_evidence(
        actor,
        recommendation,
        evidence,
        finding=finding,
        document=document,
        exchange=exchange,
        response=response,
    )
    kept = {"finding": finding, "document": document, "exchange": exchange, "response": response}
    if evidence != Verification.Evidence.DOCUMENT:
        kept = {evidence: kept[evidence]}
    verification = Verification.objects.create(
        recommendation=recommendation,
        status=status,
        verified_on=verified_on,
        evidence=evidence,
        note=note.strip(),
        recorded_by=actor,
        **kept,
    )
    _refresh_implementation(recommendation)
    recommendation.refresh_from_db()
    audit.record(
        actor=actor,
        action="recommendation.verify",
        obj=recommendation,
        detail={"status": status, "evidence": evidence},
    )
    return verification


def is_overdue(recommendation: Recommendation, today: dt.date) -> bool:
    return (
        recommendation.state == Recommendation.State.SENT
        and recommendation.deadline is not None
        and recommendation.deadline < today
        and recommendation.implementation not in SETTLED
    )


# -- the NPM's rules -----------------------------------------------------------------------

RULE_FIELDS = (
    "threshold",
    "priorities",
    "remind_days_before",
    "escalate_days_after",
    "urgent_days",
    "default_response_days",
)


def follow_up_rule_update(
    *, actor: Any, data: Mapping[str, Any], expected_version: int
) -> FollowUpRule:
    require(actor, "recommendations.settings")
    values = _pick(data, RULE_FIELDS)
    if "priorities" in values:
        chosen = [p for p in values["priorities"] if p in Priority.values]
        if not chosen:
            raise ValidationError({"priorities": _("Choose at least one priority.")})
        values["priorities"] = chosen
    if values.get("threshold", 1) < 1:
        raise ValidationError({"threshold": _("The threshold is at least 1.")})
    rule, _created = FollowUpRule.objects.get_or_create(
        pk=1, defaults={"priorities": [Priority.KEY]}
    )
    candidate = FollowUpRule(**{**{f: getattr(rule, f) for f in RULE_FIELDS}, **values})
    candidate.full_clean(validate_unique=False)
    with stale_guarded("follow_up_rule.update", rule, actor, expected_version):
        changed = versioned_update(
            model=FollowUpRule, obj=rule, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="follow_up_rule.update", obj=rule, detail={"fields": changed}
        )
    return rule
