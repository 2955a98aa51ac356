"""Service tests of the legislation tracker (habeas/legislation/services.py): who may
write, one audit event per write, stale edits, opinions in versions, links only to
records the writer may see, and the benchmarks the NPM edits."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.legislation import services
from habeas.legislation.models import (
    AdvocacyStep,
    Assessment,
    Benchmark,
    BenchmarkGroup,
    Effect,
    LegislationItem,
    Opinion,
    OpinionVersion,
    Outcome,
    Procedure,
)
from habeas.legislation.tests.factories import (
    assess,
    benchmark,
    in_days,
    make_item,
    make_opinion,
    make_partner,
    make_register_entry,
)
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations.tests.factories import make_recommendation
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

WRITERS = ("head", "monitor", "data_officer", "comms")
NOT_WRITERS = ("doctor", "auditor", "expert", "admin", "outsider")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.fixture
def world(personas):
    head = personas["head"]
    return SimpleNamespace(p=personas, head=head, item=make_item(head))


# -- items ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_the_npms_legislation_team_may_follow_an_item(personas, who):
    item = make_item(personas[who], deadline=in_days(9), authority=AuthorityFactory())
    assert item.reference.startswith(f"L-{timezone.localdate().year}-")
    assert item.created_by == personas[who] and item.version == 1
    (event,) = events("legislation.item_create")
    assert (event.actor, event.object_id) == (personas[who], str(item.pk))
    assert event.detail == {"kind": "draft", "procedure": "consultation"}


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_others_may_not_and_nothing_is_written(personas, who):
    with pytest.raises(PermissionDenied):
        make_item(personas[who])
    assert not LegislationItem.objects.exists() and not AuditEvent.objects.exists()


def test_it_numbers_items_per_year(personas, time_machine):
    head = personas["head"]
    time_machine.move_to(dt.datetime(2025, 12, 30, 12, tzinfo=dt.UTC))
    first, second = make_item(head), make_item(head)
    time_machine.move_to(dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC))
    third = make_item(head)
    assert [first.reference, second.reference, third.reference] == [
        "L-2025-001",
        "L-2025-002",
        "L-2026-001",
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"kind": "rumour"}, "kind"),
        ({"procedure": "lost"}, "procedure"),
        ({"subject": ""}, "subject"),
        ({"link": "javascript:alert(1)"}, "link"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(personas, fields, field):
    with pytest.raises(ValidationError) as refused:
        make_item(personas["head"], **fields)
    assert field in refused.value.message_dict
    assert not LegislationItem.objects.exists()


def test_the_lead_must_be_someone_who_works_on_legislation(personas):
    with pytest.raises(ValidationError) as refused:
        make_item(personas["head"], lead=personas["doctor"])
    assert "lead" in refused.value.message_dict
    assert make_item(personas["head"], lead=personas["comms"]).lead == personas["comms"]


def test_an_edit_from_the_version_read_is_saved_and_audited(world):
    item = world.item
    services.item_update(
        actor=world.p["monitor"],
        item=item,
        expected_version=1,
        title="Custody bill (second draft)",
        deadline=in_days(12),
    )
    item.refresh_from_db()
    assert (item.title, item.version) == ("Custody bill (second draft)", 2)
    (event,) = events("legislation.item_update")
    assert sorted(event.detail["fields"]) == ["deadline", "title"]


def test_a_stale_edit_is_refused_audited_and_changes_nothing(world):
    item = world.item
    services.item_update(actor=world.head, item=item, expected_version=1, title="First")
    stale = LegislationItem.objects.get(pk=item.pk)
    with pytest.raises(StaleEdit) as refused:
        services.item_update(actor=world.p["comms"], item=stale, expected_version=1, title="Second")
    assert refused.value.current_version == 2
    assert LegislationItem.objects.get(pk=item.pk).title == "First"
    (event,) = events("legislation.item_update_stale")
    assert event.actor == world.p["comms"]
    assert event.detail == {"expected_version": 1, "current_version": 2}


def test_an_edit_may_not_touch_what_other_services_own(world):
    with pytest.raises(ValidationError) as refused:
        services.item_update(
            actor=world.head, item=world.item, expected_version=1, priority=99, outcome="adopted"
        )
    assert set(refused.value.message_dict) == {"outcome", "priority"}
    world.item.refresh_from_db()
    assert (world.item.priority, world.item.version) == (0, 1)


def test_a_reader_may_not_edit(world):
    with pytest.raises(PermissionDenied):
        services.item_update(
            actor=world.p["doctor"], item=world.item, expected_version=1, title="Mine"
        )
    assert LegislationItem.objects.get(pk=world.item.pk).title != "Mine"


def test_changing_the_procedure_or_deadline_recomputes_the_priority(world):
    item = world.item
    assess(world.head, item, "first-hours-lawyer", Effect.WEAKENS)
    assert item.priority == 15
    services.item_update(actor=world.head, item=item, expected_version=1, deadline=in_days(3))
    assert LegislationItem.objects.get(pk=item.pk).priority == 15 + 8
    services.item_update(
        actor=world.head, item=item, expected_version=2, procedure=Procedure.REJECTED
    )
    assert LegislationItem.objects.get(pk=item.pk).priority == 0


def test_the_outcome_is_recorded_and_moves_the_version_on(world):
    item = services.outcome_record(
        actor=world.head, item=world.item, outcome=Outcome.PARTLY, note="Under-16s only."
    )
    item.refresh_from_db()
    assert (item.outcome, item.outcome_note, item.version) == ("partly", "Under-16s only.", 2)
    assert events("legislation.outcome_record")[0].detail == {"outcome": "partly"}
    with pytest.raises(ValidationError):
        services.outcome_record(actor=world.head, item=item, outcome="triumph")
    with pytest.raises(StaleEdit):
        services.item_update(actor=world.head, item=item, expected_version=1, title="Late")


# -- assessments ------------------------------------------------------------------------------


def test_an_assessment_replaces_the_earlier_one_against_the_same_benchmark(world):
    item, lawyer = world.item, benchmark("first-hours-lawyer")
    assess(world.p["monitor"], item, "first-hours-lawyer", Effect.SILENT)
    assess(world.p["comms"], item, "first-hours-lawyer", Effect.BREACHES, "Art. 63-4.")
    (row,) = Assessment.objects.filter(item=item)
    assert (row.benchmark, row.effect, row.note, row.assessed_by) == (
        lawyer,
        "breaches",
        "Art. 63-4.",
        world.p["comms"],
    )
    assert item.priority == 25
    assert [e.detail for e in events("legislation.assessment_set")] == [
        {"benchmark": "first-hours-lawyer", "effect": "silent", "created": True},
        {"benchmark": "first-hours-lawyer", "effect": "breaches", "created": False},
    ]


def test_an_assessment_may_be_withdrawn_and_the_priority_follows(world):
    item = world.item
    assess(world.head, item, "first-hours-lawyer", Effect.WEAKENS)
    services.assessment_clear(
        actor=world.head, item=item, benchmark=benchmark("first-hours-lawyer")
    )
    item.refresh_from_db()
    assert item.priority == 0 and not item.assessments.exists()
    assert len(events("legislation.assessment_clear")) == 1
    with pytest.raises(ValidationError):
        services.assessment_clear(
            actor=world.head, item=item, benchmark=benchmark("first-hours-lawyer")
        )


def test_an_assessment_needs_a_benchmark_in_use_and_a_known_effect(world):
    lawyer = benchmark("first-hours-lawyer")
    services.benchmark_update(actor=world.head, benchmark=lawyer, active=False)
    with pytest.raises(ValidationError) as refused:
        services.assessment_set(
            actor=world.head, item=world.item, benchmark=lawyer, effect=Effect.WEAKENS
        )
    assert "benchmark" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.assessment_set(
            actor=world.head, item=world.item, benchmark=benchmark("npm-dialogue"), effect="bad"
        )
    assert "effect" in refused.value.message_dict
    assert not Assessment.objects.exists()


def test_a_reader_may_not_assess(world):
    with pytest.raises(PermissionDenied):
        assess(world.p["auditor"], world.item, "first-hours-lawyer", Effect.BREACHES)
    assert not Assessment.objects.exists()


# -- opinions ---------------------------------------------------------------------------------


def test_an_opinion_keeps_every_text_it_had(world):
    opinion = make_opinion(world.p["monitor"], world.item)
    services.opinion_revise(
        actor=world.head, opinion=opinion, text="Second text.", expected_version=1
    )
    services.opinion_revise(
        actor=world.head, opinion=opinion, text="Second text.", title="Renamed", expected_version=2
    )
    opinion.refresh_from_db()
    assert (opinion.text, opinion.title, opinion.version) == ("Second text.", "Renamed", 3)
    versions = list(OpinionVersion.objects.filter(opinion=opinion).order_by("number"))
    assert [(v.number, v.text, v.saved_by) for v in versions] == [
        (1, "The NPM opposes any deferral of access to a lawyer.", world.p["monitor"]),
        (2, "Second text.", world.head),
    ]
    assert [e.detail for e in events("legislation.opinion_revise")] == [
        {"fields": ["text"], "text_version": 2},
        {"fields": ["title"], "text_version": None},
    ]


def test_a_stale_revision_is_refused_and_audited(world):
    opinion = make_opinion(world.head, world.item)
    services.opinion_revise(actor=world.head, opinion=opinion, text="Mine.", expected_version=1)
    old = Opinion.objects.get(pk=opinion.pk)
    with pytest.raises(StaleEdit):
        services.opinion_revise(
            actor=world.p["comms"], opinion=old, text="Theirs.", expected_version=1
        )
    assert Opinion.objects.get(pk=opinion.pk).text == "Mine."
    assert OpinionVersion.objects.filter(opinion=opinion).count() == 2
    assert len(events("legislation.opinion_revise_stale")) == 1


def test_only_the_head_sends_an_opinion_and_then_it_keeps_its_words(world):
    opinion = make_opinion(world.head, world.item)
    with pytest.raises(PermissionDenied):
        services.opinion_send(
            actor=world.p["monitor"], opinion=opinion, sent_on=None, sent_to="Ministry"
        )
    sent_on = timezone.localdate() - dt.timedelta(days=3)
    services.opinion_send(
        actor=world.head, opinion=opinion, sent_on=sent_on, sent_to="Minister of Justice"
    )
    opinion.refresh_from_db()
    assert (opinion.state, opinion.sent_on, opinion.sent_to, opinion.version) == (
        "sent",
        sent_on,
        "Minister of Justice",
        2,
    )
    with pytest.raises(ValidationError):
        services.opinion_revise(
            actor=world.head, opinion=opinion, text="Changed.", expected_version=2
        )
    with pytest.raises(ValidationError):
        services.opinion_send(actor=world.head, opinion=opinion, sent_on=None, sent_to="Again")
    assert Opinion.objects.get(pk=opinion.pk).text != "Changed."
    assert len(events("legislation.opinion_send")) == 1


@pytest.mark.parametrize(
    ("sent_on", "sent_to", "field"),
    [(dt.timedelta(days=1), "Ministry", "sent_on"), (dt.timedelta(0), "  ", "sent_to")],
)
def test_sending_needs_a_past_date_and_an_addressee(world, sent_on, sent_to, field):
    opinion = make_opinion(world.head, world.item)
    with pytest.raises(ValidationError) as refused:
        services.opinion_send(
            actor=world.head,
            opinion=opinion,
            sent_on=timezone.localdate() + sent_on,
            sent_to=sent_to,
        )
    assert field in refused.value.message_dict
    assert Opinion.objects.get(pk=opinion.pk).state == Opinion.State.DRAFT


def test_an_opinion_needs_a_title_and_a_text(world):
    with pytest.raises(ValidationError) as refused:
        make_opinion(world.head, world.item, title=" ", text="")
    assert set(refused.value.message_dict) == {"title", "text"}
    assert not Opinion.objects.exists()


# -- advocacy ---------------------------------------------------------------------------------


def test_an_advocacy_step_names_its_partners(world):
    bar, ngo = make_partner(), make_partner("Prison Watch", "ngo")
    step = services.step_add(
        actor=world.p["comms"],
        item=world.item,
        kind=AdvocacyStep.Kind.JOINT_STATEMENT,
        held_on=timezone.localdate(),
        with_whom="Bar Association and Prison Watch",
        partners=[bar, ngo],
        summary="No custody without a lawyer.",
    )
    assert set(step.partners.all()) == {bar, ngo}
    (event,) = events("legislation.step_add")
    assert event.detail == {"item": world.item.pk, "kind": "joint_statement", "partners": 2}


def test_a_step_of_an_unknown_kind_or_without_a_date_is_refused(world):
    for kind, held_on in (("rumour", timezone.localdate()), ("meeting", None)):
        with pytest.raises(ValidationError):
            services.step_add(actor=world.head, item=world.item, kind=kind, held_on=held_on)
    assert not AdvocacyStep.objects.exists()


# -- links ------------------------------------------------------------------------------------


@pytest.fixture
def linked(world):
    head = world.head
    seen = make_recommendation(head, place=make_visit(head, announced=True).place)
    secret = make_recommendation(head, visit=make_visit(head))
    entry = make_register_entry(head)
    return SimpleNamespace(seen=seen, secret=secret, entry=entry)


def test_links_go_only_to_records_the_writer_may_see(world, linked):
    item, officer, comms = world.item, world.p["data_officer"], world.p["comms"]
    with pytest.raises(ValidationError) as refused:
        services.links_set(actor=officer, item=item, recommendations=[linked.secret])
    assert "recommendations" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.links_set(actor=comms, item=item, register_entries=[linked.entry])
    assert "register_entries" in refused.value.message_dict
    assert not item.recommendations.exists() and not item.register_entries.exists()
    assert not events("legislation.links_set")


def test_replacing_links_keeps_those_the_writer_cannot_see(world, linked):
    item = world.item
    services.links_set(
        actor=world.head,
        item=item,
        recommendations=[linked.seen, linked.secret],
        register_entries=[linked.entry],
    )
    services.links_set(actor=world.p["comms"], item=item, recommendations=[])
    assert list(item.recommendations.all()) == [linked.secret]
    assert list(item.register_entries.all()) == [linked.entry]
    assert [e.detail for e in events("legislation.links_set")] == [
        {"recommendations": 2, "register_entries": 1},
        {"recommendations": 0},
    ]


# -- benchmarks -------------------------------------------------------------------------------


def test_the_migration_seeds_the_standards_with_their_sources_and_weights():
    rows = {b.code: b for b in Benchmark.objects.all()}
    assert {b.group for b in rows.values()} >= set(BenchmarkGroup.values) - {"other"}
    for code in (
        "first-hours-lawyer",
        "first-hours-doctor",
        "first-hours-notification",
        "npm-unannounced-access",
        "npm-private-interviews",
    ):
        assert rows[code].weight == 5, code
    assert rows["definition-elements"].weight == 4
    assert rows["definition-elements"].source.startswith("UNCAT art. 1")
    assert "CPT/Inf(92)3 para. 36" in rows["first-hours-lawyer"].source
    assert "OPCAT art. 21" in rows["npm-privilege-reprisals"].source
    assert rows["npm-dialogue"].weight < 3


def test_benchmarks_are_the_npms_to_edit(world):
    officer = world.p["data_officer"]
    made = services.benchmark_create(
        actor=officer,
        code="npm-visit-military",
        group=BenchmarkGroup.NPM,
        title="Military places of detention are covered",
        source="OPCAT art. 4",
        weight=4,
    )
    assert made.position > benchmark("other-solitary-confinement").position
    services.benchmark_update(actor=officer, benchmark=made, title="Military bases", weight=2)
    made.refresh_from_db()
    assert (made.title, made.weight) == ("Military bases", 2)
    assert [e.detail for e in events("legislation.benchmark_update")] == [
        {"fields": ["title", "weight"]}
    ]
    for who in ("monitor", "comms"):
        with pytest.raises(PermissionDenied):
            services.benchmark_update(actor=world.p[who], benchmark=made, weight=5)
    assert Benchmark.objects.get(pk=made.pk).weight == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weight": 0}, "weight"),
        ({"weight": 6}, "weight"),
        ({"group": "whim"}, "group"),
        ({"code": "first-hours-lawyer"}, "code"),
        ({"code": "not a slug!"}, "code"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_benchmark_is_refused(world, fields, field):
    values = {"code": "new-line", "group": "npm", "title": "A new line", "weight": 3, **fields}
    before = Benchmark.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.benchmark_create(actor=world.head, **values)
    assert field in refused.value.message_dict
    assert Benchmark.objects.count() == before


def test_a_benchmarks_code_stays(world):
    lawyer = benchmark("first-hours-lawyer")
    with pytest.raises(ValidationError):
        services.benchmark_update(actor=world.head, benchmark=lawyer, code="lawyer")
    with pytest.raises(ValidationError):
        services.benchmark_update(actor=world.head, benchmark=lawyer, weight=9)
    assert benchmark("first-hours-lawyer").weight == 5
