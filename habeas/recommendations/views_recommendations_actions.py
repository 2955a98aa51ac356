"""Acting on a recommendation: sending (one or a visit's drafts together), recording
an answer, verifying its implementation, linking and repeats, a visit's recommendations
with the place's open ones to verify, and urgent matters from a debrief (¶22, 24, 31a).

The same rules as `views_recommendations`: 404 for what the reader may not see, 403 for
what they see but may not do; services write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.places.forms import add_service_errors
from habeas.places.views import form_rows
from habeas.recommendations import quality, services
from habeas.recommendations import selectors_recommendations as selectors
from habeas.recommendations.forms_recommendations import (
    LinkForm,
    ResponseForm,
    VerificationForm,
)
from habeas.recommendations.models import Implementation, Recommendation
from habeas.recommendations.views_recommendations import (
    form_status,
    pk_or_none,
    require,
    require_scope,
    require_view,
)
from habeas.visits.models import Finding, UrgentDraft, Visit

# -- sending -------------------------------------------------------------------------------------


@access.verified
@require_POST
def send(request: HttpRequest, recommendation_pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    recommendation = selectors.recommendation_for(user=user, pk=recommendation_pk)
    require(user, "recommendations.send")
    require_scope(user, recommendation, "send")
    try:
        services.recommendation_send(actor=user, recommendations=[recommendation])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(ref)s is sent.") % {"ref": recommendation.reference})
    return redirect("recommendations:detail", recommendation_pk=recommendation.pk)


@access.verified
@require_POST
def send_many(request: HttpRequest) -> HttpResponse:
    """Send the drafts ticked on a visit's page, all or none."""
    user = request.user
    require_view(user)
    back = _visit_back(request)
    chosen = {pk_or_none(v) for v in request.POST.getlist("recommendations")} - {None}
    visible = list(Recommendation.objects.restrict(user, "view").filter(pk__in=chosen))
    if len(visible) != len(chosen):
        raise Http404
    require(user, "recommendations.send")
    if not visible:
        messages.error(request, _("Tick the drafts to send."))
        return back
    try:
        sent = services.recommendation_send(actor=user, recommendations=visible)
    except ValidationError as error:
        messages.error(request, _("Nothing was sent: ") + " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Sent: %(refs)s.") % {"refs": ", ".join(sorted(r.reference for r in sent))},
        )
    return back


def _visit_back(request: HttpRequest) -> HttpResponseRedirect:
    visit_pk = pk_or_none(request.POST.get("visit"))
    if visit_pk is not None:
        visit = get_object_or_404(Visit.objects.restrict(request.user, "view"), pk=visit_pk)
        return redirect("recommendations:visit", visit_pk=visit.pk)
    return redirect("recommendations:list")


# -- responses and verification --------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, recommendation_pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    recommendation = selectors.recommendation_for(user=user, pk=recommendation_pk)
    require(user, "recommendations.dialogue")
    require_scope(user, recommendation, "dialogue")
    form = ResponseForm(request.POST or None, user=user, recommendation=recommendation)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_record(
                actor=user,
                recommendation=recommendation,
                status=form.cleaned_data["status"],
                responded_on=form.cleaned_data["responded_on"],
                passage=form.cleaned_data.get("passage") or "",
                exchange=form.cleaned_data.get("exchange"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The response is recorded."))
            return redirect("recommendations:detail", recommendation_pk=recommendation.pk)
    context = {"form": form, "rows": form_rows(form), "recommendation": recommendation}
    return render(
        request, "recommendations/recommendation_respond.html", context, status=form_status(form)
    )


@access.verified
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, recommendation_pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    recommendation = selectors.recommendation_for(user=user, pk=recommendation_pk)
    require(user, "recommendations.verify")
    require_scope(user, recommendation, "verify")
    choices = selectors.evidence_choices(user=user, recommendation=recommendation)
    initial = {"from_visit": pk_or_none(request.GET.get("visit"))}
    form = VerificationForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_record(
                actor=user,
                recommendation=recommendation,
                status=form.cleaned_data["status"],
                verified_on=form.cleaned_data["verified_on"],
                evidence=form.cleaned_data["evidence"],
                note=form.cleaned_data.get("note") or "",
                **form.evidence_values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = dict(Implementation.choices)[form.cleaned_data["status"]]
            messages.success(
                request,
                _("%(ref)s: “%(status)s” is recorded with its evidence.")
                % {"ref": recommendation.reference, "status": label},
            )
            return _after_verify(request, form, recommendation)
    context = {
        "form": form,
        "rows": form_rows(form),
        "recommendation": recommendation,
        "choices": choices,
    }
    return render(
        request, "recommendations/recommendation_verify.html", context, status=form_status(form)
    )


def _after_verify(
    request: HttpRequest, form: VerificationForm, recommendation: Recommendation
) -> HttpResponse:
    """Back to the follow-up visit's page when verified from it, else the recommendation."""
    visit_pk = form.cleaned_data.get("from_visit")
    if visit_pk and Visit.objects.restrict(request.user, "view").filter(pk=visit_pk).exists():
        url = reverse("recommendations:visit", kwargs={"visit_pk": visit_pk})
        return HttpResponseRedirect(f"{url}#open-{recommendation.pk}")
    return redirect("recommendations:detail", recommendation_pk=recommendation.pk)


# -- linking and repeats ------------------------------------------------------------------------


@access.verified
@require_POST
def link(request: HttpRequest, recommendation_pk: int) -> HttpResponse:
    """Track another recommendation together with this one, or stop doing so."""
    user = request.user
    require_view(user)
    recommendation = selectors.recommendation_for(user=user, pk=recommendation_pk)
    require(user, "recommendations.draft")
    form = LinkForm(request.POST)
    back = redirect("recommendations:detail", recommendation_pk=recommendation.pk)
    if not form.is_valid():
        messages.error(request, _("Give the reference of the recommendation to link."))
        return back
    reference = form.cleaned_data["reference"].strip()
    other = (
        Recommendation.objects.restrict(user, "view").filter(reference__iexact=reference).first()
    )
    if other is None:
        messages.error(
            request,
            _("No recommendation %(ref)s that you can see.") % {"ref": reference},
        )
        return back
    unlink = form.cleaned_data.get("unlink", False)
    try:
        services.recommendation_link(
            actor=user, recommendation=recommendation, other=other, linked=not unlink
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = (
            _("%(ref)s is no longer tracked with this one.")
            if unlink
            else _("%(ref)s is now tracked together with this one.")
        )
        messages.success(request, message % {"ref": other.reference})
    return back


@access.verified
@require_POST
def repeat(request: HttpRequest, recommendation_pk: int) -> HttpResponse:
    """Record that a draft repeats an earlier recommendation (or that it does not)."""
    user = request.user
    require_view(user)
    recommendation = selectors.recommendation_for(user=user, pk=recommendation_pk)
    require(user, "recommendations.draft")
    require_scope(user, recommendation, "change")
    earlier = None
    earlier_pk = pk_or_none(request.POST.get("earlier"))
    if earlier_pk is not None:
        earlier = selectors.recommendation_for(user=user, pk=earlier_pk)
    try:
        services.recommendation_mark_repeat(
            actor=user, recommendation=recommendation, earlier=earlier
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if earlier is None:
            messages.success(request, _("This draft is no longer marked as a repeat."))
        else:
            messages.success(
                request, _("Marked as repeating %(ref)s.") % {"ref": earlier.reference}
            )
    return redirect("recommendations:detail", recommendation_pk=recommendation.pk)


# -- a visit's recommendations -----------------------------------------------------------------


@access.verified
@require_GET
def visit_recommendations(request: HttpRequest, visit_pk: int) -> HttpResponse:
    user = request.user
    require_view(user)
    visit = get_object_or_404(
        Visit.objects.restrict(user, "view").select_related("place"), pk=visit_pk
    )
    drafted = list(selectors.drafted_at(user=user, visit=visit))
    open_ones = list(selectors.open_at_place(user=user, visit=visit))
    verifiable = set(
        Recommendation.objects.restrict(user, "verify")
        .filter(pk__in=[r.pk for r in open_ones])
        .values_list("pk", flat=True)
    )
    sendable = set(
        Recommendation.objects.restrict(user, "send")
        .filter(pk__in=[r.pk for r in drafted], state=Recommendation.State.DRAFT)
        .values_list("pk", flat=True)
    )
    visit_findings = list(
        Finding.objects.restrict(user, "view").filter(visit=visit).order_by("theme", "id")
    )
    today = timezone.localdate()
    context = {
        "visit": visit,
        "drafted": [
            (r, quality.advise_recommendation(r) if r.state == "draft" else None) for r in drafted
        ],
        "open_ones": [
            (r, r.pk in verifiable, _verify_day(visit, r, today), _suggested(visit_findings, r))
            for r in open_ones
        ],
        "sendable": sendable,
        "visit_findings": visit_findings,
        "statuses": Implementation.choices,
        "can_draft": roles.can(user, "recommendations.draft")
        and Visit.objects.restrict(user, "change").filter(pk=visit.pk).exists(),
        "is_follow_up": visit.kind == Visit.Kind.FOLLOW_UP,
        "today": today,
    }
    return render(request, "recommendations/visit_recommendations.html", context)


def _suggested(findings: list[Finding], recommendation: Recommendation) -> int | None:
    """The visit's first finding on the recommendation's theme, offered first."""
    for finding in findings:
        if recommendation.theme and finding.theme == recommendation.theme:
            return finding.pk
    return None


def _verify_day(visit: Visit, recommendation: Recommendation, today: Any) -> Any:
    """The day a verification at this visit is dated: its last day once past, else today."""
    day = min(visit.ends_on, today)
    if recommendation.sent_on and day < recommendation.sent_on:
        return today
    return day


# -- urgent matters from a debrief -------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def from_urgent(request: HttpRequest, urgent_pk: int) -> HttpResponse:
    """POST: turn an urgent matter raised at a debrief into an urgent recommendation
    (¶31a). GET: go to the recommendation it became (the debrief page links here)."""
    user = request.user
    require_view(user)
    urgent = get_object_or_404(
        UrgentDraft.objects.restrict(user, "view").select_related("visit", "addressee"),
        pk=urgent_pk,
    )
    if urgent.recommendation_ref:
        made = get_object_or_404(
            Recommendation.objects.restrict(user, "view"), reference=urgent.recommendation_ref
        )
        if request.method == "POST":
            messages.info(request, _("This urgent matter is already a recommendation."))
        return redirect("recommendations:detail", recommendation_pk=made.pk)
    if request.method != "POST":
        return redirect("visits:debrief", visit_pk=urgent.visit_id)
    require(user, "recommendations.draft")
    if not Visit.objects.restrict(user, "change").filter(pk=urgent.visit_id).exists():
        raise PermissionDenied
    try:
        recommendation = services.recommendation_from_urgent_draft(actor=user, draft=urgent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("visits:debrief", visit_pk=urgent.visit_id)
    messages.success(
        request,
        _("%(ref)s is drafted as an urgent recommendation. Check it and send it.")
        % {"ref": recommendation.reference},
    )
    return redirect("recommendations:detail", recommendation_pk=recommendation.pk)
