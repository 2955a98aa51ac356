"""API v1 for partners and communication (¶4, 23, 25, 30–33).

- `/api/v1/partners/`: the registry; a partner read one at a time carries its contacts
  and agreements. `/api/v1/partner-contacts/` and `/api/v1/partner-agreements/` record
  and change them (`?partner=<id>` filters).
- `/api/v1/communications/`: the log. A list row carries the subject, never what was
  said; reading one communication unseals its details and is audited. `POST
  /api/v1/communications/{id}/link-watch/` links it to the reprisal watch it led to.
- `/api/v1/awareness-activities/` and `/api/v1/awareness-activities/figures/?year=`.

Reads start from `restrict(request.user, "view")`, as the pages do: a record the user may
not see answers 404 to every method, as a missing one does, and a reader without the
role gets an empty list. Writes call the same services as the pages; a PATCH carries the
`version` it edits (409 when stale). No delete.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from habeas.accounts import roles
from habeas.api.exceptions import drf_error
from habeas.api.lookups import UUID_PATTERN
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.cases.models import ReprisalWatch
from habeas.partners import selectors, services
from habeas.partners.models import (
    Agreement,
    AwarenessActivity,
    Communication,
    Contact,
    Partner,
    PartnerKind,
)
from habeas.partners.serializers import (
    ActivityCreateSerializer,
    ActivityPatchSerializer,
    ActivitySerializer,
    AgreementCreateSerializer,
    AgreementPatchSerializer,
    AgreementSerializer,
    CommunicationCreateSerializer,
    CommunicationDetailSerializer,
    CommunicationLinksSerializer,
    CommunicationPatchSerializer,
    CommunicationSerializer,
    ContactCreateSerializer,
    ContactPatchSerializer,
    ContactSerializer,
    FiguresQuerySerializer,
    FiguresSerializer,
    LinkWatchSerializer,
    PartnerCreateSerializer,
    PartnerDetailSerializer,
    PartnerPatchSerializer,
    PartnerSerializer,
)
from habeas.places.api import STALE_RESPONSE, RefusalsSchema

READ = "partners.view"
WRITE = "partners.change"


ID_LIMIT = 2**63 - 1  # the largest id a database column holds


def id_filter(name: str, value: str | None) -> int | None:
    """A record's id given as a filter: a number a database can hold, or 400."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > ID_LIMIT:
        raise serializers.ValidationError({name: ["Not the id of a record."]})
    return int(value)


class PartnersViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What every viewset here shares: the role gate, 404 for what is hidden, no delete."""

    permission_classes = [RolePermission]
    schema = RefusalsSchema()
    pagination_class = Pagination
    http_method_names = ["get", "post", "patch", "head"]
    lookup_value_regex = r"[0-9]+"
    permission_map: ClassVar[dict[str, str]] = {
        "GET": READ,
        "HEAD": READ,
        "POST": WRITE,
        "PATCH": WRITE,
    }
    model: ClassVar[Any]
    create_serializer: ClassVar[type[serializers.Serializer]]
    patch_serializer: ClassVar[type[serializers.Serializer]]

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        if request.user.is_authenticated:
            # A write the role may never make is refused (403) before the id is looked at,
            # so the answer is the same for every id; otherwise an id the user may not
            # see answers 404 to every method, and a reader without the role sees an
            # empty list.
            writes = request.method not in permissions.SAFE_METHODS
            needed = self.permission_map.get(request.method or "", "")
            if writes and not roles.can(request.user, needed):
                super().permission_denied(request, message=message, code=code)
            if self.lookup_field in self.kwargs or self.action != "list":
                raise exceptions.NotFound
            if not writes:
                return
        super().permission_denied(request, message=message, code=code)

    def get_object(self) -> Any:
        found = self.get_queryset().filter(pk=self.kwargs[self.lookup_field]).first()
        if found is None:
            raise exceptions.NotFound
        return found

    def _body(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, record: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _call(self, service: Any, **kwargs: Any) -> Any:
        try:
            return service(actor=self.request.user, **kwargs)
        except DjangoValidationError as error:
            raise drf_error(error) from error

    def _partner_filter(self, rows: QuerySet) -> QuerySet:
        partner = id_filter("partner", self.request.query_params.get("partner"))
        if self.action != "list" or partner is None:
            return rows
        return rows.filter(partner_id=partner)


PARTNER_FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, enum=PartnerKind.values),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the name or areas of work."),
]


@extend_schema_view(
    list=extend_schema(summary="List partners", parameters=PARTNER_FILTERS),
    retrieve=extend_schema(
        summary="Read a partner, with its contacts and agreements",
        responses={200: PartnerDetailSerializer},
    ),
    create=extend_schema(
        summary="Add a partner", request=PartnerCreateSerializer, responses={201: PartnerSerializer}
    ),
    partial_update=extend_schema(
        summary="Change a partner",
        request=PartnerPatchSerializer,
        responses={200: PartnerSerializer, 409: STALE_RESPONSE},
    ),
)
class PartnerViewSet(PartnersViewSet):
    serializer_class = PartnerSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Partner.objects.none()
        params = self.request.query_params
        if self.action != "list":
            return selectors.partner_list(self.request.user).prefetch_related(
                "contacts", "agreements"
            )
        kind = params.get("kind") or None
        if kind and kind not in PartnerKind.values:
            raise serializers.ValidationError({"kind": ["Not a kind of partner."]})
        return selectors.partner_list(self.request.user, kind=kind, q=params.get("q"))

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return PartnerDetailSerializer if self.action == "retrieve" else PartnerSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body(PartnerCreateSerializer)
        partner = self._call(services.partner_create, **data)
        return self._respond(partner, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partner = self.get_object()
        data = self._body(PartnerPatchSerializer, partial=True)
        version = data.pop("version")
        self._call(services.partner_update, partner=partner, expected_version=version, **data)
        return self._respond(partner)


CHILD_FILTERS = [OpenApiParameter("partner", OpenApiTypes.INT, description="Partner id.")]


@extend_schema_view(
    list=extend_schema(summary="List partners' contacts", parameters=CHILD_FILTERS),
    retrieve=extend_schema(summary="Read a contact"),
    create=extend_schema(
        summary="Add a contact to a partner",
        request=ContactCreateSerializer,
        responses={201: ContactSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a contact",
        request=ContactPatchSerializer,
        responses={200: ContactSerializer, 409: STALE_RESPONSE},
    ),
)
class ContactViewSet(PartnersViewSet):
    serializer_class = ContactSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return self._partner_filter(Contact.objects.restrict(self.request.user, "view"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self._call(services.contact_add, **self._body(ContactCreateSerializer))
        return self._respond(contact, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        data = self._body(ContactPatchSerializer, partial=True)
        version = data.pop("version")
        self._call(services.contact_update, contact=contact, expected_version=version, **data)
        return self._respond(contact)


@extend_schema_view(
    list=extend_schema(summary="List partners' agreements", parameters=CHILD_FILTERS),
    retrieve=extend_schema(summary="Read an agreement"),
    create=extend_schema(
        summary="Record an agreement with a partner (MoU, data-sharing terms…)",
        request=AgreementCreateSerializer,
        responses={201: AgreementSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an agreement",
        request=AgreementPatchSerializer,
        responses={200: AgreementSerializer, 409: STALE_RESPONSE},
    ),
)
class AgreementViewSet(PartnersViewSet):
    serializer_class = AgreementSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return self._partner_filter(Agreement.objects.restrict(self.request.user, "view"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self._call(services.agreement_add, **self._body(AgreementCreateSerializer))
        return self._respond(agreement, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self.get_object()
        data = self._body(AgreementPatchSerializer, partial=True)
        version = data.pop("version")
        self._call(services.agreement_update, agreement=agreement, expected_version=version, **data)
        return self._respond(agreement)


LOG_FILTERS = [
    OpenApiParameter("partner", OpenApiTypes.INT, description="Partner id."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Communication.Kind.values),
    OpenApiParameter("place", OpenApiTypes.INT, description="Place id."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the reference or subject."),
    OpenApiParameter("reprisal", OpenApiTypes.BOOL, description="Only reprisal signals."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List the communication log (subjects only)", parameters=LOG_FILTERS
    ),
    retrieve=extend_schema(
        summary="Read a communication with its details (recorded in the audit trail)",
        responses={200: CommunicationDetailSerializer},
    ),
    create=extend_schema(
        summary="Log a meeting, a letter, a call, a joint activity or information received",
        description=(
            "With `reprisal_signal`, everyone who may open a reprisal watch is told at once, "
            "by reference only."
        ),
        request=CommunicationCreateSerializer,
        responses={201: CommunicationLinksSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a communication",
        request=CommunicationPatchSerializer,
        responses={200: CommunicationLinksSerializer, 409: STALE_RESPONSE},
    ),
)
class CommunicationViewSet(PartnersViewSet):
    serializer_class = CommunicationSerializer
    lookup_value_regex = UUID_PATTERN

    @property
    def permission_map(self) -> dict[str, str]:  # type: ignore[override]
        # Linking to a reprisal watch is also for those who open watches (`cases.create`);
        # the service decides who, among those who may see the log.
        write = READ if getattr(self, "action", None) == "link_watch" else WRITE
        return {"GET": READ, "HEAD": READ, "POST": write, "PATCH": WRITE}

    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # A communication's id answers 404 to every method of a user who may not act on
        # it, as a missing one does (as the reprisal watches' API does).
        if request.user.is_authenticated and self.lookup_field in self.kwargs:
            raise exceptions.NotFound
        super().permission_denied(request, message=message, code=code)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Communication.objects.none()
        user = self.request.user
        if self.action != "list":
            return selectors.log(user)
        params = self.request.query_params
        kind = params.get("kind") or None
        if kind and kind not in Communication.Kind.values:
            raise serializers.ValidationError({"kind": ["Not a kind of communication."]})
        return selectors.log(
            user,
            partner=id_filter("partner", params.get("partner")),
            kind=kind,
            place=id_filter("place", params.get("place")),
            q=params.get("q"),
            reprisal_only=params.get("reprisal") in ("1", "true", "True"),
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user if hasattr(self, "request") else None
        if user is not None and user.is_authenticated:
            visible = ReprisalWatch.objects.restrict(user, "view").values_list("pk", flat=True)
            context["visible_watches"] = set(visible)
        return context

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return CommunicationSerializer if self.action == "list" else CommunicationDetailSerializer

    def _written(self, communication: Communication, code: int = status.HTTP_200_OK) -> Response:
        """The answer to a write: the communication and its visible links, not what was
        said (that is read through a retrieve, which is audited)."""
        fresh = self.get_queryset().get(pk=communication.pk)
        context = self.get_serializer_context()
        context["links"] = selectors.linked_records(self.request.user, fresh)
        return Response(CommunicationLinksSerializer(fresh, context=context).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        communication = self.get_object()
        context = self.get_serializer_context()
        context["details"] = services.communication_open(
            actor=request.user, communication=communication
        )
        context["links"] = selectors.linked_records(request.user, communication)
        return Response(CommunicationDetailSerializer(communication, context=context).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body(CommunicationCreateSerializer)
        communication = self._call(services.communication_record, **data)
        return self._written(communication, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        communication = self.get_object()
        data = self._body(CommunicationPatchSerializer, partial=True)
        version = data.pop("version")
        self._call(
            services.communication_update,
            communication=communication,
            expected_version=version,
            **data,
        )
        return self._written(communication)

    @extend_schema(
        summary="Link the information to the reprisal watch it led to",
        request=LinkWatchSerializer,
        responses={200: CommunicationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="link-watch")
    def link_watch(self, request: Request, pk: str | None = None) -> Response:
        communication = self.get_object()
        data = self._body(LinkWatchSerializer)
        try:
            services.communication_link_watch(
                actor=request.user, communication=communication, watch=data["watch"]
            )
        except DjangoValidationError as error:
            raise drf_error(error) from error
        fresh = self.get_queryset().get(pk=communication.pk)
        serializer = CommunicationSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data)


ACTIVITY_FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=AwarenessActivity.Kind.values),
    OpenApiParameter("audience", OpenApiTypes.STR, enum=AwarenessActivity.Audience.values),
]


@extend_schema_view(
    list=extend_schema(summary="List awareness activities", parameters=ACTIVITY_FILTERS),
    retrieve=extend_schema(summary="Read an awareness activity"),
    create=extend_schema(
        summary="Record a talk, a training, a publication or a campaign",
        request=ActivityCreateSerializer,
        responses={201: ActivitySerializer},
    ),
    partial_update=extend_schema(
        summary="Change an awareness activity",
        request=ActivityPatchSerializer,
        responses={200: ActivitySerializer, 409: STALE_RESPONSE},
    ),
)
class ActivityViewSet(PartnersViewSet):
    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return AwarenessActivity.objects.none()
        if self.action != "list":
            return selectors.activity_list(self.request.user)
        params = self.request.query_params
        year = params.get("year")
        if year and not (year.isascii() and year.isdigit() and 1 <= int(year) <= 9999):
            raise serializers.ValidationError({"year": ["Not a year."]})
        kind, audience = params.get("kind") or None, params.get("audience") or None
        if kind and kind not in AwarenessActivity.Kind.values:
            raise serializers.ValidationError({"kind": ["Not a kind of activity."]})
        if audience and audience not in AwarenessActivity.Audience.values:
            raise serializers.ValidationError({"audience": ["Not an audience."]})
        return selectors.activity_list(
            self.request.user, year=int(year) if year else None, kind=kind, audience=audience
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self._call(services.activity_record, **self._body(ActivityCreateSerializer))
        return self._respond(activity, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        data = self._body(ActivityPatchSerializer, partial=True)
        version = data.pop("version")
        self._call(services.activity_update, activity=activity, expected_version=version, **data)
        return self._respond(activity)

    @extend_schema(
        summary="Totals of awareness activities by kind, audience and year",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT)],
        responses={
            200: FiguresSerializer,
            400: OpenApiResponse(description="The year is refused."),
            404: OpenApiResponse(description="Your role does not see awareness work."),
        },
    )
    @action(detail=False, methods=["get"])
    def figures(self, request: Request) -> Response:
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = selectors.awareness_figures(request.user, year=query.validated_data.get("year"))
        return Response(FiguresSerializer(figures).data)


def register(router: DefaultRouter) -> None:
    router.register("partners", PartnerViewSet, basename="partner")
    router.register("partner-contacts", ContactViewSet, basename="partner-contact")
    router.register("partner-agreements", AgreementViewSet, basename="partner-agreement")
    router.register("communications", CommunicationViewSet, basename="communication")
    router.register("awareness-activities", ActivityViewSet, basename="awareness-activity")
