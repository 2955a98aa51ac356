"""The strategic plan's pages (¶5, 35, 36): objectives with their activities, an
activity's page (selection criteria, planned against spent, results, lessons), and the
forms that write them.

Thin views: forms validate, services write, selectors read through `restrict`. Whoever
may not see the plan (`strategy.view`: an outsider, the administrator, an external
expert) gets 404 everywhere, the same as a missing record; whoever sees it without the
right to change it (`strategy.change`) gets 403 and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places.forms import add_service_errors
from habeas.places.views import current_values, form_rows
from habeas.strategy import selectors, services
from habeas.strategy.forms import ActivityForm, ObjectiveForm, chosen_year
from habeas.strategy.models import Activity, ActivityKind, Objective
from habeas.visits.models import Visit


def allow(user: Any, permission: str | None = None) -> None:
    """404 to whoever may not see the plan at all; 403 to whoever sees it but may not
    do this."""
    if not roles.can(user, "strategy.view"):
        raise Http404
    if permission and not roles.can(user, permission):
        raise PermissionDenied


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def status_of(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def currency() -> str:
    return settings.HABEAS_CURRENCY


def stale_form(
    request: HttpRequest, form_class: Any, record: Any, **kwargs: Any
) -> tuple[Any, dict[str, str]]:
    """The user's input again, now carrying the current version, with what was saved
    meanwhile beside it (ARCHITECTURE.md rule 6)."""
    data = request.POST.copy()
    data["version"] = str(record.version)
    form = form_class(data, initial=form_class.initial_of(record), **kwargs)
    form.is_valid()
    return form, current_values(record, form)


@dataclass
class Edit:
    """What an edit form came to: saved, or the form to show again with its status
    (400 invalid, 409 saved meanwhile by someone else) and the record as it is now."""

    form: Any
    rows: Any
    record: Any
    status: int = 200
    saved: bool = False

    @property
    def stale(self) -> bool:
        return self.status == 409

    def context(self, name: str, **more: Any) -> dict[str, Any]:
        """The form page's context, the record under `name`."""
        return {
            "form": self.form,
            "rows": self.rows,
            name: self.record,
            "stale": self.stale,
            **more,
        }


def edit(
    request: HttpRequest,
    form_class: Any,
    record: Any,
    *,
    save: Callable[..., Any],
    reload: Callable[[], Any],
    **form_kwargs: Any,
) -> Edit:
    """Edit a versioned record: `save(expected_version=…, **values)` writes it through
    its service; a stale version shows the user's input beside what was saved meanwhile,
    a service's refusal shows on its fields."""
    form = form_class(posted(request), initial=form_class.initial_of(record), **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(expected_version=form.cleaned_data.get("version") or 0, **form.values())
        except StaleEdit:
            record = reload()
            form, current = stale_form(request, form_class, record, **form_kwargs)
            return Edit(form, form_rows(form, current), record, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return Edit(form, None, record, saved=True)
    return Edit(form, form_rows(form, None), record, status=status_of(form))


# -- the plan -------------------------------------------------------------------------------------


@access.verified
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    allow(user)
    year = chosen_year(request.GET)
    rows = []
    for objective in selectors.objectives(user, year):
        activities = list(objective.activities.all())
        rows.append((objective, [(a, selectors.activity_spent_staff_days(a)) for a in activities]))
    years = sorted(set(selectors.years_in_use(user)) | {year}, reverse=True)
    context = {
        "year": year,
        "years": years,
        "rows": rows,
        "other_years": selectors.objectives(user).exclude(
            pk__in=[objective.pk for objective, _rows in rows]
        ),
        "can_change": roles.can(user, "strategy.change"),
        "currency": currency(),
    }
    return render(request, "strategy/index.html", context)


# -- objectives -----------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    allow(user, "strategy.change")
    year = chosen_year(request.GET)
    form = ObjectiveForm(posted(request), initial={"first_year": year, "last_year": year + 3})
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(actor=user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The objective is saved. Add its activities."))
            return redirect("strategy:objective_detail", objective_pk=objective.pk)
    context = {"form": form, "rows": form_rows(form), "objective": None}
    return render(request, "strategy/objective_form.html", context, status=status_of(form))


@access.verified
@require_GET
def objective_detail(request: HttpRequest, objective_pk: int) -> HttpResponse:
    user = request.user
    allow(user)
    objective = selectors.objective_detail(user, objective_pk)
    activities = [(a, selectors.activity_spent_staff_days(a)) for a in objective.activities.all()]
    context = {
        "objective": objective,
        "activities": activities,
        "can_change": roles.can(user, "strategy.change"),
        "currency": currency(),
    }
    return render(request, "strategy/objective_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, objective_pk: int) -> HttpResponse:
    user = request.user
    allow(user)
    objective = selectors.objective_detail(user, objective_pk)
    allow(user, "strategy.change")
    if request.method == "POST" and "delete" in request.POST:
        try:
            services.objective_delete(actor=user, objective=objective)
        except ValidationError as error:  # pragma: no cover - no rule refuses it today
            messages.error(request, " ".join(error.messages))
            return redirect("strategy:objective_edit", objective_pk=objective.pk)
        messages.success(request, _("The objective and its activities are deleted."))
        return redirect("strategy:index")
    result = edit(
        request,
        ObjectiveForm,
        objective,
        save=partial(services.objective_update, actor=user, objective=objective),
        reload=lambda: Objective.objects.get(pk=objective.pk),
    )
    if result.saved:
        messages.success(request, _("Your changes were saved."))
        return redirect("strategy:objective_detail", objective_pk=objective.pk)
    context = result.context("objective", activity_count=objective.activities.count())
    return render(request, "strategy/objective_form.html", context, status=result.status)


# -- activities -----------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, objective_pk: int) -> HttpResponse:
    user = request.user
    allow(user)
    objective = selectors.objective_detail(user, objective_pk)
    allow(user, "strategy.change")
    year = min(max(chosen_year(request.GET), objective.first_year), objective.last_year)
    initial = {"year": year, "kind": request.GET.get("kind") or ActivityKind.VISITS}
    form = ActivityForm(posted(request), user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=user, objective=objective, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("strategy:activity_detail", activity_pk=activity.pk)
    context = {"form": form, "rows": form_rows(form), "objective": objective, "activity": None}
    return render(request, "strategy/activity_form.html", context, status=status_of(form))


@access.verified
@require_GET
def activity_detail(request: HttpRequest, activity_pk: int) -> HttpResponse:
    user = request.user
    allow(user)
    activity = selectors.activity_detail(user, activity_pk)
    context: dict[str, Any] = {
        "activity": activity,
        "objective": activity.objective,
        "spent_days": selectors.activity_spent_staff_days(activity),
        "can_change": roles.can(user, "strategy.change"),
        "currency": currency(),
        "lines": list(activity.budget_lines.all()),
    }
    if activity.kind == ActivityKind.VISITS:
        context.update(_counted(user, activity))
    return render(request, "strategy/activity_detail.html", context)


def _counted(user: Any, activity: Activity) -> dict[str, Any]:
    """How a visits activity's staff-days were counted: each visit the reader may see,
    with its days and team, and how many others counted that the reader may not see."""
    covered = selectors.covered_visits(activity)
    rows = selectors.visit_days(covered)
    seen = set(
        Visit.objects.restrict(user, "view")
        .filter(pk__in=[row.visit.pk for row in rows])
        .values_list("pk", flat=True)
    )
    shown = [row for row in rows if row.visit.pk in seen]
    return {
        "visit_rows": shown,
        "hidden_visits": len(rows) - len(shown),
        "hidden_days": sum(row.staff_days for row in rows if row.visit.pk not in seen),
    }


@access.verified
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, activity_pk: int) -> HttpResponse:
    user = request.user
    allow(user)
    activity = selectors.activity_detail(user, activity_pk)
    allow(user, "strategy.change")
    objective = activity.objective
    if request.method == "POST" and "delete" in request.POST:
        services.activity_delete(actor=user, activity=activity)
        messages.success(request, _("The activity is deleted."))
        return redirect("strategy:objective_detail", objective_pk=objective.pk)
    result = edit(
        request,
        ActivityForm,
        activity,
        save=partial(services.activity_update, actor=user, activity=activity),
        reload=lambda: selectors.activity_detail(user, activity.pk),
        user=user,
    )
    if result.saved:
        messages.success(request, _("Your changes were saved."))
        return redirect("strategy:activity_detail", activity_pk=activity.pk)
    context = result.context("activity", objective=objective)
    return render(request, "strategy/activity_form.html", context, status=result.status)
