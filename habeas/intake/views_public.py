"""The public's channel (¶23, 25, 33): a form anyone can send without an account, and
the receipt page where the sender reads the NPM's answers and adds information.

No session, no login, no JavaScript. Every POST first counts against its network's
budget (over it: 429, nothing created), then the trap field and the single-use stamp,
then the form (habeas.intake.throttle). The receipt never appears in an address: it is
posted. A wrong receipt gets the same page, whatever it was.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from habeas.core.access import public
from habeas.intake import selectors, services, throttle
from habeas.intake.forms import FollowUpForm, ReceiptForm, SubmissionForm, public_places
from habeas.intake.models import Message, Status, Submission, Urgency

# The form's names for what the services call otherwise.
FIELD_OF = {"place": "place_name", "place_text": "place_name"}


def _status_text(status: str) -> str:
    texts: dict[str, Any] = {
        Status.NEW: _("We have received your message."),
        Status.TRIAGED: _("We have read your message."),
        Status.IN_PROGRESS: _("We are dealing with your message."),
        Status.CLOSED: _(
            "We have finished dealing with your message. You can still add information."
        ),
    }
    return str(texts.get(status, texts[Status.NEW]))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, max-age=0"
    return response


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return _no_store(render(request, template, context, status=status))


def _fresh(data: Any) -> Any:
    """The posted data again, with a new stamp and an empty trap, to show back."""
    fresh = data.copy()
    fresh[throttle.STAMP_FIELD] = throttle.form_stamp()
    fresh[throttle.HONEYPOT_FIELD] = ""
    return fresh


def _service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = FIELD_OF.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


F = TypeVar("F", bound=forms.BaseForm)


def _refused(form: F, field: str | None, message: str) -> F:
    """An unbound form (nothing typed shown back) carrying one error."""
    name = field or NON_FIELD_ERRORS
    field_id = form[field].auto_id if field else None
    form._errors = ErrorDict(renderer=form.renderer)  # type: ignore[attr-defined]
    errors = form.error_class([message], renderer=form.renderer, field_id=field_id)  # type: ignore[call-arg]
    form._errors[name] = errors  # type: ignore[attr-defined]
    return form


def too_many(request: HttpRequest) -> HttpResponse:
    context = {
        "heading": _("Too many attempts"),
        "paragraphs": [
            _("We received too many messages from your connection in a short time."),
            _("Nothing was sent. Please wait a while, up to an hour, and try again."),
        ],
        "back_url": reverse("submit:form"),
        "back_text": _("Back to the form"),
    }
    response = _page(request, "intake/public_message.html", context, status=429)
    response["Retry-After"] = "3600"
    return response


def _closed(request: HttpRequest) -> HttpResponse:
    context = {
        "heading": _("The form is closed for a short while"),
        "paragraphs": [
            _("We are doing maintenance. Please come back later to write to us."),
            _("If you already have a receipt, you can still read our answers."),
        ],
        "back_url": reverse("submit:receipt"),
        "back_text": _("Read our answer with your receipt"),
    }
    response = _page(request, "intake/public_message.html", context, status=503)
    response["Retry-After"] = "3600"
    return response


# -- the form ---------------------------------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and not throttle.check_rate(request, kind="submit"):
        return too_many(request)
    if not selectors.channel_open():
        return _closed(request)
    places = public_places()
    if request.method != "POST":
        form = SubmissionForm(initial={"stamp": throttle.form_stamp()}, places=places)
        return _page(request, "intake/submit_form.html", {"form": form, "places": places})
    form = SubmissionForm(_fresh(request.POST), request.FILES, places=places)
    problem = throttle.form_error(request.POST)
    if form.is_valid() and problem is None:
        try:
            submission, receipt = _create(request, form)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            context = {
                "receipt_groups": receipt.split(),
                "urgent": submission.urgency == Urgency.URGENT,
            }
            return _page(request, "intake/submit_sent.html", context, status=201)
    if problem:
        form.add_error(None, problem)
    context = {"form": form, "places": places, "files_lost": bool(request.FILES)}
    return _page(request, "intake/submit_form.html", context, status=400)


def _create(request: HttpRequest, form: SubmissionForm) -> tuple[Submission, str]:
    data = form.cleaned_data
    place, place_text = form.place_choice()
    return services.submission_create(
        sender_kind=data["sender_kind"],
        urgency=data["urgency"],
        body=data["body"],
        consent=data["consent"],
        reply_by=data["reply_by"],
        place=place,
        place_text=place_text,
        happened_on=data.get("happened_on"),
        happened_text=data.get("happened_text") or "",
        sender_name=data.get("sender_name") or "",
        contact=data.get("contact") or "",
        language=getattr(request, "LANGUAGE_CODE", ""),
        uploads=data.get("uploads") or (),
    )


# -- the receipt ------------------------------------------------------------------------


def _wrong_receipt(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(initial={"stamp": throttle.form_stamp()})
    message = _("We could not open any messages with this receipt. Check the number and try again.")
    _refused(form, "receipt", message)
    return _page(request, "intake/receipt_form.html", {"form": form}, status=400)


def _thread_page(
    request: HttpRequest,
    submission: Submission,
    form: FollowUpForm,
    *,
    added: bool = False,
    files_lost: bool = False,
    status: int = 200,
) -> HttpResponse:
    thread = selectors.sender_thread(submission)
    context = {
        "thread": thread,
        "has_answer": any(entry.author == Message.Author.NPM for entry in thread.entries),
        "status_text": _status_text(submission.status),
        "form": form,
        "added": added,
        "files_lost": files_lost,
    }
    return _page(request, "intake/receipt_thread.html", context, status=status)


@public
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = ReceiptForm(initial={"stamp": throttle.form_stamp()})
        return _page(request, "intake/receipt_form.html", {"form": form})
    adding = request.POST.get("step") == "add"
    if not throttle.check_rate(request, kind="submit" if adding else "receipt"):
        return too_many(request)
    if adding:
        return _add(request)
    form = ReceiptForm(_fresh(request.POST))
    problem = throttle.form_error(request.POST)
    if problem:
        _refused(form, None, problem)
        return _page(request, "intake/receipt_form.html", {"form": form}, status=400)
    if not form.is_valid():
        form = _refused(
            ReceiptForm(initial={"stamp": throttle.form_stamp()}),
            "receipt",
            _("Type your receipt number."),
        )
        return _page(request, "intake/receipt_form.html", {"form": form}, status=400)
    submission = services.submission_for_receipt(form.cleaned_data["receipt"])
    if submission is None:
        return _wrong_receipt(request)
    return _thread_page(request, submission, _follow_up_form(form.cleaned_data["receipt"]))


def _follow_up_form(receipt: str) -> FollowUpForm:
    """The form to add information, carrying the receipt (posted, never in the address)."""
    return FollowUpForm(initial={"stamp": throttle.form_stamp(), "receipt": receipt})


def _add(request: HttpRequest) -> HttpResponse:
    """The sender adds information: the receipt again, then the trap and the stamp."""
    submission = services.submission_for_receipt(request.POST.get("receipt", ""))
    if submission is None:
        return _wrong_receipt(request)
    form = FollowUpForm(_fresh(request.POST), request.FILES)
    problem = throttle.form_error(request.POST)
    if form.is_valid() and problem is None:
        try:
            services.sender_message_add(
                submission=submission,
                body=form.cleaned_data.get("body") or "",
                uploads=form.cleaned_data.get("uploads") or (),
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            fresh = _follow_up_form(request.POST["receipt"])
            return _thread_page(request, submission, fresh, added=True)
    if problem:
        form.add_error(None, problem)
    return _thread_page(request, submission, form, files_lost=bool(request.FILES), status=400)
