"""Default categories of place and groups held (DOMAIN.md); an NPM may add its own."""

from django.db import migrations

# (code, name, maximum months between in-depth visits, inherent risk 0-5)
CATEGORIES = [
    ("prison-remand", "Prison (remand)", 48, 3),
    ("prison-sentenced", "Prison (sentenced)", 48, 2),
    ("police-custody", "Police custody", 48, 5),
    ("court-cells", "Court cells", 48, 3),
    ("customs-custody", "Customs custody", 48, 3),
    ("immigration-detention", "Immigration detention", 48, 4),
    ("waiting-zone", "Airport or port waiting zone", 48, 4),
    ("transfer-removal", "Transfer and removal", 48, 5),
    ("psychiatric", "Psychiatric or other health establishment", 48, 4),
    ("juvenile", "Juvenile centre", 48, 4),
    ("social-care", "Social-care or elderly home", 48, 3),
    ("military", "Military detention", 48, 3),
    ("sobering-up", "Sobering-up station", 48, 3),
    ("asylum-centre", "Asylum centre", 48, 2),
    ("halfway-house", "Halfway house", 48, 1),
    ("other", "Other", 48, 2),
]

GROUPS = [
    ("women", "Women"),
    ("children", "Children"),
    ("disabilities", "Persons with disabilities"),
    ("lgbti", "LGBTI persons"),
    ("minorities", "Minorities"),
    ("foreigners", "Foreigners"),
    ("elderly", "Older persons"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("places", "Category")
    PopulationGroup = apps.get_model("places", "PopulationGroup")
    for position, (code, name, months, risk) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "max_interval_months": months,
                "inherent_risk": risk,
                "position": position,
            },
        )
    for position, (code, name) in enumerate(GROUPS):
        PopulationGroup.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("places", "Category").objects.filter(
        code__in=[c[0] for c in CATEGORIES]
    ).delete()
    apps.get_model("places", "PopulationGroup").objects.filter(
        code__in=[g[0] for g in GROUPS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
