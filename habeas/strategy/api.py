from typing import Any


def register(router: Any) -> None:
    """Filled by the issue-9 work."""
