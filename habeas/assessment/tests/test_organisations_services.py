"""Creating and editing organisations, and who works for them (services_organisations)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.accounts import roles
from habeas.assessment.models import Membership, Organisation
from habeas.assessment.services_organisations import (
    membership_remove,
    membership_set,
    organisation_create,
    organisation_update,
)
from habeas.assessment.tests.factories import AssessmentFactory, OrganisationFactory
from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent

SPT = Organisation.Kind.SPT


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def home(db) -> Organisation:
    return Organisation.objects.get(is_home=True)


@pytest.fixture
def spt(db) -> Organisation:
    return OrganisationFactory(name="SPT", kind=SPT, country="")


@pytest.fixture
def spt_head(make_user, spt) -> object:
    """A head by role, but working for the SPT: no right over this NPM's organisations."""
    user = make_user("head", "head@spt.test")
    Membership.objects.create(user=user, organisation=spt)
    return user


def update(actor, organisation, **changes):
    values = {
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "expected_version": organisation.version,
        **changes,
    }
    return organisation_update(actor=actor, organisation=organisation, **values)


# Refusals ------------------------------------------------


@pytest.mark.parametrize("who", ["monitor", "comms", "data_officer", "outsider", "spt_head"])
def test_it_refuses_every_write_to_whoever_may_not_manage_organisations(
    personas, spt_head, spt, home, who
):
    actor = spt_head if who == "spt_head" else personas[who]
    person = personas["monitor"]
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        organisation_create(actor=actor, name="Peer network", kind="peer_network", country="")
    with pytest.raises(PermissionDenied):
        update(actor, spt, name="Renamed")
    with pytest.raises(PermissionDenied):
        membership_set(actor=actor, user=person, organisation=spt)
    membership = Membership.objects.get(user=spt_head)
    with pytest.raises(PermissionDenied):
        membership_remove(actor=actor, membership=membership)
    assert AuditEvent.objects.count() == before
    assert not Organisation.objects.filter(name="Peer network").exists()
    assert Organisation.objects.get(pk=spt.pk).name == "SPT"
    assert Membership.objects.filter(user=spt_head, organisation=spt).exists()
    assert not Membership.objects.filter(user=person).exists()


def test_it_keeps_a_member_of_an_assessing_body_from_moving_into_this_npm(spt_head, home):
    with pytest.raises(PermissionDenied):
        membership_set(actor=spt_head, user=spt_head, organisation=home)
    assert roles.is_external(spt_head)


# Creating and editing ------------------------------------------------


@pytest.mark.parametrize("who", ["head", "admin"])
def test_it_creates_an_assessing_body_with_one_audit_event(personas, who):
    organisation = organisation_create(
        actor=personas[who], name="  European  Committee ", kind="regional", country=""
    )
    assert organisation.name == "European Committee"
    assert organisation.kind == "regional" and not organisation.is_home
    event = AuditEvent.objects.get(action="organisation.create")
    assert event.object_id == str(organisation.pk) and event.actor == personas[who]


@pytest.mark.parametrize(
    ("name", "kind", "field"),
    [("", "spt", "name"), ("SPT", "regional", "name"), ("New body", "ministry", "kind")],
)
def test_it_refuses_a_blank_or_taken_name_and_an_unknown_kind(personas, spt, name, kind, field):
    with pytest.raises(ValidationError) as refused:
        organisation_create(actor=personas["head"], name=name, kind=kind, country="")
    assert field in refused.value.message_dict
    assert Organisation.objects.count() == 2
    assert events("organisation.create") == 0


def test_it_renames_this_npm(personas, home):
    update(personas["head"], home, name="Office of the Inspector", country="Freedonia")
    home.refresh_from_db()
    assert (home.name, home.country, home.is_home, home.kind) == (
        "Office of the Inspector",
        "Freedonia",
        True,
        "npm",
    )
    event = AuditEvent.objects.get(action="organisation.update")
    assert set(event.detail["fields"]) == {"name", "country"}


def test_it_keeps_this_npm_an_npm(personas, home):
    with pytest.raises(ValidationError) as refused:
        update(personas["head"], home, kind="spt")
    assert "kind" in refused.value.message_dict
    home.refresh_from_db()
    assert home.kind == "npm" and home.is_home
    assert events("organisation.update") == 0


def test_it_keeps_an_assessed_npm_an_npm(personas, spt):
    other = OrganisationFactory(name="NPM of Ruritania")
    AssessmentFactory(subject=other, made_by=spt)
    with pytest.raises(ValidationError):
        update(personas["head"], other, kind="peer_network")
    assert Organisation.objects.get(pk=other.pk).kind == "npm"


def test_it_reclassifies_an_organisation_nobody_assessed(personas, spt):
    update(personas["admin"], spt, kind="regional")
    assert Organisation.objects.get(pk=spt.pk).kind == "regional"


def test_it_refuses_a_stale_edit_and_audits_the_refusal(personas, spt):
    first = Organisation.objects.get(pk=spt.pk)
    second = Organisation.objects.get(pk=spt.pk)
    update(personas["head"], first, name="Subcommittee")
    with pytest.raises(StaleEdit) as refused:
        update(personas["admin"], second, name="UN SPT")
    assert refused.value.current_version == first.version
    assert Organisation.objects.get(pk=spt.pk).name == "Subcommittee"
    assert events("organisation.update") == 1
    assert events("organisation.update_stale") == 1


# Memberships ------------------------------------------------


def test_it_makes_a_user_a_member_and_takes_the_inventory_away_at_once(personas, spt):
    person = personas["monitor"]
    assert roles.can(person, "places.view")
    membership = membership_set(actor=personas["admin"], user=person, organisation=spt)
    assert membership is not None and membership.organisation == spt
    assert not roles.can(person, "places.view")  # same object: its cached access was reset
    event = AuditEvent.objects.get(action="membership.set")
    assert event.object_id == str(person.pk)
    assert event.detail["organisation"] == spt.pk


def test_it_moves_a_member_keeping_one_membership(personas, spt):
    peer = OrganisationFactory(name="Peer network", kind="peer_network")
    person = personas["doctor"]
    membership_set(actor=personas["head"], user=person, organisation=spt)
    membership_set(actor=personas["head"], user=person, organisation=peer)
    assert list(Membership.objects.filter(user=person).values_list("organisation", flat=True)) == [
        peer.pk
    ]
    moved = AuditEvent.objects.filter(action="membership.set").order_by("pk").last()
    assert moved is not None
    assert moved.detail == {"organisation": peer.pk, "previous_organisation": spt.pk}


def test_it_removes_the_membership_when_the_user_is_set_to_this_npm(personas, spt, home):
    person = personas["expert"]
    membership_set(actor=personas["head"], user=person, organisation=spt)
    assert membership_set(actor=personas["head"], user=person, organisation=home) is None
    assert not Membership.objects.filter(user=person).exists()
    assert roles.can(person, "places.view")
    assert events("membership.set") == 2


def test_it_refuses_to_set_the_organisation_a_user_already_works_for(personas, spt, home):
    with pytest.raises(ValidationError):
        membership_set(actor=personas["head"], user=personas["monitor"], organisation=home)
    membership_set(actor=personas["head"], user=personas["monitor"], organisation=spt)
    with pytest.raises(ValidationError):
        membership_set(actor=personas["head"], user=personas["monitor"], organisation=spt)
    assert events("membership.set") == 1


def test_it_refuses_to_move_the_actor_themselves(personas, spt):
    with pytest.raises(ValidationError):
        membership_set(actor=personas["head"], user=personas["head"], organisation=spt)
    assert not Membership.objects.filter(user=personas["head"]).exists()
    assert events("membership.set") == 0


def test_it_ends_a_membership_with_one_audit_event(personas, spt):
    person = personas["monitor"]
    membership = membership_set(actor=personas["admin"], user=person, organisation=spt)
    assert membership is not None
    membership_remove(actor=personas["admin"], membership=membership)
    assert not Membership.objects.filter(user=person).exists()
    assert roles.can(person, "places.view")
    event = AuditEvent.objects.get(action="membership.remove")
    assert event.object_id == str(person.pk) and event.detail == {"organisation": spt.pk}


def test_it_gives_an_administrator_tied_to_an_assessing_body_no_right_here(make_user, spt):
    admin = make_user("admin", "admin@spt.test")
    membership = Membership.objects.create(user=admin, organisation=spt)
    with pytest.raises(PermissionDenied):
        membership_remove(actor=admin, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()
