"""The follow-up pages with the personas: places proposed for follow-up visits, and the
follow-up rule that only the head changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from habeas.core.models import AuditEvent
from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations.models import FollowUpRule
from habeas.recommendations.tests.test_followup_proposals import overdue
from habeas.visits.models import Visit
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

FOLLOWUP = reverse("recommendations:followup")
RULES = reverse("recommendations:rules")
TEXT = "Canary proposal text: repaint the visiting room"


@pytest.fixture
def proposal(personas) -> dict[str, Any]:
    place = PlaceFactory(name="Canary remand prison Ostbrück")
    made = overdue(personas["head"], place, 3, text=TEXT)
    return {"place": place, "recommendations": made}


def rule_form(**changes: Any) -> dict[str, Any]:
    rule = FollowUpRule.current()
    data: dict[str, Any] = {
        "threshold": rule.threshold,
        "priorities": rule.counted_priorities,
        "remind_days_before": rule.remind_days_before,
        "escalate_days_after": rule.escalate_days_after,
        "urgent_days": rule.urgent_days,
        "default_response_days": rule.default_response_days,
        "version": rule.version,
    }
    data.update(changes)
    return data


# -- proposals ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head", "monitor", "comms", "data_officer", "doctor"])
def test_staff_see_the_proposed_places(client_for, personas, proposal, who):
    response = client_for(personas[who]).get(FOLLOWUP)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Canary remand prison Ostbrück" in html
    for recommendation in proposal["recommendations"]:
        assert recommendation.reference in html


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_whoever_may_not_see_recommendations_gets_404(client_for, personas, proposal, who):
    response = client_for(personas[who]).get(FOLLOWUP)

    assert response.status_code == 404
    assert b"Ostbr" not in response.content


def test_an_expert_is_proposed_nothing_they_may_not_see(client_for, personas, proposal):
    response = client_for(personas["expert"]).get(FOLLOWUP)

    assert response.status_code == 200
    assert b"Ostbr" not in response.content
    assert proposal["recommendations"][0].reference.encode() not in response.content


def test_planners_get_a_link_to_plan_the_follow_up_visit(client_for, personas, proposal):
    plan = f"{reverse('visits:visit_create')}?place={proposal['place'].pk}"

    assert plan in client_for(personas["monitor"]).get(FOLLOWUP).content.decode()
    assert plan not in client_for(personas["comms"]).get(FOLLOWUP).content.decode()


def test_a_planned_follow_up_visit_is_shown_instead(client_for, personas, proposal):
    visit = make_visit(personas["head"], place=proposal["place"], kind=Visit.Kind.FOLLOW_UP)

    html = client_for(personas["monitor"]).get(FOLLOWUP).content.decode()

    assert visit.reference in html
    assert "Follow-up visit planned" in html
    assert f"?place={proposal['place'].pk}" not in html


def test_the_list_escapes_what_was_typed(client_for, personas):
    overdue(personas["head"], PlaceFactory(name="<script>alert(1)</script>"), 3)

    html = client_for(personas["head"]).get(FOLLOWUP).content.decode()

    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_an_empty_list_says_so(client_for, personas):
    response = client_for(personas["monitor"]).get(FOLLOWUP)

    assert response.status_code == 200
    assert b"No place is proposed" in response.content


def test_the_proposals_page_costs_the_same_queries_for_more_places(
    client_for, personas, proposal, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(personas["monitor"])
    client.get(FOLLOWUP)
    with CaptureQueriesContext(connection) as few:
        client.get(FOLLOWUP)
    for _n in range(3):
        overdue(personas["head"], PlaceFactory(), 4)

    with django_assert_max_num_queries(len(few)):
        response = client.get(FOLLOWUP)
    assert response.content.decode().count('class="proposal"') == 4


# -- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["monitor", "comms", "expert", "auditor"])
def test_staff_see_the_rule_without_a_form(client_for, personas, who):
    response = client_for(personas[who]).get(RULES)

    assert response.status_code == 200
    assert b"The rule in force" in response.content
    assert b'name="threshold"' not in response.content


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_the_rule_is_404_to_whoever_may_not_see_recommendations(client_for, personas, who):
    assert client_for(personas[who]).get(RULES).status_code == 404
    assert client_for(personas[who]).post(RULES, rule_form(threshold=2)).status_code == 404


@pytest.mark.parametrize("who", ["monitor", "data_officer", "comms", "doctor"])
def test_only_the_head_changes_the_rule(client_for, personas, who):
    response = client_for(personas[who]).post(RULES, rule_form(threshold=2))

    assert response.status_code == 403
    assert FollowUpRule.current().threshold == 3


def test_the_head_changes_the_rule(client_for, personas):
    client = client_for(personas["head"])
    assert b'name="threshold"' in client.get(RULES).content

    response = client.post(RULES, rule_form(threshold=2, priorities=["key", "urgent"]))

    assert response.status_code == 302
    rule = FollowUpRule.current()
    assert rule.threshold == 2 and rule.priorities == ["key", "urgent"]
    assert AuditEvent.objects.filter(action="follow_up_rule.update").count() == 1


def test_the_new_threshold_changes_the_proposals(client_for, personas):
    place = PlaceFactory(name="Canary police station Süd")
    overdue(personas["head"], place, 2)
    client = client_for(personas["head"])
    assert b"Canary police station" not in client.get(FOLLOWUP).content

    client.post(RULES, rule_form(threshold=2))

    assert b"Canary police station" in client.get(FOLLOWUP).content


def test_bad_input_changes_nothing(client_for, personas):
    client = client_for(personas["head"])

    response = client.post(RULES, rule_form(threshold=0, priorities=[]))

    assert response.status_code == 200
    assert b"Choose at least one priority" in response.content
    assert FollowUpRule.current().threshold == 3
    assert not FollowUpRule.objects.exists()


def test_a_stale_edit_gets_409_and_the_users_values_back(client_for, personas):
    client = client_for(personas["head"])
    first = rule_form(threshold=5)
    second = rule_form(threshold=7, remind_days_before=21)
    assert client.post(RULES, first).status_code == 302

    response = client.post(RULES, second)

    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="7"' in html and 'value="21"' in html
    assert "Someone else saved the follow-up rule" in html
    assert FollowUpRule.current().threshold == 5
    assert AuditEvent.objects.filter(action="follow_up_rule.update_stale").count() == 1


def test_the_rule_page_is_get_and_post_only(client_for, personas):
    assert client_for(personas["head"]).delete(RULES).status_code == 405
    assert client_for(personas["head"]).post(FOLLOWUP).status_code == 405


def test_the_follow_up_page_names_the_dates(client_for, personas, proposal):
    html = client_for(personas["comms"]).get(FOLLOWUP).content.decode()

    oldest = min(r.deadline for r in proposal["recommendations"])
    assert oldest.isoformat() in html
