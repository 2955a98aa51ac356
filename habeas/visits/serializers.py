"""API representations of visits and team assignments (¶10–17).

Only the fields named here are read from a request: anything else is ignored, never
mass-assigned. Related records must be ones the requesting user may see.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.places.models import Place
from habeas.places.serializers import PatchMixin, RestrictedPrimaryKeyRelatedField
from habeas.visits.models import Guideline, TeamAssignment, Theme, Visit

READ_ONLY: tuple[str, ...] = (
    "id",
    "reference",
    "state",
    "closed_at",
    "version",
    "created_at",
    "updated_at",
)


class LeadField(serializers.PrimaryKeyRelatedField):
    """A member of the NPM's visiting staff, by id."""

    def get_queryset(self) -> Any:
        return User.objects.filter(
            is_active=True, role__in=roles.PERMISSIONS["visits.record"]
        ).exclude(role=roles.Role.EXPERT)


class VisitSerializer(serializers.ModelSerializer):
    place = RestrictedPrimaryKeyRelatedField(model=Place)
    guideline = RestrictedPrimaryKeyRelatedField(model=Guideline, allow_null=True, required=False)
    lead = LeadField(help_text="The head of delegation (a user id).")
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices), required=False, max_length=20
    )
    languages_needed = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=30
    )
    anonymity_cover = serializers.IntegerField(min_value=0, max_value=50, required=False)
    team = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "reference",
            "place",
            "kind",
            "announced",
            "state",
            "starts_on",
            "ends_on",
            "objectives",
            "themes",
            "languages_needed",
            "guideline",
            "lead",
            "anonymity_cover",
            "team",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields: tuple[str, ...] = READ_ONLY

    def get_team(self, visit: Visit) -> list[int]:
        """Ids of the team's members (users)."""
        return sorted(row.user_id for row in visit.team.all())


class VisitPatchSerializer(PatchMixin, VisitSerializer):
    class Meta(VisitSerializer.Meta):
        read_only_fields = tuple(name for name in READ_ONLY if name != "version")


class TeamAssignmentSerializer(serializers.ModelSerializer):
    visit = serializers.PrimaryKeyRelatedField(queryset=Visit.objects.none())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    role = serializers.ChoiceField(
        choices=TeamAssignment.Role.choices,
        required=False,
        help_text="member or interpreter; the visit's lead joins as head of delegation (leader).",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=(
            "Why a blocked person joins anyway: only the head of the NPM may override. Shown "
            "to those who plan visits; empty for others."
        ),
    )
    overridden = serializers.SerializerMethodField()

    class Meta:
        model = TeamAssignment
        fields = [
            "id",
            "visit",
            "user",
            "role",
            "override_reason",
            "overridden",
            "conduct_acknowledged_at",
            "assigned_at",
        ]
        read_only_fields: tuple[str, ...] = ("id", "conduct_acknowledged_at", "assigned_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["visit"].queryset = Visit.objects.restrict(user, "plan")  # type: ignore[attr-defined]
        self.fields["user"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def get_overridden(self, row: TeamAssignment) -> bool:
        return bool(row.override_reason)

    def to_representation(self, instance: TeamAssignment) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not roles.can(getattr(request, "user", None), "visits.plan"):
            data["override_reason"] = ""
        return data
