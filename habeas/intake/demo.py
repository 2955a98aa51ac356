"""The demo NPM's submissions from the public (¶23, 25, 33).

`demo_load_intake(scale=..., seed=...)` runs after the other demos (`manage.py demo`), in
the same transaction. Through the intake services, as the public and the intake team
would, it builds about twenty submissions over the last four months:

- from every kind of sender (a detainee, a relative, a lawyer, an NGO, an official, a
  co-detainee, an anonymous sender), about listed places and about places the inventory
  does not hold, some with a photograph (its metadata stripped) or a letter attached;
- three urgent ones, which alerted the duty person (the demo monitor) and the intake team;
- at every stage of triage: new, triaged, being dealt with, closed; themed, with an action
  taken, some linked to a visit of the demo at that place or to a case file, one raised
  with the authority (the sender consented), one kept inside the NPM (no consent);
- replies of the NPM that the sender reads with the receipt, and information the senders
  added afterwards.

The receipts are thrown away, as they are once shown to a real sender: no one can open
these threads from the public side. The same seed builds the same submissions; dates are
counted back from today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from habeas.accounts.demo import demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.cases.models import Case
from habeas.intake import services
from habeas.intake.models import Action, Consent, Message, ReplyBy, SenderKind, Status, Submission
from habeas.intake.models import Urgency as U
from habeas.places.demo import DemoRefused
from habeas.places.models import Place
from habeas.visits.models import Visit

K = SenderKind
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
class Story:
    sender: str
    setting: str
    days_ago: int
    urgency: str
    consent: str
    body: str
    place_text: str = ""  # a place the inventory does not hold, in the sender's words
    happened_text: str = ""
    name: str = ""
    reply_by: str = ReplyBy.RECEIPT
    contact: str = ""
    file: str = ""  # "photo" | "letter"
    # Triage: status, theme, action, note; link "visit" | "case" | "".
    status: str = Status.NEW
    theme: str = ""
    action: str = ""
    note: str = ""
    link: str = ""
    reply: str = ""
    added: str = ""  # what the sender added afterwards


STORIES = (
    Story(
        K.RELATIVE,
        "prison",
        118,
        U.SOON,
        Consent.ANONYMOUS,
        "My son has been in the remand wing for three months. Since the heating broke in "
        "December the cells are freezing at night and the men are given one thin blanket "
        "each. Several have coughs that do not go away. Nobody has come to repair it.",
        happened_text="since December",
        status=Status.CLOSED,
        theme="conditions",
        action=Action.RAISED,
        note="Raised with the governor in the visit's closing meeting.",
        link="visit",
        reply="Thank you for writing. We visited the prison and raised the "
        "heating with its management; they have promised repairs within two weeks.",
    ),
    Story(
        K.DETAINEE,
        "police",
        104,
        U.URGENT,
        Consent.NAMED,
        "I was arrested two days ago and I have not been allowed to call a lawyer or my "
        "family. The officers say I will stay here until I sign a statement. I have not "
        "eaten since yesterday morning.",
        name="Tomas Reyna",
        reply_by=ReplyBy.PHONE,
        contact="+1 555 0142 (my sister)",
        status=Status.CLOSED,
        theme="safeguards",
        action=Action.VISIT,
        note="Unannounced visit the same evening; lawyer called in during the visit.",
        link="visit",
        reply="We came to the station on the evening you wrote. A lawyer "
        "saw you that night. Write to us again if anything happens to you.",
    ),
    Story(
        K.LAWYER,
        "immigration",
        97,
        U.SOON,
        Consent.NAMED,
        "Three of my clients at the removal centre have not received their medication for "
        "diabetes and epilepsy for over a week. The centre's doctor comes only twice a "
        "week and requests are not forwarded. I attach the letter I sent to the director.",
        name="Maître Ines Ortega",
        reply_by=ReplyBy.EMAIL,
        contact="ines.ortega@example.org",
        file="letter",
        status=Status.IN_PROGRESS,
        theme="health",
        action=Action.RECORDED,
        note="Doctor on the next visit's team; ask for the medication log.",
        reply="We have received your letter and will look at access to medication on our "
        "next visit to the centre.",
    ),
    Story(
        K.ANONYMOUS,
        "prison",
        90,
        U.ROUTINE,
        Consent.NONE,
        "Prisoners on the second floor are kept locked in their cells twenty-three hours a "
        "day because of staff shortages. The exercise yard is closed most days.",
        status=Status.TRIAGED,
        theme="regime",
        action=Action.RECORDED,
        note="Pattern already seen in the last report; keep for the follow-up visit.",
    ),
    Story(
        K.NGO,
        "psychiatric",
        83,
        U.SOON,
        Consent.ANONYMOUS,
        "Our volunteers were told by several patients that they are tied to their beds for "
        "whole nights and that the restraints are not written in any register. Patients "
        "also say they cannot make phone calls without a nurse listening.",
        name="Open Doors Association",
        reply_by=ReplyBy.EMAIL,
        contact="contact@opendoors.example",
        status=Status.IN_PROGRESS,
        theme="security",
        action=Action.VISIT,
        link="visit",
        note="Check the restraint register against the night-shift notes.",
        reply="Thank you. We have included the use of restraint in the plan of our next "
        "visit and will ask to see the registers.",
        added="Two more patients told us the same this week, on ward 3.",
    ),
    Story(
        K.OFFICIAL,
        "prison",
        76,
        U.SOON,
        Consent.NONE,
        "I work in the prison. Some colleagues on the night shift take turns to humiliate "
        "the young prisoners in the isolation unit. I am afraid of what would happen to me "
        "if they knew I wrote this. Please do not say that it came from staff.",
        status=Status.IN_PROGRESS,
        theme="treatment",
        action=Action.CASE,
        link="case",
        note="Protect the source: nothing may be raised (no consent). Linked to the case file.",
        reply="We have received your message and will protect you as a source. We will not "
        "pass on anything you wrote to the prison or to any authority.",
    ),
    Story(
        K.CO_DETAINEE,
        "police",
        70,
        U.URGENT,
        Consent.ANONYMOUS,
        "A man in the cell next to mine has been shouting for a doctor since the morning. "
        "He says he was hit in the stomach during the arrest. The guards laugh at him.",
        happened_text="this morning",
        status=Status.CLOSED,
        theme="treatment",
        action=Action.REFERRED,
        link="case",
        note="Referred to the prosecutor with the case file; sender consented (anonymous).",
    ),
    Story(
        K.RELATIVE,
        "juvenile",
        62,
        U.SOON,
        Consent.ANONYMOUS,
        "My daughter is 15 and has been in the youth centre for a month. She can call us "
        "only once a week for five minutes and her letters arrive opened. Last week she "
        "was punished by losing her family visit.",
        status=Status.TRIAGED,
        theme="contact",
        action=Action.RECORDED,
        reply="Thank you for telling us. Contact with families is one of the questions we "
        "will look at when we next visit the centre.",
        added="They have now allowed a visit next Sunday.",
    ),
    Story(
        K.DETAINEE,
        "prison",
        55,
        U.ROUTINE,
        Consent.ANONYMOUS,
        "The food portions in block B are too small and the evening meal is often cold. "
        "Prisoners who work in the kitchen say the budget was cut this year.",
        status=Status.CLOSED,
        theme="conditions",
        action=Action.ANSWERED,
        reply="Thank you. We have noted your message for our next visit to the prison.",
    ),
    Story(
        K.ANONYMOUS,
        "care",
        48,
        U.SOON,
        Consent.NONE,
        "In the home for elderly people on the hill, residents with dementia are locked in "
        "their rooms at night with no one on the floor. Last month a resident fell and lay "
        "on the floor until the morning.",
        place_text="The care home on Hill Road, behind the church",
        status=Status.TRIAGED,
        theme="safeguards",
        action=Action.RECORDED,
        note="Not in the inventory yet: the data officer checks whether it holds people "
        "who cannot leave.",
    ),
    Story(
        K.LAWYER,
        "police",
        41,
        U.ROUTINE,
        Consent.NAMED,
        "Clients detained at the central station are regularly questioned before I am "
        "called, and the custody register shows the call to the lawyer hours after the "
        "arrival. I can provide five recent examples.",
        name="Daniel Mensah",
        reply_by=ReplyBy.POST,
        contact="12 Court Street, Riverside",
        status=Status.IN_PROGRESS,
        theme="safeguards",
        action=Action.VISIT,
        link="visit",
        reply="Thank you for the examples. We will compare them with the custody register "
        "during our visit.",
    ),
    Story(
        K.RELATIVE,
        "immigration",
        33,
        U.SOON,
        Consent.ANONYMOUS,
        "My husband was moved from the removal centre to another centre far away without "
        "notice, two days after he spoke to your team. His lawyer was not told.",
        reply_by=ReplyBy.EMAIL,
        contact="m.haddad@example.net",
        status=Status.IN_PROGRESS,
        theme="safeguards",
        action=Action.WATCH,
        note="Possible reprisal after the visit: reprisal watch opened.",
        reply="We are looking into the transfer of your husband and will contact the "
        "centre where he is now.",
    ),
    Story(
        K.NGO,
        "prison",
        27,
        U.ROUTINE,
        Consent.ANONYMOUS,
        "Attached is a photo one of our visitors took of the visiting room: there is no "
        "table, no privacy and children wait outside in the rain.",
        name="Families Outside Network",
        file="photo",
        status=Status.TRIAGED,
        theme="contact",
        action=Action.RECORDED,
    ),
    Story(
        K.ANONYMOUS,
        "police",
        21,
        U.ROUTINE,
        Consent.NONE,
        "The neighbour's dog barks all night and the police do nothing about it.",
        place_text="Our street",
        status=Status.CLOSED,
        action=Action.OUTSIDE_MANDATE,
        note="Not about deprivation of liberty.",
        reply="Thank you for writing. This is not something the NPM deals with: it looks "
        "at places where people are deprived of liberty. The town council may help.",
    ),
    Story(
        K.DETAINEE,
        "psychiatric",
        14,
        U.SOON,
        Consent.ANONYMOUS,
        "I have been kept here for six weeks and nobody has explained to me why or how long. "
        "I asked for a judge but they say it is not possible.",
        status=Status.TRIAGED,
        theme="safeguards",
        action=Action.RECORDED,
    ),
    Story(
        K.CO_DETAINEE,
        "prison",
        9,
        U.SOON,
        Consent.ANONYMOUS,
        "Since the last visit of your team, the prisoners who spoke to you have been "
        "searched every day and lost their work in the workshop.",
        happened_text="since the visit",
        file="photo",
    ),
    Story(
        K.RELATIVE,
        "police",
        3,
        U.URGENT,
        Consent.NAMED,
        "My brother was taken to the station yesterday evening. He has a heart condition "
        "and needs his tablets twice a day. They refused to take the tablets when I "
        "brought them this morning.",
        name="Leila Haddad",
        reply_by=ReplyBy.PHONE,
        contact="+1 555 0199",
    ),
    Story(
        K.OFFICIAL,
        "immigration",
        2,
        U.ROUTINE,
        Consent.ANONYMOUS,
        "I am a nurse at the centre. The medical room has had no interpreter for a month; "
        "consultations happen with gestures or with other detainees translating.",
    ),
    Story(
        K.ANONYMOUS,
        "juvenile",
        1,
        U.SOON,
        Consent.NONE,
        "Boys at the youth centre are put in a room alone for days as punishment.",
        happened_text="every week",
    ),
)


@dataclass(frozen=True)
class IntakeDemoSummary:
    submissions: int
    urgent: int
    by_kind: dict[str, int]
    by_status: dict[str, int]
    replies: int
    added: int
    attachments: int
    linked_visits: int
    linked_cases: int
    seconds: float = 0.0

    def line(self) -> str:
        """The demo command's report line."""
        statuses = ", ".join(
            f"{n} {status.replace('_', ' ')}" for status, n in sorted(self.by_status.items())
        )
        return (
            f"Submissions from the public: {self.submissions} from {len(self.by_kind)} kinds of "
            f"sender ({statuses}), {self.urgent} urgent, {self.replies} replies, "
            f"{self.added} follow-ups from senders, {self.attachments} files; linked to "
            f"{self.linked_visits} visits and {self.linked_cases} case files "
            f"({self.seconds:.1f} s)."
        )


def demo_load_intake(*, scale: str, seed: int) -> IntakeDemoSummary:
    """Build the demo's submissions; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    started = time.perf_counter()
    with transaction.atomic():
        rng = random.Random(seed * 7919 + 33)  # noqa: S311 - fiction, not secrets
        summary = _Intake(rng, today=timezone.localdate()).build()
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


class _Intake:
    def __init__(self, rng: random.Random, *, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.head = self._user(Role.HEAD)
        self.monitor = self._user(Role.MONITOR)
        self.officer = self._user(Role.DATA_OFFICER)

    @staticmethod
    def _user(role: str) -> User:
        user = User.objects.filter(email=demo_email(role)).first()
        if user is None:
            raise DemoRefused(f"The demo account {demo_email(role)} is missing.")
        return user

    def build(self) -> IntakeDemoSummary:
        if not Place.objects.exists():
            raise DemoRefused("The intake demo needs the places demo first.")
        services.settings_update(actor=self.head, duty_user=self.monitor, open=True)
        made = [self._story(story) for story in sorted(STORIES, key=lambda s: -s.days_ago)]
        ids = [submission.pk for submission in made]
        rows = Submission.objects.filter(pk__in=ids)
        return IntakeDemoSummary(
            submissions=len(made),
            urgent=rows.filter(urgency=U.URGENT).count(),
            by_kind=dict(Counter(rows.values_list("sender_kind", flat=True))),
            by_status=dict(Counter(rows.values_list("status", flat=True))),
            replies=Message.objects.filter(submission__in=ids, author=Message.Author.NPM).count(),
            added=Message.objects.filter(submission__in=ids, author=Message.Author.SENDER).count(),
            attachments=sum(submission.attachments.count() for submission in made),
            linked_visits=rows.exclude(visit=None).count(),
            linked_cases=rows.exclude(case=None).count(),
        )

    def _place(self, setting: str, *, visited: bool = False) -> Place:
        """An open place of the setting; one the demo visited when the story links to a
        visit there."""
        found = Place.objects.filter(
            category__code__in=SETTINGS[setting], status=Place.Status.OPEN
        ).order_by("external_ref", "pk")
        if visited:
            found = found.filter(pk__in=Visit.objects.values("place"))
        places = list(found[:40]) or list(Place.objects.order_by("external_ref", "pk")[:40])
        return self.rng.choice(places)

    def _story(self, story: Story) -> Submission:
        place = (
            None if story.place_text else self._place(story.setting, visited=story.link == "visit")
        )
        received = self.today - dt.timedelta(days=story.days_ago)
        submission, _receipt = services.submission_create(  # the receipt is not kept
            sender_kind=story.sender,
            urgency=story.urgency,
            body=story.body,
            consent=story.consent,
            reply_by=story.reply_by,
            place=place,
            place_text=story.place_text,
            happened_on=received - dt.timedelta(days=self.rng.randint(0, 3))
            if not story.happened_text
            else None,
            happened_text=story.happened_text,
            sender_name=story.name,
            contact=story.contact,
            language="en",
            uploads=[self._file(story.file)] if story.file else [],
        )
        self._backdate(submission, received)
        if story.status != Status.NEW:
            self._triage(submission, story, received)
        if story.reply:
            author = self.monitor if story.urgency != U.URGENT else self.head
            reply = services.reply_add(actor=author, submission=submission, body=story.reply)
            self._at(reply, received + dt.timedelta(days=min(2, story.days_ago)))
        if story.added:
            added = services.sender_message_add(submission=submission, body=story.added)
            self._at(added, received + dt.timedelta(days=min(5, story.days_ago)))
        submission.refresh_from_db()
        return submission

    def _triage(self, submission: Submission, story: Story, received: dt.date) -> None:
        visit = case = None
        if story.link == "visit" and submission.place is not None:
            visit = Visit.objects.filter(place=submission.place).order_by("-starts_on").first()
        if story.link == "case":
            case = Case.objects.restrict(self.head, "view").order_by("reference").first()
        services.submission_triage(
            # The head sees every visit and the case files the head is granted on.
            actor=self.officer if story.urgency == U.ROUTINE and not story.link else self.head,
            submission=submission,
            expected_version=submission.version,
            status=story.status,
            theme=story.theme,
            triage_urgency=story.urgency,
            action=story.action,
            note=story.note,
            assigned_to=None if story.status == Status.CLOSED else self.monitor,
            place=submission.place,
            visit=visit,
            case=case,
        )
        moment = _noon(received + dt.timedelta(days=min(1, story.days_ago)))
        Submission.objects.filter(pk=submission.pk).update(triaged_at=moment)

    @staticmethod
    def _backdate(submission: Submission, received: dt.date) -> None:
        moment = _noon(received)
        Submission.objects.filter(pk=submission.pk).update(
            received_on=received,
            created_at=moment,
            updated_at=moment,
            duty_alerted_at=moment if submission.duty_alerted_at else None,
        )
        submission.refresh_from_db()

    @staticmethod
    def _at(message: Message, on: dt.date) -> None:
        Message.objects.filter(pk=message.pk).update(created_at=_noon(on))

    def _file(self, kind: str) -> SimpleUploadedFile:
        if kind == "photo":
            from PIL import Image

            image = Image.new("RGB", (64, 48), (110, 110, 100))
            for x in range(64):
                image.putpixel((x, 30), (60, 50, 40))
            out = io.BytesIO()
            image.save(out, format="JPEG")
            return SimpleUploadedFile("visiting-room.jpg", out.getvalue(), "image/jpeg")
        text = (
            "To the director of the centre,\n\nI write about three of my clients who have "
            "not received their prescribed medication for more than a week.\n"
        )
        return SimpleUploadedFile("letter-to-director.txt", text.encode(), "text/plain")


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
