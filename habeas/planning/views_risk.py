"""The risk model's pages (¶10): the risk list, one place's breakdown with its history,
and the weights with every version.

Thin views: forms validate, services write, selectors read through `restrict`. Whoever
may not see planning (an outsider, a doctor, the administrator) gets 404 everywhere, the
same as a missing record; whoever sees it without the right to change the weights gets
403 on saving them and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.places.forms import add_service_errors
from habeas.places.views import form_rows
from habeas.planning import risk, selectors_risk, services_risk
from habeas.planning.forms_risk import RiskFilterForm, WeightsForm, plain_number
from habeas.planning.models import Factor, RiskSnapshot, RiskWeights

PAGE_SIZE = 50
TOP_REASONS = 3


def _allow(user: Any, permission: str | None = None) -> None:
    """404 to whoever may not see planning at all; 403 to whoever sees it but may not do
    this."""
    if not roles.can(user, "planning.view"):
        raise Http404
    if permission and not roles.can(user, permission):
        raise PermissionDenied


def _max_score(weights: RiskWeights) -> float:
    return sum(risk.weights_of(weights.weights).values()) or 1.0


# -- the risk list ------------------------------------------------------------------------------


@access.verified
@require_GET
def risk_list(request: HttpRequest) -> HttpResponse:
    _allow(request.user)
    filter_form = RiskFilterForm(request.GET, user=request.user)
    weights = risk.current_weights()
    rows = selectors_risk.ranked(user=request.user, filters=filter_form.filters(), weights=weights)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "rows": [(row, row.reasons(TOP_REASONS), row.missing()) for row in page],
        # The day of the snapshot that ranked the list (None: ranked by live scores).
        "ranked_on": rows.ranked_on,
        "query": query.urlencode(),
        "weights": weights,
        "max_score": _max_score(weights),
        "can_weights": roles.can(request.user, "planning.weights"),
    }
    return render_page(
        request, "planning/risk_list.html", context, partial="planning/risk_results.html"
    )


# -- one place ------------------------------------------------------------------------------------


@access.verified
@require_GET
def place_risk(request: HttpRequest, place_pk: int) -> HttpResponse:
    _allow(request.user)
    place = selectors_risk.place_for_risk(user=request.user, pk=place_pk)
    if place is None:
        raise Http404
    weights = risk.current_weights()
    scored = selectors_risk.place_risk(user=request.user, place=place, weights=weights)
    history = selectors_risk.place_history(user=request.user, place=place)
    weight = risk.weights_of(weights.weights)
    factors = [(factor, weight[factor.factor]) for factor in scored.factors] if scored else []
    context = {
        "place": place,
        "scored": scored,
        "factors": factors,
        "missing": [factor for factor, _weight in factors if factor.missing],
        "hidden": any(factor.hidden for factor, _weight in factors),
        "weights": weights,
        "max_score": _max_score(weights),
        "history": list(reversed(history)),
        "chart": history_chart(history) if history else None,
    }
    return render(request, "planning/risk_place.html", context)


CHART_WIDTH = 640
CHART_HEIGHT = 180
PAD_START = 44
PAD_END = 16
PAD_TOP = 12
PAD_BOTTOM = 26
INK = "#1d2430"
LINE = "#1f4e79"
GRID = "#d6dae1"


def history_chart(
    snapshots: Sequence[RiskSnapshot], *, chart_id: str = "risk-history"
) -> SafeString:
    """The score over time as a line, drawn on the server (no script; colours are
    presentation attributes because the CSP forbids inline styles)."""
    first = snapshots[0].computed_at.date()
    last = snapshots[-1].computed_at.date()
    span = max((last - first).days, 1)
    top = max([snapshot.score for snapshot in snapshots] + [1.0]) * 1.1
    inner_w = CHART_WIDTH - PAD_START - PAD_END
    inner_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: dt.date) -> float:
        return round(PAD_START + inner_w * (day - first).days / span, 1)

    def y(value: float) -> float:
        return round(PAD_TOP + inner_h * (1 - value / top), 1)

    points = [(x(s.computed_at.date()), y(s.score)) for s in snapshots]
    if len(points) == 1:
        points.append((CHART_WIDTH - PAD_END, points[0][1]))
    line = " ".join(f"{px},{py}" for px, py in points)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="{}"></circle>',
        ((px, py, LINE) for px, py in points[: len(snapshots)]),
    )
    title = _("Risk score from %(first)s to %(last)s; latest %(latest)s") % {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "latest": plain_number(snapshots[-1].score),
    }
    return format_html(
        '<svg class="population-chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{id}">'
        '<title id="{id}">{title}</title>{axes}'
        '<polyline points="{line}" fill="none" stroke="{ink}" stroke-width="2"></polyline>'
        "{dots}</svg>",
        w=CHART_WIDTH,
        h=CHART_HEIGHT,
        id=chart_id,
        title=title,
        axes=_axes(first, last, top, y),
        line=line,
        ink=LINE,
        dots=dots,
    )


def _axes(first: dt.date, last: dt.date, top: float, y: Any) -> SafeString:
    base, peak = y(0), y(top / 1.1)
    return format_html(
        '<line x1="{s}" y1="{b}" x2="{e}" y2="{b}" stroke="{g}"></line>'
        '<line x1="{s}" y1="{p}" x2="{e}" y2="{p}" stroke="{g}" stroke-dasharray="2 3"></line>'
        '<text x="{t}" y="{b}" text-anchor="end" dominant-baseline="middle" font-size="11" '
        'fill="{ink}">0</text>'
        '<text x="{t}" y="{p}" text-anchor="end" dominant-baseline="middle" font-size="11" '
        'fill="{ink}">{top}</text>'
        '<text x="{s}" y="{yb}" text-anchor="start" font-size="11" fill="{ink}">{first}</text>'
        '<text x="{e}" y="{yb}" text-anchor="end" font-size="11" fill="{ink}">{last}</text>',
        s=PAD_START,
        e=CHART_WIDTH - PAD_END,
        b=base,
        p=peak,
        g=GRID,
        t=PAD_START - 6,
        yb=CHART_HEIGHT - 6,
        ink=INK,
        top=plain_number(top / 1.1),
        first=first.isoformat(),
        last=last.isoformat(),
    )


# -- the weights ---------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    user = request.user
    _allow(user)
    latest = risk.current_weights()
    can_edit = roles.can(user, "planning.weights")
    if request.method == "POST":
        _allow(user, "planning.weights")
    form = WeightsForm(
        request.POST if request.method == "POST" else None,
        initial=WeightsForm.initial_of(latest),
    )
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services_risk.weights_save(
                actor=user,
                weights=form.weights(),
                note=form.cleaned_data.get("note") or "",
                expected_number=form.cleaned_data["number"],
            )
        except StaleEdit:
            latest = risk.current_weights()
            form = _stale(request, latest)
            current = _current(latest, form)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The weights are saved as version %(number)s; scores now use them.")
                % {"number": saved.number},
            )
            return redirect("planning:weights")
    if status != 409 and form.is_bound and form.errors:
        status = 400
    versions = selectors_risk.weights_versions(user=user)
    context = {
        "form": form,
        "rows": form_rows(form, current),
        "latest": latest,
        "can_edit": can_edit,
        "stale": status == 409,
        "factors": [(factor.value, factor.label, risk.rule(factor.value)) for factor in Factor],
        "versions": [(version, _version_row(version)) for version in versions],
        "max_score": _max_score(latest),
    }
    return render(request, "planning/weights.html", context, status=status)


def _stale(request: HttpRequest, latest: RiskWeights) -> WeightsForm:
    """The editor's figures again, now based on the latest version so saving again
    applies them."""
    data = request.POST.copy()
    data["number"] = str(latest.number)
    form = WeightsForm(data, initial=WeightsForm.initial_of(latest))
    form.is_valid()
    return form


def _current(latest: RiskWeights, form: WeightsForm) -> dict[str, str]:
    """The weights saved meanwhile, where they differ from the editor's own figures."""
    saved = WeightsForm.initial_of(latest)
    typed = getattr(form, "cleaned_data", {})
    return {
        name: str(saved[name])
        for name in Factor.values
        if name not in typed or plain_number(float(typed[name])) != saved[name]
    }


def _version_row(version: RiskWeights) -> list[str]:
    values = risk.weights_of(version.weights)
    return [plain_number(values[name]) for name in Factor.values]
