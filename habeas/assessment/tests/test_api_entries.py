"""The assessment API below an assessment: ratings, evidence and action items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.assessment import services
from habeas.assessment.models import ActionItem, Evidence, Rating
from habeas.assessment.tests.factories import FrameworkVersionFactory, OrganisationFactory
from habeas.assessment.tests.test_api import api, count_queries
from habeas.assessment.tests.test_services import finalised, member, rate, rating_of, spt, start
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.places.tests.test_services_documents import HTML, PDF, stored_files, use_tmp_media

pytestmark = pytest.mark.django_db


# Ratings ----------------------------------------------------------------------------------------


def test_it_lists_the_ratings_of_one_assessment_in_the_frameworks_order(personas):
    head = personas["head"]
    ours, other = start(head), start(head)
    rate(head, ours, "2.1", "partially", narrative="Objectives drafted, not adopted.")

    response = api(head, "read").get(f"/api/v1/ratings/?assessment={ours.pk}")

    rows = response.json()["results"]
    assert [row["criterion_ref"] for row in rows] == ["1", "2", "2.1", "2.2", "3"]
    assert {row["assessment"] for row in rows} == {ours.pk} != {other.pk}
    assert rows[2]["level"] == "partially" and rows[2]["updated_by"] == head.pk


def test_it_refuses_an_assessment_filter_that_is_not_a_number(personas):
    response = api(personas["head"], "read").get("/api/v1/ratings/?assessment=1%20OR%201")

    assert response.status_code == 400 and "assessment" in response.json()


def test_it_rates_a_criterion_from_its_current_version(personas):
    monitor = personas["monitor"]
    rating = rating_of(start(monitor), "3")

    response = api(monitor).patch(
        f"/api/v1/ratings/{rating.pk}/",
        {"level": "largely", "narrative": "All but two police stations.", "version": 1},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["level"] == "largely"
    rating.refresh_from_db()
    assert rating.narrative == "All but two police stations." and rating.updated_by == monitor
    assert AuditEvent.objects.filter(action="rating.save").count() == 1


def test_it_answers_409_to_a_stale_rating_and_keeps_the_first(personas):
    head, monitor = personas["head"], personas["monitor"]
    rating = rating_of(start(head, assessors=[head, monitor]), "1")
    api(head).patch(f"/api/v1/ratings/{rating.pk}/", {"level": "fully", "version": 1})

    response = api(monitor).patch(
        f"/api/v1/ratings/{rating.pk}/", {"level": "partially", "version": 1}, format="json"
    )

    assert response.status_code == 409 and response.json()["current_version"] == 2
    rating.refresh_from_db()
    assert rating.level == "fully"
    assert AuditEvent.objects.filter(action="rating.save_stale").count() == 1


def test_it_requires_the_version_and_a_reason_for_not_applicable(personas):
    head = personas["head"]
    rating = rating_of(start(head), "1")
    client = api(head)

    unversioned = client.patch(f"/api/v1/ratings/{rating.pk}/", {"level": "fully"})
    no_reason = client.patch(
        f"/api/v1/ratings/{rating.pk}/", {"level": "not_applicable", "version": 1}
    )
    off_scale = client.patch(f"/api/v1/ratings/{rating.pk}/", {"level": "superb", "version": 1})

    assert unversioned.status_code == 400 and "version" in unversioned.json()
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert off_scale.status_code == 400 and "level" in off_scale.json()
    rating.refresh_from_db()
    assert rating.level == "" and rating.version == 1


def test_it_lets_a_reader_see_ratings_but_not_change_them(personas):
    rating = rating_of(start(personas["head"]), "1")

    for reader in ("comms", "auditor"):
        client = api(personas[reader])
        assert client.get(f"/api/v1/ratings/{rating.pk}/").status_code == 200
        patched = client.patch(f"/api/v1/ratings/{rating.pk}/", {"level": "fully", "version": 1})
        assert patched.status_code == 403, reader
    rating.refresh_from_db()
    assert rating.level == ""


def test_it_refuses_a_monitor_who_is_not_an_assessor(personas):
    rating = rating_of(start(personas["head"]), "1")

    response = api(personas["monitor"]).patch(
        f"/api/v1/ratings/{rating.pk}/", {"level": "fully", "version": 1}
    )

    assert response.status_code == 403


def test_it_refuses_to_change_a_rating_of_a_final_assessment_with_a_clear_message(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    finalised(head, assessment)
    rating = rating_of(assessment, "1")

    response = api(head).patch(
        f"/api/v1/ratings/{rating.pk}/", {"level": "fully", "version": rating.version}
    )

    assert response.status_code == 400
    assert "final" in response.json()["non_field_errors"][0]
    rating.refresh_from_db()
    assert rating.level == "partially"


def test_it_keeps_the_rating_list_query_count_flat(personas):
    head = personas["head"]
    client = api(head, "read")
    start(head)
    client.get("/api/v1/ratings/")
    few = count_queries(client, "/api/v1/ratings/")
    for _ in range(4):
        start(head, version=FrameworkVersionFactory())

    assert Rating.objects.count() == 25
    assert count_queries(client, "/api/v1/ratings/") == few


# Evidence ---------------------------------------------------------------------------------------


def evidence_for(assessment, ref: str = "1", **fields) -> dict:
    return {
        "assessment": assessment.pk,
        "criterion": rating_of(assessment, ref).criterion_id,
        **fields,
    }


def test_it_adds_a_public_source_and_a_habeas_record_as_evidence(personas):
    head = personas["head"]
    assessment = start(head)
    place = PlaceFactory(name="Central Prison")
    client = api(head)

    link = client.post(
        "/api/v1/evidence/",
        evidence_for(
            assessment, kind="link", url="https://npm.example/annual-report-2024.pdf", id=999
        ),
        format="json",
    )
    record = client.post(
        "/api/v1/evidence/",
        evidence_for(
            assessment, "3", kind="record", record_type="places.place", record_id=place.pk
        ),
        format="json",
    )

    assert link.status_code == 201, link.json()
    assert link.json()["title"] == "https://npm.example/annual-report-2024.pdf"
    assert link.json()["id"] != 999 and link.json()["download"] is None
    assert record.status_code == 201, record.json()
    assert record.json()["criterion_ref"] == "3" and record.json()["record_id"] == str(place.pk)
    listed = client.get(f"/api/v1/evidence/?assessment={assessment.pk}").json()["results"]
    assert [row["kind"] for row in listed] == ["link", "record"]
    assert AuditEvent.objects.filter(action="evidence.add").count() == 2


def test_it_refuses_a_plain_http_link_and_a_record_out_of_reach(personas):
    head = personas["head"]
    assessment = start(head)
    client = api(head)

    insecure = client.post(
        "/api/v1/evidence/", evidence_for(assessment, kind="link", url="http://npm.example/")
    )
    missing = client.post(
        "/api/v1/evidence/",
        evidence_for(assessment, kind="record", record_type="places.place", record_id="99999"),
    )

    assert insecure.status_code == 400 and "url" in insecure.json()
    assert missing.status_code == 400 and "record_id" in missing.json()
    assert not Evidence.objects.exists()


def test_it_uploads_a_document_checked_like_the_archive(personas, settings, tmp_path):
    media = use_tmp_media(settings, tmp_path)
    head = personas["head"]
    assessment = start(head)
    client = api(head)

    accepted = client.post(
        "/api/v1/evidence/",
        evidence_for(assessment, kind="document", upload=SimpleUploadedFile("budget.pdf", PDF)),
        format="multipart",
    )
    refused = client.post(
        "/api/v1/evidence/",
        evidence_for(assessment, kind="document", upload=SimpleUploadedFile("page.pdf", HTML)),
        format="multipart",
    )

    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["original_name"] == "budget.pdf"
    assert accepted.json()["download"].endswith("/download/")
    assert refused.status_code == 400 and "upload" in refused.json()
    assert len(stored_files(media)) == 1


def test_it_answers_alike_for_a_hidden_and_a_missing_assessment(personas, make_user):
    assessor = member(make_user, spt(), "head")
    theirs = start(assessor, subject=OrganisationFactory(name="NPM of Ruritania"))
    client = api(personas["head"])

    hidden = client.post("/api/v1/evidence/", evidence_for(theirs, kind="link", url="https://a.b/"))
    missing = client.post(
        "/api/v1/evidence/",
        {**evidence_for(theirs, kind="link", url="https://a.b/"), "assessment": theirs.pk + 999},
    )

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["assessment"] != []
    assert hidden.json()["assessment"][0].replace(str(theirs.pk), "N") == (
        missing.json()["assessment"][0].replace(str(theirs.pk + 999), "N")
    )
    assert not Evidence.objects.exists()


def test_it_refuses_evidence_on_a_final_assessment(personas):
    head = personas["head"]
    assessment = finalised(head, start(head))

    response = api(head).post(
        "/api/v1/evidence/", evidence_for(assessment, kind="link", url="https://npm.example/")
    )

    assert response.status_code == 400
    assert "final" in response.json()["non_field_errors"][0]
    assert not Evidence.objects.exists()


# Action items -----------------------------------------------------------------------------------


def item_for(assessment, owner, ref: str = "1", **fields) -> dict:
    return {
        "assessment": assessment.pk,
        "criterion": rating_of(assessment, ref).criterion_id,
        "title": "Ask parliament for a budget line of its own",
        "owner": owner.pk,
        "deadline": "2025-06-30",
        **fields,
    }


def test_it_turns_a_gap_into_an_action_item_and_not_a_criterion_in_place(personas):
    head, monitor = personas["head"], personas["monitor"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    rate(head, assessment, "3", "fully")
    client = api(head)

    gap = client.post(
        "/api/v1/action-items/", item_for(assessment, monitor, status="done"), format="json"
    )
    no_gap = client.post("/api/v1/action-items/", item_for(assessment, monitor, "3"))

    assert gap.status_code == 201, gap.json()
    assert gap.json()["status"] == "open" and gap.json()["owner"] == monitor.pk
    assert gap.json()["criterion_ref"] == "1"
    assert no_gap.status_code == 400 and "criterion" in no_gap.json()
    assert ActionItem.objects.count() == 1


def test_it_follows_an_item_to_done_even_once_the_assessment_is_final(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "not_in_place")
    item = services.action_item_create(
        actor=head,
        assessment=assessment,
        criterion=rating_of(assessment, "1").criterion,
        title="Adopt a budget",
        owner=head,
        deadline=dt.date(2025, 3, 31),
    )
    finalised(head, assessment)
    client = api(head)

    done = client.patch(f"/api/v1/action-items/{item.pk}/", {"status": "done", "version": 1})
    stale = client.patch(f"/api/v1/action-items/{item.pk}/", {"status": "open", "version": 1})

    assert done.status_code == 200, done.json()
    assert done.json()["completed_on"] and done.json()["overdue"] is False
    assert stale.status_code == 409
    item.refresh_from_db()
    assert item.status == "done"


def test_it_flags_and_filters_overdue_items(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    criterion = rating_of(assessment, "1").criterion
    for title, deadline in (("Late", dt.date(2020, 1, 31)), ("Ahead", dt.date(2999, 1, 31))):
        services.action_item_create(
            actor=head,
            assessment=assessment,
            criterion=criterion,
            title=title,
            owner=head,
            deadline=deadline,
        )
    client = api(head, "read")

    everything = client.get(f"/api/v1/action-items/?assessment={assessment.pk}").json()
    overdue = client.get("/api/v1/action-items/?overdue=yes").json()["results"]
    done = client.get("/api/v1/action-items/?status=done").json()["results"]

    assert {row["title"]: row["overdue"] for row in everything["results"]} == {
        "Late": True,
        "Ahead": False,
    }
    assert [row["title"] for row in overdue] == ["Late"] and done == []
    assert client.get("/api/v1/action-items/?status=someday").status_code == 400


def test_it_refuses_an_owner_from_another_organisation(personas, make_user):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    stranger = member(make_user, spt(), "monitor")

    response = api(head).post("/api/v1/action-items/", item_for(assessment, stranger))

    assert response.status_code == 400 and "owner" in response.json()
    assert not ActionItem.objects.exists()


def test_it_keeps_the_action_item_and_evidence_list_query_counts_flat(personas):
    head = personas["head"]
    client = api(head, "read")
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    criterion = rating_of(assessment, "1").criterion

    def grow(count: int) -> None:
        for n in range(count):
            services.action_item_create(
                actor=head,
                assessment=assessment,
                criterion=criterion,
                title=f"Step {n}",
                owner=head,
                deadline=dt.date(2026, 1, 1),
            )
            services.evidence_add(
                actor=head,
                assessment=assessment,
                criterion=criterion,
                kind="link",
                url=f"https://npm.example/{n}",
            )

    grow(1)
    client.get("/api/v1/action-items/")
    items, evidence = (count_queries(client, f"/api/v1/{r}/") for r in ("action-items", "evidence"))
    grow(6)

    assert count_queries(client, "/api/v1/action-items/") == items
    assert count_queries(client, "/api/v1/evidence/") == evidence
