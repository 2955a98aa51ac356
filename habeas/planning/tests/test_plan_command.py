"""`manage.py plan --period 2027-Q1 [--json]`: builds the period's programme synchronously
(creating it with the latest capacity if needed) and prints it."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from habeas.planning.models import PlannedVisit, Programme, RegionCapacity
from habeas.planning.tests.factories import make_country, make_programme, set_capacity

pytestmark = pytest.mark.django_db


@pytest.fixture
def country(personas: Any) -> Any:
    country = make_country()
    head = personas["head"]
    earlier = make_programme(head, "2026-Q4", trip_sharing="none", trip_overhead_days=Decimal("0"))
    set_capacity(head, earlier, {country.north: 30, country.south: 20})
    return country


def plan(*args: str) -> str:
    out = StringIO()
    call_command("plan", *args, "--time-limit", "2", stdout=out)
    return out.getvalue()


def test_it_creates_builds_and_prints_the_programme_as_json(personas, country):
    body = json.loads(plan("--period", "2027-Q1", "--json"))

    programme = Programme.objects.get(period="2027-Q1")
    assert programme.status == Programme.Status.BUILT
    assert RegionCapacity.objects.filter(programme=programme).count() == 2
    assert body["period"] == "2027-Q1" and body["status"] == "built"
    assert {"objective", "bound", "gap", "comparison", "left_out", "exceeded"} <= set(body)
    assert len(body["visits"]) == PlannedVisit.objects.filter(programme=programme).count() > 0
    visit = body["visits"][0]
    assert visit["week"].startswith("2027-") and visit["reasons"]


def test_it_prints_a_table_and_rebuilds_the_same_programme(personas, country):
    plan("--period", "2027-Q1")
    text = plan("--period", "2027-Q1")

    assert Programme.objects.filter(period="2027-Q1").count() == 1
    assert "Programme 2027-Q1" in text and "most overdue first" in text
    assert "risk covered" in text and "Reserve kept back: 20 %" in text
    place = PlannedVisit.objects.filter(programme__period="2027-Q1").first().place
    assert place.name[:38] in text


def test_it_refuses_a_period_it_cannot_read(personas, country):
    with pytest.raises(CommandError, match="quarter"):
        plan("--period", "2027-Q9")
