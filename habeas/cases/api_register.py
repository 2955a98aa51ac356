"""API v1 of the national register of allegations and proceedings (¶27).

`/api/v1/register-entries/`: list (the pages' filters), retrieve, create and partial
update through the register's services; a PATCH carries the `version` it edits, and a
stale one gets 409. No delete. `/api/v1/register-statistics/?group=…`: the aggregated
statistics, for those who may see them, communications included; they hold no entry.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.permissions import RolePermission
from habeas.cases import selectors_register as selectors
from habeas.cases import services_register as services
from habeas.cases.forms_register import STAGE_CHOICES, register_filters
from habeas.cases.models import RegisterEntry
from habeas.cases.serializers_register import (
    RegisterEntrySerializer,
    RegisterStatisticsSerializer,
)
from habeas.places.api import STALE_RESPONSE, InventoryViewSet, RefusalsSchema

ENTRY_FILTERS = [
    OpenApiParameter("agency", OpenApiTypes.INT, description="Id of the agency concerned."),
    OpenApiParameter(
        "category", OpenApiTypes.STR, description="Category code of the place, e.g. prison."
    ),
    OpenApiParameter("region", OpenApiTypes.INT, description="Region id (that region only)."),
    OpenApiParameter("year", OpenApiTypes.INT, description="Year the complaint was lodged."),
    OpenApiParameter("classification", OpenApiTypes.STR, enum=RegisterEntry.Classification.values),
    OpenApiParameter("outcome", OpenApiTypes.STR, enum=RegisterEntry.Outcome.values),
    OpenApiParameter(
        "stage",
        OpenApiTypes.STR,
        enum=[value for value, _label in STAGE_CHOICES if value],
        description="Only entries that reached this step.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="List entries of the allegations register", parameters=ENTRY_FILTERS
    ),
    retrieve=extend_schema(summary="Read an entry of the allegations register"),
    create=extend_schema(summary="Add an entry to the allegations register"),
    partial_update=extend_schema(
        summary="Change an entry of the allegations register",
        description="Send the `version` you read; an older one is refused with 409.",
        responses={200: RegisterEntrySerializer, 409: STALE_RESPONSE},
    ),
)
class RegisterEntryViewSet(InventoryViewSet):
    serializer_class = RegisterEntrySerializer
    patch_serializer_class = RegisterEntrySerializer
    model = RegisterEntry
    create_service = staticmethod(services.register_entry_create)
    update_service = staticmethod(services.register_entry_update)
    record_argument = "entry"
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "register.view",
        "HEAD": "register.view",
        "POST": "register.change",
        "PATCH": "register.change",
    }

    def base_queryset(self) -> QuerySet:
        filters: dict[str, Any] = {}
        if self.action == "list":
            filters = register_filters(self.request.query_params, user=self.request.user)
        return selectors.entry_list(user=self.request.user, filters=filters)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if "version" not in request.data:
            raise serializers.ValidationError({"version": ["This field is required."]})
        return super().partial_update(request, *args, **kwargs)


class StatisticsSchema(RefusalsSchema):
    """One object per request, not a list of them, though the action is `list`."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


@extend_schema_view(
    list=extend_schema(
        summary="Statistics of the allegations register",
        description=(
            "Complaints, investigations opened, prosecutions and convictions by group, the "
            "share prosecuted as torture rather than as a lesser offence (where practice "
            "departs from the UNCAT art. 1 definition), and the median days from complaint "
            "to decision. Aggregates only: no entry, no one named."
        ),
        parameters=[
            OpenApiParameter(
                "group", OpenApiTypes.STR, enum=list(selectors.GROUPS), default="agency"
            ),
            OpenApiParameter("year", OpenApiTypes.INT, description="Year of complaint only."),
        ],
        responses={200: RegisterStatisticsSerializer},
    )
)
class RegisterStatisticsViewSet(viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    schema = StatisticsSchema()
    serializer_class = RegisterStatisticsSerializer
    pagination_class = None
    http_method_names = ["get", "head"]
    permission_map: ClassVar[dict[str, str]] = {"GET": "register.stats", "HEAD": "register.stats"}

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A signed-in reader without the right gets statistics of nothing, as the
        # register's own list answers them, rather than a telling "forbidden".
        if request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)

    def list(self, request: Request) -> Response:
        group = request.query_params.get("group", "agency")
        if group not in selectors.GROUPS:
            choices = ", ".join(selectors.GROUPS)
            raise serializers.ValidationError({"group": [f"Choose one of {choices}."]})
        filters = register_filters(request.query_params, user=request.user)
        filters = {"year": filters["year"]} if "year" in filters else {}
        rows = selectors.register_statistics(user=request.user, group=group, filters=filters)
        total = selectors.register_totals(user=request.user, filters=filters)
        data = {"group": group, "count": len(rows), "results": rows, "total": total}
        return Response(RegisterStatisticsSerializer(data).data)


def register(router: Any) -> None:
    router.register("register-entries", RegisterEntryViewSet, basename="register-entry")
    router.register(
        "register-statistics", RegisterStatisticsViewSet, basename="register-statistics"
    )
