"""The publication check (¶21, 25, 31c; OPCAT 21(2)): what it must find in a report's
public text, what it must let pass, and that it never repeats a confidential record.

The records are real (made through the services of visits and cases, sealed); the
report's text is written by hand here, as a drafter would write it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.cases.tests.factories import make_case, make_watch
from habeas.reports.content_types import Cell, Content, Fact, Facts, Section, Table, Text
from habeas.reports.models import Hit, Kind, Report
from habeas.reports.publication import find_hits, passages
from habeas.reports.tests.factories import IDENTITY_CANARY, NOTES_CANARY, interview_at, report_world

pytestmark = pytest.mark.django_db

NOTES = (
    "The guards came into the cell after midnight and kicked me while I lay on the floor "
    "near the broken window, then they laughed and left without a word."
)


@pytest.fixture
def world(personas, make_user):
    world = report_world(personas, make_user)
    visit = world.visit
    world.extra["benitez"] = interview_at(
        visit,
        world.monitor,
        unit=world.unit("Wing A"),
        pseudonym="P-05",
        identity="José Benítez Arroyo",
        notes=NOTES,
        day=visit.starts_on + dt.timedelta(days=2),
    )
    # Five private interviews on the last day make it a day with enough people (k = 5).
    for n in range(6, 10):
        interview_at(
            visit,
            world.monitor,
            unit=world.unit("Wing B"),
            pseudonym=f"P-{n:02d}",
            day=visit.starts_on + dt.timedelta(days=2),
        )
    make_case(
        world.head,
        place=world.place,
        victim="Rosalind Kettleborough",
        officials="Officer Marek Dvorak",
        witnesses="",
    )
    make_watch(world.head, place=world.place, identity="Ilsabet Vornhagen", pseudonym="Heron")
    return world


def visit_report(world, **fields) -> Report:
    values = {
        "kind": Kind.VISIT,
        "visit": world.visit,
        "title": "Visit to Northgate Remand Prison",
        "reference": "RPT-TEST-1",
        "created_by": world.head,
        "k": 5,
        "language": "en",
        **fields,
    }
    return Report.objects.create(**values)


def content(*sections: Section, title: str = "Visit to Northgate Remand Prison") -> Content:
    return Content(
        reference="RPT-TEST-1",
        kind="visit",
        title=title,
        subtitle="",
        language="en",
        direction="ltr",
        npm_name="National Preventive Mechanism",
        version=1,
        state="draft",
        dated="2026-04-01",
        signed_by="",
        sections=list(sections),
        variant="public",
    )


def summary(text: str, *blocks) -> Content:
    return content(Section(key="summary", title="Summary", narrative=text, blocks=list(blocks)))


def hits(world, text: str, *blocks, **report_fields) -> list:
    report = visit_report(world, **report_fields)
    return find_hits(report=report, content=summary(text, *blocks), k=report.k)


def codes(found) -> list[str]:
    return [hit.code for hit in found]


def matched(found, text: str) -> list[str]:
    return [text[hit.start : hit.end] for hit in found]


# -- true positives -------------------------------------------------------------------------


def test_it_finds_the_name_of_an_interviewee_without_consent_in_any_case_or_accent(world):
    text = "We met JOSE BENITEZ ARROYO in Wing A. Later, Benítez showed us the yard."
    found = hits(world, text)
    assert codes(found) == [Hit.Code.NAME, Hit.Code.NAME]
    assert matched(found, text) == ["JOSE BENITEZ ARROYO", "Benítez"]
    assert all(hit.proposal == "[name withheld]" for hit in found)


def test_it_never_names_the_record_it_matched_in_its_explanation(world):
    found = hits(world, "Mr Benitez complained about the food.")
    assert len(found) == 1
    hit = found[0]
    assert "confidential record" in hit.explanation
    for secret in ("José", "Arroyo", "P-05", "interview P", NOTES[:20]):
        assert secret not in hit.explanation
        assert secret not in hit.proposal


def test_it_lets_the_name_of_a_person_who_consented_to_publication_pass(world):
    # P-01 (identity IDENTITY_CANARY) consented to publication.
    assert hits(world, f"{IDENTITY_CANARY} agreed to tell his story.") == []


def test_it_finds_names_from_case_files_and_reprisal_watches_of_the_place(world):
    text = (
        "Rosalind Kettleborough was hurt. Dvorak was on duty. "
        "Vornhagen fears reprisals and Marek Dvorak denies it."
    )
    found = hits(world, text)
    assert codes(found) == [Hit.Code.NAME] * 4
    assert matched(found, text) == [
        "Rosalind Kettleborough",
        "Dvorak",
        "Vornhagen",
        "Marek Dvorak",
    ]


def test_it_flags_a_title_before_a_capitalised_word_as_a_probable_name(world):
    text = "Mr Dupont, Mme Martin and Sr. Pérez spoke to us; M. Durand did not."
    found = hits(world, text)
    assert matched(found, text) == ["Mr Dupont", "Mme Martin", "Sr. Pérez", "M. Durand"]
    assert set(codes(found)) == {Hit.Code.NAME}
    assert "title" in found[0].explanation


def test_it_finds_pseudonyms_of_interviews_and_watches(world):
    text = "According to P-02, and to Heron, the night searches are brutal."
    found = hits(world, text)
    assert codes(found) == [Hit.Code.PSEUDONYM, Hit.Code.PSEUDONYM]
    assert matched(found, text) == ["P-02", "Heron"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Write to omar.h@example.org for details.", "omar.h@example.org"),
        ("His sister called on +33 6 12 34 56 78 twice.", "+33 6 12 34 56 78"),
        ("A man born on 4 May 1990 was held there.", "4 May 1990"),
        ("A man born in 1990 was held there.", "1990"),
        ("Prisoner no. 48213 was in isolation.", "48213"),
        ("The file AB123456 mentions an injury.", "AB123456"),
        ("Register entry 2345678 was altered.", "2345678"),
    ],
)
def test_it_finds_contact_details_and_identifying_numbers(world, text, expected):
    found = hits(world, text)
    assert Hit.Code.CONTACT in codes(found)
    assert expected in matched(found, text)


def test_it_finds_a_run_of_eight_words_from_the_notes_of_an_interview_without_consent(world):
    text = (
        "One account stands out: the guards came into the cell after midnight and kicked "
        "him, we were told."
    )
    found = [h for h in hits(world, text) if h.code == Hit.Code.QUOTE]
    assert len(found) == 1
    assert matched(found, text) == ["the guards came into the cell after midnight and kicked"]
    assert "guards" not in found[0].explanation


def test_it_finds_a_short_quotation_from_the_notes(world):
    # Seven words, too short for the eight-word rule; case and punctuation differ.
    text = "A detainee said: “They LAUGHED and left, without a word.” No one else did."
    found = hits(world, text)
    assert codes(found) == [Hit.Code.QUOTE]
    assert matched(found, text) == ["“They LAUGHED and left, without a word.”"]


def test_it_finds_a_quotation_most_of_whose_words_come_from_the_notes(world):
    # Eight words; the last differs, so no eight-word run is shared, but 2 of the 3
    # six-word runs are the notes'.
    text = "He told us: “they laughed and left without a word, sir”."
    found = hits(world, text)
    assert codes(found) == [Hit.Code.QUOTE]
    assert matched(found, text)[0].startswith("“they laughed")


def test_it_lets_a_quotation_sharing_few_words_with_the_notes_pass(world):
    text = "He told us: “they laughed at the rules and nobody ever listened to us”."
    assert hits(world, text) == []


def test_it_does_not_take_words_of_an_interview_with_publish_consent_for_a_quote(world):
    # P-01 consented; its notes carry NOTES_CANARY + "beaten at night"; P-02 did not, with
    # the canary alone, too short for a quote.
    assert [h for h in hits(world, f"{NOTES_CANARY} beaten at night") if h.code == "quote"] == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We spoke to two women in the remand wing.", "two women"),
        ("3 detainees were held in isolation.", "3 detainees"),
        ("One child was held with adults.", "One child"),
        ("A single detainee was in the medical unit.", "A single detainee"),
        ("Two foreign women shared a cell.", "Two foreign women"),
        ("Three of the detainees complained.", "Three of the detainees"),
        ("Nous avons rencontré deux femmes.", "deux femmes"),
        ("Hablamos con tres mujeres detenidas.", "tres mujeres"),
        ("Quatre détenus étaient à l'isolement.", "Quatre détenus"),
    ],
)
def test_it_finds_counts_of_people_under_k(world, text, expected):
    found = hits(world, text)
    assert codes(found) == [Hit.Code.SMALL_COUNT]
    assert matched(found, text) == [expected]
    # Capitalised when it replaces the start of a sentence, so the redacted text reads well.
    start = "A small number of" if text.startswith(expected) else "a small number of"
    assert found[0].proposal.startswith(start)


def test_it_uses_the_reports_k(world):
    text = "Seven detainees shared one shower."
    assert hits(world, text) == []
    assert codes(hits(world, text, k=8, reference="RPT-TEST-2")) == [Hit.Code.SMALL_COUNT]


def test_it_finds_a_unit_holding_fewer_than_k_people(world):
    text = "The team could not see Wing C, which was closed."
    found = hits(world, text)
    assert codes(found) == [Hit.Code.SMALL_UNIT]
    assert matched(found, text) == ["Wing C"]
    assert found[0].proposal == "one unit"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("On 11 March 2026 a detainee told us he was beaten.", "11 March 2026"),
        ("On March 11, a detainee told us he was beaten.", "March 11"),
        ("On 11/03/2026 a detainee told us he was beaten.", "11/03/2026"),
        ("On 2026-03-10 a woman said she had no blanket.", "2026-03-10"),
        ("Le 11 mars, un détenu nous a dit qu'il avait été frappé.", "11 mars"),
    ],
)
def test_it_finds_a_visit_day_with_fewer_than_k_private_interviews(world, text, expected):
    found = [h for h in hits(world, text) if h.code == Hit.Code.SMALL_DATE]
    assert matched(found, text) == [expected]
    assert found[0].proposal == "during the visit"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The only woman in the wing was kept apart.", "The only woman"),
        ("The youngest, aged 15, slept on the floor.", "The youngest"),
        ("The pregnant detainee had not seen a midwife.", "The pregnant detainee"),
        ("La seule femme du quartier était isolée.", "La seule femme"),
        ("El único extranjero no tenía intérprete.", "El único extranjero"),
    ],
)
def test_it_finds_a_characteristic_that_singles_out_a_person(world, text, expected):
    found = hits(world, text)
    assert codes(found) == [Hit.Code.TRAIT]
    assert matched(found, text) == [expected]


def test_it_reads_every_passage_tables_facts_text_blocks_and_the_title(world):
    report = visit_report(world)
    section = Section(
        key="findings",
        title="Findings",
        narrative="",
        blocks=[
            Text(markdown="Heron was moved."),
            Table(
                caption="Allegations",
                header=["Unit", "Detail"],
                rows=[[Cell(text="Wing B"), Cell(text="Rosalind Kettleborough")]],
            ),
            Facts(items=[Fact(label="Contact", cell=Cell(text="ward@example.org"))]),
        ],
    )
    built = content(section, title="The case of Mr Smith")
    found = find_hits(report=report, content=built, k=5)
    assert [(h.section, h.location, h.code) for h in found] == [
        ("", "title", Hit.Code.NAME),
        ("findings", "block-0", Hit.Code.PSEUDONYM),
        ("findings", "block-1", Hit.Code.NAME),
        ("findings", "block-2", Hit.Code.CONTACT),
    ]
    by_location = {(p.section, p.location): p.text for p in passages(built)}
    for hit in found:
        assert hit.passage  # an excerpt of the public text, with the matched words in it
        text = by_location[(hit.section, hit.location)]
        assert text[hit.start : hit.end] in hit.passage


def test_the_fingerprint_is_stable_and_tied_to_code_text_and_section(world):
    first = hits(world, "We met Mr Dupont.")[0]
    again = hits(world, "Later, we met MR  DUPONT.", reference="RPT-TEST-2")[0]
    assert first.fingerprint == again.fingerprint
    report = visit_report(world, reference="RPT-TEST-3")
    other = find_hits(
        report=report,
        content=content(Section(key="findings", title="F", narrative="We met Mr Dupont.")),
        k=5,
    )[0]
    assert other.fingerprint != first.fingerprint


# -- true negatives -------------------------------------------------------------------------


NEGATIVE = """
The National Preventive Mechanism visited Northgate Remand Prison, in the North region,
from 10 to 12 March 2026. The Prison Administration and the Ministry of Justice were
informed. The prison was built in 1970 and has 12 cells in Wing A; 40 detainees were held
in Wing A and 41 in Wing B on the day of the visit. The team made 3 recommendations, and
the administration accepted 2 of them in 2026. Five women and twenty men were
interviewed in private in total, and the delegation saw every unit but one.

Article 1 of the Convention says: “For the purposes of this Convention, the term
torture means any act by which severe pain or suffering is inflicted on a person.” Rule
44 of the Mandela Rules applies, as does paragraph 21 of the SPT guidelines.

The report was signed by Ms Amelia Hartwell, head of the NPM, on 1 April 2026. The only
way forward is dialogue; the oldest building is to be demolished. On 12 March 2026 a
detainee told us the food had improved. Costs reached 1 250 000 euros over 2024-2025.
Cells in Wing B held three people in cells built for one, and two detainees per cell in
Wing A. See CAT/OP/12/1, para. 42, and the visit V-2026-0001.
"""


def test_it_lets_ordinary_report_text_pass(world, make_user):
    make_user("head", "amelia@npm.test", full_name="Amelia Hartwell")
    found = hits(world, NEGATIVE)
    assert [(h.code, NEGATIVE[h.start : h.end]) for h in found] == []


def test_it_lets_a_date_without_a_statement_about_a_person_pass(world):
    facts = Facts(items=[Fact(label="Dates", cell=Cell(text="10–12 March 2026"))])
    assert hits(world, "The visit ended on 11 March 2026.", facts) == []


def test_a_report_of_another_kind_reads_the_records_of_its_own_scope(world):
    # The annual report of 2026 covers the visit; the annual report of 2025 does not.
    text = "José Benítez Arroyo was heard."
    this_year = visit_report(world, kind=Kind.ANNUAL, visit=None, year=2026)
    last_year = visit_report(world, kind=Kind.ANNUAL, visit=None, year=2025, reference="RPT-X")
    assert codes(find_hits(report=this_year, content=summary(text), k=5)) == [Hit.Code.NAME]
    assert find_hits(report=last_year, content=summary(text), k=5) == []


def test_a_thematic_report_covers_the_visits_of_its_period_with_findings_on_its_theme(world):
    text = "José Benítez Arroyo was heard."
    on_theme = visit_report(
        world,
        kind=Kind.THEMATIC,
        visit=None,
        theme="treatment",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    off_theme = visit_report(
        world,
        kind=Kind.THEMATIC,
        visit=None,
        theme="staff",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        reference="RPT-Y",
    )
    assert codes(find_hits(report=on_theme, content=summary(text), k=5)) == [Hit.Code.NAME]
    assert find_hits(report=off_theme, content=summary(text), k=5) == []


def test_the_check_reads_a_national_scale_of_notes_in_seconds():
    """An annual report's scope at the national scale: ~150 visits × 60 interviews. The
    notes are read in one pass against structures built once from the report."""
    import random
    import time

    from habeas.reports.publication import Passage
    from habeas.reports.publication_check import _Matcher, _quote_hits
    from habeas.reports.publication_scope import Knowledge, name_variants

    rng = random.Random(7)
    vocabulary = [f"word{n}" for n in range(5000)] + ["the", "a", "of", "in", "cell", "guard"]
    notes = [" ".join(rng.choice(vocabulary) for _ in range(200)) for _ in range(9000)]
    planted = " ".join(notes[4321].split()[50:60])
    report_text = [
        Passage(f"s{n % 8}", "narrative", " ".join(rng.choice(vocabulary) for _ in range(300)))
        for n in range(100)
    ]
    report_text.append(Passage("findings", "narrative", f"We heard that {planted} indeed."))
    knowledge = Knowledge()
    letters = str.maketrans("0123456789", "abcdefghij")
    for n in range(9000):
        names, families = name_variants(f"Amadou Diallo{n:05d}".translate(letters))
        knowledge.names |= names
        knowledge.family_names |= families
    started = time.perf_counter()
    quotes = _quote_hits(report_text, notes)
    matcher = _Matcher(knowledge, 5)
    for item in report_text:
        matcher.hits(item)
    elapsed = time.perf_counter() - started
    assert [q.passage.section for q in quotes] == ["findings"]
    assert len(knowledge.names) == 9000
    assert elapsed < 20
