"""API v1 for recommendations, the authorities' responses and the verification of their
implementation (`/api/v1/recommendations/`, `/api/v1/responses/`,
`/api/v1/verifications/`), ¶20–24.

Reads start from `restrict(request.user, "view")`: an external expert sees only the
recommendations of the visits they were on, and nobody those of a visit hidden from
them; any other id answers 404, as a missing one does. Writes call the same services as
the pages, so they are checked, audited and optimistically locked in one place: a PATCH
carries the `version` it edits and a stale one gets 409. A recommendation the reader
sees but may not change answers 403. No delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.exceptions import drf_error
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.places.api import STALE_RESPONSE, RefusalsSchema
from habeas.recommendations import services
from habeas.recommendations.models import (
    SETTLED,
    Exchange,
    Implementation,
    Origin,
    Priority,
    Recommendation,
    ResponseStatus,
    Verification,
)
from habeas.recommendations.models import Response as AuthorityResponse
from habeas.recommendations.serializers_recommendations import (
    LinkSerializer,
    RecommendationPatchSerializer,
    RecommendationSerializer,
    RecommendationSummarySerializer,
    RepeatSerializer,
    ResponseSerializer,
    SendManySerializer,
    SendSerializer,
    VerificationSerializer,
)
from habeas.visits.models import Finding, Theme

MAX_ID = 2**63 - 1
NONE = "none"  # the `response` and `implementation` filters: none recorded yet
ORDERING = ("reference", "deadline", "sent_on", "response_due", "updated_at")
ORDERINGS = [key for name in ORDERING for key in (name, f"-{name}")]


def _id(params: Any, name: str) -> int | None:
    """A record id from the query string; None when absent, 0 for one that names none."""
    raw = params.get(name) or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise serializers.ValidationError({name: [_("Give an id (a whole number).")]})
    number = int(raw) if len(raw) < 20 else 0
    return number if 0 < number <= MAX_ID else 0


def _choice(params: Any, name: str, choices: list[str]) -> str:
    value = params.get(name) or ""
    if value and value not in choices:
        raise serializers.ValidationError({name: [_("Choose one of: %s.") % ", ".join(choices)]})
    return value


def _by_ids(rows: QuerySet, params: Any, lookups: dict[str, str]) -> QuerySet:
    """Filter by each id given; an id that names nothing gives nothing."""
    for name, lookup in lookups.items():
        pk = _id(params, name)
        if pk == 0:
            return rows.none()
        if pk is not None:
            rows = rows.filter(**{lookup: pk})
    return rows


class _ReadsAsNotFound(viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    pagination_class = Pagination
    lookup_value_regex = r"[0-9]+"

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A signed-in reader without the right sees nothing (empty lists, 404 for every
        # id) rather than being told "forbidden", as for a missing record.
        if request.method in permissions.SAFE_METHODS and request.user.is_authenticated:
            return
        super().permission_denied(request, message=message, code=code)

    def _write(self, service: Any, **arguments: Any) -> Any:
        try:
            return service(actor=self.request.user, **arguments)
        except DjangoValidationError as error:
            raise drf_error(error) from error


# -- recommendations ------------------------------------------------------------------------

RECOMMENDATION_FILTERS = [
    OpenApiParameter("place", OpenApiTypes.INT, description="Place id."),
    OpenApiParameter("visit", OpenApiTypes.INT, description="Visit id."),
    OpenApiParameter("addressee", OpenApiTypes.INT, description="Addressee (authority) id."),
    OpenApiParameter("authority", OpenApiTypes.INT, description="Same as addressee."),
    OpenApiParameter("theme", OpenApiTypes.STR, enum=Theme.values),
    OpenApiParameter("origin", OpenApiTypes.STR, enum=Origin.values),
    OpenApiParameter("priority", OpenApiTypes.STR, enum=Priority.values),
    OpenApiParameter("state", OpenApiTypes.STR, enum=Recommendation.State.values),
    OpenApiParameter(
        "response",
        OpenApiTypes.STR,
        enum=[*ResponseStatus.values, NONE],
        description="The latest response; none: no response recorded.",
    ),
    OpenApiParameter(
        "implementation",
        OpenApiTypes.STR,
        enum=[*Implementation.values, NONE],
        description="The latest verified status; none: not verified yet.",
    ),
    OpenApiParameter(
        "overdue",
        OpenApiTypes.STR,
        enum=["true", "false"],
        description="Sent, past its deadline, and neither achieved nor no longer relevant.",
    ),
    OpenApiParameter("sent_year", OpenApiTypes.INT, description="The year it was sent."),
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=ORDERINGS),
]


def recommendation_filters(rows: QuerySet, params: Any) -> QuerySet:
    """The tracker's filters over recommendations the reader sees, then their order."""
    rows = _by_ids(
        rows,
        params,
        {
            "place": "place_id",
            "visit": "visit_id",
            "addressee": "addressee_id",
            "authority": "addressee_id",
        },
    )
    for name, choices in (
        ("theme", Theme.values),
        ("origin", Origin.values),
        ("priority", Priority.values),
        ("state", Recommendation.State.values),
    ):
        if value := _choice(params, name, choices):
            rows = rows.filter(**{name: value})
    for name, choices in (
        ("response", ResponseStatus.values),
        ("implementation", Implementation.values),
    ):
        if value := _choice(params, name, [*choices, NONE]):
            rows = rows.filter(**{name: "" if value == NONE else value})
    if overdue := _choice(params, "overdue", ["true", "false"]):
        late = Q(state=Recommendation.State.SENT, deadline__lt=timezone.localdate()) & ~Q(
            implementation__in=SETTLED
        )
        rows = rows.filter(late) if overdue == "true" else rows.exclude(late)
    if year := params.get("sent_year"):
        if not (len(year) == 4 and year.isascii() and year.isdigit() and year >= "1900"):
            raise serializers.ValidationError({"sent_year": [_("Give a year, such as 2024.")]})
        rows = rows.filter(sent_on__year=int(year))
    order = _choice(params, "ordering", ORDERINGS)
    if not order:
        return rows.order_by("-id")
    name = order.lstrip("-")
    key = F(name).desc(nulls_last=True) if order.startswith("-") else F(name).asc(nulls_last=True)
    return rows.order_by(key, "-id")


@extend_schema_view(
    list=extend_schema(
        summary="List recommendations",
        description="Those you may see, filtered as in the tracker.",
        parameters=RECOMMENDATION_FILTERS,
        responses=RecommendationSummarySerializer(many=True),
    ),
    retrieve=extend_schema(summary="Read a recommendation"),
    create=extend_schema(
        summary="Draft a recommendation",
        description=(
            "A draft, numbered R-<year>-<nnnnn>. From a visit it takes the visit's place; "
            "the level follows the addressee; an urgent one gets a short deadline and the "
            "addressee's urgent liaison. Linked findings must be from the same visit or place."
        ),
    ),
    partial_update=extend_schema(
        summary="Change a recommendation",
        description=(
            "A draft may change entirely; once sent, only its priority, deadline, liaison "
            "and follow-up officer (other fields are refused with 400)."
        ),
        request=RecommendationPatchSerializer,
        responses={200: RecommendationSerializer, 409: STALE_RESPONSE},
    ),
)
class RecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ReadsAsNotFound):
    serializer_class = RecommendationSerializer
    http_method_names = ["get", "post", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "recommendations.view",
        "HEAD": "recommendations.view",
        "POST": "recommendations.draft",
        "PATCH": "recommendations.draft",
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return RecommendationSummarySerializer
        return RecommendationSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Recommendation.objects.none()
        rows = Recommendation.objects.restrict(self.request.user, "view")
        if self.action == "list":
            return recommendation_filters(rows, self.request.query_params)
        return rows

    def _answer(self, recommendation: Recommendation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=recommendation.pk)
        context = self.get_serializer_context()
        return Response(RecommendationSerializer(fresh, context=context).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        findings = data.pop("findings", [])
        made = self._write(services.recommendation_draft, data=data, findings=findings)
        return self._answer(made, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        recommendation = self.get_object()
        serializer = RecommendationPatchSerializer(
            recommendation, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        findings = values.pop("findings", None)
        if recommendation.state == Recommendation.State.SENT:
            _refuse_changes_once_sent(recommendation, values, findings)
        self._write(
            services.recommendation_update,
            recommendation=recommendation,
            data=values,
            expected_version=version,
            findings=findings,
        )
        return self._answer(recommendation)

    @extend_schema(
        summary="Send a draft to its addressee",
        description="Dated (today unless `sent_on` says otherwise), with the response deadline "
        "of its addressee. Refused with 400 when it has no addressee or was already sent.",
        request=SendSerializer,
        responses={200: RecommendationSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "recommendations.send"})
    def send(self, request: Request, pk: str | None = None) -> Response:
        recommendation = self.get_object()
        body = SendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self._write(
            services.recommendation_send,
            recommendations=[recommendation],
            sent_on=body.validated_data.get("sent_on"),
        )
        return self._answer(recommendation)

    @extend_schema(
        operation_id="v1_recommendations_send_many",
        summary="Send several drafts",
        description="All or none: one without an addressee, or already sent, refuses them all.",
        request=SendManySerializer,
        responses={200: RecommendationSummarySerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="send",
        url_name="send-many",
        permission_map={"POST": "recommendations.send"},
        pagination_class=None,
    )
    def send_many(self, request: Request) -> Response:
        body = SendManySerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        sent = self._write(
            services.recommendation_send,
            recommendations=body.validated_data["ids"],
            sent_on=body.validated_data.get("sent_on"),
        )
        rows = self.get_queryset().filter(pk__in=[r.pk for r in sent]).order_by("reference")
        context = self.get_serializer_context()
        return Response(RecommendationSummarySerializer(rows, many=True, context=context).data)

    @extend_schema(
        summary="Track two recommendations together, or stop",
        description="For example an SPT recommendation with the NPM's own on the same theme.",
        request=LinkSerializer,
        responses={200: RecommendationSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "recommendations.draft"})
    def link(self, request: Request, pk: str | None = None) -> Response:
        recommendation = self.get_object()
        body = LinkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        self._write(
            services.recommendation_link,
            recommendation=recommendation,
            other=body.validated_data["other"],
            linked=body.validated_data["linked"],
        )
        return self._answer(recommendation)

    @extend_schema(
        summary="Record that it repeats an earlier recommendation",
        request=RepeatSerializer,
        responses={200: RecommendationSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "recommendations.draft"})
    def repeat(self, request: Request, pk: str | None = None) -> Response:
        recommendation = self.get_object()
        body = RepeatSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        self._write(
            services.recommendation_mark_repeat,
            recommendation=recommendation,
            earlier=body.validated_data["earlier"],
        )
        return self._answer(recommendation)


def _refuse_changes_once_sent(
    recommendation: Recommendation, values: dict[str, Any], findings: list[Finding] | None
) -> None:
    """A sent recommendation keeps its words: say so rather than ignore the change."""
    refused = [
        name
        for name, value in values.items()
        if name not in services.SENT_FIELDS and getattr(recommendation, name) != value
    ]
    if findings is not None and {f.pk for f in findings} != set(
        recommendation.findings.values_list("pk", flat=True)
    ):
        refused.append("findings")
    if refused:
        message = _("A sent recommendation keeps its words: this can no longer change.")
        raise serializers.ValidationError({name: [message] for name in refused})


# -- responses and verifications ---------------------------------------------------------------


class _RecommendationChildViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _ReadsAsNotFound
):
    http_method_names = ["get", "post", "head"]
    model: ClassVar[Any]
    status_choices: ClassVar[list[str]]
    # Records the rows point to that some readers may not see, checked once per page.
    hidden_relations: ClassVar[dict[str, Any]] = {}

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        rows = self.model.objects.restrict(self.request.user, "view")
        if self.action == "list":
            rows = self._filtered(rows, self.request.query_params)
        return rows

    def _filtered(self, rows: QuerySet, params: Any) -> QuerySet:
        rows = _by_ids(rows, params, {"recommendation": "recommendation_id"})
        if value := _choice(params, "status", self.status_choices):
            rows = rows.filter(status=value)
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = page if page is not None else []
        context = {**self.get_serializer_context(), "visible": self._visible(rows)}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data)

    def _visible(self, rows: Sequence[Any]) -> dict[tuple[str, int], bool]:
        found: dict[tuple[str, int], bool] = {}
        for attribute, model in self.hidden_relations.items():
            ids = {getattr(row, attribute) for row in rows} - {None}
            seen = set(
                model.objects.restrict(self.request.user, "view")
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            found |= {(model._meta.label, pk): pk in seen for pk in ids}
        return found

    def _created(self, record: Any) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        data = self.get_serializer_class()(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


RESPONSE_FILTERS = [
    OpenApiParameter("recommendation", OpenApiTypes.INT, description="Recommendation id."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=ResponseStatus.values),
    OpenApiParameter("exchange", OpenApiTypes.INT, description="Letter or exchange id."),
]


@extend_schema_view(
    list=extend_schema(summary="List the authorities' responses", parameters=RESPONSE_FILTERS),
    retrieve=extend_schema(summary="Read a response"),
    create=extend_schema(
        summary="Record a response",
        description=(
            "Only a recommendation that was sent can be answered, on or after the day it "
            "was sent. The latest response by date stays on the recommendation."
        ),
    ),
)
class ResponseViewSet(_RecommendationChildViewSet):
    serializer_class = ResponseSerializer
    model = AuthorityResponse
    status_choices = ResponseStatus.values
    hidden_relations: ClassVar[dict[str, Any]] = {"exchange_id": Exchange}
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "recommendations.view",
        "HEAD": "recommendations.view",
        "POST": "recommendations.dialogue",
    }

    def _filtered(self, rows: QuerySet, params: Any) -> QuerySet:
        rows = super()._filtered(rows, params)
        if _id(params, "exchange") is not None:
            # Only those who see the dialogue may find responses by their letter.
            letters = Exchange.objects.restrict(self.request.user, "view")
            rows = _by_ids(rows, params, {"exchange": "exchange_id"})
            rows = rows.filter(exchange__in=letters.values("pk"))
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        made = self._write(
            services.response_record,
            recommendation=data["recommendation"],
            status=data["status"],
            responded_on=data["responded_on"],
            passage=data.get("passage", ""),
            exchange=data.get("exchange"),
        )
        return self._created(made)


VERIFICATION_FILTERS = [
    OpenApiParameter("recommendation", OpenApiTypes.INT, description="Recommendation id."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Implementation.values),
    OpenApiParameter("evidence", OpenApiTypes.STR, enum=Verification.Evidence.values),
]


@extend_schema_view(
    list=extend_schema(summary="List verifications", parameters=VERIFICATION_FILTERS),
    retrieve=extend_schema(summary="Read a verification"),
    create=extend_schema(
        summary="Verify a recommendation's implementation",
        description=(
            "Dated, with its evidence: `evidence` is finding (give `finding`, from a visit "
            "to its place), document (give `document` of its place, or `exchange`), or "
            "response (give one of its own `response`s). An id you may not see is refused "
            "as a missing one is. The history is kept; the latest by date stays on the "
            "recommendation."
        ),
    ),
)
class VerificationViewSet(_RecommendationChildViewSet):
    serializer_class = VerificationSerializer
    model = Verification
    status_choices = Implementation.values
    hidden_relations: ClassVar[dict[str, Any]] = {"finding_id": Finding, "exchange_id": Exchange}
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "recommendations.view",
        "HEAD": "recommendations.view",
        "POST": "recommendations.verify",
    }

    def _filtered(self, rows: QuerySet, params: Any) -> QuerySet:
        rows = super()._filtered(rows, params)
        if value := _choice(params, "evidence", Verification.Evidence.values):
            rows = rows.filter(evidence=value)
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        made = self._write(
            services.verification_record,
            recommendation=data["recommendation"],
            status=data["status"],
            verified_on=data["verified_on"],
            evidence=data["evidence"],
            finding=data.get("finding"),
            document=data.get("document"),
            exchange=data.get("exchange"),
            response=data.get("response"),
            note=data.get("note", ""),
        )
        return self._created(made)


def register(router: Any) -> None:
    router.register("recommendations", RecommendationViewSet, basename="recommendation")
    router.register("responses", ResponseViewSet, basename="response")
    router.register("verifications", VerificationViewSet, basename="verification")
