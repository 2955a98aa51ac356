"""API representations of recommendations, responses and verifications (¶20–24).

Only the fields named here are read from a request: state, reference, response,
implementation and anything else sent along are ignored, never mass-assigned. Related
ids must name records the requesting user may see; one they may not see is refused as a
missing one is. Linked records are shown only as far as the reader may see them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.places.models import Authority, Place, PlaceDocument
from habeas.places.serializers import PatchMixin, RestrictedPrimaryKeyRelatedField
from habeas.recommendations import services
from habeas.recommendations.models import (
    Exchange,
    Implementation,
    Recommendation,
    Response,
    ResponseStatus,
    Verification,
)
from habeas.visits.models import Finding, Visit

TEXT_LIMIT = 20000
SUMMARY_FIELDS = [
    "id",
    "reference",
    "text",
    "origin",
    "source_ref",
    "visit",
    "place",
    "addressee",
    "level",
    "theme",
    "root_cause",
    "priority",
    "deadline",
    "liaison",
    "owner",
    "state",
    "sent_on",
    "response_due",
    "response",
    "responded_on",
    "implementation",
    "implementation_on",
    "days_to_implement",
    "overdue",
    "version",
    "created_at",
    "updated_at",
]
READ_ONLY = (
    "id",
    "reference",
    "state",
    "sent_on",
    "response_due",
    "response",
    "responded_on",
    "implementation",
    "implementation_on",
    "days_to_implement",
    "version",
    "created_at",
    "updated_at",
)
LONG_TEXT = {"max_length": TEXT_LIMIT}


def reader_of(context: dict[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


def visible(context: dict[str, Any], model: type[Model], pk: int | None) -> bool:
    """Whether the reader may see this record; asked once per record and request. A
    list view may fill `context["visible"]` for its whole page at once."""
    if pk is None:
        return False
    cache = context.setdefault("visible", {})
    key = (model._meta.label, pk)
    if key not in cache:
        rows = model._default_manager.restrict(reader_of(context), "view")  # type: ignore[attr-defined]
        cache[key] = rows.filter(pk=pk).exists()
    return bool(cache[key])


class OwnerField(serializers.PrimaryKeyRelatedField):
    """The follow-up officer: an active member of the NPM who may draft recommendations."""

    def get_queryset(self) -> Any:
        return User.objects.filter(
            is_active=True, role__in=roles.PERMISSIONS["recommendations.draft"]
        )


class DocumentField(serializers.PrimaryKeyRelatedField):
    """An archived document of a place the reader may see."""

    def get_queryset(self) -> Any:
        places = Place.objects.restrict(reader_of(self.context), "view")
        return PlaceDocument.objects.filter(place__in=places.values("pk"))


class FindingsField(serializers.ListField):
    """Findings by id: on input, ones the writer may see; on output, those of the
    recommendation the reader may see."""

    def get_attribute(self, instance: Recommendation) -> list[Finding]:
        seen = Finding.objects.restrict(reader_of(self.context), "view")
        return list(seen.filter(recommendations=instance).order_by("pk"))


class ReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class RecommendationSummarySerializer(serializers.ModelSerializer):
    """A recommendation in a list: its fields, latest response and implementation."""

    visit = RestrictedPrimaryKeyRelatedField(model=Visit, allow_null=True, required=False)
    place = RestrictedPrimaryKeyRelatedField(model=Place, allow_null=True, required=False)
    addressee = RestrictedPrimaryKeyRelatedField(model=Authority, allow_null=True, required=False)
    owner = OwnerField(
        allow_null=True,
        required=False,
        help_text="The follow-up officer (a user id); the drafter by default.",
    )
    # Read-only, yet empty until recorded: said explicitly, so the schema allows "".
    response = serializers.ChoiceField(
        choices=ResponseStatus.choices,
        allow_blank=True,
        read_only=True,
        help_text="The latest response; empty when none is recorded.",
    )
    implementation = serializers.ChoiceField(
        choices=Implementation.choices,
        allow_blank=True,
        read_only=True,
        help_text="The latest verified status; empty until verified.",
    )
    overdue = serializers.SerializerMethodField(
        help_text="Sent, past its deadline and neither achieved nor no longer relevant."
    )

    class Meta:
        model = Recommendation
        fields = SUMMARY_FIELDS
        read_only_fields: tuple[str, ...] = READ_ONLY
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "text": LONG_TEXT,
            "root_cause": LONG_TEXT,
            "deadline": {"required": False},
        }

    def get_overdue(self, recommendation: Recommendation) -> bool:
        return services.is_overdue(recommendation, timezone.localdate())


class RecommendationSerializer(RecommendationSummarySerializer):
    """One recommendation, with the findings, linked recommendations and the earlier
    recommendation it repeats, as far as the reader may see them."""

    findings = FindingsField(
        child=RestrictedPrimaryKeyRelatedField(model=Finding),
        required=False,
        max_length=200,
        help_text="Ids of the findings it rests on: those you may see.",
    )
    linked = serializers.SerializerMethodField()
    repeat_of = serializers.SerializerMethodField()

    class Meta(RecommendationSummarySerializer.Meta):
        fields = [*SUMMARY_FIELDS, "findings", "linked", "repeat_of"]

    @extend_schema_field(ReferenceSerializer(many=True))
    def get_linked(self, instance: Recommendation) -> list[dict[str, Any]]:
        """Recommendations tracked together with this one."""
        seen = Recommendation.objects.restrict(reader_of(self.context), "view")
        rows = seen.filter(pk__in=instance.linked.values("pk")).order_by("reference")
        return list(rows.values("id", "reference"))

    @extend_schema_field(ReferenceSerializer(allow_null=True))
    def get_repeat_of(self, instance: Recommendation) -> dict[str, Any] | None:
        """The earlier recommendation this one repeats."""
        earlier_pk = instance.repeat_of_id
        if earlier_pk is None or not visible(self.context, Recommendation, earlier_pk):
            return None
        earlier = Recommendation.objects.values("id", "reference").get(pk=earlier_pk)
        return dict(earlier)


class RecommendationPatchSerializer(PatchMixin, RecommendationSerializer):
    """A change to a recommendation, with the version it was read at. Once sent, only
    its priority, deadline, liaison and follow-up officer may change."""

    class Meta(RecommendationSerializer.Meta):
        read_only_fields = tuple(name for name in READ_ONLY if name != "version")


class SendSerializer(serializers.Serializer):
    sent_on = serializers.DateField(
        required=False, help_text="The date it was sent; today when not given."
    )


class SendManySerializer(SendSerializer):
    ids = serializers.ListField(
        child=RestrictedPrimaryKeyRelatedField(model=Recommendation),
        min_length=1,
        max_length=500,
        help_text="The drafts to send, all or none.",
    )


class LinkSerializer(serializers.Serializer):
    other = RestrictedPrimaryKeyRelatedField(
        model=Recommendation, help_text="The recommendation to track together with this one."
    )
    linked = serializers.BooleanField(default=True, help_text="false to unlink them.")


class RepeatSerializer(serializers.Serializer):
    earlier = RestrictedPrimaryKeyRelatedField(
        model=Recommendation,
        allow_null=True,
        help_text="The earlier recommendation this one repeats; null when it repeats none.",
    )


class ResponseSerializer(serializers.ModelSerializer):
    """An authority's response to one recommendation, with the passage that says so."""

    recommendation = RestrictedPrimaryKeyRelatedField(model=Recommendation)
    exchange = RestrictedPrimaryKeyRelatedField(
        model=Exchange,
        allow_null=True,
        required=False,
        help_text="The letter or exchange that carried it: shown to those who see the dialogue.",
    )

    class Meta:
        model = Response
        fields = [
            "id",
            "recommendation",
            "exchange",
            "status",
            "passage",
            "responded_on",
            "recorded_by",
            "created_at",
        ]
        read_only_fields: tuple[str, ...] = ("id", "recorded_by", "created_at")
        extra_kwargs: ClassVar[dict[str, Any]] = {"passage": LONG_TEXT}

    def to_representation(self, instance: Response) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not visible(self.context, Exchange, instance.exchange_id):
            data["exchange"] = None
        return data


EVIDENCE_FIELDS = {
    Verification.Evidence.FINDING: ("finding",),
    Verification.Evidence.DOCUMENT: ("document", "exchange"),
    Verification.Evidence.RESPONSE: ("response",),
}


class VerificationSerializer(serializers.ModelSerializer):
    """A dated implementation status with its evidence: give `evidence` and the id of
    the matching record (a finding, a document or exchange, or a response)."""

    recommendation = RestrictedPrimaryKeyRelatedField(model=Recommendation)
    finding = RestrictedPrimaryKeyRelatedField(model=Finding, allow_null=True, required=False)
    document = DocumentField(allow_null=True, required=False)
    exchange = RestrictedPrimaryKeyRelatedField(model=Exchange, allow_null=True, required=False)
    response = RestrictedPrimaryKeyRelatedField(model=Response, allow_null=True, required=False)

    class Meta:
        model = Verification
        fields = [
            "id",
            "recommendation",
            "status",
            "verified_on",
            "evidence",
            "finding",
            "document",
            "exchange",
            "response",
            "note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields: tuple[str, ...] = ("id", "recorded_by", "created_at")
        extra_kwargs: ClassVar[dict[str, Any]] = {"note": LONG_TEXT}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        wanted = EVIDENCE_FIELDS.get(attrs.get("evidence", ""), ())
        stray = {
            name: _("This is not evidence of the kind chosen.")
            for name in ("finding", "document", "exchange", "response")
            if attrs.get(name) is not None and name not in wanted
        }
        if stray:
            raise serializers.ValidationError(stray)
        return attrs

    def to_representation(self, instance: Verification) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not visible(self.context, Finding, instance.finding_id):
            data["finding"] = None
        if not visible(self.context, Exchange, instance.exchange_id):
            data["exchange"] = None
        return data
