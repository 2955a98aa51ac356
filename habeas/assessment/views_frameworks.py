"""Pages to read and import frameworks (whole tool, ¶3).

Someone who may not see assessments gets 404 on every page here; someone who may see
them but not import frameworks gets 403 on the import page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.assessment import framework_io, services_frameworks
from habeas.assessment.framework_io import InvalidFramework
from habeas.assessment.models import FrameworkVersion
from habeas.core import access
from habeas.core.htmx import render_page


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Framework file (JSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


def _allow(request: HttpRequest, permission: str | None = None) -> None:
    if not services_frameworks.may_view_frameworks(request.user):
        raise Http404
    if permission and not roles.can(request.user, permission):
        raise PermissionDenied


@access.verified
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    _allow(request)
    context = {
        "versions": services_frameworks.framework_version_list(),
        "can_import": roles.can(request.user, "assessment.frameworks"),
    }
    return render_page(request, "assessment/framework_list.html", context)


@access.verified
@require_GET
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _allow(request)
    version = get_object_or_404(FrameworkVersion.objects.select_related("framework"), pk=pk)
    context = {
        "version": version,
        "outline": services_frameworks.framework_outline(version=version),
    }
    return render_page(request, "assessment/framework_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    _allow(request, "assessment.frameworks")
    posted = request.method == "POST"
    form = FrameworkUploadForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[str] = []
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = _read(upload)
            version = services_frameworks.framework_import(
                actor=request.user, document=document, filename=upload.name
            )
        except InvalidFramework as refused:
            problems = refused.problems
        else:
            messages.success(
                request,
                _("Imported %(framework)s, version %(version)s.")
                % {"framework": version.framework.name, "version": version.version},
            )
            return redirect("assessment:framework_detail", pk=version.pk)
    status = 400 if problems or form.errors else 200
    context = {
        "form": form,
        "problems": problems,
        "max_mb": framework_io.MAX_BYTES // (1024 * 1024),
    }
    return render(request, "assessment/framework_import.html", context, status=status)


def _read(upload: object) -> bytes:
    """The uploaded bytes, refused unread when the file is over the limit."""
    if (getattr(upload, "size", 0) or 0) > framework_io.MAX_BYTES:
        raise InvalidFramework(
            [_("The file is larger than %(mb)d MB.") % {"mb": framework_io.MAX_BYTES // 2**20}]
        )
    return b"".join(upload.chunks())  # type: ignore[attr-defined]
