"""The demo's self-assessments, action plan and assessing body (`manage.py demo`)."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from habeas.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from habeas.assessment import selectors
from habeas.assessment.demo import SPT_EMAIL, demo_load_assessments
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    Evidence,
    FrameworkVersion,
    Membership,
    Organisation,
    Rating,
)
from habeas.core.models import AuditEvent
from habeas.core.tests import shared_demo
from habeas.places.demo import DemoRefused
from habeas.places.models import Place

pytestmark = pytest.mark.django_db


def self_assessments() -> tuple[Assessment, Assessment]:
    home = Organisation.objects.get(is_home=True)
    earlier, later = Assessment.objects.filter(made_by=home).order_by("period_end")
    return earlier, later


class Discard(Exception):
    """Raised to roll a load back once its fingerprint is taken."""


def fingerprint_of_a_load(seed: int) -> list[tuple]:
    fingerprint: list[tuple] = []
    with contextlib.suppress(Discard), transaction.atomic():
        demo_accounts_create(now=timezone.now())
        demo_load_assessments(seed=seed)
        fingerprint.extend(
            Rating.objects.order_by("assessment__title", "criterion__position").values_list(
                "assessment__title", "criterion__ref", "level", "narrative"
            )
        )
        fingerprint.extend(Organisation.objects.order_by("name").values_list("name", "kind"))
        fingerprint.extend(
            ActionItem.objects.order_by("title").values_list("title", "status", "deadline")
        )
        raise Discard
    return fingerprint


class TestTheLoadedDemo:
    """Tests that read the demo the command loads, shared with the other demo tests."""

    pytestmark = shared_demo.MARKS

    def test_it_builds_two_self_assessments_a_year_apart_the_older_final_and_shared(self, demo):
        earlier, later = self_assessments()

        assert (earlier.period_end.year, later.period_end.year) == (2024, 2025)
        assert earlier.state == "final" and earlier.finalised_at and earlier.finalised_by
        assert later.state == "in_review"
        for assessment in (earlier, later):
            assert not assessment.ratings.filter(level="").exists()
            assert assessment.ratings.exclude(narrative="").count() > 60
            assert assessment.assessors.count() == 2
        assert not Rating.objects.filter(level="not_applicable", reason="").exists()
        assert list(earlier.shares.values_list("organisation__kind", flat=True)) == ["spt"]
        assert not later.shares.exists()
        assert earlier.indicator_values.exists()

    def test_it_makes_the_later_self_assessment_better_on_some_sections_and_worse_on_a_few(
        self, demo
    ):
        earlier, later = self_assessments()

        comparison = selectors.assessment_compare(earlier=earlier, later=later)

        deltas = {row.section.ref: row.delta for row in comparison.sections}
        assert deltas["IV.A"] > 0 and deltas["IV.E"] > 0 and deltas["V.E"] > 0
        assert deltas["V.C"] < 0 and deltas["V.D"] < 0
        better = {ref for ref, delta in deltas.items() if delta and delta > 0}
        worse = {ref for ref, delta in deltas.items() if delta and delta < 0}
        assert worse <= {"V.C", "V.D", "V"} and len(better) > len(worse)
        assert {"9", "10", "25", "38"} <= {change.criterion.ref for change in comparison.improved}
        assert {"35", "37"} <= {change.criterion.ref for change in comparison.slipped}

    def test_it_cites_public_sources_and_places_of_the_inventory_as_evidence(self, demo):
        earlier, later = self_assessments()

        links = Evidence.objects.filter(kind="link")
        records = Evidence.objects.filter(kind="record", assessment=later)

        assert links.filter(assessment=earlier).count() == 3
        assert all(url.startswith("https://") for url in links.values_list("url", flat=True))
        assert records.count() == 2
        for evidence in records:
            assert selectors.evidence_record_model(
                user=later.assessors.first(),
                record_type=evidence.record_type,
                record_id=evidence.record_id,
            )

    def test_it_leaves_an_action_plan_partly_done_with_exactly_one_item_overdue(self, demo):
        earlier, _later = self_assessments()
        today = timezone.localdate()

        plan = earlier.action_items.all()
        overdue = [item for item in plan if item.status == "open" and item.deadline < today]

        assert plan.filter(status="done").count() >= 2
        assert plan.filter(status__in=["open", "in_progress"]).count() >= 2
        assert len(overdue) == 1 and overdue[0].criterion.ref == "37"
        assert all(item.completed_on for item in plan.filter(status="done"))
        gaps = {"not_in_place", "partially"}
        for item in plan:
            assert earlier.ratings.get(criterion=item.criterion).level in gaps

    def test_it_gives_the_spt_an_account_that_sees_only_its_own_and_what_was_shared(self, demo):
        member = Membership.objects.select_related("user", "organisation").get(
            user__email=SPT_EMAIL
        )
        earlier, later = self_assessments()

        visible = set(Assessment.objects.restrict(member.user, "view"))
        own = set(Assessment.objects.filter(made_by=member.organisation))

        assert member.organisation.kind == "spt" and member.user.role == "monitor"
        assert len(own) == 2 and {a.subject.kind for a in own} == {"npm"}
        assert len({a.subject_id for a in own}) == 2
        assert visible == own | {earlier} and later not in visible
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=SPT_EMAIL, password=DEMO_PASSWORD) == member.user
        assert SPT_EMAIL in demo

    def test_it_refuses_to_load_over_existing_assessments(self, demo):
        Organisation.objects.exclude(is_home=True).update(name="Kept")

        with pytest.raises(DemoRefused, match="already holds assessments"):
            demo_load_assessments(seed=1)

        assert Assessment.objects.count() == 4
        assert Organisation.objects.filter(name="Kept").count() == 3


def test_it_builds_the_same_assessments_from_the_same_seed():
    first = fingerprint_of_a_load(seed=7)
    again = fingerprint_of_a_load(seed=7)
    other = fingerprint_of_a_load(seed=8)

    assert len(first) > 4 * 69 and first == again
    assert other != first


def test_it_writes_one_audit_event_of_its_own():
    demo_accounts_create(now=timezone.now())
    before = AuditEvent.objects.count()

    demo_load_assessments(seed=1)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "demo.load_assessments" and event.actor is None
    assert event.detail["assessments"] == 4 == Assessment.objects.count()
    assert event.detail["ratings"] == Rating.objects.count()


@override_settings(HABEAS_ENV="production")
def test_it_refuses_to_run_in_production():
    with pytest.raises(DemoRefused, match="production"):
        demo_load_assessments(seed=1)

    assert not Assessment.objects.exists()


def test_it_leaves_no_half_demo_when_the_assessment_part_is_refused():
    FrameworkVersion.objects.all().delete()

    with pytest.raises(CommandError, match="SPT's tool is missing"):
        call_command("demo", "--scale", "small", stdout=StringIO())

    assert not Place.objects.exists()
