"""Add Habeas's new indicator slots to the SPT tool (2012) already imported by 0002.

Issue 9 computes more figures beside the tool's paragraphs: coverage of the inventory
(¶9, 10, 36), the team's expertise (¶11), opinions on bills (¶12, 28), unit coverage
(¶14), responses and verified implementation (¶22, 24), the anonymity rule (¶25),
submissions answered (¶33) and training coverage (¶37). A slot is Habeas's computation,
not the SPT's words: the criteria's text is left exactly as it is.

The shipped data file declares the same slots, so a fresh install gets them from 0002
and this migration adds nothing there (each slot is created only if missing). The
version's digest is brought up to the shipped file's, so that the file still matches
what was loaded. Like 0002, the slots are written out here rather than read from the
file, so later changes to the file cannot change what this migration does.
"""

import hashlib
from pathlib import Path

from django.db import migrations

FILE = (
    Path(__file__).resolve().parent.parent
    / "frameworks"
    / "spt-analytical-self-assessment-tool-2012.json"
)
CODE, VERSION = "spt-assessment-tool", "2012"
# The digest of the file as 0002 shipped it, restored when this migration is undone.
SHIPPED_SHA256 = "fa669d61db9c0f8aa84159cddf2ac5f1afedfa632e0344b0dd07004cf000b2b8"

# (paragraph, key, name, unit, description)
SLOTS = [
    (
        "9",
        "places-visited-within-interval",
        "Places visited within the maximum interval of their category",
        "%",
        (
            "Open places whose last visit falls within the maximum interval set for their "
            "category, counted back from the end of the period, as a share of all open places; "
            "broken down by category and region beside the figure."
        ),
    ),
    (
        "10",
        "regions-visited-within-interval",
        "Regions fully covered",
        "%",
        (
            "Regions in which every open place was visited within its category's maximum "
            "interval, as a share of regions with at least one open place (places without a "
            "region are left out)."
        ),
    ),
    (
        "11",
        "visits-with-medical-member",
        "Visits with a medical member on the team",
        "%",
        (
            "Visits held in the period whose team (interpreters aside) included a doctor, a "
            "psychiatrist or a nurse, as a share of all visits held in the period."
        ),
    ),
    (
        "12",
        "bills-with-opinion",
        "Draft bills with an opinion of the NPM",
        "%",
        (
            "Draft bills in the legislation tracker at the end of the period on which the NPM had"
            " sent an opinion by then, as a share of all those draft bills."
        ),
    ),
    (
        "14",
        "visits-with-all-units-covered",
        "Visits that covered every unit",
        "%",
        (
            "Visits held in the period that saw every unit in use at the place, or recorded why a"
            " unit was not seen, as a share of visits held in the period at places with units "
            "recorded."
        ),
    ),
    (
        "22",
        "recommendations-with-response",
        "Recommendations with a response",
        "%",
        (
            "The NPM's own recommendations sent in the period that have received a response from "
            "the authority so far (a recorded “no reply” does not count), as a share of all of "
            "them."
        ),
    ),
    (
        "24",
        "recommendations-verified-achieved",
        "Recommendations verified as implemented",
        "recommendations",
        (
            "Recommendations (the NPM's own and those of the SPT and other bodies) whose "
            "implementation was verified in the period, with evidence, as achieved."
        ),
    ),
    (
        "25",
        "visits-anonymity-rule-met",
        "Visits meeting the anonymity rule",
        "%",
        (
            "Visits held in the period with at least one sensitive private interview where every "
            "unit had the cover of private interviews the anonymity rule requires, as a share of "
            "those visits."
        ),
    ),
    (
        "28",
        "bills-with-opinion",
        "Draft bills with an opinion of the NPM",
        "%",
        (
            "Draft bills in the legislation tracker at the end of the period on which the NPM had"
            " sent an opinion by then, as a share of all those draft bills."
        ),
    ),
    (
        "33",
        "submissions-answered",
        "Submissions answered",
        "%",
        (
            "Submissions received from the public in the period whose sender asked for a reply "
            "and that the NPM has answered so far, as a share of those asking for a reply."
        ),
    ),
    (
        "36",
        "places-visited-within-interval",
        "Places visited within the maximum interval of their category",
        "%",
        (
            "Open places whose last visit falls within the maximum interval set for their "
            "category, counted back from the end of the period, as a share of all open places; "
            "broken down by category and region beside the figure."
        ),
    ),
    (
        "36",
        "categories-visited-within-interval",
        "Categories of places fully covered",
        "%",
        (
            "Categories of place in which every open place was visited within the category's "
            "maximum interval, as a share of categories with at least one open place."
        ),
    ),
    (
        "36",
        "regions-visited-within-interval",
        "Regions fully covered",
        "%",
        (
            "Regions in which every open place was visited within its category's maximum "
            "interval, as a share of regions with at least one open place (places without a "
            "region are left out)."
        ),
    ),
    (
        "37",
        "training-coverage",
        "Team members with the training their visits needed",
        "%",
        (
            "People on the team (interpreters aside) of a visit that began in the period who had "
            "completed, by the first day of each of their visits, every training it needed (from "
            "the trainings’ “needed for” and the place’s category and groups held), as a share of"
            " all those people."
        ),
    ),
]


def _version(apps):
    FrameworkVersion = apps.get_model("assessment", "FrameworkVersion")
    return FrameworkVersion.objects.filter(framework__code=CODE, version=VERSION).first()


def forwards(apps, schema_editor):
    version = _version(apps)
    if version is None:  # the tool was removed from this installation
        return
    Criterion = apps.get_model("assessment", "Criterion")
    IndicatorSlot = apps.get_model("assessment", "IndicatorSlot")
    criteria = {c.ref: c for c in Criterion.objects.filter(framework_version=version)}
    for ref, key, name, unit, description in SLOTS:
        criterion = criteria.get(ref)
        if criterion is None:
            continue
        IndicatorSlot.objects.get_or_create(
            criterion=criterion,
            key=key,
            defaults={"name": name, "unit": unit, "description": description},
        )
    if version.sha256 == SHIPPED_SHA256 and FILE.is_file():
        version.sha256 = hashlib.sha256(FILE.read_bytes()).hexdigest()
        version.save(update_fields=["sha256"])


def backwards(apps, schema_editor):
    version = _version(apps)
    if version is None:
        return
    IndicatorSlot = apps.get_model("assessment", "IndicatorSlot")
    IndicatorValue = apps.get_model("assessment", "IndicatorValue")
    for ref, key, *_rest in SLOTS:
        slots = IndicatorSlot.objects.filter(
            criterion__framework_version=version, criterion__ref=ref, key=key
        )
        # A figure frozen in a final assessment keeps its slot.
        slots.exclude(pk__in=IndicatorValue.objects.values("slot_id")).delete()
    version.sha256 = SHIPPED_SHA256
    version.save(update_fields=["sha256"])


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_analytics")]

    operations = [migrations.RunPython(forwards, backwards)]
