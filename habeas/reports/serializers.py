"""API representations of reports and their publication (¶19, 21, 22, 38).

Only the fields named here are read from a request: states, digests, signatures and
authors sent along are ignored, never mass-assigned. Related ids (visit, place,
recommendation, addressee) are handed to the services, which check that the requester may
draft for them. The public representation (`PublicReportSerializer`) carries no internal
id of a visit, place or person, and its content is the public version only.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.places.serializers import VersionField
from habeas.reports.models import (
    Comment,
    Dissemination,
    Hit,
    Kind,
    Redaction,
    Rendering,
    Report,
    ReportVersion,
    State,
    Variant,
)

REPORT_FIELDS = [
    "id",
    "reference",
    "kind",
    "title",
    "language",
    "visit",
    "place",
    "theme",
    "period_start",
    "period_end",
    "year",
    "recommendation",
    "addressee",
    "k",
    "state",
    "signed_at",
    "published_number",
    "published_at",
    "current_version",
    "created_at",
    "updated_at",
    "version",
]


class VersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)


class ReportSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField(
        help_text="The latest version: the one being drafted, reviewed or last signed."
    )
    published_number = serializers.SerializerMethodField(
        help_text="The number of the version on /public/, or null when not published."
    )

    class Meta:
        model = Report
        fields = REPORT_FIELDS
        read_only_fields = REPORT_FIELDS

    @extend_schema_field(VersionSummarySerializer(allow_null=True))
    def get_current_version(self, report: Report) -> dict[str, Any] | None:
        version = max(report.versions.all(), key=lambda v: v.number, default=None)
        if version is None:
            return None
        return dict(VersionSummarySerializer(version).data)

    def get_published_number(self, report: Report) -> int | None:
        if report.published_version_id is None:
            return None
        return report.published_version.number if report.published_version else None


class ReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=Report._meta.get_field("language").choices,  # type: ignore[arg-type]
        required=False,
    )
    visit = serializers.IntegerField(min_value=1, required=False, help_text="Visit id.")
    place = serializers.IntegerField(min_value=1, required=False, help_text="Place id.")
    theme = serializers.CharField(max_length=16, required=False, allow_blank=True)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    year = serializers.IntegerField(min_value=1990, max_value=2200, required=False)
    recommendation = serializers.IntegerField(
        min_value=1, required=False, help_text="The urgent recommendation's id."
    )
    addressee = serializers.IntegerField(min_value=1, required=False, help_text="Authority id.")
    k = serializers.IntegerField(min_value=2, max_value=100, required=False)


class ReportPatchSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    language = serializers.ChoiceField(
        choices=Report._meta.get_field("language").choices,  # type: ignore[arg-type]
        required=False,
    )
    addressee = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Authority id."
    )
    k = serializers.IntegerField(min_value=2, max_value=100, required=False)
    version = VersionField(required=False)


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, help_text="What the drafter should change.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoBodySerializer(serializers.Serializer):
    """Nothing to send."""


class ReportVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportVersion
        fields = [
            "id",
            "report",
            "number",
            "state",
            "sections",
            "public_omit",
            "digest",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "signed_at",
            "version",
        ]
        read_only_fields = fields


class ReportVersionPatchSerializer(serializers.Serializer):
    sections = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200_000),
        required=False,
        help_text="Markdown by section key; the keys not given are kept as they are.",
    )
    public_omit = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        help_text="The section keys kept out of the public version.",
    )
    version = VersionField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "sections" not in attrs and "public_omit" not in attrs:
            raise serializers.ValidationError(_("Give `sections`, `public_omit` or both."))
        return attrs


class CommentSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="version.report_id", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "report", "version", "section", "text", "author", "created_at", "resolved"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="Report version id.")
    section = serializers.CharField(max_length=32, required=False, allow_blank=True)
    text = serializers.CharField(max_length=5000)


class HitSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="run.version_id", read_only=True)

    class Meta:
        model = Hit
        fields = [
            "id",
            "run",
            "version",
            "code",
            "section",
            "location",
            "start",
            "end",
            "passage",
            "explanation",
            "proposal",
            "status",
        ]
        read_only_fields = fields


class RedactionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Redaction
        fields = ["id", "version", "section", "passage", "replacement", "reason", "created_at"]
        read_only_fields = fields


class RedactionCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="Report version id (unsigned).")
    section = serializers.CharField(max_length=32)
    passage = serializers.CharField(max_length=20_000)
    replacement = serializers.CharField(max_length=200, required=False, default="[…]")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DisseminationSerializer(serializers.ModelSerializer):
    version_number = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Dissemination
        fields = [
            "id",
            "report",
            "version",
            "version_number",
            "variant",
            "authority",
            "recipient",
            "tier",
            "channel",
            "sent_on",
            "acknowledged_on",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class DisseminationCreateSerializer(serializers.Serializer):
    report = serializers.IntegerField(min_value=1)
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Version id; the latest signed one if omitted."
    )
    variant = serializers.ChoiceField(choices=Variant.choices)
    authority = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    recipient = serializers.CharField(max_length=300, required=False, allow_blank=True)
    tier = serializers.ChoiceField(choices=Dissemination.Tier.choices)
    channel = serializers.ChoiceField(choices=Dissemination.Channel.choices)
    sent_on = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AcknowledgeSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The date the recipient acknowledged it.")


class RenderingSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="version.report_id", read_only=True)

    class Meta:
        model = Rendering
        fields = [
            "id",
            "report",
            "version",
            "variant",
            "format",
            "status",
            "progress",
            "size",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class RenderingCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="Report version id.")
    variant = serializers.ChoiceField(choices=Variant.choices)
    format = serializers.ChoiceField(choices=Rendering.Format.choices)


class PublicReportSerializer(serializers.ModelSerializer):
    """What /public/ shows of a report: nothing that is not in its public version."""

    published_number = serializers.IntegerField(source="published_version.number")
    category = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "language",
            "published_at",
            "published_number",
            "category",
            "region",
        ]
        read_only_fields = fields

    def get_category(self, report: Report) -> str:
        place = public_place(report)
        return place.category.name if place is not None else ""

    def get_region(self, report: Report) -> str:
        place = public_place(report)
        return place.region.name if place is not None and place.region_id else ""


def public_place(report: Report) -> Any:
    """The place a report is about, when it is about one (its category and region are
    public; its name is in the public text if the drafter put it there)."""
    if report.place_id:
        return report.place
    if report.visit_id:
        return report.visit.place  # type: ignore[union-attr]
    return None
