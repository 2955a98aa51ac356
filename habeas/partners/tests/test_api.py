"""API v1: /api/v1/partners/, /api/v1/partner-contacts/, /api/v1/partner-agreements/,
/api/v1/communications/ and /api/v1/awareness-activities/."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.cases.tests.factories import CANARY_VICTIM, make_case, make_watch
from habeas.core.models import AuditEvent, Notification
from habeas.partners.models import Agreement, Communication, Contact, Partner
from habeas.partners.tests.factories import (
    CANARY_DETAILS,
    make_activity,
    make_communication,
    make_partner,
)
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db
PARTNERS = "/api/v1/partners/"
CONTACTS = "/api/v1/partner-contacts/"
AGREEMENTS = "/api/v1/partner-agreements/"
LOG = "/api/v1/communications/"
ACTIVITIES = "/api/v1/awareness-activities/"
WRITERS = ("head", "monitor", "data_officer", "comms")
READERS = ("doctor", "auditor")
STRANGERS = ("expert", "admin", "outsider")


@pytest.fixture
def api():
    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return client


@pytest.fixture
def partner(personas) -> Partner:
    return make_partner(personas["comms"])


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def communication_body(partner: Partner, **fields) -> dict:
    return {
        "kind": "information",
        "direction": "in",
        "occurred_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "subject": "Information from the Circle",
        "details": CANARY_DETAILS,
        "partners": [partner.pk],
        **fields,
    }


# -- the registry ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_those_who_record_add_and_change_partners(personas, api, who):
    client = api(personas[who])

    made = client.post(PARTNERS, {"name": "Open Borders Legal Aid", "kind": "ngo"}, format="json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    changed = client.patch(f"{PARTNERS}{pk}/", {"areas": "migration", "version": 1}, format="json")
    stale = client.patch(f"{PARTNERS}{pk}/", {"areas": "asylum", "version": 1}, format="json")

    assert changed.status_code == 200
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Partner.objects.get(pk=pk).areas == "migration"


@pytest.mark.parametrize("who", READERS)
def test_readers_list_partners_but_may_not_write(personas, api, partner, who):
    client = api(personas[who])

    assert [row["id"] for row in results(client.get(PARTNERS))] == [partner.pk]
    assert client.post(PARTNERS, {"name": "X", "kind": "ngo"}, format="json").status_code == 403
    patched = client.patch(f"{PARTNERS}{partner.pk}/", {"name": "X", "version": 1}, format="json")
    assert patched.status_code == 403
    assert Partner.objects.get(pk=partner.pk).name == partner.name


@pytest.mark.parametrize("who", STRANGERS)
def test_strangers_see_no_partner_and_get_404_for_every_id(personas, api, partner, who):
    client = api(personas[who])

    assert results(client.get(PARTNERS)) == []
    assert client.get(f"{PARTNERS}{partner.pk}/").status_code == 404
    assert client.get(f"{PARTNERS}987654/").status_code == 404


def test_a_partner_is_read_with_its_contacts_and_agreements(personas, api, partner):
    client = api(personas["comms"])
    contact = client.post(
        CONTACTS,
        {"partner": partner.pk, "name": "Jonas Verhoeven", "email": "jonas@prc.example.org"},
        format="json",
    )
    agreement = client.post(
        AGREEMENTS,
        {"partner": partner.pk, "kind": "mou", "title": "MoU", "signed_on": "2025-02-01"},
        format="json",
    )
    bad = client.post(
        AGREEMENTS,
        {
            "partner": partner.pk,
            "kind": "mou",
            "title": "MoU",
            "signed_on": "2025-02-01",
            "expires_on": "2025-01-01",
        },
        format="json",
    )

    assert (contact.status_code, agreement.status_code, bad.status_code) == (201, 201, 400)
    assert "expires_on" in bad.json()
    body = api(personas["auditor"]).get(f"{PARTNERS}{partner.pk}/").json()
    assert [c["name"] for c in body["contacts"]] == ["Jonas Verhoeven"]
    assert [a["title"] for a in body["agreements"]] == ["MoU"]
    assert [row["id"] for row in results(client.get(f"{CONTACTS}?partner={partner.pk}"))] == [
        contact.json()["id"]
    ]
    assert (Contact.objects.count(), Agreement.objects.count()) == (1, 1)


# -- the log ----------------------------------------------------------------------------------


def test_the_log_lists_subjects_never_what_was_said(personas, api, partner):
    make_communication(personas["comms"], partners=[partner])

    [row] = results(api(personas["auditor"]).get(LOG))

    assert row["subject"] == "Quarterly meeting on conditions in remand prisons"
    assert "details" not in row
    assert CANARY_DETAILS not in str(row)
    assert not AuditEvent.objects.filter(action="partners.communication.read").exists()


def test_reading_one_communication_unseals_it_and_is_audited(personas, api, partner):
    communication = make_communication(personas["comms"], partners=[partner])

    body = api(personas["auditor"]).get(f"{LOG}{communication.pk}/").json()

    assert body["details"] == CANARY_DETAILS
    [read] = AuditEvent.objects.filter(action="partners.communication.read")
    assert (read.actor, read.object_id) == (personas["auditor"], str(communication.pk))


def test_a_confidential_communication_is_404_to_readers_who_do_not_record(personas, api, partner):
    secret = make_communication(personas["head"], partners=[partner], confidential=True)

    for who in ("auditor", "doctor", "expert", "admin"):
        client = api(personas[who])
        assert results(client.get(LOG)) == [], who
        assert client.get(f"{LOG}{secret.pk}/").status_code == 404, who
        assert client.get(f"{LOG}{uuid.uuid4()}/").status_code == 404, who
    assert [row["id"] for row in results(api(personas["comms"]).get(LOG))] == [str(secret.pk)]
    listed = api(personas["auditor"]).get(PARTNERS).json()["results"][0]
    assert listed["communications"] == 0


def test_recording_a_reprisal_signal_tells_the_reprisal_team_at_once(personas, api, partner):
    made = api(personas["comms"]).post(
        LOG, communication_body(partner, reprisal_signal=True, confidential=True), format="json"
    )

    assert made.status_code == 201, made.content
    body = made.json()
    assert "details" not in body
    assert body["reprisal_routed_at"] is not None
    told = {n.user for n in Notification.objects.all()}
    assert told == {personas["head"], personas["monitor"], personas["doctor"]}
    assert [row["id"] for row in results(api(personas["doctor"]).get(f"{LOG}?reprisal=1"))] == [
        body["id"]
    ]


def test_a_case_not_granted_to_the_writer_is_refused_and_nothing_is_written(personas, api, partner):
    case = make_case(personas["head"], victim=CANARY_VICTIM)

    refused = api(personas["monitor"]).post(
        LOG, communication_body(partner, cases=[str(case.pk)]), format="json"
    )

    assert refused.status_code == 400
    assert "cases" in refused.json()
    assert not Communication.objects.exists()


def test_a_linked_case_is_listed_only_to_those_granted_on_it(personas, api, partner):
    monitor = personas["monitor"]
    case = make_case(monitor, victim=CANARY_VICTIM)
    place = PlaceFactory()
    made = api(monitor).post(
        LOG, communication_body(partner, cases=[str(case.pk)], places=[place.pk]), format="json"
    )
    pk = made.json()["id"]

    assert api(monitor).get(f"{LOG}{pk}/").json()["cases"] == [str(case.pk)]
    for who in ("head", "comms", "auditor"):
        body = api(personas[who]).get(f"{LOG}{pk}/").json()
        assert body["cases"] == [], who
        assert body["places"] == [place.pk], who
        assert str(case.pk) not in str(body) and case.reference not in str(body)


def test_a_communication_is_edited_by_version(personas, api, partner):
    communication = make_communication(personas["comms"], partners=[partner])
    url = f"{LOG}{communication.pk}/"
    client = api(personas["monitor"])

    ok = client.patch(url, {"subject": "New subject", "version": 1}, format="json")
    stale = client.patch(url, {"subject": "Lost", "version": 1}, format="json")
    no_version = client.patch(url, {"subject": "Lost"}, format="json")
    reader = api(personas["doctor"]).patch(url, {"subject": "Lost", "version": 2}, format="json")

    assert (ok.status_code, stale.status_code, no_version.status_code) == (200, 409, 400)
    assert reader.status_code == 404  # a communication's id: 404 to whoever may not act
    communication.refresh_from_db()
    assert (communication.subject, communication.version) == ("New subject", 2)


def test_a_watch_is_linked_through_the_api_only_by_its_grantees(personas, api, partner):
    monitor = personas["monitor"]
    communication = make_communication(monitor, partners=[partner], reprisal_signal=True)
    watch = make_watch(monitor)
    url = f"{LOG}{communication.pk}/link-watch/"

    refused = api(personas["comms"]).post(url, {"watch": str(watch.pk)}, format="json")
    linked = api(monitor).post(url, {"watch": str(watch.pk)}, format="json")

    assert refused.status_code == 400
    assert linked.status_code == 200, linked.content
    assert linked.json()["reprisal_watch"] == str(watch.pk)
    communication.refresh_from_db()
    assert communication.reprisal_watch == watch
    row = results(api(personas["comms"]).get(LOG))[0]
    assert row["reprisal_watch"] is None  # not granted on it: not told which watch


# -- awareness -------------------------------------------------------------------------------


def test_activities_are_recorded_listed_and_totalled(personas, api):
    client = api(personas["comms"])
    this_year = timezone.localdate().year
    made = client.post(
        ACTIVITIES,
        {
            "kind": "talk",
            "title": "The NPM at the law faculty",
            "held_on": f"{this_year}-01-02",
            "audience": "students",
            "reached": 120,
        },
        format="json",
    )
    make_activity(personas["comms"], held_on=dt.date(this_year - 1, 5, 1), reached=30)

    assert made.status_code == 201, made.content
    assert len(results(api(personas["auditor"]).get(f"{ACTIVITIES}?year={this_year}"))) == 1
    figures = api(personas["auditor"]).get(f"{ACTIVITIES}figures/").json()
    assert (figures["activities"], figures["reached"]) == (2, 150)
    assert [row["key"] for row in figures["by_audience"]] == ["staff", "students"]
    assert api(personas["doctor"]).post(ACTIVITIES, {}, format="json").status_code == 403
    assert api(personas["expert"]).get(f"{ACTIVITIES}figures/").status_code == 404
