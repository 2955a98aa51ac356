from django.http import HttpRequest, HttpResponse

from habeas.core.access import verified


@verified
def item_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
