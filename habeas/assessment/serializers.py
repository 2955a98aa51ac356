"""API representations of frameworks, assessments, ratings, evidence and action items.

Related records travel by id; criteria also carry their reference (¶10, 5.3) so a
script can find its way without the framework at hand. Only the fields named writable
here are read from a request: anything else is ignored, never mass-assigned. Every id
a request may name is looked up among the records its author can see, so a hidden
assessment answers exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.accounts.models import User
from habeas.assessment import selectors
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    Criterion,
    Evidence,
    FrameworkVersion,
    IndicatorSlot,
    Organisation,
    Rating,
    Section,
)
from habeas.assessment.services_common import OPEN_ITEM_STATUSES
from habeas.places.serializers import PatchMixin, RestrictedPrimaryKeyRelatedField, or_empty

READ_ONLY: tuple[str, ...] = ("id", "version", "created_at", "updated_at")


class ColleagueField(serializers.PrimaryKeyRelatedField):
    """A person's id, among the people who work for the requesting user's organisation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=User.objects.all(), **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        organisation = selectors.organisation_of(user=getattr(request, "user", None))
        if organisation is None:
            return User.objects.none()
        return selectors.organisation_users(organisation=organisation)


# Frameworks (read-only) -----------------------------------------------------------------


class IndicatorSlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorSlot
        fields = ["key", "name", "unit", "description"]
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.ref",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The reference of the section this one belongs to, if any.",
    )

    class Meta:
        model = Section
        fields = ["id", "ref", "title", "parent", "position"]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    section = serializers.CharField(
        source="section.ref", read_only=True, allow_null=True, default=None
    )
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.ref",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="For a listed item, the reference of its paragraph.",
    )
    slots = IndicatorSlotSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "ref", "kind", "section", "parent", "text", "position", "slots"]
        read_only_fields = fields


class FrameworkVersionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="framework.code", read_only=True)
    name = serializers.CharField(source="framework.name", read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = FrameworkVersion
        fields = [
            "id",
            "code",
            "name",
            "version",
            "published_on",
            "source",
            "language",
            "sha256",
            "imported_at",
            "sections",
            "criteria",
        ]
        read_only_fields = fields


# Assessments ----------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    framework_version = serializers.PrimaryKeyRelatedField(
        queryset=FrameworkVersion.objects.all(),
        help_text="The framework version to assess against (see /api/v1/frameworks/).",
    )
    framework = serializers.CharField(source="framework_version.framework.code", read_only=True)
    subject = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="The NPM assessed. Left out, your own organisation: a self-assessment.",
    )
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    made_by_name = serializers.CharField(source="made_by.name", read_only=True)
    assessors = ColleagueField(
        many=True,
        required=False,
        help_text="Ids of colleagues who may change it. Left out on creation, yourself.",
    )
    criteria_count = serializers.IntegerField(read_only=True, default=None)
    rated_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "title",
            "framework_version",
            "framework",
            "subject",
            "subject_name",
            "made_by",
            "made_by_name",
            "period_start",
            "period_end",
            "assessors",
            "state",
            "summary",
            "finalised_at",
            "revision",
            "supersedes",
            "criteria_count",
            "rated_count",
            "version",
            "created_at",
            "updated_at",
        ]
        # The state moves only through the submit and finalise actions.
        read_only_fields: tuple[str, ...] = (
            *READ_ONLY,
            "made_by",
            "state",
            "summary",
            "finalised_at",
            "revision",
            "supersedes",
        )


class AssessmentPatchSerializer(PatchMixin, serializers.ModelSerializer):
    assessors = ColleagueField(many=True, required=False)

    class Meta:
        model = Assessment
        fields = ["title", "summary", "period_start", "period_end", "assessors", "version"]


# Ratings ----------------------------------------------------------------------------------


class RatingSerializer(serializers.ModelSerializer):
    criterion_ref = serializers.CharField(source="criterion.ref", read_only=True)
    level = serializers.ChoiceField(
        choices=Rating.Level.choices,
        allow_blank=True,
        required=False,
        help_text="Empty while the criterion is not rated yet.",
    )

    class Meta:
        model = Rating
        fields = [
            "id",
            "assessment",
            "criterion",
            "criterion_ref",
            "level",
            "reason",
            "narrative",
            "updated_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields: tuple[str, ...] = (*READ_ONLY, "assessment", "criterion", "updated_by")


class RatingPatchSerializer(PatchMixin, RatingSerializer):
    class Meta(RatingSerializer.Meta):
        read_only_fields = tuple(
            name for name in RatingSerializer.Meta.read_only_fields if name != "version"
        )


# Evidence -----------------------------------------------------------------------------------


@extend_schema_field(or_empty(format="uri", maxLength=1000))
class OptionalURLField(serializers.URLField):
    """An address, or empty: only a link has one."""


class EvidenceSerializer(serializers.ModelSerializer):
    assessment = RestrictedPrimaryKeyRelatedField(model=Assessment)
    criterion = serializers.PrimaryKeyRelatedField(queryset=Criterion.objects.all())
    criterion_ref = serializers.CharField(source="criterion.ref", read_only=True)
    kind = serializers.ChoiceField(
        choices=Evidence.Kind.choices,
        help_text="link: a public source (url); record: a Habeas record (record_type, "
        "record_id); document: an uploaded file (upload, multipart).",
    )
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    url = OptionalURLField(
        label=capfirst(Evidence._meta.get_field("url").verbose_name),
        max_length=1000,
        required=False,
        allow_blank=True,
    )
    record_type = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text='The record\'s kind as "app_label.model", e.g. "places.place".',
    )
    upload = serializers.FileField(write_only=True, required=False)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "assessment",
            "criterion",
            "criterion_ref",
            "kind",
            "title",
            "url",
            "record_type",
            "record_id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "upload",
            "download",
            "added_by",
            "added_at",
        ]
        read_only_fields: tuple[str, ...] = (
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "added_by",
            "added_at",
        )

    def get_download(self, evidence: Evidence) -> str | None:
        """Where a signed-in browser downloads an uploaded document; null for the others."""
        if evidence.kind != Evidence.Kind.DOCUMENT:
            return None
        return reverse(
            "assessment:evidence_download",
            kwargs={"pk": evidence.assessment_id, "evidence_pk": evidence.pk},
        )


# Action items --------------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    assessment = RestrictedPrimaryKeyRelatedField(model=Assessment)
    criterion = serializers.PrimaryKeyRelatedField(
        queryset=Criterion.objects.all(),
        help_text="The gap it closes: a criterion rated not in place or partially in place.",
    )
    criterion_ref = serializers.CharField(source="criterion.ref", read_only=True, default=None)
    owner = ColleagueField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "assessment",
            "criterion",
            "criterion_ref",
            "title",
            "description",
            "owner",
            "deadline",
            "status",
            "completed_on",
            "overdue",
            "last_reminded_on",
            "strategy_activity_ref",
            "version",
            "created_at",
            "updated_at",
        ]
        # The status moves by PATCH once the item exists; a new item is open.
        read_only_fields: tuple[str, ...] = (
            *READ_ONLY,
            "status",
            "completed_on",
            "last_reminded_on",
            "strategy_activity_ref",
        )

    def get_overdue(self, item: ActionItem) -> bool:
        """Still open or in progress after its deadline."""
        return item.status in OPEN_ITEM_STATUSES and item.deadline < timezone.localdate()


class ActionItemPatchSerializer(PatchMixin, serializers.ModelSerializer):
    owner = ColleagueField(required=False)

    class Meta:
        model = ActionItem
        fields = ["status", "owner", "deadline", "version"]
