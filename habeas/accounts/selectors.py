"""Reads on accounts, tokens, second factors and grants."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts import roles
from habeas.accounts.models import ApiToken, Grant, User


def users_for_admin(*, actor: Any) -> QuerySet[User]:
    """Every account, for the administrator only; everyone else gets none."""
    if not roles.can(actor, "accounts.manage"):
        return User.objects.none()
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return User.objects.annotate(has_second_factor=Exists(confirmed)).order_by("full_name", "email")


def user_for_admin(*, actor: Any, pk: int) -> User:
    """One account for the administrator; 404 for anyone else, like a missing one."""
    user = users_for_admin(actor=actor).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def recovery_codes_left(*, user: Any) -> int:
    result = StaticDevice.objects.filter(user=user, confirmed=True).aggregate(n=Count("token_set"))
    return int(result["n"] or 0)


def granted_ids(*, user: Any, model: type[models.Model]) -> QuerySet:
    """The ids (as strings) of the records of `model` this user was granted."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.has_expired():
        return Grant.objects.none().values_list("object_id", flat=True)
    content_type = ContentType.objects.get_for_model(model)
    return Grant.objects.filter(user=user, content_type=content_type).values_list(
        "object_id", flat=True
    )
