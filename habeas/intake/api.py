"""API v1 of the public's submissions (`/api/v1/submissions/`): the intake team's queue,
one submission, its triage and the NPM's replies (¶33).

Only staff with the intake right (`intake.view`) reach a submission: anyone else gets an
empty list and 404 for every id, whatever the method, as for a missing one. Reading one
submission is audited as on its page. Triage (`intake.triage`) must carry the `version`
it edits (409 when stale); a reply needs `intake.reply`. There is no creation here: the
public writes through the form at /submit/, which needs no account.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.exceptions import drf_error
from habeas.api.lookups import UUID_PATTERN
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.intake import selectors, services
from habeas.intake.models import Status, Submission, Urgency
from habeas.intake.serializers import (
    ReplyResultSerializer,
    ReplySerializer,
    SubmissionSerializer,
    SubmissionSummarySerializer,
    TriageSerializer,
)
from habeas.places.api import STALE_RESPONSE, RefusalsSchema

READ = "intake.view"
TRIAGE_FIELDS = (
    "status",
    "theme",
    "triage_urgency",
    "action",
    "assigned_to",
    "place",
    "visit",
    "case",
)
QUEUE_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
    OpenApiParameter("urgency", OpenApiTypes.STR, enum=Urgency.values),
    OpenApiParameter("place", OpenApiTypes.INT, description="Place id."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Part of the reference."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List the public's submissions",
        description="Most urgent first (the team's assessment, else the sender's), then newest. "
        "No word the sender wrote: read one submission for that.",
        parameters=QUEUE_FILTERS,
    ),
    retrieve=extend_schema(
        summary="Read a submission with its thread",
        description="The read is audited. Holds the sender's text, name and contact.",
        responses={200: SubmissionSerializer},
    ),
)
class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SubmissionSummarySerializer
    pagination_class = Pagination
    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    http_method_names = ["get", "post", "head"]
    lookup_value_regex = UUID_PATTERN
    # The gate is the intake right; triage and replies check theirs in the services (403).
    permission_map: ClassVar[dict[str, str]] = {"GET": READ, "HEAD": READ, "POST": READ}

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        if request.user.is_authenticated:
            # Without the intake right no submission exists: an empty list, and 404 for
            # every id and method, as a missing one. A member of the team whose token may
            # not write gets 403.
            pk = self.kwargs.get(self.lookup_field)
            if pk is not None and not self._visible(pk):
                raise exceptions.NotFound
            if request.method in permissions.SAFE_METHODS:
                return
        super().permission_denied(request, message=message, code=code)

    def _visible(self, pk: Any) -> bool:
        try:
            return Submission.objects.restrict(self.request.user, "view").filter(pk=pk).exists()
        except (ValueError, DjangoValidationError):
            return False

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Submission.objects.none()
        user = self.request.user
        if self.action == "list":
            return selectors.queue(user, **self._filters())
        return Submission.objects.restrict(user, "view")

    def _filters(self) -> dict[str, Any]:
        params = self.request.query_params
        errors: dict[str, str] = {}
        found: dict[str, Any] = {}
        if params.get("status"):
            if params["status"] not in Status.values:
                errors["status"] = "Unknown status."
            found["status"] = params["status"]
        if params.get("urgency"):
            if params["urgency"] not in Urgency.values:
                errors["urgency"] = "Unknown urgency."
            found["urgency"] = params["urgency"]
        if params.get("place"):
            text = params["place"]
            if not (text.isascii() and text.isdigit() and len(text) < 19):
                errors["place"] = "A place id is a whole number."
            else:
                found["place"] = int(text)
        if params.get("q"):
            found["q"] = params["q"][:100]
        if errors:
            raise serializers.ValidationError(errors)
        return found

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opened = services.submission_open(actor=request.user, submission=self.get_object())
        return Response(SubmissionSerializer(opened).data)

    @extend_schema(
        summary="Triage a submission",
        description=(
            "Categorise it (status, theme, urgency assessed), record the action taken, assign "
            "it, link it to a place, a visit or a case you can see. Fields left out keep their "
            "value; `note` replaces the triage note. An action raising it with an authority "
            "or referring it is refused (400) when the sender consented to nothing reaching "
            "an authority."
        ),
        request=TriageSerializer,
        responses={200: SubmissionSerializer, 409: STALE_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        body = TriageSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        values = {name: data.get(name, getattr(submission, name)) for name in TRIAGE_FIELDS}
        note = data.get("note")
        try:
            services.submission_triage(
                actor=request.user,
                submission=submission,
                expected_version=data["version"],
                note=note if note is not None else submission.unseal("triage_note"),
                **values,
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        opened = services.submission_open(actor=request.user, submission=submission)
        return Response(SubmissionSerializer(opened).data)

    @extend_schema(
        summary="Reply to the sender",
        description="The sender reads it on the receipt page.",
        request=ReplySerializer,
        responses={201: ReplyResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            message = services.reply_add(
                actor=request.user, submission=submission, body=body.validated_data["body"]
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        return Response(ReplyResultSerializer(message).data, status=status.HTTP_201_CREATED)


def register(router: Any) -> None:
    router.register("submissions", SubmissionViewSet, basename="submission")
