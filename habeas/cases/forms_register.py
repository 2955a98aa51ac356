"""Forms of the allegations register's pages (¶27). They validate and present; the
services in `services_register` write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from habeas.cases.models import Case, RegisterEntry
from habeas.cases.selectors_register import GROUPS
from habeas.cases.services_register import stage_order_errors
from habeas.places.forms import (
    DateInput,
    QuickSelect,
    VersionedForm,
    region_choices,
    set_choices,
    set_empty_label,
    set_queryset,
)
from habeas.places.models import Authority, Category, Place

ANY = [("", _("Any"))]
STAGE_CHOICES = [
    ("", _("Any")),
    ("investigated", _("Investigation opened")),
    ("prosecuted", _("Prosecution brought")),
    ("decided", _("Decision given")),
]
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


class RegisterFilterForm(forms.Form):
    """The register's filters, read from the query string. Invalid values are ignored."""

    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int)
    category = forms.ChoiceField(label=_("Category of place"), required=False)
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int)
    year = forms.IntegerField(
        label=_("Year of complaint"),
        required=False,
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
    )
    classification = forms.ChoiceField(
        label=_("Legal classification"),
        required=False,
        choices=ANY + RegisterEntry.Classification.choices,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=ANY + RegisterEntry.Outcome.choices
    )
    stage = forms.ChoiceField(label=_("Reached"), required=False, choices=STAGE_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.widget = QuickSelect()
                field.widget.choices = field.choices
        agencies = Authority.objects.restrict(user, "view").values_list("pk", "name")
        set_choices(self, "agency", ANY + [(str(pk), name) for pk, name in agencies])
        set_choices(self, "category", ANY + list(Category.objects.values_list("code", "name")))
        set_choices(self, "region", ANY + region_choices(user=user))

    def filters(self) -> dict[str, Any]:
        """The valid filters as `selectors_register.entry_list` takes them."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value not in ("", None)}


def register_filters(query: QueryDict, *, user: Any) -> dict[str, Any]:
    """Filters from a query string, for pages, the API and exports alike."""
    return RegisterFilterForm(query, user=user).filters()


def statistics_group(query: QueryDict) -> str:
    """The grouping asked for, or by agency."""
    group = query.get("group", "")
    return group if group in GROUPS else "agency"


class RegisterEntryForm(VersionedForm):
    """An entry of the register. The case offered are those the user can see; an entry
    linked to a case the user cannot see keeps its link, and the form does not show it."""

    sections = (
        (_("Where"), ("agency", "place", "category", "region")),
        (
            _("Steps of the proceedings"),
            ("alleged_on", "complaint_on", "investigation_on", "prosecution_on", "decision_on"),
        ),
        (_("Classification and outcome"), ("classification", "outcome", "sanction", "reparation")),
        (_("Links"), ("legislation_ref", "case")),
    )

    class Meta:
        model = RegisterEntry
        fields = [
            "agency",
            "place",
            "category",
            "region",
            "alleged_on",
            "complaint_on",
            "investigation_on",
            "prosecution_on",
            "decision_on",
            "classification",
            "outcome",
            "sanction",
            "reparation",
            "legislation_ref",
            "case",
        ]
        widgets = {
            "alleged_on": DateInput(),
            "complaint_on": DateInput(),
            "investigation_on": DateInput(),
            "prosecution_on": DateInput(),
            "decision_on": DateInput(),
            "agency": QuickSelect,
            "place": QuickSelect,
            "category": QuickSelect,
            "case": QuickSelect,
        }
        help_texts = {
            "place": _("The category and the region are taken from the place if left empty."),
            "classification": _(
                "The offence the proceedings were brought under: torture, or a lesser "
                "offence such as abuse of office."
            ),
            "case": _("Only the case files you are granted on are offered."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        none = _("— none —")
        set_queryset(self, "agency", Authority.objects.restrict(user, "view"))
        set_queryset(
            self, "place", Place.objects.restrict(user, "view").only("pk", "name").order_by("name")
        )
        cases = Case.objects.restrict(user, "view").only("pk", "reference").order_by("reference")
        linked = self.instance.case_id
        if linked is not None and not cases.filter(pk=linked).exists():
            del self.fields["case"]
        else:
            set_queryset(self, "case", cases)
        for name in ("agency", "place", "category", "case"):
            if name in self.fields:
                set_empty_label(self, name, none)
        self._region_field("region")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        dates = {name: cleaned.get(name) for name in self.Meta.fields if name.endswith("_on")}
        for name, errors in stage_order_errors(dates).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return cleaned
