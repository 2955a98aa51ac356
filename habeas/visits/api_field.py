"""API v1 of the visit's field work: `/api/v1/interviews/`, `/api/v1/register-checks/`,
`/api/v1/findings/`, `/api/v1/difficulties/` (read-only; the pages write).

Reads start from `restrict(request.user, "view")`: interviews and register checks are
the team's and the head's only, so anyone else gets an empty list and a 404 for every
id, as for a missing record. Lists never carry sealed text; reading one interview or
register check returns its notes or discrepancies and is audited; a real identity is
returned only to those whose role holds `cases.identity`. Each list filters by `visit`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.accounts import roles
from habeas.api.lookups import UUID_PATTERN
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.places.api import RefusalsSchema
from habeas.visits import services_field
from habeas.visits.models import (
    Difficulty,
    Evidence,
    Finding,
    Interview,
    RegisterCheck,
    TeamAssignment,
    Visit,
)
from habeas.visits.serializers_field import (
    DifficultySerializer,
    FindingSerializer,
    InterviewDetailSerializer,
    InterviewSerializer,
    RegisterCheckDetailSerializer,
    RegisterCheckSerializer,
)

MAX_ID = 2**63 - 1
VISIT_FILTER = [OpenApiParameter("visit", OpenApiTypes.INT, description="A visit's id.")]


class FieldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    pagination_class = Pagination
    http_method_names = ["get", "head"]
    model: ClassVar[Any]
    permission_map: ClassVar[dict[str, str]] = {"GET": "visits.view", "HEAD": "visits.view"}

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A signed-in reader without the role sees an empty list and a 404 for every id.
        if request.method in permissions.SAFE_METHODS and request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        records = self.model.objects.restrict(self.request.user, "view")
        if self.action == "list":
            records = self._by_visit(records)
        return records

    def _by_visit(self, records: QuerySet) -> QuerySet:
        raw = self.request.query_params.get("visit") or ""
        if not raw:
            return records
        try:
            visit = int(raw)
        except ValueError as error:
            refusal = {"visit": [_("Give a visit's id (a number).")]}
            raise serializers.ValidationError(refusal) from error
        if not 0 < visit <= MAX_ID:
            return records.none()
        return records.filter(visit_id=visit)


@extend_schema_view(
    list=extend_schema(summary="List interviews (no notes)", parameters=VISIT_FILTER),
    retrieve=extend_schema(
        summary="Read an interview with its notes (recorded in the audit trail)",
        responses={200: InterviewDetailSerializer},
    ),
)
class InterviewViewSet(FieldViewSet):
    model = Interview
    serializer_class = InterviewSerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        records = super().get_queryset().order_by("held_at", "id")
        return records.defer("notes", "identity") if self.action == "list" else records

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        interview = self.get_object()
        opened = services_field.interview_open(actor=request.user, interview=interview)
        context = {**self.get_serializer_context(), "opened": opened}
        return Response(InterviewDetailSerializer(interview, context=context).data)


@extend_schema_view(
    list=extend_schema(summary="List register checks (no discrepancies)", parameters=VISIT_FILTER),
    retrieve=extend_schema(
        summary="Read a register check with its discrepancies (audited)",
        responses={200: RegisterCheckDetailSerializer},
    ),
)
class RegisterCheckViewSet(FieldViewSet):
    model = RegisterCheck
    serializer_class = RegisterCheckSerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        records = super().get_queryset().order_by("created_at", "id")
        return records.defer("discrepancies") if self.action == "list" else records

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check = self.get_object()
        text = services_field.register_check_open(actor=request.user, check=check)
        context = {**self.get_serializer_context(), "discrepancies": text}
        return Response(RegisterCheckDetailSerializer(check, context=context).data)


@extend_schema_view(
    list=extend_schema(
        summary="List findings with their evidence and triangulation", parameters=VISIT_FILTER
    ),
    retrieve=extend_schema(summary="Read a finding with its evidence and triangulation"),
)
class FindingViewSet(FieldViewSet):
    model = Finding
    serializer_class = FindingSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet:
        evidence = Evidence.objects.select_related("finding")
        return (
            super()
            .get_queryset()
            .order_by("visit_id", "theme", "id")
            .prefetch_related(Prefetch("evidence", queryset=evidence))
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            context["team_visits"] = set()
            return context
        visits = Visit.objects.restrict(user, "view")
        if not roles.can(user, "visits.record"):
            context["team_visits"] = set()
        elif roles.can(user, "visits.all_interviews"):
            context["team_visits"] = set(visits.values_list("pk", flat=True))
        else:
            mine = TeamAssignment.objects.filter(user=user).values("visit_id")
            context["team_visits"] = set(visits.filter(pk__in=mine).values_list("pk", flat=True))
        return context


@extend_schema_view(
    list=extend_schema(summary="List operational difficulties", parameters=VISIT_FILTER),
    retrieve=extend_schema(summary="Read an operational difficulty"),
)
class DifficultyViewSet(FieldViewSet):
    model = Difficulty
    serializer_class = DifficultySerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("occurred_at", "id")


def register(router: Any) -> None:
    router.register("interviews", InterviewViewSet, basename="interview")
    router.register("register-checks", RegisterCheckViewSet, basename="register-check")
    router.register("findings", FindingViewSet, basename="finding")
    router.register("difficulties", DifficultyViewSet, basename="difficulty")
