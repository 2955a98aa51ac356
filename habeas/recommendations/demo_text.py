"""Text for the demo's recommendations and the dialogue with authorities (¶20–24).

Recommendations are written in the NPM's voice, addressed to an authority, with who must
do what and by when; the authorities' passages are written in their voice, as a letter
would quote them. Templates take their slots from `habeas.visits.demo_text.details` (who
is held, the staff, the rooms) and from the dialogue itself (references, topics, dates),
so the same seed writes the same text. Nothing here names a real person.
"""

from __future__ import annotations

import datetime as dt
import random

from habeas.visits.demo_text import Setting, details, fill

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def long_date(day: dt.date) -> str:
    """12 March 2024: the date as a letter writes it, whatever the server's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_year(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


# -- recommendations, by theme and level ----------------------------------------------------

# fmt: off
FACILITY: dict[str, tuple[str, ...]] = {
    "treatment": (
        "Remind every member of staff in writing, within one month, that ill-treatment of "
        "{people} is prohibited in all circumstances and will be reported to the prosecutor; "
        "keep the signed acknowledgements.",
        "Hold a meeting with the night team within {weeks} weeks on the prohibition of "
        "ill-treatment and the duty to report it, and keep the attendance list.",
        "Record every injury seen on {people} on arrival or during their stay on a body chart, "
        "and send any record that suggests ill-treatment to the prosecutor within 24 hours.",
        "Install cameras covering {spot} and keep the footage for at least 30 days, so that "
        "every allegation can be checked.",
        "Adopt a written procedure, by {deadline}, under which {chief} reports any allegation "
        "of ill-treatment to the prosecutor on the day it is received.",
        "Reassign, pending the inquiry, any {staff} against whom an allegation of "
        "ill-treatment has been made, and tell the NPM of the outcome.",
    ),
    "safeguards": (
        "Hand every {person} a written leaflet on their rights on arrival, in a language they "
        "understand, and record in the register the time it was given.",
        "Record in the custody register the time of every call to a lawyer and to a relative, "
        "and the reason whenever a call was delayed.",
        "Let every {person} who asks see a doctor within 24 hours, and record the request and "
        "the examination in the register.",
        "Put up the complaints procedure in every unit and install locked complaint boxes in "
        "{spot}, opened only by {chief}, by {deadline}.",
        "Keep one register of deprivation of liberty, with the times of arrival, transfer and "
        "release, and have {chief} check it every week.",
        "Offer a professional interpreter for {language} and the other languages spoken by "
        "{people} at every step of the procedure, and note it in the file.",
    ),
    "security": (
        "Limit placement in {isolation} to the shortest time needed, record each placement "
        "with its start, end and reason, and review it within {hours} hours.",
        "Stop using mechanical restraint as a punishment; record every use with its duration "
        "and the medical check, and audit the register every month.",
        "Remove the ring fixed to the wall of {isolation} and fit the room with a call bell "
        "and natural light by {deadline}.",
        "Carry out strip searches only on an individual assessment of risk, never routinely, "
        "out of sight of others and by staff of the same gender.",
        "Give every {person} placed in {isolation} at least one hour outdoors each day and a "
        "daily visit by a doctor or a nurse.",
        "Give every {person} a written, reasoned decision for each disciplinary measure, with "
        "the way to appeal it.",
    ),
    "contact": (
        "Allow every {person} at least one free telephone call a day, and install a second "
        "telephone in {spot} where calls cannot be overheard.",
        "Replace the glass partition of the visiting room with open tables for ordinary "
        "visits by {deadline}.",
        "Extend visiting hours to weekends and to one evening a week, so that relatives who "
        "work or children at school can come.",
        "Offer a video call at least once a week to {people} whose families live far away.",
        "Stop opening letters between {people} and their lawyers, and record any exception "
        "ordered by a judge.",
    ),
    "conditions": (
        "Bring the occupancy of every {room} down to its official capacity and remove the "
        "mattresses from the floor by {deadline}.",
        "Repair the windows and the heating of every {room} where the temperature fell below "
        "18 °C, by {deadline}.",
        "Give every {person} a clean mattress, bedding and basic hygiene products on arrival, "
        "free of charge.",
        "Screen the toilets in shared {room}s so that they can be used in privacy, starting "
        "with {room} {cell}.",
        "Install call bells that work in every {room} and test them every month.",
        "Give access to a hot shower every day and replace the broken showers in {spot}.",
    ),
    "regime": (
        "Offer every {person} at least two hours of activity outside the {room} each day, "
        "and one hour outdoors.",
        "Open the yard to every unit each day and equip it with a shelter and benches by "
        "{deadline}.",
        "Provide work, education or training to at least half of the {people} within a year, "
        "and publish the waiting list.",
        "Publish a weekly programme of activities in every unit and record who takes part.",
        "Keep outdoor exercise going when staff are short: cancel it only on written decision "
        "of {chief}.",
    ),
    "health": (
        "Have every new arrival examined within 24 hours by a doctor or a nurse, out of the "
        "hearing and sight of {staff_pl} unless the health professional asks otherwise.",
        "Keep medical files in a locked cabinet of the medical room, out of reach of staff "
        "who are not health professionals.",
        "Use a professional interpreter, never other {people} or {staff_pl}, for medical "
        "consultations.",
        "Organise a daily medical round in {isolation} and record each visit.",
        "Let only health professionals distribute medication, and record each dose given.",
        "Set up a dental consultation at least twice a month, and bring the waiting time "
        "below {weeks} weeks.",
    ),
    "staff": (
        "Train every {staff} in de-escalation within six months, and record the training in "
        "their file.",
        "Keep at least {n} {staff_pl} on duty at night, so that no unit is ever left to a "
        "single person.",
        "Hold a debriefing with the {staff_pl} involved after every incident where force was "
        "used, within a week, and keep a record of it.",
        "Give every new {staff} a two-week induction, including the rights of {people}, "
        "before they work alone.",
    ),
}
SUPERVISORY: dict[str, tuple[str, ...]] = {
    "treatment": (
        "Issue an instruction to every establishment it supervises, by {deadline}, requiring "
        "that each allegation of ill-treatment be reported to the prosecutor within 24 hours, "
        "and check it at each inspection.",
        "Set up an inspection of the use of force in the establishments it supervises, and "
        "publish its findings every year.",
    ),
    "safeguards": (
        "Provide every establishment with the leaflet on rights in the {n} languages most "
        "spoken by {people}, by {deadline}.",
        "Introduce one electronic custody register in every place it supervises within a year.",
    ),
    "security": (
        "Adopt a common policy that limits isolation to 15 consecutive days and requires a "
        "written, reasoned decision for each placement.",
        "Collect every quarter the figures on isolation, restraint and strip searches in each "
        "establishment, and send them to the NPM.",
    ),
    "contact": (
        "Fund telephones and video-call equipment for every establishment it supervises in "
        "next year's budget.",
    ),
    "conditions": (
        "Adopt a plan, with dates and a budget, to bring every {room} up to at least 4 m² per "
        "person, starting with this establishment.",
        "Allocate a maintenance budget to this establishment so that the repairs listed in "
        "the report are done by {deadline}.",
    ),
    "regime": (
        "Set a minimum of two hours of activities a day in the rules of every establishment "
        "it supervises, and monitor it each quarter.",
    ),
    "health": (
        "Recruit a doctor for this establishment so that a doctor is present every weekday, "
        "by {deadline}.",
        "Transfer responsibility for health care in its establishments to the health "
        "authorities, in line with international standards.",
    ),
    "staff": (
        "Fill the vacant posts of {staff_pl} at this establishment within six months and "
        "send the NPM the staffing figures each quarter.",
        "Include the prohibition of torture and the role of the NPM in the initial and "
        "in-service training of all {staff_pl}.",
    ),
}
NATIONAL: dict[str, tuple[str, ...]] = {
    "treatment": (
        "Adopt by {deadline} a national protocol for documenting and reporting injuries in "
        "every place of detention, in line with the Istanbul Protocol.",
    ),
    "safeguards": (
        "Issue a regulation guaranteeing access to a lawyer from the very outset of "
        "deprivation of liberty, including before the first questioning.",
        "Fund a legal aid scheme that gives every person in police custody a lawyer within "
        "two hours, day and night.",
    ),
    "security": (
        "Amend the regulation on coercive measures so that restraint is ordered only by a "
        "doctor, for the shortest time, under continuous supervision.",
    ),
    "contact": (
        "Amend the rules so that every {person} may make at least one free call a day and "
        "receive a visit every week.",
    ),
    "conditions": (
        "Adopt a plan to end overcrowding, with a target for each establishment and the "
        "budget needed, and publish its progress every year.",
    ),
    "regime": (
        "Fund a national programme of work and education for {people}, with places for at "
        "least half of them by {deadline}.",
    ),
    "health": (
        "Place health care in places of detention under the Ministry of Health by {deadline}.",
    ),
    "staff": (
        "Raise the staff numbers in the budget so that every establishment meets the minimum "
        "ratio of {staff_pl} to {people}.",
    ),
}
LEGISLATIVE: dict[str, tuple[str, ...]] = {
    "treatment": (
        "Amend the Criminal Code so that torture is a distinct offence, defined as in "
        "article 1 of the Convention against Torture, with penalties commensurate with its "
        "gravity and no statute of limitations.",
    ),
    "safeguards": (
        "Amend the Code of Criminal Procedure to guarantee that a relative is told of the "
        "custody within the first hour and that a lawyer is present from the outset.",
        "Reduce the maximum duration of police custody from 72 to 48 hours.",
    ),
    "security": (
        "Set in law a maximum of 15 consecutive days of solitary confinement, and prohibit it "
        "for children and for persons with mental disabilities.",
    ),
    "contact": (
        "Enshrine in law the right of every person deprived of liberty to receive a visit at "
        "least once a week.",
    ),
    "conditions": (
        "Set in law a minimum living space per detained person and a binding ceiling on the "
        "occupancy of each establishment.",
    ),
    "regime": (
        "Enshrine in law the right of every person deprived of liberty to at least one hour "
        "outdoors each day.",
    ),
    "health": (
        "Amend the Mental Health Act so that a judge reviews every involuntary placement "
        "within 72 hours.",
    ),
    "staff": (
        "Adopt a law requiring that every officer who uses force can be identified by a "
        "visible number.",
    ),
}
# A last sentence that says how the NPM will know it was done.
FACILITY_ENDINGS: tuple[str, ...] = (
    "Report to the NPM on the measures taken by {deadline}.",
    "Send the NPM a copy of the instruction once it is signed.",
    "Involve the {staff_pl}' representatives in the change.",
    "Begin with {spot}, where the problem was most visible.",
    "Name a manager responsible for it and tell the NPM who it is.",
    "Check the result after {weeks} months and send the NPM the figures.",
)
LEVEL_TEXTS = {"facility": FACILITY, "supervisory": SUPERVISORY, "national": NATIONAL,
               "legislative": LEGISLATIVE}

# What lies behind what the NPM saw: the root cause a good recommendation answers.
ROOT_CAUSES: dict[str, tuple[str, ...]] = {
    "treatment": (
        "No allegation made in the last three years was investigated; staff believe nothing "
        "will follow.",
        "The night team works without supervision by a manager.",
        "No written procedure tells staff what to do with an allegation.",
    ),
    "safeguards": (
        "The custody register is kept on paper and nobody checks it.",
        "No budget for interpreters; staff rely on other detained persons.",
        "The leaflet on rights has not been updated since the law changed.",
    ),
    "security": (
        "Isolation is used to make up for the lack of staff at night.",
        "No rule sets a maximum duration; each manager decides differently.",
        "Restraint decisions are not reviewed by anyone outside the unit.",
    ),
    "contact": (
        "One telephone line is shared by the whole establishment.",
        "Visiting hours were cut when staff numbers fell and never restored.",
    ),
    "conditions": (
        "The establishment holds far more people than it was built for.",
        "The maintenance budget has been frozen for several years.",
        "The building is old and due for renovation that keeps being postponed.",
    ),
    "regime": (
        "Workshops closed when the instructor post was cut.",
        "Activities depend on staff numbers, which fall short most days.",
    ),
    "health": (
        "The doctor's post has been vacant for over a year.",
        "Health care depends on the detaining authority, not the health authorities.",
        "No interpreter budget for medical consultations.",
    ),
    "staff": (
        "Chronic understaffing: a third of the posts are vacant.",
        "New staff start work without induction training.",
        "High turnover: most staff leave within two years.",
    ),
}

# Drafts with the faults the quality check questions: vague verbs, no deadline, no target.
VAGUE_DRAFTS: tuple[str, ...] = (
    "Consider improving {topic}.",
    "Improve {topic} where possible.",
    "Take the necessary measures regarding {topic}.",
    "Consider reviewing the practice on {topic} as appropriate.",
    "Continue to strengthen {topic}.",
    "Make efforts to address the concerns on {topic}.",
)
REPEAT_OPENINGS: tuple[str, ...] = (
    "The NPM reiterates its recommendation {ref}: ",
    "As already recommended in {ref}, which is still not implemented: ",
    "Recommended again (see {ref}): ",
)

# What a recommendation on each theme is about, as a passage names it.
TOPICS: dict[str, tuple[str, ...]] = {
    "treatment": ("the prevention of ill-treatment", "the reporting of allegations",
                  "the recording of injuries"),
    "safeguards": ("information on rights", "access to a lawyer and to a doctor",
                   "the custody register"),
    "security": ("the use of isolation", "the use of restraint", "searches"),
    "contact": ("contact with families", "telephone calls", "visits"),
    "conditions": ("material conditions", "occupancy of the rooms", "hygiene and sanitation"),
    "regime": ("time out of the rooms", "activities and work", "outdoor exercise"),
    "health": ("access to health care", "medical confidentiality", "medical screening"),
    "staff": ("staffing levels", "staff training", "night staffing"),
}

# -- the authorities' answers (their voice) ------------------------------------------------

PASSAGES: dict[str, tuple[str, ...]] = {
    "accepted": (
        "The recommendation is accepted. Instructions on {topic} were sent to the management "
        "of the establishment on {date}.",
        "We accept the recommendation. The measures on {topic} will be in place by {month}; "
        "the budget has been set aside.",
        "The authority shares the NPM's concern about {topic} and will implement the "
        "recommendation in full by {month}.",
        "Accepted. A working group on {topic} has been set up and will report by {month}.",
        "We agree with the recommendation and have asked the establishment to report on "
        "{topic} every three months.",
        "The recommendation is accepted; {topic} will be checked at our next inspection, "
        "planned for {month}.",
    ),
    "partially_accepted": (
        "The recommendation is accepted in part. Work on {topic} is planned for {month}, but "
        "the budget does not allow the whole measure this year.",
        "We agree in principle; staffing constraints, however, do not allow {topic} to be "
        "dealt with in full before {month}.",
        "Accepted in part: the measure on {topic} will apply in the new wing only, the old "
        "building being due to close.",
        "The authority accepts the aim of the recommendation but proposes another measure: "
        "{topic} will be reviewed as part of the wider reform.",
    ),
    "rejected": (
        "The authority does not share the NPM's assessment: the present arrangements for "
        "{topic} comply with the regulations in force.",
        "We cannot accept this recommendation. The measure on {topic} would require a change "
        "in the law, which is outside our remit.",
        "Not accepted: security considerations do not allow the change proposed on {topic}.",
        "The recommendation is rejected for lack of budget; {topic} may be reconsidered in "
        "{year}.",
    ),
    "no_reply": (
        "The recommendation on {topic} is still under examination; a reply will follow.",
        "We will revert to the NPM on {topic} once the establishment has reported to us.",
    ),
}
# Several recommendations answered in one paragraph of a letter.
GROUP_PASSAGES: dict[str, tuple[str, ...]] = {
    "accepted": (
        "Recommendations {refs} are accepted; the measures they call for on {topic} will be "
        "in place by {month}.",
        "As regards recommendations {refs}, the authority agrees and has instructed the "
        "management accordingly on {date}.",
    ),
    "partially_accepted": (
        "Recommendations {refs} are accepted in part: {topic} will be dealt with as the "
        "budget allows, the first steps in {month}.",
    ),
    "rejected": (
        "Recommendations {refs} cannot be accepted: the arrangements for {topic} already "
        "meet the regulations.",
    ),
    "no_reply": (
        "Recommendations {refs} on {topic} are still under examination.",
    ),
}
# A later answer that moves a partial acceptance forward (a meeting, a second letter).
UPGRADES: tuple[str, ...] = (
    "Following the meeting, the authority now accepts the recommendation on {topic} in full.",
    "The funds having been found, the recommendation on {topic} is now accepted in full.",
)

# -- the dialogue ----------------------------------------------------------------------------

REPLY_SUBJECTS: tuple[str, ...] = (
    "Reply to the NPM's recommendations after the visit to {place} of {date}",
    "Response to the report on the visit to {place} ({visit})",
    "Observations on the findings of the visit to {place}",
)
SECOND_REPLY_SUBJECT = "Further reply on the recommendations for {place}"
PROGRESS_SUBJECT = "Progress report on the implementation of the recommendations for {place}"
CLOSURE_SUBJECT = "Closure of {place}"
REPORT_SUBJECTS: tuple[str, ...] = (
    "Report on the visit to {place} ({visit})",
    "Findings and recommendations of the visit to {place} of {date}",
)
FOLLOW_UP_LETTER_SUBJECT = "Findings of the follow-up visit to {place} of {date}"
MEETING_SUBJECT = "Meeting on the follow-up of the visit to {place}"
CALL_SUBJECT = "Call with the duty officer on the urgent recommendations for {place}"
ROUNDTABLE_SUBJECT = "Roundtable on the implementation of the NPM's recommendations, {year}"
EXTERNAL_REPLY_SUBJECT = "The State's follow-up reply to the {body} report, copied to the NPM"
REPLY_SUMMARIES: tuple[str, ...] = (
    "Answers the recommendations one by one; announces works and a new instruction.",
    "Answers most recommendations; asks for more time on the others.",
    "Short letter; several recommendations left for a later reply.",
    "Detailed reply with an annex listing the measures taken since the visit.",
)
MEETING_PARTICIPANTS: tuple[str, ...] = (
    "Head of the NPM, two monitors; the director and the deputy director of the authority.",
    "Two monitors of the NPM; the head of inspections and the legal adviser of the authority.",
)
ROUNDTABLE_PARTICIPANTS = (
    "Ministries of Justice, the Interior, Health and Social Affairs; the Prison "
    "Administration; the NPM; two NGOs as observers."
)
ROUNDTABLE_SUMMARY = (
    "Yearly review of the recommendations still open; each ministry presented its progress "
    "and the NPM its figures on implementation."
)
ACTION_PLAN_TITLES: tuple[str, ...] = (
    "Action plan following the visit to {place}",
    "Plan of measures in answer to the NPM's recommendations for {place}",
)
COMMITMENTS: dict[str, tuple[str, ...]] = {
    "treatment": ("Written reminder of the prohibition to all staff, signed by each.",
                  "Cameras installed in the areas named in the report."),
    "safeguards": ("Leaflet on rights translated and handed out on arrival.",
                   "Custody register checked weekly by the manager."),
    "security": ("New rules on isolation, with a written decision for each placement.",
                 "Restraint register audited every month."),
    "contact": ("Second telephone installed; free daily call.", "Weekend visiting hours."),
    "conditions": ("Repair of windows and heating.", "Occupancy brought down to capacity."),
    "regime": ("Yard equipped with a shelter and benches.", "Workshop reopened."),
    "health": ("Medical examination within 24 hours of arrival.",
               "Medical files moved to a locked cabinet."),
    "staff": ("Training in de-escalation for all staff.", "Vacant posts advertised and filled."),
}
VERIFICATION_NOTES: dict[str, tuple[str, ...]] = {
    "achieved": (
        "Seen on the spot: {topic} now meets the recommendation.",
        "Checked against the registers and in interviews: the change is in place.",
    ),
    "partially_achieved": (
        "Work has begun on {topic} but is not finished.",
        "Done in part of the establishment only; the rest is planned.",
    ),
    "not_achieved": (
        "Nothing has changed on {topic} since the recommendation.",
        "The situation is as found when the recommendation was made.",
    ),
    "no_longer_relevant": (
        "The unit concerned has closed.",
        "Overtaken by the new rules in force since {year}.",
    ),
}
CLOSURE_NOTE = "The place has closed."
# An authority's progress report, as quoted when it is the evidence of a status.
PROGRESS: dict[str, tuple[str, ...]] = {
    "achieved": (
        "The measures on {topic} were completed in {month}; photographs are attached.",
        "We are pleased to report that the recommendation on {topic} has been implemented "
        "in full since {month}.",
    ),
    "partially_achieved": (
        "The measures on {topic} are partly in place; the rest is planned for {month}.",
        "Work on {topic} started in {month} and will continue next year.",
    ),
}

# -- recommendations of international bodies -------------------------------------------------

EXTERNAL_BODIES: dict[str, tuple[str, str]] = {
    # origin: (how the text opens, the body's name in a letter's subject)
    "spt": ("The Subcommittee recommends that the State party", "SPT"),
    "cpt": ("The CPT recommends that the authorities", "CPT"),
    "treaty_body": ("The Committee urges the State party to", "Committee against Torture"),
}
EXTERNAL_ACTIONS: dict[str, tuple[str, ...]] = {
    "treatment": (
        "ensure that all allegations of torture and ill-treatment are promptly, impartially "
        "and effectively investigated by an independent body",
        "deliver the clear message that ill-treatment of persons deprived of liberty is "
        "unlawful and will be punished",
    ),
    "safeguards": (
        "guarantee all fundamental legal safeguards from the very outset of deprivation of "
        "liberty, including access to a lawyer, a doctor and notification of a relative",
        "keep a complete and accurate custody register in every place of police custody",
    ),
    "security": (
        "limit solitary confinement to exceptional cases, for as short a time as possible "
        "and never beyond 15 consecutive days",
        "end the use of mechanical restraint as a disciplinary measure",
    ),
    "contact": (
        "allow persons deprived of liberty regular contact with their families, including "
        "by telephone and video calls",
    ),
    "conditions": (
        "reduce overcrowding in prisons, in particular through alternatives to detention",
        "bring material conditions in police custody up to minimum standards",
    ),
    "regime": (
        "offer sentenced and remand prisoners a programme of purposeful activities",
    ),
    "health": (
        "guarantee the independence of health care staff in places of detention and the "
        "confidentiality of medical examinations",
    ),
    "staff": (
        "provide adequate staffing and training, including on the prohibition of torture",
    ),
}
# fmt: on


# -- the writers --------------------------------------------------------------------------


def _slots(rng: random.Random, setting: Setting, **extra: str) -> dict[str, str]:
    return {**details(rng, setting), **extra}


def recommendation_text(
    rng: random.Random, setting: Setting, theme: str, level: str, deadline: dt.date | None
) -> str:
    bank = LEVEL_TEXTS.get(level, FACILITY)
    templates = bank.get(theme) or FACILITY[theme]
    when = long_date(deadline) if deadline else "the end of the year"
    values = _slots(rng, setting, deadline=when)
    words = fill(rng.choice(templates), values)
    if level == "facility" and rng.random() < 0.5:
        words += " " + fill(rng.choice(FACILITY_ENDINGS), values)
    return words


def repeat_text(rng: random.Random, words: str, earlier_ref: str) -> str:
    """A repetition keeps the earlier words, so that the detector finds it."""
    opening = rng.choice(REPEAT_OPENINGS).format(ref=earlier_ref)
    return opening + words[:1].lower() + words[1:]


def vague_text(rng: random.Random, theme: str) -> str:
    return rng.choice(VAGUE_DRAFTS).format(topic=rng.choice(TOPICS[theme]))


def root_cause(rng: random.Random, theme: str) -> str:
    return rng.choice(ROOT_CAUSES[theme])


def topic(rng: random.Random, theme: str) -> str:
    return rng.choice(TOPICS[theme])


def passage(rng: random.Random, status: str, theme: str, answered_on: dt.date) -> str:
    return _passage(rng, rng.choice(PASSAGES[status]), theme, answered_on, refs="")


def group_passage(
    rng: random.Random, status: str, theme: str, answered_on: dt.date, refs: list[str]
) -> str:
    joined = ", ".join(refs[:-1]) + f" and {refs[-1]}"
    return _passage(rng, rng.choice(GROUP_PASSAGES[status]), theme, answered_on, refs=joined)


def upgrade_passage(rng: random.Random, theme: str) -> str:
    return rng.choice(UPGRADES).format(topic=topic(rng, theme))


def _passage(rng: random.Random, template: str, theme: str, on: dt.date, *, refs: str) -> str:
    later = on + dt.timedelta(days=rng.randint(60, 300))
    values = {
        "topic": topic(rng, theme),
        "date": long_date(on - dt.timedelta(days=rng.randint(3, 20))),
        "month": month_year(later),
        "year": str(on.year + 1),
        "refs": refs,
    }
    return template.format(**values)


def progress_passage(rng: random.Random, status: str, theme: str, on: dt.date) -> str:
    template = rng.choice(PROGRESS[status])
    when = on - dt.timedelta(days=rng.randint(20, 90))
    return template.format(topic=topic(rng, theme), month=month_year(when))


def verification_note(rng: random.Random, status: str, theme: str, on: dt.date) -> str:
    template = rng.choice(VERIFICATION_NOTES[status])
    return template.format(topic=topic(rng, theme), year=str(on.year))


def external_text(rng: random.Random, origin: str, theme: str) -> str:
    opening = EXTERNAL_BODIES[origin][0]
    action = rng.choice(EXTERNAL_ACTIONS[theme])
    return f"{opening} {action}."


def initials(name: str) -> str:
    """PA for Prison Administration: the prefix of an authority's own references."""
    skip = {"of", "the", "and", "for", "de"}
    letters = [word[0] for word in name.replace(",", " ").split() if word.lower() not in skip]
    return "".join(letters).upper()[:5] or "REF"
