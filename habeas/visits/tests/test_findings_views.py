"""Pages of findings, evidence, difficulties: the team writes, a colleague reads, an
outsider gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.visits import services_field as field
from habeas.visits.models import Difficulty, Finding
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db


def _finding(world):
    return field.finding_create(
        actor=world.monitor,
        visit=world.visit,
        data={
            "theme": "health",
            "kind": "concern",
            "severity": "key",
            "statement": "No doctor at night.",
        },
    )


def test_a_finding_is_created_then_corroborated_on_its_page(personas, client_for):
    world = field_world(personas)
    client = client_for(world.monitor)
    v = world.visit.pk
    response = client.post(
        reverse("visits:finding_create", kwargs={"visit_pk": v}),
        {
            "theme": "health",
            "kind": "concern",
            "severity": "key",
            "statement": "No doctor at night.",
            "established": "on",
        },
    )
    assert response.status_code == 400 and b"single-source" in response.content
    response = client.post(
        reverse("visits:finding_create", kwargs={"visit_pk": v}),
        {
            "theme": "health",
            "kind": "concern",
            "severity": "key",
            "statement": "No doctor at night.",
            "standards": ["mandela"],
            "standard_note": "Rule 24",
        },
    )
    finding = Finding.objects.get()
    assert response.status_code == 302
    person = interview(world, unit=world.unit("Wing A"))
    evidence_url = reverse("visits:evidence_add", kwargs={"visit_pk": v, "finding_pk": finding.pk})
    assert (
        client.post(
            evidence_url, {"source": "private_interview", "interview": str(person.pk)}
        ).status_code
        == 302
    )
    assert (
        client.post(
            evidence_url, {"source": "observation", "note": "Night roster shows no doctor."}
        ).status_code
        == 302
    )
    page = client.get(
        reverse("visits:finding_detail", kwargs={"visit_pk": v, "finding_pk": finding.pk})
    )
    assert b"Corroborated" in page.content and person.pseudonym.encode() in page.content


def test_a_colleague_reads_findings_without_pseudonyms_and_may_not_edit(personas, client_for):
    world = field_world(personas)
    finding = _finding(world)
    person = interview(world, pseudonym="Kestrel")
    field.evidence_add(
        actor=world.monitor,
        finding=finding,
        data={"source": "private_interview", "interview": person.pk},
    )
    client = client_for(personas["comms"])
    v = world.visit.pk
    page = client.get(
        reverse("visits:finding_detail", kwargs={"visit_pk": v, "finding_pk": finding.pk})
    )
    assert page.status_code == 200 and b"Kestrel" not in page.content
    assert (
        client.get(
            reverse("visits:finding_edit", kwargs={"visit_pk": v, "finding_pk": finding.pk})
        ).status_code
        == 403
    )
    outsider = client_for(personas["outsider"])
    assert (
        outsider.get(
            reverse("visits:finding_detail", kwargs={"visit_pk": v, "finding_pk": finding.pk})
        ).status_code
        == 404
    )


def test_removing_evidence_on_the_page_warns_that_the_finding_is_no_longer_fact(
    personas, client_for
):
    world = field_world(personas)
    finding = _finding(world)
    field.evidence_add(
        actor=world.monitor, finding=finding, data={"source": "observation", "note": "Roster."}
    )
    check = field.register_check_create(
        actor=world.monitor, visit=world.visit, data={"kind": "medical", "sample": "May"}
    )
    evidence = field.evidence_add(
        actor=world.monitor,
        finding=finding,
        data={"source": "register", "register_check": check.pk},
    )
    finding.refresh_from_db()
    field.finding_update(
        actor=world.monitor,
        finding=finding,
        data={"established": True},
        expected_version=finding.version,
    )
    client = client_for(world.monitor)
    url = reverse(
        "visits:evidence_remove",
        kwargs={"visit_pk": world.visit.pk, "finding_pk": finding.pk, "evidence_pk": evidence.pk},
    )
    response = client.post(url, follow=True)
    assert b"no longer stated as established fact" in response.content
    finding.refresh_from_db()
    assert not finding.established


def test_a_stale_finding_edit_gets_409_with_the_users_text(personas, client_for):
    world = field_world(personas)
    finding = _finding(world)
    field.finding_update(
        actor=world.monitor,
        finding=finding,
        data={"statement": "Changed meanwhile."},
        expected_version=1,
    )
    client = client_for(world.monitor)
    response = client.post(
        reverse(
            "visits:finding_edit", kwargs={"visit_pk": world.visit.pk, "finding_pk": finding.pk}
        ),
        {
            "theme": "health",
            "kind": "concern",
            "severity": "key",
            "statement": "My own wording.",
            "version": 1,
        },
    )
    assert response.status_code == 409 and b"My own wording." in response.content


def test_difficulties_are_recorded_on_the_page(personas, client_for):
    world = field_world(personas)
    client = client_for(world.monitor)
    url = reverse("visits:difficulty_create", kwargs={"visit_pk": world.visit.pk})
    response = client.post(
        url,
        {
            "kind": "documents_withheld",
            "occurred_at": "2025-03-10T09:00",
            "description": "The use-of-force register was not shown.",
            "told_whom": "Deputy director",
            "told_at": "2025-03-10T09:30",
        },
    )
    assert response.status_code == 302 and Difficulty.objects.count() == 1
    assert client_for(personas["comms"]).post(url, {}).status_code == 403
    assert (
        client_for(personas["outsider"])
        .get(reverse("visits:difficulty_list", kwargs={"visit_pk": world.visit.pk}))
        .status_code
        == 404
    )
