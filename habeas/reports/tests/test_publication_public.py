"""The public version of a report (¶21; OPCAT 21(2)): what it leaves out, what it hides,
and that nothing planted in a confidential field reaches it."""

from __future__ import annotations

import json

import pytest

from habeas.cases.tests.factories import CANARY_ACTS, CANARY_VICTIM, make_case
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
    Text,
    from_json,
    to_json,
)
from habeas.reports.models import Redaction, ReportVersion
from habeas.reports.tests.factories import (
    IDENTITY_CANARY,
    NOTES_CANARY,
    report_factory,
    report_world,
)
from habeas.visits.tests.factories import add_member


def content(*sections: Section, figures: dict[str, Figure] | None = None) -> Content:
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


def count(key: str, value: int, people: bool = True) -> Cell:
    return Cell(text=str(value), figure=key, value=value, people=people)


# -- leaving out and hiding (no database) ----------------------------------------------------


def test_it_leaves_out_omitted_and_confidential_sections_and_blocks():
    built = content(
        Section(key="summary", title="S", narrative="Public summary."),
        Section(key="visit", title="V", narrative="Omitted by the drafter."),
        Section(key="place", title="P", narrative="Marked confidential.", confidential=True),
        Section(
            key="findings",
            title="F",
            blocks=[
                Text(markdown="A public finding."),
                Text(markdown="A confidential note.", confidential=True),
                Table(caption="Team", header=["Name"], rows=[[Cell("Jo")]], confidential=True),
                Facts(items=[Fact("Lead", Cell("Jo"))], confidential=True),
            ],
        ),
    )
    public = publication.public_content(
        content=built, version=ReportVersion(public_omit=["visit"]), k=5
    )
    assert [s.key for s in public.sections] == ["summary", "findings"]
    assert [p.text for p in publication.passages(public)] == [
        "A report",
        "Public summary.",
        "A public finding.",
    ]
    assert public.variant == "public"
    assert built.variant == "confidential"  # the confidential content is left as it was
    assert len(built.sections) == 4


def test_it_hides_counts_of_one_to_k_minus_one_people_and_shows_zero():
    figures = {
        "few": Figure(key="few", label="Few", value=3, people=True),
        "none": Figure(key="none", label="None", value=0, people=True),
        "many": Figure(key="many", label="Many", value=7, people=True),
        "rooms": Figure(key="rooms", label="Rooms", value=2, people=False),
        "elsewhere": Figure(key="elsewhere", label="In an omitted section", value=40),
    }
    built = content(
        Section(
            key="visit",
            title="V",
            blocks=[
                Facts(
                    items=[
                        Fact("Few", count("few", 3)),
                        Fact("None", count("none", 0)),
                        Fact("Many", count("many", 7)),
                        Fact("Rooms", count("rooms", 2, people=False)),
                    ]
                ),
                Table(caption="T", header=["Unit", "People"], rows=[[Cell("A"), count("few", 3)]]),
                Chart(
                    kind="bar",
                    title="People by unit",
                    labels=["A", "B", "C"],
                    series=[Series(name="People", values=[0, 2, 9])],
                    people=True,
                ),
                Chart(
                    kind="bar",
                    title="Rooms by unit",
                    labels=["A", "B"],
                    series=[Series(name="Rooms", values=[2, 1])],
                ),
            ],
        ),
        Section(key="place", title="P", blocks=[Facts(items=[Fact("X", count("elsewhere", 40))])]),
        figures=figures,
    )
    public = publication.public_content(
        content=built, version=ReportVersion(public_omit=["place"]), k=5
    )
    facts, table, people_chart, rooms_chart = public.sections[0].blocks
    cells = [item.cell for item in facts.items]
    # Beside a hidden count, the block's other counts of people are withheld too (a
    # total or a zero would give it away: see test_publication_fixes); rooms stay.
    assert [(c.value, c.suppressed, c.text) for c in cells] == [
        (None, True, "< 5"),
        (None, True, "withheld"),
        (None, True, "withheld"),
        (2, False, "2"),
    ]
    assert (table.rows[0][1].value, table.rows[0][1].text) == (None, "< 5")
    assert people_chart.series[0].values == [None, None, None]
    assert rooms_chart.series[0].values == [2, 1]
    assert public.figures["few"].value is None and public.figures["few"].suppressed
    assert public.figures["none"].value is None and public.figures["none"].suppressed
    assert "elsewhere" not in public.figures  # shown only in a section left out
    assert not any(f.linked for f in public.figures.values())
    assert "3" not in "".join(p.text for p in publication.passages(public))


def test_a_redaction_replaces_every_occurrence_in_its_section_only():
    built = content(
        Section(
            key="summary",
            title="S",
            narrative="Omar spoke. Later Omar wrote.",
            blocks=[
                Text(markdown="Omar again."),
                Table(caption="", header=["Who"], rows=[[Cell("Omar")]]),
            ],
        ),
        Section(key="findings", title="F", narrative="Omar in another section."),
    )
    redacted = publication.apply_redactions(
        built, [Redaction(section="summary", passage="Omar", replacement="[name withheld]")]
    )
    texts = [p.text for p in publication.passages(redacted)]
    assert texts == [
        "A report",
        "[name withheld] spoke. Later [name withheld] wrote.",
        "[name withheld] again.",
        "Who\n[name withheld]",
        "Omar in another section.",
    ]


def test_the_public_text_digest_follows_the_text():
    one = content(Section(key="summary", title="S", narrative="One."))
    two = content(Section(key="summary", title="S", narrative="Two."))
    assert publication.public_text_digest(one) == publication.public_text_digest(
        from_json(to_json(one))
    )
    assert publication.public_text_digest(one) != publication.public_text_digest(two)


# -- canaries ----------------------------------------------------------------------------------

TEAM_CANARY = "Quillon Teamcanary"
SECTION_CANARY = "SECTION-CANARY-5512"
OFFICIAL_CANARY = "Officer Canary Brack"
WITNESS_CANARY = "Cellmate Canary Olm"


@pytest.mark.django_db
def test_the_public_version_holds_no_canary_from_confidential_fields(personas, make_user):
    world = report_world(personas, make_user)
    head = world.head
    teammate = make_user("monitor", "teammate@npm.test", full_name=TEAM_CANARY)
    add_member(world.visit, teammate, head)
    make_case(head, place=world.place)  # victim, officials, witnesses and acts carry canaries
    report = report_factory(kind="visit", actor=head, visit=world.visit.pk)
    version = services.latest_version(report)
    services.version_edit(
        actor=head,
        version=version,
        sections={
            "summary": "The delegation heard many detainees in Wing A and Wing B.",
            "findings": f"{SECTION_CANARY}: {IDENTITY_CANARY} and {CANARY_VICTIM} spoke.",
            "changes": f"{WITNESS_CANARY} confirmed the account.",
        },
        public_omit=["findings"],
        expected_version=version.version,
    )
    version.refresh_from_db()
    run = pub.check_run(actor=head, version=version)
    witness = run.hits.get(section="changes")
    pub.redaction_from_hit(actor=head, hit=witness)
    services.version_submit(actor=head, version=version)
    services.version_approve(actor=head, version=version)
    services.version_sign(actor=head, version=version)
    version.refresh_from_db()

    confidential = build_content(user=head, report=report, version=version)
    every_confidential = json.dumps(to_json(confidential), ensure_ascii=False)
    for planted in (TEAM_CANARY, SECTION_CANARY, IDENTITY_CANARY, WITNESS_CANARY):
        assert planted in every_confidential  # the canaries are there to be found

    public = publication.public_content(content=confidential, version=version, k=report.k)
    text = "\n".join(p.text for p in publication.passages(public))
    everything = json.dumps(to_json(public), ensure_ascii=False)
    for canary in (
        TEAM_CANARY,
        SECTION_CANARY,
        IDENTITY_CANARY,
        NOTES_CANARY,
        CANARY_VICTIM,
        CANARY_ACTS,
        OFFICIAL_CANARY,
        WITNESS_CANARY,
        "Canary",
    ):
        assert canary not in text
        assert canary not in everything
    assert "[name withheld] confirmed the account." in text
