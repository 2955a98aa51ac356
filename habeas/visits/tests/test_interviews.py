"""Interviews (¶13, 17, 25): sealed notes and identity, consent scopes, pseudonyms, and
no individual allegation in a group interview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.accounts import roles
from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.visits import services_field as field
from habeas.visits.models import Interview
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db


def test_it_seals_notes_and_identity_and_audits_without_content(personas):
    world = field_world(personas)
    made = interview(
        world, unit=world.unit("Wing A"), notes="He was kicked in cell 12.", identity="Omar Haddad"
    )
    raw = Interview.objects.filter(pk=made.pk).values_list("notes", "identity").get()
    assert b"kicked" not in bytes(raw[0]) and b"Haddad" not in bytes(raw[1])
    assert made.identity_index
    event = AuditEvent.objects.get(action="visits.interview.create", object_id=str(made.pk))
    assert "kicked" not in str(event.detail) and "Haddad" not in str(event.detail)


def test_it_opens_notes_for_the_team_and_identity_only_with_the_right(personas, make_user):
    world = field_world(personas)
    made = interview(world, notes="Beaten at night.", identity="Omar Haddad")
    opened = field.interview_open(actor=world.monitor, interview=made)
    assert opened == {"notes": "Beaten at night.", "identity": "Omar Haddad"}
    assert AuditEvent.objects.filter(action="visits.interview.read").count() == 1


@pytest.mark.parametrize("who", ["doctor", "comms", "data_officer", "outsider"])
def test_it_refuses_notes_to_anyone_off_the_team(personas, who):
    world = field_world(personas)
    made = interview(world, notes="Beaten at night.")
    with pytest.raises(PermissionDenied):
        field.interview_open(actor=personas[who], interview=made)


def test_it_refuses_an_individual_allegation_in_a_group_interview(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError) as refused:
        interview(world, kind=Interview.Kind.GROUP, unit=world.unit("Wing A"), allegation=True)
    assert "private follow-up" in refused.value.message_dict["allegation"][0]
    assert not Interview.objects.exists()


def test_it_refuses_to_turn_a_group_interview_into_an_allegation_later(personas):
    world = field_world(personas)
    group = interview(world, kind=Interview.Kind.GROUP, unit=world.unit("Wing A"))
    with pytest.raises(ValidationError):
        field.interview_update(
            actor=world.monitor, interview=group, data={"allegation": True}, expected_version=1
        )
    group.refresh_from_db()
    assert not group.allegation


def test_it_plans_a_private_follow_up_in_the_same_unit(personas):
    world = field_world(personas)
    group = interview(world, kind=Interview.Kind.GROUP, unit=world.unit("Wing B"))
    follow_up = field.interview_plan_follow_up(actor=world.monitor, interview=group)
    assert follow_up.kind == Interview.Kind.PRIVATE
    assert follow_up.follow_up_of == group and follow_up.unit == group.unit
    assert follow_up.pseudonym == ""
    updated = field.interview_update(
        actor=world.monitor,
        interview=follow_up,
        data={"pseudonym": "Heron", "allegation": True, "notes": "Told of a beating."},
        expected_version=1,
    )
    assert updated.allegation and updated.pseudonym == "Heron"


def test_it_plans_follow_ups_of_group_interviews_only(personas):
    world = field_world(personas)
    private = interview(world)
    with pytest.raises(ValidationError):
        field.interview_plan_follow_up(actor=world.monitor, interview=private)


def test_it_requires_a_unique_pseudonym_and_suggests_a_fresh_one(personas):
    world = field_world(personas)
    interview(world, pseudonym="P-01")
    assert field.suggest_pseudonym(world.visit) == "P-02"
    with pytest.raises(ValidationError) as refused:
        interview(world, pseudonym="p-01")
    assert "pseudonym" in refused.value.message_dict
    with pytest.raises(ValidationError):
        field.interview_create(
            actor=world.monitor,
            visit=world.visit,
            data={"kind": "private", "pseudonym": "  ", "held_at": timezone.now()},
        )


def test_it_refuses_transmission_or_publication_without_consent_to_use(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError) as refused:
        interview(world, consent_publish=True)
    assert "consent_use" in refused.value.message_dict
    assert interview(world, consent_use=True, consent_transmit=True).consent_transmit


def test_it_keeps_identity_from_a_team_member_whose_role_lacks_the_right(personas, monkeypatch):
    # Every recording role holds `cases.identity` today; the rule must hold if one does not.
    monkeypatch.setitem(roles.PERMISSIONS, "cases.identity", frozenset({roles.Role.HEAD}))
    world = field_world(personas)
    with pytest.raises(PermissionDenied):
        interview(world, identity="Omar Haddad")
    made = interview(world, actor=world.head, interviewer=world.head, identity="Omar Haddad")
    assert field.interview_open(actor=world.monitor, interview=made) == {"notes": ""}
    assert field.interview_open(actor=world.head, interview=made)["identity"] == "Omar Haddad"


def test_it_keeps_interviews_from_planners_off_the_team(personas, make_user):
    world = field_world(personas)
    other_monitor = make_user("monitor")
    with pytest.raises(PermissionDenied):
        interview(world, actor=other_monitor, interviewer=world.monitor)


def test_it_refuses_a_stale_edit_and_audits_it(personas):
    world = field_world(personas)
    made = interview(world, notes="first")
    field.interview_update(
        actor=world.monitor, interview=made, data={"notes": "second"}, expected_version=1
    )
    with pytest.raises(StaleEdit):
        field.interview_update(
            actor=world.monitor, interview=made, data={"notes": "third"}, expected_version=1
        )
    made.refresh_from_db()
    assert made.unseal("notes") == "second"
    assert AuditEvent.objects.filter(action="visits.interview.update_stale").count() == 1


def test_it_takes_only_whitelisted_fields(personas, make_user):
    world = field_world(personas)
    made = interview(world, visit=None, follow_up_of=None, version=99, erased_at=timezone.now())
    assert made.visit == world.visit and made.version == 1 and made.erased_at is None
    assert made.held_at < timezone.now() + dt.timedelta(seconds=1)
