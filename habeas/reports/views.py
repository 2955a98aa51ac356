"""The reports' drafting pages (¶19, 21, 22, 31c–d, 38): the list, a new report (its kind,
then what it covers), a report with its sections, workflow, comments and versions, a
section's editor, the report's settings, and the records behind a count.

Thin views: forms validate, services write, every read goes through `restrict`. Whoever
may not see a report gets 404 on it and on everything under it, the same as a missing
record; whoever sees it without the right to act gets 403 and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.places.forms import add_service_errors
from habeas.places.views import form_rows
from habeas.reports import content, figures, kinds, markdown, services
from habeas.reports.content_types import from_json
from habeas.reports.forms import (
    CommentForm,
    KindForm,
    ReportFilterForm,
    ReturnForm,
    ScopeForm,
    SectionForm,
    SettingsForm,
    kind_choices,
)
from habeas.reports.models import (
    CheckRun,
    Comment,
    Dissemination,
    Hit,
    Kind,
    Rendering,
    Report,
    ReportVersion,
    State,
)
from habeas.reports.views_shared import (
    ContentShaper,
    allow,
    is_draft,
    latest_of,
    may,
    report_for,
    scope_of,
    section_choices,
    versions_of,
)
from habeas.visits.models import Visit

PAGE_SIZE = 50
# The workflow's steps: the permission each needs (on the report) and its service.
WORKFLOW = {
    "submit": "draft",
    "return": "review",
    "approve": "review",
    "sign": "sign",
    "new": "draft",
}


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _to_detail(report: Report, anchor: str = "") -> HttpResponse:
    response = redirect("reports:detail", pk=report.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# -- the list --------------------------------------------------------------------------------


@access.verified
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    allow(user)
    filter_form = ReportFilterForm(request.GET)
    reports = _filtered(Report.objects.restrict(user, "view"), **filter_form.filters())
    reports = reports.select_related("visit", "visit__place", "place").order_by(
        "-updated_at", "-id"
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for report in page.object_list:
        report.scope = scope_of(report)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "can_draft": roles.can(user, "reports.draft"),
    }
    return render_page(request, "reports/list.html", context, partial="reports/_results.html")


def _filtered(reports: Any, *, q: str, kind: str, state: str, year: int | None) -> Any:
    if q:
        reports = reports.filter(Q(reference__icontains=q) | Q(title__icontains=q))
    if kind:
        reports = reports.filter(kind=kind)
    if state:
        reports = reports.filter(state=state)
    if year:
        covers = (
            Q(year=year)
            | Q(visit__starts_on__year=year)
            | Q(period_start__year__lte=year, period_end__year__gte=year)
            | Q(kind=Kind.FOLLOW_UP, visit__isnull=True, created_at__year=year)
        )
        reports = reports.filter(covers)
    return reports


# -- a new report ------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    """Step 1 (no kind chosen): the kinds, each in a sentence. Step 2: what the report of
    that kind covers, and nothing else."""
    user = request.user
    allow(user, "reports.draft")
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", "")
    if kind not in Kind.values:
        chosen = KindForm(request.GET if "kind" in request.GET else None)
        context = {"kind_form": chosen, "kinds": kind_choices(), "step": 1}
        return render(request, "reports/create.html", context, status=_status(chosen))
    # The visit page links here with the kind and its visit (or recommendation) chosen.
    preset = {name: request.GET[name] for name in ScopeForm.SCOPE_FIELDS if name in request.GET}
    if kind == Kind.FOLLOW_UP and "place" not in preset and preset.get("visit", "").isdigit():
        visit = Visit.objects.restrict(user, "view").filter(pk=int(preset["visit"])).first()
        if visit is not None:
            preset["place"] = str(visit.place_id)
    form = ScopeForm(_posted(request), kind=kind, user=user, initial=preset)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(actor=user, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(ref)s is created, its text drafted from the records. Edit each section.")
                % {"ref": report.reference},
            )
            return _to_detail(report)
    context = {
        "form": form,
        "rows": form_rows(form),
        "kind": kind,
        "kind_label": Kind(kind).label,
        "kind_help": dict((value, help) for value, _label, help in kind_choices())[kind],
        "step": 2,
    }
    return render(request, "reports/create.html", context, status=_status(form))


# -- a report ------------------------------------------------------------------------------------


@access.verified
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request, pk)
    return render(request, "reports/detail.html", detail_context(request, report))


def detail_context(
    request: HttpRequest, report: Report, version: ReportVersion | None = None, **forms: Any
) -> dict[str, Any]:
    """The report page: header, workflow actions, sections, and the side panel."""
    user = request.user
    latest = latest_of(user, report)
    version = version or latest
    built = content.build_content(user=user, report=report, version=version)
    current = version.pk == latest.pk
    can_draft = may(user, report, "draft")
    comments = Comment.objects.restrict(user, "view").filter(version=version)
    run = CheckRun.objects.restrict(user, "view").filter(version=version).first()
    renderings = (
        Rendering.objects.restrict(user, "view")
        .filter(version=version)
        .order_by("-created_at", "-id")[:6]
    )
    sections = ContentShaper(built, report=report, version=version).sections()
    titles = dict(section_choices(report))
    comment_list = list(comments.select_related("author").order_by("resolved", "created_at"))
    for comment in comment_list:
        comment.section_title = titles.get(comment.section, comment.section)  # type: ignore[attr-defined]
    return {
        "report": report,
        "version": version,
        "latest": latest,
        "is_current": current,
        "sections": sections,
        "signed_content": built if version.state == State.SIGNED else None,
        "editable": current and is_draft(version) and can_draft,
        "actions": _actions(user, report, version) if current else {},
        "return_form": forms.get("return_form") or ReturnForm(),
        "scope": scope_of(report),
        "comments": comment_list,
        "comment_form": forms.get("comment_form") or CommentForm(sections=section_choices(report)),
        "can_comment": current and (can_draft or may(user, report, "review")),
        "run": run,
        "open_hits": run.hits.filter(status=Hit.Status.OPEN).count() if run else None,
        "disseminations": Dissemination.objects.restrict(user, "view")
        .filter(report=report)
        .count(),
        "renderings": list(renderings),
        "versions": list(versions_of(user, report).select_related("signed_by").order_by("-number")),
        "errors": forms.get("errors") or [],
    }


def _actions(user: Any, report: Report, version: ReportVersion) -> dict[str, bool]:
    state = version.state
    signed = state == State.SIGNED
    published_now = report.published_version_id == version.pk
    return {
        "submit": state == State.DRAFT and may(user, report, "draft"),
        "return": state == State.IN_REVIEW and may(user, report, "review"),
        "approve": state == State.IN_REVIEW and may(user, report, "review"),
        "sign": state == State.APPROVED and may(user, report, "sign"),
        "new": signed and may(user, report, "draft"),
        "publish": signed and not published_now and may(user, report, "publish"),
        "unpublish": report.published_at is not None
        and roles.can(user, "reports.sign")
        and may(user, report, "publish"),
        "disseminate": signed and may(user, report, "disseminate"),
    }


@access.verified
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = report_for(request, pk)
    version = get_object_or_404(versions_of(request.user, report), number=number)
    context = detail_context(request, report, version)
    return render(request, "reports/version.html", context)


# -- the workflow -------------------------------------------------------------------------------


@access.verified
@require_POST
def workflow(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in WORKFLOW:
        allow(request.user)
        raise Http404
    report = report_for(request, pk, WORKFLOW[action])
    version = latest_of(request.user, report)
    user = request.user
    return_form = ReturnForm(request.POST) if action == "return" else None
    if return_form is not None and not return_form.is_valid():
        context = detail_context(request, report, return_form=return_form)
        return render(request, "reports/detail.html", context, status=400)
    try:
        if action == "submit":
            services.version_submit(actor=user, version=version)
            done = _("The version is sent for review.")
        elif action == "return" and return_form is not None:
            comment = return_form.cleaned_data["comment"]
            services.version_return(actor=user, version=version, comment=comment)
            done = _("The version is returned to its drafters with your comment.")
        elif action == "approve":
            services.version_approve(actor=user, version=version)
            done = _("The version is approved and awaits the head's signature.")
        elif action == "sign":
            services.version_sign(actor=user, version=version)
            done = _("The version is signed: its content is frozen as it is now.")
        else:
            new = services.version_new(actor=user, report=report)
            done = _("Version %(n)s is started from the signed text.") % {"n": new.number}
    except ValidationError as error:
        context = detail_context(request, report, errors=error.messages)
        return render(request, "reports/detail.html", context, status=400)
    messages.success(request, done)
    return _to_detail(report)


# -- a section ------------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One section's Markdown and whether the public version keeps it. Only the latest
    version while it is a draft: a version sent for review or signed is not edited."""
    user = request.user
    report = report_for(request, pk)
    spec = kinds.section_spec(report.kind, key)
    if spec is None:
        raise Http404
    report = report_for(request, pk, "draft")
    version = latest_of(user, report)
    if not is_draft(version):
        raise PermissionDenied
    form = SectionForm(_posted(request), initial=SectionForm.initial_of(version, key))
    status, saved_meanwhile, preview = 200, None, None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = markdown.render(form.cleaned_data["text"])
        else:
            try:
                _save_section(user, version, key, form)
            except StaleEdit:
                version = latest_of(user, report)
                if not is_draft(version):
                    raise PermissionDenied from None
                form, saved_meanwhile = _rebased(request, version, key)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("The section “%(title)s” is saved.") % {"title": spec.title}
                )
                return _to_detail(report, f"section-{key}")
    status = status if status == 409 else _status(form)
    context = {
        "report": report,
        "version": version,
        "spec": spec,
        "form": form,
        "stale": status == 409,
        "saved_meanwhile": saved_meanwhile,
        "preview": preview,
    }
    return render(request, "reports/section.html", context, status=status)


def _save_section(user: Any, version: ReportVersion, key: str, form: SectionForm) -> None:
    omitted = [k for k in (version.public_omit or []) if k != key]
    if form.cleaned_data["keep_out"]:
        omitted.append(key)
    services.version_edit(
        actor=user,
        version=version,
        sections={key: form.cleaned_data["text"]},
        public_omit=omitted,
        expected_version=form.cleaned_data.get("version") or 0,
    )


def _rebased(
    request: HttpRequest, version: ReportVersion, key: str
) -> tuple[SectionForm, dict[str, Any]]:
    """The user's own text again, now carrying the current version (so saving again
    applies it), with what was saved meanwhile shown beside it."""
    data = request.POST.copy()
    data["version"] = str(version.version)
    form = SectionForm(data, initial=SectionForm.initial_of(version, key))
    form.is_valid()
    saved = SectionForm.initial_of(version, key)
    return form, {"text": saved["text"], "keep_out": saved["keep_out"]}


# -- settings ---------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def report_settings(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = report_for(request, pk, "draft" if request.method == "POST" else "view")
    can_change = may(user, report, "draft")
    form = SettingsForm(_posted(request), user=user, initial=SettingsForm.initial_of(report))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(
                actor=user,
                report=report,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit:
            report = report_for(request, pk, "draft")
            data = request.POST.copy()
            data["version"] = str(report.version)
            form = SettingsForm(data, user=user, initial=SettingsForm.initial_of(report))
            form.is_valid()
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report's settings are saved."))
            return _to_detail(report)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    status = status if status == 409 else _status(form)
    context = {
        "report": report,
        "form": form,
        "rows": form_rows(form),
        "stale": status == 409,
        "can_change": can_change,
    }
    return render(request, "reports/settings.html", context, status=status)


# -- comments ------------------------------------------------------------------------------------


@access.verified
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = report_for(request, pk)
    version = latest_of(user, report)
    form = CommentForm(request.POST, sections=section_choices(report))
    if form.is_valid():
        try:
            services.comment_add(
                actor=user,
                version=version,
                section=form.cleaned_data.get("section") or "",
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            return _to_detail(report, "comments")
    context = detail_context(request, report, comment_form=form)
    return render(request, "reports/detail.html", context, status=400)


@access.verified
@require_POST
def comment_resolve(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    user = request.user
    report = report_for(request, pk)
    comment = get_object_or_404(
        Comment.objects.restrict(user, "view").filter(version__report=report), pk=comment_pk
    )
    try:
        services.comment_resolve(actor=user, comment=comment)
    except ValidationError as error:
        context = detail_context(request, report, errors=error.messages)
        return render(request, "reports/detail.html", context, status=400)
    messages.success(request, _("The comment is marked resolved."))
    return _to_detail(report, "comments")


# -- the records behind a count -----------------------------------------------------------------


@access.verified
@require_GET
def figure(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The records behind one count, read as the reader may see them now. For a signed
    version, the count in the report is the one frozen at signature."""
    user = request.user
    report = report_for(request, pk)
    number = request.GET.get("v", "")
    if number.isdigit():
        version = get_object_or_404(versions_of(user, report), number=int(number))
    else:
        version = latest_of(user, report)
    records = figures.figure_records(user=user, report=report, key=key)
    in_report = None
    if version.state == State.SIGNED and version.content:
        frozen = from_json(version.content).figures.get(key)
        in_report = frozen.value if frozen is not None else None
    context = {
        "report": report,
        "version": version,
        "key": key,
        "records": records,
        "in_report": in_report,
        "signed": version.state == State.SIGNED,
        "back": reverse("reports:detail", kwargs={"pk": report.pk})
        if version.number == latest_of(user, report).number
        else reverse("reports:version", kwargs={"pk": report.pk, "number": version.number}),
    }
    return render(request, "reports/figure.html", context)
