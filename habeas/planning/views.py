"""The programme's and teams' pages (¶10, 11, 35, 36): the programmes, a programme with
its result in words, its comparison with "most overdue first", what it leaves out and
why, its calendar and map; its capacity and rules; a planned visit with why it was
chosen and its proposed team; visit durations and people's unavailability.

Thin views: forms validate, services write, selectors read through `restrict`. Whoever
may not see planning gets 404 everywhere, the same as a missing record; whoever sees it
without the right to act gets 403 and nothing changes (as the legislation pages do).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import is_htmx
from habeas.places.forms import add_service_errors
from habeas.places.models import Category, Place, Region
from habeas.places.views import form_rows
from habeas.planning import charts, inputs, selectors, services, services_teams
from habeas.planning import wording as planning_words
from habeas.planning.forms import (
    PROFESSIONS,
    DurationRowForm,
    JustificationForm,
    NewDurationRowForm,
    PlaceRuleForm,
    ProgrammeCreateForm,
    SettingsForm,
    UnavailabilityForm,
    VisitAddForm,
    VisitMoveForm,
    VisitRemoveForm,
    period_choices,
    place_picker,
)
from habeas.planning.models import (
    CategoryRule,
    DurationRule,
    Factor,
    PlaceRule,
    PlannedVisit,
    ProfessionCapacity,
    Programme,
    RegionCapacity,
    Unavailability,
)
from habeas.visits.models import Visit

# A region tree deeper than this is a loop in the data; the path stops there.
MAX_REGION_DEPTH = 20

# -- shared ----------------------------------------------------------------------------------


def _allow(user: Any, permission: str | None = None, *, see: str = "planning.programmes") -> None:
    """404 to whoever may not see this part of planning (programmes are the planners'
    alone); 403 to whoever sees it but may not do this."""
    if not roles.can(user, see):
        raise Http404
    if permission and not roles.can(user, permission):
        raise PermissionDenied


def _programme(request: HttpRequest, pk: int, permission: str | None = None) -> Programme:
    _allow(request.user)
    programme = selectors.programme_for(user=request.user, pk=pk)
    _allow(request.user, permission)
    return programme


def _planned(request: HttpRequest, programme: Programme, visit_pk: int) -> PlannedVisit:
    return selectors.planned_for(user=request.user, programme=programme, pk=visit_pk)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _to_programme(programme: Programme, anchor: str = "") -> HttpResponse:
    response = redirect("planning:programme", pk=programme.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _places(user: Any) -> Any:
    """The open places the user may see, those a programme can visit."""
    return Place.objects.restrict(user, "view").filter(status=Place.Status.OPEN)


# -- the programmes --------------------------------------------------------------------------


@access.verified
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    _allow(request.user)
    context = {
        "programmes": selectors.programme_list(user=request.user)
        .select_related("adopted_by")
        .annotate(visit_count=Count("visits")),
        "can_change": roles.can(request.user, "planning.change"),
    }
    return render(request, "planning/programme_list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _allow(user, "planning.change")
    form = ProgrammeCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The programme for %(period)s is created. Check its capacity, then build it.")
                % {"period": programme.period},
            )
            return redirect("planning:capacity", pk=programme.pk)
    context = {
        "form": form,
        "rows": form_rows(form),
        "periods": period_choices(timezone.localdate()),
    }
    return render(request, "planning/programme_create.html", context, status=_status(form))


@access.verified
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    return render(request, "planning/programme_detail.html", _detail_context(request, programme))


def _detail_context(
    request: HttpRequest, programme: Programme, justify_form: JustificationForm | None = None
) -> dict[str, Any]:
    user = request.user
    left_regions, left_categories = planning_words.left_out_lines(
        programme, selectors.left_out(programme), justify_form
    )
    blockers = planning_words.adopt_blockers(programme, left_regions + left_categories)
    place_map = charts.place_map(selectors.map_points(programme))
    exceeded_ids = list(programme.exceeded or [])
    exceeded = _places(user).filter(pk__in=exceeded_ids[:200]).select_related("region", "category")
    return {
        "programme": programme,
        "result": planning_words.result_lines(programme),
        "reserve": planning_words.reserve_line(programme, _region_days(user, programme)),
        "comparison": planning_words.comparison_rows(programme.comparison or {}),
        "explanations": selectors.explanations(programme),
        "capacity": selectors.capacity_summary(programme),
        "left_regions": left_regions,
        "left_categories": left_categories,
        "exceeded": list(exceeded.order_by("name")),
        "exceeded_count": len(exceeded_ids),
        "calendar": _calendar(programme),
        "place_map": place_map,
        "without_coordinates": _places(user)
        .filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
        .count(),
        "blockers": blockers,
        "can_change": roles.can(user, "planning.change")
        and programme.status != Programme.Status.ADOPTED,
        "can_adopt": roles.can(user, "planning.adopt"),
        "queued": programme.status == Programme.Status.QUEUED,
    }


def _calendar(programme: Programme) -> list[Any]:
    """The weeks and their visits, each visit with its type and length in words."""
    kinds = dict(Visit.Kind.choices)
    weeks = selectors.calendar(programme)
    for week in weeks:
        for visit in week.visits:
            visit.kind_label = kinds.get(visit.kind, visit.kind)  # type: ignore[attr-defined]
            visit.days_label = ngettext(  # type: ignore[attr-defined]
                "%(days)s day", "%(days)s days", 1 if visit.days <= 1 else 2
            ) % {"days": f"{visit.days.normalize():f}"}
    return weeks


def _region_days(user: Any, programme: Programme) -> int:
    rows = RegionCapacity.objects.restrict(user, "view").filter(programme=programme)
    return sum(row.staff_days for row in rows)


@access.verified
@require_GET
def build_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of the build or of the team proposals, for htmx to poll while either
    runs. Once both are done, htmx reloads the whole page, which then shows the result."""
    programme = _programme(request, pk)
    if not is_htmx(request):
        return _to_programme(programme)
    queued = programme.status == Programme.Status.QUEUED
    busy = queued or programme.teams_status == Programme.TeamsStatus.QUEUED
    response = render(request, "planning/_status.html", {"programme": programme, "queued": queued})
    if not busy and request.GET.get("polling"):
        response["HX-Refresh"] = "true"
    return response


@access.verified
@require_POST
def build(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, "planning.change")
    try:
        programme = services.programme_build(actor=request.user, programme=programme)
    except ValidationError as error:
        messages.error(request, _("The programme was not built: ") + " ".join(error.messages))
    else:
        if programme.status == Programme.Status.QUEUED:
            messages.success(
                request, _("The programme is being built. This page shows the progress.")
            )
        else:
            messages.success(request, _("The programme is built."))
    return _to_programme(programme)


@access.verified
@require_POST
def justify(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = _programme(request, pk, "planning.change")
    form = JustificationForm(request.POST, auto_id=False)
    if form.is_valid():
        kind, target_pk = form.target_of()
        target: dict[str, Any] = {}
        if kind == "region":
            target["region"] = get_object_or_404(
                Region.objects.restrict(user, "view"), pk=target_pk
            )
        else:
            target["category"] = get_object_or_404(Category.objects.all(), pk=target_pk)
        try:
            services.justification_save(
                actor=user, programme=programme, text=form.cleaned_data["text"], **target
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The justification is saved."))
            return _to_programme(programme, "left-out")
    context = _detail_context(request, programme, justify_form=form)
    return render(request, "planning/programme_detail.html", context, status=400)


@access.verified
@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, "planning.adopt")
    try:
        visits = services.programme_adopt(actor=request.user, programme=programme)
    except ValidationError as error:
        messages.error(request, _("The programme was not adopted: ") + " ".join(error.messages))
        programme = _programme(request, pk)
        context = _detail_context(request, programme)
        return render(request, "planning/programme_detail.html", context, status=400)
    messages.success(
        request,
        ngettext(
            "The programme is adopted: %(n)d visit is planned.",
            "The programme is adopted: %(n)d visits are planned.",
            len(visits),
        )
        % {"n": len(visits)},
    )
    return _to_programme(programme)


@access.verified
@require_POST
def teams(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the team builder; the programme's page shows its progress and then the
    proposals (at once where the job runs at once, as in tests and the demo)."""
    programme = _programme(request, pk, "planning.change")
    try:
        programme = services_teams.teams_queue(actor=request.user, programme=programme)
    except ValidationError as error:
        messages.error(request, _("No team was proposed: ") + " ".join(error.messages))
        return _to_programme(programme)
    programme.refresh_from_db()  # the job may have run already, once the queueing committed
    count = PlannedVisit.objects.filter(programme=programme).count()
    if programme.teams_status == Programme.TeamsStatus.FAILED:
        messages.error(request, programme.teams_failure)
        return _to_programme(programme)
    if programme.teams_status == Programme.TeamsStatus.BUILT:
        text = ngettext(
            "A team is proposed for %(n)d visit.", "A team is proposed for %(n)d visits.", count
        )
        messages.success(request, text % {"n": count})
        return _to_programme(programme, "calendar")
    text = ngettext(
        "Teams are being proposed for %(n)d visit. This page shows when they are ready.",
        "Teams are being proposed for %(n)d visits. This page shows when they are ready.",
        count,
    )
    messages.success(request, text % {"n": count})
    return _to_programme(programme)


# -- capacity and rules ---------------------------------------------------------------------


def _settings_form(request: HttpRequest, programme: Programme, data: Any = None) -> SettingsForm:
    user = request.user
    regions_rows = RegionCapacity.objects.restrict(user, "view").filter(programme=programme)
    professions_rows = ProfessionCapacity.objects.restrict(user, "view").filter(programme=programme)
    category_rows = CategoryRule.objects.restrict(user, "view").filter(programme=programme)
    regions = {row.region_id: (row.staff_days, row.min_visits) for row in regions_rows}
    professions = {row.profession: row.staff_days for row in professions_rows}
    categories = {
        row.category_id: (row.max_interval_months, row.min_visits) for row in category_rows
    }
    shown_regions = _capacity_regions(user, set(regions))
    form = SettingsForm(
        data,
        regions=shown_regions,
        professions=PROFESSIONS,
        categories=list(Category.objects.all()),
        initial=SettingsForm.initial_of(programme, regions, professions, categories),
    )
    if not roles.can(user, "planning.change") or programme.status == Programme.Status.ADOPTED:
        for field in form.fields.values():
            field.disabled = True
    return form


def _capacity_regions(user: Any, stated: set[int]) -> list[Region]:
    """The regions a capacity can be stated for: those holding open places and the
    regions above them (a region's capacity covers the regions below it), as a tree;
    each carries its `depth`."""
    regions = {r.pk: r for r in Region.objects.restrict(user, "view").only("pk", "name", "parent")}
    wanted = set(stated)
    for region_id in set(_places(user).values_list("region_id", flat=True)):
        while region_id is not None and region_id in regions and region_id not in wanted:
            wanted.add(region_id)
            region_id = regions[region_id].parent_id

    def path(region: Region) -> list[str]:
        names: list[str] = []
        current: Region | None = region
        while current is not None and len(names) < MAX_REGION_DEPTH:
            names.insert(0, current.name)
            current = regions.get(current.parent_id) if current.parent_id else None
        return names

    shown = []
    for pk in wanted:
        if pk in regions:
            region = regions[pk]
            region.path = path(region)  # type: ignore[attr-defined]
            region.depth = len(region.path) - 1  # type: ignore[attr-defined]
            shown.append(region)
    return sorted(shown, key=lambda region: region.path)  # type: ignore[attr-defined]


@access.verified
@require_http_methods(["GET", "POST"])
def capacity(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = _programme(request, pk, "planning.change" if request.method == "POST" else None)
    form = _settings_form(request, programme, _posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _save_capacity(user, programme, form)
        except StaleEdit:
            programme = _programme(request, pk)
            data = request.POST.copy()
            data["version"] = str(programme.version)
            form = _settings_form(request, programme, data)
            form.is_valid()
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The capacity and settings are saved. Build the programme again to use them."),
            )
            return _to_programme(programme)
    status = status if status == 409 else _status(form)
    context = {
        "programme": programme,
        "form": form,
        "rows": form_rows(form),
        "stale": status == 409,
        "can_change": not form.fields["title"].disabled,
    }
    return render(request, "planning/capacity.html", context, status=status)


def _save_capacity(user: Any, programme: Programme, form: SettingsForm) -> None:
    """Settings and capacity together, all or nothing. A stale edit is refused before
    anything is written, and its refusal stays on the audit trail."""
    expected = form.cleaned_data.get("version") or 0
    refused: StaleEdit | None = None
    with transaction.atomic():
        try:
            programme = services.programme_update(
                actor=user, programme=programme, data=form.settings(), expected_version=expected
            )
        except StaleEdit as stale:
            refused = stale
        else:
            services.capacity_save(
                actor=user,
                programme=programme,
                regions=form.region_capacity(),
                professions=form.profession_capacity(),
                categories=form.category_rules(),
                expected_version=programme.version,
            )
    if refused is not None:
        raise refused


@access.verified
@require_http_methods(["GET", "POST"])
def place_rules(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = _programme(request, pk, "planning.change" if request.method == "POST" else None)
    rules = PlaceRule.objects.restrict(user, "view").filter(programme=programme)
    if request.method == "POST" and request.POST.get("remove"):
        rule = get_object_or_404(
            rules, pk=request.POST["remove"] if request.POST["remove"].isdigit() else 0
        )
        try:
            services.place_rule_remove(actor=user, rule=rule)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The rule is removed."))
        return redirect("planning:place_rules", pk=programme.pk)
    form = PlaceRuleForm(_posted(request))
    place_picker(form, _places(user), request.GET.get("q", "").strip())
    if request.method == "POST" and form.is_valid():
        try:
            services.place_rule_set(
                actor=user,
                programme=programme,
                place=form.cleaned_data["place"],
                kind=form.cleaned_data["kind"],
                visit_kind=form.cleaned_data.get("visit_kind") or "",
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The rule is saved. Build the programme again to apply it.")
            )
            return redirect("planning:place_rules", pk=programme.pk)
    context = {
        "programme": programme,
        "rules": list(
            rules.select_related("place", "place__region").order_by("kind", "place__name")
        ),
        "form": form,
        "rows": form_rows(form),
        "search": request.GET.get("q", ""),
        "can_change": roles.can(user, "planning.change")
        and programme.status != Programme.Status.ADOPTED,
    }
    return render(request, "planning/place_rules.html", context, status=_status(form))


# -- a planned visit ---------------------------------------------------------------------------


@access.verified
@require_GET
def visit_detail(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    planned = _planned(request, programme, visit_pk)
    return render(
        request, "planning/visit_detail.html", _visit_context(request, programme, planned)
    )


def _visit_context(
    request: HttpRequest, programme: Programme, planned: PlannedVisit, remove_form: Any = None
) -> dict[str, Any]:
    user = request.user
    return {
        "programme": programme,
        "planned": planned,
        "kind_label": dict(Visit.Kind.choices).get(planned.kind, planned.kind),
        "why": _why(planned),
        "breakdown": planning_words.risk_breakdown(programme, planned, viewer=user),
        "team": selectors.team_view(planned),
        # Once adopted, the visit it became, if the reader may see it in the visits app.
        "adopted_visit": Visit.objects.restrict(user).filter(pk=planned.visit_id).first()
        if planned.visit_id
        else None,
        "remove_form": remove_form or VisitRemoveForm(),
        "move_form": VisitMoveForm(
            initial={"week": planned.week_starts_on.isoformat()},
            weeks=inputs.week_starts(programme),
        ),
        "can_change": roles.can(user, "planning.change")
        and programme.status != Programme.Status.ADOPTED,
    }


def _why(planned: PlannedVisit) -> list[str]:
    """How the visit came in (the NPM's choice, the rules, overdue, follow-up), in
    sentences. Its risk is shown apart, recomputed for the reader so that a factor from
    confidential records stays masked."""
    factors = set(Factor.values)
    stored = [r for r in planned.reasons or [] if r.get("factor") not in factors]
    lines = [selectors.explain(r.get("factor", ""), r.get("params") or {}) for r in stored]
    codes = {r.get("factor") for r in stored}
    if planned.pinned and not codes & {"pinned", "added"}:
        lines.append(selectors.explain("pinned"))
    if not lines and planned.source == PlannedVisit.Source.SOLVER:
        lines.append(
            _("Chosen by the model for the risk it covers and the regular coverage it keeps.")
        )
    return lines


@access.verified
@require_POST
def visit_pin(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    programme = _programme(request, pk, "planning.change")
    planned = _planned(request, programme, visit_pk)
    pinned = request.POST.get("pinned") == "1"
    try:
        services.visit_pin(actor=request.user, planned=planned, pinned=pinned)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The visit is pinned: building again keeps it in this week.")
            if pinned
            else _("The visit is no longer pinned: building again may move or drop it."),
        )
    return redirect("planning:visit", pk=programme.pk, visit_pk=planned.pk)


@access.verified
@require_POST
def visit_move(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    programme = _programme(request, pk, "planning.change")
    planned = _planned(request, programme, visit_pk)
    form = VisitMoveForm(request.POST, weeks=inputs.week_starts(programme))
    if form.is_valid():
        try:
            services.visit_move(
                actor=request.user, planned=planned, week_starts_on=form.cleaned_data["week"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The visit moves to the week of %(week)s and is pinned there.")
                % {"week": form.cleaned_data["week"].isoformat()},
            )
            return redirect("planning:visit", pk=programme.pk, visit_pk=planned.pk)
    context = _visit_context(request, programme, planned)
    context["move_form"] = form
    return render(request, "planning/visit_detail.html", context, status=400)


@access.verified
@require_POST
def visit_remove(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    programme = _programme(request, pk, "planning.change")
    planned = _planned(request, programme, visit_pk)
    form = VisitRemoveForm(request.POST)
    if form.is_valid():
        try:
            services.visit_remove(
                actor=request.user, planned=planned, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The visit to %(place)s is removed and the place kept out of this programme.")
                % {"place": planned.place.name},
            )
            return _to_programme(programme, "calendar")
    context = _visit_context(request, programme, planned, remove_form=form)
    return render(request, "planning/visit_detail.html", context, status=400)


@access.verified
@require_http_methods(["GET", "POST"])
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = _programme(request, pk, "planning.change")
    form = VisitAddForm(_posted(request), weeks=inputs.week_starts(programme))
    place_picker(form, _places(user), request.GET.get("q", "").strip())
    if request.method == "POST" and form.is_valid():
        try:
            planned = services.visit_add(
                actor=user,
                programme=programme,
                place=form.cleaned_data["place"],
                week_starts_on=form.cleaned_data["week"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit is added and pinned: building again keeps it."))
            return redirect("planning:visit", pk=programme.pk, visit_pk=planned.pk)
    context = {
        "programme": programme,
        "form": form,
        "rows": form_rows(form),
        "search": request.GET.get("q", ""),
    }
    return render(request, "planning/visit_add.html", context, status=_status(form))


# -- durations and availability ------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def durations(request: HttpRequest) -> HttpResponse:
    user = request.user
    _allow(user, "planning.change" if request.method == "POST" else None, see="planning.view")
    can_change = roles.can(user, "planning.change")
    data = _posted(request)
    rules = list(DurationRule.objects.restrict(user, "view").select_related("category"))
    lines = [(rule, _duration_form(rule, data, can_change)) for rule in rules]
    new = NewDurationRowForm(data, prefix="new")
    status = 200
    if request.method == "POST":
        status = _save_durations(request, [form for _rule, form in lines], new)
        if status == 302:
            messages.success(request, _("The visit durations are saved."))
            return redirect("planning:durations")
    context = {"lines": lines, "new": new, "can_change": can_change}
    return render(request, "planning/durations.html", context, status=status)


def _duration_form(rule: DurationRule, data: Any, can_change: bool) -> DurationRowForm:
    initial = {
        "category": rule.category_id,
        "capacity_from": rule.capacity_from,
        "in_depth_days": rule.in_depth_days,
        "follow_up_days": rule.follow_up_days,
        "team_size": rule.team_size,
    }
    form = DurationRowForm(data, prefix=f"d{rule.pk}", initial=initial)
    # A line's category and size are what it is; to change them, add a line.
    for name in ("category", "capacity_from"):
        form.fields[name].disabled = True
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    return form


def _save_durations(
    request: HttpRequest, forms: list[DurationRowForm], new: NewDurationRowForm
) -> int:
    valid = all([form.is_valid() for form in forms]) and new.is_valid()
    if not valid:
        return 400
    changed = [form for form in forms if form.has_changed()]
    if not new.is_empty():
        changed.append(new)
    try:
        with transaction.atomic():
            for form in changed:
                services_teams.duration_rule_save(actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _("Nothing was saved: ") + " ".join(error.messages))
        return 400
    return 302


@access.verified
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    user = request.user
    _allow(user, "planning.change" if request.method == "POST" else None)
    items = Unavailability.objects.restrict(user, "view").select_related("user")
    if request.method == "POST" and request.POST.get("remove"):
        raw = request.POST["remove"]
        item = get_object_or_404(items, pk=int(raw) if raw.isdigit() else 0)
        services_teams.unavailability_remove(actor=user, item=item)
        messages.success(request, _("The period is removed."))
        return redirect("planning:availability")
    form = UnavailabilityForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services_teams.unavailability_add(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The period is recorded."))
            return redirect("planning:availability")
    since = timezone.localdate() - dt.timedelta(days=90)
    context = {
        "items": list(items.filter(ends_on__gte=since).order_by("starts_on", "user__full_name")),
        "form": form,
        "rows": form_rows(form),
        "can_change": roles.can(user, "planning.change"),
    }
    return render(request, "planning/availability.html", context, status=_status(form))
