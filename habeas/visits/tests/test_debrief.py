"""The debrief (¶16): no text that identifies a source, and urgent drafts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import AuthorityFactory
from habeas.visits import services_field as field
from habeas.visits.models import Debrief, UrgentDraft
from habeas.visits.source_check import check_text, knowledge_of
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db

NOTES = (
    "He says the guards dragged him into the shower room at 03:40 and beat him with a "
    "rubber hose; it happened in cell 214 after the football match."
)
CLEAN = (
    "The team is concerned about allegations of ill-treatment by staff at night and about "
    "late notification of lawyers."
)


def _world(personas):
    world = field_world(personas)
    interview(
        world,
        unit=world.unit("Wing A"),
        pseudonym="Kestrel",
        notes=NOTES,
        identity="Yusuf Amrani",
        interpreter_language="Arabic",
        interpreter_name="Leila Benhamou",
    )
    return world


def _save(world, **data):
    values = {
        "held_at": timezone.now(),
        "participants": "The director, the head of security, the whole team.",
        "main_concerns": CLEAN,
        "urgent_matters": "",
        **data,
    }
    return field.debrief_save(actor=world.monitor, visit=world.visit, data=values)


def _refusal(world, **data) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        _save(world, **data)
    assert not Debrief.objects.exists()
    return refused.value.message_dict


def test_it_accepts_clean_text(personas):
    world = _world(personas)
    debrief = _save(world)
    assert debrief.main_concerns == CLEAN
    assert AuditEvent.objects.filter(action="visits.debrief.create").count() == 1


def test_it_refuses_a_pseudonym_and_quotes_it(personas):
    world = _world(personas)
    errors = _refusal(world, main_concerns="As kestrel told us, night checks are violent.")
    [message] = errors["main_concerns"]
    assert "“Kestrel”" in message and "characters 4–10" in message


def test_it_refuses_a_real_identity_without_echoing_it(personas):
    world = _world(personas)
    errors = _refusal(world, main_concerns="Mr AMRÁNI complained of beatings.")
    [message] = errors["main_concerns"]
    assert "a name known only from an interview" in message
    assert "mrani" not in message.casefold() and "yusuf" not in message.casefold()


def test_it_refuses_other_names_known_to_the_visit(personas):
    world = _world(personas)
    errors = _refusal(world, participants="The director; Leila Benhamou interpreted.")
    assert "a name known to the visit" in errors["participants"][0]
    assert "Benhamou" not in errors["participants"][0]


def test_it_refuses_a_run_of_words_from_the_notes_without_quoting_them(personas):
    world = _world(personas)
    text = "Detainees say guards dragged him into the shower room at night."
    errors = _refusal(world, main_concerns=text)
    [message] = errors["main_concerns"]
    assert "a detail known only from an interview" in message
    assert "shower" not in message and "dragged" not in message


def test_it_refuses_a_rare_detail_from_the_notes(personas):
    world = _world(personas)
    errors = _refusal(world, urgent_matters="Inspect cell 214 without delay.")
    assert "detail known only from an interview" in errors["urgent_matters"][0]
    errors = _refusal(world, main_concerns="An incident was reported around 03:40.")
    assert errors["main_concerns"]


def test_common_words_shared_with_the_notes_are_not_a_detail(personas):
    world = _world(personas)
    knowledge = knowledge_of(world.visit)
    assert check_text("It happened in the yard, after the meal.", knowledge) == []
    assert check_text("Wing A held 40 people; the reference is fine.", knowledge) == []


def test_it_refuses_an_urgent_draft_that_names_a_source_and_defaults_to_seven_days(personas):
    world = _world(personas)
    with pytest.raises(ValidationError):
        field.urgent_draft_create(
            actor=world.monitor, visit=world.visit, data={"text": "Protect Kestrel at once."}
        )
    authority = AuthorityFactory()
    draft = field.urgent_draft_create(
        actor=world.monitor,
        visit=world.visit,
        data={"text": "Stop night searches without a written order.", "addressee": authority.pk},
    )
    assert draft.deadline == timezone.localdate() + dt.timedelta(days=7)
    assert draft.addressee == authority
    with pytest.raises(ValidationError):
        field.urgent_draft_create(
            actor=world.monitor,
            visit=world.visit,
            data={"text": "x", "deadline": timezone.localdate() - dt.timedelta(days=1)},
        )
    assert UrgentDraft.objects.count() == 1


def test_it_updates_the_debrief_with_its_version(personas):
    world = _world(personas)
    debrief = _save(world)
    field.debrief_save(
        actor=world.monitor,
        visit=world.visit,
        data={"urgent_matters": "Night searches."},
        expected_version=debrief.version,
    )
    debrief.refresh_from_db()
    assert debrief.version == 2 and debrief.urgent_matters == "Night searches."
