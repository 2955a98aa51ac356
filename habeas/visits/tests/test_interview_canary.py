"""The canary test for interview notes (issue 3, SECURITY.md tests 4, 6, 17): notes
planted with a canary never appear in plaintext in the database, in the logs, in the
pages or the API of someone off the team, and the debrief's source check catches a
phrase from them."""

from __future__ import annotations

import base64
import logging
import secrets

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.api.tests import fuzzing
from habeas.visits import services_field as field
from habeas.visits.models import Debrief, Interview
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def canary() -> str:
    return f"canary{secrets.token_hex(6)}"


def _plant(personas, canary: str):
    world = field_world(personas)
    notes = f"The guards locked him in the {canary} storeroom without water for two days."
    made = interview(
        world, unit=world.unit("Wing A"), notes=notes, identity=f"Name {canary}", sensitive=True
    )
    return world, made


def _forms(canary: str) -> list[bytes]:
    raw = canary.encode()
    return [raw, canary.encode("utf-16-le"), base64.b64encode(raw)]


def test_the_raw_columns_hold_no_plaintext(personas, canary):
    world, made = _plant(personas, canary)
    table = Interview._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT notes, identity, pseudonym FROM {table} WHERE id = %s",  # noqa: S608
            [made.pk.hex if connection.vendor == "sqlite" else made.pk],
        )
        rows = cursor.fetchall()
    assert rows, "the interview was not found by its raw id"
    for value in rows[0]:
        data = bytes(value) if not isinstance(value, str) else value.encode()
        assert not any(form in data for form in _forms(canary))


def test_no_log_line_carries_the_canary(personas, canary, caplog, client_for):
    caplog.set_level(logging.DEBUG)
    world, made = _plant(personas, canary)
    client = client_for(world.monitor)
    client.get(
        reverse(
            "visits:interview_detail", kwargs={"visit_pk": world.visit.pk, "interview_id": made.pk}
        )
    )
    with pytest.raises(ValidationError):
        field.debrief_save(
            actor=world.monitor,
            visit=world.visit,
            data={
                "held_at": timezone.now(),
                "participants": "Director",
                "main_concerns": f"Someone was held in the {canary} storeroom.",
            },
        )
    assert canary not in caplog.text


@pytest.mark.parametrize("who", ["comms", "doctor", "outsider"])
def test_no_page_of_a_user_off_the_team_shows_it(personas, canary, client_for, who):
    world, made = _plant(personas, canary)
    client = client_for(personas[who])
    v = world.visit.pk
    urls = [
        reverse(f"visits:{name}", kwargs={"visit_pk": v})
        for name in ("coverage", "field_status", "interview_list", "finding_list", "debrief")
    ]
    urls += [
        reverse("visits:interview_detail", kwargs={"visit_pk": v, "interview_id": made.pk}),
        reverse("visits:interview_edit", kwargs={"visit_pk": v, "interview_id": made.pk}),
        reverse("visits:visit_detail", kwargs={"visit_pk": v}),
    ]
    for url in urls:
        response = client.get(url)
        assert canary.encode() not in response.content, url


@pytest.mark.parametrize("who", ["comms", "doctor", "outsider"])
def test_the_api_of_a_user_off_the_team_does_not_show_it(personas, canary, who):
    world, made = _plant(personas, canary)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=fuzzing.bearer(personas[who])["Authorization"])
    for path in ("/api/v1/interviews/", f"/api/v1/interviews/{made.pk}/", "/api/v1/findings/"):
        assert canary not in client.get(path).content.decode(), path


def test_the_debrief_source_check_catches_a_phrase_from_the_notes(personas, canary):
    world, _made = _plant(personas, canary)
    with pytest.raises(ValidationError) as refused:
        field.debrief_save(
            actor=world.monitor,
            visit=world.visit,
            data={
                "held_at": timezone.now(),
                "participants": "The director.",
                "main_concerns": "We heard that guards locked him in a room without water.",
            },
        )
    message = " ".join(refused.value.messages)
    assert "detail known only from an interview" in message
    assert canary not in message and "without water" not in message
    assert not Debrief.objects.exists()
