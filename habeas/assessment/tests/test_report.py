"""The assessment report's content, its PDF and its DOCX (whole tool, ¶3)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest
from django.utils import translation

from habeas.assessment import reports, services
from habeas.assessment.models import Assessment, Rating
from habeas.assessment.tests.factories import FrameworkVersionFactory, HomeOrganisationFactory

NARRATIVE_10 = "The visiting programme covers every category of place (canary-narrative-7731)."
ACTION_TITLE = "Adopt a written visit strategy (canary-action-5120)"


def use_tmp_media(settings: Any, tmp_path: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def rate(actor: Any, assessment: Assessment, ref: str, level: str, **fields: str) -> Rating:
    rating = assessment.ratings.get(criterion__ref=ref)
    return services.rating_save(
        actor=actor,
        rating=rating,
        level=level,
        reason=fields.get("reason", ""),
        narrative=fields.get("narrative", ""),
        expected_version=rating.version,
    )


def build_assessment(actor: Any, *, language: str = "en", texts: dict | None = None) -> Assessment:
    """A draft self-assessment made through the real services: rated, evidenced, planned."""
    HomeOrganisationFactory()
    version = FrameworkVersionFactory(language=language)
    for ref, text in (texts or {}).items():
        version.criteria.filter(ref=ref).update(text=text)
    assessment = services.assessment_create(
        actor=actor,
        framework_version=version,
        subject=HomeOrganisationFactory(),
        title="Self-assessment 2024",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        assessors=[actor],
    )
    rate(actor, assessment, "1", "fully", narrative=NARRATIVE_10)
    rate(actor, assessment, "2", "partially", narrative="A strategy exists in draft.")
    rate(actor, assessment, "2.1", "not_applicable", reason="Objectives are set by law.")
    criterion = version.criteria.get(ref="1")
    services.evidence_add(
        actor=actor,
        assessment=assessment,
        criterion=criterion,
        kind="link",
        title="Annual report 2024",
        url="https://npm.example/annual-report-2024.pdf",
    )
    services.action_item_create(
        actor=actor,
        assessment=assessment,
        criterion=version.criteria.get(ref="2"),
        title=ACTION_TITLE,
        owner=actor,
        deadline=dt.date(2025, 6, 30),
    )
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def assessment(personas: dict) -> Assessment:
    return build_assessment(personas["monitor"])


def content_for(user: Any, assessment: Assessment) -> reports.ReportContent:
    return reports.report_content(user=user, assessment_id=assessment.pk)


def test_it_reads_the_tool_structure_with_scores_and_progress(personas, assessment):
    content = content_for(personas["monitor"], assessment)

    assert [section.ref for section in content.sections] == ["A", "B"]
    assert [block.ref for block in content.sections[0].criteria] == ["1", "2", "2.1", "2.2"]
    assert (content.rated, content.evidenced, content.total) == (3, 1, 5)
    # fully (3) and partially (1) of a maximum of 3 each; "not applicable" left out
    assert content.overall.shown == "66.7 %"
    assert [score.shown for score in content.scores] == ["66.7 %", "—"]


def test_it_shows_an_unfilled_indicator_as_no_data_and_never_zero(personas, assessment):
    content = content_for(personas["monitor"], assessment)
    first = content.sections[0].criteria[0]

    assert [slot.value for slot in first.indicators] == [None]
    assert "no data in Habeas yet" in reports.report_html(content)


def test_it_hides_the_assessment_from_someone_who_may_not_see_it(personas, assessment):
    with pytest.raises(Assessment.DoesNotExist):
        content_for(personas["outsider"], assessment)


def test_it_feeds_weasyprint_every_criterion_rating_narrative_and_the_action_plan(
    personas, assessment
):
    html = reports.report_html(content_for(personas["monitor"], assessment))

    for criterion in assessment.framework_version.criteria.all():
        assert criterion.text in html
    assert "Fully in place" in html and "Partially in place" in html
    assert "Objectives are set by law." in html
    assert NARRATIVE_10 in html
    assert "https://npm.example/annual-report-2024.pdf" in html
    assert ACTION_TITLE in html
    assert "<svg" in html and "Draft" in html


def test_it_escapes_what_assessors_typed(personas, assessment):
    rate(personas["monitor"], assessment, "3", "largely", narrative="<img src=x onerror=alert(1)>")

    html = reports.report_html(content_for(personas["monitor"], assessment))

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_it_marks_only_a_report_that_is_not_final_as_draft(personas, assessment):
    content = content_for(personas["monitor"], assessment)
    content.state = Assessment.State.FINAL

    html = reports.report_html(content)

    assert 'class="watermark"' not in html


def test_it_renders_a_real_pdf(personas, assessment):
    pdf = reports.render(content_for(personas["monitor"], assessment), "pdf")

    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-64:]
    assert len(pdf) > 10_000


def test_it_lays_out_title_page_scores_criteria_and_plan_on_their_own_pages(personas, assessment):
    document = reports.report_document(content_for(personas["monitor"], assessment))

    assert len(document.pages) >= 4


def test_it_renders_arabic_right_to_left(personas, db):
    arabic = "ينبغي للآلية الوقائية الوطنية أن تضع استراتيجية لعملها."
    assessment = build_assessment(personas["monitor"], language="ar", texts={"1": arabic})
    with translation.override("ar"):
        content = content_for(personas["monitor"], assessment)
        html = reports.report_html(content)
        pdf = reports.render(content, "pdf")

    assert '<html lang="ar" dir="rtl">' in html
    assert f'lang="ar" dir="rtl">{arabic}</p>' in html
    # an English narrative in an Arabic report still reads left to right
    assert f'<div class="narrative prose" dir="ltr"><p>{NARRATIVE_10}</p></div>' in html
    assert pdf.startswith(b"%PDF-")


def test_it_writes_a_docx_with_the_criteria_ratings_and_plan(personas, assessment):
    data = reports.render(content_for(personas["monitor"], assessment), "docx")

    document = docx.Document(io.BytesIO(data))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for criterion in assessment.framework_version.criteria.all():
        assert criterion.text in text
    assert "Rating: Fully in place" in text
    assert "Rating: Not rated yet" in text
    assert NARRATIVE_10 in text
    assert ACTION_TITLE in cells
    assert "66.7 %" in text  # the overall score
    assert "███████░░░" in cells  # section A at 67 %, as a bar of characters
    assert document.sections[0].header.paragraphs[0].text == "Draft"


def test_it_marks_a_right_to_left_docx_as_such(personas, db):
    assessment = build_assessment(personas["monitor"], language="ar")
    with translation.override("ar"):
        data = reports.render(content_for(personas["monitor"], assessment), "docx")

    body = docx.Document(io.BytesIO(data)).element.xml
    assert "<w:bidi/>" in body and "<w:rtl/>" in body


def test_it_fetches_nothing_but_our_own_static_files():
    fetcher = reports.StaticOnlyFetcher()

    stylesheet = fetcher.fetch(reports.STATIC_BASE + "assessment/report.css")
    assert b"@page" in stylesheet.read()
    for address in (
        "https://example.org/tracker.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        reports.STATIC_BASE + "../settings.py",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(address)


def test_it_refuses_an_unknown_format(personas, assessment):
    with pytest.raises(ValueError):
        reports.render(content_for(personas["monitor"], assessment), "odt")
