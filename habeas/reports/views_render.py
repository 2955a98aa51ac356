"""PDF and DOCX of a report (¶21, 22): asked for on the report's page, produced in the
background (htmx polls the progress; without JavaScript the page says to refresh), then
downloaded. A rendering is seen by whoever sees its report; the public variant holds only
the public version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from habeas.core import access
from habeas.core.htmx import is_htmx
from habeas.reports import services_render
from habeas.reports.forms import RenderForm
from habeas.reports.models import Rendering, Report
from habeas.reports.views_shared import report_for, version_named


def _rendering_for(request: HttpRequest, report: Report, rendering_pk: int) -> Rendering:
    renderings = Rendering.objects.restrict(request.user, "view").filter(version__report=report)
    return get_object_or_404(renderings.select_related("version"), pk=rendering_pk)


@access.verified
@require_POST
def render_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a PDF or DOCX of the version (`?v=`, else the latest)."""
    report = report_for(request, pk)
    version = version_named(request, report)
    form = RenderForm(request.POST)
    if not form.is_valid():
        return _refused(request, report, [_("Choose the text and the format to produce.")])
    try:
        rendering = services_render.rendering_request(
            actor=request.user,
            version=version,
            variant=form.cleaned_data["variant"],
            fmt=form.cleaned_data["fmt"],
        )
    except ValidationError as error:
        return _refused(request, report, error.messages)
    if is_htmx(request):
        return _progress(request, report, rendering)
    return redirect("reports:rendering", pk=report.pk, rendering_pk=rendering.pk)


@access.verified
@require_GET
def rendering(request: HttpRequest, pk: int, rendering_pk: int) -> HttpResponse:
    """The rendering's progress: the whole page, or for htmx only the part it polls."""
    report = report_for(request, pk)
    item = _rendering_for(request, report, rendering_pk)
    if is_htmx(request):
        return _progress(request, report, item)
    return render(request, "reports/rendering.html", {"report": report, "rendering": item})


def _refused(request: HttpRequest, report: Report, errors: list[str]) -> HttpResponse:
    """Nothing queued: for htmx, the reason in the panel (200, as htmx swaps nothing on an
    error status); else back to the report with it."""
    if is_htmx(request):
        return render(request, "reports/_render_refused.html", {"errors": errors})
    messages.error(request, " ".join(errors))
    return redirect("reports:detail", pk=report.pk)


def _progress(request: HttpRequest, report: Report, item: Rendering) -> HttpResponse:
    return render(request, "reports/_rendering.html", {"report": report, "rendering": item})


@access.verified
@require_GET
def download(request: HttpRequest, pk: int, rendering_pk: int) -> HttpResponse:
    report = report_for(request, pk)
    item = _rendering_for(request, report, rendering_pk)
    if item.status != Rendering.Status.DONE or item.content is None:
        raise Http404
    return services_render.rendering_file(item, actor=request.user)
