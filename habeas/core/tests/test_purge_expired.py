"""Retention and crypto-erasure (SECURITY.md test 25): `habeas.core.retention` and
`manage.py purge_expired`.

The clock is moved past retention with time-machine. A case is erased with its medical
examinations, their attachments and its referrals; a watch with its checks. Records on
legal hold, open records and records still within retention are left alone.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from habeas.cases import services as case_services
from habeas.cases.models import (
    Case,
    MedicalAttachment,
    MedicalExamination,
    Referral,
    ReprisalWatch,
    WatchCheck,
)
from habeas.core import audit, crypto, retention
from habeas.core.models import AuditEvent, DataKey
from habeas.core.tests.test_no_plaintext_at_rest import Planted, Planter, expected, reopen_all

CASE_DAYS, WATCH_DAYS = 3650, 1825


@pytest.fixture(autouse=True)
def _retention(settings):
    settings.HABEAS_RETENTION_DAYS = {"cases.case": CASE_DAYS, "cases.reprisalwatch": WATCH_DAYS}


@pytest.fixture
def world(personas):
    """One record of every sealed model, canaries in every sealed field; the case and the
    watch closed now."""
    planter = Planter(personas["head"])
    planted = planter.plant_everything()
    case, watch = planter.records[Case], planter.records[ReprisalWatch]
    case_services.case_close(actor=personas["head"], case=case)
    ReprisalWatch.objects.filter(pk=watch.pk).update(
        status=ReprisalWatch.Status.CLOSED, closed_at=timezone.now()
    )
    return planter, planted, case, watch


def _later(days: float):
    return time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False)


def _belongs_to(item: Planted, case: Case, watch: ReprisalWatch) -> bool:
    record = item.record
    if isinstance(record, Case | ReprisalWatch):
        return record.pk in (case.pk, watch.pk)
    if isinstance(record, MedicalExamination | Referral):
        return record.case_id == case.pk
    if isinstance(record, MedicalAttachment):
        return record.examination.case_id == case.pk
    if isinstance(record, WatchCheck):
        return record.watch_id == watch.pk
    return False


def _erased(record: crypto.SealedModel) -> bool:
    fresh = type(record)._base_manager.get(pk=record.pk)
    keys = DataKey.objects.filter(pk__in=[fresh.identity_key_id, fresh.content_key_id])
    return (
        fresh.erased_at is not None
        and all(bytes(getattr(fresh, f.name)) == b"" for f in fresh.sealed_fields())
        and all(k.destroyed_at is not None and bytes(k.wrapped) == b"" for k in keys)
    )


@pytest.mark.django_db
def test_past_retention_a_case_and_a_watch_are_erased_with_everything_they_own(world):
    planter, planted, case, watch = world
    ours = [p for p in planted if _belongs_to(p, case, watch)]
    others = [p for p in planted if not _belongs_to(p, case, watch)]
    owned = {type(p.record) for p in ours}
    assert {MedicalExamination, MedicalAttachment, Referral, WatchCheck} <= owned

    with _later(max(CASE_DAYS, WATCH_DAYS) + 1):
        report = retention.purge_expired()

    assert report.erased == 2 and report.held == 0
    assert {p.record.pk for p in ours if not _erased(p.record)} == set()
    # Blind indexes go too: no fingerprint of the name is left to test guesses against.
    assert Case.objects.get(pk=case.pk).victim_index == ""
    assert ReprisalWatch.objects.get(pk=watch.pk).identity_index == ""
    assert all(Case.objects.get(pk=case.pk).unseal(f.name) == "" for f in Case.sealed_fields())
    # Records that do not belong to them (visits…) are untouched and still open.
    assert reopen_all(others) == expected(others)

    # One audit event per record, naming it and counting its parts, never its content.
    events = {e.object_id: e for e in AuditEvent.objects.filter(action="retention.erase")}
    assert set(events) == {str(case.pk), str(watch.pk)}
    assert events[str(case.pk)].detail["parts"] == {
        "cases.medicalattachment": 1,
        "cases.medicalexamination": 1,
        "cases.referral": 1,
    }
    assert events[str(watch.pk)].detail["parts"] == {"cases.watchcheck": 1}
    trail = json.dumps([e.detail for e in AuditEvent.objects.all()], ensure_ascii=False)
    assert not [c for c in planter.canaries() if c in trail]
    assert AuditEvent.objects.filter(action="retention.purge").count() == 1
    assert audit.verify() is None


@pytest.mark.django_db
def test_each_kind_keeps_its_own_retention_and_the_day_before_nothing_goes(world):
    _, _, case, watch = world
    with _later(WATCH_DAYS - 1):
        assert retention.purge_expired().erased == 0
    with _later(WATCH_DAYS + 1):
        report = retention.purge_expired()
    assert [k.erased for k in report.kinds] == [[], [watch.reference]]
    assert not _erased(case) and _erased(watch)
    with _later(CASE_DAYS - 1):
        assert retention.purge_expired().erased == 0
    assert Case.objects.get(pk=case.pk).unseal("acts")
    with _later(CASE_DAYS + 1):
        assert retention.purge_expired().erased == 1
    assert _erased(case)


@pytest.mark.django_db
def test_an_open_or_reopened_record_is_never_erased(world, personas):
    _, _, case, watch = world
    case_services.case_reopen(actor=personas["head"], case=case)
    ReprisalWatch.objects.filter(pk=watch.pk).update(closed_at=None)
    with _later(50 * 365):
        assert retention.purge_expired().erased == 0
    assert Case.objects.get(pk=case.pk).unseal("acts")
    assert ReprisalWatch.objects.get(pk=watch.pk).unseal("risk_detail")


@pytest.mark.django_db
@pytest.mark.parametrize("held", ["the case", "its examination", "its attachment"])
def test_a_record_under_legal_hold_or_with_a_held_part_is_refused_whole(world, held):
    planter, planted, case, _ = world
    target = {
        "the case": case,
        "its examination": planter.records[MedicalExamination],
        "its attachment": planter.records[MedicalAttachment],
    }[held]
    type(target)._base_manager.filter(pk=target.pk).update(legal_hold=True)
    mine = [p for p in planted if _belongs_to(p, case, ReprisalWatch())]

    with _later(CASE_DAYS + 1):
        report = retention.purge_expired()

    (cases,) = [k for k in report.kinds if k.label == "cases.case"]
    assert cases.held == [case.reference] and cases.erased == []
    assert report.held == 1
    assert reopen_all(mine) == expected(mine)  # nothing of it touched
    assert not AuditEvent.objects.filter(action="retention.erase", object_id=str(case.pk))


@pytest.mark.django_db
def test_a_dry_run_says_what_would_go_and_changes_nothing(world):
    _, planted, case, watch = world
    events = AuditEvent.objects.count()
    with _later(CASE_DAYS + 1):
        report = retention.purge_expired(dry_run=True)
    assert report.erased == 2 and report.parts == 4
    assert reopen_all(planted) == expected(planted)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_second_run_finds_nothing_left(world):
    with _later(CASE_DAYS + 1):
        assert retention.purge_expired().erased == 2
        assert retention.purge_expired().erased == 0
    assert AuditEvent.objects.filter(action="retention.erase").count() == 2


@pytest.mark.django_db
def test_an_interrupted_purge_leaves_no_record_half_erased(world, monkeypatch):
    """Each record is one transaction: a failure on the second keeps the first erased
    and the second whole; the next run finishes."""
    _, planted, case, watch = world
    real = audit.record
    seen = []

    def failing(**kwargs):
        if kwargs.get("action") == "retention.erase":
            seen.append(kwargs["obj"].pk)
            if len(seen) == 2:
                raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with _later(CASE_DAYS + 1), pytest.raises(RuntimeError):
        retention.purge_expired()
    first, second = (case if pk == case.pk else watch for pk in seen)
    assert _erased(first)
    theirs = [p for p in planted if p.record.pk == second.pk or _owned_by(p, second)]
    assert theirs and reopen_all(theirs) == expected(theirs)
    assert not DataKey.objects.filter(
        pk__in=[second.identity_key_id, second.content_key_id], destroyed_at__isnull=False
    ).exists()

    monkeypatch.setattr(audit, "record", real)
    with _later(CASE_DAYS + 1):
        assert retention.purge_expired().erased == 1
    assert _erased(second)


def _owned_by(item: Planted, record: crypto.SealedModel) -> bool:
    if isinstance(record, Case):
        return _belongs_to(item, record, ReprisalWatch()) and item.record.pk != record.pk
    return _belongs_to(item, Case(), record) and item.record.pk != record.pk


@pytest.mark.django_db
def test_a_watch_and_the_case_it_came_from_keep_their_own_lives(world, personas):
    """Links between a case and a watch are protected, not owned: erasing one leaves the
    other, which keeps its own retention."""
    planter, _, case, watch = world
    linked = case_services.case_create(
        actor=personas["head"],
        data={"kind": Case.Kind.REPRISAL, "source": Case.Source.NGO, "acts": "after transfer"},
        watch=watch,
    )
    ReprisalWatch.objects.filter(pk=watch.pk).update(source_case=case)
    Case.objects.filter(pk=case.pk).update(closed_at=None)
    with _later(WATCH_DAYS + 1):
        retention.purge_expired()
    assert _erased(watch)
    assert Case.objects.get(pk=linked.pk).unseal("acts") == "after transfer"
    assert Case.objects.get(pk=case.pk).unseal("acts")


@pytest.mark.django_db
def test_the_command_reports_erased_and_held_records(world):
    _, _, case, _ = world
    Case.objects.filter(pk=case.pk).update(legal_hold=True)
    out = io.StringIO()
    with _later(CASE_DAYS + 1):
        call_command("purge_expired", "--dry-run", stdout=out)
        assert "Dry run: 1 records would be erased (1 parts), 1 held." in out.getvalue()
        assert not _erased(ReprisalWatch.objects.get())
        out = io.StringIO()
        call_command("purge_expired", stdout=out)
    text = out.getvalue()
    assert (
        "cases.reprisalwatch (kept 1825 days after closing): 1 erased, with 1 cases.watchcheck."
        in text
    )
    assert f"under legal hold, left untouched: {case.reference}." in text
    assert "1 records erased (1 parts), 1 held." in text
    assert _erased(ReprisalWatch.objects.get())


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"cases.nothing": 10}, "not a model"),
        ({"places.place": 10}, "no sealed fields"),
        ({"cases.medicalexamination": 10}, "no closed_at"),
        ({"cases.case": -1}, "whole number"),
        ({"cases.case": "ten years"}, "whole number"),
    ],
)
def test_a_retention_that_cannot_be_applied_is_refused(settings, policy, message):
    settings.HABEAS_RETENTION_DAYS = policy
    with pytest.raises(ImproperlyConfigured, match=message):
        retention.policies()


def test_parts_are_found_through_cascading_links_to_sealed_records():
    owned = {child for child, _ in retention._owned_relations(Case)}
    assert {MedicalExamination, Referral} <= owned
    assert ReprisalWatch not in owned  # a protected link: a life of its own
    assert {child for child, _ in retention._owned_relations(MedicalExamination)} == {
        MedicalAttachment
    }
    assert {child for child, _ in retention._owned_relations(ReprisalWatch)} == {WatchCheck}
