"""A recommendation's own pages: drafting with quality advice and similar earlier ones,
its page with its whole history, editing, sending, answers and verification, and a
visit's recommendations (¶20, 22, 24, 31a).

Thin views: forms validate, services write, selectors read through `restrict`. A
recommendation, visit or urgent draft the reader may not see answers 404 like a missing
one; seeing without the right to act gets 403. Quality advice never blocks a save.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places.forms import add_service_errors
from habeas.places.models import Authority, Place
from habeas.places.views import current_values, form_rows
from habeas.recommendations import quality, services, similarity
from habeas.recommendations import selectors_recommendations as selectors
from habeas.recommendations.forms_recommendations import (
    LinkForm,
    RecommendationForm,
    SentRecommendationForm,
)
from habeas.recommendations.models import Exchange, Recommendation
from habeas.visits.models import Finding, Visit

# -- shared ------------------------------------------------------------------------------


def require_view(user: Any) -> None:
    """404 to whoever may not see recommendations at all (an outsider, the administrator)."""
    if not roles.can(user, "recommendations.view"):
        raise Http404


def require(user: Any, permission: str) -> None:
    """403 to whoever sees the recommendation but may not do this to it."""
    if not roles.can(user, permission):
        raise PermissionDenied


def require_scope(user: Any, recommendation: Recommendation, action: str) -> None:
    if not selectors.may(user, recommendation, action):
        raise PermissionDenied


def form_status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def pk_or_none(value: Any) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _similar(
    user: Any,
    *,
    text: str,
    place: Place | None,
    addressee: Authority | None,
    theme: str,
    exclude_pk: int | None = None,
) -> list[Any]:
    if len((text or "").split()) < 3:
        return []
    return similarity.similar_recommendations(
        user=user,
        text=text,
        place=place,
        addressee=addressee,
        theme=theme or "",
        exclude_pk=exclude_pk,
    )


def _similar_context(user: Any, matches: list[Any]) -> dict[str, Any]:
    """Each match with the earlier recommendation's history beside it."""
    earlier = [match.recommendation for match in matches]
    history = selectors.earlier_history(user=user, recommendations=earlier)
    return {"similar": [(match, history[match.recommendation.pk]) for match in matches]}


# -- drafting ------------------------------------------------------------------------------


def _draft_target(request: HttpRequest) -> tuple[Visit | None, Place | None]:
    """The visit (which the drafter must be able to change) or the place the draft is
    about, from the query or the posted form; 404 for one the user may not reach."""
    source = request.POST if request.method == "POST" else request.GET
    visit_pk = pk_or_none(source.get("visit"))
    place_pk = pk_or_none(source.get("place"))
    if source.get("visit") and visit_pk is None or source.get("place") and place_pk is None:
        raise Http404
    visit = None
    if visit_pk is not None:
        visit = get_object_or_404(
            Visit.objects.restrict(request.user, "change").select_related("place"), pk=visit_pk
        )
        return visit, visit.place
    if place_pk is not None:
        return None, get_object_or_404(Place.objects.restrict(request.user, "view"), pk=place_pk)
    return None, None


def _repeat_choice(request: HttpRequest) -> Recommendation | None:
    pk = pk_or_none(request.POST.get("repeat_of"))
    if pk is None:
        return None
    return Recommendation.objects.restrict(request.user, "view").filter(pk=pk).first()


@access.verified
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_view(user)
    require(user, "recommendations.draft")
    visit, place = _draft_target(request)
    findings = selectors.findings_to_link(user=user, visit=visit, place=place)
    form = RecommendationForm(
        request.POST or None, user=user, visit=visit, place=place, findings=findings
    )
    if request.method == "POST" and form.is_valid():
        data = form.values(drafting=True)
        data["visit"], data["place"] = visit, place
        if visit is None:
            data.pop("visit")
        if place is None:
            data.pop("place")
        try:
            recommendation = services.recommendation_draft(
                actor=user, data=data, findings=list(form.cleaned_data["findings"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            earlier = _repeat_choice(request)
            if earlier is not None:
                services.recommendation_mark_repeat(
                    actor=user, recommendation=recommendation, earlier=earlier
                )
            messages.success(
                request,
                _("%(ref)s is saved as a draft. Check the advice below before sending it.")
                % {"ref": recommendation.reference},
            )
            return redirect("recommendations:detail", recommendation_pk=recommendation.pk)
    context = {
        "form": form,
        "rows": form_rows(form),
        "visit": visit,
        "place": place,
        "recommendation": None,
        "finding_rows": _finding_rows(form, findings),
        "choose_repeat": True,
        **_panel_context(request, form, findings, exclude_pk=None, place=place),
    }
    return render(
        request, "recommendations/recommendation_form.html", context, status=form_status(form)
    )


def _finding_rows(form: RecommendationForm, findings: Any) -> list[tuple[Finding, bool]]:
    """Each finding that may be linked, with whether it is ticked."""
    if form.is_bound:
        ticked = {str(v) for v in form.data.getlist("findings")}  # type: ignore[attr-defined]
    else:
        ticked = {str(v) for v in form.initial.get("findings", [])}
    return [(finding, str(finding.pk) in ticked) for finding in findings]


def _panel_context(
    request: HttpRequest,
    form: RecommendationForm,
    findings: Any,
    *,
    exclude_pk: int | None,
    place: Place | None,
) -> dict[str, Any]:
    """Advice and similar earlier recommendations for what the form holds now; empty
    for a blank form (nothing typed yet)."""
    source = form.data if form.is_bound else form.initial
    text = str(source.get("text") or "")
    if not text.strip():
        return {"advice": None, "similar": [], "repeat_of": None}
    return _panel(request, source, findings, exclude_pk=exclude_pk, place=place)


def _panel(
    request: HttpRequest,
    source: Any,
    findings: Any,
    *,
    exclude_pk: int | None,
    place: Place | None,
) -> dict[str, Any]:
    user = request.user
    text = str(source.get("text") or "")
    addressee = None
    addressee_pk = pk_or_none(source.get("addressee"))
    if addressee_pk is not None:
        addressee = Authority.objects.restrict(user, "view").filter(pk=addressee_pk).first()
    deadline = _date_or_none(source.get("deadline"))
    ticked = source.getlist("findings") if hasattr(source, "getlist") else source.get("findings")
    ticked_pks = {pk_or_none(v) for v in ticked or []} - {None}
    findings_count = findings.filter(pk__in=ticked_pks).count() if ticked_pks else 0
    advice = quality.advise(
        text=text,
        addressee=addressee,
        deadline=deadline,
        root_cause=str(source.get("root_cause") or ""),
        findings_count=findings_count,
        origin=str(source.get("origin") or "own_visit"),
        priority=str(source.get("priority") or "general"),
        level=str(source.get("level") or ""),
    )
    matches = _similar(
        user,
        text=text,
        place=place,
        addressee=addressee,
        theme=str(source.get("theme") or ""),
        exclude_pk=exclude_pk,
    )
    return {
        "advice": advice,
        "repeat_of": pk_or_none(source.get("repeat_of")),
        **_similar_context(user, matches),
    }


def _date_or_none(value: Any) -> dt.date | None:
    try:
        return parse_date(str(value or "")) if value else None
    except ValueError:
        return None


@access.verified
@require_POST
def quality_panel(request: HttpRequest) -> HttpResponse:
    """The advice and similar earlier recommendations for the draft being typed (htmx)."""
    user = request.user
    require_view(user)
    require(user, "recommendations.draft")
    visit, place = _draft_target(request)
    exclude_pk = pk_or_none(request.POST.get("recommendation"))
    if exclude_pk is not None:
        editing = selectors.recommendation_for(user=user, pk=exclude_pk, action="change")
        visit, place = editing.visit, editing.place
    findings = selectors.findings_to_link(user=user, visit=visit, place=place)
    context = _panel(request, request.POST, findings, exclude_pk=exclude_pk, place=place)
    context["choose_repeat"] = exclude_pk is None
    return render(request, "recommendations/_quality_panel.html", context)


# -- the recommendation's page ---------------------------------------------------------------


@access.verified
@require_GET
def detail(request: HttpRequest, recommendation_pk: int) -> HttpResponse:
    require_view(request.user)
    recommendation = selectors.recommendation_for(user=request.user, pk=recommendation_pk)
    return render(
        request,
        "recommendations/recommendation_detail.html",
        _detail_context(request, recommendation),
    )


def _detail_context(request: HttpRequest, recommendation: Recommendation) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    is_draft = recommendation.state == Recommendation.State.DRAFT
    can_change = is_draft and selectors.may(user, recommendation, "change")
    responses = selectors.responses_of(user=user, recommendation=recommendation)
    verifications = selectors.verifications_of(user=user, recommendation=recommendation)
    letters = {r.exchange_id for r in responses if r.exchange_id}
    letters |= {v.exchange_id for v in verifications if v.exchange_id}
    context: dict[str, Any] = {
        "recommendation": recommendation,
        "is_draft": is_draft,
        "overdue": services.is_overdue(recommendation, today),
        "response_late": (
            recommendation.state == Recommendation.State.SENT
            and not recommendation.response
            and recommendation.response_due is not None
            and recommendation.response_due < today
        ),
        "findings": selectors.visible_findings(user=user, recommendation=recommendation),
        "linked": selectors.linked_of(user=user, recommendation=recommendation),
        "chain": selectors.repeat_chain(user=user, recommendation=recommendation),
        "repeated_by": selectors.repeated_by(user=user, recommendation=recommendation),
        "escalate_to": _escalation(user, recommendation),
        "responses": responses,
        "commitments": selectors.commitments_of(user=user, recommendation=recommendation),
        "verifications": verifications,
        "visible_letters": selectors.visible_ids(user=user, model=Exchange, ids=letters),
        "visible_findings": selectors.visible_ids(
            user=user,
            model=Finding,
            ids={v.finding_id for v in verifications if v.finding_id},
        ),
        "visit_visible": recommendation.visit_id is not None
        and Visit.objects.restrict(user, "view").filter(pk=recommendation.visit_id).exists(),
        "can_change": can_change,
        "can_edit": can_change or (not is_draft and selectors.may(user, recommendation, "send")),
        "can_send": is_draft and selectors.may(user, recommendation, "send"),
        "can_respond": not is_draft and selectors.may(user, recommendation, "dialogue"),
        "can_verify": not is_draft and selectors.may(user, recommendation, "verify"),
        "can_link": roles.can(user, "recommendations.draft"),
        "link_form": LinkForm(),
        "advice": None,
        "similar": [],
    }
    if is_draft:
        context["advice"] = quality.advise_recommendation(recommendation)
        matches = _similar(
            user,
            text=recommendation.text,
            place=recommendation.place,
            addressee=recommendation.addressee,
            theme=recommendation.theme,
            exclude_pk=recommendation.pk,
        )
        context.update(_similar_context(user, matches))
    return context


def _escalation(user: Any, recommendation: Recommendation) -> Authority | None:
    """When a recommendation is made again, the body its addressee reports to."""
    if recommendation.repeat_of_id is None or recommendation.addressee is None:
        return None
    parent_pk = recommendation.addressee.parent_id
    if parent_pk is None:
        return None
    return Authority.objects.restrict(user, "view").filter(pk=parent_pk).first()


# -- editing -----------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, recommendation_pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    recommendation = selectors.recommendation_for(user=user, pk=recommendation_pk)
    is_draft = recommendation.state == Recommendation.State.DRAFT
    require_scope(user, recommendation, "change" if is_draft else "send")
    findings = selectors.findings_to_link(
        user=user, visit=recommendation.visit, place=recommendation.place
    )
    form_class = RecommendationForm if is_draft else SentRecommendationForm
    form = form_class(
        request.POST or None,
        user=user,
        initial=form_class.initial_of(recommendation),
        visit=recommendation.visit,
        place=recommendation.place,
        findings=findings,
    )
    status = 200
    current: dict[str, str] | None = None
    if request.method == "POST":
        if form.is_valid():
            try:
                services.recommendation_update(
                    actor=user,
                    recommendation=recommendation,
                    data=form.values(drafting=False),
                    expected_version=form.cleaned_data.get("version") or 0,
                    findings=list(form.cleaned_data["findings"]) if is_draft else None,
                )
            except StaleEdit:
                recommendation = selectors.recommendation_for(user=user, pk=recommendation_pk)
                form, current = _stale_form(request, form_class, recommendation, findings)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("recommendations:detail", recommendation_pk=recommendation.pk)
        status = status if status == 409 else form_status(form)
    context = {
        "form": form,
        "rows": form_rows(form, current),
        "recommendation": recommendation,
        "visit": recommendation.visit,
        "place": recommendation.place,
        "stale": status == 409,
        "finding_rows": _finding_rows(form, findings)
        if isinstance(form, RecommendationForm)
        else [],
        "advice": None,
        "similar": [],
        "choose_repeat": False,
    }
    if is_draft and isinstance(form, RecommendationForm):
        context.update(
            _panel_context(
                request, form, findings, exclude_pk=recommendation.pk, place=recommendation.place
            )
        )
    return render(request, "recommendations/recommendation_form.html", context, status=status)


def _stale_form(
    request: HttpRequest, form_class: Any, recommendation: Recommendation, findings: Any
) -> tuple[Any, dict[str, str]]:
    """The user's text again, carrying the current version, with what was saved meanwhile."""
    data = request.POST.copy()
    data["version"] = str(recommendation.version)
    form = form_class(
        data,
        user=request.user,
        initial=form_class.initial_of(recommendation),
        visit=recommendation.visit,
        place=recommendation.place,
        findings=findings,
    )
    form.is_valid()
    shown = {k: v for k, v in form.fields.items() if k not in ("findings", "visit", "place")}
    form_fields = form.fields
    form.fields = shown
    try:
        current = current_values(recommendation, form)
    finally:
        form.fields = form_fields
    return form, current
