"""Writes of the partners registry, the communication log and awareness work
(¶4, 23, 25, 30–33).

Each service is keyword-only, checks the actor's right first, runs in one transaction and
writes one audit event that carries ids, references and counts, never content
(ARCHITECTURE.md rules 1, 5, 6). Edits carry the version they started from: a stale one
raises `StaleEdit` and is audited too.

A communication links places, cases, recommendations and legislation only if the actor
may see them; links the actor cannot see are kept as they were when the actor edits the
others, so that an edit never drops, nor reveals, what someone else linked. Information
that signals a risk of reprisal is routed the moment it is recorded: everyone who may open
a reprisal watch (`cases.create`) is told in-app, by reference only (¶25).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.cases.models import Case, ReprisalWatch
from habeas.core import audit
from habeas.core.notifications import notify
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.legislation.models import LegislationItem
from habeas.partners.exporting import spt_package
from habeas.partners.models import (
    Agreement,
    AwarenessActivity,
    Communication,
    Contact,
    Partner,
)
from habeas.places.models import Place, Region
from habeas.recommendations.models import Recommendation

__all__ = [
    "activity_record",
    "activity_update",
    "agreement_add",
    "agreement_update",
    "communication_link_watch",
    "communication_open",
    "communication_open_watch",
    "communication_record",
    "communication_update",
    "contact_add",
    "contact_update",
    "partner_create",
    "partner_update",
    "reprisal_recipients",
    "spt_package",
]

CHANGE = "partners.change"
# "COM-", not "C-": case files are numbered C-<year>-<nnnn> already, and a package for the
# SPT listing "C-2026-0001" both as a communication and as a case file would mislead.
REFERENCE_PREFIX = "COM"
PARTNER_FIELDS = ("name", "kind", "acronym", "areas", "website", "address", "notes", "active")
CONTACT_FIELDS = ("name", "position", "email", "phone", "notes", "active")
AGREEMENT_FIELDS = ("kind", "title", "signed_on", "expires_on", "terms")
ACTIVITY_FIELDS = ("kind", "title", "held_on", "audience", "reached", "region", "notes")
COMMUNICATION_FIELDS = ("kind", "direction", "occurred_on", "subject", "confidential")
# The links of a communication: (field, model, message when one is not the actor's to link).
LINKS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("places", Place, "Choose places from the inventory."),
    ("cases", Case, "Choose cases you are granted on."),
    ("recommendations", Recommendation, "Choose recommendations you may see."),
    ("legislation", LegislationItem, "Choose legislation items you may see."),
)
NOTIFICATION_KEY = "partners.reprisal:{pk}"


# -- shared checks -----------------------------------------------------------------------


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You may not do this."))


def _in_scope(actor: Any, record: models.Model, action: str = "change") -> None:
    """Refuse, as if it did not exist, a record the actor may not reach."""
    manager: Any = type(record)._default_manager
    if not manager.restrict(actor, action).filter(pk=record.pk).exists():
        raise _denied()


def _pick(fields: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return dict(fields)


def _not_in_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _clean(record: models.Model, exclude: Iterable[str] = ()) -> None:
    record.full_clean(exclude=list(exclude), validate_unique=False)


def _candidate(record: models.Model, values: Mapping[str, Any]) -> models.Model:
    """A copy of the record with `values` applied, to validate before writing."""
    candidate = type(record)()
    for field in record._meta.concrete_fields:
        setattr(candidate, field.attname, getattr(record, field.attname))
    for name, value in values.items():
        setattr(candidate, name, value)
    return candidate


def _visible_partners(actor: Any, partners: Iterable[Any]) -> list[int]:
    wanted = {_pk(p) for p in partners}
    if not wanted:
        raise ValidationError({"partners": _("Name at least one partner.")})
    seen = set(
        Partner.objects.restrict(actor, "view").filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if seen != wanted:
        raise ValidationError({"partners": _("Choose partners from the registry.")})
    return sorted(seen)


def _links(
    actor: Any, name: str, model: type[models.Model], message: str, given: Iterable[Any], kept: set
) -> set:
    """The ids to link: those given, each visible to the actor, and those already linked
    that the actor cannot see (`kept`), which an edit leaves alone."""
    wanted = {_pk(item) for item in given}
    manager: Any = model._default_manager
    try:
        seen = set(
            manager.restrict(actor, "view").filter(pk__in=wanted).values_list("pk", flat=True)
        )
    except (ValueError, TypeError, ValidationError):
        seen = set()
    if {str(pk) for pk in seen} != {str(pk) for pk in wanted}:
        raise ValidationError({name: _(message)})
    return seen | kept


def _hidden_links(actor: Any, communication: Communication, name: str, model: Any) -> set:
    linked = set(getattr(communication, name).values_list("pk", flat=True))
    if not linked:
        return set()
    seen = set(
        model.objects.restrict(actor, "view").filter(pk__in=linked).values_list("pk", flat=True)
    )
    return linked - seen


# -- partners, contacts, agreements ------------------------------------------------------


@transaction.atomic
def partner_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    acronym: str = "",
    areas: str = "",
    website: str = "",
    address: str = "",
    notes: str = "",
) -> Partner:
    """Add a ministry, an international body, an NGO, a university or a newsroom."""
    require(actor, CHANGE)
    partner = Partner(
        name=name.strip(),
        kind=kind,
        acronym=acronym.strip(),
        areas=areas.strip(),
        website=website.strip(),
        address=address,
        notes=notes,
    )
    _clean(partner)
    partner.save()
    audit.record(actor=actor, action="partners.partner.create", obj=partner)
    return partner


def partner_update(
    *, actor: Any, partner: Partner, expected_version: int, **fields: Any
) -> Partner:
    """Edit a partner (any of PARTNER_FIELDS); `active=False` retires it from the lists."""
    require(actor, CHANGE)
    _in_scope(actor, partner)
    values = _pick(fields, PARTNER_FIELDS)
    _clean(_candidate(partner, values))
    with stale_guarded("partners.partner.update", partner, actor, expected_version):
        changed = versioned_update(
            model=Partner, obj=partner, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="partners.partner.update", obj=partner, detail={"fields": changed}
        )
    return partner


@transaction.atomic
def contact_add(
    *,
    actor: Any,
    partner: Partner,
    name: str,
    position: str = "",
    email: str = "",
    phone: str = "",
    notes: str = "",
) -> Contact:
    require(actor, CHANGE)
    _in_scope(actor, partner)
    contact = Contact(
        partner=partner,
        name=name.strip(),
        position=position.strip(),
        email=email.strip(),
        phone=phone.strip(),
        notes=notes,
    )
    _clean(contact)
    contact.save()
    audit.record(
        actor=actor, action="partners.contact.add", obj=contact, detail={"partner": partner.pk}
    )
    return contact


def contact_update(
    *, actor: Any, contact: Contact, expected_version: int, **fields: Any
) -> Contact:
    """Edit a contact; `active=False` when they left the partner."""
    require(actor, CHANGE)
    _in_scope(actor, contact)
    values = _pick(fields, CONTACT_FIELDS)
    _clean(_candidate(contact, values))
    with stale_guarded("partners.contact.update", contact, actor, expected_version):
        changed = versioned_update(
            model=Contact, obj=contact, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="partners.contact.update", obj=contact, detail={"fields": changed}
        )
    return contact


def _agreement_dates(signed_on: dt.date | None, expires_on: dt.date | None) -> None:
    if signed_on and expires_on and expires_on < signed_on:
        raise ValidationError({"expires_on": _("An agreement cannot expire before it is signed.")})


@transaction.atomic
def agreement_add(
    *,
    actor: Any,
    partner: Partner,
    kind: str,
    title: str,
    signed_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    terms: str = "",
) -> Agreement:
    """Record a memorandum of understanding, data-sharing terms or another agreement."""
    require(actor, CHANGE)
    _in_scope(actor, partner)
    _agreement_dates(signed_on, expires_on)
    agreement = Agreement(
        partner=partner,
        kind=kind,
        title=title.strip(),
        signed_on=signed_on,
        expires_on=expires_on,
        terms=terms,
    )
    _clean(agreement)
    agreement.save()
    audit.record(
        actor=actor, action="partners.agreement.add", obj=agreement, detail={"partner": partner.pk}
    )
    return agreement


def agreement_update(
    *, actor: Any, agreement: Agreement, expected_version: int, **fields: Any
) -> Agreement:
    require(actor, CHANGE)
    _in_scope(actor, agreement)
    values = _pick(fields, AGREEMENT_FIELDS)
    candidate: Any = _candidate(agreement, values)
    _agreement_dates(candidate.signed_on, candidate.expires_on)
    _clean(candidate)
    with stale_guarded("partners.agreement.update", agreement, actor, expected_version):
        changed = versioned_update(
            model=Agreement, obj=agreement, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="partners.agreement.update",
            obj=agreement,
            detail={"fields": changed},
        )
    return agreement


# -- the communication log -----------------------------------------------------------------


def _next_reference(year: int) -> str:
    stem = f"{REFERENCE_PREFIX}-{year}-"
    last = (
        Communication.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:04d}"


def _save_numbered(communication: Communication) -> None:
    """Number it COM-<year>-<nnnn> (the year it happened); retry if another recording took
    the number meanwhile."""
    for _attempt in range(5):
        communication.reference = _next_reference(communication.occurred_on.year)
        try:
            with transaction.atomic():
                communication.save(force_insert=True)
            return
        except IntegrityError:
            if Communication.objects.filter(reference=communication.reference).exists():
                continue
            raise
    raise ValidationError(_("Could not number the communication; try again."))


def reprisal_recipients() -> list[User]:
    """Everyone who may open a reprisal watch today: active, unexpired, of this NPM."""
    eligible = User.objects.filter(is_active=True, role__in=roles.PERMISSIONS["cases.create"])
    return [user for user in eligible.order_by("pk") if roles.can(user, "cases.create")]


def communication_url(communication: Communication) -> str:
    return reverse("partners:communication", kwargs={"pk": communication.pk})


def _route_reprisal(communication: Communication, actor: Any) -> int:
    """Tell those who open reprisal watches, now, by reference only (¶25); return how
    many were told. Called inside the recording's transaction: routed if recorded. The
    person who records it knows already and is not told."""
    message = _("%(ref)s: a partner signals a risk of reprisal") % {"ref": communication.reference}
    told = notify(
        users=[user for user in reprisal_recipients() if user.pk != actor.pk],
        message=message,
        link=communication_url(communication),
        key=NOTIFICATION_KEY.format(pk=communication.pk),
    )
    now = timezone.now()
    Communication.objects.filter(pk=communication.pk).update(reprisal_routed_at=now)
    communication.reprisal_routed_at = now
    return len(told)


@transaction.atomic
def communication_record(
    *,
    actor: Any,
    kind: str,
    occurred_on: dt.date,
    subject: str,
    partners: Iterable[Any],
    details: str = "",
    direction: str = Communication.Direction.BOTH,
    confidential: bool = False,
    places: Iterable[Any] = (),
    cases: Iterable[Any] = (),
    recommendations: Iterable[Any] = (),
    legislation: Iterable[Any] = (),
    reprisal_signal: bool = False,
) -> Communication:
    """Log a meeting, a letter, a call, a joint activity or information received.

    `details` is sealed. With `reprisal_signal`, the people who open reprisal watches are
    told at once and `reprisal_routed_at` is set.
    """
    require(actor, CHANGE)
    partner_ids = _visible_partners(actor, partners)
    given = {"places": places, "cases": cases, "recommendations": recommendations}
    given["legislation"] = legislation
    linked = {
        name: _links(actor, name, model, message, given[name], set())
        for name, model, message in LINKS
    }
    _not_in_future(occurred_on, "occurred_on")
    communication = Communication(
        kind=kind,
        direction=direction,
        occurred_on=occurred_on,
        subject=(subject or "").strip(),
        confidential=confidential,
        reprisal_signal=reprisal_signal,
        recorded_by=actor,
        reference="COM-pending",
    )
    _clean(communication, exclude=["reference", "details", "recorded_by"])
    communication.seal("details", details or "")
    _save_numbered(communication)
    communication.partners.set(partner_ids)
    for name, ids in linked.items():
        getattr(communication, name).set(ids)
    detail: dict[str, Any] = {"partners": len(partner_ids), "confidential": confidential}
    detail.update({name: len(ids) for name, ids in linked.items()})
    if reprisal_signal:
        detail["reprisal_routed_to"] = _route_reprisal(communication, actor)
    audit.record(
        actor=actor, action="partners.communication.record", obj=communication, detail=detail
    )
    return communication


def communication_update(
    *, actor: Any, communication: Communication, expected_version: int, **fields: Any
) -> Communication:
    """Edit a communication: any of its plain fields, `details`, `partners`, the linked
    `places`, `cases`, `recommendations`, `legislation`, and `reprisal_signal` (setting it
    routes the signal, once). A signal once routed is not withdrawn: the record of what
    was signalled stays."""
    require(actor, CHANGE)
    _in_scope(actor, communication)
    allowed: tuple[str, ...] = (*COMMUNICATION_FIELDS, "details", "partners", "reprisal_signal")
    allowed += tuple(name for name, _model, _message in LINKS)
    values = _pick(fields, allowed)
    details = values.pop("details", None)
    partners = values.pop("partners", None)
    links = {name: values.pop(name) for name, _m, _msg in LINKS if name in values}
    if values.get("reprisal_signal") is False and communication.reprisal_routed_at:
        raise ValidationError(
            {"reprisal_signal": _("A signal already routed to the reprisal team stays recorded.")}
        )
    if "subject" in values:
        values["subject"] = (values["subject"] or "").strip()
    _not_in_future(values.get("occurred_on"), "occurred_on")
    _clean(_candidate(communication, values), exclude=["details"])
    partner_ids = _visible_partners(actor, partners) if partners is not None else None
    linked = {
        name: _links(
            actor,
            name,
            model,
            message,
            links[name],
            _hidden_links(actor, communication, name, model),
        )
        for name, model, message in LINKS
        if name in links
    }
    with stale_guarded("partners.communication.update", communication, actor, expected_version):
        if details is not None and details != communication.unseal("details", actor=actor):
            scratch = Communication(pk=communication.pk, content_key=communication.content_key)
            scratch.seal("details", details)
            values.update(details=scratch.details, content_key=scratch.content_key)
        changed = versioned_update(
            model=Communication, obj=communication, values=values, expected_version=expected_version
        )
        if details is not None and "details" in values and "details" not in changed:
            changed.append("details")
        changed = [name for name in changed if name != "content_key"]
        changed += _set_links(communication, partner_ids, linked)
        detail: dict[str, Any] = {"fields": changed}
        if communication.reprisal_signal and communication.reprisal_routed_at is None:
            detail["reprisal_routed_to"] = _route_reprisal(communication, actor)
        audit.record(
            actor=actor, action="partners.communication.update", obj=communication, detail=detail
        )
    return communication


def _set_links(
    communication: Communication, partner_ids: list[int] | None, linked: Mapping[str, set]
) -> list[str]:
    changed: list[str] = []
    if partner_ids is not None:
        before = set(communication.partners.values_list("pk", flat=True))
        if before != set(partner_ids):
            communication.partners.set(partner_ids)
            changed.append("partners")
    for name, ids in linked.items():
        related = getattr(communication, name)
        if set(related.values_list("pk", flat=True)) != ids:
            related.set(ids)
            changed.append(name)
    return changed


@transaction.atomic
def communication_open(*, actor: Any, communication: Communication) -> str:
    """What was said, unsealed for the actor: an audited read."""
    _in_scope(actor, communication, "view")
    details = communication.unseal("details", actor=actor)
    audit.record(actor=actor, action="partners.communication.read", obj=communication)
    return details


def _may_route(actor: Any) -> None:
    if not (roles.can(actor, CHANGE) or roles.can(actor, "cases.create")):
        raise _denied()


@transaction.atomic
def communication_link_watch(
    *, actor: Any, communication: Communication, watch: ReprisalWatch | None
) -> Communication:
    """Link the information to the reprisal watch it led to (None unlinks). The watch must
    be one the actor is granted on; a watch linked by someone else that the actor cannot
    see is not theirs to replace."""
    _may_route(actor)
    _in_scope(actor, communication, "view")
    watches = ReprisalWatch.objects.restrict(actor, "view")
    current = communication.reprisal_watch_id
    if current is not None and not watches.filter(pk=current).exists():
        raise ValidationError(
            {"watch": _("This information is already linked to a reprisal watch.")}
        )
    if watch is None and current is None:
        raise ValidationError({"watch": _("This information is not linked to a reprisal watch.")})
    if watch is not None and not watches.filter(pk=watch.pk).exists():
        raise ValidationError({"watch": _("Choose a reprisal watch you are granted on.")})
    Communication.objects.filter(pk=communication.pk).update(
        reprisal_watch=watch, version=F("version") + 1, updated_at=timezone.now()
    )
    communication.refresh_from_db()
    audit.record(
        actor=actor,
        action="partners.communication.link_watch"
        if watch is not None
        else "partners.communication.unlink_watch",
        obj=communication,
        detail={"watch": str(watch.pk) if watch is not None else str(current)},
    )
    return communication


def communication_open_watch(
    *, actor: Any, communication: Communication, data: Mapping[str, Any], place: Place
) -> ReprisalWatch:
    """Open a reprisal watch from this information and link the two, all or nothing.

    `data` is what `cases.services.watch_create` takes (the WatchForm's cleaned data);
    the source is this communication: `source_kind` PARTNER, `source_ref` its reference.
    """
    from habeas.cases import services as case_services

    require(actor, "cases.create")
    _in_scope(actor, communication, "view")
    if communication.reprisal_watch_id is not None:
        raise ValidationError(
            {"watch": _("This information is already linked to a reprisal watch.")}
        )
    values = {
        **data,
        "source_kind": ReprisalWatch.SourceKind.PARTNER,
        "source_ref": communication.reference,
    }
    with transaction.atomic():
        watch = case_services.watch_create(actor=actor, data=values, place=place)
        communication_link_watch(actor=actor, communication=communication, watch=watch)
    return watch


# -- awareness activities (¶33) -------------------------------------------------------------


def _check_region(actor: Any, region: Region | None) -> None:
    if region is not None and not (
        Region.objects.restrict(actor, "view").filter(pk=region.pk).exists()
    ):
        raise ValidationError({"region": _("Choose a region from the inventory.")})


@transaction.atomic
def activity_record(
    *,
    actor: Any,
    kind: str,
    title: str,
    held_on: dt.date,
    audience: str,
    reached: int = 0,
    region: Region | None = None,
    partners: Iterable[Any] = (),
    notes: str = "",
) -> AwarenessActivity:
    """Record a talk, a training, a publication or a campaign and whom it reached."""
    require(actor, CHANGE)
    _check_region(actor, region)
    chosen = list(partners)
    partner_ids = _visible_partners(actor, chosen) if chosen else []
    _not_in_future(held_on, "held_on")
    activity = AwarenessActivity(
        kind=kind,
        title=(title or "").strip(),
        held_on=held_on,
        audience=audience,
        reached=reached,
        region=region,
        notes=notes,
        recorded_by=actor,
    )
    _clean(activity, exclude=["recorded_by"])
    activity.save()
    activity.partners.set(partner_ids)
    audit.record(
        actor=actor,
        action="partners.activity.record",
        obj=activity,
        detail={"partners": len(partner_ids), "reached": reached},
    )
    return activity


def activity_update(
    *, actor: Any, activity: AwarenessActivity, expected_version: int, **fields: Any
) -> AwarenessActivity:
    require(actor, CHANGE)
    _in_scope(actor, activity)
    values = _pick(fields, (*ACTIVITY_FIELDS, "partners"))
    partners = values.pop("partners", None)
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
    _check_region(actor, values.get("region"))
    _not_in_future(values.get("held_on"), "held_on")
    _clean(_candidate(activity, values), exclude=["recorded_by"])
    partner_ids: list[int] | None = None
    if partners is not None:
        chosen = list(partners)
        partner_ids = _visible_partners(actor, chosen) if chosen else []
    with stale_guarded("partners.activity.update", activity, actor, expected_version):
        changed = versioned_update(
            model=AwarenessActivity, obj=activity, values=values, expected_version=expected_version
        )
        if partner_ids is not None and set(activity.partners.values_list("pk", flat=True)) != set(
            partner_ids
        ):
            activity.partners.set(partner_ids)
            changed.append("partners")
        audit.record(
            actor=actor, action="partners.activity.update", obj=activity, detail={"fields": changed}
        )
    return activity
