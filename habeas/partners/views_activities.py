"""Awareness activities (¶33) and the confidential package of exchanges for the SPT
(¶3, 30): totals by audience and kind, and a ZIP made only by the head, after sudo."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.accounts.sudo import require_sudo
from habeas.core import access
from habeas.core.htmx import render_page
from habeas.partners import exporting, selectors, services
from habeas.partners.forms import (
    ActivityFilterForm,
    ActivityForm,
    SptPackageForm,
)
from habeas.partners.models import Partner
from habeas.partners.views import (
    PAGE_SIZE,
    edit_page,
    form_page,
    int_param,
    query_without_page,
    require_change,
    require_view,
)
from habeas.places.views import form_rows
from habeas.visits.forms import add_service_errors

# -- awareness activities (¶33) ------------------------------------------------------------


@access.verified
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_view(user)
    every_year = selectors.awareness_figures(user)
    filter_form = ActivityFilterForm(request.GET or None, years=every_year.years[::-1])
    filters = filter_form.filters()
    figures = (
        selectors.awareness_figures(user, year=filters["year"])
        if filters.get("year")
        else every_year
    )
    rows = selectors.activity_list(user, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "figures": figures,
        "by_year": every_year.by_year,
        "page": page,
        "query": query_without_page(request),
        "can_write": roles.can(user, "partners.change"),
        "can_export": roles.can(user, "partners.export"),
    }
    return render_page(
        request, "partners/activity_list.html", context, partial="partners/_activity_results.html"
    )


@access.verified
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_change(user)
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    partner_pk = int_param(request, "partner")
    if partner_pk and Partner.objects.restrict(user, "view").filter(pk=partner_pk).exists():
        initial["partners"] = [partner_pk]
    form = ActivityForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record(actor=user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The activity was recorded."))
            return redirect("partners:activities")
    status = 400 if form.is_bound else 200
    return form_page(request, "partners/activity_form.html", form, status=status, activity=None)


@access.verified
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    activity = selectors.activity_detail(user, pk)
    require_change(user)

    def make_form(data: Any = None, record: Any = activity) -> ActivityForm:
        return ActivityForm(data, user=user, activity=record)

    def save(form: BaseForm) -> Any:
        values = form.values()  # type: ignore[attr-defined]
        version = form.cleaned_data["version"]
        return services.activity_update(
            actor=user, activity=activity, expected_version=version, **values
        )

    return edit_page(
        request,
        template="partners/activity_form.html",
        make_form=make_form,
        save=save,
        reload=lambda: selectors.activity_detail(user, pk),
        done=lambda: redirect("partners:activities"),
        context={"activity": activity},
    )


# -- the confidential package for the SPT (¶3, 30) ------------------------------------------


@access.verified
@require_GET
def spt_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_view(user)
    if not roles.can(user, "partners.export"):
        raise PermissionDenied
    form = SptPackageForm(request.GET if "partner" in request.GET else None, user=user)
    if form.is_bound and form.is_valid():
        return _spt_download(request, form)
    status = 400 if form.is_bound else 200
    context = {"form": form, "rows": form_rows(form)}
    return render(request, "partners/spt_export.html", context, status=status)


@require_sudo
def _spt_download(request: HttpRequest, form: SptPackageForm) -> HttpResponse:
    partner = form.cleaned_data["partner"]
    since, until = form.cleaned_data.get("since"), form.cleaned_data.get("until")
    try:
        package = services.spt_package(
            actor=request.user, partner=partner, since=since, until=until
        )
    except ValidationError as error:
        add_service_errors(form, error)
        context = {"form": form, "rows": form_rows(form)}
        return render(request, "partners/spt_export.html", context, status=400)
    filename = exporting.package_filename(partner, since, until)
    response = HttpResponse(package, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
