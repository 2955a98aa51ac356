"""Fixes found by the browser journey and the review of the publication work:

1. a hidden count could be worked out from the counts beside it (a total minus the other
   parts): secondary suppression hides them too;
2. a place's population was plain text, so the public version never hid it;
3. the check read a Facts block's lines as one sentence ("Capacity: 4" then "People
   held: 3" made "4 People");
4. a trait's proposal left "a person held held in Wing A";
5. the head's overrides were not shown anywhere (who, when, why);
6. wording: real plurals, "Not sent yet.".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from habeas.places.tests.factories import PopulationRecordFactory
from habeas.reports import publication, services
from habeas.reports import services_publication as pub
from habeas.reports.content import build_content
from habeas.reports.content_types import (
    Cell,
    Chart,
    Content,
    Fact,
    Facts,
    Figure,
    Section,
    Series,
    Table,
    to_json,
)
from habeas.reports.models import Hit, Kind, Report, ReportVersion
from habeas.reports.tests.factories import interview_at, report_factory, report_world
from habeas.reports.views_shared import ContentShaper
from habeas.visits.models import Interview


@pytest.fixture
def world(personas: Any, make_user: Any) -> Any:
    return report_world(personas, make_user)


def _content(*sections: Section, figures: dict[str, Figure] | None = None) -> Content:
    return Content(
        reference="RPT-1",
        kind="visit",
        title="A report",
        subtitle="",
        language="en",
        direction="ltr",
        npm_name="NPM",
        version=1,
        state="signed",
        dated="2026-04-01",
        signed_by="The head",
        sections=list(sections),
        figures=figures or {},
    )


def _facts(content: Content, section: str, block: int = 0) -> dict[str, Cell]:
    facts = next(s for s in content.sections if s.key == section).blocks[block]
    assert isinstance(facts, Facts)
    return {item.label: item.cell for item in facts.items}


def _people_cells_shown(cells: dict[str, Cell], figures: dict[str, Figure]) -> list[str]:
    shown = []
    for label, cell in cells.items():
        figure = figures.get(cell.figure) if cell.figure else None
        people = cell.people or bool(figure and figure.people)
        if people and (cell.value is not None or not cell.suppressed):
            shown.append(label)
    return shown


def _public(report: Report, user: Any) -> tuple[Content, Content]:
    version = services.latest_version(report)
    built = build_content(user=user, report=report, version=version)
    return built, publication.public_content(content=built, version=version, k=report.k)


# -- 1. secondary suppression -----------------------------------------------------------------


@pytest.mark.django_db
def test_no_hidden_interview_count_can_be_worked_out_from_the_total(world):
    head = world.head
    # With k = 2 only the group interview (1) is under k: the other kinds are shown,
    # and before the fix the total gave it away (9 - 4 - 2 - 2 - 0 = 1).
    interview_at(world.visit, head, kind=Interview.Kind.STAFF, pseudonym="S-02")
    interview_at(world.visit, head, kind=Interview.Kind.MANAGEMENT, pseudonym="M-02")
    report = report_factory(kind=Kind.VISIT, actor=head, visit=world.visit.pk, k=2)
    built, public = _public(report, head)

    counts = _facts(built, "visit", 1)
    assert counts["Interviews"].value == 9
    assert counts["Group interview"].value == 1
    assert counts["Private individual interview"].value == 4

    shown = _facts(public, "visit", 1)
    assert _people_cells_shown(shown, public.figures) == []
    assert shown["Group interview"].text == "< 2"  # the count under k
    assert shown["Interviews"].text == "withheld"  # would give it away: not "< 2"
    for key, figure in public.figures.items():
        if key.startswith("visit.interviews"):
            assert figure.suppressed and figure.value is None, key
    # The counts that are not of people stay.
    assert shown["Units seen"].value == 2
    assert shown["Units of the place"].value == 3
    everything = json.dumps(to_json(public))
    assert '"value": 9' not in everything and '"value": 4' not in everything
    # The pages say which is under k and which is only withheld.
    shaped = ContentShaper(public, report=None).sections()
    visit = next(s for s in shaped if s.key == "visit")
    labels = dict(visit.blocks[1].items)
    assert labels["Interviews"].text == "withheld" and labels["Interviews"].withheld
    assert labels["Group interview"].text == "fewer than 2"


def test_a_total_shown_in_another_block_is_hidden_with_its_parts():
    """The annual report shows the interviews' total in its facts and the kinds in a
    table: a hidden kind hides the total, every kind, and a people chart whole."""
    figures = {
        "annual.interviews": Figure("annual.interviews", "Interviews", 40, people=True),
        "annual.interviews.private": Figure("annual.interviews.private", "P", 37, people=True),
        "annual.interviews.group": Figure("annual.interviews.group", "G", 3, people=True),
        "annual.interviews.staff": Figure("annual.interviews.staff", "S", 0, people=True),
        "annual.visits": Figure("annual.visits", "Visits", 4),
    }

    def count(key: str) -> Cell:
        value = figures[key].value
        return Cell(str(value), figure=key, value=value, people=figures[key].people)

    built = _content(
        Section(
            key="activities",
            title="A",
            blocks=[
                Facts(
                    items=[
                        Fact("Visits", count("annual.visits")),
                        Fact("Interviews", count("annual.interviews")),
                    ]
                ),
                Table(
                    caption="Interviews by kind",
                    header=["Kind", "Interviews"],
                    rows=[
                        [Cell("Private"), count("annual.interviews.private")],
                        [Cell("Group"), count("annual.interviews.group")],
                        [Cell("Staff"), count("annual.interviews.staff")],
                    ],
                ),
                Chart(
                    kind="bar",
                    title="People by unit",
                    labels=["A", "B", "C"],
                    series=[Series("Held", [30, 2, 8])],
                    people=True,
                ),
                Chart(kind="bar", title="Rooms", labels=["A"], series=[Series("Rooms", [2])]),
            ],
        ),
        figures=figures,
    )
    public = publication.public_content(content=built, version=ReportVersion(), k=5)
    facts, table, people_chart, rooms = public.sections[0].blocks
    assert isinstance(facts, Facts) and isinstance(table, Table)
    assert [(i.cell.value, i.cell.suppressed) for i in facts.items] == [(4, False), (None, True)]
    assert [row[1].value for row in table.rows] == [None, None, None]
    assert [row[1].text for row in table.rows] == ["withheld", "< 5", "withheld"]
    assert all(public.figures[k].suppressed for k in figures if k.startswith("annual.interv"))
    assert not public.figures["annual.visits"].suppressed
    assert isinstance(people_chart, Chart) and people_chart.series[0].values == [None] * 3
    assert isinstance(rooms, Chart) and rooms.series[0].values == [2]


def test_a_block_without_a_hidden_count_is_left_as_it_is():
    built = _content(
        Section(
            key="visit",
            title="V",
            blocks=[
                Facts(
                    items=[
                        Fact("All", Cell("12", figure="a", value=12, people=True)),
                        Fact("None", Cell("0", figure="a.none", value=0, people=True)),
                        Fact("Some", Cell("12", figure="a.some", value=12, people=True)),
                    ]
                )
            ],
        ),
        figures={
            "a": Figure("a", "All", 12, people=True),
            "a.none": Figure("a.none", "None", 0, people=True),
            "a.some": Figure("a.some", "Some", 12, people=True),
        },
    )
    public = publication.public_content(content=built, version=ReportVersion(), k=5)
    assert [c.value for c in _facts(public, "visit").values()] == [12, 0, 12]


# -- 2. the population is a count of people ----------------------------------------------------


@pytest.mark.django_db
def test_a_small_population_is_hidden_with_the_occupancy_it_gives_away(world):
    head = world.head
    PopulationRecordFactory(place=world.place, recorded_on=dt.date(2026, 3, 5), population=3)
    report = report_factory(kind=Kind.VISIT, actor=head, visit=world.visit.pk)
    built, public = _public(report, head)

    place = _facts(built, "place")
    assert (place["People held"].value, place["People held"].people) == (3, True)
    assert place["Population recorded on"].text == "2026-03-05"
    assert place["Occupancy"].text == "2 %"
    changes = _facts(built, "changes")
    assert changes["People held at this visit"].value == 3
    assert changes["People held then"].value == 100

    place = _facts(public, "place")
    assert place["People held"].text == "< 5" and place["People held"].value is None
    assert place["Occupancy"].suppressed and "%" not in place["Occupancy"].text
    assert place["Population recorded on"].text == "2026-03-05"  # a date, not a count
    assert place["Capacity"].text == "120"  # the capacity is no one's count
    changes = _facts(public, "changes")
    assert changes["People held at this visit"].text == "< 5"
    assert changes["People held then"].suppressed  # 100 - 3 is no secret, but one rule
    text = "\n".join(p.text for p in publication.passages(public))
    assert "People held: 3" not in text and "2 %" not in text


@pytest.mark.django_db
def test_a_population_of_k_or_more_stays_public(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit.pk)
    _built, public = _public(report, world.head)
    place = _facts(public, "place")
    assert (place["People held"].value, place["People held"].text) == (130, "130")
    assert place["Occupancy"].text == "108 %"


# -- 3. and 4. the check reads facts line by line; clean proposals ----------------------------


def _hits(report: Report, content: Content) -> list[publication.Found]:
    return publication.find_hits(report=report, content=content, k=report.k)


@pytest.mark.django_db
def test_a_count_is_not_read_across_two_facts_but_is_in_the_narrative(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit.pk)
    content = _content(
        Section(
            key="place",
            title="P",
            blocks=[
                Facts(
                    items=[
                        Fact("Capacity", Cell("4")),
                        Fact("People held", Cell("3", value=3, people=True)),
                    ]
                ),
                Table(
                    caption="", header=["Capacity", "People held"], rows=[[Cell("4"), Cell("x")]]
                ),
            ],
            narrative="4 detainees were moved to Wing B.",
        )
    )
    hits = [h for h in _hits(report, content) if h.code == Hit.Code.SMALL_COUNT]
    assert [(h.location, h.passage) for h in hits] == [
        ("narrative", "4 detainees were moved to Wing B.")
    ]
    assert hits[0].proposal == "A small number of detainees"
    # Within one fact a count is still read.
    one = _content(Section(key="p", title="P", blocks=[Facts([Fact("Note", Cell("2 women"))])]))
    assert [h.code for h in _hits(report, one)] == [Hit.Code.SMALL_COUNT]


def _applied(report: Report, narrative: str) -> str:
    content = _content(Section(key="summary", title="S", narrative=narrative))
    hits = [h for h in _hits(report, content) if h.code == Hit.Code.TRAIT]
    assert len(hits) == 1, hits
    hit = hits[0]
    return narrative[: hit.start] + hit.proposal + narrative[hit.end :]


@pytest.mark.django_db
def test_a_trait_proposal_replaces_the_whole_phrase_cleanly(world):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit.pk)
    assert (
        _applied(report, "The only woman held in Wing A was kept alone.")
        == "A person held in Wing A was kept alone."
    )
    assert (
        _applied(report, "The team met the only foreign woman in Wing A.")
        == "The team met a person held in Wing A."
    )
    assert (
        _applied(report, "Staff said the youngest, aged 15, shared a cell.")
        == "Staff said a person held, aged 15, shared a cell."
    )


@pytest.mark.django_db
def test_the_proposed_redaction_applied_reads_well_in_the_public_version(world):
    head = world.head
    report = report_factory(kind=Kind.VISIT, actor=head, visit=world.visit.pk)
    version = services.latest_version(report)
    services.version_edit(
        actor=head,
        version=version,
        sections={"summary": "The only woman held in Wing A was kept alone."},
        public_omit=None,
        expected_version=version.version,
    )
    version.refresh_from_db()
    run = pub.check_run(actor=head, version=version)
    pub.redaction_from_hit(actor=head, hit=run.hits.get(code=Hit.Code.TRAIT))
    _built, public = _public(report, head)
    summary = next(s for s in public.sections if s.key == "summary")
    assert summary.narrative == "A person held in Wing A was kept alone."


# -- 5. and 6. the pages ------------------------------------------------------------------------


def url(name: str, report: Report, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"pk": report.pk, **kwargs})


REASON = "Checked with <b>the team</b>: the pseudonym is also the unit's public name."


@pytest.mark.django_db
def test_the_check_page_shows_who_overrode_a_hit_when_and_why(world, client_for):
    head = world.head
    report = report_factory(kind=Kind.VISIT, actor=head, visit=world.visit.pk)
    version = services.latest_version(report)
    services.version_edit(
        actor=head,
        version=version,
        sections={"summary": "P-02 told the team that the showers had no hot water."},
        public_omit=None,
        expected_version=version.version,
    )
    client = client_for(head)
    response = client.post(url("check", report), follow=True)
    assert "The check found 1 passage to look at before publication." in (response.content.decode())
    hit = Hit.objects.get(run__version__report=report, code=Hit.Code.PSEUDONYM)

    form = client.get(url("hit_override", report, hit_pk=hit.pk)).content.decode()
    assert "audit trail with your name" not in form
    assert "kept with the decision" in form
    assert "At least 10 characters" in form

    assert (
        client.post(url("hit_override", report, hit_pk=hit.pk), {"reason": REASON}).status_code
        == 302
    )
    page = client.get(url("check", report)).content.decode()
    assert "Checked with &lt;b&gt;the team&lt;/b&gt;" in page
    assert "<b>the team</b>" not in page
    assert f"Kept as it is by {head.full_name} on " in page
    override = report.overrides.get()
    assert timezone.localtime(override.decided_at).strftime("%Y-%m-%d %H:%M") in page

    # A later run keeps the decision, and the reviewer sees it too.
    assert client.post(url("check", report)).status_code == 302
    monitor_page = client_for(world.monitor).get(url("check", report)).content.decode()
    assert "Checked with &lt;b&gt;the team&lt;/b&gt;" in monitor_page


@pytest.mark.django_db
def test_two_passages_are_counted_in_the_plural_and_nothing_sent_says_so(world, client_for):
    head = world.head
    report = report_factory(kind=Kind.VISIT, actor=head, visit=world.visit.pk)
    version = services.latest_version(report)
    services.version_edit(
        actor=head,
        version=version,
        sections={"summary": "P-02 and P-03 told the team that the showers were cold."},
        public_omit=None,
        expected_version=version.version,
    )
    client = client_for(head)
    page = client.post(url("check", report), follow=True).content.decode()
    assert "The check found 2 passages to look at before publication." in page
    assert "passage(s)" not in page

    detail = client.get(url("detail", report)).content.decode()
    assert "Not sent yet." in detail
    assert "Sent 0 times." not in detail


@pytest.mark.django_db
def test_the_withdraw_form_says_how_long_the_reason_must_be(world, client_for):
    head = world.head
    report = report_factory(kind=Kind.VISIT, actor=head, visit=world.visit.pk)
    version = services.latest_version(report)
    for _round in range(30):
        run = pub.check_run(actor=head, version=version)
        hit = run.hits.filter(status=Hit.Status.OPEN).first()
        if hit is None:
            break
        pub.redaction_from_hit(actor=head, hit=hit)
    services.version_submit(actor=head, version=version)
    services.version_approve(actor=head, version=version)
    services.version_sign(actor=head, version=version)
    pub.check_run(actor=head, version=version)
    pub.report_publish(actor=head, report=Report.objects.get(pk=report.pk))
    page = client_for(head).get(url("detail", report)).content.decode()
    assert "At least 10 characters." in page
    assert 'minlength="10"' in page
    assert "as a comment on the version that was published" in page
    assert "the reason is kept on the audit trail" not in page
