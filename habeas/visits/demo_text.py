"""Text for the demo visits: interview notes, findings, debriefs, register checks.

Every text is built from templates with details drawn from one `random.Random`, so the
same seed writes the same notes. Nothing here names a real person: people are known by
interview pseudonyms (P-04) and invented code names, staff by their function.

Interview notes (the team's own words, reported speech, concrete details: times, cell
numbers) and debrief lines (the NPM speaking to the management in general terms) are
written in two different registers on purpose: the debrief must not repeat a detail
known only from an interview (habeas.visits.source_check), and the demo's debriefs pass
that check.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# -- what a place of each kind calls its people, staff and rooms ---------------------------


@dataclass(frozen=True)
class Setting:
    person: str
    people: str
    staff: str
    staff_pl: str
    room: str
    chief: str
    isolation: str
    spots: tuple[str, ...]


# fmt: off
SETTINGS: dict[str, Setting] = {
    "prison": Setting("prisoner", "prisoners", "officer", "officers", "cell", "the governor",
        "the segregation unit", ("the shower room", "the stairwell between landings",
        "the corridor outside the officers' room", "the reception area", "the transport van",
        "the search room")),
    "police": Setting("detained person", "detained persons", "police officer",
        "police officers", "cell", "the station commander", "the isolation cell",
        ("the interview room", "the corridor by the cells", "the back of the patrol car",
        "the custody desk", "the yard behind the station")),
    "psychiatric": Setting("patient", "patients", "nurse", "nursing staff", "room",
        "the medical director", "the seclusion room", ("the corridor of the closed ward",
        "the smoking room", "the treatment room", "the dining room")),
    "juvenile": Setting("child", "children", "educator", "educators", "room", "the director",
        "the time-out room", ("the corridor of the unit", "the sports hall",
        "the classroom", "the courtyard")),
    "immigration": Setting("detainee", "detainees", "officer", "escort officers", "room",
        "the head of the centre", "the isolation room", ("the departure lounge",
        "the corridor of the men's block", "the visiting room", "the escort van")),
    "care": Setting("resident", "residents", "care worker", "care workers", "room",
        "the manager", "a locked room", ("the bathroom", "the dining room",
        "the corridor at night", "the lounge")),
}
SETTING_OF: dict[str, str] = {
    "prison-remand": "prison", "prison-sentenced": "prison", "police-custody": "police",
    "court-cells": "police", "customs-custody": "police", "sobering-up": "police",
    "psychiatric": "psychiatric", "juvenile": "juvenile", "immigration-detention": "immigration",
    "waiting-zone": "immigration", "transfer-removal": "immigration",
    "asylum-centre": "immigration", "social-care": "care", "halfway-house": "prison",
    "military": "prison", "other": "police",
}
# fmt: on


def setting_for(category_code: str) -> Setting:
    return SETTINGS[SETTING_OF.get(category_code, "prison")]


# -- details drawn for each note -----------------------------------------------------------

TIMES = ("03:40", "02:15", "23:30", "05:10", "01:50", "22:45", "04:20", "00:35", "21:10")
ORDINALS = ("first", "second", "third", "fourth", "fifth")
NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
LANGUAGES = ("Arabic", "Dari", "Romanian", "Russian", "Tigrinya", "Turkish", "Spanish", "Pashto")


def details(rng: random.Random, setting: Setting) -> dict[str, str]:
    """The slots every template may use, drawn afresh for each text."""
    letter = rng.choice("ABCDEFGH")
    return {
        "person": setting.person,
        "people": setting.people,
        "staff": setting.staff,
        "staff_pl": setting.staff_pl,
        "room": setting.room,
        "chief": setting.chief,
        "isolation": setting.isolation,
        "spot": rng.choice(setting.spots),
        "spot2": rng.choice(setting.spots),
        "time": rng.choice(TIMES),
        "cell": f"{letter}-{rng.randint(101, 348)}",
        "ordinal": rng.choice(ORDINALS),
        "n": rng.choice(NUMBER_WORDS),
        "days": str(rng.randint(11, 46)),
        "hours": str(rng.randint(13, 39)),
        "day_hours": str(rng.randint(20, 23)),
        "minutes": str(rng.randint(25, 95)),
        "weeks": rng.choice(NUMBER_WORDS[:5]),
        "language": rng.choice(LANGUAGES),
    }


# -- private interviews, by theme (reported speech, concrete) --------------------------------

# fmt: off
PRIVATE: dict[str, tuple[str, ...]] = {
    "treatment": (
        "Says two {staff_pl} pushed them against the wall in {spot} around {time} and one "
        "slapped them twice when they asked why.",
        "Describes being kicked on the legs in {spot} on their {ordinal} day, after arguing "
        "about a missing parcel; no one wrote anything down.",
        "Says an {staff} twisted their arm behind their back until it cracked, in {spot}; "
        "showed a bruise on the left wrist, still yellow.",
        "Reports being insulted daily by one {staff} of the night team, who calls them by a "
        "slur and bangs on the door of {room} {cell} at {time}.",
        "Says they were made to kneel facing the wall for about {minutes} minutes in {spot} "
        "as a punishment for shouting.",
    ),
    "safeguards": (
        "Was never told why they were held nor given the leaflet on rights; asked for a "
        "lawyer at {time} and saw one only the next afternoon.",
        "Family not informed for {hours} hours; the {staff} at the desk said the phone "
        "was reserved for emergencies.",
        "Signed a statement in a language they do not read; no interpreter for {language} "
        "was offered.",
        "Asked to see a doctor on arrival because of a swollen eye; was told the doctor "
        "comes only on Thursdays.",
        "Has had no hearing for {days} days and does not know the name of the court "
        "that ordered the detention.",
    ),
    "security": (
        "Spent {days} days in {isolation} after a fight; says no one explained the decision "
        "or how to appeal it.",
        "Describes a full strip search in {spot} with the door open and other {people} "
        "passing by.",
        "Was handcuffed to the bed frame for {hours} hours after refusing medication and "
        "was not allowed to go to the toilet.",
        "Says the alarm team entered {room} {cell} at {time} with shields and pinned them "
        "to the floor; a camera was held but they never saw the recording.",
        "Says searches of {room} {cell} happen at night, roughly once a week, and personal "
        "letters are read in front of them.",
    ),
    "contact": (
        "May call home once a week for ten minutes; the phone is in the corridor and "
        "{staff_pl} stand close enough to hear.",
        "Has not seen their children for {weeks} weeks because visits end at 15:00, before "
        "school lets out.",
        "Letters to their lawyer are opened before being posted; one came back with the "
        "envelope torn.",
        "Family live far away; video calls were promised in the spring and have not started.",
        "Was refused a call to the consulate; was told to write a request and wait.",
    ),
    "conditions": (
        "Shares {room} {cell} with {n} others; two sleep on mattresses on the floor between "
        "the beds.",
        "The window of {room} {cell} has no glass; in winter they sleep in their coat and "
        "block the gap with a towel.",
        "The toilet in {room} {cell} is not screened and is a metre from where they eat.",
        "Hot water only twice a week; showers are taken in groups of {n} in {minutes} minutes.",
        "Cockroaches in the food trolley; the evening meal comes at 16:30 and nothing "
        "after that until morning.",
    ),
    "regime": (
        "Locked in {room} {cell} for about {day_hours} hours a day; one hour outside in a yard "
        "with no shelter from rain.",
        "Asked to join the workshop {weeks} months ago and is still on the waiting list.",
        "No classes or activities since arriving; spends the day watching television "
        "with the sound off.",
        "Exercise is cancelled whenever staff are short, about twice a week by their count.",
        "Would like to study for a diploma; the library opens only on Tuesday mornings.",
    ),
    "health": (
        "Has a chronic illness and missed medication for {n} days after arrival; the "
        "prescription had to be faxed again.",
        "Asked to see a dentist {weeks} months ago for a broken tooth; still waiting, "
        "takes painkillers bought from others.",
        "Medical consultations take place with an {staff} in the room, so they did not "
        "mention the bruises.",
        "Was given tablets without being told what they were for; feels drowsy all day.",
        "Had thoughts of self-harm last month; saw the psychologist once, through the "
        "hatch of the door.",
    ),
    "staff": (
        "Says most {staff_pl} are correct but the night team is harsh and changes often.",
        "Says there are so few {staff_pl} at weekends that requests go unanswered for hours.",
        "Describes one {staff} of the day team as the only one who listens and passes on "
        "requests.",
        "Believes new {staff_pl} are not trained; one did not know how to open the "
        "emergency exit during a fire alarm.",
    ),
}
ALLEGATION_PRIVATE: tuple[str, ...] = (
    "Alleges they were beaten with a baton on the back and legs in {spot} at {time} by "
    "{n} {staff_pl}; a scar of about four centimetres on the left shin is visible.",
    "Alleges they were punched in the stomach during transfer and threatened with worse if "
    "they complained; points to the escort team on duty that night.",
    "Alleges a plastic bag was held over their head during questioning in {spot} until "
    "they fainted; dates it to their {ordinal} night.",
    "Alleges they were left naked in {isolation} for a night after refusing to undress for "
    "a search; says the camera there was covered.",
)
INTROS: tuple[str, ...] = (
    "Seen alone in the library, door closed; calm and precise.",
    "Interviewed in {room} {cell} with the door pulled to, at their request.",
    "Spoke in the visiting room with no staff present; nervous at first.",
    "Approached the team in the corridor and asked to talk; seen alone afterwards.",
    "Chosen from the register at random; agreed to talk after the mandate was explained.",
    "Interview in the classroom, away from the unit; gave a detailed account.",
    "Seen in the yard shelter, out of earshot of staff; spoke quickly.",
)
STAYS: tuple[str, ...] = (
    "Held here for {weeks} weeks, {situation}.",
    "Arrived {days} days ago, {situation}.",
    "Here since the spring, {situation}.",
    "In this unit for {weeks} months, {situation}.",
)
SITUATIONS: tuple[str, ...] = (
    "on remand and waiting for a trial date",
    "serving a short sentence",
    "first time in detention",
    "transferred from another establishment",
    "held under an administrative order",
    "waiting for a decision on appeal",
    "placed by a court order that is reviewed every month",
)
CLOSINGS: tuple[str, ...] = (
    "Agrees that the information be used provided nothing can point to them.",
    "Fears a move to another unit if this is raised; asked us not to mention the date.",
    "Happy for the team to raise it with the management in general terms.",
    "Does not want anything transmitted outside the NPM for now.",
    "Agreed to be seen again at the next visit.",
    "Wants the team to follow up; gave consent to raise it with the authorities.",
)

# -- group, staff, management, other visitors ----------------------------------------------

GROUP: dict[str, tuple[str, ...]] = {
    "treatment": ("Several say shouting and insults from the night team are routine.",
                  "Two describe pushing and shoving during roll call."),
    "safeguards": ("Nobody in the group had received the leaflet on rights.",
                   "Most say the lawyer comes only after the first hearing."),
    "security": ("All describe night searches that wake the whole landing.",
                 "They say the time in {isolation} depends on which {staff} is on duty."),
    "contact": ("The group agrees the phone queue is the main source of tension.",
                "Several have had no visit for months because of the distance."),
    "conditions": ("All complain of cold {room}s and broken windows.",
                   "The group says the food portions shrank this year."),
    "regime": ("Nobody in the group has work or classes.",
               "They say yard time is the first thing cancelled when staff are short."),
    "health": ("Several waited weeks to see the doctor.",
               "They say sick calls are collected by {staff_pl} who decide who is urgent."),
    "staff": ("The group says the day team is fair and the night team is not.",
              "Complaints about frequent changes of {staff_pl}."),
}
GROUP_OPENINGS: tuple[str, ...] = (
    "Group of {count} {people} met in the common room; lively discussion.",
    "Group of {count} {people} in the yard; some reluctant to talk in front of others.",
    "Group of {count} {people} during the afternoon association period.",
)
GROUP_FOLLOW_UP = "One of the group asked to speak alone later: private follow-up planned."
FOLLOW_UP_INTRO = "Private follow-up of the group interview, seen alone in an office."

STAFF_NOTES: tuple[str, ...] = (
    "{staff_title} with {years} years in post. Says the unit runs with {n} staff at night "
    "for all the {people}, which makes escorts to hospital impossible without cancelling "
    "the yard.",
    "{staff_title}. Had the basic course only; no training on de-escalation. Says incidents "
    "are written up only when someone is injured.",
    "{staff_title} from the health team. Sees new arrivals within a day on weekdays, not at "
    "weekends; injuries are noted on a form that stays in the medical file.",
    "{staff_title}. Says the register of force is kept in the office and filled in at the "
    "end of the shift, from memory.",
    "{staff_title}. Proud of the new visiting room; says complaints go to the deputy and "
    "are answered within a week.",
    "{staff_title} with {years} years in post. Works {n} nights in a row at times; says "
    "overtime is the only way the roster holds.",
    "{staff_title}. Says {people} held in {isolation} are checked every hour at night, "
    "but the log shows gaps.",
    "{staff_title}. Would welcome training on mental health; says {people} in crisis are "
    "often placed in {isolation} for want of another place.",
)
STAFF_TITLES: tuple[str, ...] = (
    "Senior {staff} of the day team", "{Staff} of the night team", "Nurse of the health unit",
    "Duty supervisor", "Social worker", "Teacher",
)
MANAGEMENT_NOTES: tuple[str, ...] = (
    "Meeting with {chief} and the deputy. They acknowledge overcrowding and blame the courts "
    "for long remand; a request for {n} more staff posts is pending with the ministry.",
    "Opening meeting with {chief}. Access to every unit granted; registers brought on request. "
    "Says a new complaints procedure started this year.",
    "Meeting with {chief}, who disputes that force is used outside the rules but agrees to "
    "share the footage requested.",
    "{Chief} explains the budget cuts: night staff reduced, the workshop closed for lack of "
    "an instructor.",
    "Closing meeting with {chief}, who asks for the findings in writing within {weeks} weeks "
    "and promises an action plan.",
    "Meeting with {chief}: the population has risen this year while {n} posts stay vacant; "
    "a recruitment drive is planned.",
)
OTHER_VISITOR_NOTES: tuple[str, ...] = (
    "A lawyer waiting to see a client says private consultations are often interrupted and "
    "the room is next to the guard post.",
    "A relative in the queue says visits start late and are cut short without explanation.",
    "A volunteer from a local association says their access was suspended after they "
    "raised the state of the showers.",
    "A chaplain says people in the segregation unit ask above all for someone to talk to.",
    "A teacher from outside says classes are cancelled whenever an escort is missing.",
)

# -- what the team finds (statements for the report, NPM voice) -----------------------------

CONCERNS: dict[str, tuple[str, ...]] = {
    "treatment": (
        "Allegations of physical ill-treatment by {staff_pl}, mainly during searches and at "
        "night; none was recorded as a use of force.",
        "Verbal abuse and humiliating treatment by some {staff_pl} are reported as routine.",
        "Allegations of blows during transfers, consistent with injuries seen by the "
        "team's doctor.",
    ),
    "safeguards": (
        "{People} are not informed of their rights on arrival, in a language they understand.",
        "Access to a lawyer is delayed until after the first questioning.",
        "Relatives are not notified of the detention without delay.",
        "No medical examination on arrival; injuries are not documented.",
    ),
    "security": (
        "Placement in {isolation} is ordered without a written decision or a way to appeal.",
        "Mechanical restraint is used for long periods without constant supervision.",
        "Strip searches are routine and carried out without regard for privacy.",
        "The register of the use of force is incomplete and filled in after the fact.",
    ),
    "contact": (
        "Telephone access is too limited and calls can be overheard by staff.",
        "Visiting hours do not allow families, especially children, to visit.",
        "Correspondence with lawyers is opened.",
    ),
    "conditions": (
        "{Room}s are overcrowded: several {people} sleep on mattresses on the floor.",
        "Broken windows and no heating in part of the building.",
        "Toilets in the {room}s are not partitioned.",
        "Poor hygiene: hot water and showers are insufficient.",
    ),
    "regime": (
        "{People} spend more than twenty hours a day locked up, with no purposeful activity.",
        "Outdoor exercise is cancelled when staff are short.",
        "No education or work is offered to {people} held for more than a month.",
    ),
    "health": (
        "Delays of several weeks in access to a doctor and to dental care.",
        "Medical confidentiality is not respected: staff attend consultations.",
        "Continuity of treatment is interrupted on arrival.",
        "No mental health care for {people} at risk of self-harm.",
    ),
    "staff": (
        "Staff numbers at night and at weekends are too low for the population held.",
        "Staff have no training in de-escalation or in the use of force.",
        "High turnover of {staff_pl} undermines relationships with {people}.",
    ),
}
GOOD_PRACTICES: dict[str, tuple[str, ...]] = {
    "contact": (
        "Every unit has telephones that {people} may use daily, free of charge, for family calls.",
        "A new visiting room with a play corner welcomes families at weekends.",
    ),
    "safeguards": (
        "Information on rights is given on arrival in writing, in the main languages spoken.",
        "A lawyer on call is reachable day and night and attends within hours.",
    ),
    "health": (
        "Every arrival is seen by a nurse within hours and injuries are photographed and "
        "recorded on a body chart.",
    ),
    "regime": (
        "A varied programme of classes, sport and work keeps most {people} occupied during "
        "the day.",
    ),
    "staff": (
        "Staff follow a yearly course on de-escalation, run with an external trainer.",
    ),
    "conditions": (
        "The refurbished unit offers single {room}s with natural light and a partitioned toilet.",
    ),
    "treatment": (
        "{Chief} reviews every use of force with the footage within a week.",
    ),
}
OBSERVATIONS: dict[str, tuple[str, ...]] = {
    "treatment": ("Team saw bruising on the arms of one person, photographed with consent.",
                  "Staff were heard shouting insults along the corridor."),
    "safeguards": ("No information on rights posted in the reception area.",
                   "The rights leaflet exists only in the national language."),
    "security": ("Restraint bed in the isolation room, with straps left fastened.",
                 "Isolation room without a call bell or natural light."),
    "contact": ("One telephone for the whole unit, in the corridor next to the office.",
                "Visiting room with a glass partition and no privacy."),
    "conditions": ("Mattresses on the floor, windows broken, damp walls.",
                   "Toilets without partition in the rooms visited."),
    "regime": ("Yard without shelter, bench or sports equipment.",
               "Workshop closed, machines covered in dust."),
    "health": ("Medical room without a screen; files on an open shelf.",
               "Medication distributed by staff without medical training."),
    "staff": ("Staff roster shows two posts unfilled on most nights.",
              "Staff met were courteous and answered questions openly."),
}
EVIDENCE_NOTES: tuple[str, ...] = (
    "Account consistent with others heard in the unit.",
    "Detailed account; dates and places checked against the register.",
    "Confirms what the team observed.",
    "Staff account confirms the practice.",
    "Entries checked by two team members.",
)

# -- the debrief (the NPM speaking to the management, general terms, no detail) -------------

DEBRIEF: dict[str, tuple[str, ...]] = {
    "treatment": (
        "We received allegations of ill-treatment that we take seriously; we remind you that "
        "it is prohibited in all circumstances and must be reported.",
        "The delegation heard of insults and disrespectful conduct; we ask that managers "
        "address conduct on every shift.",
    ),
    "safeguards": (
        "Information on rights, notification of relatives and early access to counsel do not "
        "yet work as the law requires.",
        "We ask that medical screening on admission be systematic and that any injury be "
        "documented.",
    ),
    "security": (
        "Decisions on isolation, restraint and searches must be written, justified and open "
        "to appeal; the records we saw are incomplete.",
        "We ask that every coercive measure be recorded promptly and reviewed by management.",
    ),
    "contact": (
        "Contact with families and lawyers should be easier, more frequent and confidential.",
    ),
    "conditions": (
        "Material conditions in parts of the establishment fall short of minimum standards, "
        "notably space, heating, hygiene and sanitation.",
    ),
    "regime": (
        "Too little time out of the living quarters and too few activities; we encourage "
        "you to protect outdoor exercise from staffing gaps.",
    ),
    "health": (
        "Access to health care is slow and consultations lack confidentiality; we ask that "
        "this be discussed with the health authority.",
    ),
    "staff": (
        "Staffing levels and training appear insufficient for the tasks; we will raise this "
        "with the supervising authority.",
    ),
}
DEBRIEF_FALLBACK = "We shared our preliminary observations on {label}."
DEBRIEF_OPENING = (
    "We thank the management for its cooperation and for prompt access to every area we "
    "asked to see."
)
DEBRIEF_OPENING_DIFFICULT = (
    "We thank the management; we regret the obstacles met at times, which we will mention "
    "in our report."
)
DEBRIEF_GOOD = "We welcome the good practices noted, which we will mention in the report."
PARTICIPANTS: tuple[str, ...] = (
    "Management: director, deputy director, head of health care. NPM: the delegation.",
    "Management: director and security manager. NPM: head of delegation and two members.",
    "Management: director, duty manager, a staff representative. NPM: the whole delegation.",
)
PARTICIPANTS_FALLBACK = "The management of the establishment and the NPM's delegation."
URGENT_MATTERS: dict[str, str] = {
    "treatment": "Any allegation of ill-treatment heard by the delegation must be reported to "
    "the prosecutor, as the law requires.",
    "security": "Restraint must end now for anyone restrained beyond what the law permits.",
    "health": "Persons in need of urgent medical care must be seen by a doctor today.",
    "conditions": "Occupancy must be brought down in the rooms where people sleep on the floor.",
    "safeguards": "Everyone held must be told of their rights and allowed to call a lawyer.",
}
URGENT_DRAFTS: dict[str, str] = {
    "treatment": "Order an immediate, independent inquiry into the allegations of ill-treatment "
    "received during the visit and remind all staff of the absolute prohibition.",
    "security": "End any use of restraint beyond the legal maximum and review each current "
    "placement in isolation within forty-eight hours.",
    "health": "Ensure that every person who asks for a doctor is seen within twenty-four hours, "
    "weekends included.",
    "conditions": "Stop using floor mattresses: reduce the occupancy of overcrowded rooms "
    "within a week.",
    "safeguards": "Give every new arrival written information on their rights in a language "
    "they understand.",
}

# -- register checks, photographs, difficulties ----------------------------------------------

REGISTER_TEXT: dict[str, tuple[str, str, str]] = {
    # kind: (sample, what was verified, discrepancies)
    "custody": (
        "Entries of the last {days} days",
        "Times of arrival and release, information on rights, calls to a lawyer and a relative.",
        "Lawyer call time missing on {k} entries; one release at {time} recorded before the "
        "arrival in {room} {cell}.",
    ),
    "medical": (
        "Medical register, last {weeks} months",
        "Injuries noted on arrival, follow-up visits, referrals to hospital.",
        "{k} entries mention injuries with no body chart; one arrival with a head wound not "
        "seen by a doctor for {hours} hours.",
    ),
    "force": (
        "Use-of-force register, this year",
        "Each use of force against incident reports and medical entries.",
        "{k} uses of force found in the medical register have no entry in the force register.",
    ),
    "restraint": (
        "Restraint register, last {weeks} months",
        "Duration, supervision and medical review of each restraint.",
        "{k} restraints longer than the permitted time; supervision every {minutes} minutes "
        "instead of constant.",
    ),
    "isolation": (
        "Isolation register, last {weeks} months",
        "Written decisions, duration, daily medical visit.",
        "{k} placements without a written decision; one lasted {days} days.",
    ),
    "disciplinary": (
        "Disciplinary register, last {weeks} months",
        "Hearings, sanctions, information on appeal.",
        "{k} sanctions imposed without a hearing; appeals never mentioned.",
    ),
    "complaints": (
        "Complaints register, this year",
        "Receipt, answer and time taken.",
        "{k} complaints unanswered after {days} days; one against a named {staff} withdrawn "
        "the day after it was lodged.",
    ),
    "deaths": (
        "Register of deaths, last five years",
        "Notifications to the prosecutor and the family.",
        "{k} deaths not notified to the prosecutor within the legal time.",
    ),
    "transfers": (
        "Transfer register, last {weeks} months",
        "Reasons, notification of the family and the lawyer.",
        "{k} transfers with no reason given, two the day after a complaint.",
    ),
}
REGISTER_KINDS_BY_SETTING: dict[str, tuple[str, ...]] = {
    "prison": ("disciplinary", "isolation", "force", "medical", "complaints", "transfers"),
    "police": ("custody", "medical", "force"),
    "psychiatric": ("restraint", "isolation", "medical", "complaints"),
    "juvenile": ("isolation", "disciplinary", "complaints", "medical"),
    "immigration": ("custody", "force", "isolation", "medical", "transfers"),
    "care": ("restraint", "medical", "complaints", "deaths"),
}
THEME_OF_REGISTER: dict[str, str] = {
    "custody": "safeguards", "medical": "health", "force": "security",
    "restraint": "security", "isolation": "security", "disciplinary": "security",
    "complaints": "safeguards", "deaths": "health", "transfers": "contact",
}
PHOTO_CAPTIONS: dict[str, str] = {
    "conditions": "{Room} in {unit}: mattress on the floor and a window without glass.",
    "security": "Isolation room in {unit}: no call bell, no daylight.",
    "regime": "Yard of {unit}, without shelter or equipment.",
    "health": "Medical room in {unit}: no screen, files on an open shelf.",
    "contact": "Visiting room with a glass partition.",
    "treatment": "Bruise on a forearm, photographed with the person's consent.",
}
DIFFICULTIES: dict[str, tuple[str, ...]] = {
    "access_delayed": (
        "The delegation waited {minutes} minutes at the entrance while staff sought "
        "authorisation from their superiors.",
        "Access to {isolation} was delayed by {minutes} minutes: the key-holder could not be "
        "found.",
    ),
    "documents_withheld": (
        "The medical register was refused, on grounds of medical secrecy, until the head of "
        "health care arrived.",
        "Copies of the isolation decisions were promised but not handed over before the end "
        "of the visit.",
    ),
    "interview_prevented": (
        "A {staff} insisted on staying within earshot of a private interview and left only "
        "after the head of delegation intervened.",
    ),
    "intimidation": (
        "After an interview, a {staff} was overheard telling {people} that the visitors would "
        "leave and staff would stay.",
    ),
    "access_refused": (
        "Access to the basement holding rooms was refused: staff said they were not in use.",
    ),
    "other": ("No private room was available; interviews were held in the yard shelter.",),
}
TOLD_WHOM: tuple[str, ...] = (
    "{Chief}", "The duty manager", "The deputy head of the establishment",
    "The officer in charge of security",
)
# fmt: on


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with its slots filled; slots written with a capital take a capital."""
    extra = {key[:1].upper() + key[1:]: _capital(value) for key, value in values.items()}
    return template.format(**values, **extra)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def private_note(
    rng: random.Random, setting: Setting, topics: list[str], *, allegation: bool
) -> str:
    values = {**details(rng, setting), "situation": rng.choice(SITUATIONS)}
    parts = [fill(rng.choice(INTROS), values), fill(rng.choice(STAYS), values)]
    if allegation:
        parts.append(fill(rng.choice(ALLEGATION_PRIVATE), values))
    for theme in topics:
        parts.append(fill(rng.choice(PRIVATE[theme]), details(rng, setting)))
    parts.append(rng.choice(CLOSINGS))
    return " ".join(parts)


def group_note(
    rng: random.Random, setting: Setting, topics: list[str], count: int, *, follow_up: bool
) -> str:
    values = {**details(rng, setting), "count": str(count)}
    parts = [fill(rng.choice(GROUP_OPENINGS), values)]
    parts += [fill(rng.choice(GROUP[theme]), values) for theme in topics]
    if follow_up:
        parts.append(GROUP_FOLLOW_UP)
    return " ".join(parts)


def follow_up_note(rng: random.Random, setting: Setting, topics: list[str]) -> str:
    values = details(rng, setting)
    parts = [FOLLOW_UP_INTRO, fill(rng.choice(ALLEGATION_PRIVATE), values)]
    parts += [fill(rng.choice(PRIVATE[theme]), details(rng, setting)) for theme in topics]
    parts.append(rng.choice(CLOSINGS))
    return " ".join(parts)


def staff_note(rng: random.Random, setting: Setting) -> str:
    values = {**details(rng, setting), "years": str(rng.randint(2, 24))}
    values["staff_title"] = fill(rng.choice(STAFF_TITLES), values)
    return fill(rng.choice(STAFF_NOTES), values)


def management_note(rng: random.Random, setting: Setting) -> str:
    return fill(rng.choice(MANAGEMENT_NOTES), details(rng, setting))


def other_visitor_note(rng: random.Random) -> str:
    return rng.choice(OTHER_VISITOR_NOTES)


def concern(rng: random.Random, setting: Setting, theme: str) -> str:
    return fill(rng.choice(CONCERNS[theme]), details(rng, setting))


def good_practice(rng: random.Random, setting: Setting, theme: str) -> str:
    return fill(rng.choice(GOOD_PRACTICES[theme]), details(rng, setting))


def observation(rng: random.Random, theme: str) -> str:
    return rng.choice(OBSERVATIONS[theme])


def debrief_lines(rng: random.Random, themes: list[str]) -> list[tuple[str, str]]:
    """(theme, sentence) for each theme of concern, in the NPM's general terms."""
    return [(theme, rng.choice(DEBRIEF[theme])) for theme in themes if theme in DEBRIEF]


def participants(rng: random.Random) -> str:
    return rng.choice(PARTICIPANTS)


def register_text(rng: random.Random, setting: Setting, kind: str, found: int) -> tuple[str, ...]:
    values = {**details(rng, setting), "k": NUMBER_WORDS[max(0, found - 2)] if found > 1 else "one"}
    sample, verified, discrepancies = REGISTER_TEXT[kind]
    text = fill(discrepancies, values) if found else ""
    return fill(sample, values), fill(verified, values), _capital(text)


def photo_caption(rng: random.Random, setting: Setting, theme: str, unit: str) -> str:
    values = {**details(rng, setting), "unit": unit}
    return fill(PHOTO_CAPTIONS.get(theme, PHOTO_CAPTIONS["conditions"]), values)


def difficulty(rng: random.Random, setting: Setting, kind: str) -> tuple[str, str]:
    values = details(rng, setting)
    return fill(rng.choice(DIFFICULTIES[kind]), values), fill(rng.choice(TOLD_WHOM), values)
