"""Drafting a recommendation from a visit's findings, the quality advice and similar
earlier recommendations while typing, repeats, editing (with stale edits), answers,
verification and linking, through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.recommendations import services
from habeas.recommendations.models import Recommendation, Verification
from habeas.recommendations.tests.factories import make_recommendation, make_sent
from habeas.recommendations.tests.test_pages_world import (
    CALL_BELL,
    draft_at,
    finding_at,
    later_visit,
    pages_world,
)
from habeas.visits.models import Visit
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db

REPHRASED = "Every cell in Wing B must have a working call bell installed by the end of June."


def _draft_data(world, **extra):
    return {
        "visit": world.visit.pk,
        "text": CALL_BELL,
        "findings": [world.finding.pk],
        "addressee": world.administration.pk,
        "theme": "conditions",
        "root_cause": "No maintenance budget for the wing.",
        "priority": "key",
        "deadline": "2027-06-30",
        "origin": "own_visit",
        **extra,
    }


def test_it_drafts_from_the_visits_findings(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    client = client_for(world.monitor)
    url = reverse("recommendations:draft") + f"?visit={world.visit.pk}"
    page = client.get(url).content.decode()
    assert (
        world.finding.statement in page and "Key concern" in page and "Material conditions" in page
    )
    response = client.post(url, _draft_data(world))
    recommendation = Recommendation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("recommendations:detail", args=[recommendation.pk])
    assert recommendation.visit == world.visit and recommendation.place == world.place
    assert list(recommendation.findings.all()) == [world.finding]
    assert recommendation.state == "draft" and recommendation.created_by == world.monitor


def test_saving_works_whatever_the_advice_and_the_page_then_shows_it(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    client = client_for(world.monitor)
    url = reverse("recommendations:draft")
    response = client.post(
        url,
        {
            "text": "The administration should consider improving the lighting in the cells.",
            "origin": "other",
            "priority": "general",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "“consider” is vague" in page
    assert "Set a deadline" in page and "Name the authority" in page


def test_bad_input_changes_nothing(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    client = client_for(world.monitor)
    url = reverse("recommendations:draft") + f"?visit={world.visit.pk}"
    response = client.post(url, _draft_data(world, text="", deadline="not a date"))
    assert response.status_code == 400 and not Recommendation.objects.exists()
    other = make_visit(world.head, place=world.place, state=Visit.State.IN_PROGRESS)
    foreign = finding_at(other, world.head, "Another visit's finding about showers.")
    response = client.post(url, _draft_data(world, findings=[foreign.pk]))
    assert response.status_code == 400 and not Recommendation.objects.exists()


def test_the_quality_partial_flags_vague_verbs_and_a_missing_deadline(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:quality"),
        {
            "visit": world.visit.pk,
            "text": "The administration should consider the lighting in the cells.",
            "origin": "own_visit",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "“consider” is vague" in body
    assert "Set a deadline" in body
    assert "Link the findings" in body
    response = client.post(
        reverse("recommendations:quality"),
        _draft_data(world) | {"text": CALL_BELL},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "vague" not in body and "Set a deadline" not in body and "Link the findings" not in body


def test_the_similar_partial_shows_a_rephrased_earlier_one_with_its_reasons_and_history(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    earlier = make_sent(
        world.monitor,
        visit=world.visit,
        addressee=world.administration,
        theme="conditions",
        text=CALL_BELL,
        sent_on=dt.date(2026, 1, 5),
    )
    services.response_record(
        actor=world.monitor,
        recommendation=earlier,
        status="accepted",
        responded_on=dt.date(2026, 2, 1),
    )
    follow_up = later_visit(world)
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:quality"),
        {"visit": follow_up.pk, "text": REPHRASED, "addressee": world.administration.pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert earlier.reference in body
    assert "Same place: Northgate Remand Prison" in body
    assert "Same addressee: Prison Administration" in body
    assert "Words in common" in body and "call bell" in body
    assert "Response: Accepted on 2026-02-01" in body
    assert f'name="repeat_of" value="{earlier.pk}"' in body


def test_the_similar_partial_never_shows_what_the_drafter_may_not_see(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    hidden = make_sent(
        world.monitor, visit=world.visit, addressee=world.administration, text=CALL_BELL
    )
    follow_up = later_visit(world)
    expert = personas["expert"]
    add_member(follow_up, expert, world.head, override_reason="Terms of reference on paper.")
    client = client_for(expert)
    response = client.post(
        reverse("recommendations:quality"),
        {"visit": follow_up.pk, "text": REPHRASED, "addressee": world.administration.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert hidden.reference.encode() not in response.content
    assert b"call bell" not in response.content.replace(REPHRASED.encode(), b"")
    assert b"None found" in response.content


def test_marking_a_repeat_shows_the_chain_and_suggests_escalating(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    earlier = make_sent(
        world.monitor,
        visit=world.visit,
        addressee=world.administration,
        text=CALL_BELL,
        sent_on=dt.date(2026, 1, 5),
    )
    follow_up = later_visit(world)
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:draft"),
        {
            "visit": follow_up.pk,
            "text": REPHRASED,
            "addressee": world.administration.pk,
            "priority": "key",
            "origin": "own_visit",
            "repeat_of": earlier.pk,
        },
    )
    assert response.status_code == 302
    draft = Recommendation.objects.get(visit=follow_up)
    assert draft.repeat_of == earlier
    page = client.get(response["Location"]).content.decode()
    assert f"Repeats {earlier.reference}, first made on 2026-01-05, 2 times now." in page
    assert "consider escalating to Ministry of Justice" in page
    # From the page, the drafter can say it is not a repeat after all.
    client.post(reverse("recommendations:repeat", args=[draft.pk]), {"earlier": ""})
    draft.refresh_from_db()
    assert draft.repeat_of is None
    client.post(reverse("recommendations:repeat", args=[draft.pk]), {"earlier": earlier.pk})
    draft.refresh_from_db()
    assert draft.repeat_of == earlier


def test_a_stale_edit_answers_409_with_the_users_text_back(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    draft = draft_at(world)
    url = reverse("recommendations:edit", args=[draft.pk])
    client = client_for(world.monitor)
    assert client.get(url).status_code == 200
    services.recommendation_update(
        actor=world.head,
        recommendation=draft,
        data={"root_cause": "Saved meanwhile by the head."},
        expected_version=1,
    )
    mine = "Install call bells in all 40 cells of Wing B, tested monthly, by 30 June."
    data = _draft_data(world, text=mine, version=1)
    response = client.post(url, data)
    assert response.status_code == 409
    body = response.content.decode()
    assert mine in body and "Saved meanwhile by the head." in body
    draft.refresh_from_db()
    assert draft.text == CALL_BELL and draft.version == 2
    response = client.post(url, _draft_data(world, text=mine, version=2))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.text == mine and draft.version == 3


def test_once_sent_only_the_follow_up_can_be_edited(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    sent = make_sent(world.monitor, visit=world.visit, addressee=world.administration)
    client = client_for(world.monitor)
    url = reverse("recommendations:edit", args=[sent.pk])
    response = client.post(
        url,
        {
            "version": sent.version,
            "text": "Rewritten.",
            "priority": "urgent",
            "deadline": "2027-01-31",
            "liaison": "Ms Ada",
        },
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.text != "Rewritten."
    assert (sent.priority, sent.deadline, sent.liaison) == (
        "urgent",
        dt.date(2027, 1, 31),
        "Ms Ada",
    )
    # An expert on the visit may draft but not change a sent one.
    expert = client_for(world.expert_on_team)
    assert expert.get(url).status_code == 403


def test_a_response_and_a_verification_are_recorded_and_shown(personas, make_user, client_for):
    world = pages_world(personas, make_user)
    sent = make_sent(
        world.monitor,
        visit=world.visit,
        addressee=world.administration,
        sent_on=dt.date(2026, 1, 5),
    )
    client = client_for(world.monitor)
    response = client.post(
        reverse("recommendations:respond", args=[sent.pk]),
        {
            "status": "partially_accepted",
            "responded_on": "2026-02-10",
            "passage": "Bells will be repaired in Wing B.",
        },
    )
    assert response.status_code == 302
    answer = sent.responses.get()
    response = client.post(
        reverse("recommendations:verify", args=[sent.pk]),
        {"status": "achieved", "verified_on": "2026-03-01", "evidence": "response"},
    )
    assert response.status_code == 400 and not Verification.objects.exists()
    response = client.post(
        reverse("recommendations:verify", args=[sent.pk]),
        {
            "status": "partially_achieved",
            "verified_on": "2026-03-01",
            "evidence": "response",
            "response": answer.pk,
            "note": "Half the bells work.",
        },
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.response == "partially_accepted" and sent.implementation == "partially_achieved"
    page = client.get(reverse("recommendations:detail", args=[sent.pk])).content.decode()
    assert "Bells will be repaired in Wing B." in page and "Half the bells work." in page
    assert (
        "Partially achieved" in page and "2026-03-01" in page and f"#response-{answer.pk}" in page
    )


def test_linking_tracks_two_recommendations_together_and_unlinking_undoes_it(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    draft = draft_at(world)
    spt = make_recommendation(world.head, origin="spt", source_ref="CAT/OP/XX/1, para. 42")
    client = client_for(world.monitor)
    url = reverse("recommendations:link", args=[draft.pk])
    client.post(url, {"reference": spt.reference})
    assert list(draft.linked.all()) == [spt]
    page = client.get(reverse("recommendations:detail", args=[spt.pk])).content.decode()
    assert draft.reference in page
    client.post(url, {"reference": "R-1999-99999"})
    client.post(url, {"reference": spt.reference, "unlink": "1"})
    assert not draft.linked.exists()


def test_the_page_shows_only_the_linked_findings_the_reader_may_see(
    personas, make_user, client_for
):
    world = pages_world(personas, make_user)
    secret = make_visit(world.head, place=world.place, announced=False)
    hidden = finding_at(secret, world.head, "Canary-7781 finding of an unannounced visit.")
    national = make_recommendation(
        world.head,
        text="Amend the law so every detainee may call a lawyer at once.",
        findings=[hidden],
    )
    doctor = client_for(personas["doctor"])
    page = doctor.get(reverse("recommendations:detail", args=[national.pk]))
    assert page.status_code == 200 and b"Canary-7781" not in page.content
    head = client_for(world.head)
    assert b"Canary-7781" in head.get(reverse("recommendations:detail", args=[national.pk])).content
