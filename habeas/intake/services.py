"""Writes of the public's channel (¶23, 25, 33): submissions from anyone, without an
account; the sender's follow-up through a receipt; triage and replies by the intake team.

Everything the sender writes is sealed (ARCHITECTURE.md rule 4), their files included,
photographs stripped of their metadata first. Nothing here takes, stores or logs an
address or a user agent: the public services take no request at all. Every write writes
one audit event, with no content; the public's are written with no actor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.cases.models import Case
from habeas.cases.services_medical import IMAGE_FORMATS, _strip_metadata
from habeas.core import audit
from habeas.core.notifications import notify
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.intake import receipts
from habeas.intake.models import (
    Action,
    Attachment,
    Consent,
    IntakeSettings,
    Message,
    ReplyBy,
    SenderKind,
    Status,
    Submission,
    Urgency,
)
from habeas.places import archive
from habeas.places.models import Place
from habeas.visits.models import Theme, Visit

BODY_MAX = 20_000
SHORT_MAX = 300  # a place in words, a name, a way to reply
HAPPENED_MAX = 120
# Files: each within the archive's limits (habeas.places.archive), of these types, and no
# more than this many at once or over a submission's life.
ATTACHMENT_TYPES = frozenset({"pdf", "jpg", "jpeg", "png", "docx", "odt", "txt"})
ATTACHMENT_TYPES_LABEL = "PDF, JPG, PNG, DOCX, ODT, TXT"
UPLOADS_AT_ONCE = 5
UPLOADS_PER_SUBMISSION = 20
NEEDS_CONSENT = frozenset({Action.RAISED, Action.REFERRED})
REFERENCE_PREFIX = "S"


# -- what the intake team reads ---------------------------------------------------------


@dataclass(frozen=True)
class AttachmentInfo:
    id: Any
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class OpenedMessage:
    id: Any
    author: str
    body: str
    staff: User | None
    created_at: dt.datetime
    attachments: list[AttachmentInfo]


@dataclass(frozen=True)
class OpenedSubmission:
    """A submission in the clear, for one reading by the intake team (audited)."""

    submission: Submission
    body: str
    place_text: str
    happened_text: str
    sender_name: str
    contact: str
    triage_note: str
    attachments: list[AttachmentInfo]  # sent with the submission itself
    messages: list[OpenedMessage]


class OpenedAttachment(NamedTuple):
    filename: str
    content_type: str
    content: bytes


# -- checks -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").replace("\x00", "").strip()


def _choice(value: Any, allowed: Iterable[str], field: str, message: str) -> str:
    if value not in set(allowed):
        raise ValidationError({field: message})
    return str(value)


def _limit(value: str, limit: int, field: str) -> str:
    if len(value) > limit:
        raise ValidationError(
            {field: _("Please shorten this to %(limit)s characters.") % {"limit": limit}}
        )
    return value


@dataclass(frozen=True)
class _File:
    name: str
    content_type: str
    content: bytes


def _checked_files(uploads: Sequence[Any], *, already: int = 0) -> list[_File]:
    """Every file checked and read, photographs cleaned, before anything is written."""
    if len(uploads) > UPLOADS_AT_ONCE:
        raise ValidationError(
            {"uploads": _("Send at most %(count)s files at once.") % {"count": UPLOADS_AT_ONCE}}
        )
    if already + len(uploads) > UPLOADS_PER_SUBMISSION:
        raise ValidationError(
            {
                "uploads": _("A submission holds at most %(count)s files.")
                % {"count": UPLOADS_PER_SUBMISSION}
            }
        )
    files = []
    for upload in uploads:
        try:
            checked = archive.check_upload(upload)  # the size first, then name and bytes
        except ValidationError as error:
            raise ValidationError({"uploads": error.messages}) from error
        if checked.extension not in ATTACHMENT_TYPES:
            raise ValidationError(
                {
                    "uploads": _("This type of file is not accepted. Accepted types: %(types)s.")
                    % {"types": ATTACHMENT_TYPES_LABEL}
                }
            )
        upload.seek(0)
        content = upload.read()
        if checked.content_type in IMAGE_FORMATS:
            try:
                content = _strip_metadata(content, checked.content_type)
            except ValidationError as error:
                raise ValidationError({"uploads": error.messages}) from error
        files.append(_File(checked.original_name, checked.content_type, content))
    return files


def _attach(submission: Submission, files: list[_File], message: Message | None = None) -> None:
    for file in files:
        attachment = Attachment(
            submission=submission,
            message=message,
            content_type=file.content_type,
            size=len(file.content),
        )
        attachment.seal("filename", file.name)
        attachment.seal("content", file.content)
        attachment.save(force_insert=True)


def _check_reply(reply_by: str, contact: str) -> None:
    if reply_by in (ReplyBy.EMAIL, ReplyBy.PHONE, ReplyBy.POST) and not contact:
        raise ValidationError(
            {"contact": _("Tell us where to reply, or choose to come back with your receipt.")}
        )
    if reply_by == ReplyBy.EMAIL:
        try:
            validate_email(contact)
        except ValidationError as error:
            raise ValidationError({"contact": _("Enter a valid e-mail address.")}) from error


def _check_happened_on(happened_on: dt.date | None) -> None:
    if happened_on is not None and happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("This date is in the future.")})


def _language(code: str) -> str:
    known = {language for language, _name in settings.LANGUAGES}
    return code if code in known else ""


def _next_reference() -> str:
    """S-2026-0001, S-2026-0002…: taken under the lock of the channel's settings row."""
    IntakeSettings.objects.select_for_update().get(pk=1)
    stem = f"{REFERENCE_PREFIX}-{timezone.localdate().year}-"
    last = (
        Submission.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:04d}"


# -- the public -----------------------------------------------------------------------------


def submission_create(
    *,
    sender_kind: str,
    urgency: str,
    body: str,
    consent: str,
    reply_by: str = ReplyBy.RECEIPT,
    place: Place | None = None,
    place_text: str = "",
    happened_on: dt.date | None = None,
    happened_text: str = "",
    sender_name: str = "",
    contact: str = "",
    language: str = "",
    uploads: Sequence[Any] = (),
) -> tuple[Submission, str]:
    """Receive a submission from the public; return it and its receipt, grouped in fours.

    The receipt is returned this once and never stored, only its hash. An urgent
    submission alerts the duty person and the intake team in-app at the same moment.
    """
    sender_kind = _choice(sender_kind, SenderKind.values, "sender_kind", _("Say who is writing."))
    urgency = _choice(urgency, Urgency.values, "urgency", _("Say how urgent it is."))
    consent = _choice(
        consent, Consent.values, "consent", _("Say what may be passed on to an authority.")
    )
    reply_by = _choice(reply_by, ReplyBy.values, "reply_by", _("Say how we may reply."))
    body = _limit(_text(body), BODY_MAX, "body")
    if not body:
        raise ValidationError({"body": _("Tell us what happened.")})
    place_text = _limit(_text(place_text), SHORT_MAX, "place_text")
    if place is None and not place_text:
        raise ValidationError(
            {"place": _("Choose the place from the list, or describe it in your own words.")}
        )
    happened_text = _limit(_text(happened_text), HAPPENED_MAX, "happened_text")
    _check_happened_on(happened_on)
    sender_name = _limit(_text(sender_name), SHORT_MAX, "sender_name")
    contact = _limit(_text(contact), SHORT_MAX, "contact")
    _check_reply(reply_by, contact)
    files = _checked_files(list(uploads))

    receipt = receipts.new_receipt()
    digest = receipts.receipt_hash(receipt)  # outside the lock: Argon2 takes its time
    with transaction.atomic():
        submission = Submission(
            reference=_next_reference(),
            receipt_hash=digest,
            sender_kind=sender_kind,
            place=place,
            happened_on=happened_on,
            urgency=urgency,
            reply_by=reply_by,
            consent=consent,
            language=_language(language),
            received_on=timezone.localdate(),
        )
        for name, value in (
            ("body", body),
            ("place_text", place_text),
            ("happened_text", happened_text),
            ("sender_name", sender_name),
            ("contact", contact),
        ):
            submission.seal(name, value)
        submission.save(force_insert=True)
        _attach(submission, files)
        audit.record(
            actor=None,
            action="intake.submission.create",
            obj=submission,
            detail={"urgency": urgency, "attachments": len(files)},
        )
        if urgency == Urgency.URGENT:
            _alert_urgent(submission)
    return submission, receipt


def submission_for_receipt(receipt: str) -> Submission | None:
    """The submission this receipt opens, or None. The same work whatever the receipt:
    one Argon2 computation and one query, malformed receipts included."""
    digest = receipts.receipt_hash(receipt)
    found = Submission.objects.filter(receipt_hash=digest, erased_at__isnull=True).first()
    if not receipts.is_well_formed(receipt):
        return None
    return found


def sender_message_add(
    *, submission: Submission, body: str, uploads: Sequence[Any] = ()
) -> Message:
    """The sender adds information (reached with the receipt); the team sees it as new."""
    body = _limit(_text(body), BODY_MAX, "body")
    if not body and not uploads:
        raise ValidationError({"body": _("Write something to add, or attach a file.")})
    already = Attachment.objects.filter(submission=submission).count()
    files = _checked_files(list(uploads), already=already)
    with transaction.atomic():
        message = Message(submission=submission, author=Message.Author.SENDER)
        message.seal("body", body)
        message.save(force_insert=True)
        _attach(submission, files, message)
        # No version bump: what the sender adds must not make a triage in progress stale.
        Submission.objects.filter(pk=submission.pk).update(unread_from_sender=True)
        submission.unread_from_sender = True
        audit.record(
            actor=None,
            action="intake.message.sender_add",
            obj=submission,
            detail={"message": str(message.pk), "attachments": len(files)},
        )
    return message


# -- alerts ---------------------------------------------------------------------------------


def intake_team() -> list[User]:
    """Everyone who triages submissions today: active, unexpired, of this NPM."""
    eligible = User.objects.filter(is_active=True, role__in=roles.PERMISSIONS["intake.triage"])
    return [user for user in eligible.order_by("pk") if roles.can(user, "intake.triage")]


def submission_link(submission: Submission) -> str:
    try:
        return reverse("intake:detail", kwargs={"pk": submission.pk})
    except NoReverseMatch:  # the staff pages come with the intake pages
        return f"/intake/{submission.pk}/"


def _alert_urgent(submission: Submission) -> None:
    """Tell the duty person and the intake team now, by reference only."""
    people = intake_team()
    duty = IntakeSettings.objects.filter(pk=1).values_list("duty_user", flat=True).first()
    if duty is not None and all(user.pk != duty for user in people):
        people += [user for user in User.objects.filter(pk=duty) if roles.can(user, "intake.view")]
    groups: dict[str, list[User]] = defaultdict(list)
    for person in people:
        groups[person.language or settings.LANGUAGE_CODE].append(person)
    for language, group in groups.items():
        with translation.override(language):
            message = _("Urgent submission %(reference)s: someone may be in danger now.") % {
                "reference": submission.reference
            }
        notify(
            users=group,
            message=message,
            link=submission_link(submission),
            key=f"intake.urgent:{submission.pk}",
        )
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(duty_alerted_at=now)
    submission.duty_alerted_at = now


# -- the intake team ------------------------------------------------------------------------


def _reachable(actor: Any, submission: Submission, action: str) -> None:
    if not Submission.objects.restrict(actor, action).filter(pk=submission.pk).exists():
        raise PermissionDenied(_("You may not do this."))


def _check_links(
    actor: Any, submission: Submission, *, assigned_to: Any, place: Any, visit: Any, case: Any
) -> None:
    """New links must name records the actor may see; a link left as it was is kept even
    when the actor may not see it (a case file they are not granted on), unnamed."""
    if assigned_to is not None and not roles.can(assigned_to, "intake.view"):
        raise ValidationError({"assigned_to": _("Choose someone of the intake team.")})
    for field, model, value, message in (
        ("place", Place, place, _("Choose a place from the list.")),
        ("visit", Visit, visit, _("Choose a visit you can see.")),
        ("case", Case, case, _("Choose a case file you are granted on.")),
    ):
        if value is None or value.pk == getattr(submission, f"{field}_id"):
            continue
        if not model.objects.restrict(actor, "view").filter(pk=value.pk).exists():
            raise ValidationError({field: message})


def submission_triage(
    *,
    actor: Any,
    submission: Submission,
    expected_version: int,
    status: str,
    theme: str = "",
    triage_urgency: str = "",
    action: str = "",
    note: str = "",
    assigned_to: Any = None,
    place: Place | None = None,
    visit: Visit | None = None,
    case: Case | None = None,
) -> Submission:
    """Categorise a submission, record the action taken, link it to a place, a visit or a
    case. Raising it with an authority or referring it needs the sender's consent."""
    require(actor, "intake.triage")
    _reachable(actor, submission, "change")
    status = _choice(status, Status.values, "status", _("Choose a status."))
    theme = _choice(theme or "", ["", *Theme.values], "theme", _("Choose a theme."))
    triage_urgency = _choice(
        triage_urgency or "", ["", *Urgency.values], "triage_urgency", _("Choose an urgency.")
    )
    action = _choice(action or "", Action.values, "action", _("Choose an action."))
    if action in NEEDS_CONSENT and submission.consent == Consent.NONE:
        raise ValidationError(
            {
                "action": _(
                    "The sender asked that nothing reach an authority: this submission may "
                    "not be raised with an authority or referred."
                )
            }
        )
    note = _limit(_text(note), BODY_MAX, "note")
    _check_links(actor, submission, assigned_to=assigned_to, place=place, visit=visit, case=case)
    values: dict[str, Any] = {
        "status": status,
        "theme": theme,
        "triage_urgency": triage_urgency,
        "action": action,
        "assigned_to": assigned_to,
        "place": place,
        "visit": visit,
        "case": case,
        "unread_from_sender": False,  # whoever triages has read what there is
    }
    if note != submission.unseal("triage_note", actor=actor):
        probe = Submission(pk=submission.pk, content_key=submission.content_key)
        probe.seal("triage_note", note)
        values["triage_note"] = probe.triage_note
        if probe.content_key_id != submission.content_key_id:
            values["content_key"] = probe.content_key
    if status != Status.NEW and submission.triaged_at is None:
        values["triaged_at"] = timezone.now()
    with stale_guarded("intake.submission.triage", submission, actor, expected_version):
        changed = versioned_update(
            model=Submission, obj=submission, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="intake.submission.triage",
            obj=submission,
            detail={"fields": sorted(name for name in changed if not name.endswith("_key"))},
        )
    return submission


@transaction.atomic
def reply_add(*, actor: Any, submission: Submission, body: str) -> Message:
    """A reply of the NPM, which the sender reads with the receipt."""
    require(actor, "intake.reply")
    _reachable(actor, submission, "reply")
    body = _limit(_text(body), BODY_MAX, "body")
    if not body:
        raise ValidationError({"body": _("Write the reply.")})
    message = Message(submission=submission, author=Message.Author.NPM, staff=actor)
    message.seal("body", body)
    message.save(force_insert=True)
    Submission.objects.filter(pk=submission.pk).update(unread_from_sender=False)
    submission.unread_from_sender = False
    audit.record(
        actor=actor,
        action="intake.message.reply",
        obj=submission,
        detail={"message": str(message.pk)},
    )
    return message


def _info(attachment: Attachment, actor: Any) -> AttachmentInfo:
    return AttachmentInfo(
        id=attachment.pk,
        filename=attachment.unseal("filename", actor=actor),
        content_type=attachment.content_type,
        size=attachment.size,
    )


@transaction.atomic
def submission_open(*, actor: Any, submission: Submission) -> OpenedSubmission:
    """The submission in the clear with its thread, for one reading (audited, rule 5).
    What the sender added since is marked read. The sender's name and contact are part
    of it: only the intake team (`intake.view`) ever reaches a submission."""
    require(actor, "intake.view")
    _reachable(actor, submission, "view")
    files = list(Attachment.objects.filter(submission=submission).order_by("created_at"))
    by_message: dict[Any, list[AttachmentInfo]] = defaultdict(list)
    for attachment in files:
        by_message[attachment.message_id].append(_info(attachment, actor))
    messages = [
        OpenedMessage(
            id=message.pk,
            author=message.author,
            body=message.unseal("body", actor=actor),
            staff=message.staff,
            created_at=message.created_at,
            attachments=by_message.get(message.pk, []),
        )
        for message in Message.objects.filter(submission=submission).select_related("staff")
    ]
    opened = OpenedSubmission(
        submission=submission,
        body=submission.unseal("body", actor=actor),
        place_text=submission.unseal("place_text", actor=actor),
        happened_text=submission.unseal("happened_text", actor=actor),
        sender_name=submission.unseal("sender_name", actor=actor),
        contact=submission.unseal("contact", actor=actor),
        triage_note=submission.unseal("triage_note", actor=actor),
        attachments=by_message.get(None, []),
        messages=messages,
    )
    # Opening is a read and changes nothing: what the sender added stays marked until
    # someone answers it or triages the submission.
    audit.record(actor=actor, action="intake.submission.read", obj=submission)
    return opened


@transaction.atomic
def attachment_open(*, actor: Any, attachment: Attachment) -> OpenedAttachment:
    """A file of a submission in the clear, for one download (audited, rule 5)."""
    require(actor, "intake.view")
    if not Attachment.objects.restrict(actor, "view").filter(pk=attachment.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    opened = OpenedAttachment(
        filename=attachment.unseal("filename", actor=actor),
        content_type=attachment.content_type,
        content=attachment.unseal_bytes("content", actor=actor),
    )
    audit.record(
        actor=actor,
        action="intake.attachment.download",
        obj=attachment.submission,
        detail={"attachment": str(attachment.pk)},
    )
    return opened


@transaction.atomic
def settings_update(*, actor: Any, duty_user: Any, open: bool) -> IntakeSettings:
    """Who is on duty for urgent submissions, and whether the public form takes any."""
    require(actor, "intake.settings")
    if duty_user is not None and not roles.can(duty_user, "intake.view"):
        raise ValidationError({"duty_user": _("Choose someone of the intake team.")})
    receipts.install_salt()  # the row exists from here on
    row = IntakeSettings.objects.select_for_update().get(pk=1)
    changed = []
    if row.duty_user_id != getattr(duty_user, "pk", None):
        changed.append("duty_user")
    if row.open != bool(open):
        changed.append("open")
    row.duty_user = duty_user
    row.open = bool(open)
    row.version += 1
    row.save(update_fields=["duty_user", "open", "version"])
    audit.record(actor=actor, action="intake.settings.update", obj=row, detail={"fields": changed})
    return row
