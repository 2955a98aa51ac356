"""Writes of the risk model: new versions of the weights, snapshots, the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.models import Place
from habeas.places.tests.factories import PlaceFactory, PopulationRecordFactory
from habeas.planning import risk, services_risk
from habeas.planning.models import DEFAULT_WEIGHTS, Factor, RiskSnapshot, RiskWeights

pytestmark = pytest.mark.django_db

WEIGHTS = {str(name): weight for name, weight in DEFAULT_WEIGHTS.items()}


@pytest.fixture
def people(personas):
    return personas


def test_it_saves_the_weights_as_a_new_version_and_keeps_the_old(people):
    first = risk.current_weights()

    saved = services_risk.weights_save(
        actor=people["head"],
        weights={**WEIGHTS, Factor.CATEGORY: 30},
        note="Police custody matters more",
        expected_number=first.number,
    )

    assert saved.number == 2 and saved.created_by == people["head"]
    assert saved.weights[Factor.CATEGORY] == 30.0
    assert risk.current_weights() == saved
    assert RiskWeights.objects.get(number=1).weights == first.weights
    event = AuditEvent.objects.get(action="planning.weights_save")
    assert event.object_id == str(saved.pk) and event.detail == {"number": 2, "previous": 1}
    assert "Police" not in str(event.detail)


@pytest.mark.parametrize("role", ["monitor", "data_officer", "doctor", "outsider"])
def test_it_lets_only_the_head_change_the_weights(people, role):
    with pytest.raises(PermissionDenied):
        services_risk.weights_save(actor=people[role], weights=WEIGHTS, note="")

    assert not RiskWeights.objects.filter(number__gt=1).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({Factor.OCCUPANCY: 101}, Factor.OCCUPANCY),
        ({Factor.OCCUPANCY: -1}, Factor.OCCUPANCY),
        ({Factor.OCCUPANCY: "a lot"}, Factor.OCCUPANCY),
        ({Factor.OCCUPANCY: float("nan")}, Factor.OCCUPANCY),
        ({Factor.OCCUPANCY: True}, Factor.OCCUPANCY),
        ({Factor.OCCUPANCY: None}, Factor.OCCUPANCY),
        ({"charisma": 5}, "charisma"),
        (dict.fromkeys(Factor.values, 0), "__all__"),
    ],
)
def test_it_refuses_bad_weights_with_a_message_and_saves_nothing(people, change, field):
    risk.current_weights()

    with pytest.raises(ValidationError) as refused:
        services_risk.weights_save(actor=people["head"], weights={**WEIGHTS, **change}, note="")

    assert field in refused.value.message_dict
    assert RiskWeights.objects.count() == 1


def test_it_refuses_weights_without_every_factor(people):
    partial = {name: value for name, value in WEIGHTS.items() if name != Factor.WATCHES}

    with pytest.raises(ValidationError) as refused:
        services_risk.weights_save(actor=people["head"], weights=partial, note="")

    assert Factor.WATCHES in refused.value.message_dict


def test_it_refuses_a_save_from_a_stale_version_and_audits_it(people):
    first = risk.current_weights()
    services_risk.weights_save(
        actor=people["head"], weights=WEIGHTS, note="", expected_number=first.number
    )

    with pytest.raises(StaleEdit) as stale:
        services_risk.weights_save(
            actor=people["head"],
            weights={**WEIGHTS, Factor.OCCUPANCY: 1},
            note="",
            expected_number=first.number,
        )

    assert stale.value.current_version == 2
    assert RiskWeights.objects.count() == 2
    event = AuditEvent.objects.get(action="planning.weights_save_stale")
    assert event.detail == {"expected_number": 1, "current_number": 2}


def test_it_records_a_snapshot_of_every_open_place(people):
    places = PlaceFactory.create_batch(3, capacity=100)
    PopulationRecordFactory(place=places[0], population=180)
    PlaceFactory(status=Place.Status.CLOSED)
    weights = risk.current_weights()

    count = services_risk.risk_refresh(actor=people["monitor"], today=dt.date(2026, 6, 30))

    assert count == 3
    snapshots = {s.place_id: s for s in RiskSnapshot.objects.all()}
    assert set(snapshots) == {place.pk for place in places}
    first = snapshots[places[0].pk]
    live = risk.compute(place_ids=[places[0].pk], today=dt.date(2026, 6, 30), weights=WEIGHTS)
    assert first.score == pytest.approx(live[places[0].pk].score)
    assert first.weights == weights
    assert first.computed_at.date() == dt.date(2026, 6, 30)
    assert [row["factor"] for row in first.breakdown] == Factor.values
    occupancy = first.breakdown[0]
    assert occupancy["value"] == pytest.approx(1.8) and occupancy["points"] == pytest.approx(12)
    assert risk.from_json(occupancy).text.startswith("Holds 180 people for 100 places")
    event = AuditEvent.objects.get(action="planning.risk_refresh")
    assert event.detail["places"] == 3 and event.actor == people["monitor"]


def test_it_lets_only_planners_refresh_the_scores(people):
    PlaceFactory()

    with pytest.raises(PermissionDenied):
        services_risk.risk_refresh(actor=people["data_officer"])

    assert not RiskSnapshot.objects.exists()


def test_the_command_records_the_scores(people):
    PlaceFactory.create_batch(2)
    out = StringIO()

    call_command("risk_refresh", stdout=out)
    call_command("risk_refresh", "--today", "2026-01-15", stdout=out)

    assert "Risk scores recorded for 2 open places" in out.getvalue()
    assert RiskSnapshot.objects.count() == 4
    assert AuditEvent.objects.filter(action="planning.risk_refresh", actor=None).count() == 2
    with pytest.raises(CommandError):
        call_command("risk_refresh", "--today", "15/01/2026", stdout=out)


def test_it_takes_a_snapshot_with_the_new_weights_once_they_are_saved(
    people, django_capture_on_commit_callbacks
):
    places = PlaceFactory.create_batch(3)
    weights = {name: 0.0 for name in DEFAULT_WEIGHTS} | {str(Factor.CATEGORY): 50.0}

    with django_capture_on_commit_callbacks(execute=True):
        saved = services_risk.weights_save(actor=people["head"], weights=weights, note="Category")

    taken = RiskSnapshot.objects.filter(weights=saved)
    assert taken.count() == Place.objects.filter(status=Place.Status.OPEN).count() == len(places)
    assert all(0 <= snapshot.score <= 50 for snapshot in taken)
