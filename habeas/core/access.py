"""Every view declares who may reach it, from a closed set (SECURITY.md test 2).

- ``public``: anyone, signed in or not (login, the public channel, published reports);
- ``signed_in``: a signed-in user whose second factor may not be verified yet
  (second-factor verification and enrolment, logout);
- ``verified``: a signed-in user with a verified second factor (everything else).

What a verified user may then see of each record is decided by `restrict`.
`DenyByDefaultMiddleware` refuses any view that declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

PUBLIC = "public"
SIGNED_IN = "signed_in"
VERIFIED = "verified"
POLICIES = frozenset({PUBLIC, SIGNED_IN, VERIFIED})

F = TypeVar("F", bound=Callable[..., Any])


def view_policy(name: str) -> Callable[[F], F]:
    if name not in POLICIES:
        raise ValueError(f"Unknown view policy {name!r}")

    def decorate(view: F) -> F:
        view.habeas_policy = name  # type: ignore[attr-defined]
        return view

    return decorate


public = view_policy(PUBLIC)
signed_in = view_policy(SIGNED_IN)
verified = view_policy(VERIFIED)


def policy_of(view: Any) -> str | None:
    """The declared policy of a resolved view; DRF views are governed by DRF's own deny-all."""
    declared = getattr(view, "habeas_policy", None)
    if declared:
        return declared
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is not None:
        declared = getattr(view_class, "habeas_policy", None)
        if declared:
            return declared
        if getattr(view, "cls", None) is not None:
            return "api"
    return None
