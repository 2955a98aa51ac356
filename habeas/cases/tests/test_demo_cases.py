"""The demo's case files, reprisal watches and register (`manage.py demo`): written by the
services, granted on a need-to-know basis, realistic enough for the statistics page."""

from __future__ import annotations

import re
from collections import Counter

from django.utils import timezone

from habeas.accounts.models import User
from habeas.cases import services_medical
from habeas.cases.models import (
    Case,
    CaseGrant,
    InvestigationRequest,
    MedicalAttachment,
    MedicalExamination,
    Referral,
    RegisterEntry,
    ReprisalWatch,
    Transfer,
    WatchCheck,
)
from habeas.cases.selectors_register import LESSER
from habeas.cases.services_register import stage_order_errors
from habeas.core.tests import shared_demo
from habeas.visits.models import Visit

VICTIM = re.compile(r"Detainee [A-Z]-\d{2} “[A-Z][a-z]+”")


def demo_user(key: str) -> User:
    return User.objects.get(email=f"{key}@demo.habeas.test")


# The demo the command loads, shared with the other demo tests.
pytestmark = shared_demo.MARKS


def test_it_opens_a_dozen_case_files_of_every_kind_at_places_the_demo_visited(demo):
    cases = Case.objects.select_related("place")

    assert 12 <= cases.count() <= 16
    assert set(cases.values_list("kind", flat=True)) == set(Case.Kind.values)
    assert set(cases.values_list("status", flat=True)) == set(Case.Status.values)
    visited = set(Visit.objects.values_list("reference", "place_id"))
    from_visits = cases.filter(source=Case.Source.PRIVATE_INTERVIEW)
    assert from_visits.count() >= 5
    assert all((case.source_ref, case.place_id) in visited for case in from_visits)
    assert "Case files: " in demo


def test_identities_and_testimony_are_sealed_invented_and_never_lorem_ipsum(demo):
    for case in Case.objects.all():
        victim = case.unseal("victim")
        # An allegation opened from a watch leaves the identity with the watch.
        assert VICTIM.fullmatch(victim) or (case.watch_id and not victim), victim
        assert not victim or victim.encode() not in bytes(case.victim)
        for name in ("acts", "circumstances", "victim_details", "officials", "witnesses"):
            text = case.unseal(name)
            assert "lorem" not in text.lower() and "ipsum" not in text.lower()
        assert case.unseal("acts").strip()


def test_the_doctor_and_the_monitor_lead_most_files_and_the_head_is_granted_on_some_only(demo):
    cases = Case.objects.all()
    head, doctor, monitor = demo_user("head"), demo_user("doctor"), demo_user("monitor")
    leads = Counter(cases.values_list("lead_id", flat=True))

    assert leads[doctor.pk] + leads[monitor.pk] >= 0.7 * cases.count()
    granted = Case.objects.restrict(head, "view")
    assert 0 < granted.count() < cases.count()
    hidden = cases.exclude(grants__user=head).first()
    assert hidden is not None
    assert not Case.objects.restrict(head, "view").filter(pk=hidden.pk).exists()
    assert not Case.objects.restrict(demo_user("admin"), "view").exists()
    for case in cases:
        assert CaseGrant.objects.filter(case=case, user=case.lead).exists()


def test_consent_scopes_differ_and_referrals_show_what_was_withheld(demo):
    scopes = {
        (c.consent_use, tuple(c.consent_elements), tuple(c.consent_recipients))
        for c in Case.objects.all()
    }
    referrals = Referral.objects.all()

    assert len(scopes) >= 6
    assert referrals.count() >= 6
    assert all("facts" in r.included for r in referrals)
    assert any(r.withheld for r in referrals)
    assert any("identity" in r.included for r in referrals)
    assert any(item["element"] == "identity" for r in referrals for item in r.withheld)
    assert referrals.filter(status=Referral.Status.SENT).count() == referrals.count()
    assert referrals.exclude(outcome=Referral.Outcome.PENDING).exists()
    assert not Referral.objects.filter(case__consent_use=False).exists()


def test_istanbul_protocol_examinations_open_for_the_doctor_only(demo):
    doctor, head = demo_user("doctor"), demo_user("head")
    examinations = MedicalExamination.objects.all()

    assert examinations.count() >= 3
    assert len(set(examinations.values_list("consistency", flat=True))) >= 2
    attachment = MedicalAttachment.objects.get()
    opened = services_medical.attachment_open(actor=doctor, attachment=attachment)
    assert opened.content.startswith(b"\x89PNG")
    assert MedicalExamination.objects.restrict(doctor, "view").count() >= 3
    assert MedicalExamination.objects.restrict(head, "view").count() < examinations.count()


def test_reprisal_watches_follow_transfers_checks_and_investigations(demo):
    watches = ReprisalWatch.objects.all()
    today = timezone.localdate()

    assert 3 <= watches.count() <= 4
    moved = [w for w in watches if w.transfers.count() == 2]
    assert len(moved) == 1
    last = Transfer.objects.filter(watch=moved[0]).order_by("moved_on").last()
    assert last.to_place_id == moved[0].place_id != last.from_place_id
    overdue = WatchCheck.objects.filter(done_on__isnull=True, due_on__lt=today)
    assert overdue.count() == 1
    assert WatchCheck.objects.filter(done_on__isnull=True, due_on__gte=today).count() == len(
        watches
    )
    assert set(WatchCheck.objects.exclude(outcome="").values_list("outcome", flat=True)) == set(
        WatchCheck.Outcome.values
    )
    assert InvestigationRequest.objects.filter(watch__isnull=False).exists()
    assert InvestigationRequest.objects.exclude(outcome="pending").exists()
    allegation = Case.objects.get(watch__isnull=False)
    assert allegation.kind == Case.Kind.REPRISAL
    assert watches.filter(source_case__isnull=False).exists()


def test_the_register_spans_six_years_with_many_lesser_classifications_and_few_torture(demo):
    entries = RegisterEntry.objects.all()

    assert entries.count() >= 60
    years = {e.complaint_on.year for e in entries if e.complaint_on}
    assert len(years) >= 5
    assert entries.values("agency").distinct().count() >= 4
    assert entries.values("category").distinct().count() >= 4
    assert entries.values("region").distinct().count() >= 4
    prosecuted = entries.filter(prosecution_on__isnull=False)
    lesser = prosecuted.filter(classification__in=LESSER).count()
    torture = prosecuted.filter(classification="torture").count()
    assert torture >= 1 and lesser > 3 * torture
    assert set(entries.values_list("outcome", flat=True)) >= {
        "pending",
        "convicted",
        "acquitted",
        "discontinued",
    }
    assert entries.filter(outcome="convicted").exclude(sanction="none").exists()
    assert entries.filter(case__isnull=False).exists()
    for entry in entries:
        dates = {
            name: getattr(entry, name)
            for name in (
                "alleged_on",
                "complaint_on",
                "investigation_on",
                "prosecution_on",
                "decision_on",
            )
        }
        assert stage_order_errors(dates) == {}, entry.reference
