"""The briefing pack (¶13, 17): what it shows is read from the records, and only what the
reader may see. A watched person's pseudonym reaches team members granted on the watch,
and no one else: not a team member without the grant, not a viewer off the team."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habeas.cases.tests.factories import grant, make_watch
from habeas.core.models import AuditEvent
from habeas.places.models import Category, PlaceDocument
from habeas.places.tests.factories import (
    AuthorityFactory,
    PlaceFactory,
    PopulationRecordFactory,
    UnitFactory,
)
from habeas.visits import briefing
from habeas.visits.models import Finding, UrgentDraft, Visit
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db

FINDING = "Canary finding: lawyers are called only after the first interrogation"
OLD_FINDING = "Canary old finding: no mattresses in the night cells"
PSEUDONYM = "Canary Pseudonym Kestrel"
URGENT = "Canary urgent: stop holding people overnight in the interview rooms"
NEW_INFO = "Canary letter from a mother received after the last visit"
OLD_INFO = "Canary letter received before the last visit"


def previous_visit(head: Any, place: Any, year: int, findings: int = 1, **fields: Any) -> Visit:
    visit = make_visit(
        head,
        place=place,
        starts_on=dt.date(year, 5, 2),
        ends_on=dt.date(year, 5, 3),
        state=Visit.State.CLOSED,
        **fields,
    )
    for n in range(findings):
        Finding.objects.create(
            visit=visit,
            theme="safeguards" if n % 2 else "conditions",
            severity="key" if n % 3 else "urgent",
            statement=f"Finding {n} of {year}",
            unit=UnitFactory(place=place),
            created_by=head,
        )
    return visit


def information(place: Any, head: Any, title: str, received: dt.date) -> PlaceDocument:
    return PlaceDocument.objects.create(
        place=place, kind="information", title=title, received_on=received, uploaded_by=head
    )


@pytest.fixture
def world(personas) -> dict[str, Any]:
    head, monitor = personas["head"], personas["monitor"]
    place = PlaceFactory(
        name="Canary Station Nordhafen",
        category=Category.objects.get(code="police-custody"),
        capacity=40,
        groups=["women", "foreigners"],
    )
    UnitFactory(place=place, name="Night cells", capacity=12)
    for month in range(1, 13):
        PopulationRecordFactory(
            place=place, recorded_on=dt.date(2024, month, 1), population=30 + month
        )
    old = previous_visit(head, place, 2019)
    Finding.objects.create(
        visit=old, theme="conditions", severity="general", statement=OLD_FINDING, created_by=head
    )
    last = previous_visit(head, place, 2024)
    Finding.objects.create(
        visit=last, theme="safeguards", severity="key", statement=FINDING, created_by=head
    )
    Finding.objects.create(
        visit=last,
        theme="health",
        kind="good_practice",
        statement="Doctors examine every person held within two hours",
        created_by=head,
    )
    UrgentDraft.objects.create(
        visit=last,
        text=URGENT,
        addressee=AuthorityFactory(name="Regional police directorate"),
        deadline=dt.date(2024, 6, 1),
        created_by=head,
    )
    information(place, head, NEW_INFO, dt.date(2024, 9, 1))
    information(place, head, OLD_INFO, dt.date(2024, 4, 1))
    PlaceDocument.objects.create(
        place=place, kind="regulation", title="House rules 2024", uploaded_by=head
    )
    visit = make_visit(
        head,
        place=place,
        announced=True,
        starts_on=dt.date(2025, 3, 10),
        ends_on=dt.date(2025, 3, 11),
    )
    add_member(visit, monitor, head)
    add_member(visit, personas["doctor"], head)
    watch = make_watch(monitor, place=place, pseudonym=PSEUDONYM)
    grant(monitor, watch, personas["data_officer"])  # granted, but not on the team
    return {"place": place, "visit": visit, "old": old, "last": last, "watch": watch}


def pack_for(user: Any, visit: Visit) -> briefing.BriefingPack:
    found = briefing.visit_for_briefing(user=user, visit_pk=visit.pk)
    assert found is not None
    return briefing.briefing_pack(user=user, visit=found)


def page(client_for: Any, user: Any, visit: Visit) -> Any:
    return client_for(user).get(reverse("visits:briefing", kwargs={"visit_pk": visit.pk}))


def test_it_shows_the_place_profile_and_population_trend(personas, world):
    pack = pack_for(personas["monitor"], world["visit"])

    assert pack.place == world["place"]
    assert [group.code for group in pack.groups] == ["women", "foreigners"]
    assert "Night cells" in [unit.name for unit in pack.units]
    assert pack.latest_population.population == 42
    assert pack.occupancy == 105
    assert "<svg" in pack.population_chart and "<polyline" in pack.population_chart
    assert "<script" not in pack.population_chart and "style=" not in pack.population_chart


def test_it_lists_previous_visits_with_their_findings_by_theme(personas, world):
    pack = pack_for(personas["monitor"], world["visit"])

    assert [entry.visit for entry in pack.previous] == [world["last"], world["old"]]
    last = pack.previous[0]
    assert (last.key, last.good) == (1 + 0, 1)  # the canary finding; the good practice
    themes = {group.theme: [f.statement for f in group.findings] for group in last.themes}
    assert FINDING in themes["safeguards"]
    assert pack.last_visit == world["last"]


def test_it_gives_the_findings_of_recent_visits_and_counts_older_ones(personas, world):
    head, place = personas["head"], world["place"]
    for year in (2020, 2021, 2022):
        previous_visit(head, place, year)

    pack = pack_for(personas["monitor"], world["visit"])

    assert len(pack.previous) == 5
    assert [entry.detailed for entry in pack.previous] == [True, True, True, False, False]
    oldest = pack.previous[-1]
    assert oldest.visit == world["old"] and oldest.general == 1 and oldest.themes == []


def test_it_lists_urgent_matters_raised_at_previous_debriefs(client_for, personas, world):
    pack = pack_for(personas["monitor"], world["visit"])

    assert [line.draft.text for line in pack.recommendations] == [URGENT]
    assert pack.recommendations[0].overdue
    html = page(client_for, personas["monitor"], world["visit"]).content.decode()
    assert URGENT in html
    assert "Urgent matters raised at previous debriefs" in html


def test_it_lists_information_received_since_the_last_visit_only(personas, world):
    pack = pack_for(personas["monitor"], world["visit"])

    assert [doc.title for doc in pack.information] == [NEW_INFO]
    assert pack.information_since == world["last"].ends_on


def test_it_gives_the_checklist_of_the_visits_guideline(personas, world):
    pack = pack_for(personas["monitor"], world["visit"])

    assert pack.guideline == world["visit"].guideline
    assert pack.guideline.category.code == "police-custody"
    assert len(pack.checklist) == 8


def test_a_team_member_granted_on_a_watch_sees_its_pseudonym(client_for, personas, world):
    pack = pack_for(personas["monitor"], world["visit"])
    response = page(client_for, personas["monitor"], world["visit"])

    assert [(w.reference, w.pseudonym) for w in pack.watches] == [
        (world["watch"].reference, PSEUDONYM)
    ]
    assert PSEUDONYM in response.content.decode()
    assert "Under reprisal watch here" in response.content.decode()


@pytest.mark.parametrize("who", ["doctor", "head"])
def test_a_team_member_not_granted_sees_no_watch_and_no_heading(client_for, personas, world, who):
    response = page(client_for, personas[who], world["visit"])
    html = response.content.decode()

    assert response.status_code == 200
    assert pack_for(personas[who], world["visit"]).watches == []
    assert PSEUDONYM not in html
    assert world["watch"].reference not in html
    assert "reprisal watch" not in html


@pytest.mark.parametrize("who", ["data_officer", "comms"])
def test_a_viewer_off_the_team_sees_no_watch_even_when_granted(client_for, personas, world, who):
    response = page(client_for, personas[who], world["visit"])
    html = response.content.decode()

    assert response.status_code == 200
    assert pack_for(personas[who], world["visit"]).watches is None
    assert PSEUDONYM not in html
    assert "reprisal watch" not in html
    assert FINDING in html  # the rest of the pack is there


def test_a_closed_watch_is_not_in_the_pack(client_for, personas, world):
    from habeas.cases.models import ReprisalWatch

    ReprisalWatch.objects.filter(pk=world["watch"].pk).update(status="closed")

    assert pack_for(personas["monitor"], world["visit"]).watches == []


def test_previous_visits_the_reader_may_not_see_are_left_out(client_for, personas, world):
    expert = personas["expert"]
    add_member(world["visit"], expert, personas["head"], override_reason="Papers signed on site")

    pack = pack_for(expert, world["visit"])

    assert pack.previous == [] and pack.recommendations == []
    assert FINDING not in page(client_for, expert, world["visit"]).content.decode()


@pytest.mark.parametrize("who", ["outsider", "admin", "expert"])
def test_it_answers_404_to_whoever_may_not_see_the_visit(client_for, personas, world, who):
    response = page(client_for, personas[who], world["visit"])

    assert response.status_code == 404
    assert FINDING.encode() not in response.content


def test_reading_the_pack_is_audited_without_content(client_for, personas, world):
    page(client_for, personas["monitor"], world["visit"])

    event = AuditEvent.objects.get(action="visit.briefing_read")
    assert (event.actor, event.object_id) == (personas["monitor"], str(world["visit"].pk))
    assert event.detail == {"format": "html"}


def test_it_escapes_what_was_typed(client_for, personas, world):
    Finding.objects.create(
        visit=world["last"],
        theme="treatment",
        severity="key",
        statement="<script>alert(1)</script>",
        created_by=personas["head"],
    )

    html = page(client_for, personas["monitor"], world["visit"]).content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def grow_history(head: Any, monitor: Any, place: Any, years: range) -> None:
    """More of everything the pack reads: visits with findings in units, urgent drafts
    with addressees, information, population, watches."""
    for year in years:
        visit = previous_visit(head, place, year, findings=4)
        UrgentDraft.objects.create(
            visit=visit,
            text=f"Urgent {year}",
            addressee=AuthorityFactory(),
            deadline=dt.date(year, 7, 1),
            created_by=head,
        )
        information(place, head, f"Information {year}", dt.date(2024, 10, (year % 27) + 1))
        PopulationRecordFactory(place=place, recorded_on=dt.date(year, 1, 1), population=year % 50)
        make_watch(monitor, place=place, pseudonym=f"Pseudonym {year}")


def test_the_pack_reads_a_fixed_number_of_queries_however_long_the_history(
    client_for, personas, world, django_assert_max_num_queries
):
    """No N+1: the page with five more years of everything costs no more queries."""
    head, monitor, place = personas["head"], personas["monitor"], world["place"]
    client = client_for(monitor)
    url = reverse("visits:briefing", kwargs={"visit_pk": world["visit"].pk})
    grow_history(head, monitor, place, range(2010, 2012))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    grow_history(head, monitor, place, range(2012, 2018))

    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Pseudonym 20") == 8
