from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language
from rest_framework.exceptions import NotFound

from habeas.accounts import roles
from habeas.core import access
from habeas.core.models import AuditEvent


@access.verified
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from habeas.places.selectors import inventory_summary

    return render(request, "core/home.html", {"summary": inventory_summary(user=request.user)})


@access.public
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    return django_set_language(request)


@access.verified
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, for the auditor and the head: who did what, never content."""
    if not roles.can(request.user, "audit.view"):
        return page_not_found(request, None)
    events = list(AuditEvent.objects.select_related(None).order_by("-id")[:200])
    _veil_confidential(request.user, events)
    return render(request, "core/audit_list.html", {"events": events})


# Records whose very existence is need-to-know: the trail shows who acted on one, and
# when, but names the record only to those who may see it.
CONFIDENTIAL_TYPES = (
    "cases.case",
    "cases.reprisalwatch",
    "visits.interview",
    "visits.registercheck",
    "visits.photo",
    "intake.submission",
    "partners.communication",
)


def _veil_confidential(user: object, events: list[AuditEvent]) -> None:
    from django.apps import apps

    for label in CONFIDENTIAL_TYPES:
        ids = {e.object_id for e in events if e.object_type == label}
        if not ids:
            continue
        model = apps.get_model(label)
        visible = {
            str(pk)
            for pk in model.objects.restrict(user, "view")
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        }
        for event in events:
            if event.object_type == label and event.object_id not in visible:
                event.object_id = ""
                event.veiled = True  # type: ignore[attr-defined]


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    # Error pages carry no per-request token, so a hidden record's 404 is byte-identical
    # to a missing one's.
    from django.template import loader

    return HttpResponse(loader.get_template(template).render({"status": status}), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "errors/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "errors/403.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "errors/csrf.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The same bytes whether the record is missing or merely hidden from this reader. A
    # script calling the API gets JSON, as from the API's own refusals, even for an
    # address no API route matches (an id that is not a number).
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return _error(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    from django.template import loader

    # No request context: a failing database or context processor must not fail twice.
    return HttpResponse(loader.get_template("errors/500.html").render({"status": 500}), status=500)
