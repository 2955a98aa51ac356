"""Forms of the policy library and the training pages (¶7, 8, 37). They check shapes;
who may do what, and what follows, live in `services_people`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.places.forms import DateInput
from habeas.strategy.models import PolicyArea, TrainingPlanEntry

TEXT_HELP = _(
    "Markdown: a blank line between paragraphs, “- ” for a list, **bold**. Raw HTML is not shown."
)


class PolicyForm(forms.Form):
    """A new policy and the text of its first version."""

    area = forms.ChoiceField(label=_("Area (¶8)"), choices=[("", "—"), *PolicyArea.choices])
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}), help_text=TEXT_HELP
    )
    effective_on = forms.DateField(label=_("Applies from"), widget=DateInput())
    change_note = forms.CharField(
        label=_("Note on this first version"),
        required=False,
        max_length=300,
        help_text=_("Optional: for example, “adopted by the board on 3 March”."),
    )

    sections = ((None, ("area", "title", "text", "effective_on", "change_note")),)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["effective_on"].initial = timezone.localdate()


class PolicyEditForm(forms.Form):
    """A policy's title and area; its text changes only by a new version."""

    names = ("area", "title")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    area = forms.ChoiceField(label=_("Area (¶8)"), choices=PolicyArea.choices)
    title = forms.CharField(label=_("Title"), max_length=300)

    sections = ((None, ("area", "title")),)

    @classmethod
    def initial_of(cls, policy: Any) -> dict[str, Any]:
        return {"version": policy.version, "area": policy.area, "title": policy.title}

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.names}


class PolicyVersionForm(forms.Form):
    """The next version of a policy: its whole text again, the date and what changed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    text = forms.CharField(
        label=_("Text of the new version"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=TEXT_HELP,
    )
    effective_on = forms.DateField(label=_("Applies from"), widget=DateInput())
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        help_text=_("Every member will be asked to acknowledge the new version; say what is new."),
    )

    sections = ((None, ("text", "effective_on", "change_note")),)


class PlanDrawForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the plan"), min_value=2000, max_value=2100)


class EntryStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=TrainingPlanEntry.Status.choices)
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=DateInput(),
        help_text=_("When marking it done: the training is added to the person's record."),
    )

    sections = ((None, ("status", "completed_on")),)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        completed_on = data.get("completed_on")
        if data.get("status") == TrainingPlanEntry.Status.DONE and completed_on is None:
            self.add_error("completed_on", _("Give the date the training was completed."))
        if completed_on is not None and completed_on > timezone.localdate():
            self.add_error("completed_on", _("This date is in the future."))
        return data
