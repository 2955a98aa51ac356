"""Referrals built only from what consent allows, and the reprisal checklist (¶18, 25).

A referral to a prosecutor, a disciplinary body, the authority or the SPT carries the
bare facts (kind, place, dates: nothing that names anyone) and, element by element,
only what the person consented to transmit to that body and the author may see. What
is left out is listed with the reason, so the author and every later reader know what
the recipient did not get and why (OPCAT 21(2)).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from habeas.cases.models import (
    Case,
    ChecklistItem,
    Element,
    MedicalExamination,
    Recipient,
    Referral,
)
from habeas.cases.services import may_see_identity, may_see_medical
from habeas.core import audit
from habeas.places.models import Authority

FACTS = "facts"
# The elements sealed under the identity key: they name people.
NAMING_ELEMENTS = frozenset({Element.IDENTITY, Element.OFFICIALS, Element.WITNESSES})


class Withheld:
    """Why an element stays out of a referral; stored by code, shown translated."""

    NO_USE = "no_use"
    NO_RECIPIENT = "no_recipient"
    NO_ELEMENT = "no_element"
    NOT_IDENTITY = "not_identity"
    NOT_MEDICAL = "not_medical"
    EMPTY = "empty"


def element_label(code: str) -> str:
    if code == FACTS:
        return str(_("Bare facts (kind, place, dates; no names)"))
    return str(Element(code).label) if code in Element.values else code


def recipient_label(code: str) -> str:
    return str(Recipient(code).label) if code in Recipient.values else code


def withheld_reason(code: str, *, element: str, recipient: str) -> str:
    """The sentence a reader sees for a withheld element."""
    what = element_label(element).lower() if element in Element.values else element_label(element)
    to = recipient_label(recipient)
    messages = {
        Withheld.NO_USE: gettext("No consent for the NPM to use the information at all."),
        Withheld.NO_RECIPIENT: gettext("No consent to transmit to the %(recipient)s.")
        % {"recipient": to},
        Withheld.NO_ELEMENT: gettext("No consent to transmit the %(element)s.") % {"element": what},
        Withheld.NOT_IDENTITY: gettext(
            "You are not granted identities on this case, so you cannot transmit them."
        ),
        Withheld.NOT_MEDICAL: gettext(
            "You are not granted the medical documentation, so you cannot transmit it."
        ),
        Withheld.EMPTY: gettext("Nothing is recorded for it."),
    }
    return messages.get(code, code)


@dataclass(frozen=True)
class PreviewLine:
    element: str
    label: str
    included: bool
    reason_code: str = ""
    reason: str = ""


@dataclass
class ReferralPreview:
    """What a referral to `recipient_kind` would carry and what it would leave out."""

    recipient_kind: str
    lines: list[PreviewLine] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return any(line.included for line in self.lines)

    @property
    def included(self) -> list[PreviewLine]:
        return [line for line in self.lines if line.included]

    @property
    def withheld(self) -> list[PreviewLine]:
        return [line for line in self.lines if not line.included]


def _case_visible(actor: Any, case: Case, action: str) -> bool:
    return Case.objects.restrict(actor, action).filter(pk=case.pk).exists()


def _has_content(case: Case, element: str, actor: Any) -> bool:
    if element == Element.IDENTITY:
        return any(case.unseal(name, actor=actor) for name in ("victim", "victim_details"))
    if element == Element.ACCOUNT:
        return any(case.unseal(name, actor=actor) for name in ("acts", "circumstances"))
    if element == Element.OFFICIALS:
        return bool(case.unseal("officials", actor=actor))
    if element == Element.WITNESSES:
        return bool(case.unseal("witnesses", actor=actor))
    return MedicalExamination.objects.restrict(actor, "view").filter(case=case).exists()


def _element_refusal(*, actor: Any, case: Case, element: str, recipient_kind: str) -> str:
    """The reason `element` stays out, or '' when it goes in. Consent first, then rights."""
    if not case.consent_use:
        return Withheld.NO_USE
    if recipient_kind not in (case.consent_recipients or []):
        return Withheld.NO_RECIPIENT
    if element not in (case.consent_elements or []):
        return Withheld.NO_ELEMENT
    if element in NAMING_ELEMENTS and not may_see_identity(actor, case):
        return Withheld.NOT_IDENTITY
    if element == Element.MEDICAL and not may_see_medical(actor, case):
        return Withheld.NOT_MEDICAL
    if not _has_content(case, element, actor):
        return Withheld.EMPTY
    return ""


def referral_preview(*, actor: Any, case: Case, recipient_kind: str) -> ReferralPreview:
    """Element by element, what a referral would carry, strictly from consent and rights."""
    if not _case_visible(actor, case, "view"):
        raise PermissionDenied(_("You may not do this."))
    if recipient_kind not in Recipient.values:
        raise ValidationError({"recipient_kind": _("Choose who the referral goes to.")})
    preview = ReferralPreview(recipient_kind=recipient_kind)
    # Even the bare facts (place, dates) can point at a person in a small place: a body
    # the person did not agree to hear from gets nothing at all.
    facts_refusal = ""
    if not case.consent_use:
        facts_refusal = Withheld.NO_USE
    elif recipient_kind not in (case.consent_recipients or []):
        facts_refusal = Withheld.NO_RECIPIENT
    preview.lines.append(_line(FACTS, facts_refusal, recipient_kind))
    for element in Element.values:
        refusal = _element_refusal(
            actor=actor, case=case, element=element, recipient_kind=recipient_kind
        )
        preview.lines.append(_line(element, refusal, recipient_kind))
    return preview


def _line(element: str, refusal: str, recipient_kind: str) -> PreviewLine:
    return PreviewLine(
        element=element,
        label=element_label(element),
        included=not refusal,
        reason_code=refusal,
        reason=withheld_reason(refusal, element=element, recipient=recipient_kind)
        if refusal
        else "",
    )


# -- the body -------------------------------------------------------------------------


def _section(title: str, *lines: str) -> str:
    text = "\n".join(line for line in lines if line)
    return f"{title}\n{'-' * len(title)}\n{text}\n" if text else ""


def _labelled(label: str, value: Any) -> str:
    return f"{label}: {value}" if value not in (None, "") else ""


def _facts(case: Case) -> str:
    return _section(
        gettext("Facts"),
        _labelled(gettext("Reference"), case.reference),
        _labelled(gettext("Kind"), case.get_kind_display()),
        _labelled(gettext("Place"), case.place.name if case.place else ""),
        _labelled(gettext("Authority concerned"), case.authority.name if case.authority else ""),
        _labelled(gettext("Date of the acts"), case.occurred_on),
        _labelled(gettext("Until"), case.occurred_until),
        _labelled(gettext("Reported to the NPM on"), case.reported_on),
        _labelled(gettext("Isolated or part of a pattern"), case.get_pattern_display()),
    )


def _medical(case: Case, actor: Any) -> str:
    parts = []
    examinations = MedicalExamination.objects.restrict(actor, "view").filter(case=case)
    for examination in examinations.order_by("examined_on"):
        parts.append(
            _section(
                gettext("Medical examination of %(date)s") % {"date": examination.examined_on},
                _labelled(gettext("Examiner"), examination.examiner_name or examination.examiner),
                _labelled(gettext("History"), examination.unseal("history", actor=actor)),
                _labelled(
                    gettext("Physical findings"),
                    examination.unseal("physical_findings", actor=actor),
                ),
                _labelled(
                    gettext("Psychological findings"),
                    examination.unseal("psychological_findings", actor=actor),
                ),
                _labelled(
                    gettext("Interpretation"), examination.unseal("interpretation", actor=actor)
                ),
                _labelled(
                    gettext("Consistency with the account"), examination.get_consistency_display()
                ),
            )
        )
    return "\n".join(parts)


def _element_text(case: Case, element: str, actor: Any) -> str:
    def sealed(name: str) -> str:
        return case.unseal(name, actor=actor)

    if element == Element.IDENTITY:
        return _section(
            gettext("Victim"),
            _labelled(gettext("Name"), sealed("victim")),
            _labelled(gettext("Details"), sealed("victim_details")),
        )
    if element == Element.ACCOUNT:
        return _section(
            gettext("Account of the acts"),
            sealed("acts"),
            _labelled(gettext("Circumstances"), sealed("circumstances")),
        )
    if element == Element.OFFICIALS:
        return _section(gettext("Officials named"), sealed("officials"))
    if element == Element.WITNESSES:
        return _section(gettext("Witnesses"), sealed("witnesses"))
    return _medical(case, actor)


def referral_body(*, actor: Any, case: Case, preview: ReferralPreview, addressee: str) -> str:
    """The text sent: a heading, the bare facts and each included element, nothing else."""
    heading = gettext("Referral from the National Preventive Mechanism to: %(to)s") % {
        "to": addressee
    }
    parts = [heading, ""]
    for line in preview.included:
        parts.append(
            _facts(case) if line.element == FACTS else _element_text(case, line.element, actor)
        )
    if preview.withheld:
        parts.append(
            gettext("Some information is withheld under the person's consent or the NPM's rules.")
        )
    return "\n".join(part for part in parts if part is not None).strip() + "\n"


# -- writes ---------------------------------------------------------------------------


def _require_change(actor: Any, case: Case) -> None:
    if not _case_visible(actor, case, "change"):
        raise PermissionDenied(_("You may not do this."))


def referral_create(
    *,
    actor: Any,
    case: Case,
    recipient_kind: str,
    recipient_authority: Authority | None = None,
    recipient_name: str = "",
) -> Referral:
    """A draft referral: its sealed body holds the included elements only."""
    _require_change(actor, case)
    preview = referral_preview(actor=actor, case=case, recipient_kind=recipient_kind)
    if not case.consent_use:
        raise ValidationError(
            _("Nothing can be referred: the person did not consent to the NPM using it.")
        )
    if not preview.allowed:
        raise ValidationError(
            _("Nothing can be referred: the person did not consent to transmission to this body.")
        )
    if recipient_authority is not None and not (
        Authority.objects.restrict(actor, "view").filter(pk=recipient_authority.pk).exists()
    ):
        raise ValidationError({"recipient_authority": _("Choose an authority from the list.")})
    name = (recipient_name or "").strip()[:300]
    addressee = name or (recipient_authority.name if recipient_authority else "")
    addressee = addressee or recipient_label(recipient_kind)
    with transaction.atomic():
        referral = Referral(
            case=case,
            recipient_kind=recipient_kind,
            recipient_authority=recipient_authority,
            recipient_name=name,
            included=[line.element for line in preview.included],
            withheld=[
                {"element": line.element, "reason": line.reason_code} for line in preview.withheld
            ],
            created_by=actor,
        )
        referral.seal(
            "body", referral_body(actor=actor, case=case, preview=preview, addressee=addressee)
        )
        referral.save(force_insert=True)
        audit.record(
            actor=actor,
            action="cases.referral.create",
            obj=case,
            detail={
                "referral": str(referral.pk),
                "recipient": recipient_kind,
                "included": referral.included,
                "withheld": [item["element"] for item in referral.withheld],
            },
        )
    return referral


def referral_names_people(referral: Referral) -> bool:
    return bool(NAMING_ELEMENTS & set(referral.included or []))


def may_read_referral_body(user: Any, referral: Referral) -> bool:
    """The body names people only to those who may see them, and carries medical
    findings only to those who may see those."""
    if referral_names_people(referral) and not may_see_identity(user, referral.case):
        return False
    return not (
        Element.MEDICAL in (referral.included or []) and not may_see_medical(user, referral.case)
    )


def referral_read(*, actor: Any, referral: Referral) -> str:
    """The body in the clear, audited; refused to those who may not see what it carries."""
    if not Referral.objects.restrict(actor, "view").filter(pk=referral.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if not may_read_referral_body(actor, referral):
        raise PermissionDenied(_("You may not do this."))
    body = referral.unseal("body", actor=actor)
    audit.record(
        actor=actor,
        action="cases.referral.read",
        obj=referral.case,
        detail={"referral": str(referral.pk)},
    )
    return body


def referral_send(*, actor: Any, referral: Referral, sent_on: dt.date | None = None) -> Referral:
    """Record that the referral went out; the case is then 'referred' (unless closed)."""
    _require_change(actor, referral.case)
    if referral.status == Referral.Status.SENT:
        raise ValidationError(_("This referral is already recorded as sent."))
    sent_on = sent_on or timezone.localdate()
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(
            status=Referral.Status.SENT, sent_on=sent_on, version=F("version") + 1
        )
        Case.objects.filter(pk=referral.case_id, status=Case.Status.OPEN).update(
            status=Case.Status.REFERRED, version=F("version") + 1
        )
        referral.refresh_from_db()
        referral.case.refresh_from_db()
        audit.record(
            actor=actor,
            action="cases.referral.send",
            obj=referral.case,
            detail={"referral": str(referral.pk)},
        )
    return referral


def referral_outcome(
    *, actor: Any, referral: Referral, outcome: str, outcome_on: dt.date | None = None
) -> Referral:
    """Record what the recipient did with it."""
    _require_change(actor, referral.case)
    if outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome from the list.")})
    if referral.status != Referral.Status.SENT:
        raise ValidationError(_("Record the referral as sent before its outcome."))
    pending = outcome == Referral.Outcome.PENDING
    outcome_on = None if pending else (outcome_on or timezone.localdate())
    if outcome_on and referral.sent_on and outcome_on < referral.sent_on:
        raise ValidationError({"outcome_on": _("The outcome cannot come before the referral.")})
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(
            outcome=outcome, outcome_on=outcome_on, version=F("version") + 1
        )
        referral.refresh_from_db()
        audit.record(
            actor=actor,
            action="cases.referral.outcome",
            obj=referral.case,
            detail={"referral": str(referral.pk), "outcome": outcome},
        )
    return referral


# -- the reprisal checklist -----------------------------------------------------------


def checklist_item_mark(
    *, actor: Any, item: ChecklistItem, status: str, reason: str = ""
) -> ChecklistItem:
    """Mark a step done, not applicable (with the reason) or to do again."""
    _require_change(actor, item.case)
    if status not in ChecklistItem.Status.values:
        raise ValidationError({"status": _("Choose a state from the list.")})
    reason = (reason or "").strip()[:300]
    if status == ChecklistItem.Status.NOT_APPLICABLE and not reason:
        raise ValidationError({"reason": _("Say why this step does not apply.")})
    done = status != ChecklistItem.Status.OPEN
    with transaction.atomic():
        ChecklistItem.objects.filter(pk=item.pk).update(
            status=status,
            reason=reason if status == ChecklistItem.Status.NOT_APPLICABLE else "",
            done_by=actor if done else None,
            done_at=timezone.now() if done else None,
        )
        item.refresh_from_db()
        audit.record(
            actor=actor,
            action="cases.checklist.mark",
            obj=item.case,
            detail={"item": item.code, "status": status},
        )
    return item
