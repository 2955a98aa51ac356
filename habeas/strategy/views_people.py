"""Pages of the policy library and of training (¶7, 8, 37), under /strategy/.

Thin views: forms validate, services write, reads go through `restrict`. Whoever may not
read the policies (or has no training of their own: an outsider) gets 404 everywhere,
the same as for a missing record; whoever reads them without the right to act gets 403
and nothing changes. A member sees only their own training needs and plan entries; an
entry of someone else is a 404 to them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places.forms import add_service_errors
from habeas.places.views import form_rows
from habeas.strategy import policies, services_people, training
from habeas.strategy.forms_people import (
    EntryStatusForm,
    PlanDrawForm,
    PolicyEditForm,
    PolicyForm,
    PolicyVersionForm,
)
from habeas.strategy.models import Acknowledgement, PolicyVersion, TrainingPlanEntry
from habeas.strategy.views import edit
from habeas.visits.models import TrainingRecord


def _allow(user: Any, seeing: str, acting: str | None = None) -> None:
    """404 to whoever may not see these pages; 403 to whoever sees them but may not act."""
    if not roles.can(user, seeing):
        raise Http404
    if acting and not roles.can(user, acting):
        raise PermissionDenied


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


# -- policies ------------------------------------------------------------------------


@access.verified
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    _allow(request.user, "policies.view")
    areas = policies.library(request.user)
    context = {
        "areas": areas,
        "awaiting": [
            row for area in areas for row in area.rows if row.latest and not row.acknowledged
        ],
        "can_change": roles.can(request.user, "policies.change"),
        "today": timezone.localdate(),
    }
    return render(request, "strategy/policy_list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest) -> HttpResponse:
    _allow(request.user, "policies.view", "policies.change")
    form = PolicyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services_people.policy_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is in the library. Every member is now asked to acknowledge it.")
                % {"title": policy.title},
            )
            return redirect("strategy:policy_detail", policy_pk=policy.pk)
    context = {"form": form, "rows": form_rows(form)}
    return render(request, "strategy/policy_form.html", context, status=_status(form))


@access.verified
@require_GET
def policy_detail(request: HttpRequest, policy_pk: int) -> HttpResponse:
    _allow(request.user, "policies.view")
    policy = policies.policy_for(request.user, policy_pk)
    versions = policies.versions_of(request.user, policy)
    if not versions:
        raise Http404
    latest = versions[0]
    shown = latest
    wanted = request.GET.get("version") or ""
    if wanted:
        matching = [v for v in versions if str(v.number) == wanted]
        if not matching:
            raise Http404
        shown = matching[0]
    mine = set(
        Acknowledgement.objects.restrict(request.user, "view")
        .filter(user=request.user, version__policy=policy)
        .values_list("version_id", flat=True)
    )
    context = {
        "policy": policy,
        "versions": versions,
        "latest": latest,
        "shown": shown,
        "shown_html": policies.rendered(shown),
        "shown_in_force": policies.in_force(shown),
        "acknowledged": latest.pk in mine,
        "acknowledged_versions": mine,
        "status": policies.acknowledgement_status(request.user, latest),
        "can_change": roles.can(request.user, "policies.change"),
    }
    return render(request, "strategy/policy_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_pk: int) -> HttpResponse:
    """A policy's title and area."""
    _allow(request.user, "policies.view")
    policy = policies.policy_for(request.user, policy_pk)
    _allow(request.user, "policies.view", "policies.change")
    result = edit(
        request,
        PolicyEditForm,
        policy,
        save=partial(services_people.policy_update, actor=request.user, policy=policy),
        reload=lambda: policies.policy_for(request.user, policy.pk),
    )
    if result.saved:
        messages.success(request, _("Your changes were saved."))
        return redirect("strategy:policy_detail", policy_pk=policy.pk)
    context = result.context("policy")
    return render(request, "strategy/policy_edit.html", context, status=result.status)


@access.verified
@require_http_methods(["GET", "POST"])
def policy_version_create(request: HttpRequest, policy_pk: int) -> HttpResponse:
    _allow(request.user, "policies.view")
    policy = policies.policy_for(request.user, policy_pk)
    _allow(request.user, "policies.view", "policies.change")
    latest = policies.latest_versions([policy.pk]).get(policy.pk)
    initial = {"version": policy.version, "text": latest.text if latest else ""}
    form = PolicyVersionForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services_people.policy_version_issue(
                actor=request.user,
                policy=policy,
                text=data["text"],
                effective_on=data["effective_on"],
                change_note=data["change_note"],
                expected_version=data.get("version") or 0,
            )
        except StaleEdit:
            policy.refresh_from_db()
            latest = policies.latest_versions([policy.pk]).get(policy.pk)
            posted = request.POST.copy()
            posted["version"] = str(policy.version)
            form = PolicyVersionForm(posted, initial=initial)
            form.is_valid()
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(n)s is issued. Every member is asked to acknowledge it.")
                % {"n": version.number},
            )
            return redirect("strategy:policy_detail", policy_pk=policy.pk)
    context = {
        "form": form,
        "rows": form_rows(form),
        "policy": policy,
        "latest": latest,
        "stale": status == 409,
    }
    return render(
        request,
        "strategy/policy_version_form.html",
        context,
        status=status if status == 409 else _status(form),
    )


@access.verified
@require_POST
def policy_acknowledge(request: HttpRequest, policy_pk: int) -> HttpResponse:
    _allow(request.user, "policies.view", "policies.acknowledge")
    policy = policies.policy_for(request.user, policy_pk)
    version = get_object_or_404(
        PolicyVersion.objects.restrict(request.user, "view").filter(policy=policy),
        number=request.POST.get("number") if (request.POST.get("number") or "").isdigit() else 0,
    )
    try:
        services_people.policy_acknowledge(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You acknowledged version %(n)s of “%(title)s”.")
            % {"n": version.number, "title": policy.title},
        )
    return redirect("strategy:policy_detail", policy_pk=policy.pk)


# -- training ------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or ""
    this = timezone.localdate().year
    if raw.isascii() and raw.isdigit() and this - 50 <= int(raw) <= this + 5:
        return int(raw)
    return this


@access.verified
@require_GET
def training_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    _allow(user, "training.own")
    year = _year(request)
    manages = roles.can(user, "training.manage")
    entries = (
        TrainingPlanEntry.objects.restrict(user, "view")
        .filter(year=year)
        .select_related("user", "training")
        .order_by("status", "due_by", "user__full_name", "id")
    )
    context: dict[str, Any] = {
        "year": year,
        "years": list(range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1)),
        "manages": manages,
        "needs": training.training_needs(user),
        "entries": list(entries),
        "records": TrainingRecord.objects.restrict(user, "view")
        .filter(user=user)
        .select_related("training"),
        "draw_form": PlanDrawForm(initial={"year": year}),
        "window_days": training.NEED_WINDOW_DAYS,
    }
    if manages:
        covered, total = training.training_coverage(year)
        context["coverage"] = {
            "covered": covered,
            "total": total,
            "percent": round(100 * covered / total) if total else None,
        }
        if roles.can(user, "visits.plan"):
            # The detail names visits: only for those who see every visit.
            context["uncovered"] = [
                row for row in training.coverage_by_person(year) if not row.covered
            ]
    return render(request, "strategy/training_overview.html", context)


@access.verified
@require_POST
def training_plan_draw(request: HttpRequest) -> HttpResponse:
    _allow(request.user, "training.own", "training.manage")
    form = PlanDrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the year of the plan."))
        return redirect("strategy:training")
    year = form.cleaned_data["year"]
    try:
        created, skipped = services_people.training_plan_draw(actor=request.user, year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = ngettext(
            "%(n)d entry was added to the plan of %(year)s.",
            "%(n)d entries were added to the plan of %(year)s.",
            created,
        ) % {"n": created, "year": year}
        if skipped:
            text += " " + ngettext(
                "%(n)d need was already in the plan.",
                "%(n)d needs were already in the plan.",
                skipped,
            ) % {"n": skipped}
        messages.success(request, text)
    response = redirect("strategy:training")
    response["Location"] += f"?year={year}"
    return response


@access.verified
@require_http_methods(["GET", "POST"])
def training_entry_edit(request: HttpRequest, entry_pk: int) -> HttpResponse:
    user = request.user
    _allow(user, "training.own")
    # Only whoever manages training changes an entry; its person reads it on the training
    # page, and here gets the answer of a missing entry, as for anyone else's.
    entry = get_object_or_404(
        TrainingPlanEntry.objects.restrict(user, "change").select_related("user", "training"),
        pk=entry_pk,
    )
    initial = {"version": entry.version, "status": entry.status}
    form = EntryStatusForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_people.training_entry_set_status(
                actor=user,
                entry=entry,
                status=data["status"],
                completed_on=data.get("completed_on"),
                expected_version=data.get("version") or 0,
            )
        except StaleEdit:
            entry.refresh_from_db()
            posted = request.POST.copy()
            posted["version"] = str(entry.version)
            form = EntryStatusForm(posted, initial=initial)
            form.is_valid()
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The plan entry is now “%(status)s”.") % {"status": entry.get_status_display()},
            )
            response = redirect("strategy:training")
            response["Location"] += f"?year={entry.year}"
            return response
    context = {"form": form, "rows": form_rows(form), "entry": entry, "stale": status == 409}
    return render(
        request,
        "strategy/training_entry_form.html",
        context,
        status=status if status == 409 else _status(form),
    )
