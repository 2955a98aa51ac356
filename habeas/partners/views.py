"""Pages of partners and communication (¶4, 23, 25, 30–33): the registry of actors with
their contacts and agreements, and the helpers the other partners pages share
(`views_log`: the communication log; `views_activities`: awareness activities and the
package for the SPT).

Thin views: forms validate, services write, selectors read through `restrict`. Whoever
does not see partners gets 404 (as for a missing record); whoever sees them without
`partners.change` gets 403 on every write. A confidential communication is absent (404)
for those who may not see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.partners import selectors, services
from habeas.partners.forms import (
    AgreementForm,
    ContactForm,
    PartnerFilterForm,
    PartnerForm,
)
from habeas.partners.models import Agreement, Communication, Contact, Partner
from habeas.places.views import FormSection, form_rows
from habeas.visits.forms import add_service_errors

PAGE_SIZE = 50
SHOWN_ON_PARTNER = 20
EXPIRY_WARNING_DAYS = 90


def require_view(user: Any) -> None:
    """No right to see partners: the pages do not exist (404, as for a missing record)."""
    if not roles.can(user, "partners.view"):
        raise Http404


def require_change(user: Any) -> None:
    require_view(user)
    if not roles.can(user, "partners.change"):
        raise PermissionDenied


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def one_or_404(queryset: QuerySet[Any], pk: Any) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# -- stale edits: the user's text back, what was saved meanwhile beside it -----------------


def _as_text(field: Any, value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            return ", ".join(field.label_from_instance(o) for o in queryset.filter(pk__in=value))
        return ", ".join(str(v) for v in value)
    if hasattr(value, "pk") and hasattr(field, "label_from_instance"):
        return str(field.label_from_instance(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    choices = dict(getattr(field, "choices", None) or [])
    return str(choices.get(value, value) if choices else ("" if value is None else value))


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple | QuerySet):
        return sorted(str(getattr(v, "pk", v)) for v in value)
    if hasattr(value, "pk"):
        return str(value.pk)
    return "" if value is None else value


def _saved_meanwhile(form: BaseForm, saved: Mapping[str, Any]) -> dict[str, str]:
    """What is saved now, as text, where it differs from what the user typed."""
    submitted = getattr(form, "cleaned_data", {})
    texts: dict[str, str] = {}
    for name, field in form.fields.items():
        if name == "version" or name not in saved:
            continue
        value = saved[name]
        if name in submitted and _comparable(submitted[name]) == _comparable(value):
            continue
        texts[name] = _as_text(field, value) or "—"
    return texts


def form_page(
    request: HttpRequest,
    template: str,
    form: BaseForm,
    *,
    saved: Mapping[str, Any] | None = None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    current = _saved_meanwhile(form, saved) if saved is not None else None
    rows: list[FormSection] = form_rows(form, current)
    context.update(form=form, rows=rows, stale=saved is not None)
    return render(request, template, context, status=status)


def edit_page(
    request: HttpRequest,
    *,
    template: str,
    make_form: Callable[..., BaseForm],
    save: Callable[[BaseForm], Any],
    reload: Callable[[], Any],
    done: Callable[[], HttpResponse],
    context: dict[str, Any],
) -> HttpResponse:
    """GET shows the form; POST saves through `save`, or answers 409 with the user's text
    and what was saved meanwhile, or 400 with the errors (nothing changed)."""
    if request.method != "POST":
        return form_page(request, template, make_form(), **context)
    form = make_form(request.POST)
    if form.is_valid():
        try:
            save(form)
        except StaleEdit:
            current = reload()
            data = request.POST.copy()
            data["version"] = str(current.version)
            fresh = make_form(data, record=current)
            fresh.is_valid()
            saved = make_form(record=current).initial
            return form_page(request, template, fresh, saved=saved, status=409, **context)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return done()
    return form_page(request, template, form, status=400, **context)


# -- reprisal signals, shown on the registry and the log ---------------------------------


def routes_signals(user: Any) -> bool:
    """Those who act on reprisal signals: who records them, and who opens watches."""
    return roles.can(user, "partners.change") or roles.can(user, "cases.create")


def unrouted_signals(user: Any) -> list[Communication]:
    if not routes_signals(user):
        return []
    return list(selectors.unrouted_reprisal_signals(user)[:20])


# -- the registry --------------------------------------------------------------------------


def _with_agreement_counts(partners: QuerySet[Partner], today: dt.date) -> QuerySet[Partner]:
    in_force = (
        Agreement.objects.filter(partner=OuterRef("pk"))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .order_by()
        .values("partner")
    )
    soon = in_force.filter(expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
    return partners.annotate(
        agreements_in_force=Coalesce(
            Subquery(in_force.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            0,
        ),
        agreements_expiring=Coalesce(
            Subquery(soon.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
    )


@access.verified
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_view(user)
    today = timezone.localdate()
    filter_form = PartnerFilterForm(request.GET or None)
    partners = selectors.partner_list(user, **filter_form.filters())
    page = Paginator(_with_agreement_counts(partners, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query_without_page(request),
        "can_write": roles.can(user, "partners.change"),
        "can_export": roles.can(user, "partners.export"),
        "expiring": list(selectors.agreements_expiring(user, within_days=EXPIRY_WARNING_DAYS)[:10]),
        "unrouted": unrouted_signals(user),
    }
    return render_page(
        request, "partners/partner_list.html", context, partial="partners/_partner_results.html"
    )


def _agreement_state(agreement: Agreement, today: dt.date) -> tuple[str, str]:
    if agreement.expires_on is None:
        return "ok", _("In force")
    days = (agreement.expires_on - today).days
    if days < 0:
        return "expired", _("Expired on %(day)s") % {"day": agreement.expires_on.isoformat()}
    if days <= EXPIRY_WARNING_DAYS:
        return "expiring", _("Expires in %(days)d days") % {"days": days}
    return "ok", _("In force")


@access.verified
@require_GET
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    partner = selectors.partner_detail(user, pk)
    today = timezone.localdate()
    agreements = [(a, *_agreement_state(a, today)) for a in partner.agreements.all()]
    communications = selectors.log(user, partner=partner)
    activities = selectors.activity_list(user, partner=partner)
    context = {
        "partner": partner,
        "contacts": sorted(partner.contacts.all(), key=lambda c: (not c.active, c.name)),
        "agreements": agreements,
        "communications": list(communications[:SHOWN_ON_PARTNER]),
        "communication_count": getattr(partner, "communication_count", 0),
        "activities": list(activities[:SHOWN_ON_PARTNER]),
        "activity_count": activities.count(),
        "shown": SHOWN_ON_PARTNER,
        "can_write": roles.can(user, "partners.change"),
    }
    return render(request, "partners/partner_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_change(user)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(actor=user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The partner was added. Add its contacts and agreements."))
            return redirect("partners:detail", pk=partner.pk)
    status = 400 if form.is_bound else 200
    return form_page(request, "partners/partner_form.html", form, status=status, partner=None)


@access.verified
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    partner = selectors.partner_detail(user, pk)
    require_change(user)

    def make_form(data: Any = None, record: Partner = partner) -> PartnerForm:
        return PartnerForm(data, partner=record)

    def save(form: BaseForm) -> Any:
        values = form.values()  # type: ignore[attr-defined]
        version = form.cleaned_data["version"]
        return services.partner_update(
            actor=user, partner=partner, expected_version=version, **values
        )

    return edit_page(
        request,
        template="partners/partner_form.html",
        make_form=make_form,
        save=save,
        reload=lambda: selectors.partner_detail(user, pk),
        done=lambda: redirect("partners:detail", pk=partner.pk),
        context={"partner": partner},
    )


# -- contacts and agreements -------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    partner = selectors.partner_detail(user, pk)
    require_change(user)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(actor=user, partner=partner, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contact was added."))
            return redirect("partners:detail", pk=partner.pk)
    status = 400 if form.is_bound else 200
    return form_page(
        request, "partners/contact_form.html", form, status=status, partner=partner, contact=None
    )


@access.verified
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    contacts = Contact.objects.restrict(user, "view").select_related("partner")
    contact = one_or_404(contacts, pk)
    require_change(user)

    def make_form(data: Any = None, record: Contact = contact) -> ContactForm:
        return ContactForm(data, contact=record)

    def save(form: BaseForm) -> Any:
        values = form.values()  # type: ignore[attr-defined]
        version = form.cleaned_data["version"]
        return services.contact_update(
            actor=user, contact=contact, expected_version=version, **values
        )

    return edit_page(
        request,
        template="partners/contact_form.html",
        make_form=make_form,
        save=save,
        reload=lambda: one_or_404(contacts, pk),
        done=lambda: redirect("partners:detail", pk=contact.partner_id),
        context={"partner": contact.partner, "contact": contact},
    )


@access.verified
@require_http_methods(["GET", "POST"])
def agreement_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    partner = selectors.partner_detail(user, pk)
    require_change(user)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_add(actor=user, partner=partner, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The agreement was recorded."))
            return redirect("partners:detail", pk=partner.pk)
    status = 400 if form.is_bound else 200
    return form_page(
        request,
        "partners/agreement_form.html",
        form,
        status=status,
        partner=partner,
        agreement=None,
    )


@access.verified
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    agreements = Agreement.objects.restrict(user, "view").select_related("partner")
    agreement = one_or_404(agreements, pk)
    require_change(user)

    def make_form(data: Any = None, record: Agreement = agreement) -> AgreementForm:
        return AgreementForm(data, agreement=record)

    def save(form: BaseForm) -> Any:
        values = form.values()  # type: ignore[attr-defined]
        version = form.cleaned_data["version"]
        return services.agreement_update(
            actor=user, agreement=agreement, expected_version=version, **values
        )

    return edit_page(
        request,
        template="partners/agreement_form.html",
        make_form=make_form,
        save=save,
        reload=lambda: one_or_404(agreements, pk),
        done=lambda: redirect("partners:detail", pk=agreement.partner_id),
        context={"partner": agreement.partner, "agreement": agreement},
    )
