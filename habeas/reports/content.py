"""A report's content, built from the records through `restrict` as the reader (¶19,
21, 22, 31c–d, 38).

`build_content` answers what a reader sees of a version: a signed version's frozen
content (with the narrative as it was signed), or for any other version the figures,
tables, charts and generated text read live from the records as that reader, with the
version's narrative and its public omissions. `initial_sections` pre-fills a new
report's narrative with short factual paragraphs.

The sections of each kind are built by `content_visit` (visit, follow-up, urgent) and
`content_periodic` (thematic, annual); this module holds what they share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from habeas.reports import kinds
from habeas.reports.content_types import (
    Block,
    Cell,
    Content,
    Fact,
    Figure,
    Section,
    Table,
    from_json,
)
from habeas.reports.models import Report, ReportVersion, State
from habeas.visits.models import Finding

NONE = "none"  # the key part of "no status recorded"


class Builder:
    """What the section builders share: the reader, the report, and the figures met."""

    def __init__(self, user: Any, report: Report) -> None:
        self.user = user
        self.report = report
        self.figures: dict[str, Figure] = {}
        self.cache: dict[str, Any] = {}

    def count(self, key: str, label: Any, value: int, *, people: bool = False) -> Cell:
        self.figures[key] = Figure(key=key, label=str(label), value=int(value), people=people)
        return Cell(text=str(value), figure=key, value=int(value), people=people)

    def count_fact(self, key: str, label: Any, value: int, *, people: bool = False) -> Fact:
        return Fact(label=str(label), cell=self.count(key, label, value, people=people))

    def memo(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = make()
        return self.cache[name]


def fact(label: Any, text: Any) -> Fact:
    return Fact(label=str(label), cell=Cell(text=str(text)))


def text_cell(text: Any) -> Cell:
    return Cell(text=str(text))


def count_table(
    builder: Builder,
    *,
    caption: Any,
    header: Iterable[Any],
    rows: Iterable[tuple[str, str, int]],
    people: bool = False,
) -> Table:
    """A two-column table of (label, figure key, count) rows."""
    return Table(
        caption=str(caption),
        header=[str(h) for h in header],
        rows=[
            [text_cell(label), builder.count(key, label, value, people=people)]
            for label, key, value in rows
        ],
    )


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def period(start: dt.date, end: dt.date) -> str:
    return day(start) if start == end else f"{day(start)} – {day(end)}"


def label_of(choices: Any, value: str, empty: Any = "") -> str:
    if not value:
        return str(empty)
    return str(dict(choices).get(value, value))


# -- how a finding is worded (¶15: a single-source statement is never reported as fact) ---

SEVERITY_LABEL = dict(Finding.Severity.choices)


def is_fact(finding: Any) -> bool:
    triangulation = finding["triangulation"] if isinstance(finding, dict) else finding.triangulation
    established = finding["established"] if isinstance(finding, dict) else finding.established
    return bool(established) or triangulation in (
        Finding.Triangulation.CORROBORATED,
        Finding.Triangulation.SYSTEMIC,
    )


def _sentence(statement: str) -> str:
    text = " ".join((statement or "").split()).strip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def _lowered(text: str) -> str:
    """Lower the first letter when the sentence is embedded, unless it starts an acronym."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def finding_wording(finding: Any) -> str:
    """A concern's statement as the report may say it: as fact only when corroborated or
    established; otherwise as what the delegation was told. Never attributed."""
    statement = finding["statement"] if isinstance(finding, dict) else finding.statement
    sentence = _sentence(statement)
    if is_fact(finding):
        return sentence
    return _("The delegation received allegations that %(statement)s") % {
        "statement": _lowered(sentence)
    }


def finding_line(finding: Any, suffix: str = "") -> str:
    severity = finding["severity"] if isinstance(finding, dict) else finding.severity
    label = SEVERITY_LABEL.get(severity, "")
    head = f"**{label}.** " if label else ""
    return f"- {head}{finding_wording(finding)}{suffix}"


# -- building ----------------------------------------------------------------------------------


def _builders() -> dict[str, Callable[[Builder, str], list[Block]]]:
    from habeas.reports import content_periodic, content_visit

    return {
        "visit": content_visit.visit_section,
        "follow_up": content_visit.follow_up_section,
        "urgent": content_visit.urgent_section,
        "thematic": content_periodic.thematic_section,
        "annual": content_periodic.annual_section,
    }


def npm_name() -> str:
    return str(getattr(settings, "HABEAS_NPM_NAME", "") or settings.OTP_TOTP_ISSUER)


def direction_of(language: str) -> str:
    try:
        return "rtl" if translation.get_language_info(language)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


def subtitle_of(report: Report) -> str:
    from habeas.reports.models import Kind

    parts = [str(Kind(report.kind).label)]
    if report.visit_id and report.visit is not None:
        parts.append(report.visit.reference)
    if report.place_id and report.place is not None:
        parts.append(report.place.name)
    if report.period_start and report.period_end:
        parts.append(period(report.period_start, report.period_end))
    if report.year:
        parts.append(str(report.year))
    return " · ".join(parts)


def build_live(
    *,
    user: Any,
    report: Report,
    version: ReportVersion,
    state: str | None = None,
    dated: dt.date | None = None,
    signed_by: str = "",
) -> Content:
    """The content read now from the records as `user` (whatever the version's state)."""
    builder = Builder(user, report)
    build = _builders()[report.kind]
    omitted = set(version.public_omit or [])
    sections = []
    with translation.override(report.language):
        for spec in kinds.SECTIONS[report.kind]:
            sections.append(
                Section(
                    key=spec.key,
                    title=str(spec.title),
                    blocks=build(builder, spec.key),
                    narrative=str((version.sections or {}).get(spec.key, "")),
                    confidential=spec.key in omitted,
                )
            )
        subtitle = subtitle_of(report)
    return Content(
        reference=report.reference,
        kind=report.kind,
        title=report.title,
        subtitle=subtitle,
        language=report.language,
        direction="rtl" if direction_of(report.language) == "rtl" else "ltr",
        npm_name=npm_name(),
        version=version.number,
        state=state or version.state,
        dated=(dated or timezone.localdate()).isoformat(),
        signed_by=signed_by,
        sections=sections,
        figures=builder.figures,
        variant="confidential",
        k=report.k,
    )


def build_content(*, user: Any, report: Report, version: ReportVersion) -> Content:
    """What `user` reads of `version`: frozen if signed, live from the records otherwise."""
    if version.state == State.SIGNED and version.content:
        return from_json(version.content)
    return build_live(user=user, report=report, version=version)


def initial_sections(*, user: Any, report: Report) -> dict[str, str]:
    """The narrative a new report starts with: short factual paragraphs from the records,
    in the report's language; sections without one start empty."""
    from habeas.reports import content_periodic, content_visit

    with translation.override(report.language):
        if report.kind in ("visit", "follow_up", "urgent"):
            filled = content_visit.initial(user, report)
        else:
            filled = content_periodic.initial(user, report)
    return {key: filled.get(key, "") for key in kinds.section_keys(report.kind)}
