"""Text for the demo strategy: objectives, activities, budget lines and policies.

Written as a small NPM would write its own plan and rules of procedure: plain words,
concrete criteria and indicators, outcomes that say what changed and lessons that say
what the NPM will do differently. Nothing here names a real person or a real country;
figures that the records hold (visits, staff-days) are never restated in the text, so
the text cannot contradict them.
"""

from __future__ import annotations

from dataclasses import dataclass

from habeas.strategy.models import ActivityKind, PolicyArea

K = ActivityKind


@dataclass(frozen=True)
class ObjectiveSpec:
    code: str
    title: str
    description: str


@dataclass(frozen=True)
class ActivitySpec:
    """One activity repeated in each year of the plan it runs in.

    `offsets` are the years it runs, counted from the first demo year (0 = two years
    before today's). `months` is when it runs in a year: in the current year it is done
    once its last month is past, under way once its first month has come. A visits
    activity's `categories` are category codes of places; `regional` narrows it to the
    two regions of the country where most of its visits took place."""

    objective: str
    kind: str
    title: str
    criteria: str
    indicators: str
    outcome: str
    lessons: str
    so_far: str = ""
    months: tuple[int, int] = (1, 12)
    staff_days: int = 0
    money: int = 0  # planned per year; a visits activity's money follows its visits instead
    categories: tuple[str, ...] = ()
    regional: bool = False
    offsets: tuple[int, ...] = (0, 1, 2)
    dropped_in: int | None = None
    dropped_note: str = ""


# fmt: off
OBJECTIVES: tuple[ObjectiveSpec, ...] = (
    ObjectiveSpec("SO1", "Visit every kind of place of detention regularly, where the risk is "
        "highest first",
        "The inventory holds places of sixteen kinds. Every remand prison, immigration centre "
        "and juvenile centre is visited at least every two years; police stations, care homes "
        "and psychiatric wards are chosen by risk: complaints, deaths and injuries in custody, "
        "overcrowding, and time since the last visit (¶9, 10, 36)."),
    ObjectiveSpec("SO2", "Safeguards in the first hours of police custody",
        "Access to a lawyer and a doctor, notification of a relative and information on "
        "rights from the outset of custody, in law and in practice (¶12, 28)."),
    ObjectiveSpec("SO3", "Children and persons with psychosocial disabilities deprived of "
        "liberty",
        "Juvenile centres, psychiatric wards and care homes: restraint and seclusion, "
        "contact with families, complaints that reach someone outside (¶10, 36)."),
    ObjectiveSpec("SO4", "An independent NPM that learns from its work",
        "Trained staff, rules of procedure everyone knows, a budget the NPM controls, and "
        "dialogue with the SPT and the regional network of NPMs (¶5, 7, 8, 35, 37)."),
)

ACTIVITIES: tuple[ActivitySpec, ...] = (
    ActivitySpec(
        "SO1", K.VISITS, "Unannounced visits to police custody and court cells",
        criteria="Stations with the most arrests, stations named in complaints to the NPM or "
        "in the register of allegations, and stations not visited for three years. At least "
        "a third of visits at night or at the weekend.",
        indicators="- share of visits unannounced (target 90 %)\n- share at night or at the "
        "weekend (target 30 %)\n- custody registers checked at every visit",
        outcome="Custody registers were incomplete at most stations visited: times of the "
        "lawyer's call and of the family's notification missing. The regional police "
        "directorates issued an instruction on keeping the register.",
        lessons="Night visits found what day visits missed (people held in interview rooms "
        "overnight). Plan a third of visits at night and check the register against the "
        "cells, not only on paper.",
        so_far="Visits under way; the register instruction is applied at the stations "
        "revisited, not yet in the northern districts.",
        staff_days=0, categories=("police-custody", "court-cells"),
    ),
    ActivitySpec(
        "SO1", K.VISITS, "Visits to remand and sentenced prisons",
        criteria="Every remand prison at least once in two years; first those with a death "
        "in custody, occupancy above 120 % or disciplinary confinement beyond 14 days.",
        indicators="- remand prisons visited within 24 months (target 100 %)\n- follow-up "
        "visit within a year after each in-depth visit",
        outcome="Overcrowding in remand prisons reported to the Ministry of Justice with the "
        "population figures; two segregation units closed for refurbishment after the "
        "visits.",
        lessons="Follow-up visits a few months after the report moved more than a second "
        "in-depth visit would have. Keep a follow-up slot in every quarter.",
        so_far="In-depth visit done; follow-up visits planned for the last quarter.",
        categories=("prison-remand", "prison-sentenced"),
    ),
    ActivitySpec(
        "SO1", K.VISITS, "Visits to immigration detention and airport waiting zones",
        criteria="Centres with removal flights scheduled, families with children held, and "
        "complaints from lawyers and NGOs; waiting zones during peak arrival seasons.",
        indicators="- every immigration detention centre visited in the year\n- interviews "
        "in the detainees' languages (interpreters booked for each visit)",
        outcome="Families with children no longer held in the waiting zone beyond 48 hours; "
        "information on asylum now given in nine languages.",
        lessons="Unannounced visits need interpreters on call, not booked a week ahead: "
        "the framework contract now provides them.",
        so_far="Visits to the two largest centres done; the waiting zone visit was moved to "
        "December.",
        categories=("immigration-detention", "waiting-zone"),
    ),
    ActivitySpec(
        "SO3", K.VISITS, "Visits to juvenile centres, psychiatric wards and care homes",
        criteria="Every juvenile centre every two years; psychiatric wards and care homes "
        "in the two regions where the health authority's figures show the most restraint "
        "and seclusion, first the wards using it most often according to their own "
        "registers.",
        indicators="- restraint and seclusion registers examined at every visit\n- a "
        "medical member on every team (¶11)",
        outcome="Two hospitals introduced a restraint register reviewed weekly by the "
        "medical director; a care home stopped locking residents in at night.",
        lessons="Care homes are run by many small operators the NPM knew little about: "
        "complete the inventory with the social-care authority before choosing.",
        so_far="Juvenile centres visited; the care-home round starts after the inventory "
        "update.",
        categories=("juvenile", "psychiatric", "social-care"), regional=True,
    ),
    ActivitySpec(
        "SO2", K.LEGISLATION, "Review of custody safeguards in law against the SPT's and "
        "CPT's standards",
        criteria="The Code of Criminal Procedure, the Police Act and their regulations, "
        "read against the benchmarks of the legislation tracker.",
        indicators="- a published review with proposals\n- proposals taken up by the "
        "Ministry of Justice",
        outcome="Review published and sent to the Ministry of Justice and Parliament's "
        "legal committee; three of its proposals entered the government's draft.",
        lessons="A short review with article-by-article proposals was read; the long "
        "background study was not.",
        staff_days=30, money=4000, offsets=(0,),
    ),
    ActivitySpec(
        "SO2", K.LEGISLATION, "Opinion and advocacy on the Code of Criminal Procedure "
        "amendment (police custody)",
        criteria="The amendment would defer access to a lawyer and the family's "
        "notification by 48 hours: a direct step back on ¶28 safeguards.",
        indicators="- opinion sent before the consultation closes\n- meetings with the "
        "rapporteur and the legal committee\n- deferral clauses dropped or narrowed",
        outcome="Opinion sent on time; the rapporteur accepted to limit the deferral to "
        "terrorism cases with a judge's decision.",
        lessons="A joint statement with the Bar Association reached the press; our opinion "
        "alone did not. Prepare partners before the consultation opens.",
        so_far="Opinion sent; the bill is still before the legal committee.",
        staff_days=25, money=3000, offsets=(1, 2),
    ),
    ActivitySpec(
        "SO3", K.LEGISLATION, "Opinion on the Mental Health Bill: notice of visits and "
        "restraint",
        criteria="The bill would put NPM visits to psychiatric wards on 48 hours' notice, "
        "against OPCAT article 20.",
        indicators="- opinion sent\n- notice clause removed",
        outcome="The notice clause was removed at first reading.",
        lessons="Quoting the SPT's own guidance settled the argument faster than our "
        "reasoning did.",
        so_far="Second reading expected next year; restraint provisions still too vague.",
        staff_days=18, money=1500, months=(3, 11), offsets=(1, 2),
    ),
    ActivitySpec(
        "SO4", K.LEGISLATION, "Amendment of the NPM's founding law: budget independence",
        criteria="The NPM's budget is set by the Ministry of Justice; ¶12 and the SPT "
        "guidelines call for financial autonomy.",
        indicators="- draft amendment tabled\n- budget line voted by Parliament itself",
        outcome="Draft amendment tabled by the human rights committee; not yet voted.",
        lessons="Parliament's budget committee had never heard from us: meet it every year "
        "before the budget is voted.",
        staff_days=12, money=1000, months=(2, 10), offsets=(0,),
    ),
    ActivitySpec(
        "SO2", K.TRAINING, "Training police commanders on the rights of persons in custody",
        criteria="Commanders of the stations with the most arrests and of those where "
        "visits found registers incomplete.",
        indicators="- commanders trained (target 40 a year)\n- registers complete at the "
        "stations revisited",
        outcome="Commanders trained with the police academy; the academy added the module "
        "to its own curriculum.",
        lessons="Commanders listened to former police officers on our team more than to "
        "lawyers: train with the academy, not alone.",
        so_far="Two sessions held; the third is planned with the academy in the autumn.",
        staff_days=24, money=9000, months=(3, 11),
    ),
    ActivitySpec(
        "SO3", K.TRAINING, "Children's rights and mental-health monitoring for the "
        "visiting team",
        criteria="Members assigned to juvenile centres, psychiatric wards and care homes "
        "without the training their visits need (the training needs of the plan).",
        indicators="- training needs for these visits covered before the visit",
        outcome="Most of the team trained; two members still to take the mental-health "
        "module.",
        lessons="An online module before the visit and a day on site after worked better "
        "than a two-day course.",
        so_far="Children's rights module held; mental-health module in the plan for the "
        "end of the year.",
        staff_days=16, money=5000, months=(2, 12),
    ),
    ActivitySpec(
        "SO4", K.TRAINING, "Istanbul Protocol course for monitors and doctors",
        criteria="Every member who interviews persons alleging ill-treatment.",
        indicators="- monitors and doctors trained\n- allegations documented with the "
        "Protocol's forms",
        outcome="Course held with the regional forensic institute; documentation of "
        "injuries more consistent in the visit reports.",
        lessons="Photographing injuries needs a written consent form the team carries: "
        "now in the visit kit.",
        so_far="Course held in spring; a refresher for the new members is planned.",
        staff_days=20, money=7000, months=(4, 6),
    ),
    ActivitySpec(
        "SO2", K.AWARENESS, "Rights-in-custody leaflet in twelve languages in every "
        "police station",
        criteria="Languages of the people most often held, from the police's own statistics "
        "and the interviews' interpreters.",
        indicators="- leaflet displayed in the stations visited\n- people interviewed who "
        "were told their rights",
        outcome="Leaflet printed and sent to every station; found displayed in most "
        "stations visited afterwards.",
        lessons="Displaying a leaflet is not informing: people interviewed had rarely read "
        "it. Ask the police to hand it over and sign for it.",
        so_far="Reprint with the two new languages under way.",
        staff_days=10, money=8000, months=(2, 9),
    ),
    ActivitySpec(
        "SO3", K.AWARENESS, "Easy-read leaflet for people in care homes and their families",
        criteria="Care homes of the regions visited in the year; families reached through "
        "the associations of families and of persons with disabilities.",
        indicators="- leaflet produced with persons with disabilities\n- requests to the "
        "NPM from care homes",
        outcome="The leaflet was dropped: the budget went to the urgent visits after the "
        "fire at a care home.",
        lessons="Awareness work is the first to be cut; plan it with a partner who can "
        "carry it when we cannot.",
        staff_days=8, money=6000, months=(5, 10), offsets=(0,), dropped_in=0,
        dropped_note="Dropped in the year: money moved to urgent visits.",
    ),
    ActivitySpec(
        "SO4", K.AWARENESS, "Annual report launch and press conference",
        criteria="The annual report to Parliament (¶38); the press, the ministries and the "
        "partners of the NPM.",
        indicators="- report presented to Parliament\n- press coverage\n- ministries' "
        "written answers",
        outcome="Report presented to Parliament's human rights committee; answers received "
        "from three ministries.",
        lessons="Presenting three findings with one photograph each worked better than the "
        "full report.",
        so_far="Report presented in April; answers from the ministries awaited.",
        staff_days=12, money=10000, months=(3, 5),
    ),
    ActivitySpec(
        "SO2", K.COOPERATION, "Working group with the Bar Association on access to a lawyer",
        criteria="Lawyers on duty at police stations report delays and refusals the "
        "registers do not show.",
        indicators="- meetings held\n- cases of delayed access reported to the NPM",
        outcome="The Bar Association now forwards refusals of access to the NPM, which "
        "visits the station concerned.",
        lessons="Agree in writing what the NPM may do with what lawyers tell it: client "
        "confidentiality came up at the first meeting.",
        so_far="Two meetings held; a joint statement on the amendment published.",
        staff_days=6, money=1500,
    ),
    ActivitySpec(
        "SO4", K.COOPERATION, "Dialogue with the SPT and the regional network of NPMs",
        criteria="The SPT's advisory visit follow-up, the regional network's annual "
        "meeting, and peer exchanges on methods.",
        indicators="- self-assessment against the SPT's tool shared\n- exchange visits "
        "with other NPMs",
        outcome="Self-assessment shared with the SPT; an exchange visit with a "
        "neighbouring NPM on unannounced night visits.",
        lessons="The self-assessment was more useful to us than to the SPT: do it every "
        "year, with the whole team.",
        so_far="Annual meeting attended; the self-assessment for the year is in review.",
        staff_days=10, money=6000, months=(4, 11),
    ),
)

# (kind, label, planned money per year): lines not tied to one activity.
GENERAL_LINES: tuple[tuple[str, str, int], ...] = (
    (K.LEGISLATION, "Legal research and translation of draft laws", 5000),
    (K.TRAINING, "Staff induction and training courses", 8000),
    (K.AWARENESS, "Website and publications", 7000),
    (K.COOPERATION, "Regional NPM network: membership and meetings", 4000),
)
# The money of visits follows the visits the demo records, as a real NPM's would: a
# visits activity costs this much per staff-day of its visits (travel, lodging and
# allowances of the team), and the general visit lines this much per visit of the year.
VISIT_STAFF_DAY_COST = 220
VISIT_LINES: tuple[tuple[str, int], ...] = (
    ("Interpreters (framework contract)", 400),
    ("Vehicles, fuel and travel of visiting teams", 250),
    ("Fees of external experts on visits", 300),
)
OVERSPENT_NOTE = "Overspent: urgent visits not foreseen in the plan."
UNDERSPENT_NOTE = "Underspent: a recruitment and a contract came later than planned."


@dataclass(frozen=True)
class PolicySpec:
    """A policy in one or more versions: (years before today it took effect, what
    changed, text). The last version is the current one."""

    area: str
    title: str
    versions: tuple[tuple[float, str, str], ...]


A = PolicyArea
POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec(A.STAFF, "Staff policy: recruitment, independence and conduct", (
        (4.0, "", """\
## Recruitment
Posts are advertised publicly. A panel of three, at least one of them from outside the
NPM, chooses on the written criteria of the post: professional background, experience of
places of detention, languages.

## Independence
Staff do not hold a post in an authority the NPM monitors. Each member declares any link
with a place or an authority that could be a conflict of interest.

## Conduct
- Respect for the people met, whoever they are.
- Nothing promised that the NPM cannot deliver.
- Confidentiality during and after employment.
"""),
        (1.5, "Conflicts of interest declared every year, not only on recruitment.", """\
## Recruitment
Posts are advertised publicly. A panel of three, at least one of them from outside the
NPM, chooses on the written criteria of the post: professional background, experience of
places of detention, languages. The panel looks for a team balanced in gender,
profession and background (¶11).

## Independence
Staff do not hold a post in an authority the NPM monitors. **Each member declares every
January** any link with a place or an authority that could be a conflict of interest,
and updates the declaration whenever it changes; the team profile records it.

## Conduct
- Respect for the people met, whoever they are.
- Nothing promised that the NPM cannot deliver.
- Confidentiality during and after employment.
"""),
    )),
    PolicySpec(A.DECISIONS, "Rules of procedure: how the NPM decides", (
        (4.0, "", """\
## Who decides
- The head signs reports, recommendations and public statements.
- The head of delegation decides on the spot during a visit, including to end it.
- The annual programme of visits is adopted by the team meeting in December.

## Urgent matters
An urgent recommendation is sent within 48 hours of the visit, signed by the head or,
in the head's absence, by the most senior monitor.

## Record
Every decision on a visit, a report or a programme is recorded in Habeas.
"""),
    )),
    PolicySpec(A.ORGANISATION, "Financial rules and budget procedure", (
        (3.0, "", """\
## Budget
The draft budget is prepared by the data officer with the head, from the year's plan of
activities, and sent to Parliament's budget committee by 30 June.

## Spending
Every expense above 1,000 needs the head's approval. Visits' travel is booked by the
team, within the per-diem rates of the public service.
"""),
        (0.9, "A year-end review of the plan: money and days per kind of activity.", """\
## Budget
The draft budget is prepared by the data officer with the head, from the year's plan of
activities, and sent to Parliament's budget committee by 30 June.

## Spending
Every expense above 1,000 needs the head's approval. Visits' travel is booked by the
team, within the per-diem rates of the public service.

## Year-end review
In January the team reviews the past year in Habeas' year-end view: where the money and
staff-days went, which kinds of place and which regions were left without a visit, and
how many recommendations were implemented. The review feeds the next plan (¶5, 35, 36).
"""),
    )),
    PolicySpec(A.INFORMATION, "Sharing information inside the NPM and with partners", (
        (3.5, "", """\
Information is shared on a need-to-know basis.

- Interview notes and medical records are read only by the visit's team and the head.
- A case is shared with a partner (a lawyer, a doctor, an NGO) only with the person's
  informed consent, recorded in the case file.
- Nothing that could identify a person who spoke to the NPM leaves it without that
  person's consent, and never when it could expose them to reprisals.
"""),
    )),
    PolicySpec(A.COMMUNICATION, "Communication and media policy", (
        (3.5, "", """\
## Who speaks
The head, or a member the head names, speaks for the NPM. Members do not comment on a
visit in public or on social media.

## What is published
Visit reports once the authority has had the time to answer; annual and thematic
reports; urgent statements when a life or health is at risk.

## Before publishing
Every publication goes through the publication check: no name, no detail that would let
a reader recognise a detainee or a member of staff who spoke to us.
"""),
    )),
    PolicySpec(A.DATA_PROTECTION, "Data protection and confidentiality", (
        (3.0, "", """\
## Principles
The NPM keeps only the personal data it needs, for as long as it needs them.
Detainees are known by pseudonyms in every note.

## Access
Access is by role and by visit. Sealed notes are opened only by their author and, with
a written reason, by the head; every opening is recorded.
"""),
        (0.2, "Photographs, the anonymity rule and devices on visits.", """\
## Principles
The NPM keeps only the personal data it needs, for as long as it needs them.
Detainees are known by pseudonyms in every note.

## Access
Access is by role and by visit. Sealed notes are opened only by their author and, with
a written reason, by the head; every opening is recorded.

## Photographs
No face and no identifying mark. Photographs are taken on the NPM's devices only and
uploaded the same day; the copy on the device is then erased.

## Anonymity rule
A finding drawn from interviews is reported only when enough people were interviewed in
the unit to hide who spoke (¶25). Habeas shows when the rule is not met.
"""),
    )),
    PolicySpec(A.DATA_PROTECTION, "Information security: devices, passwords and travel", (
        (2.0, "", """\
- Every account uses a second factor (an authenticator app).
- Laptops and phones are encrypted and locked after five minutes.
- No NPM data on private devices or private e-mail.
- A lost device is reported to the administrator the same day.
"""),
    )),
    PolicySpec(A.EXPERTS, "Engaging external experts", (
        (2.5, "", """\
## Terms of reference
Each external expert has written terms of reference: the visits, the questions, the
fee. They sign the confidentiality undertaking before their first visit.

## Independence
An expert declares any link with the place or the authority visited; the head decides,
in writing, whether they may join the team.

## Access
An expert reads only the visits they are on, for the time of their engagement.
"""),
    )),
)
# fmt: on
