"""Need-to-know grants on single records; the calling app's policy decides who may grant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.accounts import services
from habeas.accounts.models import Grant, User
from habeas.accounts.selectors import granted_ids
from habeas.core.models import AuditEvent

# Any model serves as the record: accounts' own User keeps these tests free of other apps.
RECORD = User


def test_it_grants_one_record_and_lists_its_id(personas):
    head, doctor, record = personas["head"], personas["doctor"], personas["comms"]
    grant = services.grant_create(
        actor=head, user=doctor, record=record, reason="medical review", may_grant=True
    )
    assert list(granted_ids(user=doctor, model=RECORD)) == [str(record.pk)]
    assert list(granted_ids(user=personas["monitor"], model=RECORD)) == []
    assert grant.granted_by == head
    event = AuditEvent.objects.get(action="grant.create")
    assert (event.object_type, event.object_id) == ("accounts.user", str(record.pk))
    assert event.detail == {"grantee": doctor.pk}
    assert "medical review" not in str(event.detail)


def test_it_refuses_a_grant_the_policy_does_not_allow(personas):
    with pytest.raises(PermissionDenied):
        services.grant_create(
            actor=personas["admin"],
            user=personas["admin"],
            record=personas["head"],
            may_grant=False,
        )
    assert not Grant.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="grant.").exists()


def test_it_refuses_a_grant_to_an_inactive_account(personas):
    personas["doctor"].is_active = False
    with pytest.raises(ValidationError):
        services.grant_create(
            actor=personas["head"],
            user=personas["doctor"],
            record=personas["comms"],
            may_grant=True,
        )
    assert not Grant.objects.exists()


def test_it_grants_the_same_record_once(personas):
    args = {"actor": personas["head"], "user": personas["doctor"], "record": personas["comms"]}
    first = services.grant_create(**args, may_grant=True)
    second = services.grant_create(**args, may_grant=True)
    assert first.pk == second.pk
    assert AuditEvent.objects.filter(action="grant.create").count() == 1


def test_it_revokes_a_grant(personas):
    head, doctor, record = personas["head"], personas["doctor"], personas["comms"]
    grant = services.grant_create(actor=head, user=doctor, record=record, may_grant=True)
    with pytest.raises(PermissionDenied):
        services.grant_revoke(actor=doctor, grant=grant, may_grant=False)
    assert list(granted_ids(user=doctor, model=RECORD)) == [str(record.pk)]

    services.grant_revoke(actor=head, grant=grant, may_grant=True)
    assert list(granted_ids(user=doctor, model=RECORD)) == []
    event = AuditEvent.objects.get(action="grant.revoke")
    assert (event.object_type, event.object_id) == ("accounts.user", str(record.pk))


def test_it_gives_nothing_to_an_account_that_ended(personas):
    expert, record = personas["expert"], personas["comms"]
    services.grant_create(actor=personas["head"], user=expert, record=record, may_grant=True)
    expert.expires_at = timezone.now() - timedelta(minutes=1)
    assert list(granted_ids(user=expert, model=RECORD)) == []
