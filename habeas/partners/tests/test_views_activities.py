"""Awareness activities (¶33) and the confidential package for the SPT (¶3, 30): their
pages with the personas."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import zipfile

import pytest
from django.urls import reverse

from habeas.accounts.sudo import SESSION_KEY
from habeas.core.models import AuditEvent
from habeas.partners import services
from habeas.partners.models import AwarenessActivity
from habeas.partners.tests.factories import (
    CANARY_DETAILS,
    make_activity,
    make_communication,
    make_partner,
    make_spt,
)
from habeas.places.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

ACTIVITIES = "/partners/activities/"
EXPORT = "/partners/export/"


def with_sudo(client):
    session = client.session
    session[SESSION_KEY] = time.time() + 600
    session.save()
    return client


# -- awareness activities --------------------------------------------------------------------


def test_the_page_totals_activities_by_audience_and_kind_for_a_year(personas, client_for):
    head = personas["head"]
    make_activity(
        head,
        title="Talk at the bar",
        kind="talk",
        audience="judiciary",
        reached=40,
        held_on=dt.date(2024, 5, 2),
    )
    make_activity(head, title="Prison staff training", reached=25, held_on=dt.date(2025, 3, 1))
    make_activity(head, title="Second training", reached=30, held_on=dt.date(2025, 9, 1))
    client = client_for(personas["auditor"])

    every_year = client.get(ACTIVITIES).content.decode()
    in_2025 = client.get(ACTIVITIES, {"year": 2025}).content.decode()

    assert "3 activities reaching 95 people" in every_year
    assert "Totals for 2025" in in_2025 and "2 activities reaching 55 people" in in_2025
    assert "Talk at the bar" not in in_2025 and "Second training" in in_2025
    assert '<th scope="row">Staff of places of detention</th>' in in_2025
    assert '<th scope="row">Judges, prosecutors, lawyers</th>' not in in_2025
    assert '<th scope="row">Judges, prosecutors, lawyers</th>' in every_year
    assert '<option value="2024">' in in_2025  # every year stays offered


def test_an_activity_is_recorded_with_partners_and_audited(personas, client_for):
    ngo = make_partner(personas["head"])
    region = RegionFactory(name="Northern Region")
    client = client_for(personas["comms"])

    page = client.get(ACTIVITIES + "new/", {"partner": ngo.pk}).content.decode()
    response = client.post(
        ACTIVITIES + "new/",
        {
            "kind": "publication",
            "title": "Leaflet on detainees' rights",
            "held_on": "2025-02-01",
            "audience": "detainees",
            "reached": 1200,
            "region": region.pk,
            "partners": [ngo.pk],
        },
    )

    activity = AwarenessActivity.objects.get()
    assert f'<option value="{ngo.pk}" selected>' in page
    assert response.status_code == 302 and response["Location"] == ACTIVITIES
    assert activity.reached == 1200 and activity.region == region
    assert list(activity.partners.all()) == [ngo]
    assert AuditEvent.objects.get(action="partners.activity.record").actor == personas["comms"]


def test_a_negative_audience_is_refused_and_nothing_recorded(personas, client_for):
    response = client_for(personas["head"]).post(
        ACTIVITIES + "new/",
        {
            "kind": "talk",
            "title": "Talk",
            "held_on": "2025-02-01",
            "audience": "public",
            "reached": -5,
        },
    )
    assert response.status_code == 400
    assert b"Ensure this value is greater than or equal to 0." in response.content
    assert not AwarenessActivity.objects.exists()


def test_an_activity_is_edited_and_a_stale_edit_gets_409(personas, client_for):
    activity = make_activity(personas["head"])
    url = f"{ACTIVITIES}{activity.pk}/edit/"
    form = {
        "kind": "training",
        "title": "Training on OPCAT",
        "held_on": activity.held_on.isoformat(),
        "audience": "staff",
        "reached": 31,
        "version": 1,
    }

    first = client_for(personas["monitor"]).post(url, form)
    second = client_for(personas["data_officer"]).post(url, {**form, "reached": 99})

    activity.refresh_from_db()
    assert first.status_code == 302 and second.status_code == 409
    assert b'value="99"' in second.content and b"Saved meanwhile" in second.content
    assert activity.reached == 31 and activity.version == 2


def test_readers_are_offered_no_recording(personas, client_for):
    make_activity(personas["head"])
    page = client_for(personas["doctor"]).get(ACTIVITIES).content.decode()
    assert "Record an activity" not in page and "/edit/" not in page


# -- the package for the SPT -----------------------------------------------------------------


@pytest.fixture
def spt_world(personas):
    head = personas["head"]
    spt = make_spt(head)
    ngo = make_partner(head)
    secret = make_communication(
        head,
        partners=[spt],
        confidential=True,
        subject="Exchange on the SPT's follow-up visit",
        occurred_on=dt.date(2025, 4, 1),
    )
    return {"spt": spt, "ngo": ngo, "secret": secret}


def test_the_export_page_offers_international_bodies_only(personas, client_for, spt_world):
    page = client_for(personas["head"]).get(EXPORT).content.decode()

    assert f'<option value="{spt_world["spt"].pk}"' in page
    assert f'<option value="{spt_world["ngo"].pk}"' not in page
    assert "You will be asked to confirm it is you" in page


def test_it_asks_for_sudo_before_exporting_anything(personas, client_for, spt_world):
    response = client_for(personas["head"]).get(EXPORT, {"partner": spt_world["spt"].pk})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert not AuditEvent.objects.filter(action="partners.spt_package.export").exists()


def test_the_head_downloads_the_confidential_package(personas, client_for, spt_world):
    client = with_sudo(client_for(personas["head"]))

    response = client.get(
        EXPORT, {"partner": spt_world["spt"].pk, "since": "2025-01-01", "until": "2025-12-31"}
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="exchanges-spt-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert spt_world["secret"].reference in json.dumps(manifest)
    assert CANARY_DETAILS in json.dumps(manifest, ensure_ascii=False)
    event = AuditEvent.objects.get(action="partners.spt_package.export")
    assert event.actor == personas["head"] and CANARY_DETAILS not in json.dumps(event.detail)


def test_a_package_for_a_partner_not_offered_is_refused(personas, client_for, spt_world):
    client = with_sudo(client_for(personas["head"]))

    ngo = client.get(EXPORT, {"partner": spt_world["ngo"].pk})
    backwards = client.get(
        EXPORT, {"partner": spt_world["spt"].pk, "since": "2025-06-01", "until": "2025-01-01"}
    )

    assert ngo.status_code == 400 and backwards.status_code == 400
    assert b"The period ends before it starts." in backwards.content
    assert not AuditEvent.objects.filter(action="partners.spt_package.export").exists()


def test_no_one_but_the_head_exports_even_with_sudo(personas, client_for, spt_world):
    for who in ("monitor", "comms", "auditor"):
        client = with_sudo(client_for(personas[who]))
        response = client.get(EXPORT, {"partner": spt_world["spt"].pk})
        assert response.status_code == 403, who
    for who in ("expert", "admin"):
        client = with_sudo(client_for(personas[who]))
        assert client.get(EXPORT, {"partner": spt_world["spt"].pk}).status_code == 404, who
    assert not AuditEvent.objects.filter(action="partners.spt_package.export").exists()


def test_a_retired_partner_stays_on_the_records_it_belongs_to(personas, client_for):
    head = personas["head"]
    ngo = make_partner(head)
    activity = make_activity(head, partners=[ngo])
    services.partner_update(actor=head, partner=ngo, expected_version=1, active=False)

    form = client_for(head).get(f"{ACTIVITIES}{activity.pk}/edit/").content.decode()
    new = client_for(head).get(ACTIVITIES + "new/").content.decode()

    assert f'<option value="{ngo.pk}" selected>' in form
    assert f'<option value="{ngo.pk}"' not in new
