"""The team page and the code of conduct with the personas (¶11, 17)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.visits.models import TeamAssignment
from habeas.visits.tests.factories import add_member, make_profile, make_visit

pytestmark = pytest.mark.django_db
REASON = "No other Romanian speaker; the tie ended in 2012."


def team_url(visit):
    return reverse("visits:team", kwargs={"visit_pk": visit.pk})


@pytest.fixture
def conflicted(personas):
    head, monitor = personas["head"], personas["monitor"]
    place = PlaceFactory()
    make_profile(monitor, head, conflict_places=[place], gender="woman")
    return make_visit(head, place=place), monitor


def test_the_page_shows_the_checks_and_re_renders_after_an_add(personas, client_for):
    head = personas["head"]
    visit = make_visit(head, languages_needed=["Arabic"])
    client = client_for(head)
    page = client.get(team_url(visit)).content.decode()
    assert "No one on the team speaks Arabic" in page
    response = client.post(team_url(visit), {"user": personas["doctor"].pk, "role": "member"})
    assert response.status_code == 302
    assert visit.team.filter(user=personas["doctor"]).exists()
    page = client.get(response["Location"]).content.decode()
    assert personas["doctor"].full_name in page


def test_the_checks_partial_answers_htmx_with_a_preview_of_the_candidate(
    personas, client_for, conflicted
):
    visit, monitor = conflicted
    response = client_for(personas["head"]).get(
        reverse("visits:team_checks", kwargs={"visit_pk": visit.pk}),
        {"user": monitor.pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "declared a conflict of interest with this place" in body


def test_adding_a_blocked_person_is_refused_with_why(personas, client_for, conflicted):
    visit, monitor = conflicted
    response = client_for(personas["head"]).post(
        team_url(visit), {"user": monitor.pk, "role": "member"}
    )
    assert response.status_code == 400
    assert "declared a conflict of interest" in response.content.decode()
    assert not visit.team.filter(user=monitor).exists()


def test_a_monitor_cannot_override(personas, client_for, conflicted, make_user):
    visit, monitor = conflicted
    response = client_for(make_user("monitor")).post(
        team_url(visit), {"user": monitor.pk, "role": "member", "override_reason": REASON}
    )
    assert response.status_code == 400
    assert not visit.team.filter(user=monitor).exists()


def test_the_head_overrides_with_a_reason_shown_on_the_page(personas, client_for, conflicted):
    visit, monitor = conflicted
    client = client_for(personas["head"])
    response = client.post(
        team_url(visit), {"user": monitor.pk, "role": "member", "override_reason": REASON}
    )
    assert response.status_code == 302
    row = TeamAssignment.objects.get(visit=visit, user=monitor)
    assert row.override_reason == REASON
    assert REASON in client.get(team_url(visit)).content.decode()


def test_a_member_is_removed(personas, client_for):
    head = personas["head"]
    visit = make_visit(head)
    row = add_member(visit, personas["monitor"], head)
    response = client_for(head).post(
        reverse("visits:team_remove", kwargs={"visit_pk": visit.pk, "assignment_pk": row.pk})
    )
    assert response.status_code == 302
    assert not visit.team.filter(pk=row.pk).exists()


def test_an_assignment_of_another_visit_is_404(personas, client_for):
    head = personas["head"]
    visit, other = make_visit(head), make_visit(head)
    row = add_member(other, personas["monitor"], head)
    url = reverse("visits:team_remove", kwargs={"visit_pk": visit.pk, "assignment_pk": row.pk})
    assert client_for(head).post(url).status_code == 404
    assert TeamAssignment.objects.filter(pk=row.pk).exists()


def test_a_team_member_who_does_not_plan_sees_the_visit_but_not_the_team_page(personas, client_for):
    head, doctor = personas["head"], personas["doctor"]
    visit = make_visit(head)
    add_member(visit, doctor, head)
    assert client_for(doctor).get(team_url(visit)).status_code == 403
    response = client_for(doctor).post(team_url(visit), {"user": personas["monitor"].pk})
    assert response.status_code == 403
    assert not visit.team.filter(user=personas["monitor"]).exists()


def test_a_hidden_visit_team_page_is_404_for_the_staff(personas, client_for):
    visit = make_visit(personas["head"])
    assert client_for(personas["comms"]).get(team_url(visit)).status_code == 404


# -- the code of conduct ------------------------------------------------------------


def conduct_url(visit):
    return reverse("visits:conduct", kwargs={"visit_pk": visit.pk})


def test_a_member_reads_and_acknowledges_the_code(personas, client_for):
    head, doctor = personas["head"], personas["doctor"]
    visit = make_visit(head)
    add_member(visit, doctor, head)
    client = client_for(doctor)
    page = client.get(conduct_url(visit)).content.decode()
    assert "Do no harm" in page and "No promises" in page and "I acknowledge" in page
    assert client.post(conduct_url(visit)).status_code == 302
    row = TeamAssignment.objects.get(visit=visit, user=doctor)
    assert row.conduct_acknowledged_at is not None
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id) == ("team.conduct_acknowledge", doctor.pk)
    assert "I acknowledge" not in client.get(conduct_url(visit)).content.decode()


def test_someone_not_on_the_team_cannot_acknowledge(personas, client_for):
    visit = make_visit(personas["head"], announced=True)
    client = client_for(personas["monitor"])
    assert "I acknowledge" not in client.get(conduct_url(visit)).content.decode()
    assert client.post(conduct_url(visit)).status_code == 403
