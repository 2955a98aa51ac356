"""Shapes of the analytics API (¶34): each analysis as the reader sees it, and saved views."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from habeas.assessment.models_analytics import SavedView


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HeatmapRowSerializer(serializers.Serializer):
    theme = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    counts = serializers.ListField(
        child=serializers.IntegerField(), help_text="One count per category, in their order."
    )
    total = serializers.IntegerField()


class HeatmapSerializer(serializers.Serializer):
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="tally: counted from the current tally; live: from the findings."
    )
    categories = CategoryRefSerializer(many=True)
    rows = HeatmapRowSerializer(many=True)
    column_totals = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class TrendSeriesSerializer(serializers.Serializer):
    theme = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    values = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class TrendsSerializer(serializers.Serializer):
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="tally: counted from the current tally; live: from the findings."
    )
    years = serializers.ListField(child=serializers.IntegerField())
    series = TrendSeriesSerializer(many=True)
    year_totals = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class GenericProblemSerializer(serializers.Serializer):
    theme = serializers.CharField()
    theme_label = serializers.CharField()
    standard = serializers.CharField()
    standard_label = serializers.CharField()
    places = serializers.IntegerField()
    findings = serializers.IntegerField()


class PlaceCountSerializer(serializers.Serializer):
    place = serializers.IntegerField()
    name = serializers.CharField()
    findings = serializers.IntegerField()


class GoodPracticeSerializer(serializers.Serializer):
    theme = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    findings = serializers.IntegerField()
    places = serializers.IntegerField()
    top = PlaceCountSerializer(many=True)


class SeriousPlaceSerializer(serializers.Serializer):
    place = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()
    urgent = serializers.IntegerField()
    key = serializers.IntegerField()


class SavedViewSerializer(serializers.ModelSerializer):
    mine = serializers.SerializerMethodField()

    class Meta:
        model = SavedView
        fields = ["id", "name", "kind", "params", "shared", "mine", "created_at"]
        read_only_fields = ["id", "mine", "created_at"]

    def get_mine(self, view: SavedView) -> bool:
        request: Any = self.context.get("request")
        return bool(request and view.owner_id == request.user.pk)
