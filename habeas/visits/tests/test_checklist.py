"""The paper checklist and the answers typed in afterwards (¶13; field reality)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from habeas.core.models import AuditEvent
from habeas.places.models import Category
from habeas.places.tests.factories import PlaceFactory
from habeas.visits import guidelines
from habeas.visits.guidelines import AnswerInput
from habeas.visits.models import ChecklistAnswer, Guideline, Visit
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(personas) -> Visit:
    place = PlaceFactory(
        name="Canary Remand Prison Orla", category=Category.objects.get(code="prison-remand")
    )
    visit = make_visit(
        personas["head"],
        place=place,
        announced=True,
        starts_on=dt.date(2025, 6, 2),
        ends_on=dt.date(2025, 6, 4),
    )
    add_member(visit, personas["doctor"], personas["head"])
    return visit


def items(visit: Visit) -> list[Any]:
    return list(visit.guideline.items.order_by("position")[:3])


def url(name: str, visit: Visit) -> str:
    return reverse(f"visits:{name}", kwargs={"visit_pk": visit.pk})


def test_the_print_page_has_every_item_with_empty_boxes(client_for, personas, visit):
    response = client_for(personas["comms"]).get(url("checklist_print", visit))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Canary Remand Prison Orla" in html
    for item in visit.guideline.items.all():
        assert item.text.replace("'", "&#x27;") in html
    assert html.count("☐") == 4 * visit.guideline.items.count()
    assert "Private only" in html
    assert 'class="paper-note"' in html


def test_a_team_member_saves_all_answers_in_one_post(client_for, personas, visit):
    first, second, third = items(visit)
    data = {
        f"answer_{first.pk}": "yes",
        f"answer_{second.pk}": "partly",
        f"note_{second.pk}": "Register kept in pencil; two entries rubbed out.",
        f"answer_{third.pk}": "",
    }

    response = client_for(personas["doctor"]).post(url("checklist_answers", visit), data)

    assert response.status_code == 302
    saved = {a.item_id: (a.answer, a.note) for a in ChecklistAnswer.objects.filter(visit=visit)}
    assert saved == {
        first.pk: ("yes", ""),
        second.pk: ("partly", "Register kept in pencil; two entries rubbed out."),
    }
    assert AuditEvent.objects.filter(action="visit.checklist_answers").count() == 1
    assert "Register kept" not in str(
        AuditEvent.objects.get(action="visit.checklist_answers").detail
    )


def test_answers_can_be_corrected_and_blank_items_keep_theirs(client_for, personas, visit):
    first, second, _third = items(visit)
    client = client_for(personas["doctor"])
    client.post(
        url("checklist_answers", visit), {f"answer_{first.pk}": "no", f"answer_{second.pk}": "yes"}
    )

    client.post(url("checklist_answers", visit), {f"answer_{first.pk}": "na"})

    saved = dict(ChecklistAnswer.objects.filter(visit=visit).values_list("item_id", "answer"))
    assert saved == {first.pk: "na", second.pk: "yes"}
    page = client.get(url("checklist_answers", visit)).content.decode()
    assert re.search(rf'name="answer_{first.pk}" value="na"[^>]*checked', page)
    assert not re.search(rf'name="answer_{first.pk}" value="no"[^>]*checked', page)


def test_an_unknown_answer_is_refused_and_nothing_saved(client_for, personas, visit):
    first, second, _third = items(visit)

    response = client_for(personas["doctor"]).post(
        url("checklist_answers", visit),
        {f"answer_{first.pk}": "yes", f"answer_{second.pk}": "maybe"},
    )

    assert response.status_code == 400
    assert not ChecklistAnswer.objects.filter(visit=visit).exists()


def test_the_service_refuses_items_of_another_guideline(personas, visit):
    other = Guideline.objects.get(category__code="juvenile").items.first()

    with pytest.raises(ValidationError):
        guidelines.checklist_answers_save(
            actor=personas["doctor"], visit=visit, answers={other.pk: AnswerInput("yes")}
        )

    assert not ChecklistAnswer.objects.exists()


@pytest.mark.parametrize("who", ["comms", "data_officer", "auditor"])
def test_someone_who_sees_the_visit_but_is_not_on_its_team_may_not_answer(
    client_for, personas, visit, who
):
    first = items(visit)[0]

    response = client_for(personas[who]).post(
        url("checklist_answers", visit), {f"answer_{first.pk}": "yes"}
    )

    assert response.status_code == 403
    assert client_for(personas[who]).get(url("checklist_answers", visit)).status_code == 403
    assert not ChecklistAnswer.objects.exists()
    with pytest.raises(PermissionDenied):
        guidelines.checklist_answers_save(
            actor=personas[who], visit=visit, answers={first.pk: AnswerInput("yes")}
        )


def test_a_planner_off_the_team_may_answer(client_for, personas, visit):
    first = items(visit)[0]

    response = client_for(personas["monitor"]).post(
        url("checklist_answers", visit), {f"answer_{first.pk}": "no"}
    )

    assert response.status_code == 302
    assert ChecklistAnswer.objects.get(visit=visit).answered_by == personas["monitor"]


@pytest.mark.parametrize(
    "name", ["checklist_print", "checklist_answers", "checklist_pdf", "briefing"]
)
def test_an_outsider_gets_404_on_every_checklist_route(client_for, personas, visit, name):
    for method in ("get", "post"):
        response = getattr(client_for(personas["outsider"]), method)(url(name, visit))
        assert response.status_code in (404, 405)
        if method == "get":
            assert response.status_code == 404
    missing = reverse(f"visits:{name}", kwargs={"visit_pk": 987654})
    assert client_for(personas["head"]).get(missing).status_code == 404
    assert not ChecklistAnswer.objects.exists()


def test_a_visit_answered_keeps_its_version_when_a_new_one_is_published(personas, visit):
    first = items(visit)[0]
    guidelines.checklist_answers_save(
        actor=personas["doctor"], visit=visit, answers={first.pk: AnswerInput("yes")}
    )
    draft = guidelines.guideline_draft_create(actor=personas["head"], category=visit.place.category)
    guidelines.guideline_publish(
        actor=personas["head"], guideline=draft, expected_version=draft.version
    )

    visit.refresh_from_db()

    assert guidelines.guideline_for_visit(visit).number == 1
    assert guidelines.answers_of(visit)[first.pk].answer == "yes"
