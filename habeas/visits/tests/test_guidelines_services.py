"""Versioning guidelines: drafts, item edits, publishing (¶13), through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.models import Category
from habeas.places.tests.factories import PlaceFactory
from habeas.visits import guidelines as services
from habeas.visits.models import Guideline, GuidelineItem
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db

ITEM = {
    "theme": "safeguards",
    "kind": "question",
    "text": "Were you told you may see a doctor of your own choice?",
    "register_kind": "",
    "group_allowed": True,
}


@pytest.fixture
def police() -> Category:
    return Category.objects.get(code="police-custody")


@pytest.fixture
def draft(personas, police) -> Guideline:
    return services.guideline_draft_create(actor=personas["data_officer"], category=police)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_it_makes_a_draft_as_a_copy_of_the_latest_version(personas, police):
    v1 = Guideline.objects.get(category=police, number=1)

    draft = services.guideline_draft_create(actor=personas["monitor"], category=police)

    assert (draft.number, draft.status, draft.title) == (2, "draft", v1.title)
    copied = list(
        draft.items.values_list("theme", "kind", "text", "register_kind", "group_allowed")
    )
    original = list(v1.items.values_list("theme", "kind", "text", "register_kind", "group_allowed"))
    assert copied == original
    assert v1.items.count() == len(original)  # the original is untouched
    assert events("guideline.draft_create") == 1


def test_it_starts_an_empty_draft_for_a_category_without_guideline(personas):
    category = Category.objects.get(code="court-cells")

    draft = services.guideline_draft_create(actor=personas["head"], category=category)

    assert (draft.number, draft.items.count()) == (1, 0)
    assert category.name in draft.title


def test_it_refuses_a_second_draft_for_the_same_category(personas, police, draft):
    with pytest.raises(ValidationError):
        services.guideline_draft_create(actor=personas["head"], category=police)

    assert Guideline.objects.filter(category=police).count() == 2


@pytest.mark.parametrize("who", ["doctor", "expert", "comms", "auditor", "admin", "outsider"])
def test_it_refuses_editing_to_roles_without_the_right(personas, police, who):
    with pytest.raises(PermissionDenied):
        services.guideline_draft_create(actor=personas[who], category=police)

    assert not Guideline.objects.filter(category=police, status="draft").exists()
    assert events("guideline.draft_create") == 0


def test_it_adds_edits_moves_and_removes_items_of_a_draft(personas, draft):
    editor = personas["data_officer"]
    count = draft.items.count()

    item = services.guideline_item_add(
        actor=editor, guideline=draft, data=ITEM, expected_version=draft.version
    )
    assert (item.position, draft.items.count()) == (count + 1, count + 1)

    services.guideline_item_update(
        actor=editor,
        item=item,
        data={**ITEM, "text": "Were you examined in private?", "group_allowed": False},
        expected_version=draft.version,
    )
    item.refresh_from_db()
    draft.refresh_from_db()
    assert (item.text, item.group_allowed) == ("Were you examined in private?", False)

    services.guideline_item_move(
        actor=editor, item=item, direction="up", expected_version=draft.version
    )
    order = list(draft.items.order_by("position").values_list("pk", flat=True))
    assert order.index(item.pk) == count - 1
    assert sorted(draft.items.values_list("position", flat=True)) == list(range(1, count + 2))

    draft.refresh_from_db()
    services.guideline_item_remove(actor=editor, item=item, expected_version=draft.version)
    assert not GuidelineItem.objects.filter(pk=item.pk).exists()
    for action in ("item_add", "item_update", "item_move", "item_remove"):
        assert events(f"guideline.{action}") == 1


def test_it_never_writes_fields_it_was_not_asked_to(personas, draft):
    other = Guideline.objects.get(category__code="juvenile")

    item = services.guideline_item_add(
        actor=personas["head"],
        guideline=draft,
        data={**ITEM, "guideline": other, "position": 999, "id": 1},
        expected_version=draft.version,
    )

    assert item.guideline_id == draft.pk
    assert item.position != 999


def test_it_asks_which_register_a_register_item_checks(personas, draft):
    with pytest.raises(ValidationError) as refused:
        services.guideline_item_add(
            actor=personas["head"],
            guideline=draft,
            data={**ITEM, "kind": "register", "register_kind": ""},
            expected_version=draft.version,
        )

    assert "register_kind" in refused.value.message_dict
    assert events("guideline.item_add") == 0


def test_it_refuses_an_empty_or_unknown_item(personas, draft):
    count = draft.items.count()
    for data in ({**ITEM, "text": "   "}, {**ITEM, "theme": "weather"}):
        with pytest.raises(ValidationError):
            services.guideline_item_add(
                actor=personas["head"], guideline=draft, data=data, expected_version=draft.version
            )

    assert draft.items.count() == count


def test_a_stale_edit_is_refused_and_audited(personas, draft):
    seen = draft.version
    services.guideline_update(
        actor=personas["monitor"], guideline=draft, data={"title": "Mine"}, expected_version=seen
    )

    with pytest.raises(StaleEdit):
        services.guideline_update(
            actor=personas["head"], guideline=draft, data={"title": "Theirs"}, expected_version=seen
        )

    draft.refresh_from_db()
    assert draft.title == "Mine"
    assert events("guideline.update_stale") == 1


def test_publishing_retires_the_version_in_use_and_visits_keep_theirs(personas, police, draft):
    v1 = Guideline.objects.get(category=police, number=1)
    visit = make_visit(personas["head"], place=PlaceFactory(category=police))
    assert visit.guideline_id == v1.pk

    services.guideline_publish(
        actor=personas["head"], guideline=draft, expected_version=draft.version
    )

    v1.refresh_from_db()
    draft.refresh_from_db()
    visit.refresh_from_db()
    assert (v1.status, draft.status) == ("retired", "published")
    assert draft.published_on is not None
    assert visit.guideline_id == v1.pk
    assert services.guideline_for_visit(visit) == v1
    assert services.published_for(police.pk) == draft
    assert events("guideline.publish") == 1


def test_only_a_draft_can_be_changed_or_published(personas, police):
    v1 = Guideline.objects.get(category=police, number=1)
    item = v1.items.first()

    with pytest.raises(ValidationError):
        services.guideline_item_update(
            actor=personas["head"], item=item, data={"text": "Changed"}, expected_version=1
        )
    with pytest.raises(ValidationError):
        services.guideline_publish(actor=personas["head"], guideline=v1, expected_version=1)

    item.refresh_from_db()
    assert item.text != "Changed"


def test_an_empty_draft_cannot_be_published(personas):
    draft = services.guideline_draft_create(
        actor=personas["head"], category=Category.objects.get(code="military")
    )

    with pytest.raises(ValidationError):
        services.guideline_publish(
            actor=personas["head"], guideline=draft, expected_version=draft.version
        )

    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_draft_can_be_thrown_away(personas, police, draft):
    services.guideline_discard(actor=personas["head"], guideline=draft)

    assert not Guideline.objects.filter(pk=draft.pk).exists()
    assert Guideline.objects.get(category=police, number=1).status == "published"
    assert events("guideline.discard") == 1


def test_the_audit_never_carries_an_item_text(personas, draft):
    secret = "Canary question text Wilhelmina Q"
    services.guideline_item_add(
        actor=personas["head"],
        guideline=draft,
        data={**ITEM, "text": secret},
        expected_version=draft.version,
    )

    assert not any(
        secret in str(detail) for detail in AuditEvent.objects.values_list("detail", flat=True)
    )
