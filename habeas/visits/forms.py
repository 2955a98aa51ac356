"""Forms of a visit's life, its team and team profiles. They validate input and hand
whitelisted values to the services; choices come from what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.places.models import Authority, Place
from habeas.visits import blockers
from habeas.visits.models import Guideline, TeamAssignment, TeamProfile, Theme, Training, Visit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class WordListField(forms.CharField):
    """A comma-separated list of words (languages), kept as a list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.split(",") if part.strip()]


def _person_label(user: User) -> str:
    return user.full_name or user.email


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _person_label(obj)


def visiting_staff() -> Any:
    """Who may lead a visit: NPM staff who record visits, external experts aside."""
    return (
        User.objects.filter(is_active=True, role__in=roles.PERMISSIONS["visits.record"])
        .exclude(role=roles.Role.EXPERT)
        .exclude(assessment_membership__organisation__is_home=False)
        .order_by("full_name", "email")
    )


class VisitForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=Visit.Kind.choices)
    announced = forms.BooleanField(
        label=_("Announced"),
        required=False,
        help_text=_(
            "Unannounced visits still being prepared are seen only by planners and the team."
        ),
    )
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages_needed = WordListField(
        label=_("Languages of the people held"),
        required=False,
        help_text=_(
            "Separated by commas, e.g. Arabic, Romanian. The team needs a member or an "
            "interpreter for each."
        ),
    )
    guideline = forms.ModelChoiceField(
        label=_("Guideline"),
        queryset=Guideline.objects.none(),
        required=False,
        help_text=_("Left empty: the guideline in use for the place's category."),
    )
    lead = PersonChoiceField(label=_("Head of delegation"), queryset=User.objects.none())
    anonymity_cover = forms.IntegerField(
        label=_("Cover interviews per sensitive interview"),
        min_value=0,
        max_value=50,
        initial=3,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, visit: Visit | None = None, **kwargs: Any):
        if visit is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(visit, name)
                    for name in (
                        "kind",
                        "announced",
                        "starts_on",
                        "ends_on",
                        "objectives",
                        "themes",
                        "languages_needed",
                        "anonymity_cover",
                    )
                },
                "place": visit.place_id,
                "guideline": visit.guideline_id,
                "lead": visit.lead_id,
                "version": visit.version,
            }
        super().__init__(*args, **kwargs)
        places = Place.objects.restrict(user, "view").select_related("category")
        if visit is not None and visit.state != Visit.State.PLANNED:
            places = places.filter(pk=visit.place_id)
        set_queryset(self, "place", places)
        set_queryset(
            self,
            "guideline",
            (
                Guideline.objects.restrict(user, "view")
                .filter(status=Guideline.Status.PUBLISHED)
                .select_related("category")
            ),
        )
        set_queryset(self, "lead", visiting_staff())
        if visit is None:
            self.fields["lead"].initial = user.pk
            del self.fields["version"]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class VisitFilterForm(forms.Form):
    place = forms.ModelChoiceField(
        label=_("Place"), queryset=Place.objects.none(), required=False, empty_label=_("Any")
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any")), *Visit.State.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any")), *Visit.Kind.choices], required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, user: Any, years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_queryset(
            self,
            "place",
            (
                Place.objects.restrict(user, "view")
                .filter(visits__in=Visit.objects.restrict(user, "view"))
                .distinct()
            ),
        )
        self.fields["year"].choices = [("", _("Any"))] + [  # type: ignore[attr-defined]
            (y, str(y)) for y in years
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "place": data["place"].pk if data.get("place") else None,
            "state": data.get("state") or "",
            "kind": data.get("kind") or "",
            "year": data.get("year"),
        }


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=Visit.State.choices)
    on = forms.DateField(
        label=_("On"),
        required=False,
        widget=DATE,
        help_text=_("The day it happened; today if left empty."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("on") and data.get("to") not in blockers.DATED_STATES:
            data["on"] = None
        return data


class TeamAddForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (TeamAssignment.Role.MEMBER, TeamAssignment.Role.MEMBER.label),
            (TeamAssignment.Role.INTERPRETER, TeamAssignment.Role.INTERPRETER.label),
        ],
        initial=TeamAssignment.Role.MEMBER,
        help_text=_("The head of delegation takes that role when added."),
    )
    override_reason = forms.CharField(
        label=_("Reason for overriding a block"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only the head of the NPM may override, and only with a written reason. "
            "It is kept on the assignment."
        ),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_queryset(self, "user", candidates)


class ProfileForm(forms.Form):
    profession = forms.ChoiceField(label=_("Profession"), choices=TeamProfile.Profession.choices)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=TeamProfile.Gender.choices, initial="undisclosed"
    )
    languages = WordListField(
        label=_("Languages"), required=False, help_text=_("Separated by commas.")
    )
    background = forms.CharField(
        label=_("Minority or ethnic background (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "Entirely optional. OPCAT article 18(2) asks that teams reflect the ethnic and "
            "minority groups of the country; if you declare it, it is used only to balance "
            "teams and is seen only by you and those who compose teams."
        ),
    )
    is_external = forms.BooleanField(label=_("External expert"), required=False)
    terms_of_reference_on = forms.DateField(
        label=_("Terms of reference agreed on"), required=False, widget=DATE
    )
    undertaking_signed_on = forms.DateField(
        label=_("Confidentiality undertaking signed on"), required=False, widget=DATE
    )
    conflict_places = forms.ModelMultipleChoiceField(
        label=_("Conflicts of interest: places"),
        queryset=Place.objects.none(),
        required=False,
        help_text=_("Places where you worked, were held, or have family or close ties."),
    )
    conflict_authorities = forms.ModelMultipleChoiceField(
        label=_("Conflicts of interest: authorities"),
        queryset=Authority.objects.none(),
        required=False,
        help_text=_(
            "Authorities you work or worked for, or are close to. Their places and "
            "those of the authorities under them are covered."
        ),
    )
    conflict_note = forms.CharField(
        label=_("Conflicts of interest: note"), required=False, max_length=300
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    MANAGED = ("is_external", "terms_of_reference_on", "undertaking_signed_on")

    def __init__(self, *args: Any, user: Any, profile: TeamProfile | None, **kwargs: Any):
        if profile is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(profile, name)
                    for name in (
                        "profession",
                        "gender",
                        "languages",
                        "background",
                        "is_external",
                        "terms_of_reference_on",
                        "undertaking_signed_on",
                        "conflict_note",
                        "version",
                    )
                },
                "conflict_places": list(profile.conflict_places.values_list("pk", flat=True)),
                "conflict_authorities": list(
                    profile.conflict_authorities.values_list("pk", flat=True)
                ),
            }
        super().__init__(*args, **kwargs)
        set_queryset(self, "conflict_places", Place.objects.restrict(user, "view"))
        set_queryset(self, "conflict_authorities", Authority.objects.restrict(user, "view"))
        if not roles.can(user, "visits.profiles"):
            for name in self.MANAGED:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Recorded by those who manage profiles.")

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not self.fields[k].disabled}
        data.pop("version", None)
        return data


class TrainingRecordForm(forms.Form):
    training = forms.ModelChoiceField(label=_("Training"), queryset=Training.objects.all())
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
