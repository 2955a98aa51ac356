"""The visit pages with the personas: who sees what, planning, editing, moving."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.places.tests.factories import PlaceFactory
from habeas.visits.models import Visit
from habeas.visits.tests.factories import add_member, make_profile, make_visit

pytestmark = pytest.mark.django_db


def detail(visit):
    return reverse("visits:visit_detail", kwargs={"visit_pk": visit.pk})


@pytest.fixture
def secret(personas):
    """An unannounced visit still being planned, with the doctor on its team."""
    visit = make_visit(personas["head"], place=PlaceFactory(name="Northgate remand prison"))
    add_member(visit, personas["doctor"], personas["head"])
    return visit


@pytest.mark.parametrize("who", ["comms", "data_officer", "auditor"])
def test_an_unannounced_visit_in_preparation_is_hidden_from_the_rest_of_the_staff(
    who, personas, client_for, secret
):
    client = client_for(personas[who])
    assert client.get(detail(secret)).status_code == 404
    listing = client.get(reverse("visits:visit_list"))
    assert listing.status_code == 200
    assert secret.reference not in listing.content.decode()


@pytest.mark.parametrize("who", ["head", "monitor", "doctor"])
def test_the_team_and_the_planners_see_it(who, personas, client_for, secret):
    client = client_for(personas[who])
    assert client.get(detail(secret)).status_code == 200
    assert secret.reference in client.get(reverse("visits:visit_list")).content.decode()


def test_once_under_way_the_staff_see_it(personas, client_for, secret):
    Visit.objects.filter(pk=secret.pk).update(state=Visit.State.IN_PROGRESS)
    assert client_for(personas["comms"]).get(detail(secret)).status_code == 200


def test_an_announced_visit_is_seen_by_the_staff_while_planned(personas, client_for):
    visit = make_visit(personas["head"], announced=True)
    assert client_for(personas["data_officer"]).get(detail(visit)).status_code == 200


def test_an_expert_sees_only_the_visits_they_are_on(personas, client_for):
    head, expert = personas["head"], personas["expert"]
    make_profile(
        expert,
        head,
        is_external=True,
        terms_of_reference_on=dt.date(2025, 1, 1),
        undertaking_signed_on=dt.date(2025, 1, 1),
    )
    theirs = make_visit(head, announced=True)
    add_member(theirs, expert, head)
    other = make_visit(head, announced=True, state=Visit.State.CLOSED)
    client = client_for(expert)
    assert client.get(detail(theirs)).status_code == 200
    assert client.get(detail(other)).status_code == 404
    page = client.get(reverse("visits:visit_list")).content.decode()
    assert theirs.reference in page and other.reference not in page


def test_the_outsider_gets_404_everywhere(personas, client_for, secret):
    client = client_for(personas["outsider"])
    pk = {"visit_pk": secret.pk}
    for url in [
        reverse("visits:visit_list"),
        reverse("visits:visit_create"),
        detail(secret),
        reverse("visits:visit_edit", kwargs=pk),
        reverse("visits:team", kwargs=pk),
        reverse("visits:team_checks", kwargs=pk),
        reverse("visits:conduct", kwargs=pk),
        reverse("visits:people"),
        reverse("visits:profile", kwargs={"user_pk": personas["head"].pk}),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("visits:visit_move", kwargs=pk), {"to": "prepared"})
    assert response.status_code == 404
    missing = client_for(personas["head"]).get(detail(secret).replace(str(secret.pk), "987654"))
    assert missing.status_code == 404


def test_the_list_filters_by_place_state_kind_and_year(personas, client_for):
    head = personas["head"]
    place = PlaceFactory()
    wanted = make_visit(head, place=place, kind=Visit.Kind.FOLLOW_UP)
    make_visit(head, place=place, kind=Visit.Kind.IN_DEPTH)
    make_visit(head, kind=Visit.Kind.FOLLOW_UP)
    old = make_visit(
        head,
        place=place,
        kind=Visit.Kind.FOLLOW_UP,
        starts_on=dt.date(2021, 5, 1),
        ends_on=dt.date(2021, 5, 1),
    )
    client = client_for(head)
    query = {"place": place.pk, "kind": "follow_up", "year": 2025, "state": "planned"}
    page = client.get(reverse("visits:visit_list"), query).content.decode()
    assert wanted.reference in page
    assert page.count("V-2025-") == 1 and old.reference not in page


def test_the_list_answers_htmx_with_its_results_only(personas, client_for):
    make_visit(personas["head"])
    response = client_for(personas["head"]).get(
        reverse("visits:visit_list"), HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in response.content and b"V-2025-0001" in response.content


def test_a_planner_plans_a_visit_from_the_form(personas, client_for):
    head = personas["head"]
    place = PlaceFactory()
    response = client_for(head).post(
        reverse("visits:visit_create"),
        {
            "place": place.pk,
            "kind": "in_depth",
            "starts_on": "2025-06-02",
            "ends_on": "2025-06-04",
            "objectives": "Material conditions in the women's wing",
            "themes": ["conditions", "health"],
            "languages_needed": "Arabic, Romanian",
            "lead": head.pk,
            "anonymity_cover": 3,
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(visit)
    assert visit.themes == ["conditions", "health"]
    assert visit.languages_needed == ["Arabic", "Romanian"]
    assert visit.team.filter(user=head, role="leader").exists()


def test_a_reader_cannot_plan(personas, client_for):
    response = client_for(personas["doctor"]).get(reverse("visits:visit_create"))
    assert response.status_code == 403


def test_a_stale_edit_answers_409_and_keeps_the_text(personas, client_for):
    head = personas["head"]
    visit = make_visit(head)
    url = reverse("visits:visit_edit", kwargs={"visit_pk": visit.pk})
    form = {
        "place": visit.place_id,
        "kind": "in_depth",
        "starts_on": "2025-03-10",
        "ends_on": "2025-03-12",
        "lead": head.pk,
        "anonymity_cover": 3,
        "version": 1,
    }
    client = client_for(head)
    assert client.post(url, {**form, "objectives": "First"}).status_code == 302
    response = client.post(url, {**form, "objectives": "My careful second text"})
    assert response.status_code == 409
    assert "My careful second text" in response.content.decode()
    visit.refresh_from_db()
    assert visit.objectives == "First"


def test_the_visit_page_says_what_blocks_the_next_move(personas, client_for):
    head = personas["head"]
    visit = make_visit(head)
    page = client_for(head).get(detail(visit)).content.decode()
    assert "at least 2 people" in page
    assert "briefing" in page


def test_a_refused_move_answers_409_with_the_blockers(personas, client_for):
    head = personas["head"]
    visit = make_visit(head)
    response = client_for(head).post(
        reverse("visits:visit_move", kwargs={"visit_pk": visit.pk}), {"to": "prepared"}
    )
    assert response.status_code == 409
    assert "at least 2 people" in response.content.decode()
    visit.refresh_from_db()
    assert visit.state == "planned"


def test_a_move_from_the_page(personas, client_for):
    head = personas["head"]
    visit = make_visit(head)
    add_member(visit, personas["monitor"], head)
    response = client_for(head).post(
        reverse("visits:visit_move", kwargs={"visit_pk": visit.pk}), {"to": "prepared"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.state == "prepared"


def test_a_team_member_who_does_not_plan_cannot_move_the_visit(personas, client_for, secret):
    response = client_for(personas["doctor"]).post(
        reverse("visits:visit_move", kwargs={"visit_pk": secret.pk}), {"to": "prepared"}
    )
    assert response.status_code == 403


def test_planning_from_a_follow_up_proposal_presets_the_place_and_the_kind(personas, client_for):
    place = PlaceFactory(name="Eastmoor prison")
    url = reverse("visits:visit_create") + f"?place={place.pk}&kind=follow_up"

    form = client_for(personas["head"]).get(url).context["form"]

    assert form.initial["place"] == place.pk
    assert form.initial["kind"] == Visit.Kind.FOLLOW_UP
