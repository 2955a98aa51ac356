"""Forms of the inventory pages. They validate and present; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from habeas.places import archive, selectors
from habeas.places.models import (
    Authority,
    Category,
    Place,
    PlaceDocument,
    PopulationGroup,
    Region,
    Unit,
)

INDENT = "\u2003"  # an em space: the tree shows in any select, right-to-left included


class QuickSelect(forms.Select):
    """A select whose options are written in Python, not one template per option.

    The filters and the place form offer hundreds of regions and authorities; Django's
    per-option templates made them the slowest part of the list page.
    """

    OPTION = '<option value="{}">{}</option>'
    SELECTED = '<option value="{}" selected>{}</option>'

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            "{}",
            (
                (format_html(self.SELECTED if str(key) in chosen else self.OPTION, key, label),)
                for key, label in self.choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields (or above them)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def set_queryset(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


def set_empty_label(form: forms.BaseForm, name: str, label: Any) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = label
        field.widget.choices = field.choices  # type: ignore[attr-defined]


def set_choices(form: forms.BaseForm, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ChoiceField):
        field.choices = choices


def region_choices(*, user: Any, exclude: set[int] | None = None) -> list[tuple[str, str]]:
    exclude = exclude or set()
    return [
        (str(node.region.pk), INDENT * node.depth + node.region.name)
        for node in selectors.region_tree(user=user)
        if node.region.pk not in exclude
    ]


class RegionTreeIterator(ModelChoiceIterator):
    """Regions in tree order, each indented under the region it is part of."""

    def __iter__(self):  # type: ignore[override]
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        allowed = set(self.queryset.values_list("pk", flat=True))
        for node in selectors.region_tree(user=self.field.user):
            if node.region.pk in allowed:
                value, label = self.choice(node.region)
                yield (value, INDENT * node.depth + label)


class RegionTreeField(forms.ModelChoiceField):
    iterator = RegionTreeIterator
    widget = QuickSelect

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)


class VersionedForm(forms.ModelForm):
    """A form for a versioned record: the version the edit began from travels with it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.instance.pk and not version:
            raise ValidationError(_("The form is missing the record's version. Reload the page."))
        return version

    def _region_field(self, name: str, *, exclude: set[int] | None = None) -> None:
        field = self.fields[name]
        queryset = Region.objects.restrict(self.user, "view")
        if exclude:
            queryset = queryset.exclude(pk__in=exclude)
        self.fields[name] = RegionTreeField(
            queryset=queryset,
            user=self.user,
            required=field.required,
            label=field.label,
            help_text=field.help_text,
            empty_label=_("— none —"),
        )


class PlaceForm(VersionedForm):
    sections = (
        (_("What it is"), ("name", "category", "official", "operator")),
        (_("Who runs it and where"), ("authority", "region", "address", "latitude", "longitude")),
        (_("Size and people held"), ("capacity", "groups")),
        (_("Records"), ("last_visit_on", "external_ref", "notes")),
    )

    class Meta:
        model = Place
        fields = [
            "name",
            "category",
            "official",
            "operator",
            "authority",
            "region",
            "address",
            "latitude",
            "longitude",
            "capacity",
            "groups",
            "last_visit_on",
            "external_ref",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "groups": forms.CheckboxSelectMultiple,
            "last_visit_on": DateInput(),
            "authority": QuickSelect,
            "category": QuickSelect,
        }
        help_texts = {
            "latitude": _("Decimal degrees, e.g. 48.8566. Leave empty if unknown."),
            "longitude": _("Decimal degrees, e.g. 2.3522. Leave empty if unknown."),
            "capacity": _("The official number of places; used to show occupancy."),
            "groups": _("Tick every group this place holds or may hold."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        set_queryset(self, "authority", Authority.objects.restrict(user, "view"))
        set_queryset(self, "category", Category.objects.all())
        set_queryset(self, "groups", PopulationGroup.objects.all())
        self._region_field("region")
        set_empty_label(self, "category", _("— choose a category —"))
        set_empty_label(self, "authority", _("— none —"))
        self.fields["official"].help_text = _(
            "Untick for a place the authorities do not list as a place of detention."
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if latitude is not None and not -90 <= latitude <= 90:
            self.add_error("latitude", _("Latitude runs from -90 to 90."))
        if longitude is not None and not -180 <= longitude <= 180:
            self.add_error("longitude", _("Longitude runs from -180 to 180."))
        return cleaned


class PlaceCloseForm(forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"),
        widget=DateInput(),
        help_text=_("The date from which the place no longer held anyone."),
    )

    def clean_closed_on(self) -> Any:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return closed_on


class RegionForm(VersionedForm):
    class Meta:
        model = Region
        fields = ["name", "code", "parent"]
        help_texts = {
            "code": _("A short unique code, e.g. the official code of the area."),
            "parent": _("The larger area this region belongs to, if any."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        own = selectors.region_descendant_ids([self.instance.pk]) if self.instance.pk else None
        self._region_field("parent", exclude=own)


class AuthorityForm(VersionedForm):
    class Meta:
        model = Authority
        fields = [
            "name",
            "kind",
            "parent",
            "region",
            "response_days",
            "email",
            "phone",
            "urgent_contact",
            "address",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "parent": QuickSelect}
        help_texts = {
            "response_days": _(
                "Days the authority has by law to answer the NPM's recommendations."
            ),
            "urgent_contact": _("Who to call in an emergency, e.g. a duty officer and number."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        parents = Authority.objects.restrict(user, "view")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        set_queryset(self, "parent", parents)
        set_empty_label(self, "parent", _("— none —"))
        self._region_field("region")


class UnitForm(VersionedForm):
    class Meta:
        model = Unit
        fields = ["name", "description", "capacity"]
        help_texts = {"name": _("As the staff call it, e.g. “Wing B” or “Women's unit”.")}

    def validate_unique(self) -> None:
        # The service checks the name against the place's other units.
        pass


class PopulationRecordForm(forms.Form):
    recorded_on = forms.DateField(label=_("Date of the count"), widget=DateInput())
    population = forms.IntegerField(label=_("People held"), min_value=0)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Where the figure comes from, e.g. the director's monthly return."),
    )


class PlaceDocumentForm(forms.Form):
    upload = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in archive.ALLOWED)}
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PlaceDocument.Kind.choices, initial=PlaceDocument.Kind.DOCUMENT
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput(), required=False)
    source = forms.CharField(
        label=_("From"),
        max_length=300,
        required=False,
        help_text=_("Who sent it or where it was found."),
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _("Accepted: %(types)s. Largest file: %(size)s.") % {
            "types": archive.ALLOWED_LABEL,
            "size": filesizeformat(settings.HABEAS_UPLOAD_MAX_BYTES),
        }


# Filters ----------------------------------------------------------------------------

YES_NO = [("", _("Any")), ("yes", _("Official")), ("no", _("Unofficial"))]
VISITED = [
    ("", _("Any time")),
    (selectors.VISITED_NEVER, _("Never visited")),
    ("1y", _("Over 1 year ago, or never")),
    ("2y", _("Over 2 years ago, or never")),
    ("4y", _("Over 4 years ago, or never")),
]
ORDERING = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("last_visit", _("Longest without a visit first")),
    ("-last_visit", _("Most recently visited first")),
    ("category", _("Category")),
    ("region", _("Region")),
    ("-capacity", _("Largest capacity first")),
]


class PlaceFilterForm(forms.Form):
    """The list's filters, read from the query string. Invalid values are ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, reference or address")}
        ),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int)
    authority = forms.TypedChoiceField(label=_("Authority"), required=False, coerce=int)
    operator = forms.ChoiceField(
        label=_("Operator"), required=False, choices=[("", _("Any")), *Place.Operator.choices]
    )
    group = forms.ChoiceField(label=_("Group held"), required=False)
    official = forms.ChoiceField(label=_("Official or not"), required=False, choices=YES_NO)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Place.Status.choices]
    )
    visited = forms.ChoiceField(label=_("Last visit"), required=False, choices=VISITED)
    ordering = forms.ChoiceField(label=_("Sort by"), required=False, choices=ORDERING)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.widget = QuickSelect()
                field.widget.choices = field.choices
        anything = [("", _("Any"))]
        set_choices(self, "category", anything + list(Category.objects.values_list("code", "name")))
        set_choices(
            self, "group", anything + list(PopulationGroup.objects.values_list("code", "name"))
        )
        set_choices(self, "region", anything + region_choices(user=user))
        authorities = Authority.objects.restrict(user, "view").values_list("pk", "name")
        set_choices(self, "authority", anything + [(str(pk), name) for pk, name in authorities])

    def filters(self) -> dict[str, Any]:
        """The valid filters as `selectors.place_list` takes them."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value not in ("", None)}

    @property
    def active_count(self) -> int:
        return len([name for name in self.filters() if name not in ("ordering",)])


def place_filters(query: QueryDict, *, user: Any) -> dict[str, Any]:
    """Filters from a query string, for pages, the map, the API and exports alike."""
    return PlaceFilterForm(query, user=user).filters()
