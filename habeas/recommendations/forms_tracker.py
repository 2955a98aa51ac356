"""The tracker's filters (¶5, 34), read from the query string by the page and its exports.

Invalid values are ignored, never an error: a bookmarked or shared link keeps working
with whatever still makes sense.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from habeas.places.forms import QuickSelect, region_choices, set_choices
from habeas.places.models import Authority, Category, Place
from habeas.recommendations import selectors
from habeas.recommendations.models import Origin, Priority, Recommendation
from habeas.visits.models import Theme

ANY = [("", _("Any"))]


def _choices(*choices: Any) -> list[tuple[str, Any]]:
    return [*ANY, *choices]


class TrackerFilterForm(forms.Form):
    """The tracker's filters; `filters()` gives them as `selectors.tracker_list` takes them."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Reference or words of the text")}
        ),
    )
    place = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("Category of place"), required=False)
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int)
    authority = forms.TypedChoiceField(label=_("Addressee"), required=False, coerce=int)
    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=_choices(*Theme.choices))
    origin = forms.ChoiceField(label=_("Origin"), required=False, choices=_choices(*Origin.choices))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_choices(*Priority.choices)
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=_choices(*Recommendation.State.choices)
    )
    response = forms.ChoiceField(
        label=_("Response"), required=False, choices=_choices(*selectors.RESPONSE_CHOICES)
    )
    implementation = forms.ChoiceField(
        label=_("Implementation"),
        required=False,
        choices=_choices(*selectors.IMPLEMENTATION_CHOICES),
    )
    overdue = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("Any")), (selectors.YES, _("Overdue only"))],
    )
    year = forms.TypedChoiceField(label=_("Year sent"), required=False, coerce=int)

    def __init__(self, *args: Any, user: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", _choices(*Category.objects.values_list("code", "name")))
        set_choices(self, "region", _choices(*region_choices(user=user)))
        authorities = Authority.objects.restrict(user, "view").values_list("pk", "name")
        set_choices(self, "authority", _choices(*((str(pk), name) for pk, name in authorities)))
        # A year asked for is kept even if nothing seen was sent then (the list is empty):
        # a link never silently widens to every year.
        asked = str(self.data.get("year", "")) if self.is_bound else ""
        if asked.isdigit() and 1900 <= int(asked) <= 2200:
            years = sorted({*years, int(asked)}, reverse=True)
        set_choices(self, "year", _choices(*((str(year), str(year)) for year in years)))
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.widget = QuickSelect()
                field.widget.choices = field.choices
        self.user = user

    def filters(self) -> dict[str, Any]:
        """The valid filters, without the empty ones."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value not in ("", None)}

    def chosen_place(self) -> Place | None:
        """The place filtered on, if the reader may see it (shown above the results)."""
        pk = self.filters().get("place")
        if pk is None:
            return None
        return Place.objects.restrict(self.user, "view").filter(pk=pk).first()

    @property
    def active_count(self) -> int:
        return len(self.filters())


def tracker_filters(query: QueryDict, *, user: Any) -> dict[str, Any]:
    """Filters from a query string, for exports (and any reader but the page itself)."""
    return TrackerFilterForm(query, user=user, years=[]).filters()
