"""The debrief page: refused text stays in the form with the reason, and urgent drafts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.visits.models import Debrief, UrgentDraft
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db


def _post(client, world, concerns):
    return client.post(
        reverse("visits:debrief", kwargs={"visit_pk": world.visit.pk}),
        {
            "held_at": "2025-03-12T16:00",
            "participants": "The director and the team.",
            "main_concerns": concerns,
        },
    )


def test_a_debrief_naming_a_pseudonym_is_refused_and_the_text_kept(personas, client_for):
    world = field_world(personas)
    interview(world, pseudonym="Kestrel", identity="Yusuf Amrani", notes="Beaten in cell 214.")
    client = client_for(world.monitor)
    response = _post(client, world, "Kestrel said night searches are violent.")
    assert response.status_code == 400
    assert "“Kestrel”".encode() in response.content
    assert b"Kestrel said night searches are violent." in response.content  # kept
    response = _post(client, world, "Yusuf Amrani says so.")
    assert (
        response.status_code == 400 and b"a name known only from an interview" in response.content
    )
    assert not Debrief.objects.exists()
    assert _post(client, world, "Night searches are reported as violent.").status_code == 302
    assert Debrief.objects.count() == 1


def test_an_urgent_draft_is_made_and_listed_on_the_debrief(personas, client_for):
    world = field_world(personas)
    client = client_for(world.monitor)
    _post(client, world, "Night searches.")
    response = client.post(
        reverse("visits:urgent_create", kwargs={"visit_pk": world.visit.pk}),
        {"text": "End strip searches at night within seven days."},
    )
    assert response.status_code == 302 and UrgentDraft.objects.count() == 1
    page = client_for(personas["comms"]).get(
        reverse("visits:debrief", kwargs={"visit_pk": world.visit.pk})
    )
    assert b"End strip searches at night" in page.content
    assert b'<form method="post" class="record-form"' not in page.content
    assert (
        client_for(personas["comms"])
        .post(reverse("visits:debrief", kwargs={"visit_pk": world.visit.pk}), {})
        .status_code
        == 403
    )
