"""The plan's, budget's and year-end pages, as each persona sees them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective
from habeas.strategy.tests.factories_plan import make_activity, make_line, make_objective, visit_at

pytestmark = pytest.mark.django_db
D = Decimal
READERS = ["head", "monitor", "doctor", "data_officer", "comms", "auditor"]
NOT_READERS = ["expert", "admin", "outsider"]
WRITERS = ["head", "data_officer"]


@pytest.fixture
def plan(personas):
    head = personas["head"]
    objective = make_objective(head, code="SO7", title="Reach every police station")
    activity = make_activity(head, objective, title="Visits to police custody")
    line = make_line(head, label="Fuel for the vans", activity=activity)
    return {"objective": objective, "activity": activity, "line": line}


def _urls(plan):
    o, a, line = plan["objective"].pk, plan["activity"].pk, plan["line"].pk
    return [
        reverse("strategy:index"),
        reverse("strategy:objective_create"),
        reverse("strategy:objective_detail", kwargs={"objective_pk": o}),
        reverse("strategy:objective_edit", kwargs={"objective_pk": o}),
        reverse("strategy:activity_create", kwargs={"objective_pk": o}),
        reverse("strategy:activity_detail", kwargs={"activity_pk": a}),
        reverse("strategy:activity_edit", kwargs={"activity_pk": a}),
        reverse("strategy:budget"),
        reverse("strategy:line_create"),
        reverse("strategy:line_edit", kwargs={"line_pk": line}),
        reverse("strategy:year_end") + "?year=2025",
        reverse("strategy:neglected") + f"?category={CategoryFactory().pk}&year=2025",
    ]


@pytest.mark.parametrize("name", NOT_READERS)
def test_pages_are_404_without_strategy_view(personas, client_for, plan, name):
    client = client_for(personas[name])
    for url in _urls(plan):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Reach every police station" not in response.content
        assert b"Fuel for the vans" not in response.content


@pytest.mark.parametrize("name", NOT_READERS)
def test_writes_are_404_without_strategy_view(personas, client_for, plan, name):
    client = client_for(personas[name])
    url = reverse("strategy:objective_edit", kwargs={"objective_pk": plan["objective"].pk})
    assert client.post(url, {"delete": "1"}).status_code == 404
    assert Objective.objects.filter(pk=plan["objective"].pk).exists()


@pytest.mark.parametrize("name", READERS)
def test_readers_see_the_plan(personas, client_for, plan, name):
    client = client_for(personas[name])
    page = client.get(reverse("strategy:index") + "?year=2025")
    assert page.status_code == 200
    assert "Visits to police custody" in page.content.decode()
    detail = client.get(
        reverse("strategy:activity_detail", kwargs={"activity_pk": plan["activity"].pk})
    )
    assert detail.status_code == 200
    can_edit = name in WRITERS
    edit = reverse("strategy:activity_edit", kwargs={"activity_pk": plan["activity"].pk})
    assert (edit in detail.content.decode()) == can_edit


@pytest.mark.parametrize("name", ["monitor", "doctor", "comms", "auditor"])
def test_readers_may_not_write(personas, client_for, plan, name):
    client = client_for(personas[name])
    assert client.get(reverse("strategy:objective_create")).status_code == 403
    response = client.post(
        reverse("strategy:objective_create"),
        {"code": "SO9", "title": "X", "first_year": 2025, "last_year": 2026},
    )
    assert response.status_code == 403
    edit = reverse("strategy:line_edit", kwargs={"line_pk": plan["line"].pk})
    assert client.post(edit, {"delete": "1"}).status_code == 403
    assert not Objective.objects.filter(code="SO9").exists()
    assert BudgetLine.objects.filter(pk=plan["line"].pk).exists()


def test_head_creates_an_objective_and_an_activity(personas, client_for):
    client = client_for(personas["data_officer"])
    response = client.post(
        reverse("strategy:objective_create"),
        {"code": "SO2", "title": "Children first", "first_year": 2025, "last_year": 2027},
    )
    objective = Objective.objects.get(code="SO2")
    assert response.status_code == 302
    response = client.post(
        reverse("strategy:activity_create", kwargs={"objective_pk": objective.pk}),
        {
            "kind": ActivityKind.TRAINING,
            "title": "Child-rights course",
            "year": 2026,
            "status": Activity.Status.PLANNED,
            "planned_staff_days": "12",
            "spent_staff_days": "3.5",
            "planned_money": "1500",
        },
    )
    activity = Activity.objects.get(title="Child-rights course")
    assert response.status_code == 302
    assert (activity.spent_staff_days, activity.planned_money) == (D("3.5"), D("1500"))


def test_bad_input_is_explained_and_changes_nothing(personas, client_for, plan):
    client = client_for(personas["head"])
    response = client.post(
        reverse("strategy:objective_create"),
        {"code": "SO3", "title": "Backwards", "first_year": 2027, "last_year": 2025},
    )
    assert response.status_code == 400
    assert "The last year cannot come before the first." in response.content.decode()
    response = client.post(
        reverse("strategy:activity_create", kwargs={"objective_pk": plan["objective"].pk}),
        {
            "kind": ActivityKind.VISITS,
            "title": "Typed days",
            "year": 2025,
            "status": Activity.Status.PLANNED,
            "spent_staff_days": "40",
        },
    )
    assert response.status_code == 400
    assert "counted from its visits" in response.content.decode()
    assert not Objective.objects.filter(code="SO3").exists()
    assert not Activity.objects.filter(title="Typed days").exists()


def test_stale_edit_answers_409_and_keeps_the_other_save(personas, client_for, plan):
    client = client_for(personas["head"])
    objective = plan["objective"]
    url = reverse("strategy:objective_edit", kwargs={"objective_pk": objective.pk})
    data = {"version": 1, "code": "SO7", "title": "First", "first_year": 2023, "last_year": 2026}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "Second"})
    assert stale.status_code == 409
    objective.refresh_from_db()
    assert objective.title == "First"


def test_delete_an_objective(personas, client_for, plan):
    client = client_for(personas["head"])
    url = reverse("strategy:objective_edit", kwargs={"objective_pk": plan["objective"].pk})
    assert client.post(url, {"delete": "1"}).status_code == 302
    assert not Objective.objects.exists()
    assert not Activity.objects.exists()
    assert BudgetLine.objects.get().activity is None


def test_activity_page_shows_how_days_were_counted(personas, client_for, make_user, plan):
    head = personas["head"]
    place = PlaceFactory()
    visit = visit_at(
        place,
        head,
        dt.date(2025, 4, 1),
        dt.date(2025, 4, 3),
        members=[make_user("monitor")],
        interpreters=[make_user("monitor")],
    )
    url = reverse("strategy:activity_detail", kwargs={"activity_pk": plan["activity"].pk})
    page = client_for(personas["comms"]).get(url).content.decode()
    # 3 days × 2 members (the interpreter not counted) = 6.
    assert re.search(r'id="spent-days">\s*6\s*<', page)
    assert visit.reference in page
    assert "Interpreters are not counted" in page


def test_budget_page_totals(personas, client_for, plan):
    head = personas["head"]
    make_line(head, label="Per diems", planned=D("500"), spent=D("700"))
    page = client_for(personas["auditor"]).get(reverse("strategy:budget") + "?year=2025")
    text = page.content.decode()
    # 1000 + 500 planned, 800 + 700 spent: 100.0 %.
    assert re.search(r'id="budget-planned">1,500.00<', text)
    assert re.search(r'id="budget-execution">100.0 %<', text)
    assert "Per diems" in text and "Fuel for the vans" in text


def test_line_create_refuses_a_mismatched_activity(personas, client_for, plan):
    client = client_for(personas["head"])
    response = client.post(
        reverse("strategy:line_create"),
        {
            "year": 2024,
            "kind": ActivityKind.VISITS,
            "label": "Wrong year",
            "planned": "10",
            "spent": "0",
            "activity": plan["activity"].pk,
        },
    )
    assert response.status_code == 400
    assert not BudgetLine.objects.filter(label="Wrong year").exists()


def test_year_end_links_a_neglected_category_to_its_places(personas, client_for):
    """Browser journey, steps 1 and 2: the year-end view, then a neglected category."""
    head = personas["head"]
    social = CategoryFactory(code="social-care")
    region = RegionFactory(name="Hills")
    for n in range(2):
        PlaceFactory(
            category=social, region=region, name=f"Home {n}", last_visit_on=dt.date(2021, 5, 1 + n)
        )
    visited = PlaceFactory(category=CategoryFactory(code="police-custody"))
    visit_at(visited, head, dt.date(2025, 2, 2))
    client = client_for(personas["monitor"])
    page = client.get(reverse("strategy:year_end") + "?year=2025").content.decode()
    link = re.search(r'<a href="([^"]+)">2 places, last visit 2021</a>', page)
    assert link, page
    href = link.group(1).replace("&amp;", "&")
    assert href == reverse("strategy:neglected") + f"?category={social.pk}&year=2025"
    places = client.get(href)
    assert places.status_code == 200
    text = places.content.decode()
    assert "Home 0" in text and "Home 1" in text
    assert "2021-05-01" in text and visited.name not in text


@pytest.mark.parametrize(
    "query", ["", "?category=abc", "?category=1&region=1", "?category=999999", "?region=0"]
)
def test_neglected_page_needs_one_known_group(personas, client_for, query):
    response = client_for(personas["head"]).get(reverse("strategy:neglected") + query)
    assert response.status_code == 404
