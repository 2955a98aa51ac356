"""The API denies by default; each view names the permission each method needs."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from habeas.accounts import roles
from habeas.accounts.models import ApiToken


class DenyAll(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return False


class RolePermission(permissions.BasePermission):
    """`view.permission_map` maps an HTTP method to a permission of `habeas.accounts.roles`.

    A method the map does not name is refused; a read-only token cannot write.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        needed = getattr(view, "permission_map", {}).get(request.method)
        if needed is None:
            return False
        token = request.auth
        if (
            isinstance(token, ApiToken)
            and token.scope == ApiToken.Scope.READ
            and request.method not in permissions.SAFE_METHODS
        ):
            return False
        # Reads are filtered record by record by `restrict`; this gate is per role.
        return roles.can(user, needed)
