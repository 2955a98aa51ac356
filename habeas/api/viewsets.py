"""What every record API of Habeas shares: the role gate, silence for readers without the
right, the services' refusals as 400, answers re-read through `restrict`, ids and versions
read from the request.

- `RecordViewSet`: a signed-in reader without the right gets empty lists and 404 for every
  id (never "forbidden", which would say that a record exists); a write the role may not
  make is refused with 403 before the id is looked at.
- `query_id(params, name)`: a record id from the query string (None when absent, 0 for one
  that names nothing, so the filter matches nothing).
- `expected_version(request, given)`: the version the client read, from the body or an
  If-Match header (`IF_MATCH` documents the header).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from habeas.api.exceptions import drf_error
from habeas.api.pagination import Pagination
from habeas.api.permissions import RolePermission
from habeas.places.api import RefusalsSchema

MAX_ID = 2**63 - 1
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description='The version you read, e.g. "3" (the ETag of the record), instead of '
    "`version` in the body.",
)


def query_id(params: Any, name: str) -> int | None:
    """A record id from the query string; None when absent, 0 for one that names none."""
    raw = params.get(name) or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise serializers.ValidationError({name: [_("Give an id (a whole number).")]})
    number = int(raw) if len(raw) < 20 else 0
    return number if 0 < number <= MAX_ID else 0


def expected_version(request: Request, given: int | None) -> int:
    """The version the client read: `version` in the body, else the If-Match header."""
    if given is not None:
        return given
    header = (request.headers.get("If-Match") or "").strip()
    digits = header.removeprefix("W/").strip('"')
    if digits.isascii() and digits.isdigit() and 0 < len(digits) < 10 and int(digits) > 0:
        return int(digits)
    raise serializers.ValidationError(
        {"version": [_("Give the version you read, in `version` or in an If-Match header.")]}
    )


class RecordViewSet(viewsets.GenericViewSet):
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
        """Call a service as the requester; its refusals become 400 with their messages."""
        try:
            return service(actor=self.request.user, **arguments)
        except DjangoValidationError as error:
            raise drf_error(error) from error

    def _versioned(self, body: serializers.BaseSerializer) -> tuple[dict[str, Any], int]:
        """A write's validated values, and the version the client read (`version` in the
        body, or If-Match); 400 for either missing or invalid."""
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        return values, expected_version(self.request, values.pop("version", None))

    def _answer(
        self, record: Any, serializer: type[serializers.BaseSerializer], code: int = 200
    ) -> Response:
        """The record as the requester may now see it, with its version as the ETag."""
        fresh = self.get_queryset().get(pk=record.pk)
        response = Response(serializer(fresh, context=self.get_serializer_context()).data, code)
        if hasattr(fresh, "version"):
            response["ETag"] = f'"{fresh.version}"'
        return response
