"""API v1 of the visit programme and the team builder (¶10, 11, 35, 36).

- `/api/v1/programmes/`: programmes for a quarter or a year. A PATCH changes the settings
  from the version read (409 when stale). `POST …/{id}/build/` queues a build,
  `…/{id}/teams/` queues the team proposals, `…/{id}/justify/` writes why a region or
  category is left out, `…/{id}/adopt/` (the head) adopts it and creates the visits.
- `/api/v1/planned-visits/`: the visits of programmes (`?programme=`); POST adds one (it
  is pinned), PATCH pins, unpins or moves one, DELETE removes it (the place is then
  avoided for the period).
- `/api/v1/team-proposals/`: the proposed teams with every check explained.

Same rights as the pages: a reader without `planning.programmes` gets empty lists and 404 for
every id, as for a missing one; a role that may not write gets 403.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from habeas.api.viewsets import IF_MATCH, RecordViewSet, query_id
from habeas.core.errors import StaleEdit
from habeas.places.api import STALE_RESPONSE
from habeas.planning import selectors, services, services_teams
from habeas.planning.models import PlannedVisit, Programme, TeamProposal
from habeas.planning.serializers import (
    PlannedVisitCreateSerializer,
    PlannedVisitPatchSerializer,
    PlannedVisitSerializer,
    ProgrammeActionSerializer,
    ProgrammeCreateSerializer,
    ProgrammeJustifySerializer,
    ProgrammePatchSerializer,
    ProgrammeSerializer,
    TeamProposalSerializer,
)

READ = {"GET": "planning.programmes", "HEAD": "planning.programmes"}
WRITE = {**READ, "POST": "planning.change", "PATCH": "planning.change"}
PROGRAMME_FILTER = [OpenApiParameter("programme", OpenApiTypes.INT, description="Programme id.")]
MAX_ID = 2**63 - 1


class _PlanningViewSet(RecordViewSet):
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        response = Response(self.get_serializer(record).data)
        if hasattr(record, "version"):
            response["ETag"] = f'"{record.version}"'
        return response


@extend_schema_view(
    list=extend_schema(summary="List visit programmes, latest period first"),
    retrieve=extend_schema(
        summary="Read a visit programme",
        description="Its settings, status and what its last build found: objective, proven "
        "bound and gap, the comparison with “most overdue first”, what is left out, places "
        "whose maximum interval will be exceeded. The ETag header carries its version.",
    ),
    create=extend_schema(
        summary="Start a programme for a quarter or a year",
        description="Its settings, capacity and category rules start as the latest programme's.",
        request=ProgrammeCreateSerializer,
        responses={201: ProgrammeSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a programme's settings",
        description="Reserve, default maximum interval, travel, search time, title. Give "
        "the version you read (`version` or If-Match). Refused once adopted.",
        parameters=[IF_MATCH],
        request=ProgrammePatchSerializer,
        responses={200: ProgrammeSerializer, 409: STALE_RESPONSE},
    ),
)
class ProgrammeViewSet(mixins.ListModelMixin, _PlanningViewSet):
    serializer_class = ProgrammeSerializer
    http_method_names = ["get", "post", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = WRITE

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Programme.objects.none()
        return Programme.objects.restrict(self.request.user, "view").order_by("-starts_on", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ProgrammeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        programme = self._write(services.programme_create, data=body.validated_data)
        return self._answer(programme, ProgrammeSerializer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        body = ProgrammePatchSerializer(data=request.data, partial=True)
        values, version = self._versioned(body)
        self._write(
            services.programme_update,
            programme=programme,
            data=values,
            expected_version=version,
        )
        return self._answer(programme, ProgrammeSerializer)

    @extend_schema(
        summary="Build the programme",
        description="Queues the build: the status is `queued` until the solvers answer, "
        "then `built` (or `failed`, with the reason).",
        request=ProgrammeActionSerializer,
        responses={202: ProgrammeSerializer},
    )
    @action(detail=True, methods=["post"])
    def build(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        self._write(services.programme_build, programme=programme)
        return self._answer(programme, ProgrammeSerializer, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Propose teams for every planned visit",
        description="Queues the team builder for a built programme: `teams_status` is "
        "`queued` until it answers, then `built` (or `failed`, with the reason in "
        "`teams_failure`). One model for the whole period; each proposal explains itself "
        "(`/api/v1/team-proposals/`). Building the programme again sets `teams_status` "
        "back to empty: propose the teams again.",
        request=ProgrammeActionSerializer,
        responses={202: ProgrammeSerializer},
    )
    @action(detail=True, methods=["post"])
    def teams(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        self._write(services_teams.teams_queue, programme=programme)
        return self._answer(programme, ProgrammeSerializer, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Justify a region or a category left out",
        description="Give `region` or `category` and the reason (20 characters at least).",
        request=ProgrammeJustifySerializer,
        responses={200: ProgrammeSerializer},
    )
    @action(detail=True, methods=["post"])
    def justify(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        body = ProgrammeJustifySerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        self._write(
            services.justification_save,
            programme=programme,
            category=data.get("category"),
            region=data.get("region"),
            text=data["text"],
        )
        return self._answer(programme, ProgrammeSerializer)

    @extend_schema(
        summary="Adopt the programme",
        description="The head adopts a built programme whose left-out regions and "
        "categories are all justified: each planned visit becomes a planned visit of the "
        "NPM, with its proposed team. Nothing changes afterwards.",
        request=ProgrammeActionSerializer,
        responses={200: ProgrammeSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "planning.adopt"})
    def adopt(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        self._write(services.programme_adopt, programme=programme)
        return self._answer(programme, ProgrammeSerializer)


@extend_schema_view(
    list=extend_schema(summary="List planned visits", parameters=PROGRAMME_FILTER),
    retrieve=extend_schema(summary="Read a planned visit, with why it was chosen"),
    create=extend_schema(
        summary="Add a visit to a programme",
        description="It is pinned: a re-solve plans around it.",
        request=PlannedVisitCreateSerializer,
        responses={201: PlannedVisitSerializer},
    ),
    partial_update=extend_schema(
        summary="Pin, unpin or move a planned visit",
        description="Give the version you read (`version` or If-Match).",
        parameters=[IF_MATCH],
        request=PlannedVisitPatchSerializer,
        responses={200: PlannedVisitSerializer, 409: STALE_RESPONSE},
    ),
    destroy=extend_schema(
        summary="Remove a planned visit",
        description="The place is avoided for the period, so a re-solve does not bring it back.",
    ),
)
class PlannedVisitViewSet(mixins.ListModelMixin, _PlanningViewSet):
    serializer_class = PlannedVisitSerializer
    http_method_names = ["get", "post", "patch", "delete", "head"]
    permission_map: ClassVar[dict[str, str]] = {**WRITE, "DELETE": "planning.change"}

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return PlannedVisit.objects.none()
        rows = PlannedVisit.objects.restrict(self.request.user, "view").select_related(
            "place", "programme"
        )
        if self.action == "list":
            programme = query_id(self.request.query_params, "programme")
            if programme == 0:
                return rows.none()
            if programme is not None:
                rows = rows.filter(programme_id=programme)
        return rows.order_by("programme_id", "week_starts_on", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PlannedVisitCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        planned = self._write(services.visit_add, **body.validated_data)
        return self._answer(planned, PlannedVisitSerializer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        planned = self.get_object()
        body = PlannedVisitPatchSerializer(data=request.data)
        values, version = self._versioned(body)
        if version != planned.version:
            raise StaleEdit(planned.version)
        if "week_starts_on" in values:
            planned = self._write(
                services.visit_move, planned=planned, week_starts_on=values["week_starts_on"]
            )
        if "pinned" in values:
            planned = self._write(services.visit_pin, planned=planned, pinned=values["pinned"])
        return self._answer(planned, PlannedVisitSerializer)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        planned = self.get_object()
        self._write(services.visit_remove, planned=planned)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List proposed teams", parameters=PROGRAMME_FILTER),
    retrieve=extend_schema(summary="Read a proposed team, every check explained"),
)
class TeamProposalViewSet(mixins.ListModelMixin, _PlanningViewSet):
    serializer_class = TeamProposalSerializer
    http_method_names = ["get", "head"]
    permission_map: ClassVar[dict[str, str]] = READ

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return TeamProposal.objects.none()
        rows = TeamProposal.objects.restrict(self.request.user, "view").select_related(
            "planned_visit"
        )
        if self.action == "list":
            programme = query_id(self.request.query_params, "programme")
            if programme == 0:
                return rows.none()
            if programme is not None:
                rows = rows.filter(planned_visit__programme_id=programme)
        return rows.order_by("planned_visit__week_starts_on", "pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page) if page is not None else list(self.get_queryset())
        context = {**self.get_serializer_context(), "team_views": selectors.team_views(rows)}
        data = TeamProposalSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


def register(router: DefaultRouter) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("planned-visits", PlannedVisitViewSet, basename="planned-visit")
    router.register("team-proposals", TeamProposalViewSet, basename="team-proposal")
