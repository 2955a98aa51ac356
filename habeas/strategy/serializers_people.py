"""API representations of policies and training (¶7, 8, 37).

Only the fields named here are read from a request; authors, numbers, states and
anything else sent along are ignored, never mass-assigned. A policy carries all its
versions (they never change) and the reader's own acknowledgement of the latest one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.strategy.models import PolicyArea, PolicyVersion, TrainingPlanEntry
from habeas.strategy.policies import in_force
from habeas.visits.models import Training, TrainingRecord

TEXT_LIMIT = 50000
VERSION_HELP = (
    "The version you read. Give it here or in an If-Match header; an older one is refused with 409."
)


def _name(user: Any) -> str:
    return getattr(user, "full_name", "") or getattr(user, "email", "")


class PolicyVersionSerializer(serializers.ModelSerializer):
    issued_by = serializers.IntegerField(source="issued_by_id", read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = PolicyVersion
        fields = [
            "number",
            "text",
            "effective_on",
            "change_note",
            "issued_by",
            "issued_at",
            "in_force",
        ]
        read_only_fields = fields

    def get_in_force(self, version: PolicyVersion) -> bool:
        return in_force(version)


class PolicySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    area = serializers.ChoiceField(choices=PolicyArea.choices, read_only=True)
    area_label = serializers.CharField(source="get_area_display", read_only=True)
    title = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="The policy's record version.")
    latest_version = serializers.SerializerMethodField(
        help_text="The number of the version every member acknowledges."
    )
    acknowledged_at = serializers.DateTimeField(
        source="my_acknowledged_at",
        read_only=True,
        allow_null=True,
        help_text="When you acknowledged the latest version; null if you have not.",
    )
    versions = PolicyVersionSerializer(many=True, read_only=True)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_latest_version(self, policy: Any) -> int | None:
        versions = list(policy.versions.all())
        return versions[0].number if versions else None


class PolicyCreateSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=PolicyArea.choices)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=TEXT_LIMIT, help_text="Markdown.")
    effective_on = serializers.DateField()
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PolicyPatchSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=PolicyArea.choices, required=False)
    title = serializers.CharField(max_length=300, required=False)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class PolicyVersionIssueSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_LIMIT, help_text="Markdown; the whole text.")
    effective_on = serializers.DateField()
    change_note = serializers.CharField(max_length=300, help_text="What changed.")
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class PolicyAcknowledgeSerializer(serializers.Serializer):
    number = serializers.IntegerField(
        min_value=1, max_value=32767, help_text="The number of the version you read: the latest."
    )


# -- training --------------------------------------------------------------------------


class TrainingRecordSerializer(serializers.ModelSerializer):
    user_name = serializers.SerializerMethodField()
    training_name = serializers.CharField(source="training.name", read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True)
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    training = serializers.PrimaryKeyRelatedField(queryset=Training.objects.all())

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "user",
            "user_name",
            "training",
            "training_name",
            "completed_on",
            "recorded_by",
        ]
        read_only_fields = ["id", "user_name", "training_name", "recorded_by"]

    def get_user_name(self, record: TrainingRecord) -> str:
        return _name(record.user)


class TrainingPlanEntrySerializer(serializers.ModelSerializer):
    user_name = serializers.SerializerMethodField()
    training_name = serializers.CharField(source="training.name", read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    training = serializers.IntegerField(source="training_id", read_only=True)

    class Meta:
        model = TrainingPlanEntry
        fields = [
            "id",
            "year",
            "user",
            "user_name",
            "training",
            "training_name",
            "reason",
            "due_by",
            "status",
            "version",
        ]
        read_only_fields = fields

    def get_user_name(self, entry: TrainingPlanEntry) -> str:
        return _name(entry.user)


class TrainingPlanPatchSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TrainingPlanEntry.Status.choices)
    completed_on = serializers.DateField(
        required=False, help_text="Required when marking done: the training is recorded then."
    )
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class TrainingPlanDrawSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class TrainingPlanDrawnSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    already_planned = serializers.IntegerField()


class NeedVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="visit.pk")
    reference = serializers.CharField(source="visit.reference")
    starts_on = serializers.DateField(source="visit.starts_on")
    because = serializers.CharField()


class TrainingNeedSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    user_name = serializers.SerializerMethodField()
    training = serializers.IntegerField(source="training.pk")
    training_name = serializers.CharField(source="training.name")
    reason = serializers.CharField()
    visits = NeedVisitSerializer(many=True)

    def get_user_name(self, need: Any) -> str:
        return _name(need.user)
