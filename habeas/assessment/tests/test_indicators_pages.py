"""The new indicators where people read them: the criterion page (with the coverage
breakdown beside ¶9, 10, 36), the PDF and DOCX report, the year-on-year comparison;
and the migration that adds the slots to the SPT tool already installed."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import io

import docx
import pytest
from django.apps import apps

from habeas.assessment import framework_io, reports, services
from habeas.assessment.models import Criterion, FrameworkVersion, IndicatorSlot
from habeas.assessment.tests.factories import HomeOrganisationFactory
from habeas.places.models import Category
from habeas.places.tests.factories import PlaceFactory, RegionFactory

NEW_KEYS = {
    ("9", "places-visited-within-interval"),
    ("10", "regions-visited-within-interval"),
    ("11", "visits-with-medical-member"),
    ("12", "bills-with-opinion"),
    ("14", "visits-with-all-units-covered"),
    ("22", "recommendations-with-response"),
    ("24", "recommendations-verified-achieved"),
    ("25", "visits-anonymity-rule-met"),
    ("28", "bills-with-opinion"),
    ("33", "submissions-answered"),
    ("36", "places-visited-within-interval"),
    ("36", "categories-visited-within-interval"),
    ("36", "regions-visited-within-interval"),
    ("37", "training-coverage"),
}
migration = importlib.import_module("habeas.assessment.migrations.0004_more_indicator_slots")


@pytest.fixture
def spt(db) -> FrameworkVersion:
    return FrameworkVersion.objects.get(
        framework__code=framework_io.SPT_CODE, version=framework_io.SPT_VERSION
    )


def self_assessment(head, spt, year: int = 2024):
    return services.assessment_create(
        actor=head,
        framework_version=spt,
        subject=HomeOrganisationFactory(),
        title=f"Self-assessment {year}",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        assessors=[head],
    )


@pytest.fixture
def inventory(db):
    """Vale-of-Tarn (2 places, 1 visited in 2024) and Highmoor (1 place, never visited),
    all of a yearly category: 1 of 3 covered = 33.33 %."""
    yearly = Category.objects.create(
        code="yearly-test", name="Remand prison", max_interval_months=12
    )
    vale, moor = RegionFactory(name="Vale-of-Tarn"), RegionFactory(name="Highmoor")
    PlaceFactory(category=yearly, region=vale, last_visit_on=dt.date(2024, 5, 2))
    PlaceFactory(category=yearly, region=vale)
    PlaceFactory(category=yearly, region=moor)


def criterion_url(assessment, ref: str) -> str:
    criterion = assessment.framework_version.criteria.get(ref=ref)
    return f"/assessment/{assessment.pk}/criteria/{criterion.pk}/"


def test_paragraph_10_shows_the_coverage_figure_beside_its_breakdown(
    personas, client_for, spt, inventory
):
    assessment = self_assessment(personas["head"], spt)

    content = client_for(personas["head"]).get(criterion_url(assessment, "10")).content.decode()

    assert "Coverage of the inventory by category and region" in content
    assert "<strong>33.33</strong> %" in content
    assert "Vale-of-Tarn" in content and "Highmoor" in content and "Remand prison" in content
    assert "no visit in the period" in content  # Highmoor
    assert "counts over all of the NPM’s records, whoever reads them" in content
    other = client_for(personas["head"]).get(criterion_url(assessment, "11")).content.decode()
    assert "Visits with a medical member on the team" in other
    assert "Vale-of-Tarn" not in other


def test_an_outsider_gets_404_and_sees_no_breakdown(personas, client_for, spt, inventory):
    assessment = self_assessment(personas["head"], spt)

    response = client_for(personas["outsider"]).get(criterion_url(assessment, "10"))

    assert response.status_code == 404
    assert "Vale-of-Tarn" not in response.content.decode()


def test_the_pdf_and_docx_reports_carry_the_new_indicators_and_the_breakdown(
    personas, spt, inventory
):
    assessment = self_assessment(personas["head"], spt)
    content = reports.report_content(user=personas["head"], assessment_id=assessment.pk)

    html = reports.report_html(content)
    assert "Team members with the training their visits needed" in html
    assert "Regions fully covered" in html
    assert html.count("Coverage of the inventory by category and region") == 3  # ¶9, 10, 36
    assert "Vale-of-Tarn" in html and "33.33" in html

    document = docx.Document(io.BytesIO(reports.report_docx(content)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "Visits meeting the anonymity rule: no data in Habeas yet" in text
    assert "Places visited within the maximum interval of their category: 33.33 %" in text
    assert {"Vale-of-Tarn", "Highmoor", "Remand prison", "33.33"} <= cells


def test_the_year_on_year_comparison_lists_the_indicators(personas, client_for, spt, inventory):
    head = personas["head"]
    earlier = self_assessment(head, spt, 2023)
    later = self_assessment(head, spt, 2024)

    response = client_for(head).get(f"/assessment/{later.pk}/compare/?with={earlier.pk}")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Regions fully covered" in content
    # ¶9, 10, 36: 0 % at the end of 2023 (the one visit came in 2024), 33.33 % in 2024;
    # whole numbers print bare ("0", not "0.00"), the change with its sign.
    cells = ('<td class="num">0</td>', '<td class="num">33.33</td>', '<td class="num">+33.33</td>')
    expected = "\n      ".join(cells)
    assert content.count(expected) == 3


# The migration ---------------------------------------------------------------------------


def new_slots(spt) -> set[tuple[str, str]]:
    slots = IndicatorSlot.objects.filter(criterion__framework_version=spt)
    return {(ref, key) for ref, key in slots.values_list("criterion__ref", "key")} & NEW_KEYS


def test_the_shipped_tool_has_the_new_slots_with_its_text_untouched(spt):
    assert new_slots(spt) == NEW_KEYS
    for ref, key, name, unit, description in migration.SLOTS:
        slot = IndicatorSlot.objects.get(
            criterion__framework_version=spt, criterion__ref=ref, key=key
        )
        assert (slot.name, slot.unit, slot.description) == (name, unit, description)
    shipped = {
        c.ref: c.text
        for c in framework_io.parse_framework(framework_io.SPT_FILE.read_bytes()).criteria
    }
    assert shipped == dict(
        Criterion.objects.filter(framework_version=spt).values_list("ref", "text")
    )


def test_the_migration_adds_the_slots_to_an_installed_tool_and_can_be_undone(spt):
    texts = dict(Criterion.objects.filter(framework_version=spt).values_list("ref", "text"))
    migration.backwards(apps, None)
    spt.refresh_from_db()
    assert new_slots(spt) == set()
    assert spt.sha256 == migration.SHIPPED_SHA256
    assert (
        IndicatorSlot.objects.filter(
            criterion__framework_version=spt, key="places-in-inventory"
        ).count()
        == 2
    )

    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice changes nothing

    spt.refresh_from_db()
    assert new_slots(spt) == NEW_KEYS
    declared = framework_io.parse_framework(framework_io.SPT_FILE.read_bytes()).criteria
    total = sum(len(criterion.slots) for criterion in declared)
    assert IndicatorSlot.objects.filter(criterion__framework_version=spt).count() == total == 37
    assert spt.sha256 == hashlib.sha256(framework_io.SPT_FILE.read_bytes()).hexdigest()
    assert dict(Criterion.objects.filter(framework_version=spt).values_list("ref", "text")) == texts
