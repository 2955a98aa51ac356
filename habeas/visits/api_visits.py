"""API v1 for visits and their teams (`/api/v1/visits/`, `/api/v1/team-assignments/`).

Visits: list, retrieve, create and partial update (with the `version` edited; a stale one
gets 409); no delete. Team assignments: list (filtered by visit), create (refused with
the blocking checks when the person is blocked and no valid override is given) and
delete. Reads start from `restrict`, writes call the same services as the pages.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.exceptions import drf_error
from habeas.api.permissions import RolePermission
from habeas.places.api import STALE_RESPONSE, RefusalsSchema
from habeas.visits import services
from habeas.visits.models import TeamAssignment, Visit
from habeas.visits.selectors import VisitFilters, visit_list
from habeas.visits.serializers import (
    TeamAssignmentSerializer,
    VisitPatchSerializer,
    VisitSerializer,
)

VISIT_FILTERS = [
    OpenApiParameter("place", OpenApiTypes.INT, description="Place id."),
    OpenApiParameter("state", OpenApiTypes.STR, enum=Visit.State.values),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Visit.Kind.values),
    OpenApiParameter("year", OpenApiTypes.INT, description="Year of the first day."),
]


class _RefusingReads(viewsets.GenericViewSet):
    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A signed-in reader without the right sees nothing (empty lists, 404 for every
        # id) rather than being told "forbidden", as for a missing record.
        if request.method in permissions.SAFE_METHODS and request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise serializers.ValidationError({"filter": "Give a whole number."}) from None
    if not 0 < number < 2**31:
        raise serializers.ValidationError({"filter": "Out of range."})
    return number


@extend_schema_view(
    list=extend_schema(summary="List visits", parameters=VISIT_FILTERS),
    retrieve=extend_schema(summary="Read a visit"),
    create=extend_schema(summary="Plan a visit"),
    partial_update=extend_schema(
        summary="Change a visit",
        request=VisitPatchSerializer,
        responses={200: VisitSerializer, 409: STALE_RESPONSE},
    ),
)
class VisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    _RefusingReads,
):
    serializer_class = VisitSerializer
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    http_method_names = ["get", "post", "patch", "head"]
    lookup_value_regex = r"[0-9]+"
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "visits.view",
        "HEAD": "visits.view",
        "POST": "visits.plan",
        "PATCH": "visits.plan",
    }

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Visit.objects.none()
        filters = None
        if self.action == "list":
            params = self.request.query_params
            state, kind = params.get("state", ""), params.get("kind", "")
            if state and state not in Visit.State.values:
                raise serializers.ValidationError({"state": "Unknown state."})
            if kind and kind not in Visit.Kind.values:
                raise serializers.ValidationError({"kind": "Unknown type."})
            year = _int(params.get("year"))
            if year is not None and not 1900 <= year <= 2200:
                raise serializers.ValidationError({"year": "Out of range."})
            filters = VisitFilters(
                place=_int(params.get("place")), state=state, kind=kind, year=year
            )
        return visit_list(user=self.request.user, filters=filters).prefetch_related("team")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            visit = services.visit_create(actor=request.user, data=serializer.validated_data)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = self.get_queryset().get(pk=visit.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = self.get_object()
        serializer = VisitPatchSerializer(
            visit, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        try:
            services.visit_update(
                actor=request.user, visit=visit, data=values, expected_version=version
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = self.get_queryset().get(pk=visit.pk)
        return Response(self.get_serializer(fresh).data)


@extend_schema_view(
    list=extend_schema(
        summary="List team assignments",
        parameters=[OpenApiParameter("visit", OpenApiTypes.INT, description="Visit id.")],
    ),
    retrieve=extend_schema(summary="Read a team assignment"),
    create=extend_schema(
        summary="Put a person on a visit's team",
        description=(
            "Refused with 400 when the person is blocked (a declared conflict of interest "
            "with the place or its authorities, an external expert without terms of "
            "reference or a signed undertaking) and no valid override is given: the body "
            "then holds `detail` and `blockers`, a list of `{code, message}`. Only the head "
            "of the NPM may override, with a written `override_reason`."
        ),
        responses={201: TeamAssignmentSerializer},
    ),
    destroy=extend_schema(summary="Take a person off a visit's team"),
)
class TeamAssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    _RefusingReads,
):
    serializer_class = TeamAssignmentSerializer
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    http_method_names = ["get", "post", "delete", "head"]
    lookup_value_regex = r"[0-9]+"
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "visits.view",
        "HEAD": "visits.view",
        "POST": "visits.plan",
        "DELETE": "visits.plan",
    }

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return TeamAssignment.objects.none()
        action = "change" if self.request.method == "DELETE" else "view"
        rows = TeamAssignment.objects.restrict(self.request.user, action).order_by("id")
        if self.action == "list":
            visit = _int(self.request.query_params.get("visit"))
            if visit is not None:
                rows = rows.filter(visit_id=visit)
        return rows.select_related("visit")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            row = services.team_add(
                actor=request.user,
                visit=data["visit"],
                user=data["user"],
                role=data.get("role", TeamAssignment.Role.MEMBER),
                override_reason=data.get("override_reason", ""),
            )
        except services.MemberBlocked as refused:
            body = {
                "detail": str(refused.reason),
                "blockers": [{"code": c.code, "message": c.message} for c in refused.checks],
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        if not Visit.objects.restrict(request.user, "plan").filter(pk=row.visit_id).exists():
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        try:
            services.team_remove(actor=request.user, assignment=row)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: Any) -> None:
    router.register("visits", VisitViewSet, basename="visit")
    router.register("team-assignments", TeamAssignmentViewSet, basename="team-assignment")
