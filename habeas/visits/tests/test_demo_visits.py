"""The demo's visits (`manage.py demo`): five years of field work that the services wrote
and that keeps their rules: triangulation, anonymity, the debrief's source check."""

from __future__ import annotations

import re

from django.utils import timezone

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.core.tests import shared_demo
from habeas.visits import triangulation
from habeas.visits.anonymity import anonymity_status
from habeas.visits.blockers import field_blockers
from habeas.visits.models import (
    Debrief,
    Difficulty,
    Finding,
    Interview,
    Photo,
    RegisterCheck,
    TeamAssignment,
    TeamProfile,
    UrgentDraft,
    Visit,
)
from habeas.visits.source_check import check_fields

SEED = "4"
S = Visit.State
AFTER_FIELD_WORK = (
    S.DEBRIEFED,
    S.REPORT_DRAFTED,
    S.REPORT_SENT,
    S.RESPONSE_RECEIVED,
    S.CLOSED,
)
SLOT = re.compile(r"\{\w*\}")


# The demo the command loads, shared with the other demo tests.
pytestmark = shared_demo.MARKS


def test_it_numbers_the_visits_it_builds(demo):
    # That the same seed builds them again: core's test_demo.
    visits = shared_demo.fingerprint()["visits"]
    assert len(visits) >= 35
    assert all(ref.startswith("V-") for ref, *_rest in visits)


def test_it_visits_a_dozen_places_of_several_categories_with_every_type_and_state(demo):
    visits = Visit.objects.select_related("place__category")

    assert 35 <= visits.count() <= 50
    assert 10 <= visits.values("place").distinct().count() <= 14
    assert visits.values("place__category").distinct().count() >= 6
    assert set(visits.values_list("kind", flat=True)) == set(Visit.Kind.values)
    assert set(visits.values_list("state", flat=True)) == set(S.values)
    assert visits.filter(announced=True).exists()
    assert visits.filter(announced=False).exists()
    assert visits.filter(state=S.CLOSED).count() >= 25
    assert visits.filter(state=S.IN_PROGRESS).count() == 1
    assert visits.filter(state=S.PLANNED, announced=False).exists()
    today = timezone.localdate()
    first = visits.order_by("starts_on").first()
    assert (today - first.starts_on).days > 4 * 365
    assert not visits.filter(state=S.PLANNED, starts_on__lte=today).exists()
    assert "Visits: " in demo


def test_it_puts_two_to_five_people_with_profiles_and_trainings_on_each_team(demo):
    for visit in Visit.objects.exclude(state=S.PLANNED):
        team = TeamAssignment.objects.filter(visit=visit).exclude(
            role=TeamAssignment.Role.INTERPRETER
        )
        assert 2 <= team.count() <= 5, visit.reference
        assert team.filter(role=TeamAssignment.Role.LEADER, user=visit.lead).exists()
        for assignment in team.select_related("user"):
            assert TeamProfile.objects.filter(user=assignment.user).exists()
            assert assignment.user.trainings.exists()
    expert = TeamProfile.objects.get(user__role=Role.EXPERT)
    assert expert.is_external and expert.terms_of_reference_on and expert.undertaking_signed_on
    professions = set(TeamProfile.objects.values_list("profession", flat=True))
    assert {"lawyer", "doctor", "psychologist", "psychiatrist"} <= professions
    assert set(TeamProfile.objects.values_list("gender", flat=True)) >= {"woman", "man"}
    overridden = TeamAssignment.objects.exclude(override_reason="")
    assert overridden.count() == 1
    assert overridden.get().overridden_by.role == Role.HEAD
    extra = User.objects.filter(email__endswith="@demo.habeas.test", full_name__contains="(demo)")
    assert extra.filter(role=Role.MONITOR).count() >= 4


def test_every_finding_carries_the_triangulation_the_services_compute(demo):
    findings = list(Finding.objects.select_related("visit"))

    assert len(findings) >= 60
    assert all(triangulation.compute(f) == f.triangulation for f in findings)
    statuses = {f.triangulation for f in findings}
    assert statuses == set(Finding.Triangulation.values)
    assert not any(f.established and f.triangulation == "single_source" for f in findings)
    assert any(f.established for f in findings)
    kinds = {f.kind for f in findings}
    assert kinds == {Finding.Kind.CONCERN, Finding.Kind.GOOD_PRACTICE}
    assert {f.theme for f in findings} >= {"treatment", "conditions", "health", "security"}


def test_every_visit_past_its_field_work_meets_the_anonymity_rule_and_covers_every_unit(demo):
    done = Visit.objects.filter(state__in=AFTER_FIELD_WORK)
    covered = 0
    for visit in done:
        assert field_blockers(visit) == [], visit.reference
        items = anonymity_status(visit)
        assert all(item.satisfied for item in items), visit.reference
        covered += bool(items)
    assert covered >= 10
    current = Visit.objects.get(state=S.IN_PROGRESS)
    assert any(not item.satisfied for item in anonymity_status(current))


def test_every_debrief_and_urgent_draft_passes_the_source_check(demo):
    debriefs = Debrief.objects.select_related("visit")

    assert debriefs.count() == Visit.objects.filter(state__in=AFTER_FIELD_WORK).count()
    for debrief in debriefs:
        texts = {
            "participants": debrief.participants,
            "main_concerns": debrief.main_concerns,
            "urgent_matters": debrief.urgent_matters,
        }
        assert check_fields(debrief.visit, texts) == {}, debrief.visit.reference
    drafts = UrgentDraft.objects.select_related("visit")
    assert drafts.exists()
    for draft in drafts:
        assert draft.deadline >= timezone.localdate()
        assert check_fields(draft.visit, {"text": draft.text}) == {}


def test_interviews_of_every_kind_have_varied_notes_and_never_lorem_ipsum(demo):
    interviews = list(Interview.objects.all())
    notes = [interview.unseal("notes") for interview in interviews]

    kinds = {interview.kind for interview in interviews}
    assert {"private", "group", "staff", "management"} <= kinds
    assert all(note.strip() for note in notes)
    told = [
        note for i, note in zip(interviews, notes, strict=True) if i.kind in ("private", "group")
    ]
    assert len(set(told)) == len(told)
    assert len(set(notes)) >= 0.8 * len(notes)
    for note in notes:
        assert "lorem" not in note.lower() and "ipsum" not in note.lower()
        assert not SLOT.search(note), note
    assert any(i.sensitive for i in interviews)
    assert any(i.allegation for i in interviews)
    assert any(i.follow_up_of_id for i in interviews)
    identities = [i.unseal("identity") for i in interviews if i.identity_index]
    assert identities
    assert all(re.fullmatch(r"[A-Z][a-z]+ [A-Z]-\d{4}", name) for name in identities)


def test_register_checks_keep_their_discrepancies_sealed(demo):
    checks = RegisterCheck.objects.filter(discrepancies_found__gt=0)

    assert checks.count() >= 10
    for check in checks:
        text = check.unseal("discrepancies")
        assert text.strip()
        assert text.encode() not in bytes(check.discrepancies)
    assert RegisterCheck.objects.filter(discrepancies_found=0).exists()
    assert Photo.objects.exists()
    assert Difficulty.objects.values("kind").distinct().count() >= 3


def test_the_unannounced_planned_visit_is_hidden_from_staff_off_its_team(demo):
    secret = Visit.objects.filter(announced=False, state__in=[S.PLANNED, S.PREPARED])
    comms = User.objects.get(email="comms@demo.habeas.test")
    head = User.objects.get(email="head@demo.habeas.test")

    assert secret.exists()
    assert not Visit.objects.restrict(comms, "view").filter(pk__in=secret).exists()
    assert Visit.objects.restrict(head, "view").filter(pk__in=secret).count() == secret.count()
