"""API representations of the allegations register (¶27) and its statistics.

Only the fields named here are read from a request: anything else is ignored, never
mass-assigned. The `case` field carries a case's id only to those who can see that case;
to anyone else it is null, as if there were no link.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.cases import selectors_register as selectors
from habeas.cases.models import Case, RegisterEntry
from habeas.places.models import Authority, Category, Place, Region
from habeas.places.serializers import (
    CodeRelatedField,
    RestrictedPrimaryKeyRelatedField,
    VersionField,
)

VISIBLE_CASES = "register_visible_cases"


class VisibleCaseField(serializers.PrimaryKeyRelatedField):
    """A case id. Written, it must name a case the user can see; read, it is the id only
    if the user can see that case, else null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Case.objects.none(), **kwargs)

    def get_queryset(self) -> Any:
        return Case.objects.restrict(self._user(), "view")

    def _user(self) -> Any:
        return getattr(self.context.get("request"), "user", None)

    def _visible(self) -> set[Any]:
        """The cases the user can see, asked once per request: need-to-know keeps it short."""
        context = self.context
        if VISIBLE_CASES not in context:
            context[VISIBLE_CASES] = set(self.get_queryset().values_list("pk", flat=True))
        return context[VISIBLE_CASES]

    def to_representation(self, value: Any) -> Any:
        return value.pk if value.pk in self._visible() else None


class RegisterEntrySerializer(serializers.ModelSerializer):
    """An entry. `version` is needed only to change one (PATCH), where it is required."""

    agency = RestrictedPrimaryKeyRelatedField(
        model=Authority, allow_null=True, required=False, help_text="The agency concerned."
    )
    place = RestrictedPrimaryKeyRelatedField(
        model=Place,
        allow_null=True,
        required=False,
        help_text="The place of detention; category and region default to its own.",
    )
    category = CodeRelatedField(
        slug_field="code",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        help_text="Category code of the place, e.g. police-custody.",
    )
    region = RestrictedPrimaryKeyRelatedField(model=Region, allow_null=True, required=False)
    case = VisibleCaseField(
        allow_null=True,
        required=False,
        help_text="The case file it comes from: its id if you are granted on that case, "
        "else null. Changed only by someone who can see the case linked now.",
    )
    version = VersionField(required=False)
    investigation_days = serializers.SerializerMethodField()
    prosecution_days = serializers.SerializerMethodField()
    decision_days = serializers.SerializerMethodField()
    complaint_to_decision_days = serializers.SerializerMethodField()

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "reference",
            "agency",
            "place",
            "category",
            "region",
            "alleged_on",
            "complaint_on",
            "investigation_on",
            "prosecution_on",
            "decision_on",
            "investigation_days",
            "prosecution_days",
            "decision_days",
            "complaint_to_decision_days",
            "classification",
            "outcome",
            "sanction",
            "reparation",
            "legislation_ref",
            "case",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields: tuple[str, ...] = ("id", "reference", "created_at", "updated_at")

    def _days(self, entry: RegisterEntry, step: str) -> int | None:
        return selectors.timeline(entry).step(step).days

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True, help_text="Days from the complaint to the investigation."
        )
    )
    def get_investigation_days(self, entry: RegisterEntry) -> int | None:
        return self._days(entry, "investigation_on")

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True, help_text="Days from the step before to the prosecution."
        )
    )
    def get_prosecution_days(self, entry: RegisterEntry) -> int | None:
        return self._days(entry, "prosecution_on")

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True, help_text="Days from the step before to the decision."
        )
    )
    def get_decision_days(self, entry: RegisterEntry) -> int | None:
        return self._days(entry, "decision_on")

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="Days from complaint to decision.")
    )
    def get_complaint_to_decision_days(self, entry: RegisterEntry) -> int | None:
        return selectors.timeline(entry).total_days


class RegisterStatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="The group's filter value for the entries list (agency, region or year "
        "id, category code); null for entries that do not say.",
    )
    label = serializers.CharField()  # type: ignore[assignment]
    complaints = serializers.IntegerField()
    investigations = serializers.IntegerField(help_text="Investigations opened.")
    prosecutions = serializers.IntegerField()
    convictions = serializers.IntegerField()
    torture = serializers.IntegerField(help_text="Prosecutions classified as torture.")
    lesser = serializers.IntegerField(help_text="Prosecutions classified as a lesser offence.")
    torture_share = serializers.FloatField(
        allow_null=True, help_text="Per cent of classified prosecutions brought as torture."
    )
    lesser_share = serializers.FloatField(allow_null=True)
    decided = serializers.IntegerField(help_text="Entries with a complaint and a decision date.")
    median_days = serializers.FloatField(
        allow_null=True, help_text="Median days from complaint to decision."
    )

    def to_representation(self, row: selectors.StatRow) -> dict[str, Any]:
        data = super().to_representation(row)
        data["key"] = None if row.key is None else str(row.key)
        return data


class RegisterStatisticsSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="agency, category, region or year.")
    count = serializers.IntegerField(help_text="The number of groups.")
    results = RegisterStatisticsRowSerializer(many=True)
    total = RegisterStatisticsRowSerializer(help_text="The same counts over every entry.")
