from __future__ import annotations

from typing import Any

from rest_framework import status
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
