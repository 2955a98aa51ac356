"""API v1 resources of the visits app (api_visits)."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    pass
