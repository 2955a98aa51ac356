"""API v1 for reprisal watches (`/api/v1/watches/`, ¶25).

List, retrieve (an audited read), create and partial update with the version edited
(409 when stale); no delete. Reads start from `restrict(request.user, "view")`, so a
watch the user is not granted on does not exist for them: its id answers 404, and so
does any write aimed at it, whatever the role (everything about a watch is
confidential). Writes call the same services as the pages.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.exceptions import drf_error
from habeas.api.lookups import UUID_PATTERN
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.cases import selectors_watches as selectors
from habeas.cases import services
from habeas.cases.models import ReprisalWatch
from habeas.cases.serializers_watches import (
    WatchCreateSerializer,
    WatchDetailSerializer,
    WatchPatchSerializer,
    WatchSerializer,
)
from habeas.places.api import STALE_RESPONSE, RefusalsSchema


@extend_schema_view(
    list=extend_schema(summary="List the reprisal watches you are granted on"),
    retrieve=extend_schema(
        summary="Read a reprisal watch (recorded in its access log)",
        responses={200: WatchDetailSerializer},
    ),
    create=extend_schema(
        summary="Put a person under reprisal watch",
        request=WatchCreateSerializer,
        responses={201: WatchDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a reprisal watch",
        request=WatchPatchSerializer,
        responses={200: WatchDetailSerializer, 409: STALE_RESPONSE},
    ),
)
class WatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    pagination_class = Pagination
    serializer_class = WatchSerializer
    http_method_names = ["get", "post", "patch", "head"]
    lookup_value_regex = UUID_PATTERN
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "cases.view",
        "HEAD": "cases.view",
        "POST": "cases.create",
        # Whoever is granted on a watch may change it; `restrict` decides which.
        "PATCH": "cases.view",
    }

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        if request.user.is_authenticated:
            # A reader without the role sees an empty list, and a watch id answers 404
            # to every method, as a missing one does: no one learns that it exists.
            if self.lookup_field in self.kwargs:
                raise exceptions.NotFound
            if request.method in permissions.SAFE_METHODS:
                return
        super().permission_denied(request, message=message, code=code)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ReprisalWatch.objects.none()
        watches = selectors.watch_list(user=self.request.user)
        if self.action == "list":
            return watches
        return watches.prefetch_related("transfers", "checks")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return WatchSerializer if self.action == "list" else WatchDetailSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        watch = self.get_object()
        services.record_read(actor=request.user, record=watch)
        return Response(self.get_serializer(watch).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = WatchCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        place = data.pop("place")
        try:
            watch = services.watch_create(actor=request.user, data=data, place=place)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = self.get_queryset().get(pk=watch.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        watch = self.get_object()
        serializer = WatchPatchSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            services.watch_update(
                actor=request.user, watch=watch, data=data, expected_version=version
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = self.get_queryset().get(pk=watch.pk)
        return Response(self.get_serializer(fresh).data)


def register(router: Any) -> None:
    router.register("watches", WatchViewSet, basename="watch")
