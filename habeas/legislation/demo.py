"""The demo NPM's legislation tracker (¶12, 26, 28, 29).

`demo_load_legislation(scale=..., seed=...)` runs after the places, cases and
recommendations demos (`manage.py demo`), in the same transaction; when the partners demo
ran first, joint statements name its civil-society partners. It builds what an NPM
follows in a given year:

- bills under consultation or before parliament: a criminal-procedure amendment that
  defers access to a lawyer and the family's notification by 48 hours (its consultation
  closes in nine days), a mental health bill that puts the NPM's visits to psychiatric
  wards on 48 hours' notice, an immigration detention decree, a prison bill on
  disciplinary confinement whose consultation closed while the text is still with the
  government, and an administrative decree on visiting hours that touches no safeguard;
- an existing penal code whose definition of torture falls short of UNCAT art. 1 (linked
  to register entries that prosecutors classified as bodily harm or abuse of office) and
  the NPM's own founding law (independence, budget);
- a missing law: no independent body investigates complaints against police and prison
  staff;
- earlier bills, adopted or rejected, with the outcome of the NPM's proposals (as
  proposed, partly, not), more of them at larger scales.

Each has assessments against the benchmarks, opinions in versions (some sent, dated and
addressed), advocacy steps (meetings, hearings, letters to parliamentarians, joint
statements). Everything is written through the services, by the demo's staff, so it is
audited and its priority computed exactly as in use. The same seed builds the same
tracker; dates are counted from today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from habeas.accounts.demo import demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.cases.models import RegisterEntry
from habeas.legislation import services
from habeas.legislation.models import (
    OPEN_PROCEDURES,
    AdvocacyStep,
    Assessment,
    Benchmark,
    Effect,
    ItemKind,
    LegislationItem,
    Opinion,
    OpinionVersion,
    Outcome,
    Procedure,
)
from habeas.partners.models import Partner, PartnerKind
from habeas.places.demo import DemoRefused
from habeas.places.models import Authority
from habeas.recommendations.models import Level, Recommendation

E = Effect
P = Procedure
K = AdvocacyStep.Kind
HISTORY = {"small": 4, "national": 8, "large": 12}


@dataclass
class LegislationDemoSummary:
    items: int
    open_items: int
    assessments: int
    opinions: int
    opinions_sent: int
    opinion_versions: int
    steps: int
    seconds: float = 0.0

    def describe(self) -> str:
        """One line for `manage.py demo`."""
        return (
            f"Legislation: {self.items} items ({self.open_items} still open), "
            f"{self.assessments} assessments against the benchmarks, {self.opinions} opinions "
            f"({self.opinions_sent} sent, {self.opinion_versions} versions), "
            f"{self.steps} advocacy steps ({self.seconds:.1f} s)."
        )


@dataclass
class Opinion_:
    title: str
    texts: tuple[str, ...]
    sent_days_ago: int | None = None
    sent_to: str = ""
    author: str = Role.MONITOR


@dataclass
class Step_:
    kind: str
    days_ago: int
    with_whom: str
    summary: str
    result: str = ""
    with_partners: bool = False
    by: str = Role.MONITOR


@dataclass
class Item_:
    title: str
    kind: str
    subject: str
    responsible_body: str
    authority: str
    procedure: str
    official_ref: str = ""
    deadline_in: int | None = None
    assessments: tuple[tuple[str, str, str], ...] = ()
    opinions: tuple[Opinion_, ...] = ()
    steps: tuple[Step_, ...] = ()
    outcome: tuple[str, str] | None = None
    link_recommendations: tuple[str, ...] = ()  # themes
    link_register: tuple[str, ...] = ()  # classifications
    lead: str = Role.MONITOR


# fmt: off
CURRENT: tuple[Item_, ...] = (
    Item_(
        title="Code of Criminal Procedure (Amendment) Bill: police custody",
        kind=ItemKind.DRAFT,
        subject="Extends police custody for suspects of organised crime and terrorism from "
        "48 to 96 hours, lets the prosecutor defer access to a lawyer for the first 48 hours "
        "and delay notifying the family 'where the investigation so requires'. The medical "
        "examination stays available on request.",
        responsible_body="Ministry of Justice, Directorate of Criminal Affairs",
        authority="Ministry of Justice",
        procedure=P.CONSULTATION,
        official_ref="Draft law No. {year}/214",
        deadline_in=9,
        assessments=(
            ("first-hours-lawyer", E.WEAKENS,
             "New art. 63-4-2: the prosecutor may defer the lawyer's arrival by 48 hours, by "
             "a decision that cannot be appealed."),
            ("first-hours-notification", E.WEAKENS,
             "New art. 63-2: notifying a relative may be delayed for the same 48 hours."),
            ("first-hours-judge", E.WEAKENS,
             "96 hours before a judge for the offences listed in art. 706-73."),
            ("first-hours-doctor", E.MEETS,
             "The right to a doctor on request is kept from the first hour."),
            ("first-hours-registration", E.SILENT,
             "Nothing requires the deferral decisions to be written in the custody register."),
            ("prohibition-evidence", E.SILENT, ""),
        ),
        opinions=(
            Opinion_(
                "Opinion on the police custody amendment",
                ("The NPM opposes any deferral of access to a lawyer. In its visits to 41 "
                 "police stations since 2022, the first hours of custody are when detainees "
                 "most often report ill-treatment.",
                 "The NPM opposes any deferral of access to a lawyer and of the notification "
                 "of a relative (CPT/Inf(92)3, para. 36). In its visits to 41 police stations "
                 "since 2022, the first hours of custody are when detainees most often report "
                 "ill-treatment. If a deferral is kept, it should be decided by a judge, last "
                 "no more than 12 hours, and be written in the custody register."),
                author=Role.MONITOR,
            ),
        ),
        steps=(
            Step_(K.MEETING, 20, "Ministry of Justice, drafting team",
                  "Presented the NPM's findings on the first hours of police custody.",
                  "The ministry will consider a judge's authorisation for any deferral."),
            Step_(K.JOINT_STATEMENT, 6, "Bar Association and civil-society partners",
                  "Joint statement: 'No custody without a lawyer'.", with_partners=True,
                  by=Role.COMMS),
        ),
        link_recommendations=("safeguards",),
    ),
    Item_(
        title="Mental Health Bill",
        kind=ItemKind.DRAFT,
        subject="Replaces the 1994 Mental Health Act: involuntary admission on two doctors' "
        "certificates, seclusion and restraint recorded in a national register, and "
        "'visits by external oversight bodies to be announced 48 hours in advance to protect "
        "patients' care'.",
        responsible_body="Parliament, Health and Social Affairs Committee",
        authority="Ministry of Health",
        procedure=P.PARLIAMENT,
        official_ref="Bill No. {year}-37",
        deadline_in=24,
        assessments=(
            ("npm-unannounced-access", E.WEAKENS,
             "Art. 58: 48 hours' notice of any external visit; the NPM is not exempted."),
            ("npm-private-interviews", E.WEAKENS,
             "Art. 59: interviews with patients 'in the presence of a clinician where "
             "clinically indicated'."),
            ("first-hours-registration", E.STRENGTHENS,
             "Art. 41: a national register of seclusion and restraint, with times and the "
             "deciding doctor."),
            ("first-hours-lawyer", E.MEETS,
             "A lawyer is appointed for every involuntary admission reviewed by the judge."),
            ("other-solitary-confinement", E.SILENT, "No maximum duration of seclusion."),
        ),
        opinions=(
            Opinion_(
                "Opinion to the Ministry of Health on the draft Mental Health Bill",
                ("The register of seclusion and restraint is welcome. Art. 58 would end "
                 "unannounced visits to psychiatric wards.",
                 "The register of seclusion and restraint is welcome. Art. 58 would end "
                 "unannounced visits to psychiatric wards, contrary to OPCAT art. 20(c) and "
                 "(e); art. 59 would end private interviews, contrary to art. 20(d). The NPM "
                 "asks that both articles exempt it."),
                sent_days_ago=150, sent_to="Ministry of Health, Legal Department",
            ),
            Opinion_(
                "Submission to the Health and Social Affairs Committee",
                ("The bill as tabled keeps arts. 58 and 59 unchanged. The NPM asks the "
                 "Committee to exempt the NPM and the SPT from any notice or presence of "
                 "staff, and to set a maximum duration of seclusion.",),
                sent_days_ago=12, sent_to="Chair of the Health and Social Affairs Committee",
                author=Role.HEAD,
            ),
        ),
        steps=(
            Step_(K.HEARING, 10, "Health and Social Affairs Committee",
                  "The head of the NPM testified on arts. 58 and 59.",
                  "Two members tabled an amendment exempting the NPM."),
            Step_(K.LETTER, 5, "Members of the Health and Social Affairs Committee",
                  "Letter with the proposed wording of the exemption.", by=Role.HEAD),
        ),
        link_recommendations=("health",),
        lead=Role.HEAD,
    ),
    Item_(
        title="Decree on the administrative detention of foreign nationals",
        kind=ItemKind.DRAFT,
        subject="Raises the maximum detention pending removal from 6 to 18 months; access "
        "to a lawyer 'within the organisation of the centre'; a medical screening within 24 "
        "hours of arrival; visits by oversight bodies 'with the director's agreement during "
        "removal operations'.",
        responsible_body="Ministry of the Interior, Directorate of Immigration",
        authority="Ministry of the Interior",
        procedure=P.GOVERNMENT,
        official_ref="Draft decree INT/{year}/88",
        deadline_in=45,
        assessments=(
            ("first-hours-lawyer", E.WEAKENS,
             "Art. 12: lawyers' visits limited to the centre's visiting hours."),
            ("npm-unannounced-access", E.WEAKENS,
             "Art. 17: access 'with the director's agreement' during removal operations."),
            ("first-hours-doctor", E.MEETS, "Art. 9: medical screening within 24 hours."),
            ("first-hours-information", E.SILENT, "No interpreter is guaranteed."),
        ),
        opinions=(
            Opinion_("Opinion on the draft immigration detention decree",
                     ("Arts. 12 and 17 restrict access to a lawyer and the NPM's unannounced "
                      "access. Eighteen months of detention pending removal is "
                      "disproportionate.",)),
        ),
        steps=(
            Step_(K.MEETING, 30, "Office for Asylum and Reception",
                  "Discussed the NPM's findings at two detention centres."),
        ),
        link_recommendations=("contact",),
    ),
    Item_(
        title="Prison Service Bill: disciplinary confinement",
        kind=ItemKind.DRAFT,
        subject="Raises the maximum disciplinary confinement in a punishment cell from 20 to "
        "30 days and allows it for persons under 18 'in exceptional cases'.",
        responsible_body="Ministry of Justice, Prison Administration",
        authority="Prison Administration",
        procedure=P.GOVERNMENT,
        official_ref="Draft law No. {year}/131",
        deadline_in=-12,
        assessments=(
            ("other-solitary-confinement", E.BREACHES,
             "30 days' confinement, and for children, against Nelson Mandela Rules 43-45."),
            ("first-hours-doctor", E.SILENT,
             "The daily visit of a doctor to confined prisoners is not mentioned."),
        ),
        opinions=(
            Opinion_("Consultation response on disciplinary confinement",
                     ("The NPM asks that confinement never exceed 15 days, never apply to "
                      "children, and that a doctor see confined prisoners daily.",),
                     sent_days_ago=15, sent_to="Prison Administration, Legal Unit"),
        ),
        steps=(
            Step_(K.CONSULTATION, 15, "Prison Administration",
                  "Written response to the public consultation."),
        ),
        link_recommendations=("security",),
    ),
    Item_(
        title="Administrative decree on visiting hours in prisons",
        kind=ItemKind.DRAFT,
        subject="Sets the hours of the visiting rooms and moves the booking of family visits "
        "online in all prisons.",
        responsible_body="Prison Administration",
        authority="Prison Administration",
        procedure=P.CONSULTATION,
        official_ref="Circular PA/{year}/12",
        deadline_in=5,
        assessments=(
            ("npm-dialogue", E.SILENT, ""),
            ("first-hours-information", E.MEETS, "Booking rules posted in every wing."),
        ),
    ),
    Item_(
        title="Penal Code, article 231 (torture)",
        kind=ItemKind.EXISTING,
        subject="Art. 231 punishes 'acts of violence by a public official to obtain a "
        "confession' with one to five years' imprisonment. It leaves out mental suffering, "
        "punishment, intimidation and discrimination as purposes, and acts by others with "
        "an official's consent or acquiescence. Prosecutors mostly charge bodily harm (art. "
        "95) or abuse of office (art. 118); the limitation period is ten years.",
        responsible_body="Ministry of Justice",
        authority="Ministry of Justice",
        procedure=P.IN_FORCE,
        official_ref="Penal Code (2004), art. 231",
        assessments=(
            ("definition-distinct-offence", E.WEAKENS,
             "A distinct offence exists, but only for violence to obtain a confession."),
            ("definition-elements", E.BREACHES,
             "No mental suffering, no other purposes, no consent or acquiescence."),
            ("penalties-gravity", E.WEAKENS,
             "One to five years, as for aggravated bodily harm; often suspended."),
            ("prohibition-no-impunity", E.BREACHES, "Art. 8: ten-year limitation period."),
        ),
        opinions=(
            Opinion_("Bringing art. 231 of the Penal Code in line with UNCAT art. 1",
                     ("Art. 231 should be replaced by the definition of UNCAT art. 1.",
                      "Art. 231 should be replaced by the definition of UNCAT art. 1, with "
                      "penalties of six to fifteen years and no limitation period.",
                      "Art. 231 should be replaced by the definition of UNCAT art. 1, with "
                      "penalties of six to fifteen years and no limitation period. Of the "
                      "allegations the NPM followed in the register, most were charged as "
                      "bodily harm or abuse of office, and none as torture."),
                     sent_days_ago=720, sent_to="Minister of Justice", author=Role.HEAD),
        ),
        steps=(
            Step_(K.LETTER, 400, "Parliament, Human Rights Committee",
                  "Letter to the members with the CAT's concluding observations.",
                  by=Role.HEAD),
            Step_(K.JOINT_STATEMENT, 200, "National human rights institution",
                  "Joint statement on the International Day in Support of Victims of "
                  "Torture.", with_partners=True, by=Role.COMMS),
            Step_(K.MEETING, 60, "Office of the Prosecutor General",
                  "How prosecutors classify allegations of torture.",
                  "A circular on classification is being drafted."),
        ),
        link_register=("bodily_harm", "abuse_of_office"),
        lead=Role.HEAD,
    ),
    Item_(
        title="Independent body to investigate complaints against police and prison staff",
        kind=ItemKind.MISSING,
        subject="Complaints against police officers are investigated by the police's own "
        "inspectorate, and complaints against prison staff by the Prison Administration. No "
        "law creates an independent body, and complainants have no protection against "
        "reprisals.",
        responsible_body="Ministry of Justice; Ministry of the Interior",
        authority="Ministry of Justice",
        procedure=P.IDENTIFIED,
        assessments=(
            ("prohibition-investigation", E.BREACHES,
             "No investigation independent of the service accused."),
        ),
        opinions=(
            Opinion_("Proposal for an independent complaints body",
                     ("The NPM proposes a law creating an independent body to investigate "
                      "complaints against police and prison staff, with the powers of an "
                      "investigating judge.",)),
        ),
        steps=(
            Step_(K.MEETING, 90, "National human rights institution",
                  "Shared the register's figures on complaints never investigated.",
                  with_partners=True),
        ),
        link_register=("cruel",),
    ),
    Item_(
        title="Law on the National Preventive Mechanism",
        kind=ItemKind.EXISTING,
        subject="Designates the NPM. Its members are appointed by the Minister of Justice "
        "for renewable three-year terms; its budget was part of the Ministry's until 2024; "
        "art. 9 lets it visit 'places under the authority of the State', leaving private "
        "care homes in doubt.",
        responsible_body="Parliament",
        authority="Parliament, Human Rights Committee",
        procedure=P.IN_FORCE,
        official_ref="Law No. 2012-45",
        assessments=(
            ("npm-independence", E.WEAKENS, "Appointment and renewal by the minister."),
            ("npm-resources", E.WEAKENS, "Staff posts still set by the Ministry."),
            ("npm-unannounced-access", E.WEAKENS, "Private care homes not clearly covered."),
            ("npm-private-interviews", E.MEETS, "Art. 11."),
            ("npm-privilege-reprisals", E.MEETS, "Art. 14."),
        ),
        opinions=(
            Opinion_("Amending the NPM's founding law",
                     ("Appointment by parliament, a budget line of its own, and every place "
                      "of deprivation of liberty, public or private.",),
                     sent_days_ago=1100, sent_to="Parliament, Human Rights Committee",
                     author=Role.HEAD),
        ),
        steps=(
            Step_(K.HEARING, 1000, "Parliament, Human Rights Committee",
                  "Hearing on the NPM's annual report and founding law.", by=Role.HEAD),
        ),
        outcome=(Outcome.PARTLY,
                 "The 2024 budget act gave the NPM a budget line of its own; appointment "
                 "stays with the minister."),
        lead=Role.HEAD,
    ),
    Item_(
        title="Juvenile Justice Act (amendment): police interviews of children",
        kind=ItemKind.DRAFT,
        subject="Requires a lawyer at every police interview of a child.",
        responsible_body="Ministry of Justice, Directorate of Juvenile Justice",
        authority="Directorate of Juvenile Justice",
        procedure=P.ADOPTED,
        official_ref="Law No. {last}-19",
        assessments=(
            ("first-hours-lawyer", E.STRENGTHENS, "A lawyer at every interview of a child."),
        ),
        opinions=(
            Opinion_("Opinion on police interviews of children",
                     ("A lawyer should attend every police interview of a person under 18.",),
                     sent_days_ago=420, sent_to="Ministry of Justice"),
        ),
        steps=(
            Step_(K.HEARING, 390, "Parliament, Justice Committee",
                  "Testimony on interviews of children in police custody."),
        ),
        outcome=(Outcome.PARTLY, "Adopted for children under 16 only."),
    ),
    Item_(
        title="Public Order (Emergency Powers) Bill",
        kind=ItemKind.DRAFT,
        subject="Would have allowed incommunicado detention for up to 8 days during a state "
        "of emergency.",
        responsible_body="Ministry of the Interior",
        authority="Ministry of the Interior",
        procedure=P.REJECTED,
        official_ref="Bill No. {last}-52",
        assessments=(
            ("prohibition-absolute", E.BREACHES, "Emergency suspends the safeguards."),
            ("first-hours-notification", E.BREACHES, "Eight days incommunicado."),
            ("first-hours-lawyer", E.BREACHES, "No lawyer for eight days."),
        ),
        opinions=(
            Opinion_("Opinion on incommunicado detention in the Emergency Powers Bill",
                     ("No emergency justifies incommunicado detention (UNCAT art. 2(2)).",),
                     sent_days_ago=500, sent_to="Parliament, Human Rights Committee",
                     author=Role.HEAD),
        ),
        steps=(
            Step_(K.JOINT_STATEMENT, 480, "Civil-society partners",
                  "Joint statement against incommunicado detention.", with_partners=True,
                  by=Role.COMMS),
            Step_(K.LETTER, 470, "All members of parliament",
                  "Letter to every member before the vote.", by=Role.HEAD),
        ),
        outcome=(Outcome.ADOPTED,
                 "The incommunicado clause the NPM opposed was withdrawn; the bill was then "
                 "rejected."),
        lead=Role.HEAD,
    ),
)

# title, responsible body, authority, procedure, outcome, (benchmark, effect), proposal
HISTORY_ITEMS = (
    ("Code of Criminal Procedure (amendment): video recording of police interviews",
     "Ministry of Justice", "Ministry of Justice", P.ADOPTED, Outcome.ADOPTED,
     ("first-hours-registration", E.STRENGTHENS),
     "Record every interview in police custody on video."),
    ("Private Security Act: holding rooms in shopping centres",
     "Ministry of the Interior", "Ministry of the Interior", P.REJECTED, Outcome.NOT_ADOPTED,
     ("first-hours-registration", E.WEAKENS),
     "Anyone held by private guards is handed to the police within one hour."),
    ("Aliens Act (amendment): detention of families with children",
     "Ministry of the Interior", "Ministry of the Interior", P.ADOPTED, Outcome.NOT_ADOPTED,
     ("first-hours-lawyer", E.WEAKENS),
     "No child is detained for immigration reasons."),
    ("Care Homes Act: restraint of residents",
     "Ministry of Social Affairs", "Ministry of Social Affairs", P.ADOPTED, Outcome.PARTLY,
     ("first-hours-registration", E.MEETS),
     "Every restraint recorded and reviewed by a doctor within six hours."),
    ("Military Discipline Code (amendment)",
     "Ministry of Defence", "Ministry of Defence", P.ADOPTED, Outcome.PARTLY,
     ("other-solitary-confinement", E.WEAKENS),
     "No more than 7 days of close arrest; a doctor sees the soldier daily."),
    ("Budget Act: appropriations of the NPM",
     "Ministry of Finance", "Parliament, Human Rights Committee", P.ADOPTED,
     Outcome.NOT_ADOPTED, ("npm-resources", E.WEAKENS),
     "Four more posts, for a doctor, a psychologist and two lawyers."),
    ("Police Act (amendment): strip searches",
     "Ministry of the Interior", "Ministry of the Interior", P.ADOPTED, Outcome.ADOPTED,
     ("prohibition-absolute", E.MEETS),
     "Strip searches only on an officer's written, reasoned decision, never routine."),
    ("Prison Health Decree",
     "Ministry of Health", "Ministry of Health", P.ADOPTED, Outcome.PARTLY,
     ("first-hours-doctor", E.STRENGTHENS),
     "Prison health care under the Ministry of Health, not the Prison Administration."),
)
# fmt: on


def demo_load_legislation(*, scale: str, seed: int) -> LegislationDemoSummary:
    """Build the demo's legislation tracker into an empty one; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    started = time.perf_counter()
    with transaction.atomic():
        if LegislationItem.objects.exists():
            raise DemoRefused(
                "The legislation tracker is not empty; the demo loads only into none."
            )
        rng = random.Random(seed * 7919 + 13)  # noqa: S311 - fiction, not secrets
        _Builder(rng, scale, today=timezone.localdate()).build()
        summary = _summary()
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


def _summary() -> LegislationDemoSummary:
    return LegislationDemoSummary(
        items=LegislationItem.objects.count(),
        open_items=LegislationItem.objects.filter(procedure__in=OPEN_PROCEDURES).count(),
        assessments=Assessment.objects.count(),
        opinions=Opinion.objects.count(),
        opinions_sent=Opinion.objects.filter(state=Opinion.State.SENT).count(),
        opinion_versions=OpinionVersion.objects.count(),
        steps=AdvocacyStep.objects.count(),
    )


def _staff() -> dict[str, User]:
    people: dict[str, User] = {}
    for role in (Role.HEAD, Role.MONITOR, Role.DATA_OFFICER, Role.COMMS):
        user = User.objects.filter(email=demo_email(role)).first()
        if user is None:
            raise DemoRefused(f"The demo account {demo_email(role)} is missing.")
        people[str(role)] = user
    return people


class _Builder:
    def __init__(self, rng: random.Random, scale: str, *, today: dt.date) -> None:
        self.rng, self.scale, self.today = rng, scale, today
        self.people = _staff()
        self.benchmarks = {b.code: b for b in Benchmark.objects.filter(active=True)}
        self.partners = list(
            Partner.objects.filter(
                active=True,
                kind__in=(PartnerKind.NGO, PartnerKind.NHRI, PartnerKind.PROFESSIONAL),
            ).order_by("name", "pk")[:3]
        )

    @property
    def head(self) -> User:
        return self.people[Role.HEAD]

    def build(self) -> None:
        for spec in CURRENT:
            self._item(spec)
        for spec in self._history():
            self._item(spec)

    def _history(self) -> list[Item_]:
        count = HISTORY.get(self.scale, HISTORY["small"])
        chosen = self.rng.sample(HISTORY_ITEMS, min(count, len(HISTORY_ITEMS)))
        specs = []
        for title, body, authority, procedure, outcome, (code, effect), proposal in chosen:
            years = self.rng.randint(2, 9)
            sent = years * 365 + self.rng.randint(30, 200)
            specs.append(
                Item_(
                    title=title,
                    kind=ItemKind.DRAFT,
                    subject=f"The NPM proposed: {proposal}",
                    responsible_body=body,
                    authority=authority,
                    procedure=procedure,
                    official_ref=f"Law No. {self.today.year - years}-{self.rng.randint(10, 99)}",
                    assessments=((code, effect, ""),),
                    opinions=(
                        Opinion_(
                            f"Opinion: {title}", (proposal,), sent_days_ago=sent, sent_to=body
                        ),
                    ),
                    steps=(Step_(K.MEETING, sent - 20, body, "Presented the NPM's opinion."),),
                    outcome=(outcome, ""),
                    lead=self.rng.choice((Role.HEAD, Role.MONITOR, Role.DATA_OFFICER)),
                )
            )
        return specs

    def _item(self, spec: Item_) -> LegislationItem:
        refs = {"year": self.today.year, "last": self.today.year - 1}
        item = services.item_create(
            actor=self.head,
            title=spec.title,
            kind=spec.kind,
            subject=spec.subject,
            responsible_body=spec.responsible_body,
            authority=Authority.objects.filter(name=spec.authority).order_by("pk").first(),
            procedure=spec.procedure,
            deadline=(
                self.today + dt.timedelta(days=spec.deadline_in)
                if spec.deadline_in is not None
                else None
            ),
            official_ref=spec.official_ref.format(**refs),
            lead=self.people[spec.lead],
        )
        for code, effect, note in spec.assessments:
            services.assessment_set(
                actor=self.people[spec.lead],
                item=item,
                benchmark=self.benchmarks[code],
                effect=effect,
                note=note,
            )
        for opinion in spec.opinions:
            self._opinion(item, opinion)
        for step in spec.steps:
            self._step(item, step)
        if spec.outcome is not None:
            services.outcome_record(
                actor=self.head, item=item, outcome=spec.outcome[0], note=spec.outcome[1]
            )
        self._links(item, spec)
        return item

    def _opinion(self, item: LegislationItem, spec: Opinion_) -> None:
        author = self.people[spec.author]
        opinion = services.opinion_create(
            actor=author, item=item, title=spec.title, text=spec.texts[0]
        )
        for text in spec.texts[1:]:
            services.opinion_revise(
                actor=self.head if spec.author == Role.HEAD else author,
                opinion=opinion,
                text=text,
                expected_version=opinion.version,
            )
        if spec.sent_days_ago is not None:
            services.opinion_send(
                actor=self.head,
                opinion=opinion,
                sent_on=self.today - dt.timedelta(days=spec.sent_days_ago),
                sent_to=spec.sent_to,
            )

    def _step(self, item: LegislationItem, spec: Step_) -> None:
        services.step_add(
            actor=self.people[spec.by],
            item=item,
            kind=spec.kind,
            held_on=self.today - dt.timedelta(days=max(spec.days_ago, 0)),
            with_whom=spec.with_whom,
            partners=self.partners[:2] if spec.with_partners else (),
            summary=spec.summary,
            result=spec.result,
        )

    def _links(self, item: LegislationItem, spec: Item_) -> None:
        recommendations: list[Any] | None = None
        entries: list[Any] | None = None
        if spec.link_recommendations:
            recommendations = list(
                Recommendation.objects.filter(
                    theme__in=spec.link_recommendations,
                    level__in=(Level.NATIONAL, Level.LEGISLATIVE),
                    state=Recommendation.State.SENT,
                ).order_by("reference")[:3]
            )
        if spec.link_register:
            entries = list(
                RegisterEntry.objects.filter(classification__in=spec.link_register).order_by(
                    "reference"
                )[:5]
            )
        if recommendations or entries:
            services.links_set(
                actor=self.head,
                item=item,
                recommendations=recommendations or None,
                register_entries=entries or None,
            )
