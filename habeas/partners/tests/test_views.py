"""Pages of the partners registry with the personas: who reaches which page, what a
denied write leaves behind (nothing), partners, contacts and agreements."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from habeas.core.models import AuditEvent
from habeas.partners import services
from habeas.partners.models import Agreement, AwarenessActivity, Communication, Contact, Partner
from habeas.partners.tests.factories import (
    make_activity,
    make_communication,
    make_partner,
    make_spt,
)

pytestmark = pytest.mark.django_db

WRITERS = ("head", "monitor", "comms", "data_officer")
READERS = ("doctor", "auditor")
STRANGERS = ("expert", "admin", "outsider")


@pytest.fixture
def world(personas):
    head = personas["head"]
    ngo = make_partner(head)
    spt = make_spt(head)
    contact = services.contact_add(actor=head, partner=ngo, name="Dana Ruel", position="Director")
    agreement = services.agreement_add(
        actor=head, partner=ngo, kind=Agreement.Kind.MOU, title="Memorandum on referrals"
    )
    communication = make_communication(head, partners=[ngo])
    secret = make_communication(
        head, partners=[spt], subject="Exchange with the SPT on its visit", confidential=True
    )
    activity = make_activity(head, partners=[ngo])
    return {
        "ngo": ngo,
        "spt": spt,
        "contact": contact,
        "agreement": agreement,
        "communication": communication,
        "secret": secret,
        "activity": activity,
    }


def read_urls(world):
    ngo, communication = world["ngo"], world["communication"]
    return [
        "/partners/",
        f"/partners/{ngo.pk}/",
        "/partners/log/",
        f"/partners/log/{communication.pk}/",
        "/partners/activities/",
    ]


def write_urls(world):
    ngo, communication = world["ngo"], world["communication"]
    return [
        "/partners/new/",
        f"/partners/{ngo.pk}/edit/",
        f"/partners/{ngo.pk}/contacts/new/",
        f"/partners/contacts/{world['contact'].pk}/edit/",
        f"/partners/{ngo.pk}/agreements/new/",
        f"/partners/agreements/{world['agreement'].pk}/edit/",
        "/partners/log/new/",
        f"/partners/log/{communication.pk}/edit/",
        "/partners/activities/new/",
        f"/partners/activities/{world['activity'].pk}/edit/",
    ]


def snapshot():
    """What a denied write must leave exactly as it was."""
    return (
        Partner.objects.count(),
        Contact.objects.count(),
        Agreement.objects.count(),
        Communication.objects.count(),
        AwarenessActivity.objects.count(),
        sorted(Partner.objects.values_list("pk", "version", "name")),
        sorted(Communication.objects.values_list("pk", "version", "subject")),
        # Signing in is audited; reading is not a write.
        AuditEvent.objects.exclude(action__startswith="auth.")
        .exclude(action__endswith=".read")
        .count(),
    )


def test_staff_who_see_partners_get_every_page(personas, client_for, world):
    for who in WRITERS + READERS:
        client = client_for(personas[who])
        for url in read_urls(world):
            assert client.get(url).status_code == 200, (who, url)


def test_writers_open_every_form(personas, client_for, world):
    for who in WRITERS:
        client = client_for(personas[who])
        for url in write_urls(world):
            assert client.get(url).status_code == 200, (who, url)


def test_experts_admins_and_outsiders_get_404_and_change_nothing(personas, client_for, world):
    before = snapshot()
    communication = world["communication"]
    posted = [
        *write_urls(world),
        f"/partners/log/{communication.pk}/watch/",
        f"/partners/log/{communication.pk}/open-watch/",
    ]
    for who in STRANGERS:
        client = client_for(personas[who])
        for url in [*read_urls(world), *write_urls(world), "/partners/export/"]:
            assert client.get(url).status_code == 404, (who, url)
        for url in posted:
            assert client.post(url, {"name": "x", "subject": "x"}).status_code == 404, (who, url)
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login(world):
    client = Client()
    for url in read_urls(world) + write_urls(world) + ["/partners/export/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/" in response["Location"], url


def test_readers_get_403_on_writes_and_change_nothing(personas, client_for, world):
    before = snapshot()
    for who in READERS:
        client = client_for(personas[who])
        for url in write_urls(world):
            assert client.get(url).status_code == 403, (who, url)
            posted = client.post(
                url, {"name": "Hijacked", "subject": "Hijacked", "kind": "ngo", "version": 1}
            )
            assert posted.status_code == 403, (who, url)
    assert snapshot() == before


def test_only_the_head_reaches_the_package_for_the_spt(personas, client_for, world):
    assert client_for(personas["head"]).get("/partners/export/").status_code == 200
    assert (
        'href="/partners/export/"'
        in client_for(personas["head"]).get("/partners/log/").content.decode()
    )
    assert (
        'href="/partners/export/"'
        not in client_for(personas["monitor"]).get("/partners/").content.decode()
    )
    for who in ("monitor", "comms", "data_officer", "doctor", "auditor"):
        assert client_for(personas[who]).get("/partners/export/").status_code == 403, who


def test_a_missing_partner_answers_404(personas, client_for):
    client = client_for(personas["head"])
    assert client.get("/partners/987654/").status_code == 404
    assert client.get("/partners/contacts/987654/edit/").status_code == 404
    assert client.get(f"/partners/log/{uuid.uuid4()}/").status_code == 404


# -- the registry -----------------------------------------------------------------------


def test_the_registry_lists_partners_with_agreements_and_last_contact(personas, client_for, world):
    page = client_for(personas["monitor"]).get("/partners/").content.decode()

    assert "Prisoners&#x27; Rights Circle" in page
    assert "UN Subcommittee on Prevention of Torture" in page
    assert world["communication"].occurred_on.isoformat() in page
    assert f"/partners/log/?partner={world['ngo'].pk}" in page


def test_the_registry_filters_by_kind_and_search(personas, client_for, world):
    make_partner(personas["head"], name="Faculty of Law", kind="academia", acronym="", areas="")
    client = client_for(personas["comms"])

    by_kind = client.get("/partners/", {"kind": "academia"}).content.decode()
    by_words = client.get("/partners/", {"q": "legal aid"}).content.decode()

    assert "Faculty of Law" in by_kind and "Prisoners&#x27; Rights Circle" not in by_kind
    assert "Prisoners&#x27; Rights Circle" in by_words and "Faculty of Law" not in by_words


def test_the_registry_never_dates_a_confidential_exchange_for_a_reader(personas, client_for, world):
    day = world["secret"].occurred_on.isoformat()

    for_head = client_for(personas["head"]).get("/partners/", {"kind": "spt"})
    for_auditor = client_for(personas["auditor"]).get("/partners/", {"kind": "spt"})

    assert day in for_head.content.decode()
    assert day not in for_auditor.content.decode()
    assert "Exchange with the SPT" not in for_auditor.content.decode()


def test_the_registry_is_paginated(personas, client_for):
    head = personas["head"]
    for number in range(52):
        make_partner(head, name=f"Partner {number:02d}", acronym="")
    client = client_for(head)

    first = client.get("/partners/").content.decode()
    second = client.get("/partners/", {"page": 2}).content.decode()

    assert "Partner 00" in first and "Partner 51" not in first
    assert "Partner 51" in second and "Page 2 of 2" in second


def test_htmx_filtering_answers_with_the_results_only(personas, client_for, world):
    response = client_for(personas["head"]).get(
        "/partners/", {"kind": "ngo"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body and "Prisoners&#x27; Rights Circle" in body


# -- a partner's page ---------------------------------------------------------------------


def test_the_partner_page_shows_contacts_agreements_log_and_activities(personas, client_for, world):
    page = client_for(personas["doctor"]).get(f"/partners/{world['ngo'].pk}/").content.decode()

    assert "Dana Ruel" in page and "Director" in page
    assert "Memorandum on referrals" in page
    assert world["communication"].reference in page
    assert "Training on OPCAT for prison officers" in page
    assert "/edit/" not in page  # a reader is offered no edit


def test_agreements_warn_before_they_expire_and_once_expired(personas, client_for, world):
    head, ngo = personas["head"], world["ngo"]
    today = timezone.localdate()
    services.agreement_add(
        actor=head,
        partner=ngo,
        kind=Agreement.Kind.DATA_SHARING,
        title="Data-sharing terms 2024",
        signed_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=20),
    )
    services.agreement_add(
        actor=head,
        partner=ngo,
        kind=Agreement.Kind.REFERRAL,
        title="Old referral protocol",
        signed_on=today - dt.timedelta(days=900),
        expires_on=today - dt.timedelta(days=3),
    )
    client = client_for(personas["monitor"])

    page = client.get(f"/partners/{ngo.pk}/").content.decode()
    registry = client.get("/partners/").content.decode()

    assert "Expires in 20 days" in page
    assert f"Expired on {(today - dt.timedelta(days=3)).isoformat()}" in page
    assert "Agreements expiring soon" in registry and "Data-sharing terms 2024" in registry
    assert "1 expiring" in registry


def test_a_partner_is_added_and_audited(personas, client_for):
    response = client_for(personas["comms"]).post(
        "/partners/new/",
        {
            "name": "National Human Rights Commission",
            "acronym": "NHRC",
            "kind": "nhri",
            "areas": "complaints, monitoring",
            "website": "https://nhrc.example.org",
        },
    )

    partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/partners/{partner.pk}/"
    assert partner.acronym == "NHRC" and partner.website == "https://nhrc.example.org"
    event = AuditEvent.objects.get(action="partners.partner.create")
    assert event.actor == personas["comms"] and event.object_id == str(partner.pk)


def test_bad_input_is_refused_with_a_message_and_nothing_is_added(personas, client_for):
    response = client_for(personas["head"]).post(
        "/partners/new/", {"name": "", "kind": "nonsense", "website": "not a website"}
    )

    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert not Partner.objects.exists()


def test_a_partner_is_edited_and_retired(personas, client_for, world):
    ngo = world["ngo"]
    response = client_for(personas["data_officer"]).post(
        f"/partners/{ngo.pk}/edit/",
        {"name": ngo.name, "kind": "ngo", "areas": "prisons", "version": ngo.version},
    )

    ngo.refresh_from_db()
    assert response.status_code == 302
    assert ngo.areas == "prisons" and ngo.active is False and ngo.version == 2
    assert AuditEvent.objects.filter(action="partners.partner.update").count() == 1


def test_a_stale_partner_edit_gets_409_and_keeps_the_users_text(personas, client_for, world):
    ngo = world["ngo"]
    services.partner_update(
        actor=personas["head"], partner=ngo, expected_version=1, areas="migration"
    )
    response = client_for(personas["monitor"]).post(
        f"/partners/{ngo.pk}/edit/",
        {"name": ngo.name, "kind": "ngo", "areas": "My own words", "active": "on", "version": 1},
    )

    ngo.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 409
    assert "My own words" in body and "Saved meanwhile" in body and "migration" in body
    assert ngo.areas == "migration" and ngo.version == 2
    assert 'name="version" value="2"' in body  # saving again applies


def test_a_contact_is_added_and_edited(personas, client_for, world):
    client = client_for(personas["comms"])
    ngo = world["ngo"]

    added = client.post(
        f"/partners/{ngo.pk}/contacts/new/",
        {"name": "Ilan Moss", "position": "Lawyer", "email": "ilan@example.org"},
    )
    contact = Contact.objects.get(name="Ilan Moss")
    edited = client.post(
        f"/partners/contacts/{contact.pk}/edit/",
        {"name": "Ilan Moss", "position": "Head of legal aid", "version": contact.version},
    )

    contact.refresh_from_db()
    assert added.status_code == 302 and edited.status_code == 302
    assert contact.position == "Head of legal aid" and contact.active is False
    assert AuditEvent.objects.filter(action="partners.contact.add").count() == 2
    assert AuditEvent.objects.filter(action="partners.contact.update").count() == 1


def test_a_stale_contact_edit_gets_409(personas, client_for, world):
    contact = world["contact"]
    services.contact_update(
        actor=personas["head"], contact=contact, expected_version=1, phone="+1 555 0100"
    )
    response = client_for(personas["monitor"]).post(
        f"/partners/contacts/{contact.pk}/edit/",
        {"name": "Dana Ruel", "position": "Deputy", "active": "on", "version": 1},
    )
    contact.refresh_from_db()
    assert response.status_code == 409 and b"Deputy" in response.content
    assert contact.position == "Director"


def test_an_agreement_is_recorded_and_one_ending_before_it_starts_is_refused(
    personas, client_for, world
):
    client = client_for(personas["head"])
    url = f"/partners/{world['ngo'].pk}/agreements/new/"

    refused = client.post(
        url,
        {
            "kind": "mou",
            "title": "Backwards",
            "signed_on": "2025-06-01",
            "expires_on": "2025-01-01",
        },
    )
    accepted = client.post(
        url,
        {
            "kind": "data_sharing",
            "title": "Data-sharing terms",
            "signed_on": "2025-01-01",
            "expires_on": "2027-01-01",
            "terms": "Aggregated figures only.",
        },
    )

    assert refused.status_code == 400
    assert b"An agreement cannot expire before it is signed." in refused.content
    assert accepted.status_code == 302
    assert list(Agreement.objects.values_list("title", flat=True).order_by("title")) == [
        "Data-sharing terms",
        "Memorandum on referrals",
    ]


def test_an_agreement_is_edited_and_a_stale_edit_gets_409(personas, client_for, world):
    agreement = world["agreement"]
    url = f"/partners/agreements/{agreement.pk}/edit/"
    form = {"kind": "mou", "title": "Memorandum, renewed", "expires_on": "2030-01-01"}

    first = client_for(personas["head"]).post(url, {**form, "version": 1})
    second = client_for(personas["comms"]).post(url, {**form, "title": "Mine", "version": 1})

    agreement.refresh_from_db()
    assert first.status_code == 302 and second.status_code == 409
    assert b"Mine" in second.content
    assert agreement.title == "Memorandum, renewed" and agreement.version == 2
    assert AuditEvent.objects.filter(action="partners.agreement.update_stale").count() == 1
