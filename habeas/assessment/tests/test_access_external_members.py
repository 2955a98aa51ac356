"""Members of an assessing body take part in assessments and see nothing else of this NPM."""

from __future__ import annotations

import pytest

from habeas.accounts import roles
from habeas.assessment.models import Membership, Organisation
from habeas.places.tests.factories import PlaceFactory


@pytest.fixture
def spt_member(make_user):
    spt = Organisation.objects.create(name="SPT", kind=Organisation.Kind.SPT)
    user = make_user("monitor", "member@spt.test")
    Membership.objects.create(user=user, organisation=spt)
    return user


@pytest.mark.django_db
def test_it_keeps_an_assessing_body_member_out_of_the_inventory(spt_member, client_for):
    place = PlaceFactory.create()
    client = client_for(spt_member)
    for url in ("/places/", f"/places/{place.pk}/", "/places/map.geojson", "/places/new/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/places/").json().get("count", 0) == 0
    assert client.get(f"/api/v1/places/{place.pk}/").status_code == 404
    assert not roles.can(spt_member, "places.change")


@pytest.mark.django_db
def test_it_lets_an_assessing_body_member_reach_the_assessments(spt_member, client_for):
    assert roles.can(spt_member, "assessment.view")
    assert client_for(spt_member).get("/assessment/").status_code == 200


@pytest.mark.django_db
def test_it_treats_a_member_of_this_npm_as_staff(make_user):
    home = Organisation.objects.get(is_home=True)
    user = make_user("monitor", "staff@npm.test")
    Membership.objects.create(user=user, organisation=home)
    assert roles.can(user, "places.change")


@pytest.mark.django_db
def test_it_never_lets_an_assessing_body_member_decide_who_works_for_whom(make_user):
    spt = Organisation.objects.create(name="SPT body", kind=Organisation.Kind.SPT)
    head = make_user("head", "head@spt.test")
    Membership.objects.create(user=head, organisation=spt)
    assert roles.can(head, "assessment.view")
    assert not roles.can(head, "assessment.organisations")
