"""Referrals built strictly from consent, and the reprisal checklist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.cases import services_medical, services_referrals
from habeas.cases.models import (
    Case,
    ChecklistItem,
    Element,
    MedicalExamination,
    Recipient,
    Referral,
)
from habeas.cases.services_referrals import FACTS, Withheld
from habeas.cases.tests.factories import CANARY_ACTS, CANARY_VICTIM, grant, make_case
from habeas.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ALL_ELEMENTS = list(Element.values)
FINDING = "Canary medical finding: fractured rib"


def preview(actor, case, recipient=Recipient.PROSECUTOR):
    result = services_referrals.referral_preview(actor=actor, case=case, recipient_kind=recipient)
    return {line.element: line.reason_code for line in result.lines}, result


def with_examination(doctor, case):
    services_medical.examination_add(
        actor=doctor,
        case=case,
        data={
            "examined_on": dt.date(2026, 1, 12),
            "examiner_name": "Dr Outside",
            "physical_findings": FINDING,
            "consistency": MedicalExamination.Consistency.CONSISTENT,
        },
    )


# The consent matrix -----------------------------------------------------------------------


def test_it_includes_everything_consented_that_the_author_may_see(personas):
    doctor = personas["doctor"]
    case = make_case(
        doctor, consent_elements=ALL_ELEMENTS, consent_recipients=[Recipient.PROSECUTOR]
    )
    with_examination(doctor, case)
    reasons, result = preview(doctor, case)
    assert reasons == {FACTS: "", **dict.fromkeys(ALL_ELEMENTS, "")}
    assert result.allowed and not result.withheld


def test_it_withholds_each_element_not_consented_with_the_reason(personas):
    doctor = personas["doctor"]
    case = make_case(doctor, consent_elements=[Element.ACCOUNT])
    reasons, result = preview(doctor, case)
    assert reasons[FACTS] == "" and reasons[Element.ACCOUNT] == ""
    for element in (Element.IDENTITY, Element.OFFICIALS, Element.WITNESSES, Element.MEDICAL):
        assert reasons[element] == Withheld.NO_ELEMENT
    identity = next(line for line in result.withheld if line.element == Element.IDENTITY)
    assert identity.reason == "No consent to transmit the identity of the victim."


def test_it_sends_nothing_at_all_to_a_recipient_not_consented(personas):
    """Even the bare facts (place, dates) can point at a person in a small place."""
    doctor = personas["doctor"]
    case = make_case(doctor, consent_elements=ALL_ELEMENTS, consent_recipients=["prosecutor"])
    reasons, result = preview(doctor, case, Recipient.SPT)
    assert set(reasons.values()) == {Withheld.NO_RECIPIENT} and not result.allowed
    assert result.withheld[0].reason == (
        "No consent to transmit to the UN Subcommittee on Prevention of Torture."
    )
    with pytest.raises(ValidationError):
        services_referrals.referral_create(actor=doctor, case=case, recipient_kind=Recipient.SPT)
    assert not Referral.objects.exists()


def test_it_refers_nothing_without_consent_to_use(personas):
    doctor = personas["doctor"]
    case = make_case(doctor, consent_use=False, consent_elements=ALL_ELEMENTS)
    reasons, result = preview(doctor, case)
    assert set(reasons.values()) == {Withheld.NO_USE} and not result.allowed
    with pytest.raises(ValidationError):
        services_referrals.referral_create(
            actor=doctor, case=case, recipient_kind=Recipient.PROSECUTOR
        )
    assert not Referral.objects.exists()


def test_it_withholds_names_from_an_author_not_granted_identities(personas):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor, consent_elements=ALL_ELEMENTS)
    grant(monitor, case, expert, identity=False)
    reasons, _result = preview(expert, case)
    for element in (Element.IDENTITY, Element.OFFICIALS, Element.WITNESSES):
        assert reasons[element] == Withheld.NOT_IDENTITY
    assert reasons[Element.ACCOUNT] == ""


def test_it_withholds_medical_documentation_from_an_author_without_medical_rights(personas):
    doctor, monitor = personas["doctor"], personas["monitor"]
    case = make_case(doctor, consent_elements=ALL_ELEMENTS)
    with_examination(doctor, case)
    grant(doctor, case, monitor, identity=True, medical=False)
    reasons, _result = preview(monitor, case)
    assert reasons[Element.MEDICAL] == Withheld.NOT_MEDICAL
    referral = services_referrals.referral_create(
        actor=monitor, case=case, recipient_kind=Recipient.PROSECUTOR
    )
    assert FINDING not in referral.unseal("body")


def test_it_says_when_a_consented_element_is_empty(personas):
    doctor = personas["doctor"]
    case = make_case(doctor, consent_elements=ALL_ELEMENTS)
    reasons, _result = preview(doctor, case)
    assert reasons[Element.MEDICAL] == Withheld.EMPTY


def test_it_refuses_a_preview_to_someone_not_granted(personas):
    case = make_case(personas["doctor"])
    with pytest.raises(PermissionDenied):
        services_referrals.referral_preview(
            actor=personas["head"], case=case, recipient_kind=Recipient.PROSECUTOR
        )


# The referral --------------------------------------------------------------------------------


def test_it_builds_the_body_from_included_elements_only_and_seals_it(personas):
    doctor = personas["doctor"]
    case = make_case(doctor, consent_elements=[Element.ACCOUNT])
    referral = services_referrals.referral_create(
        actor=doctor, case=case, recipient_kind=Recipient.PROSECUTOR, recipient_name="Office A"
    )
    body = referral.unseal("body")
    assert CANARY_ACTS in body and case.reference in body and "Office A" in body
    assert CANARY_VICTIM not in body and "Canary Brack" not in body and "Canary Olm" not in body
    stored = Referral.objects.get()
    assert CANARY_ACTS.encode() not in bytes(stored.body)
    assert stored.included == [FACTS, Element.ACCOUNT]
    assert {item["element"] for item in stored.withheld} == {
        Element.IDENTITY,
        Element.OFFICIALS,
        Element.MEDICAL,
        Element.WITNESSES,
    }
    event = AuditEvent.objects.get(action="cases.referral.create")
    assert CANARY_ACTS not in str(event.detail)


def test_it_marks_a_referral_sent_and_the_case_referred_then_records_the_outcome(personas):
    doctor = personas["doctor"]
    case = make_case(doctor)
    referral = services_referrals.referral_create(
        actor=doctor, case=case, recipient_kind=Recipient.PROSECUTOR
    )
    with pytest.raises(ValidationError):
        services_referrals.referral_outcome(
            actor=doctor, referral=referral, outcome=Referral.Outcome.DISMISSED
        )
    services_referrals.referral_send(actor=doctor, referral=referral, sent_on=dt.date(2026, 2, 1))
    case.refresh_from_db()
    assert referral.status == Referral.Status.SENT and referral.sent_on == dt.date(2026, 2, 1)
    assert case.status == Case.Status.REFERRED
    with pytest.raises(ValidationError):
        services_referrals.referral_send(actor=doctor, referral=referral)
    services_referrals.referral_outcome(
        actor=doctor,
        referral=referral,
        outcome=Referral.Outcome.INVESTIGATION,
        outcome_on=dt.date(2026, 3, 1),
    )
    assert referral.outcome == Referral.Outcome.INVESTIGATION


def test_it_refuses_referral_writes_to_someone_not_granted(personas):
    doctor = personas["doctor"]
    case = make_case(doctor)
    referral = services_referrals.referral_create(
        actor=doctor, case=case, recipient_kind=Recipient.PROSECUTOR
    )
    for call in (
        lambda: services_referrals.referral_create(
            actor=personas["head"], case=case, recipient_kind=Recipient.PROSECUTOR
        ),
        lambda: services_referrals.referral_send(actor=personas["head"], referral=referral),
        lambda: services_referrals.referral_read(actor=personas["head"], referral=referral),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_it_shows_the_preview_then_drafts_and_prints_from_the_pages(personas, client_for):
    doctor = personas["doctor"]
    case = make_case(doctor, consent_elements=[Element.ACCOUNT])
    client = client_for(doctor)
    url = f"/cases/{case.pk}/referrals/new/"
    page = client.get(url, {"recipient_kind": "prosecutor"})
    assert page.status_code == 200
    assert b"No consent to transmit the identity of the victim." in page.content
    assert not Referral.objects.exists()
    created = client.post(url, {"recipient_kind": "prosecutor", "create": "1"})
    referral = Referral.objects.get()
    assert created.status_code == 302
    detail = client.get(f"/cases/{case.pk}/referrals/{referral.pk}/")
    assert CANARY_ACTS.encode() in detail.content
    printed = client.get(f"/cases/{case.pk}/referrals/{referral.pk}/print/")
    assert printed.status_code == 200 and CANARY_ACTS.encode() in printed.content
    assert b"mainnav" not in printed.content
    client.post(f"/cases/{case.pk}/referrals/{referral.pk}/send/", {"sent_on": "2026-02-01"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_it_hides_a_body_naming_people_from_a_grantee_without_identities(personas, client_for):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor, consent_elements=[Element.IDENTITY, Element.ACCOUNT])
    referral = services_referrals.referral_create(
        actor=monitor, case=case, recipient_kind=Recipient.PROSECUTOR
    )
    grant(monitor, case, expert, identity=False)
    client = client_for(expert)
    detail = client.get(f"/cases/{case.pk}/referrals/{referral.pk}/")
    assert detail.status_code == 200 and CANARY_VICTIM.encode() not in detail.content
    assert b"its text is not shown to you" in detail.content
    assert client.get(f"/cases/{case.pk}/referrals/{referral.pk}/print/").status_code == 404


def test_it_answers_404_for_a_referral_named_under_another_case(personas, client_for):
    doctor = personas["doctor"]
    case, other = make_case(doctor), make_case(doctor)
    referral = services_referrals.referral_create(
        actor=doctor, case=case, recipient_kind=Recipient.PROSECUTOR
    )
    response = client_for(doctor).get(f"/cases/{other.pk}/referrals/{referral.pk}/")
    assert response.status_code == 404


# The reprisal checklist ---------------------------------------------------------------


def test_it_marks_checklist_steps_with_one_audit_event_each(personas):
    monitor = personas["monitor"]
    case = make_case(monitor, kind=Case.Kind.REPRISAL)
    item = case.checklist.get(code=ChecklistItem.Code.VERIFY_REGISTER)
    services_referrals.checklist_item_mark(actor=monitor, item=item, status="done")
    assert item.status == "done" and item.done_by == monitor and item.done_at
    services_referrals.checklist_item_mark(actor=monitor, item=item, status="open")
    assert item.done_by is None and item.done_at is None
    assert AuditEvent.objects.filter(action="cases.checklist.mark").count() == 2


def test_it_requires_a_reason_for_a_step_that_does_not_apply(personas):
    monitor = personas["monitor"]
    case = make_case(monitor, kind=Case.Kind.REPRISAL)
    item = case.checklist.first()
    with pytest.raises(ValidationError):
        services_referrals.checklist_item_mark(actor=monitor, item=item, status="not_applicable")
    item.refresh_from_db()
    assert item.status == "open"


def test_it_refuses_the_checklist_to_someone_not_granted(personas):
    case = make_case(personas["monitor"], kind=Case.Kind.REPRISAL)
    with pytest.raises(PermissionDenied):
        services_referrals.checklist_item_mark(
            actor=personas["head"], item=case.checklist.first(), status="done"
        )
