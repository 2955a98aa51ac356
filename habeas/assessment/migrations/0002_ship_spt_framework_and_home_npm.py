"""Ship the SPT's analytical self-assessment tool as a framework version, and create the
home organisation ("this NPM").

The loader below is deliberately self-contained: it uses the historical models and
reads the data file directly, so later changes to the models or to framework_io cannot
break a fresh install. The data file it reads must keep its name; a later revision of
the tool ships as a new file and a new migration (a version is never edited).
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.db import migrations

FRAMEWORKS = Path(__file__).resolve().parent.parent / "frameworks"
FILE = FRAMEWORKS / "spt-analytical-self-assessment-tool-2012.json"
HOME_NAME = "This NPM"


def _load(apps, document: bytes):
    Framework = apps.get_model("assessment", "Framework")
    FrameworkVersion = apps.get_model("assessment", "FrameworkVersion")
    Section = apps.get_model("assessment", "Section")
    Criterion = apps.get_model("assessment", "Criterion")
    IndicatorSlot = apps.get_model("assessment", "IndicatorSlot")
    data = json.loads(document.decode("utf-8"))
    framework, _ = Framework.objects.get_or_create(
        code=data["code"],
        defaults={"name": data["name"], "description": data.get("description", "")},
    )
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=data["version"],
        published_on=data.get("published") or None,
        source=data.get("source", ""),
        language=data.get("language", "en"),
        sha256=hashlib.sha256(document).hexdigest(),
    )
    sections = {}
    for position, node in enumerate(data["sections"], start=1):
        sections[node["ref"]] = Section.objects.create(
            framework_version=version,
            parent=sections.get(node.get("parent", "")),
            ref=node["ref"],
            title=node["title"],
            position=position,
        )
    criteria = {}
    for position, node in enumerate(data["criteria"], start=1):
        parent = criteria.get(node.get("parent", ""))
        criterion = Criterion.objects.create(
            framework_version=version,
            section=parent.section if parent else sections[node["section"]],
            parent=parent,
            kind=node.get("kind", "paragraph"),
            ref=node["ref"],
            text=node["text"],
            position=position,
        )
        criteria[node["ref"]] = criterion
        for slot in node.get("slots", []):
            IndicatorSlot.objects.create(
                criterion=criterion,
                key=slot["key"],
                name=slot["name"],
                unit=slot.get("unit", ""),
                description=slot.get("description", ""),
            )


def forwards(apps, schema_editor):
    _load(apps, FILE.read_bytes())
    Organisation = apps.get_model("assessment", "Organisation")
    if not Organisation.objects.filter(is_home=True).exists():
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "") or ""
        name = issuer if issuer and issuer != "Habeas" else HOME_NAME
        Organisation.objects.create(name=name[:200], kind="npm", is_home=True)


def backwards(apps, schema_editor):
    data = json.loads(FILE.read_bytes().decode("utf-8"))
    Framework = apps.get_model("assessment", "Framework")
    FrameworkVersion = apps.get_model("assessment", "FrameworkVersion")
    Organisation = apps.get_model("assessment", "Organisation")
    # Assessments protect their framework version and their organisations: undoing this
    # migration while assessments exist fails rather than losing them.
    for version in FrameworkVersion.objects.filter(
        framework__code=data["code"], version=data["version"]
    ):
        version.delete()
    Framework.objects.filter(code=data["code"], versions__isnull=True).delete()
    Organisation.objects.filter(is_home=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
