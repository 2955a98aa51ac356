"""Pages of the guidelines, the briefing pack and the paper checklist (¶13, 17).

Thin views: forms validate, services write, reads start from `restrict`. Someone who may
see nothing of visits, or not this visit, gets 404 as for a missing id; someone who may
see but not change gets 403. A stale edit answers 409 with the user's text kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.places.forms import add_service_errors
from habeas.visits import briefing, briefing_pdf, guidelines
from habeas.visits.forms_guidelines import (
    ChecklistAnswersForm,
    GuidelineForm,
    GuidelineItemForm,
    MoveForm,
    NewDraftForm,
    VersionForm,
    initial_answers,
)
from habeas.visits.models import ChecklistAnswer, Guideline, GuidelineItem, Visit


def _stale_text() -> str:
    return _(
        "Someone changed this draft since you opened it. Nothing was saved. Your text is "
        "kept below: check the draft as it is now, then save again."
    )


# Shared ------------------------------------------------------------------------------


def _require_view(user: Any) -> None:
    if not roles.can(user, "visits.view"):
        raise Http404


def _require_edit(user: Any) -> None:
    if not roles.can(user, "visits.guidelines"):
        raise PermissionDenied


def _guideline_or_404(request: HttpRequest, pk: int) -> Guideline:
    query = Guideline.objects.restrict(request.user, "view").select_related("category")
    return get_object_or_404(query, pk=pk)


def _item_or_404(guideline: Guideline, pk: int) -> GuidelineItem:
    return get_object_or_404(GuidelineItem.objects.filter(guideline=guideline), pk=pk)


def _visit_or_404(request: HttpRequest, pk: int) -> Visit:
    visit = briefing.visit_for_briefing(user=request.user, visit_pk=pk)
    if visit is None:
        raise Http404
    return visit


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Guidelines --------------------------------------------------------------------------


@access.verified
@require_GET
def guideline_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    can_edit = roles.can(request.user, "visits.guidelines")
    categories = guidelines.versions_by_category(user=request.user)
    context = {
        "categories": [(c, v) for c, v in categories if v],
        "without": [c for c, v in categories if not v] if can_edit else [],
        "can_edit": can_edit,
    }
    return render(request, "visits/guideline_list.html", context)


def _detail_context(request: HttpRequest, guideline: Guideline) -> dict[str, Any]:
    can_edit = roles.can(request.user, "visits.guidelines")
    draft = None
    if can_edit and guideline.status != Guideline.Status.DRAFT:
        draft = Guideline.objects.filter(
            category_id=guideline.category_id, status=Guideline.Status.DRAFT
        ).first()
    items = list(guideline.items.order_by("position", "id"))
    return {
        "guideline": guideline,
        "items": items,
        "checklist": guidelines.items_by_theme(guideline),
        "versions": Guideline.objects.filter(category_id=guideline.category_id).order_by("-number"),
        "can_edit": can_edit,
        "editable": can_edit and guideline.status == Guideline.Status.DRAFT,
        "draft": draft,
        "private_only": sum(1 for item in items if not item.group_allowed),
    }


def _detail(
    request: HttpRequest, guideline: Guideline, *, status: int = 200, error: str = ""
) -> HttpResponse:
    context = _detail_context(request, guideline)
    context["error"] = error
    return render(request, "visits/guideline_detail.html", context, status=status)


@access.verified
@require_GET
def guideline_detail(request: HttpRequest, guideline_pk: int) -> HttpResponse:
    return _detail(request, _guideline_or_404(request, guideline_pk))


@access.verified
@require_POST
def guideline_new(request: HttpRequest) -> HttpResponse:
    """Make a new draft version of a category's guideline (a copy of its latest)."""
    _require_view(request.user)
    _require_edit(request.user)
    form = NewDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a category of place."))
        return redirect("visits:guideline_list")
    try:
        draft = guidelines.guideline_draft_create(
            actor=request.user, category=form.cleaned_data["category"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("visits:guideline_list")
    messages.success(request, _("A new draft version was made. Change it, then publish it."))
    return redirect("visits:guideline_detail", guideline_pk=draft.pk)


@access.verified
@require_http_methods(["GET", "POST"])
def guideline_edit(request: HttpRequest, guideline_pk: int) -> HttpResponse:
    guideline = _guideline_or_404(request, guideline_pk)
    _require_edit(request.user)
    if guideline.status != Guideline.Status.DRAFT:
        return _detail(request, guideline, status=400, error=_("Only a draft can be changed."))
    initial = {"version": guideline.version}
    form = GuidelineForm(request.POST or None, instance=guideline, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                guidelines.guideline_update(
                    actor=request.user,
                    guideline=Guideline.objects.get(pk=guideline.pk),
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEdit:
                form, status = _stale_form(GuidelineForm, request, guideline), 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("visits:guideline_detail", guideline_pk=guideline.pk)
    context = {"guideline": guideline, "form": form, "stale": status == 409}
    return render(request, "visits/guideline_form.html", context, status=status)


def _stale_form(form_class: Any, request: HttpRequest, guideline: Guideline, **kw: Any) -> Any:
    """The user's text again, carrying the draft's current version so a second save
    applies."""
    current = Guideline.objects.get(pk=guideline.pk)
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = form_class(data, **kw)
    form.is_valid()
    return form


@access.verified
@require_http_methods(["GET", "POST"])
def guideline_item_add(request: HttpRequest, guideline_pk: int) -> HttpResponse:
    guideline = _guideline_or_404(request, guideline_pk)
    _require_edit(request.user)
    return _item_form(request, guideline, None)


@access.verified
@require_http_methods(["GET", "POST"])
def guideline_item_edit(request: HttpRequest, guideline_pk: int, item_pk: int) -> HttpResponse:
    guideline = _guideline_or_404(request, guideline_pk)
    _require_edit(request.user)
    return _item_form(request, guideline, _item_or_404(guideline, item_pk))


def _item_form(
    request: HttpRequest, guideline: Guideline, item: GuidelineItem | None
) -> HttpResponse:
    if guideline.status != Guideline.Status.DRAFT:
        return _detail(request, guideline, status=400, error=_("Only a draft can be changed."))
    initial = {"version": guideline.version}
    form = GuidelineItemForm(request.POST or None, instance=item, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data, version = form.cleaned_data, form.cleaned_data["version"]
            try:
                if item is None:
                    guidelines.guideline_item_add(
                        actor=request.user, guideline=guideline, data=data, expected_version=version
                    )
                else:
                    fresh = GuidelineItem.objects.select_related("guideline").get(pk=item.pk)
                    guidelines.guideline_item_update(
                        actor=request.user, item=fresh, data=data, expected_version=version
                    )
            except StaleEdit:
                form = _stale_form(GuidelineItemForm, request, guideline, instance=item)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The item was saved."))
                return redirect("visits:guideline_detail", guideline_pk=guideline.pk)
    context = {"guideline": guideline, "item": item, "form": form, "stale": status == 409}
    return render(request, "visits/guideline_item_form.html", context, status=status)


def _draft_action(request: HttpRequest, guideline_pk: int, action: Any, done: str) -> HttpResponse:
    """A button on the draft's page: run `action(version)`; 409 if the draft changed."""
    guideline = _guideline_or_404(request, guideline_pk)
    _require_edit(request.user)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail(request, guideline, status=400, error=_("The form was incomplete."))
    try:
        action(guideline, form.cleaned_data["version"])
    except StaleEdit:
        guideline.refresh_from_db()
        return _detail(request, guideline, status=409, error=_stale_text())
    except ValidationError as error:
        return _detail(request, guideline, status=400, error=" ".join(error.messages))
    messages.success(request, done)
    return redirect("visits:guideline_detail", guideline_pk=guideline.pk)


@access.verified
@require_POST
def guideline_item_remove(request: HttpRequest, guideline_pk: int, item_pk: int) -> HttpResponse:
    def remove(guideline: Guideline, version: int) -> None:
        item = _item_or_404(guideline, item_pk)
        guidelines.guideline_item_remove(actor=request.user, item=item, expected_version=version)

    return _draft_action(request, guideline_pk, remove, _("The item was removed."))


@access.verified
@require_POST
def guideline_item_move(request: HttpRequest, guideline_pk: int, item_pk: int) -> HttpResponse:
    form = MoveForm(request.POST)
    direction = form.cleaned_data["direction"] if form.is_valid() else ""

    def move(guideline: Guideline, version: int) -> None:
        item = _item_or_404(guideline, item_pk)
        guidelines.guideline_item_move(
            actor=request.user, item=item, direction=direction, expected_version=version
        )

    return _draft_action(request, guideline_pk, move, _("The item was moved."))


@access.verified
@require_POST
def guideline_publish(request: HttpRequest, guideline_pk: int) -> HttpResponse:
    def publish(guideline: Guideline, version: int) -> None:
        guidelines.guideline_publish(
            actor=request.user, guideline=guideline, expected_version=version
        )

    done = _("The version is now in use; the previous one was retired.")
    return _draft_action(request, guideline_pk, publish, done)


@access.verified
@require_POST
def guideline_discard(request: HttpRequest, guideline_pk: int) -> HttpResponse:
    guideline = _guideline_or_404(request, guideline_pk)
    _require_edit(request.user)
    try:
        guidelines.guideline_discard(actor=request.user, guideline=guideline)
    except ValidationError as error:
        return _detail(request, guideline, status=400, error=" ".join(error.messages))
    messages.success(request, _("The draft was thrown away."))
    return redirect("visits:guideline_list")


# The briefing pack --------------------------------------------------------------------


@access.verified
@require_GET
def briefing_page(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = _visit_or_404(request, visit_pk)
    pack = briefing.briefing_pack(user=request.user, visit=visit)
    briefing.briefing_record_read(actor=request.user, visit=visit, file_format="html")
    can_answer = Visit.objects.restrict(request.user, "change").filter(pk=visit.pk).exists()
    return render(request, "visits/briefing.html", {"pack": pack, "can_answer": can_answer})


@access.verified
@require_GET
def briefing_download(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = _visit_or_404(request, visit_pk)
    pack = briefing.briefing_pack(user=request.user, visit=visit)
    content = briefing_pdf.briefing_pdf(pack)
    briefing.briefing_record_read(actor=request.user, visit=visit, file_format="pdf")
    return _pdf_response(content, briefing_pdf.file_name(visit, "briefing"))


# The paper checklist and its answers -------------------------------------------------


def _checklist(visit: Visit) -> tuple[Guideline | None, list[guidelines.ThemeItems]]:
    guideline = guidelines.guideline_for_visit(visit)
    return guideline, guidelines.items_by_theme(guideline)


@access.verified
@require_GET
def checklist_print(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = _visit_or_404(request, visit_pk)
    guideline, checklist = _checklist(visit)
    context = {
        "visit": visit,
        "guideline": guideline,
        "checklist": checklist,
        "answers": [label for _value, label in ChecklistAnswer.Answer.choices],
    }
    return render(request, "visits/checklist_print.html", context)


@access.verified
@require_GET
def checklist_pdf(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = _visit_or_404(request, visit_pk)
    guideline, checklist = _checklist(visit)
    content = briefing_pdf.checklist_pdf(visit=visit, guideline=guideline, checklist=checklist)
    return _pdf_response(content, briefing_pdf.file_name(visit, "checklist"))


@access.verified
@require_http_methods(["GET", "POST"])
def checklist_answers(request: HttpRequest, visit_pk: int) -> HttpResponse:
    """The answers typed in after the visit, from the paper form: one post for all."""
    visit = _visit_or_404(request, visit_pk)
    if not Visit.objects.restrict(request.user, "change").filter(pk=visit.pk).exists():
        raise PermissionDenied
    guideline, checklist = _checklist(visit)
    existing = guidelines.answers_of(visit)
    form = ChecklistAnswersForm(
        request.POST or None, checklist=checklist, initial=initial_answers(existing)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = guidelines.checklist_answers_save(
                    actor=request.user, visit=visit, answers=form.answers()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                text = ngettext("%(count)s answer saved.", "%(count)s answers saved.", saved)
                messages.success(request, text % {"count": saved})
                return redirect("visits:checklist_answers", visit_pk=visit.pk)
    context = {"visit": visit, "guideline": guideline, "form": form, "existing": existing}
    return render(request, "visits/checklist_answers.html", context, status=status)
