"""Progress and section scores, on hand-built examples whose figures are known."""

from __future__ import annotations

import pytest

from habeas.assessment import selectors, services
from habeas.assessment.models import Criterion, Section
from habeas.assessment.tests.factories import FrameworkVersionFactory
from habeas.assessment.tests.test_services import rate, rating_of, start

pytestmark = pytest.mark.django_db


def link(actor, assessment, ref: str) -> None:
    services.evidence_add(
        actor=actor,
        assessment=assessment,
        criterion=rating_of(assessment, ref).criterion,
        kind="link",
        url=f"https://npm.example/{ref}",
    )


def by_ref(rows) -> dict:
    return {row.section.ref: row for row in rows}


def test_it_counts_criteria_rated_and_evidenced_overall_and_per_section(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "fully")
    rate(head, assessment, "2.1", "not_applicable", reason="None here.")
    link(head, assessment, "1")
    link(head, assessment, "1")  # two pieces of evidence, one criterion
    link(head, assessment, "3")

    progress = selectors.assessment_progress(assessment=assessment)

    assert (progress.total, progress.rated, progress.evidenced) == (5, 2, 2)
    sections = by_ref(progress.sections)
    assert (sections["A"].tally.total, sections["A"].tally.rated) == (4, 2)
    assert (sections["A"].tally.evidenced, sections["B"].tally.evidenced) == (1, 1)
    assert (sections["B"].tally.total, sections["B"].tally.rated) == (1, 0)


def test_it_scores_sections_from_rated_applicable_criteria_only(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "fully")  # 3 points
    rate(head, assessment, "2", "partially")  # 1 point
    rate(head, assessment, "2.1", "not_applicable", reason="None here.")  # left out
    # 2.2 not rated: left out

    scores = by_ref(selectors.section_scores(assessment=assessment))

    assert scores["A"].score == 66.7  # 4 of 6 points
    assert (scores["A"].tally.applicable, scores["A"].tally.not_applicable) == (2, 1)
    assert scores["B"].score is None  # nothing rated is not zero


def test_it_scores_zero_when_nothing_is_in_place(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "3", "not_in_place")

    assert by_ref(selectors.section_scores(assessment=assessment))["B"].score == 0.0


def test_it_rolls_sub_sections_up_into_their_section(personas):
    version = FrameworkVersionFactory(outline=False)
    top = Section.objects.create(framework_version=version, ref="IV", title="Activities")
    planning = Section.objects.create(
        framework_version=version, ref="IV.A", title="Planning", parent=top, position=1
    )
    visits = Section.objects.create(
        framework_version=version, ref="IV.B", title="Visits", parent=top, position=2
    )
    for position, (ref, section) in enumerate([("9", planning), ("10", planning), ("13", visits)]):
        Criterion.objects.create(
            framework_version=version,
            section=section,
            kind="paragraph",
            ref=ref,
            text=f"Paragraph {ref}",
            position=position,
        )
    head = personas["head"]
    assessment = start(head, version=version)
    rate(head, assessment, "9", "fully")
    rate(head, assessment, "10", "not_in_place")
    rate(head, assessment, "13", "largely")

    rows = selectors.section_scores(assessment=assessment)

    assert [(row.section.ref, row.depth, row.score) for row in rows] == [
        ("IV", 0, 55.6),  # 5 of 9 points
        ("IV.A", 1, 50.0),  # 3 of 6
        ("IV.B", 1, 66.7),  # 2 of 3
    ]


def test_it_reads_the_entry_side_list_in_a_fixed_number_of_queries(
    personas, django_assert_max_num_queries
):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "fully")
    link(head, assessment, "2")

    with django_assert_max_num_queries(4):
        statuses = selectors.criterion_statuses(assessment=assessment)
        [status.criterion.section for status in statuses]

    assert [(s.criterion.ref, s.rated, s.evidenced) for s in statuses] == [
        ("1", True, False),
        ("2", False, True),
        ("2.1", False, False),
        ("2.2", False, False),
        ("3", False, False),
    ]
    assert selectors.first_to_rate(statuses).ref == "2"


def test_it_scores_an_assessment_against_the_shipped_spt_framework(personas):
    from habeas.assessment.models import FrameworkVersion

    version = FrameworkVersion.objects.get(framework__code__startswith="spt")
    head = personas["head"]
    assessment = start(head, version=version)
    rate(head, assessment, "10", "largely")
    rate(head, assessment, "25.3", "not_in_place")

    progress = selectors.assessment_progress(assessment=assessment)
    rows = by_ref(progress.sections)

    assert progress.total == version.criteria.count() > 38
    assert rows["IV"].tally.rated == 2 and rows["IV.A"].tally.rated == 1
    assert rows["IV.E"].score == 0.0 and rows["IV.A"].score == 66.7
    assert rows["IV"].score == 33.3 and rows["II"].score is None
