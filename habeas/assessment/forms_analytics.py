"""The filters of the analyses (¶15, 19, 34) and the form that saves a view of them.

Every analysis reads the same query string, so that a number's link to the findings
behind it, a saved view and an export carry exactly the filters the reader chose. Bad
input is refused with a message and the analysis is shown without that filter.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from habeas.assessment.analytics import MIN_PLACES_DEFAULT, Filters
from habeas.assessment.models_analytics import SavedView
from habeas.places.models import Category, Place, Region
from habeas.visits.models import Finding, Standard, Theme

ANY = [("", _l("Any"))]
FIRST_YEAR, LAST_YEAR = 1990, 2100


class FilterForm(forms.Form):
    """What every analysis and the list of findings behind a figure may be narrowed to."""

    year_from = forms.IntegerField(
        label=_l("From year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    year_to = forms.IntegerField(
        label=_l("To year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    region = forms.ModelChoiceField(
        label=_l("Region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_l("Any"),
        help_text=_l("Includes the areas inside it."),
    )
    category = forms.ModelChoiceField(
        label=_l("Category of place"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_l("Any"),
    )
    kind = forms.ChoiceField(label=_l("Kind"), choices=ANY + Finding.Kind.choices, required=False)
    severity = forms.ChoiceField(
        label=_l("Severity"), choices=ANY + Finding.Severity.choices, required=False
    )
    theme = forms.ChoiceField(label=_l("Theme"), choices=ANY + Theme.choices, required=False)
    standard = forms.ChoiceField(
        label=_l("Standard cited"), choices=ANY + Standard.choices, required=False
    )
    place = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    min_places = forms.IntegerField(
        label=_l("Seen in at least (places)"),
        required=False,
        min_value=2,
        max_value=1000,
        initial=MIN_PLACES_DEFAULT,
    )

    # Which fields each page shows (the others still apply when given in the address).
    SHOWN = {
        "heatmap": ("year_from", "year_to", "region", "kind", "severity"),
        "trends": ("year_from", "year_to", "region", "category", "kind", "severity"),
        "generic": ("year_from", "year_to", "region", "category", "severity", "min_places"),
        "good_practices": ("year_from", "year_to", "region", "category", "theme"),
        "serious": ("year_from", "year_to", "region", "category", "theme"),
        "findings": (
            "year_from",
            "year_to",
            "region",
            "category",
            "kind",
            "severity",
            "theme",
            "standard",
        ),
    }

    def __init__(self, data: Any = None, *, page: str = "findings", **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.page = page

    def shown_fields(self) -> list[Any]:
        return [self[name] for name in self.SHOWN[self.page]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first year must not come after the last year."))
        severity, kind = cleaned.get("severity"), cleaned.get("kind")
        if severity and kind == Finding.Kind.GOOD_PRACTICE:
            raise forms.ValidationError(
                _("A good practice has no severity: choose one or the other.")
            )
        place = cleaned.get("place")
        if place and not Place.objects.filter(pk=place).exists():
            self.add_error("place", _("There is no such place."))
        return cleaned

    def filters(self) -> Filters:
        """The valid filters; with any error, none at all (the page says why)."""
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        region, category = data.get("region"), data.get("category")
        return Filters(
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            region=region.pk if region else None,
            category=category.pk if category else None,
            kind=data.get("kind") or "",
            severity=data.get("severity") or "",
            theme=data.get("theme") or "",
            standard=data.get("standard") or "",
            place=data.get("place"),
            min_places=data.get("min_places") or MIN_PLACES_DEFAULT,
        )


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_l("Name"), max_length=200)
    kind = forms.ChoiceField(choices=SavedView.Kind.choices, widget=forms.HiddenInput)
    params = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    shared = forms.BooleanField(
        label=_l("Share with colleagues"),
        required=False,
        help_text=_l("Colleagues see the filters; each sees only the records they may see."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the view a name."))
        return name
