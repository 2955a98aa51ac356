"""The demo NPM's partners, its communication log and its awareness work (¶4, 23, 25, 30–33).

`demo_load_partners(seed=...)` runs after the places, visits, cases and recommendations
demos (and the legislation demo, if it runs first), in the same transaction of
`manage.py demo`. Through the partners services, as the staff would, it builds:

- the NPM's partners: the Ministries of Justice and of the Interior, the SPT, the CPT, the
  national human rights commission, five NGOs (among them a prisoners' rights group and a
  migrants' legal aid group, the two the case files already name), a university law
  clinic, the bar and a newspaper, each with its contacts, areas of work and agreements
  (memoranda of understanding, a referral protocol and data-sharing terms, one close to
  expiry);
- two years of communications with them: meetings, letters, calls, joint activities and
  information received, linked to demo places, to the recommendations of the SPT and the
  CPT and of the NPM, to legislation items when there are any, and to a case file its
  recorder is granted on. Exchanges with the SPT and the CPT are confidential (¶3);
- two reprisal signals from NGOs: one routed and linked to the demo's first reprisal
  watch (its team was told the day it came in), one received two days ago that no watch
  answers yet, so the reprisal team still has it on its list;
- awareness activities (¶33): trainings, talks, publications, a campaign and media
  appearances, with the audiences they reached.

Every write goes through a service and writes its own audit event. The same seed builds
the same records; dates are counted back from today. Nobody real is named: contacts are
invented, e-mail addresses are under example.org.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from habeas.accounts.demo import demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.cases.demo import SETTINGS as PLACE_SETTINGS
from habeas.cases.models import Case, ReprisalWatch
from habeas.core.models import Notification
from habeas.legislation.models import LegislationItem
from habeas.partners import services
from habeas.partners.models import Agreement, AwarenessActivity, Communication, Partner
from habeas.partners.models import PartnerKind as PK
from habeas.places.demo import DemoRefused
from habeas.places.models import Place, Region
from habeas.recommendations.models import Level, Origin, Recommendation

C = Communication.Kind
D = Communication.Direction
A = AwarenessActivity
AG = Agreement.Kind


@dataclass(frozen=True)
class PartnerSpec:
    key: str
    name: str
    acronym: str
    kind: str
    areas: str
    recorder: str  # the demo account that keeps this relationship
    website: str = ""
    address: str = ""
    notes: str = ""
    contacts: tuple[tuple[str, str, str], ...] = ()  # name, position, phone
    # kind, title, signed (months ago, None if not signed), expires (months from now), terms
    agreements: tuple[tuple[str, str, int | None, int | None, str], ...] = ()


@dataclass(frozen=True)
class Story:
    """One communication: with whom, how long ago, what, and what it links to.

    `links` names kinds of record: "place:<setting>", "recs:<origin>", "law", "case".
    """

    partners: tuple[str, ...]
    months_ago: int
    kind: str
    direction: str
    subject: str
    details: str
    confidential: bool = False
    links: tuple[str, ...] = ()


# fmt: off
PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec(
        "moj", "Ministry of Justice", "MoJ", PK.MINISTRY,
        "prisons, probation, criminal procedure, juvenile justice", "head",
        address="Directorate of Prison Administration, 4 Palace Square",
        contacts=(("Teodora Malinen", "Director of Prison Administration", "+00 21 555 0101"),
                  ("Ilias Brandt", "Liaison officer for the NPM", "+00 21 555 0117")),
        agreements=(
            (AG.MOU, "Memorandum on unannounced access, documents and private interviews", 50,
             None, "The Ministry instructs every prison director to open every part of the "
             "establishment to the NPM without notice, to hand over registers and files on "
             "request and to let the NPM speak with anyone in private (OPCAT art. 20)."),
            (AG.DATA_SHARING, "Monthly population and incident statistics", 23, 2,
             "The Ministry sends, by the tenth of each month, the population of each prison by "
             "status, sex and age group, deaths in custody, uses of force and isolation "
             "placements. Aggregated data only; no names. Kept by the NPM's data officer; used "
             "for the visit programme and annual report."),
        ),
    ),
    PartnerSpec(
        "moi", "Ministry of the Interior", "MoI", PK.MINISTRY,
        "police custody, immigration detention, border facilities", "head",
        contacts=(("Rasmus Okonjo", "Head of the Police Inspectorate", "+00 21 555 0230"),),
        agreements=(
            (AG.MOU, "Access to police stations and immigration detention centres", 38, None,
             "Police and border staff admit NPM members on presentation of their card at any "
             "hour and give them the custody registers."),
        ),
    ),
    PartnerSpec(
        "spt", "UN Subcommittee on Prevention of Torture", "SPT", PK.SPT,
        "OPCAT, NPM advice, country visits, reprisals", "head",
        website="https://www.ohchr.org/en/treaty-bodies/spt",
        address="OHCHR, Palais Wilson, Geneva",
        notes="Direct and confidential contact under OPCAT art. 11(b)(ii) and 12(c).",
        contacts=(("Country rapporteur (SPT member)", "Rapporteur for the country", ""),
                  ("SPT secretariat", "Secretary of the Subcommittee", "")),
    ),
    PartnerSpec(
        "cpt", "European Committee for the Prevention of Torture", "CPT", PK.CPT,
        "periodic and ad hoc visits, standards", "head",
        website="https://www.coe.int/en/web/cpt",
        address="Council of Europe, Strasbourg",
        contacts=(("CPT secretariat", "Head of division for the country", ""),),
    ),
    PartnerSpec(
        "nhri", "National Human Rights Commission", "NHRC", PK.NHRI,
        "complaints, human rights education, annual report to parliament", "monitor",
        contacts=(("Amara Lindqvist", "Head of the complaints department", "+00 21 555 0410"),),
        agreements=(
            (AG.REFERRAL, "Referral of individual complaints between the Commission and the "
             "NPM", 30, None, "Each passes to the other, with the person's consent, complaints "
             "that fall under the other's mandate, within ten working days."),
        ),
    ),
    PartnerSpec(
        "prc", "Prisoners' Rights Circle", "PRC", PK.NGO,
        "prisons, legal aid, families, reprisals", "monitor",
        website="https://prc.example.org",
        contacts=(("Jonas Verhoeven", "Coordinator", "+00 21 555 0520"),
                  ("Selin Aydın", "Lawyer, prison helpline", "+00 21 555 0521")),
        agreements=(
            (AG.REFERRAL, "Reprisal alerts and referral of individual complaints", 20, 12,
             "The Circle alerts the NPM the same day to any sign of reprisal against a person "
             "who spoke to the NPM; the NPM refers people who want legal help, with consent."),
        ),
    ),
    PartnerSpec(
        "obla", "Open Borders Legal Aid", "OBLA", PK.NGO,
        "migration, asylum, immigration detention, legal aid", "monitor",
        website="https://obla.example.org",
        contacts=(("Mireille Dufort", "Legal director", "+00 21 555 0630"),),
        agreements=(
            (AG.MOU, "Legal aid for people met in immigration detention", 16, 20,
             "The NPM gives detainees who ask for it the group's leaflet and hotline; the "
             "group tells the NPM of transfers and removals of people it was told about."),
        ),
    ),
    PartnerSpec(
        "mhan", "Mental Health Advocacy Network", "MHAN", PK.NGO,
        "psychiatry, social care homes, restraint and seclusion", "monitor",
        contacts=(("Dr Henrik Solvang", "Chair", "+00 21 555 0740"),),
    ),
    PartnerSpec(
        "fda", "Families of Detainees Association", "FDA", PK.NGO,
        "families, visits, contact with the outside world", "monitor",
        contacts=(("Nadia Kessler", "President", "+00 21 555 0850"),),
    ),
    PartnerSpec(
        "crts", "Centre for the Rehabilitation of Torture Survivors", "CRTS", PK.NGO,
        "rehabilitation, forensic documentation, Istanbul Protocol", "monitor",
        contacts=(("Dr Paulina Weiss", "Medical director", "+00 21 555 0960"),),
        agreements=(
            (AG.COOPERATION, "Forensic documentation under the Istanbul Protocol", 28, None,
             "The Centre's doctors examine, on the NPM's request and with consent, people who "
             "allege ill-treatment, and report to the NPM's doctor."),
        ),
    ),
    PartnerSpec(
        "uni", "National University, Human Rights Law Clinic", "NU-HRLC", PK.ACADEMIA,
        "research, training of students, legal analysis", "comms",
        contacts=(("Prof. Lucia Marangoni", "Director of the clinic", "+00 21 555 1070"),),
        agreements=(
            (AG.MOU, "Research partnership on detention conditions", 26, 10,
             "Students support the NPM's legal analysis; the NPM gives guest lectures."),
            (AG.DATA_SHARING, "Anonymised visit statistics for research", 14, 1,
             "The NPM gives the clinic aggregated, anonymised figures (no count under five); "
             "no visit report, interview or case content is shared."),
        ),
    ),
    PartnerSpec(
        "bar", "National Bar Association", "NBA", PK.PROFESSIONAL,
        "access to a lawyer, legal aid in police custody", "monitor",
        contacts=(("Maître Oskar Lindahl", "Head of the criminal law committee", ""),),
    ),
    PartnerSpec(
        "daily", "The Daily Courier", "", PK.MEDIA,
        "justice and human rights reporting", "comms",
        contacts=(("Editorial desk", "Justice correspondent", "+00 21 555 1290"),),
    ),
)

STORIES: tuple[Story, ...] = (
    # The SPT: confidential exchanges (¶3, 30).
    Story(("spt",), 23, C.LETTER, D.OUTGOING, "Annual report transmitted to the SPT",
          "The annual report was sent with a cover letter summarising the main findings and "
          "the state of implementation of the SPT's recommendations.", True, ("recs:spt",)),
    Story(("spt",), 19, C.MEETING, D.BOTH, "Online exchange with the country rapporteur on the "
          "follow-up to the SPT visit report",
          "The rapporteur asked how the NPM follows the recommendations on police custody "
          "registers and on the budget of the NPM. We described the tracker and the delays in "
          "the ministry's answers.", True, ("recs:spt", "place:police")),
    Story(("spt",), 14, C.LETTER, D.OUTGOING, "Request for advice on monitoring social care "
          "homes", "We asked the SPT for advice on visiting privately run social care homes "
          "where residents are not free to leave.", True, ("place:care",)),
    Story(("spt",), 12, C.LETTER, D.INCOMING, "SPT advice on monitoring social care homes",
          "The SPT confirmed that such homes fall within art. 4 and advised unannounced "
          "visits, interviews with residents and a review of guardianship decisions.", True,
          ("place:care",)),
    Story(("spt",), 7, C.LETTER, D.OUTGOING, "Information transmitted under the SPT's "
          "reprisals policy", "Summary of the reprisal allegations recorded since the last "
          "exchange, with the measures taken. Case references only; no identities.", True,
          ("case", "recs:spt")),
    Story(("spt", "moj"), 3, C.MEETING, D.BOTH, "Preparatory meeting for the SPT advisory "
          "visit to the NPM", "Programme of the advisory visit agreed: two joint visits, a "
          "meeting with the Ministry, a review of the NPM's methodology.", True,
          ("recs:spt", "law")),
    # The CPT.
    Story(("cpt",), 21, C.MEETING, D.BOTH, "Meeting with the CPT delegation during its "
          "periodic visit", "The delegation asked about our findings in remand prisons and "
          "the use of restraint in psychiatric hospitals.", True,
          ("recs:cpt", "place:prison", "place:psychiatric")),
    Story(("cpt",), 9, C.LETTER, D.OUTGOING, "Information sent to the CPT on the follow-up to "
          "its report", "We shared the state of the recommendations on remand prisons and "
          "police custody.", True, ("recs:cpt",)),
    # Ministries.
    Story(("moj",), 22, C.MEETING, D.BOTH, "Annual meeting with the Director of Prison "
          "Administration", "Overcrowding in remand prisons, the call bell programme and the "
          "budget for the renovation of the women's wing were discussed.", False,
          ("recs:national", "place:prison")),
    Story(("moj",), 16, C.LETTER, D.INCOMING, "Ministry's answer on the isolation regime",
          "The Ministry announces a circular limiting disciplinary isolation to 14 days.",
          False, ("recs:national", "law")),
    Story(("moj",), 10, C.MEETING, D.BOTH, "Roundtable on the draft code of criminal "
          "procedure", "We presented our opinion on the 96-hour custody provision and "
          "access to a lawyer from the outset.", False, ("law", "recs:national")),
    Story(("moj",), 4, C.CALL, D.BOTH, "Call on the late monthly statistics",
          "Statistics for two months were late; the Ministry will send them with the next "
          "batch.", False, ()),
    Story(("moi",), 18, C.MEETING, D.BOTH, "Meeting with the Police Inspectorate on custody "
          "registers", "Agreement on a single national model of custody register.", False,
          ("recs:national", "place:police")),
    Story(("moi",), 8, C.LETTER, D.OUTGOING, "Letter on conditions at the waiting zone",
          "We asked for access to natural light and outdoor exercise for people held more "
          "than 24 hours.", False, ("place:immigration", "recs:national")),
    # The national human rights commission.
    Story(("nhri",), 20, C.MEETING, D.BOTH, "Coordination meeting with the Commission",
          "Division of tasks on complaints from detainees; the Commission's annual report "
          "will cite the NPM's findings.", False, ()),
    Story(("nhri",), 11, C.INFORMATION, D.INCOMING, "Complaints received by the Commission "
          "about a juvenile centre", "Three complaints about the use of handcuffs during "
          "transfers; passed on for the next visit.", False, ("place:juvenile",)),
    Story(("nhri",), 2, C.JOINT_ACTIVITY, D.BOTH, "Joint statement on the International Day "
          "in Support of Victims of Torture", "Statement on the definition of torture in the "
          "criminal code.", False, ("law",)),
    # NGOs.
    Story(("prc",), 22, C.MEETING, D.BOTH, "Quarterly meeting with the Prisoners' Rights "
          "Circle", "The Circle reported on its prison helpline: most calls concern health "
          "care and family visits.", False, ("place:prison",)),
    Story(("prc",), 15, C.INFORMATION, D.INCOMING, "Information on the health care service "
          "of a remand prison", "Long delays to see a doctor; medication not given during "
          "weekends.", True, ("place:prison", "recs:own")),
    Story(("prc", "fda"), 13, C.JOINT_ACTIVITY, D.BOTH, "Joint workshop on family visits",
          "Common proposals on visiting hours and video calls for families living far away.",
          False, ("recs:national",)),
    Story(("prc",), 5, C.INFORMATION, D.INCOMING, "Follow-up of a complaint of ill-treatment "
          "at a remand prison", "The Circle's lawyer confirmed that the complaint was lodged "
          "with the prosecutor.", True, ("case", "place:prison")),
    Story(("obla",), 17, C.INFORMATION, D.INCOMING, "Information on removals from immigration "
          "detention at night", "Several removals took place at night without notice to "
          "lawyers.", True, ("place:immigration",)),
    Story(("obla",), 6, C.MEETING, D.BOTH, "Meeting on legal aid in immigration detention",
          "The group's hotline will be displayed in every detention centre.", False,
          ("place:immigration", "recs:own")),
    Story(("mhan",), 16, C.MEETING, D.BOTH, "Meeting on restraint and seclusion in "
          "psychiatric hospitals", "Shared concern about restraint registers that are not "
          "kept; the Network will share its guide.", False,
          ("place:psychiatric", "recs:own")),
    Story(("mhan",), 7, C.LETTER, D.INCOMING, "Network's guide on de-escalation",
          "The guide was received and added to the visit guidelines' references.", False,
          ("place:psychiatric",)),
    Story(("fda",), 19, C.INFORMATION, D.INCOMING, "Families' reports on visiting rooms",
          "Families report cancelled visits without notice in two prisons.", False,
          ("place:prison",)),
    Story(("crts",), 14, C.MEETING, D.BOTH, "Meeting on forensic documentation",
          "Agreement on the report template used by the Centre's doctors.", False, ()),
    Story(("crts",), 3, C.INFORMATION, D.INCOMING, "Medical report received on an allegation",
          "The Centre's report on an examination requested by the NPM was received and "
          "passed to the case team.", True, ("case",)),
    # Academia, the bar, the media.
    Story(("uni",), 20, C.JOINT_ACTIVITY, D.BOTH, "Students' legal analysis of the custody "
          "provisions", "Comparative note on access to a lawyer in police custody.", False,
          ("law",)),
    Story(("uni",), 8, C.MEETING, D.BOTH, "Renewal of the research partnership",
          "Agreed topics for next year: social care homes and alternatives to detention.",
          False, ()),
    Story(("bar",), 12, C.MEETING, D.BOTH, "Meeting on lawyers' access to police custody",
          "Lawyers report being called only after the first interview.", False,
          ("place:police", "law")),
    Story(("daily",), 15, C.CALL, D.INCOMING, "Press enquiry on overcrowding",
          "Answered with the published figures of the annual report only.", False, ()),
    Story(("daily",), 1, C.MEETING, D.BOTH, "Interview on the annual report",
          "Interview with the head of the NPM on the annual report's main findings.", False,
          ()),
)

# kind, title, audience, months ago, reached, with partners
ACTIVITIES: tuple[tuple[str, str, str, int, int, tuple[str, ...]], ...] = (
    (A.Kind.TRAINING, "OPCAT and the NPM's mandate for new prison officers", A.Audience.STAFF,
     22, 64, ("moj",)),
    (A.Kind.TALK, "The NPM's work, at the law faculty", A.Audience.STUDENTS, 21, 120, ("uni",)),
    (A.Kind.PUBLICATION, "Annual report", A.Audience.PUBLIC, 20, 3400, ()),
    (A.Kind.CAMPAIGN, "Know your rights: leaflets in remand prisons", A.Audience.DETAINEES,
     18, 2100, ("prc",)),
    (A.Kind.TRAINING, "Safeguards in police custody for police academy students",
     A.Audience.STAFF, 16, 85, ("moi",)),
    (A.Kind.TRAINING, "Documenting ill-treatment for judges and prosecutors",
     A.Audience.JUDICIARY, 14, 40, ("crts", "bar")),
    (A.Kind.MEDIA, "Radio interview on conditions in immigration detention", A.Audience.PUBLIC,
     13, 45000, ()),
    (A.Kind.TALK, "Presentation to the parliamentary human rights committee",
     A.Audience.OFFICIALS, 11, 18, ()),
    (A.Kind.TRAINING, "Restraint and seclusion: training for psychiatric nurses",
     A.Audience.HEALTH, 9, 55, ("mhan",)),
    (A.Kind.PUBLICATION, "Annual report", A.Audience.PUBLIC, 8, 4100, ()),
    (A.Kind.TALK, "Meeting with families of detainees", A.Audience.FAMILIES, 6, 70, ("fda",)),
    (A.Kind.CAMPAIGN, "Legal aid hotline posters in immigration detention",
     A.Audience.DETAINEES, 5, 600, ("obla",)),
    (A.Kind.TALK, "NGO forum on prevention of torture", A.Audience.CIVIL_SOCIETY, 3, 90,
     ("prc", "obla", "nhri")),
    (A.Kind.MEDIA, "Newspaper interview on the annual report", A.Audience.PUBLIC, 1, 60000,
     ("daily",)),
)
# fmt: on

ROUTED_SIGNAL = (
    "Information from the Prisoners' Rights Circle: a person who spoke to the visiting "
    "team fears reprisals",
    "The Circle's helpline was called by a relative: since the visit, the person was "
    "searched twice, placed in the segregation unit and their phone card was withdrawn. "
    "The relative asks the NPM to act without naming the caller.",
)
UNROUTED_SIGNAL = (
    "Information from Open Borders Legal Aid: a detainee in immigration detention fears "
    "retaliation",
    "The group's lawyer reports that a detainee was told by a guard that 'those who "
    "complain to inspectors are removed first'. The detainee agrees to be contacted "
    "through the lawyer.",
)


@dataclass
class PartnersDemoSummary:
    partners: int = 0
    contacts: int = 0
    agreements: int = 0
    communications: int = 0
    confidential: int = 0
    reprisal_signals: int = 0
    signals_linked: int = 0
    activities: int = 0
    reached: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The demo command's report line."""
        return (
            f"Partners: {self.partners} with {self.contacts} contacts and {self.agreements} "
            f"agreements; {self.communications} communications over two years "
            f"({self.confidential} confidential, {self.reprisal_signals} reprisal signals, "
            f"{self.signals_linked} linked to a watch); {self.activities} awareness "
            f"activities reaching {self.reached:,} people ({self.seconds:.1f} s)."
        )


def demo_load_partners(*, seed: int, scale: str = "small") -> PartnersDemoSummary:
    """Build the demo's partners, communication log and awareness activities; refuse in
    production or when partners exist already."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    if Partner.objects.exists():
        raise DemoRefused("Partners exist already; the demo loads only into none.")
    started = time.perf_counter()
    with transaction.atomic():
        rng = random.Random(seed * 7919 + 17)  # noqa: S311 - fiction, not secrets
        summary = _Partners(rng, today=timezone.localdate()).build()
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


def _staff() -> dict[str, User]:
    people: dict[str, User] = {}
    for role in (Role.HEAD, Role.MONITOR, Role.COMMS, Role.DATA_OFFICER):
        user = User.objects.filter(email=demo_email(role)).first()
        if user is None:
            raise DemoRefused(f"The demo account {demo_email(role)} is missing.")
        people[str(role)] = user
    return people


class _Partners:
    def __init__(self, rng: random.Random, *, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.people = _staff()
        self.partners: dict[str, Partner] = {}
        self.summary = PartnersDemoSummary()

    def build(self) -> PartnersDemoSummary:
        for spec in PARTNERS:
            self._partner(spec)
        # Recorded in the order they happened, so that references follow the calendar.
        planned: list[tuple[dt.date, Callable[[], Any]]] = []
        for story in STORIES:
            day = self._day(story.months_ago)
            planned.append((day, partial(self._story, story, day)))
        planned += self._signals()
        for _day, record in sorted(planned, key=lambda pair: pair[0]):
            record()
        for row in ACTIVITIES:
            self._activity(*row)
        self.summary.partners = len(self.partners)
        self.summary.communications = Communication.objects.count()
        self.summary.confidential = Communication.objects.filter(confidential=True).count()
        return self.summary

    # -- when ----------------------------------------------------------------------------

    def _day(self, months_ago: int) -> dt.date:
        day = self.today - dt.timedelta(days=months_ago * 30 + self.rng.randint(-10, 10))
        return min(day, self.today - dt.timedelta(days=1))

    # -- partners ------------------------------------------------------------------------

    def _partner(self, spec: PartnerSpec) -> None:
        head = self.people[Role.HEAD]
        partner = services.partner_create(
            actor=head,
            name=spec.name,
            kind=spec.kind,
            acronym=spec.acronym,
            areas=spec.areas,
            website=spec.website,
            address=spec.address,
            notes=spec.notes,
        )
        self.partners[spec.key] = partner
        domain = f"{(spec.acronym or spec.key).lower().replace(' ', '')}.example.org"
        for name, position, phone in spec.contacts:
            local = "".join(c for c in name.split()[-1].lower() if c.isascii() and c.isalnum())
            services.contact_add(
                actor=head,
                partner=partner,
                name=name,
                position=position,
                email=f"{local or 'contact'}@{domain}",
                phone=phone,
            )
            self.summary.contacts += 1
        for kind, title, signed, expires, terms in spec.agreements:
            signed_on = self.today - dt.timedelta(days=signed * 30) if signed is not None else None
            expires_on = self.today + dt.timedelta(days=expires * 30) if expires else None
            services.agreement_add(
                actor=head,
                partner=partner,
                kind=kind,
                title=title,
                signed_on=signed_on,
                expires_on=expires_on,
                terms=terms,
            )
            self.summary.agreements += 1

    # -- communications ------------------------------------------------------------------

    def _recorder(self, story: Story) -> User:
        first = next(spec for spec in PARTNERS if spec.key == story.partners[0])
        return self.people[first.recorder]

    def _pick(self, rows: Iterable[Any], count: int) -> list[Any]:
        found = list(rows)
        return self.rng.sample(found, min(count, len(found)))

    def _places(self, actor: User, setting: str) -> list[Place]:
        rows = (
            Place.objects.restrict(actor, "view")
            .filter(category__code__in=PLACE_SETTINGS[setting], status=Place.Status.OPEN)
            .order_by("external_ref", "pk")[:40]
        )
        return self._pick(rows, 1)

    def _recommendations(self, actor: User, which: str) -> list[Recommendation]:
        rows = Recommendation.objects.restrict(actor, "view").filter(
            state=Recommendation.State.SENT
        )
        if which in (Origin.SPT, Origin.CPT):
            rows = rows.filter(origin=which)
        elif which == "national":
            rows = rows.filter(level__in=(Level.NATIONAL, Level.LEGISLATIVE))
        else:
            rows = rows.filter(origin=Origin.OWN_VISIT)
        return self._pick(rows.order_by("reference")[:60], self.rng.randint(1, 3))

    def _links(self, actor: User, story: Story) -> dict[str, list[Any]]:
        links: dict[str, list[Any]] = {
            "places": [],
            "cases": [],
            "recommendations": [],
            "legislation": [],
        }
        for link in story.links:
            kind, _sep, value = link.partition(":")
            if kind == "place":
                links["places"] += self._places(actor, value)
            elif kind == "recs":
                links["recommendations"] += self._recommendations(actor, value)
            elif kind == "law":
                items = LegislationItem.objects.restrict(actor, "view").order_by("reference")
                links["legislation"] += self._pick(items[:20], 1)
            elif kind == "case":
                # Only a case file the recorder is granted on (never one hidden from them).
                cases = Case.objects.restrict(actor, "view").order_by("reference")
                links["cases"] += self._pick(cases, 1)
        return links

    def _story(self, story: Story, day: dt.date | None = None) -> Communication:
        actor = self._recorder(story)
        links = self._links(actor, story)
        return services.communication_record(
            actor=actor,
            kind=story.kind,
            direction=story.direction,
            occurred_on=day or self._day(story.months_ago),
            subject=story.subject,
            details=story.details,
            confidential=story.confidential,
            partners=[self.partners[key] for key in story.partners],
            places=links["places"],
            cases=links["cases"],
            recommendations=links["recommendations"],
            legislation=links["legislation"],
        )

    # -- reprisal signals (¶25) ----------------------------------------------------------

    def _signals(self) -> list[tuple[dt.date, Callable[[], Any]]]:
        """The two reprisal signals, to record in their place in the calendar."""
        monitor = self.people[Role.MONITOR]
        watches = ReprisalWatch.objects.restrict(monitor, "view")
        watch = watches.filter(pseudonym="Heron").first() or watches.order_by("opened_on").first()
        places = self._places(monitor, "immigration")
        recent = self.today - dt.timedelta(days=2)
        planned: list[tuple[dt.date, Callable[[], Any]]] = [
            (recent, partial(self._signal, monitor, "obla", UNROUTED_SIGNAL, recent, places))
        ]
        if watch is None:
            self.summary.notes.append("No reprisal watch to link the routed signal to.")
            return planned
        received = min(self.today - dt.timedelta(days=3), watch.opened_on + dt.timedelta(days=10))
        planned.append((received, partial(self._answered_signal, monitor, watch, received)))
        return planned

    def _answered_signal(self, monitor: User, watch: ReprisalWatch, received: dt.date) -> None:
        routed = self._signal(monitor, "prc", ROUTED_SIGNAL, received, [watch.place])
        services.communication_link_watch(actor=monitor, communication=routed, watch=watch)
        # The watch's team was told the day the information came in, and has read it.
        told = timezone.make_aware(dt.datetime.combine(received, dt.time(10, 30)))
        Communication.objects.filter(pk=routed.pk).update(reprisal_routed_at=told)
        Notification.objects.filter(key=services.NOTIFICATION_KEY.format(pk=routed.pk)).update(
            created_at=told, read_at=told + dt.timedelta(hours=1)
        )
        self.summary.signals_linked += 1

    def _signal(
        self,
        actor: User,
        partner: str,
        text: tuple[str, str],
        received: dt.date,
        places: list[Place],
    ) -> Communication:
        self.summary.reprisal_signals += 1
        return services.communication_record(
            actor=actor,
            kind=C.INFORMATION,
            direction=D.INCOMING,
            occurred_on=received,
            subject=text[0],
            details=text[1],
            confidential=True,
            reprisal_signal=True,
            partners=[self.partners[partner]],
            places=places,
        )

    # -- awareness (¶33) -----------------------------------------------------------------

    def _activity(
        self,
        kind: str,
        title: str,
        audience: str,
        months_ago: int,
        reached: int,
        partners: tuple[str, ...],
    ) -> None:
        comms = self.people[Role.COMMS]
        regions = Region.objects.filter(parent__isnull=False, parent__parent__isnull=True)
        region = self._pick(regions.order_by("code")[:20], 1)
        services.activity_record(
            actor=comms,
            kind=kind,
            title=title,
            held_on=self._day(months_ago),
            audience=audience,
            reached=reached,
            region=region[0] if region and kind in (A.Kind.TRAINING, A.Kind.TALK) else None,
            partners=[self.partners[key] for key in partners],
        )
        self.summary.activities += 1
        self.summary.reached += reached
