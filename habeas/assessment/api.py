"""API v1 for the SPT's assessment tool: frameworks, assessments, ratings, evidence and
action items (`/api/v1/frameworks/` …; whole tool, ¶3).

Reads start from `Assessment.objects.restrict(request.user, "view")`, as the pages do:
ratings, evidence and action items are reached through their assessment, so an
assessing body sees only what it made or was given, and a hidden record answers 404
like a missing one. Writes call the assessment services, so they are checked, audited,
optimistically locked and refused on a final assessment in one place. A PATCH must
carry the `version` it edits; a stale one gets 409. Nothing is deleted here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.accounts import roles
from habeas.api.permissions import RolePermission
from habeas.assessment import selectors, services
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    Criterion,
    Evidence,
    FrameworkVersion,
    Rating,
    Section,
)
from habeas.assessment.serializers import (
    ActionItemPatchSerializer,
    ActionItemSerializer,
    AssessmentPatchSerializer,
    AssessmentSerializer,
    EvidenceSerializer,
    FrameworkVersionSerializer,
    RatingPatchSerializer,
    RatingSerializer,
)
from habeas.assessment.services_common import OPEN_ITEM_STATUSES
from habeas.places.api import STALE_RESPONSE, RefusalsSchema

READ = {"GET": "assessment.view", "HEAD": "assessment.view"}


def drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's refusal, in the API's shape: field errors by field, others together."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


# The largest key PostgreSQL and SQLite hold; a larger id names no record.
MAX_ID = 2**63 - 1


def id_filter(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise serializers.ValidationError({name: _("Give a number.")})
    # A longer number is past every key: neither int() nor the database is asked.
    return int(raw) if len(raw) <= 19 else MAX_ID + 1


def assessment_param(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "assessment", OpenApiTypes.INT, description=f"Only the {what} of this assessment."
    )


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and reads through `restrict`; never PUT, never DELETE."""

    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    http_method_names = ["get", "post", "patch", "head"]
    lookup_value_regex = r"[0-9]+"
    model: ClassVar[Any]

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A signed-in reader without a role is not told "forbidden": `restrict` gives them
        # nothing, so the list is empty and every id answers 404, as for a missing record.
        if request.method in permissions.SAFE_METHODS and request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)

    def visible_assessments(self) -> QuerySet[Assessment]:
        return Assessment.objects.restrict(self.request.user, "view")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset()

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError

    def of_visible_assessments(self, records: QuerySet) -> QuerySet:
        """Records of assessments the user may see, narrowed by `?assessment=` on lists."""
        records = records.filter(assessment__in=self.visible_assessments().values("pk"))
        wanted = id_filter(self.request, "assessment") if self.action == "list" else None
        if wanted is None:
            return records
        return records.filter(assessment_id=wanted) if wanted <= MAX_ID else records.none()

    def respond(self, record: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=code)


# Frameworks ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List framework versions with their sections and criteria"),
    retrieve=extend_schema(summary="Read a framework version"),
)
class FrameworkVersionViewSet(ScopedViewSet):
    serializer_class = FrameworkVersionSerializer
    model = FrameworkVersion
    http_method_names = ["get", "head"]
    permission_map: ClassVar[dict[str, str]] = READ

    def scoped_queryset(self) -> QuerySet:
        if not roles.can(self.request.user, "assessment.view"):
            return FrameworkVersion.objects.none()
        criteria = Criterion.objects.select_related("section", "parent").prefetch_related("slots")
        return (
            FrameworkVersion.objects.select_related("framework")
            .prefetch_related(
                Prefetch("sections", queryset=Section.objects.select_related("parent")),
                Prefetch("criteria", queryset=criteria.order_by("position", "id")),
            )
            .order_by("framework__name", "-imported_at", "-id")
        )


# Assessments ---------------------------------------------------------------------------


def _count_ratings(**lookups: Any) -> Coalesce:
    counted = (
        Rating.objects.filter(assessment=OuterRef("pk"), **lookups)
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@extend_schema_view(
    list=extend_schema(summary="List the assessments you may see"),
    retrieve=extend_schema(summary="Read an assessment"),
    create=extend_schema(
        summary="Start an assessment",
        description="Starts a draft with one empty rating per criterion of the framework "
        "version. An NPM assesses itself; an assessing body names the NPM in `subject`.",
    ),
    partial_update=extend_schema(
        summary="Change an assessment's title, summary, period or assessors",
        request=AssessmentPatchSerializer,
        responses={200: AssessmentSerializer, 409: STALE_RESPONSE},
    ),
)
class AssessmentViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = AssessmentSerializer
    model = Assessment
    ACTIONS: ClassVar[dict[str, str]] = {
        "submit": "assessment.change",
        "finalise": "assessment.finalise",
    }

    @property
    def permission_map(self) -> dict[str, str]:
        creating = self.ACTIONS.get(getattr(self, "action", "") or "", "assessment.create")
        return {**READ, "POST": creating, "PATCH": "assessment.change"}

    def scoped_queryset(self) -> QuerySet:
        return (
            self.visible_assessments()
            .select_related("subject", "made_by", "framework_version__framework")
            .prefetch_related("assessors")
            .annotate(
                criteria_count=_count_ratings(),
                rated_count=_count_ratings(level__gt=""),
            )
            .order_by("-period_end", "-revision", "-id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        subject = values.get("subject") or selectors.organisation_of(user=request.user)
        if subject is None:
            raise exceptions.PermissionDenied(_("Your organisation is not set up yet."))
        try:
            assessment = services.assessment_create(
                actor=request.user,
                framework_version=values["framework_version"],
                subject=subject,
                title=values["title"],
                period_start=values["period_start"],
                period_end=values["period_end"],
                assessors=values.get("assessors", []),
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self.respond(assessment, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        serializer = AssessmentPatchSerializer(
            assessment, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            services.assessment_update(
                actor=request.user,
                assessment=assessment,
                title=values.get("title", assessment.title),
                summary=values.get("summary", assessment.summary),
                period_start=values.get("period_start", assessment.period_start),
                period_end=values.get("period_end", assessment.period_end),
                assessors=values.get("assessors", list(assessment.assessors.all())),
                expected_version=values["version"],
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self.respond(assessment)

    @extend_schema(
        summary="Submit a draft for review",
        request=None,
        responses={200: AssessmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._move(services.assessment_submit_for_review)

    @extend_schema(
        summary="Finalise an assessment in review (the head)",
        description="A final assessment is frozen: its ratings, narratives and evidence can "
        "no longer change, and its indicator figures are kept as they are today.",
        request=None,
        responses={200: AssessmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, pk: str | None = None) -> Response:
        return self._move(services.assessment_finalise)

    def _move(self, service: Any) -> Response:
        assessment = self.get_object()
        try:
            service(actor=self.request.user, assessment=assessment)
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self.respond(assessment)


# Ratings ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List ratings", parameters=[assessment_param("ratings")]),
    retrieve=extend_schema(summary="Read a rating"),
    partial_update=extend_schema(
        summary="Rate a criterion",
        description='"not_applicable" needs a reason. A final assessment refuses every change.',
        request=RatingPatchSerializer,
        responses={200: RatingSerializer, 409: STALE_RESPONSE},
    ),
)
class RatingViewSet(ScopedViewSet):
    serializer_class = RatingSerializer
    model = Rating
    http_method_names = ["get", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = {**READ, "PATCH": "assessment.change"}

    def scoped_queryset(self) -> QuerySet:
        ratings = Rating.objects.select_related("criterion", "assessment")
        return self.of_visible_assessments(ratings).order_by(
            "assessment_id", "criterion__position", "id"
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rating = self.get_object()
        serializer = RatingPatchSerializer(
            rating, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            services.rating_save(
                actor=request.user,
                rating=rating,
                level=values.get("level", rating.level),
                reason=values.get("reason", rating.reason),
                narrative=values.get("narrative", rating.narrative),
                expected_version=values["version"],
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self.respond(rating)


# Evidence -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List evidence", parameters=[assessment_param("evidence")]),
    retrieve=extend_schema(summary="Read a piece of evidence"),
    create=extend_schema(
        summary="Add evidence to a rating",
        description="A public source (`kind` link, an https `url`), a Habeas record you can "
        'see (`kind` record, `record_type` such as "places.place" and `record_id`), or a '
        "document (`kind` document, `upload` as multipart/form-data).",
    ),
)
class EvidenceViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = EvidenceSerializer
    model = Evidence
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = {**READ, "POST": "assessment.change"}

    def scoped_queryset(self) -> QuerySet:
        return self.of_visible_assessments(
            Evidence.objects.select_related("criterion", "assessment")
        ).order_by("assessment_id", "added_at", "id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            evidence = services.evidence_add(
                actor=request.user,
                assessment=values["assessment"],
                criterion=values["criterion"],
                kind=values["kind"],
                title=values.get("title", ""),
                upload=values.get("upload"),
                url=values.get("url", ""),
                record_type=values.get("record_type", ""),
                record_id=values.get("record_id", ""),
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self.respond(evidence, status.HTTP_201_CREATED)


# Action items ---------------------------------------------------------------------------------

STATUS_FILTER = OpenApiParameter(
    "status", OpenApiTypes.STR, enum=ActionItem.Status.values, description="Only this status."
)
OVERDUE_FILTER = OpenApiParameter(
    "overdue", OpenApiTypes.STR, enum=["yes"], description="Only items open past their deadline."
)


@extend_schema_view(
    list=extend_schema(
        summary="List action items",
        parameters=[assessment_param("action items"), STATUS_FILTER, OVERDUE_FILTER],
    ),
    retrieve=extend_schema(summary="Read an action item"),
    create=extend_schema(
        summary="Turn a gap into an action item",
        description="The criterion must be rated not in place or partially in place. The "
        "action plan stays open after the assessment is final.",
    ),
    partial_update=extend_schema(
        summary="Follow an action item: status, owner, deadline",
        request=ActionItemPatchSerializer,
        responses={200: ActionItemSerializer, 409: STALE_RESPONSE},
    ),
)
class ActionItemViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = ActionItemSerializer
    model = ActionItem
    permission_map: ClassVar[dict[str, str]] = {
        **READ,
        "POST": "assessment.change",
        "PATCH": "assessment.change",
    }

    def scoped_queryset(self) -> QuerySet:
        items = self.of_visible_assessments(
            ActionItem.objects.select_related("criterion", "assessment")
        )
        if self.action == "list":
            items = self._filter_status(items)
        return items.order_by("deadline", "id")

    def _filter_status(self, items: QuerySet) -> QuerySet:
        wanted = self.request.query_params.get("status", "").strip()
        if wanted:
            if wanted not in ActionItem.Status.values:
                raise serializers.ValidationError({"status": _("Not a known status.")})
            items = items.filter(status=wanted)
        if self.request.query_params.get("overdue") == "yes":
            items = items.filter(status__in=OPEN_ITEM_STATUSES, deadline__lt=timezone.localdate())
        return items

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            item = services.action_item_create(
                actor=request.user,
                assessment=values["assessment"],
                criterion=values["criterion"],
                title=values["title"],
                description=values.get("description", ""),
                owner=values["owner"],
                deadline=values["deadline"],
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self.respond(item, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = ActionItemPatchSerializer(
            item, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            services.action_item_update(
                actor=request.user,
                item=item,
                status=values.get("status", item.status),
                owner=values.get("owner"),
                deadline=values.get("deadline"),
                expected_version=values["version"],
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return self.respond(item)


def register(router: Any) -> None:
    router.register("frameworks", FrameworkVersionViewSet, basename="framework")
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("ratings", RatingViewSet, basename="rating")
    router.register("evidence", EvidenceViewSet, basename="evidence")
    router.register("action-items", ActionItemViewSet, basename="action-item")
