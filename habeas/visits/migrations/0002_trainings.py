"""The default training catalogue (¶37): what a team member should have taken before
visiting a place of a given category or holding a given group. `needed_for` lists
category codes and population-group codes (habeas/places/migrations/0002); an NPM may
edit the catalogue or add its own."""

from django.db import migrations

ALL_CATEGORIES = [
    "prison-remand",
    "prison-sentenced",
    "police-custody",
    "court-cells",
    "customs-custody",
    "immigration-detention",
    "waiting-zone",
    "transfer-removal",
    "psychiatric",
    "juvenile",
    "social-care",
    "military",
    "sobering-up",
    "asylum-centre",
    "halfway-house",
    "other",
]

# (code, name, needed for)
TRAININGS = [
    ("interviewing", "Interviewing persons deprived of liberty", ALL_CATEGORIES),
    (
        "istanbul-protocol",
        "Documenting torture and ill-treatment (Istanbul Protocol)",
        [
            "police-custody",
            "prison-remand",
            "prison-sentenced",
            "immigration-detention",
            "military",
            "transfer-removal",
        ],
    ),
    ("childrens-rights", "Children's rights in detention", ["juvenile", "children"]),
    (
        "mental-health",
        "Monitoring mental health settings",
        ["psychiatric", "social-care", "disabilities"],
    ),
    (
        "immigration",
        "Monitoring immigration detention",
        [
            "immigration-detention",
            "waiting-zone",
            "transfer-removal",
            "asylum-centre",
            "foreigners",
        ],
    ),
    ("gender-sensitive", "Gender-sensitive monitoring", ["women", "lgbti"]),
    (
        "police-custody",
        "Safeguards in police custody",
        ["police-custody", "court-cells", "customs-custody", "sobering-up"],
    ),
    (
        "reprisals",
        "Preventing reprisals",
        [
            "prison-remand",
            "prison-sentenced",
            "police-custody",
            "immigration-detention",
            "juvenile",
            "psychiatric",
            "military",
        ],
    ),
]


def seed(apps, schema_editor):
    Training = apps.get_model("visits", "Training")
    for position, (code, name, needed_for) in enumerate(TRAININGS):
        Training.objects.get_or_create(
            code=code, defaults={"name": name, "needed_for": needed_for, "position": position}
        )


def unseed(apps, schema_editor):
    Training = apps.get_model("visits", "Training")
    Training.objects.filter(code__in=[t[0] for t in TRAININGS], records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial"), ("places", "0002_default_categories_and_groups")]
    operations = [migrations.RunPython(seed, unseed)]
