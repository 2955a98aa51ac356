"""Forms of the risk model's pages: the list's filters and the weights (¶10). They check
shapes; the rules (who may, what a weight may be) live in `services_risk`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.places.forms import QuickSelect, region_choices, set_choices
from habeas.places.models import Category
from habeas.planning import risk
from habeas.planning.models import Factor, RiskWeights
from habeas.planning.selectors_risk import RiskFilters

ANY = ("", _("Any"))
ORDER_CHOICES = [
    ("-score", _("Highest risk first")),
    ("score", _("Lowest risk first")),
    ("name", _("Name")),
    ("category", _("Category")),
    ("region", _("Region")),
]


class RiskFilterForm(forms.Form):
    """The risk list's filters. Invalid values are ignored, never an error: a shared link
    keeps working with whatever still makes sense."""

    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int)
    order = forms.ChoiceField(label=_("Sort by"), required=False, choices=ORDER_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "region", [ANY, *region_choices(user=user)])
        categories = Category.objects.values_list("pk", "name")
        set_choices(self, "category", [ANY, *((str(pk), name) for pk, name in categories)])
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.widget = QuickSelect()
                field.widget.choices = field.choices

    def filters(self) -> RiskFilters:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return RiskFilters(
            region=cleaned.get("region") or None,
            category=cleaned.get("category") or None,
            order=cleaned.get("order") or "-score",
        )


class WeightsForm(forms.Form):
    """One weight per factor (the points it adds at full strength) and why they change.

    `number` is the version the editor started from: saving after someone else saved a
    version is refused (409) and the editor's figures are shown again."""

    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Why the weights change"),
        max_length=300,
        required=False,
        help_text=_("Kept with the version, for whoever reads the history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for factor in Factor:
            self.fields[factor.value] = forms.DecimalField(
                label=factor.label,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                help_text=risk.rule(factor.value),
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
        self.order_fields([*Factor.values, "note", "number"])

    @classmethod
    def initial_of(cls, weights: RiskWeights) -> dict[str, Any]:
        values = risk.weights_of(weights.weights)
        return {
            **{name: plain_number(value) for name, value in values.items()},
            "number": weights.number,
        }

    def weights(self) -> dict[str, float]:
        return {name: float(self.cleaned_data[name]) for name in Factor.values}


def plain_number(value: float) -> str:
    """15.0 as "15", 2.5 as "2.5"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
