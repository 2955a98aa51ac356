"""Placeholder until the pages are written (the helper replaces this file)."""

from django.http import Http404, HttpRequest, HttpResponse

from habeas.core import access


@access.verified
def py(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def programme_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def programme_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def durations(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def availability(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def programme_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def capacity(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def place_rules(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def build(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def build_status(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def justify(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def adopt(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def teams(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def visit_add(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def visit_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def visit_pin(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@access.verified
def visit_remove(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
