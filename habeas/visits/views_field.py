"""Pages of the visit's field work and its debriefing (¶13–16, 25, 31b).

Thin views: forms validate shapes, services write and enforce the rules, reads go
through `restrict`. A visit the user may not see answers 404; interviews, register
checks and photographs answer 404 too to anyone outside the visit's team and the head,
even a colleague who may see the visit. Seeing a visit without being allowed to change
it gets 403 on its forms. Pages that show sealed content are audited by the services
that unseal it; no list shows note text.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places.forms import add_service_errors
from habeas.places.models import Unit
from habeas.places.views import form_rows
from habeas.visits import photos, services_field, triangulation
from habeas.visits.anonymity import anonymity_status
from habeas.visits.coverage import coverage_gaps, coverage_rows
from habeas.visits.forms_field import (
    CoverageForm,
    DebriefForm,
    DifficultyForm,
    EvidenceForm,
    FindingForm,
    InterviewForm,
    PhotoForm,
    RegisterCheckForm,
    UrgentDraftForm,
)
from habeas.visits.models import (
    Debrief,
    Difficulty,
    Evidence,
    Finding,
    Interview,
    Photo,
    RegisterCheck,
    Standard,
    UrgentDraft,
    Visit,
)

# -- shared ------------------------------------------------------------------------------


def visit_or_404(request: HttpRequest, visit_pk: int) -> Visit:
    return get_object_or_404(Visit.objects.restrict(request.user, "view"), pk=visit_pk)


def visit_to_change(request: HttpRequest, visit_pk: int) -> Visit:
    """404 if the visit is hidden, 403 if it is seen but may not be changed."""
    visit = visit_or_404(request, visit_pk)
    if not services_field.may_change(request.user, visit):
        raise PermissionDenied
    return visit


def team_visit(request: HttpRequest, visit_pk: int) -> Visit:
    """A visit whose interviews, registers and photos the user may see, or 404."""
    visit = visit_or_404(request, visit_pk)
    if not services_field.team_access(request.user, visit):
        raise Http404
    return visit


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _base(request: HttpRequest, visit: Visit, **extra: Any) -> dict[str, Any]:
    return {
        "visit": visit,
        "can_change": services_field.may_change(request.user, visit),
        "on_team": services_field.team_access(request.user, visit),
        **extra,
    }


def field_summary_context(user: Any, visit: Visit) -> dict[str, Any]:
    """Counts and the anonymity status shown on the visit's page (no content)."""
    team = services_field.team_access(user, visit)
    summary: dict[str, Any] = {
        "on_team": team,
        "gaps": coverage_gaps(visit),
        "units": len(coverage_rows(visit)),
        "findings": Finding.objects.restrict(user, "view").filter(visit=visit).count(),
        "difficulties": Difficulty.objects.restrict(user, "view").filter(visit=visit).count(),
        "urgent": UrgentDraft.objects.restrict(user, "view").filter(visit=visit).count(),
        "debrief": Debrief.objects.restrict(user, "view").filter(visit=visit).first(),
    }
    if team:
        summary["interviews"] = Interview.objects.restrict(user, "view").filter(visit=visit).count()
        summary["register_checks"] = (
            RegisterCheck.objects.restrict(user, "view").filter(visit=visit).count()
        )
        summary["photos"] = Photo.objects.restrict(user, "view").filter(visit=visit).count()
        summary["anonymity"] = anonymity_status(visit)
    return summary


@access.verified
@require_GET
def field_status(request: HttpRequest, visit_pk: int) -> HttpResponse:
    """The field work's counts and anonymity status, loaded into the visit's page."""
    visit = visit_or_404(request, visit_pk)
    context = {"visit": visit, "field": field_summary_context(request.user, visit)}
    return render(request, "visits/coverage_status.html", context)


# -- unit coverage ----------------------------------------------------------------------


@access.verified
@require_GET
def coverage(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_or_404(request, visit_pk)
    context = _base(
        request,
        visit,
        rows=coverage_rows(visit),
        gaps=coverage_gaps(visit),
        field=field_summary_context(request.user, visit),
    )
    return render(request, "visits/coverage.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def coverage_unit(request: HttpRequest, visit_pk: int, unit_pk: int) -> HttpResponse:
    visit = visit_to_change(request, visit_pk)
    unit = get_object_or_404(Unit.objects.filter(place_id=visit.place_id), pk=unit_pk)
    form = CoverageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_field.coverage_record(
                actor=request.user,
                visit=visit,
                unit=unit,
                seen=form.cleaned_data["seen"],
                held=form.cleaned_data["held"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Coverage of %(unit)s recorded.") % {"unit": unit.name})
            return redirect("visits:coverage", visit_pk=visit.pk)
    context = _base(request, visit, unit=unit, form=form)
    return render(request, "visits/coverage_unit.html", context, status=_status(form))


# -- interviews -------------------------------------------------------------------------


def _interview(request: HttpRequest, visit: Visit, interview_id: UUID, action: str) -> Interview:
    queryset = Interview.objects.restrict(request.user, action).filter(visit=visit)
    return get_object_or_404(queryset.select_related("unit", "interviewer"), pk=interview_id)


@access.verified
@require_GET
def interview_list(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    interviews = (
        Interview.objects.restrict(request.user, "view")
        .filter(visit=visit)
        .select_related("unit", "interviewer", "follow_up_of")
        .defer("notes", "identity")
    )
    context = _base(request, visit, interviews=interviews, anonymity=anonymity_status(visit))
    return render(request, "visits/interview_list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    if not services_field.team_access(request.user, visit, "change"):
        raise PermissionDenied
    identity = services_field.may_see_identity(request.user, visit)
    kind = request.GET.get("kind") or Interview.Kind.PRIVATE
    initial = {
        "kind": kind,
        "pseudonym": services_field.suggest_pseudonym(visit, kind),
        "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "interviewer": request.user.pk,
        "participants": 1,
    }
    form = InterviewForm(request.POST or None, initial=initial, visit=visit, identity=identity)
    if request.method == "POST" and form.is_valid():
        try:
            made = services_field.interview_create(
                actor=request.user, visit=visit, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Interview %(p)s recorded.") % {"p": made.pseudonym})
            return redirect("visits:interview_list", visit_pk=visit.pk)
    context = _base(request, visit, form=form, rows=form_rows(form), interview=None)
    return render(request, "visits/interview_form.html", context, status=_status(form))


@access.verified
@require_GET
def interview_detail(request: HttpRequest, visit_pk: int, interview_id: UUID) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    interview = _interview(request, visit, interview_id, "view")
    opened = services_field.interview_open(actor=request.user, interview=interview)
    context = _base(request, visit, interview=interview, opened=opened)
    return render(request, "visits/interview_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, visit_pk: int, interview_id: UUID) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    interview = _interview(request, visit, interview_id, "change")
    if not services_field.team_access(request.user, visit, "change"):
        raise PermissionDenied
    identity = services_field.may_see_identity(request.user, visit)
    stale = False
    if request.method == "POST":
        form = InterviewForm(request.POST, instance=interview, visit=visit, identity=identity)
        if form.is_valid():
            try:
                services_field.interview_update(
                    actor=request.user,
                    interview=interview,
                    data=form.service_data(),
                    expected_version=form.cleaned_data.get("version") or interview.version,
                )
            except StaleEdit:
                stale = True
                interview.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(interview.version)
                form = InterviewForm(data, instance=interview, visit=visit, identity=identity)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Interview saved."))
                return redirect(
                    "visits:interview_detail", visit_pk=visit.pk, interview_id=interview.pk
                )
    else:
        opened = services_field.interview_open(actor=request.user, interview=interview)
        initial = {"version": interview.version, "notes": opened["notes"]}
        if identity:
            initial["identity"] = opened.get("identity", "")
        form = InterviewForm(instance=interview, initial=initial, visit=visit, identity=identity)
    status = 409 if stale else _status(form)
    context = _base(
        request, visit, form=form, rows=form_rows(form), interview=interview, stale=stale
    )
    return render(request, "visits/interview_form.html", context, status=status)


@access.verified
@require_POST
def interview_follow_up(request: HttpRequest, visit_pk: int, interview_id: UUID) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    interview = _interview(request, visit, interview_id, "change")
    try:
        follow_up = services_field.interview_plan_follow_up(actor=request.user, interview=interview)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("visits:interview_list", visit_pk=visit.pk)
    messages.success(
        request, _("Private follow-up planned: set its pseudonym when the interview is held.")
    )
    return redirect("visits:interview_edit", visit_pk=visit.pk, interview_id=follow_up.pk)


# -- register checks ------------------------------------------------------------------


def _register_check(
    request: HttpRequest, visit: Visit, register_check_id: UUID, action: str
) -> RegisterCheck:
    queryset = RegisterCheck.objects.restrict(request.user, action).filter(visit=visit)
    return get_object_or_404(queryset.select_related("unit"), pk=register_check_id)


@access.verified
@require_GET
def register_check_list(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    checks = (
        RegisterCheck.objects.restrict(request.user, "view")
        .filter(visit=visit)
        .select_related("unit")
        .defer("discrepancies")
    )
    return render(request, "visits/register_check_list.html", _base(request, visit, checks=checks))


@access.verified
@require_http_methods(["GET", "POST"])
def register_check_create(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    if not services_field.team_access(request.user, visit, "change"):
        raise PermissionDenied
    form = RegisterCheckForm(request.POST or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            services_field.register_check_create(
                actor=request.user, visit=visit, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Register check recorded."))
            return redirect("visits:register_check_list", visit_pk=visit.pk)
    context = _base(request, visit, form=form, rows=form_rows(form), check=None)
    return render(request, "visits/register_check_form.html", context, status=_status(form))


@access.verified
@require_GET
def register_check_detail(
    request: HttpRequest, visit_pk: int, register_check_id: UUID
) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    check = _register_check(request, visit, register_check_id, "view")
    text = services_field.register_check_open(actor=request.user, check=check)
    context = _base(request, visit, check=check, discrepancies=text)
    return render(request, "visits/register_check_detail.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def register_check_edit(
    request: HttpRequest, visit_pk: int, register_check_id: UUID
) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    check = _register_check(request, visit, register_check_id, "change")
    if request.method == "POST":
        form = RegisterCheckForm(request.POST, instance=check, visit=visit)
        if form.is_valid():
            try:
                services_field.register_check_update(
                    actor=request.user, check=check, data=form.service_data()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Register check saved."))
                return redirect(
                    "visits:register_check_detail",
                    visit_pk=visit.pk,
                    register_check_id=check.pk,
                )
    else:
        text = services_field.register_check_open(actor=request.user, check=check)
        form = RegisterCheckForm(instance=check, initial={"discrepancies": text}, visit=visit)
    context = _base(request, visit, form=form, rows=form_rows(form), check=check)
    return render(request, "visits/register_check_form.html", context, status=_status(form))


# -- findings and evidence --------------------------------------------------------------


def _finding(request: HttpRequest, visit: Visit, finding_pk: int, action: str) -> Finding:
    queryset = Finding.objects.restrict(request.user, action).filter(visit=visit)
    return get_object_or_404(queryset.select_related("unit"), pk=finding_pk)


@access.verified
@require_GET
def finding_list(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_or_404(request, visit_pk)
    findings = (
        Finding.objects.restrict(request.user, "view")
        .filter(visit=visit)
        .select_related("unit")
        .annotate(evidence_count=Count("evidence"))
    )
    return render(request, "visits/finding_list.html", _base(request, visit, findings=findings))


@access.verified
@require_http_methods(["GET", "POST"])
def finding_create(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_to_change(request, visit_pk)
    form = FindingForm(request.POST or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            finding = services_field.finding_create(
                actor=request.user, visit=visit, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Finding recorded: now add its evidence."))
            return redirect("visits:finding_detail", visit_pk=visit.pk, finding_pk=finding.pk)
    context = _base(request, visit, form=form, rows=form_rows(form), finding=None)
    return render(request, "visits/finding_form.html", context, status=_status(form))


@access.verified
@require_GET
def finding_detail(request: HttpRequest, visit_pk: int, finding_pk: int) -> HttpResponse:
    visit = visit_or_404(request, visit_pk)
    finding = _finding(request, visit, finding_pk, "view")
    context = _finding_context(request, visit, finding)
    return render(request, "visits/finding_detail.html", context)


def _finding_context(
    request: HttpRequest, visit: Visit, finding: Finding, form: Any = None
) -> dict[str, Any]:
    can_change = services_field.may_change(request.user, visit)
    team = services_field.team_access(request.user, visit)
    evidence = Evidence.objects.restrict(request.user, "view").filter(finding=finding)
    evidence = evidence.select_related("document")
    if team:
        evidence = evidence.select_related("interview", "register_check").defer(
            "interview__notes", "interview__identity", "register_check__discrepancies"
        )
    if form is None and can_change:
        form = EvidenceForm(visit=visit, user=request.user)
    return _base(
        request,
        visit,
        finding=finding,
        evidence=evidence,
        explained=triangulation.explain(finding),
        standards=[label for value, label in Standard.choices if value in finding.standards],
        evidence_form=form,
        evidence_rows=form_rows(form) if form is not None else [],
    )


@access.verified
@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, visit_pk: int, finding_pk: int) -> HttpResponse:
    visit = visit_to_change(request, visit_pk)
    finding = _finding(request, visit, finding_pk, "change")
    stale = False
    if request.method == "POST":
        form = FindingForm(request.POST, instance=finding, visit=visit)
        if form.is_valid():
            try:
                services_field.finding_update(
                    actor=request.user,
                    finding=finding,
                    data=form.service_data(),
                    expected_version=form.cleaned_data.get("version") or finding.version,
                )
            except StaleEdit:
                stale = True
                finding.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(finding.version)
                form = FindingForm(data, instance=finding, visit=visit)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Finding saved."))
                return redirect("visits:finding_detail", visit_pk=visit.pk, finding_pk=finding.pk)
    else:
        form = FindingForm(instance=finding, initial={"version": finding.version}, visit=visit)
    status = 409 if stale else _status(form)
    context = _base(request, visit, form=form, rows=form_rows(form), finding=finding, stale=stale)
    return render(request, "visits/finding_form.html", context, status=status)


@access.verified
@require_POST
def evidence_add(request: HttpRequest, visit_pk: int, finding_pk: int) -> HttpResponse:
    visit = visit_to_change(request, visit_pk)
    finding = _finding(request, visit, finding_pk, "change")
    form = EvidenceForm(request.POST, visit=visit, user=request.user)
    if form.is_valid():
        try:
            services_field.evidence_add(
                actor=request.user, finding=finding, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("visits:finding_detail", visit_pk=visit.pk, finding_pk=finding.pk)
    context = _finding_context(request, visit, finding, form)
    return render(request, "visits/finding_detail.html", context, status=400)


@access.verified
@require_POST
def evidence_remove(
    request: HttpRequest, visit_pk: int, finding_pk: int, evidence_pk: int
) -> HttpResponse:
    visit = visit_to_change(request, visit_pk)
    finding = _finding(request, visit, finding_pk, "change")
    evidence = get_object_or_404(
        Evidence.objects.restrict(request.user, "change").filter(finding=finding), pk=evidence_pk
    )
    was_established = finding.established
    finding = services_field.evidence_remove(actor=request.user, evidence=evidence)
    if was_established and not finding.established:
        messages.warning(
            request,
            _(
                "Evidence removed. The finding now rests on a single source: it is no longer "
                "stated as established fact."
            ),
        )
    else:
        messages.success(request, _("Evidence removed."))
    return redirect("visits:finding_detail", visit_pk=visit.pk, finding_pk=finding.pk)


# -- photographs ----------------------------------------------------------------------


def _photo(request: HttpRequest, visit: Visit, photo_id: UUID) -> Photo:
    queryset = Photo.objects.restrict(request.user, "view").filter(visit=visit)
    return get_object_or_404(queryset, pk=photo_id)


@access.verified
@require_GET
def photo_list(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    items = (
        Photo.objects.restrict(request.user, "view").filter(visit=visit).defer("content", "caption")
    )
    return render(request, "visits/photo_list.html", _base(request, visit, photos=items))


@access.verified
@require_http_methods(["GET", "POST"])
def photo_upload(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    if not services_field.team_access(request.user, visit, "change"):
        raise PermissionDenied
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            photo = photos.photo_upload(
                actor=request.user,
                visit=visit,
                upload=form.cleaned_data["upload"],
                caption=form.cleaned_data["caption"],
                taken_on=form.cleaned_data["taken_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Photograph added: its metadata was removed."))
            return redirect("visits:photo_detail", visit_pk=visit.pk, photo_id=photo.pk)
    context = _base(request, visit, form=form, rows=form_rows(form))
    return render(request, "visits/photo_form.html", context, status=_status(form))


@access.verified
@require_GET
def photo_detail(request: HttpRequest, visit_pk: int, photo_id: UUID) -> HttpResponse:
    visit = team_visit(request, visit_pk)
    photo = _photo(request, visit, photo_id)
    caption = photos.photo_open(actor=request.user, photo=photo, what="caption").decode()
    context = _base(request, visit, photo=photo, caption=caption)
    return render(request, "visits/photo_detail.html", context)


@access.verified
@require_GET
def photo_image(request: HttpRequest, visit_pk: int, photo_id: UUID) -> HttpResponse:
    """The stripped picture, for the team only: inline image, never sniffed or cached."""
    visit = team_visit(request, visit_pk)
    photo = _photo(request, visit, photo_id)
    content = photos.photo_open(actor=request.user, photo=photo)
    extension = "png" if photo.content_type == "image/png" else "jpg"
    response = HttpResponse(content, content_type=photo.content_type)
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="photo.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response


# -- operational difficulties ---------------------------------------------------------


@access.verified
@require_GET
def difficulty_list(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_or_404(request, visit_pk)
    items = Difficulty.objects.restrict(request.user, "view").filter(visit=visit)
    return render(request, "visits/difficulty_list.html", _base(request, visit, difficulties=items))


@access.verified
@require_http_methods(["GET", "POST"])
def difficulty_create(request: HttpRequest, visit_pk: int) -> HttpResponse:
    return _difficulty_form(request, visit_to_change(request, visit_pk), None)


@access.verified
@require_http_methods(["GET", "POST"])
def difficulty_edit(request: HttpRequest, visit_pk: int, difficulty_pk: int) -> HttpResponse:
    visit = visit_to_change(request, visit_pk)
    difficulty = get_object_or_404(
        Difficulty.objects.restrict(request.user, "change").filter(visit=visit), pk=difficulty_pk
    )
    return _difficulty_form(request, visit, difficulty)


def _difficulty_form(
    request: HttpRequest, visit: Visit, difficulty: Difficulty | None
) -> HttpResponse:
    form = DifficultyForm(request.POST or None, instance=difficulty)
    if request.method == "POST" and form.is_valid():
        try:
            if difficulty is None:
                services_field.difficulty_create(
                    actor=request.user, visit=visit, data=form.cleaned_data
                )
            else:
                services_field.difficulty_update(
                    actor=request.user, difficulty=difficulty, data=form.cleaned_data
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Operational difficulty recorded."))
            return redirect("visits:difficulty_list", visit_pk=visit.pk)
    context = _base(request, visit, form=form, rows=form_rows(form), difficulty=difficulty)
    return render(request, "visits/difficulty_form.html", context, status=_status(form))


# -- the debrief and urgent drafts ------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def debrief(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_or_404(request, visit_pk)
    record = Debrief.objects.restrict(request.user, "view").filter(visit=visit).first()
    can_change = services_field.may_change(request.user, visit)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    stale = False
    form = None
    if can_change:
        initial = (
            {"version": record.version}
            if record
            else {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        )
        form = DebriefForm(request.POST or None, instance=record, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services_field.debrief_save(
                    actor=request.user,
                    visit=visit,
                    data=data,
                    expected_version=form.cleaned_data.get("version") if record else None,
                )
            except StaleEdit:
                stale = True
                record = Debrief.objects.get(visit=visit)
                post = request.POST.copy()
                post["version"] = str(record.version)
                form = DebriefForm(post, instance=record)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Debrief saved."))
                return redirect("visits:debrief", visit_pk=visit.pk)
    urgent = UrgentDraft.objects.restrict(request.user, "view").filter(visit=visit)
    context = _base(
        request,
        visit,
        debrief=record,
        form=form,
        rows=form_rows(form) if form is not None else [],
        urgent=urgent.select_related("addressee"),
        stale=stale,
    )
    status = 409 if stale else (_status(form) if form is not None else 200)
    return render(request, "visits/debrief.html", context, status=status)


@access.verified
@require_http_methods(["GET", "POST"])
def urgent_create(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_to_change(request, visit_pk)
    record = Debrief.objects.filter(visit=visit).first()
    initial = {"text": record.urgent_matters} if record else {}
    form = UrgentDraftForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services_field.urgent_draft_create(
                actor=request.user, visit=visit, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Urgent recommendation drafted."))
            return redirect("visits:debrief", visit_pk=visit.pk)
    context = _base(request, visit, form=form, rows=form_rows(form))
    return render(request, "visits/urgent_form.html", context, status=_status(form))
