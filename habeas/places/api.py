"""API v1 for places, authorities and regions (`/api/v1/places/` …).

List, retrieve, create and partial update; no delete. Reads start from
`restrict(request.user, "view")`, as the pages do; writes call the same services, so
they are checked, audited and optimistically locked in one place. A PATCH must carry
the `version` it edits; a stale one gets 409.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.exceptions import drf_error
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.places import selectors, services
from habeas.places.forms import ORDERING, VISITED, PlaceFilterForm
from habeas.places.models import Authority, Place, Region
from habeas.places.serializers import (
    AuthorityPatchSerializer,
    AuthoritySerializer,
    PlacePatchSerializer,
    PlaceSerializer,
    RegionPatchSerializer,
    RegionSerializer,
)

STALE_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        "StaleEdit",
        fields={"detail": serializers.CharField(), "current_version": serializers.IntegerField()},
    ),
    description="Someone saved the record since the version you sent. Read it again and retry.",
)


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()


class RefusalsSchema(AutoSchema):
    """Documents, beside each operation's answers, the refusals it can give.

    401 without a valid token or verified session; 403 to a role or read-only token that
    may not write; 404 for an id that is missing or hidden (the same answer) and for a
    page past the end of a list; 400 for a body or filter that is refused.
    """

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        refusal = self.resolve_serializer(RefusalSerializer, "response").ref
        invalid = {"type": "object", "additionalProperties": True}
        for code, (schema, description) in self._refusals(refusal, invalid).items():
            operation["responses"].setdefault(
                code,
                {"content": {"application/json": {"schema": schema}}, "description": description},
            )
        operation["responses"] = dict(sorted(operation["responses"].items()))
        return operation

    def _refusals(self, refusal: dict, invalid: dict) -> dict[str, tuple[dict, str]]:
        refusals = {"401": (refusal, "No valid token or verified session.")}
        if self.method not in permissions.SAFE_METHODS:
            refusals["400"] = (invalid, "Refused: each field with what is wrong with it.")
            refusals["403"] = (refusal, "Your role or token may not do this.")
        if getattr(self.view, "action", "") == "list":
            refusals["400"] = (invalid, "A filter is refused: each with what is wrong with it.")
            refusals["404"] = (refusal, "No such page.")
        elif "{" in self.path:
            refusals["404"] = (refusal, "No such record, or none you may see.")
        return refusals


class InventoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, retrieve, create and PATCH through the inventory's services; never delete."""

    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    http_method_names = ["get", "post", "patch", "head"]
    lookup_value_regex = r"[0-9]+"
    model: ClassVar[Any]  # a model whose manager has `restrict`
    patch_serializer_class: ClassVar[type[serializers.Serializer]]
    create_service: ClassVar[Any]
    update_service: ClassVar[Any]
    record_argument: ClassVar[str]

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A signed-in reader without a role is not told "forbidden": `restrict` gives them
        # nothing, so the list is empty and every id answers 404, as for a missing record.
        if request.method in permissions.SAFE_METHODS and request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)

    def base_queryset(self) -> QuerySet:
        return self.model.objects.restrict(self.request.user, "view")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.base_queryset()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = self.create_service(actor=request.user, data=serializer.validated_data)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        serializer = self.patch_serializer_class(
            record, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        try:
            self.update_service(
                actor=request.user,
                data=values,
                expected_version=version,
                **{self.record_argument: record},
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data)


PLACE_FILTERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Words to find in the name, reference or address."
    ),
    OpenApiParameter(
        "category", OpenApiTypes.STR, description="Category code, e.g. police-custody."
    ),
    OpenApiParameter(
        "region", OpenApiTypes.INT, description="Region id; its sub-regions are included."
    ),
    OpenApiParameter("authority", OpenApiTypes.INT, description="Supervising authority id."),
    OpenApiParameter("operator", OpenApiTypes.STR, enum=Place.Operator.values),
    OpenApiParameter("group", OpenApiTypes.STR, description="Code of a group held, e.g. women."),
    OpenApiParameter("official", OpenApiTypes.STR, enum=["yes", "no"]),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Place.Status.values),
    OpenApiParameter(
        "visited",
        OpenApiTypes.STR,
        enum=[value for value, _label in VISITED if value],
        description="never, or not visited for over 1, 2 or 4 years (never visited included).",
    ),
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=[value for value, _label in ORDERING]),
]


class PlacePagination(Pagination):
    """Deep pages cost what the first one does (see `IdsFirstPaginator`)."""

    django_paginator_class = selectors.IdsFirstPaginator


@extend_schema_view(
    list=extend_schema(summary="List places of detention", parameters=PLACE_FILTERS),
    retrieve=extend_schema(summary="Read a place of detention"),
    create=extend_schema(summary="Add a place of detention"),
    partial_update=extend_schema(
        summary="Change a place of detention",
        request=PlacePatchSerializer,
        responses={200: PlaceSerializer, 409: STALE_RESPONSE},
    ),
)
class PlaceViewSet(InventoryViewSet):
    serializer_class = PlaceSerializer
    pagination_class = PlacePagination
    patch_serializer_class = PlacePatchSerializer
    model = Place
    create_service = staticmethod(services.place_create)
    update_service = staticmethod(services.place_update)
    record_argument = "place"
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "places.view",
        "HEAD": "places.view",
        "POST": "places.change",
        "PATCH": "places.change",
    }

    def base_queryset(self) -> QuerySet:
        filters: dict[str, Any] = {}
        if self.action == "list":
            filters = PlaceFilterForm(self.request.query_params, user=self.request.user).filters()
        return selectors.place_list(user=self.request.user, filters=filters).prefetch_related(
            "groups"
        )


TEXT_FILTER = [OpenApiParameter("q", OpenApiTypes.STR, description="Words to find in the name.")]


class _SearchByName:
    search_fields: ClassVar[tuple[str, ...]] = ("name",)

    def _search(self, queryset: QuerySet, request: Request, action: str) -> QuerySet:
        text = request.query_params.get("q", "").strip()[:200]
        if action != "list" or not text:
            return queryset
        if "\x00" in text:  # no name holds one, and PostgreSQL refuses to be asked
            return queryset.none()
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": text})
        return queryset.filter(query)


@extend_schema_view(
    list=extend_schema(summary="List authorities", parameters=TEXT_FILTER),
    retrieve=extend_schema(summary="Read an authority"),
    create=extend_schema(summary="Add an authority"),
    partial_update=extend_schema(
        summary="Change an authority",
        request=AuthorityPatchSerializer,
        responses={200: AuthoritySerializer, 409: STALE_RESPONSE},
    ),
)
class AuthorityViewSet(_SearchByName, InventoryViewSet):
    serializer_class = AuthoritySerializer
    patch_serializer_class = AuthorityPatchSerializer
    model = Authority
    create_service = staticmethod(services.authority_create)
    update_service = staticmethod(services.authority_update)
    record_argument = "authority"
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "places.view",
        "HEAD": "places.view",
        "POST": "authorities.change",
        "PATCH": "authorities.change",
    }

    def base_queryset(self) -> QuerySet:
        authorities = Authority.objects.restrict(self.request.user, "view").order_by("name", "id")
        return self._search(authorities, self.request, self.action)


@extend_schema_view(
    list=extend_schema(summary="List regions", parameters=TEXT_FILTER),
    retrieve=extend_schema(summary="Read a region"),
    create=extend_schema(summary="Add a region"),
    partial_update=extend_schema(
        summary="Change a region",
        request=RegionPatchSerializer,
        responses={200: RegionSerializer, 409: STALE_RESPONSE},
    ),
)
class RegionViewSet(_SearchByName, InventoryViewSet):
    serializer_class = RegionSerializer
    patch_serializer_class = RegionPatchSerializer
    model = Region
    create_service = staticmethod(services.region_create)
    update_service = staticmethod(services.region_update)
    record_argument = "region"
    search_fields = ("name", "code")
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "places.view",
        "HEAD": "places.view",
        "POST": "regions.change",
        "PATCH": "regions.change",
    }

    def base_queryset(self) -> QuerySet:
        regions = Region.objects.restrict(self.request.user, "view").order_by("name", "id")
        return self._search(regions, self.request, self.action)


def register(router: Any) -> None:
    router.register("places", PlaceViewSet, basename="place")
    router.register("authorities", AuthorityViewSet, basename="authority")
    router.register("regions", RegionViewSet, basename="region")
