"""API representations of the visit's field work (read-only).

Interview notes travel only to the team and the head, and only on a single interview
(an audited read); a real identity only to those of them whose role holds
`cases.identity`. Register discrepancies likewise. Nothing sealed is ever in a list.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.visits import triangulation
from habeas.visits.models import Difficulty, Evidence, Finding, Interview, RegisterCheck


class InterviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interview
        fields = [
            "id",
            "visit",
            "kind",
            "unit",
            "pseudonym",
            "held_at",
            "interviewer",
            "interpreter_language",
            "participants",
            "consent_use",
            "consent_transmit",
            "consent_publish",
            "sensitive",
            "allegation",
            "follow_up_of",
            "topics",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InterviewDetailSerializer(InterviewSerializer):
    """One interview, with its notes; `identity` is present only for those with the right."""

    notes = serializers.SerializerMethodField()
    identity = serializers.SerializerMethodField()

    class Meta(InterviewSerializer.Meta):
        fields = [*InterviewSerializer.Meta.fields, "interpreter_name", "notes", "identity"]
        read_only_fields = fields

    def get_notes(self, interview: Interview) -> str:
        return str(self.context.get("opened", {}).get("notes", ""))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_identity(self, interview: Interview) -> str | None:
        opened = self.context.get("opened", {})
        return opened.get("identity") if "identity" in opened else None


class RegisterCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegisterCheck
        fields = [
            "id",
            "visit",
            "kind",
            "unit",
            "sample",
            "entries_checked",
            "verified",
            "discrepancies_found",
            "created_at",
        ]
        read_only_fields = fields


class RegisterCheckDetailSerializer(RegisterCheckSerializer):
    discrepancies = serializers.SerializerMethodField()

    class Meta(RegisterCheckSerializer.Meta):
        fields = [*RegisterCheckSerializer.Meta.fields, "discrepancies"]
        read_only_fields = fields

    def get_discrepancies(self, check: RegisterCheck) -> str:
        return str(self.context.get("discrepancies", ""))


class FindingEvidenceSerializer(serializers.ModelSerializer):
    """Links to interviews, register checks and photographs are given as ids only to
    the team; others see the kind of source and its note."""

    interview = serializers.SerializerMethodField()
    register_check = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "source", "interview", "register_check", "photo", "document", "note"]
        read_only_fields = fields

    def _team(self, evidence: Evidence) -> bool:
        teams: set[int] = self.context.get("team_visits", set())
        return evidence.finding.visit_id in teams

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_interview(self, evidence: Evidence) -> Any:
        ok = evidence.interview_id and self._team(evidence)
        return str(evidence.interview_id) if ok else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_register_check(self, evidence: Evidence) -> Any:
        ok = evidence.register_check_id and self._team(evidence)
        return str(evidence.register_check_id) if ok else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_photo(self, evidence: Evidence) -> Any:
        return str(evidence.photo_id) if evidence.photo_id and self._team(evidence) else None


class TriangulationSerializer(serializers.Serializer):
    sources = serializers.IntegerField()
    kinds = serializers.ListField(child=serializers.CharField())
    units = serializers.IntegerField()
    recurring = serializers.BooleanField()


class FindingSerializer(serializers.ModelSerializer):
    evidence = FindingEvidenceSerializer(many=True, read_only=True)
    # A good practice has no severity: "" is a value the answer may carry.
    severity = serializers.ChoiceField(
        choices=Finding.Severity.choices, allow_blank=True, read_only=True
    )
    triangulation_detail = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "visit",
            "theme",
            "kind",
            "severity",
            "statement",
            "unit",
            "standards",
            "standard_note",
            "established",
            "triangulation",
            "triangulation_detail",
            "evidence",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TriangulationSerializer)
    def get_triangulation_detail(self, finding: Finding) -> dict[str, Any]:
        return triangulation.explain(finding)


class DifficultySerializer(serializers.ModelSerializer):
    class Meta:
        model = Difficulty
        fields = [
            "id",
            "visit",
            "kind",
            "occurred_at",
            "duration_minutes",
            "description",
            "told_whom",
            "told_at",
            "created_at",
        ]
        read_only_fields = fields
