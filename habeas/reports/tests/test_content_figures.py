"""Every count in a report links to the records behind it (¶19, 38): each figure key of
each kind resolves to a list as long as the count, read through `restrict` as the
clicking user; interviews are listed without pseudonym or identity; unknown keys and
unseen reports answer 404."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.http import Http404

from habeas.reports import services
from habeas.reports.content import build_content
from habeas.reports.figures import figure_records
from habeas.reports.models import Kind
from habeas.reports.tests.factories import (
    IDENTITY_CANARY,
    NOTES_CANARY,
    add_communication,
    add_submission,
    report_factory,
    report_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, make_user):
    made = report_world(personas, make_user)
    add_submission(made.place)
    add_communication(made.head)
    return made


def all_reports(world):
    head = world.head
    return [
        report_factory(kind=Kind.VISIT, actor=head, visit=world.visit),
        report_factory(kind=Kind.FOLLOW_UP, actor=head, place=world.place),
        report_factory(
            kind=Kind.THEMATIC,
            actor=head,
            theme="conditions",
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2026, 12, 31),
        ),
        report_factory(kind=Kind.ANNUAL, actor=head, year=2026),
    ]


def test_every_figure_of_every_kind_lists_as_many_records_as_it_counts(world):
    for report in all_reports(world):
        content = build_content(
            user=world.head, report=report, version=services.latest_version(report)
        )
        assert content.figures, report.kind
        for key, figure in content.figures.items():
            found = figure_records(user=world.head, report=report, key=key)
            assert found.total == figure.value, (report.kind, key)
            assert len(found.rows) == figure.value
            assert all(len(row) == len(found.columns) for row in found.rows)


def test_interviews_are_listed_by_kind_unit_and_day_only(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    found = figure_records(user=world.head, report=report, key="visit.interviews")
    assert found.columns == ["Kind", "Unit", "Day"]
    assert found.total == 7
    flat = json.dumps(found.rows)
    for secret in ("P-01", "P-02", "G-01", "S-01", "M-01", IDENTITY_CANARY, NOTES_CANARY):
        assert secret not in flat
    assert all(url == "" for row in found.rows for _text, url in row)
    assert ["Private individual interview", "Wing A", "2026-03-10"] in [
        [text for text, _url in row] for row in found.rows
    ]


def test_rows_link_to_the_records_pages(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    recs = figure_records(user=world.head, report=report, key="visit.recommendations")
    assert recs.rows[0][0][1].startswith("/recommendations/")
    findings = figure_records(user=world.head, report=report, key="visit.findings.theme.treatment")
    assert findings.rows[0][0][1] == f"/visits/{world.visit.pk}/"
    assert f"/findings/{world.allegation.pk}/" in findings.rows[0][3][1]


def test_the_list_is_read_as_the_clicking_user(world, personas):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    assert figure_records(user=world.head, report=report, key="visit.interviews").total == 7
    doctor = figure_records(user=personas["doctor"], report=report, key="visit.interviews")
    assert doctor.total == 0 and doctor.rows == []


@pytest.mark.parametrize(
    "key",
    [
        "visit.nothing",
        "visit.interviews.gossip",
        "visit.findings.theme.weather",
        "annual.visits",  # another kind's key
        "",
        "visit..interviews",
        "visit.interviews.private.extra.parts.too.many",
    ],
)
def test_unknown_keys_answer_404(world, key):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    with pytest.raises(Http404):
        figure_records(user=world.head, report=report, key=key)


def test_a_report_the_user_may_not_see_answers_404(world, personas):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    for who in ("outsider", "expert", "comms", "admin"):  # comms: not signed yet
        with pytest.raises(Http404):
            figure_records(user=personas[who], report=report, key="visit.recommendations")


def test_annual_keys_with_ids_and_statuses(world):
    report = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2026)
    category = world.place.category_id
    assert (
        figure_records(
            user=world.head, report=report, key=f"annual.visits.category.{category}"
        ).total
        == 1
    )
    assert (
        figure_records(
            user=world.head, report=report, key="annual.recommendations.response.none"
        ).total
        == 1
    )
    for key in ("annual.visits.category.x", "annual.recommendations.response.maybe"):
        with pytest.raises(Http404):
            figure_records(user=world.head, report=report, key=key)
