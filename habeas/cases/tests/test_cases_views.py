"""Case-file pages: who reaches them, what they show, what they record."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from habeas.cases.models import Case, CaseGrant, ChecklistItem, Element, Recipient
from habeas.cases.tests.factories import CANARY_ACTS, CANARY_VICTIM, grant, make_case
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

MISSING = uuid.UUID("00000000-0000-4000-8000-0000000000aa")


def case_urls(case_id: uuid.UUID) -> list[tuple[str, str]]:
    """(method, path) of every page of one case, children named by ids of no record."""
    kwargs = {"case_id": case_id}
    other = uuid.UUID("00000000-0000-4000-8000-0000000000bb")
    return [
        ("get", reverse("cases:case_detail", kwargs=kwargs)),
        ("get", reverse("cases:case_edit", kwargs=kwargs)),
        ("post", reverse("cases:case_edit", kwargs=kwargs)),
        ("post", reverse("cases:case_close", kwargs=kwargs)),
        ("post", reverse("cases:case_reopen", kwargs=kwargs)),
        ("get", reverse("cases:case_grants", kwargs=kwargs)),
        ("post", reverse("cases:case_lead", kwargs=kwargs)),
        ("post", reverse("cases:case_grant_remove", kwargs={**kwargs, "grant_pk": 1})),
        ("get", reverse("cases:medical_create", kwargs=kwargs)),
        ("get", reverse("cases:medical_detail", kwargs={**kwargs, "examination_id": other})),
        ("get", reverse("cases:referral_create", kwargs=kwargs)),
        ("get", reverse("cases:referral_detail", kwargs={**kwargs, "referral_id": other})),
        ("post", reverse("cases:checklist_mark", kwargs={**kwargs, "item_pk": 1})),
    ]


def audit_count(case: Case, action: str) -> int:
    return AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action=action
    ).count()


@pytest.mark.parametrize("who", ["outsider", "expert", "data_officer", "head", "admin", "auditor"])
def test_it_answers_404_on_every_case_page_to_anyone_not_granted(personas, client_for, who):
    case = make_case(personas["monitor"], kind=Case.Kind.REPRISAL)
    client = client_for(personas[who])
    for method, path in case_urls(case.pk):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (who, method, path, response.status_code)
        missing = getattr(client, method)(path.replace(str(case.pk), str(MISSING)))
        assert response.content == missing.content, (who, path)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN and case.version == 1
    assert audit_count(case, "cases.case.read") == 0


def test_it_lists_only_the_cases_the_user_is_granted_on(personas, client_for):
    mine = make_case(personas["monitor"])
    theirs = make_case(personas["doctor"])
    response = client_for(personas["monitor"]).get("/cases/")
    assert response.status_code == 200
    assert mine.reference.encode() in response.content
    assert theirs.reference.encode() not in response.content
    # No identity, no testimony in the list.
    assert CANARY_VICTIM.encode() not in response.content
    assert CANARY_ACTS.encode() not in response.content


def test_it_shows_a_granted_head_nothing_of_other_cases_not_even_a_count(personas, client_for):
    make_case(personas["monitor"])
    response = client_for(personas["head"]).get("/cases/")
    assert response.status_code == 200
    assert b"C-" not in response.content
    assert b"No case to show" in response.content


def test_it_filters_the_list_by_kind_and_place(personas, client_for):
    monitor = personas["monitor"]
    place = PlaceFactory()
    reprisal = make_case(monitor, kind=Case.Kind.REPRISAL, place=place)
    other = make_case(monitor, kind=Case.Kind.TORTURE)
    client = client_for(monitor)
    by_kind = client.get("/cases/", {"kind": "reprisal"}).content
    by_place = client.get("/cases/", {"place": place.pk}).content
    assert reprisal.reference.encode() in by_kind and other.reference.encode() not in by_kind
    assert reprisal.reference.encode() in by_place and other.reference.encode() not in by_place


def test_it_refuses_the_list_to_a_role_without_case_files(personas, client_for):
    assert client_for(personas["comms"]).get("/cases/").status_code == 404
    assert client_for(personas["admin"]).get("/cases/").status_code == 404


def test_it_opens_a_case_from_the_form_and_shows_it_to_its_creator(personas, client_for):
    place = PlaceFactory()
    client = client_for(personas["doctor"])
    response = client.post(
        "/cases/new/",
        {
            "kind": "torture",
            "place": place.pk,
            "reported_on": "2026-01-10",
            "source": "private_interview",
            "pattern": "unknown",
            "victim": CANARY_VICTIM,
            "acts": CANARY_ACTS,
            "consent_use": "on",
            "consent_elements": ["account"],
            "consent_recipients": ["prosecutor", "spt"],
            "consent_recorded_on": "2026-01-10",
            "lead": personas["head"].pk,  # not a field: ignored
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"case_id": case.pk})
    assert case.lead == personas["doctor"]
    assert case.consent_elements == ["account"]
    assert case.unseal("victim") == CANARY_VICTIM
    assert list(CaseGrant.objects.values_list("user", flat=True)) == [personas["doctor"].pk]
    page = client.get(response["Location"])
    assert CANARY_VICTIM.encode() in page.content and CANARY_ACTS.encode() in page.content


def test_it_forbids_the_form_to_a_role_that_may_not_open_cases(personas, client_for):
    assert client_for(personas["expert"]).get("/cases/new/").status_code == 403
    assert client_for(personas["outsider"]).get("/cases/new/").status_code == 404


def test_it_hides_identities_from_a_grantee_without_the_identity_flag(personas, client_for):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor)
    grant(monitor, case, expert, identity=False)
    response = client_for(expert).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert CANARY_VICTIM.encode() not in response.content
    assert b"Officer Canary Brack" not in response.content
    assert b"You are not granted identities" in response.content
    assert CANARY_ACTS.encode() in response.content  # testimony: every grantee


def test_it_hides_identities_from_a_role_without_identity_rights_even_if_flagged(
    personas, client_for
):
    monitor, officer = personas["monitor"], personas["data_officer"]
    case = make_case(monitor)
    grant(monitor, case, officer, identity=True)
    response = client_for(officer).get(f"/cases/{case.pk}/")
    assert CANARY_VICTIM.encode() not in response.content
    edit = client_for(officer).get(f"/cases/{case.pk}/edit/")
    assert CANARY_VICTIM.encode() not in edit.content and b'name="victim"' not in edit.content


def test_it_audits_each_read_once_and_shows_who_read_it_to_every_grantee(personas, client_for):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor)
    grant(monitor, case, expert)
    client_for(expert).get(f"/cases/{case.pk}/")
    assert audit_count(case, "cases.case.read") == 1
    client_for(expert).get(f"/cases/{case.pk}/")
    assert audit_count(case, "cases.case.read") == 2
    page = client_for(monitor).get(f"/cases/{case.pk}/")
    assert audit_count(case, "cases.case.read") == 3
    assert b"expert@npm.test" in page.content and b"read the case" in page.content


def test_it_answers_409_to_a_stale_edit_and_keeps_the_users_text(personas, client_for):
    monitor = personas["monitor"]
    case = make_case(monitor)
    url = f"/cases/{case.pk}/edit/"
    client = client_for(monitor)
    form = {
        "kind": case.kind,
        "reported_on": "2026-01-15",
        "source": case.source,
        "pattern": "pattern",
        "acts": "First edit",
        "version": 1,
    }
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "acts": "My lost paragraph", "version": 1})
    assert response.status_code == 409
    assert b"My lost paragraph" in response.content
    assert b"First edit" in response.content  # what was saved meanwhile, beside it
    case.refresh_from_db()
    assert case.unseal("acts") == "First edit" and case.version == 2
    assert audit_count(case, "cases.case.update_stale") == 1


def test_it_lets_a_non_identity_grantee_edit_without_touching_identities_or_consent(
    personas, client_for
):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor)
    grant(monitor, case, expert, identity=False)
    response = client_for(expert).post(
        f"/cases/{case.pk}/edit/",
        {
            "kind": case.kind,
            "reported_on": "2026-01-15",
            "source": case.source,
            "pattern": "isolated",
            "acts": CANARY_ACTS,
            "victim": "Overwritten",
            "consent_elements": [Element.IDENTITY, Element.MEDICAL],
            "consent_recipients": [Recipient.SPT],
            "version": 1,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pattern == "isolated"
    assert case.unseal("victim") == CANARY_VICTIM
    assert case.consent_recipients == [Recipient.PROSECUTOR]


def test_it_closes_and_reopens_a_case(personas, client_for):
    case = make_case(personas["monitor"])
    client = client_for(personas["monitor"])
    client.post(f"/cases/{case.pk}/close/")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    client.post(f"/cases/{case.pk}/reopen/")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert client.get(f"/cases/{case.pk}/close/").status_code == 405


def test_it_lets_the_lead_grant_and_withdraw_access_with_a_reason(personas, client_for):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor)
    client = client_for(monitor)
    refused = client.post(
        f"/cases/{case.pk}/grants/", {"user": expert.pk, "identity": "on", "reason": ""}
    )
    assert refused.status_code == 400 and not CaseGrant.objects.filter(user=expert).exists()
    client.post(f"/cases/{case.pk}/grants/", {"user": expert.pk, "reason": "Legal analysis"})
    granted = CaseGrant.objects.get(case=case, user=expert)
    assert client_for(expert).get(f"/cases/{case.pk}/").status_code == 200
    client.post(f"/cases/{case.pk}/grants/{granted.pk}/remove/")
    assert client_for(expert).get(f"/cases/{case.pk}/").status_code == 404
    assert audit_count(case, "cases.grant.add") == 1
    assert audit_count(case, "cases.grant.remove") == 1


def test_it_offers_only_people_whose_role_holds_case_files(personas, client_for):
    case = make_case(personas["monitor"])
    page = client_for(personas["monitor"]).get(f"/cases/{case.pk}/grants/").content
    assert b"expert@npm.test" in page and b"data_officer@npm.test" in page
    assert b"comms@npm.test" not in page and b"admin@npm.test" not in page
    refused = client_for(personas["monitor"]).post(
        f"/cases/{case.pk}/grants/", {"user": personas["admin"].pk, "reason": "Curious"}
    )
    assert refused.status_code == 400
    assert not CaseGrant.objects.filter(user=personas["admin"]).exists()


def test_it_refuses_grant_management_to_a_grantee_who_is_not_lead(personas, client_for):
    monitor, expert = personas["monitor"], personas["expert"]
    case = make_case(monitor)
    grant(monitor, case, expert)
    client = client_for(expert)
    assert client.get(f"/cases/{case.pk}/grants/").status_code == 403
    response = client.post(
        f"/cases/{case.pk}/grants/", {"user": personas["data_officer"].pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert not CaseGrant.objects.filter(user=personas["data_officer"]).exists()


def test_it_lets_a_granted_head_manage_grants_and_hand_over_the_lead(personas, client_for):
    monitor, head, expert = personas["monitor"], personas["head"], personas["expert"]
    case = make_case(monitor)
    grant(monitor, case, head)
    grant(monitor, case, expert)
    client_for(head).post(f"/cases/{case.pk}/lead/", {"user": expert.pk})
    case.refresh_from_db()
    assert case.lead == expert


def test_it_marks_a_checklist_step_and_asks_why_one_does_not_apply(personas, client_for):
    monitor = personas["monitor"]
    case = make_case(monitor, kind=Case.Kind.REPRISAL)
    item = case.checklist.get(code=ChecklistItem.Code.NOTIFY_SPT)
    client = client_for(monitor)
    client.post(f"/cases/{case.pk}/checklist/{item.pk}/", {"status": "not_applicable"})
    item.refresh_from_db()
    assert item.status == ChecklistItem.Status.OPEN
    client.post(
        f"/cases/{case.pk}/checklist/{item.pk}/",
        {"status": "not_applicable", "reason": "No consent to notify"},
    )
    item.refresh_from_db()
    assert item.status == ChecklistItem.Status.NOT_APPLICABLE and item.done_by == monitor
    page = client.get(f"/cases/{case.pk}/").content
    assert b"No consent to notify" in page


def test_it_refuses_a_checklist_item_of_another_case(personas, client_for):
    monitor = personas["monitor"]
    case = make_case(monitor, kind=Case.Kind.REPRISAL)
    other = make_case(monitor, kind=Case.Kind.REPRISAL)
    item = other.checklist.first()
    response = client_for(monitor).post(
        f"/cases/{case.pk}/checklist/{item.pk}/", {"status": "done"}
    )
    assert response.status_code == 404
