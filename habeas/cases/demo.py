"""The demo NPM's case files, reprisal watches and national register (¶18, 19, 25, 27).

`demo_load_cases(scale=..., seed=...)` runs after the places demo and the visits demo
(`manage.py demo`), in the same transaction. Through the cases services, as the case
team would, it builds:

- a dozen case files (torture, ill-treatment, reprisal) at places the demo visited, with
  invented identities, testimony, consent of different scopes, a few Istanbul Protocol
  examinations (one with a small drawn body chart), referrals that carry what consent
  allows and list what they withheld, and reprisal checklists under way. The demo doctor
  and the demo monitor lead most files; the head is granted on some but not all, so the
  demo shows that the head of the NPM sees nothing of a file without a grant;
- four reprisal watches: one transferred to another place, checks done and one overdue,
  investigations requested, and a reprisal allegation opened from a watch;
- the national register of allegations and proceedings over six years, across agencies,
  categories of place and regions: many allegations prosecuted as lesser offences, few
  as torture, with outcomes, sanctions and realistic dates between the stages.

Every write goes through a service and writes its own audit event. The same seed builds
the same records; dates are counted back from today. Nothing here names a real person:
people are known as "Detainee K-17 “Cedar”", officials by function and badge number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from habeas.accounts.demo import DEMO_DOMAIN, demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.cases import services, services_medical, services_referrals, services_register
from habeas.cases import services_watches as watches
from habeas.cases.models import (
    Case,
    ChecklistItem,
    Element,
    InvestigationRequest,
    MedicalExamination,
    Recipient,
    Referral,
    RegisterEntry,
    ReprisalWatch,
    WatchCheck,
)
from habeas.places.demo import DemoRefused
from habeas.places.models import Authority, Place

E, R = Element, Recipient
CODE_NAMES = (
    "Cedar",
    "Juniper",
    "Hazel",
    "Aspen",
    "Willow",
    "Spruce",
    "Maple",
    "Larch",
    "Poplar",
    "Hawthorn",
    "Holly",
    "Rowan",
    "Alder",
    "Linden",
    "Myrtle",
    "Sorrel",
)
# Categories of place for each setting a story happens in, most likely first.
SETTINGS = {
    "police": ("police-custody", "court-cells"),
    "prison": ("prison-remand", "prison-sentenced"),
    "immigration": ("immigration-detention", "waiting-zone"),
    "juvenile": ("juvenile",),
    "psychiatric": ("psychiatric",),
    "care": ("social-care",),
}


@dataclass(frozen=True)
class Exam:
    consistency: str
    history: str
    physical: str
    psychological: str
    interpretation: str
    external: str = ""  # an examiner from outside the NPM
    body_chart: bool = False


@dataclass(frozen=True)
class Story:
    kind: str
    setting: str
    lead: str  # a staff key: "monitor", "doctor", "monitor-ash"…
    source: str
    months_ago: int
    acts: str
    circumstances: str
    victim_details: str
    officials: str = ""
    witnesses: str = ""
    complainant: str = ""
    consent: tuple[bool, tuple[str, ...], tuple[str, ...], bool] = (False, (), (), False)
    pattern: str = Case.Pattern.UNKNOWN
    head: str = ""  # "" not granted | "plain" | "identity" | "medical"
    grants: tuple[tuple[str, bool, bool], ...] = ()  # (staff key, identity, medical)
    exam: Exam | None = None
    referrals: tuple[tuple[str, str], ...] = ()  # (recipient, outcome)
    closed: bool = False
    checklist: tuple[tuple[str, str], ...] = ()  # (code, status) for reprisal cases


# fmt: off
STORIES: tuple[Story, ...] = (
    Story(Case.Kind.TORTURE, "police", "doctor", Case.Source.PRIVATE_INTERVIEW, 14,
          acts="Beaten on the soles of the feet with a rubber baton during questioning, over "
          "about two hours, to obtain a confession to a burglary; a plastic bag held over the "
          "head twice.",
          circumstances="First night in custody, in the interview room on the first floor; "
          "no lawyer had been called.",
          victim_details="Aged 24, arrested at home at dawn; speaks Romanian and some English.",
          officials="Two plain-clothes officers of the investigation unit; one called by the "
          "nickname the other used, the second with badge no. 4417.",
          witnesses="A cellmate heard the screams and saw the person carried back to the cell.",
          consent=(True, (E.ACCOUNT, E.IDENTITY, E.OFFICIALS, E.MEDICAL), (R.PROSECUTOR, R.SPT),
                   False),
          pattern=Case.Pattern.PATTERN, head="medical",
          grants=(("monitor", True, False), ("lawyer-rowan", True, False)),
          exam=Exam(MedicalExamination.Consistency.HIGHLY_CONSISTENT,
                    "Reports blows to the soles and suffocation with a bag during questioning "
                    "eleven days before the examination.",
                    "Diffuse swelling and tenderness of both soles; bruises on the upper arms in "
                    "the shape of fingertips; healing abrasion on the left wrist.",
                    "Sleep disturbed by nightmares, startle reaction, avoids talking about the "
                    "night in question.",
                    "The physical and psychological findings are highly consistent with the "
                    "account of falanga and of asphyxiation attempts.", body_chart=True),
          referrals=((R.PROSECUTOR, Referral.Outcome.INVESTIGATION),)),
    Story(Case.Kind.ILL_TREATMENT, "prison", "monitor", Case.Source.PRIVATE_INTERVIEW, 9,
          acts="Kicked and punched by officers during a cell search after refusing to hand over "
          "a phone charger; thrown to the floor and knelt on.",
          circumstances="Morning search of the landing; no use of force was recorded.",
          victim_details="Aged 31, on remand for four months.",
          officials="Three officers of the search team, badge numbers not known.",
          consent=(True, (E.ACCOUNT,), (R.AUTHORITY, R.DISCIPLINARY), False),
          grants=(("doctor", True, True),),
          referrals=((R.DISCIPLINARY, Referral.Outcome.DISCIPLINARY),)),
    Story(Case.Kind.ILL_TREATMENT, "juvenile", "monitor-ash", Case.Source.PRIVATE_INTERVIEW, 7,
          acts="Held for nine days in the time-out room after a fight, let out only to wash; "
          "meals passed through the door.",
          circumstances="Decided orally by the night educator; no written decision.",
          victim_details="Aged 15, placed by the juvenile court.",
          consent=(False, (), (), False), pattern=Case.Pattern.ISOLATED,
          grants=(("monitor", True, False),)),
    Story(Case.Kind.TORTURE, "immigration", "doctor", Case.Source.PRIVATE_INTERVIEW, 20,
          acts="Bound at wrists and ankles, a helmet placed on the head, and carried to the "
          "aircraft during a removal attempt; hit in the ribs when resisting.",
          circumstances="Removal attempt at dawn, aborted by the captain of the aircraft.",
          victim_details="Aged 38, asylum claim rejected; speaks Tigrinya.",
          officials="The escort team of five officers on duty that morning.",
          consent=(True, (E.ACCOUNT, E.MEDICAL), (R.SPT, R.PROSECUTOR), True),
          head="identity", grants=(("monitor-birch", True, True),),
          exam=Exam(MedicalExamination.Consistency.CONSISTENT,
                    "Describes restraint with straps and a helmet, blows to the chest.",
                    "Linear bruises around both wrists and ankles; tenderness over two left ribs; "
                    "no fracture on the X-ray taken at hospital.",
                    "Anxious, fears another removal attempt.",
                    "The findings are consistent with the restraint described.",
                    external="Forensic physician of the regional medical association"),
          referrals=((R.SPT, Referral.Outcome.PENDING), (R.PROSECUTOR, Referral.Outcome.DISMISSED)),
          closed=True),
    Story(Case.Kind.REPRISAL, "prison", "monitor", Case.Source.PRIVATE_INTERVIEW, 5,
          acts="Placed in the segregation unit two days after speaking to the NPM; told by an "
          "officer that 'this is what talking gets you'. Visits from family suspended.",
          circumstances="The disciplinary report cites a 'disturbance' no other record mentions.",
          victim_details="Aged 45, serving a long sentence.",
          officials="The senior officer of the wing, night team.",
          consent=(True, (E.ACCOUNT, E.IDENTITY), (R.AUTHORITY, R.SPT), False),
          head="identity", grants=(("lawyer-rowan", True, False),),
          referrals=((R.SPT, Referral.Outcome.PENDING),),
          checklist=((ChecklistItem.Code.VERIFY_REGISTER, ChecklistItem.Status.DONE),
                     (ChecklistItem.Code.NOTIFY_AUTHORITY, ChecklistItem.Status.DONE),
                     (ChecklistItem.Code.NOTIFY_SPT, ChecklistItem.Status.DONE))),
    Story(Case.Kind.ILL_TREATMENT, "psychiatric", "doctor", Case.Source.PRIVATE_INTERVIEW, 11,
          acts="Strapped to a bed for four days in the seclusion room, with a nappy instead of "
          "being taken to the toilet; injected against their will each evening.",
          circumstances="Closed ward, after an argument with another patient.",
          victim_details="Aged 52, involuntary patient for six months.",
          consent=(True, (E.ACCOUNT, E.MEDICAL), (R.AUTHORITY,), False),
          grants=(("expert", True, True),),
          exam=Exam(MedicalExamination.Consistency.CONSISTENT,
                    "Mechanical restraint for about ninety-six hours, reported by the patient and "
                    "confirmed by the restraint register.",
                    "Pressure marks on both ankles; skin lesion over the sacrum.",
                    "Humiliation and fear of the seclusion room; distrust of the nursing staff.",
                    "The findings are consistent with prolonged mechanical restraint."),
          referrals=((R.AUTHORITY, Referral.Outcome.INVESTIGATION),)),
    Story(Case.Kind.TORTURE, "police", "monitor", Case.Source.LAWYER, 30,
          acts="Electric shocks to the thighs with a hand-held device while handcuffed to a "
          "chair, to make them name accomplices.",
          circumstances="Second night of police custody, in a basement room not on the "
          "station's plan.",
          victim_details="Aged 27, released without charge after three days.",
          officials="Officers of the drugs squad; one identified by a tattoo on the neck.",
          witnesses="The lawyer saw the marks at the first hearing.",
          complainant="The person's lawyer, with their agreement.",
          consent=(True, (E.ACCOUNT, E.IDENTITY, E.OFFICIALS, E.WITNESSES, E.MEDICAL),
                   (R.PROSECUTOR,), False),
          pattern=Case.Pattern.PATTERN, head="plain", grants=(("doctor", True, True),),
          exam=Exam(MedicalExamination.Consistency.TYPICAL,
                    "Electric shocks to both thighs during questioning, four weeks before.",
                    "Clusters of small round brown scars on both thighs, two to three "
                    "millimetres across.",
                    "Symptoms of post-traumatic stress: intrusive memories, hypervigilance.",
                    "The scars are typical of electric shocks applied with a hand-held device."),
          referrals=((R.PROSECUTOR, Referral.Outcome.PROSECUTION),), closed=True),
    Story(Case.Kind.ILL_TREATMENT, "care", "monitor-ash", Case.Source.RELATIVE, 4,
          acts="Locked in their room every night and given sedatives that were not prescribed; "
          "bruises on the forearms from being held down.",
          circumstances="Night shift with a single care worker for the whole floor.",
          victim_details="Aged 81, lives with dementia.",
          complainant="Their daughter, who visits on Sundays.",
          consent=(True, (E.ACCOUNT, E.IDENTITY), (R.AUTHORITY,), False),
          grants=(("doctor", True, True), ("psychologist-linden", True, False)),
          referrals=((R.AUTHORITY, Referral.Outcome.PENDING),)),
    Story(Case.Kind.ILL_TREATMENT, "police", "monitor", Case.Source.LAWYER, 16,
          acts="Handcuffed to a radiator in the corridor for about seven hours, refused water "
          "and the toilet.",
          circumstances="A busy Saturday night; the cells were full.",
          victim_details="Aged 19, arrested at a demonstration.",
          officials="The custody officer on duty.",
          consent=(True, (E.ACCOUNT, E.OFFICIALS), (R.DISCIPLINARY,), True),
          referrals=((R.DISCIPLINARY, Referral.Outcome.DISMISSED),), closed=True),
    Story(Case.Kind.TORTURE, "prison", "monitor", Case.Source.PRIVATE_INTERVIEW, 12,
          acts="Beaten by other prisoners who said officers had promised them extra visits; "
          "officers did not intervene for twenty minutes.",
          circumstances="Exercise yard of the wing, in full view of the watchtower camera.",
          victim_details="Aged 29, convicted of an offence against a child.",
          witnesses="Two prisoners of the wing, who asked not to be named outside the NPM.",
          consent=(True, (E.ACCOUNT, E.IDENTITY), (R.PROSECUTOR, R.AUTHORITY), False),
          pattern=Case.Pattern.PATTERN, grants=(("doctor", True, True),),
          exam=Exam(MedicalExamination.Consistency.HIGHLY_CONSISTENT,
                    "Assaulted by several prisoners in the yard.",
                    "Fracture of the nasal bone, healed; scars on the scalp; a missing tooth.",
                    "Withdrawn; asks for protection before any other question.",
                    "Highly consistent with a collective assault."),
          referrals=((R.PROSECUTOR, Referral.Outcome.INVESTIGATION),)),
    Story(Case.Kind.REPRISAL, "immigration", "doctor", Case.Source.NGO, 3,
          acts="Told by an officer that complaining to the NPM would 'speed up the flight'; "
          "moved to the isolation room the same evening.",
          circumstances="The night after the NPM's visit.",
          victim_details="Aged 33, detained for removal; speaks Dari.",
          consent=(True, (E.ACCOUNT,), (R.SPT,), False),
          head="plain",
          checklist=((ChecklistItem.Code.VERIFY_REGISTER, ChecklistItem.Status.DONE),
                     (ChecklistItem.Code.NOTIFY_AUTHORITY, ChecklistItem.Status.NOT_APPLICABLE))),
    Story(Case.Kind.ILL_TREATMENT, "prison", "doctor", Case.Source.SUBMISSION, 2,
          acts="Denied insulin for three days after a transfer; lost consciousness in the cell.",
          circumstances="Transfer between two prisons; the medical file did not follow.",
          victim_details="Aged 47, diabetic.",
          consent=(True, (E.ACCOUNT, E.MEDICAL, E.IDENTITY), (R.AUTHORITY,), False),
          grants=(("monitor", True, False),)),
)
# pseudonym, setting, lead, risk source, feared, consent to raise, NGOs, months ago
WATCHES: tuple[tuple[str, str, str, str, tuple[str, ...], bool, str, int], ...] = (
    ("Heron", "prison", "monitor", ReprisalWatch.RiskSource.STAFF,
     (ReprisalWatch.ReprisalKind.ISOLATION, ReprisalWatch.ReprisalKind.ASSAULT), True,
     "Prisoners' Rights Circle", 6),
    ("Kestrel", "prison", "monitor", ReprisalWatch.RiskSource.STAFF,
     (ReprisalWatch.ReprisalKind.TRANSFER, ReprisalWatch.ReprisalKind.PRIVILEGES), True,
     "", 10),
    ("Wren", "immigration", "doctor", ReprisalWatch.RiskSource.DETAINEES,
     (ReprisalWatch.ReprisalKind.THREATS,), False, "Open Borders Legal Aid", 4),
    ("Lark", "police", "monitor", ReprisalWatch.RiskSource.STAFF,
     (ReprisalWatch.ReprisalKind.THREATS, ReprisalWatch.ReprisalKind.CONDITIONS), True,
     "", 13),
)
RISK_DETAILS = (
    "Told by an officer of the wing that people who talk to visitors 'end up downstairs'.",
    "Fellow detainees close to the staff asked what was said to the visitors.",
    "Was searched twice the day after the visit; nobody else on the landing was.",
    "Threatened with a transfer far from the family if the complaint goes ahead.",
)
CHECK_NOTES = {
    WatchCheck.Outcome.SAFE: "Spoke freely; no change in treatment or regime since the visit.",
    WatchCheck.Outcome.CONCERN: "Family visits cancelled twice without reason; asked us to "
    "call again next week.",
    WatchCheck.Outcome.UNREACHABLE: "The establishment said the person was 'unavailable'; the "
    "lawyer could not see them either.",
}
# fmt: on
REGISTER_SIZE = {"small": 64, "national": 420, "large": 420}
REGISTER_YEARS = 6
TORTURE_EVERY = 24  # one entry in so many is prosecuted as torture
# Where allegations come from, by category of place.
REGISTER_MIX = (
    ("police-custody", 55),
    ("prison-remand", 12),
    ("prison-sentenced", 13),
    ("immigration-detention", 7),
    ("psychiatric", 5),
    ("juvenile", 4),
    ("social-care", 2),
    ("court-cells", 2),
)
# The offences prosecutions are brought under instead of torture, by weight.
LESSER_MIX = (
    (RegisterEntry.Classification.CRUEL, 10),
    (RegisterEntry.Classification.ABUSE_OF_OFFICE, 32),
    (RegisterEntry.Classification.BODILY_HARM, 40),
    (RegisterEntry.Classification.OTHER_LESSER, 10),
)
LEGISLATION = {
    RegisterEntry.Classification.TORTURE: "Criminal Code, art. 231 (torture)",
    RegisterEntry.Classification.CRUEL: "Criminal Code, art. 232 (inhuman treatment)",
    RegisterEntry.Classification.ABUSE_OF_OFFICE: "Criminal Code, art. 118 (abuse of office)",
    RegisterEntry.Classification.BODILY_HARM: "Criminal Code, art. 95 (bodily harm)",
}


@dataclass
class CasesDemoSummary:
    cases: int
    cases_head_granted: int
    examinations: int
    referrals: int
    watches: int
    register_entries: int
    seconds: float = 0.0

    def counts(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "examinations": self.examinations,
            "referrals": self.referrals,
            "watches": self.watches,
            "register_entries": self.register_entries,
        }


def demo_load_cases(*, scale: str, seed: int) -> CasesDemoSummary:
    """Build the demo's case files, watches and register; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    started = time.perf_counter()
    with transaction.atomic():
        rng = random.Random(seed * 104729 + 11)  # noqa: S311 - fiction, not secrets
        summary = _Cases(rng, scale, today=timezone.localdate()).build()
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


def _staff() -> dict[str, User]:
    """The demo's staff by key: one account per role, and the visiting staff the visits
    demo added (a key that is missing falls back to the role's account)."""
    people: dict[str, User] = {
        str(role): user
        for role in Role.values
        if (user := User.objects.filter(email=demo_email(role)).first()) is not None
    }
    for key in (Role.HEAD, Role.MONITOR, Role.DOCTOR, Role.DATA_OFFICER):
        if key not in people:
            raise DemoRefused(f"The demo account {demo_email(key)} is missing.")
    fallbacks: dict[str, str] = {
        "monitor-ash": Role.MONITOR,
        "monitor-birch": Role.MONITOR,
        "lawyer-rowan": Role.MONITOR,
        "psychologist-linden": Role.MONITOR,
    }
    for extra, role in fallbacks.items():
        found = User.objects.filter(email=f"{extra}@{DEMO_DOMAIN}").first()
        people[extra] = found or people[role]
    people.setdefault(Role.EXPERT, people[Role.DOCTOR])
    return people


class _Cases:
    def __init__(self, rng: random.Random, scale: str, *, today: dt.date) -> None:
        self.rng = rng
        self.scale = scale
        self.today = today
        self.people = _staff()
        self.used_names: set[str] = set()
        self.victims: dict[Any, str] = {}
        self.counts: Counter[str] = Counter()

    def build(self) -> CasesDemoSummary:
        cases = [self._case(story) for story in STORIES]
        watch_list = [self._watch(index, row, cases) for index, row in enumerate(WATCHES)]
        self._register(cases)
        head = self.people[Role.HEAD]
        return CasesDemoSummary(
            cases=Case.objects.count(),
            cases_head_granted=Case.objects.filter(grants__user=head).count(),
            examinations=self.counts["examinations"],
            referrals=self.counts["referrals"],
            watches=len(watch_list),
            register_entries=self.counts["register"],
        )

    # -- where and when -------------------------------------------------------------------

    def _visited(self, setting: str, months_ago: int) -> tuple[Place, str, dt.date] | None:
        """The visit to a place of this setting that ended closest to `months_ago`, with
        its place, reference and last day."""
        from habeas.visits.models import Visit

        visits = list(
            Visit.objects.filter(
                place__category__code__in=SETTINGS[setting], ends_on__lt=self.today
            )
            .exclude(state__in=[Visit.State.PLANNED, Visit.State.PREPARED])
            .select_related("place", "place__authority", "place__region")
            .order_by("starts_on", "reference")
        )
        if not visits:
            return None
        target = self.today - dt.timedelta(days=months_ago * 30)
        visit = min(visits, key=lambda v: abs((v.ends_on - target).days))
        return visit.place, visit.reference, visit.ends_on

    def _place(self, setting: str) -> Place:
        places = list(
            Place.objects.filter(category__code__in=SETTINGS[setting], status=Place.Status.OPEN)
            .select_related("authority", "region", "category")
            .order_by("external_ref", "pk")[:50]
        )
        if not places:
            places = list(Place.objects.order_by("external_ref", "pk")[:50])
        return self.rng.choice(places)

    def _where(self, setting: str, months_ago: int) -> tuple[Place, str, dt.date]:
        visited = self._visited(setting, months_ago)
        if visited is not None:
            return visited
        reported = self.today - dt.timedelta(days=months_ago * 30 + self.rng.randint(0, 20))
        return self._place(setting), "", reported

    def _person(self) -> str:
        rng = self.rng
        while True:
            name = (
                f"Detainee {rng.choice('KLMNRSTV')}-{rng.randint(10, 99)} "
                f"“{rng.choice(CODE_NAMES)}”"
            )
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _prosecutor(self, place: Place) -> Authority | None:
        found = Authority.objects.filter(kind=Authority.Kind.PROSECUTOR)
        if place.region_id:
            regional = found.filter(region_id=place.region_id).first()
            if regional is not None:
                return regional
            parent = place.region.parent_id if place.region else None
            regional = found.filter(region_id=parent).first() if parent else None
            if regional is not None:
                return regional
        return found.order_by("pk").first()

    # -- case files -----------------------------------------------------------------------

    def _case(self, story: Story) -> Case:
        rng, people = self.rng, self.people
        lead = people[story.lead]
        place, visit_ref, reported = self._where(story.setting, story.months_ago)
        use, elements, recipients, publish = story.consent
        victim = self._person()
        case = services.case_create(
            actor=lead,
            data={
                "kind": story.kind,
                "place": place,
                "authority": place.authority,
                "occurred_on": reported - dt.timedelta(days=rng.randint(3, 40)),
                "reported_on": reported,
                "source": story.source,
                "source_ref": visit_ref if story.source == Case.Source.PRIVATE_INTERVIEW else "",
                "pattern": story.pattern,
                "consent_use": use,
                "consent_elements": list(elements),
                "consent_recipients": list(recipients),
                "consent_publish": publish,
                "consent_recorded_on": reported if use else None,
                "victim": victim,
                "victim_details": story.victim_details,
                "complainant": story.complainant,
                "officials": story.officials,
                "witnesses": story.witnesses,
                "acts": story.acts,
                "circumstances": story.circumstances,
            },
        )
        self.victims[case.pk] = victim
        for key, identity, medical in story.grants:
            if people[key].pk != lead.pk:
                services.grant_add(
                    actor=lead,
                    record=case,
                    user=people[key],
                    identity=identity,
                    medical=medical,
                    reason="Part of the case team.",
                )
        self._grant_head(case, story, lead)
        if story.exam is not None:
            self._examination(case, story.exam, lead, reported)
        for recipient, outcome in story.referrals:
            self._referral(case, lead, recipient, outcome, reported)
        for code, status in story.checklist:
            item = case.checklist.get(code=code)
            reason = (
                "The person did not consent to raising it." if status == "not_applicable" else ""
            )
            services_referrals.checklist_item_mark(
                actor=lead, item=item, status=status, reason=reason
            )
        if story.kind == Case.Kind.REPRISAL or story.referrals:
            self._investigation(case, lead, place, reported)
        if story.closed:
            case = services.case_close(actor=lead, case=case)
        return case

    def _grant_head(self, case: Case, story: Story, lead: User) -> None:
        head = self.people[Role.HEAD]
        if not story.head or head.pk == lead.pk:
            return
        services.grant_add(
            actor=lead,
            record=case,
            user=head,
            identity=story.head in ("identity", "medical"),
            medical=story.head == "medical",
            reason="The head signs the referral."
            if story.referrals
            else "Head to be kept informed.",
        )

    def _examination(self, case: Case, exam: Exam, lead: User, reported: dt.date) -> None:
        doctor = self.people[Role.DOCTOR]
        if doctor.pk != lead.pk and services.grant_of(doctor, case) is None:
            services.grant_add(
                actor=lead,
                record=case,
                user=doctor,
                identity=True,
                medical=True,
                reason="Istanbul Protocol examination.",
            )
        examination = services_medical.examination_add(
            actor=doctor,
            case=case,
            data={
                "examined_on": min(
                    self.today, reported + dt.timedelta(days=self.rng.randint(1, 9))
                ),
                "examiner": None if exam.external else doctor,
                "examiner_name": exam.external,
                "consistency": exam.consistency,
                "history": exam.history,
                "physical_findings": exam.physical,
                "psychological_findings": exam.psychological,
                "interpretation": exam.interpretation,
            },
        )
        self.counts["examinations"] += 1
        if exam.body_chart:
            services_medical.attachment_add(
                actor=doctor,
                examination=examination,
                upload=SimpleUploadedFile("body-chart.png", body_chart(), content_type="image/png"),
            )

    def _referral(
        self, case: Case, lead: User, recipient: str, outcome: str, reported: dt.date
    ) -> None:
        rng = self.rng
        place = case.place
        authority = None
        if recipient == R.PROSECUTOR and place is not None:
            authority = self._prosecutor(place)
        elif recipient in (R.AUTHORITY, R.DISCIPLINARY) and place is not None:
            authority = place.authority
        referral = services_referrals.referral_create(
            actor=lead,
            case=case,
            recipient_kind=recipient,
            recipient_authority=authority,
            recipient_name="UN Subcommittee on Prevention of Torture" if recipient == R.SPT else "",
        )
        self.counts["referrals"] += 1
        sent = min(self.today, reported + dt.timedelta(days=rng.randint(10, 40)))
        referral = services_referrals.referral_send(actor=lead, referral=referral, sent_on=sent)
        answered = sent + dt.timedelta(days=rng.randint(30, 150))
        if outcome != Referral.Outcome.PENDING and answered <= self.today:
            services_referrals.referral_outcome(
                actor=lead, referral=referral, outcome=outcome, outcome_on=answered
            )

    def _investigation(self, case: Case, lead: User, place: Place, reported: dt.date) -> None:
        rng = self.rng
        criminal = case.kind == Case.Kind.TORTURE
        requested = min(self.today, reported + dt.timedelta(days=rng.randint(5, 30)))
        request = watches.investigation_request(
            actor=lead,
            kind=InvestigationRequest.Kind.CRIMINAL
            if criminal
            else InvestigationRequest.Kind.DISCIPLINARY,
            requested_on=requested,
            addressee=self._prosecutor(place) if criminal else place.authority,
            case=case,
        )
        answered = requested + dt.timedelta(days=rng.randint(20, 120))
        if answered <= self.today:
            outcome = _weighted(
                rng,
                (
                    (InvestigationRequest.Outcome.OPENED, 4),
                    (InvestigationRequest.Outcome.REFUSED, 2),
                    (InvestigationRequest.Outcome.NO_SANCTION, 2),
                    (InvestigationRequest.Outcome.SANCTION, 1),
                ),
            )
            watches.investigation_outcome(
                actor=lead, investigation=request, outcome=outcome, outcome_on=answered
            )

    # -- reprisal watches -----------------------------------------------------------------

    def _watch(self, index: int, row: tuple[Any, ...], cases: list[Case]) -> ReprisalWatch:
        rng, people, today = self.rng, self.people, self.today
        pseudonym, setting, lead_key, risk, feared, consent, ngos, months = row
        lead = people[lead_key]
        place, visit_ref, reported = self._where(setting, months)
        opened = min(today - dt.timedelta(days=20), reported + dt.timedelta(days=rng.randint(1, 5)))
        source_case = next(
            (c for c in cases if c.kind == Case.Kind.TORTURE and c.lead_id == lead.pk), None
        )
        from_case = index == 0 and source_case is not None
        watch = services.watch_create(
            actor=lead,
            place=place,
            data={
                "pseudonym": pseudonym,
                "source_kind": ReprisalWatch.SourceKind.CASE
                if from_case
                else ReprisalWatch.SourceKind.PRIVATE_INTERVIEW,
                "source_ref": visit_ref,
                "source_case": source_case if from_case else None,
                "risk_source": risk,
                "feared": list(feared),
                "consent_raise": consent,
                "ngos": ngos,
                # The first watch protects the victim of a torture case: the same person.
                "identity": self.victims[source_case.pk]
                if from_case and source_case is not None
                else self._person(),
                "risk_detail": RISK_DETAILS[index % len(RISK_DETAILS)],
                "opened_on": opened,
            },
        )
        other = people["doctor"] if lead_key != "doctor" else people["monitor"]
        services.grant_add(
            actor=lead,
            record=watch,
            user=other,
            identity=True,
            medical=False,
            reason="Second member of the watch team.",
        )
        if index in (0, 2):
            services.grant_add(
                actor=lead,
                record=watch,
                user=people[Role.HEAD],
                identity=False,
                medical=False,
                reason="Head to raise it with the authority if needed.",
            )
        if pseudonym == "Kestrel":
            self._transfer(watch, lead, opened)
        self._checks(watch, lead, opened, overdue=index == 0)
        if consent:
            self._watch_investigation(watch, lead, opened)
        if index == 0:
            watches.reprisal_report(
                actor=lead,
                watch=watch,
                informant=watches.Informant.NGO,
                received_on=min(today, opened + dt.timedelta(days=rng.randint(12, 30))),
                account="The NGO reports that the person was placed in the segregation unit "
                "after a search found nothing, and that their phone card was withdrawn.",
            )
        return watch

    def _transfer(self, watch: ReprisalWatch, lead: User, opened: dt.date) -> None:
        current = watch.place
        others = (
            Place.objects.filter(category_id=current.category_id, status=Place.Status.OPEN)
            .exclude(pk=current.pk)
            .order_by("external_ref", "pk")[:20]
        )
        choices = list(others)
        if not choices:
            return
        moved = min(self.today, opened + dt.timedelta(days=self.rng.randint(20, 60)))
        watches.watch_transfer(
            actor=lead, watch=watch, to_place=self.rng.choice(choices), moved_on=moved
        )

    def _checks(self, watch: ReprisalWatch, lead: User, opened: dt.date, *, overdue: bool) -> None:
        rng, today = self.rng, self.today
        due = opened + dt.timedelta(days=14)
        outcomes = (
            WatchCheck.Outcome.SAFE,
            WatchCheck.Outcome.CONCERN,
            WatchCheck.Outcome.SAFE,
            WatchCheck.Outcome.UNREACHABLE,
        )
        step = 0
        while due < today - dt.timedelta(days=12):
            check = watches.check_schedule(
                actor=lead, watch=watch, kind=rng.choice(WatchCheck.Kind.values), due_on=due
            )
            outcome = outcomes[step % len(outcomes)]
            watches.check_record(
                actor=lead,
                check=check,
                done_on=min(today, due + dt.timedelta(days=rng.randint(0, 3))),
                outcome=outcome,
                note=CHECK_NOTES[outcome],
            )
            due += dt.timedelta(days=rng.randint(21, 35))
            step += 1
        if overdue:
            watches.check_schedule(
                actor=lead,
                watch=watch,
                kind=WatchCheck.Kind.PHONE,
                due_on=today - dt.timedelta(days=9),
            )
        watches.check_schedule(
            actor=lead,
            watch=watch,
            kind=WatchCheck.Kind.VISIT,
            due_on=today + dt.timedelta(days=rng.randint(5, 25)),
        )

    def _watch_investigation(self, watch: ReprisalWatch, lead: User, opened: dt.date) -> None:
        requested = min(self.today, opened + dt.timedelta(days=self.rng.randint(7, 20)))
        request = watches.investigation_request(
            actor=lead,
            kind=InvestigationRequest.Kind.DISCIPLINARY,
            requested_on=requested,
            addressee=watch.place.authority,
            watch=watch,
        )
        answered = requested + dt.timedelta(days=self.rng.randint(25, 60))
        if answered <= self.today:
            watches.investigation_outcome(
                actor=lead,
                investigation=request,
                outcome=InvestigationRequest.Outcome.OPENED,
                outcome_on=answered,
            )

    # -- the national register ------------------------------------------------------------

    def _register(self, cases: list[Case]) -> None:
        rng = self.rng
        places = self._register_places()
        officer = self.people[Role.DATA_OFFICER]
        linked = [c for c in cases if c.kind != Case.Kind.REPRISAL and c.referrals.exists()]
        for index in range(REGISTER_SIZE.get(self.scale, 64)):
            case = linked[index] if index < len(linked) else None
            actor = officer
            if case is not None:
                # Only someone who sees the case may link it: its lead, if they keep the register.
                lead = case.lead
                actor = lead if lead.role in (Role.HEAD, Role.MONITOR) else officer
                if actor is officer:
                    case = None
            place = case.place if case is not None and case.place else rng.choice(places)
            # A few prosecutions under the offence of torture itself, among many lesser ones.
            data = self._proceedings(rng, case, torture=index % TORTURE_EVERY == 5)
            if rng.random() < 0.2 and case is None:
                data.update(
                    {"agency": place.authority, "category": place.category, "region": place.region}
                )
            else:
                data.update({"place": place, "agency": place.authority})
            data["case"] = case
            services_register.register_entry_create(actor=actor, data=data)
            self.counts["register"] += 1

    def _register_places(self) -> list[Place]:
        rng = self.rng
        found: list[Place] = []
        for code, weight in REGISTER_MIX:
            rows = list(
                Place.objects.filter(category__code=code)
                .select_related("authority", "category", "region")
                .order_by("external_ref", "pk")[:40]
            )
            if rows:
                found.extend(rng.choice(rows) for _ in range(weight))
        return found or list(Place.objects.order_by("pk")[:10])

    def _proceedings(
        self, rng: random.Random, case: Case | None, *, torture: bool = False
    ) -> dict[str, Any]:
        """One allegation's path through complaint, investigation, prosecution, decision."""
        today = self.today
        C, Out, Sn = RegisterEntry.Classification, RegisterEntry.Outcome, RegisterEntry.Sanction
        if case is not None and case.occurred_on:
            alleged = case.occurred_on
        elif torture:  # old enough for the prosecution to have been brought
            alleged = today - dt.timedelta(days=rng.randint(3 * 365, REGISTER_YEARS * 365))
        else:
            alleged = today - dt.timedelta(days=rng.randint(20, REGISTER_YEARS * 365))
        late = rng.random() < 0.15
        complaint = min(
            today, alleged + dt.timedelta(days=rng.randint(60, 300) if late else rng.randint(0, 45))
        )
        stages: dict[str, dt.date] = {"alleged_on": alleged, "complaint_on": complaint}
        investigated = torture or rng.random() < 0.72
        prosecuted = torture or (investigated and rng.random() < 0.4)
        decided = rng.random() < (0.8 if prosecuted else 0.55)
        last = complaint
        if investigated:
            last = stages["investigation_on"] = last + dt.timedelta(days=rng.randint(7, 120))
        if prosecuted:
            last = stages["prosecution_on"] = last + dt.timedelta(days=rng.randint(60, 400))
        if decided:
            stages["decision_on"] = last + dt.timedelta(
                days=rng.randint(90, 500) if prosecuted else rng.randint(45, 300)
            )
        # What has not happened yet by today is left for later: that stage and the next.
        order = ("complaint_on", "investigation_on", "prosecution_on", "decision_on")
        future = [name for name in order if (stages.get(name) or today) > today]
        if future:
            for name in order[order.index(future[0]) :]:
                stages.pop(name, None)
        classification, outcome, sanction = C.NONE, Out.PENDING, Sn.NONE
        if "prosecution_on" in stages:
            classification = C.TORTURE if torture else _weighted(rng, LESSER_MIX)
        elif "investigation_on" in stages and rng.random() < 0.5:
            classification = _weighted(rng, LESSER_MIX[1:])
        if "decision_on" in stages:
            if "prosecution_on" in stages:
                outcome = Out.CONVICTED if rng.random() < 0.45 else Out.ACQUITTED
            elif "investigation_on" in stages:
                outcome = Out.DISCONTINUED if rng.random() < 0.7 else Out.DISCIPLINARY
            else:
                outcome = Out.NO_INVESTIGATION
        if outcome == Out.CONVICTED:
            torture = classification == C.TORTURE
            sanction = _weighted(
                rng,
                (
                    (Sn.PRISON, 6 if torture else 2),
                    (Sn.SUSPENDED, 4),
                    (Sn.FINE, 0 if torture else 3),
                ),
            )
        elif outcome == Out.DISCIPLINARY:
            sanction = Sn.DISMISSAL if rng.random() < 0.2 else Sn.DISCIPLINARY
        reparation = RegisterEntry.Reparation.NONE
        if outcome == Out.CONVICTED and rng.random() < 0.6:
            reparation = _weighted(
                rng,
                (
                    (RegisterEntry.Reparation.COMPENSATION, 5),
                    (RegisterEntry.Reparation.REHABILITATION, 1),
                ),
            )
        elif outcome == Out.DISCIPLINARY and rng.random() < 0.2:
            reparation = RegisterEntry.Reparation.SATISFACTION
        return {
            **stages,
            "classification": classification,
            "outcome": outcome,
            "sanction": sanction,
            "reparation": reparation,
            "legislation_ref": LEGISLATION.get(classification, "") if rng.random() < 0.5 else "",
        }


def _weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs)
    return rng.choices([item for item, _w in items], weights=[w for _i, w in items])[0]


def body_chart() -> bytes:
    """A small drawn body chart (an outline with two marked areas), for the demo."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((45, 8, 75, 38), outline=(40, 40, 40), width=2)
    draw.rectangle((40, 40, 80, 110), outline=(40, 40, 40), width=2)
    draw.line((40, 45, 15, 100), fill=(40, 40, 40), width=2)
    draw.line((80, 45, 105, 100), fill=(40, 40, 40), width=2)
    draw.line((50, 110, 45, 190), fill=(40, 40, 40), width=2)
    draw.line((70, 110, 75, 190), fill=(40, 40, 40), width=2)
    draw.ellipse((38, 180, 54, 196), outline=(200, 30, 30), width=3)
    draw.ellipse((66, 180, 82, 196), outline=(200, 30, 30), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
