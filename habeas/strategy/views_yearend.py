"""The money and the year's review (¶5, 35, 36): the budget page and its lines, the
year-end view answering its four questions, and the list of places behind a neglected
category or region.

The same rule as the plan's pages (`views.allow`): 404 without `strategy.view`, 403
without `strategy.change` for a write.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.core import access
from habeas.places.forms import add_service_errors
from habeas.places.models import Category, Region
from habeas.places.views import form_rows
from habeas.strategy import selectors, services, yearend
from habeas.strategy.forms import BudgetLineForm, chosen_year
from habeas.strategy.models import ActivityKind, BudgetLine
from habeas.strategy.views import allow, currency, edit, posted, status_of

YEARS_SHOWN = 6

# -- the budget ---------------------------------------------------------------------------


def _years(user: Any, year: int) -> list[int]:
    """Years to offer: those in use, the chosen one and the last few."""
    this = timezone.localdate().year
    recent = set(range(this - YEARS_SHOWN + 1, this + 2))
    return sorted(set(selectors.years_in_use(user)) | recent | {year}, reverse=True)


@access.verified
@require_GET
def budget(request: HttpRequest) -> HttpResponse:
    user = request.user
    allow(user)
    year = chosen_year(request.GET)
    rows = list(selectors.lines(user, year))
    groups = []
    totals = selectors.budget_totals(year)
    for kind, label in ActivityKind.choices:
        kind_lines = [
            (line, selectors.execution(line.planned, line.spent))
            for line in rows
            if line.kind == kind
        ]
        groups.append((label, kind_lines, totals["by_kind"][kind]))
    context = {
        "year": year,
        "years": _years(user, year),
        "groups": groups,
        "totals": totals,
        "can_change": roles.can(user, "strategy.change"),
        "currency": currency(),
    }
    return render(request, "strategy/budget.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def line_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    allow(user, "strategy.change")
    initial = {"year": chosen_year(request.GET), "kind": request.GET.get("kind") or ""}
    form = BudgetLineForm(posted(request), user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.line_create(actor=user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line is saved."))
            return _to_budget(line.year)
    context = {"form": form, "rows": form_rows(form), "line": None}
    return render(request, "strategy/budget_line_form.html", context, status=status_of(form))


def _to_budget(year: int) -> HttpResponse:
    response = redirect("strategy:budget")
    response["Location"] += f"?year={year}"
    return response


@access.verified
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, line_pk: int) -> HttpResponse:
    user = request.user
    allow(user)
    line = selectors.line_detail(user, line_pk)
    allow(user, "strategy.change")
    if request.method == "POST" and "delete" in request.POST:
        services.line_delete(actor=user, line=line)
        messages.success(request, _("The budget line is deleted."))
        return _to_budget(line.year)
    result = edit(
        request,
        BudgetLineForm,
        line,
        save=partial(services.line_update, actor=user, line=line),
        reload=lambda: BudgetLine.objects.get(pk=line.pk),
        user=user,
    )
    if result.saved:
        messages.success(request, _("Your changes were saved."))
        return _to_budget(line.year)
    context = result.context("line")
    return render(request, "strategy/budget_line_form.html", context, status=result.status)


def _id(params: Any, name: str) -> int | None:
    """An id from the query string: None when absent; a malformed one names nothing."""
    raw = params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 and int(raw) > 0):
        raise Http404
    return int(raw)


# -- the year-end view --------------------------------------------------------------------


@access.verified
@require_GET
def year_end(request: HttpRequest) -> HttpResponse:
    user = request.user
    allow(user)
    year = chosen_year(request.GET)
    answers = selectors.year_end(user, year)
    context = {
        "year": year,
        "years": _years(user, year),
        "answers": answers,
        "since_year": yearend.neglect_since(year).year,
        "neglect_years": yearend.NEGLECT_YEARS,
        "min_expected": yearend.MIN_EXPECTED,
        "over": year < timezone.localdate().year,
        "currency": answers.currency,
    }
    return render(request, "strategy/year_end.html", context)


@access.verified
@require_GET
def neglected(request: HttpRequest) -> HttpResponse:
    """The open places of one category or region at the end of the year, each with its
    last visit by then: where the neglect shows place by place."""
    user = request.user
    allow(user)
    year = chosen_year(request.GET)
    category, region = _id(request.GET, "category"), _id(request.GET, "region")
    if (category is None) == (region is None):
        raise Http404
    if category is not None:
        group: Any = Category.objects.filter(pk=category).first()
    else:
        group = Region.objects.restrict(user, "view").filter(pk=region).first()
    if group is None:
        raise Http404
    rows = yearend.neglected_places(user, year, category=category, region=region)
    since = yearend.neglect_since(year)
    context = {
        "year": year,
        "group": group,
        "scope": "category" if category is not None else "region",
        "rows": [(place, last, last is None or last < since) for place, last in rows],
        "since": since,
        "neglect_years": yearend.NEGLECT_YEARS,
        "stale_count": sum(1 for _place, last in rows if last is None or last < since),
    }
    return render(request, "strategy/year_end_neglected.html", context)
