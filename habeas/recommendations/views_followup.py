"""Follow-up pages (¶22, 24, 31a): the places proposed for follow-up visits, and the
NPM's follow-up rule.

Both need `recommendations.view` (else 404, as for a missing page); editing the rule
takes `recommendations.settings` (the head; others get 403), through the versioned
service, a stale edit answering 409 with the user's values back.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.recommendations import proposals, services
from habeas.recommendations.forms_followup import FollowUpRuleForm
from habeas.recommendations.models import FollowUpRule, Priority
from habeas.visits.forms import add_service_errors

PAGE_SIZE = 25


def priority_labels(rule: FollowUpRule) -> list[str]:
    labels = dict(Priority.choices)
    return [str(labels.get(p, p)) for p in rule.counted_priorities]


def _require_view(user: Any) -> None:
    if not roles.can(user, "recommendations.view"):
        raise Http404


@access.verified
@require_GET
def followup(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    today = timezone.localdate()
    rule = FollowUpRule.current()
    rows = proposals.proposed_places(user=request.user, today=today, rule=rule)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "proposals": proposals.proposals_for(
            user=request.user, today=today, rows=page.object_list, rule=rule
        ),
        "rule": rule,
        "priority_labels": priority_labels(rule),
        "today": today,
        "can_plan": roles.can(request.user, "visits.plan"),
    }
    return render(request, "recommendations/followup.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    can_edit = roles.can(request.user, "recommendations.settings")
    rule = FollowUpRule.current()
    if request.method != "POST":
        form = FollowUpRuleForm(initial=FollowUpRuleForm.initial_of(rule)) if can_edit else None
        return _rules_page(request, rule, form)
    if not can_edit:
        raise PermissionDenied
    form = FollowUpRuleForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_rule_update(
                actor=request.user,
                data=form.values(),
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            current = FollowUpRule.current()
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = FollowUpRuleForm(data)
            form.is_valid()
            return _rules_page(request, current, form, stale=True, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up rule was saved."))
            return redirect("recommendations:rules")
    return _rules_page(request, rule, form)


def _rules_page(
    request: HttpRequest,
    rule: FollowUpRule,
    form: FollowUpRuleForm | None,
    *,
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "rule": rule,
        "priority_labels": priority_labels(rule),
        "form": form,
        "stale": stale,
        "perms_rules": form is not None,
    }
    return render(request, "recommendations/rules.html", context, status=status)
