"""Investigations requested of the authorities, disciplinary or criminal, on a case or a
watch, and their outcome (¶25)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from habeas.cases import services, services_watches
from habeas.cases.models import InvestigationRequest
from habeas.cases.tests.factories import make_case, make_watch
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

TODAY = services.today()


# Services ----------------------------------------------------------------------------


def test_it_records_a_request_on_a_watch_and_its_outcome(personas):
    head = personas["head"]
    watch = make_watch(head)
    prosecutor = AuthorityFactory(name="Regional prosecutor")
    investigation = services_watches.investigation_request(
        actor=head,
        watch=watch,
        kind=InvestigationRequest.Kind.CRIMINAL,
        addressee=prosecutor,
        requested_on=TODAY - dt.timedelta(days=10),
    )
    services_watches.investigation_outcome(
        actor=head,
        investigation=investigation,
        outcome=InvestigationRequest.Outcome.OPENED,
        outcome_on=TODAY,
    )
    investigation.refresh_from_db()
    assert (investigation.watch, investigation.case) == (watch, None)
    assert (investigation.outcome, investigation.outcome_on) == ("opened", TODAY)
    events = AuditEvent.objects.filter(object_id=str(watch.pk), action__startswith="cases.inv")
    assert list(events.order_by("pk").values_list("action", flat=True)) == [
        "cases.investigation.request",
        "cases.investigation.outcome",
    ]


def test_it_records_a_request_on_a_case(personas):
    doctor = personas["doctor"]
    case = make_case(doctor)
    investigation = services_watches.investigation_request(
        actor=doctor, case=case, kind="disciplinary", requested_on=TODAY
    )
    assert investigation.case == case and investigation.addressee is None


def test_it_wants_exactly_one_record(personas):
    head = personas["head"]
    with pytest.raises(ValidationError):
        services_watches.investigation_request(actor=head, kind="criminal", requested_on=TODAY)
    with pytest.raises(ValidationError):
        services_watches.investigation_request(
            actor=head,
            case=make_case(head),
            watch=make_watch(head),
            kind="criminal",
            requested_on=TODAY,
        )


@pytest.mark.parametrize("who", ["monitor", "outsider", "admin"])
def test_it_refuses_a_request_or_outcome_by_someone_not_granted(personas, who):
    head = personas["head"]
    watch = make_watch(head)
    with pytest.raises(PermissionDenied):
        services_watches.investigation_request(
            actor=personas[who], watch=watch, kind="criminal", requested_on=TODAY
        )
    investigation = services_watches.investigation_request(
        actor=head, watch=watch, kind="criminal", requested_on=TODAY
    )
    with pytest.raises(PermissionDenied):
        services_watches.investigation_outcome(
            actor=personas[who], investigation=investigation, outcome="refused", outcome_on=TODAY
        )
    investigation.refresh_from_db()
    assert investigation.outcome == "pending"


@pytest.mark.parametrize(
    "outcome, outcome_on",
    [
        ("refused", None),
        ("refused", TODAY - dt.timedelta(days=30)),  # before the request
        ("refused", TODAY + dt.timedelta(days=1)),
        ("lost", TODAY),
    ],
)
def test_it_refuses_an_outcome_that_does_not_hold(personas, outcome, outcome_on):
    head = personas["head"]
    investigation = services_watches.investigation_request(
        actor=head, watch=make_watch(head), kind="criminal", requested_on=TODAY - dt.timedelta(3)
    )
    with pytest.raises(ValidationError):
        services_watches.investigation_outcome(
            actor=head, investigation=investigation, outcome=outcome, outcome_on=outcome_on
        )
    investigation.refresh_from_db()
    assert investigation.outcome == "pending"


# Pages --------------------------------------------------------------------------------


def test_it_adds_a_request_from_the_watch_page_and_lists_it(personas, client_for):
    head = personas["head"]
    watch = make_watch(head)
    authority = AuthorityFactory(name="Inspectorate of prisons")
    client = client_for(head)
    url = reverse("cases:investigation_add_watch", kwargs={"watch_id": watch.pk})
    response = client.post(
        url, {"kind": "disciplinary", "addressee": authority.pk, "requested_on": TODAY}
    )
    detail = reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})
    assert response.status_code == 302 and response["Location"] == detail
    investigation = InvestigationRequest.objects.get()
    html = client.get(detail).content.decode()
    assert "Inspectorate of prisons" in html
    assert reverse("cases:investigation_outcome", args=[investigation.pk]) in html
    assert '<option value="sanction">' in html  # the outcome form offers every outcome


def test_it_adds_a_request_on_a_case_and_records_its_outcome(personas, client_for):
    monitor = personas["monitor"]
    case = make_case(monitor)
    client = client_for(monitor)
    response = client.post(
        reverse("cases:investigation_add_case", kwargs={"case_id": case.pk}),
        {"kind": "criminal", "requested_on": TODAY - dt.timedelta(days=2)},
    )
    assert response.status_code == 302
    investigation = InvestigationRequest.objects.get(case=case)
    response = client.post(
        reverse("cases:investigation_outcome", args=[investigation.pk]),
        {"outcome": "sanction", "outcome_on": TODAY},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"case_id": case.pk})
    investigation.refresh_from_db()
    assert investigation.outcome == "sanction"


def test_it_shows_a_clear_message_for_an_outcome_without_a_date(personas, client_for):
    head = personas["head"]
    investigation = services_watches.investigation_request(
        actor=head, watch=make_watch(head), kind="criminal", requested_on=TODAY
    )
    response = client_for(head).post(
        reverse("cases:investigation_outcome", args=[investigation.pk]), {"outcome": "refused"}
    )
    assert response.status_code == 200
    assert b"Give the date of the outcome" in response.content
    investigation.refresh_from_db()
    assert investigation.outcome == "pending"


@pytest.mark.parametrize("who", ["outsider", "head", "admin", "monitor"])
def test_it_answers_404_to_anyone_not_granted_on_the_record(personas, client_for, who):
    doctor = personas["doctor"]
    case = make_case(doctor)
    investigation = services_watches.investigation_request(
        actor=doctor, case=case, kind="criminal", requested_on=TODAY
    )
    client = client_for(personas[who])
    for url, data in (
        (reverse("cases:investigation_add_case", kwargs={"case_id": case.pk}), {}),
        (
            reverse("cases:investigation_outcome", args=[investigation.pk]),
            {"outcome": "refused", "outcome_on": TODAY},
        ),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
    missing = reverse("cases:investigation_outcome", args=[investigation.pk + 1000])
    hidden = reverse("cases:investigation_outcome", args=[investigation.pk])
    assert client.get(missing).content == client.get(hidden).content
    investigation.refresh_from_db()
    assert investigation.outcome == "pending"
    assert InvestigationRequest.objects.count() == 1
