"""The risk model's first version of weights, so reading a score never has to write one."""

from django.db import migrations

# The defaults at the time of this migration (planning.models.DEFAULT_WEIGHTS).
WEIGHTS = {
    "occupancy": 15.0,
    "since_in_depth": 20.0,
    "since_any": 5.0,
    "overdue_recommendations": 15.0,
    "allegations": 15.0,
    "watches": 10.0,
    "submissions": 5.0,
    "vulnerable": 5.0,
    "category": 10.0,
    "difficulties": 5.0,
}


def seed(apps, schema_editor):
    RiskWeights = apps.get_model("planning", "RiskWeights")
    if not RiskWeights.objects.exists():
        RiskWeights.objects.create(number=1, weights=WEIGHTS, note="Habeas's defaults")


class Migration(migrations.Migration):
    dependencies = [("planning", "0002_default_durations")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
