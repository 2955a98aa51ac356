"""The content of reports drawn from one visit or place (¶19, 22, 24): each figure is
checked against the records by an independent query, findings are worded by their
triangulation and never attributed, the team's names are confidential, and everything
is read through `restrict` as the reader."""

from __future__ import annotations

import json

import pytest

from habeas.places.models import Unit
from habeas.recommendations.models import Recommendation, Verification
from habeas.reports import services
from habeas.reports.content import build_content
from habeas.reports.content_types import Facts, Table, Text, to_json
from habeas.reports.models import Kind
from habeas.reports.tests.factories import (
    IDENTITY_CANARY,
    NOTES_CANARY,
    report_factory,
    report_world,
)
from habeas.visits.models import Finding, Interview, UnitCoverage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, make_user):
    return report_world(personas, make_user)


def build(report, user):
    return build_content(user=user, report=report, version=services.latest_version(report))


def section(content, key):
    return next(s for s in content.sections if s.key == key)


def facts_of(sec) -> dict[str, str]:
    return {f.label: f.cell.text for b in sec.blocks if isinstance(b, Facts) for f in b.items}


def test_the_visit_report_counts_what_the_records_hold(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    content = build(report, world.head)
    figures = {key: f.value for key, f in content.figures.items()}
    interviews = Interview.objects.filter(visit=world.visit)
    assert figures["visit.interviews"] == interviews.count() == 7
    for kind in Interview.Kind.values:
        assert figures[f"visit.interviews.{kind}"] == interviews.filter(kind=kind).count()
    assert content.figures["visit.interviews.private"].people
    assert (
        figures["visit.units.seen"]
        == UnitCoverage.objects.filter(visit=world.visit, seen=True).count()
        == 2
    )
    assert figures["visit.units.total"] == Unit.objects.filter(place=world.place).count() == 3
    concerns = Finding.objects.filter(visit=world.visit, kind=Finding.Kind.CONCERN)
    for theme in ("conditions", "treatment"):
        assert figures[f"visit.findings.theme.{theme}"] == concerns.filter(theme=theme).count()
    assert (
        figures["visit.good_practices"]
        == Finding.objects.filter(visit=world.visit, kind=Finding.Kind.GOOD_PRACTICE).count()
    )
    assert (
        figures["visit.recommendations"] == Recommendation.objects.filter(visit=world.visit).count()
    )
    assert (
        figures["changes.recommendations"]
        == Recommendation.objects.filter(visit=world.earlier_visit).count()
    )
    json.dumps(to_json(content))  # storable as it will be frozen


def test_the_visit_and_place_sections_state_the_facts(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    content = build(report, world.head)
    visit = facts_of(section(content, "visit"))
    assert visit["Reference"] == world.visit.reference
    assert visit["Type of visit"] == "In-depth"
    assert visit["Notice"] == "Unannounced"
    assert "2024-02-05" in visit["First visit or follow-up"]
    assert visit["Dates"] == "2026-03-10 – 2026-03-12"
    assert visit["Focus"] == "Material conditions, Treatment"
    place = facts_of(section(content, "place"))
    assert place["Category"] == world.place.category.name
    assert place["Region"] == "North" and place["Supervising authority"] == "Prison Administration"
    assert place["Capacity"] == "120"
    assert place["People held"].startswith("130")
    assert place["Occupancy"] == "108 %"


def test_the_team_list_is_marked_confidential(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    tables = [b for b in section(build(report, world.head), "visit").blocks if isinstance(b, Table)]
    (team,) = tables
    assert team.confidential
    names = {row[0].text for row in team.rows}
    assert world.expert_on_team.full_name in names and len(team.rows) == 3


def test_findings_are_worded_by_triangulation_and_never_attributed(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    content = build(report, world.head)
    text = "\n".join(b.markdown for b in section(content, "findings").blocks if isinstance(b, Text))
    assert "**Key concern.** Cells in Wing B are overcrowded" in text  # corroborated: a fact
    assert (
        "**Urgent.** The delegation received allegations that detainees in Wing A were beaten"
        in text
    )
    assert "received allegations that the showers in Wing A" in text  # single source
    everything = json.dumps(to_json(content), ensure_ascii=False)
    for secret in (IDENTITY_CANARY, NOTES_CANARY, "P-01", "P-03", "G-01", "S-01", "M-01"):
        assert secret not in everything
    chart = next(b for b in section(content, "findings").blocks if b.type == "chart")
    assert chart.labels == ["Treatment", "Material conditions"]
    by_series = {s.name: s.values for s in chart.series}
    assert by_series == {"Urgent": [1, 0], "Key concern": [0, 1], "General": [0, 1]}


def test_good_practices_and_recommendations_by_addressee(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    content = build(report, world.head)
    practices = [b for b in section(content, "good_practices").blocks if isinstance(b, Text)]
    assert "sees a doctor within 24 hours" in practices[0].markdown
    tables = [b for b in section(content, "recommendations").blocks if isinstance(b, Table)]
    assert [t.caption for t in tables] == [
        "Addressed to Ministry of Justice",
        "Addressed to Prison Administration",
    ]
    assert tables[0].rows[0][0].text == world.recommendations[1].reference
    assert tables[0].rows[0][2].text == "Urgent"
    assert tables[1].rows[0][3].text == "2026-12-31"


def test_changes_since_the_last_visit(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    changes = section(build(report, world.head), "changes")
    facts = facts_of(changes)
    assert world.earlier_visit.reference in facts["Previous visit"]
    assert facts["People held then"] == "100" and facts["People held at this visit"] == "130"
    (table,) = [b for b in changes.blocks if isinstance(b, Table)]
    rows = {row[0].text: (row[2].text, row[3].text) for row in table.rows}
    first, second = world.earlier_recommendations
    assert rows[first.reference] == ("Partially accepted", "Partially achieved")
    assert rows[second.reference] == ("No response recorded", "Not achieved")


def test_the_content_is_read_through_restrict_as_the_reader(world, personas):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    # The doctor sees the visit (and so the report) but not its interviews: the team's.
    doctor = build(report, personas["doctor"])
    assert doctor.figures["visit.interviews"].value == 0
    assert Interview.objects.restrict(personas["doctor"], "view").count() == 0
    team = build(report, world.expert_on_team)
    assert team.figures["visit.interviews"].value == 7
    # The doctor's view of the team list comes from the visit they see.
    (table,) = [b for b in section(doctor, "visit").blocks if isinstance(b, Table)]
    assert len(table.rows) == 3


def test_a_first_visit_says_so(world, personas):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.police_visit)
    content = build(report, world.head)
    assert (
        facts_of(section(content, "visit"))["First visit or follow-up"]
        == "First visit to this place"
    )
    (text,) = section(content, "changes").blocks
    assert "first visit" in text.markdown


def test_the_follow_up_report_lists_each_earlier_recommendation_with_its_evidence(world):
    report = report_factory(kind=Kind.FOLLOW_UP, actor=world.head, place=world.place)
    content = build(report, world.head)
    sent = Recommendation.objects.filter(place=world.place, state=Recommendation.State.SENT)
    figures = {key: f.value for key, f in content.figures.items()}
    assert figures["follow_up.recommendations"] == sent.count() == 4
    for status in ("achieved", "partially_achieved", "not_achieved", "no_longer_relevant"):
        assert (
            figures[f"follow_up.implementation.{status}"]
            == sent.filter(implementation=status).count()
        )
    assert figures["follow_up.implementation.none"] == sent.filter(implementation="").count()
    (table,) = [
        b for b in section(content, "earlier_recommendations").blocks if isinstance(b, Table)
    ]
    evidence = {row[0].text: row[4].text for row in table.rows}
    first = world.earlier_recommendations[0]
    verification = Verification.objects.get(recommendation=first)
    assert "2024-06-01: Partially achieved (A response)" in evidence[first.reference]
    assert verification.note in evidence[first.reference]
    # With the follow-up visit as scope, only what came before it is followed up.
    scoped = report_factory(
        kind=Kind.FOLLOW_UP, actor=world.head, place=world.place, visit=world.visit
    )
    assert build(scoped, world.head).figures["follow_up.recommendations"].value == 2
    assert "4 recommendations" in services.latest_version(report).sections["summary"]


def test_the_urgent_letter_names_the_addressee_place_and_deadline(world):
    urgent = world.recommendations[1]
    report = report_factory(
        kind=Kind.URGENT, actor=world.head, visit=world.visit, recommendation=urgent
    )
    content = build(report, world.head)
    letter = section(content, "letter")
    facts = facts_of(letter)
    assert facts["Addressee"] == "Ministry of Justice"
    assert facts["Place"] == "Northgate Remand Prison" and facts["Deadline"] == "2026-04-01"
    (text,) = [b for b in letter.blocks if isinstance(b, Text)]
    assert urgent.text in text.markdown
    narrative = services.latest_version(report).sections["letter"]
    assert narrative.startswith("Dear Sir or Madam")
    assert "Ministry of Justice" in narrative and "2026-04-01" in narrative
