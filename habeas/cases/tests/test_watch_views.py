"""The reprisal watch pages with each persona (¶25): list and alerts, create, edit (409),
detail (audited read, identity by right), transfer, checks, information received,
grants, and the block on the place's page."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from habeas.cases import services, services_watches
from habeas.cases.models import Case, CaseGrant, ReprisalWatch, Transfer, WatchCheck
from habeas.cases.tests.factories import grant, make_case, make_watch
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

TODAY = services.today()
PSEUDONYM = "Canary Pseudonym Osprey"
IDENTITY = "Canary Identity Marit Olsund"
RISK = "Canary risk: the deputy governor said he would pay for it"
MISSING = uuid.UUID("00000000-0000-4000-8000-00000000abcd")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture
def watch(personas):
    """Led by the monitor; the doctor is granted without the identity flag."""
    watch = make_watch(
        personas["monitor"], pseudonym=PSEUDONYM, identity=IDENTITY, risk_detail=RISK
    )
    grant(personas["monitor"], watch, personas["doctor"], identity=False)
    return watch


def urls_of(watch: ReprisalWatch, *, check: WatchCheck, grant_pk: int) -> list[str]:
    """Every watch route, filled with this watch (and its check and grant)."""
    w = {"watch_id": watch.pk}
    return [
        reverse("cases:watch_detail", kwargs=w),
        reverse("cases:watch_edit", kwargs=w),
        reverse("cases:watch_transfer", kwargs=w),
        reverse("cases:watch_check_add", kwargs=w),
        reverse("cases:watch_check_record", kwargs={**w, "check_id": check.pk}),
        reverse("cases:watch_reprisal_report", kwargs=w),
        reverse("cases:watch_grant_add", kwargs=w),
        reverse("cases:watch_grant_remove", kwargs={**w, "grant_pk": grant_pk}),
        reverse("cases:watch_lead_change", kwargs=w),
        reverse("cases:investigation_add_watch", kwargs=w),
    ]


# Who may reach what --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "head", "admin", "comms", "auditor"])
def test_it_answers_404_on_every_watch_url_to_anyone_not_granted(personas, client_for, watch, who):
    check = services_watches.check_schedule(
        actor=personas["monitor"], watch=watch, kind="phone", due_on=TODAY
    )
    doctor_grant = CaseGrant.objects.get(watch=watch, user=personas["doctor"])
    client = client_for(personas[who])
    before = (AuditEvent.objects.count(), watch.version, Transfer.objects.count())
    hidden = urls_of(watch, check=check, grant_pk=doctor_grant.pk)
    missing = [url.replace(str(watch.pk), str(MISSING)) for url in hidden]
    for url, ghost in zip(hidden, missing, strict=True):
        for method in ("get", "post"):
            answer = getattr(client, method)(url)
            absent = getattr(client, method)(ghost)
            assert answer.status_code in (404, 405), f"{method} {url}"
            assert (answer.status_code, answer.content) == (absent.status_code, absent.content)
            assert PSEUDONYM.encode() not in answer.content
    watch.refresh_from_db()
    assert (AuditEvent.objects.count(), watch.version, Transfer.objects.count()) == before
    assert CaseGrant.objects.filter(watch=watch).count() == 2


@pytest.mark.parametrize("who", ["outsider", "admin", "comms", "auditor"])
def test_it_answers_404_to_roles_without_case_files_on_the_list(personas, client_for, who):
    assert client_for(personas[who]).get(reverse("cases:watch_list")).status_code == 404
    assert client_for(personas[who]).get(reverse("cases:watch_create")).status_code == 404


def test_it_refuses_to_open_a_watch_to_a_role_that_may_not(personas, client_for):
    response = client_for(personas["expert"]).post(reverse("cases:watch_create"), {})
    assert response.status_code == 403
    assert not ReprisalWatch.objects.exists()


# The list and its alerts -----------------------------------------------------------


def test_it_lists_only_the_watches_granted_with_their_alerts(personas, client_for, watch):
    monitor = personas["monitor"]
    services_watches.check_schedule(
        actor=monitor, watch=watch, kind="visit", due_on=TODAY - dt.timedelta(days=2)
    )
    hidden = make_watch(personas["head"], pseudonym="Canary Hidden Grebe")
    services_watches.check_schedule(
        actor=personas["head"], watch=hidden, kind="phone", due_on=TODAY - dt.timedelta(days=9)
    )

    html = client_for(monitor).get(reverse("cases:watch_list")).content.decode()

    assert PSEUDONYM in html and watch.reference in html
    assert "Canary Hidden Grebe" not in html and hidden.reference not in html
    assert html.count('class="badge error"') == 2  # one alert, one overdue flag in the table
    assert IDENTITY not in html
    assert "New watch" in html
    assert not INLINE_SCRIPT.search(html)

    other = client_for(personas["expert"]).get(reverse("cases:watch_list")).content.decode()
    assert PSEUDONYM not in other and watch.reference not in other
    assert "New watch" not in other
    assert "No check is overdue" in other


# Create and edit ---------------------------------------------------------------------


def watch_form(place, **changes) -> dict:
    data = {
        "pseudonym": "Canary Pseudonym Wren",
        "identity": "Canary Identity Tomas Reel",
        "source_kind": "private_interview",
        "source_ref": "Visit V-7",
        "risk_source": "staff",
        "risk_detail": "Threats in the yard",
        "feared": ["threats", "isolation"],
        "consent_raise": "on",
        "place": place.pk,
        "ngos": "Prison Watch",
    }
    return {**data, **changes}


def test_it_opens_a_watch_from_the_form(personas, client_for):
    head = personas["head"]
    place = PlaceFactory()
    response = client_for(head).post(reverse("cases:watch_create"), watch_form(place))
    watch = ReprisalWatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})
    assert (watch.pseudonym, watch.place, watch.lead) == ("Canary Pseudonym Wren", place, head)
    assert watch.feared == ["threats", "isolation"] and watch.consent_raise
    assert watch.unseal("identity") == "Canary Identity Tomas Reel"
    assert b"Canary" not in bytes(watch.identity)


def test_it_keeps_the_form_and_changes_nothing_on_bad_input(personas, client_for):
    response = client_for(personas["head"]).post(
        reverse("cases:watch_create"), watch_form(PlaceFactory(), feared=["flogging"])
    )
    assert response.status_code == 200
    assert b"Canary Pseudonym Wren" in response.content
    assert b"errorlist" in response.content
    assert not ReprisalWatch.objects.exists()


def test_it_offers_a_case_only_if_the_user_sees_it(personas, client_for):
    seen = make_case(personas["head"])
    unseen = make_case(personas["doctor"])
    html = client_for(personas["head"]).get(reverse("cases:watch_create")).content.decode()
    assert seen.reference in html
    assert unseen.reference not in html


def test_it_edits_a_watch_and_refuses_a_stale_edit_keeping_the_text(personas, client_for, watch):
    monitor = personas["monitor"]
    url = reverse("cases:watch_edit", kwargs={"watch_id": watch.pk})
    form = client_for(monitor).get(url)
    assert IDENTITY.encode() in form.content  # the lead holds the identity flag
    data = {
        "pseudonym": PSEUDONYM,
        "identity": IDENTITY,
        "source_kind": "private_interview",
        "source_ref": "Visit V-12",
        "risk_source": "staff",
        "risk_detail": "First edit",
        "feared": ["threats"],
        "ngos": "",
        "version": 1,
    }
    assert client_for(monitor).post(url, data).status_code == 302
    watch.refresh_from_db()
    assert watch.unseal("risk_detail") == "First edit"

    stale = client_for(personas["doctor"]).post(url, {**data, "risk_detail": "My lost words"})

    assert stale.status_code == 409
    html = stale.content.decode()
    assert "My lost words" in html  # the user's text comes back
    assert "First edit" in html  # beside what was saved meanwhile
    assert 'name="version" value="2"' in html
    assert IDENTITY not in html  # the doctor has no identity flag
    watch.refresh_from_db()
    assert watch.unseal("risk_detail") == "First edit"
    assert AuditEvent.objects.filter(action="cases.watch.update_stale").count() == 1


# The watch's page ----------------------------------------------------------------------


def test_it_audits_every_read_and_shows_the_identity_only_with_the_flag(
    personas, client_for, watch
):
    url = reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})
    lead_page = client_for(personas["monitor"]).get(url).content.decode()
    doctor_page = client_for(personas["doctor"]).get(url).content.decode()

    assert IDENTITY in lead_page
    assert IDENTITY not in doctor_page
    for html in (lead_page, doctor_page):
        assert PSEUDONYM in html and RISK in html
        assert not INLINE_SCRIPT.search(html)
    reads = AuditEvent.objects.filter(action="cases.watch.read", object_id=str(watch.pk))
    assert sorted(reads.values_list("actor_label", flat=True)) == sorted(
        [personas["monitor"].email, personas["doctor"].email]
    )
    # Each grantee sees who read the watch.
    again = client_for(personas["doctor"]).get(url).content.decode()
    assert personas["monitor"].email in again
    assert "Read the watch" in again


def test_it_shows_grant_management_only_to_the_lead(personas, client_for, watch):
    url = reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})
    add = reverse("cases:watch_grant_add", kwargs={"watch_id": watch.pk})
    assert add in client_for(personas["monitor"]).get(url).content.decode()
    assert add not in client_for(personas["doctor"]).get(url).content.decode()
    response = client_for(personas["doctor"]).post(
        add, {"user": personas["expert"].pk, "reason": "wants in"}
    )
    assert response.status_code == 404
    assert not CaseGrant.objects.filter(watch=watch, user=personas["expert"]).exists()


def test_it_grants_withdraws_and_hands_over_the_lead(personas, client_for, watch):
    monitor, expert = personas["monitor"], personas["expert"]
    client = client_for(monitor)
    w = {"watch_id": watch.pk}
    client.post(
        reverse("cases:watch_grant_add", kwargs=w),
        {"user": expert.pk, "identity": "on", "reason": "Follows the transfer"},
    )
    new = CaseGrant.objects.get(watch=watch, user=expert)
    assert new.identity is True and new.reason == "Follows the transfer"
    client.post(reverse("cases:watch_lead_change", kwargs=w), {"user": expert.pk})
    watch.refresh_from_db()
    assert watch.lead == expert
    doctor_grant = CaseGrant.objects.get(watch=watch, user=personas["doctor"])
    # The former lead keeps no right to manage grants (not the head): 404, nothing changes.
    refused = client.post(
        reverse("cases:watch_grant_remove", kwargs={**w, "grant_pk": doctor_grant.pk})
    )
    assert refused.status_code == 404
    client_for(expert).post(
        reverse("cases:watch_grant_remove", kwargs={**w, "grant_pk": doctor_grant.pk})
    )
    assert not CaseGrant.objects.filter(pk=doctor_grant.pk).exists()


def test_it_lists_only_the_allegations_the_reader_may_see(personas, client_for, watch):
    monitor = personas["monitor"]
    case = services_watches.reprisal_report(
        actor=monitor, watch=watch, informant="ngo", received_on=TODAY, account="Beaten"
    )
    CaseGrant.objects.filter(case=case, user=personas["doctor"]).delete()
    url = reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})
    assert case.reference in client_for(monitor).get(url).content.decode()
    assert case.reference not in client_for(personas["doctor"]).get(url).content.decode()


# Transfer, checks, information received ------------------------------------------------


def test_it_records_a_transfer_and_the_watch_shows_at_the_new_place(personas, client_for, watch):
    old_place, new_place = watch.place, PlaceFactory()
    client = client_for(personas["doctor"])
    response = client.post(
        reverse("cases:watch_transfer", kwargs={"watch_id": watch.pk}),
        {"to_place": new_place.pk, "moved_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    watch.refresh_from_db()
    assert watch.place == new_place
    new_page = client.get(reverse("places:detail", args=[new_place.pk])).content.decode()
    old_page = client.get(reverse("places:detail", args=[old_place.pk])).content.decode()
    assert PSEUDONYM in new_page and "Under reprisal watch here" in new_page
    assert PSEUDONYM not in old_page and "Under reprisal watch here" not in old_page


def test_it_refuses_a_transfer_dated_in_the_future_with_a_message(personas, client_for, watch):
    response = client_for(personas["monitor"]).post(
        reverse("cases:watch_transfer", kwargs={"watch_id": watch.pk}),
        {"to_place": PlaceFactory().pk, "moved_on": (TODAY + dt.timedelta(3)).isoformat()},
    )
    assert response.status_code == 200
    assert b"in the future" in response.content
    assert Transfer.objects.filter(watch=watch).count() == 1


@pytest.mark.parametrize(
    "who", ["outsider", "head", "admin", "comms", "monitor", "auditor", "expert", "data_officer"]
)
def test_it_shows_the_watch_on_the_place_page_only_to_grantees(personas, client_for, watch, who):
    html = client_for(personas[who]).get(reverse("places:detail", args=[watch.place.pk]))
    text = html.content.decode()
    if who == "monitor":
        assert PSEUDONYM in text and watch.reference in text
    else:
        assert html.status_code in (200, 404)
        assert PSEUDONYM not in text
        assert watch.reference not in text
        assert "reprisal watch" not in text.lower()


def test_it_plans_and_records_checks_and_suggests_an_allegation_on_concern(
    personas, client_for, watch
):
    client = client_for(personas["monitor"])
    w = {"watch_id": watch.pk}
    client.post(
        reverse("cases:watch_check_add", kwargs=w),
        {"kind": "lawyer", "due_on": (TODAY - dt.timedelta(days=1)).isoformat()},
    )
    check = WatchCheck.objects.get(watch=watch)
    detail = client.get(reverse("cases:watch_detail", kwargs=w)).content.decode()
    assert "Overdue" in detail

    response = client.post(
        reverse("cases:watch_check_record", kwargs={**w, "check_id": check.pk}),
        {"done_on": TODAY.isoformat(), "outcome": "concern", "note": "Bruises seen"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:watch_reprisal_report", kwargs=w)
    check.refresh_from_db()
    assert check.outcome == "concern" and check.unseal("note") == "Bruises seen"


def test_it_opens_a_reprisal_allegation_from_the_page(personas, client_for, watch):
    response = client_for(personas["monitor"]).post(
        reverse("cases:watch_reprisal_report", kwargs={"watch_id": watch.pk}),
        {"informant": "relative", "received_on": TODAY.isoformat(), "account": "Put in isolation"},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"case_id": case.pk})
    assert case.watch == watch and case.reported_on == TODAY
    assert case.checklist.count() == 4
    assert set(case.grants.values_list("user__email", flat=True)) == {
        personas["monitor"].email,
        personas["doctor"].email,
    }


def test_it_hides_the_reprisal_form_from_a_grantee_who_may_not_open_cases(
    personas, client_for, watch
):
    grant(personas["monitor"], watch, personas["expert"])
    url = reverse("cases:watch_reprisal_report", kwargs={"watch_id": watch.pk})
    client = client_for(personas["expert"])
    detail = client.get(reverse("cases:watch_detail", kwargs={"watch_id": watch.pk}))
    assert url not in detail.content.decode()
    assert client.post(url, {"informant": "ngo", "account": "x"}).status_code == 404
    assert not Case.objects.exists()


def test_it_links_back_to_the_partners_information_linked_to_the_watch(personas, client_for, watch):
    from habeas.partners import services as partners
    from habeas.partners.models import Partner

    monitor = personas["monitor"]
    ngo = partners.partner_create(actor=monitor, name="Prisoners' Rights Watch", kind="ngo")
    information = partners.communication_record(
        actor=monitor,
        kind="information",
        occurred_on=TODAY,
        subject="Threats after the visit",
        partners=[ngo],
        reprisal_signal=True,
    )
    partners.communication_link_watch(actor=monitor, communication=information, watch=watch)
    page = reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})
    link = reverse("partners:communication", kwargs={"pk": information.pk})

    assert link in client_for(monitor).get(page).content.decode()
    # The doctor is granted on the watch and may read partners' information too.
    assert link in client_for(personas["doctor"]).get(page).content.decode()
    assert Partner.objects.count() == 1
