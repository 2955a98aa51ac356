"""What a report is made of, as plain data (¶19, 21, 22, 38).

`habeas.reports.content` builds it from the records (through `restrict`), the pages, the
PDF and the DOCX draw it, the publication check reads its text, and a signed version
stores it as JSON so that it never changes afterwards. The public version is the same
structure with the confidential sections left out, redactions applied and counts of
people under k hidden (`habeas.reports.publication.public_content`).

Every count is a `Figure` with a key: inside the NPM, a count links to
`/reports/<pk>/figures/<key>/`, the list of the records behind it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass
class Figure:
    """A count from the records. `people` marks a count of people (interviews, detainees,
    allegations): the public version hides it when it is under k. `suppressed` is set by
    that transformation, and `value` is then None."""

    key: str
    label: str
    value: int | None
    people: bool = False
    linked: bool = True
    suppressed: bool = False


@dataclass
class Cell:
    """A table cell: text, or a count (then `figure` names the figure it shows)."""

    text: str
    figure: str | None = None
    value: int | None = None
    people: bool = False
    suppressed: bool = False


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[Cell]]
    confidential: bool = False  # e.g. the team's names: never in the public version
    type: Literal["table"] = "table"


@dataclass
class Fact:
    label: str
    cell: Cell


@dataclass
class Facts:
    """A short list of labelled values (dates, team size, place type...); a value that
    is a count names its figure in its cell."""

    items: list[Fact]
    confidential: bool = False
    type: Literal["facts"] = "facts"


@dataclass
class Series:
    name: str
    values: list[int | None]


@dataclass
class MapPin:
    name: str
    latitude: float | None
    longitude: float | None


@dataclass
class Chart:
    """A chart's data; its SVG is drawn by `habeas.reports.charts.svg(chart)` when the
    page, PDF or DOCX is rendered, so the three show the same picture. `kind`: "bar"
    (categories × series), "line" (periods × series) or "map" (pins)."""

    kind: Literal["bar", "line", "map"]
    title: str
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    pins: list[MapPin] = field(default_factory=list)
    people: bool = False
    type: Literal["chart"] = "chart"


@dataclass
class Text:
    """Generated text from the records (a finding's statement, a recommendation), in
    Markdown; redactions and the publication check apply to it as to the narrative."""

    markdown: str
    confidential: bool = False
    type: Literal["text"] = "text"


Block = Table | Facts | Chart | Text


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    narrative: str = ""  # Markdown, from the version's `sections[key]`
    confidential: bool = False  # kept out of the public version


@dataclass
class Content:
    reference: str
    kind: str
    title: str
    subtitle: str
    language: str
    direction: Literal["ltr", "rtl"]
    npm_name: str
    version: int
    state: str
    dated: str  # ISO date: the signature's, or today's for a draft
    signed_by: str
    sections: list[Section]
    figures: dict[str, Figure] = field(default_factory=dict)
    variant: str = "confidential"
    k: int = 5


def to_json(content: Content) -> dict[str, Any]:
    return asdict(content)


def _block(data: dict[str, Any]) -> Block:
    kind = data.get("type")
    if kind == "table":
        return Table(
            caption=data["caption"],
            header=list(data["header"]),
            rows=[[Cell(**cell) for cell in row] for row in data["rows"]],
            confidential=bool(data.get("confidential", False)),
        )
    if kind == "facts":
        return Facts(
            items=[Fact(label=i["label"], cell=Cell(**i["cell"])) for i in data["items"]],
            confidential=bool(data.get("confidential", False)),
        )
    if kind == "chart":
        return Chart(
            kind=data["kind"],
            title=data["title"],
            labels=list(data.get("labels", [])),
            series=[Series(**s) for s in data.get("series", [])],
            pins=[MapPin(**p) for p in data.get("pins", [])],
            people=bool(data.get("people", False)),
        )
    if kind == "text":
        return Text(markdown=data["markdown"], confidential=bool(data.get("confidential", False)))
    raise ValueError(f"unknown block type {kind!r}")


def from_json(data: dict[str, Any]) -> Content:
    sections = [
        Section(
            key=s["key"],
            title=s["title"],
            blocks=[_block(b) for b in s.get("blocks", [])],
            narrative=s.get("narrative", ""),
            confidential=bool(s.get("confidential", False)),
        )
        for s in data["sections"]
    ]
    figures = {key: Figure(**value) for key, value in data.get("figures", {}).items()}
    values = {k: v for k, v in data.items() if k not in {"sections", "figures"}}
    return Content(sections=sections, figures=figures, **values)
