"""Pages of the dialogue with the personas: the log, the letter mapping, action plans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations import services_dialogue as services
from habeas.recommendations.models import ActionPlan, Commitment, Exchange, Response
from habeas.recommendations.services_dialogue import MapEntry
from habeas.recommendations.tests.dialogue_factories import (
    make_commitment,
    make_exchange,
    make_plan,
    make_sent_to,
)
from habeas.recommendations.tests.factories import make_sent
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

WRITERS = ("head", "monitor", "data_officer")
READERS = ("doctor", "comms", "auditor")
STRANGERS = ("expert", "admin", "outsider")


@pytest.fixture
def ministry():
    return AuthorityFactory(kind=Authority.Kind.MINISTRY, name="Ministry of Justice")


@pytest.fixture
def world(personas, ministry):
    head = personas["head"]
    letter = make_exchange(head, authority=ministry)
    plan = make_plan(head, authority=ministry, exchange=letter)
    commitment = make_commitment(head, plan)
    return {"letter": letter, "plan": plan, "commitment": commitment}


def read_urls(world):
    letter, plan = world["letter"], world["plan"]
    return [
        "/recommendations/dialogue/",
        f"/recommendations/dialogue/{letter.pk}/",
        "/recommendations/plans/",
        f"/recommendations/plans/{plan.pk}/",
    ]


def write_urls(world):
    letter, plan, commitment = world["letter"], world["plan"], world["commitment"]
    return [
        "/recommendations/dialogue/new/",
        f"/recommendations/dialogue/{letter.pk}/edit/",
        f"/recommendations/dialogue/{letter.pk}/map/",
        f"/recommendations/dialogue/{letter.pk}/attachments/",
        "/recommendations/plans/new/",
        f"/recommendations/plans/{plan.pk}/edit/",
        f"/recommendations/plans/{plan.pk}/commitments/new/",
        f"/recommendations/plans/{plan.pk}/commitments/{commitment.pk}/",
    ]


def test_readers_see_the_pages_and_strangers_get_404(personas, client_for, world):
    for who in WRITERS + READERS:
        client = client_for(personas[who])
        for url in read_urls(world):
            assert client.get(url).status_code == 200, (who, url)
    for who in STRANGERS:
        client = client_for(personas[who])
        for url in read_urls(world) + write_urls(world):
            assert client.get(url).status_code == 404, (who, url)
        for url in write_urls(world):
            assert client.post(url, {"subject": "x"}).status_code == 404, (who, url)


def test_readers_without_the_right_get_403_and_change_nothing(personas, client_for, world):
    for who in READERS:
        client = client_for(personas[who])
        for url in write_urls(world):
            assert client.get(url).status_code == 403, (who, url)
            assert client.post(url, {"subject": "x", "title": "x"}).status_code == 403, (who, url)
    assert Exchange.objects.count() == 1 and ActionPlan.objects.count() == 1
    world["letter"].refresh_from_db()
    assert world["letter"].version == 1


def test_writers_open_the_write_pages(personas, client_for, world):
    for who in WRITERS:
        client = client_for(personas[who])
        for url in write_urls(world):
            assert client.get(url).status_code == 200, (who, url)


def test_a_missing_id_answers_like_a_hidden_one(personas, client_for):
    client = client_for(personas["head"])
    assert client.get("/recommendations/dialogue/987654/").status_code == 404
    assert client.get("/recommendations/plans/987654/").status_code == 404


# -- the log --------------------------------------------------------------------------------


def test_it_records_an_exchange_with_the_authority_preselected(personas, client_for, ministry):
    client = client_for(personas["monitor"])
    page = client.get(f"/recommendations/dialogue/new/?authority={ministry.pk}")
    assert f'<option value="{ministry.pk}" selected>'.encode() in page.content

    response = client.post(
        "/recommendations/dialogue/new/",
        {
            "authority": ministry.pk,
            "kind": "meeting",
            "direction": "mutual",
            "occurred_on": timezone.localdate().isoformat(),
            "subject": "Roundtable on pre-trial detention",
            "participants": "Deputy minister; two NPM members",
            "summary": "Agreed to meet again in March.",
        },
    )

    exchange = Exchange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/recommendations/dialogue/{exchange.pk}/"
    assert exchange.participants == "Deputy minister; two NPM members"
    assert exchange.created_by == personas["monitor"]


def test_record_and_map_goes_straight_to_the_mapping(personas, client_for, ministry):
    response = client_for(personas["head"]).post(
        "/recommendations/dialogue/new/",
        {
            "authority": ministry.pk,
            "kind": "letter",
            "direction": "incoming",
            "occurred_on": timezone.localdate().isoformat(),
            "subject": "Reply",
            "then": "map",
        },
    )
    exchange = Exchange.objects.get()
    assert response["Location"] == f"/recommendations/dialogue/{exchange.pk}/map/"


def test_a_stale_edit_gets_409_and_the_users_text_back(personas, client_for, ministry):
    exchange = make_exchange(personas["head"], authority=ministry, subject="Original")
    url = f"/recommendations/dialogue/{exchange.pk}/edit/"
    form = {
        "authority": ministry.pk,
        "kind": "letter",
        "direction": "incoming",
        "occurred_on": exchange.occurred_on.isoformat(),
        "version": 1,
    }
    client_for(personas["monitor"]).post(url, {**form, "subject": "Theirs"})

    response = client_for(personas["data_officer"]).post(url, {**form, "subject": "Mine"})

    assert response.status_code == 409
    assert b'value="Mine"' in response.content
    exchange.refresh_from_db()
    assert exchange.subject == "Theirs"


def test_the_list_filters_by_authority_kind_and_year(personas, client_for, ministry):
    head = personas["head"]
    other = AuthorityFactory(name="Health ministry")
    last_year = timezone.localdate().replace(month=1, day=1) - dt.timedelta(days=1)
    wanted = make_exchange(head, authority=ministry, subject="Wanted letter")
    make_exchange(head, authority=other, subject="Other authority")
    make_exchange(head, authority=ministry, kind="call", direction="mutual", subject="A call")
    make_exchange(head, authority=ministry, occurred_on=last_year, subject="Last year")
    awaiting = make_sent_to(head, ministry, 1)[0]
    client = client_for(personas["comms"])

    response = client.get(
        "/recommendations/dialogue/",
        {"authority": ministry.pk, "kind": "letter", "year": timezone.localdate().year},
    )

    text = response.content.decode()
    assert "Wanted letter" in text
    assert "Other authority" not in text and "A call" not in text and "Last year" not in text
    assert awaiting.reference in text  # awaiting a response from this authority
    partial = client.get(
        "/recommendations/dialogue/", {"kind": "call"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in partial.content and b"A call" in partial.content
    assert wanted.subject.encode() not in partial.content


def test_the_authority_page_links_to_its_dialogue(personas, client_for, ministry):
    page = client_for(personas["monitor"]).get(f"/places/authorities/{ministry.pk}/")
    assert f"/recommendations/dialogue/?authority={ministry.pk}".encode() in page.content


# -- the letter mapping ---------------------------------------------------------------------


def map_form(letter, rows, **extra):
    data = {"responded_on": letter.occurred_on.isoformat(), **extra}
    for recommendation, status, passage in rows:
        data[f"status_{recommendation.pk}"] = status
        data[f"passage_{recommendation.pk}"] = passage
    return data


def test_it_maps_a_letter_to_40_recommendations_in_one_post(personas, client_for, ministry):
    head = personas["head"]
    recommendations = make_sent_to(head, ministry, 42)
    letter = make_exchange(head, authority=ministry)
    statuses = ["accepted", "partially_accepted", "rejected", "no_reply"]
    rows = [
        (r, statuses[n % 4], f"Paragraph {n}: the Ministry agrees in part.")
        for n, r in enumerate(recommendations[:40])
    ]
    rows += [(r, "", "") for r in recommendations[40:]]  # shown, not concerned
    client = client_for(personas["data_officer"])
    page = client.get(f"/recommendations/dialogue/{letter.pk}/map/")
    assert all(r.reference.encode() in page.content for r in recommendations)

    response = client.post(f"/recommendations/dialogue/{letter.pk}/map/", map_form(letter, rows))

    assert response.status_code == 302
    assert response["Location"] == f"/recommendations/dialogue/{letter.pk}/"
    assert Response.objects.count() == 40
    for recommendation, status, passage in rows[:40]:
        response_row = Response.objects.get(recommendation=recommendation)
        assert (response_row.status, response_row.passage) == (status, passage)
        assert response_row.exchange_id == letter.pk
    detail = client.get(f"/recommendations/dialogue/{letter.pk}/").content.decode()
    for recommendation, _status, passage in rows[:40]:
        assert recommendation.reference in detail and passage in detail
    assert recommendations[40].reference not in detail


def test_one_paragraph_applies_to_every_ticked_row_without_javascript(
    personas, client_for, ministry
):
    head = personas["head"]
    first, second, third = make_sent_to(head, ministry, 3)
    letter = make_exchange(head, authority=ministry)
    data = map_form(
        letter,
        [(first, "", ""), (second, "rejected", "Own passage."), (third, "", "")],
        paragraph="Points 1 to 3 will be addressed by the new prison law.",
        paragraph_status="accepted",
    )
    data[f"pick_{first.pk}"] = "on"
    data[f"pick_{second.pk}"] = "on"

    client_for(head).post(f"/recommendations/dialogue/{letter.pk}/map/", data)

    answers = {r.recommendation_id: (r.status, r.passage) for r in Response.objects.all()}
    assert answers == {
        first.pk: ("accepted", "Points 1 to 3 will be addressed by the new prison law."),
        second.pk: ("rejected", "Own passage."),
    }


def test_a_bad_row_saves_nothing_and_is_shown(personas, client_for, ministry):
    head = personas["head"]
    first, second = make_sent_to(head, ministry, 2, days_ago=3)
    letter = make_exchange(head, authority=ministry)
    data = map_form(
        letter,
        [(first, "accepted", "Kept text."), (second, "accepted", "")],
        responded_on=(timezone.localdate() - dt.timedelta(days=10)).isoformat(),
    )

    response = client_for(head).post(f"/recommendations/dialogue/{letter.pk}/map/", data)

    assert response.status_code == 400
    assert not Response.objects.exists()
    assert b"Nothing was saved" in response.content
    assert b"Kept text." in response.content
    assert b"was sent later than that" in response.content


def test_a_row_of_a_hidden_recommendation_is_never_listed_nor_saved(personas, client_for, ministry):
    head, officer = personas["head"], personas["data_officer"]
    hidden = make_sent(head, addressee=ministry, visit=make_visit(head))
    letter = make_exchange(officer, authority=ministry)
    client = client_for(officer)

    page = client.get(f"/recommendations/dialogue/{letter.pk}/map/")
    client.post(
        f"/recommendations/dialogue/{letter.pk}/map/",
        map_form(letter, [(hidden, "accepted", "Forged row.")]),
    )

    assert hidden.reference.encode() not in page.content
    assert not Response.objects.exists()


def test_the_search_narrows_the_rows_and_htmx_gets_only_them(personas, client_for, ministry):
    head = personas["head"]
    first, second = make_sent_to(head, ministry, 2)
    letter = make_exchange(head, authority=ministry)
    client = client_for(head)
    url = f"/recommendations/dialogue/{letter.pk}/map/"

    page = client.get(url, {"q": second.reference})
    rows = client.get(url, {"q": "ventilation block 0"}, headers={"HX-Request": "true"})

    assert second.reference.encode() in page.content
    assert first.reference.encode() not in page.content
    assert b"<html" not in rows.content and b"<tr" in rows.content
    assert first.reference.encode() in rows.content
    assert second.reference.encode() not in rows.content


def test_a_letter_already_mapped_is_prefilled(personas, client_for, ministry):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    services.letter_map(
        actor=head,
        exchange=letter,
        entries=[MapEntry(recommendation=recommendation, status="rejected", passage="Never.")],
    )

    page = client_for(head).get(f"/recommendations/dialogue/{letter.pk}/map/")

    assert b'<option value="rejected" selected>' in page.content
    assert b"Never.</textarea>" in page.content


def test_the_mapping_page_does_not_grow_queries_with_rows(personas, client_for, ministry):
    head = personas["head"]
    letter = make_exchange(head, authority=ministry)
    make_sent_to(head, ministry, 3)
    client = client_for(head)
    url = f"/recommendations/dialogue/{letter.pk}/map/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make_sent_to(head, ministry, 15)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# -- action plans ---------------------------------------------------------------------------


def test_a_plan_is_recorded_from_its_letter_and_overdue_commitments_marked(
    personas, client_for, ministry
):
    head = personas["head"]
    recommendation = make_sent_to(head, ministry, 1)[0]
    letter = make_exchange(head, authority=ministry)
    client = client_for(personas["monitor"])
    page = client.get(f"/recommendations/plans/new/?exchange={letter.pk}")
    assert f'<option value="{letter.pk}" selected>'.encode() in page.content

    client.post(
        "/recommendations/plans/new/",
        {"authority": ministry.pk, "title": "Prison plan", "exchange": letter.pk},
    )
    plan = ActionPlan.objects.get()
    added = client.post(
        f"/recommendations/plans/{plan.pk}/commitments/new/",
        {
            "recommendation": recommendation.reference.lower(),
            "text": "Hire four nurses.",
            "due_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        },
    )

    assert added.status_code == 302
    commitment = Commitment.objects.get()
    assert commitment.recommendation == recommendation and commitment.plan == plan
    detail = client.get(f"/recommendations/plans/{plan.pk}/").content.decode()
    assert "Hire four nurses." in detail and "Overdue" in detail
    assert recommendation.reference in detail
    letter_page = client.get(f"/recommendations/dialogue/{letter.pk}/").content.decode()
    assert "Prison plan" in letter_page


def test_a_commitment_is_edited_and_a_stale_edit_gets_409(personas, client_for, ministry):
    head = personas["head"]
    plan = make_plan(head, authority=ministry)
    commitment = make_commitment(head, plan)
    url = f"/recommendations/plans/{plan.pk}/commitments/{commitment.pk}/"
    form = {"text": "Done it.", "due_on": commitment.due_on.isoformat(), "version": 1}
    done = timezone.localdate().isoformat()

    client_for(head).post(url, {**form, "done_on": done})
    stale = client_for(personas["monitor"]).post(url, {**form, "text": "My version"})

    assert stale.status_code == 409 and b"My version" in stale.content
    commitment.refresh_from_db()
    assert commitment.done_on == timezone.localdate() and commitment.text == "Done it."


def test_an_unknown_recommendation_reference_is_refused_on_the_field(
    personas, client_for, ministry
):
    plan = make_plan(personas["head"], authority=ministry)
    response = client_for(personas["head"]).post(
        f"/recommendations/plans/{plan.pk}/commitments/new/",
        {"recommendation": "R-1999-99999", "text": "x", "due_on": "2030-01-01"},
    )
    assert response.status_code == 400
    assert b"No recommendation you may follow has this reference." in response.content
    assert not Commitment.objects.exists()
