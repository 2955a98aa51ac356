"""Re-authentication ("sudo mode") before exports, user administration and key operations."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SESSION_KEY = "sudo_until"


def sudo_active(request: HttpRequest) -> bool:
    return float(request.session.get(SESSION_KEY, 0)) > time.time()


def sudo_grant(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = time.time() + settings.HABEAS_SUDO_SECONDS


def require_sudo(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send the user to confirm their password (and code) first, then back here."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if sudo_active(request):
            return view(request, *args, **kwargs)
        back = (
            request.get_full_path()
            if request.method == "GET"
            else request.META.get("HTTP_REFERER", "")
        )
        target = reverse("accounts:sudo")
        if back:
            target += "?" + urlencode({"next": back})
        return HttpResponseRedirect(target)

    return wrapped
