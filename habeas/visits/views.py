"""Pages of a visit's life (¶10–17): the list, planning and editing, and the visit's page,
the hub from which its team, briefing pack and field work are reached.

Thin views: forms validate, services write, selectors read through `restrict`. A visit
the reader may not see answers 404 like a missing one; seeing without planning gets 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.reports.models import Report
from habeas.visits import blockers, selectors, services
from habeas.visits.forms import MoveForm, VisitFilterForm, VisitForm, add_service_errors
from habeas.visits.models import Theme, Visit
from habeas.visits.team_checks import check_team

PAGE_SIZE = 50
FIELD_SUMMARY = "visits/_field_summary.html"


def require(user: Any, permission: str) -> None:
    """403 for someone who may see the visit but not do this to it."""
    if not roles.can(user, permission):
        raise PermissionDenied


def field_summary_template() -> str | None:
    """The field work's summary, once the field-work part ships it."""
    try:
        return select_template([FIELD_SUMMARY]).template.name
    except TemplateDoesNotExist:
        return None


def briefing_url(visit: Visit) -> str:
    try:
        return reverse("visits:briefing", kwargs={"visit_pk": visit.pk})
    except NoReverseMatch:
        return f"/visits/{visit.pk}/briefing/"


# -- the list ----------------------------------------------------------------------


@access.verified
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    require_visits(request.user)
    years = selectors.visit_years(user=request.user)
    filter_form = VisitFilterForm(request.GET or None, user=request.user, years=years)
    filters = selectors.VisitFilters(**filter_form.filters()) if request.GET else None
    visits = selectors.visit_list(user=request.user, filters=filters)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "can_plan": roles.can(request.user, "visits.plan"),
    }
    return render_page(
        request, "visits/visit_list.html", context, partial="visits/visit_results.html"
    )


def require_visits(user: Any) -> None:
    if not roles.can(user, "visits.view"):
        raise Http404


# -- planning and editing -----------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    require_visits(request.user)
    require(request.user, "visits.plan")
    initial: dict[str, Any] = {"lead": request.user.pk}
    if request.GET.get("place", "").isdigit():
        initial["place"] = int(request.GET["place"])
    if request.GET.get("kind") in Visit.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = VisitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(actor=request.user, data=form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit %(ref)s is planned.") % {"ref": visit.reference})
            return redirect("visits:visit_detail", visit_pk=visit.pk)
    return render(request, "visits/visit_form.html", {"form": form, "visit": None})


@access.verified
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = selectors.visit_for(user=request.user, pk=visit_pk)
    require(request.user, "visits.plan")
    if request.method != "POST":
        form = VisitForm(user=request.user, visit=visit)
        return render(request, "visits/visit_form.html", {"form": form, "visit": visit})
    form = VisitForm(request.POST, user=request.user, visit=visit)
    if form.is_valid():
        try:
            services.visit_update(
                actor=request.user,
                visit=visit,
                data=form.values(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit:
            current = selectors.visit_for(user=request.user, pk=visit_pk)
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = VisitForm(data, user=request.user, visit=current)
            form.is_valid()
            context = {"form": form, "visit": current, "stale": True}
            return render(request, "visits/visit_form.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("visits:visit_detail", visit_pk=visit.pk)
    return render(request, "visits/visit_form.html", {"form": form, "visit": visit})


# -- the visit's page: its state, its team, its work --------------------------------


@access.verified
@require_GET
def visit_detail(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = selectors.visit_for(user=request.user, pk=visit_pk)
    return render(request, "visits/visit_detail.html", _detail_context(request, visit))


def _detail_context(request: HttpRequest, visit: Visit, **extra: Any) -> dict[str, Any]:
    user = request.user
    can_plan = roles.can(user, "visits.plan")
    team = selectors.team_of(visit)
    mine = next((row for row in team if row.user_id == user.pk), None)
    return {
        "visit": visit,
        "moves": blockers.next_moves(visit) if can_plan else [],
        "dated_states": blockers.DATED_STATES,
        "team": team,
        "team_report": check_team(visit) if can_plan else None,
        "my_assignment": mine,
        "can_plan": can_plan,
        "can_record": Visit.objects.restrict(user, "change").filter(pk=visit.pk).exists(),
        "field_summary": field_summary_template(),
        "briefing_url": briefing_url(visit),
        "history": selectors.state_history(visit),
        "state_choices": Visit.State.choices,
        "themes": [label for value, label in Theme.choices if value in (visit.themes or [])],
        **_reports_context(user, visit),
        **extra,
    }


def _reports_context(user: Any, visit: Visit) -> dict[str, Any]:
    """The reports drawn from this visit that the user may see, and whether they may
    draft one (habeas.reports)."""
    if not roles.can(user, "reports.view"):
        return {"reports_visible": False}
    # A report is drafted once the visit is over: debriefed or later.
    over = visit.state not in {
        Visit.State.PLANNED,
        Visit.State.PREPARED,
        Visit.State.IN_PROGRESS,
    }
    drafting = over and Visit.objects.restrict(user, "change").filter(pk=visit.pk).exists()
    return {
        "reports_visible": True,
        "visit_reports": list(Report.objects.restrict(user, "view").filter(visit=visit)),
        "can_draft_report": drafting and roles.can(user, "reports.draft"),
    }


@access.verified
@require_POST
def visit_move(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = selectors.visit_for(user=request.user, pk=visit_pk)
    require(request.user, "visits.plan")
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a state the visit can move to."))
        return redirect("visits:visit_detail", visit_pk=visit.pk)
    to = form.cleaned_data["to"]
    try:
        services.visit_move(actor=request.user, visit=visit, to=to, on=form.cleaned_data["on"])
    except services.VisitBlocked as refused:
        context = _detail_context(request, visit, refused=refused.blockers, refused_to=to)
        return render(request, "visits/visit_detail.html", context, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        label = dict(Visit.State.choices)[to]
        messages.success(request, _("The visit is now “%(state)s”.") % {"state": label})
    return redirect("visits:visit_detail", visit_pk=visit.pk)
