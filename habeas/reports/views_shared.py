"""What the reports' pages share: finding a report and its version through `restrict`
(404 to whoever may not see it, 403 to whoever sees it but may not do this), and a
report's content shaped for a template (every count a link to the records behind it,
inside the NPM; no link, and no hidden count, in the public version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.reports import charts, kinds, markdown, publication
from habeas.reports.content_types import Cell, Chart, Content, Facts, Table, Text
from habeas.reports.models import Report, ReportVersion, State
from habeas.visits.models import Theme


def allow(user: Any, permission: str | None = None) -> None:
    """404 to whoever may not see reports at all; 403 to whoever sees them but lacks
    the permission named."""
    if not roles.can(user, "reports.view"):
        raise Http404
    if permission and not roles.can(user, permission):
        raise PermissionDenied


def report_for(request: HttpRequest, pk: int, action: str = "view") -> Report:
    """The report if the user sees it (else 404); for another action, 403 unless the user
    may take it on this report."""
    user = request.user
    allow(user)
    seen = Report.objects.restrict(user, "view").select_related(
        "visit", "visit__place", "place", "recommendation", "addressee", "published_version"
    )
    report = get_object_or_404(seen, pk=pk)
    if action != "view" and not may(user, report, action):
        raise PermissionDenied
    return report


def may(user: Any, report: Report, action: str) -> bool:
    return Report.objects.restrict(user, action).filter(pk=report.pk).exists()


def versions_of(user: Any, report: Report) -> Any:
    return (
        ReportVersion.objects.restrict(user, "view")
        .filter(report=report)
        .select_related("created_by", "reviewed_by", "signed_by")
    )


def latest_of(user: Any, report: Report) -> ReportVersion:
    version = versions_of(user, report).order_by("-number").first()
    if version is None:  # a report always has a version; none means it is not ours to see
        raise Http404
    return version


def version_named(request: HttpRequest, report: Report) -> ReportVersion:
    """The version `?v=<number>` names, else the latest one."""
    number = request.GET.get("v", "")
    if number.isdigit():
        return get_object_or_404(versions_of(request.user, report), number=int(number))
    return latest_of(request.user, report)


def section_choices(report: Report) -> list[tuple[str, str]]:
    return [(spec.key, str(spec.title)) for spec in kinds.SECTIONS.get(report.kind, ())]


def is_draft(version: ReportVersion) -> bool:
    return version.state == State.DRAFT


def scope_of(report: Report) -> str:
    """What a report covers, in a few words: its visit, place, theme and period, or year."""
    parts = []
    if report.visit is not None:
        parts.append(
            _("Visit %(ref)s to %(place)s")
            % {"ref": report.visit.reference, "place": report.visit.place.name}
        )
    elif report.place is not None:
        parts.append(report.place.name)
    if report.theme:
        parts.append(str(dict(Theme.choices).get(report.theme, report.theme)))
    if report.period_start or report.period_end:
        start = report.period_start.isoformat() if report.period_start else "…"
        end = report.period_end.isoformat() if report.period_end else "…"
        parts.append(f"{start} – {end}")
    if report.year:
        parts.append(_("Year %(year)s") % {"year": report.year})
    return " · ".join(parts)


# -- the content, shaped for a template -------------------------------------------------------


@dataclass
class ShownCell:
    text: str
    href: str = ""
    suppressed: bool = False
    count: bool = False
    withheld: bool = False  # hidden because it would give a hidden count away


@dataclass
class ShownBlock:
    type: str
    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[ShownCell]] = field(default_factory=list)
    items: list[tuple[str, ShownCell]] = field(default_factory=list)
    html: SafeString | str = ""
    confidential: bool = False


@dataclass
class ShownSection:
    key: str
    title: str
    narrative: SafeString | str
    blocks: list[ShownBlock]
    confidential: bool
    kept_out: bool
    help: str = ""


class ContentShaper:
    """Turns a `Content` into sections of blocks a template draws without logic.

    `report` set: counts link to `reports:figure` (with `?v=` for an older version), as
    an NPM reader may follow them; None (the public version): no link at all."""

    def __init__(
        self, content: Content, *, report: Report | None, version: ReportVersion | None = None
    ) -> None:
        self.content = content
        self.report = report
        self.version_query = ""
        if report is not None and version is not None:
            self.version_query = f"?v={version.number}"
        self.public_omit = set(version.public_omit or []) if version is not None else set()
        self.helps = {
            spec.key: str(spec.help or "") for spec in kinds.SECTIONS.get(content.kind, ())
        }

    def sections(self) -> list[ShownSection]:
        return [
            ShownSection(
                key=section.key,
                title=section.title,
                narrative=markdown.render(section.narrative) if section.narrative else "",
                blocks=[
                    self.block(block, f"{section.key}-{n}")
                    for n, block in enumerate(section.blocks)
                ],
                confidential=section.confidential,
                kept_out=section.confidential or section.key in self.public_omit,
                help=self.helps.get(section.key, ""),
            )
            for section in self.content.sections
        ]

    def block(self, block: Any, chart_id: str) -> ShownBlock:
        if isinstance(block, Table):
            return ShownBlock(
                type="table",
                caption=block.caption,
                header=list(block.header),
                rows=[[self.cell(cell) for cell in row] for row in block.rows],
                confidential=block.confidential,
            )
        if isinstance(block, Facts):
            items = [(fact.label, self.cell(fact.cell)) for fact in block.items]
            return ShownBlock(type="facts", items=items, confidential=block.confidential)
        if isinstance(block, Chart):
            return ShownBlock(
                type="chart", caption=block.title, html=charts.svg(block, chart_id=chart_id)
            )
        if isinstance(block, Text):
            return ShownBlock(
                type="text", html=markdown.render(block.markdown), confidential=block.confidential
            )
        raise ValueError(f"unknown block {block!r}")

    def cell(self, cell: Cell) -> ShownCell:
        if cell.suppressed:
            if cell.text and publication.is_withheld(cell, self.content.k):
                # Secondary suppression: its own value may be k or more.
                return ShownCell(text=cell.text, suppressed=True, count=True, withheld=True)
            return ShownCell(
                text=_("fewer than %(k)s") % {"k": self.content.k}, suppressed=True, count=True
            )
        if not cell.figure:
            return ShownCell(text=cell.text)
        text = cell.text or ("" if cell.value is None else str(cell.value))
        figure = self.content.figures.get(cell.figure)
        linked = figure.linked if figure is not None else True
        if self.report is None or not linked:
            return ShownCell(text=text, count=True)
        href = reverse("reports:figure", kwargs={"pk": self.report.pk, "key": cell.figure})
        return ShownCell(text=text, href=href + self.version_query, count=True)
