"""API resources; filled by the module owner."""

from typing import Any


def register(router: Any) -> None:
    pass
