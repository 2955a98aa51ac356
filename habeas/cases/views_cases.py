"""Pages of the confidential case files (¶18, 19, 25): list, detail, edits, grants,
medical documentation, referrals and the reprisal checklist.

Every case is fetched through `restrict`: a case the user is not granted on answers
404, byte for byte as a missing one, whatever their role. Each view of a case is an
audited read. Identities are unsealed only for those who may see them; medical
documentation only through `MedicalExamination.objects.restrict`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.cases import selectors, services, services_medical, services_referrals
from habeas.cases.forms_cases import (
    CONSENT_FIELDS,
    IDENTITY_FIELDS,
    TESTIMONY_FIELDS,
    AttachmentForm,
    CaseFilterForm,
    CaseForm,
    ChecklistItemForm,
    ExaminationForm,
    GrantForm,
    LeadForm,
    ReferralOutcomeForm,
    ReferralRecipientForm,
    ReferralSendForm,
)
from habeas.cases.models import Case, ChecklistItem, Element, InvestigationRequest, Recipient
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places import archive
from habeas.places.forms import add_service_errors
from habeas.places.views import FormSection

PAGE_SIZE = 50
INVESTIGATIONS_TEMPLATE = "cases/_investigations.html"
# What each event of a case's access log says happened (never what was read).
ACTION_LABELS = {
    "cases.case.create": gettext_lazy("opened the case"),
    "cases.case.read": gettext_lazy("read the case"),
    "cases.case.update": gettext_lazy("edited the case"),
    "cases.case.update_stale": gettext_lazy("tried to save a stale edit"),
    "cases.case.close": gettext_lazy("closed the case"),
    "cases.case.reopen": gettext_lazy("reopened the case"),
    "cases.grant.add": gettext_lazy("granted access"),
    "cases.grant.change": gettext_lazy("changed a grant"),
    "cases.grant.remove": gettext_lazy("withdrew access"),
    "cases.lead.change": gettext_lazy("handed over the lead"),
    "cases.medical.create": gettext_lazy("recorded a medical examination"),
    "cases.medical.update": gettext_lazy("edited a medical examination"),
    "cases.medical.update_stale": gettext_lazy("tried to save a stale medical edit"),
    "cases.medical.read": gettext_lazy("read a medical examination"),
    "cases.medical.attachment_add": gettext_lazy("added a medical file"),
    "cases.medical.download": gettext_lazy("downloaded a medical file"),
    "cases.referral.create": gettext_lazy("drafted a referral"),
    "cases.referral.read": gettext_lazy("read a referral"),
    "cases.referral.send": gettext_lazy("recorded a referral as sent"),
    "cases.referral.outcome": gettext_lazy("recorded a referral's outcome"),
    "cases.checklist.mark": gettext_lazy("updated the reprisal checklist"),
    "cases.investigation.request": gettext_lazy("recorded an investigation requested"),
    "cases.investigation.outcome": gettext_lazy("recorded an investigation's outcome"),
    "cases.same_person_flagged": gettext_lazy("flagged the same person in a new record"),
    "crypto.integrity_failure": gettext_lazy("hit a tampered value"),
}


def _access_log(case: Case) -> list[tuple[Any, Any]]:
    return [
        (event, ACTION_LABELS.get(event.action, event.action))
        for event in services.access_log(case)
    ]


# Shared -----------------------------------------------------------------------------


def _require_cases(user: Any) -> None:
    """No role that may hold case files: the pages do not exist for them."""
    if not roles.can(user, "cases.view"):
        raise Http404


def _case(request: HttpRequest, case_id: UUID, action: str = "view") -> Case:
    return selectors.case_for(user=request.user, case_id=case_id, action=action)


def _url_or_blank(name: str) -> str:
    """Another part of the app builds these pages; link to them once they exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _template_or_none(name: str) -> str | None:
    try:
        select_template([name])
    except TemplateDoesNotExist:
        return None
    return name


def _sealed_values(case: Case, names: tuple[str, ...], user: Any) -> dict[str, str]:
    return {name: case.unseal(name, actor=user) for name in names}


def _sections(form: CaseForm, current: dict[str, str] | None = None) -> list[FormSection]:
    current = current or {}
    fields = {field.name: field for field in form.visible_fields()}
    return [
        FormSection(legend, [(fields[name], current.get(name)) for name in names if name in fields])
        for legend, names in form.sections
        if any(name in fields for name in names)
    ]


def _case_initial(case: Case, user: Any, *, show_identity: bool) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(case, name)
        for name in (
            "kind",
            "place",
            "authority",
            "occurred_on",
            "occurred_until",
            "reported_on",
            "source",
            "source_ref",
            "pattern",
            "version",
        )
    }
    initial.update(_sealed_values(case, TESTIMONY_FIELDS, user))
    if show_identity:
        initial.update(_sealed_values(case, IDENTITY_FIELDS, user))
        initial.update({name: getattr(case, name) for name in CONSENT_FIELDS})
    return initial


def _current_values(case: Case, form: CaseForm, user: Any) -> dict[str, str]:
    """What is saved now, as text, wherever it differs from the user's stale text."""
    initial = _case_initial(case, user, show_identity="victim" in form.fields)
    submitted = getattr(form, "cleaned_data", {})
    values = {}
    for name in form.fields:
        if name == "version":
            continue
        saved = initial.get(name)
        if name in submitted and (saved or "") == (submitted[name] or ""):
            continue
        if isinstance(saved, bool):
            values[name] = _("Yes") if saved else _("No")
        elif isinstance(saved, list):
            values[name] = ", ".join(saved)
        elif name in ("kind", "source", "pattern"):
            values[name] = str(getattr(case, f"get_{name}_display")())
        else:
            values[name] = "" if saved is None else str(saved)
        values[name] = values[name] or "—"
    return values


# The list ---------------------------------------------------------------------------


@access.verified
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_cases(request.user)
    filter_form = CaseFilterForm(request.GET or None, user=request.user)
    cases = selectors.case_list(user=request.user, filters=filter_form.filters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "cases": page.object_list,
        "query": query.urlencode(),
        "can_create": roles.can(request.user, "cases.create"),
        "watch_list_url": _url_or_blank("cases:watch_list"),
        "register_list_url": _url_or_blank("cases:register_list")
        if roles.can(request.user, "register.view")
        else "",
    }
    return render(request, "cases/case_list.html", context)


# One case ---------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    _require_cases(request.user)
    if not roles.can(request.user, "cases.create"):
        raise PermissionDenied
    form = CaseForm(request.POST or None, user=request.user, show_identity=True)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(actor=request.user, data=form.case_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The case %(reference)s was opened.") % {"reference": case.reference}
            )
            return redirect("cases:case_detail", case_id=case.pk)
    context = {"form": form, "rows": _sections(form), "case": None}
    return render(request, "cases/case_form.html", context, status=400 if form.errors else 200)


@access.verified
@require_GET
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    user = request.user
    services.record_read(actor=user, record=case)
    show_identity = services.may_see_identity(user, case)
    grant = services.grant_of(user, case)
    context = {
        "case": case,
        "show_identity": show_identity,
        "identity": _sealed_values(case, IDENTITY_FIELDS, user) if show_identity else {},
        "testimony": _sealed_values(case, TESTIMONY_FIELDS, user),
        "consent_elements": [Element(code).label for code in case.consent_elements or []],
        "consent_recipients": [Recipient(code).label for code in case.consent_recipients or []],
        "examinations": selectors.examinations_for(user=user, case=case),
        "may_add_medical": services.may_see_medical(user, case),
        "referrals": selectors.referrals_for(user=user, case=case),
        "checklist": selectors.checklist_for(user=user, case=case)
        if case.kind == Case.Kind.REPRISAL
        else [],
        "checklist_statuses": ChecklistItem.Status.choices,
        "grants": selectors.grants_of(case),
        "my_grant": grant,
        "may_grant": Case.objects.restrict(user, "grant").filter(pk=case.pk).exists(),
        "hold_url": reverse("cases:case_legal_hold", kwargs={"case_id": case.pk}),
        "access_log": _access_log(case),
        "investigations": InvestigationRequest.objects.restrict(user).filter(case=case),
        "investigations_template": _template_or_none(INVESTIGATIONS_TEMPLATE),
    }
    return render(request, "cases/case_detail.html", context)


def _edit_page(
    request: HttpRequest, form: CaseForm, case: Case, *, stale: bool = False
) -> HttpResponse:
    current = _current_values(case, form, request.user) if stale else None
    context = {
        "form": form,
        "rows": _sections(form, current),
        "case": case,
        "stale": stale,
        "show_identity": "victim" in form.fields,
    }
    status = 409 if stale else (400 if form.errors else 200)
    return render(request, "cases/case_form.html", context, status=status)


@access.verified
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id, "change")
    show_identity = services.may_see_identity(request.user, case)
    if request.method != "POST":
        initial = _case_initial(case, request.user, show_identity=show_identity)
        form = CaseForm(
            initial=initial, user=request.user, show_identity=show_identity, editing=True
        )
        return _edit_page(request, form, case)
    form = CaseForm(request.POST, user=request.user, show_identity=show_identity, editing=True)
    if form.is_valid():
        try:
            services.case_update(
                actor=request.user,
                case=case,
                data=form.case_data(),
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            current = _case(request, case_id, "change")
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = CaseForm(data, user=request.user, show_identity=show_identity, editing=True)
            form.is_valid()
            return _edit_page(request, form, current, stale=True)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("cases:case_detail", case_id=case.pk)
    return _edit_page(request, form, case)


@access.verified
@require_POST
def case_close(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id, "change")
    try:
        services.case_close(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is closed."))
    return redirect("cases:case_detail", case_id=case.pk)


@access.verified
@require_POST
def case_reopen(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id, "change")
    try:
        services.case_reopen(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is open again."))
    return redirect("cases:case_detail", case_id=case.pk)


@access.verified
@require_POST
def case_legal_hold(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _grant_case(request, case_id)
    legal_hold_post(request, case)
    return redirect("cases:case_detail", case_id=case.pk)


def legal_hold_post(request: HttpRequest, record: Any) -> None:
    """Place or lift a legal hold from the detail page's small form."""
    try:
        services.legal_hold_set(
            actor=request.user,
            record=record,
            hold=request.POST.get("hold") == "1",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The record is under legal hold.") if record.legal_hold else _("The hold is lifted."),
        )


# Grants -----------------------------------------------------------------------------


def _grant_case(request: HttpRequest, case_id: UUID) -> Case:
    """Grantees see the list; only the lead or a granted head manage it (403 otherwise)."""
    case = _case(request, case_id)
    if not Case.objects.restrict(request.user, "grant").filter(pk=case.pk).exists():
        raise PermissionDenied
    return case


@access.verified
@require_http_methods(["GET", "POST"])
def case_grants(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _grant_case(request, case_id)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_add(
                actor=request.user,
                record=case,
                user=data["user"],
                identity=data["identity"],
                medical=data["medical"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Access was granted."))
            return redirect("cases:case_grants", case_id=case.pk)
    context = {
        "case": case,
        "form": form,
        "lead_form": LeadForm(case=case),
        "grants": selectors.grants_of(case),
    }
    return render(request, "cases/grant_list.html", context, status=400 if form.errors else 200)


@access.verified
@require_POST
def case_grant_remove(request: HttpRequest, case_id: UUID, grant_pk: int) -> HttpResponse:
    case = _grant_case(request, case_id)
    grant = get_object_or_404(case.grants.all(), pk=grant_pk)
    try:
        services.grant_remove(actor=request.user, grant=grant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Access was withdrawn."))
    if not Case.objects.restrict(request.user, "grant").filter(pk=case.pk).exists():
        return redirect("cases:case_list")
    return redirect("cases:case_grants", case_id=case.pk)


@access.verified
@require_POST
def case_lead(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _grant_case(request, case_id)
    form = LeadForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.lead_change(actor=request.user, record=case, user=form.cleaned_data["user"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The case has a new lead."))
    else:
        messages.error(request, _("Choose a new lead among the people granted on the case."))
    if Case.objects.restrict(request.user, "grant").filter(pk=case.pk).exists():
        return redirect("cases:case_grants", case_id=case.pk)
    return redirect("cases:case_detail", case_id=case.pk)


# Medical documentation (Istanbul Protocol) -----------------------------------------


def _medical_case(request: HttpRequest, case_id: UUID) -> Case:
    """The case, for someone who may write its medical file; 404 for anyone else."""
    case = _case(request, case_id, "change")
    if not services.may_see_medical(request.user, case):
        raise Http404
    return case


@access.verified
@require_http_methods(["GET", "POST"])
def medical_create(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = _medical_case(request, case_id)
    form = ExaminationForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            examination = services_medical.examination_add(actor=request.user, case=case, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The examination was recorded."))
            return redirect("cases:medical_detail", case_id=case.pk, examination_id=examination.pk)
    context = {"form": form, "case": case, "examination": None}
    return render(request, "cases/medical_form.html", context, status=400 if form.errors else 200)


@access.verified
@require_GET
def medical_detail(request: HttpRequest, case_id: UUID, examination_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    examination = selectors.examination_for(
        user=request.user, case=case, examination_id=examination_id
    )
    services_medical.examination_read(actor=request.user, examination=examination)
    findings = {
        name: examination.unseal(name, actor=request.user)
        for name in services_medical.EXAMINATION_SEALED_FIELDS
    }
    attachments = [
        (attachment, attachment.unseal("filename", actor=request.user))
        for attachment in examination.attachments.select_related("uploaded_by")
    ]
    context = {
        "case": case,
        "examination": examination,
        "findings": findings,
        "attachments": attachments,
        "attachment_form": AttachmentForm(),
    }
    return render(request, "cases/medical_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def medical_edit(request: HttpRequest, case_id: UUID, examination_id: UUID) -> HttpResponse:
    case = _medical_case(request, case_id)
    examination = selectors.examination_for(
        user=request.user, case=case, examination_id=examination_id
    )
    stale = False
    if request.method != "POST":
        initial = {
            "version": examination.version,
            "examined_on": examination.examined_on,
            "examiner": examination.examiner,
            "examiner_name": examination.examiner_name,
            "consistency": examination.consistency,
            **{
                name: examination.unseal(name, actor=request.user)
                for name in services_medical.EXAMINATION_SEALED_FIELDS
            },
        }
        form = ExaminationForm(initial=initial, case=case, editing=True)
    else:
        form = ExaminationForm(request.POST, case=case, editing=True)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services_medical.examination_update(
                    actor=request.user, examination=examination, data=data, expected_version=version
                )
            except StaleEdit as stale_edit:
                posted = request.POST.copy()
                posted["version"] = str(stale_edit.current_version)
                form = ExaminationForm(posted, case=case, editing=True)
                form.is_valid()
                stale = True
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect(
                    "cases:medical_detail", case_id=case.pk, examination_id=examination.pk
                )
    context = {"form": form, "case": case, "examination": examination, "stale": stale}
    status = 409 if stale else (400 if form.errors else 200)
    return render(request, "cases/medical_form.html", context, status=status)


@access.verified
@require_http_methods(["GET", "POST"])
def medical_attachment_add(
    request: HttpRequest, case_id: UUID, examination_id: UUID
) -> HttpResponse:
    case = _medical_case(request, case_id)
    examination = selectors.examination_for(
        user=request.user, case=case, examination_id=examination_id
    )
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_medical.attachment_add(
                actor=request.user, examination=examination, upload=form.cleaned_data["upload"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The file was added, sealed."))
            return redirect("cases:medical_detail", case_id=case.pk, examination_id=examination.pk)
    context = {"form": form, "case": case, "examination": examination}
    status = 400 if form.is_bound else 200
    return render(request, "cases/medical_attachment_form.html", context, status=status)


@access.verified
@require_GET
def medical_attachment_download(
    request: HttpRequest, case_id: UUID, examination_id: UUID, attachment_id: UUID
) -> HttpResponse:
    """Served only as a download: never shown, never run by the browser."""
    case = _case(request, case_id)
    examination = selectors.examination_for(
        user=request.user, case=case, examination_id=examination_id
    )
    attachment = selectors.attachment_for(
        user=request.user, examination=examination, attachment_id=attachment_id
    )
    opened = services_medical.attachment_open(actor=request.user, attachment=attachment)
    extension = archive.extension_of(opened.filename) or "bin"
    filename = archive.sanitise_filename(opened.filename, fallback=f"medical-file.{extension}")
    response = HttpResponse(opened.content, content_type="application/octet-stream")
    response["Content-Disposition"] = _attachment_disposition(filename, extension)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _attachment_disposition(filename: str, extension: str) -> str:
    header = content_disposition_header(as_attachment=True, filename=filename)
    return header or f'attachment; filename="medical-file.{extension}"'


# Referrals --------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Choose the recipient, see what would go and what would not, then build it."""
    case = _case(request, case_id, "change")
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ReferralRecipientForm(data, user=request.user)
    preview = None
    if form.is_bound and form.is_valid():
        preview = services_referrals.referral_preview(
            actor=request.user, case=case, recipient_kind=form.cleaned_data["recipient_kind"]
        )
        if request.method == "POST" and "create" in request.POST:
            try:
                referral = services_referrals.referral_create(
                    actor=request.user,
                    case=case,
                    recipient_kind=form.cleaned_data["recipient_kind"],
                    recipient_authority=form.cleaned_data["recipient_authority"],
                    recipient_name=form.cleaned_data["recipient_name"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The referral was drafted."))
                return redirect("cases:referral_detail", case_id=case.pk, referral_id=referral.pk)
    context = {"case": case, "form": form, "preview": preview}
    return render(request, "cases/referral_form.html", context, status=400 if form.errors else 200)


def _referral(request: HttpRequest, case_id: UUID, referral_id: UUID, action: str = "view") -> Any:
    case = _case(request, case_id, action)
    return selectors.referral_for(user=request.user, case=case, referral_id=referral_id)


def _withheld_lines(referral: Any) -> list[tuple[str, str]]:
    return [
        (
            services_referrals.element_label(item.get("element", "")),
            services_referrals.withheld_reason(
                item.get("reason", ""),
                element=item.get("element", ""),
                recipient=referral.recipient_kind,
            ),
        )
        for item in referral.withheld or []
    ]


@access.verified
@require_GET
def referral_detail(request: HttpRequest, case_id: UUID, referral_id: UUID) -> HttpResponse:
    referral = _referral(request, case_id, referral_id)
    may_read = services_referrals.may_read_referral_body(request.user, referral)
    body = (
        services_referrals.referral_read(actor=request.user, referral=referral)
        if may_read
        else None
    )
    context = {
        "case": referral.case,
        "referral": referral,
        "body": body,
        "included": [services_referrals.element_label(code) for code in referral.included or []],
        "withheld": _withheld_lines(referral),
        "send_form": ReferralSendForm(),
        "outcome_form": ReferralOutcomeForm(
            initial={"outcome": referral.outcome, "outcome_on": referral.outcome_on}
        ),
    }
    return render(request, "cases/referral_detail.html", context)


@access.verified
@require_GET
def referral_print(request: HttpRequest, case_id: UUID, referral_id: UUID) -> HttpResponse:
    referral = _referral(request, case_id, referral_id)
    if not services_referrals.may_read_referral_body(request.user, referral):
        raise Http404
    body = services_referrals.referral_read(actor=request.user, referral=referral)
    return render(request, "cases/referral_print.html", {"referral": referral, "body": body})


@access.verified
@require_POST
def referral_send(request: HttpRequest, case_id: UUID, referral_id: UUID) -> HttpResponse:
    referral = _referral(request, case_id, referral_id, "change")
    form = ReferralSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date it was sent, today or earlier."))
    else:
        try:
            services_referrals.referral_send(
                actor=request.user, referral=referral, sent_on=form.cleaned_data["sent_on"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The referral is recorded as sent."))
    return redirect("cases:referral_detail", case_id=referral.case_id, referral_id=referral.pk)


@access.verified
@require_POST
def referral_outcome(request: HttpRequest, case_id: UUID, referral_id: UUID) -> HttpResponse:
    referral = _referral(request, case_id, referral_id, "change")
    form = ReferralOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome from the list."))
    else:
        try:
            services_referrals.referral_outcome(
                actor=request.user, referral=referral, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The outcome was recorded."))
    return redirect("cases:referral_detail", case_id=referral.case_id, referral_id=referral.pk)


# The reprisal checklist -------------------------------------------------------------


@access.verified
@require_POST
def checklist_mark(request: HttpRequest, case_id: UUID, item_pk: int) -> HttpResponse:
    case = _case(request, case_id, "change")
    item = get_object_or_404(selectors.checklist_for(user=request.user, case=case), pk=item_pk)
    form = ChecklistItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a state from the list."))
    else:
        try:
            services_referrals.checklist_item_mark(
                actor=request.user, item=item, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The checklist was updated."))
    return redirect(reverse("cases:case_detail", kwargs={"case_id": case.pk}) + "#checklist")
