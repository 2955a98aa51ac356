"""Pages of the reprisal watch (¶25) and of investigations requested.

A watch the user is not granted on answers 404, the same bytes as a missing id, on
every route; so does any write on a watch by someone who may see but not do it
(everything about a watch is confidential). Every GET of a watch is an audited read.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.cases import selectors_watches as selectors
from habeas.cases import services, services_watches
from habeas.cases.forms_watches import (
    CheckRecordForm,
    CheckScheduleForm,
    GrantForm,
    InvestigationForm,
    InvestigationOutcomeForm,
    LeadForm,
    ReprisalReportForm,
    TransferForm,
    WatchForm,
    watch_initial,
)
from habeas.cases.models import Case, CaseGrant, InvestigationRequest, ReprisalWatch, WatchCheck
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.partners import selectors as partners_selectors
from habeas.places.forms import add_service_errors
from habeas.places.views import form_rows

WATCH_FORM = "cases/watch_form.html"
# What each audited action on a watch is called in its access log.
ACTIONS = {
    "cases.watch.read": gettext_lazy("Read the watch"),
    "cases.watch.create": gettext_lazy("Opened the watch"),
    "cases.watch.update": gettext_lazy("Edited the watch"),
    "cases.watch.update_stale": gettext_lazy("Edit refused: someone saved meanwhile"),
    "cases.watch.transfer": gettext_lazy("Recorded a transfer"),
    "cases.watch.check_schedule": gettext_lazy("Planned a check"),
    "cases.watch.check_record": gettext_lazy("Recorded a check"),
    "cases.watch.check_overdue_alert": gettext_lazy("Alerted the team of an overdue check"),
    "cases.watch.reprisal_report": gettext_lazy("Opened a reprisal allegation"),
    "cases.investigation.request": gettext_lazy("Recorded an investigation requested"),
    "cases.investigation.outcome": gettext_lazy("Recorded an investigation's outcome"),
    "cases.grant.add": gettext_lazy("Granted access"),
    "cases.grant.change": gettext_lazy("Changed a grant"),
    "cases.grant.remove": gettext_lazy("Withdrew access"),
    "cases.lead.change": gettext_lazy("Handed over the lead"),
    "cases.same_person_flagged": gettext_lazy("Flagged as possibly the same person"),
    "crypto.integrity_failure": gettext_lazy("Tampered data detected"),
}


def watch_or_404(request: HttpRequest, watch_id: uuid.UUID, action: str = "view") -> ReprisalWatch:
    watches = ReprisalWatch.objects.restrict(request.user, action).select_related("place")
    return get_object_or_404(watches, pk=watch_id)


def _require_cases(user: Any) -> None:
    """Someone whose role holds no case file meets no watch page at all."""
    if not roles.can(user, "cases.view"):
        raise Http404


def _detail(watch: ReprisalWatch) -> str:
    return reverse("cases:watch_detail", kwargs={"watch_id": watch.pk})


def _case_url(case: Case) -> str:
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def _record_url(record: Case | ReprisalWatch) -> str:
    return _case_url(record) if isinstance(record, Case) else _detail(record)


# The list and its alerts -----------------------------------------------------------


@access.verified
@require_GET
def watch_list(request: HttpRequest) -> HttpResponse:
    _require_cases(request.user)
    context = {
        "watches": selectors.watch_list(user=request.user),
        "alerts": selectors.overdue_checks(user=request.user),
        "can_create": roles.can(request.user, "cases.create"),
    }
    return render(request, "cases/watch_list.html", context)


# Create and edit -------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def watch_create(request: HttpRequest) -> HttpResponse:
    _require_cases(request.user)
    if not roles.can(request.user, "cases.create"):
        raise PermissionDenied
    identity = roles.can(request.user, "cases.identity")
    form = WatchForm(request.POST or None, user=request.user, watch=None, identity=identity)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            watch = services.watch_create(actor=request.user, data=data, place=data.pop("place"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The person is now under reprisal watch."))
            return redirect(_detail(watch))
    context = {"form": form, "rows": form_rows(form), "watch": None}
    return render(request, WATCH_FORM, context)


@access.verified
@require_http_methods(["GET", "POST"])
def watch_edit(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "change")
    identity = services.may_see_identity(request.user, watch)
    if request.method != "POST":
        initial = watch_initial(watch, identity=identity, actor=request.user)
        form = WatchForm(initial=initial, user=request.user, watch=watch, identity=identity)
        return render(request, WATCH_FORM, _edit_context(form, watch))
    form = WatchForm(request.POST, user=request.user, watch=watch, identity=identity)
    if form.is_valid():
        try:
            services.watch_update(
                actor=request.user,
                watch=watch,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            return _stale(request, watch_id, identity)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(_detail(watch))
    return render(request, WATCH_FORM, _edit_context(form, watch))


def _stale(request: HttpRequest, watch_id: uuid.UUID, identity: bool) -> HttpResponse:
    """409: the user's text again, carrying the current version, the saved values beside."""
    current = watch_or_404(request, watch_id, "change")
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = WatchForm(data, user=request.user, watch=current, identity=identity)
    form.is_valid()
    saved = watch_initial(current, identity=identity, actor=request.user)
    context = _edit_context(form, current, saved=saved)
    return render(request, WATCH_FORM, context, status=409)


def _edit_context(
    form: WatchForm, watch: ReprisalWatch, *, saved: dict[str, Any] | None = None
) -> dict[str, Any]:
    current = _differences(form, saved) if saved is not None else None
    return {"form": form, "rows": form_rows(form, current), "watch": watch, "stale": bool(saved)}


def _differences(form: WatchForm, saved: dict[str, Any]) -> dict[str, str]:
    """What is saved now, as text, where it differs from the user's text."""
    submitted = getattr(form, "cleaned_data", {})
    texts: dict[str, str] = {}
    for name, field in form.fields.items():
        if name == "version" or name not in saved:
            continue
        value = saved[name]
        mine = submitted.get(name)
        if name == "source_case":
            mine = getattr(mine, "pk", None)
        if name in submitted and (mine or "") == (value or ""):
            continue
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, list):
            text = ", ".join(str(choices.get(item, item)) for item in value)
        elif isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif name == "source_case":
            text = str(form.fields["source_case"].queryset.filter(pk=value).first() or "")  # type: ignore[attr-defined]
        else:
            text = str(choices.get(value, value) if choices else value)
        texts[name] = text or "—"
    return texts


# The watch's page ------------------------------------------------------------------


@access.verified
@require_GET
def watch_detail(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    watch = watch_or_404(request, watch_id)
    user = request.user
    services.record_read(actor=user, record=watch)
    identity = services.may_see_identity(user, watch)
    can_grant = ReprisalWatch.objects.restrict(user, "grant").filter(pk=watch.pk).exists()
    checks = selectors.watch_checks(watch=watch)
    today = services.today()
    source_case = (
        Case.objects.restrict(user, "view").filter(pk=watch.source_case_id).first()
        if watch.source_case_id
        else None
    )
    context = {
        "watch": watch,
        "identity": watch.unseal("identity", actor=user) if identity else None,
        "may_see_identity": identity,
        "risk_detail": watch.unseal("risk_detail", actor=user),
        "feared": [ReprisalWatch.ReprisalKind(kind).label for kind in watch.feared],
        "source_case": source_case,
        # The information from partners that opened it or was linked to it (¶23, 25).
        "communications": (
            list(partners_selectors.communications_for_watch(user, watch))
            if roles.can(user, "partners.view")
            else []
        ),
        "transfers": selectors.watch_transfers(watch=watch),
        "checks": [(check, services_watches.is_overdue(check, today)) for check in checks],
        "investigations": selectors.investigations_of(user=user, record=watch),
        "allegations": selectors.allegations_of(user=user, watch=watch),
        "grants": selectors.watch_grants(watch=watch),
        "access_log": [
            (event, ACTIONS.get(event.action, event.action))
            for event in services.access_log(watch)[:100]
        ],
        "can_grant": can_grant,
        "hold_url": reverse("cases:watch_legal_hold", kwargs={"watch_id": watch.pk}),
        "can_report": roles.can(user, "cases.create"),
        "grant_form": GrantForm() if can_grant else None,
        "lead_form": LeadForm(watch=watch) if can_grant else None,
    }
    return render(request, "cases/watch_detail.html", context)


# Transfers, checks, information received -------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def watch_transfer(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "change")
    form = TransferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services_watches.watch_transfer(
                actor=request.user,
                watch=watch,
                to_place=form.cleaned_data["to_place"],
                moved_on=form.cleaned_data["moved_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The transfer was recorded; the watch follows the person."))
            return redirect(_detail(watch))
    return render(request, "cases/watch_transfer.html", {"form": form, "watch": watch})


@access.verified
@require_POST
def watch_close(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    return _open_or_close(
        request, watch_id, services_watches.watch_close, _("The watch was closed.")
    )


@access.verified
@require_POST
def watch_reopen(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    return _open_or_close(
        request, watch_id, services_watches.watch_reopen, _("The watch was reopened.")
    )


@access.verified
@require_POST
def watch_legal_hold(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    from habeas.cases.views_cases import legal_hold_post

    watch = watch_or_404(request, watch_id, "grant")
    legal_hold_post(request, watch)
    return redirect(_detail(watch))


def _open_or_close(
    request: HttpRequest, watch_id: uuid.UUID, service: Any, done: str
) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "change")
    try:
        service(actor=request.user, watch=watch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(_detail(watch))


@access.verified
@require_http_methods(["GET", "POST"])
def watch_check_add(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "change")
    form = CheckScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_watches.check_schedule(actor=request.user, watch=watch, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The check was planned."))
            return redirect(_detail(watch))
    return render(request, "cases/watch_check_form.html", {"form": form, "watch": watch})


@access.verified
@require_http_methods(["GET", "POST"])
def watch_check_record(
    request: HttpRequest, watch_id: uuid.UUID, check_id: uuid.UUID
) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "change")
    checks = WatchCheck.objects.restrict(request.user, "change").filter(watch=watch)
    check = get_object_or_404(checks, pk=check_id)
    form = CheckRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_watches.check_record(actor=request.user, check=check, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if check.outcome == WatchCheck.Outcome.CONCERN and roles.can(
                request.user, "cases.create"
            ):
                messages.warning(
                    request,
                    _(
                        "The check gave cause for concern. If a reprisal took place, record "
                        "what was reported here: it opens a reprisal allegation today."
                    ),
                )
                return redirect("cases:watch_reprisal_report", watch_id=watch.pk)
            messages.success(request, _("The check was recorded."))
            return redirect(_detail(watch))
    context = {"form": form, "watch": watch, "check": check}
    return render(request, "cases/watch_check_record.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def watch_reprisal_report(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "change")
    if not roles.can(request.user, "cases.create"):
        raise Http404
    form = ReprisalReportForm(request.POST or None, initial={"received_on": services.today()})
    if request.method == "POST" and form.is_valid():
        try:
            case = services_watches.reprisal_report(
                actor=request.user, watch=watch, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Reprisal allegation %(ref)s was opened and the watch's team told.")
                % {"ref": case.reference},
            )
            return redirect(_case_url(case))
    return render(request, "cases/watch_reprisal_report.html", {"form": form, "watch": watch})


# Grants ----------------------------------------------------------------------------


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@access.verified
@require_POST
def watch_grant_add(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "grant")
    form = GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person and say why they need to know."))
        return redirect(_detail(watch))
    try:
        services.grant_add(actor=request.user, record=watch, **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Access was granted."))
    return redirect(_detail(watch))


@access.verified
@require_POST
def watch_grant_remove(request: HttpRequest, watch_id: uuid.UUID, grant_pk: int) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "grant")
    grant = get_object_or_404(CaseGrant, pk=grant_pk, watch=watch)
    try:
        services.grant_remove(actor=request.user, grant=grant)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Access was withdrawn."))
    if not ReprisalWatch.objects.restrict(request.user, "view").filter(pk=watch.pk).exists():
        return redirect("cases:watch_list")
    return redirect(_detail(watch))


@access.verified
@require_POST
def watch_lead_change(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    watch = watch_or_404(request, watch_id, "grant")
    form = LeadForm(request.POST, watch=watch)
    if not form.is_valid():
        messages.error(request, _("Choose a grantee as the new lead."))
        return redirect(_detail(watch))
    try:
        services.lead_change(actor=request.user, record=watch, user=form.cleaned_data["user"])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The lead was handed over."))
    return redirect(_detail(watch))


# Investigations requested ----------------------------------------------------------


def _investigation_add(request: HttpRequest, record: Case | ReprisalWatch) -> HttpResponse:
    form = InvestigationForm(
        request.POST or None, user=request.user, initial={"requested_on": services.today()}
    )
    if request.method == "POST" and form.is_valid():
        link: dict[str, Any] = {"case": record} if isinstance(record, Case) else {"watch": record}
        try:
            services_watches.investigation_request(actor=request.user, **link, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The investigation request was recorded."))
            return redirect(_record_url(record))
    context = {"form": form, "record": record, "record_url": _record_url(record)}
    return render(request, "cases/watch_investigation_form.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def investigation_add_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case.objects.restrict(request.user, "change"), pk=case_id)
    return _investigation_add(request, case)


@access.verified
@require_http_methods(["GET", "POST"])
def investigation_add_watch(request: HttpRequest, watch_id: uuid.UUID) -> HttpResponse:
    return _investigation_add(request, watch_or_404(request, watch_id, "change"))


@access.verified
@require_http_methods(["GET", "POST"])
def investigation_outcome(request: HttpRequest, investigation_pk: int) -> HttpResponse:
    investigations = InvestigationRequest.objects.restrict(request.user, "change")
    investigation = get_object_or_404(
        investigations.select_related("case", "watch", "addressee"), pk=investigation_pk
    )
    record = investigation.case or investigation.watch
    if record is None:  # the database refuses such a row; never shown
        raise Http404
    initial = {"outcome": investigation.outcome, "outcome_on": investigation.outcome_on}
    form = InvestigationOutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_watches.investigation_outcome(
                actor=request.user, investigation=investigation, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The outcome was recorded."))
            return redirect(_record_url(record))
    context = {
        "form": form,
        "investigation": investigation,
        "record": record,
        "record_url": _record_url(record),
    }
    return render(request, "cases/watch_investigation_outcome.html", context)
