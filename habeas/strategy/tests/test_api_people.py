"""API v1 of policies and training (¶7, 8, 37) with the personas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.core.models import AuditEvent
from habeas.strategy.models import Acknowledgement, Policy, PolicyArea, TrainingPlanEntry
from habeas.strategy.services_people import policy_create
from habeas.strategy.tests.test_training_views import upcoming  # noqa: F401
from habeas.visits.models import TrainingRecord

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/policies/"
RECORDS = "/api/v1/training-records/"
PLAN = "/api/v1/training-plan/"
NEEDS = "/api/v1/training-needs/"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def policy(personas):
    return policy_create(
        actor=personas["head"],
        area=PolicyArea.STAFF,
        title="Staff rules",
        text="Be on time.",
        effective_on=dt.date(2025, 1, 1),
    )


def test_every_member_reads_policies_an_outsider_sees_nothing(personas, policy):
    for name in ("head", "monitor", "expert", "admin", "auditor"):
        body = api(personas[name]).get(POLICIES).json()
        assert [row["title"] for row in body["results"]] == ["Staff rules"], name
        row = body["results"][0]
        assert row["latest_version"] == 1
        assert row["acknowledged_at"] is None
        assert row["versions"][0]["text"] == "Be on time."
    outsider = api(personas["outsider"])
    assert outsider.get(POLICIES).json()["results"] == []
    assert outsider.get(f"{POLICIES}{policy.pk}/").status_code == 404


def test_a_member_acknowledges_through_the_api(personas, policy):
    client = api(personas["comms"])
    url = f"{POLICIES}{policy.pk}/acknowledge/"
    response = client.post(url, {"number": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["acknowledged_at"] is not None
    again = client.post(url, {"number": 1}, format="json")
    assert again.status_code == 400
    assert client.post(url, {"number": 7}, format="json").status_code == 400
    assert api(personas["outsider"]).post(url, {"number": 1}, format="json").status_code == 403
    assert Acknowledgement.objects.count() == 1


def test_only_the_head_creates_and_issues_versions(personas, policy):
    data = {"area": "staff", "title": "Leave", "text": "Ask first.", "effective_on": "2025-01-01"}
    before = AuditEvent.objects.count()
    for name in ("monitor", "data_officer", "comms", "outsider"):
        assert api(personas[name]).post(POLICIES, data, format="json").status_code == 403, name
        issued = api(personas[name]).post(
            f"{POLICIES}{policy.pk}/versions/",
            {"text": "x", "effective_on": "2025-02-01", "change_note": "y", "version": 1},
            format="json",
        )
        assert issued.status_code == 403, name
    assert AuditEvent.objects.count() == before
    head = api(personas["head"])
    created = head.post(POLICIES, data, format="json")
    assert created.status_code == 201
    assert created.json()["latest_version"] == 1
    url = f"{POLICIES}{policy.pk}/versions/"
    body = {"text": "Be early.", "effective_on": "2025-02-01", "change_note": "Earlier"}
    assert head.post(url, body, format="json").status_code == 400  # no version read
    issued = head.post(url, {**body, "version": 1}, format="json")
    assert issued.status_code == 201
    assert [v["number"] for v in issued.json()["versions"]] == [2, 1]
    assert head.post(url, {**body, "version": 1}, format="json").status_code == 409
    assert Policy.objects.get(pk=policy.pk).versions.count() == 2


def test_the_head_renames_a_policy_through_the_api(personas, policy):
    url = f"{POLICIES}{policy.pk}/"
    for name in ("monitor", "auditor", "outsider"):
        refused = api(personas[name]).patch(url, {"title": "X", "version": 1}, format="json")
        assert refused.status_code in {403, 404}, name
    head = api(personas["head"])
    assert head.patch(url, {"title": "Rules for staff"}, format="json").status_code == 400

    renamed = head.patch(url, {"title": "Rules for staff", "version": 1}, format="json")

    assert renamed.status_code == 200
    assert renamed.json()["title"] == "Rules for staff"
    assert renamed.json()["area"] == "staff"
    assert renamed.json()["latest_version"] == 1
    moved = head.patch(url, {"area": "data_protection"}, format="json", HTTP_IF_MATCH='"2"')
    assert moved.status_code == 200 and moved.json()["area"] == "data_protection"
    stale = head.patch(url, {"title": "Old read", "version": 1}, format="json")
    assert stale.status_code == 409
    bad = head.patch(url, {"area": "nope", "version": 3}, format="json")
    assert bad.status_code == 400
    policy.refresh_from_db()
    assert (policy.title, policy.area, policy.version) == ("Rules for staff", "data_protection", 3)
    assert AuditEvent.objects.filter(action="policy.update").count() == 2


def test_training_needs_are_the_readers_own_unless_they_manage(upcoming):  # noqa: F811
    mine = api(upcoming["doctor"]).get(NEEDS).json()["results"]
    assert {(n["user"], n["training_name"]) for n in mine} == {
        (upcoming["doctor"].pk, "HC interviewing"),
        (upcoming["doctor"].pk, "HC children"),
    }
    assert mine[0]["visits"][0]["reference"] == upcoming["visit"].reference
    everyone = api(upcoming["head"]).get(NEEDS).json()["results"]
    assert len(everyone) == 4
    assert api(upcoming["outsider"]).get(NEEDS).json()["results"] == []
    assert api(upcoming["admin"]).get(NEEDS).json()["results"] == []


def test_the_plan_is_drawn_and_moved_through_the_api(upcoming):  # noqa: F811
    year = upcoming["year"]
    assert (
        api(upcoming["doctor"]).post(f"{PLAN}draw/", {"year": year}, format="json").status_code
        == 403
    )
    head = api(upcoming["head"])
    drawn = head.post(f"{PLAN}draw/", {"year": year}, format="json")
    assert drawn.json() == {"created": 4, "already_planned": 0}
    assert head.post(f"{PLAN}draw/", {"year": year}, format="json").json() == {
        "created": 0,
        "already_planned": 4,
    }
    own = api(upcoming["doctor"]).get(PLAN, {"year": year}).json()["results"]
    assert {row["user"] for row in own} == {upcoming["doctor"].pk}
    other = TrainingPlanEntry.objects.filter(user=upcoming["doctor2"]).first()
    assert other is not None
    assert api(upcoming["doctor"]).get(f"{PLAN}{other.pk}/").status_code == 404
    today = timezone.localdate().isoformat()
    refused = api(upcoming["doctor"]).patch(
        f"{PLAN}{other.pk}/", {"status": "done", "completed_on": today, "version": 1}, format="json"
    )
    assert refused.status_code == 403
    done = head.patch(
        f"{PLAN}{other.pk}/", {"status": "done", "completed_on": today, "version": 1}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert TrainingRecord.objects.filter(
        user=upcoming["doctor2"], training_id=other.training_id
    ).exists()
    stale = head.patch(f"{PLAN}{other.pk}/", {"status": "cancelled", "version": 1}, format="json")
    assert stale.status_code == 409


def test_training_records_are_own_or_managed(upcoming):  # noqa: F811
    today = timezone.localdate().isoformat()
    doctor = api(upcoming["doctor"])
    mine = doctor.post(
        RECORDS,
        {"user": upcoming["doctor"].pk, "training": upcoming["a"].pk, "completed_on": today},
        format="json",
    )
    assert mine.status_code == 201
    assert mine.json()["training_name"] == "HC interviewing"
    for_other = doctor.post(
        RECORDS,
        {"user": upcoming["doctor2"].pk, "training": upcoming["a"].pk, "completed_on": today},
        format="json",
    )
    assert for_other.status_code == 403
    assert {r["user"] for r in doctor.get(RECORDS).json()["results"]} == {upcoming["doctor"].pk}
    head_sees = api(upcoming["head"]).get(RECORDS, {"user": upcoming["head"].pk}).json()["results"]
    assert len(head_sees) == 2
    assert api(upcoming["outsider"]).get(RECORDS).json()["results"] == []
    assert TrainingRecord.objects.filter(user=upcoming["doctor2"]).count() == 0
