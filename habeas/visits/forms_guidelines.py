"""Forms of the guideline pages and of the checklist answers. They validate; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.places.models import Category
from habeas.visits.guidelines import AnswerInput, ThemeItems
from habeas.visits.models import ChecklistAnswer, Guideline, GuidelineItem

NOTE_MAX = 2000


class VersionForm(forms.Form):
    """The draft's version the user saw: a change made since then answers 409."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MoveForm(VersionForm):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class NewDraftForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category of place"), queryset=Category.objects.order_by("position", "name")
    )


class GuidelineForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Guideline
        fields = ["title", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}


class GuidelineItemForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = GuidelineItem
        fields = ["theme", "kind", "text", "register_kind", "group_allowed"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}
        help_texts = {
            "register_kind": _("Only for a register to check."),
            "text": _("A question to ask, a register to check or a thing to observe. No names."),
        }


class ChecklistAnswersForm(forms.Form):
    """One answer and one note per item of the visit's checklist, saved in one post."""

    def __init__(self, *args: Any, checklist: list[ThemeItems], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("No answer")), *ChecklistAnswer.Answer.choices]
        self.rows: list[tuple[ThemeItems, list[tuple[GuidelineItem, Any, Any]]]] = []
        for group in checklist:
            rows = []
            for item in group.items:
                answer_name, note_name = f"answer_{item.pk}", f"note_{item.pk}"
                self.fields[answer_name] = forms.ChoiceField(
                    label=_("Answer"), choices=choices, required=False, widget=forms.RadioSelect
                )
                self.fields[note_name] = forms.CharField(
                    label=_("Note (no names)"),
                    required=False,
                    max_length=NOTE_MAX,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                rows.append((item, self[answer_name], self[note_name]))
            self.rows.append((group, rows))

    def answers(self) -> dict[int, AnswerInput]:
        data = self.cleaned_data
        return {
            item.pk: AnswerInput(
                answer=data.get(f"answer_{item.pk}") or "", note=data.get(f"note_{item.pk}") or ""
            )
            for _group, rows in self.rows
            for item, _answer, _note in rows
        }


def initial_answers(existing: dict[int, ChecklistAnswer]) -> dict[str, str]:
    initial: dict[str, str] = {}
    for pk, answer in existing.items():
        initial[f"answer_{pk}"] = answer.answer
        initial[f"note_{pk}"] = answer.note
    return initial
