"""The guidelines Habeas ships (¶13): loaded by migration 0003, in use, version 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from habeas.visits.models import Guideline, GuidelineItem, RegisterKind, Theme

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "guidelines"
SHIPPED = (
    "prison-remand",
    "prison-sentenced",
    "police-custody",
    "psychiatric",
    "immigration-detention",
    "juvenile",
)
# Topics a group interview must never raise (¶25): asked of a group, they expose whoever
# answers. Each shipped guideline asks them in private only.
PRIVATE_TOPICS = {
    "ill-treatment by staff": ("hit", "pushed"),
    "reprisals": ("complain",),
    "sexual violence": ("sexual",),
}


def shipped(code: str) -> Guideline:
    return Guideline.objects.get(category__code=code, number=1)


@pytest.mark.parametrize("code", SHIPPED)
def test_it_ships_version_1_in_use(code):
    guideline = shipped(code)

    assert guideline.status == Guideline.Status.PUBLISHED
    assert guideline.published_on is not None
    assert 25 <= guideline.items.count() <= 40
    assert Guideline.objects.filter(category__code=code, status="published").count() == 1


@pytest.mark.parametrize("code", SHIPPED)
def test_it_covers_all_eight_themes(code):
    themes = set(shipped(code).items.values_list("theme", flat=True))

    assert themes == set(Theme.values)


@pytest.mark.parametrize("code", SHIPPED)
def test_it_names_registers_to_check_and_things_to_observe(code):
    items = shipped(code).items.all()
    registers = {item.register_kind for item in items if item.kind == GuidelineItem.Kind.REGISTER}

    assert {"custody", "medical", "complaints"} <= registers
    assert registers <= set(RegisterKind.values)
    assert any(item.kind == GuidelineItem.Kind.OBSERVATION for item in items)
    assert all(item.register_kind for item in items if item.kind == GuidelineItem.Kind.REGISTER)
    assert not any(item.register_kind for item in items if item.kind != "register")


@pytest.mark.parametrize("code", SHIPPED)
def test_it_keeps_ill_treatment_reprisals_and_sexual_violence_to_private_interviews(code):
    questions = shipped(code).items.filter(kind=GuidelineItem.Kind.QUESTION)
    private = [item.text.lower() for item in questions if not item.group_allowed]

    for topic, words in PRIVATE_TOPICS.items():
        assert any(any(word in text for word in words) for text in private), (code, topic)
    for item in questions.filter(group_allowed=True):
        assert "sexual" not in item.text.lower(), item.text


@pytest.mark.parametrize("code", SHIPPED)
def test_it_asks_about_complaints_against_staff_in_private(code):
    private = shipped(code).items.filter(kind="question", group_allowed=False)

    assert any("complain" in item.text.lower() for item in private)


def test_police_custody_checks_the_three_safeguards_of_the_first_hours():
    texts = " ".join(shipped("police-custody").items.values_list("text", flat=True)).lower()

    for safeguard in ("relative", "lawyer from the very outset", "doctor", "language you"):
        assert safeguard in texts
    assert "custody register" in texts


def test_psychiatric_checks_admission_review_restraint_seclusion_and_consent():
    items = shipped("psychiatric").items.all()
    registers = {item.register_kind for item in items}
    texts = " ".join(item.text for item in items).lower()

    assert {"restraint", "isolation"} <= registers
    assert "involuntary admission" in texts
    assert "consent" in texts


def test_every_shipped_file_is_valid_data_for_the_model():
    """The files are data an NPM may edit: each must still fit the model's fields."""
    files = sorted(DATA.glob("*.json"))
    assert [path.stem for path in files] == sorted(SHIPPED)
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["category"] == path.stem
        for item in data["items"]:
            assert set(item) <= {"theme", "kind", "text", "register_kind", "group_allowed"}
            assert item["theme"] in Theme.values
            assert item["kind"] in GuidelineItem.Kind.values
            assert 20 < len(item["text"]) <= 500
            assert item.get("register_kind", "") in ["", *RegisterKind.values]


def test_the_migration_loads_the_files_as_they_are():
    data = json.loads((DATA / "juvenile.json").read_text(encoding="utf-8"))
    items = list(shipped("juvenile").items.order_by("position"))

    assert [item.text for item in items] == [item["text"] for item in data["items"]]
    assert [item.group_allowed for item in items] == [
        item.get("group_allowed", True) for item in data["items"]
    ]
