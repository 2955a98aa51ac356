"""Access between NPMs and assessing bodies: every page answers 404 to whoever may not see
the assessment, exactly as for one that does not exist, and a refused write changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.assessment import services
from habeas.assessment.models import ActionItem, Assessment, Evidence, Organisation
from habeas.assessment.tests.factories import FrameworkVersionFactory, OrganisationFactory
from habeas.assessment.tests.test_services import member, rate, rating_of, spt, start
from habeas.places.tests.test_services_documents import PDF, use_tmp_media

pytestmark = pytest.mark.django_db
MISSING = 999999


def furnish(actor, assessment: Assessment) -> Assessment:
    """A gap, an action on it and an uploaded document, so every route has something."""
    rate(actor, assessment, "1", "partially", narrative="Canary narrative 7f3a")
    criterion = rating_of(assessment, "1").criterion
    services.action_item_create(
        actor=actor,
        assessment=assessment,
        criterion=criterion,
        title="Canary action 7f3a",
        owner=actor,
        deadline=dt.date(2025, 6, 30),
    )
    services.evidence_add(
        actor=actor,
        assessment=assessment,
        criterion=criterion,
        kind="document",
        upload=SimpleUploadedFile("canary.pdf", PDF),
    )
    return assessment


@pytest.fixture
def world(personas, make_user, settings, tmp_path):
    use_tmp_media(settings, tmp_path)
    body = spt()
    peer = OrganisationFactory(name="Peer network", kind=Organisation.Kind.PEER_NETWORK)
    ruritania = OrganisationFactory(name="NPM of Ruritania")
    spt_head = member(make_user, body, "head", "spt-head@un.test")
    version = FrameworkVersionFactory()
    head = personas["head"]
    unshared = furnish(head, start(head, version=version, title="Unshared self-assessment"))
    shared = furnish(head, start(head, version=version, title="Shared self-assessment"))
    services.assessment_share(actor=head, assessment=shared, organisation=body)
    by_spt = furnish(
        spt_head, start(spt_head, subject=ruritania, version=version, title="SPT on Ruritania")
    )
    return {
        **personas,
        "spt_head": spt_head,
        "spt_member": member(make_user, body, "monitor", "spt-member@un.test"),
        "peer": member(make_user, peer, "head", "peer@network.test"),
        "unshared": unshared,
        "shared": shared,
        "by_spt": by_spt,
    }


def read_urls(assessment: Assessment | None) -> list[str]:
    if assessment is None:
        return [
            f"/assessment/{MISSING}/{suffix}"
            for suffix in (
                "",
                "edit/",
                "criteria/",
                "criteria/1/",
                "actions/",
                "compare/",
                "share/",
            )
        ] + [f"/assessment/{MISSING}/evidence/1/download/"]
    criterion = rating_of(assessment, "1").criterion_id
    evidence = Evidence.objects.get(assessment=assessment).pk
    base = f"/assessment/{assessment.pk}/"
    return [
        base,
        f"{base}edit/",
        f"{base}criteria/",
        f"{base}criteria/{criterion}/",
        f"{base}actions/",
        f"{base}compare/",
        f"{base}share/",
        f"{base}evidence/{evidence}/download/",
    ]


def write_requests(assessment: Assessment) -> list[tuple[str, dict]]:
    rating = rating_of(assessment, "1")
    item = ActionItem.objects.get(assessment=assessment)
    evidence = Evidence.objects.get(assessment=assessment)
    base = f"/assessment/{assessment.pk}/"
    return [
        (f"{base}criteria/{rating.criterion_id}/", {"level": "fully", "version": rating.version}),
        (
            f"{base}criteria/{rating.criterion_id}/evidence/",
            {"kind": "link", "link-url": "https://x.example/"},
        ),
        (f"{base}evidence/{evidence.pk}/remove/", {}),
        (f"{base}actions/", {"item-criterion": rating.criterion_id, "item-title": "x"}),
        (f"{base}actions/{item.pk}/", {"status": "dropped", "version": item.version}),
        (f"{base}edit/", {"title": "Changed", "version": assessment.version}),
        (f"{base}submit/", {}),
        (f"{base}finalise/", {}),
        (f"{base}revise/", {}),
        (f"{base}share/", {"organisation": assessment.made_by_id}),
        (f"{base}share/{assessment.made_by_id}/remove/", {}),
    ]


def snapshot(assessment: Assessment) -> tuple:
    assessment.refresh_from_db()
    return (
        assessment.state,
        assessment.title,
        tuple(assessment.ratings.values_list("level", "narrative", "version")),
        tuple(assessment.evidence.values_list("pk", flat=True)),
        tuple(assessment.action_items.values_list("status", "version")),
        tuple(assessment.shares.values_list("organisation_id", flat=True)),
        Assessment.objects.count(),
    )


# Who sees what ------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        ("monitor", ["unshared", "shared"], ["by_spt"]),
        ("comms", ["unshared", "shared"], ["by_spt"]),
        ("spt_member", ["shared", "by_spt"], ["unshared"]),
        ("spt_head", ["shared", "by_spt"], ["unshared"]),
        ("peer", [], ["unshared", "shared", "by_spt"]),
        ("outsider", [], ["unshared", "shared", "by_spt"]),
        ("admin", [], ["unshared", "shared", "by_spt"]),
    ],
)
def test_it_shows_each_organisation_only_its_own_and_what_was_shared_with_it(
    world, client_for, persona, visible, hidden
):
    client = client_for(world[persona])

    for name in visible:
        for url in read_urls(world[name]):
            assert client.get(url).status_code in (200, 302, 403), (persona, url)
    for name in hidden:
        for url in read_urls(world[name]):
            assert client.get(url).status_code == 404, (persona, url)


@pytest.mark.parametrize("persona", ["spt_member", "peer", "outsider", "admin"])
def test_it_answers_a_hidden_assessment_with_the_same_bytes_as_a_missing_one(
    world, client_for, persona
):
    client = client_for(world[persona])

    for hidden, missing in zip(read_urls(world["unshared"]), read_urls(None), strict=True):
        assert client.get(hidden).content == client.get(missing).content, hidden


@pytest.mark.parametrize("persona", ["spt_member", "spt_head", "peer", "outsider"])
def test_it_refuses_every_write_to_a_hidden_assessment_with_404_and_changes_nothing(
    world, client_for, persona
):
    client = client_for(world[persona])
    target = world["unshared"]
    before = snapshot(target)

    for url, data in write_requests(target):
        assert client.post(url, data).status_code == 404, url

    assert snapshot(target) == before


def test_it_lets_an_assessing_body_read_but_not_change_a_shared_self_assessment(world, client_for):
    client = client_for(world["spt_head"])
    target = world["shared"]
    before = snapshot(target)

    for url, data in write_requests(target):
        assert client.post(url, data).status_code == 403, url

    assert snapshot(target) == before
    assert b"Canary narrative 7f3a" in client.get(read_urls(target)[3]).content


def test_it_hides_a_self_assessment_again_once_sharing_stops(world, client_for):
    shared, body = world["shared"], world["spt_member"].assessment_membership.organisation
    services.assessment_unshare(actor=world["head"], assessment=shared, organisation=body)
    client = client_for(world["spt_member"])

    for url in read_urls(shared):
        assert client.get(url).status_code == 404, url


def test_it_lists_no_title_of_an_assessment_a_user_may_not_see(world, client_for):
    spt_page = client_for(world["spt_member"]).get("/assessment/").content
    home_page = client_for(world["monitor"]).get("/assessment/").content
    peer_page = client_for(world["peer"]).get("/assessment/").content

    assert b"Unshared self-assessment" not in spt_page and b"Shared self-assessment" in spt_page
    assert b"SPT on Ruritania" not in home_page and b"Ruritania" not in home_page
    assert b"Ruritania" not in peer_page and b"self-assessment</a>" not in peer_page


def test_it_answers_404_to_an_outsider_on_the_tool_itself(world, client_for):
    client = client_for(world["outsider"])

    for url in ("/assessment/", "/assessment/new/", "/assessment/overview/"):
        assert client.get(url).status_code == 404, url


def test_it_builds_the_overview_only_from_what_the_body_may_see(world, client_for):
    spt_page = client_for(world["spt_member"]).get("/assessment/overview/")
    peer_page = client_for(world["peer"]).get("/assessment/overview/")

    names = {row.assessment.subject.name for row in spt_page.context["overview"].rows}
    titles = {row.assessment.title for row in spt_page.context["overview"].rows}
    assert names == {"NPM of Ruritania", "This NPM"}
    assert "Unshared self-assessment" not in titles
    assert b"Unshared self-assessment" not in spt_page.content
    assert peer_page.context["overview"].rows == []
    assert b"Ruritania" not in peer_page.content and b"This NPM" not in peer_page.content


def test_it_keeps_hidden_canaries_out_of_every_page_a_body_can_reach(world, client_for):
    client = client_for(world["spt_member"])
    reachable = ["/assessment/", "/assessment/overview/"]
    for name in ("shared", "by_spt"):
        reachable += read_urls(world[name])[:-1]  # the download is a file, checked elsewhere
    services.evidence_add(
        actor=world["head"],
        assessment=world["unshared"],
        criterion=rating_of(world["unshared"], "2").criterion,
        kind="link",
        url="https://secret.example/canary-9c1d",
    )
    rate(world["head"], world["unshared"], "2", "fully", narrative="Hidden canary 9c1d")

    for url in reachable:
        content = client.get(url).content
        assert b"9c1d" not in content, url
