"""Pages of the inventory of places of detention (¶9): list, map, detail and edits.

Thin views: forms validate, services write, selectors read through `restrict`. A place
the user may not see answers 404 like a missing one; seeing without changing gets 403.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import BaseForm, ModelForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.cases.selectors_watches import watches_at_place
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.places import selectors, services
from habeas.places.forms import (
    PlaceCloseForm,
    PlaceDocumentForm,
    PlaceFilterForm,
    PlaceForm,
    PopulationRecordForm,
    add_service_errors,
)
from habeas.places.models import Place

PAGE_SIZE = 50
F = TypeVar("F", bound=ModelForm)


# Shared by the inventory's views ---------------------------------------------------


def require(user: Any, permission: str) -> None:
    """403 for someone who may see the record but not do this to it."""
    if not roles.can(user, permission):
        raise PermissionDenied


def require_view(user: Any) -> None:
    """404 for someone who may see nothing of the inventory: it does not exist for them."""
    if not roles.can(user, "places.view"):
        raise Http404


def place_or_404(request: HttpRequest, pk: int) -> Place:
    return get_object_or_404(selectors.place_for_view(user=request.user, pk=pk))


def form_rows(form: BaseForm, current: dict[str, str] | None = None) -> list[FormSection]:
    """The visible fields in their sections, each with the record's current value when an
    edit was stale (shown beside the user's own text)."""
    current = current or {}
    fields = {field.name: field for field in form.visible_fields()}
    sections = getattr(form, "sections", None) or ((None, tuple(fields)),)
    return [
        FormSection(legend, [(fields[name], current.get(name)) for name in names if name in fields])
        for legend, names in sections
    ]


@dataclass(frozen=True)
class FormSection:
    legend: Any
    rows: list[tuple[Any, str | None]]


def current_values(record: Model, form: BaseForm) -> dict[str, str]:
    """What is saved now, as text, for each field where it differs from the user's text.

    Shown beside a stale edit: exactly what saving again would overwrite.
    """
    submitted = getattr(form, "cleaned_data", {})
    values = {}
    for name in form.fields:
        if name == "version":
            continue
        saved = getattr(record, name)
        field = record._meta.get_field(name)
        if field.many_to_many:
            saved = list(saved.all())
        if name in submitted and _same(saved, submitted[name]):
            continue
        values[name] = _as_text(record, name, saved) or "—"
    return values


def _same(saved: Any, submitted: Any) -> bool:
    if isinstance(saved, list):
        return {item.pk for item in saved} == {item.pk for item in submitted or []}
    return (saved if saved is not None else "") == (submitted if submitted is not None else "")


def _as_text(record: Model, name: str, saved: Any) -> str:
    if isinstance(saved, list):
        return ", ".join(str(item) for item in saved)
    if isinstance(saved, bool):
        return str(_("Yes") if saved else _("No"))
    if getattr(record._meta.get_field(name), "choices", None):
        return str(getattr(record, f"get_{name}_display")())
    return "" if saved is None else str(saved)


def stale_form(form_class: type[F], request: HttpRequest, record: Model, **kwargs: Any) -> F:
    """The user's text again, now carrying the current version so a second save applies."""
    data = request.POST.copy()
    data["version"] = str(record.version)  # type: ignore[attr-defined]
    form = form_class(data, request.FILES or None, instance=copy.copy(record), **kwargs)
    form.is_valid()
    return form


def partial_for(request: HttpRequest, partial: str) -> str | None:
    """The partial for htmx, except when htmx restores history it no longer holds:
    then it asks with HX-Request too, but needs the whole page."""
    return None if request.headers.get("HX-History-Restore-Request") else partial


def tile_settings() -> dict[str, str]:
    return {
        "tile_url": settings.HABEAS_MAP_TILE_URL,
        "tile_attribution": settings.HABEAS_MAP_TILE_ATTRIBUTION,
    }


# The list and the map ---------------------------------------------------------------


@access.verified
@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    filter_form = PlaceFilterForm(request.GET, user=request.user)
    places = selectors.place_list(user=request.user, filters=filter_form.filters())
    page = selectors.IdsFirstPaginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "places": selectors.with_occupancy(page.object_list),
        "query": query.urlencode(),
        "can_change": roles.can(request.user, "places.change"),
        "can_import": roles.can(request.user, "places.import"),
        "can_export": roles.can(request.user, "places.export"),
        "can_reconcile": roles.can(request.user, "places.reconcile"),
    }
    partial = partial_for(request, "places/_results.html")
    return render_page(request, "places/list.html", context, partial=partial)


@access.verified
@require_GET
def place_map(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    filter_form = PlaceFilterForm(request.GET, user=request.user)
    context = {"filter_form": filter_form, "query": request.GET.urlencode(), **tile_settings()}
    return render(request, "places/map.html", context)


@access.verified
@require_GET
def place_geojson(request: HttpRequest) -> JsonResponse:
    """The map's markers: the list's filters and access rule, and only what a marker shows."""
    require_view(request.user)
    filters = PlaceFilterForm(request.GET, user=request.user).filters()
    url = reverse("places:detail", args=[0]).removesuffix("0/")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {
                "id": pk,
                "name": name,
                "category": category,
                "status": status,
                "official": official,
                "url": f"{url}{pk}/",
            },
        }
        for pk, name, category, status, official, lat, lon in selectors.place_map_points(
            user=request.user, filters=filters
        )
    ]
    # The count's sentence is built here, where plural rules of every language are known.
    label = ngettext("%(count)s place on the map", "%(count)s places on the map", len(features)) % {
        "count": f"{len(features):,}"
    }
    return JsonResponse({"type": "FeatureCollection", "features": features, "label": label})


# One place --------------------------------------------------------------------------


@access.verified
@require_GET
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    context = {
        "place": place,
        "units": place.units.order_by("-active", "name"),
        "groups": place.groups.all(),
        "series": selectors.population_series(place=place),
        "documents": place.documents.select_related("uploaded_by"),
        "timeline": selectors.place_timeline(place=place, limit=100),
        "can_change": roles.can(request.user, "places.change"),
        "can_archive": roles.can(request.user, "places.archive"),
        "document_form": PlaceDocumentForm(),
        "population_form": PopulationRecordForm(),
        # Reprisal watches here (¶25): only those the reader is granted on, else none.
        "place_watches": watches_at_place(user=request.user, place=place),
        **tile_settings(),
    }
    return render(request, "places/detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def place_create(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    require(request.user, "places.change")
    # The reconciliation page links here with the official list's name, reference and address.
    initial = {
        key: request.GET[key][:300]
        for key in ("name", "external_ref", "address")
        if key in request.GET
    }
    form = PlaceForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            place = services.place_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The place was added to the inventory."))
            return redirect("places:detail", pk=place.pk)
    context = {"form": form, "rows": form_rows(form), "place": None}
    return render(request, "places/place_form.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.change")
    if request.method != "POST":
        form = PlaceForm(instance=copy.copy(place), user=request.user)
        return render(request, "places/place_form.html", _edit_context(form, place))
    form = PlaceForm(request.POST, instance=copy.copy(place), user=request.user)
    if form.is_valid():
        try:
            services.place_update(
                actor=request.user,
                place=place,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            current = place_or_404(request, pk)
            form = stale_form(PlaceForm, request, current, user=request.user)
            context = _edit_context(form, current, stale=True)
            return render(request, "places/place_form.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("places:detail", pk=place.pk)
    return render(request, "places/place_form.html", _edit_context(form, place))


def _edit_context(form: PlaceForm, place: Place, *, stale: bool = False) -> dict[str, Any]:
    current = current_values(place, form) if stale else None
    return {"form": form, "rows": form_rows(form, current), "place": place, "stale": stale}


@access.verified
@require_http_methods(["GET", "POST"])
def place_close(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.change")
    form = PlaceCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_close(
                actor=request.user, place=place, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The place is now recorded as closed."))
            return redirect("places:detail", pk=place.pk)
    return render(request, "places/place_close.html", {"form": form, "place": place})


@access.verified
@require_POST
def place_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_or_404(request, pk)
    require(request.user, "places.change")
    try:
        services.place_reopen(actor=request.user, place=place)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The place is open again."))
    return redirect("places:detail", pk=place.pk)
