"""API authentication: personal tokens, or a browser session that passed its second factor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from habeas.accounts.models import ApiToken
from habeas.core.middleware import second_factor_ok


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. Revoked, expired or unknown tokens get 401."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        key = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
        )
        if token is None or not token.is_usable():
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.user
        if not user.is_active or user.has_expired():
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, only once the second factor is verified; CSRF enforced."""

    def authenticate(self, request: Any) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        if not second_factor_ok(request._request) or result[0].has_expired():
            return None
        return result


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "habeas.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "habeas.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "habeas_session"}
