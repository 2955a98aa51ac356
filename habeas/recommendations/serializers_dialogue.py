"""API representations of the dialogue with authorities: letters (exchanges), the
mapping of a letter onto recommendations, and action plans with their commitments.

Only the fields named here are read from a request: anything else is ignored, never
mass-assigned. A recommendation is named by its reference or its id.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.places.models import Authority
from habeas.places.serializers import PatchMixin, RestrictedPrimaryKeyRelatedField
from habeas.recommendations.models import (
    ActionPlan,
    Commitment,
    Exchange,
    ExchangeAttachment,
    Recommendation,
    Response,
    ResponseStatus,
)
from habeas.recommendations.services_dialogue import PASSAGE_LIMIT

SUMMARY_LIMIT = 50000


def closed_set(values: list[str]) -> dict[str, Any]:
    """One of `values`. "kind", "direction" and "status" name other choice sets elsewhere in
    the API; the set is written in place (not as a shared enum component), so no component
    name is claimed twice."""
    return {"type": "string", "oneOf": [{"enum": values}]}


@extend_schema_field(closed_set(Exchange.Kind.values))
class ExchangeKindField(serializers.ChoiceField):
    pass


@extend_schema_field(closed_set(Exchange.Direction.values))
class DirectionField(serializers.ChoiceField):
    pass


@extend_schema_field(closed_set(ResponseStatus.values))
class ResponseStatusField(serializers.ChoiceField):
    pass


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "maxLength": 32}, {"type": "integer"}],
        "description": "The recommendation's reference (R-2025-00042) or its id.",
    }
)
class RecommendationRefField(serializers.Field):
    """A reference or an id, kept as text; the view resolves it through `restrict`."""

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int):
            raise serializers.ValidationError("Give the recommendation's reference or id.")
        text = str(data).strip().replace("\x00", "")
        if not text or len(text) > 32:
            raise serializers.ValidationError("Give the recommendation's reference or id.")
        return text

    def to_representation(self, value: Any) -> Any:
        return value


def find_recommendation(user: Any, ref: str) -> Recommendation | None:
    """A recommendation the user may record a response to, by reference or id."""
    reachable = Recommendation.objects.restrict(user, "dialogue")
    if ref.isdigit() and len(ref) < 12:
        return reachable.filter(pk=int(ref)).first()
    return reachable.filter(reference__iexact=ref).first()


# -- letters ------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "created_at"]
        read_only_fields = fields


class LetterResponseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="recommendation.reference", read_only=True)
    status = ResponseStatusField(choices=ResponseStatus.choices, read_only=True)

    class Meta:
        model = Response
        fields = ["id", "recommendation", "reference", "status", "passage", "responded_on"]
        read_only_fields = fields


class LetterSerializer(serializers.ModelSerializer):
    kind = ExchangeKindField(choices=Exchange.Kind.choices, read_only=True)
    direction = DirectionField(choices=Exchange.Direction.choices, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Exchange
        fields = [
            "id",
            "authority",
            "kind",
            "direction",
            "occurred_on",
            "subject",
            "their_reference",
            "participants",
            "summary",
            "attachments",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LetterDetailSerializer(LetterSerializer):
    """One letter with the responses it carries (those the reader may see)."""

    responses = serializers.SerializerMethodField()

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "responses"]
        read_only_fields = fields

    @extend_schema_field(LetterResponseSerializer(many=True))
    def get_responses(self, exchange: Exchange) -> list[dict[str, Any]]:
        user = self.context["request"].user
        rows = (
            Response.objects.restrict(user, "view")
            .filter(exchange=exchange)
            .select_related("recommendation")
            .order_by("recommendation__reference", "id")
        )
        return list(LetterResponseSerializer(rows, many=True).data)


class _LetterFields(serializers.Serializer):
    authority = RestrictedPrimaryKeyRelatedField(model=Authority)
    kind = ExchangeKindField(choices=Exchange.Kind.choices)
    direction = DirectionField(choices=Exchange.Direction.choices)
    occurred_on = serializers.DateField()
    subject = serializers.CharField(max_length=300)
    their_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    participants = serializers.CharField(max_length=500, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=SUMMARY_LIMIT, required=False, allow_blank=True)


class LetterCreateSerializer(_LetterFields):
    pass


class LetterPatchSerializer(PatchMixin, _LetterFields):
    """Any of the fields, with the version edited."""


class LetterFilterSerializer(serializers.Serializer):
    authority = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    kind = ExchangeKindField(choices=Exchange.Kind.choices, required=False)
    direction = DirectionField(choices=Exchange.Direction.choices, required=False)


class MapEntrySerializer(serializers.Serializer):
    recommendation = RecommendationRefField()
    status = ResponseStatusField(choices=ResponseStatus.choices)
    passage = serializers.CharField(
        max_length=PASSAGE_LIMIT, required=False, allow_blank=True, trim_whitespace=True
    )
    responded_on = serializers.DateField(required=False, help_text="Left out: the letter's date.")


class LetterMapResultSerializer(serializers.Serializer):
    responses = LetterResponseSerializer(many=True)


# -- action plans -------------------------------------------------------------------------


class _VisibleRecommendations:
    """The recommendation of a commitment, shown only to those who may see it."""

    context: dict[str, Any]

    def _visible(self, pk: int | None) -> bool:
        if pk is None:
            return False
        cache = self.context.setdefault("_visible_recommendations", {})
        if pk not in cache:
            user = self.context["request"].user
            cache[pk] = Recommendation.objects.restrict(user, "view").filter(pk=pk).exists()
        return bool(cache[pk])


class CommitmentSerializer(_VisibleRecommendations, serializers.ModelSerializer):
    recommendation = serializers.SerializerMethodField()
    reference = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "recommendation",
            "reference",
            "text",
            "due_on",
            "done_on",
            "overdue",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_recommendation(self, commitment: Commitment) -> int | None:
        pk = commitment.recommendation_id
        return pk if self._visible(pk) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reference(self, commitment: Commitment) -> str | None:
        if not self._visible(commitment.recommendation_id):
            return None
        return commitment.recommendation.reference if commitment.recommendation else None

    def get_overdue(self, commitment: Commitment) -> bool:
        return commitment.done_on is None and commitment.due_on < timezone.localdate()


class ActionPlanSerializer(serializers.ModelSerializer):
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "authority",
            "title",
            "adopted_on",
            "exchange",
            "commitments",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _CommitmentFields(serializers.Serializer):
    recommendation = RecommendationRefField(required=False, allow_null=True)
    text = serializers.CharField(max_length=SUMMARY_LIMIT)
    due_on = serializers.DateField()
    done_on = serializers.DateField(required=False, allow_null=True)


class CommitmentCreateSerializer(_CommitmentFields):
    pass


class CommitmentPatchSerializer(PatchMixin, _CommitmentFields):
    """Any of the fields, with the version edited."""


class _PlanFields(serializers.Serializer):
    authority = RestrictedPrimaryKeyRelatedField(model=Authority)
    title = serializers.CharField(max_length=300)
    adopted_on = serializers.DateField(required=False, allow_null=True)
    exchange = RestrictedPrimaryKeyRelatedField(model=Exchange, required=False, allow_null=True)


class ActionPlanCreateSerializer(_PlanFields):
    commitments = CommitmentCreateSerializer(many=True, required=False)


class ActionPlanPatchSerializer(PatchMixin, _PlanFields):
    """Any of the plan's own fields, with the version edited; commitments have their route."""


class PlanFilterSerializer(serializers.Serializer):
    authority = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
