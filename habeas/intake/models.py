"""The public's channel: anyone can tell the NPM about a place, safely (¶23, 25, 33).

A detainee, a relative, a lawyer, an NGO, an official or an anonymous sender writes
through `/submit/`, without an account. They get a receipt (at least 16 random digits,
stored only as an Argon2 hash) with which they come back to read the NPM's replies and
add information. No IP address and no user agent is stored anywhere. What they write is
sealed (rule 4). Inside the NPM the intake team triages each submission (place, theme,
urgency, action taken) and links it to a place, a visit or a case; nothing reaches an
authority beyond the consent the sender gave.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.crypto import SealedField, SealedModel
from habeas.core.models import BaseModel, RestrictedQuerySet
from habeas.visits.models import Theme


class SenderKind(models.TextChoices):
    DETAINEE = "detainee", _("A person held there")
    RELATIVE = "relative", _("A relative or friend")
    LAWYER = "lawyer", _("A lawyer")
    NGO = "ngo", _("An organisation (NGO)")
    OFFICIAL = "official", _("Someone working there or another official")
    CO_DETAINEE = "co_detainee", _("Someone held with the person concerned")
    ANONYMOUS = "anonymous", _("I prefer not to say")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent: someone is in danger now")
    SOON = "soon", _("Soon: within days")
    ROUTINE = "routine", _("Not urgent")


class ReplyBy(models.TextChoices):
    """How the sender wants an answer; the receipt page always works."""

    RECEIPT = "receipt", _("I will come back with my receipt")
    EMAIL = "email", _("By e-mail")
    PHONE = "phone", _("By phone")
    POST = "post", _("By post")
    NONE = "none", _("I do not want a reply")


class Consent(models.TextChoices):
    """What may reach an authority (OPCAT art. 21(2); DOMAIN.md, Consent)."""

    NONE = "none", _("Keep it inside the NPM: tell no authority")
    ANONYMOUS = "anonymous", _("The NPM may raise the facts, without anything that identifies me")
    NAMED = "named", _("The NPM may raise it and say who I am")


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("Being dealt with")
    CLOSED = "closed", _("Closed")


class Action(models.TextChoices):
    NONE = "", _("None yet")
    RECORDED = "recorded", _("Recorded for the next visit")
    VISIT = "visit", _("Visit proposed or made")
    CASE = "case", _("Case file opened")
    WATCH = "watch", _("Reprisal watch opened")
    RAISED = "raised", _("Raised with the authority (with consent)")
    REFERRED = "referred", _("Referred to another body (with consent)")
    ANSWERED = "answered", _("Answered; nothing more to do")
    OUTSIDE_MANDATE = "outside_mandate", _("Outside the NPM's mandate")


class IntakeSettings(models.Model):
    """The one row of the channel's settings: who is on duty for urgent submissions, and
    the salt of the receipts' hashes (random, made once)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    receipt_salt = models.BinaryField(editable=False)
    duty_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("duty person for urgent submissions"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    open = models.BooleanField(
        _("the public form accepts submissions"),
        default=True,
        help_text=_("Close it only during maintenance; the receipt page stays open."),
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return "intake settings"


class SubmissionQuerySet(RestrictedQuerySet):
    """The intake team sees every submission; no one else sees any."""

    needed = {"view": "intake.view", "change": "intake.triage", "reply": "intake.reply"}

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = self.needed.get(action)
        if permission is None or not roles.can(user, "intake.view"):
            return self.none()
        return self if roles.can(user, permission) else self.none()


class Submission(SealedModel, BaseModel):
    """One submission from the public. The receipt is never stored, only its hash."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    receipt_hash = models.CharField(max_length=128, unique=True, editable=False)
    # What the sender says.
    sender_kind = models.CharField(_("who is writing"), max_length=16, choices=SenderKind.choices)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    place_text = SealedField()  # the place in the sender's words, when not in the list
    happened_on = models.DateField(_("when it happened"), null=True, blank=True)
    happened_text = SealedField()  # "last Tuesday night", in the sender's words
    urgency = models.CharField(
        _("urgency given by the sender"), max_length=8, choices=Urgency.choices
    )
    body = SealedField()
    sender_name = SealedField(key="identity")
    contact = SealedField(key="identity")
    reply_by = models.CharField(
        _("reply"), max_length=8, choices=ReplyBy.choices, default=ReplyBy.RECEIPT
    )
    consent = models.CharField(
        _("what may reach an authority"), max_length=12, choices=Consent.choices
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    received_on = models.DateField(_("received on"))
    # Triage inside the NPM.
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    theme = models.CharField(_("theme"), max_length=16, blank=True, choices=Theme.choices)
    triage_urgency = models.CharField(
        _("urgency assessed"), max_length=8, blank=True, choices=Urgency.choices
    )
    action = models.CharField(
        _("action taken"), max_length=16, blank=True, choices=Action.choices, default=""
    )
    triage_note = SealedField()  # the intake team's note: it may repeat what was said
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    visit = models.ForeignKey(
        "visits.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duty_alerted_at = models.DateTimeField(null=True, blank=True)
    unread_from_sender = models.BooleanField(default=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-created_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["place", "received_on"], name="submission_place_day")]

    def __str__(self) -> str:
        return self.reference


class ChildQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        seen = Submission.objects.restrict(user, action)
        return self.filter(submission__in=seen.values("pk"))


class Message(SealedModel):
    """A message in a submission's thread: more information from the sender, or a reply
    of the NPM that the sender reads with the receipt."""

    class Author(models.TextChoices):
        SENDER = "sender", _("The sender")
        NPM = "npm", _("The NPM")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=8, choices=Author.choices)
    body = SealedField()
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"message {self.pk}"


class Attachment(SealedModel):
    """A file the sender attached, sealed with its name, within the archive's limits."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = SealedField()
    content = SealedField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class ThrottleEntry(models.Model):
    """One entry of the public channel's flood-control store when no Redis is configured:
    the table Django's database cache reads and writes (`settings.CACHES["intake"]`),
    made by a migration so that it exists on every database, in every process.

    Written only by that cache (`habeas.intake.throttle`). A key is a hash of a keyed
    hash of a network, or of a form stamp's random nonce; no address is ever in it.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "intake_throttle"

    def __str__(self) -> str:
        return "throttle entry"
