"""The allegations register's pages (¶27), persona by persona: who sees the list, the
entries and the statistics; creating and editing; the link to a case file shown only to
those granted on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.cases import services_register as services
from habeas.cases.models import RegisterEntry
from habeas.cases.tests.factories import make_case
from habeas.cases.tests.test_register_selectors import register_world
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory

pytestmark = pytest.mark.django_db
D = dt.date
READERS = ["head", "monitor", "doctor", "data_officer"]
NOT_READERS = ["comms", "expert", "admin", "auditor", "outsider"]
MISSING = 987654


def entry_url(name: str, entry: RegisterEntry | int) -> str:
    pk = entry if isinstance(entry, int) else entry.pk
    return reverse(f"cases:{name}", kwargs={"entry_pk": pk})


@pytest.fixture
def entry(personas) -> RegisterEntry:
    return services.register_entry_create(
        actor=personas["head"],
        data={
            "agency": AuthorityFactory(name="Border guard"),
            "complaint_on": D(2024, 1, 1),
            "investigation_on": D(2024, 1, 15),
            "decision_on": D(2024, 4, 10),
            "legislation_ref": "Penal code art. 309",
        },
    )


def form_data(**values) -> dict:
    data = {
        "classification": "torture",
        "outcome": "pending",
        "sanction": "none",
        "reparation": "none",
    }
    data.update(values)
    return data


# Who reaches what -----------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_readers_see_the_list_and_the_entry(personas, client_for, entry, who):
    client = client_for(personas[who])

    listing = client.get(reverse("cases:register_list"))
    detail = client.get(entry_url("register_detail", entry))

    assert listing.status_code == 200 and entry.reference in listing.content.decode()
    assert detail.status_code == 200 and "Penal code art. 309" in detail.content.decode()


@pytest.mark.parametrize("who", NOT_READERS)
def test_others_get_404_on_the_list_and_the_entries_as_for_a_missing_one(
    personas, client_for, entry, who
):
    client = client_for(personas[who])

    for name in ("register_detail", "register_edit"):
        real = client.get(entry_url(name, entry))
        missing = client.get(entry_url(name, MISSING))
        assert real.status_code == 404
        assert real.content == missing.content
    assert client.get(reverse("cases:register_list")).status_code == 404
    assert client.get(reverse("cases:register_create")).status_code == 404
    assert client.get(reverse("cases:register_export")).status_code == 404


@pytest.mark.parametrize("who", ["comms", "head", "doctor"])
def test_those_with_the_right_see_the_statistics(personas, client_for, entry, who):
    response = client_for(personas[who]).get(reverse("cases:register_stats"))

    assert response.status_code == 200
    assert "Border guard" in response.content.decode()


@pytest.mark.parametrize("who", ["admin", "auditor", "expert", "outsider"])
def test_others_get_404_on_the_statistics(personas, client_for, entry, who):
    client = client_for(personas[who])

    assert client.get(reverse("cases:register_stats")).status_code == 404
    assert client.get(reverse("cases:register_stats_export")).status_code == 404


def test_a_reader_who_may_not_change_gets_403_on_create_and_edit(personas, client_for, entry):
    client = client_for(personas["doctor"])

    assert client.get(reverse("cases:register_create")).status_code == 403
    response = client.post(entry_url("register_edit", entry), form_data(version=1))
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.version == 1


# The list -------------------------------------------------------------------------------


def test_the_list_shows_the_days_each_step_took(personas, client_for, entry):
    page = client_for(personas["monitor"]).get(reverse("cases:register_list")).content.decode()

    assert "+14 days" in page  # complaint 1 January to investigation 15 January
    assert "+86 days" in page  # investigation to decision 10 April
    assert "100 days" in page  # complaint to decision


def test_the_list_filters_by_agency_category_region_year_and_outcome(personas, client_for):
    world = register_world(personas["head"])
    client = client_for(personas["monitor"])

    def shown(**query) -> set[str]:
        response = client.get(reverse("cases:register_list"), query)
        return {e.reference for e in world.entries if e.reference in response.content.decode()}

    refs = [entry.reference for entry in world.entries]
    assert shown(agency=world.prisons.pk) == {refs[4], refs[5]}
    assert shown(category="prison-sentenced") == {refs[2], refs[3], refs[4]}
    assert shown(region=world.north.pk) == {refs[0], refs[1]}
    assert shown(year=2025) == {refs[3], refs[4], refs[5]}
    assert shown(outcome="convicted", classification="torture") == {refs[0]}
    assert shown(stage="prosecuted", year=2024) == {refs[0], refs[1]}
    assert shown(agency="not-a-number") == set(refs)  # an invalid filter is ignored


def test_the_list_pages_without_a_query_per_row(
    personas, client_for, django_assert_max_num_queries
):
    place = PlaceFactory()
    for day in range(1, 30):
        services.register_entry_create(
            actor=personas["head"],
            data={"place": place, "agency": place.authority, "complaint_on": D(2024, 1, day)},
        )
    client = client_for(personas["monitor"])
    client.get(reverse("cases:register_list"))  # warm the session and the caches

    # Twelve for the page, one for the header's count of unread notifications.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("cases:register_list"))

    assert response.status_code == 200


# Creating and editing -------------------------------------------------------------------------


def test_a_monitor_adds_an_entry_with_place_defaults(personas, client_for):
    place = PlaceFactory()
    client = client_for(personas["monitor"])

    response = client.post(
        reverse("cases:register_create"),
        form_data(place=place.pk, agency=place.authority.pk, complaint_on="2024-02-01"),
    )

    entry = RegisterEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == entry_url("register_detail", entry)
    assert (entry.category, entry.region, entry.agency) == (
        place.category,
        place.region,
        place.authority,
    )


def test_the_form_says_when_a_decision_precedes_the_complaint(personas, client_for):
    response = client_for(personas["monitor"]).post(
        reverse("cases:register_create"),
        form_data(complaint_on="2024-03-01", decision_on="2024-02-01"),
    )

    assert response.status_code == 200
    assert "The decision cannot come before the complaint (2024-03-01)." in (
        response.content.decode()
    )
    assert not RegisterEntry.objects.exists()


def test_a_stale_edit_gets_409_and_keeps_what_was_typed(personas, client_for, entry):
    services.register_entry_update(
        actor=personas["head"],
        entry=entry,
        data={"legislation_ref": "Saved meanwhile by the head"},
        expected_version=1,
    )

    response = client_for(personas["monitor"]).post(
        entry_url("register_edit", entry),
        form_data(complaint_on="2024-01-01", legislation_ref="Typed by the monitor", version=1),
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "Typed by the monitor" in page and "Saved meanwhile by the head" in page
    entry.refresh_from_db()
    assert entry.legislation_ref == "Saved meanwhile by the head"


def test_an_edit_saves_and_returns_to_the_entry(personas, client_for, entry):
    response = client_for(personas["data_officer"]).post(
        entry_url("register_edit", entry),
        form_data(
            complaint_on="2024-01-01",
            prosecution_on="2024-02-01",
            outcome="convicted",
            sanction="prison",
            version=1,
        ),
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.outcome, entry.sanction, entry.version) == ("convicted", "prison", 2)


# The link to a case file -----------------------------------------------------------------------


@pytest.fixture
def linked(personas) -> RegisterEntry:
    case = make_case(personas["head"])
    return services.register_entry_create(
        actor=personas["head"], data={"case": case, "complaint_on": D(2024, 1, 1)}
    )


def test_a_grantee_sees_the_case_link(personas, client_for, linked):
    page = client_for(personas["head"]).get(entry_url("register_detail", linked)).content.decode()

    assert linked.case.reference in page


@pytest.mark.parametrize("who", ["monitor", "doctor", "data_officer"])
def test_the_case_link_is_hidden_from_those_not_granted(personas, client_for, linked, who):
    client = client_for(personas[who])
    canary = linked.case.reference

    for url in (
        entry_url("register_detail", linked),
        reverse("cases:register_list"),
        reverse("cases:register_stats"),
    ):
        page = client.get(url).content.decode()
        assert canary not in page and str(linked.case.pk) not in page
        assert "Case file" not in page


def test_the_form_offers_only_cases_the_user_can_see(personas, client_for, linked):
    mine = make_case(personas["monitor"])

    page = client_for(personas["monitor"]).get(reverse("cases:register_create")).content.decode()

    assert mine.reference in page and linked.case.reference not in page


def test_an_edit_by_someone_not_granted_keeps_the_link(personas, client_for, linked):
    client = client_for(personas["monitor"])

    form = client.get(entry_url("register_edit", linked)).content.decode()
    response = client.post(
        entry_url("register_edit", linked),
        form_data(complaint_on="2024-01-01", case="", version=1),
    )

    assert linked.case.reference not in form and 'name="case"' not in form
    assert response.status_code == 302
    linked.refresh_from_db()
    assert linked.case is not None and linked.version == 2


def test_a_posted_case_the_user_cannot_see_is_refused(personas, client_for, linked):
    response = client_for(personas["monitor"]).post(
        reverse("cases:register_create"), form_data(case=str(linked.case.pk))
    )

    assert response.status_code == 200 and RegisterEntry.objects.count() == 1


# Statistics --------------------------------------------------------------------------------


def test_the_statistics_say_where_practice_departs_from_the_convention(personas, client_for, entry):
    page = client_for(personas["comms"]).get(reverse("cases:register_stats")).content.decode()

    assert "article 1 of the UN Convention against Torture" in page


def test_communications_get_counts_but_no_link_to_entries(personas, client_for):
    world = register_world(personas["head"])
    page = client_for(personas["comms"]).get(reverse("cases:register_stats")).content.decode()

    assert "National police" in page and "Prison service" in page
    assert f"{reverse('cases:register_list')}?" not in page  # no count links to entries
    assert not any(entry.reference in page for entry in world.entries)


def test_readers_follow_each_count_to_the_entries_behind_it(personas, client_for):
    world = register_world(personas["head"])
    client = client_for(personas["monitor"])

    page = client.get(reverse("cases:register_stats"), {"group": "agency"}).content.decode()

    link = f"{reverse('cases:register_list')}?agency={world.police.pk}&amp;stage=prosecuted"
    assert link in page
    listing = client.get(
        reverse("cases:register_list"), {"agency": world.police.pk, "stage": "prosecuted"}
    ).content.decode()
    shown = [entry.reference for entry in world.entries if entry.reference in listing]
    assert shown == [world.entries[0].reference, world.entries[1].reference]


@pytest.mark.parametrize("group", ["agency", "category", "region", "year", "nonsense"])
def test_the_statistics_group_as_asked(personas, client_for, entry, group):
    response = client_for(personas["head"]).get(reverse("cases:register_stats"), {"group": group})

    assert response.status_code == 200
    assert response.context["group"] == (group if group != "nonsense" else "agency")


def test_htmx_gets_only_the_results_and_the_address_keeps_the_filters(personas, client_for, entry):
    client = client_for(personas["monitor"])

    partial = client.get(reverse("cases:register_list"), {"year": 2024}, HTTP_HX_REQUEST="true")
    full = client.get(reverse("cases:register_list"), {"year": 2024})

    assert entry.reference in partial.content.decode()
    assert b"<html" not in partial.content and b"<html" in full.content
