from django.http import HttpRequest, HttpResponse

from habeas.core.access import public


@public
def submit(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
