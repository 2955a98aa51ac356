"""Services of the reprisal watch (¶25): transfers, checks, information about a reprisal."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.cases import selectors_watches, services, services_watches
from habeas.cases.models import Case, CaseGrant, ChecklistItem, ReprisalWatch, Transfer, WatchCheck
from habeas.cases.tests.factories import grant, make_watch
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

TODAY = services.today()


def actions(record) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(record.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# Transfers ---------------------------------------------------------------------------


def test_it_moves_the_watch_to_the_new_place_and_keeps_the_history(personas):
    head = personas["head"]
    first, second = PlaceFactory(), PlaceFactory()
    watch = make_watch(head, place=first)

    transfer = services_watches.watch_transfer(
        actor=head, watch=watch, to_place=second, moved_on=TODAY
    )

    watch.refresh_from_db()
    assert watch.place == second
    assert watch.version == 2
    assert (transfer.from_place, transfer.to_place) == (first, second)
    history = list(Transfer.objects.filter(watch=watch).values_list("from_place", "to_place"))
    assert history == [(None, first.pk), (first.pk, second.pk)]
    assert list(selectors_watches.watches_at_place(user=head, place=second)) == [watch]
    assert not selectors_watches.watches_at_place(user=head, place=first).exists()
    assert actions(watch)[-1] == "cases.watch.transfer"


def test_it_refuses_a_transfer_to_the_same_place_or_before_the_last_one(personas):
    head = personas["head"]
    watch = make_watch(head, opened_on=TODAY)
    with pytest.raises(ValidationError):
        services_watches.watch_transfer(
            actor=head, watch=watch, to_place=watch.place, moved_on=TODAY
        )
    with pytest.raises(ValidationError):
        services_watches.watch_transfer(
            actor=head, watch=watch, to_place=PlaceFactory(), moved_on=TODAY - dt.timedelta(1)
        )
    with pytest.raises(ValidationError):
        services_watches.watch_transfer(
            actor=head, watch=watch, to_place=PlaceFactory(), moved_on=TODAY + dt.timedelta(1)
        )
    assert Transfer.objects.filter(watch=watch).count() == 1


@pytest.mark.parametrize("who", ["monitor", "outsider", "admin"])
def test_it_refuses_a_transfer_by_someone_not_granted(personas, who):
    watch = make_watch(personas["head"])
    place = watch.place
    with pytest.raises(PermissionDenied):
        services_watches.watch_transfer(
            actor=personas[who], watch=watch, to_place=PlaceFactory(), moved_on=TODAY
        )
    watch.refresh_from_db()
    assert watch.place == place


# Checks ------------------------------------------------------------------------------


def test_it_schedules_and_records_a_check_with_a_sealed_note(personas):
    head = personas["head"]
    watch = make_watch(head)
    check = services_watches.check_schedule(
        actor=head, watch=watch, kind=WatchCheck.Kind.PHONE, due_on=TODAY
    )
    services_watches.check_record(
        actor=head,
        check=check,
        done_on=TODAY,
        outcome=WatchCheck.Outcome.SAFE,
        note="Canary note: spoke with Ilsabet",
    )
    check.refresh_from_db()
    assert (check.done_on, check.outcome, check.done_by) == (TODAY, "safe", head)
    assert b"Canary" not in bytes(check.note)
    assert check.unseal("note") == "Canary note: spoke with Ilsabet"
    assert actions(watch)[-2:] == ["cases.watch.check_schedule", "cases.watch.check_record"]
    details = AuditEvent.objects.filter(object_id=str(watch.pk)).values_list("detail", flat=True)
    assert "Canary" not in str(list(details))


def test_it_records_a_check_only_once(personas):
    head = personas["head"]
    check = services_watches.check_schedule(
        actor=head, watch=make_watch(head), kind="visit", due_on=TODAY
    )
    services_watches.check_record(actor=head, check=check, done_on=TODAY, outcome="safe")
    with pytest.raises(ValidationError):
        services_watches.check_record(actor=head, check=check, done_on=TODAY, outcome="concern")
    check.refresh_from_db()
    assert check.outcome == "safe"


def test_it_refuses_a_check_on_a_watch_not_granted(personas):
    watch = make_watch(personas["head"])
    with pytest.raises(PermissionDenied):
        services_watches.check_schedule(
            actor=personas["monitor"], watch=watch, kind="phone", due_on=TODAY
        )
    assert not WatchCheck.objects.exists()


def test_it_counts_as_overdue_only_a_check_past_due_and_not_done(personas):
    head = personas["head"]
    watch = make_watch(head)
    late = services_watches.check_schedule(
        actor=head, watch=watch, kind="phone", due_on=TODAY - dt.timedelta(days=2)
    )
    due_today = services_watches.check_schedule(actor=head, watch=watch, kind="ngo", due_on=TODAY)
    done = services_watches.check_schedule(
        actor=head, watch=watch, kind="visit", due_on=TODAY - dt.timedelta(days=5)
    )
    services_watches.check_record(actor=head, check=done, done_on=TODAY, outcome="safe")
    done.refresh_from_db()

    assert [services_watches.is_overdue(c) for c in (late, due_today, done)] == [
        True,
        False,
        False,
    ]
    assert list(selectors_watches.overdue_checks(user=head)) == [late]
    row = selectors_watches.watch_list(user=head).get()
    assert row.overdue is True
    assert row.next_check == late.due_on
    # Someone not granted on the watch has no alert, not even a count.
    assert not selectors_watches.overdue_checks(user=personas["monitor"]).exists()


# Information about a reprisal ----------------------------------------------------------


def test_it_opens_a_reprisal_allegation_the_same_day_for_the_whole_team(personas):
    head, monitor, expert, doctor = (personas[n] for n in ("head", "monitor", "expert", "doctor"))
    watch = make_watch(head)
    grant(head, watch, monitor, identity=True)
    grant(head, watch, expert, identity=False)
    grant(head, watch, doctor, identity=True, medical=True)

    case = services_watches.reprisal_report(
        actor=monitor,
        watch=watch,
        informant=services_watches.Informant.NGO,
        received_on=TODAY,
        account="Canary account: he was put in isolation after the visit",
    )

    assert case.kind == Case.Kind.REPRISAL
    assert case.watch == watch
    assert case.reported_on == TODAY
    assert timezone.localdate(case.created_at) == TODAY
    assert case.source == Case.Source.NGO
    assert case.place == watch.place
    assert case.unseal("acts") == "Canary account: he was put in isolation after the visit"
    assert list(case.checklist.values_list("code", flat=True)) == ChecklistItem.Code.values
    flags = {
        g.user.email: (g.identity, g.medical)
        for g in CaseGrant.objects.filter(case=case).select_related("user")
    }
    assert flags == {
        head.email: (True, False),
        monitor.email: (True, False),
        expert.email: (False, False),
        doctor.email: (True, True),
    }
    assert case.lead == monitor
    assert "cases.watch.reprisal_report" in actions(watch)


def test_it_tells_the_team_of_the_new_allegation_by_reference_only(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    head = personas["head"]
    watch = make_watch(head, pseudonym="Canary Heron")
    grant(head, watch, personas["monitor"])
    with django_capture_on_commit_callbacks(execute=True):
        case = services_watches.reprisal_report(
            actor=head,
            watch=watch,
            informant="relative",
            received_on=TODAY,
            account="Canary account of a beating",
        )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == sorted([head.email, personas["monitor"].email])
    assert case.reference in mail.subject
    text = mail.subject + mail.body
    assert "Canary" not in text
    assert "Ilsabet" not in text


def test_it_refuses_a_reprisal_report_without_the_right_or_the_grant(personas):
    head = personas["head"]
    watch = make_watch(head)
    grant(head, watch, personas["expert"])  # granted, but may not open cases
    for who in ("expert", "monitor", "outsider"):
        with pytest.raises(PermissionDenied):
            services_watches.reprisal_report(
                actor=personas[who],
                watch=watch,
                informant="ngo",
                received_on=TODAY,
                account="x",
            )
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "informant, received_on, account",
    [("gossip", TODAY, "text"), ("ngo", TODAY + dt.timedelta(1), "text"), ("ngo", TODAY, "  ")],
)
def test_it_refuses_a_reprisal_report_with_bad_input(personas, informant, received_on, account):
    watch = make_watch(personas["head"])
    with pytest.raises(ValidationError):
        services_watches.reprisal_report(
            actor=personas["head"],
            watch=watch,
            informant=informant,
            received_on=received_on,
            account=account,
        )
    assert not Case.objects.exists()


# The source case ----------------------------------------------------------------------


def test_it_refuses_to_link_a_watch_to_a_case_its_author_cannot_see(personas):
    from habeas.cases.tests.factories import make_case

    hidden = make_case(personas["doctor"])
    with pytest.raises(ValidationError):
        make_watch(personas["head"], source_case=hidden)
    assert not ReprisalWatch.objects.exists()


def test_a_watch_closes_once_reopens_once_and_both_are_audited(personas):
    doctor, head = personas["doctor"], personas["head"]
    watch = make_watch(doctor)

    with pytest.raises(PermissionDenied):
        services_watches.watch_close(actor=head, watch=watch)
    services_watches.watch_close(actor=doctor, watch=watch)
    with pytest.raises(ValidationError):
        services_watches.watch_close(actor=doctor, watch=watch)
    assert ReprisalWatch.objects.get(pk=watch.pk).closed_at is not None
    services_watches.watch_reopen(actor=doctor, watch=watch)
    with pytest.raises(ValidationError):
        services_watches.watch_reopen(actor=doctor, watch=watch)

    reopened = ReprisalWatch.objects.get(pk=watch.pk)
    assert reopened.status == "active" and reopened.closed_at is None
    actions = AuditEvent.objects.filter(object_id=str(watch.pk)).values_list("action", flat=True)
    assert list(actions).count("cases.watch.close") == 1
    assert list(actions).count("cases.watch.reopen") == 1


def test_only_the_lead_places_a_legal_hold_with_a_reason_and_purge_then_spares_it(personas):
    from habeas.core import retention

    doctor, monitor = personas["doctor"], personas["monitor"]
    watch = make_watch(doctor)
    grant(doctor, watch, monitor)

    with pytest.raises(PermissionDenied):
        services.legal_hold_set(actor=monitor, record=watch, hold=True, reason="Trial")
    with pytest.raises(ValidationError):
        services.legal_hold_set(actor=doctor, record=watch, hold=True, reason="  ")
    services.legal_hold_set(actor=doctor, record=watch, hold=True, reason="Trial pending")
    services_watches.watch_close(actor=doctor, watch=watch)

    later = timezone.now() + dt.timedelta(days=20 * 365)
    with time_machine.travel(later):
        retention.purge_expired(actor=None)
    assert ReprisalWatch.objects.get(pk=watch.pk).erased_at is None
    actions = AuditEvent.objects.filter(object_id=str(watch.pk)).values_list("action", flat=True)
    assert "cases.legal_hold.set" in actions
