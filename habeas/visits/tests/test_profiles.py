"""Team profiles and training records (¶8, 11, 37; OPCAT 18(2))."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.visits import services
from habeas.visits.models import TeamProfile, Training, TrainingRecord
from habeas.visits.tests.factories import make_profile

pytestmark = pytest.mark.django_db


def test_the_catalogue_of_trainings_is_seeded_for_categories_and_groups():
    codes = dict(Training.objects.values_list("code", "needed_for"))
    assert "juvenile" in codes["childrens-rights"] and "children" in codes["childrens-rights"]
    assert "psychiatric" in codes["mental-health"]
    assert "women" in codes["gender-sensitive"]
    assert "immigration-detention" in codes["immigration"]
    assert {"interviewing", "istanbul-protocol", "police-custody", "reprisals"} <= set(codes)


def test_a_person_writes_their_own_profile_but_not_their_papers(personas):
    doctor = personas["doctor"]
    profile = services.profile_save(
        actor=doctor,
        person=doctor,
        data={
            "profession": "doctor",
            "languages": ["French", " arabic ", "French"],
            "background": "Amazigh",
            "is_external": True,
            "undertaking_signed_on": dt.date(2025, 1, 1),
        },
    )
    assert profile.languages == ["French", "arabic"]
    assert profile.background == "Amazigh"
    assert not profile.is_external and profile.undertaking_signed_on is None
    assert AuditEvent.objects.latest("id").action == "profile.create"


def test_a_profile_manager_records_an_experts_papers(personas):
    expert = personas["expert"]
    profile = make_profile(
        expert,
        personas["monitor"],
        is_external=True,
        terms_of_reference_on=dt.date(2025, 2, 1),
        undertaking_signed_on=dt.date(2025, 2, 3),
    )
    assert profile.is_external and profile.undertaking_signed_on == dt.date(2025, 2, 3)


def test_no_one_else_edits_a_profile(personas):
    with pytest.raises(PermissionDenied):
        services.profile_save(
            actor=personas["doctor"], person=personas["monitor"], data={"profession": "lawyer"}
        )
    assert not TeamProfile.objects.exists()


def test_conflicts_of_interest_are_recorded_and_a_stale_edit_refused(personas):
    head, monitor = personas["head"], personas["monitor"]
    profile = make_profile(monitor, head)
    place = PlaceFactory()
    services.profile_save(
        actor=head, person=monitor, data={"conflict_places": [place]}, expected_version=1
    )
    assert list(profile.conflict_places.all()) == [place]
    with pytest.raises(StaleEdit):
        services.profile_save(
            actor=head, person=monitor, data={"conflict_note": "x"}, expected_version=1
        )


def test_a_training_is_recorded_once_and_never_in_the_future(personas):
    head, monitor = personas["head"], personas["monitor"]
    training = Training.objects.get(code="interviewing")
    services.training_record_add(
        actor=head, person=monitor, training=training, completed_on=dt.date(2024, 3, 1)
    )
    with pytest.raises(ValidationError):
        services.training_record_add(
            actor=head, person=monitor, training=training, completed_on=dt.date(2024, 3, 1)
        )
    with pytest.raises(ValidationError):
        services.training_record_add(
            actor=head, person=monitor, training=training, completed_on=dt.date(2999, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.training_record_add(
            actor=personas["doctor"],
            person=monitor,
            training=training,
            completed_on=dt.date(2024, 3, 1),
        )
    assert TrainingRecord.objects.count() == 1


# -- pages -------------------------------------------------------------------------


def profile_url(user):
    return reverse("visits:profile", kwargs={"user_pk": user.pk})


def test_the_background_and_conflicts_are_shown_only_to_the_person_and_planners(
    personas, client_for
):
    doctor = personas["doctor"]
    make_profile(doctor, doctor, background="Roma-canary", conflict_note="Brother-canary")
    assert "Roma-canary" in client_for(doctor).get(profile_url(doctor)).content.decode()
    assert (
        "Roma-canary" in client_for(personas["monitor"]).get(profile_url(doctor)).content.decode()
    )
    for who in ("comms", "data_officer", "expert"):
        page = client_for(personas[who]).get(profile_url(doctor)).content.decode()
        assert "Roma-canary" not in page and "Brother-canary" not in page, who


def test_a_person_edits_their_own_profile_from_the_page(personas, client_for):
    doctor = personas["doctor"]
    url = reverse("visits:profile_edit", kwargs={"user_pk": doctor.pk})
    client = client_for(doctor)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"profession": "psychiatrist", "gender": "woman", "languages": "French, Wolof"}
    )
    assert response.status_code == 302
    assert TeamProfile.objects.get(user=doctor).languages == ["French", "Wolof"]


def test_the_administrator_manages_profiles_but_others_may_not(personas, client_for):
    monitor = personas["monitor"]
    url = reverse("visits:profile_edit", kwargs={"user_pk": monitor.pk})
    assert client_for(personas["doctor"]).get(url).status_code == 403
    response = client_for(personas["admin"]).post(
        url, {"profession": "lawyer", "gender": "man", "is_external": "on"}
    )
    assert response.status_code == 302
    assert TeamProfile.objects.get(user=monitor).is_external


def test_a_stale_profile_edit_answers_409_and_keeps_the_text(personas, client_for):
    head, monitor = personas["head"], personas["monitor"]
    make_profile(monitor, head)
    url = reverse("visits:profile_edit", kwargs={"user_pk": monitor.pk})
    form = {"profession": "lawyer", "gender": "man", "version": 1}
    client = client_for(head)
    assert client.post(url, {**form, "conflict_note": "first"}).status_code == 302
    response = client.post(url, {**form, "conflict_note": "my second note"})
    assert response.status_code == 409 and "my second note" in response.content.decode()


def test_a_training_is_added_from_the_profile_page(personas, client_for):
    doctor = personas["doctor"]
    training = Training.objects.get(code="istanbul-protocol")
    response = client_for(doctor).post(
        reverse("visits:training_add", kwargs={"user_pk": doctor.pk}),
        {"training": training.pk, "completed_on": "2024-10-01"},
    )
    assert response.status_code == 302
    page = client_for(doctor).get(profile_url(doctor)).content.decode()
    assert training.name in page


def test_the_people_list_is_closed_to_the_outsider(personas, client_for):
    assert client_for(personas["outsider"]).get(reverse("visits:people")).status_code == 404
    page = client_for(personas["head"]).get(reverse("visits:people")).content.decode()
    assert personas["expert"].full_name in page
    assert personas["comms"].full_name not in page
