"""API v1 for visit guidelines (`/api/v1/guidelines/`, ¶13): read-only, with their items.

Reads start from `restrict(request.user, "view")`, as the pages do. Versions are made,
changed and published on the pages, through the services.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request

from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.places.api import RefusalsSchema
from habeas.visits.guidelines import guidelines_for_api
from habeas.visits.models import Guideline, GuidelineItem, RegisterKind


class GuidelineItemSerializer(serializers.ModelSerializer):
    # Empty for a question or an observation: the schema must say "" is an answer too.
    register_kind = serializers.ChoiceField(
        choices=[("", "none"), *RegisterKind.choices],
        read_only=True,
        help_text="The register to check, for a register item; empty otherwise.",
    )

    class Meta:
        model = GuidelineItem
        fields = ["id", "position", "theme", "kind", "text", "register_kind", "group_allowed"]
        read_only_fields = fields


class GuidelineSerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    category_name = serializers.CharField(source="category.name", read_only=True)
    items = GuidelineItemSerializer(many=True, read_only=True)

    class Meta:
        model = Guideline
        fields = [
            "id",
            "category",
            "category_name",
            "number",
            "title",
            "status",
            "published_on",
            "notes",
            "version",
            "items",
        ]
        read_only_fields = fields


class GuidelineFilterSerializer(serializers.Serializer):
    """The list's filters; anything else is refused with a 400, never a 500."""

    category = serializers.SlugField(required=False, max_length=48)
    status = serializers.ChoiceField(choices=Guideline.Status.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List visit guidelines with their items",
        parameters=[
            OpenApiParameter("category", str, description="A category code, e.g. police-custody"),
            OpenApiParameter("status", str, enum=Guideline.Status.values),
        ],
    ),
    retrieve=extend_schema(summary="Read one version of a visit guideline"),
)
class GuidelineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    pagination_class = Pagination
    serializer_class = GuidelineSerializer
    http_method_names = ["get", "head"]
    lookup_value_regex = r"[0-9]+"
    permission_map: ClassVar[dict[str, str]] = {"GET": "visits.view", "HEAD": "visits.view"}

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A signed-in reader without the role sees an empty list and 404 for every id:
        # `restrict` gives them nothing, as for a missing record.
        if request.method in permissions.SAFE_METHODS and request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)

    def get_queryset(self) -> QuerySet[Guideline]:
        if getattr(self, "swagger_fake_view", False):
            return Guideline.objects.none()
        guidelines = guidelines_for_api(user=self.request.user).order_by(
            "category__position", "category__code", "-number"
        )
        if self.action != "list":
            return guidelines
        filters = GuidelineFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        if "category" in filters.validated_data:
            guidelines = guidelines.filter(category__code=filters.validated_data["category"])
        if "status" in filters.validated_data:
            guidelines = guidelines.filter(status=filters.validated_data["status"])
        return guidelines


def register(router: Any) -> None:
    router.register("guidelines", GuidelineViewSet, basename="guideline")
