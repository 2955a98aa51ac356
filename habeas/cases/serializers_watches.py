"""API representations of reprisal watches (¶25).

A list row carries no sealed value (a list is not an audited read); the record read
one at a time carries the details of the risk, and the real identity only for those
who may see it (null for anyone else), with its transfers and checks. Only the fields
named here are read from a request: anything else is ignored, never mass-assigned.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.cases import services
from habeas.cases.models import Case, ReprisalWatch, Transfer, WatchCheck
from habeas.places.models import Place
from habeas.places.serializers import PatchMixin, RestrictedPrimaryKeyRelatedField

TEXT_LIMIT = 20000


# "status", "kind" and "outcome" name other choice sets elsewhere in the API; these are
# written out in place, so no shared enum component is named twice.
@extend_schema_field(
    {"type": "string", "description": "One of: " + ", ".join(ReprisalWatch.Status.values)}
)
class WatchStatusField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": WatchCheck.Kind.values})
class CheckKindField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": ["", *WatchCheck.Outcome.values]})
class CheckOutcomeField(serializers.ChoiceField):
    pass


class TransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transfer
        fields = ["id", "from_place", "to_place", "moved_on", "recorded_at"]
        read_only_fields = fields


class CheckSerializer(serializers.ModelSerializer):
    kind = CheckKindField(choices=WatchCheck.Kind.choices, read_only=True)
    outcome = CheckOutcomeField(choices=WatchCheck.Outcome.choices, read_only=True)
    overdue = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = WatchCheck
        fields = ["id", "kind", "due_on", "done_on", "outcome", "note", "overdue", "alerted_on"]
        read_only_fields = fields

    def get_overdue(self, check: WatchCheck) -> bool:
        return check.done_on is None and check.due_on < services.today()

    def get_note(self, check: WatchCheck) -> str:
        return check.unseal("note", actor=self.context["request"].user)


class WatchSerializer(serializers.ModelSerializer):
    """One row of the list: nothing sealed."""

    status = WatchStatusField(choices=ReprisalWatch.Status.choices, read_only=True)
    source_case = serializers.SerializerMethodField()
    next_check = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReprisalWatch
        fields = [
            "id",
            "reference",
            "pseudonym",
            "status",
            "source_kind",
            "source_ref",
            "source_case",
            "risk_source",
            "feared",
            "consent_raise",
            "place",
            "ngos",
            "lead",
            "opened_on",
            "closed_at",
            "next_check",
            "overdue",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_source_case(self, watch: ReprisalWatch) -> Any:
        """The case it came from, only if the reader may see that case."""
        if watch.source_case_id is None:
            return None
        user = self.context["request"].user
        visible = Case.objects.restrict(user, "view").filter(pk=watch.source_case_id).exists()
        return str(watch.source_case_id) if visible else None


class WatchDetailSerializer(WatchSerializer):
    """The record read on its own (an audited read)."""

    identity = serializers.SerializerMethodField()
    risk_detail = serializers.SerializerMethodField()
    transfers = TransferSerializer(many=True, read_only=True)
    checks = CheckSerializer(many=True, read_only=True)

    class Meta(WatchSerializer.Meta):
        fields = [*WatchSerializer.Meta.fields, "identity", "risk_detail", "transfers", "checks"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_identity(self, watch: ReprisalWatch) -> str | None:
        user = self.context["request"].user
        if not services.may_see_identity(user, watch):
            return None
        return watch.unseal("identity", actor=user)

    def get_risk_detail(self, watch: ReprisalWatch) -> str:
        return watch.unseal("risk_detail", actor=self.context["request"].user)


class _WatchFields(serializers.Serializer):
    pseudonym = serializers.CharField(max_length=64)
    identity = serializers.CharField(
        max_length=TEXT_LIMIT,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The real identity, sealed; kept only if you may see identities.",
    )
    source_kind = serializers.ChoiceField(choices=ReprisalWatch.SourceKind.choices)
    source_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)
    source_case = RestrictedPrimaryKeyRelatedField(
        model=Case, required=False, allow_null=True, pk_field=serializers.UUIDField()
    )
    risk_source = serializers.ChoiceField(choices=ReprisalWatch.RiskSource.choices)
    risk_detail = serializers.CharField(
        max_length=TEXT_LIMIT, required=False, allow_blank=True, write_only=True
    )
    feared = serializers.MultipleChoiceField(
        choices=ReprisalWatch.ReprisalKind.choices, required=False
    )
    consent_raise = serializers.BooleanField(required=False)
    ngos = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate_feared(self, value: Any) -> list[str]:
        return sorted(value)


class WatchCreateSerializer(_WatchFields):
    place = RestrictedPrimaryKeyRelatedField(model=Place)
    opened_on = serializers.DateField(required=False)


class WatchPatchSerializer(PatchMixin, _WatchFields):
    """Any of the fields, with the version edited; a move is a transfer, not an edit."""
