"""API v1 resources of the visits app (api_guidelines)."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    pass
