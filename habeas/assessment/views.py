"""Pages of assessments: list, start, summary, edit, state changes and sharing (whole tool).

Thin views: forms validate, services write, selectors read through `restrict`. An
assessment the user may not see answers 404 like a missing one; seeing it without the
right to do something to it gets 403. Entry of ratings and evidence lives in
`views_entry`, the action plan, comparisons and the overview in `views_plan`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.assessment import charts, selectors, services
from habeas.assessment.forms import AssessmentEditForm, AssessmentForm, ShareForm
from habeas.assessment.models import Assessment, Organisation
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places.forms import add_service_errors

# Shared by the assessment pages ------------------------------------------------


def require_view(user: Any) -> None:
    """404 for someone who may see no assessment at all: the tool does not exist for them."""
    if not roles.can(user, "assessment.view"):
        raise Http404


def assessment_or_404(request: HttpRequest, pk: int) -> Assessment:
    visible = selectors.assessment_for_view(user=request.user, pk=pk).select_related(
        "subject", "made_by", "framework_version__framework", "supersedes", "finalised_by"
    )
    return get_object_or_404(visible)


def require_change(request: HttpRequest, assessment: Assessment) -> None:
    """403 for someone who sees the assessment but may not change it."""
    if not selectors.may_change(user=request.user, assessment=assessment):
        raise PermissionDenied


def optional_url(name: str, *args: Any) -> str | None:
    """A link to a page another part of the tool provides, if it is installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def report_error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# The list and starting an assessment ------------------------------------------------


@access.verified
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    organisation = selectors.organisation_of(user=request.user)
    context = {
        "groups": selectors.grouped_by_subject(selectors.assessment_list(user=request.user)),
        "organisation": organisation,
        "is_body": organisation is not None and organisation.kind != Organisation.Kind.NPM,
        "can_create": roles.can(request.user, "assessment.create"),
    }
    return render(request, "assessment/list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    if not roles.can(request.user, "assessment.create"):
        raise PermissionDenied
    form = AssessmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assessment was started. Rate its criteria next."))
            return redirect("assessment:detail", pk=assessment.pk)
    return render(request, "assessment/assessment_form.html", {"form": form})


# One assessment ------------------------------------------------


@access.verified
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    progress = selectors.assessment_progress(assessment=assessment)
    statuses = selectors.criterion_statuses(assessment=assessment)
    context = {
        "assessment": assessment,
        "progress": progress,
        "chart": charts.section_score_chart(progress.sections),
        "resume": selectors.first_to_rate(statuses),
        "items": selectors.action_items(assessment=assessment),
        "shares": assessment.shares.select_related("organisation", "shared_by"),
        "assessors": assessment.assessors.all(),
        "revised_by": Assessment.objects.restrict(request.user, "view")
        .filter(supersedes=assessment)
        .first(),
        "previous": selectors.previous_assessment(user=request.user, assessment=assessment),
        **_abilities(request, assessment),
        "report_url": optional_url("assessment:report_new", assessment.pk),
        "export_url": optional_url("assessment:export", assessment.pk),
        "import_url": optional_url("assessment:import", assessment.pk),
    }
    return render(request, "assessment/detail.html", context)


def _abilities(request: HttpRequest, assessment: Assessment) -> dict[str, bool]:
    user = request.user
    can_change = selectors.may_change(user=user, assessment=assessment)
    return {
        "can_change": can_change,
        "can_share": selectors.may_share(user=user, assessment=assessment),
        "can_finalise": can_change and roles.can(user, "assessment.finalise"),
        "can_revise": can_change and roles.can(user, "assessment.create"),
    }


@access.verified
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    require_change(request, assessment)
    form = AssessmentEditForm(request.POST or None, assessment=assessment)
    status, stale = 200, False
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(actor=request.user, assessment=assessment, **_edit(form))
        except StaleEdit as error:
            form, stale, status = _stale_edit_form(request, assessment, error), True, 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("assessment:detail", pk=assessment.pk)
    context = {"form": form, "assessment": assessment, "stale": stale}
    return render(request, "assessment/assessment_edit.html", context, status=status)


def _edit(form: AssessmentEditForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["expected_version"] = data.pop("version")
    return data


def _stale_edit_form(
    request: HttpRequest, assessment: Assessment, error: StaleEdit
) -> AssessmentEditForm:
    """The user's text again, carrying the current version so that saving again applies."""
    data = request.POST.copy()
    data["version"] = str(error.current_version)
    current = Assessment.objects.get(pk=assessment.pk)
    form = AssessmentEditForm(data, assessment=current)
    form.is_valid()
    return form


# State changes ------------------------------------------------


def _transition(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    require_change(request, assessment)
    try:
        result = service(actor=request.user, assessment=assessment)
    except ValidationError as error:
        report_error(request, error)
        return redirect("assessment:detail", pk=assessment.pk)
    messages.success(request, done)
    return redirect("assessment:detail", pk=getattr(result, "pk", assessment.pk))


@access.verified
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.assessment_submit_for_review,
        _("The assessment is now in review. The head finalises it."),
    )


@access.verified
@require_POST
def assessment_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.assessment_finalise,
        _("The assessment is final. It can no longer change; start a revision to change it."),
    )


@access.verified
@require_POST
def assessment_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.assessment_revise,
        _("A new revision was started as a draft, with the ratings and evidence of the last."),
    )


# Sharing ------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def assessment_share(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    if not selectors.may_share(user=request.user, assessment=assessment):
        raise PermissionDenied
    form = ShareForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_share(
                actor=request.user,
                assessment=assessment,
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s can now see this assessment.")
                % {"name": form.cleaned_data["organisation"].name},
            )
            return redirect("assessment:share", pk=assessment.pk)
    context = {
        "assessment": assessment,
        "form": form,
        "shares": assessment.shares.select_related("organisation", "shared_by"),
    }
    return render(request, "assessment/share.html", context)


@access.verified
@require_POST
def assessment_unshare(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    if not selectors.may_share(user=request.user, assessment=assessment):
        raise PermissionDenied
    share = get_object_or_404(
        assessment.shares.select_related("organisation"), organisation_id=organisation_pk
    )
    services.assessment_unshare(
        actor=request.user, assessment=assessment, organisation=share.organisation
    )
    messages.success(
        request,
        _("%(name)s no longer sees this assessment.") % {"name": share.organisation.name},
    )
    return redirect("assessment:share", pk=assessment.pk)
