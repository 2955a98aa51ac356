"""The assessment report, in the tool's own structure, as PDF and DOCX (whole tool, ¶3).

`report_content` reads an assessment once into plain data: the title page, the summary
with progress and scores, each section's criteria with rating, narrative, evidence and
indicator values, and the action plan. The PDF is that content through an HTML template
and WeasyPrint; the DOCX is the same content written with python-docx.

WeasyPrint fetches nothing from the network: `StaticOnlyFetcher` (habeas.core.documents)
serves our own static files (the print stylesheet) and refuses every other address, and
fonts come from the system (DejaVu, which covers Latin, Cyrillic, Greek and Arabic).
Right-to-left languages set `dir` on the document and on the framework's text.

python-docx cannot embed SVG, and rasterising the chart would need a second renderer,
so the DOCX shows section scores as a table with a bar drawn in block characters.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import docx
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML

from habeas.assessment import charts, indicators, selectors
from habeas.assessment.models import ActionItem, Assessment, Criterion, Evidence, Rating
from habeas.core.documents import (
    STATIC_BASE,
    StaticOnlyFetcher,
    docx_set_directions,
    text_direction,
)

BAR_CELLS = 10


# Content ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A section's (or the whole assessment's) score: mean points as a percentage."""

    ref: str
    title: str
    depth: int
    percent: float | None
    rated: int
    total: int

    @property
    def shown(self) -> str:
        """The score to a tenth of a per cent, as the chart writes it; a dash if unrated."""
        if self.percent is None:
            return "—"
        return f"{self.percent:.1f}".rstrip("0").rstrip(".") + " %"


@dataclass(frozen=True)
class EvidenceLine:
    kind: str
    title: str
    where: str

    @property
    def title_dir(self) -> str:
        return text_direction(self.title)


@dataclass(frozen=True)
class IndicatorLine:
    name: str
    value: str | None  # None: "no data in Habeas yet", never zero
    unit: str


@dataclass
class CriterionBlock:
    ref: str
    kind: str
    text: str
    level: str
    level_label: str
    reason: str
    narrative: str
    evidence: list[EvidenceLine] = field(default_factory=list)
    indicators: list[IndicatorLine] = field(default_factory=list)
    coverage: Any = None  # places.indicators.Breakdown beside ¶9, 10, 36

    @property
    def narrative_dir(self) -> str:
        return text_direction(self.narrative)

    @property
    def reason_dir(self) -> str:
        return text_direction(self.reason)


@dataclass
class SectionBlock:
    ref: str
    title: str
    depth: int
    criteria: list[CriterionBlock] = field(default_factory=list)


@dataclass(frozen=True)
class ActionLine:
    ref: str
    title: str
    description: str
    owner: str
    deadline: dt.date
    status: str
    completed_on: dt.date | None

    @property
    def title_dir(self) -> str:
        return text_direction(self.title)


@dataclass
class ReportContent:
    """Everything the report shows, read once; both renderers use only this."""

    assessment_id: int
    title: str
    subject: str
    made_by: str
    period_start: dt.date
    period_end: dt.date
    framework: str
    framework_version: str
    framework_language: str
    state: str
    state_label: str
    revision: int
    summary: str
    assessors: list[str]
    produced_at: dt.datetime
    language: str
    rated: int
    evidenced: int
    total: int
    overall: Score
    scores: list[Score]
    section_rows: list[Any]  # selectors.SectionRow, which charts.section_score_chart draws
    sections: list[SectionBlock]
    actions: list[ActionLine]

    @property
    def is_final(self) -> bool:
        return self.state == Assessment.State.FINAL

    @property
    def summary_dir(self) -> str:
        return text_direction(self.summary)

    @property
    def direction(self) -> str:
        return "rtl" if translation.get_language_info(self.language)["bidi"] else "ltr"

    @property
    def text_direction(self) -> str:
        """The framework's own text may be in another language than the report's labels."""
        try:
            bidi = translation.get_language_info(self.framework_language)["bidi"]
        except KeyError:
            bidi = False
        return "rtl" if bidi else "ltr"


def _score(ref: str, title: str, depth: int, tally: Any) -> Score:
    return Score(ref, title, depth, tally.score, tally.rated, tally.total)


def _evidence_line(item: Evidence) -> EvidenceLine:
    if item.kind == Evidence.Kind.DOCUMENT:
        where = item.original_name
    elif item.kind == Evidence.Kind.RECORD:
        where = f"{item.record_type} {item.record_id}".strip()
    else:
        where = item.url
    return EvidenceLine(kind=str(item.get_kind_display()), title=item.title, where=where)


def _value_text(value: Decimal | None) -> str | None:
    return indicators.format_value(value)


def _criterion_block(
    criterion: Criterion,
    rating: Rating | None,
    evidence: list[Evidence],
    readings: list[Any],
    coverage: Any = None,
) -> CriterionBlock:
    level = rating.level if rating else ""
    return CriterionBlock(
        ref=criterion.ref,
        kind=criterion.kind,
        text=criterion.text,
        level=level,
        level_label=str(Rating.Level(level).label) if level else _("Not rated yet"),
        reason=rating.reason if rating else "",
        narrative=rating.narrative if rating else "",
        evidence=[_evidence_line(item) for item in evidence],
        indicators=[
            IndicatorLine(
                name=r.slot.name,
                value=_value_text(r.value) if r.filled else None,
                unit=r.slot.unit,
            )
            for r in readings
        ],
        coverage=coverage if indicators.shows_breakdown(readings) else None,
    )


def _action_line(item: ActionItem) -> ActionLine:
    return ActionLine(
        ref=item.criterion.ref if item.criterion else "",
        title=item.title,
        description=item.description,
        owner=item.owner.full_name or item.owner.email,
        deadline=item.deadline,
        status=str(item.get_status_display()),
        completed_on=item.completed_on,
    )


def report_content(*, user: Any, assessment_id: int) -> ReportContent:
    """Read an assessment the user may see into report content.

    Scores and progress are the assessment pages' own (`selectors.assessment_progress`),
    indicator figures those of `indicators.indicator_values` (frozen once final).
    Raises `Assessment.DoesNotExist` when the user may not (or no longer) see it.
    """
    assessment = (
        Assessment.objects.restrict(user, "view")
        .select_related("framework_version__framework", "subject", "made_by")
        .get(pk=assessment_id)
    )
    version = assessment.framework_version
    criteria = list(version.criteria.order_by("position", "pk"))
    ratings = {r.criterion_id: r for r in assessment.ratings.all()}
    evidence: dict[int, list[Evidence]] = {}
    for item in assessment.evidence.order_by("added_at", "pk"):
        evidence.setdefault(item.criterion_id, []).append(item)
    readings: dict[int, list[Any]] = {}
    for reading in indicators.indicator_values(assessment=assessment):
        readings.setdefault(reading.slot.criterion_id, []).append(reading)
    progress = selectors.assessment_progress(assessment=assessment)
    blocks = {
        row.section.pk: SectionBlock(row.section.ref, row.section.title, row.depth)
        for row in progress.sections
    }
    loose = SectionBlock("", _("Other criteria"), 0)
    shown = any(indicators.shows_breakdown(found) for found in readings.values())
    coverage = indicators.coverage_breakdown(assessment) if shown else None
    for criterion in criteria:
        block = _criterion_block(
            criterion,
            ratings.get(criterion.pk),
            evidence.get(criterion.pk, []),
            readings.get(criterion.pk, []),
            coverage,
        )
        blocks.get(criterion.section_id, loose).criteria.append(block)
    actions = assessment.action_items.select_related("criterion", "owner").order_by(
        "deadline", "pk"
    )
    return ReportContent(
        assessment_id=assessment.pk,
        title=assessment.title,
        subject=assessment.subject.name,
        made_by=assessment.made_by.name,
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        framework=version.framework.name,
        framework_version=version.version,
        framework_language=version.language,
        state=assessment.state,
        state_label=str(assessment.get_state_display()),
        revision=assessment.revision,
        summary=assessment.summary,
        assessors=[u.full_name or u.email for u in assessment.assessors.order_by("full_name")],
        produced_at=timezone.localtime(),
        language=translation.get_language() or "en",
        rated=progress.rated,
        evidenced=progress.evidenced,
        total=progress.total,
        overall=_score("", _("Overall"), 0, progress.overall),
        scores=[
            _score(row.section.ref, row.section.title, row.depth, row.tally)
            for row in progress.sections
        ],
        section_rows=progress.sections,
        sections=[b for b in [*blocks.values(), loose] if b.criteria or b is not loose],
        actions=[_action_line(item) for item in actions],
    )


def bar_text(percent: float | None) -> str:
    """The score as ten block characters, for the DOCX where no SVG can go."""
    if percent is None:
        return "—"
    filled = round(BAR_CELLS * percent / 100)
    return "█" * filled + "░" * (BAR_CELLS - filled)


# PDF -------------------------------------------------------------------------------


# WeasyPrint does not apply the document's stylesheet inside an inline SVG, so the
# chart carries its own; it matches the assessment page's (assessments.css).
CHART_STYLE = (
    "<style>.label{fill:#1b1f23;font-weight:bold}.label.sub{font-weight:normal;fill:#555}"
    ".bar{fill:#1f5f8b}.bar.sub{fill:#7fa6c9}.value{fill:#1b1f23}"
    ".value.none{fill:#555;font-style:italic}.grid{stroke:#c8cdd2;stroke-width:1}</style>"
)


def report_chart(content: ReportContent) -> SafeString:
    """The assessment page's own section chart (charts.py), styled for print."""
    chart = charts.section_score_chart(content.section_rows, chart_id="report-scores")
    return mark_safe(chart.replace("</title>", "</title>" + CHART_STYLE, 1))  # noqa: S308


def report_html(content: ReportContent) -> str:
    """The HTML given to WeasyPrint; also what tests read to check the PDF's text."""
    context = {
        "report": content,
        "chart": report_chart(content),
        "progress": progress_text(content),
        "overall": score_text(content.overall),
    }
    return render_to_string("assessment/report.html", context)


def report_document(content: ReportContent) -> Any:
    """The laid-out pages (a WeasyPrint document), before they are written as PDF."""
    html = HTML(string=report_html(content), base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher())
    return html.render()


def report_pdf(content: ReportContent) -> bytes:
    return report_document(content).write_pdf()


# DOCX ------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _facts(content: ReportContent) -> list[tuple[str, str]]:
    return [
        (_("NPM assessed"), content.subject),
        (_("Assessed by"), content.made_by),
        (_("Period"), f"{_date(content.period_start)} – {_date(content.period_end)}"),
        (_("Framework"), f"{content.framework} ({content.framework_version})"),
        (_("State"), content.state_label),
        (_("Revision"), str(content.revision)),
        (_("Assessors"), ", ".join(content.assessors)),
        (_("Produced"), formats.date_format(content.produced_at, "DATETIME_FORMAT")),
    ]


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _docx_summary(document: Any, content: ReportContent) -> None:
    document.add_heading(_("Summary"), level=1)
    for paragraph in content.summary.split("\n\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    document.add_paragraph(progress_text(content))
    document.add_paragraph(score_text(content.overall))
    document.add_heading(_("Section scores"), level=2)
    rows = [[s.ref, s.title, s.shown, bar_text(s.percent)] for s in content.scores]
    _table(document, [_("Section"), _("Title"), _("Score"), ""], rows)


def _docx_criterion(document: Any, block: CriterionBlock) -> None:
    document.add_heading(f"¶{block.ref}", level=4)
    document.add_paragraph(block.text)
    rating = document.add_paragraph()
    rating.add_run(_("Rating") + ": ").bold = True
    rating.add_run(block.level_label)
    if block.reason:
        document.add_paragraph(_("Why not applicable") + ": " + block.reason)
    for paragraph in block.narrative.split("\n\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    if block.evidence:
        document.add_paragraph(_("Evidence"), style="Heading 5")
        for item in block.evidence:
            line = f"{item.title} ({item.kind})" + (f": {item.where}" if item.where else "")
            document.add_paragraph(line, style="List Bullet")
    if block.indicators:
        document.add_paragraph(_("Indicators"), style="Heading 5")
        for slot in block.indicators:
            document.add_paragraph(f"{slot.name}: {indicator_text(slot)}", style="List Bullet")
    if block.coverage is not None:
        _docx_coverage(document, block.coverage)


def _docx_coverage(document: Any, coverage: Any) -> None:
    """The coverage breakdown (¶9, 10, 36) as two tables, as in the PDF."""
    document.add_paragraph(_("Coverage of the inventory by category and region"), style="Heading 5")
    document.add_paragraph(coverage_note(coverage))
    header = [_("Category"), _("Open places"), _("Visited within interval"), "%"]
    header.append(_("Visited in the period"))
    rows = [*coverage.categories, coverage.total]
    _table(document, header, [_coverage_cells(row) for row in rows])
    document.add_paragraph("")
    _table(document, [_("Region"), *header[1:]], [_coverage_cells(r) for r in coverage.regions])


def _coverage_cells(row: Any) -> list[str]:
    percent = _value_text(row.percent)
    return [
        row.label,
        str(row.places),
        str(row.covered),
        percent if percent is not None else "—",
        str(row.visited_in_period),
    ]


def _docx_actions(document: Any, content: ReportContent) -> None:
    document.add_heading(_("Action plan"), level=1)
    if not content.actions:
        document.add_paragraph(_("No action items."))
        return
    rows = [
        [f"¶{a.ref}" if a.ref else "", a.title, a.owner, _date(a.deadline), a.status]
        for a in content.actions
    ]
    header = [_("Criterion"), _("Action"), _("Owner"), _("Deadline"), _("Status")]
    _table(document, header, rows)


def report_docx(content: ReportContent) -> bytes:
    document = docx.Document()
    if not content.is_final:
        document.sections[0].header.paragraphs[0].text = _("Draft")
    document.add_paragraph(_("Assessment report"))
    document.add_heading(content.title, level=0)
    _table(document, [_("About"), ""], [[label, value] for label, value in _facts(content)])
    document.add_page_break()
    _docx_summary(document, content)
    for section in content.sections:
        document.add_heading(
            f"{section.ref} {section.title}".strip(), level=min(section.depth + 1, 3)
        )
        for block in section.criteria:
            _docx_criterion(document, block)
    _docx_actions(document, content)
    docx_set_directions(document, content.direction)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Shared wording --------------------------------------------------------------------


def progress_text(content: ReportContent) -> str:
    return _("%(rated)s of %(total)s criteria rated, %(evidenced)s with evidence.") % {
        "rated": content.rated,
        "total": content.total,
        "evidenced": content.evidenced,
    }


def score_text(score: Score) -> str:
    if score.percent is None:
        return _("Overall score: none yet (no criterion rated).")
    return _("Overall score: %(percent)s of the highest rating.") % {"percent": score.shown}


def coverage_note(coverage: Any) -> str:
    return _(
        "A place counts as visited within its interval when it was open on %(end)s and its "
        "last visit on or before that day falls within the maximum interval set for its "
        "category. “Visited in the period” counts a visit recorded in Habeas that took "
        "place in the period or a last visit date kept in the inventory that falls in it. "
        "Counts are over all of the NPM's records and name no place."
    ) % {"end": _date(coverage.period_end)}


def indicator_text(slot: IndicatorLine) -> str:
    if slot.value is None:
        return _("no data in Habeas yet")
    return f"{slot.value} {slot.unit}".strip()


def render(content: ReportContent, file_format: str) -> bytes:
    """The report in one of `ReportJob.Format`."""
    if file_format == "pdf":
        return report_pdf(content)
    if file_format == "docx":
        return report_docx(content)
    raise ValueError(f"Unknown report format {file_format!r}")
