"""Forms of the case-file pages. They validate and present; services write.

Identity and consent fields exist on a form only for someone who may see the case's
identities, so they are neither shown nor accepted from anyone else.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts.models import User
from habeas.cases import selectors
from habeas.cases.models import (
    Case,
    ChecklistItem,
    Element,
    MedicalExamination,
    Recipient,
    Referral,
)
from habeas.places.forms import DateInput, QuickSelect, set_queryset
from habeas.places.models import Authority, Place

IDENTITY_FIELDS = ("victim", "victim_details", "complainant", "officials", "witnesses")
TESTIMONY_FIELDS = ("acts", "circumstances")
CONSENT_FIELDS = (
    "consent_use",
    "consent_elements",
    "consent_recipients",
    "consent_publish",
    "consent_recorded_on",
)
FACT_FIELDS = (
    "kind",
    "place",
    "authority",
    "occurred_on",
    "occurred_until",
    "reported_on",
    "source",
    "source_ref",
    "pattern",
)


def _text(label: Any, *, rows: int = 0, max_length: int = 20000, help_text: Any = "") -> Any:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=widget,
        help_text=help_text,
        strip=True,
    )


class CaseForm(forms.Form):
    """A case's facts, identities, testimony and consent."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices)
    place = forms.ModelChoiceField(
        label=_("Place"), queryset=Place.objects.none(), required=False, widget=QuickSelect
    )
    authority = forms.ModelChoiceField(
        label=_("Authority concerned"),
        queryset=Authority.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    occurred_on = forms.DateField(label=_("Date of the acts"), required=False, widget=DateInput())
    occurred_until = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    reported_on = forms.DateField(label=_("Reported to the NPM on"), widget=DateInput())
    source = forms.ChoiceField(label=_("Source"), choices=Case.Source.choices)
    source_ref = forms.CharField(
        label=_("Source reference"),
        max_length=64,
        required=False,
        help_text=_("The visit, interview or submission it came from (no names)."),
    )
    pattern = forms.ChoiceField(
        label=_("Isolated or part of a pattern"),
        choices=Case.Pattern.choices,
        initial=Case.Pattern.UNKNOWN,
    )
    victim = _text(_("Victim"), max_length=300)
    victim_details = _text(_("About the victim"), rows=3)
    complainant = _text(_("Complainant, if not the victim"), max_length=300)
    officials = _text(_("Officials named"), rows=3)
    witnesses = _text(_("Witnesses"), rows=3)
    acts = _text(_("Account of the acts"), rows=8)
    circumstances = _text(_("Circumstances"), rows=4)
    consent_use = forms.BooleanField(
        label=_("The person consents to the NPM using the information"), required=False
    )
    consent_elements = forms.MultipleChoiceField(
        label=_("Elements that may be transmitted"),
        choices=Element.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_recipients = forms.MultipleChoiceField(
        label=_("Bodies they may be transmitted to"),
        choices=Recipient.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_publish = forms.BooleanField(
        label=_("May be published (without name unless stated)"), required=False
    )
    consent_recorded_on = forms.DateField(
        label=_("Consent recorded on"), required=False, widget=DateInput()
    )

    sections = (
        (_("Facts"), FACT_FIELDS),
        (_("Identities"), IDENTITY_FIELDS),
        (_("Testimony"), TESTIMONY_FIELDS),
        (_("Consent"), CONSENT_FIELDS),
    )

    def __init__(
        self, *args: Any, user: Any, show_identity: bool, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.editing = editing
        set_queryset(self, "place", Place.objects.restrict(user, "view").order_by("name"))
        set_queryset(self, "authority", Authority.objects.restrict(user, "view").order_by("name"))
        if not editing:
            self.fields["reported_on"].initial = timezone.localdate()
            self.fields["consent_recorded_on"].initial = timezone.localdate()
        if not show_identity:
            # Neither shown nor accepted: the service would ignore them anyway.
            for name in (*IDENTITY_FIELDS, *CONSENT_FIELDS):
                del self.fields[name]

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.editing and not version:
            raise ValidationError(_("The form is missing the record's version. Reload the page."))
        return version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("occurred_on"), data.get("occurred_until")
        if start and end and end < start:
            self.add_error("occurred_until", _("The end cannot come before the start."))
        today = timezone.localdate()
        for name in ("occurred_on", "reported_on", "consent_recorded_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("This date is in the future."))
        return data

    def case_data(self) -> dict[str, Any]:
        """What the services take: the form's fields, nothing else."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class CaseFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Case.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Case.Status.choices], required=False
    )
    place = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("All places"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the places of the user's own cases: the filter says nothing of the others.
        places = Place.objects.filter(pk__in=selectors.case_list(user=user).values("place"))
        set_queryset(self, "place", places.order_by("name"))

    def filters(self) -> selectors.CaseFilters:
        if not self.is_valid():
            return selectors.CaseFilters()
        data = self.cleaned_data
        return selectors.CaseFilters(
            kind=data.get("kind") or "", status=data.get("status") or "", place=data.get("place")
        )


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    identity = forms.BooleanField(label=_("May see identities"), required=False)
    medical = forms.BooleanField(label=_("May see medical documentation"), required=False)
    reason = forms.CharField(
        label=_("Why this person needs to know"), max_length=300, required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = selectors.grantable_people()
        set_queryset(self, "user", User.objects.filter(pk__in=[person.pk for person in people]))
        self.fields["user"].label_from_instance = (  # type: ignore[attr-defined]
            lambda person: f"{person} ({person.get_role_display()})"
        )


class LeadForm(forms.Form):
    user = forms.ModelChoiceField(label=_("New lead"), queryset=User.objects.none())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grantees = User.objects.filter(pk__in=case.grants.values("user_id"), is_active=True)
        set_queryset(self, "user", grantees.exclude(pk=case.lead_id))


class ExaminationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    examined_on = forms.DateField(label=_("Examined on"), widget=DateInput())
    examiner = forms.ModelChoiceField(
        label=_("Examining doctor"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("One of the people granted the medical file."),
    )
    examiner_name = forms.CharField(
        label=_("Examiner from outside the NPM"), max_length=200, required=False
    )
    history = _text(_("History (the person's account of the events and symptoms)"), rows=6)
    physical_findings = _text(_("Physical findings"), rows=6)
    psychological_findings = _text(_("Psychological findings"), rows=6)
    interpretation = _text(_("Interpretation of the findings"), rows=4)
    consistency = forms.ChoiceField(
        label=_("Consistency with the account (Istanbul Protocol, ¶ 386)"),
        choices=MedicalExamination.Consistency.choices,
    )

    def __init__(self, *args: Any, case: Case, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        doctors = User.objects.filter(pk__in=case.grants.filter(medical=True).values("user_id"))
        set_queryset(self, "examiner", doctors)
        if not editing:
            self.fields["examined_on"].initial = timezone.localdate()

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.editing and not version:
            raise ValidationError(_("The form is missing the record's version. Reload the page."))
        return version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("examined_on") and data["examined_on"] > timezone.localdate():
            self.add_error("examined_on", _("This date is in the future."))
        if not data.get("examiner") and not data.get("examiner_name"):
            self.add_error("examiner", _("Name the examining doctor."))
        return data


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label=_("File"),
        help_text=_(
            "A photograph, a body chart or a report: PDF, JPG, PNG, DOCX, ODT or TXT. "
            "Photographs are stripped of their metadata (camera, place, time)."
        ),
    )


class ReferralRecipientForm(forms.Form):
    recipient_kind = forms.ChoiceField(label=_("Recipient"), choices=Recipient.choices)
    recipient_authority = forms.ModelChoiceField(
        label=_("Recipient authority"),
        queryset=Authority.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    recipient_name = forms.CharField(
        label=_("Recipient name"),
        max_length=300,
        required=False,
        help_text=_("The office or person it is addressed to."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authorities = Authority.objects.restrict(user, "view").order_by("name")
        set_queryset(self, "recipient_authority", authorities)


class ReferralSendForm(forms.Form):
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput())

    def clean_sent_on(self) -> Any:
        sent_on = self.cleaned_data["sent_on"]
        if sent_on > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return sent_on


class ReferralOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Referral.Outcome.choices)
    outcome_on = forms.DateField(label=_("Outcome on"), required=False, widget=DateInput())


class ChecklistItemForm(forms.Form):
    status = forms.ChoiceField(label=_("State"), choices=ChecklistItem.Status.choices)
    reason = forms.CharField(label=_("Why not applicable"), max_length=300, required=False)
