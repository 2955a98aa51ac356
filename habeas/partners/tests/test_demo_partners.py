"""The demo's partners, communication log and awareness work (`manage.py demo`): written
by the services, linked to the demo's places, recommendations and watches, with one
reprisal signal answered by a watch and one still waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from habeas.accounts.models import User
from habeas.cases.models import Case, ReprisalWatch
from habeas.core.models import AuditEvent, Notification
from habeas.core.tests import shared_demo
from habeas.partners import exporting, selectors, services
from habeas.partners.demo import demo_load_partners
from habeas.partners.models import Agreement, AwarenessActivity, Communication, Partner
from habeas.partners.models import PartnerKind as PK
from habeas.places.demo import DemoRefused
from habeas.recommendations.models import Origin


def demo_user(key: str) -> User:
    return User.objects.get(email=f"{key}@demo.habeas.test")


pytestmark = shared_demo.MARKS


def test_it_builds_the_npms_partners_with_contacts_and_agreements(demo):
    kinds = set(Partner.objects.values_list("kind", flat=True))

    assert {PK.MINISTRY, PK.SPT, PK.CPT, PK.NHRI, PK.NGO, PK.ACADEMIA, PK.MEDIA} <= kinds
    ngos = set(Partner.objects.filter(kind=PK.NGO).values_list("name", flat=True))
    assert 4 <= len(ngos) <= 6
    assert {"Prisoners' Rights Circle", "Open Borders Legal Aid"} <= ngos
    assert Partner.objects.get(kind=PK.MINISTRY, name="Ministry of Justice").contacts.count() >= 2
    agreement_kinds = set(Agreement.objects.values_list("kind", flat=True))
    assert {Agreement.Kind.MOU, Agreement.Kind.DATA_SHARING} <= agreement_kinds
    expiring = selectors.agreements_expiring(demo_user("head"), within_days=90)
    assert expiring.exists()
    # The NGOs the case files name are the partners' own.
    for watch_ngo in ReprisalWatch.objects.exclude(ngos="").values_list("ngos", flat=True):
        assert watch_ngo in ngos


def test_it_logs_two_years_of_communications_linked_to_the_demos_records(demo):
    today = timezone.localdate()
    rows = Communication.objects.all()

    assert 30 <= rows.count() <= 60
    oldest = min(rows.values_list("occurred_on", flat=True))
    assert today - dt.timedelta(days=760) <= oldest <= today - dt.timedelta(days=600)
    assert max(rows.values_list("occurred_on", flat=True)) < today
    assert rows.filter(places__isnull=False).distinct().count() >= 15
    assert rows.filter(recommendations__origin=Origin.SPT).exists()
    assert rows.filter(recommendations__origin=Origin.CPT).exists()
    spt = rows.filter(partners__kind=PK.SPT)
    assert spt.count() >= 5
    assert not spt.filter(confidential=False).exists()
    assert set(rows.values_list("kind", flat=True)) == set(Communication.Kind.values) - {"other"}
    # Every one was written by a service, with its audit event.
    recorded = AuditEvent.objects.filter(action="partners.communication.record").count()
    assert recorded == rows.count()


def test_linked_cases_are_ones_their_recorder_is_granted_on(demo):
    for communication in Communication.objects.filter(cases__isnull=False).distinct():
        visible = Case.objects.restrict(communication.recorded_by, "view")
        assert set(communication.cases.all()) <= set(visible)


def test_one_reprisal_signal_is_answered_by_a_watch_and_one_still_waits(demo):
    signals = Communication.objects.filter(reprisal_signal=True)

    assert signals.count() == 2
    assert all(s.reprisal_routed_at is not None for s in signals)
    answered = signals.get(reprisal_watch__isnull=False)
    assert answered.reprisal_watch.pseudonym == "Heron"
    assert answered.reprisal_routed_at.date() >= answered.occurred_on
    monitor = demo_user("monitor")
    waiting = list(selectors.unrouted_reprisal_signals(monitor))
    assert waiting == [signals.get(reprisal_watch__isnull=True)]
    assert waiting[0].occurred_on >= timezone.localdate() - dt.timedelta(days=3)
    key = services.NOTIFICATION_KEY.format(pk=waiting[0].pk)
    told = Notification.objects.filter(key=key, read_at__isnull=True)
    assert {n.user.role for n in told} == {"head", "monitor", "doctor"}
    assert not Notification.objects.filter(
        key=services.NOTIFICATION_KEY.format(pk=answered.pk), read_at__isnull=True
    ).exists()


def test_awareness_activities_reach_several_audiences(demo):
    figures = selectors.awareness_figures(demo_user("comms"))

    assert figures.activities == AwarenessActivity.objects.count() >= 10
    assert figures.reached > 10000
    assert len(figures.by_audience) >= 6
    assert len(figures.by_year) >= 2


def test_the_head_can_package_the_exchanges_with_the_spt(demo):
    head = demo_user("head")
    spt = Partner.objects.get(kind=PK.SPT)

    content = exporting.package_content(actor=head, partner=spt)

    assert len(content.entries) >= 5
    assert all(entry.details for entry in content.entries)


def test_it_refuses_to_load_twice(demo):
    with pytest.raises(DemoRefused):
        demo_load_partners(seed=3)
