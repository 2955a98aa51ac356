"""API representations of the public's submissions (¶33).

Only the intake team reaches a submission at all (`Submission.objects.restrict`). A list
holds no word the sender wrote; one submission, read through `services.submission_open`
(audited), holds the text, the sender's name and contact, the thread and the files' names.
Only the fields named in the triage and reply bodies are read; anything else is ignored.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.cases.models import Case
from habeas.intake import services
from habeas.intake.models import (
    Action,
    Consent,
    Message,
    ReplyBy,
    SenderKind,
    Status,
    Submission,
    Urgency,
)
from habeas.places.models import Place
from habeas.places.serializers import RestrictedPrimaryKeyRelatedField, VersionField
from habeas.visits.models import Theme, Visit

SUMMARY_FIELDS = [
    "id",
    "reference",
    "sender_kind",
    "place",
    "happened_on",
    "urgency",
    "triage_urgency",
    "reply_by",
    "consent",
    "language",
    "received_on",
    "status",
    "theme",
    "action",
    "assigned_to",
    "triaged_at",
    "visit",
    "case",
    "duty_alerted_at",
    "unread_from_sender",
    "version",
    "created_at",
    "updated_at",
]


def closed(values: list[str], **kwargs: Any) -> serializers.ChoiceField:
    """A choice documented in place, not as a shared enum component: "status", "action"
    and "urgency" name other choice sets elsewhere in the API."""

    @extend_schema_field({"type": "string", "oneOf": [{"enum": values}]})
    class Closed(serializers.ChoiceField):
        pass

    return Closed(choices=values, **kwargs)


class SubmissionSummarySerializer(serializers.ModelSerializer):
    """A submission in the queue: what it is about and where it stands; no text."""

    sender_kind = closed(SenderKind.values, read_only=True)
    urgency = closed(Urgency.values, read_only=True)
    triage_urgency = closed(["", *Urgency.values], read_only=True)
    reply_by = closed(ReplyBy.values, read_only=True)
    consent = closed(Consent.values, read_only=True)
    status = closed(Status.values, read_only=True)
    theme = closed(["", *Theme.values], read_only=True)
    action = closed(Action.values, read_only=True)

    class Meta:
        model = Submission
        fields = SUMMARY_FIELDS
        read_only_fields = SUMMARY_FIELDS


class AttachmentInfoSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class MessageSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    author = closed(Message.Author.values)
    body = serializers.CharField(allow_blank=True)
    staff = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentInfoSerializer(many=True)

    def get_staff(self, message: services.OpenedMessage) -> int | None:
        return message.staff.pk if message.staff is not None else None


class SubmissionSerializer(serializers.Serializer):
    """One submission in the clear, from `services.submission_open`."""

    submission = SubmissionSummarySerializer()
    body = serializers.CharField(allow_blank=True)
    place_text = serializers.CharField(allow_blank=True)
    happened_text = serializers.CharField(allow_blank=True)
    sender_name = serializers.CharField(allow_blank=True)
    contact = serializers.CharField(allow_blank=True)
    triage_note = serializers.CharField(allow_blank=True)
    attachments = AttachmentInfoSerializer(many=True)
    messages = MessageSerializer(many=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        return {**data.pop("submission"), **data}


@extend_schema_field({"type": "integer", "nullable": True})
class IntakeMemberField(serializers.PrimaryKeyRelatedField):
    """A member of the intake team, by id (the service checks the right itself too)."""

    def get_queryset(self) -> Any:
        return User.objects.filter(is_active=True, role__in=roles.PERMISSIONS["intake.view"])


class TriageSerializer(serializers.Serializer):
    """A triage: the version read, and the fields to change (the others stay)."""

    version = VersionField()
    status = closed(Status.values, required=False)
    theme = closed(["", *Theme.values], required=False)
    triage_urgency = closed(["", *Urgency.values], required=False)
    action = closed(Action.values, required=False)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=services.BODY_MAX, trim_whitespace=True
    )
    assigned_to = IntakeMemberField(required=False, allow_null=True)
    place = RestrictedPrimaryKeyRelatedField(model=Place, required=False, allow_null=True)
    visit = RestrictedPrimaryKeyRelatedField(model=Visit, required=False, allow_null=True)
    case = RestrictedPrimaryKeyRelatedField(model=Case, required=False, allow_null=True)


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.BODY_MAX)


class ReplyResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
