"""The sections of each kind of report, in the order practitioners use (¶19, 22, 31d, 38).

Visit reports follow the APT's structure; annual reports the SPT's list of what an
annual report covers (¶38). A section has a narrative (Markdown written by the team)
and generated blocks (facts, tables, charts, text) built from the records by
`habeas.reports.content`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from habeas.reports.models import Kind


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str | Promise
    narrative: bool = True
    help: str | Promise = ""


SECTIONS: dict[str, tuple[SectionSpec, ...]] = {
    Kind.VISIT: (
        SectionSpec(
            "summary",
            _("Executive summary"),
            help=_("The visit and its main findings in a few paragraphs."),
        ),
        SectionSpec(
            "visit", _("The visit"), help=_("Team, dates, first or follow-up visit, focus.")
        ),
        SectionSpec("place", _("The place"), help=_("Type, size and occupancy of the place.")),
        SectionSpec("changes", _("Changes since the last visit")),
        SectionSpec(
            "findings",
            _("Findings"),
            help=_(
                "By theme. Only corroborated findings are stated as fact; never attribute "
                "anything to an interview or a person."
            ),
        ),
        SectionSpec("good_practices", _("Good practices")),
        SectionSpec("recommendations", _("Recommendations"), help=_("By addressee.")),
    ),
    Kind.FOLLOW_UP: (
        SectionSpec("summary", _("Summary")),
        SectionSpec(
            "earlier_recommendations",
            _("Earlier recommendations"),
            help=_("What became of each earlier recommendation, with its evidence."),
        ),
        SectionSpec("conclusions", _("Conclusions")),
    ),
    Kind.THEMATIC: (
        SectionSpec("summary", _("Summary")),
        SectionSpec("scope", _("Scope and method")),
        SectionSpec("findings", _("Findings")),
        SectionSpec("good_practices", _("Good practices")),
        SectionSpec("recommendations", _("Recommendations")),
    ),
    Kind.ANNUAL: (
        SectionSpec("challenges", _("Challenges and plans")),
        SectionSpec("activities", _("Activities")),
        SectionSpec("findings", _("The most important findings")),
        SectionSpec(
            "recommendations",
            _("Recommendations, responses and implementation"),
        ),
        SectionSpec("follow_up", _("Follow-up of earlier reports")),
        SectionSpec("thematic", _("Thematic issues")),
        SectionSpec("cooperation", _("Cooperation with other actors")),
        SectionSpec("difficulties", _("Operational difficulties"), help=_("¶31b.")),
    ),
    Kind.URGENT: (
        SectionSpec(
            "letter",
            _("Letter"),
            help=_("The addressee, the matter, the urgent recommendation and its deadline."),
        ),
    ),
}


def section_keys(kind: str) -> list[str]:
    return [spec.key for spec in SECTIONS.get(kind, ())]


def section_spec(kind: str, key: str) -> SectionSpec | None:
    return next((spec for spec in SECTIONS.get(kind, ()) if spec.key == key), None)


def section_title(kind: str, key: str) -> str:
    spec = section_spec(kind, key)
    return str(spec.title) if spec else key
