"""The daily follow-up job: reminders before a deadline, escalation after it (¶22, 24, 31a).

For each recommendation sent and not settled (achieved or no longer relevant), two
deadlines are watched:

- the response deadline (`response_due`), while no response is recorded;
- the implementation deadline (`deadline`).

The follow-up officer (`owner`) is reminded `remind_days_before` days before each; once a
deadline is `escalate_days_after` days past, the officer and every active head are told it
is overdue, with the addressee's parent authority proposed for escalation. An urgent
recommendation (¶31a) is escalated the day after its deadline, with no grace, and its
notices name the liaison.

Each notice goes once: the `*_reminded_on` / `*_escalated_on` fields are claimed by a
conditional UPDATE, so two runs on the same day send one notice, and a day missed is
caught up at the next run (up to `CATCH_UP_DAYS`: installing the job over years of
records does not flood anyone; those recommendations show as overdue in the tracker).
If a deadline is moved later, its notices are due again for the new date.

A notice goes by e-mail (after commit) and in-app, only to active users who can still see
the recommendation. It names the reference, the authorities and the date, never the text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.core import audit
from habeas.core.notifications import notify
from habeas.recommendations.models import (
    SETTLED,
    FollowUpRule,
    Priority,
    Recommendation,
    ResponseStatus,
)

logger = logging.getLogger(__name__)

# A notice missed by more than this many days is not sent late.
CATCH_UP_DAYS = 30
# "No response yet": nothing recorded, or the NPM recorded that none came.
PENDING_RESPONSES = ("", ResponseStatus.NO_REPLY)
REMIND, ESCALATE = "reminded", "escalated"
CHUNK = 500


@dataclass(frozen=True)
class Track:
    """One of the two deadlines a recommendation is followed by."""

    name: str
    due_field: str
    reminded_field: str
    escalated_field: str

    def due(self, recommendation: Recommendation) -> dt.date | None:
        return getattr(recommendation, self.due_field)

    def memory_field(self, step: str) -> str:
        return self.reminded_field if step == REMIND else self.escalated_field

    def pending(self, rows: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
        """The rows still owing what this deadline is about."""
        rows = rows.filter(state=Recommendation.State.SENT).exclude(implementation__in=SETTLED)
        if self.name == "response":
            rows = rows.filter(response__in=PENDING_RESPONSES)
        return rows


RESPONSE = Track("response", "response_due", "response_reminded_on", "response_escalated_on")
DEADLINE = Track("deadline", "deadline", "deadline_reminded_on", "deadline_escalated_on")
TRACKS = (RESPONSE, DEADLINE)


@dataclass
class FollowUpSummary:
    reminders: int = 0
    escalations: int = 0
    # Due, but nobody who may still see the recommendation could be told.
    unaddressed: int = 0
    references: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "reminders": self.reminders,
            "escalations": self.escalations,
            "unaddressed": self.unaddressed,
        }

    def __str__(self) -> str:
        return (
            _(
                "%(reminders)d reminder(s) and %(escalations)d escalation(s) sent; "
                "%(unaddressed)d due with nobody left to tell."
            )
            % self.as_dict()
        )


@dataclass(frozen=True)
class Notice:
    recommendation: Recommendation
    track: Track
    step: str
    due: dt.date
    milestone: dt.date


# -- when a notice is due ------------------------------------------------------------


def grace_days(recommendation: Recommendation, rule: FollowUpRule) -> int:
    """Days after a deadline before escalating: none for the urgent track (¶31a)."""
    if recommendation.priority == Priority.URGENT:
        return 1
    return max(rule.escalate_days_after, 1)


def notice_due(
    recommendation: Recommendation, track: Track, rule: FollowUpRule, today: dt.date
) -> Notice | None:
    """The notice this deadline owes today, if any: a reminder from `remind_days_before`
    days before it up to the day itself, an escalation from its grace on."""
    due = track.due(recommendation)
    if due is None:
        return None
    escalate_on = due + dt.timedelta(days=grace_days(recommendation, rule))
    remind_on = due - dt.timedelta(days=rule.remind_days_before)
    if today >= escalate_on:
        step, milestone = ESCALATE, escalate_on
    elif remind_on <= today <= due:
        step, milestone = REMIND, remind_on
    else:
        return None
    if (today - milestone).days > CATCH_UP_DAYS:
        return None
    done = getattr(recommendation, track.memory_field(step))
    if done is not None and done >= milestone:
        return None
    return Notice(recommendation, track, step, due, milestone)


def candidates(track: Track, rule: FollowUpRule, today: dt.date) -> QuerySet[Recommendation]:
    """Rows whose deadline falls where a notice may be due today: a bounded window of
    dates, however many recommendations the NPM keeps."""
    most_grace = max(rule.escalate_days_after, 1)
    earliest = today - dt.timedelta(days=most_grace + CATCH_UP_DAYS)
    latest = today + dt.timedelta(days=rule.remind_days_before)
    window = {f"{track.due_field}__gte": earliest, f"{track.due_field}__lte": latest}
    return (
        track.pending(Recommendation.objects.all())
        .filter(**window)
        .select_related("addressee__parent", "owner")
        .order_by("pk")
    )


# -- who is told -----------------------------------------------------------------------


class Audience:
    """Who may be told about which recommendation: active users who can still see it."""

    def __init__(self, heads: Sequence[User], candidate_ids: Sequence[int]) -> None:
        self.heads = list(heads)
        self.candidate_ids = list(candidate_ids)
        self._visible: dict[int, set[int]] = {}

    def may_see(self, user: User, recommendation_id: int) -> bool:
        if user.pk not in self._visible:
            seen: set[int] = set()
            scoped = Recommendation.objects.restrict(user, "view")
            for start in range(0, len(self.candidate_ids), CHUNK):
                chunk = self.candidate_ids[start : start + CHUNK]
                seen.update(scoped.filter(pk__in=chunk).values_list("pk", flat=True))
            self._visible[user.pk] = seen
        return recommendation_id in self._visible[user.pk]

    def for_notice(self, notice: Notice) -> list[User]:
        recommendation = notice.recommendation
        people: list[User] = []
        if recommendation.owner is not None:
            people.append(recommendation.owner)
        if notice.step == ESCALATE:
            people += [head for head in self.heads if head.pk != recommendation.owner_id]
        return [
            person
            for person in people
            if person.is_active and self.may_see(person, recommendation.pk)
        ]


# -- what they are told ---------------------------------------------------------------


def recommendation_link(recommendation: Recommendation) -> str:
    try:
        return reverse("recommendations:detail", kwargs={"recommendation_pk": recommendation.pk})
    except NoReverseMatch:
        return f"/recommendations/{recommendation.pk}/"


def notice_text(notice: Notice) -> tuple[str, str]:
    """Subject and message: reference, authorities, dates and the liaison; no content."""
    recommendation = notice.recommendation
    addressee = recommendation.addressee
    values = {
        "ref": recommendation.reference,
        "authority": addressee.name if addressee else _("the addressee"),
        "date": notice.due.isoformat(),
    }
    if notice.step == REMIND:
        subject = _("Habeas: reminder about %(ref)s") % values
        if notice.track is RESPONSE:
            message = _("%(ref)s: the response of %(authority)s is due on %(date)s.") % values
        else:
            message = (
                _("%(ref)s: the deadline for implementation by %(authority)s is %(date)s.") % values
            )
    else:
        subject = _("Habeas: %(ref)s is overdue") % values
        if notice.track is RESPONSE:
            message = (
                _("%(ref)s: the response of %(authority)s was due on %(date)s and is overdue.")
                % values
            )
        else:
            message = (
                _(
                    "%(ref)s: the deadline for implementation by %(authority)s passed on "
                    "%(date)s and the recommendation is not verified as achieved."
                )
                % values
            )
        parent = addressee.parent if addressee else None
        if parent is not None:
            message += " " + (
                _("Consider escalating to %(parent)s, to which %(authority)s reports.")
                % {**values, "parent": parent.name}
            )
        else:
            message += " " + _("Consider escalating it.")
    if recommendation.priority == Priority.URGENT:
        if recommendation.liaison:
            message += " " + (
                _("Urgent track: the named liaison is %(liaison)s.")
                % {"liaison": recommendation.liaison}
            )
        else:
            message += " " + _("Urgent track: no liaison is named yet.")
    return subject, message


def _mail(emails: Iterable[str], subject: str, message: str, link: str) -> None:
    base = getattr(settings, "HABEAS_BASE_URL", "").rstrip("/")
    body = f"{message}\n\n{base}{link}\n"
    for email in emails:
        try:
            send_mail(subject, body, None, [email])
        except Exception:  # noqa: BLE001 - one failed mail must not stop the others
            logger.exception("follow-up mail not sent (%s)", subject)


def _by_language(people: Iterable[User]) -> dict[str, list[User]]:
    """Each person is told in their own language (the NPM's default when unset)."""
    groups: dict[str, list[User]] = defaultdict(list)
    for person in people:
        groups[person.language or settings.LANGUAGE_CODE].append(person)
    return groups


# -- sending -------------------------------------------------------------------------


@transaction.atomic
def notice_send(*, notice: Notice, recipients: Sequence[User], today: dt.date) -> bool:
    """Claim the notice for today, then tell the recipients by e-mail and in-app.

    The conditional UPDATE is the only guard: of two runs on one day, one claims it.
    """
    recommendation, track = notice.recommendation, notice.track
    memory = track.memory_field(notice.step)
    claimed = (
        track.pending(Recommendation.objects.filter(pk=recommendation.pk))
        .filter(**{track.due_field: notice.due})
        .filter(Q(**{f"{memory}__isnull": True}) | Q(**{f"{memory}__lt": notice.milestone}))
        .update(**{memory: today})
    )
    if not claimed:
        return False
    setattr(recommendation, memory, today)
    audit.record(
        actor=None,
        action=f"recommendation.{track.name}_{notice.step}",
        obj=recommendation,
        detail={"due": notice.due.isoformat(), "recipients": [u.pk for u in recipients]},
    )
    link = recommendation_link(recommendation)
    key = f"followup:{recommendation.pk}:{track.name}:{notice.step}:{notice.due.isoformat()}"
    for language, people in _by_language(recipients).items():
        with translation.override(language):
            subject, message = notice_text(notice)
        notify(users=people, message=message, link=link, key=key)
        emails = [user.email for user in people if user.email]
        transaction.on_commit(partial(_mail, emails, subject, message, link))
    return True


def recommendation_followup_run(*, today: dt.date) -> FollowUpSummary:
    """Send every reminder and escalation due today; safe to run more than once a day."""
    rule = FollowUpRule.current()
    heads = list(User.objects.filter(role=Role.HEAD, is_active=True).order_by("pk"))
    summary = FollowUpSummary()
    for track in TRACKS:
        rows = list(candidates(track, rule, today))
        due = [n for row in rows if (n := notice_due(row, track, rule, today)) is not None]
        audience = Audience(heads, [n.recommendation.pk for n in due])
        for notice in due:
            recipients = audience.for_notice(notice)
            if not recipients:
                summary.unaddressed += 1
                continue
            if notice_send(notice=notice, recipients=recipients, today=today):
                if notice.step == REMIND:
                    summary.reminders += 1
                else:
                    summary.escalations += 1
                summary.references.append(notice.recommendation.reference)
    return summary
