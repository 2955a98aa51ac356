"""The action plan, comparisons over time, and an assessing body's overview (¶3, 5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.assessment import charts, indicators, selectors, services
from habeas.assessment.forms import ActionItemForm, ActionItemStatusForm, add_service_errors
from habeas.assessment.models import ActionItem, Assessment
from habeas.assessment.views import assessment_or_404, require_change, require_view
from habeas.core import access
from habeas.core.errors import StaleEdit

# The action plan ------------------------------------------------


def _plan_page(
    request: HttpRequest,
    assessment: Assessment,
    form: ActionItemForm,
    *,
    status: int = 200,
    stale_item: int | None = None,
) -> HttpResponse:
    items = list(selectors.action_items(assessment=assessment))
    context = {
        "assessment": assessment,
        "items": [
            (item, ActionItemStatusForm(initial={"status": item.status, "version": item.version}))
            for item in items
        ],
        "form": form,
        "gaps": selectors.gaps(assessment=assessment),
        "can_change": selectors.may_change(user=request.user, assessment=assessment),
        "stale_item": stale_item,
        "done_count": sum(item.status == ActionItem.Status.DONE for item in items),
    }
    return render(request, "assessment/action_plan.html", context, status=status)


@access.verified
@require_http_methods(["GET", "POST"])
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The items that close the assessment's gaps; a POST adds one from a gap."""
    assessment = assessment_or_404(request, pk)
    initial = {}
    if request.GET.get("criterion", "").isdigit():
        initial["criterion"] = int(request.GET["criterion"])
    form = ActionItemForm(request.POST or None, assessment=assessment, initial=initial)
    if request.method != "POST":
        return _plan_page(request, assessment, form)
    require_change(request, assessment)
    if form.is_valid():
        try:
            services.action_item_create(
                actor=request.user, assessment=assessment, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action was added to the plan."))
            return redirect("assessment:action_plan", pk=assessment.pk)
    return _plan_page(request, assessment, form, status=400)


@access.verified
@require_POST
def action_item_update(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    item = get_object_or_404(assessment.action_items.select_related("assessment"), pk=item_pk)
    require_change(request, assessment)
    form = ActionItemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("assessment:action_plan", pk=assessment.pk)
    try:
        services.action_item_update(
            actor=request.user,
            item=item,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleEdit:
        messages.error(
            request,
            _(
                "Someone else changed “%(title)s” meanwhile. Its current status is shown "
                "below; choose again if it should change."
            )
            % {"title": item.title},
        )
        empty = ActionItemForm(assessment=assessment)
        return _plan_page(request, assessment, empty, status=409, stale_item=item.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action's status was saved."))
    return redirect("assessment:action_plan", pk=assessment.pk)


# Comparison over time ------------------------------------------------


def _chronological(first: Assessment, second: Assessment) -> tuple[Assessment, Assessment]:
    def key(item: Assessment) -> tuple[Any, ...]:
        return (item.period_end, item.revision, item.pk)

    return (first, second) if key(first) <= key(second) else (second, first)


def _other(request: HttpRequest, assessment: Assessment) -> Assessment | None:
    """The assessment named by `?with=`, visible and of the same NPM, else the previous one."""
    chosen = request.GET.get("with", "")
    if not chosen:
        return selectors.previous_assessment(user=request.user, assessment=assessment)
    if not chosen.isdigit():
        raise Http404
    other = assessment_or_404(request, int(chosen))
    if other.pk == assessment.pk or other.subject_id != assessment.subject_id:
        raise Http404
    return other


@access.verified
@require_GET
def assessment_compare(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    other = _other(request, assessment)
    context: dict[str, Any] = {
        "assessment": assessment,
        "other": other,
        "choices": selectors.comparable_assessments(user=request.user, assessment=assessment),
    }
    if other is not None:
        earlier, later = _chronological(other, assessment)
        comparison = selectors.assessment_compare(earlier=earlier, later=later)
        context["comparison"] = comparison
        context["chart"] = charts.section_delta_chart(comparison.sections)
        context["indicator_changes"] = indicators.indicator_compare(earlier=earlier, later=later)
    return render(request, "assessment/compare.html", context)


# An assessing body's overview ---------------------------------------------------------------------


@access.verified
@require_GET
def body_overview(request: HttpRequest) -> HttpResponse:
    """Across the NPMs an assessing body assesses; only what it made or was given."""
    require_view(request.user)
    overview = selectors.body_overview(user=request.user)
    if overview is None:
        raise Http404
    context = {"overview": overview, "organisation": selectors.organisation_of(user=request.user)}
    return render(request, "assessment/body_overview.html", context)
