"""Default visit durations by category and size (issue: a large prison takes 3–5 days,
a police station half a day). The NPM edits them; these are only a start."""

from decimal import Decimal

from django.db import migrations

SHORT = ("police-custody", "court-cells", "customs-custody", "sobering-up", "waiting-zone",
         "transfer-removal")
PRISONS = ("prison-remand", "prison-sentenced")
MEDIUM = ("immigration-detention", "psychiatric", "juvenile", "social-care", "military",
          "asylum-centre")

# (capacity from, in-depth days, follow-up days, team size)
RULES = {
    **{code: [(0, "0.5", "0.5", 2)] for code in SHORT},
    **{code: [(0, "2", "1", 3), (300, "3", "1", 4), (800, "5", "2", 5)] for code in PRISONS},
    **{code: [(0, "1", "0.5", 3), (150, "2", "1", 4)] for code in MEDIUM},
    "halfway-house": [(0, "1", "0.5", 2)],
    "other": [(0, "1", "0.5", 2)],
}


def seed(apps, schema_editor):
    Category = apps.get_model("places", "Category")
    DurationRule = apps.get_model("planning", "DurationRule")
    for category in Category.objects.filter(code__in=RULES):
        for capacity_from, in_depth, follow_up, team in RULES[category.code]:
            DurationRule.objects.get_or_create(
                category=category,
                capacity_from=capacity_from,
                defaults={
                    "in_depth_days": Decimal(in_depth),
                    "follow_up_days": Decimal(follow_up),
                    "team_size": team,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial"), ("places", "0002_default_categories_and_groups")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
