"""API v1 of the policy library and of training (¶7, 8, 37).

- `/api/v1/policies/`: the policies with all their versions and your acknowledgement of
  the latest; POST creates one with its first version (the head), `POST …/{id}/versions/`
  issues the next version, `POST …/{id}/acknowledge/` acknowledges the latest (every
  member).
- `/api/v1/training-records/`: trainings completed; yours, or everyone's for those who
  manage training. POST records one (yourself, or anyone for those who manage profiles).
- `/api/v1/training-plan/`: plan entries; PATCH moves an entry's status (marking it done
  records the training), `POST …/draw/` draws a year's plan from the needs.
- `/api/v1/training-needs/`: read-only, the trainings people lack for the visits they are
  assigned to (yours, or everyone's for those who manage training), each with its visits.

Reads start from `restrict(request.user, "view")`: a reader without the right gets an
empty list and a 404 for every id. Writes call the services (checked, audited, locked);
a role that may not write gets 403. No delete: versions and records are kept.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from habeas.api.viewsets import IF_MATCH, RecordViewSet, query_id
from habeas.places.api import STALE_RESPONSE
from habeas.strategy import policies, services_people, training
from habeas.strategy.models import Policy, PolicyVersion, TrainingPlanEntry
from habeas.strategy.serializers_people import (
    PolicyAcknowledgeSerializer,
    PolicyCreateSerializer,
    PolicyPatchSerializer,
    PolicySerializer,
    PolicyVersionIssueSerializer,
    TrainingNeedSerializer,
    TrainingPlanDrawnSerializer,
    TrainingPlanDrawSerializer,
    TrainingPlanEntrySerializer,
    TrainingPlanPatchSerializer,
    TrainingRecordSerializer,
)
from habeas.visits import services as visit_services
from habeas.visits.models import TrainingRecord

READ = {"GET": "policies.view", "HEAD": "policies.view"}


def _year(params: Any) -> int | None:
    raw = params.get("year") or ""
    if raw.isascii() and raw.isdigit() and len(raw) == 4:
        return int(raw)
    return None if not raw else 0


# -- policies ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the policies and rules of procedure",
        description="Every policy with its versions (latest first) and when you "
        "acknowledged the latest one (null if you have not).",
    ),
    retrieve=extend_schema(summary="Read a policy with all its versions"),
    create=extend_schema(
        summary="Add a policy with its first version",
        request=PolicyCreateSerializer,
        responses={201: PolicySerializer},
    ),
    partial_update=extend_schema(
        summary="Change a policy's title or area",
        description="Its text changes only by issuing a version (members are not asked "
        "to acknowledge again for a new title or area). Give the `version` you read (or "
        "If-Match).",
        parameters=[IF_MATCH],
        request=PolicyPatchSerializer,
        responses={200: PolicySerializer, 409: STALE_RESPONSE},
    ),
)
class PolicyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RecordViewSet
):
    serializer_class = PolicySerializer
    http_method_names = ["get", "post", "patch", "head"]

    @property
    def permission_map(self) -> dict[str, str]:
        acting = getattr(self, "action", None)
        write = "policies.acknowledge" if acting == "acknowledge" else "policies.change"
        return {**READ, "POST": write, "PATCH": "policies.change"}

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Policy.objects.none()
        user = self.request.user
        return policies.with_my_acknowledgement(user, Policy.objects.restrict(user, "view"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PolicyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = self._write(services_people.policy_create, **body.validated_data)
        return self._answer(policy, PolicySerializer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        policy = self.get_object()
        body = PolicyPatchSerializer(data=request.data)
        data, version = self._versioned(body)
        self._write(
            services_people.policy_update,
            policy=policy,
            expected_version=version,
            area=data.get("area", policy.area),
            title=data.get("title", policy.title),
        )
        return self._answer(policy, PolicySerializer)

    @extend_schema(
        summary="Issue the next version of a policy",
        description="The whole text again, the date from which it applies and what "
        "changed. Give the policy's `version` you read (or If-Match); every member is "
        "then asked to acknowledge the new version.",
        parameters=[IF_MATCH],
        request=PolicyVersionIssueSerializer,
        responses={201: PolicySerializer, 409: STALE_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        policy = self.get_object()
        body = PolicyVersionIssueSerializer(data=request.data)
        data, version = self._versioned(body)
        self._write(
            services_people.policy_version_issue,
            policy=policy,
            expected_version=version,
            **data,
        )
        return self._answer(policy, PolicySerializer, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Acknowledge the latest version of a policy",
        description="Say you have read the version `number` and will follow it; it must be "
        "the latest. Once per version.",
        request=PolicyAcknowledgeSerializer,
        responses={200: PolicySerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        policy = self.get_object()
        body = PolicyAcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = (
            PolicyVersion.objects.restrict(request.user, "view")
            .filter(policy=policy, number=body.validated_data["number"])
            .first()
        )
        if version is None:
            raise ValidationError({"number": [_("This policy has no such version.")]})
        self._write(services_people.policy_acknowledge, version=version)
        return self._answer(policy, PolicySerializer)


# -- training records -------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List training records",
        description="Yours, or everyone's if you manage training; newest first.",
        parameters=[OpenApiParameter("user", OpenApiTypes.INT, description="A person's id.")],
    ),
    retrieve=extend_schema(summary="Read a training record"),
    create=extend_schema(
        summary="Record a completed training",
        description="For yourself, or for anyone if you manage team profiles. The date "
        "cannot be in the future; the same training on the same date is refused.",
        responses={201: TrainingRecordSerializer},
    ),
)
class TrainingRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RecordViewSet
):
    serializer_class = TrainingRecordSerializer
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "training.own",
        "HEAD": "training.own",
        "POST": "training.record",
    }

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return TrainingRecord.objects.none()
        rows = TrainingRecord.objects.restrict(self.request.user, "view").select_related(
            "user", "training"
        )
        if self.action == "list":
            person = query_id(self.request.query_params, "user")
            if person is not None:
                rows = rows.filter(user_id=person)
        return rows.order_by("-completed_on", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = TrainingRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        record = self._write(
            visit_services.training_record_add,
            person=data["user"],
            training=data["training"],
            completed_on=data["completed_on"],
        )
        return self._answer(record, TrainingRecordSerializer, status.HTTP_201_CREATED)


# -- the training plan ------------------------------------------------------------------

PLAN_FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="The plan's year."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=TrainingPlanEntry.Status.values),
]


@extend_schema_view(
    list=extend_schema(
        summary="List training plan entries",
        description="Yours, or everyone's if you manage training.",
        parameters=PLAN_FILTERS,
    ),
    retrieve=extend_schema(summary="Read a training plan entry"),
    partial_update=extend_schema(
        summary="Change a plan entry's status",
        description="planned → done (give `completed_on`: the training is recorded) or "
        "cancelled; cancelled → planned. Give the `version` you read (or If-Match).",
        parameters=[IF_MATCH],
        request=TrainingPlanPatchSerializer,
        responses={200: TrainingPlanEntrySerializer, 409: STALE_RESPONSE},
    ),
)
class TrainingPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RecordViewSet):
    serializer_class = TrainingPlanEntrySerializer
    http_method_names = ["get", "post", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "training.own",
        "HEAD": "training.own",
        "POST": "training.manage",
        "PATCH": "training.manage",
    }

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return TrainingPlanEntry.objects.none()
        rows = TrainingPlanEntry.objects.restrict(self.request.user, "view").select_related(
            "user", "training"
        )
        if self.action == "list":
            params = self.request.query_params
            year = _year(params)
            if year is not None:
                rows = rows.filter(year=year)
            wanted = params.get("status") or ""
            if wanted:
                rows = rows.filter(status=wanted)
        return rows.order_by("year", "due_by", "id")

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        body = TrainingPlanPatchSerializer(data=request.data)
        data, version = self._versioned(body)
        self._write(
            services_people.training_entry_set_status,
            entry=entry,
            status=data["status"],
            completed_on=data.get("completed_on"),
            expected_version=version,
        )
        return self._answer(entry, TrainingPlanEntrySerializer)

    @extend_schema(
        summary="Draw a year's training plan from the needs",
        description="One entry per person and missing training that has none in that "
        "year's plan yet (a cancelled one included): drawing twice adds nothing.",
        request=TrainingPlanDrawSerializer,
        responses={200: TrainingPlanDrawnSerializer},
    )
    @action(detail=False, methods=["post"])
    def draw(self, request: Request) -> Response:
        body = TrainingPlanDrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created, skipped = self._write(
            services_people.training_plan_draw, year=body.validated_data["year"]
        )
        return Response({"created": created, "already_planned": skipped})


# -- training needs ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List training needs",
        description="The trainings people lack for the visits of the last 12 months and the "
        "upcoming visits they are assigned to (interpreters aside), each with those visits. "
        "Yours, or everyone's if you manage training; only visits you may see count.",
    ),
)
class TrainingNeedViewSet(mixins.ListModelMixin, RecordViewSet):
    serializer_class = TrainingNeedSerializer
    http_method_names = ["get", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "training.own",
        "HEAD": "training.own",
    }

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        needs = training.training_needs(request.user)
        page: list[Any] | None = self.paginate_queryset(needs)  # type: ignore[arg-type]
        serializer = TrainingNeedSerializer(page if page is not None else needs, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)


def register(router: DefaultRouter) -> None:
    router.register("policies", PolicyViewSet, basename="policy")
    router.register("training-records", TrainingRecordViewSet, basename="training-record")
    router.register("training-plan", TrainingPlanViewSet, basename="training-plan-entry")
    router.register("training-needs", TrainingNeedViewSet, basename="training-need")
