"""API of the field work: interviews and register checks for the team only, notes on
a single audited read, identity only with the right; findings with their evidence and
triangulation; difficulties; filtered by visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from habeas.accounts import roles
from habeas.api.tests import fuzzing
from habeas.core.models import AuditEvent
from habeas.visits import services_field as field
from habeas.visits.models import Interview
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db

NOTE = "api-note-canary: kept in the boiler room overnight"


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=fuzzing.bearer(user)["Authorization"])
    return client


def _setup(personas):
    world = field_world(personas)
    made = interview(world, unit=world.unit("Wing A"), notes=NOTE, identity="Omar Haddad")
    check = field.register_check_create(
        actor=world.monitor,
        visit=world.visit,
        data={"kind": "custody", "unit": world.unit("Wing A").pk, "sample": "May"},
    )
    finding = field.finding_create(
        actor=world.monitor,
        visit=world.visit,
        data={"theme": "treatment", "kind": "concern", "severity": "urgent", "statement": "S"},
    )
    field.evidence_add(
        actor=world.monitor,
        finding=finding,
        data={"source": "private_interview", "interview": made.pk},
    )
    field.evidence_add(
        actor=world.monitor,
        finding=finding,
        data={"source": "register", "register_check": check.pk},
    )
    field.difficulty_create(
        actor=world.monitor,
        visit=world.visit,
        data={
            "kind": "access_delayed",
            "occurred_at": timezone.now() - dt.timedelta(hours=1),
            "description": "Kept at the gate.",
        },
    )
    return world, made, check, finding


def test_the_team_lists_interviews_without_notes_and_reads_one_with_them(personas):
    world, made, _check, _finding = _setup(personas)
    client = _api(world.monitor)
    listing = client.get("/api/v1/interviews/", {"visit": world.visit.pk})
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert NOTE not in listing.content.decode() and "Haddad" not in listing.content.decode()
    one = client.get(f"/api/v1/interviews/{made.pk}/").json()
    assert one["notes"] == NOTE and one["identity"] == "Omar Haddad"
    assert AuditEvent.objects.filter(action="visits.interview.read").count() == 1


def test_identity_is_withheld_without_the_right(personas, monkeypatch):
    world, made, _check, _finding = _setup(personas)
    monkeypatch.setitem(roles.PERMISSIONS, "cases.identity", frozenset({roles.Role.HEAD}))
    one = _api(world.monitor).get(f"/api/v1/interviews/{made.pk}/").json()
    assert one["notes"] == NOTE and one["identity"] is None


@pytest.mark.parametrize("who", ["comms", "doctor", "outsider"])
def test_off_the_team_sees_no_interview_and_no_register_check(personas, who):
    world, made, check, finding = _setup(personas)
    client = _api(personas[who])
    for path in ("/api/v1/interviews/", "/api/v1/register-checks/"):
        assert client.get(path).json()["count"] == 0
    assert client.get(f"/api/v1/interviews/{made.pk}/").status_code == 404
    assert client.get(f"/api/v1/register-checks/{check.pk}/").status_code == 404
    findings = client.get("/api/v1/findings/")
    assert NOTE not in findings.content.decode() and str(made.pk) not in findings.content.decode()


def test_comms_reads_findings_with_triangulation_but_no_links_to_interviews(personas):
    world, made, _check, finding = _setup(personas)
    body = _api(personas["comms"]).get(f"/api/v1/findings/{finding.pk}/").json()
    assert body["triangulation"] == "corroborated"
    assert body["triangulation_detail"]["sources"] == 2
    assert [e["interview"] for e in body["evidence"]] == [None, None]
    team = _api(world.monitor).get(f"/api/v1/findings/{finding.pk}/").json()
    assert team["evidence"][0]["interview"] == str(made.pk)


def test_lists_filter_by_visit_and_refuse_a_bad_filter(personas):
    world, *_ = _setup(personas)
    client = _api(world.monitor)
    assert client.get("/api/v1/difficulties/", {"visit": world.visit.pk}).json()["count"] == 1
    assert client.get("/api/v1/difficulties/", {"visit": world.visit.pk + 1}).json()["count"] == 0
    assert client.get("/api/v1/findings/", {"visit": 2**63}).json()["count"] == 0
    assert client.get("/api/v1/findings/", {"visit": "x"}).status_code == 400


def test_the_api_writes_nothing(personas):
    world, made, *_ = _setup(personas)
    client = _api(world.head)
    posted = client.post("/api/v1/interviews/", {"pseudonym": "X"}, format="json")
    assert posted.status_code in (403, 405)
    assert client.delete(f"/api/v1/interviews/{made.pk}/").status_code in (403, 405)
    assert Interview.objects.count() == 1
