"""Forms of the programme's and teams' pages (¶10, 11, 35, 36). They validate shapes and
offer only what the user may see; the rules (who may, what follows) live in the services."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from habeas.accounts.models import User
from habeas.accounts.roles import PERMISSIONS
from habeas.places.forms import DateInput, QuickSelect
from habeas.places.models import Category, Place, Region
from habeas.planning.models import PlaceRule, Programme
from habeas.visits.models import TeamProfile, Visit

PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")
# The place picker lists at most this many places; a search narrows them.
PICKER_LIMIT = 300
# A justification is a few sentences, not a word (the service asks the same).
MIN_JUSTIFICATION = 20


def period_choices(today: dt.date, quarters: int = 6, years: int = 2) -> list[str]:
    """The coming quarters (this one first) and the coming years, as "2027-Q1" / "2027"."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = []
    for _step in range(quarters):
        found.append(f"{year}-Q{quarter}")
        quarter += 1
        if quarter == 5:
            year, quarter = year + 1, 1
    found += [str(today.year + n) for n in range(years)]
    return found


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:  # type: ignore[override]
        region = obj.region.name if obj.region is not None else ""
        return f"{obj.name} ({region})" if region else obj.name


def place_picker(form: forms.BaseForm, places: QuerySet[Place], search: str) -> None:
    """Offer the places matching a search (or the first ones by name); any visible place
    still validates, so a search does not make a chosen place invalid."""
    field = form.fields["place"]
    if not isinstance(field, PlaceChoiceField):
        raise TypeError("place_picker needs a PlaceChoiceField named place")
    field.queryset = places
    shown = places.select_related("region").order_by("name")
    if search:
        shown = shown.filter(name__icontains=search)
    chosen = form.data.get(form.add_prefix("place")) if form.is_bound else None
    options = list(shown[:PICKER_LIMIT])
    if chosen and str(chosen).isdigit() and all(str(p.pk) != chosen for p in options):
        options += list(places.select_related("region").filter(pk=int(chosen)))
    field.widget.choices = [
        ("", _("Choose a place")),
        *((p.pk, field.label_from_instance(p)) for p in options),
    ]


class ProgrammeCreateForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_('A quarter such as "2027-Q1", or a whole year such as "2027".'),
        widget=forms.TextInput(attrs={"list": "period-choices", "autocomplete": "off"}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def clean_period(self) -> str:
        period = self.cleaned_data["period"].strip().upper()
        if not PERIOD.match(period):
            raise forms.ValidationError(
                _('Write the period as a quarter, such as "2027-Q1", or a year, such as "2027".')
            )
        return period


def _count_field(label: str, *, low: int = 0, high: int = 100000) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=low, max_value=high, required=False)


class SettingsForm(forms.Form):
    """The programme's settings and its capacity, as one form: the capacity tables are
    added as fields named after each region, profession and category."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    reserve_percent = forms.DecimalField(
        label=_("Share kept in reserve (%)"),
        min_value=0,
        max_value=90,
        decimal_places=0,
        help_text=_(
            "Capacity not planned, kept for urgent and follow-up visits. 20 keeps a fifth."
        ),
    )
    max_visits = forms.IntegerField(
        label=_("Visits the teams can make in the period"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_(
            "Reserve included: the reserve's share of them is kept back too. Leave empty when "
            "only the staff-days below limit the programme."
        ),
    )
    default_max_interval_months = forms.IntegerField(
        label=_("Longest time between in-depth visits (months)"),
        min_value=1,
        max_value=240,
        help_text=_(
            "For a category with no maximum interval of its own. Every category Habeas comes "
            "with has its own (48 months): change it per category below."
        ),
    )
    trip_sharing = forms.ChoiceField(label=_("Travel"), choices=Programme.TripSharing.choices)
    trip_radius_km = forms.IntegerField(
        label=_("Trip radius (km)"),
        min_value=1,
        max_value=1000,
        help_text=_("Used when visits within a radius share a trip."),
    )
    trip_overhead_days = forms.DecimalField(
        label=_("Travel per trip (staff-days)"), min_value=0, max_value=20, decimal_places=1
    )
    time_limit_seconds = forms.IntegerField(
        label=_("Time to search for the best plan (seconds)"), min_value=1, max_value=3600
    )

    sections = (
        (
            _("Settings"),
            (
                "title",
                "reserve_percent",
                "max_visits",
                "default_max_interval_months",
                "trip_sharing",
                "trip_radius_km",
                "trip_overhead_days",
                "time_limit_seconds",
            ),
        ),
    )

    def __init__(
        self,
        *args: Any,
        regions: Sequence[Region],
        professions: Sequence[tuple[str, Any]],
        categories: Sequence[Category],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.regions, self.professions, self.categories = regions, professions, categories
        for region in regions:
            self.fields[f"r{region.pk}_days"] = _count_field(
                _("Staff-days in %(region)s") % {"region": region.name}
            )
            self.fields[f"r{region.pk}_min"] = _count_field(
                _("At least this many visits in %(region)s") % {"region": region.name}
            )
        for code, name in professions:
            self.fields[f"p_{code}_days"] = _count_field(
                _("Staff-days of %(profession)s") % {"profession": name}
            )
        for category in categories:
            self.fields[f"c{category.pk}_interval"] = _count_field(
                _("Longest time between in-depth visits to %(category)s (months)")
                % {"category": category.name},
                low=1,
                high=240,
            )
            self.fields[f"c{category.pk}_min"] = _count_field(
                _("At least this many visits to %(category)s") % {"category": category.name}
            )

    @staticmethod
    def initial_of(
        programme: Programme,
        regions: Mapping[int, tuple[int, int]],
        professions: Mapping[str, int],
        categories: Mapping[int, tuple[int | None, int]],
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": programme.version,
            "title": programme.title,
            "reserve_percent": (Decimal(programme.reserve_share) * 100).quantize(Decimal(1)),
            "default_max_interval_months": programme.default_max_interval_months,
            "trip_sharing": programme.trip_sharing,
            "trip_radius_km": programme.trip_radius_km,
            "trip_overhead_days": programme.trip_overhead_days,
            "time_limit_seconds": programme.time_limit_seconds,
            "max_visits": programme.max_visits,
        }
        for pk, (days, minimum) in regions.items():
            initial[f"r{pk}_days"], initial[f"r{pk}_min"] = days, minimum
        for code, days in professions.items():
            initial[f"p_{code}_days"] = days
        for pk, (interval, minimum) in categories.items():
            initial[f"c{pk}_interval"], initial[f"c{pk}_min"] = interval, minimum
        return initial

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data.get("title") or "",
            "reserve_share": (data["reserve_percent"] / 100).quantize(Decimal("0.01")),
            "default_max_interval_months": data["default_max_interval_months"],
            "trip_sharing": data["trip_sharing"],
            "trip_radius_km": data["trip_radius_km"],
            "trip_overhead_days": data["trip_overhead_days"],
            "time_limit_seconds": data["time_limit_seconds"],
            "max_visits": data.get("max_visits"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for region in self.regions:
            days, minimum = data.get(f"r{region.pk}_days"), data.get(f"r{region.pk}_min")
            if minimum and days is None:
                # Saved, it would give the region 0 staff-days of its own and cut it off from
                # the staff-days of the region above.
                self.add_error(
                    f"r{region.pk}_min",
                    _(
                        "Give %(region)s its own staff-days to ask a minimum of it, or ask the "
                        "minimum of the region above it."
                    )
                    % {"region": region.name},
                )
        return data

    def region_capacity(self) -> dict[int, tuple[int, int]]:
        """Regions given staff-days (with their minimum); a region left empty counts against
        the nearest region above it that has staff-days."""
        found = {}
        for region in self.regions:
            days = self.cleaned_data.get(f"r{region.pk}_days")
            minimum = self.cleaned_data.get(f"r{region.pk}_min")
            if days is not None or minimum:
                found[region.pk] = (days or 0, minimum or 0)
        return found

    def profession_capacity(self) -> dict[str, int]:
        found = {}
        for code, _name in self.professions:
            days = self.cleaned_data.get(f"p_{code}_days")
            if days is not None:
                found[code] = days
        return found

    def category_rules(self) -> dict[int, tuple[int | None, int]]:
        found = {}
        for category in self.categories:
            interval = self.cleaned_data.get(f"c{category.pk}_interval")
            minimum = self.cleaned_data.get(f"c{category.pk}_min")
            if interval is not None or minimum:
                found[category.pk] = (interval, minimum or 0)
        return found

    def region_rows(self) -> list[tuple[Region, Any, Any]]:
        return [(r, self[f"r{r.pk}_days"], self[f"r{r.pk}_min"]) for r in self.regions]

    def profession_rows(self) -> list[tuple[Any, Any]]:
        return [(name, self[f"p_{code}_days"]) for code, name in self.professions]

    def category_rows(self) -> list[tuple[Category, Any, Any]]:
        return [(c, self[f"c{c.pk}_interval"], self[f"c{c.pk}_min"]) for c in self.categories]


VISIT_KINDS = [
    (Visit.Kind.IN_DEPTH, Visit.Kind.IN_DEPTH.label),
    (Visit.Kind.FOLLOW_UP, Visit.Kind.FOLLOW_UP.label),
    (Visit.Kind.THEMATIC, Visit.Kind.THEMATIC.label),
]


class PlaceRuleForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=Place.objects.none(), widget=QuickSelect)
    kind = forms.ChoiceField(label=_("Rule"), choices=PlaceRule.Kind.choices)
    visit_kind = forms.ChoiceField(
        label=_("Type of visit"),
        required=False,
        choices=[("", _("Any")), *VISIT_KINDS],
        help_text=_("For a place that must be visited: which type of visit."),
    )
    note = forms.CharField(label=_("Why"), max_length=300, required=False)


class VisitAddForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=Place.objects.none(), widget=QuickSelect)
    week = forms.ChoiceField(label=_("Week of"))
    kind = forms.ChoiceField(label=_("Type of visit"), choices=VISIT_KINDS)

    def __init__(self, *args: Any, weeks: Iterable[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["week"].choices = [(w.isoformat(), w.isoformat()) for w in weeks]  # type: ignore[attr-defined]

    def clean_week(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["week"])


class VisitMoveForm(forms.Form):
    """Another week of the period for a visit (it is then pinned there)."""

    week = forms.ChoiceField(label=_("Move it to the week of"))

    def __init__(self, *args: Any, weeks: Iterable[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["week"].choices = [(w.isoformat(), w.isoformat()) for w in weeks]  # type: ignore[attr-defined]

    def clean_week(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["week"])


class JustificationForm(forms.Form):
    """Why a left-out region or category gets no visit (¶36)."""

    target = forms.RegexField(regex=r"^(region|category)-\d+$", widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=MIN_JUSTIFICATION,
        error_messages={
            "min_length": _(
                "Write at least %(limit_value)d characters: say why, in a sentence or two."
            ),
        },
    )

    def target_of(self) -> tuple[str, int]:
        kind, pk = self.cleaned_data["target"].split("-")
        return kind, int(pk)


class VisitRemoveForm(forms.Form):
    note = forms.CharField(
        label=_("Why remove it"),
        max_length=300,
        required=False,
        help_text=_("The place is then kept out when the programme is built again."),
    )


class DurationRowForm(forms.Form):
    """One line of the durations table: a category, from a size, days and team."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), widget=QuickSelect
    )
    capacity_from = forms.IntegerField(label=_("From a capacity of"), min_value=0)
    in_depth_days = forms.DecimalField(
        label=_("In-depth visit (days)"), min_value=Decimal("0.5"), max_value=60, decimal_places=1
    )
    follow_up_days = forms.DecimalField(
        label=_("Follow-up visit (days)"), min_value=Decimal("0.5"), max_value=60, decimal_places=1
    )
    team_size = forms.IntegerField(label=_("People on the team"), min_value=1, max_value=20)


class NewDurationRowForm(DurationRowForm):
    """The blank line at the end of the table: left empty, nothing is added."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def is_empty(self) -> bool:
        return not any(self.data.get(self.add_prefix(name)) for name in self.fields)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.is_empty():
            for name in self.fields:
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return cleaned


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.full_name or obj.email


def visiting_people() -> QuerySet[User]:
    """Who goes on visits: active users whose role records visits."""
    return User.objects.filter(is_active=True, role__in=PERMISSIONS["visits.record"]).order_by(
        "full_name", "email"
    )


class UnavailabilityForm(forms.Form):
    user = PersonField(label=_("Person"), queryset=User.objects.none(), widget=QuickSelect)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("To"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Leave, training, other work. Shown to the planners only."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = visiting_people()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day comes before the first."))
        return cleaned


PROFESSIONS = TeamProfile.Profession.choices
