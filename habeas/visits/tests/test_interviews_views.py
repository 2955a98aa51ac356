"""Pages of interviews, register checks, coverage and photographs with the personas:
the team reads and writes; a colleague who sees the visit gets 404 on what is the
team's; an outsider gets 404 everywhere."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from habeas.core.models import AuditEvent
from habeas.visits import services_field as field
from habeas.visits.models import Interview, Photo
from habeas.visits.photos import photo_upload
from habeas.visits.tests.test_interviews_builders import field_world, image_bytes, interview

pytestmark = pytest.mark.django_db

NOTE = "Beaten with a rubber hose in the shower room."


def _setup(personas):
    world = field_world(personas)
    made = interview(world, unit=world.unit("Wing A"), notes=NOTE, sensitive=True)
    check = field.register_check_create(
        actor=world.monitor,
        visit=world.visit,
        data={
            "kind": "medical",
            "sample": "March",
            "discrepancies_found": 1,
            "discrepancies": "Injury missing from the custody record",
        },
    )
    photo = photo_upload(
        actor=world.monitor,
        visit=world.visit,
        upload=SimpleUploadedFile("x.jpg", image_bytes(), content_type="image/jpeg"),
        caption="Broken window",
    )
    return world, made, check, photo


def _team_urls(world, made, check, photo):
    v = world.visit.pk
    return [
        reverse("visits:interview_list", kwargs={"visit_pk": v}),
        reverse("visits:interview_create", kwargs={"visit_pk": v}),
        reverse("visits:interview_detail", kwargs={"visit_pk": v, "interview_id": made.pk}),
        reverse("visits:interview_edit", kwargs={"visit_pk": v, "interview_id": made.pk}),
        reverse("visits:register_check_list", kwargs={"visit_pk": v}),
        reverse(
            "visits:register_check_detail", kwargs={"visit_pk": v, "register_check_id": check.pk}
        ),
        reverse("visits:photo_list", kwargs={"visit_pk": v}),
        reverse("visits:photo_detail", kwargs={"visit_pk": v, "photo_id": photo.pk}),
        reverse("visits:photo_image", kwargs={"visit_pk": v, "photo_id": photo.pk}),
    ]


def test_the_team_sees_every_page(personas, client_for):
    world, made, check, photo = _setup(personas)
    client = client_for(world.monitor)
    for url in _team_urls(world, made, check, photo):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["comms", "doctor", "data_officer", "outsider"])
def test_off_the_team_gets_404_on_interviews_registers_and_photos(personas, client_for, who):
    world, made, check, photo = _setup(personas)
    client = client_for(personas[who])
    for url in _team_urls(world, made, check, photo):
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOTE.encode() not in response.content


def test_comms_sees_the_visit_pages_but_no_note(personas, client_for):
    world, _made, _check, _photo = _setup(personas)
    client = client_for(personas["comms"])
    v = world.visit.pk
    for name in ("coverage", "finding_list", "difficulty_list", "debrief", "field_status"):
        response = client.get(reverse(f"visits:{name}", kwargs={"visit_pk": v}))
        assert response.status_code == 200, name
        assert b"rubber hose" not in response.content
        assert b"Wing A:" not in response.content  # no anonymity status off the team
    response = client.get(reverse("visits:finding_create", kwargs={"visit_pk": v}))
    assert response.status_code == 403


def test_outsider_gets_404_on_every_visit_page(personas, client_for):
    world, *_ = _setup(personas)
    client = client_for(personas["outsider"])
    for name in ("coverage", "finding_list", "difficulty_list", "debrief", "field_status"):
        assert (
            client.get(reverse(f"visits:{name}", kwargs={"visit_pk": world.visit.pk})).status_code
            == 404
        )


def test_no_list_shows_note_text_and_the_detail_page_is_audited(personas, client_for):
    world, made, _check, _photo = _setup(personas)
    client = client_for(world.monitor)
    listing = client.get(reverse("visits:interview_list", kwargs={"visit_pk": world.visit.pk}))
    assert NOTE.encode() not in listing.content and made.pseudonym.encode() in listing.content
    assert b"Wing A" in listing.content  # the anonymity status
    before = AuditEvent.objects.filter(action="visits.interview.read").count()
    detail = client.get(
        reverse(
            "visits:interview_detail", kwargs={"visit_pk": world.visit.pk, "interview_id": made.pk}
        )
    )
    assert NOTE.encode() in detail.content
    assert AuditEvent.objects.filter(action="visits.interview.read").count() == before + 1


def test_a_group_allegation_is_refused_on_the_page_and_a_follow_up_planned(personas, client_for):
    world, *_ = _setup(personas)
    client = client_for(world.monitor)
    url = reverse("visits:interview_create", kwargs={"visit_pk": world.visit.pk})
    response = client.post(
        url,
        {
            "kind": "group",
            "pseudonym": "G-01",
            "unit": world.unit("Wing B").pk,
            "held_at": "2025-03-10T10:00",
            "interviewer": world.monitor.pk,
            "participants": 6,
            "allegation": "on",
            "notes": "Several said night checks are violent.",
        },
    )
    assert response.status_code == 400
    assert b"private follow-up" in response.content
    assert not Interview.objects.filter(kind="group").exists()
    data = {
        "kind": "group",
        "pseudonym": "G-01",
        "unit": world.unit("Wing B").pk,
        "held_at": "2025-03-10T10:00",
        "interviewer": world.monitor.pk,
        "participants": 6,
    }
    assert client.post(url, data).status_code == 302
    group = Interview.objects.get(kind="group")
    response = client.post(
        reverse(
            "visits:interview_follow_up",
            kwargs={"visit_pk": world.visit.pk, "interview_id": group.pk},
        )
    )
    follow_up = Interview.objects.get(follow_up_of=group)
    assert response.status_code == 302 and str(follow_up.pk) in response["Location"]
    assert follow_up.unit == group.unit and follow_up.kind == "private"


def test_the_photo_is_served_inline_with_nosniff_and_without_metadata(personas, client_for):
    world, _made, _check, photo = _setup(personas)
    client = client_for(world.monitor)
    response = client.get(
        reverse("visits:photo_image", kwargs={"visit_pk": world.visit.pk, "photo_id": photo.pk})
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    assert b"CanaryCam" not in response.content


def test_an_upload_that_is_not_an_image_is_refused_on_the_page(personas, client_for):
    world, *_ = _setup(personas)
    client = client_for(world.monitor)
    response = client.post(
        reverse("visits:photo_upload", kwargs={"visit_pk": world.visit.pk}),
        {
            "upload": SimpleUploadedFile(
                "a.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg"
            )
        },
    )
    assert response.status_code == 400
    assert Photo.objects.count() == 1


def test_coverage_is_recorded_from_the_page(personas, client_for):
    world, *_ = _setup(personas)
    client = client_for(world.monitor)
    url = reverse(
        "visits:coverage_unit",
        kwargs={"visit_pk": world.visit.pk, "unit_pk": world.unit("Wing C").pk},
    )
    assert client.post(url, {"seen": "no"}).status_code == 400
    assert client.post(url, {"seen": "no", "reason": "Under quarantine"}).status_code == 302
    page = client.get(reverse("visits:coverage", kwargs={"visit_pk": world.visit.pk}))
    assert b"Under quarantine" in page.content
    assert client_for(personas["comms"]).post(url, {"seen": "yes"}).status_code == 403
