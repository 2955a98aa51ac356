"""The analytics API (¶34): /api/v1/analytics/<analysis>/ (read-only) and
/api/v1/saved-views/.

Every figure is counted as on the pages, through `restrict`: a reader sees only the
findings they may see. A signed-in reader without `analytics.view` gets 404 (and an
empty list of saved views), the same as for a missing resource.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.accounts import roles
from habeas.api.viewsets import RecordViewSet
from habeas.assessment import analytics, services_analytics
from habeas.assessment.analytics import Filters
from habeas.assessment.forms_analytics import FilterForm
from habeas.assessment.models_analytics import SavedView
from habeas.assessment.serializers_analytics import (
    GenericProblemSerializer,
    GoodPracticeSerializer,
    HeatmapSerializer,
    SavedViewSerializer,
    SeriousPlaceSerializer,
    TrendsSerializer,
)
from habeas.visits.models import Finding, Standard, Theme

FILTERS = [
    OpenApiParameter("year_from", OpenApiTypes.INT, description="First year (of the visit)."),
    OpenApiParameter("year_to", OpenApiTypes.INT, description="Last year (of the visit)."),
    OpenApiParameter("region", OpenApiTypes.INT, description="Region id, areas inside included."),
    OpenApiParameter("category", OpenApiTypes.INT, description="Category of place id."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Finding.Kind.values),
    OpenApiParameter("severity", OpenApiTypes.STR, enum=Finding.Severity.values),
    OpenApiParameter("theme", OpenApiTypes.STR, enum=Theme.values),
    OpenApiParameter("standard", OpenApiTypes.STR, enum=Standard.values),
    OpenApiParameter("place", OpenApiTypes.INT, description="Place id."),
    OpenApiParameter(
        "min_places", OpenApiTypes.INT, description="Generic problems: at least this many places."
    ),
]


REFUSALS = {
    400: OpenApiResponse(description="A filter is not valid; the body says which and why."),
    404: OpenApiResponse(description="You may not see the analytics."),
}


def _filters(request: Request) -> Filters:
    form = FilterForm(request.query_params)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        raise serializers.ValidationError(errors)
    return form.filters()


class AnalyticsViewSet(RecordViewSet):
    """Read-only analyses; no list of their own."""

    permission_map: ClassVar[dict[str, str]] = {"GET": "analytics.view", "HEAD": "analytics.view"}
    pagination_class = None  # type: ignore[assignment]

    def _allowed(self, request: Request) -> Filters:
        if not roles.can(request.user, "analytics.view"):
            raise Http404
        return _filters(request)

    @extend_schema(
        summary="Findings by theme and category of place (heatmap)",
        parameters=FILTERS,
        responses={200: HeatmapSerializer, **REFUSALS},
    )
    @action(detail=False, methods=["get"])
    def heatmap(self, request: Request) -> Response:
        result = analytics.heatmap(request.user, self._allowed(request))
        return Response(
            {
                "source": result.source,
                "categories": [{"id": c.pk, "name": c.name} for c in result.categories],
                "rows": [
                    {
                        "theme": row["theme"],
                        "label": str(row["label"]),
                        "counts": [cell["n"] for cell in row["cells"]],
                        "total": row["total"],
                    }
                    for row in result.rows
                ],
                "column_totals": result.column_totals,
                "total": result.total,
            }
        )

    @extend_schema(
        summary="Findings per theme and year (trends)",
        parameters=FILTERS,
        responses={200: TrendsSerializer, **REFUSALS},
    )
    @action(detail=False, methods=["get"])
    def trends(self, request: Request) -> Response:
        result = analytics.trends(request.user, self._allowed(request))
        series = [{**row, "label": str(row["label"])} for row in result.series]
        return Response(
            {
                "source": result.source,
                "years": result.years,
                "series": series,
                "year_totals": result.year_totals,
                "total": result.total,
            }
        )

    @extend_schema(
        summary="Generic problems",
        description="Concerns of one theme citing one standard at `min_places` (default 3) "
        "or more distinct places.",
        parameters=FILTERS,
        responses={200: GenericProblemSerializer(many=True), **REFUSALS},
    )
    @action(detail=False, methods=["get"])
    def generic(self, request: Request) -> Response:
        problems = analytics.generic_problems(request.user, self._allowed(request))
        return Response(GenericProblemSerializer(problems, many=True).data)

    @extend_schema(
        summary="Good practices by theme and where they were seen",
        parameters=FILTERS,
        responses={200: GoodPracticeSerializer(many=True), **REFUSALS},
    )
    @action(detail=False, methods=["get"], url_path="good-practices")
    def good_practices(self, request: Request) -> Response:
        rows = analytics.good_practices(request.user, self._allowed(request))
        data = [
            {
                **{k: row[k] for k in ("theme", "findings", "places")},
                "label": str(row["label"]),
                "top": [{"place": p.pk, "name": p.name, "findings": n} for p, n in row["top"]],
            }
            for row in rows
        ]
        return Response(data)

    @extend_schema(
        summary="Places with the most serious findings",
        parameters=FILTERS,
        responses={200: SeriousPlaceSerializer(many=True), **REFUSALS},
    )
    @action(detail=False, methods=["get"])
    def serious(self, request: Request) -> Response:
        rows = analytics.serious_places(request.user, self._allowed(request))
        data = [
            {
                "place": row["place"].pk,
                "name": row["place"].name,
                "category": row["place"].category.name,
                "urgent": row["urgent"],
                "key": row["key"],
            }
            for row in rows
        ]
        return Response(data)


@extend_schema_view(
    list=extend_schema(summary="Your saved views and those colleagues shared"),
    retrieve=extend_schema(summary="Read a saved view"),
    create=extend_schema(
        summary="Save the filters of an analysis",
        description="`params` holds the filters (as the analysis takes them); they are "
        "checked and kept as given. Whoever opens the view sees only what they may see.",
    ),
    destroy=extend_schema(summary="Delete one of your saved views"),
)
class SavedViewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    RecordViewSet,
):
    serializer_class = SavedViewSerializer
    http_method_names = ["get", "post", "delete", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "analytics.view",
        "HEAD": "analytics.view",
        "POST": "analytics.save",
        "DELETE": "analytics.save",
    }

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return SavedView.objects.none()
        return SavedView.objects.restrict(self.request.user, "view")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SavedViewSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        params = data.get("params") or {}
        form = FilterForm(params if isinstance(params, dict) else None)
        if not isinstance(params, dict) or not form.is_valid():
            raise serializers.ValidationError({"params": [str(_invalid())]})
        view = self._write(
            services_analytics.saved_view_create,
            name=data["name"],
            kind=data["kind"],
            params=form.filters().as_params(),
            shared=data.get("shared", False),
        )
        return self._answer(view, SavedViewSerializer, status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view = self.get_object()
        try:
            services_analytics.saved_view_delete(actor=request.user, view=view)
        except PermissionDenied as error:
            self.permission_denied(request, message=str(error))
            raise  # pragma: no cover - permission_denied raises for a DELETE
        return Response(status=status.HTTP_204_NO_CONTENT)


def _invalid() -> str:
    from django.utils.translation import gettext as _

    return _("These filters are not valid.")


def register(router: Any) -> None:
    router.register("analytics", AnalyticsViewSet, basename="analytics")
    router.register("saved-views", SavedViewViewSet, basename="saved-view")
