"""Serializers of the risk model's API (¶10): live scores with their breakdown, and the
versions of the weights."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.planning import risk
from habeas.planning.models import Factor, RiskWeights
from habeas.planning.selectors_risk import RiskRow


class RiskFactorSerializer(serializers.Serializer):
    """One factor of a score. A `hidden` factor is counted from confidential records the
    reader may not see: its figure, strength and points are null, though its points are
    in the score."""

    factor = serializers.ChoiceField(choices=Factor.choices)
    name = serializers.CharField(help_text="The factor's name, in the reader's language.")
    value = serializers.FloatField(
        allow_null=True,
        help_text="The raw figure: a ratio (occupancy), months, a count, or the category's "
        "level; null when there is no data, when never visited, or when hidden.",
    )
    strength = serializers.FloatField(allow_null=True, help_text="From 0 to 1; null if hidden.")
    points = serializers.FloatField(allow_null=True, help_text="Weight × strength; null if hidden.")
    missing = serializers.BooleanField(help_text="No data: the factor adds nothing.")
    hidden = serializers.BooleanField(
        help_text="Counted from confidential records you may not see."
    )
    text = serializers.CharField(help_text="What the factor found, in plain words.")


def factor_data(factor: risk.FactorScore) -> dict[str, Any]:
    shown = not factor.hidden
    return {
        "factor": factor.factor,
        "name": factor.label,
        "value": None if factor.value is None or not shown else round(factor.value, 4),
        "strength": round(factor.strength, 4) if shown else None,
        "points": round(factor.points, 4) if shown else None,
        "missing": factor.missing,
        "hidden": factor.hidden,
        "text": factor.text,
    }


class RiskScoreSerializer(serializers.Serializer):
    """The live risk score of one open place, with every factor."""

    place = serializers.IntegerField(source="place_id", help_text="Place id.")
    name = serializers.CharField()
    category = serializers.CharField()
    region = serializers.CharField()
    score = serializers.FloatField(help_text="The sum of the factors' points.")
    missing = serializers.SerializerMethodField(
        help_text="The factors without data (they add nothing)."
    )
    breakdown = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, row: RiskRow) -> list[str]:
        return row.risk.missing()

    @extend_schema_field(RiskFactorSerializer(many=True))
    def get_breakdown(self, row: RiskRow) -> list[dict[str, Any]]:
        return [factor_data(factor) for factor in row.risk.factors]


def _weight_field() -> serializers.FloatField:
    return serializers.FloatField(min_value=0, max_value=100)


class RiskFactorWeightsSerializer(serializers.Serializer):
    """One weight per factor: the points it adds at full strength (0 to 100)."""

    occupancy = _weight_field()
    since_in_depth = _weight_field()
    since_any = _weight_field()
    overdue_recommendations = _weight_field()
    allegations = _weight_field()
    watches = _weight_field()
    submissions = _weight_field()
    vulnerable = _weight_field()
    category = _weight_field()
    difficulties = _weight_field()


class RiskWeightsSerializer(serializers.ModelSerializer):
    """One version of the weights."""

    weights = serializers.SerializerMethodField()

    class Meta:
        model = RiskWeights
        fields = ["id", "number", "weights", "note", "created_by", "created_at"]
        read_only_fields = fields

    @extend_schema_field(RiskFactorWeightsSerializer)
    def get_weights(self, version: RiskWeights) -> dict[str, float]:
        return risk.weights_of(version.weights)


class RiskWeightsCreateSerializer(serializers.Serializer):
    """A new version of the weights, from the version you read."""

    weights = RiskFactorWeightsSerializer()
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Why the weights change."
    )
    based_on = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The number of the version you read; if another was saved since, 409.",
    )
