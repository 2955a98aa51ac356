from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from habeas.core.errors import StaleEdit


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleEdit):
        return Response(
            {"detail": str(exc.message), "current_version": exc.current_version},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as the API's 400, field by field."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})
