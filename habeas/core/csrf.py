"""CSRF protection that works with `Referrer-Policy: no-referrer`.

With that policy browsers send `Origin: null` and no `Referer` on same-origin form
posts, which Django's origin and referer checks reject. Browsers also send
`Sec-Fetch-Site`, which no page can forge: when it says `same-origin`, the request
came from one of our own pages. The secret-token check still runs on every unsafe
request; requests without `Sec-Fetch-Site` get Django's usual checks.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware


def _same_origin_fetch(request: HttpRequest) -> bool:
    return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"


class CsrfMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            return _same_origin_fetch(request)
        return super()._origin_verified(request)  # type: ignore[misc]

    def _check_referer(self, request: HttpRequest) -> None:
        if "HTTP_REFERER" not in request.META and _same_origin_fetch(request):
            return
        super()._check_referer(request)  # type: ignore[misc]
