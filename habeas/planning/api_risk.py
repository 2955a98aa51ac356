"""API v1 of the risk model (¶10).

- `/api/v1/risk-scores/`: the live score of every open place you may see, highest
  first, each with its breakdown (`?region=`, sub-regions included; `?category=`;
  `?place=`). Read only.
- `/api/v1/risk-weights/`: every version of the weights, newest first; a POST (the
  head) saves a new version from the one read (`based_on`), 409 if another was saved
  since.

Whoever may not see planning gets an empty list, as for a missing record. A factor
counted from confidential records the reader may not see (reprisal watches they are not
granted on) comes with `hidden: true` and no figure, strength or points.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from habeas.api.exceptions import drf_error
from habeas.api.viewsets import RecordViewSet, query_id
from habeas.places.api import STALE_RESPONSE
from habeas.planning import selectors_risk, services_risk
from habeas.planning.models import RiskWeights
from habeas.planning.selectors_risk import RiskFilters
from habeas.planning.serializers_risk import (
    RiskScoreSerializer,
    RiskWeightsCreateSerializer,
    RiskWeightsSerializer,
)

SCORE_FILTERS = [
    OpenApiParameter("region", OpenApiTypes.INT, description="Region id (sub-regions included)."),
    OpenApiParameter("category", OpenApiTypes.INT, description="Category id."),
    OpenApiParameter("place", OpenApiTypes.INT, description="Place id."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List the risk scores of open places, highest first",
        description="Computed live with the weights in use, for the places you may see. "
        "Each comes with every factor: its raw figure, strength (0 to 1), points and a "
        "sentence. A factor without data is `missing` and adds nothing; one counted from "
        "confidential records you may not see is `hidden`, with no figure.",
        parameters=SCORE_FILTERS,
    ),
)
class RiskScoreViewSet(mixins.ListModelMixin, RecordViewSet):
    serializer_class = RiskScoreSerializer
    http_method_names = ["get", "head"]
    permission_map: ClassVar[dict[str, str]] = {"GET": "planning.view", "HEAD": "planning.view"}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return []
        params = self.request.query_params
        region, category, place = (
            query_id(params, name) for name in ("region", "category", "place")
        )
        if 0 in (region, category, place):
            return []
        rows = selectors_risk.risk_rows(
            user=self.request.user, filters=RiskFilters(region=region, category=category)
        )
        if place is not None:
            rows = [row for row in rows if row.place_id == place]
        return rows


@extend_schema_view(
    list=extend_schema(
        summary="List every version of the risk weights, newest first",
        description="The first is the version in use. A weight is the points its factor "
        "adds at full strength.",
    ),
    create=extend_schema(
        summary="Save new risk weights",
        description="Every factor needs a weight from 0 to 100 (at least one above 0). "
        "Give `based_on`, the number of the version you read: if another was saved since, "
        "the answer is 409 and nothing is saved.",
        request=RiskWeightsCreateSerializer,
        responses={201: RiskWeightsSerializer, 409: STALE_RESPONSE},
    ),
)
class RiskWeightsViewSet(mixins.ListModelMixin, RecordViewSet):
    serializer_class = RiskWeightsSerializer
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "planning.view",
        "HEAD": "planning.view",
        "POST": "planning.weights",
    }

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RiskWeights.objects.none()
        return selectors_risk.weights_versions(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = RiskWeightsCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            saved = services_risk.weights_save(
                actor=request.user,
                weights=dict(data["weights"]),
                note=data.get("note", ""),
                expected_number=data["based_on"],
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return Response(RiskWeightsSerializer(saved).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    router.register("risk-scores", RiskScoreViewSet, basename="risk-score")
    router.register("risk-weights", RiskWeightsViewSet, basename="risk-weight")
