"""API representations of the visit programme and the team proposals (¶10, 11, 35, 36).

Only the fields named here are read from a request: status, results, sources and authors
sent along are ignored, never mass-assigned. Places and regions must be ones the reader
may see. Codes (reasons, build notes, team checks) come with their sentence in the
reader's language (`selectors.explain`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.places.models import Category, Place, Region
from habeas.places.serializers import RestrictedPrimaryKeyRelatedField, VersionField
from habeas.planning import selectors
from habeas.planning.models import PlannedVisit, Programme, TeamProposal
from habeas.visits.models import Visit


class PlanningExplainedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="What it is about, e.g. no_capacity, team_short.")
    params = serializers.DictField(help_text="The figures the sentence is made from.")
    text = serializers.CharField(help_text="In plain words, in your language.")


class PlanningCheckSerializer(PlanningExplainedSerializer):
    level = serializers.ChoiceField(
        choices=["block", "warning", "info", "ok"],
        help_text="block: no full team; warning: a need unmet; info: what limited the "
        "choice; ok: what holds.",
    )


class PlanningReasonSerializer(serializers.Serializer):
    factor = serializers.CharField(help_text="A risk factor, or overdue, follow_up, pinned…")
    points = serializers.FloatField(allow_null=True, help_text="What it adds to the risk score.")
    text = serializers.CharField()


class PlanningFiguresSerializer(serializers.Serializer):
    risk_covered = serializers.FloatField()
    places_overdue = serializers.IntegerField()
    regions_left_out = serializers.IntegerField()
    categories_left_out = serializers.IntegerField()
    visits = serializers.IntegerField()


class PlanningComparisonSerializer(serializers.Serializer):
    programme = PlanningFiguresSerializer(required=False)
    greedy = PlanningFiguresSerializer(required=False, help_text="“Most overdue first”.")


class PlanningLeftOutSerializer(serializers.Serializer):
    regions = serializers.ListField(child=serializers.IntegerField())
    categories = serializers.ListField(child=serializers.IntegerField())


PROGRAMME_FIELDS = [
    "id",
    "period",
    "title",
    "starts_on",
    "ends_on",
    "status",
    "progress",
    "failure",
    "reserve_share",
    "default_max_interval_months",
    "trip_sharing",
    "trip_radius_km",
    "trip_overhead_days",
    "time_limit_seconds",
    "max_visits",
    "solver",
    "objective",
    "bound",
    "gap",
    "solve_seconds",
    "greedy_objective",
    "comparison",
    "left_out",
    "exceeded",
    "explanations",
    "built_at",
    "teams_status",
    "teams_failure",
    "teams_built_at",
    "adopted_at",
    "version",
    "created_at",
    "updated_at",
]
SETTINGS = [
    "title",
    "reserve_share",
    "default_max_interval_months",
    "trip_sharing",
    "trip_radius_km",
    "trip_overhead_days",
    "time_limit_seconds",
    "max_visits",
]


class ProgrammeSerializer(serializers.ModelSerializer):
    """A visit programme: its settings and what its last build found."""

    comparison = serializers.SerializerMethodField(
        help_text="The programme against “most overdue first”, on the same figures."
    )
    left_out = serializers.SerializerMethodField(
        help_text="Region and category ids with open places and no visit."
    )
    exceeded = serializers.SerializerMethodField(
        help_text="Places whose maximum interval will be exceeded by the period's end."
    )
    explanations = serializers.SerializerMethodField(help_text="What the build found.")

    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS
        read_only_fields = [f for f in PROGRAMME_FIELDS if f not in ("period", "title")]

    @extend_schema_field(PlanningComparisonSerializer)
    def get_comparison(self, programme: Programme) -> dict[str, Any]:
        data = programme.comparison or {}
        return {k: data[k] for k in ("programme", "greedy") if k in data}

    @extend_schema_field(PlanningLeftOutSerializer)
    def get_left_out(self, programme: Programme) -> dict[str, list[int]]:
        data = programme.left_out or {}
        return {"regions": list(data.get("regions", [])), "categories": data.get("categories", [])}

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_exceeded(self, programme: Programme) -> list[int]:
        return list(programme.exceeded or [])

    @extend_schema_field(PlanningExplainedSerializer(many=True))
    def get_explanations(self, programme: Programme) -> list[dict[str, Any]]:
        return [
            {
                "code": e.get("code", ""),
                "params": e.get("params") or {},
                "text": selectors.explain(e.get("code", ""), e.get("params") or {}),
            }
            for e in programme.explanations or []
        ]


class ProgrammeCreateSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=8, help_text="2027-Q1 or 2027.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ProgrammePatchSerializer(serializers.ModelSerializer):
    version = VersionField(required=False)

    class Meta:
        model = Programme
        fields = [*SETTINGS, "version"]
        extra_kwargs = {name: {"required": False} for name in SETTINGS}


class ProgrammeJustifySerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    region = RestrictedPrimaryKeyRelatedField(model=Region, required=False, allow_null=True)
    text = serializers.CharField(max_length=5000, help_text="At least 20 characters.")


class ProgrammeActionSerializer(serializers.Serializer):
    """Nothing to send."""


class PlannedVisitSerializer(serializers.ModelSerializer):
    """A visit of a programme: which place, which week, which type, and why."""

    place_name = serializers.CharField(source="place.name", read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = PlannedVisit
        fields = [
            "id",
            "programme",
            "place",
            "place_name",
            "week_starts_on",
            "kind",
            "days",
            "staff_days",
            "team_size",
            "source",
            "pinned",
            "risk_score",
            "reasons",
            "visit",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanningReasonSerializer(many=True))
    def get_reasons(self, planned: PlannedVisit) -> list[dict[str, Any]]:
        return [
            {
                "factor": r.get("factor", ""),
                "points": r.get("points"),
                "text": selectors.explain(r.get("factor", ""), r.get("params") or {}),
            }
            for r in planned.reasons or []
        ]


class ChangeableProgrammeField(serializers.PrimaryKeyRelatedField):
    """A programme the requesting user may change."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Programme.objects.all(), **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return Programme.objects.restrict(getattr(request, "user", None), "change")


class PlannedVisitCreateSerializer(serializers.Serializer):
    programme = ChangeableProgrammeField()
    place = RestrictedPrimaryKeyRelatedField(model=Place)
    week_starts_on = serializers.DateField(help_text="Any day of the week; the Monday is kept.")
    kind = serializers.ChoiceField(choices=Visit.Kind.choices)


class PlannedVisitPatchSerializer(serializers.Serializer):
    pinned = serializers.BooleanField(required=False)
    week_starts_on = serializers.DateField(
        required=False, help_text="Move it to this week; a moved visit is pinned."
    )
    version = VersionField(required=False)


class PlanningMemberSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["leader", "member"])
    profession = serializers.CharField()


class TeamProposalSerializer(serializers.ModelSerializer):
    """The team builder's proposal for a planned visit, explained."""

    members = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField()

    class Meta:
        model = TeamProposal
        fields = ["id", "planned_visit", "members", "checks", "built_at"]
        read_only_fields = fields

    def _view(self, proposal: TeamProposal) -> dict[str, Any]:
        cache = self.context.setdefault("team_views", {})
        if proposal.pk not in cache:
            cache.update(selectors.team_views([proposal]))
        return cache[proposal.pk]

    @extend_schema_field(PlanningMemberSerializer(many=True))
    def get_members(self, proposal: TeamProposal) -> list[dict[str, Any]]:
        return [
            {
                "user": m["user"].pk,
                "name": m["name"],
                "role": m["role"],
                "profession": str(m["profession"]),
            }
            for m in self._view(proposal).get("members", [])
        ]

    @extend_schema_field(PlanningCheckSerializer(many=True))
    def get_checks(self, proposal: TeamProposal) -> list[dict[str, Any]]:
        stored = {c["code"]: c.get("params") or {} for c in proposal.checks}
        return [
            {**c, "params": stored.get(c["code"], {})}
            for c in self._view(proposal).get("checks", [])
        ]
