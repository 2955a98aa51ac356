"""Pages for a place's units, population counts and archive of documents (¶9, 14)."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places import archive, services
from habeas.places.forms import (
    PlaceDocumentForm,
    PopulationRecordForm,
    UnitForm,
    add_service_errors,
)
from habeas.places.models import Place, Unit
from habeas.places.views import current_values, form_rows, place_or_404, require, stale_form


def _unit_or_404(place: Place, unit_pk: int) -> Unit:
    return get_object_or_404(Unit.objects.select_related("place"), place=place, pk=unit_pk)


def _unit_page(
    request: HttpRequest,
    form: UnitForm,
    place: Place,
    *,
    unit: Unit | None = None,
    current: dict[str, str] | None = None,
) -> HttpResponse:
    stale = current is not None
    context = {"form": form, "place": place, "unit": unit, "stale": stale}
    context["rows"] = form_rows(form, current)
    return render(request, "places/unit_form.html", context, status=409 if stale else 200)


@access.verified
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.change")
    form = UnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_create(actor=request.user, place=place, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The unit was added."))
            return redirect("places:detail", pk=place.pk)
    return _unit_page(request, form, place)


@access.verified
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.change")
    unit = _unit_or_404(place, unit_pk)
    form = UnitForm(request.POST or None, instance=copy.copy(unit), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                actor=request.user,
                unit=unit,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            current = _unit_or_404(place, unit_pk)
            form = stale_form(UnitForm, request, current, user=request.user)
            return _unit_page(
                request,
                form,
                place,
                unit=current,
                current=current_values(current, form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("places:detail", pk=place.pk)
    return _unit_page(request, form, place, unit=unit)


@access.verified
@require_POST
def unit_deactivate(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.change")
    unit = _unit_or_404(place, unit_pk)
    if unit.active:
        services.unit_deactivate(actor=request.user, unit=unit)
        messages.success(request, _("The unit is recorded as no longer in use."))
    else:
        services.unit_reactivate(actor=request.user, unit=unit)
        messages.success(request, _("The unit is in use again."))
    return redirect("places:detail", pk=place.pk)


@access.verified
@require_http_methods(["GET", "POST"])
def population_add(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.change")
    form = PopulationRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.population_record_add(actor=request.user, place=place, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The population count was added."))
            return redirect("places:detail", pk=place.pk)
    return render(request, "places/population_form.html", {"form": form, "place": place})


@access.verified
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.archive")
    form = PlaceDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_document_add(actor=request.user, place=place, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document was added to the place's archive."))
            return redirect("places:detail", pk=place.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "places/document_form.html", {"form": form, "place": place}, status=status
    )


@access.verified
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """Serve an archived file only as a download: never shown, never run by the browser."""
    place = place_or_404(request, pk)
    document = get_object_or_404(place.documents.exclude(stored_name=None), pk=document_pk)
    handle = services.place_document_open(actor=request.user, document=document)
    filename = archive.sanitise_filename(document.original_name, fallback="document")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
