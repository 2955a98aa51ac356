"""Pages of the dialogue with authorities (¶2, 22, 31a): the log of exchanges, their
files, the mapping of a letter onto the recommendations it answers, and action plans.

Thin views: forms validate, services write, selectors read through `restrict`. Whoever
does not see the NPM's correspondence gets 404 (as for a missing record); whoever sees it
without `recommendations.dialogue` gets 403 on every write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.places import archive
from habeas.places.models import Authority
from habeas.recommendations import selectors_dialogue as selectors
from habeas.recommendations import services_dialogue as services
from habeas.recommendations.forms_dialogue import (
    ActionPlanForm,
    AttachmentForm,
    CommitmentForm,
    ExchangeFilterForm,
    ExchangeForm,
    LetterMapForm,
    MapSearchForm,
    add_service_errors,
)
from habeas.recommendations.models import Exchange

PAGE_SIZE = 50
AWAITING_SHOWN = 20


def require_write(user: Any) -> None:
    """403 for someone who sees the dialogue but may not record it."""
    if not roles.can(user, "recommendations.dialogue"):
        raise PermissionDenied


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


# -- the log of exchanges -------------------------------------------------------------------


@access.verified
@require_GET
def exchange_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_dialogue(user)
    years = selectors.exchange_years(user=user)
    filter_form = ExchangeFilterForm(request.GET or None, user=user, years=years)
    filters = selectors.ExchangeFilters(**filter_form.filters()) if request.GET else None
    page = Paginator(selectors.exchange_list(user=user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    authority = None
    awaiting: list[Any] = []
    awaiting_count = 0
    if filters and filters.authority:
        authority = Authority.objects.restrict(user, "view").filter(pk=filters.authority).first()
    if authority is not None:
        pending = selectors.awaiting_response(user=user, authority=authority)
        awaiting_count = pending.count()
        awaiting = list(pending[:AWAITING_SHOWN])
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": _query_without_page(request),
        "can_write": roles.can(user, "recommendations.dialogue"),
        "authority": authority,
        "awaiting": awaiting,
        "awaiting_count": awaiting_count,
    }
    return render_page(
        request,
        "recommendations/exchange_list.html",
        context,
        partial="recommendations/_exchange_results.html",
    )


@access.verified
@require_http_methods(["GET", "POST"])
def exchange_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_dialogue(user)
    require_write(user)
    initial: dict[str, Any] = {"direction": Exchange.Direction.INCOMING, "kind": "letter"}
    authority_pk = _int_param(request, "authority")
    if authority_pk:
        initial["authority"] = authority_pk
    form = ExchangeForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            exchange = services.exchange_create(actor=user, data=form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The exchange was recorded."))
            if request.POST.get("then") == "map":
                return redirect("recommendations:exchange_map", exchange_pk=exchange.pk)
            return redirect("recommendations:exchange_detail", exchange_pk=exchange.pk)
    return render(request, "recommendations/exchange_form.html", {"form": form, "exchange": None})


@access.verified
@require_GET
def exchange_detail(request: HttpRequest, exchange_pk: int) -> HttpResponse:
    user = request.user
    exchange = selectors.exchange_for(user=user, pk=exchange_pk)
    return render(
        request, "recommendations/exchange_detail.html", _detail_context(request, exchange)
    )


def _detail_context(request: HttpRequest, exchange: Exchange, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "exchange": exchange,
        "attachments": exchange.attachments.all(),
        "responses": selectors.responses_of(user=user, exchange=exchange),
        "plans": selectors.plans_of(user=user, exchange=exchange),
        "can_write": roles.can(user, "recommendations.dialogue"),
        "answers": exchange.direction != Exchange.Direction.OUTGOING,
        "upload_form": extra.pop("upload_form", None) or AttachmentForm(),
        **extra,
    }


@access.verified
@require_http_methods(["GET", "POST"])
def exchange_edit(request: HttpRequest, exchange_pk: int) -> HttpResponse:
    user = request.user
    exchange = selectors.exchange_for(user=user, pk=exchange_pk)
    require_write(user)
    template = "recommendations/exchange_form.html"
    if request.method != "POST":
        form = ExchangeForm(user=user, exchange=exchange)
        return render(request, template, {"form": form, "exchange": exchange})
    form = ExchangeForm(request.POST, user=user, exchange=exchange)
    if form.is_valid():
        try:
            services.exchange_update(
                actor=user,
                exchange=exchange,
                data=form.values(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit:
            current = selectors.exchange_for(user=user, pk=exchange_pk)
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = ExchangeForm(data, user=user, exchange=current)
            form.is_valid()
            context = {"form": form, "exchange": current, "stale": True}
            return render(request, template, context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("recommendations:exchange_detail", exchange_pk=exchange.pk)
    return render(request, template, {"form": form, "exchange": exchange})


# -- files ----------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def exchange_attachment(request: HttpRequest, exchange_pk: int) -> HttpResponse:
    user = request.user
    exchange = selectors.exchange_for(user=user, pk=exchange_pk)
    require_write(user)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_attachment_add(
                actor=user, exchange=exchange, upload=form.cleaned_data["upload"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The file was added to the exchange."))
            return redirect("recommendations:exchange_detail", exchange_pk=exchange.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "exchange": exchange}
    return render(request, "recommendations/exchange_attachment.html", context, status=status)


@access.verified
@require_GET
def exchange_attachment_download(request: HttpRequest, exchange_pk: int, pk: int) -> FileResponse:
    """Serve a file only as a download: never shown, never run by the browser."""
    user = request.user
    exchange = selectors.exchange_for(user=user, pk=exchange_pk)
    attachment = selectors.attachment_for(user=user, exchange=exchange, pk=pk)
    handle = services.exchange_attachment_open(actor=user, attachment=attachment)
    filename = archive.sanitise_filename(attachment.original_name, fallback="document")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- mapping a letter onto the recommendations it answers -----------------------------------


def _posted_pks(request: HttpRequest) -> list[int]:
    """The rows the page showed: each posts its status, even blank."""
    pks = []
    for key in request.POST:
        name, _sep, pk = key.partition("_")
        if name == "status" and pk.isdigit() and len(pk) < 12:
            pks.append(int(pk))
    return pks


@access.verified
@require_http_methods(["GET", "POST"])
def exchange_map(request: HttpRequest, exchange_pk: int) -> HttpResponse:
    user = request.user
    exchange = selectors.exchange_for(user=user, pk=exchange_pk)
    require_write(user)
    search = MapSearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    candidates = selectors.map_candidates(user=user, exchange=exchange, text=text)
    earlier = selectors.mapped_by(exchange=exchange)
    if request.method == "POST":
        return _map_save(request, exchange, earlier, search)
    shown = list(candidates[: selectors.MAP_LIMIT + 1])
    more = len(shown) > selectors.MAP_LIMIT
    form = LetterMapForm(
        exchange=exchange, candidates=shown[: selectors.MAP_LIMIT], earlier=earlier
    )
    return _map_page(request, exchange, form, search, more=more)


def _map_save(
    request: HttpRequest,
    exchange: Exchange,
    earlier: dict[int, Any],
    search: MapSearchForm,
) -> HttpResponse:
    posted = _posted_pks(request)
    # The rows posted, whatever the search showed; never one outside the candidates.
    unsearched = selectors.map_candidates(user=request.user, exchange=exchange)
    rows = {r.pk: r for r in unsearched.filter(pk__in=posted)} if posted else {}
    shown = [rows[pk] for pk in posted if pk in rows]
    form = LetterMapForm(request.POST, exchange=exchange, candidates=shown, earlier=earlier)
    if not form.is_valid():
        return _map_page(request, exchange, form, search, status=400)
    entries = form.entries()
    try:
        written = services.letter_map(actor=request.user, exchange=exchange, entries=entries)
    except services.MappingRefused as refused:
        form.show_entry_errors(entries, refused.entry_errors)
        form.add_error(None, _("Nothing was saved: correct the rows marked below."))
        return _map_page(request, exchange, form, search, status=400)
    except ValidationError as error:
        add_service_errors(form, error)
        return _map_page(request, exchange, form, search, status=400)
    messages.success(
        request,
        ngettext(
            "The letter's response to %(count)d recommendation is recorded.",
            "The letter's responses to %(count)d recommendations are recorded.",
            len(written),
        )
        % {"count": len(written)},
    )
    return redirect("recommendations:exchange_detail", exchange_pk=exchange.pk)


def _map_page(
    request: HttpRequest,
    exchange: Exchange,
    form: LetterMapForm,
    search: MapSearchForm,
    *,
    more: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "exchange": exchange,
        "form": form,
        "rows": form.rows(),
        "search": search,
        "more": more,
        "limit": selectors.MAP_LIMIT,
        "answers": exchange.direction != Exchange.Direction.OUTGOING,
        "map_url": reverse("recommendations:exchange_map", kwargs={"exchange_pk": exchange.pk}),
    }
    return render_page(
        request,
        "recommendations/exchange_map.html",
        context,
        partial="recommendations/_exchange_map_rows.html" if request.method == "GET" else None,
        status=status,
    )


# -- action plans ---------------------------------------------------------------------------


@access.verified
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_dialogue(user)
    authority_pk = _int_param(request, "authority")
    plans = selectors.plan_list(user=user, filters=selectors.PlanFilters(authority=authority_pk))
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    authority = (
        Authority.objects.restrict(user, "view").filter(pk=authority_pk).first()
        if authority_pk
        else None
    )
    context = {
        "page": page,
        "authority": authority,
        "query": _query_without_page(request),
        "can_write": roles.can(user, "recommendations.dialogue"),
    }
    return render(request, "recommendations/plan_list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_dialogue(user)
    require_write(user)
    initial: dict[str, Any] = {}
    exchange_pk = _int_param(request, "exchange")
    exchange = (
        Exchange.objects.restrict(user, "view").filter(pk=exchange_pk).first()
        if exchange_pk
        else None
    )
    if exchange is not None:
        initial = {"exchange": exchange.pk, "authority": exchange.authority_id}
        initial["adopted_on"] = exchange.occurred_on
    elif _int_param(request, "authority"):
        initial["authority"] = _int_param(request, "authority")
    form = ActionPlanForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.action_plan_create(actor=user, data=form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action plan was recorded. Add its commitments."))
            return redirect("recommendations:plan_detail", plan_pk=plan.pk)
    return render(request, "recommendations/plan_form.html", {"form": form, "plan": None})


@access.verified
@require_GET
def plan_detail(request: HttpRequest, plan_pk: int) -> HttpResponse:
    user = request.user
    plan = selectors.plan_for(user=user, pk=plan_pk)
    commitments = selectors.commitments_of(user=user, plan=plan)
    context = {
        "plan": plan,
        "commitments": commitments,
        "overdue_count": len([c for c in commitments if getattr(c, "overdue", False)]),
        "can_write": roles.can(user, "recommendations.dialogue"),
        "commitment_form": CommitmentForm(user=user),
    }
    return render(request, "recommendations/plan_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_pk: int) -> HttpResponse:
    user = request.user
    plan = selectors.plan_for(user=user, pk=plan_pk)
    require_write(user)
    template = "recommendations/plan_form.html"
    if request.method != "POST":
        return render(
            request, template, {"form": ActionPlanForm(user=user, plan=plan), "plan": plan}
        )
    form = ActionPlanForm(request.POST, user=user, plan=plan)
    if form.is_valid():
        try:
            services.action_plan_update(
                actor=user,
                plan=plan,
                data=form.values(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit:
            current = selectors.plan_for(user=user, pk=plan_pk)
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = ActionPlanForm(data, user=user, plan=current)
            form.is_valid()
            context = {"form": form, "plan": current, "stale": True}
            return render(request, template, context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("recommendations:plan_detail", plan_pk=plan.pk)
    return render(request, template, {"form": form, "plan": plan})


@access.verified
@require_http_methods(["GET", "POST"])
def commitment_add(request: HttpRequest, plan_pk: int) -> HttpResponse:
    user = request.user
    plan = selectors.plan_for(user=user, pk=plan_pk)
    require_write(user)
    form = CommitmentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_add(actor=user, plan=plan, data=form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The commitment was added."))
            return redirect("recommendations:plan_detail", plan_pk=plan.pk)
    context = {"form": form, "plan": plan, "commitment": None}
    status = 400 if form.is_bound else 200
    return render(request, "recommendations/plan_commitment_form.html", context, status=status)


@access.verified
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, plan_pk: int, commitment_pk: int) -> HttpResponse:
    user = request.user
    plan = selectors.plan_for(user=user, pk=plan_pk)
    commitment = selectors.commitment_for(user=user, plan=plan, pk=commitment_pk)
    require_write(user)
    template = "recommendations/plan_commitment_form.html"
    if request.method != "POST":
        form = CommitmentForm(user=user, commitment=commitment)
        return render(request, template, {"form": form, "plan": plan, "commitment": commitment})
    form = CommitmentForm(request.POST, user=user, commitment=commitment)
    if form.is_valid():
        try:
            services.commitment_update(
                actor=user,
                commitment=commitment,
                data=form.values(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit:
            current = selectors.commitment_for(user=user, plan=plan, pk=commitment_pk)
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = CommitmentForm(data, user=user, commitment=current)
            form.is_valid()
            context = {"form": form, "plan": plan, "commitment": current, "stale": True}
            return render(request, template, context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The commitment was saved."))
            return redirect("recommendations:plan_detail", plan_pk=plan.pk)
    context = {"form": form, "plan": plan, "commitment": commitment}
    return render(request, template, context)
