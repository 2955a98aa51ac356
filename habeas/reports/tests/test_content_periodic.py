"""The content of thematic (¶22, 31d) and annual (¶31b, 38) reports: every count checked
against the records by an independent query, and what a reader may not see (public
submissions, partners' log, other teams' interviews) left out for them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from habeas.intake.models import Submission
from habeas.partners.models import Communication
from habeas.places.tests.factories import CategoryFactory, PlaceFactory, RegionFactory
from habeas.recommendations.models import Recommendation
from habeas.reports import figures, services
from habeas.reports.content import build_content
from habeas.reports.content_types import Facts, Table, Text
from habeas.reports.models import Kind
from habeas.reports.tests.factories import (
    add_communication,
    add_submission,
    interview_at,
    report_factory,
    report_world,
)
from habeas.visits.models import Difficulty, Finding, Interview, Visit
from habeas.visits.tests.factories import make_visit

pytestmark = pytest.mark.django_db
VISITED = [s for s in Visit.State.values if s not in ("planned", "prepared")]
START, END = dt.date(2024, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture
def world(personas, make_user):
    made = report_world(personas, make_user)
    add_submission(made.place)
    add_communication(made.head)
    return made


def build(report, user):
    return build_content(user=user, report=report, version=services.latest_version(report))


def section(content, key):
    return next(s for s in content.sections if s.key == key)


def values(content):
    return {key: f.value for key, f in content.figures.items()}


def test_the_thematic_report_counts_concerns_on_its_theme(world):
    report = report_factory(
        kind=Kind.THEMATIC, actor=world.head, theme="conditions", period_start=START, period_end=END
    )
    content = build(report, world.head)
    got = values(content)
    concerns = Finding.objects.filter(
        theme="conditions",
        kind=Finding.Kind.CONCERN,
        visit__starts_on__range=(START, END),
        visit__state__in=VISITED,
    )
    assert got["thematic.findings"] == concerns.count() == 4
    visit_ids = {f.visit_id for f in concerns}
    assert got["thematic.visits"] == len(visit_ids) == 3
    assert got["thematic.places"] == len({Visit.objects.get(pk=v).place_id for v in visit_ids}) == 2
    grid = Counter((f.visit.place.category_id, f.visit.starts_on.year) for f in concerns)
    for (category, year), n in grid.items():
        assert got[f"thematic.findings.{category}.{year}"] == n
    assert got[f"thematic.findings.{world.place.category_id}.2025"] == 0
    recs = Recommendation.objects.filter(
        theme="conditions", state="sent", sent_on__range=(START, END)
    )
    assert got["thematic.recommendations"] == recs.count() == 2
    line = next(b for b in section(content, "findings").blocks if b.type == "chart")
    assert line.kind == "line" and line.labels == ["2024", "2025", "2026"]
    assert line.series[0].values == [1, 0, 3]
    (text,) = [b for b in section(content, "findings").blocks if isinstance(b, Text)]
    assert "Cells in Wing B are overcrowded" in text.markdown  # corroborated: a fact
    assert "received allegations that cells in Wing B lack ventilation" in text.markdown
    assert "showers" not in text.markdown  # general concerns are not the most serious
    scope_map = next(b for b in section(content, "scope").blocks if b.type == "chart")
    assert sorted(p.name for p in scope_map.pins) == [
        "Northgate Remand Prison",
        "Southport Police Station",
    ]


def test_the_thematic_report_lists_good_practices_with_where_they_were_seen(world):
    report = report_factory(
        kind=Kind.THEMATIC, actor=world.head, theme="health", period_start=START, period_end=END
    )
    content = build(report, world.head)
    assert values(content)["thematic.good_practices"] == 1
    (text,) = [b for b in section(content, "good_practices").blocks if isinstance(b, Text)]
    assert "within 24 hours (Northgate Remand Prison" in text.markdown


def test_the_annual_report_counts_the_year_s_activities(world):
    report = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2026)
    got = values(build(report, world.head))
    visits = list(
        Visit.objects.filter(starts_on__year=2026, state__in=VISITED).select_related("place")
    )
    assert got["annual.visits"] == len(visits) == 2
    by_category = Counter(v.place.category_id for v in visits)
    by_region = Counter(v.place.region_id for v in visits)
    for category, n in by_category.items():
        assert got[f"annual.visits.category.{category}"] == n
    for region, n in by_region.items():
        assert got[f"annual.visits.region.{region}"] == n
    assert got["annual.visits.kind.in_depth"] == 2
    interviews = Interview.objects.filter(visit__in=visits)
    assert got["annual.interviews"] == interviews.count() == 9
    assert got["annual.interviews.private"] == interviews.filter(kind="private").count()
    assert got["annual.submissions"] == Submission.objects.filter(received_on__year=2026).count()
    assert got["annual.places"] == len({v.place_id for v in visits})


def test_the_annual_report_counts_findings_recommendations_and_the_rest(world):
    thematic = report_factory(
        kind=Kind.THEMATIC, actor=world.head, theme="conditions", period_start=START, period_end=END
    )
    version = services.latest_version(thematic)
    services.version_submit(actor=world.head, version=version)
    services.version_approve(actor=world.head, version=version)
    services.version_sign(actor=world.head, version=version)
    report = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2026)
    content = build(report, world.head)
    got = values(content)
    concerns = Finding.objects.filter(
        kind="concern", visit__starts_on__year=2026, visit__state__in=VISITED
    )
    for theme, severity in {(f.theme, f.severity) for f in concerns if f.severity != "general"}:
        assert (
            got[f"annual.findings.{theme}.{severity}"]
            == concerns.filter(theme=theme, severity=severity).count()
        )
    sent = Recommendation.objects.filter(state="sent", sent_on__year=2026)
    assert got["annual.recommendations"] == sent.count() == 2
    assert (
        got["annual.recommendations.response.accepted"] == sent.filter(response="accepted").count()
    )
    assert got["annual.recommendations.response.none"] == sent.filter(response="").count() == 1
    assert got["annual.recommendations.implementation.none"] == 2
    earlier = Recommendation.objects.filter(state="sent", sent_on__lt=dt.date(2026, 1, 1))
    assert got["annual.follow_up"] == earlier.count() == 2
    assert got["annual.follow_up.implementation.partially_achieved"] == 1
    assert got["annual.follow_up.implementation.not_achieved"] == 1
    assert got["annual.thematic"] == 1
    (table,) = [b for b in section(content, "thematic").blocks if isinstance(b, Table)]
    assert table.rows[0][0].text == thematic.reference
    assert (
        got["annual.cooperation"]
        == Communication.objects.filter(occurred_on__year=2026).count()
        == 1
    )
    assert got["annual.cooperation.meeting"] == 1
    assert (
        got["annual.difficulties"]
        == Difficulty.objects.filter(visit__starts_on__year=2026).count()
        == 1
    )
    assert got["annual.difficulties.access_delayed"] == 1


def test_a_reader_without_intake_rights_gets_no_submissions_figure(world, personas):
    report = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2026)
    doctor = build(report, personas["doctor"])
    assert "annual.submissions" not in doctor.figures
    activities = {
        f.label: f.cell
        for b in section(doctor, "activities").blocks
        if isinstance(b, Facts)
        for f in b.items
    }
    cell = activities["Submissions from the public"]
    assert cell.text == "Not available to you" and cell.figure is None
    with pytest.raises(Http404):
        figures.figure_records(user=personas["doctor"], report=report, key="annual.submissions")
    # Interviews are the teams': the doctor, on no team, counts none.
    assert doctor.figures["annual.interviews"].value == 0
    data_officer = build(report, personas["data_officer"])
    assert data_officer.figures["annual.submissions"].value == 1


def test_annual_charts_and_map_show_the_places_visited(world):
    report = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2026)
    content = build(report, world.head)
    charts = [b for b in section(content, "activities").blocks if b.type == "chart"]
    kinds = [c.kind for c in charts]
    assert kinds == ["bar", "bar", "map"]
    assert sorted(charts[1].labels) == ["North", "South"]
    assert sorted(p.name for p in charts[2].pins) == [
        "Northgate Remand Prison",
        "Southport Police Station",
    ]
    prefilled = services.latest_version(report).sections["challenges"]
    assert "2 visits to 2 places" in prefilled


def test_the_annual_report_reads_with_a_fixed_number_of_queries(world):
    report = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2026)
    with CaptureQueriesContext(connection) as before:
        build(report, world.head)
    for n in range(4):  # more visits, places, categories, regions and interviews
        place = PlaceFactory(category=CategoryFactory(code=f"extra-{n}"), region=RegionFactory())
        visit = make_visit(
            world.head,
            place=place,
            starts_on=dt.date(2026, 7, 1 + n),
            ends_on=dt.date(2026, 7, 1 + n),
            state=Visit.State.IN_PROGRESS,
        )
        for _i in range(3):
            interview_at(visit, world.head)
    with CaptureQueriesContext(connection) as after:
        content = build(report, world.head)
    assert content.figures["annual.visits"].value == 6
    assert content.figures["annual.interviews"].value == 9 + 12
    assert len(after.captured_queries) == len(before.captured_queries)
