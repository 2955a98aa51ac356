"""Reads for the assessment tool; every one starts from `restrict`.

Figures (progress, section scores, comparisons, the overview of an assessing body) are
computed from a handful of queries per assessment, never one per criterion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from habeas.accounts import roles
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    Criterion,
    Evidence,
    Membership,
    Organisation,
    Rating,
    Section,
)

MAX_POINTS = max(Rating.POINTS.values())


def organisation_of(*, user: Any) -> Organisation | None:
    """The organisation a user works for: their membership, else this NPM."""
    membership = Membership.objects.select_related("organisation").filter(user=user).first()
    if membership is not None:
        return membership.organisation
    return Organisation.objects.filter(is_home=True).first()


def organisation_users(*, organisation: Organisation) -> QuerySet[Any]:
    """The active people who work for an organisation (this NPM's staff have no membership)."""
    from habeas.accounts.models import User

    people = User.objects.filter(is_active=True).exclude(role="")
    if organisation.is_home:
        return people.filter(assessment_membership__isnull=True)
    return people.filter(assessment_membership__organisation=organisation)


def is_assessing_body_member(*, user: Any) -> bool:
    organisation = organisation_of(user=user)
    return organisation is not None and organisation.kind != Organisation.Kind.NPM


# Lists ------------------------------------------------


def assessment_list(*, user: Any) -> QuerySet[Assessment]:
    """The assessments a user may see, newest first."""
    return (
        Assessment.objects.restrict(user, "view")
        .select_related("subject", "made_by", "framework_version__framework")
        .order_by("subject__name", "subject_id", "-period_end", "-revision", "-id")
    )


def assessment_for_view(*, user: Any, pk: int) -> QuerySet[Assessment]:
    return Assessment.objects.restrict(user, "view").filter(pk=pk)


def grouped_by_subject(assessments: Iterable[Assessment]) -> list[tuple[Organisation, list]]:
    groups: dict[int, tuple[Organisation, list[Assessment]]] = {}
    for assessment in assessments:
        groups.setdefault(assessment.subject_id, (assessment.subject, []))[1].append(assessment)
    return list(groups.values())


def may_change(*, user: Any, assessment: Assessment) -> bool:
    return Assessment.objects.restrict(user, "change").filter(pk=assessment.pk).exists()


def may_share(*, user: Any, assessment: Assessment) -> bool:
    organisation = organisation_of(user=user)
    return (
        roles.can(user, "assessment.share")
        and organisation is not None
        and assessment.is_self_assessment
        and assessment.subject_id == organisation.pk
    )


def share_candidates(*, assessment: Assessment) -> QuerySet[Organisation]:
    """Organisations a self-assessment could still be shared with."""
    shared = assessment.shares.values("organisation_id")
    return Organisation.objects.exclude(pk=assessment.subject_id).exclude(pk__in=shared)


# Criteria and their status ------------------------------------------------


@dataclass
class CriterionStatus:
    """One line of the entry page's side list."""

    criterion: Criterion
    level: str
    evidenced: bool

    @property
    def rated(self) -> bool:
        return bool(self.level)

    @property
    def level_label(self) -> str:
        return str(Rating.Level(self.level).label) if self.level else ""


def criterion_statuses(*, assessment: Assessment) -> list[CriterionStatus]:
    """Every criterion of the assessment, in order, with its rating and whether it has evidence."""
    levels = dict(assessment.ratings.values_list("criterion_id", "level"))
    evidenced = set(assessment.evidence.values_list("criterion_id", flat=True))
    criteria = assessment.framework_version.criteria.select_related("section").order_by(
        "position", "id"
    )
    return [
        CriterionStatus(criterion, levels.get(criterion.pk, ""), criterion.pk in evidenced)
        for criterion in criteria
    ]


def first_to_rate(statuses: list[CriterionStatus]) -> Criterion | None:
    """Where to resume work: the first criterion not yet rated, else the first."""
    for status in statuses:
        if not status.rated:
            return status.criterion
    return statuses[0].criterion if statuses else None


def neighbours(
    statuses: list[CriterionStatus], criterion: Criterion
) -> tuple[Criterion | None, Criterion | None]:
    order = [status.criterion for status in statuses]
    index = next(i for i, item in enumerate(order) if item.pk == criterion.pk)
    before = order[index - 1] if index > 0 else None
    after = order[index + 1] if index + 1 < len(order) else None
    return before, after


def gaps(*, assessment: Assessment) -> QuerySet[Rating]:
    """Criteria rated not in place or partially in place: what an action plan closes."""
    return (
        assessment.ratings.filter(level__in=[Rating.Level.NOT_IN_PLACE, Rating.Level.PARTIALLY])
        .select_related("criterion")
        .order_by("criterion__position")
    )


def action_items(*, assessment: Assessment) -> QuerySet[ActionItem]:
    return assessment.action_items.select_related("owner", "criterion").order_by("deadline", "id")


# Indicators ------------------------------------------------


def indicator_readings(*, assessment: Assessment, criterion: Criterion) -> list[Any]:
    """A criterion's slots with their figures: frozen ones for a final assessment, today's
    otherwise; an unfilled slot reads "no data in Habeas yet", never zero."""
    from habeas.assessment import indicators  # written alongside; imported when needed

    return indicators.indicator_values(assessment=assessment, criterion=criterion)


def coverage_breakdown(*, assessment: Assessment, readings: list[Any]) -> Any:
    """Coverage of the inventory per category and region (¶9, 10, 36), for a criterion
    that shows a coverage figure; None otherwise or without data."""
    from habeas.assessment import indicators

    if not indicators.shows_breakdown(readings):
        return None
    return indicators.coverage_breakdown(assessment)


# Progress and section scores ------------------------------------------------


@dataclass
class Tally:
    """Counts for a group of criteria; the score averages points of rated applicable ones."""

    total: int = 0
    rated: int = 0
    evidenced: int = 0
    applicable: int = 0
    not_applicable: int = 0
    points: int = 0

    def add(self, level: str, evidenced: bool) -> None:
        self.total += 1
        self.rated += bool(level)
        self.evidenced += evidenced
        if level in Rating.POINTS:
            self.applicable += 1
            self.points += Rating.POINTS[level]
        elif level == Rating.Level.NOT_APPLICABLE:
            self.not_applicable += 1

    @property
    def score(self) -> float | None:
        """Per cent of the maximum; None when nothing applicable is rated (not zero)."""
        if not self.applicable:
            return None
        return round(100 * self.points / (MAX_POINTS * self.applicable), 1)

    @property
    def rated_percent(self) -> int:
        return round(100 * self.rated / self.total) if self.total else 0

    @property
    def evidenced_percent(self) -> int:
        return round(100 * self.evidenced / self.total) if self.total else 0


@dataclass
class SectionRow:
    section: Section
    depth: int
    tally: Tally = field(default_factory=Tally)

    @property
    def score(self) -> float | None:
        return self.tally.score


@dataclass
class Progress:
    overall: Tally
    sections: list[SectionRow]

    @property
    def total(self) -> int:
        return self.overall.total

    @property
    def rated(self) -> int:
        return self.overall.rated

    @property
    def evidenced(self) -> int:
        return self.overall.evidenced


def _section_rows(assessment: Assessment) -> tuple[Tally, list[SectionRow]]:
    sections = list(assessment.framework_version.sections.order_by("position", "id"))
    parents = {section.pk: section.parent_id for section in sections}
    rows = {section.pk: SectionRow(section, _depth(section.pk, parents)) for section in sections}
    overall = Tally()
    levels = dict(assessment.ratings.values_list("criterion_id", "level"))
    evidenced = set(assessment.evidence.values_list("criterion_id", flat=True))
    criteria = assessment.framework_version.criteria.values_list("pk", "section_id")
    for pk, section_id in criteria:
        level, has_evidence = levels.get(pk, ""), pk in evidenced
        overall.add(level, has_evidence)
        seen: set[int] = set()
        node: int | None = section_id
        while node is not None and node not in seen:
            seen.add(node)
            rows[node].tally.add(level, has_evidence)
            node = parents.get(node)
    return overall, _in_tree_order(sections, rows)


def _depth(pk: int, parents: dict[int, int | None]) -> int:
    depth, seen = 0, {pk}
    parent = parents.get(pk)
    while parent is not None and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = parents.get(parent)
    return depth


def _in_tree_order(sections: list[Section], rows: dict[int, SectionRow]) -> list[SectionRow]:
    """Each top-level section followed by its sub-sections, by position."""
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        parent = section.parent_id if section.parent_id in rows else None
        children.setdefault(parent, []).append(section)
    ordered: list[SectionRow] = []
    pending = list(reversed(children.get(None, [])))
    while pending:
        section = pending.pop()
        ordered.append(rows[section.pk])
        pending.extend(reversed(children.get(section.pk, [])))
    return ordered


def assessment_progress(*, assessment: Assessment) -> Progress:
    """How many criteria are rated and evidenced, overall and per section."""
    overall, rows = _section_rows(assessment)
    return Progress(overall, rows)


def section_scores(*, assessment: Assessment) -> list[SectionRow]:
    """Per section and sub-section: the average points of rated applicable criteria as a
    percentage of the maximum, with the counts; the score is None where nothing is rated."""
    return _section_rows(assessment)[1]


# Comparison ------------------------------------------------

IMPROVED = "improved"
SLIPPED = "slipped"
UNCHANGED = "unchanged"
NEWLY_RATED = "newly_rated"
NOT_COMPARABLE = "not_comparable"
NOT_RATED = "not_rated"
CHANGES = (IMPROVED, SLIPPED, UNCHANGED, NEWLY_RATED, NOT_COMPARABLE, NOT_RATED)


def change_between(before: str, after: str) -> str:
    """How a criterion's rating moved from one assessment to the next."""
    if not after:
        return NOT_RATED
    if not before:
        return NEWLY_RATED
    if before == after:
        return UNCHANGED
    if before in Rating.POINTS and after in Rating.POINTS:
        return IMPROVED if Rating.POINTS[after] > Rating.POINTS[before] else SLIPPED
    return NOT_COMPARABLE  # "not applicable" on one side only


@dataclass(frozen=True)
class CriterionChange:
    criterion: Criterion
    before: str
    after: str
    change: str

    @property
    def before_label(self) -> str:
        return str(Rating.Level(self.before).label) if self.before else ""

    @property
    def after_label(self) -> str:
        return str(Rating.Level(self.after).label) if self.after else ""


@dataclass(frozen=True)
class SectionDelta:
    section: Section
    depth: int
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


@dataclass
class Comparison:
    earlier: Assessment
    later: Assessment
    criteria: list[CriterionChange]
    sections: list[SectionDelta]

    def of(self, change: str) -> list[CriterionChange]:
        return [item for item in self.criteria if item.change == change]

    @property
    def improved(self) -> list[CriterionChange]:
        return self.of(IMPROVED)

    @property
    def slipped(self) -> list[CriterionChange]:
        return self.of(SLIPPED)

    @property
    def counts(self) -> dict[str, int]:
        return {change: len(self.of(change)) for change in CHANGES}


def _levels_by_ref(assessment: Assessment) -> dict[str, str]:
    return dict(assessment.ratings.values_list("criterion__ref", "level"))


def assessment_compare(*, earlier: Assessment, later: Assessment) -> Comparison:
    """What improved and what slipped between two assessments of the same NPM.

    Criteria and sections are matched by reference, so two versions of a framework can
    be compared where their references agree; a criterion new in the later version
    counts as unrated before.
    """
    before, after = _levels_by_ref(earlier), _levels_by_ref(later)
    criteria = later.framework_version.criteria.select_related("section").order_by("position")
    changes = [
        CriterionChange(
            criterion,
            before.get(criterion.ref, ""),
            after.get(criterion.ref, ""),
            change_between(before.get(criterion.ref, ""), after.get(criterion.ref, "")),
        )
        for criterion in criteria
    ]
    earlier_scores = {row.section.ref: row.score for row in section_scores(assessment=earlier)}
    sections = [
        SectionDelta(row.section, row.depth, earlier_scores.get(row.section.ref), row.score)
        for row in section_scores(assessment=later)
    ]
    return Comparison(earlier, later, changes, sections)


def previous_assessment(*, user: Any, assessment: Assessment) -> Assessment | None:
    """The assessment of the same NPM before this one that the user can see: the latest
    of an earlier period, else the final version this one revises."""
    visible = Assessment.objects.restrict(user, "view").filter(subject=assessment.subject_id)
    earlier = (
        visible.filter(period_end__lt=assessment.period_end)
        .order_by("-period_end", "-revision", "-id")
        .first()
    )
    if earlier is None and assessment.supersedes_id:
        earlier = visible.filter(pk=assessment.supersedes_id).first()
    return earlier


def comparable_assessments(*, user: Any, assessment: Assessment) -> QuerySet[Assessment]:
    return (
        Assessment.objects.restrict(user, "view")
        .filter(subject=assessment.subject_id)
        .exclude(pk=assessment.pk)
        .order_by("-period_end", "-revision", "-id")
    )


# An assessing body's overview ----------------------------------------------------------------


@dataclass
class OverviewRow:
    assessment: Assessment
    scores: list[float | None]
    progress: Tally


@dataclass
class Overview:
    columns: list[Section]
    rows: list[OverviewRow]


def latest_per_subject(assessments: Iterable[Assessment]) -> list[Assessment]:
    latest: dict[int, Assessment] = {}
    for assessment in assessments:
        latest.setdefault(assessment.subject_id, assessment)
    return list(latest.values())


def body_overview(*, user: Any) -> Overview | None:
    """For a member of an assessing body: the latest assessment of each NPM it assesses, with
    top-level section scores. Only assessments visible through `restrict` are read, so
    no NPM appears whose assessment the body neither made nor was given."""
    organisation = organisation_of(user=user)
    if organisation is None or organisation.kind == Organisation.Kind.NPM:
        return None
    visible = (
        Assessment.objects.restrict(user, "view")
        .exclude(subject=organisation)
        .select_related("subject", "made_by", "framework_version")
        .order_by("subject__name", "subject_id", "-period_end", "-revision", "-id")
    )
    columns: dict[str, Section] = {}
    rows = []
    for assessment in latest_per_subject(visible):
        overall, sections = _section_rows(assessment)
        top = {row.section.ref: row for row in sections if row.depth == 0}
        for ref, row in top.items():
            columns.setdefault(ref, row.section)
        rows.append((assessment, overall, top))
    return Overview(
        list(columns.values()),
        [
            OverviewRow(
                assessment,
                [top[ref].score if ref in top else None for ref in columns],
                overall,
            )
            for assessment, overall, top in rows
        ],
    )


# Evidence ------------------------------------------------


def evidence_record_model(*, user: Any, record_type: str, record_id: str) -> type[Model] | None:
    """The model of a Habeas record the user can see, named "app_label.model"; else None.

    Missing, hidden and unknown records all answer None, so a link reveals nothing.
    """
    try:
        model = apps.get_model(record_type)
    except (LookupError, ValueError):
        return None
    records = model._default_manager.all()
    if not hasattr(records, "restrict") or not record_id:
        return None
    try:
        found = records.restrict(user, "view").filter(pk=record_id).exists()
    except (ValueError, TypeError, ValidationError):
        return None
    return model if found else None


def evidence_for(*, assessment: Assessment, criterion: Criterion | None = None) -> QuerySet:
    found = Evidence.objects.filter(assessment=assessment).select_related("added_by")
    return found.filter(criterion=criterion) if criterion is not None else found


def record_types() -> list[tuple[str, str]]:
    """The kinds of Habeas record evidence can point to: models that know who may see them."""
    choices = []
    for model in apps.get_models():
        if hasattr(model._default_manager.all(), "restrict") and model._meta.app_label not in {
            "core",
            "accounts",
        }:
            label = f"{model._meta.app_label}.{model._meta.model_name}"
            choices.append((label, str(model._meta.verbose_name).capitalize()))
    return sorted(choices, key=lambda choice: choice[1])
