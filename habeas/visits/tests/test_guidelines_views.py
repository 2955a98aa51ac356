"""The guideline pages (¶13) with the personas: read, draft, edit, publish; 404 for
outsiders, 403 for readers who may not edit, 409 with the user's text for a stale edit."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from habeas.places.models import Category
from habeas.visits import guidelines as services
from habeas.visits.models import Guideline, GuidelineItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1() -> Guideline:
    return Guideline.objects.get(category__code="police-custody", number=1)


@pytest.fixture
def draft(personas, v1) -> Guideline:
    return services.guideline_draft_create(actor=personas["head"], category=v1.category)


def routes(guideline: Guideline) -> list[tuple[str, str]]:
    """Every guideline route with the method that does its work."""
    item = guideline.items.first()
    g = {"guideline_pk": guideline.pk}
    gi = {**g, "item_pk": item.pk}
    return [
        ("get", reverse("visits:guideline_list")),
        ("post", reverse("visits:guideline_new")),
        ("get", reverse("visits:guideline_detail", kwargs=g)),
        ("post", reverse("visits:guideline_edit", kwargs=g)),
        ("post", reverse("visits:guideline_publish", kwargs=g)),
        ("post", reverse("visits:guideline_discard", kwargs=g)),
        ("post", reverse("visits:guideline_item_add", kwargs=g)),
        ("post", reverse("visits:guideline_item_edit", kwargs=gi)),
        ("post", reverse("visits:guideline_item_remove", kwargs=gi)),
        ("post", reverse("visits:guideline_item_move", kwargs=gi)),
    ]


def item_data(version: int, **data: Any) -> dict[str, Any]:
    return {
        "theme": "health",
        "kind": "question",
        "text": "Were you offered a doctor of your own choice?",
        "register_kind": "",
        "group_allowed": "on",
        "version": version,
        **data,
    }


def test_everyone_with_visits_sees_the_guidelines_by_category(client_for, personas, v1):
    response = client_for(personas["comms"]).get(reverse("visits:guideline_list"))
    html = response.content.decode()

    assert response.status_code == 200
    for name in ("Police custody", "Prison (remand)", "Juvenile centre", "Immigration detention"):
        assert name in html
    assert "Start a draft" not in html  # comms may not edit


def test_the_detail_shows_items_by_theme_and_which_are_private_only(client_for, personas, v1):
    html = (
        client_for(personas["doctor"])
        .get(reverse("visits:guideline_detail", kwargs={"guideline_pk": v1.pk}))
        .content.decode()
    )

    assert "Protection safeguards" in html and "Health care" in html
    assert "Private only" in html
    assert v1.items.order_by("position").first().text.split(",")[0] in html
    assert "Make a new version" not in html


def test_an_editor_makes_a_draft_edits_an_item_and_publishes_it(client_for, personas, v1):
    client = client_for(personas["data_officer"])

    response = client.post(reverse("visits:guideline_new"), {"category": v1.category_id})
    draft = Guideline.objects.get(category=v1.category, status="draft")
    assert response.status_code == 302 and response["Location"].endswith(f"/{draft.pk}/")

    item = draft.items.order_by("position").first()
    response = client.post(
        reverse(
            "visits:guideline_item_edit", kwargs={"guideline_pk": draft.pk, "item_pk": item.pk}
        ),
        item_data(draft.version, text="Changed by the editor", group_allowed=""),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.text, item.group_allowed) == ("Changed by the editor", False)

    draft.refresh_from_db()
    response = client.post(
        reverse("visits:guideline_publish", kwargs={"guideline_pk": draft.pk}),
        {"version": draft.version},
    )
    assert response.status_code == 302
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert (v1.status, draft.status) == ("retired", "published")


def test_an_editor_adds_moves_and_removes_items(client_for, personas, draft):
    client = client_for(personas["monitor"])
    count = draft.items.count()

    client.post(
        reverse("visits:guideline_item_add", kwargs={"guideline_pk": draft.pk}),
        item_data(draft.version),
    )
    added = draft.items.order_by("-position").first()
    assert draft.items.count() == count + 1 and added.text.startswith("Were you offered")

    draft.refresh_from_db()
    client.post(
        reverse(
            "visits:guideline_item_move", kwargs={"guideline_pk": draft.pk, "item_pk": added.pk}
        ),
        {"version": draft.version, "direction": "up"},
    )
    added.refresh_from_db()
    assert added.position == count

    draft.refresh_from_db()
    client.post(
        reverse(
            "visits:guideline_item_remove", kwargs={"guideline_pk": draft.pk, "item_pk": added.pk}
        ),
        {"version": draft.version},
    )
    assert not GuidelineItem.objects.filter(pk=added.pk).exists()


def test_a_stale_item_edit_answers_409_and_keeps_the_users_text(client_for, personas, draft):
    seen = draft.version
    item = draft.items.order_by("position").first()
    services.guideline_update(
        actor=personas["head"], guideline=draft, data={"title": "Meanwhile"}, expected_version=seen
    )

    response = client_for(personas["monitor"]).post(
        reverse(
            "visits:guideline_item_edit", kwargs={"guideline_pk": draft.pk, "item_pk": item.pk}
        ),
        item_data(seen, text="My careful rewording of the question"),
    )

    assert response.status_code == 409
    assert "My careful rewording of the question" in response.content.decode()
    assert "Someone changed this draft" in response.content.decode()
    item.refresh_from_db()
    assert item.text != "My careful rewording of the question"


def test_a_stale_publish_answers_409_and_publishes_nothing(client_for, personas, draft):
    response = client_for(personas["head"]).post(
        reverse("visits:guideline_publish", kwargs={"guideline_pk": draft.pk}),
        {"version": draft.version + 5},
    )

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_published_version_cannot_be_edited_through_the_pages(client_for, personas, v1):
    item = v1.items.first()

    response = client_for(personas["head"]).post(
        reverse("visits:guideline_item_edit", kwargs={"guideline_pk": v1.pk, "item_pk": item.pk}),
        item_data(v1.version, text="Sneaky change"),
    )

    assert response.status_code == 400
    item.refresh_from_db()
    assert item.text != "Sneaky change"


def test_bad_input_gets_a_message_and_changes_nothing(client_for, personas, draft):
    count = draft.items.count()

    response = client_for(personas["head"]).post(
        reverse("visits:guideline_item_add", kwargs={"guideline_pk": draft.pk}),
        item_data(draft.version, kind="register", register_kind=""),
    )

    assert response.status_code == 400
    assert "Say which register is to be checked." in response.content.decode()
    assert draft.items.count() == count


@pytest.mark.parametrize("who", ["doctor", "expert", "comms", "auditor"])
def test_readers_who_may_not_edit_get_403_and_nothing_changes(client_for, personas, draft, who):
    client = client_for(personas[who])
    before = list(GuidelineItem.objects.order_by("pk").values_list("pk", "text", "position"))

    writes = [path for method, path in routes(draft) if method == "post"]
    for path in writes:
        response = client.post(path, {"version": draft.version, "category": 1})
        assert response.status_code == 403, path

    assert (
        list(GuidelineItem.objects.order_by("pk").values_list("pk", "text", "position")) == before
    )
    assert Guideline.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_whoever_may_not_see_visits_gets_404_on_every_route(client_for, personas, draft, who):
    client = client_for(personas[who])
    before = Guideline.objects.count()

    for method, path in routes(draft):
        assert getattr(client, method)(path, {"version": draft.version}).status_code == 404, path
        assert client.get(path).status_code in (404, 405), path

    assert Guideline.objects.count() == before
    missing = reverse("visits:guideline_detail", kwargs={"guideline_pk": 987654})
    assert client_for(personas["head"]).get(missing).status_code == 404


def test_a_category_without_guideline_can_be_started_from_the_list(client_for, personas):
    client = client_for(personas["head"])
    court = Category.objects.get(code="court-cells")

    assert "Court cells" in client.get(reverse("visits:guideline_list")).content.decode()
    client.post(reverse("visits:guideline_new"), {"category": court.pk})

    assert Guideline.objects.get(category=court).status == "draft"
