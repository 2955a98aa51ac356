"""Forms of the plan's pages: objectives, activities, budget lines and the year chooser.
They validate shapes; the rules (who may, years, visits activities' staff-days) live in
the services, whose refusals are shown on the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.places.forms import set_queryset
from habeas.places.models import Category, Region
from habeas.strategy.models import Activity, ActivityKind

MIN_YEAR, MAX_YEAR = 1990, 2100
TEXT = forms.Textarea(attrs={"rows": 4})


def chosen_year(params: Any, default: int | None = None) -> int:
    """The year asked for in the query string; a missing or odd one is the current year."""
    raw = (params.get("year") or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return default or timezone.localdate().year


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    currency = settings.HABEAS_CURRENCY
    return forms.DecimalField(
        label=_("%(label)s (%(currency)s)") % {"label": label, "currency": currency},
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        **kwargs,
    )


def _days(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=9, decimal_places=1, min_value=Decimal(0), **kwargs
    )


def _year(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


class _RecordForm(forms.Form):
    """A form that edits a record from the version read."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    names: tuple[str, ...] = ()

    @classmethod
    def initial_of(cls, record: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": record.version}
        for name in cls.names:
            value = getattr(record, name)
            if hasattr(value, "all"):
                value = list(value.all())
            initial[name] = value
        return initial

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.names if name in self.fields}


class ObjectiveForm(_RecordForm):
    names = ("code", "title", "description", "first_year", "last_year", "position")

    code = forms.CharField(label=_("Code"), max_length=16, help_text=_("For example SO1."))
    title = forms.CharField(label=_("Objective"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=TEXT,
        help_text=_("What the NPM wants to change, and how it will know it did."),
    )
    first_year = _year(_("First year"))
    last_year = _year(_("Last year"))
    position = forms.IntegerField(
        label=_("Order in the list"),
        min_value=0,
        max_value=32767,
        required=False,
        initial=0,
        help_text=_("Lower numbers come first."),
    )

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["position"] = values.get("position") or 0
        return values


class ActivityForm(_RecordForm):
    names = (
        "kind",
        "title",
        "year",
        "status",
        "selection_criteria",
        "categories",
        "regions",
        "planned_staff_days",
        "spent_staff_days",
        "planned_money",
        "spent_money",
        "indicators",
        "outcomes",
        "lessons",
    )
    sections = (
        (_("The activity"), ("kind", "title", "year", "status", "selection_criteria")),
        (_("Places it covers (visits)"), ("categories", "regions")),
        (
            _("Resources"),
            ("planned_staff_days", "spent_staff_days", "planned_money", "spent_money"),
        ),
        (_("Results"), ("indicators", "outcomes", "lessons")),
    )

    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    year = _year(_("Year"))
    status = forms.ChoiceField(
        label=_("Status"), choices=Activity.Status.choices, initial=Activity.Status.PLANNED
    )
    selection_criteria = forms.CharField(
        label=_("Selection criteria"),
        required=False,
        widget=TEXT,
        help_text=_("Why these places, laws or audiences were chosen (¶10, 36)."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories of places"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For a visits activity: the visits it covers are those of its year at places "
            "of these categories. None chosen: every category."
        ),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "For a visits activity: only visits in these regions and the areas within "
            "them. None chosen: all."
        ),
    )
    planned_staff_days = _days(_("Planned staff-days"), initial=0, required=False)
    spent_staff_days = _days(
        _("Spent staff-days"),
        required=False,
        help_text=_(
            "Leave empty for a visits activity: Habeas counts them from its visits (the days "
            "of each visit times the members of its team, interpreters not counted). For "
            "other kinds, enter the staff-days used."
        ),
    )
    planned_money = _money(_("Planned money"), initial=0, required=False)
    spent_money = _money(_("Spent money"), required=False)
    indicators = forms.CharField(
        label=_("Indicators"),
        required=False,
        widget=TEXT,
        help_text=_("How the NPM will measure whether the activity worked."),
    )
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=TEXT)
    lessons = forms.CharField(label=_("Lessons learnt"), required=False, widget=TEXT)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "regions", Region.objects.restrict(user, "view").order_by("name"))

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name in ("planned_staff_days", "planned_money"):
            if values.get(name) is None:
                values[name] = Decimal(0)
        values["categories"] = list(values.get("categories") or [])
        values["regions"] = list(values.get("regions") or [])
        return values


class ActivityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Activity) -> str:  # type: ignore[override]
        return f"{obj.year} · {obj.get_kind_display()} · {obj.title}"


class BudgetLineForm(_RecordForm):
    names = ("year", "kind", "activity", "label", "planned", "spent", "note")

    year = _year(_("Year"))
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=ActivityKind.choices)
    label = forms.CharField(
        label=_("Label"), max_length=200, help_text=_("For example: travel, per diems, printing.")
    )
    planned = _money(_("Planned"), initial=0, required=False)
    spent = _money(_("Spent"), initial=0, required=False)
    activity = ActivityChoice(
        label=_("Activity"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("Optional. The line then has the activity's year and kind."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        activities = Activity.objects.restrict(user, "view").order_by("-year", "kind", "title")
        set_queryset(self, "activity", activities)

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name in ("planned", "spent"):
            if values.get(name) is None:
                values[name] = Decimal(0)
        values["note"] = values.get("note") or ""
        return values
