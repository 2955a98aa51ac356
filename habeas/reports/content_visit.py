"""The sections of the reports drawn from one visit or place: the visit report (in the
APT's structure), the follow-up report and the urgent communication (¶19, 22, 24, 31a).

Every count is a figure (`Builder.count`) whose key `habeas.reports.figures` resolves to
the same records; every read goes through `restrict` as the reader.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from habeas.places.models import PopulationRecord
from habeas.recommendations.models import (
    Implementation,
    Recommendation,
    ResponseStatus,
    Verification,
)
from habeas.reports import selectors
from habeas.reports.content import (
    NONE,
    Builder,
    day,
    fact,
    finding_line,
    label_of,
    npm_name,
    period,
    text_cell,
)
from habeas.reports.content_types import Block, Cell, Chart, Fact, Facts, Series, Table, Text
from habeas.visits.models import Finding, Interview, Theme, Visit

THEMES = dict(Theme.choices)


def _visit(builder: Builder) -> Visit | None:
    report = builder.report
    if report.visit_id is None:
        return None
    return builder.memo(
        "visit",
        lambda: Visit.objects.select_related(
            "place", "place__category", "place__region", "place__authority"
        ).get(pk=report.visit_id),
    )


def _previous(builder: Builder) -> Visit | None:
    visit = _visit(builder)
    if visit is None:
        return None
    return builder.memo("previous", lambda: selectors.previous_visit(builder.user, visit))


def people_held(label: Any, population: int | None) -> Fact:
    """A place's population as a count of people (hidden under k in the public version);
    "—" when none is recorded."""
    if population is None:
        return fact(label, "—")
    return Fact(label=str(label), cell=Cell(text=str(population), value=population, people=True))


def _population(place_id: int, on: Any = None) -> PopulationRecord | None:
    rows = PopulationRecord.objects.filter(place_id=place_id)
    if on is not None:
        rows = rows.filter(recorded_on__lte=on)
    return rows.order_by("-recorded_on").first()


# -- the visit report -----------------------------------------------------------------------


def visit_section(builder: Builder, key: str) -> list[Block]:
    visit = _visit(builder)
    if visit is None:
        return []
    return {
        "summary": lambda: [],
        "visit": lambda: _the_visit(builder, visit),
        "place": lambda: _the_place(builder, visit),
        "changes": lambda: _changes(builder, visit),
        "findings": lambda: _findings(builder, visit),
        "good_practices": lambda: _good_practices(builder, visit),
        "recommendations": lambda: _recommendations(builder, visit),
    }[key]()


def _the_visit(builder: Builder, visit: Visit) -> list[Block]:
    previous = _previous(builder)
    first = (
        _("Follow-up: the place was last visited on %(date)s") % {"date": day(previous.starts_on)}
        if previous
        else _("First visit to this place")
    )
    themes = ", ".join(str(THEMES.get(t, t)) for t in visit.themes) or "—"
    facts = Facts(
        items=[
            fact(_("Reference"), visit.reference),
            fact(_("Type of visit"), visit.get_kind_display()),
            fact(_("First visit or follow-up"), first),
            fact(_("Dates"), period(visit.starts_on, visit.ends_on)),
            fact(_("Notice"), _("Announced") if visit.announced else _("Unannounced")),
            fact(_("Focus"), themes),
        ]
    )
    if visit.objectives:
        facts.items.append(fact(_("Objectives"), " ".join(visit.objectives.split())))
    by_kind = dict(
        selectors.visit_interviews(builder.user, visit.pk)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = Facts(
        items=[
            builder.count_fact(
                "visit.interviews", _("Interviews"), sum(by_kind.values()), people=True
            )
        ]
    )
    for kind, label in Interview.Kind.choices:
        counts.items.append(
            builder.count_fact(f"visit.interviews.{kind}", label, by_kind.get(kind, 0), people=True)
        )
    seen = selectors.visit_units_seen(builder.user, visit.pk).count()
    total = selectors.place_units(builder.user, visit.place_id).count()
    counts.items.append(builder.count_fact("visit.units.seen", _("Units seen"), seen))
    counts.items.append(builder.count_fact("visit.units.total", _("Units of the place"), total))
    team = Table(
        caption=_("The delegation"),
        header=[_("Name"), _("Role")],
        rows=[
            [text_cell(a.user.full_name or a.user.email), text_cell(a.get_role_display())]
            for a in selectors.visit_team(builder.user, visit.pk).order_by("role", "assigned_at")
        ],
        confidential=True,
    )
    return [facts, counts, team]


def _the_place(builder: Builder, visit: Visit) -> list[Block]:
    place = visit.place
    population = _population(place.pk, visit.ends_on) or _population(place.pk)
    items = [
        fact(_("Name"), place.name),
        fact(_("Category"), place.category.name),
        fact(_("Region"), place.region.name if place.region else "—"),
        fact(_("Supervising authority"), place.authority.name if place.authority else "—"),
        fact(_("Operator"), place.get_operator_display()),
        fact(_("Capacity"), place.capacity if place.capacity is not None else "—"),
    ]
    if population is not None:
        items.append(people_held(_("People held"), population.population))
        items.append(fact(_("Population recorded on"), day(population.recorded_on)))
        if place.capacity:
            rate = round(100 * population.population / place.capacity)
            # Marked as a count of people (without a value of its own): with the
            # capacity it gives the population away, so the public version hides it
            # whenever it hides the population beside it.
            items.append(Fact(label=_("Occupancy"), cell=Cell(text=f"{rate} %", people=True)))
    units = selectors.place_units(builder.user, place.pk).count()
    items.append(builder.count_fact("place.units", _("Units"), units))
    return [Facts(items=items)]


def _recommendation_rows(
    rows: Any, *, columns: tuple[str, ...] = ("reference", "text", "response", "implementation")
) -> list[list[Cell]]:
    out = []
    for rec in rows:
        cells = {
            "reference": text_cell(rec.reference),
            "text": text_cell(" ".join(rec.text.split())),
            "priority": text_cell(rec.get_priority_display()),
            "deadline": text_cell(day(rec.deadline)),
            "response": text_cell(
                label_of(ResponseStatus.choices, rec.response, _("No response recorded"))
            ),
            "implementation": text_cell(
                label_of(Implementation.choices, rec.implementation, _("Not verified yet"))
            ),
            "place": text_cell(rec.place.name if rec.place_id and rec.place else "—"),
        }
        out.append([cells[c] for c in columns])
    return out


def _changes(builder: Builder, visit: Visit) -> list[Block]:
    previous = _previous(builder)
    if previous is None:
        return [Text(markdown=_("This was the delegation's first visit to this place."))]
    then = _population(visit.place_id, previous.ends_on)
    now = _population(visit.place_id, visit.ends_on)
    items = [
        fact(
            _("Previous visit"),
            f"{previous.reference}, {period(previous.starts_on, previous.ends_on)}",
        ),
        people_held(_("People held then"), then.population if then else None),
        people_held(_("People held at this visit"), now.population if now else None),
    ]
    recs = (
        selectors.recommendations(builder.user).filter(visit_id=previous.pk).order_by("reference")
    )
    items.append(
        builder.count_fact(
            "changes.recommendations", _("Recommendations made after that visit"), recs.count()
        )
    )
    table = Table(
        caption=_("Recommendations of the previous visit and what became of them"),
        header=[_("Reference"), _("Recommendation"), _("Response"), _("Implementation")],
        rows=_recommendation_rows(recs),
    )
    return [Facts(items=items), table]


def _concerns(builder: Builder, visit: Visit) -> list[dict[str, Any]]:
    return builder.memo(
        "concerns",
        lambda: list(
            selectors.visit_findings(builder.user, visit.pk)
            .filter(kind=Finding.Kind.CONCERN)
            .values("id", "theme", "severity", "statement", "triangulation", "established")
            .order_by("theme", "id")
        ),
    )


SEVERITY_ORDER = {Finding.Severity.URGENT: 0, Finding.Severity.KEY: 1, Finding.Severity.GENERAL: 2}


def _findings(builder: Builder, visit: Visit) -> list[Block]:
    concerns = _concerns(builder, visit)
    by_theme: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in concerns:
        by_theme[row["theme"]].append(row)
    themes = [t for t in Theme.values if t in by_theme]
    blocks: list[Block] = []
    counts = Facts(
        items=[
            builder.count_fact(f"visit.findings.theme.{t}", THEMES[t], len(by_theme.get(t, [])))
            for t in themes
        ]
    )
    if themes:
        blocks.append(counts)
        blocks.append(
            Chart(
                kind="bar",
                title=_("Concerns by theme"),
                labels=[str(THEMES[t]) for t in themes],
                series=[
                    Series(
                        name=str(label),
                        values=[
                            sum(1 for r in by_theme[t] if r["severity"] == severity) for t in themes
                        ],
                    )
                    for severity, label in Finding.Severity.choices
                ],
            )
        )
    for theme in themes:
        rows = sorted(
            by_theme[theme], key=lambda r: (SEVERITY_ORDER.get(r["severity"], 3), r["id"])
        )
        lines = "\n".join(finding_line(r) for r in rows)
        blocks.append(Text(markdown=f"#### {THEMES[theme]}\n\n{lines}"))
    if not themes:
        blocks.append(Text(markdown=_("No concern is recorded for this visit.")))
    return blocks


def _good_practices(builder: Builder, visit: Visit) -> list[Block]:
    rows = list(
        selectors.visit_findings(builder.user, visit.pk)
        .filter(kind=Finding.Kind.GOOD_PRACTICE)
        .order_by("theme", "id")
        .values_list("theme", "statement")
    )
    blocks: list[Block] = [
        Facts(items=[builder.count_fact("visit.good_practices", _("Good practices"), len(rows))])
    ]
    if rows:
        lines = "\n".join(f"- **{THEMES.get(t, t)}.** {' '.join(s.split())}" for t, s in rows)
        blocks.append(Text(markdown=lines))
    return blocks


def _recommendations(builder: Builder, visit: Visit) -> list[Block]:
    recs = list(
        selectors.recommendations(builder.user)
        .filter(visit_id=visit.pk)
        .select_related("addressee")
        .order_by("addressee__name", "reference")
    )
    blocks: list[Block] = [
        Facts(items=[builder.count_fact("visit.recommendations", _("Recommendations"), len(recs))])
    ]
    groups: dict[Any, list[Recommendation]] = defaultdict(list)
    for rec in recs:
        groups[rec.addressee].append(rec)
    for addressee, rows in groups.items():
        blocks.append(
            Table(
                caption=_("Addressed to %(name)s") % {"name": addressee.name}
                if addressee
                else _("No addressee yet"),
                header=[_("Reference"), _("Recommendation"), _("Priority"), _("Deadline")],
                rows=_recommendation_rows(
                    rows, columns=("reference", "text", "priority", "deadline")
                ),
            )
        )
    return blocks


# -- the follow-up report ---------------------------------------------------------------------


def _followed(builder: Builder) -> Any:
    report = builder.report
    visit = _visit(builder)
    before = visit.starts_on if visit is not None else None
    return selectors.place_recommendations_before(builder.user, report.place_id or 0, before)


def follow_up_section(builder: Builder, key: str) -> list[Block]:
    if key != "earlier_recommendations" or builder.report.place_id is None:
        return []
    recs = list(_followed(builder).order_by("sent_on", "reference"))
    verifications: dict[int, list[Verification]] = defaultdict(list)
    for row in (
        Verification.objects.restrict(builder.user, "view")
        .filter(recommendation__in=[r.pk for r in recs])
        .order_by("verified_on", "id")
    ):
        verifications[row.recommendation_id].append(row)
    counts = Facts(
        items=[
            builder.count_fact("follow_up.recommendations", _("Earlier recommendations"), len(recs))
        ]
    )
    by_status: dict[str, int] = defaultdict(int)
    for rec in recs:
        by_status[rec.implementation or NONE] += 1
    for status, label in [*Implementation.choices, (NONE, _("Not verified yet"))]:
        counts.items.append(
            builder.count_fact(
                f"follow_up.implementation.{status}", label, by_status.get(status, 0)
            )
        )
    rows = []
    for rec, cells in zip(recs, _recommendation_rows(recs), strict=True):
        evidence = "; ".join(
            f"{day(v.verified_on)}: {v.get_status_display()} ({v.get_evidence_display()})"
            + (f" — {' '.join(v.note.split())}" if v.note else "")
            for v in verifications.get(rec.pk, [])
        )
        rows.append([*cells, text_cell(evidence or _("No verification recorded"))])
    table = Table(
        caption=_("Earlier recommendations, their response and implementation"),
        header=[
            _("Reference"),
            _("Recommendation"),
            _("Response"),
            _("Implementation"),
            _("Evidence"),
        ],
        rows=rows,
    )
    chart = Chart(
        kind="bar",
        title=_("Earlier recommendations by implementation"),
        labels=[
            str(label) for _s, label in [*Implementation.choices, (NONE, _("Not verified yet"))]
        ],
        series=[
            Series(
                name=str(_("Recommendations")),
                values=[by_status.get(s, 0) for s, _l in [*Implementation.choices, (NONE, "")]],
            )
        ],
    )
    return [counts, chart, table]


# -- the urgent communication ------------------------------------------------------------------


def _urgent(builder: Builder) -> Recommendation | None:
    pk = builder.report.recommendation_id
    if pk is None:
        return None
    return builder.memo(
        "urgent",
        lambda: (
            selectors.recommendations(builder.user)
            .select_related("addressee")
            .filter(pk=pk)
            .first()
        ),
    )


def urgent_section(builder: Builder, key: str) -> list[Block]:
    visit, rec = _visit(builder), _urgent(builder)
    if key != "letter" or visit is None or rec is None:
        return []
    addressee = builder.report.addressee or rec.addressee
    items = [
        fact(_("Addressee"), addressee.name if addressee else "—"),
        fact(_("Place"), visit.place.name),
        fact(_("Visit"), f"{visit.reference}, {period(visit.starts_on, visit.ends_on)}"),
        fact(_("Recommendation"), rec.reference),
        fact(_("Priority"), rec.get_priority_display()),
        fact(_("Deadline"), day(rec.deadline)),
    ]
    return [Facts(items=items), Text(markdown="> " + " ".join(rec.text.split()))]


# -- pre-filled narrative -----------------------------------------------------------------------


def initial(user: Any, report: Any) -> dict[str, str]:
    builder = Builder(user, report)
    visit = _visit(builder)
    if report.kind == "visit" and visit is not None:
        return {"summary": _visit_summary(builder, visit)}
    if report.kind == "follow_up" and report.place_id:
        return {"summary": _follow_up_summary(builder)}
    if report.kind == "urgent" and visit is not None:
        rec = _urgent(builder)
        if rec is not None:
            return {"letter": _letter(builder, visit, rec)}
    return {}


def _visit_summary(builder: Builder, visit: Visit) -> str:
    place = visit.place
    seen = selectors.visit_units_seen(builder.user, visit.pk).count()
    total = selectors.place_units(builder.user, place.pk).count()
    previous = _previous(builder)
    text = _(
        "From %(start)s to %(end)s, a delegation of %(npm)s made an %(notice)s %(kind)s visit "
        "to %(place)s, a place of the category “%(category)s”%(region)s."
    ) % {
        "start": day(visit.starts_on),
        "end": day(visit.ends_on),
        "npm": npm_name(),
        "notice": _("announced") if visit.announced else _("unannounced"),
        "kind": visit.get_kind_display().lower(),
        "place": place.name,
        "category": place.category.name,
        "region": _(" in %(region)s") % {"region": place.region.name} if place.region else "",
    }
    text += " " + (
        _("The place had last been visited on %(date)s.") % {"date": day(previous.starts_on)}
        if previous
        else _("It was the first visit to this place.")
    )
    text += " " + _("The delegation saw %(seen)d of the %(total)d units of the place.") % {
        "seen": seen,
        "total": total,
    }
    return text


def _follow_up_summary(builder: Builder) -> str:
    count = _followed(builder).count()
    return _(
        "This report follows up the %(n)d recommendations made to %(place)s, and what the "
        "authorities have done about them."
    ) % {"n": count, "place": builder.report.place.name if builder.report.place else ""}


def _letter(builder: Builder, visit: Visit, rec: Recommendation) -> str:
    addressee = builder.report.addressee or rec.addressee
    deadline = day(rec.deadline) if rec.deadline else _("without delay")
    return "\n\n".join(
        [
            _("Dear Sir or Madam,"),
            _(
                "During its visit to %(place)s from %(start)s to %(end)s, the delegation of "
                "%(npm)s found a situation that requires urgent action. Under its mandate, "
                "%(npm)s makes the urgent recommendation below to %(addressee)s and asks to "
                "be informed of the measures taken by %(deadline)s."
            )
            % {
                "place": visit.place.name,
                "start": day(visit.starts_on),
                "end": day(visit.ends_on),
                "npm": npm_name(),
                "addressee": addressee.name if addressee else _("the authority concerned"),
                "deadline": deadline,
            },
            _("Yours faithfully,"),
        ]
    )
