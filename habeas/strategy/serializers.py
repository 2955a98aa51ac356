"""API representations of the strategic plan, its money and the year-end view.

Only the fields named here are read from a request: ids, versions, authors and computed
figures sent along are ignored, never mass-assigned. Related ids must name records the
requesting user may see; one they may not see is refused as a missing one is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.places.models import Category, Region
from habeas.places.serializers import RestrictedPrimaryKeyRelatedField, VersionField
from habeas.strategy import selectors
from habeas.strategy.models import Activity, BudgetLine, Objective

READ_ONLY: tuple[str, ...] = ("id", "version", "created_at", "updated_at")
TEXT_LIMIT = 20000
NON_NEGATIVE = {"min_value": Decimal(0)}


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = [
            "id",
            "code",
            "title",
            "description",
            "first_year",
            "last_year",
            "position",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = READ_ONLY
        extra_kwargs = {"description": {"max_length": TEXT_LIMIT}}


class ObjectivePatchSerializer(ObjectiveSerializer):
    version = VersionField(required=False)

    class Meta(ObjectiveSerializer.Meta):
        read_only_fields = ("id", "created_at", "updated_at")


ACTIVITY_FIELDS = [
    "id",
    "objective",
    "kind",
    "title",
    "year",
    "status",
    "selection_criteria",
    "categories",
    "regions",
    "planned_staff_days",
    "spent_staff_days",
    "spent_staff_days_counted",
    "planned_money",
    "spent_money",
    "indicators",
    "outcomes",
    "lessons",
    "version",
    "created_at",
    "updated_at",
]


class PlanActivitySerializer(serializers.ModelSerializer):
    """An activity with the staff-days it used: counted from the visits for a visits
    activity, as entered for the others (`spent_staff_days_counted`)."""

    objective = RestrictedPrimaryKeyRelatedField(model=Objective)
    categories = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Category.objects.all(), required=False
    )
    regions = RestrictedPrimaryKeyRelatedField(model=Region, many=True, required=False)
    spent_staff_days_counted = serializers.SerializerMethodField(
        help_text="The staff-days the activity used. For a visits activity: over the visits "
        "that took place in its year at places of its categories and regions (all when none), "
        "the days of each visit times the members of its team, interpreters not counted. "
        "For other kinds: the figure entered, or null."
    )

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        read_only_fields = READ_ONLY
        extra_kwargs = {
            "planned_staff_days": NON_NEGATIVE,
            "spent_staff_days": NON_NEGATIVE,
            "planned_money": NON_NEGATIVE,
            "spent_money": NON_NEGATIVE,
            **{
                name: {"max_length": TEXT_LIMIT}
                for name in ("selection_criteria", "indicators", "outcomes", "lessons")
            },
        }

    @extend_schema_field(serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True))
    def get_spent_staff_days_counted(self, activity: Activity) -> Any:
        days = selectors.activity_spent_staff_days(activity)
        return None if days is None else f"{days:.1f}"


class PlanActivityPatchSerializer(PlanActivitySerializer):
    """The fields of an activity that change; its objective does not."""

    version = VersionField(required=False)

    class Meta(PlanActivitySerializer.Meta):
        fields = [name for name in ACTIVITY_FIELDS if name != "spent_staff_days_counted"]
        read_only_fields = ("id", "objective", "created_at", "updated_at")


class BudgetLineSerializer(serializers.ModelSerializer):
    activity = RestrictedPrimaryKeyRelatedField(model=Activity, allow_null=True, required=False)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "year",
            "kind",
            "activity",
            "label",
            "planned",
            "spent",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = READ_ONLY
        extra_kwargs = {"planned": NON_NEGATIVE, "spent": NON_NEGATIVE}


class BudgetLinePatchSerializer(BudgetLineSerializer):
    version = VersionField(required=False)

    class Meta(BudgetLineSerializer.Meta):
        read_only_fields = ("id", "created_at", "updated_at")


# -- the year-end view --------------------------------------------------------------------------


class YearEndKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    money_planned = serializers.DecimalField(max_digits=16, decimal_places=2)
    money_spent = serializers.DecimalField(max_digits=16, decimal_places=2)
    execution = serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text="Money spent / planned, %."
    )
    days_planned = serializers.DecimalField(max_digits=12, decimal_places=1)
    days_spent = serializers.DecimalField(max_digits=12, decimal_places=1)
    activities = serializers.IntegerField()
    days_missing = serializers.IntegerField(
        help_text="Activities of this kind (not visits) with no spent staff-days entered."
    )


class YearEndNeglectedSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["category", "region"])
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    places = serializers.IntegerField()
    last_visit = serializers.DateField(allow_null=True)


class YearEndShareSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["category", "region"])
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    places = serializers.IntegerField()
    places_share = serializers.DecimalField(max_digits=5, decimal_places=1)
    visits = serializers.IntegerField()
    visits_share = serializers.DecimalField(max_digits=5, decimal_places=1)
    flagged = serializers.BooleanField()


class YearEndRecommendationsSerializer(serializers.Serializer):
    issued = serializers.IntegerField(help_text="Sent to the authorities in the year.")
    achieved = serializers.IntegerField(help_text="Of those, achieved now.")
    partly = serializers.IntegerField(help_text="Of those, partly achieved now.")
    achieved_in_year = serializers.IntegerField(
        help_text="Verified achieved during the year, whenever issued."
    )


class YearEndSerializer(serializers.Serializer):
    """The year-end view's four answers; places, visits and recommendations counted as
    far as the reader may see them."""

    year = serializers.IntegerField()
    currency = serializers.CharField()
    money_planned = serializers.DecimalField(max_digits=16, decimal_places=2)
    money_spent = serializers.DecimalField(max_digits=16, decimal_places=2)
    money_execution = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    days_planned = serializers.DecimalField(max_digits=12, decimal_places=1)
    days_spent = serializers.DecimalField(max_digits=12, decimal_places=1)
    kinds = YearEndKindSerializer(many=True)
    neglected = YearEndNeglectedSerializer(many=True)
    recommendations = YearEndRecommendationsSerializer()
    places_total = serializers.IntegerField()
    visits_total = serializers.IntegerField()
    categories = YearEndShareSerializer(many=True)
    regions = YearEndShareSerializer(many=True)
