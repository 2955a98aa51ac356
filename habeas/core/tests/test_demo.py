"""`manage.py demo`: the fictional NPM that `make run` loads into an empty database."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.demo import DEMO_PASSWORD
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.core import audit
from habeas.core.models import AuditEvent
from habeas.core.tests import shared_demo
from habeas.places.demo import REFERENCE_DATE, demo_load
from habeas.places.models import Authority, Category, Place, PopulationRecord, Region, Unit

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def share(counts: dict[str, int], *codes: str) -> float:
    return sum(counts.get(code, 0) for code in codes) / sum(counts.values())


class Discard(Exception):
    """Raised to roll a demo load back once its fingerprint is taken."""


def fingerprint_of_a_load(seed: int) -> list[tuple]:
    fingerprint: list[tuple] = []
    with contextlib.suppress(Discard), transaction.atomic():
        demo_load(scale="small", seed=seed)
        fingerprint.extend(
            Place.objects.annotate(unit_count=Count("units"))
            .order_by("external_ref")
            .values_list(
                "external_ref",
                "name",
                "category__code",
                "region__code",
                "latitude",
                "longitude",
                "capacity",
                "last_visit_on",
                "unit_count",
            )
        )
        raise Discard
    return fingerprint


class TestTheLoadedDemo:
    """Tests that read the demo the command loads, shared with the other demo tests."""

    pytestmark = shared_demo.MARKS

    def test_it_builds_a_small_country_where_police_custody_is_the_largest_share(self, demo):
        counts = dict(Place.objects.values_list("category__code").annotate(n=Count("id")))
        assert sum(counts.values()) == 300
        assert max(counts, key=counts.get) == "police-custody"
        assert 0.60 <= share(counts, "police-custody") <= 0.70
        assert 0.03 <= share(counts, "prison-remand", "prison-sentenced") <= 0.05
        assert 0.05 <= share(counts, "psychiatric") <= 0.07
        assert 0.09 <= share(counts, "social-care") <= 0.11
        assert 0.02 <= share(counts, "juvenile") <= 0.04
        assert len(counts) >= 12
        assert "300 places" in demo

    def test_it_gives_every_place_a_reference_region_authority_units_and_a_population_series(
        self, demo
    ):
        places = Place.objects.all()
        assert not places.filter(external_ref__isnull=True).exists()
        assert not places.filter(region__isnull=True).exists()
        assert not places.filter(authority__isnull=True).exists()
        assert not places.annotate(n=Count("units")).filter(n=0).exists()
        assert places.filter(latitude__range=(44, 50), longitude__range=(2, 10)).count() == 300
        assert Region.objects.filter(parent__isnull=True).count() == 1
        assert (
            8
            <= Region.objects.filter(parent__parent__isnull=True).exclude(parent=None).count()
            <= 16
        )
        assert Authority.objects.filter(response_days__in=[30, 60]).count() > 10
        prisons = places.filter(category__code__startswith="prison-")
        assert all(
            4 <= n <= 13 for n in prisons.annotate(n=Count("units")).values_list("n", flat=True)
        )
        assert PopulationRecord.objects.filter(population__gt=F("place__capacity")).exists()
        assert places.filter(category__code="juvenile", groups__code="children").count() == (
            places.filter(category__code="juvenile").count()
        )
        assert places.filter(official=False).exists()
        assert places.filter(status=Place.Status.CLOSED).exists()
        assert places.filter(operator=Place.Operator.PRIVATE).exists()

    def test_it_leaves_many_police_stations_unvisited_and_visits_every_prison_within_four_years(
        self, demo
    ):
        police = Place.objects.filter(category__code="police-custody")
        assert police.filter(last_visit_on__isnull=True).count() > police.count() / 2
        prisons = Place.objects.filter(category__code__startswith="prison-")
        assert not prisons.filter(last_visit_on__isnull=True).exists()
        assert not prisons.filter(
            last_visit_on__lt=REFERENCE_DATE - timedelta(days=4 * 365)
        ).exists()

    def test_it_creates_one_account_per_role_that_signs_in_with_the_demo_password(self, demo):
        request = RequestFactory().post("/accounts/login/")
        for role in Role.values:
            email = f"{role}@demo.habeas.test"
            user = authenticate(request, username=email, password=DEMO_PASSWORD)
            assert user is not None, role
            assert user.role == role
            assert not TOTPDevice.objects.filter(user=user).exists()
            validate_password(DEMO_PASSWORD, user)
            assert email in demo
        expert = User.objects.get(role=Role.EXPERT)
        assert expert.expires_at > timezone.now() + timedelta(days=300)
        assert "http://127.0.0.1:8000/accounts/login/" in demo
        assert DEMO_PASSWORD in demo

    def test_it_writes_one_audit_event_per_bulk_part_and_the_services_own_for_the_rest(self, demo):
        # One for the places and accounts, one for the assessment tool's demo, one for the
        # years of recommendations and one for the strategy (objectives, budget lines,
        # policies and their acknowledgements) loaded in bulk; the visits and case files
        # are written through their services, each write with its own event.
        bulk = [
            "demo.load",
            "demo.load_assessments",
            "demo.load_recommendations",
            "demo.load_strategy",
        ]
        assert (
            not AuditEvent.objects.filter(action__startswith="demo.")
            .exclude(action__in=bulk)
            .exists()
        )
        assert AuditEvent.objects.filter(action="demo.load_recommendations").count() == 1
        assert AuditEvent.objects.filter(action="demo.load_strategy").count() == 1
        assert AuditEvent.objects.filter(action="visit.create").exists()
        assert AuditEvent.objects.filter(action="cases.case.create").exists()
        assert audit.verify() is None
        event = AuditEvent.objects.get(action="demo.load")
        assert AuditEvent.objects.filter(action="demo.load_assessments").count() == 1
        assert event.actor is None
        assert event.detail["places"] == 300
        assert event.detail["units"] == Unit.objects.count()


@pytest.fixture(scope="module")
def fingerprints(django_db_setup: Any, django_db_blocker: Any) -> dict[str, list[tuple]]:
    """Seed 11 loaded twice and seed 12 once, each load rolled back."""
    with django_db_blocker.unblock():
        return {
            "first": fingerprint_of_a_load(seed=11),
            "again": fingerprint_of_a_load(seed=11),
            "other": fingerprint_of_a_load(seed=12),
        }


def test_it_builds_the_same_country_from_the_same_seed(fingerprints):
    first, again = fingerprints["first"], fingerprints["again"]

    assert len(first) == 300
    assert first == again


def test_it_builds_another_country_from_another_seed(fingerprints):
    first, other = fingerprints["first"], fingerprints["other"]

    names, other_names = {row[1] for row in first}, {row[1] for row in other}
    assert len(names & other_names) < len(names) / 10


def test_it_leaves_a_database_that_holds_places_untouched_with_if_empty():
    Place.objects.create(name="Central prison", category=Category.objects.get(code="prison-remand"))
    events = AuditEvent.objects.count()

    output = run_demo("--scale", "small", "--if-empty")

    assert Place.objects.count() == 1
    assert not User.objects.exists()
    assert AuditEvent.objects.count() == events
    assert "already holds places" in output


def test_it_refuses_to_load_over_existing_places_without_if_empty():
    Place.objects.create(name="Central prison", category=Category.objects.get(code="prison-remand"))

    with pytest.raises(CommandError, match="already holds places"):
        run_demo("--scale", "small")

    assert Place.objects.count() == 1
    assert not User.objects.exists()


@override_settings(HABEAS_ENV="production")
def test_it_refuses_to_run_in_production():
    with pytest.raises(CommandError, match="production"):
        run_demo("--scale", "small")

    assert not Place.objects.exists()
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()
