"""The intake team's pages (¶23, 33): the triage queue, one submission (an audited read
of what the sender wrote), the reply to the sender, the triage, and the channel's
settings.

Whoever is not on the intake team gets 404 for every submission, the same bytes as a
missing one; a member who sees it but may not do something gets 403. Services write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts import roles
from habeas.cases.models import Case
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.intake import selectors, services
from habeas.intake.forms import QueueFilterForm, ReplyForm, SettingsForm, TriageForm
from habeas.intake.models import Consent, Status, Submission
from habeas.places import archive
from habeas.places.models import Place
from habeas.places.views import form_rows
from habeas.visits.models import Visit

PAGE_SIZE = 50
SEEN_KEY = "intake_queue_seen"
# The triage form's names for what the service calls otherwise.
FIELD_OF = {"note": "triage_note"}


def require_view(user: Any) -> None:
    """404 to whoever is not on the intake team: submissions do not exist for them."""
    if not roles.can(user, "intake.view"):
        raise Http404


def require(user: Any, permission: str) -> None:
    """403 to a member of the team who may not do this."""
    if not roles.can(user, permission):
        raise PermissionDenied


def _service_errors(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = FIELD_OF.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


# -- the queue ----------------------------------------------------------------------------


@access.verified
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """The triage queue: most urgent first, then newest; marks what arrived since the
    reader's previous visit in this session and what the sender added since last read."""
    user = request.user
    require_view(user)
    filter_form = QueueFilterForm(request.GET or None, user=user)
    filters = filter_form.filters()
    place = None
    if filters.get("place"):
        place = Place.objects.restrict(user, "view").filter(pk=filters["place"]).first()
    found = selectors.queue(
        user,
        status=filters.get("status"),
        urgency=filters.get("urgency"),
        place=place,
        q=filters.get("q"),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    seen = _last_seen(request)
    rows = [_row(submission, seen) for submission in page.object_list]
    request.session[SEEN_KEY] = timezone.now().isoformat()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "rows": rows,
        "seen": seen,
        "query": query.urlencode(),
        "may_settings": roles.can(user, "intake.settings"),
    }
    return render(request, "intake/queue.html", context)


def _last_seen(request: HttpRequest) -> dt.datetime | None:
    value = request.session.get(SEEN_KEY)
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _row(submission: Submission, seen: dt.datetime | None) -> dict[str, Any]:
    new = submission.created_at > seen if seen else submission.status == Status.NEW
    return {"submission": submission, "new": new, "updated": submission.unread_from_sender}


# -- one submission ---------------------------------------------------------------------


def _submission(request: HttpRequest, pk: UUID) -> Submission:
    require_view(request.user)
    return selectors.submission_detail(request.user, pk)


@access.verified
@require_GET
def item_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    submission = _submission(request, pk)
    return _detail_page(request, submission)


def _detail_page(
    request: HttpRequest,
    submission: Submission,
    *,
    reply_form: ReplyForm | None = None,
    triage_form: TriageForm | None = None,
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The submission in the clear: opening it is an audited read (services)."""
    user = request.user
    opened = services.submission_open(actor=user, submission=submission)
    may_triage = roles.can(user, "intake.triage")
    linked = _visible_links(user, submission)
    if may_triage and triage_form is None:
        initial = _triage_initial(submission, opened.triage_note, linked)
        triage_form = TriageForm(initial=initial, user=user)
    if roles.can(user, "intake.reply") and reply_form is None:
        reply_form = ReplyForm()
    current = _current_values(submission, opened.triage_note, triage_form) if stale else None
    context = {
        "submission": submission,
        "opened": opened,
        "no_consent": submission.consent == Consent.NONE,
        "linked": linked,
        "reply_form": reply_form if roles.can(user, "intake.reply") else None,
        "triage_form": triage_form if may_triage else None,
        "rows": form_rows(triage_form, current) if may_triage and triage_form else [],
        "stale": stale,
    }
    return render(request, "intake/detail.html", context, status=status)


def _visible_links(user: Any, submission: Submission) -> dict[str, Any]:
    """The visit and case linked, only if this reader may see them; a link they may not
    see is said to exist, never named."""
    links: dict[str, Any] = {}
    for name, model in (("visit", Visit), ("case", Case)):
        linked_id = getattr(submission, f"{name}_id")
        if linked_id is None:
            continue
        visible = model.objects.restrict(user, "view").filter(pk=linked_id).first()
        links[name] = visible
        links[f"{name}_hidden"] = visible is None
    return links


def _triage_initial(submission: Submission, note: str, linked: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": submission.version,
        "status": submission.status,
        "theme": submission.theme,
        "triage_urgency": submission.triage_urgency,
        "action": submission.action,
        "triage_note": note,
        "assigned_to": submission.assigned_to_id,
        "place": submission.place_id,
        "visit": linked.get("visit"),
        "case": linked.get("case"),
    }


def _current_values(submission: Submission, note: str, form: TriageForm | None) -> dict[str, str]:
    """What is saved now, beside the user's text after a stale edit; only the fields that
    differ, and a linked record only if the user may see it."""
    submitted = getattr(form, "cleaned_data", None) or {}
    saved: dict[str, Any] = {
        "status": submission.get_status_display(),
        "theme": submission.get_theme_display(),
        "triage_urgency": submission.get_triage_urgency_display(),
        "action": submission.get_action_display(),
        "triage_note": note,
        "assigned_to": str(submission.assigned_to or ""),
        "place": str(submission.place or ""),
    }
    raw: dict[str, Any] = {
        "status": submission.status,
        "theme": submission.theme,
        "triage_urgency": submission.triage_urgency,
        "action": submission.action,
        "triage_note": note,
        "assigned_to": submission.assigned_to,
        "place": submission.place,
    }
    values = {}
    for name, text in saved.items():
        if name in submitted and (submitted[name] or "") == (raw[name] or ""):
            continue
        values[name] = text or "—"
    return values


@access.verified
@require_POST
def reply(request: HttpRequest, pk: UUID) -> HttpResponse:
    submission = _submission(request, pk)
    require(request.user, "intake.reply")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_add(
                actor=request.user, submission=submission, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request, _("Your reply was added. The sender reads it with the receipt.")
            )
            return redirect("intake:detail", pk=submission.pk)
    return _detail_page(request, submission, reply_form=form, status=400)


@access.verified
@require_POST
def triage(request: HttpRequest, pk: UUID) -> HttpResponse:
    submission = _submission(request, pk)
    require(request.user, "intake.triage")
    form = TriageForm(request.POST, user=request.user)
    if not form.is_valid():
        return _detail_page(request, submission, triage_form=form, status=400)
    data = form.cleaned_data
    try:
        services.submission_triage(
            actor=request.user,
            submission=submission,
            expected_version=data["version"],
            status=data["status"],
            theme=data.get("theme") or "",
            triage_urgency=data.get("triage_urgency") or "",
            action=data.get("action") or "",
            note=data.get("triage_note") or "",
            assigned_to=data.get("assigned_to"),
            place=data.get("place"),
            visit=_kept(request.user, submission, "visit", data.get("visit")),
            case=_kept(request.user, submission, "case", data.get("case")),
        )
    except StaleEdit:
        current = selectors.submission_detail(request.user, pk)
        fresh = request.POST.copy()
        fresh["version"] = str(current.version)
        form = TriageForm(fresh, user=request.user)
        form.is_valid()
        return _detail_page(request, current, triage_form=form, stale=True, status=409)
    except ValidationError as error:
        _service_errors(form, error)
        return _detail_page(request, submission, triage_form=form, status=400)
    messages.success(request, _("The triage was saved."))
    return redirect("intake:detail", pk=submission.pk)


def _kept(user: Any, submission: Submission, name: str, chosen: Any) -> Any:
    """A link the user may not see stays as it is: they cannot see it to keep it."""
    if chosen is not None:
        return chosen
    linked_id = getattr(submission, f"{name}_id")
    model = Visit if name == "visit" else Case
    if linked_id and not model.objects.restrict(user, "view").filter(pk=linked_id).exists():
        return getattr(submission, name)
    return None


@access.verified
@require_GET
def attachment(request: HttpRequest, pk: UUID, attachment_id: UUID) -> HttpResponse:
    """Served only as a download: never shown, never run by the browser (audited)."""
    submission = _submission(request, pk)
    found = selectors.attachment_detail(request.user, submission, attachment_id)
    opened = services.attachment_open(actor=request.user, attachment=found)
    extension = archive.extension_of(opened.filename) or "bin"
    filename = archive.sanitise_filename(opened.filename, fallback=f"submission-file.{extension}")
    response = HttpResponse(opened.content, content_type="application/octet-stream")
    header = content_disposition_header(as_attachment=True, filename=filename)
    response["Content-Disposition"] = header or f'attachment; filename="file.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- the channel's settings ---------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def intake_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_view(user)
    require(user, "intake.settings")
    row = selectors.intake_settings()
    initial = {"duty_user": row.duty_user_id, "open": row.open}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                actor=user,
                duty_user=form.cleaned_data.get("duty_user"),
                open=form.cleaned_data.get("open", False),
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("intake:settings")
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "rows": form_rows(form), "row": row}
    return render(request, "intake/settings.html", context, status=status)
