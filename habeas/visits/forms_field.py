"""Forms of the visit's field work. They validate shapes only; the rules live in the
services (`services_field`, `photos`), whose refusals are shown on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.places.models import Authority, PlaceDocument, Unit
from habeas.visits.models import (
    Debrief,
    Difficulty,
    Evidence,
    Finding,
    Interview,
    Photo,
    RegisterCheck,
    Standard,
    TeamAssignment,
    Theme,
    Visit,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _units(visit: Visit) -> Any:
    return Unit.objects.filter(place_id=visit.place_id, active=True).order_by("name")


class CoverageForm(forms.Form):
    seen = forms.TypedChoiceField(
        label=_("Seen"),
        choices=[("yes", _("Seen")), ("no", _("Not seen"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    held = forms.IntegerField(label=_("People held there today"), min_value=0, required=False)
    reason = forms.CharField(label=_("Why not seen"), max_length=300, required=False)


class InterviewForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_("Sealed. Never write the person's name here."),
    )
    identity = forms.CharField(
        label=_("Real identity (optional)"),
        max_length=300,
        required=False,
        help_text=_("Sealed; seen only by team members with the identity right."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Themes raised"),
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Interview
        fields = [
            "kind",
            "pseudonym",
            "unit",
            "held_at",
            "interviewer",
            "interpreter_language",
            "interpreter_name",
            "participants",
            "consent_use",
            "consent_transmit",
            "consent_publish",
            "sensitive",
            "allegation",
            "topics",
        ]
        widgets = {"held_at": DATETIME}

    def __init__(self, *args: Any, visit: Visit, identity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(visit)  # type: ignore[attr-defined]
        team = TeamAssignment.objects.filter(visit=visit).values("user_id")
        interviewer = self.fields["interviewer"]
        interviewer.queryset = interviewer.queryset.model.objects.filter(  # type: ignore[attr-defined]
            pk__in=team
        ).order_by("full_name")
        self.fields["pseudonym"].help_text = _("Never the person's name.")
        self.fields["held_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        self.fields["participants"].min_value = 1  # type: ignore[attr-defined]
        if not identity:
            del self.fields["identity"]
        self.sections = (
            (None, ("kind", "pseudonym", "unit", "held_at", "interviewer", "participants")),
            (_("Interpreter"), ("interpreter_language", "interpreter_name")),
            (_("Consent"), ("consent_use", "consent_transmit", "consent_publish")),
            (_("What was said"), ("sensitive", "allegation", "topics", "notes", "identity")),
        )

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["unit"] = data["unit"].pk if data.get("unit") else None
        return data


class RegisterCheckForm(forms.ModelForm):
    discrepancies = forms.CharField(
        label=_("Discrepancies"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            "Sealed. For example: an injury in the medical log missing from the custody "
            "record; 4 h 10 min between arrival and lawyer notification."
        ),
    )

    class Meta:
        model = RegisterCheck
        fields = ["kind", "unit", "sample", "entries_checked", "verified", "discrepancies_found"]
        widgets = {"verified": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, visit: Visit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(visit)  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["unit"] = data["unit"].pk if data.get("unit") else None
        return data


class FindingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    standards = forms.MultipleChoiceField(
        label=_("Standards cited"),
        choices=Standard.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Finding
        fields = [
            "theme",
            "kind",
            "severity",
            "statement",
            "unit",
            "standards",
            "standard_note",
            "established",
        ]
        widgets = {"statement": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, visit: Visit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(visit)  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["unit"] = data["unit"].pk if data.get("unit") else None
        return data


def _photo_label(photo: Photo) -> str:
    day = timezone.localtime(photo.uploaded_at).strftime("%Y-%m-%d %H:%M")
    return str(_("Photograph of %(day)s") % {"day": day})


class EvidenceForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Evidence.Source.choices)
    interview: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Interview"), queryset=Interview.objects.none(), required=False
    )
    register_check: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Register check"), queryset=RegisterCheck.objects.none(), required=False
    )
    photo: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Photograph"), queryset=Photo.objects.none(), required=False
    )
    document: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Document"), queryset=PlaceDocument.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note (no names)"), max_length=300, required=False)

    def __init__(self, *args: Any, visit: Visit, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["interview"].queryset = (
            Interview.objects.restrict(user, "change").filter(visit=visit).exclude(pseudonym="")
        )
        fields["register_check"].queryset = RegisterCheck.objects.restrict(user, "change").filter(
            visit=visit
        )
        fields["photo"].queryset = Photo.objects.restrict(user, "change").filter(visit=visit)
        fields["photo"].label_from_instance = _photo_label
        fields["document"].queryset = PlaceDocument.objects.filter(
            place_id=visit.place_id
        ).order_by("title")
        fields["document"].label_from_instance = lambda d: d.title

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("interview", "register_check", "photo", "document"):
            data[name] = data[name].pk if data.get(name) else None
        return data


class PhotoForm(forms.Form):
    upload = forms.FileField(label=_("Photograph (JPEG or PNG)"))
    caption = forms.CharField(
        label=_("Caption"),
        max_length=500,
        required=False,
        help_text=_("Sealed. What the picture shows; no names."),
    )
    taken_on = forms.DateField(label=_("Taken on"), required=False, widget=DATE)


class DifficultyForm(forms.ModelForm):
    class Meta:
        model = Difficulty
        fields = [
            "kind",
            "occurred_at",
            "duration_minutes",
            "description",
            "told_whom",
            "told_at",
        ]
        widgets = {
            "occurred_at": DATETIME,
            "told_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "told_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]


class DebriefForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Debrief
        fields = ["held_at", "participants", "main_concerns", "urgent_matters"]
        widgets = {
            "held_at": DATETIME,
            "participants": forms.Textarea(attrs={"rows": 3}),
            "main_concerns": forms.Textarea(attrs={"rows": 8}),
            "urgent_matters": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        self.fields["main_concerns"].help_text = _(
            "Checked before saving: no pseudonym, no name and no detail known only from an "
            "interview may reach the management."
        )


class UrgentDraftForm(forms.Form):
    text = forms.CharField(
        label=_("Urgent recommendation"), widget=forms.Textarea(attrs={"rows": 4})
    )
    addressee = forms.ModelChoiceField(
        label=_("Addressed to"), queryset=Authority.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DATE,
        help_text=_("Seven days from today if left empty."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = Authority.objects.restrict(user, "view").order_by(  # type: ignore[attr-defined]
            "name"
        )
