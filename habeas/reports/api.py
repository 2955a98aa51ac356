"""API v1 of reports and their publication (¶19, 21, 22, 38).

- `/api/v1/reports/`: reports (`?kind=`, `?state=`, `?year=`). POST drafts one (version 1
  pre-filled from the records); PATCH changes title, language, addressee or k from the
  version read (409 when stale). Workflow: `POST …/{id}/submit/`, `…/return/` (with a
  comment), `…/approve/`, `…/sign/`, `…/new-version/`; publication: `…/check/`,
  `…/publish/`, `…/unpublish/`; `GET …/{id}/content/` the current version's content
  as the requester may see it (`?variant=public`: the public version).
- `/api/v1/report-versions/`: versions; PATCH `sections` and `public_omit` of a draft.
- `/api/v1/report-comments/`, `/api/v1/report-hits/` (`…/redact/`, `…/override/`),
  `/api/v1/report-redactions/`, `/api/v1/disseminations/` (`…/acknowledge/`),
  `/api/v1/renderings/` (POST queues a PDF or DOCX; GET shows its progress;
  `…/download/` the file once ready).
- `/api/v1/public-reports/`: the published reports, without authentication: what
  `/public/` shows, and nothing else.

Reads start from `restrict(request.user, "view")`: a reader without the right gets empty
lists and 404 for every id, as for a missing one; someone who may see no report at all
gets 404 for every id, writes included. Writes call the services, which check, audit and
lock: a role that may not do a thing gets 403, a refused write 400 with the reason, a
stale edit 409.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from habeas.accounts import roles
from habeas.api.pagination import Pagination
from habeas.api.viewsets import IF_MATCH, RecordViewSet, query_id
from habeas.places.api import STALE_RESPONSE
from habeas.reports import (
    content,
    content_types,
    publication,
    services,
    services_publication,
    services_render,
)
from habeas.reports.models import (
    Comment,
    Dissemination,
    Hit,
    Kind,
    Redaction,
    Rendering,
    Report,
    ReportVersion,
    State,
    Variant,
)
from habeas.reports.serializers import (
    AcknowledgeSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    DisseminationCreateSerializer,
    DisseminationSerializer,
    HitSerializer,
    NoBodySerializer,
    PublicReportSerializer,
    ReasonSerializer,
    RedactionCreateSerializer,
    RedactionSerializer,
    RenderingCreateSerializer,
    RenderingSerializer,
    ReportCreateSerializer,
    ReportPatchSerializer,
    ReportSerializer,
    ReportVersionPatchSerializer,
    ReportVersionSerializer,
    ReturnSerializer,
)
from habeas.reports.services_publication import public_reports
from habeas.reports.views_public import public_version_content

READ = {"GET": "reports.view", "HEAD": "reports.view"}
DRAFT = {**READ, "POST": "reports.draft", "PATCH": "reports.draft", "DELETE": "reports.draft"}
REPORT_FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
    OpenApiParameter("state", OpenApiTypes.STR, enum=State.values),
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        description="An annual report's year; for the other kinds, the year it was created.",
    ),
]
REPORT_FILTER = [OpenApiParameter("report", OpenApiTypes.INT, description="Report id.")]
VERSION_FILTERS = [
    *REPORT_FILTER,
    OpenApiParameter("version", OpenApiTypes.INT, description="Report version id."),
]
CONTENT_PARAMETERS = [
    OpenApiParameter(
        "variant",
        OpenApiTypes.STR,
        enum=Variant.values,
        description="public: the public version (sections kept out, redactions applied, "
        "counts of people under k hidden). Default: confidential.",
    )
]
FILE_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.BINARY, description="The PDF or DOCX, as an attachment."
)


def _choice(params: Any, name: str, choices: list[str]) -> str:
    value = params.get(name) or ""
    if value and value not in choices:
        raise serializers.ValidationError({name: [_("Choose one of: %s.") % ", ".join(choices)]})
    return value


def _year(params: Any) -> int | None:
    raw = params.get("year") or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise serializers.ValidationError({"year": [_("Give a year, e.g. 2026.")]})
    return int(raw)


def _by_ids(rows: QuerySet, params: Any, **lookups: str) -> QuerySet:
    """Filter `rows` by the id filters given (`{"report": "version__report_id"}`)."""
    for name, lookup in lookups.items():
        wanted = query_id(params, name)
        if wanted == 0:
            return rows.none()
        if wanted is not None:
            rows = rows.filter(**{lookup: wanted})
    return rows


class _ReportsViewSet(RecordViewSet):
    def permission_denied(  # type: ignore[override]
        self, request: Request, message: Any = None, code: Any = None
    ) -> None:
        # Someone who may see no report at all is told of none: 404 for every id.
        user = request.user
        if (
            user.is_authenticated
            and self.kwargs.get(self.lookup_url_kwarg or self.lookup_field) is not None
            and not roles.can(user, "reports.view")
        ):
            raise NotFound
        super().permission_denied(request, message=message, code=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        response = Response(self.get_serializer(record).data)
        if hasattr(record, "version") and isinstance(record.version, int):
            response["ETag"] = f'"{record.version}"'
        return response

    def _answer(
        self, record: Any, serializer: type[serializers.BaseSerializer], code: int = 200
    ) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        response = Response(serializer(fresh, context=self.get_serializer_context()).data, code)
        if isinstance(getattr(fresh, "version", None), int):
            response["ETag"] = f'"{fresh.version}"'
        return response

    def _visible(self, model: Any, pk: int, field: str) -> Any:
        """A record named in the body, if the requester may see it; else a 400 on `field`."""
        record = model.objects.restrict(self.request.user, "view").filter(pk=pk).first()
        if record is None:
            raise serializers.ValidationError({field: [_("No such record, or none you may see.")]})
        return record


# -- reports ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List reports, newest first", parameters=REPORT_FILTERS),
    retrieve=extend_schema(
        summary="Read a report",
        description="Its scope, state, current version and publication. The ETag header "
        "carries its version.",
    ),
    create=extend_schema(
        summary="Draft a report",
        description="Give its kind and scope: `visit` for a visit report, `place` for a "
        "follow-up, `theme` with `period_start` and `period_end` for a thematic report, "
        "`year` for an annual report, `visit` and `recommendation` for an urgent "
        "communication. Version 1 is pre-filled from the records.",
        request=ReportCreateSerializer,
        responses={201: ReportSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a report's title, language, addressee or k",
        description="Give the version you read (`version` or If-Match).",
        parameters=[IF_MATCH],
        request=ReportPatchSerializer,
        responses={200: ReportSerializer, 409: STALE_RESPONSE},
    ),
)
class ReportViewSet(mixins.ListModelMixin, _ReportsViewSet):
    serializer_class = ReportSerializer
    http_method_names = ["get", "post", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = DRAFT

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        rows: QuerySet = (
            Report.objects.restrict(self.request.user, "view")
            .select_related("published_version")
            .prefetch_related("versions")
        )
        if self.action == "list":
            params = self.request.query_params
            kind = _choice(params, "kind", Kind.values)
            state = _choice(params, "state", State.values)
            year = _year(params)
            if kind:
                rows = rows.filter(kind=kind)
            if state:
                rows = rows.filter(state=state)
            if year is not None:
                rows = rows.filter(Q(year=year) | Q(year__isnull=True, created_at__year=year))
        return rows.order_by("-created_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self._write(services.report_create, data=dict(body.validated_data))
        return self._answer(report, ReportSerializer, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        body = ReportPatchSerializer(data=request.data, partial=True)
        values, version = self._versioned(body)
        self._write(services.report_update, report=report, data=values, expected_version=version)
        return self._answer(report, ReportSerializer)

    def _step(self, service: Any, report: Report | None = None, **arguments: Any) -> Response:
        """A workflow step on the report's latest version."""
        report = report or self.get_object()
        version = services.latest_version(report)
        self._write(service, version=version, **arguments)
        return self._answer(report, ReportSerializer)

    @extend_schema(
        summary="Send the draft for review",
        request=NoBodySerializer,
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.version_submit)

    @extend_schema(
        summary="Return the version to its drafter",
        description="A reviewer sends it back to draft, with a comment.",
        request=ReturnSerializer,
        responses={200: ReportSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        permission_map={"POST": "reports.review"},
    )
    def return_(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(
            services.version_return, report=report, comment=body.validated_data["comment"]
        )

    @extend_schema(
        summary="Approve the version for signature",
        request=NoBodySerializer,
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "reports.review"})
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.version_approve)

    @extend_schema(
        summary="Sign the approved version",
        description="The head signs: the content is frozen as it is now.",
        request=NoBodySerializer,
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "reports.sign"})
    def sign(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.version_sign)

    @extend_schema(
        summary="Start a new version from the latest signed one",
        request=NoBodySerializer,
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"], url_path="new-version", url_name="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        self._write(services.version_new, report=report)
        return self._answer(report, ReportSerializer)

    @extend_schema(
        summary="Run the publication check on the latest version",
        description="Its hits are at `/api/v1/report-hits/?version=`.",
        request=NoBodySerializer,
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "reports.view"})
    def check(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services_publication.check_run)

    @extend_schema(
        summary="Publish the signed version on /public/",
        description="Refused while the publication check has an open hit. Queues the "
        "public PDF and DOCX.",
        request=NoBodySerializer,
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "reports.publish"})
    def publish(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        self._write(services_publication.report_publish, report=report)
        return self._answer(report, ReportSerializer)

    @extend_schema(
        summary="Withdraw the report from /public/",
        request=ReasonSerializer,
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "reports.publish"})
    def unpublish(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self._write(
            services_publication.report_unpublish,
            report=report,
            reason=body.validated_data["reason"],
        )
        return self._answer(report, ReportSerializer)

    @extend_schema(
        summary="Read the current version's content",
        description="Sections with their narrative (Markdown), tables, facts and charts, "
        "and every figure, as you may see them: a signed version as it was signed, a "
        "draft read live from the records you may see.",
        parameters=CONTENT_PARAMETERS,
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT, description="A variant that is not one of them."
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def content(self, request: Request, pk: str | None = None) -> Response:

        variant = _choice(request.query_params, "variant", Variant.values)
        report = self.get_object()
        version = services.latest_version(report)
        built = content.build_content(user=request.user, report=report, version=version)
        if variant == Variant.PUBLIC:
            built = publication.public_content(content=built, version=version, k=report.k)
        return Response(content_types.to_json(built))


# -- versions, comments, hits, redactions -------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List report versions", parameters=REPORT_FILTER),
    retrieve=extend_schema(
        summary="Read a report version",
        description="Its narrative by section and the sections kept out of the public "
        "version. The ETag header carries its version.",
    ),
    partial_update=extend_schema(
        summary="Edit a draft's narrative",
        description="`sections`: Markdown by section key (the keys not given are kept); "
        "`public_omit`: the sections kept out of the public version. Give the version you "
        "read (`version` or If-Match).",
        parameters=[IF_MATCH],
        request=ReportVersionPatchSerializer,
        responses={200: ReportVersionSerializer, 409: STALE_RESPONSE},
    ),
)
class ReportVersionViewSet(mixins.ListModelMixin, _ReportsViewSet):
    serializer_class = ReportVersionSerializer
    http_method_names = ["get", "patch", "head"]
    permission_map: ClassVar[dict[str, str]] = DRAFT

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ReportVersion.objects.none()
        rows: QuerySet = ReportVersion.objects.restrict(self.request.user, "view")
        if self.action == "list":
            rows = _by_ids(rows, self.request.query_params, report="report_id")
        return rows.order_by("report_id", "number")

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object()
        body = ReportVersionPatchSerializer(data=request.data)
        values, expected = self._versioned(body)
        sections = {**(version.sections or {}), **values.get("sections", {})}
        self._write(
            services.version_edit,
            version=version,
            sections=sections,
            public_omit=values.get("public_omit"),
            expected_version=expected,
        )
        return self._answer(version, ReportVersionSerializer)


@extend_schema_view(
    list=extend_schema(summary="List comments on report versions", parameters=VERSION_FILTERS),
    retrieve=extend_schema(summary="Read a comment"),
    create=extend_schema(
        summary="Comment on a version, or one of its sections",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    ),
)
class CommentViewSet(mixins.ListModelMixin, _ReportsViewSet):
    serializer_class = CommentSerializer
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = DRAFT

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        rows: QuerySet = Comment.objects.restrict(self.request.user, "view").select_related(
            "version"
        )
        if self.action == "list":
            rows = _by_ids(
                rows, self.request.query_params, report="version__report_id", version="version_id"
            )
        return rows.order_by("created_at", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = self._visible(ReportVersion, data["version"], "version")
        comment = self._write(
            services.comment_add,
            version=version,
            section=data.get("section", ""),
            text=data["text"],
        )
        return self._answer(comment, CommentSerializer, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark a comment resolved",
        request=NoBodySerializer,
        responses={200: CommentSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        comment = self.get_object()
        self._write(services.comment_resolve, comment=comment)
        return self._answer(comment, CommentSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="List what the publication check found",
        parameters=[
            *VERSION_FILTERS,
            OpenApiParameter("run", OpenApiTypes.INT, description="Check run id."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Hit.Status.values),
        ],
    ),
    retrieve=extend_schema(summary="Read a hit, with why and the proposed redaction"),
)
class HitViewSet(mixins.ListModelMixin, _ReportsViewSet):
    serializer_class = HitSerializer
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = DRAFT

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Hit.objects.none()
        rows: QuerySet = Hit.objects.restrict(self.request.user, "view").select_related("run")
        if self.action == "list":
            params = self.request.query_params
            rows = _by_ids(
                rows,
                params,
                report="run__version__report_id",
                version="run__version_id",
                run="run_id",
            )
            wanted = _choice(params, "status", Hit.Status.values)
            if wanted:
                rows = rows.filter(status=wanted)
        return rows.order_by("run_id", "section", "start", "pk")

    @extend_schema(
        summary="Apply the hit's proposed redaction",
        request=NoBodySerializer,
        responses={201: RedactionSerializer},
    )
    @action(detail=True, methods=["post"])
    def redact(self, request: Request, pk: str | None = None) -> Response:
        hit = self.get_object()
        redaction = self._write(services_publication.redaction_from_hit, hit=hit)
        answer = Redaction.objects.restrict(request.user, "view").get(pk=redaction.pk)
        return Response(RedactionSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Publish the passage as it is (the head), with a written reason",
        description="The reason (10 characters at least) is kept and audited; the decision "
        "holds for the same passage in later checks and versions.",
        request=ReasonSerializer,
        responses={200: HitSerializer},
    )
    @action(detail=True, methods=["post"], permission_map={"POST": "reports.override"})
    def override(self, request: Request, pk: str | None = None) -> Response:
        hit = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self._write(
            services_publication.hit_override, hit=hit, reason=body.validated_data["reason"]
        )
        return self._answer(hit, HitSerializer)


@extend_schema_view(
    list=extend_schema(summary="List redactions", parameters=VERSION_FILTERS),
    retrieve=extend_schema(summary="Read a redaction"),
    create=extend_schema(
        summary="Redact a passage in the public version of an unsigned version",
        request=RedactionCreateSerializer,
        responses={201: RedactionSerializer},
    ),
    destroy=extend_schema(summary="Remove a redaction (unsigned versions only)"),
)
class RedactionViewSet(mixins.ListModelMixin, _ReportsViewSet):
    serializer_class = RedactionSerializer
    http_method_names = ["get", "post", "delete", "head"]
    permission_map: ClassVar[dict[str, str]] = DRAFT

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Redaction.objects.none()
        rows: QuerySet = Redaction.objects.restrict(self.request.user, "view")
        if self.action == "list":
            rows = _by_ids(
                rows, self.request.query_params, report="version__report_id", version="version_id"
            )
        return rows.order_by("version_id", "section", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = RedactionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = self._visible(ReportVersion, data.pop("version"), "version")
        redaction = self._write(services_publication.redaction_add, version=version, **data)
        return self._answer(redaction, RedactionSerializer, status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        redaction = self.get_object()
        self._write(services_publication.redaction_remove, redaction=redaction)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- dissemination and renderings ----------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List who received which report", parameters=REPORT_FILTER),
    retrieve=extend_schema(summary="Read a dissemination record"),
    create=extend_schema(
        summary="Record that a version was sent",
        description="Which variant of which version went to which authority or recipient, "
        "at which tier of government, how and when.",
        request=DisseminationCreateSerializer,
        responses={201: DisseminationSerializer},
    ),
)
class DisseminationViewSet(mixins.ListModelMixin, _ReportsViewSet):
    serializer_class = DisseminationSerializer
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = {**READ, "POST": "reports.disseminate"}

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Dissemination.objects.none()
        rows: QuerySet = Dissemination.objects.restrict(self.request.user, "view").select_related(
            "version"
        )
        if self.action == "list":
            rows = _by_ids(rows, self.request.query_params, report="report_id")
        return rows.order_by("-sent_on", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = DisseminationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        report = self._visible(Report, data.pop("report"), "report")
        record = self._write(services_publication.dissemination_add, report=report, data=data)
        return self._answer(record, DisseminationSerializer, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the recipient's acknowledgement",
        request=AcknowledgeSerializer,
        responses={200: DisseminationSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self._write(
            services_publication.dissemination_acknowledge,
            dissemination=record,
            on=body.validated_data["on"],
        )
        return self._answer(record, DisseminationSerializer)


@extend_schema_view(
    list=extend_schema(summary="List PDF and DOCX renderings", parameters=VERSION_FILTERS),
    retrieve=extend_schema(
        summary="Read a rendering's progress",
        description="`status` queued → running → done (or failed, with `error`); "
        "`progress` in per cent.",
    ),
    create=extend_schema(
        summary="Queue a PDF or DOCX of a version",
        description="Produced in the background: poll the rendering, then download it.",
        request=RenderingCreateSerializer,
        responses={202: RenderingSerializer},
    ),
)
class RenderingViewSet(mixins.ListModelMixin, _ReportsViewSet):
    serializer_class = RenderingSerializer
    http_method_names = ["get", "post", "head"]
    permission_map: ClassVar[dict[str, str]] = {**READ, "POST": "reports.view"}

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Rendering.objects.none()
        rows: QuerySet = Rendering.objects.restrict(self.request.user, "view").defer("content")
        if self.action == "list":
            rows = _by_ids(
                rows, self.request.query_params, report="version__report_id", version="version_id"
            )
        return rows.select_related("version").order_by("-created_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:

        body = RenderingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = self._visible(ReportVersion, data["version"], "version")
        rendering = self._write(
            services_render.rendering_request,
            version=version,
            variant=data["variant"],
            fmt=data["format"],
        )
        return self._answer(rendering, RenderingSerializer, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download a finished rendering",
        description="409 while it is still being produced (or failed).",
        responses={
            (200, "application/pdf"): FILE_RESPONSE,
            (200, services_render.CONTENT_TYPES["docx"]): FILE_RESPONSE,
            409: OpenApiResponse(response=OpenApiTypes.OBJECT, description="Not ready."),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponse | Response:
        rendering = self.get_object()
        rendering = Rendering.objects.get(pk=rendering.pk)  # with its bytes
        if rendering.status != Rendering.Status.DONE or rendering.content is None:
            return Response(
                {"detail": _("The file is not ready yet; try again in a moment.")},
                status=status.HTTP_409_CONFLICT,
            )
        return services_render.rendering_file(rendering, actor=request.user)


# -- the public listing --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List published reports (no authentication)",
        description="What /public/ lists, newest first.",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
            OpenApiParameter("year", OpenApiTypes.INT, description="Year of publication."),
        ],
        responses={
            200: PublicReportSerializer(many=True),
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT, description="A filter that is not a kind or a year."
            ),
            404: OpenApiResponse(
                response=OpenApiTypes.OBJECT, description="A page past the end of the list."
            ),
        },
    ),
    retrieve=extend_schema(
        summary="Read a published report and its public content (no authentication)",
        responses={
            200: OpenApiTypes.OBJECT,
            404: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="No published report with this id (unpublished ones included).",
            ),
        },
    ),
)
class PublicReportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Published reports, for anyone: the public fields and the public content only. An
    unpublished or withdrawn report answers 404, as a missing one."""

    habeas_policy = "public"
    authentication_classes = []  # type: ignore[var-annotated]
    permission_classes = [permissions.AllowAny]
    serializer_class = PublicReportSerializer
    pagination_class = Pagination
    http_method_names = ["get", "head"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()

        rows = public_reports().select_related(
            "published_version",
            "place__category",
            "place__region",
            "visit__place__category",
            "visit__place__region",
        )
        if self.action == "list":
            params = self.request.query_params
            kind = _choice(params, "kind", Kind.values)
            year = _year(params)
            if kind:
                rows = rows.filter(kind=kind)
            if year is not None:
                rows = rows.filter(published_at__year=year)
        return rows.order_by("-published_at", "-pk")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:

        report = self.get_object()
        data = dict(self.get_serializer(report).data)
        data["content"] = content_types.to_json(public_version_content(report))
        return Response(data)


def register(router: DefaultRouter) -> None:
    router.register("reports", ReportViewSet, basename="report")
    router.register("report-versions", ReportVersionViewSet, basename="report-version")
    router.register("report-comments", CommentViewSet, basename="report-comment")
    router.register("report-hits", HitViewSet, basename="report-hit")
    router.register("report-redactions", RedactionViewSet, basename="report-redaction")
    router.register("disseminations", DisseminationViewSet, basename="dissemination")
    router.register("renderings", RenderingViewSet, basename="rendering")
    router.register("public-reports", PublicReportViewSet, basename="public-report")
