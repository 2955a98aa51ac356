"""Pages for the authorities the NPM deals with (¶2, 22, 30, 31) and the regions (¶36)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.places import selectors, services
from habeas.places.forms import AuthorityForm, RegionForm, VersionedForm, add_service_errors
from habeas.places.models import Authority, Place, Region
from habeas.places.views import (
    current_values,
    form_rows,
    partial_for,
    require,
    require_view,
    stale_form,
)

# Authorities ----------------------------------------------------------------------


@access.verified
@require_GET
def authority_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    text = request.GET.get("q", "")[:200]
    page = Paginator(selectors.authority_list(user=request.user, text=text), 100).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "q": text,
        "can_change": roles.can(request.user, "authorities.change"),
    }
    partial = partial_for(request, "places/_authority_results.html")
    return render_page(request, "places/authority_list.html", context, partial=partial)


def _authority_or_404(request: HttpRequest, pk: int) -> Authority:
    authorities = Authority.objects.restrict(request.user, "view").select_related(
        "region", "parent"
    )
    return get_object_or_404(authorities, pk=pk)


@access.verified
@require_GET
def authority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    authority = _authority_or_404(request, pk)
    places = Place.objects.restrict(request.user, "view").filter(authority=authority)
    context = {
        "authority": authority,
        "children": Authority.objects.restrict(request.user, "view").filter(parent=authority),
        "places": places.select_related("category").order_by("name")[:50],
        "place_count": places.count(),
        "can_change": roles.can(request.user, "authorities.change"),
    }
    return render(request, "places/authority_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def authority_create(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    require(request.user, "authorities.change")
    return _create(request, AuthorityForm, services.authority_create, "authority")


@access.verified
@require_http_methods(["GET", "POST"])
def authority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    authority = _authority_or_404(request, pk)
    require(request.user, "authorities.change")
    return _edit(request, AuthorityForm, authority, services.authority_update, "authority")


# Regions --------------------------------------------------------------------------


@access.verified
@require_GET
def region_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    counts = selectors.region_place_counts(user=request.user)
    context = {
        "rows": [
            (node, counts.get(node.region.pk, 0))
            for node in selectors.region_tree(user=request.user)
        ],
        "can_change": roles.can(request.user, "regions.change"),
    }
    return render(request, "places/region_list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def region_create(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    require(request.user, "regions.change")
    return _create(request, RegionForm, services.region_create, "region")


@access.verified
@require_http_methods(["GET", "POST"])
def region_edit(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region.objects.restrict(request.user, "view"), pk=pk)
    require(request.user, "regions.change")
    return _edit(request, RegionForm, region, services.region_update, "region")


# Shared create and edit flows -------------------------------------------------------

DONE = {"authority": "places:authority_detail", "region": "places:region_list"}
TEMPLATES = {"authority": "places/authority_form.html", "region": "places/region_form.html"}


def _done(kind: str, record: Model) -> HttpResponse:
    if kind == "region":
        return redirect(DONE[kind])
    return redirect(DONE[kind], pk=record.pk)


def _create(
    request: HttpRequest, form_class: type[VersionedForm], create: Callable[..., Model], kind: str
) -> HttpResponse:
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return _done(kind, record)
    context = {"form": form, "rows": form_rows(form), "record": None}
    return render(request, TEMPLATES[kind], context)


def _edit(
    request: HttpRequest,
    form_class: type[VersionedForm],
    record: Any,
    update: Callable[..., Model],
    kind: str,
) -> HttpResponse:
    form = form_class(request.POST or None, instance=copy.copy(record), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            update(
                actor=request.user,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
                **{kind: record},
            )
        except StaleEdit:
            current = type(record).objects.get(pk=record.pk)
            form = stale_form(form_class, request, current, user=request.user)
            context = {
                "form": form,
                "rows": form_rows(form, current_values(current, form)),
                "record": current,
                "stale": True,
            }
            return render(request, TEMPLATES[kind], context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return _done(kind, record)
    context = {"form": form, "rows": form_rows(form), "record": record}
    return render(request, TEMPLATES[kind], context)
