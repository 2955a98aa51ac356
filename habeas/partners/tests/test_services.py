"""Services of the partners registry, the communication log and awareness work: rights,
audit, versioned edits, links only to what the actor may see, confidentiality, and the
same-day routing of reprisal signals (¶4, 23, 25, 30–33)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from habeas.cases.models import ReprisalWatch
from habeas.cases.tests.factories import CANARY_VICTIM, grant, make_case, make_watch
from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent, Notification
from habeas.partners import selectors, services
from habeas.partners.models import (
    Agreement,
    AwarenessActivity,
    Communication,
    Contact,
    Partner,
    PartnerKind,
)
from habeas.partners.tests.factories import (
    CANARY_DETAILS,
    make_activity,
    make_communication,
    make_legislation,
    make_partner,
)
from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations.tests.factories import make_sent

pytestmark = pytest.mark.django_db

RECORDERS = ("head", "monitor", "data_officer", "comms")
NOT_RECORDERS = ("doctor", "auditor", "expert", "admin", "outsider")
OPENS_WATCHES = ("head", "monitor", "doctor")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


# -- partners, contacts, agreements ----------------------------------------------------------


@pytest.mark.parametrize("who", RECORDERS)
def test_it_lets_those_who_record_add_a_partner_with_one_audit_event(personas, who):
    partner = make_partner(personas[who], name="Open Borders Legal Aid")

    assert Partner.objects.get(pk=partner.pk).name == "Open Borders Legal Aid"
    [event] = events("partners.partner.create")
    assert event.actor == personas[who]
    assert event.object_id == str(partner.pk)


@pytest.mark.parametrize("who", NOT_RECORDERS)
def test_it_refuses_others_and_creates_nothing(personas, who):
    with pytest.raises(PermissionDenied):
        make_partner(personas[who])

    assert not Partner.objects.exists()
    assert not events("partners.partner.create")


def test_it_refuses_bad_input_with_a_message_per_field_and_changes_nothing(personas):
    with pytest.raises(ValidationError) as refused:
        make_partner(personas["comms"], kind="embassy", website="not a web address")

    assert {"kind", "website"} <= set(refused.value.message_dict)
    assert not Partner.objects.exists()


def test_it_refuses_a_stale_edit_and_audits_both_edits(personas):
    partner = make_partner(personas["comms"])
    services.partner_update(
        actor=personas["monitor"], partner=partner, expected_version=1, areas="prisons"
    )

    with pytest.raises(StaleEdit):
        services.partner_update(
            actor=personas["head"],
            partner=Partner.objects.get(pk=partner.pk),
            expected_version=1,
            areas="psychiatry",
        )

    partner.refresh_from_db()
    assert (partner.areas, partner.version) == ("prisons", 2)
    assert events("partners.partner.update")[0].detail == {"fields": ["areas"]}
    assert len(events("partners.partner.update_stale")) == 1


def test_it_keeps_contacts_and_agreements_with_their_partner(personas):
    comms = personas["comms"]
    partner = make_partner(comms)
    contact = services.contact_add(
        actor=comms, partner=partner, name="Jonas Verhoeven", email="jonas@prc.example.org"
    )
    agreement = services.agreement_add(
        actor=comms,
        partner=partner,
        kind=Agreement.Kind.DATA_SHARING,
        title="Anonymised helpline figures",
        signed_on=dt.date(2025, 1, 10),
        expires_on=dt.date(2027, 1, 10),
    )
    services.contact_update(actor=comms, contact=contact, expected_version=1, active=False)

    detail = selectors.partner_detail(personas["auditor"], partner.pk)
    assert [c.active for c in detail.contacts.all()] == [False]
    assert [a.title for a in detail.agreements.all()] == ["Anonymised helpline figures"]
    assert len(events("partners.contact.add")) == len(events("partners.agreement.add")) == 1
    assert agreement.partner_id == partner.pk


def test_it_refuses_an_agreement_that_expires_before_it_is_signed(personas):
    partner = make_partner(personas["comms"])

    with pytest.raises(ValidationError) as refused:
        services.agreement_add(
            actor=personas["comms"],
            partner=partner,
            kind=Agreement.Kind.MOU,
            title="MoU",
            signed_on=dt.date(2026, 3, 1),
            expires_on=dt.date(2026, 2, 1),
        )

    assert "expires_on" in refused.value.message_dict
    assert not Agreement.objects.exists()


def test_viewers_see_partners_but_experts_and_administrators_see_none(personas):
    make_partner(personas["comms"])

    assert selectors.partner_list(personas["doctor"]).count() == 1
    assert selectors.partner_list(personas["auditor"]).count() == 1
    for who in ("expert", "admin", "outsider"):
        assert selectors.partner_list(personas[who]).count() == 0
    assert Contact.objects.restrict(personas["expert"], "view").count() == 0


# -- the communication log -------------------------------------------------------------------


def test_it_numbers_communications_by_year_and_seals_what_was_said(personas):
    partner = make_partner(personas["comms"])
    first = make_communication(personas["comms"], partners=[partner])
    second = make_communication(personas["monitor"], partners=[partner])

    year = first.occurred_on.year
    assert (first.reference, second.reference) == (f"COM-{year}-0001", f"COM-{year}-0002")
    raw = Communication.objects.filter(pk=first.pk).values_list("details", flat=True).get()
    assert CANARY_DETAILS.encode() not in bytes(raw)
    [event] = events("partners.communication.record")[:1]
    assert CANARY_DETAILS not in str(event.detail)
    assert first.subject not in str(event.detail)


def test_it_refuses_a_communication_without_a_partner_or_in_the_future(personas):
    partner = make_partner(personas["comms"])

    with pytest.raises(ValidationError) as no_partner:
        make_communication(personas["comms"], partners=[])
    with pytest.raises(ValidationError) as future:
        make_communication(
            personas["comms"],
            partners=[partner],
            occurred_on=timezone.localdate() + dt.timedelta(days=1),
        )

    assert "partners" in no_partner.value.message_dict
    assert "occurred_on" in future.value.message_dict
    assert not Communication.objects.exists()


def test_reading_what_was_said_is_an_audited_read(personas):
    partner = make_partner(personas["comms"])
    communication = make_communication(personas["comms"], partners=[partner])

    details = services.communication_open(actor=personas["auditor"], communication=communication)

    assert details == CANARY_DETAILS
    [read] = events("partners.communication.read")
    assert read.actor == personas["auditor"]
    assert CANARY_DETAILS not in str(read.detail)


def test_confidential_communications_are_hidden_from_viewers_who_do_not_record(personas):
    partner = make_partner(personas["comms"])
    open_one = make_communication(personas["comms"], partners=[partner], subject="Open meeting")
    secret = make_communication(
        personas["head"], partners=[partner], subject="Exchange with the SPT", confidential=True
    )

    for who in RECORDERS:
        assert set(selectors.log(personas[who])) == {open_one, secret}, who
    for who in ("doctor", "auditor"):
        assert list(selectors.log(personas[who])) == [open_one], who
        with pytest.raises(PermissionDenied):
            services.communication_open(actor=personas[who], communication=secret)
    for who in ("expert", "admin", "outsider"):
        assert not selectors.log(personas[who]).exists()
    # Nor do they count it against the partner.
    assert selectors.partner_list(personas["auditor"]).get().communication_count == 1
    assert selectors.partner_list(personas["comms"]).get().communication_count == 2


def test_it_links_only_records_the_actor_may_see(personas):
    monitor, head = personas["monitor"], personas["head"]
    partner = make_partner(monitor)
    theirs = make_case(head, victim=CANARY_VICTIM)  # the monitor is not granted on it
    mine = make_case(monitor)
    place = PlaceFactory()

    with pytest.raises(ValidationError) as refused:
        make_communication(monitor, partners=[partner], cases=[theirs])

    assert "cases" in refused.value.message_dict
    assert not Communication.objects.exists()
    communication = make_communication(monitor, partners=[partner], cases=[mine], places=[place])
    assert list(communication.cases.all()) == [mine]
    assert list(communication.places.all()) == [place]


def test_a_linked_case_is_shown_only_to_those_granted_on_it(personas):
    monitor = personas["monitor"]
    partner = make_partner(monitor)
    case = make_case(monitor, victim=CANARY_VICTIM)
    communication = make_communication(monitor, partners=[partner], cases=[case])

    assert selectors.linked_records(monitor, communication).cases == [case]
    for who in ("head", "comms", "data_officer", "doctor"):
        assert selectors.linked_records(personas[who], communication).cases == [], who
    grant(monitor, case, personas["head"])
    assert selectors.linked_records(personas["head"], communication).cases == [case]


def test_an_edit_keeps_links_its_author_cannot_see(personas):
    monitor, comms = personas["monitor"], personas["comms"]
    partner = make_partner(monitor)
    case = make_case(monitor)
    place, other_place = PlaceFactory(), PlaceFactory()
    communication = make_communication(monitor, partners=[partner], cases=[case], places=[place])

    services.communication_update(
        actor=comms, communication=communication, expected_version=1, cases=[], places=[other_place]
    )

    communication.refresh_from_db()
    assert list(communication.cases.all()) == [case]
    assert list(communication.places.all()) == [other_place]
    [event] = events("partners.communication.update")
    assert event.detail["fields"] == ["places"]


def test_it_links_legislation_and_recommendations_and_edits_what_was_said(personas):
    head = personas["head"]
    partner = make_partner(head)
    item = make_legislation(head)
    recommendation = make_sent(head)
    communication = make_communication(
        head, partners=[partner], legislation=[item], recommendations=[recommendation]
    )

    services.communication_update(
        actor=head, communication=communication, expected_version=1, details="New account"
    )

    links = selectors.linked_records(personas["comms"], communication)
    assert (links.legislation, links.recommendations) == ([item], [recommendation])
    assert services.communication_open(actor=head, communication=communication) == "New account"
    assert events("partners.communication.update")[0].detail["fields"] == ["details"]


def test_a_stale_communication_edit_gets_stale_edit_and_changes_nothing(personas):
    partner = make_partner(personas["comms"])
    communication = make_communication(personas["comms"], partners=[partner])
    services.communication_update(
        actor=personas["monitor"], communication=communication, expected_version=1, subject="A"
    )

    with pytest.raises(StaleEdit):
        services.communication_update(
            actor=personas["comms"],
            communication=Communication.objects.get(pk=communication.pk),
            expected_version=1,
            subject="B",
            details="Overwritten",
        )

    communication.refresh_from_db()
    assert communication.subject == "A"
    assert communication.unseal("details") == CANARY_DETAILS
    assert len(events("partners.communication.update_stale")) == 1


# -- reprisal signals (¶25) ------------------------------------------------------------------


def test_the_person_who_records_a_signal_is_not_told_of_it_again(personas):
    partner = make_partner(personas["monitor"])

    make_communication(
        personas["monitor"],
        partners=[partner],
        kind=Communication.Kind.INFORMATION,
        subject="Threats after the visit",
        reprisal_signal=True,
    )

    told = {n.user for n in Notification.objects.all()}
    assert told == {personas["head"], personas["doctor"]}


def test_a_reprisal_signal_is_routed_at_once_to_those_who_open_watches_and_nobody_else(
    personas, make_user
):
    gone = make_user("doctor", "former-doctor@npm.test", is_active=False)
    partner = make_partner(personas["monitor"])

    communication = make_communication(
        personas["comms"],
        partners=[partner],
        kind=Communication.Kind.INFORMATION,
        subject="Information from the Circle on a person who spoke to us",
        confidential=True,
        reprisal_signal=True,
    )

    told = Notification.objects.order_by("user__email")
    assert {n.user for n in told} == {personas[who] for who in OPENS_WATCHES}
    assert gone not in {n.user for n in told}
    for notification in told:
        assert notification.message == (
            f"{communication.reference}: a partner signals a risk of reprisal"
        )
        assert notification.link == reverse(
            "partners:communication", kwargs={"pk": communication.pk}
        )
        assert CANARY_DETAILS not in notification.message
        assert notification.created_at.date() == timezone.now().date()
    assert communication.reprisal_routed_at is not None
    assert timezone.now() - communication.reprisal_routed_at < dt.timedelta(minutes=1)
    [event] = events("partners.communication.record")
    assert event.detail["reprisal_routed_to"] == 3


def test_those_told_may_open_the_confidential_signal_even_without_recording_rights(personas):
    partner = make_partner(personas["monitor"])
    communication = make_communication(
        personas["monitor"], partners=[partner], confidential=True, reprisal_signal=True
    )

    doctor = personas["doctor"]
    assert selectors.communication_detail(doctor, communication.pk) == communication
    assert services.communication_open(actor=doctor, communication=communication)
    assert list(selectors.unrouted_reprisal_signals(doctor)) == [communication]
    # The auditor, who is not told, does not see it either.
    assert not selectors.log(personas["auditor"]).exists()


def test_a_signal_set_on_an_edit_is_routed_once(personas):
    partner = make_partner(personas["comms"])
    communication = make_communication(personas["comms"], partners=[partner])
    assert not Notification.objects.exists()

    services.communication_update(
        actor=personas["comms"],
        communication=communication,
        expected_version=1,
        reprisal_signal=True,
    )
    services.communication_update(
        actor=personas["comms"], communication=communication, expected_version=2, subject="Again"
    )

    assert Notification.objects.count() == len(OPENS_WATCHES)
    with pytest.raises(ValidationError):
        services.communication_update(
            actor=personas["comms"],
            communication=communication,
            expected_version=3,
            reprisal_signal=False,
        )


def test_a_watch_is_linked_only_by_someone_granted_on_it(personas):
    monitor, doctor = personas["monitor"], personas["doctor"]
    partner = make_partner(monitor)
    communication = make_communication(monitor, partners=[partner], reprisal_signal=True)
    watch = make_watch(monitor)

    for who in ("doctor", "comms", "head"):  # none granted on the watch
        with pytest.raises(ValidationError):
            services.communication_link_watch(
                actor=personas[who], communication=communication, watch=watch
            )
    with pytest.raises(PermissionDenied):  # neither records nor opens watches
        services.communication_link_watch(
            actor=personas["auditor"], communication=communication, watch=watch
        )
    grant(monitor, watch, doctor)
    services.communication_link_watch(actor=doctor, communication=communication, watch=watch)

    communication.refresh_from_db()
    assert communication.reprisal_watch == watch
    assert not selectors.unrouted_reprisal_signals(monitor).exists()
    [event] = events("partners.communication.link_watch")
    assert event.detail == {"watch": str(watch.pk)}
    # Whoever is not granted on the watch does not see which watch it is.
    assert selectors.linked_records(personas["head"], communication).watch is None
    assert selectors.linked_records(doctor, communication).watch == watch


def test_a_watch_opened_from_the_information_names_it_as_its_source(personas):
    monitor = personas["monitor"]
    partner = make_partner(monitor)
    communication = make_communication(monitor, partners=[partner], reprisal_signal=True)

    watch = services.communication_open_watch(
        actor=monitor,
        communication=communication,
        place=PlaceFactory(),
        data={
            "pseudonym": "Plover",
            "risk_source": ReprisalWatch.RiskSource.STAFF,
            "feared": [ReprisalWatch.ReprisalKind.THREATS],
            "source_kind": ReprisalWatch.SourceKind.OTHER,  # overridden
        },
    )

    assert (watch.source_kind, watch.source_ref) == (
        ReprisalWatch.SourceKind.PARTNER,
        communication.reference,
    )
    communication.refresh_from_db()
    assert communication.reprisal_watch == watch
    with pytest.raises(ValidationError):
        services.communication_open_watch(
            actor=monitor, communication=communication, place=PlaceFactory(), data={}
        )


# -- awareness (¶33) -------------------------------------------------------------------------


def test_awareness_figures_add_up_by_kind_audience_and_year(personas):
    comms = personas["comms"]
    this_year = timezone.localdate().year
    make_activity(comms, reached=25, held_on=dt.date(this_year - 1, 5, 2))
    make_activity(comms, reached=15, held_on=dt.date(this_year - 1, 9, 2))
    make_activity(
        comms,
        kind=AwarenessActivity.Kind.PUBLICATION,
        audience=AwarenessActivity.Audience.PUBLIC,
        reached=3000,
        held_on=dt.date(this_year - 2, 3, 1),
    )

    every = selectors.awareness_figures(personas["auditor"])
    last = selectors.awareness_figures(personas["auditor"], year=this_year - 1)

    assert (every.activities, every.reached) == (3, 3040)
    assert [(r.key, r.activities, r.reached) for r in every.by_kind] == [
        ("training", 2, 40),
        ("publication", 1, 3000),
    ]
    assert [(r.key, r.reached) for r in every.by_audience] == [("staff", 40), ("public", 3000)]
    assert [(r.key, r.activities, r.reached) for r in every.by_year] == [
        (this_year - 2, 1, 3000),
        (this_year - 1, 2, 40),
    ]
    assert (last.activities, last.reached) == (2, 40)
    assert [r.key for r in last.by_kind] == ["training"]
    assert selectors.awareness_figures(personas["expert"]).activities == 0


def test_activities_are_recorded_by_those_who_record_and_edited_by_version(personas):
    with pytest.raises(PermissionDenied):
        make_activity(personas["doctor"])
    partner = make_partner(personas["comms"], kind=PartnerKind.ACADEMIA)
    activity = make_activity(personas["comms"], partners=[partner])

    services.activity_update(
        actor=personas["monitor"], activity=activity, expected_version=1, reached=30, partners=[]
    )
    with pytest.raises(StaleEdit):
        services.activity_update(
            actor=personas["comms"], activity=activity, expected_version=1, reached=99
        )

    activity.refresh_from_db()
    assert (activity.reached, list(activity.partners.all())) == (30, [])
    assert events("partners.activity.update")[0].detail == {"fields": ["reached", "partners"]}


def test_the_log_lists_without_a_query_per_row(personas, django_assert_max_num_queries):
    partner = make_partner(personas["comms"])
    for _ in range(5):
        make_communication(personas["comms"], partners=[partner])

    with django_assert_max_num_queries(4):
        rows = list(selectors.log(personas["comms"]))
        names = [p.name for row in rows for p in row.partners.all()]

    assert len(names) == 5
    assert connection.vendor in ("sqlite", "postgresql")
