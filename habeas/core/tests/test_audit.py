"""The audit trail is append-only and tamper-evident (SECURITY.md test 18)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from habeas.core import audit
from habeas.core.models import AuditEvent


def _drop_guard() -> None:
    """What an attacker with the database owner's rights could do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")


@pytest.fixture
def chain(personas):
    head = personas["head"]
    return [audit.record(actor=head, action=f"test.step{i}", detail={"n": i}) for i in range(5)]


@pytest.mark.django_db
def test_it_links_each_event_to_the_previous_one(chain):
    assert chain[0].prev_hash == audit.GENESIS or chain[0].prev_hash
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit.verify() is None


@pytest.mark.django_db
def test_it_records_who_and_role_but_no_content(chain, personas):
    event = AuditEvent.objects.get(pk=chain[0].pk)
    assert event.actor == personas["head"]
    assert event.role == "head"
    assert event.actor_label == "head@npm.test"


@pytest.mark.django_db
def test_it_says_the_chain_is_intact(chain, capsys):
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_refuses_to_update_an_event_in_the_database(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[2].pk).update(action="test.forged")


@pytest.mark.django_db
def test_it_refuses_to_change_an_event_through_the_orm(chain):
    event = AuditEvent.objects.get(pk=chain[1].pk)
    event.action = "test.forged"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.django_db
def test_it_reports_the_first_edited_row(chain):
    _drop_guard()
    AuditEvent.objects.filter(pk=chain[2].pk).update(action="test.forged")
    broken = audit.verify()
    assert broken is not None and broken.event_id == chain[2].pk
    with pytest.raises(CommandError, match=f"event {chain[2].pk}"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_it_detects_a_removed_row(chain):
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [chain[1].pk])
    broken = audit.verify()
    assert broken is not None and broken.event_id == chain[2].pk


@pytest.mark.django_db
def test_it_detects_a_truncated_tail(chain):
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [chain[-1].pk])
    broken = audit.verify()
    assert broken is not None and broken.event_id is None


@pytest.mark.django_db
def test_it_writes_nothing_when_the_surrounding_transaction_fails(personas):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=personas["head"], action="test.rolled_back")
        raise RuntimeError("the service failed")
    assert AuditEvent.objects.count() == before
    assert audit.verify() is None
