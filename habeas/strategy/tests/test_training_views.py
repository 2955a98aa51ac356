"""Training pages (¶37): a member sees only their own needs and entries; the head and
monitors see everyone's, draw the plan (twice adds nothing) and mark entries done, which
records the training. An outsider gets 404; a member 403 on the manager's actions and 404
on a plan entry's form, their own included.

Fixture: an upcoming visit (in 30 days) at a place of the category "hand-count" that
holds "hc-children"; on its team the head (lead, who has both trainings), a doctor and a
second doctor (neither has any). Trainings A (category) and B (group) are needed there:
4 needs, 2 per doctor.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, PopulationGroupFactory
from habeas.strategy.models import TrainingPlanEntry
from habeas.strategy.services_people import training_plan_draw
from habeas.strategy.training import training_needs
from habeas.visits.models import Training, TrainingRecord
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(personas, make_user):
    head = personas["head"]
    today = timezone.localdate()
    a = Training.objects.create(
        code="hc-interview", name="HC interviewing", needed_for=["hand-count"], position=100
    )
    b = Training.objects.create(
        code="hc-kids", name="HC children", needed_for=["hc-children"], position=101
    )
    place = PlaceFactory(
        category=CategoryFactory(code="hand-count"),
        groups=[PopulationGroupFactory(code="hc-children", name="children (test)")],
    )
    visit = make_visit(
        head,
        place,
        starts_on=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=31),
    )
    doctor2 = make_user("doctor", "doctor2@npm.test", full_name="Second Doctor")
    add_member(visit, personas["doctor"], head)
    add_member(visit, doctor2, head)
    for training in (a, b):
        TrainingRecord.objects.create(
            user=head, training=training, completed_on=dt.date(2020, 1, 1), recorded_by=head
        )
    return {"visit": visit, "a": a, "b": b, "doctor2": doctor2, "year": today.year, **personas}


def test_the_overview_is_for_staff_and_404_for_an_outsider(upcoming, client_for):
    url = reverse("strategy:training")
    for name in ("head", "monitor", "doctor", "expert", "comms", "admin", "auditor"):
        assert client_for(upcoming[name]).get(url).status_code == 200, name
    assert client_for(upcoming["outsider"]).get(url).status_code == 404


def test_a_member_sees_only_their_own_needs(upcoming, client_for):
    page = client_for(upcoming["doctor"]).get(reverse("strategy:training")).content.decode()
    assert "Trainings you need" in page
    assert upcoming["visit"].reference in page
    assert "HC children" in page
    assert "Second Doctor" not in page
    assert "Training coverage" not in page


def test_a_manager_sees_everyone_and_the_coverage(upcoming, client_for):
    page = client_for(upcoming["monitor"]).get(reverse("strategy:training")).content.decode()
    assert "Second Doctor" in page and "doctor@npm.test" in page
    # This year's only visit is still to come: it makes needs (above) but no coverage yet.
    assert "1 of 3 people" not in page
    assert "there is no coverage to measure" in page
    # The year is chosen with links, as on the other strategy pages, not a dropdown.
    assert '<select id="year"' not in page
    assert f'href="?year={upcoming["year"]}" aria-current="page"' in page
    assert 'class="strategy-nav"' in page


def test_the_administrator_sees_no_visit_behind_a_need(upcoming, client_for):
    page = client_for(upcoming["admin"]).get(reverse("strategy:training")).content.decode()
    assert upcoming["visit"].reference not in page
    assert "Second Doctor" not in page


def test_drawing_the_plan_twice_adds_nothing_the_second_time(upcoming, client_for):
    client = client_for(upcoming["head"])
    url = reverse("strategy:training_plan_draw")
    response = client.post(url, {"year": upcoming["year"]})
    assert response.status_code == 302
    assert TrainingPlanEntry.objects.count() == 4
    entry = TrainingPlanEntry.objects.get(user=upcoming["doctor2"], training=upcoming["b"])
    assert upcoming["visit"].reference in entry.reason
    assert entry.due_by == upcoming["visit"].starts_on
    client.post(url, {"year": upcoming["year"]})
    assert TrainingPlanEntry.objects.count() == 4
    assert training_plan_draw(actor=upcoming["head"], year=upcoming["year"]) == (0, 4)
    assert AuditEvent.objects.filter(action="training.plan_draw").count() == 3


def test_a_member_may_not_draw_or_edit_and_never_sees_another_entry(upcoming, client_for):
    training_plan_draw(actor=upcoming["head"], year=upcoming["year"])
    doctor = client_for(upcoming["doctor"])
    assert doctor.post(reverse("strategy:training_plan_draw"), {"year": 2026}).status_code == 403
    own = TrainingPlanEntry.objects.filter(user=upcoming["doctor"]).first()
    other = TrainingPlanEntry.objects.filter(user=upcoming["doctor2"]).first()
    assert own is not None and other is not None
    edit = "strategy:training_entry_edit"
    assert doctor.get(reverse(edit, kwargs={"entry_pk": own.pk})).status_code == 404
    assert doctor.get(reverse(edit, kwargs={"entry_pk": other.pk})).status_code == 404
    assert (
        client_for(upcoming["outsider"]).get(reverse(edit, kwargs={"entry_pk": own.pk})).status_code
        == 404
    )
    page = doctor.get(reverse("strategy:training") + f"?year={upcoming['year']}").content.decode()
    assert "Training plan" in page and "HC children" in page


def test_marking_an_entry_done_records_the_training(upcoming, client_for):
    training_plan_draw(actor=upcoming["head"], year=upcoming["year"])
    entry = TrainingPlanEntry.objects.get(user=upcoming["doctor2"], training=upcoming["a"])
    client = client_for(upcoming["monitor"])
    url = reverse("strategy:training_entry_edit", kwargs={"entry_pk": entry.pk})
    missing_date = client.post(url, {"version": entry.version, "status": "done"})
    assert missing_date.status_code == 400
    assert "Give the date the training was completed." in missing_date.content.decode()
    today = timezone.localdate()
    done = client.post(
        url, {"version": entry.version, "status": "done", "completed_on": today.isoformat()}
    )
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "done"
    assert TrainingRecord.objects.filter(
        user=upcoming["doctor2"], training=upcoming["a"], completed_on=today
    ).exists()
    # The need is gone; a done entry cannot be cancelled; a stale form is refused.
    needs = training_needs(upcoming["monitor"])
    assert {(n.user.email, n.training.code) for n in needs} == {
        ("doctor@npm.test", "hc-interview"),
        ("doctor@npm.test", "hc-kids"),
        ("doctor2@npm.test", "hc-kids"),
    }
    again = client.post(url, {"version": entry.version, "status": "cancelled"})
    assert again.status_code == 400
    stale = client.post(url, {"version": 1, "status": "cancelled"})
    assert stale.status_code == 409
