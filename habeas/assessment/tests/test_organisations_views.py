"""The organisation pages: who reaches them, what they show, and what moving someone does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habeas.accounts.sudo import SESSION_KEY as SUDO_KEY
from habeas.accounts.tests.helpers import grant_sudo
from habeas.assessment.models import Membership, Organisation
from habeas.assessment.tests.factories import AssessmentFactory, OrganisationFactory
from habeas.core.models import AuditEvent

LIST = reverse("assessment:organisation_list")
CREATE = reverse("assessment:organisation_create")
NEW_BODY = {"name": "Peer network", "kind": "peer_network", "country": ""}


def edit_url(organisation: Organisation) -> str:
    return reverse("assessment:organisation_edit", args=[organisation.pk])


def members_url(organisation: Organisation) -> str:
    return reverse("assessment:organisation_members", args=[organisation.pk])


def remove_url(organisation: Organisation, user) -> str:
    return reverse("assessment:organisation_member_remove", args=[organisation.pk, user.pk])


@pytest.fixture
def spt(db) -> Organisation:
    return OrganisationFactory(name="Subcommittee on Prevention", kind="spt", country="")


@pytest.fixture
def spt_member(make_user, spt):
    user = make_user("monitor", "member@spt.test")
    Membership.objects.create(user=user, organisation=spt)
    return user


def sudo_client(client_for, user):
    client = client_for(user)
    grant_sudo(client)
    return client


def edit_data(organisation: Organisation, **changes) -> dict:
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "version": organisation.version,
        **changes,
    }


# Who reaches the pages ------------------------------------------------


def test_it_answers_404_to_outsiders_and_members_of_other_organisations(
    personas, client_for, spt, spt_member
):
    for user in (personas["outsider"], spt_member):
        client = sudo_client(client_for, user)
        for url in (LIST, CREATE, edit_url(spt), members_url(spt)):
            assert client.get(url).status_code == 404, url
        assert client.post(CREATE, NEW_BODY).status_code == 404
        assert client.post(edit_url(spt), edit_data(spt, name="Renamed")).status_code == 404
        assert client.post(members_url(spt), {"email": "comms@npm.test"}).status_code == 404
        assert client.post(remove_url(spt, spt_member)).status_code == 404
    assert not Organisation.objects.filter(name__in=["Peer network", "Renamed"]).exists()
    assert Membership.objects.filter(user=spt_member, organisation=spt).exists()
    assert not Membership.objects.filter(user=personas["comms"]).exists()


def test_it_answers_403_to_writes_by_someone_who_may_only_read(
    personas, client_for, spt, spt_member
):
    client = sudo_client(client_for, personas["comms"])
    assert client.get(LIST).status_code == 200
    assert client.get(members_url(spt)).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert client.get(edit_url(spt)).status_code == 403
    assert client.post(CREATE, NEW_BODY).status_code == 403
    assert client.post(edit_url(spt), edit_data(spt, name="Renamed")).status_code == 403
    assert client.post(members_url(spt), {"email": "monitor@npm.test"}).status_code == 403
    assert client.post(remove_url(spt, spt_member)).status_code == 403
    assert Organisation.objects.get(pk=spt.pk).name == spt.name
    assert Membership.objects.filter(user=spt_member, organisation=spt).exists()
    assert not Membership.objects.filter(user=personas["monitor"]).exists()
    assert not AuditEvent.objects.filter(action__startswith="organisation.").exists()
    assert not AuditEvent.objects.filter(action__startswith="membership.").exists()


def test_it_answers_404_for_an_organisation_that_does_not_exist(personas, client_for):
    client = client_for(personas["head"])
    assert client.get(members_url(Organisation(pk=987_654))).status_code == 404
    assert client.get(edit_url(Organisation(pk=987_654))).status_code == 404


# The list ------------------------------------------------


def test_it_lists_this_npm_first_then_npms_then_assessing_bodies_with_counts(
    personas, client_for, spt, spt_member
):
    home = Organisation.objects.get(is_home=True)
    other = OrganisationFactory(name="Aardvark NPM")
    AssessmentFactory(subject=home, made_by=home)
    shared = AssessmentFactory(subject=home, made_by=home)
    AssessmentFactory(subject=other, made_by=spt)  # made by the SPT: not visible to this NPM
    response = client_for(personas["head"]).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(home.name) < page.index("Aardvark NPM") < page.index(spt.name)
    rows = {row.organisation.pk: row for row in response.context["rows"]}
    assert rows[home.pk].members == 9  # every persona; the SPT's member is not staff here
    assert (rows[home.pk].assessed, rows[home.pk].made) == (2, 2)
    assert (rows[spt.pk].members, rows[spt.pk].made) == (1, 0)
    assert rows[other.pk].assessed == 0
    assert shared.title not in page


def test_it_shows_the_administrator_no_assessment_counts(personas, client_for, spt):
    AssessmentFactory()
    response = client_for(personas["admin"]).get(LIST)
    assert response.status_code == 200
    assert "Assessments of it" not in response.content.decode()
    assert CREATE in response.content.decode()


def test_it_lists_organisations_in_a_fixed_number_of_queries(
    personas, client_for, spt, django_assert_max_num_queries
):
    client = client_for(personas["head"])
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(10):
        OrganisationFactory(name=f"NPM {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_it_links_the_organisations_from_the_assessments_page_for_this_npms_staff(
    personas, client_for, spt_member
):
    assert LIST in client_for(personas["monitor"]).get(reverse("assessment:list")).content.decode()
    assert LIST not in client_for(spt_member).get(reverse("assessment:list")).content.decode()


# Creating and editing ------------------------------------------------


@pytest.mark.parametrize("who", ["head", "admin"])
def test_it_adds_an_organisation(personas, client_for, who):
    response = client_for(personas[who]).post(CREATE, NEW_BODY)
    created = Organisation.objects.get(name="Peer network")
    assert response.status_code == 302 and response["Location"] == members_url(created)
    assert created.kind == "peer_network" and not created.is_home


def test_it_shows_what_is_wrong_with_a_new_organisation(personas, client_for, spt):
    response = client_for(personas["head"]).post(CREATE, {**NEW_BODY, "name": spt.name})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize("who", ["head", "admin"])
def test_it_renames_this_npm_but_keeps_it_an_npm(personas, client_for, who):
    home = Organisation.objects.get(is_home=True)
    client = client_for(personas[who])
    refused = client.post(edit_url(home), edit_data(home, kind="spt"))
    assert refused.status_code == 200 and "stays an NPM" in refused.content.decode()
    response = client.post(edit_url(home), edit_data(home, name="Inspectorate of Detention"))
    assert response.status_code == 302
    home.refresh_from_db()
    assert (home.name, home.kind, home.is_home) == ("Inspectorate of Detention", "npm", True)


def test_it_answers_409_to_a_stale_edit_and_shows_the_users_values_back(personas, client_for, spt):
    form_loaded_at = edit_data(spt)
    client = client_for(personas["head"])
    assert client.post(edit_url(spt), {**form_loaded_at, "name": "UN SPT"}).status_code == 302
    response = client.post(edit_url(spt), {**form_loaded_at, "name": "My own name for it"})
    page = response.content.decode()
    assert response.status_code == 409
    assert 'value="My own name for it"' in page  # the user's text, not lost
    assert "UN SPT" in page  # what was saved meanwhile, beside it
    spt.refresh_from_db()
    assert spt.name == "UN SPT"
    assert f'name="version" value="{spt.version}"' in page
    again = client.post(edit_url(spt), {**form_loaded_at, "name": "Mine", "version": spt.version})
    assert again.status_code == 302
    assert Organisation.objects.get(pk=spt.pk).name == "Mine"


# Members ------------------------------------------------


def test_it_says_in_plain_words_what_membership_means(personas, client_for, spt, spt_member):
    page = client_for(personas["auditor"]).get(members_url(spt)).content.decode()
    assert "They do not see this NPM's places or other records." in page
    assert spt_member.email in page
    assert remove_url(spt, spt_member) not in page  # an auditor may only read


def test_it_asks_for_sudo_mode_before_changing_who_works_for_whom(personas, client_for, spt):
    client = client_for(personas["head"])
    response = client.post(members_url(spt), {"email": "monitor@npm.test"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert not Membership.objects.filter(user=personas["monitor"]).exists()
    assert SUDO_KEY not in client.session


def test_it_refuses_an_email_without_an_account(personas, client_for, spt):
    client = sudo_client(client_for, personas["admin"])
    response = client.post(members_url(spt), {"email": "nobody@npm.test"})
    assert response.status_code == 200
    assert "No account has this email address." in response.content.decode()
    assert not Membership.objects.exists()


@pytest.mark.parametrize("who", ["head", "admin"])
def test_it_moves_a_user_out_of_the_inventory_and_into_the_bodys_assessments(
    personas, client_for, spt, who
):
    moved = personas["monitor"]
    spt_assessment = AssessmentFactory(subject=OrganisationFactory(), made_by=spt)
    moved_client = client_for(moved)
    assert moved_client.get("/places/").status_code == 200
    detail = reverse("assessment:detail", args=[spt_assessment.pk])
    assert moved_client.get(detail).status_code == 404

    response = sudo_client(client_for, personas[who]).post(
        members_url(spt), {"email": "MONITOR@npm.test"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=moved).organisation == spt
    assert moved_client.get("/places/").status_code == 404
    assert moved_client.get(detail).status_code == 200
    assert spt_assessment.title in moved_client.get(reverse("assessment:list")).content.decode()


def test_it_removes_a_member_who_then_works_for_this_npm(personas, client_for, spt, spt_member):
    client = sudo_client(client_for, personas["head"])
    assert remove_url(spt, spt_member) in client.get(members_url(spt)).content.decode()
    response = client.post(remove_url(spt, spt_member))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=spt_member).exists()
    assert client_for(spt_member).get("/places/").status_code == 200
    assert AuditEvent.objects.filter(action="membership.remove").count() == 1


def test_it_moves_a_member_back_to_this_npm_from_its_page(personas, client_for, spt, spt_member):
    home = Organisation.objects.get(is_home=True)
    client = sudo_client(client_for, personas["admin"])
    assert client.post(members_url(home), {"email": spt_member.email}).status_code == 302
    assert not Membership.objects.filter(user=spt_member).exists()
    assert spt_member.email in client.get(members_url(home)).content.decode()


def test_it_answers_404_to_removing_someone_who_is_not_a_member(personas, client_for, spt):
    client = sudo_client(client_for, personas["head"])
    assert client.post(remove_url(spt, personas["monitor"])).status_code == 404
