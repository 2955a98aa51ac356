"""The communication log (¶23, 25, 30–32): meetings, letters, calls, joint activities and
information received, linked to places, cases, recommendations and legislation.

A communication's page is an audited read of its sealed details. Information that
signals a risk of reprisal shows where it was routed and which watch answers it; those
who open watches may link one, or open one from here with its source filled in.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.cases.forms_watches import WatchForm
from habeas.core import access
from habeas.core.htmx import render_page
from habeas.partners import selectors, services
from habeas.partners.forms import (
    CommunicationFilterForm,
    CommunicationForm,
    LinkWatchForm,
)
from habeas.partners.models import Communication, Partner
from habeas.partners.views import (
    PAGE_SIZE,
    edit_page,
    form_page,
    int_param,
    query_without_page,
    require_change,
    require_view,
    routes_signals,
    unrouted_signals,
)
from habeas.visits.forms import add_service_errors

# -- the communication log ---------------------------------------------------------------


@access.verified
@require_GET
def communication_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_view(user)
    filter_form = CommunicationFilterForm(request.GET or None, user=user)
    rows = selectors.log(user, **filter_form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query_without_page(request),
        "can_write": roles.can(user, "partners.change"),
        "can_export": roles.can(user, "partners.export"),
        "unrouted": unrouted_signals(user),
    }
    return render_page(request, "partners/log.html", context, partial="partners/_log_results.html")


@access.verified
@require_http_methods(["GET", "POST"])
def communication_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_change(user)
    initial: dict[str, Any] = {"occurred_on": timezone.localdate()}
    partner_pk = int_param(request, "partner")
    if partner_pk and Partner.objects.restrict(user, "view").filter(pk=partner_pk).exists():
        initial["partners"] = [partner_pk]
    form = CommunicationForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            communication = services.communication_record(actor=user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if communication.reprisal_signal:
                messages.warning(
                    request,
                    _(
                        "The communication was recorded as %(ref)s. The people who open "
                        "reprisal watches have been told."
                    )
                    % {"ref": communication.reference},
                )
            else:
                messages.success(
                    request,
                    _("The communication was recorded as %(ref)s.")
                    % {"ref": communication.reference},
                )
            return redirect("partners:communication", pk=communication.pk)
    status = 400 if form.is_bound else 200
    return form_page(
        request, "partners/communication_form.html", form, status=status, communication=None
    )


def _communication_context(request: HttpRequest, communication: Communication) -> dict[str, Any]:
    user = request.user
    links = selectors.linked_records(user, communication)
    may_route = routes_signals(user)
    linked = communication.reprisal_watch_id is not None
    return {
        "communication": communication,
        "details": services.communication_open(actor=user, communication=communication),
        "links": links,
        "hidden_watch": linked and links.watch is None,
        "can_write": roles.can(user, "partners.change"),
        "can_link_watch": may_route and not linked and LinkWatchForm.offered(user),
        "can_unlink_watch": may_route and links.watch is not None,
        "can_open_watch": not linked and roles.can(user, "cases.create"),
        "watch_form": LinkWatchForm(user=user) if may_route and not linked else None,
    }


@access.verified
@require_GET
def communication_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = request.user
    require_view(user)
    communication = selectors.communication_detail(user, pk)
    context = _communication_context(request, communication)
    return render(request, "partners/communication_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def communication_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = request.user
    require_view(user)
    communication = selectors.communication_detail(user, pk)
    require_change(user)

    def make_form(data: Any = None, record: Communication = communication) -> CommunicationForm:
        form = CommunicationForm(data, user=user, communication=record)
        if data is None:  # the saved details are shown to edit them: an audited read
            form.initial["details"] = services.communication_open(actor=user, communication=record)
        return form

    def save(form: BaseForm) -> Any:
        values = form.values()  # type: ignore[attr-defined]
        if form.fields["reprisal_signal"].disabled:
            values.pop("reprisal_signal", None)
        version = form.cleaned_data["version"]
        return services.communication_update(
            actor=user, communication=communication, expected_version=version, **values
        )

    return edit_page(
        request,
        template="partners/communication_form.html",
        make_form=make_form,
        save=save,
        reload=lambda: selectors.communication_detail(user, pk),
        done=lambda: redirect("partners:communication", pk=communication.pk),
        context={"communication": communication},
    )


@access.verified
@require_POST
def communication_link_watch(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = request.user
    require_view(user)
    communication = selectors.communication_detail(user, pk)
    if not routes_signals(user):
        raise PermissionDenied
    if request.POST.get("unlink") == "1":
        return _unlink_watch(request, communication)
    form = LinkWatchForm(request.POST, user=user)
    if form.is_valid():
        watch = form.cleaned_data["watch"]
        try:
            services.communication_link_watch(actor=user, communication=communication, watch=watch)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The information is linked to the reprisal watch %(ref)s.")
                % {"ref": watch.reference},
            )
            return redirect("partners:communication", pk=communication.pk)
    context = _communication_context(request, communication)
    context["watch_form"] = form
    return render(request, "partners/communication_detail.html", context, status=400)


def _unlink_watch(request: HttpRequest, communication: Communication) -> HttpResponse:
    try:
        services.communication_link_watch(
            actor=request.user, communication=communication, watch=None
        )
    except ValidationError as error:
        for problems in getattr(error, "message_dict", {"": error.messages}).values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("The reprisal watch was unlinked."))
    return redirect("partners:communication", pk=communication.pk)


@access.verified
@require_http_methods(["GET", "POST"])
def communication_open_watch(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Open a reprisal watch from this information, its source filled in, and link the two."""
    user = request.user
    require_view(user)
    communication = selectors.communication_detail(user, pk)
    if not roles.can(user, "cases.create"):
        raise PermissionDenied
    identity = roles.can(user, "cases.identity")
    if communication.reprisal_watch_id is not None:
        messages.info(request, _("This information is already linked to a reprisal watch."))
        return redirect("partners:communication", pk=communication.pk)
    source = {"source_kind": "partner", "source_ref": communication.reference}
    form = WatchForm(request.POST or None, user=user, watch=None, identity=identity, initial=source)
    for name in ("source_kind", "source_ref"):
        form.fields[name].disabled = True
    template = "partners/communication_open_watch.html"
    context: dict[str, Any] = {"communication": communication}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        place = data.pop("place")
        try:
            watch = services.communication_open_watch(
                actor=user, communication=communication, data=data, place=place
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The person is now under reprisal watch, linked to %(ref)s.")
                % {"ref": communication.reference},
            )
            return redirect("cases:watch_detail", watch_id=watch.pk)
    status = 400 if form.is_bound else 200
    return form_page(request, template, form, status=status, **context)
