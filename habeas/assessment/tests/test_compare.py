"""Comparing two assessments of the same NPM: what improved, what slipped, by how much."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.assessment import selectors, services
from habeas.assessment.tests.factories import FrameworkVersionFactory, OrganisationFactory
from habeas.assessment.tests.test_services import finalised, member, rate, spt, start

pytestmark = pytest.mark.django_db

EARLIER = {"1": "partially", "2": "fully", "2.1": "not_in_place", "3": "largely"}
LATER = {"1": "fully", "2": "largely", "2.1": "not_in_place", "2.2": "partially"}


def rated(actor, version, levels, year: int, **fields):
    assessment = start(
        actor,
        version=version,
        title=f"Self-assessment {year}",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        **fields,
    )
    for ref, level in levels.items():
        rate(actor, assessment, ref, level)
    return assessment


@pytest.fixture
def pair(personas):
    """Two self-assessments a year apart; ¶3 becomes "not applicable" in the second."""
    head = personas["head"]
    version = FrameworkVersionFactory()
    earlier = rated(head, version, EARLIER, 2023)
    later = rated(head, version, LATER, 2024)
    rate(head, later, "3", "not_applicable", reason="The last such place closed.")
    return earlier, later


def test_it_sorts_each_criterion_into_improved_slipped_unchanged_or_newly_rated(pair):
    earlier, later = pair

    comparison = selectors.assessment_compare(earlier=earlier, later=later)

    changes = {item.criterion.ref: item.change for item in comparison.criteria}
    assert changes == {
        "1": "improved",
        "2": "slipped",
        "2.1": "unchanged",
        "2.2": "newly_rated",
        "3": "not_comparable",
    }
    assert comparison.counts == {
        "improved": 1,
        "slipped": 1,
        "unchanged": 1,
        "newly_rated": 1,
        "not_comparable": 1,
        "not_rated": 0,
    }
    assert [item.criterion.ref for item in comparison.improved] == ["1"]
    assert [(i.before_label, i.after_label) for i in comparison.slipped] == [
        ("Fully in place", "Largely in place")
    ]


def test_it_gives_each_section_its_score_change(pair):
    earlier, later = pair

    sections = {
        row.section.ref: row
        for row in selectors.assessment_compare(earlier=earlier, later=later).sections
    }

    # A: 4 of 9 points (44.4 %) → 6 of 12 (50.0 %); B: 2 of 3 (66.7 %) → only "not applicable".
    assert (sections["A"].before, sections["A"].after, sections["A"].delta) == (44.4, 50.0, 5.6)
    assert (sections["B"].before, sections["B"].after, sections["B"].delta) == (66.7, None, None)


def test_it_compares_with_the_previous_assessment_of_the_same_npm_by_default(
    pair, personas, client_for
):
    earlier, later = pair

    response = client_for(personas["comms"]).get(f"/assessment/{later.pk}/compare/")

    assert response.status_code == 200
    assert response.context["comparison"].earlier == earlier
    assert response.context["comparison"].counts["improved"] == 1
    assert b"<svg" in response.content and b"+5.6" in response.content


def test_it_puts_the_older_assessment_first_whichever_page_asks(pair, personas, client_for):
    earlier, later = pair

    response = client_for(personas["head"]).get(
        f"/assessment/{earlier.pk}/compare/", {"with": later.pk}
    )

    comparison = response.context["comparison"]
    assert (comparison.earlier, comparison.later) == (earlier, later)


def test_it_falls_back_to_the_version_a_revision_revises(personas):
    head = personas["head"]
    first = rated(head, FrameworkVersionFactory(), {"1": "partially"}, 2024)
    finalised(head, first)
    revision = services.assessment_revise(actor=head, assessment=first)

    assert selectors.previous_assessment(user=head, assessment=revision) == first


def test_it_does_not_compare_with_another_npm_or_an_invisible_assessment(
    pair, personas, make_user, client_for
):
    earlier, later = pair
    spt_head = member(make_user, spt(), "head")
    elsewhere = start(spt_head, subject=OrganisationFactory(), version=later.framework_version)
    client = client_for(personas["head"])

    assert client.get(f"/assessment/{later.pk}/compare/", {"with": elsewhere.pk}).status_code == 404
    assert client.get(f"/assessment/{later.pk}/compare/", {"with": later.pk}).status_code == 404
    assert client.get(f"/assessment/{later.pk}/compare/", {"with": "x"}).status_code == 404


def test_it_says_so_when_there_is_nothing_to_compare_with(personas, client_for):
    only = start(personas["head"])

    response = client_for(personas["head"]).get(f"/assessment/{only.pk}/compare/")

    assert response.status_code == 200 and "comparison" not in response.context
    assert b"no other assessment of this NPM" in response.content
