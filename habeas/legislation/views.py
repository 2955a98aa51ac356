"""The legislation tracker's pages (¶12, 26, 28, 29): the ranked list with the reasons of
each rank, an item's page (its checklist, opinions, advocacy, outcome and links), and the
benchmark checklists.

Thin views: forms validate, services write, selectors read through `restrict`. Whoever
may not see the tracker (an outsider, the administrator, an external expert) gets 404
everywhere, the same as a missing record; whoever sees it without the right to act gets
403 and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from habeas.accounts import roles
from habeas.cases.models import RegisterEntry
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.legislation import selectors, services
from habeas.legislation.forms import (
    AssessmentForm,
    BenchmarkForm,
    ItemFilterForm,
    ItemForm,
    LinksForm,
    OpinionForm,
    OpinionSendForm,
    OutcomeForm,
    StepForm,
    plain,
)
from habeas.legislation.models import (
    OPEN_PROCEDURES,
    Assessment,
    Benchmark,
    Effect,
    LegislationItem,
    Opinion,
)
from habeas.places.forms import add_service_errors
from habeas.places.selectors import IdsFirstPaginator
from habeas.places.views import current_values, form_rows
from habeas.recommendations.models import Recommendation

PAGE_SIZE = 50
# How many reasons of its rank the list shows beside each item (the page shows all).
TOP_REASONS = 2
# Effects shown as a harm to the safeguard.
HARMFUL = {Effect.WEAKENS, Effect.BREACHES}

# -- shared ----------------------------------------------------------------------------------


def _allow(user: Any, permission: str | None = None) -> None:
    """404 to whoever may not see the tracker at all; 403 to whoever sees it but may not
    do this."""
    if not roles.can(user, "legislation.view"):
        raise Http404
    if permission and not roles.can(user, permission):
        raise PermissionDenied


def _item_for(request: HttpRequest, item_pk: int, permission: str | None = None) -> LegislationItem:
    _allow(request.user)
    item = get_object_or_404(LegislationItem.objects.restrict(request.user, "view"), pk=item_pk)
    _allow(request.user, permission)
    return item


def _posted(request: HttpRequest) -> Any:
    """The posted data, even when empty (every box unticked still means a save)."""
    return request.POST if request.method == "POST" else None


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _to_detail(item: LegislationItem, anchor: str = "") -> HttpResponse:
    response = redirect("legislation:detail", item_pk=item.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@dataclass(frozen=True)
class Deadline:
    """A deadline in words: how many days are left, or how long ago it passed."""

    day: dt.date | None
    days_left: int | None

    @property
    def words(self) -> str:
        if self.days_left is None:
            return ""
        if self.days_left == 0:
            return _("today")
        if self.days_left > 0:
            return ngettext("%(n)d day left", "%(n)d days left", self.days_left) % {
                "n": self.days_left
            }
        return ngettext("passed %(n)d day ago", "passed %(n)d days ago", -self.days_left) % {
            "n": -self.days_left
        }

    @property
    def close(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= 14

    @property
    def passed(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def deadline_of(item: LegislationItem, today: dt.date) -> Deadline:
    if item.deadline is None or item.procedure not in OPEN_PROCEDURES:
        return Deadline(item.deadline, None)
    return Deadline(item.deadline, (item.deadline - today).days)


# -- the ranked list ---------------------------------------------------------------------------


@access.verified
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    _allow(request.user)
    filter_form = ItemFilterForm(request.GET)
    items = selectors.ranked(request.user, **filter_form.filters())
    page = IdsFirstPaginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        (item, deadline_of(item, today), item.priority_explained[:TOP_REASONS]) for item in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "can_change": roles.can(request.user, "legislation.change"),
    }
    return render_page(
        request, "legislation/list.html", context, partial="legislation/_results.html"
    )


# -- an item -------------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _allow(user, "legislation.change")
    form = ItemForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(ref)s is recorded. Assess it against the checklist to rank it.")
                % {"ref": item.reference},
            )
            return _to_detail(item)
    context = {"form": form, "rows": form_rows(form), "item": None}
    return render(request, "legislation/item_form.html", context, status=_status(form))


@access.verified
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_pk: int) -> HttpResponse:
    user = request.user
    item = _item_for(request, item_pk, "legislation.change")
    form = ItemForm(_posted(request), user=user, initial=ItemForm.initial_of(item))
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                actor=user,
                item=item,
                expected_version=form.cleaned_data.get("version") or 0,
                **form.values(),
            )
        except StaleEdit:
            item = _item_for(request, item_pk)
            form, current = _stale(request, ItemForm, item, user=user)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return _to_detail(item)
    status = status if status == 409 else _status(form)
    context = {"form": form, "rows": form_rows(form, current), "item": item, "stale": status == 409}
    return render(request, "legislation/item_form.html", context, status=status)


def _stale(
    request: HttpRequest, form_class: Any, record: Any, **kwargs: Any
) -> tuple[Any, dict[str, str]]:
    """The user's text again, now carrying the current version, with what was saved
    meanwhile beside it (ARCHITECTURE.md rule 6)."""
    data = request.POST.copy()
    data["version"] = str(record.version)
    form = form_class(data, initial=form_class.initial_of(record), **kwargs)
    form.is_valid()
    return form, current_values(record, form)


@access.verified
@require_GET
def item_detail(request: HttpRequest, item_pk: int) -> HttpResponse:
    _allow(request.user)
    item = selectors.item_detail(request.user, item_pk)
    return render(request, "legislation/item_detail.html", _detail_context(request, item))


def _detail_context(request: HttpRequest, item: LegislationItem) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    return {
        "item": item,
        "deadline": deadline_of(item, today),
        # The rank the list sorts on, with every one of its reasons.
        "reasons": item.priority_explained,
        "checklist": checklist_of(user, item),
        "opinions": list(item.opinions.all()),
        "steps": list(item.steps.all()),
        "recommendations": item.visible_recommendations,  # type: ignore[attr-defined]
        "register_entries": item.visible_register_entries,  # type: ignore[attr-defined]
        "may_see_register": roles.can(user, "register.view"),
        "can_change": roles.can(user, "legislation.change"),
        "can_send": roles.can(user, "legislation.send"),
        "send_form": OpinionSendForm(),
    }


# -- the benchmark checklist ---------------------------------------------------------------------


@dataclass
class ChecklistLine:
    benchmark: Benchmark
    assessment: Assessment | None
    form: AssessmentForm | None = None
    moved: bool = False  # someone else changed it since the page was shown

    @property
    def harmful(self) -> bool:
        return self.assessment is not None and self.assessment.effect in HARMFUL


@dataclass
class ChecklistGroup:
    label: str
    lines: list[ChecklistLine]


def _groups(user: Any) -> list[tuple[str, list[Benchmark]]]:
    """The benchmarks in use, as (name of the standard, its lines)."""
    return [(section.label, section.benchmarks) for section in selectors.benchmarks(user)]


def checklist_of(user: Any, item: LegislationItem) -> list[ChecklistGroup]:
    """Every benchmark in use, grouped by standard, with the item's assessment of each;
    a line no longer in use still shows where the item was assessed against it."""
    assessments = {a.benchmark_id: a for a in item.assessments.all()}
    groups = []
    seen = set()
    for label, benchmarks in _groups(user):
        lines = [ChecklistLine(b, assessments.get(b.pk)) for b in benchmarks]
        seen |= {b.pk for b in benchmarks}
        groups.append(ChecklistGroup(label, lines))
    retired = [a for pk, a in assessments.items() if pk not in seen]
    if retired:
        lines = [ChecklistLine(a.benchmark, a) for a in retired]
        groups.append(ChecklistGroup(_("Lines no longer in use"), lines))
    return groups


@access.verified
@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest, item_pk: int) -> HttpResponse:
    """The whole checklist as one form: only the lines the user changed are written."""
    user = request.user
    item = _item_for(request, item_pk, "legislation.change")
    item = selectors.item_detail(user, item.pk)
    groups = checklist_of(user, item)
    lines = [line for group in groups for line in group.lines]
    data = request.POST if request.method == "POST" else None
    for line in lines:
        if line.benchmark.active:  # a line no longer in use is shown, not assessed again
            line.form = AssessmentForm(data, prefix=f"b{line.benchmark.pk}", initial=_initial(line))
    status = 200
    if request.method == "POST":
        status = _save_checklist(request, item, lines)
        if status == 302:
            messages.success(request, _("The checklist is saved and the priority recomputed."))
            return _to_detail(item, "checklist")
    context = {"item": item, "groups": groups, "stale": status == 409}
    return render(request, "legislation/checklist.html", context, status=status)


def _initial(line: ChecklistLine) -> dict[str, str]:
    effect = line.assessment.effect if line.assessment else ""
    note = line.assessment.note if line.assessment else ""
    return {"effect": effect, "note": note, "was_effect": effect, "was_note": note}


def _save_checklist(request: HttpRequest, item: LegislationItem, lines: list[ChecklistLine]) -> int:
    """Write the lines the user changed, all or none; 400 on bad input, 409 when someone
    else changed one of them meanwhile, 302 once saved."""
    editable = [(line, line.form) for line in lines if line.form is not None]
    if not all(form.is_valid() for _line, form in editable):
        return 400
    changed = [(line, form) for line, form in editable if form.changed_by_user()]
    stale = [(line, form) for line, form in changed if _moved(line, form)]
    for line, form in stale:
        line.moved = True
        line.form = _rebased(line, form)
    if stale:
        return 409
    try:
        with transaction.atomic():
            for line, form in changed:
                _write_line(request.user, item, line.benchmark, form)
    except ValidationError as error:
        messages.error(request, _("Nothing was saved: ") + " ".join(error.messages))
        return 400
    return 302


def _moved(line: ChecklistLine, form: AssessmentForm) -> bool:
    """Whether someone else changed this line since the page was shown."""
    saved = (line.assessment.effect, plain(line.assessment.note)) if line.assessment else ("", "")
    return saved != form.shown()


def _rebased(line: ChecklistLine, form: AssessmentForm) -> AssessmentForm:
    """The user's own choice and note again, now based on what is saved, so saving again
    applies them."""
    data = form.data.copy()  # type: ignore[attr-defined]
    saved = _initial(line)
    data[f"{form.prefix}-was_effect"] = saved["was_effect"]
    data[f"{form.prefix}-was_note"] = saved["was_note"]
    rebased = AssessmentForm(data, prefix=form.prefix, initial=saved)
    rebased.is_valid()
    return rebased


def _write_line(
    user: Any, item: LegislationItem, benchmark: Benchmark, form: AssessmentForm
) -> None:
    effect, note = form.chosen()
    if not effect:
        services.assessment_clear(actor=user, item=item, benchmark=benchmark)
        return
    services.assessment_set(actor=user, item=item, benchmark=benchmark, effect=effect, note=note)


# -- opinions ------------------------------------------------------------------------------------


def _opinion_for(item: LegislationItem, opinion_pk: int, user: Any) -> Opinion:
    return get_object_or_404(
        Opinion.objects.restrict(user, "view").filter(item=item), pk=opinion_pk
    )


@access.verified
@require_http_methods(["GET", "POST"])
def opinion_create(request: HttpRequest, item_pk: int) -> HttpResponse:
    user = request.user
    item = _item_for(request, item_pk, "legislation.change")
    form = OpinionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            opinion = services.opinion_create(
                actor=user,
                item=item,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The opinion is saved as version 1."))
            return _to_detail(item, f"opinion-{opinion.pk}")
    context = {"form": form, "rows": form_rows(form), "item": item, "opinion": None}
    return render(request, "legislation/opinion_form.html", context, status=_status(form))


@access.verified
@require_http_methods(["GET", "POST"])
def opinion_revise(request: HttpRequest, item_pk: int, opinion_pk: int) -> HttpResponse:
    user = request.user
    item = _item_for(request, item_pk)
    opinion = _opinion_for(item, opinion_pk, user)
    _allow(user, "legislation.change")
    if opinion.state == Opinion.State.SENT:
        messages.error(request, _("This opinion was sent: its text is on record."))
        return _to_detail(item, f"opinion-{opinion.pk}")
    form = OpinionForm(_posted(request), initial=OpinionForm.initial_of(opinion))
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_revise(
                actor=user,
                opinion=opinion,
                text=form.cleaned_data["text"],
                title=form.cleaned_data["title"],
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit:
            opinion = _opinion_for(item, opinion_pk, user)
            form, current = _stale(request, OpinionForm, opinion)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The new version of the opinion is saved."))
            return _to_detail(item, f"opinion-{opinion.pk}")
    status = status if status == 409 else _status(form)
    context = {
        "form": form,
        "rows": form_rows(form, current),
        "item": item,
        "opinion": opinion,
        "versions": list(opinion.versions.all()),
        "stale": status == 409,
    }
    return render(request, "legislation/opinion_form.html", context, status=status)


@access.verified
@require_http_methods(["GET", "POST"])
def opinion_send(request: HttpRequest, item_pk: int, opinion_pk: int) -> HttpResponse:
    user = request.user
    item = _item_for(request, item_pk)
    opinion = _opinion_for(item, opinion_pk, user)
    _allow(user, "legislation.send")
    form = OpinionSendForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_send(
                actor=user,
                opinion=opinion,
                sent_on=form.cleaned_data["sent_on"],
                sent_to=form.cleaned_data["sent_to"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The opinion is recorded as sent."))
            return _to_detail(item, f"opinion-{opinion.pk}")
    context = {"form": form, "rows": form_rows(form), "item": item, "opinion": opinion}
    return render(request, "legislation/opinion_send.html", context, status=_status(form))


# -- advocacy, outcome, links --------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def step_add(request: HttpRequest, item_pk: int) -> HttpResponse:
    user = request.user
    item = _item_for(request, item_pk, "legislation.change")
    form = StepForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_add(actor=user, item=item, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The advocacy step is recorded."))
            return _to_detail(item, "advocacy")
    context = {"form": form, "rows": form_rows(form), "item": item}
    return render(request, "legislation/step_form.html", context, status=_status(form))


@access.verified
@require_http_methods(["GET", "POST"])
def outcome_record(request: HttpRequest, item_pk: int) -> HttpResponse:
    user = request.user
    item = _item_for(request, item_pk, "legislation.change")
    initial = {"outcome": item.outcome, "note": item.outcome_note}
    form = OutcomeForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_record(
                actor=user,
                item=item,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return _to_detail(item, "outcome")
    context = {"form": form, "rows": form_rows(form), "item": item}
    return render(request, "legislation/outcome_form.html", context, status=_status(form))


@access.verified
@require_http_methods(["GET", "POST"])
def links_edit(request: HttpRequest, item_pk: int) -> HttpResponse:
    user = request.user
    item = _item_for(request, item_pk, "legislation.change")
    item = selectors.item_detail(user, item.pk)
    # Only what the user may see is shown, and only that can be unlinked (the service
    # keeps the rest); without the register's right, its links are left alone.
    linked = item.visible_recommendations  # type: ignore[attr-defined]
    entries = (
        item.visible_register_entries  # type: ignore[attr-defined]
        if roles.can(user, "register.view")
        else None
    )
    form = LinksForm(_posted(request), recommendations=linked, register_entries=entries)
    if request.method == "POST" and form.is_valid():
        chosen = _chosen_links(user, form)
        if not form.errors:
            try:
                services.links_set(actor=user, item=item, **chosen)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The links are saved."))
                return _to_detail(item, "links")
    context = {
        "form": form,
        "item": item,
        "linked": linked,
        "entries": entries,
        "kept": _kept(form, "recommendations", linked),
        "kept_entries": _kept(form, "register_entries", entries or []),
    }
    return render(request, "legislation/links_form.html", context, status=_status(form))


def _kept(form: LinksForm, name: str, records: Iterable[Any]) -> list[tuple[Any, bool]]:
    """Each linked record with whether its box is ticked (all of them on a fresh form)."""
    if not form.is_bound:
        return [(record, True) for record in records]
    ticked = set(form.data.getlist(name))  # type: ignore[attr-defined]
    return [(record, str(record.pk) in ticked) for record in records]


def _chosen_links(user: Any, form: LinksForm) -> dict[str, Any]:
    """The records the item is to be linked to: those kept and those added by reference,
    among the ones the user may see. A reference the user may not see reads as unknown."""
    chosen: dict[str, Any] = {}
    fields: list[tuple[str, Any]] = [("recommendations", Recommendation)]
    if form.with_register:
        fields.append(("register_entries", RegisterEntry))
    for name, model in fields:
        visible = model.objects.restrict(user, "view")
        kept = list(visible.filter(pk__in=[int(pk) for pk in form.cleaned_data[name]]))
        references = form.cleaned_data[f"add_{name}"]
        added = list(visible.filter(reference__in=references))
        unknown = sorted(set(references) - {record.reference for record in added})
        if unknown:
            form.add_error(
                f"add_{name}",
                _("No record with these references: %(refs)s.") % {"refs": ", ".join(unknown)},
            )
        chosen[name] = list({record.pk: record for record in kept + added}.values())
    return chosen


# -- benchmarks ------------------------------------------------------------------------------------


@access.verified
@require_GET
def benchmark_list(request: HttpRequest) -> HttpResponse:
    _allow(request.user)
    groups = _groups(request.user)
    retired = Benchmark.objects.restrict(request.user, "view").filter(active=False)
    context = {
        "groups": groups,
        "retired": list(retired),
        "can_edit": roles.can(request.user, "legislation.benchmarks"),
    }
    return render(request, "legislation/benchmark_list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def benchmark_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _allow(user, "legislation.benchmarks")
    form = BenchmarkForm(_posted(request))
    for name in ("position", "active"):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.values()
        data.pop("position", None)
        data.pop("active", None)
        try:
            benchmark = services.benchmark_create(actor=user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” is added.") % {"title": benchmark.title})
            return redirect("legislation:benchmarks")
    context = {"form": form, "rows": form_rows(form), "benchmark": None}
    return render(request, "legislation/benchmark_form.html", context, status=_status(form))


@access.verified
@require_http_methods(["GET", "POST"])
def benchmark_edit(request: HttpRequest, benchmark_pk: int) -> HttpResponse:
    user = request.user
    _allow(user)
    benchmark = get_object_or_404(Benchmark.objects.restrict(user, "view"), pk=benchmark_pk)
    _allow(user, "legislation.benchmarks")
    form = BenchmarkForm(_posted(request), initial=BenchmarkForm.initial_of(benchmark))
    form.fields["code"].disabled = True  # a benchmark's code does not change
    form.fields["code"].help_text = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.benchmark_update(actor=user, benchmark=benchmark, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("legislation:benchmarks")
    context = {"form": form, "rows": form_rows(form), "benchmark": benchmark}
    return render(request, "legislation/benchmark_form.html", context, status=_status(form))
