"""Findings (¶15, 19): triangulation computed from the evidence, and a single-source
statement never stated as established fact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import UnitFactory
from habeas.visits import services_field as field
from habeas.visits import triangulation
from habeas.visits.models import Finding, Interview, Visit
from habeas.visits.tests.factories import make_visit
from habeas.visits.tests.test_interviews_builders import field_world, interview

pytestmark = pytest.mark.django_db


def _finding(world, **data):
    values = {
        "theme": "safeguards",
        "kind": "concern",
        "severity": "key",
        "statement": "Lawyers are notified hours after arrival.",
        "standards": ["mandela"],
        "standard_note": "Rule 61",
        **data,
    }
    return field.finding_create(actor=world.monitor, visit=world.visit, data=values)


def _register(world, unit="Wing A"):
    return field.register_check_create(
        actor=world.monitor,
        visit=world.visit,
        data={"kind": "custody", "unit": world.unit(unit).pk, "sample": "30 days"},
    )


def _add(world, finding, **data):
    return field.evidence_add(actor=world.monitor, finding=finding, data=data)


def test_it_starts_single_source_and_refuses_to_state_it_as_fact(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError) as refused:
        _finding(world, established=True)
    assert "established" in refused.value.message_dict
    finding = _finding(world)
    assert finding.triangulation == Finding.Triangulation.SINGLE


def test_it_stays_single_source_with_several_items_of_one_person_or_one_kind(personas):
    world = field_world(personas)
    finding = _finding(world)
    person = interview(world, unit=world.unit("Wing A"))
    _add(world, finding, source="private_interview", interview=person.pk)
    _add(world, finding, source="private_interview", interview=person.pk, note="again")
    finding.refresh_from_db()
    assert finding.triangulation == Finding.Triangulation.SINGLE
    other = interview(world, unit=world.unit("Wing A"))
    group = interview(world, kind=Interview.Kind.GROUP, unit=world.unit("Wing A"))
    _add(world, finding, source="private_interview", interview=other.pk)
    _add(world, finding, source="group_interview", interview=group.pk)
    finding.refresh_from_db()
    assert finding.triangulation == Finding.Triangulation.SINGLE


def test_it_counts_one_person_interviewed_twice_as_one_source(personas):
    world = field_world(personas)
    finding = _finding(world)
    first = interview(world, identity="Omar Haddad")
    second = interview(world, kind=Interview.Kind.STAFF, identity="omar  HADDAD")
    _add(world, finding, source="private_interview", interview=first.pk)
    _add(world, finding, source="staff", interview=second.pk)
    finding.refresh_from_db()
    assert finding.triangulation == Finding.Triangulation.SINGLE


def test_it_is_corroborated_by_sources_of_two_kinds_and_may_then_be_established(personas):
    world = field_world(personas)
    finding = _finding(world, unit=world.unit("Wing A").pk)
    person = interview(world, unit=world.unit("Wing A"))
    _add(world, finding, source="private_interview", interview=person.pk)
    _add(world, finding, source="register", register_check=_register(world).pk)
    finding.refresh_from_db()
    assert finding.triangulation == Finding.Triangulation.CORROBORATED
    updated = field.finding_update(
        actor=world.monitor, finding=finding, data={"established": True}, expected_version=3
    )
    assert updated.established


def test_it_is_systemic_across_two_units(personas):
    world = field_world(personas)
    finding = _finding(world)
    _add(
        world,
        finding,
        source="private_interview",
        interview=interview(world, unit=world.unit("Wing A")).pk,
    )
    _add(world, finding, source="register", register_check=_register(world, "Wing B").pk)
    finding.refresh_from_db()
    assert finding.triangulation == Finding.Triangulation.SYSTEMIC
    assert triangulation.explain(finding)["units"] == 2


def test_it_is_systemic_when_the_theme_recurs_at_two_earlier_visits(personas):
    world = field_world(personas)
    for year in (2021, 2023):
        earlier = make_visit(
            world.head,
            place=world.place,
            starts_on=dt.date(year, 5, 1),
            ends_on=dt.date(year, 5, 2),
            state=Visit.State.CLOSED,
        )
        Finding.objects.create(
            visit=earlier,
            theme="safeguards",
            kind="concern",
            severity="key",
            statement="Late lawyer notification.",
            created_by=world.head,
        )
    finding = _finding(world)
    _add(world, finding, source="observation", note="Custody desk has no lawyer list.")
    _add(world, finding, source="register", register_check=_register(world).pk)
    finding.refresh_from_db()
    assert finding.triangulation == Finding.Triangulation.SYSTEMIC


def test_removing_evidence_that_drops_it_to_single_source_unestablishes_it(personas):
    world = field_world(personas)
    finding = _finding(world)
    _add(world, finding, source="observation", note="No lawyer list at the desk.")
    evidence = _add(world, finding, source="register", register_check=_register(world).pk)
    finding.refresh_from_db()
    finding = field.finding_update(
        actor=world.monitor,
        finding=finding,
        data={"established": True},
        expected_version=finding.version,
    )
    field.evidence_remove(actor=world.monitor, evidence=evidence)
    finding.refresh_from_db()
    assert finding.triangulation == Finding.Triangulation.SINGLE and not finding.established
    event = AuditEvent.objects.filter(action="visits.evidence.remove").get()
    assert event.detail["unestablished"] is True


def test_it_refuses_evidence_from_another_visit_or_of_the_wrong_kind(personas):
    world = field_world(personas)
    finding = _finding(world)
    group = interview(world, kind=Interview.Kind.GROUP)
    with pytest.raises(ValidationError):
        _add(world, finding, source="private_interview", interview=group.pk)
    other = field_world(personas)
    elsewhere = interview(other)
    with pytest.raises(ValidationError):
        _add(world, finding, source="private_interview", interview=elsewhere.pk)
    with pytest.raises(ValidationError):
        _add(world, finding, source="observation", note="")
    with pytest.raises(ValidationError):
        _add(world, finding, source="hearsay", note="x")
    assert not finding.evidence.exists()


def test_it_requires_severity_for_a_concern_and_none_for_good_practice(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError):
        _finding(world, severity="")
    good = _finding(world, kind="good_practice", severity="urgent")
    assert good.severity == ""


def test_it_refuses_unknown_standards_and_units_of_other_places(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError):
        _finding(world, standards=["magna_carta"])
    with pytest.raises(ValidationError):
        _finding(world, unit=UnitFactory().pk)
