"""Criterion-by-criterion entry: quick to work through, with and without htmx."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from habeas.assessment.models import Evidence, FrameworkVersion
from habeas.assessment.tests.test_services import finalised, rate, rating_of, start
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.places.tests.test_services_documents import HTML, PDF, stored_files, use_tmp_media

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


def url(assessment, ref: str, suffix: str = "") -> str:
    criterion = rating_of(assessment, ref).criterion
    return f"/assessment/{assessment.pk}/criteria/{criterion.pk}/{suffix}"


def save(client, assessment, ref, level, *, then="next", version=1, **fields):
    data = {"level": level, "reason": "", "narrative": "", "version": version, "then": then}
    return client.post(url(assessment, ref), {**data, **fields})


def test_it_shows_the_paragraph_the_scale_the_side_list_and_the_indicators(personas, client_for):
    assessment = start(personas["head"])

    response = client_for(personas["head"]).get(url(assessment, "1"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "The NPM is independent." in content
    assert content.count('type="radio" name="level"') == 6  # five levels and "not rated yet"
    assert "Save and next" in content
    assert content.count('class="kind-') == 5 and 'aria-current="page"' in content
    assert "Share of budget spent" in content and "no data in Habeas yet" in content


def test_it_resumes_at_the_first_criterion_not_yet_rated(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "fully")

    response = client_for(head).get(f"/assessment/{assessment.pk}/criteria/")

    assert response.url == url(assessment, "2")


def test_it_saves_and_moves_to_the_next_criterion_without_javascript(personas, client_for):
    head = personas["head"]
    assessment = start(head)

    response = save(client_for(head), assessment, "2", "partially", narrative="Drafted only.")

    assert response.status_code == 302 and response.url == url(assessment, "2.1")
    rating = rating_of(assessment, "2")
    assert (rating.level, rating.narrative) == ("partially", "Drafted only.")


def test_it_saves_and_stays_when_asked(personas, client_for):
    head = personas["head"]
    assessment = start(head)

    response = save(client_for(head), assessment, "2", "largely", then="stay")

    assert response.url == url(assessment, "2")


def test_it_goes_back_to_the_summary_after_the_last_criterion(personas, client_for):
    head = personas["head"]
    assessment = start(head)

    response = save(client_for(head), assessment, "3", "fully")

    assert response.url == f"/assessment/{assessment.pk}/"


def test_it_swaps_the_entry_area_in_place_with_htmx(personas, client_for):
    head = personas["head"]
    assessment = start(head)

    response = client_for(head).post(
        url(assessment, "1"),
        {"level": "fully", "narrative": "", "reason": "", "version": 1, "then": "stay"},
        **HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 200 and "Saved." in content
    assert "<html" not in content and 'class="entry-layout"' in content
    assert rating_of(assessment, "1").level == "fully"


def test_it_pushes_the_next_criterions_address_after_an_htmx_save_and_next(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    client = client_for(head)

    response = client.post(
        url(assessment, "1"),
        {"level": "fully", "narrative": "", "reason": "", "version": 1, "then": "next"},
        follow=True,
        **HTMX,
    )

    assert response["HX-Push-Url"] == url(assessment, "2")
    assert "The NPM has a strategy" in response.content.decode()


def test_it_answers_409_with_the_users_text_to_a_stale_save(personas, client_for):
    head, monitor = personas["head"], personas["monitor"]
    assessment = start(head, assessors=[head, monitor])
    save(client_for(head), assessment, "1", "fully", narrative="The head's narrative")

    response = save(
        client_for(monitor), assessment, "1", "not_in_place", narrative="My careful narrative"
    )

    content = response.content.decode()
    assert response.status_code == 409
    assert "My careful narrative</textarea>" in content
    assert "The head&#x27;s narrative" in content and "Saved meanwhile" in content
    assert 'name="version" value="2"' in content
    assert rating_of(assessment, "1").narrative == "The head's narrative"


def test_it_answers_409_to_htmx_too(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    save(client_for(head), assessment, "1", "fully")

    response = client_for(head).post(
        url(assessment, "1"),
        {"level": "largely", "narrative": "Mine", "reason": "", "version": 1, "then": "stay"},
        **HTMX,
    )

    assert response.status_code == 409 and b"Mine</textarea>" in response.content
    assert b"<html" not in response.content


def test_it_asks_why_a_criterion_does_not_apply(personas, client_for):
    head = personas["head"]
    assessment = start(head)

    response = save(client_for(head), assessment, "3", "not_applicable", narrative="Kept text")

    assert response.status_code == 400
    assert b"Say why this criterion does not apply." in response.content
    assert b"Kept text</textarea>" in response.content
    assert rating_of(assessment, "3").level == ""


def test_it_shows_a_final_assessment_read_only_and_refuses_saves(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially", narrative="As it was")
    finalised(head, assessment)
    client = client_for(head)

    page = client.get(url(assessment, "1")).content.decode()
    response = save(client, assessment, "1", "fully", version=2)

    assert 'name="level"' not in page and "As it was" in page and "can no longer change" in page
    assert response.status_code == 400 and b"This assessment is final" in response.content
    assert rating_of(assessment, "1").level == "partially"


def test_it_answers_403_to_a_save_by_someone_who_may_only_read(personas, client_for):
    assessment = start(personas["head"])

    for persona in ("comms", "auditor", "monitor"):  # the monitor is not an assessor
        response = save(client_for(personas[persona]), assessment, "1", "fully")
        assert response.status_code == 403

    assert rating_of(assessment, "1").level == ""


def test_it_does_not_reach_a_criterion_of_another_framework(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    other = start(head)
    foreign = rating_of(other, "1").criterion

    response = client_for(head).get(f"/assessment/{assessment.pk}/criteria/{foreign.pk}/")

    assert response.status_code == 404


# Evidence ------------------------------------------------


def test_it_adds_a_public_source_and_a_record_link(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    place = PlaceFactory()
    client = client_for(head)

    client.post(
        url(assessment, "1", "evidence/"),
        {"kind": "link", "link-url": "https://npm.example/annual-report", "link-title": "Report"},
    )
    response = client.post(
        url(assessment, "1", "evidence/"),
        {"kind": "record", "record-record_type": "places.place", "record-record_id": place.pk},
    )

    assert response.status_code == 302
    kinds = sorted(Evidence.objects.values_list("kind", flat=True))
    assert kinds == ["link", "record"]
    page = client.get(url(assessment, "1")).content.decode()
    assert "https://npm.example/annual-report" in page and f"/places/{place.pk}/" in page


def test_it_shows_evidence_errors_in_the_evidence_area_with_htmx(personas, client_for):
    head = personas["head"]
    assessment = start(head)

    response = client_for(head).post(
        url(assessment, "1", "evidence/"),
        {"kind": "link", "link-url": "http://npm.example/"},
        **HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 400 and "starting with https://" in content
    assert content.lstrip().startswith('<section id="evidence"')


def test_it_uploads_a_document_and_serves_it_only_as_an_attachment(personas, client_for, media):
    head = personas["head"]
    assessment = start(head)
    client = client_for(head)

    client.post(
        url(assessment, "1", "evidence/"),
        {"kind": "document", "document-upload": SimpleUploadedFile("budget.pdf", PDF)},
    )
    evidence = Evidence.objects.get()
    response = client_for(personas["comms"]).get(
        f"/assessment/{assessment.pk}/evidence/{evidence.pk}/download/"
    )

    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="evidence.download").count() == 1


def test_it_refuses_a_disguised_upload_on_the_page(personas, client_for, media):
    head = personas["head"]
    assessment = start(head)

    response = client_for(head).post(
        url(assessment, "1", "evidence/"),
        {"kind": "document", "document-upload": SimpleUploadedFile("report.pdf", HTML)},
    )

    assert response.status_code == 400 and b"does not match its name" in response.content
    assert stored_files(media) == [] and not Evidence.objects.exists()


def test_it_removes_evidence(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    client = client_for(head)
    client.post(
        url(assessment, "1", "evidence/"), {"kind": "link", "link-url": "https://a.example/"}
    )
    evidence = Evidence.objects.get()

    response = client.post(f"/assessment/{assessment.pk}/evidence/{evidence.pk}/remove/", **HTMX)

    assert response.status_code == 200 and b"No evidence yet." in response.content
    assert not Evidence.objects.exists()


def test_it_answers_403_to_evidence_from_a_reader(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    client_for(head).post(
        url(assessment, "1", "evidence/"), {"kind": "link", "link-url": "https://a.example/"}
    )
    evidence = Evidence.objects.get()
    reader = client_for(personas["comms"])

    added = reader.post(
        url(assessment, "1", "evidence/"), {"kind": "link", "link-url": "https://b.example/"}
    )
    removed = reader.post(f"/assessment/{assessment.pk}/evidence/{evidence.pk}/remove/")

    assert (added.status_code, removed.status_code) == (403, 403)
    assert Evidence.objects.count() == 1


# The shipped SPT framework ------------------------------------------------


def test_it_works_through_the_shipped_spt_tool_from_paragraph_10(personas, client_for):
    head = personas["head"]
    version = FrameworkVersion.objects.get(framework__code__startswith="spt")
    assessment = start(head, version=version)
    client = client_for(head)

    page = client.get(url(assessment, "10"))
    response = save(client, assessment, "10", "largely", narrative="Programme covers all.")

    assert page.status_code == 200 and "visit" in page.content.decode().lower()
    assert len(page.context["readings"]) == 4  # ¶10 slots, with regions since issue 9
    assert response.url == url(assessment, "11")
    assert rating_of(assessment, "10").level == "largely"


def test_it_offers_to_turn_a_gap_into_an_action(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "2", "partially")
    criterion = rating_of(assessment, "2").criterion
    client = client_for(head)

    entry = client.get(url(assessment, "2")).content.decode()
    plan = client.get(f"/assessment/{assessment.pk}/actions/", {"criterion": criterion.pk})

    assert f"/assessment/{assessment.pk}/actions/?criterion={criterion.pk}" in entry
    assert f'<option value="{criterion.pk}" selected>' in plan.content.decode()
    assert "Turn it into an action" not in client.get(url(assessment, "1")).content.decode()


def test_it_links_each_kind_of_record_to_its_own_page(personas, client_for):
    head = personas["head"]
    assessment = start(head)
    place = PlaceFactory()
    client = client_for(head)
    for record_type, pk in [
        ("places.place", place.pk),
        ("places.authority", place.authority_id),
        ("places.region", place.region_id),
    ]:
        client.post(
            url(assessment, "1", "evidence/"),
            {"kind": "record", "record-record_type": record_type, "record-record_id": pk},
        )

    links = dict(
        (item.record_type, link)
        for item, link in client.get(url(assessment, "1")).context["evidence"]
    )

    assert links["places.place"] == f"/places/{place.pk}/"
    assert links["places.authority"] == reverse(
        "places:authority_detail", args=[place.authority_id]
    )
    assert links["places.region"] is None


def test_it_sends_htmx_to_the_summary_as_a_whole_page_after_the_last_criterion(
    personas, client_for
):
    head = personas["head"]
    assessment = start(head)

    response = client_for(head).post(
        url(assessment, "3"),
        {"level": "fully", "narrative": "", "reason": "", "version": 1, "then": "next"},
        **HTMX,
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/assessment/{assessment.pk}/"


def test_it_explains_in_the_evidence_area_why_evidence_of_a_final_assessment_stays(
    personas, client_for
):
    head = personas["head"]
    assessment = start(head)
    client = client_for(head)
    client.post(
        url(assessment, "1", "evidence/"), {"kind": "link", "link-url": "https://a.example/"}
    )
    evidence = Evidence.objects.get()
    finalised(head, assessment)

    response = client.post(f"/assessment/{assessment.pk}/evidence/{evidence.pk}/remove/", **HTMX)

    content = response.content.decode()
    assert response.status_code == 400 and "This assessment is final" in content
    assert content.lstrip().startswith('<section id="evidence"')
    assert Evidence.objects.count() == 1
