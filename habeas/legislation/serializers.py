"""API representations of the legislation tracker (¶12, 26, 28, 29).

Only the fields named here are read from a request: reference, priority, outcome, state,
authors and anything else sent along are ignored, never mass-assigned. Related ids must
name records the requesting user may see; one they may not see is refused as a missing
one is. Linked recommendations, register entries and partners are shown only as far as
the reader may see them. The priority's reasons are written in the reader's language.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.cases.models import RegisterEntry
from habeas.legislation.models import (
    EFFECT_HARM,
    AdvocacyStep,
    Assessment,
    Benchmark,
    Effect,
    LegislationItem,
    Opinion,
    OpinionVersion,
    Outcome,
)
from habeas.legislation.priority import explain
from habeas.partners.models import Partner
from habeas.places.models import Authority
from habeas.places.serializers import RestrictedPrimaryKeyRelatedField, or_empty
from habeas.recommendations.models import Recommendation

TEXT_LIMIT = 20000
LONG_TEXT = {"max_length": TEXT_LIMIT}
VERSION_HELP = (
    "The version you read. Give it here or in an If-Match header; an older one is refused with 409."
)


def reader_of(context: dict[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


@extend_schema_field(or_empty(format="uri", maxLength=200))
class OptionalURLField(serializers.URLField):
    """An address, or empty."""


class LeadField(serializers.PrimaryKeyRelatedField):
    """The member of the NPM who follows the item: an active user who may work on it."""

    def get_queryset(self) -> Any:
        return User.objects.filter(is_active=True, role__in=roles.PERMISSIONS["legislation.change"])


class PriorityReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="What the reason is about, e.g. weakens, deadline_14.")
    points = serializers.IntegerField(help_text="What it adds to the priority.")
    text = serializers.CharField(help_text="The reason in plain words.")


class LinkedReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


ITEM_FIELDS = [
    "id",
    "reference",
    "title",
    "kind",
    "subject",
    "responsible_body",
    "authority",
    "procedure",
    "deadline",
    "official_ref",
    "link",
    "lead",
    "outcome",
    "outcome_note",
    "priority",
    "priority_reasons",
    "is_open",
    "opinions_sent",
    "last_sent_on",
    "steps_count",
    "version",
    "created_at",
    "updated_at",
]
ITEM_READ_ONLY = (
    "id",
    "reference",
    "outcome",
    "outcome_note",
    "priority",
    "version",
    "created_at",
    "updated_at",
)


class LegislationItemSerializer(serializers.ModelSerializer):
    """A legislation item in a list, with its priority and why."""

    authority = RestrictedPrimaryKeyRelatedField(model=Authority, allow_null=True, required=False)
    lead = LeadField(
        allow_null=True, required=False, help_text="The member of the NPM who follows it."
    )
    link = OptionalURLField(max_length=200, required=False, allow_blank=True)
    priority_reasons = serializers.SerializerMethodField(
        help_text="Why this priority: each reason with its points, weightiest first."
    )
    is_open = serializers.BooleanField(
        read_only=True, help_text="Whether the NPM can still change the text."
    )
    opinions_sent = serializers.IntegerField(read_only=True)
    last_sent_on = serializers.DateField(read_only=True, allow_null=True)
    steps_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = LegislationItem
        fields = ITEM_FIELDS
        read_only_fields: tuple[str, ...] = ITEM_READ_ONLY
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "subject": LONG_TEXT,
            "deadline": {"required": False},
        }

    @extend_schema_field(PriorityReasonSerializer(many=True))
    def get_priority_reasons(self, item: LegislationItem) -> list[dict[str, Any]]:
        return [
            {"code": reason.code, "points": reason.points, "text": reason.text}
            for reason in explain(item.priority_reasons)
        ]


class LegislationAssessmentSerializer(serializers.ModelSerializer):
    """What the item does to one benchmark, and the harm it counts for."""

    benchmark_code = serializers.CharField(source="benchmark.code", read_only=True)
    benchmark_title = serializers.CharField(source="benchmark.title", read_only=True)
    weight = serializers.IntegerField(source="benchmark.weight", read_only=True)
    harm = serializers.SerializerMethodField(help_text="Effect's harm x the benchmark's weight.")

    class Meta:
        model = Assessment
        fields = [
            "benchmark",
            "benchmark_code",
            "benchmark_title",
            "weight",
            "effect",
            "harm",
            "note",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = fields

    def get_harm(self, assessment: Assessment) -> int:
        return EFFECT_HARM.get(Effect(assessment.effect), 0) * assessment.benchmark.weight


class LegislationOpinionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Opinion
        fields = ["id", "title", "state", "sent_on", "sent_to", "version"]
        read_only_fields = fields


class LegislationItemDetailSerializer(LegislationItemSerializer):
    """One item with its assessments, opinions and the linked records its reader sees."""

    assessments = LegislationAssessmentSerializer(many=True, read_only=True)
    opinions = LegislationOpinionSummarySerializer(many=True, read_only=True)
    recommendations = serializers.SerializerMethodField()
    register_entries = serializers.SerializerMethodField()

    class Meta(LegislationItemSerializer.Meta):
        fields = [*ITEM_FIELDS, "assessments", "opinions", "recommendations", "register_entries"]

    @extend_schema_field(LinkedReferenceSerializer(many=True))
    def get_recommendations(self, item: LegislationItem) -> list[dict[str, Any]]:
        """The systemic recommendations linked, those the reader may see."""
        rows = getattr(item, "visible_recommendations", [])
        return [{"id": row.pk, "reference": row.reference} for row in rows]

    @extend_schema_field(LinkedReferenceSerializer(many=True))
    def get_register_entries(self, item: LegislationItem) -> list[dict[str, Any]]:
        """The allegations register entries linked, those the reader may see."""
        rows = getattr(item, "visible_register_entries", [])
        return [{"id": row.pk, "reference": row.reference} for row in rows]


class LegislationItemPatchSerializer(LegislationItemSerializer):
    """A change to an item, with the version it was read at (here or in If-Match)."""

    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text=VERSION_HELP
    )

    class Meta(LegislationItemSerializer.Meta):
        read_only_fields = tuple(name for name in ITEM_READ_ONLY if name != "version")


class LegislationAssessSerializer(serializers.Serializer):
    benchmark = RestrictedPrimaryKeyRelatedField(model=Benchmark, help_text="Benchmark id.")
    effect = serializers.ChoiceField(choices=Effect.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        help_text="The provision concerned and how it affects the safeguard.",
    )


class LegislationClearAssessmentSerializer(serializers.Serializer):
    benchmark = RestrictedPrimaryKeyRelatedField(model=Benchmark, help_text="Benchmark id.")


class LegislationOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)


class LegislationLinksSerializer(serializers.Serializer):
    recommendations = serializers.ListField(
        child=RestrictedPrimaryKeyRelatedField(model=Recommendation),
        required=False,
        max_length=500,
        help_text="Ids of the systemic recommendations to link (replaces those you see).",
    )
    register_entries = serializers.ListField(
        child=RestrictedPrimaryKeyRelatedField(model=RegisterEntry),
        required=False,
        max_length=500,
        help_text="Ids of the allegations register entries to link (replaces those you see).",
    )


# -- opinions -----------------------------------------------------------------------------


class LegislationOpinionVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpinionVersion
        fields = ["number", "text", "saved_by", "saved_at"]
        read_only_fields = fields


OPINION_FIELDS = [
    "id",
    "item",
    "item_reference",
    "title",
    "text",
    "state",
    "sent_on",
    "sent_to",
    "published",
    "author",
    "version",
    "created_at",
    "updated_at",
]
OPINION_READ_ONLY = (
    "id",
    "state",
    "sent_on",
    "sent_to",
    "published",
    "author",
    "version",
    "created_at",
    "updated_at",
)


class LegislationOpinionSerializer(serializers.ModelSerializer):
    """An opinion of the NPM on an item: a draft in versions, then sent."""

    item = RestrictedPrimaryKeyRelatedField(model=LegislationItem)
    item_reference = serializers.CharField(source="item.reference", read_only=True)

    class Meta:
        model = Opinion
        fields = OPINION_FIELDS
        read_only_fields: tuple[str, ...] = OPINION_READ_ONLY
        extra_kwargs: ClassVar[dict[str, Any]] = {"text": LONG_TEXT}


class LegislationOpinionDetailSerializer(LegislationOpinionSerializer):
    versions = LegislationOpinionVersionSerializer(many=True, read_only=True)

    class Meta(LegislationOpinionSerializer.Meta):
        fields = [*OPINION_FIELDS, "versions"]


class LegislationOpinionReviseSerializer(serializers.Serializer):
    """A new text (and title) of a draft opinion, from the version read."""

    title = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(max_length=TEXT_LIMIT, required=False)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text=VERSION_HELP
    )


class LegislationOpinionSendSerializer(serializers.Serializer):
    sent_on = serializers.DateField(
        required=False, help_text="The date it was sent; today when not given."
    )
    sent_to = serializers.CharField(max_length=300, help_text="To whom it was sent.")


# -- benchmarks ---------------------------------------------------------------------------

BENCHMARK_FIELDS = [
    "id",
    "code",
    "group",
    "title",
    "source",
    "guidance",
    "weight",
    "active",
    "position",
]


class LegislationBenchmarkSerializer(serializers.ModelSerializer):
    """One line of a checklist; its weight (1 to 5) says how grave a harm to it is."""

    weight = serializers.IntegerField(min_value=1, max_value=5, required=False)

    class Meta:
        model = Benchmark
        fields = BENCHMARK_FIELDS
        read_only_fields: tuple[str, ...] = ("id", "active", "position")
        extra_kwargs: ClassVar[dict[str, Any]] = {"guidance": LONG_TEXT}


class LegislationBenchmarkPatchSerializer(LegislationBenchmarkSerializer):
    """Its code stays; anything else may change, and it may be taken out of use."""

    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)

    class Meta(LegislationBenchmarkSerializer.Meta):
        read_only_fields = ("id", "code")


# -- advocacy steps -----------------------------------------------------------------------


class PartnersField(serializers.ListField):
    """Partners by id: on input, ones the writer may see; on output, those the reader
    may see."""

    def get_attribute(self, step: AdvocacyStep) -> list[Partner]:
        seen = getattr(step, "visible_partners", None)
        if seen is None:
            seen = list(
                Partner.objects.restrict(reader_of(self.context), "view")
                .filter(pk__in=step.partners.values("pk"))
                .order_by("pk")
            )
        return list(seen)


class AdvocacyStepSerializer(serializers.ModelSerializer):
    """A meeting, a hearing, a letter to parliamentarians, a joint statement."""

    item = RestrictedPrimaryKeyRelatedField(model=LegislationItem)
    item_reference = serializers.CharField(source="item.reference", read_only=True)
    partners = PartnersField(
        child=RestrictedPrimaryKeyRelatedField(model=Partner),
        required=False,
        max_length=100,
        help_text="Ids of the partners it was held with (joint statements): those you see.",
    )

    class Meta:
        model = AdvocacyStep
        fields = [
            "id",
            "item",
            "item_reference",
            "kind",
            "held_on",
            "with_whom",
            "partners",
            "summary",
            "result",
            "recorded_by",
            "created_at",
        ]
        read_only_fields: tuple[str, ...] = ("id", "recorded_by", "created_at")
        extra_kwargs: ClassVar[dict[str, Any]] = {"summary": LONG_TEXT, "result": LONG_TEXT}
