"""The action plan: gaps become items with an owner and a deadline, followed to the end."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.assessment import services
from habeas.assessment.models import ActionItem
from habeas.assessment.tests.test_services import actions, member, rate, rating_of, spt, start
from habeas.core.errors import StaleEdit

pytestmark = pytest.mark.django_db


def create(actor, assessment, ref="1", **fields) -> ActionItem:
    return services.action_item_create(
        actor=actor,
        assessment=assessment,
        criterion=rating_of(assessment, ref).criterion,
        title=fields.pop("title", "Ask the ministry for a budget line"),
        owner=fields.pop("owner", actor),
        deadline=fields.pop("deadline", dt.date(2025, 6, 30)),
        **fields,
    )


@pytest.mark.parametrize("level", ["not_in_place", "partially"])
def test_it_turns_a_gap_into_an_action(personas, level):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", level)

    item = create(head, assessment, owner=personas["monitor"])

    assert item.status == "open" and item.owner == personas["monitor"]
    assert actions(action="action_item.create") == ["action_item.create"]


@pytest.mark.parametrize("level", ["", "largely", "fully", "not_applicable"])
def test_it_refuses_an_action_for_a_criterion_that_is_no_gap(personas, level):
    head = personas["head"]
    assessment = start(head)
    if level:
        rate(head, assessment, "1", level, reason="None here.")

    with pytest.raises(ValidationError) as refused:
        create(head, assessment)

    assert "criterion" in refused.value.message_dict
    assert not ActionItem.objects.exists()


def test_it_refuses_an_owner_who_cannot_see_the_assessment(personas, make_user):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")

    for owner in (personas["outsider"], personas["admin"], member(make_user, spt(), "head")):
        with pytest.raises(ValidationError) as refused:
            create(head, assessment, owner=owner)
        assert "owner" in refused.value.message_dict


def test_it_refuses_actions_from_someone_who_may_not_change(personas):
    monitor = personas["monitor"]
    assessment = start(monitor)
    rate(monitor, assessment, "1", "partially")

    with pytest.raises(PermissionDenied):
        create(personas["comms"], assessment)


@time_machine.travel(dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC), tick=False)
def test_it_dates_completion_and_clears_it_when_reopened(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    item = create(head, assessment)

    services.action_item_update(actor=head, item=item, status="in_progress", expected_version=1)
    assert item.completed_on is None
    services.action_item_update(actor=head, item=item, status="done", expected_version=2)
    assert item.completed_on == dt.date(2025, 3, 4)
    services.action_item_update(actor=head, item=item, status="open", expected_version=3)

    assert item.completed_on is None and item.status == "open"
    assert actions(action="action_item.update") == ["action_item.update"] * 3


def test_it_refuses_a_stale_status_change(personas):
    head, monitor = personas["head"], personas["monitor"]
    assessment = start(head, assessors=[head, monitor])
    rate(head, assessment, "1", "partially")
    item = create(head, assessment)
    services.action_item_update(actor=head, item=item, status="done", expected_version=1)

    with pytest.raises(StaleEdit):
        services.action_item_update(
            actor=monitor,
            item=ActionItem.objects.get(pk=item.pk),
            status="dropped",
            expected_version=1,
        )

    assert ActionItem.objects.get(pk=item.pk).status == "done"
    assert "action_item.update_stale" in actions(object_type="assessment.actionitem")


def test_it_refuses_a_status_off_the_list(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    item = create(head, assessment)

    with pytest.raises(ValidationError):
        services.action_item_update(actor=head, item=item, status="forgotten", expected_version=1)
