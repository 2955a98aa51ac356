"""Placeholder until the pages are written (the helper replaces this file)."""

from django.http import Http404, HttpRequest, HttpResponse

from habeas.core import access


@access.verified
def py(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def risk_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def place_risk(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def weights(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
