"""Organisations and who works for them (whole tool, ¶3).

An installation knows this NPM (the home organisation), other NPMs, and assessing
bodies (the SPT, a regional body, a peer network). A user with a membership works for
that organisation: a member of another NPM or of an assessing body takes part in
assessments only and sees nothing else of this NPM. A user without one works for this
NPM, so "moving a user to this NPM" removes their membership.

Who works for whom decides what a user sees, so it is account management: it takes
`assessment.organisations` (the head and the administrator) and a member of another
organisation never has it here, whatever their role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.assessment.models import Assessment, Membership, Organisation
from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update

PERMISSION = "assessment.organisations"
NAME_LENGTH = Organisation._meta.get_field("name").max_length or 200
COUNTRY_LENGTH = Organisation._meta.get_field("country").max_length or 100


def may_manage(actor: Any) -> bool:
    """Whether the actor may create and edit organisations and change memberships."""
    return roles.can(actor, PERMISSION) and not roles.is_external(actor)


def _require_manage(actor: Any) -> None:
    require(actor, PERMISSION)
    # `assessment.*` rights reach members of other organisations too; this one must not,
    # or a member of an assessing body could move themselves into this NPM.
    if roles.is_external(actor):
        raise PermissionDenied(_("You may not do this."))


def _clean(*, name: str, kind: str, country: str, exclude: int | None = None) -> dict[str, str]:
    values = {"name": " ".join(name.split()), "kind": kind, "country": " ".join(country.split())}
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = _("Give the organisation a name.")
    elif len(values["name"]) > NAME_LENGTH:
        errors["name"] = _("The name is too long.")
    elif _name_taken(values["name"], exclude):
        errors["name"] = _("An organisation with this name already exists.")
    if kind not in Organisation.Kind.values:
        errors["kind"] = _("Choose what kind of organisation this is.")
    if len(values["country"]) > COUNTRY_LENGTH:
        errors["country"] = _("The country is too long.")
    if errors:
        raise ValidationError(errors)
    return values


def _name_taken(name: str, exclude: int | None) -> bool:
    same_name = Organisation.objects.filter(name__iexact=name)
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude)
    return same_name.exists()


@transaction.atomic
def organisation_create(*, actor: Any, name: str, kind: str, country: str) -> Organisation:
    """Add another NPM or an assessing body; never a second home NPM."""
    _require_manage(actor)
    values = _clean(name=name, kind=kind, country=country)
    organisation = Organisation.objects.create(**values, is_home=False)
    audit.record(
        actor=actor,
        action="organisation.create",
        obj=organisation,
        detail={"kind": organisation.kind},
    )
    return organisation


def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    kind: str,
    country: str,
    expected_version: int,
) -> Organisation:
    """Rename or reclassify an organisation; this NPM stays an NPM and stays home."""
    _require_manage(actor)
    values = _clean(name=name, kind=kind, country=country, exclude=organisation.pk)
    _check_kind(organisation, values["kind"])
    with stale_guarded("organisation.update", organisation, actor, expected_version):
        changed = versioned_update(
            model=Organisation, obj=organisation, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor, action="organisation.update", obj=organisation, detail={"fields": changed}
        )
    return organisation


def _check_kind(organisation: Organisation, kind: str) -> None:
    if kind == Organisation.Kind.NPM or kind == organisation.kind:
        return
    if organisation.is_home:
        raise ValidationError({"kind": _("This NPM runs this installation: it stays an NPM.")})
    if organisation.assessments_received.exists():
        raise ValidationError(
            {"kind": _("This organisation has been assessed as an NPM: it stays an NPM.")}
        )


@transaction.atomic
def membership_set(*, actor: Any, user: Any, organisation: Organisation) -> Membership | None:
    """Make `user` work for `organisation`, moving them from where they worked before.

    Setting this NPM removes the membership (users without one belong to this NPM) and
    returns None.
    """
    _require_manage(actor)
    _check_not_self(actor, user)
    current = Membership.objects.select_for_update().filter(user=user).first()
    previous = current.organisation if current else _home()
    if previous is not None and previous.pk == organisation.pk:
        raise ValidationError(
            _("%(person)s already works for %(organisation)s.")
            % {"person": user, "organisation": organisation.name}
        )
    membership = _write_membership(current, user, organisation)
    _forget_cached_access(user)
    audit.record(
        actor=actor,
        action="membership.set",
        obj=user,
        detail={
            "organisation": organisation.pk,
            "previous_organisation": previous.pk if previous else None,
        },
    )
    return membership


def _write_membership(
    current: Membership | None, user: Any, organisation: Organisation
) -> Membership | None:
    if organisation.is_home:
        if current is not None:
            current.delete()
        return None
    if current is None:
        return Membership.objects.create(user=user, organisation=organisation)
    current.organisation = organisation
    current.save(update_fields=["organisation"])
    return current


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    """End a membership: the user works for this NPM again."""
    _require_manage(actor)
    user = membership.user
    _check_not_self(actor, user)
    organisation_pk = membership.organisation_id
    deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
    if not deleted:
        raise ValidationError(_("This membership has already ended."))
    _forget_cached_access(user)
    audit.record(
        actor=actor,
        action="membership.remove",
        obj=user,
        detail={"organisation": organisation_pk},
    )


def _check_not_self(actor: Any, user: Any) -> None:
    # Moving one's own account would either lock the manager out or let them widen
    # their own access; another manager does it.
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot change which organisation you work for yourself."))


def _home() -> Organisation | None:
    return Organisation.objects.filter(is_home=True).first()


def _forget_cached_access(user: Any) -> None:
    """`roles.is_external` caches on the user object; this object must see the change."""
    if hasattr(user, "_habeas_external"):
        del user._habeas_external


# Reads ------------------------------------------------


def may_see_organisations(user: Any) -> bool:
    """This NPM's staff who see assessments, and those who manage organisations."""
    if roles.is_external(user):
        return False
    return roles.can(user, "assessment.view") or roles.can(user, PERMISSION)


@dataclass
class OrganisationRow:
    organisation: Organisation
    members: int
    assessed: int | None  # None: the user may not count assessments
    made: int | None


def organisation_overview(*, user: Any) -> list[OrganisationRow]:
    """This NPM first, then other NPMs, then assessing bodies, each with its counts.

    Assessment counts go through `restrict`, so they count only what the user may see;
    someone who may see no assessment gets no counts at all.
    """
    organisations = Organisation.objects.annotate(
        member_count=Count("members", filter=Q(members__user__is_active=True))
    )
    counts = _assessment_counts(user)
    home_members = organisation_members(organisation=None).count()
    rows = [
        OrganisationRow(
            organisation=organisation,
            members=home_members if organisation.is_home else organisation.member_count,
            assessed=counts[0].get(organisation.pk, 0) if counts else None,
            made=counts[1].get(organisation.pk, 0) if counts else None,
        )
        for organisation in organisations
    ]
    return sorted(rows, key=_overview_order)


def _overview_order(row: OrganisationRow) -> tuple[int, str]:
    organisation = row.organisation
    group = 0 if organisation.is_home else 1 if organisation.kind == Organisation.Kind.NPM else 2
    return group, organisation.name.casefold()


def _assessment_counts(user: Any) -> tuple[dict[int, int], dict[int, int]] | None:
    if not roles.can(user, "assessment.view"):
        return None
    visible = Assessment.objects.filter(
        pk__in=Assessment.objects.restrict(user, "view").values("pk")
    )

    def per(field: str) -> dict[int, int]:
        rows = visible.order_by().values(field).annotate(n=Count("pk"))
        return {row[field]: row["n"] for row in rows}

    return per("subject_id"), per("made_by_id")


def organisation_members(*, organisation: Organisation | None) -> QuerySet[Any]:
    """The active accounts that work for an organisation; None or the home one: this NPM."""
    from habeas.accounts.models import User

    people = User.objects.filter(is_active=True).order_by("full_name", "email")
    if organisation is None or organisation.is_home:
        return people.exclude(assessment_membership__organisation__is_home=False)
    return people.filter(assessment_membership__organisation=organisation)
