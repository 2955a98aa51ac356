"""Forms of the assessment pages. They validate and present; services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import PERMISSIONS
from habeas.assessment import selectors
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    Criterion,
    Evidence,
    FrameworkVersion,
    Organisation,
    Rating,
)
from habeas.places.forms import DateInput, add_service_errors

__all__ = [
    "ActionItemForm",
    "ActionItemStatusForm",
    "AssessmentEditForm",
    "AssessmentForm",
    "EvidenceDocumentForm",
    "EvidenceLinkForm",
    "EvidenceRecordForm",
    "RatingForm",
    "ShareForm",
    "add_service_errors",
]


def _people_who_may(permission: str, organisation: Organisation | None) -> Any:
    from habeas.accounts.models import User

    if organisation is None:
        return User.objects.none()
    people = selectors.organisation_users(organisation=organisation)
    return people.filter(role__in=PERMISSIONS[permission]).order_by("full_name", "email")


def choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A model choice field of the form, typed as one."""
    return cast(forms.ModelChoiceField, form.fields[name])


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class AssessmentForm(forms.Form):
    """Start an assessment: this NPM of itself, or an assessing body of an NPM."""

    framework_version = forms.ModelChoiceField(
        label=_("Framework"),
        queryset=FrameworkVersion.objects.select_related("framework"),
        help_text=_("The assessment keeps this version, even when a later one is imported."),
    )
    subject = forms.ModelChoiceField(
        label=_("NPM assessed"), queryset=Organisation.objects.filter(kind=Organisation.Kind.NPM)
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    assessors = PeopleChoiceField(
        label=_("Assessors"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The people who rate the criteria. You are one if you choose nobody."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = selectors.organisation_of(user=user)
        self.organisation = organisation
        choice_field(self, "assessors").queryset = _people_who_may(
            "assessment.change", organisation
        )
        if organisation is not None and organisation.kind == Organisation.Kind.NPM:
            subject = choice_field(self, "subject")
            subject.queryset = Organisation.objects.filter(pk=organisation.pk)
            subject.initial = organisation.pk
            subject.empty_label = None
        elif organisation is not None:
            choice_field(self, "subject").queryset = Organisation.objects.filter(
                kind=Organisation.Kind.NPM
            ).exclude(pk=organisation.pk)
        latest = FrameworkVersion.objects.order_by("-imported_at", "-id").first()
        self.fields["framework_version"].initial = latest.pk if latest else None


class AssessmentEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The assessors' overall view; it opens the report."),
    )
    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    assessors = PeopleChoiceField(
        label=_("Assessors"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": assessment.title,
                "summary": assessment.summary,
                "period_start": assessment.period_start,
                "period_end": assessment.period_end,
                "assessors": list(assessment.assessors.all()),
                "version": assessment.version,
            },
        )
        super().__init__(*args, **kwargs)
        choice_field(self, "assessors").queryset = _people_who_may(
            "assessment.change", assessment.made_by
        )


class RatingForm(forms.Form):
    """One criterion's rating on the tool's scale, with the assessors' narrative."""

    level = forms.ChoiceField(
        label=_("Rating"),
        choices=[("", _("Not rated yet")), *Rating.Level.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why it does not apply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you rate the criterion “not applicable”."),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What is in place, what is missing, and what the rating rests on."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_rating(cls, rating: Rating, data: Any = None) -> RatingForm:
        initial = {
            "level": rating.level,
            "reason": rating.reason,
            "narrative": rating.narrative,
            "version": rating.version,
        }
        return cls(data, initial=initial)


class EvidenceDocumentForm(forms.Form):
    prefix = "document"
    title = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("The file name if empty.")
    )
    upload = forms.FileField(label=_("File"))


class EvidenceRecordForm(forms.Form):
    prefix = "record"
    record_type = forms.ChoiceField(label=_("Kind of record"), choices=())
    record_id = forms.CharField(
        label=_("Record number"),
        max_length=64,
        help_text=_("The number in the record's address, e.g. 42 in /places/42/."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Shown to everyone who sees the assessment; name no person."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["record_type"]).choices = selectors.record_types()


class EvidenceLinkForm(forms.Form):
    prefix = "link"
    url = forms.CharField(
        label=_("Address"), max_length=1000, help_text=_("A public source, starting https://")
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)


EVIDENCE_FORMS: dict[str, type[forms.Form]] = {
    Evidence.Kind.DOCUMENT: EvidenceDocumentForm,
    Evidence.Kind.RECORD: EvidenceRecordForm,
    Evidence.Kind.LINK: EvidenceLinkForm,
}


class GapChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = " ".join(obj.text.split())
        return f"¶{obj.ref} — {text[:90]}{'…' if len(text) > 90 else ''}"


class ActionItemForm(forms.Form):
    """Turn a gap into a step with an owner and a deadline."""

    prefix = "item"
    criterion = GapChoiceField(label=_("Gap"), queryset=Criterion.objects.none())
    title = forms.CharField(label=_("Action"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=Organisation.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gap_ids = selectors.gaps(assessment=assessment).values("criterion_id")
        choice_field(self, "criterion").queryset = Criterion.objects.filter(
            pk__in=gap_ids
        ).order_by("position")
        choice_field(self, "owner").queryset = _people_who_may(
            "assessment.view", assessment.made_by
        )


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Share with"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "organisation").queryset = selectors.share_candidates(
            assessment=assessment
        )
