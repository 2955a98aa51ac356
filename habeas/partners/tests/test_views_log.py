"""The communication log's pages with the personas: recording (and routing a reprisal
signal), the communication's page and what it shows of its links, edits, watches."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from habeas.cases.models import ReprisalWatch
from habeas.cases.tests.factories import grant, make_case, make_watch
from habeas.core.models import AuditEvent, Notification
from habeas.partners import services
from habeas.partners.models import Communication
from habeas.partners.tests.factories import (
    CANARY_DETAILS,
    make_communication,
    make_legislation,
    make_partner,
    make_spt,
)
from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations.tests.factories import make_sent

pytestmark = pytest.mark.django_db

RECORD = "/partners/log/new/"
DETAILS_SHOWN = escape(CANARY_DETAILS)


def url_of(communication: Communication, action: str = "") -> str:
    return f"/partners/log/{communication.pk}/{action + '/' if action else ''}"


@pytest.fixture
def ngo(personas):
    return make_partner(personas["head"])


def form_data(ngo, **extra):
    data = {
        "kind": "information",
        "direction": "in",
        "occurred_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "subject": "Information on remand prison B",
        "details": CANARY_DETAILS,
        "partners": [ngo.pk],
    }
    data.update(extra)
    return data


# -- recording ------------------------------------------------------------------------------


def test_the_form_warns_about_names_and_explains_the_reprisal_box(personas, client_for, ngo):
    page = client_for(personas["comms"]).get(RECORD, {"partner": ngo.pk}).content.decode()

    assert "name no detainee, source or other person" in page
    assert "The people who open reprisal watches will be told at once" in page
    assert f'<option value="{ngo.pk}" selected>' in page


def test_it_records_a_communication_with_its_links_and_audits_it(personas, client_for, ngo):
    head = personas["head"]
    place = PlaceFactory(name="Remand Prison B")
    recommendation = make_sent(head)
    bill = make_legislation(head)
    response = client_for(personas["monitor"]).post(
        RECORD,
        form_data(
            ngo,
            places=[place.pk],
            recommendations=recommendation.reference.lower(),
            legislation=[bill.pk],
        ),
    )

    communication = Communication.objects.get()
    assert response.status_code == 302 and response["Location"] == url_of(communication)
    assert str(communication.occurred_on.year) in communication.reference
    assert list(communication.places.all()) == [place]
    assert list(communication.recommendations.all()) == [recommendation]
    assert list(communication.legislation.all()) == [bill]
    assert CANARY_DETAILS.encode() not in bytes(communication.details)  # sealed
    event = AuditEvent.objects.get(action="partners.communication.record")
    assert event.actor == personas["monitor"] and event.object_id == str(communication.pk)
    assert not Notification.objects.exists()


def test_a_reprisal_signal_is_routed_at_once(personas, client_for, ngo):
    response = client_for(personas["comms"]).post(
        RECORD, form_data(ngo, reprisal_signal="on", confidential="on")
    )

    communication = Communication.objects.get()
    told = set(Notification.objects.values_list("user__email", flat=True))
    assert response.status_code == 302
    assert communication.reprisal_routed_at is not None
    assert {"head@npm.test", "monitor@npm.test", "doctor@npm.test"} <= told
    assert "comms@npm.test" not in told and "auditor@npm.test" not in told
    link = Notification.objects.filter(user=personas["doctor"]).get().link
    assert link == url_of(communication)
    # The doctor was told, so the doctor may open what they were told of.
    page = client_for(personas["doctor"]).get(link)
    assert page.status_code == 200 and DETAILS_SHOWN in page.content.decode()


def test_a_reference_not_seen_is_refused_like_a_missing_one(personas, client_for, ngo):
    client = client_for(personas["comms"])

    response = client.post(RECORD, form_data(ngo, recommendations="R-1999-999"))

    assert response.status_code == 400
    assert b"No recommendation you may see has the reference R-1999-999." in response.content
    assert DETAILS_SHOWN in response.content.decode()  # the user's text is kept
    assert not Communication.objects.exists()


def test_cases_are_offered_only_to_those_granted_and_others_are_refused(personas, client_for, ngo):
    head, monitor = personas["head"], personas["monitor"]
    case = make_case(head)
    client = client_for(monitor)

    page = client.get(RECORD).content.decode()
    ignored = client.post(RECORD, form_data(ngo, cases=[str(case.pk)]))
    grant(head, case, monitor)
    offered = client.get(RECORD).content.decode()
    accepted = client.post(RECORD, form_data(ngo, cases=[str(case.pk)]))

    first, second = Communication.objects.order_by("reference")
    assert case.reference not in page and 'name="cases"' not in page
    assert ignored.status_code == 302 and not first.cases.exists()  # not offered, not linked
    assert case.reference in offered
    assert accepted.status_code == 302
    assert list(second.cases.all()) == [case]


def test_bad_input_is_refused_and_nothing_recorded(personas, client_for, ngo):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    client = client_for(personas["head"])

    no_partner = client.post(RECORD, form_data(ngo, partners=[]))
    in_future = client.post(RECORD, form_data(ngo, occurred_on=future))

    assert no_partner.status_code == 400 and in_future.status_code == 400
    assert b"This date is in the future." in in_future.content
    assert not Communication.objects.exists()


# -- the communication's page ---------------------------------------------------------------


def test_opening_a_communication_shows_its_details_and_is_audited(personas, client_for, ngo):
    communication = make_communication(personas["head"], partners=[ngo])

    page = client_for(personas["auditor"]).get(url_of(communication))

    assert page.status_code == 200 and DETAILS_SHOWN in page.content.decode()
    read = AuditEvent.objects.get(action="partners.communication.read")
    assert read.actor == personas["auditor"] and read.object_id == str(communication.pk)


def test_a_confidential_communication_is_missing_for_those_who_may_not_see_it(personas, client_for):
    head = personas["head"]
    spt = make_spt(head)
    secret = make_communication(head, partners=[spt], confidential=True)

    for who in ("doctor", "auditor"):
        client = client_for(personas[who])
        hidden = client.get(url_of(secret))
        missing = client.get(f"/partners/log/{uuid.uuid4()}/")
        assert hidden.status_code == 404 and hidden.content == missing.content, who
        assert client.get(url_of(secret, "edit")).status_code == 404, who
        listed = client.get("/partners/log/").content.decode()
        assert secret.reference not in listed, who
    assert client_for(personas["comms"]).get(url_of(secret)).status_code == 200
    assert not AuditEvent.objects.filter(
        action="partners.communication.read", actor__in=[personas["doctor"], personas["auditor"]]
    ).exists()


def test_links_show_only_records_the_reader_may_see(personas, client_for, ngo):
    head = personas["head"]
    case = make_case(head)
    place = PlaceFactory(name="Juvenile Centre North")
    communication = make_communication(head, partners=[ngo], cases=[case], places=[place])

    for_head = client_for(head).get(url_of(communication)).content.decode()
    for_monitor = client_for(personas["monitor"]).get(url_of(communication)).content.decode()

    assert case.reference in for_head and "Juvenile Centre North" in for_head
    assert case.reference not in for_monitor and "Juvenile Centre North" in for_monitor


def test_an_edit_keeps_links_the_editor_cannot_see(personas, client_for, ngo):
    head = personas["head"]
    case = make_case(head)
    communication = make_communication(head, partners=[ngo], cases=[case])
    client = client_for(personas["comms"])

    form = client.get(url_of(communication, "edit")).content.decode()
    response = client.post(
        url_of(communication, "edit"),
        form_data(ngo, subject="Information on remand prison C", version=1),
    )

    communication.refresh_from_db()
    assert case.reference not in form and DETAILS_SHOWN in form
    assert response.status_code == 302
    assert communication.subject == "Information on remand prison C"
    assert list(communication.cases.all()) == [case]
    assert AuditEvent.objects.filter(action="partners.communication.update").count() == 1


def test_a_stale_communication_edit_gets_409_and_keeps_the_users_text(personas, client_for, ngo):
    head = personas["head"]
    communication = make_communication(head, partners=[ngo])
    services.communication_update(
        actor=head, communication=communication, expected_version=1, subject="Updated by head"
    )

    response = client_for(personas["monitor"]).post(
        url_of(communication, "edit"),
        form_data(ngo, subject="My subject", details="My own account", version=1),
    )

    communication.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 409
    assert "My subject" in body and "My own account" in body and "Updated by head" in body
    assert communication.subject == "Updated by head" and communication.version == 2
    assert communication.unseal("details") == CANARY_DETAILS


def test_a_routed_signal_cannot_be_withdrawn_by_an_edit(personas, client_for, ngo):
    communication = make_communication(personas["head"], partners=[ngo], reprisal_signal=True)

    response = client_for(personas["comms"]).post(
        url_of(communication, "edit"),
        form_data(ngo, version=1),  # the box left unticked
    )

    communication.refresh_from_db()
    assert response.status_code == 302
    assert communication.reprisal_signal is True


# -- reprisal watches ------------------------------------------------------------------------


def test_a_signal_without_a_watch_says_so_and_is_listed_until_one_is_linked(
    personas, client_for, ngo
):
    head = personas["head"]
    communication = make_communication(head, partners=[ngo], reprisal_signal=True)
    watch = make_watch(head)
    client = client_for(head)

    page = client.get(url_of(communication)).content.decode()
    log_before = client.get("/partners/log/").content.decode()
    linked = client.post(url_of(communication, "watch"), {"watch": str(watch.pk)})
    after = client.get(url_of(communication)).content.decode()
    log_after = client.get("/partners/log/").content.decode()

    communication.refresh_from_db()
    assert "No watch yet" in page and "Link to this watch" in page
    assert "1 reprisal signal without a watch" in log_before
    assert linked.status_code == 302 and communication.reprisal_watch == watch
    assert watch.reference in after
    assert "reprisal signal without a watch" not in log_after
    assert AuditEvent.objects.filter(action="partners.communication.link_watch").count() == 1


def test_a_watch_one_is_not_granted_on_cannot_be_linked(personas, client_for, ngo):
    head = personas["head"]
    communication = make_communication(head, partners=[ngo], reprisal_signal=True)
    watch = make_watch(head)

    response = client_for(personas["monitor"]).post(
        url_of(communication, "watch"), {"watch": str(watch.pk)}
    )

    communication.refresh_from_db()
    assert response.status_code == 400 and communication.reprisal_watch is None
    assert watch.reference.encode() not in response.content


def test_readers_who_open_no_watch_may_not_link_one(personas, client_for, ngo):
    communication = make_communication(personas["head"], partners=[ngo], reprisal_signal=True)
    client = client_for(personas["auditor"])

    page = client.get(url_of(communication)).content.decode()
    response = client.post(url_of(communication, "watch"), {"unlink": "1"})

    assert "Link to this watch" not in page and "Open a reprisal watch" not in page
    assert response.status_code == 403


def test_a_watch_is_opened_from_the_information_with_its_source(personas, client_for, ngo):
    monitor = personas["monitor"]
    communication = make_communication(personas["head"], partners=[ngo], reprisal_signal=True)
    place = PlaceFactory()
    client = client_for(monitor)

    form = client.get(url_of(communication, "open-watch")).content.decode()
    response = client.post(
        url_of(communication, "open-watch"),
        {
            "pseudonym": "Kestrel",
            "source_kind": "other",  # disabled: the source is the communication, whatever is sent
            "source_ref": "forged",
            "risk_source": "staff",
            "feared": ["threats"],
            "place": place.pk,
        },
    )

    watch = ReprisalWatch.objects.get()
    communication.refresh_from_db()
    assert communication.reference in form
    assert response.status_code == 302 and response["Location"] == f"/cases/watches/{watch.pk}/"
    assert watch.source_kind == ReprisalWatch.SourceKind.PARTNER
    assert watch.source_ref == communication.reference
    assert communication.reprisal_watch == watch


def test_only_those_who_open_watches_may_open_one_from_here(personas, client_for, ngo):
    communication = make_communication(personas["head"], partners=[ngo], reprisal_signal=True)

    for who in ("comms", "data_officer", "auditor"):
        response = client_for(personas[who]).post(
            url_of(communication, "open-watch"), {"pseudonym": "Kestrel"}
        )
        assert response.status_code == 403, who
    assert not ReprisalWatch.objects.exists()


# -- the log's filters ------------------------------------------------------------------------


def test_the_log_filters_by_partner_kind_place_signal_and_words(personas, client_for, ngo):
    head = personas["head"]
    spt = make_spt(head)
    place = PlaceFactory(name="Police Station 7")
    letter = make_communication(
        head, partners=[spt], kind="letter", subject="Letter to the SPT on follow-up"
    )
    signal = make_communication(
        head, partners=[ngo], subject="Threats after the visit", reprisal_signal=True
    )
    at_place = make_communication(
        head, partners=[ngo], subject="Custody conditions", places=[place]
    )
    client = client_for(personas["data_officer"])

    def found(**query):
        # The results only (the page above them lists the signals without a watch).
        page = client.get("/partners/log/", query, headers={"HX-Request": "true"})
        page = page.content.decode()
        return {c.reference for c in (letter, signal, at_place) if c.reference in page}

    assert found(partner=spt.pk) == {letter.reference}
    assert found(kind="letter") == {letter.reference}
    assert found(reprisal_only="on") == {signal.reference}
    assert found(place=place.pk) == {at_place.reference}
    assert found(q="custody") == {at_place.reference}
    assert found() == {letter.reference, signal.reference, at_place.reference}


def test_the_log_and_the_registry_cost_the_same_queries_for_few_rows_or_many(
    personas, client_for, ngo
):
    head = personas["head"]
    spt = make_spt(head)
    make_communication(head, partners=[ngo, spt], reprisal_signal=True)
    client = client_for(head)

    def queries(url):
        client.get(url)  # warm the session and the caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = {url: queries(url) for url in ("/partners/log/", "/partners/")}
    for number in range(12):
        other = make_partner(head, name=f"Partner {number}", acronym=f"P{number}")
        make_communication(head, partners=[other, ngo], reprisal_signal=number % 2 == 0)
    many = {url: queries(url) for url in ("/partners/log/", "/partners/")}

    assert many == few
