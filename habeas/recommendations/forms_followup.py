"""The form of the NPM's follow-up rule (¶22, 24, 31a). It validates input and hands
whitelisted values to `services.follow_up_rule_update`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.recommendations.models import FollowUpRule, Priority


class FollowUpRuleForm(forms.Form):
    threshold = forms.IntegerField(
        label=_("Recommendations that propose a follow-up visit"),
        min_value=1,
        max_value=100,
        help_text=_(
            "A place is proposed for a follow-up visit when at least this many of its "
            "recommendations of the priorities below are not achieved past their deadline."
        ),
    )
    priorities = forms.MultipleChoiceField(
        label=_("Priorities counted"),
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one priority.")},
    )
    remind_days_before = forms.IntegerField(
        label=_("Remind this many days before a deadline"), min_value=0, max_value=365
    )
    escalate_days_after = forms.IntegerField(
        label=_("Escalate this many days after a missed deadline"),
        min_value=1,
        max_value=365,
        help_text=_("Urgent recommendations are escalated the day after their deadline."),
    )
    urgent_days = forms.IntegerField(
        label=_("Deadline of an urgent recommendation (days)"), min_value=1, max_value=365
    )
    default_response_days = forms.IntegerField(
        label=_("Response deadline when the authority has none (days)"),
        min_value=1,
        max_value=730,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    FIELDS = (
        "threshold",
        "priorities",
        "remind_days_before",
        "escalate_days_after",
        "urgent_days",
        "default_response_days",
    )

    @classmethod
    def initial_of(cls, rule: FollowUpRule) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(rule, name) for name in cls.FIELDS}
        initial["priorities"] = rule.counted_priorities
        initial["version"] = rule.version
        return initial

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}
