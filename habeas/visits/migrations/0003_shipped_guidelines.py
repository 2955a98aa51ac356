"""The guidelines Habeas ships (¶13): version 1, in use, for prisons (remand and
sentenced), police custody, psychiatric establishments, immigration detention and
juvenile centres. The questions are data, in `habeas/visits/guidelines/<category>.json`;
an NPM edits them as new versions in the application, never here.

A category missing from the database (an NPM removed it) is skipped; a category that
already has a guideline keeps its own.
"""

import datetime
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "guidelines"


def shipped():
    for path in sorted(DATA.glob("*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


def load(apps, schema_editor):
    Category = apps.get_model("places", "Category")
    Guideline = apps.get_model("visits", "Guideline")
    GuidelineItem = apps.get_model("visits", "GuidelineItem")
    today = datetime.datetime.now(tz=datetime.timezone.utc).date()
    for data in shipped():
        category = Category.objects.filter(code=data["category"]).first()
        if category is None or Guideline.objects.filter(category=category).exists():
            continue
        guideline = Guideline.objects.create(
            category=category,
            number=1,
            title=data["title"],
            notes=data.get("notes", ""),
            status="published",
            published_on=today,
        )
        GuidelineItem.objects.bulk_create(
            GuidelineItem(
                guideline=guideline,
                theme=item["theme"],
                kind=item["kind"],
                text=item["text"],
                register_kind=item.get("register_kind", ""),
                group_allowed=item.get("group_allowed", True),
                position=position,
            )
            for position, item in enumerate(data["items"], start=1)
        )


def unload(apps, schema_editor):
    """Remove the shipped version 1 where no visit used it and nothing was built on it."""
    Guideline = apps.get_model("visits", "Guideline")
    for data in shipped():
        versions = Guideline.objects.filter(category__code=data["category"])
        if versions.exclude(number=1).exists():
            continue
        versions.filter(number=1, title=data["title"], visits__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_trainings"),
        ("places", "0002_default_categories_and_groups"),
    ]
    operations = [migrations.RunPython(load, unload)]
