"""Forms of the public's channel (¶23, 25, 33) and of its triage inside the NPM.

The public forms ask in plain words and validate shapes only; the rules (limits of the
archive, consent, who may link what) live in the services. Staff forms offer only the
records the user may see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from habeas.accounts.models import User
from habeas.cases.models import Case
from habeas.intake import services
from habeas.intake.models import (
    Action,
    Consent,
    ReplyBy,
    SenderKind,
    Status,
    Urgency,
)
from habeas.places.forms import DateInput, QuickSelect
from habeas.places.models import Place
from habeas.visits.models import Theme, Visit

# What the public form accepts: the archive's size limit, the channel's types, a few files.
MAX_FILES = services.UPLOADS_AT_ONCE
MAX_BODY = services.BODY_MAX
REPLY_NEEDS_CONTACT = {ReplyBy.EMAIL, ReplyBy.PHONE, ReplyBy.POST}


def public_places() -> list[tuple[int, str]]:
    """The official places still open: their names only, which are public knowledge.

    The inventory's rule (`Place.objects.restrict`) is for staff; a visitor sees these
    two columns and nothing else of it. Unofficial places are never listed here: that the
    NPM knows of one is itself confidential.
    """
    return list(
        Place.objects.filter(official=True, status=Place.Status.OPEN)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service against the archive's
    limits before anything is written."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)d files.") % {"count": MAX_FILES}, code="too_many"
            )
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _files_help() -> str:
    return _("Up to %(count)d files: %(types)s. Largest file: %(size)s.") % {
        "count": MAX_FILES,
        "types": services.ATTACHMENT_TYPES_LABEL,
        "size": filesizeformat(settings.HABEAS_UPLOAD_MAX_BYTES),
    }


def _uploads_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Files or photos (optional)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in sorted(services.ATTACHMENT_TYPES))}
        ),
    )


class PublicForm(forms.Form):
    """A public form: no colon after labels, and the stamp that proves a person filled
    it in (habeas.intake.throttle). `website` is a trap field hidden from people."""

    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def visible_fields(self) -> list[forms.BoundField]:  # type: ignore[override]
        return [field for field in super().visible_fields() if field.name != "website"]


class SubmissionForm(PublicForm):
    """What a caseworker needs: who writes, which place, what happened and when, how
    urgent, what may reach an authority, and whether and how to answer."""

    sender_kind = forms.ChoiceField(
        label=_("Who is writing?"),
        choices=SenderKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say who is writing.")},
    )
    place_name = forms.CharField(
        label=_("Which place is it about?"),
        max_length=300,
        help_text=_(
            "Start typing to pick a place from the list. If it is not in the list, write "
            "its name or say where it is."
        ),
        widget=forms.TextInput(attrs={"list": "places", "autocomplete": "off"}),
        error_messages={"required": _("Name the place, or say where it is.")},
    )
    body = forms.CharField(
        label=_("What happened?"),
        max_length=MAX_BODY,
        help_text=_(
            "Say what happened, to whom, and who was involved, in your own words. "
            "Give the names only if it is safe to do so."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Tell us what happened.")},
    )
    happened_on = forms.DateField(
        label=_("When did it happen? (date, optional)"), required=False, widget=DateInput()
    )
    happened_text = forms.CharField(
        label=_("Or say when in words (optional)"),
        max_length=120,
        required=False,
        help_text=_("For example: last week, since March, every night."),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how urgent it is.")},
    )
    consent = forms.ChoiceField(
        label=_("Who may the NPM tell?"),
        choices=Consent.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "The NPM never tells the place or any authority more than you allow here. "
            "If you are not sure, choose the first answer; you can change your mind later "
            "by writing to us with your receipt."
        ),
        error_messages={"required": _("Say who the NPM may tell.")},
    )
    reply_by = forms.ChoiceField(
        label=_("Do you want an answer?"),
        choices=ReplyBy.choices,
        initial=ReplyBy.RECEIPT,
        widget=forms.RadioSelect,
        help_text=_("With your receipt you can always come back here to read our answers."),
        error_messages={"required": _("Say whether you want an answer.")},
    )
    contact = forms.CharField(
        label=_("Where should we answer you? (optional)"),
        max_length=300,
        required=False,
        help_text=_(
            "Your e-mail address, phone number or postal address. Only the NPM's intake "
            "team can read it."
        ),
    )
    sender_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=200,
        required=False,
        help_text=_("You can write without giving your name."),
    )
    uploads = _uploads_field()

    def __init__(self, *args: Any, places: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.places = places if places is not None else []
        self.fields["uploads"].help_text = _files_help()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reply_by") in REPLY_NEEDS_CONTACT and not data.get("contact"):
            self.add_error(
                "contact",
                _("Tell us where to answer you, or choose “I will come back with my receipt”."),
            )
        return data

    def place_choice(self) -> tuple[Place | None, str]:
        """The listed place whose name the sender chose, else their own words."""
        typed = " ".join(self.cleaned_data["place_name"].split())
        matches = [pk for pk, name in self.places if name.casefold() == typed.casefold()]
        if len(matches) == 1:
            return Place.objects.get(pk=matches[0]), ""
        return None, typed


class ReceiptForm(PublicForm):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=64,
        help_text=_("The number you got when you sent your message. Spaces do not matter."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "receipt-input",
            }
        ),
        error_messages={"required": _("Type your receipt number.")},
    )


class FollowUpForm(PublicForm):
    """More information from the sender, on their thread."""

    receipt = forms.CharField(widget=forms.HiddenInput, max_length=64)
    body = forms.CharField(
        label=_("What do you want to add?"),
        max_length=MAX_BODY,
        required=False,
        help_text=_("Anything new or that you forgot. The NPM reads it with your first message."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    uploads = _uploads_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uploads"].help_text = _files_help()


# Inside the NPM -------------------------------------------------------------------------


def _blank(choices: list[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(key, text) for key, text in choices if key != ""]]


def intake_team() -> QuerySet[User]:
    """Who may be assigned a submission or be on duty: the active intake team."""
    team = [user.pk for user in services.intake_team()]
    return User.objects.filter(pk__in=team).order_by("full_name", "email")


def place_choices(user: Any) -> list[tuple[Any, str]]:
    return list(Place.objects.restrict(user, "view").order_by("name").values_list("pk", "name"))


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; invalid values are ignored."""

    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(Status.choices, _("Any")), required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=_blank(Urgency.choices, _("Any")), required=False
    )
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, widget=QuickSelect)
    q = forms.CharField(label=_("Reference"), max_length=40, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("Any")), *place_choices(user)]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value not in ("", None)}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the sender"),
        max_length=MAX_BODY,
        help_text=_(
            "The sender reads it with their receipt. Write plainly; say nothing they could "
            "not safely read in front of others."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ReferenceField(forms.CharField):
    """A visit or a case named by its reference, among those the user may see."""

    def __init__(self, *, model: type[Visit] | type[Case], missing: Any, **kwargs: Any) -> None:
        super().__init__(max_length=32, required=False, **kwargs)
        self.model = model
        self.missing = missing
        self.user: Any = None

    def clean(self, value: Any) -> Any:
        reference = super().clean(value).strip()
        if not reference:
            return None
        found = (
            self.model.objects.restrict(self.user, "view")
            .filter(reference__iexact=reference)
            .first()
        )
        if found is None:
            raise forms.ValidationError(self.missing, code="unknown")
        return found

    def prepare_value(self, value: Any) -> Any:
        return getattr(value, "reference", value)


class TriageForm(forms.Form):
    """Triage: status, theme, urgency assessed, action taken, note, who deals with it, and
    links to a place, a visit or a case (only those the user may see)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    theme = forms.ChoiceField(label=_("Theme"), choices=_blank(Theme.choices), required=False)
    triage_urgency = forms.ChoiceField(
        label=_("Urgency assessed"), choices=_blank(Urgency.choices), required=False
    )
    action = forms.ChoiceField(label=_("Action taken"), choices=Action.choices, required=False)
    triage_note = forms.CharField(
        label=_("Triage note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the team; the sender never sees it."),
    )
    assigned_to = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )
    place = forms.ModelChoiceField(
        label=_("Place"), queryset=Place.objects.none(), required=False, widget=QuickSelect
    )
    visit = ReferenceField(
        model=Visit,
        label=_("Visit (reference)"),
        missing=_("No visit you may see has this reference."),
        help_text=_("For example V-2026-014."),
    )
    case = ReferenceField(
        model=Case,
        label=_("Case file (reference)"),
        missing=_("No case file you may see has this reference."),
    )

    sections = (
        (_("Assessment"), ("status", "theme", "triage_urgency", "action", "triage_note")),
        (_("Who and what it is linked to"), ("assigned_to", "place", "visit", "case")),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = intake_team()  # type: ignore[attr-defined]
        self.fields["assigned_to"].empty_label = "—"  # type: ignore[attr-defined]
        self.fields["place"].queryset = Place.objects.restrict(user, "view")  # type: ignore[attr-defined]
        self.fields["place"].empty_label = "—"  # type: ignore[attr-defined]
        for name in ("visit", "case"):
            self.fields[name].user = user  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    duty_user = forms.ModelChoiceField(
        label=_("Duty person for urgent submissions"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Alerted the moment an urgent submission arrives, with the intake team."),
    )
    open = forms.BooleanField(
        label=_("The public form accepts submissions"),
        required=False,
        help_text=_("Close it only during maintenance; the receipt page stays open."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duty_user"].queryset = intake_team()  # type: ignore[attr-defined]
