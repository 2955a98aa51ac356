"""API v1 of the legislation tracker (¶12, 26, 28, 29).

- `/api/v1/legislation-items/`: laws, bills and missing laws, ranked by priority (with
  its reasons). `POST …/{id}/assess/` and `…/{id}/clear-assessment/` assess it against a
  benchmark; `…/{id}/outcome/` records the outcome; `…/{id}/links/` links systemic
  recommendations and allegations register entries.
- `/api/v1/legislation-opinions/`: the NPM's opinions; a PATCH saves a new version of a
  draft; `POST …/{id}/send/` records that it went out (the head).
- `/api/v1/legislation-benchmarks/`: the checklists (edited by `legislation.benchmarks`).
- `/api/v1/legislation-steps/`: advocacy steps.

Reads start from `restrict(request.user, "view")`, as the pages do: a reader without the
right gets an empty list and a 404 for every id, the same as for a missing one. Writes
call the services, so they are checked, audited and optimistically locked in one place:
a PATCH of an item or an opinion carries the `version` it edits (or an If-Match header),
and a stale one gets 409. A role that may not write gets 403. No delete.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from habeas.api.viewsets import IF_MATCH, RecordViewSet, query_id
from habeas.legislation import selectors, services
from habeas.legislation.models import (
    AdvocacyStep,
    Benchmark,
    BenchmarkGroup,
    ItemKind,
    LegislationItem,
    Opinion,
    Procedure,
)
from habeas.legislation.serializers import (
    AdvocacyStepSerializer,
    LegislationAssessSerializer,
    LegislationBenchmarkPatchSerializer,
    LegislationBenchmarkSerializer,
    LegislationClearAssessmentSerializer,
    LegislationItemDetailSerializer,
    LegislationItemPatchSerializer,
    LegislationItemSerializer,
    LegislationLinksSerializer,
    LegislationOpinionDetailSerializer,
    LegislationOpinionReviseSerializer,
    LegislationOpinionSendSerializer,
    LegislationOpinionSerializer,
    LegislationOutcomeSerializer,
)
from habeas.partners.models import Partner
from habeas.places.api import STALE_RESPONSE

MAX_ID = 2**63 - 1
YES_NO = ["true", "false"]


def _choice(params: Any, name: str, choices: list[str]) -> str:
    value = params.get(name) or ""
    if value and value not in choices:
        raise serializers.ValidationError({name: [_("Choose one of: %s.") % ", ".join(choices)]})
    return value


class _LegislationViewSet(RecordViewSet):
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        serializer = self.get_serializer(record)
        response = Response(serializer.data)
        if hasattr(record, "version"):
            response["ETag"] = f'"{record.version}"'
        return response


# -- items ------------------------------------------------------------------------------------

ITEM_FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, enum=ItemKind.values),
    OpenApiParameter("procedure", OpenApiTypes.STR, enum=Procedure.values),
    OpenApiParameter(
        "open",
        OpenApiTypes.STR,
        enum=YES_NO,
        description="true: only those whose procedure is still open.",
    ),
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Words to find in the reference, title, subject, number or body.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="List legislation items, highest priority first",
        description="Laws, bills and missing laws you may see, ranked by priority (then "
        "nearest deadline, then reference), each with the reasons of its priority.",
        parameters=ITEM_FILTERS,
    ),
    retrieve=extend_schema(
        summary="Read a legislation item",
        description="With its assessments, opinions, and the recommendations and register "
        "entries linked that you may see. The ETag header carries its version.",
    ),
    create=extend_schema(
        summary="Follow a law, a bill or a missing law",
        description="Numbered L-<year>-<nnn>. Its priority is computed at once (not "
        "assessed yet until a benchmark is assessed).",
        responses={201: LegislationItemDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a legislation item",
        description="Give the version you read (`version` or If-Match). The outcome and "
        "the links have their own actions. Its priority follows the kind, procedure and "
        "deadline.",
        parameters=[IF_MATCH],
        request=LegislationItemPatchSerializer,
        responses={200: LegislationItemDetailSerializer, 409: STALE_RESPONSE},
    ),
)
class LegislationItemViewSet(mixins.ListModelMixin, _LegislationViewSet):
    serializer_class = LegislationItemDetailSerializer
    http_method_names = ["get", "post", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "legislation.view",
        "HEAD": "legislation.view",
        "POST": "legislation.change",
        "PATCH": "legislation.change",
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return (
            LegislationItemSerializer if self.action == "list" else LegislationItemDetailSerializer
        )

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return LegislationItem.objects.none()
        user = self.request.user
        if self.action != "list":
            return selectors.with_details(selectors.ranked(user), user)
        params = self.request.query_params
        return selectors.ranked(
            user,
            kind=_choice(params, "kind", ItemKind.values) or None,
            procedure=_choice(params, "procedure", Procedure.values) or None,
            q=params.get("q") or None,
            open_only=_choice(params, "open", YES_NO) == "true",
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = LegislationItemSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        item = self._write(services.item_create, **body.validated_data)
        return self._answer(item, LegislationItemDetailSerializer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        body = LegislationItemPatchSerializer(
            item, data=request.data, partial=True, context=self.get_serializer_context()
        )
        values, version = self._versioned(body)
        self._write(services.item_update, item=item, expected_version=version, **values)
        return self._answer(item, LegislationItemDetailSerializer)

    @extend_schema(
        summary="Assess the item against a benchmark",
        description="Says what the text does to one benchmark in use (strengthens, meets, "
        "silent, weakens, breaches) and why; replaces an earlier assessment against it. The "
        "priority is recomputed.",
        request=LegislationAssessSerializer,
        responses={200: LegislationItemDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        body = LegislationAssessSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        self._write(
            services.assessment_set,
            item=item,
            benchmark=data["benchmark"],
            effect=data["effect"],
            note=data.get("note", ""),
        )
        return self._answer(item, LegislationItemDetailSerializer)

    @extend_schema(
        summary="Withdraw the item's assessment against a benchmark",
        request=LegislationClearAssessmentSerializer,
        responses={200: LegislationItemDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="clear-assessment")
    def clear_assessment(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        body = LegislationClearAssessmentSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        self._write(
            services.assessment_clear, item=item, benchmark=body.validated_data["benchmark"]
        )
        return self._answer(item, LegislationItemDetailSerializer)

    @extend_schema(
        summary="Record the outcome",
        description="What became of the NPM's proposals: adopted as proposed, partly, not.",
        request=LegislationOutcomeSerializer,
        responses={200: LegislationItemDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        body = LegislationOutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        self._write(
            services.outcome_record, item=item, outcome=data["outcome"], note=data.get("note", "")
        )
        return self._answer(item, LegislationItemDetailSerializer)

    @extend_schema(
        summary="Link systemic recommendations and register entries",
        description="Each list given replaces the links you can see; links to records you "
        "cannot see stay. An id you may not see is refused as a missing one is.",
        request=LegislationLinksSerializer,
        responses={200: LegislationItemDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def links(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        body = LegislationLinksSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        self._write(
            services.links_set,
            item=item,
            recommendations=data.get("recommendations"),
            register_entries=data.get("register_entries"),
        )
        return self._answer(item, LegislationItemDetailSerializer)


# -- opinions ---------------------------------------------------------------------------------

OPINION_FILTERS = [
    OpenApiParameter("item", OpenApiTypes.INT, description="Legislation item id."),
    OpenApiParameter("state", OpenApiTypes.STR, enum=Opinion.State.values),
]


@extend_schema_view(
    list=extend_schema(
        summary="List the NPM's opinions on legislation", parameters=OPINION_FILTERS
    ),
    retrieve=extend_schema(summary="Read an opinion, with all its versions"),
    create=extend_schema(
        summary="Draft an opinion on a legislation item",
        description="Its text is kept as version 1.",
        responses={201: LegislationOpinionDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Save a new version of a draft opinion",
        description="Give the version you read (`version` or If-Match). A new text is kept "
        "as a new version; a sent opinion keeps its words (400).",
        parameters=[IF_MATCH],
        request=LegislationOpinionReviseSerializer,
        responses={200: LegislationOpinionDetailSerializer, 409: STALE_RESPONSE},
    ),
)
class OpinionViewSet(mixins.ListModelMixin, _LegislationViewSet):
    serializer_class = LegislationOpinionDetailSerializer
    http_method_names = ["get", "post", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "legislation.view",
        "HEAD": "legislation.view",
        "POST": "legislation.change",
        "PATCH": "legislation.change",
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return (
            LegislationOpinionSerializer
            if self.action == "list"
            else LegislationOpinionDetailSerializer
        )

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Opinion.objects.none()
        rows = Opinion.objects.restrict(self.request.user, "view").select_related("item")
        if self.action != "list":
            return rows.prefetch_related("versions")
        params = self.request.query_params
        item = query_id(params, "item")
        if item == 0:
            return rows.none()
        if item is not None:
            rows = rows.filter(item_id=item)
        if state := _choice(params, "state", Opinion.State.values):
            rows = rows.filter(state=state)
        return rows.order_by("-created_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = LegislationOpinionSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = body.validated_data
        opinion = self._write(
            services.opinion_create, item=data["item"], title=data["title"], text=data["text"]
        )
        return self._answer(opinion, LegislationOpinionDetailSerializer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opinion = self.get_object()
        body = LegislationOpinionReviseSerializer(data=request.data)
        data, version = self._versioned(body)
        self._write(
            services.opinion_revise,
            opinion=opinion,
            text=data.get("text", opinion.text),
            title=data.get("title"),
            expected_version=version,
        )
        return self._answer(opinion, LegislationOpinionDetailSerializer)

    @extend_schema(
        summary="Record that the opinion was sent",
        description="When and to whom; from then on it keeps its words. Refused (400) when "
        "it was already sent or the date is in the future.",
        request=LegislationOpinionSendSerializer,
        responses={200: LegislationOpinionDetailSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "legislation.send"})
    def send(self, request: Request, pk: str | None = None) -> Response:
        opinion = self.get_object()
        body = LegislationOpinionSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        self._write(
            services.opinion_send,
            opinion=opinion,
            sent_on=data.get("sent_on"),
            sent_to=data["sent_to"],
        )
        return self._answer(opinion, LegislationOpinionDetailSerializer)


# -- benchmarks -------------------------------------------------------------------------------

BENCHMARK_FILTERS = [
    OpenApiParameter("group", OpenApiTypes.STR, enum=BenchmarkGroup.values),
    OpenApiParameter("active", OpenApiTypes.STR, enum=YES_NO, description="In use or not."),
]


@extend_schema_view(
    list=extend_schema(summary="List the benchmarks", parameters=BENCHMARK_FILTERS),
    retrieve=extend_schema(summary="Read a benchmark"),
    create=extend_schema(
        summary="Add a benchmark", description="It comes last; its code never changes."
    ),
    partial_update=extend_schema(
        summary="Change a benchmark",
        description="Its words, weight, place or use; the priorities of the items assessed "
        "against it are recomputed.",
        request=LegislationBenchmarkPatchSerializer,
        responses={200: LegislationBenchmarkSerializer},
    ),
)
class BenchmarkViewSet(mixins.ListModelMixin, _LegislationViewSet):
    serializer_class = LegislationBenchmarkSerializer
    http_method_names = ["get", "post", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "legislation.view",
        "HEAD": "legislation.view",
        "POST": "legislation.benchmarks",
        "PATCH": "legislation.benchmarks",
    }

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Benchmark.objects.none()
        rows = Benchmark.objects.restrict(self.request.user, "view")
        if self.action == "list":
            params = self.request.query_params
            if group := _choice(params, "group", BenchmarkGroup.values):
                rows = rows.filter(group=group)
            if active := _choice(params, "active", YES_NO):
                rows = rows.filter(active=active == "true")
        return rows.order_by("position", "code")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = LegislationBenchmarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        benchmark = self._write(services.benchmark_create, **body.validated_data)
        return self._answer(benchmark, LegislationBenchmarkSerializer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        benchmark = self.get_object()
        body = LegislationBenchmarkPatchSerializer(benchmark, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        self._write(services.benchmark_update, benchmark=benchmark, **body.validated_data)
        return self._answer(benchmark, LegislationBenchmarkSerializer)


# -- advocacy steps ---------------------------------------------------------------------------

STEP_FILTERS = [
    OpenApiParameter("item", OpenApiTypes.INT, description="Legislation item id."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=AdvocacyStep.Kind.values),
]


@extend_schema_view(
    list=extend_schema(summary="List advocacy steps", parameters=STEP_FILTERS),
    retrieve=extend_schema(summary="Read an advocacy step"),
    create=extend_schema(
        summary="Record an advocacy step",
        description="A meeting, a hearing, a letter to parliamentarians, a joint statement "
        "with partners (those you may see).",
    ),
)
class StepViewSet(mixins.ListModelMixin, _LegislationViewSet):
    serializer_class = AdvocacyStepSerializer
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = {
        "GET": "legislation.view",
        "HEAD": "legislation.view",
        "POST": "legislation.change",
    }

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return AdvocacyStep.objects.none()
        user = self.request.user
        rows = (
            AdvocacyStep.objects.restrict(user, "view")
            .select_related("item")
            .prefetch_related(
                Prefetch(
                    "partners",
                    queryset=Partner.objects.restrict(user, "view").order_by("pk"),
                    to_attr="visible_partners",
                )
            )
        )
        if self.action == "list":
            params = self.request.query_params
            item = query_id(params, "item")
            if item == 0:
                return rows.none()
            if item is not None:
                rows = rows.filter(item_id=item)
            if kind := _choice(params, "kind", AdvocacyStep.Kind.values):
                rows = rows.filter(kind=kind)
        return rows.order_by("-held_on", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AdvocacyStepSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        step = self._write(services.step_add, **body.validated_data)
        return self._answer(step, AdvocacyStepSerializer, status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    router.register("legislation-items", LegislationItemViewSet, basename="legislation-item")
    router.register("legislation-opinions", OpinionViewSet, basename="legislation-opinion")
    router.register("legislation-benchmarks", BenchmarkViewSet, basename="legislation-benchmark")
    router.register("legislation-steps", StepViewSet, basename="legislation-step")
