"""API v1 for case files (`/api/v1/cases/`): list, retrieve, create, partial update.

A case exists only for those granted on it: the list holds their cases alone, and any
other id answers 404, for every method, as a missing one does. Reading a case is
audited like a page view. A PATCH must carry the `version` it edits; a stale one gets
409. No delete: cases are closed, and erased only by retention.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.exceptions import drf_error
from habeas.api.lookups import UUID_PATTERN
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.cases import selectors, services
from habeas.cases.models import Case
from habeas.cases.serializers_cases import (
    CasePatchSerializer,
    CaseSerializer,
    CaseSummarySerializer,
)
from habeas.places.api import STALE_RESPONSE, RefusalsSchema

CASE_FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Case.Kind.values),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Case.Status.values),
    OpenApiParameter("place", OpenApiTypes.INT, description="Place id."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List the case files you are granted on",
        description="Facts and consent only; read one case for its identities and testimony.",
        parameters=CASE_FILTERS,
        responses=CaseSummarySerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Read a case file",
        description=(
            "The read is recorded in the case's access log. Identity fields (victim, "
            "victim_details, complainant, officials, witnesses) are present only if you "
            "may see identities on this case."
        ),
    ),
    create=extend_schema(
        summary="Open a case file",
        description="You lead the case and are its only grantee until you grant others.",
    ),
    partial_update=extend_schema(
        summary="Change a case file",
        request=CasePatchSerializer,
        responses={200: CaseSerializer, 409: STALE_RESPONSE},
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    pagination_class = Pagination
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    http_method_names = ["get", "post", "patch", "head"]
    lookup_value_regex = UUID_PATTERN
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "cases.view",
        "HEAD": "cases.view",
        "POST": "cases.create",
        "PATCH": "cases.view",
    }

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A case someone is not granted on is not there: its id answers 404 whatever the
        # method, byte for byte as a missing one does, and a list is empty. A grantee
        # whose token may not write, and anyone opening a case without the right, get 403.
        pk = self.kwargs.get(self.lookup_field)
        if request.user.is_authenticated and pk is not None and not self._visible(pk):
            raise NotFound
        if request.method in permissions.SAFE_METHODS and request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)

    def _visible(self, pk: Any) -> bool:
        try:
            return Case.objects.restrict(self.request.user, "view").filter(pk=pk).exists()
        except (ValueError, DjangoValidationError):
            return False

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return CaseSummarySerializer
        return CaseSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        user = self.request.user
        if self.action == "list":
            return selectors.case_list(user=user, filters=self._filters())
        action = "change" if self.request.method == "PATCH" else "view"
        return Case.objects.restrict(user, action).select_related("place", "authority")

    def _filters(self) -> selectors.CaseFilters:
        params = self.request.query_params
        errors: dict[str, str] = {}
        kind, case_status, place = params.get("kind", ""), params.get("status", ""), None
        if kind and kind not in Case.Kind.values:
            errors["kind"] = "Unknown kind."
        if case_status and case_status not in Case.Status.values:
            errors["status"] = "Unknown status."
        if params.get("place"):
            text = params["place"]
            if not (text.isascii() and text.isdigit() and len(text) < 19):
                errors["place"] = "A place id is a whole number."
            else:
                place = int(text)
        if errors:
            raise serializers.ValidationError(errors)
        return selectors.CaseFilters(kind=kind, status=case_status, place=place)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        services.record_read(actor=request.user, record=case)
        return Response(self.get_serializer(case).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            case = services.case_create(actor=request.user, data=serializer.validated_data)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = Case.objects.restrict(request.user, "view").get(pk=case.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        serializer = CasePatchSerializer(
            case, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        try:
            services.case_update(
                actor=request.user, case=case, data=values, expected_version=version
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = Case.objects.restrict(request.user, "view").get(pk=case.pk)
        return Response(self.get_serializer(fresh).data)


def register(router: Any) -> None:
    router.register("cases", CaseViewSet, basename="case")
