"""Pages of a visit's team (¶8, 11, 17): composing it with its checks shown live, the
code of conduct each member acknowledges, and the team profiles of the NPM's people.

The checks refresh through htmx (`hx-get` of a partial) and, without JavaScript, the page
is rendered again after each change, with the same checks.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.visits import selectors, services, team_checks
from habeas.visits.forms import ProfileForm, TeamAddForm, TrainingRecordForm, add_service_errors
from habeas.visits.models import TeamAssignment, TrainingRecord, Visit
from habeas.visits.views import require


def _planned_visit(request: HttpRequest, visit_pk: int) -> Visit:
    visit = selectors.visit_for(user=request.user, pk=visit_pk)
    require(request.user, "visits.plan")
    return visit


def _candidate(request: HttpRequest, visit: Visit) -> Any:
    raw = request.GET.get("user", "")
    if not raw.isdigit():
        return None
    return selectors.team_candidates(user=request.user, visit=visit).filter(pk=int(raw)).first()


def _team_context(
    request: HttpRequest, visit: Visit, form: TeamAddForm | None = None, **extra: Any
) -> dict[str, Any]:
    candidates = selectors.team_candidates(user=request.user, visit=visit)
    candidate = _candidate(request, visit)
    return {
        "visit": visit,
        "team": selectors.team_of(visit),
        "report": team_checks.check_team(visit),
        "form": form or TeamAddForm(candidates=candidates),
        "candidate": candidate,
        "candidate_checks": team_checks.member_checks(visit, candidate) if candidate else None,
        "can_override": roles.can(request.user, "visits.override"),
        "closed": visit.state == Visit.State.CLOSED,
        **extra,
    }


@access.verified
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = _planned_visit(request, visit_pk)
    if request.method != "POST":
        return render(request, "visits/team_page.html", _team_context(request, visit))
    candidates = selectors.team_candidates(user=request.user, visit=visit)
    form = TeamAddForm(request.POST, candidates=candidates)
    blocked: list[team_checks.Check] = []
    if form.is_valid():
        try:
            services.team_add(
                actor=request.user,
                visit=visit,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except services.MemberBlocked as refused:
            blocked = refused.checks
            form.add_error(None, refused.reason)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s joined the team.")
                % {"name": form.cleaned_data["user"].full_name or form.cleaned_data["user"].email},
            )
            return redirect("visits:team", visit_pk=visit.pk)
    context = _team_context(request, visit, form, blocked=blocked)
    return render(request, "visits/team_page.html", context, status=400)


@access.verified
@require_GET
def team_checks_partial(request: HttpRequest, visit_pk: int) -> HttpResponse:
    """The checks alone, for htmx; the whole team page for a plain request."""
    visit = _planned_visit(request, visit_pk)
    return render_page(
        request,
        "visits/team_page.html",
        _team_context(request, visit),
        partial="visits/team_checks.html",
    )


@access.verified
@require_POST
def team_remove(request: HttpRequest, visit_pk: int, assignment_pk: int) -> HttpResponse:
    visit = _planned_visit(request, visit_pk)
    assignment = (
        TeamAssignment.objects.restrict(request.user, "change")
        .filter(pk=assignment_pk, visit=visit)
        .select_related("visit", "user")
        .first()
    )
    if assignment is None:
        raise Http404
    try:
        services.team_remove(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s left the team.")
            % {"name": assignment.user.full_name or assignment.user.email},
        )
    return redirect("visits:team", visit_pk=visit.pk)


# -- the code of conduct (¶17) -------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def conduct(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = selectors.visit_for(user=request.user, pk=visit_pk)
    mine = selectors.assignment_of(visit=visit, user=request.user)
    if request.method == "POST":
        if mine is None:
            raise PermissionDenied
        try:
            services.conduct_acknowledge(actor=request.user, assignment=mine)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You acknowledged the code of conduct for this visit."))
        return redirect("visits:conduct", visit_pk=visit.pk)
    return render(request, "visits/conduct.html", {"visit": visit, "assignment": mine})


# -- people and their team profiles --------------------------------------------------


@access.verified
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    if not selectors.may_see_people(request.user):
        raise Http404
    rows = selectors.people(user=request.user).prefetch_related("trainings")
    context = {"people": rows, "can_manage": roles.can(request.user, "visits.profiles")}
    return render(request, "visits/profile_list.html", context)


@access.verified
@require_GET
def profile(request: HttpRequest, user_pk: int) -> HttpResponse:
    person = selectors.person_for(user=request.user, pk=user_pk)
    context = {
        "person": person,
        "profile": selectors.profile_of(person),
        "trainings": TrainingRecord.objects.filter(user=person).select_related("training"),
        "private": selectors.may_see_private_profile(request.user, person),
        "can_edit": services.may_edit_profile(request.user, person),
        "training_form": TrainingRecordForm(),
    }
    return render(request, "visits/profile_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, user_pk: int) -> HttpResponse:
    person = selectors.person_for(user=request.user, pk=user_pk)
    if not services.may_edit_profile(request.user, person):
        raise PermissionDenied
    current = selectors.profile_of(person)
    if request.method != "POST":
        form = ProfileForm(user=request.user, profile=current)
        return render(request, "visits/profile_form.html", {"form": form, "person": person})
    form = ProfileForm(request.POST, user=request.user, profile=current)
    if form.is_valid():
        try:
            services.profile_save(
                actor=request.user,
                person=person,
                data=form.values(),
                expected_version=(form.cleaned_data.get("version") or 0) if current else None,
            )
        except StaleEdit:
            fresh = selectors.profile_of(person)
            data = request.POST.copy()
            data["version"] = str(fresh.version if fresh else "")
            form = ProfileForm(data, user=request.user, profile=fresh)
            form.is_valid()
            context = {"form": form, "person": person, "stale": True}
            return render(request, "visits/profile_form.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The team profile was saved."))
            return redirect("visits:profile", user_pk=person.pk)
    return render(request, "visits/profile_form.html", {"form": form, "person": person})


@access.verified
@require_POST
def training_add(request: HttpRequest, user_pk: int) -> HttpResponse:
    person = selectors.person_for(user=request.user, pk=user_pk)
    if not services.may_edit_profile(request.user, person):
        raise PermissionDenied
    form = TrainingRecordForm(request.POST)
    if form.is_valid():
        try:
            services.training_record_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The training was recorded."))
            return redirect("visits:profile", user_pk=person.pk)
    context = {"form": form, "person": person}
    return render(request, "visits/profile_training.html", context, status=400)
