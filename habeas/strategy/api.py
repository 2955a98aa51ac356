"""API v1 of the strategic plan and its money (¶5, 35, 36).

- `/api/v1/objectives/`: strategic objectives.
- `/api/v1/activities/`: their activities, each with the staff-days it used
  (`spent_staff_days_counted`: from the visits for a visits activity).
- `/api/v1/budget-lines/`: money planned and spent per year and kind of activity.
- `/api/v1/year-end/?year=`: the year-end view's four answers (read-only).

Reads start from `restrict(request.user, "view")`, as the pages do: a reader without
`strategy.view` gets an empty list and a 404 for every id. Writes (`strategy.change`)
call the services, so they are checked, audited and optimistically locked in one place:
a PATCH carries the `version` it edits (or an If-Match header) and a stale one gets 409.
A DELETE removes the record (an objective with its activities; budget lines stay).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from habeas.accounts import roles
from habeas.api.viewsets import IF_MATCH, RecordViewSet, query_id
from habeas.places.api import STALE_RESPONSE
from habeas.strategy import selectors, services
from habeas.strategy.forms import MAX_YEAR, MIN_YEAR
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective
from habeas.strategy.serializers import (
    BudgetLinePatchSerializer,
    BudgetLineSerializer,
    ObjectivePatchSerializer,
    ObjectiveSerializer,
    PlanActivityPatchSerializer,
    PlanActivitySerializer,
    YearEndSerializer,
)

PERMISSIONS: dict[str, str] = {
    "GET": "strategy.view",
    "HEAD": "strategy.view",
    "POST": "strategy.change",
    "PATCH": "strategy.change",
    "DELETE": "strategy.change",
}
YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Only this year.")
KIND = OpenApiParameter("kind", OpenApiTypes.STR, enum=ActivityKind.values)


def _year(params: Any, required: bool = False) -> int | None:
    raw = params.get("year") or ""
    if not raw:
        if required:
            raise serializers.ValidationError({"year": [_("Give a year, e.g. 2025.")]})
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4 and MIN_YEAR <= int(raw) <= MAX_YEAR):
        raise serializers.ValidationError(
            {
                "year": [
                    _("Give a year between %(first)d and %(last)d.")
                    % {"first": MIN_YEAR, "last": MAX_YEAR}
                ]
            }
        )
    return int(raw)


def _kind(params: Any) -> str:
    value = params.get("kind") or ""
    if value and value not in ActivityKind.values:
        raise serializers.ValidationError(
            {"kind": [_("Choose one of: %s.") % ", ".join(ActivityKind.values)]}
        )
    return value


class _PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RecordViewSet):
    """Objectives, activities and budget lines: the same four answers, each through its
    services (`<record>_create`, `<record>_update`, `<record>_delete`)."""

    http_method_names = ["get", "post", "patch", "delete", "head"]
    permission_map: ClassVar[dict[str, str]] = PERMISSIONS
    patch_serializer_class: type[serializers.Serializer]
    record: str  # "objective", "activity", "line": the services' names and argument

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        response = Response(self.get_serializer(record).data)
        response["ETag"] = f'"{record.version}"'
        return response

    def _service(self, action: str) -> Any:
        return getattr(services, f"{self.record}_{action}")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        answer = self.get_serializer_class()
        body = answer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        record = self._write(self._service("create"), **body.validated_data)
        return self._answer(record, answer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        body = self.patch_serializer_class(
            record, data=request.data, partial=True, context=self.get_serializer_context()
        )
        values, version = self._versioned(body)
        self._write(
            self._service("update"), **{self.record: record}, expected_version=version, **values
        )
        return self._answer(record, self.get_serializer_class())

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._write(self._service("delete"), **{self.record: self.get_object()})
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List strategic objectives", parameters=[YEAR]),
    retrieve=extend_schema(summary="Read a strategic objective"),
    create=extend_schema(summary="Add a strategic objective", responses={201: ObjectiveSerializer}),
    partial_update=extend_schema(
        summary="Change a strategic objective",
        description="Give the version you read (`version` or If-Match). Its years must "
        "still hold its activities.",
        parameters=[IF_MATCH],
        request=ObjectivePatchSerializer,
        responses={200: ObjectiveSerializer, 409: STALE_RESPONSE},
    ),
    destroy=extend_schema(
        summary="Delete a strategic objective",
        description="Its activities go with it; budget lines tied to them stay, untied.",
    ),
)
class ObjectiveViewSet(_PlanViewSet):
    serializer_class = ObjectiveSerializer
    patch_serializer_class = ObjectivePatchSerializer
    record = "objective"

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Objective.objects.none()
        rows = Objective.objects.restrict(self.request.user, "view")
        if self.action == "list":
            year = _year(self.request.query_params)
            if year is not None:
                rows = rows.filter(first_year__lte=year, last_year__gte=year)
        return rows.order_by("position", "code", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="List activities",
        parameters=[
            YEAR,
            KIND,
            OpenApiParameter("objective", OpenApiTypes.INT, description="Of this objective."),
        ],
    ),
    retrieve=extend_schema(summary="Read an activity, with the staff-days it used"),
    create=extend_schema(
        summary="Add an activity to an objective",
        description="In one of the objective's years. A visits activity takes no "
        "`spent_staff_days`: they are counted from its visits.",
        responses={201: PlanActivitySerializer},
    ),
    partial_update=extend_schema(
        summary="Change an activity",
        description="Give the version you read (`version` or If-Match).",
        parameters=[IF_MATCH],
        request=PlanActivityPatchSerializer,
        responses={200: PlanActivitySerializer, 409: STALE_RESPONSE},
    ),
    destroy=extend_schema(summary="Delete an activity"),
)
class ActivityViewSet(_PlanViewSet):
    serializer_class = PlanActivitySerializer
    patch_serializer_class = PlanActivityPatchSerializer
    record = "activity"

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        rows = Activity.objects.restrict(self.request.user, "view").prefetch_related(
            "categories", "regions"
        )
        if self.action == "list":
            params = self.request.query_params
            year = _year(params)
            if year is not None:
                rows = rows.filter(year=year)
            if kind := _kind(params):
                rows = rows.filter(kind=kind)
            objective = query_id(params, "objective")
            if objective == 0:
                return rows.none()
            if objective is not None:
                rows = rows.filter(objective_id=objective)
        return rows.order_by("year", "objective__position", "kind", "pk")


@extend_schema_view(
    list=extend_schema(summary="List budget lines", parameters=[YEAR, KIND]),
    retrieve=extend_schema(summary="Read a budget line"),
    create=extend_schema(
        summary="Add a budget line",
        description="Tied to an activity, it has the activity's year and kind.",
        responses={201: BudgetLineSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a budget line",
        description="Give the version you read (`version` or If-Match).",
        parameters=[IF_MATCH],
        request=BudgetLinePatchSerializer,
        responses={200: BudgetLineSerializer, 409: STALE_RESPONSE},
    ),
    destroy=extend_schema(summary="Delete a budget line"),
)
class BudgetLineViewSet(_PlanViewSet):
    serializer_class = BudgetLineSerializer
    patch_serializer_class = BudgetLinePatchSerializer
    record = "line"

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return BudgetLine.objects.none()
        rows = BudgetLine.objects.restrict(self.request.user, "view")
        if self.action == "list":
            params = self.request.query_params
            year = _year(params)
            if year is not None:
                rows = rows.filter(year=year)
            if kind := _kind(params):
                rows = rows.filter(kind=kind)
        return rows.order_by("-year", "kind", "label", "pk")


class YearEndViewSet(RecordViewSet):
    """The year-end view's answers for one year."""

    http_method_names = ["get", "head"]
    permission_map: ClassVar[dict[str, str]] = {"GET": "strategy.view", "HEAD": "strategy.view"}
    serializer_class = YearEndSerializer
    pagination_class = None  # type: ignore[assignment]

    @extend_schema(
        summary="The year-end review of a year",
        description="Where the money and staff-days went per kind of activity; categories "
        "and regions with no visit for 3 years or more at the end of the year; "
        "recommendations issued and achieved; each category's and region's share of the "
        "places against its share of the year's visits (¶36), flagged when below half. "
        "Places, visits and recommendations are counted as far as you may see them.",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True)],
        responses={200: YearEndSerializer},
    )
    def list(self, request: Request) -> Response:
        if not roles.can(request.user, "strategy.view"):
            raise NotFound
        year = _year(request.query_params, required=True) or 0
        answers = selectors.year_end(request.user, year)
        return Response(YearEndSerializer(answers).data)


def register(router: DefaultRouter) -> None:
    router.register("objectives", ObjectiveViewSet, basename="objective")
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
    router.register("year-end", YearEndViewSet, basename="year-end")
