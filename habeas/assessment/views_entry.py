"""Criterion-by-criterion entry: rating, narrative, evidence and indicator figures.

The page works as plain forms: "Save and next" posts and moves on. With htmx, saving
swaps the entry area in place and evidence is added without leaving the page, so text
typed in the rating form is never lost to a reload. A stale save answers 409 with the
user's own text and what was saved meanwhile.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.assessment import selectors, services
from habeas.assessment.forms import EVIDENCE_FORMS, RatingForm, add_service_errors
from habeas.assessment.models import Assessment, Criterion, Evidence, Rating
from habeas.assessment.views import assessment_or_404, require_change
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import is_htmx, render_page
from habeas.places import archive

ENTRY = "assessment/criterion.html"
ENTRY_PARTIAL = "assessment/_entry.html"
EVIDENCE_PARTIAL = "assessment/_evidence.html"


def _criterion_or_404(assessment: Assessment, criterion_pk: int) -> Criterion:
    criteria = assessment.framework_version.criteria.select_related("section", "parent")
    return get_object_or_404(criteria, pk=criterion_pk)


def _rating(assessment: Assessment, criterion: Criterion) -> Rating:
    ratings = Rating.objects.select_related("assessment", "updated_by")
    return get_object_or_404(ratings, assessment=assessment, criterion=criterion)


def record_url(evidence: Evidence) -> str | None:
    """The page of a linked record, where its app has one (`places:authority_detail`, or
    `places:detail` for the app's own kind of record); it still answers 404 to anyone
    who may not see the record."""
    app_label, _dot, model_name = evidence.record_type.partition(".")
    names = [f"{app_label}:{model_name}_detail"]
    if app_label.removesuffix("s") == model_name:
        names.append(f"{app_label}:detail")
    for name in names:
        try:
            return reverse(name, args=[evidence.record_id])
        except NoReverseMatch:
            continue
    return None


def evidence_rows(
    assessment: Assessment, criterion: Criterion
) -> list[tuple[Evidence, str | None]]:
    rows: list[tuple[Evidence, str | None]] = []
    for item in selectors.evidence_for(assessment=assessment, criterion=criterion):
        url: str | None
        if item.kind == Evidence.Kind.DOCUMENT:
            url = reverse("assessment:evidence_download", args=[assessment.pk, item.pk])
        elif item.kind == Evidence.Kind.RECORD:
            url = record_url(item)
        else:
            url = item.url
        rows.append((item, url))
    return rows


def _context(
    request: HttpRequest,
    assessment: Assessment,
    criterion: Criterion,
    rating: Rating,
    form: RatingForm,
    **extra: Any,
) -> dict[str, Any]:
    statuses = selectors.criterion_statuses(assessment=assessment)
    before, after = selectors.neighbours(statuses, criterion)
    can_change = not assessment.is_frozen and selectors.may_change(
        user=request.user, assessment=assessment
    )
    done = sum(status.rated for status in statuses)
    readings = selectors.indicator_readings(assessment=assessment, criterion=criterion)
    evidence_forms = {
        kind: extra.pop(f"{kind}_form", None) or form_class()
        for kind, form_class in EVIDENCE_FORMS.items()
    }
    return {
        "assessment": assessment,
        "criterion": criterion,
        "rating": rating,
        "form": form,
        "statuses": statuses,
        "rated_count": done,
        "evidenced_count": sum(status.evidenced for status in statuses),
        "previous_criterion": before,
        "next_criterion": after,
        "readings": readings,
        "breakdown": selectors.coverage_breakdown(assessment=assessment, readings=readings),
        "evidence": evidence_rows(assessment, criterion),
        "evidence_forms": evidence_forms,
        "can_change": can_change,
        **extra,
    }


@access.verified
@require_GET
def criteria_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Where to pick up: the first criterion not yet rated."""
    assessment = assessment_or_404(request, pk)
    first = selectors.first_to_rate(selectors.criterion_statuses(assessment=assessment))
    if first is None:
        return redirect("assessment:detail", pk=assessment.pk)
    return redirect("assessment:criterion", pk=assessment.pk, criterion_pk=first.pk)


@access.verified
@require_http_methods(["GET", "POST"])
def criterion_entry(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    criterion = _criterion_or_404(assessment, criterion_pk)
    rating = _rating(assessment, criterion)
    if request.method == "POST":
        require_change(request, assessment)
        return _save(request, assessment, criterion, rating)
    context = _context(request, assessment, criterion, rating, RatingForm.for_rating(rating))
    response = render_page(request, ENTRY, context, partial=ENTRY_PARTIAL)
    if is_htmx(request):
        response["HX-Push-Url"] = request.get_full_path()
    return response


def _save(
    request: HttpRequest, assessment: Assessment, criterion: Criterion, rating: Rating
) -> HttpResponse:
    form = RatingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.rating_save(
                actor=request.user,
                rating=rating,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                narrative=form.cleaned_data["narrative"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            return _stale(request, assessment, criterion, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, assessment, criterion, rating)
    context = _context(request, assessment, criterion, rating, form)
    return render_page(request, ENTRY, context, partial=ENTRY_PARTIAL, status=status)


def _saved(
    request: HttpRequest, assessment: Assessment, criterion: Criterion, rating: Rating
) -> HttpResponse:
    statuses = selectors.criterion_statuses(assessment=assessment)
    _before, after = selectors.neighbours(statuses, criterion)
    if request.POST.get("then") == "next" and after is not None:
        return redirect("assessment:criterion", pk=assessment.pk, criterion_pk=after.pk)
    if request.POST.get("then") == "next":
        messages.success(request, _("That was the last criterion."))
        return _leave_for(request, reverse("assessment:detail", args=[assessment.pk]))
    if is_htmx(request):
        context = _context(
            request, assessment, criterion, rating, RatingForm.for_rating(rating), saved=True
        )
        return render_page(request, ENTRY, context, partial=ENTRY_PARTIAL)
    messages.success(request, _("The rating was saved."))
    return redirect("assessment:criterion", pk=assessment.pk, criterion_pk=criterion.pk)


def _leave_for(request: HttpRequest, target: str) -> HttpResponse:
    """Go to another page; htmx is told to load it whole rather than swap it in."""
    if not is_htmx(request):
        return redirect(target)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = target
    return response


def _stale(
    request: HttpRequest, assessment: Assessment, criterion: Criterion, stale: StaleEdit
) -> HttpResponse:
    """409: the user's text stays in the form, beside what someone saved meanwhile."""
    current = _rating(assessment, criterion)
    data = request.POST.copy()
    data["version"] = str(stale.current_version)
    form = RatingForm(data)
    form.is_valid()
    context = _context(
        request, assessment, criterion, current, form, stale=True, saved_meanwhile=current
    )
    return render_page(request, ENTRY, context, partial=ENTRY_PARTIAL, status=409)


# Evidence ------------------------------------------------


@access.verified
@require_POST
def evidence_add(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    criterion = _criterion_or_404(assessment, criterion_pk)
    require_change(request, assessment)
    kind = request.POST.get("kind", "")
    form_class = EVIDENCE_FORMS.get(kind)
    if form_class is None:
        raise BadRequest(_("Choose a kind of evidence."))
    form = form_class(request.POST, request.FILES or None)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user,
                assessment=assessment,
                criterion=criterion,
                kind=kind,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _evidence_changed(request, assessment, criterion, _("The evidence was added."))
    rating = _rating(assessment, criterion)
    context = _context(
        request,
        assessment,
        criterion,
        rating,
        RatingForm.for_rating(rating),
        **{f"{kind}_form": form, "open_kind": kind},
    )
    return render_page(request, ENTRY, context, partial=EVIDENCE_PARTIAL, status=400)


def _evidence_changed(
    request: HttpRequest,
    assessment: Assessment,
    criterion: Criterion,
    message: str,
    *,
    refused: bool = False,
) -> HttpResponse:
    """The evidence area again (htmx), or the criterion page with the message."""
    if is_htmx(request):
        rating = _rating(assessment, criterion)
        context = _context(
            request,
            assessment,
            criterion,
            rating,
            RatingForm.for_rating(rating),
            notice=message,
            refused=refused,
        )
        return render_page(
            request, ENTRY, context, partial=EVIDENCE_PARTIAL, status=400 if refused else 200
        )
    (messages.error if refused else messages.success)(request, message)
    return redirect("assessment:criterion", pk=assessment.pk, criterion_pk=criterion.pk)


@access.verified
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    evidence = get_object_or_404(assessment.evidence.select_related("criterion"), pk=evidence_pk)
    require_change(request, assessment)
    criterion = _criterion_or_404(assessment, evidence.criterion_id)
    try:
        services.evidence_remove(actor=request.user, evidence=evidence)
    except ValidationError as error:
        message = " ".join(error.messages)
        return _evidence_changed(request, assessment, criterion, message, refused=True)
    return _evidence_changed(request, assessment, criterion, _("The evidence was removed."))


@access.verified
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Serve an uploaded document only as a download: never shown, never run."""
    assessment = assessment_or_404(request, pk)
    evidence = get_object_or_404(
        assessment.evidence.filter(kind=Evidence.Kind.DOCUMENT).exclude(stored_name=None),
        pk=evidence_pk,
    )
    handle = services.evidence_open(actor=request.user, evidence=evidence)
    filename = archive.sanitise_filename(evidence.original_name, fallback="document")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
