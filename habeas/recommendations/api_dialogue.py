"""API v1 for the dialogue with authorities (¶2, 22, 31a).

`/api/v1/letters/`: exchanges with authorities (letters, e-mails, meetings, calls,
roundtables); `POST /api/v1/letters/{id}/map/` records, from one letter, the responses
to many recommendations, all or nothing. `/api/v1/action-plans/`: an authority's plans
with their dated commitments.

Reads start from `restrict(request.user, "view")`, as the pages do: whoever does not see
the NPM's correspondence gets an empty list and 404 for every id, whatever the method.
Writes call the same services as the pages; a PATCH must carry the `version` it edits
(409 when stale). No delete.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.accounts import roles
from habeas.api.exceptions import drf_error
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.places.api import STALE_RESPONSE, RefusalsSchema
from habeas.recommendations import selectors_dialogue as selectors
from habeas.recommendations import services_dialogue as services
from habeas.recommendations.models import ActionPlan, Commitment, Exchange
from habeas.recommendations.serializers_dialogue import (
    ActionPlanCreateSerializer,
    ActionPlanPatchSerializer,
    ActionPlanSerializer,
    CommitmentCreateSerializer,
    CommitmentPatchSerializer,
    CommitmentSerializer,
    LetterCreateSerializer,
    LetterDetailSerializer,
    LetterFilterSerializer,
    LetterMapResultSerializer,
    LetterPatchSerializer,
    LetterResponseSerializer,
    LetterSerializer,
    MapEntrySerializer,
    PlanFilterSerializer,
    find_recommendation,
)

MAX_ENTRIES = 500
READ = "recommendations.view"
WRITE = "recommendations.dialogue"
NOT_REACHABLE = "No recommendation you may record a response to has this reference or id."


class DialogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    pagination_class = Pagination
    http_method_names = ["get", "post", "patch", "head"]
    lookup_value_regex = r"[0-9]+"
    permission_map: ClassVar[dict[str, str]] = {
        "GET": READ,
        "HEAD": READ,
        "POST": WRITE,
        "PATCH": WRITE,
    }
    model: ClassVar[Any]

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        if request.user.is_authenticated:
            # A write the role may never make is refused (403) before the id is looked at,
            # so the answer is the same for every id. Otherwise an id the reader may not
            # see answers 404 to every method, as a missing one does; a reader without
            # the role sees an empty list.
            writes = request.method not in permissions.SAFE_METHODS
            if writes and not roles.can(
                request.user, self.permission_map.get(request.method or "", "")
            ):
                super().permission_denied(request, message=message, code=code)
            if self.lookup_field in self.kwargs:
                pk = self.kwargs[self.lookup_field]
                if not self.model.objects.restrict(request.user, "view").filter(pk=pk).exists():
                    raise exceptions.NotFound
            elif request.method in permissions.SAFE_METHODS:
                return
        super().permission_denied(request, message=message, code=code)

    def _filters(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        if self.action != "list":
            return {}
        query = serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)


LETTER_FILTERS = [
    OpenApiParameter("authority", OpenApiTypes.INT, description="Authority id."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Exchange.Kind.values),
    OpenApiParameter("direction", OpenApiTypes.STR, enum=Exchange.Direction.values),
]


@extend_schema_view(
    list=extend_schema(summary="List exchanges with authorities", parameters=LETTER_FILTERS),
    retrieve=extend_schema(
        summary="Read an exchange, with the responses it carries",
        responses={200: LetterDetailSerializer},
    ),
    create=extend_schema(
        summary="Record a letter, e-mail, meeting, call or roundtable",
        request=LetterCreateSerializer,
        responses={201: LetterDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an exchange",
        request=LetterPatchSerializer,
        responses={200: LetterDetailSerializer, 409: STALE_RESPONSE},
    ),
)
class LetterViewSet(DialogueViewSet):
    serializer_class = LetterSerializer
    model = Exchange

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Exchange.objects.none()
        filters = selectors.ExchangeFilters(**self._filters(LetterFilterSerializer))
        return selectors.exchange_list(user=self.request.user, filters=filters).prefetch_related(
            "attachments"
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return LetterSerializer if self.action == "list" else LetterDetailSerializer

    def _respond(self, exchange: Exchange, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=exchange.pk)
        return Response(
            LetterDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = LetterCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        try:
            exchange = services.exchange_create(actor=request.user, data=serializer.validated_data)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self._respond(exchange, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exchange = self.get_object()
        serializer = LetterPatchSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            services.exchange_update(
                actor=request.user, exchange=exchange, data=data, expected_version=version
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self._respond(exchange)

    @extend_schema(
        summary="Map a letter onto the recommendations it answers",
        description=(
            "A list of {recommendation, status, passage, responded_on}: the recommendation "
            "by reference or id, the response the letter gives it, the passage that says so "
            "and its date (the letter's date when left out). All or nothing: if one entry is "
            "refused nothing is written, and the 400 answer holds, in `entries`, what is "
            "wrong with each entry, in the order sent. A recommendation this letter already "
            "answered has its response corrected."
        ),
        request=MapEntrySerializer(many=True),
        responses={200: LetterMapResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def map(self, request: Request, pk: str | None = None) -> Response:
        exchange = self.get_object()
        entries = self._map_entries(request)
        try:
            written = services.letter_map(actor=request.user, exchange=exchange, entries=entries)
        except services.MappingRefused as refused:
            errors: list[dict[str, Any]] = [{} for _entry in entries]
            for index, messages in refused.entry_errors.items():
                errors[index] = {"non_field_errors": messages}
            raise serializers.ValidationError({"entries": errors}) from refused
        except DjangoValidationError as error:
            raise drf_error(error) from error
        data = LetterResponseSerializer(written, many=True).data
        return Response({"responses": data})

    def _map_entries(self, request: Request) -> list[services.MapEntry]:
        if not isinstance(request.data, list):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        "Send a list of entries: [{recommendation, status, passage}]."
                    ]
                }
            )
        if len(request.data) > MAX_ENTRIES:
            raise serializers.ValidationError(
                {"non_field_errors": [f"Send at most {MAX_ENTRIES} entries at once."]}
            )
        serializer = MapEntrySerializer(data=request.data, many=True)
        if not serializer.is_valid():
            found: Any = serializer.errors
            if isinstance(found, dict):  # by index, only the entries refused
                found = [found.get(index, {}) for index in range(len(request.data))]
            raise serializers.ValidationError({"entries": found})
        entries: list[services.MapEntry] = []
        errors: list[dict[str, Any]] = []
        for row in serializer.validated_data:
            recommendation = find_recommendation(request.user, row["recommendation"])
            errors.append({} if recommendation else {"recommendation": [NOT_REACHABLE]})
            if recommendation is not None:
                entries.append(
                    services.MapEntry(
                        recommendation=recommendation,
                        status=row["status"],
                        passage=row.get("passage", ""),
                        responded_on=row.get("responded_on"),
                    )
                )
        if any(errors):
            raise serializers.ValidationError({"entries": errors})
        return entries


PLAN_FILTERS = [OpenApiParameter("authority", OpenApiTypes.INT, description="Authority id.")]


@extend_schema_view(
    list=extend_schema(summary="List action plans with their commitments", parameters=PLAN_FILTERS),
    retrieve=extend_schema(summary="Read an action plan with its commitments"),
    create=extend_schema(
        summary="Record an action plan, with its commitments if given",
        description="All or nothing: if one commitment is refused, no plan is recorded.",
        request=ActionPlanCreateSerializer,
        responses={201: ActionPlanSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an action plan",
        request=ActionPlanPatchSerializer,
        responses={200: ActionPlanSerializer, 409: STALE_RESPONSE},
    ),
)
class ActionPlanViewSet(DialogueViewSet):
    serializer_class = ActionPlanSerializer
    model = ActionPlan

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ActionPlan.objects.none()
        filters = selectors.PlanFilters(**self._filters(PlanFilterSerializer))
        commitments = Commitment.objects.select_related("recommendation")
        return (
            ActionPlan.objects.restrict(self.request.user, "view")
            .filter(**filters.as_lookups())
            .prefetch_related(Prefetch("commitments", queryset=commitments))
        )

    def _respond(self, plan: ActionPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=plan.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _commitment_values(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("recommendation"):
            found = find_recommendation(self.request.user, data["recommendation"])
            if found is None:
                raise serializers.ValidationError({"recommendation": [NOT_REACHABLE]})
            data["recommendation"] = found
        return data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ActionPlanCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        commitments = [dict(row) for row in data.pop("commitments", [])]
        try:
            with transaction.atomic():
                plan = services.action_plan_create(actor=request.user, data=data)
                for index, row in enumerate(commitments):
                    self._add_listed(plan, row, index, len(commitments))
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self._respond(plan, status.HTTP_201_CREATED)

    def _add_listed(self, plan: ActionPlan, row: dict[str, Any], index: int, count: int) -> None:
        """Add the index-th commitment sent with a new plan; a refusal names its place."""
        errors: list[Any] = [{} for _row in range(count)]
        try:
            values = self._commitment_values(row)
            services.commitment_add(actor=self.request.user, plan=plan, data=values)
        except DjangoValidationError as error:
            errors[index] = drf_error(error).detail
            raise serializers.ValidationError({"commitments": errors}) from error
        except serializers.ValidationError as error:
            errors[index] = error.detail
            raise serializers.ValidationError({"commitments": errors}) from error

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        serializer = ActionPlanPatchSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            services.action_plan_update(
                actor=request.user, plan=plan, data=data, expected_version=version
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self._respond(plan)

    @extend_schema(
        summary="Add a commitment to an action plan",
        request=CommitmentCreateSerializer,
        responses={201: CommitmentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="commitments")
    def commitments(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = CommitmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = self._commitment_values(dict(serializer.validated_data))
        try:
            commitment = services.commitment_add(actor=request.user, plan=plan, data=values)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        body = CommitmentSerializer(commitment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a commitment: its date moved, or done",
        parameters=[
            OpenApiParameter("commitment_pk", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        request=CommitmentPatchSerializer,
        responses={200: CommitmentSerializer, 409: STALE_RESPONSE},
    )
    @action(detail=True, methods=["patch"], url_path=r"commitments/(?P<commitment_pk>[0-9]+)")
    def commitment(
        self, request: Request, pk: str | None = None, commitment_pk: str | None = None
    ) -> Response:
        plan = self.get_object()
        commitment = (
            Commitment.objects.restrict(request.user, "view")
            .filter(plan=plan, pk=commitment_pk)
            .first()
        )
        if commitment is None:
            raise exceptions.NotFound
        serializer = CommitmentPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        values = self._commitment_values(data)
        try:
            services.commitment_update(
                actor=request.user, commitment=commitment, data=values, expected_version=version
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        commitment.refresh_from_db()
        body = CommitmentSerializer(commitment, context=self.get_serializer_context()).data
        return Response(body)


def register(router: Any) -> None:
    router.register("letters", LetterViewSet, basename="letter")
    router.register("action-plans", ActionPlanViewSet, basename="action-plan")
