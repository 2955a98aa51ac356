"""Forms of the partners pages (¶4, 23, 30–33). They validate and present; services write.

Every choice offered comes from what the user may see (`restrict`): a place, a case, a
recommendation or a bill the user cannot open is neither offered nor accepted.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.cases.models import Case, ReprisalWatch
from habeas.legislation.models import LegislationItem
from habeas.partners.models import (
    INTERNATIONAL_KINDS,
    Agreement,
    AwarenessActivity,
    Communication,
    Contact,
    Partner,
    PartnerKind,
)
from habeas.places.forms import QuickSelect, RegionTreeField
from habeas.places.models import Place, Region
from habeas.recommendations.models import Recommendation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ANY = ("", _("Any"))
REFERENCE_SPLIT = re.compile(r"[\s,;]+")
REFERENCES_MAX = 200


def _any(*choices: Any) -> list[tuple[Any, Any]]:
    return [ANY, *choices]


class QuickSelectMultiple(forms.SelectMultiple):
    """A multiple select written in Python, not one template per option: the place list
    of a national NPM runs to thousands (the same reason as `QuickSelect`)."""

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
                if key != ""
            ),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name, "multiple": True})
        return format_html("<select{}>{}</select>", flatatt(final), options)


class LabelledMultipleChoice(forms.ModelMultipleChoiceField):
    """A multiple choice whose options read as the records are named on their pages."""

    widget = QuickSelectMultiple

    def __init__(self, *args: Any, label_of: Any = str, **kwargs: Any) -> None:
        self.label_of = label_of
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return self.label_of(obj)


def _versioned(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {**{name: getattr(record, name) for name in names}, "version": record.version}


class VersionField(forms.IntegerField):
    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, required=False, min_value=1)


class ServiceForm(forms.Form):
    """A form whose cleaned values go to a service as keyword arguments (minus `version`)."""

    version = VersionField()
    editing = False

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.editing and not version:
            raise ValidationError(_("The form is missing the record's version. Reload the page."))
        return version


# -- partners -----------------------------------------------------------------------------


class PartnerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or area of work")}),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(*PartnerKind.choices))

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {
            "kind": self.cleaned_data.get("kind") or None,
            "q": self.cleaned_data.get("q") or None,
        }


PARTNER_FIELDS = ("name", "acronym", "kind", "areas", "website", "address", "notes")


class PartnerForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=300)
    acronym = forms.CharField(label=_("Short name"), max_length=32, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    areas = forms.CharField(
        label=_("Areas of work"),
        max_length=500,
        required=False,
        help_text=_("For example: prisons, psychiatry, migration, children, legal aid."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the NPM works with them. Name no detainee or source here."),
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Untick when the NPM no longer works with them; the history stays."),
    )

    def __init__(self, *args: Any, partner: Partner | None = None, **kwargs: Any) -> None:
        if partner is not None and "initial" not in kwargs:
            kwargs["initial"] = _versioned(partner, (*PARTNER_FIELDS, "active"))
        super().__init__(*args, **kwargs)
        self.editing = partner is not None
        if partner is None:
            del self.fields["active"]


CONTACT_FIELDS = ("name", "position", "email", "phone", "notes")


class ContactForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        max_length=500,
        required=False,
        help_text=_("Their work details only: what they handle, when to reach them."),
    )
    active = forms.BooleanField(
        label=_("Current"), required=False, help_text=_("Untick when they leave the post.")
    )

    def __init__(self, *args: Any, contact: Contact | None = None, **kwargs: Any) -> None:
        if contact is not None and "initial" not in kwargs:
            kwargs["initial"] = _versioned(contact, (*CONTACT_FIELDS, "active"))
        super().__init__(*args, **kwargs)
        self.editing = contact is not None
        if contact is None:
            del self.fields["active"]


AGREEMENT_FIELDS = ("kind", "title", "signed_on", "expires_on", "terms")


class AgreementForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Agreement.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DATE,
        help_text=_("Leave blank if it runs until one side ends it."),
    )
    terms = forms.CharField(
        label=_("Terms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What each side undertakes, and what data may pass, under which safeguards."),
    )

    def __init__(self, *args: Any, agreement: Agreement | None = None, **kwargs: Any) -> None:
        if agreement is not None and "initial" not in kwargs:
            kwargs["initial"] = _versioned(agreement, AGREEMENT_FIELDS)
        super().__init__(*args, **kwargs)
        self.editing = agreement is not None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        signed, expires = cleaned.get("signed_on"), cleaned.get("expires_on")
        if signed and expires and expires < signed:
            self.add_error("expires_on", _("An agreement cannot expire before it is signed."))
        return cleaned


# -- the communication log ----------------------------------------------------------------


def _partner_label(partner: Partner) -> str:
    return f"{partner.name} ({partner.acronym})" if partner.acronym else partner.name


def partner_queryset(user: Any, *, keep: Any = ()) -> QuerySet[Partner]:
    """Active partners the user sees, and any already chosen (an inactive partner stays
    on the records it belongs to)."""
    kept = [getattr(p, "pk", p) for p in keep]
    return Partner.objects.restrict(user, "view").filter(Q(active=True) | Q(pk__in=kept))


class CommunicationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference or subject")}),
    )
    partner = forms.TypedChoiceField(label=_("Partner"), required=False, coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_any(*Communication.Kind.choices)
    )
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int)
    reprisal_only = forms.BooleanField(label=_("Reprisal signals only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = Partner.objects.restrict(user, "view").values_list("pk", "name", "acronym")
        self.fields["partner"].choices = _any(  # type: ignore[attr-defined]
            *(
                (str(pk), f"{name} ({acronym})" if acronym else name)
                for pk, name, acronym in partners
            )
        )
        # Only the places the log speaks of: a short list, where every choice finds something.
        logged = Communication.objects.restrict(user, "view").values("places")
        places = Place.objects.restrict(user, "view").filter(pk__in=logged).order_by("name")
        self.fields["place"].choices = _any(  # type: ignore[attr-defined]
            *((str(pk), name) for pk, name in places.values_list("pk", "name"))
        )
        for name in ("partner", "kind", "place"):
            field = self.fields[name]
            field.widget = QuickSelect()
            field.widget.choices = field.choices  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "partner": data.get("partner") or None,
            "kind": data.get("kind") or None,
            "place": data.get("place") or None,
            "reprisal_only": bool(data.get("reprisal_only")),
        }


class ReferencesField(forms.CharField):
    """References typed or pasted ("R-2025-014, R-2025-015"), kept as a list of strings."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        seen: dict[str, None] = {}
        for part in REFERENCE_SPLIT.split(text):
            if part.strip():
                seen[part.strip().upper()] = None
        if len(seen) > REFERENCES_MAX:
            raise ValidationError(
                _("Link at most %(max)d records at once."), params={"max": REFERENCES_MAX}
            )
        return list(seen)


COMMUNICATION_FIELDS = (
    "kind",
    "direction",
    "occurred_on",
    "subject",
    "confidential",
    "reprisal_signal",
)


class CommunicationForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Communication.Kind.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Communication.Direction.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        help_text=_(
            "Name no detainee, source or other person here: the subject shows in lists and "
            "notifications. Put what was said in the details."
        ),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was said or received. Stored encrypted; opening it is recorded."),
    )
    partners = LabelledMultipleChoice(
        label=_("Partners"),
        queryset=Partner.objects.none(),
        required=True,
        label_of=_partner_label,
        help_text=_("Choose one or more (hold Ctrl, or ⌘ on a Mac, to choose several)."),
    )
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_(
            "Only staff who record communications will see it (and, if it signals a risk of "
            "reprisal, the people who open reprisal watches): an exchange with the SPT under "
            "the confidentiality of OPCAT, or information that could identify a source."
        ),
    )
    reprisal_signal = forms.BooleanField(
        label=_("Signals a risk of reprisal"),
        required=False,
        help_text=_(
            "Tick it if someone may suffer for having spoken to the NPM or to this partner. "
            "The people who open reprisal watches will be told at once, and the "
            "communication stays on the log's list of signals until a watch is linked to it."
        ),
    )
    places = LabelledMultipleChoice(
        label=_("Places"), queryset=Place.objects.none(), label_of=lambda p: p.name
    )
    recommendations = ReferencesField(
        label=_("Recommendations"),
        required=False,
        max_length=4000,
        help_text=_("Their references, as in the tracker, separated by commas."),
    )
    legislation = LabelledMultipleChoice(
        label=_("Legislation"),
        queryset=LegislationItem.objects.none(),
        label_of=lambda item: f"{item.reference} {item.title}",
    )
    cases = LabelledMultipleChoice(
        label=_("Cases"),
        queryset=Case.objects.none(),
        label_of=lambda case: case.reference,
        help_text=_("Only the case files you are granted on are offered."),
    )

    def __init__(
        self, *args: Any, user: Any, communication: Communication | None = None, **kwargs: Any
    ) -> None:
        self.user = user
        self.communication = communication
        if communication is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(communication)
        super().__init__(*args, **kwargs)
        self.editing = communication is not None
        keep = communication.partners.all() if communication is not None else ()
        self._set("partners", partner_queryset(user, keep=keep).order_by("name"))
        self._set("places", Place.objects.restrict(user, "view").order_by("name"))
        self._set(
            "legislation", LegislationItem.objects.restrict(user, "view").order_by("reference")
        )
        if not LegislationItem.objects.restrict(user, "view").exists():
            del self.fields["legislation"]
        cases = Case.objects.restrict(user, "view")
        if roles.can(user, "cases.view") and cases.exists():
            self._set("cases", cases.order_by("reference"))
        else:
            del self.fields["cases"]
        if not roles.can(user, "recommendations.view"):
            del self.fields["recommendations"]
        if communication is not None and communication.reprisal_routed_at is not None:
            # A signal once routed stays recorded (the service refuses to withdraw it).
            signal = self.fields["reprisal_signal"]
            signal.disabled = True
            signal.help_text = _(
                "Routed to the people who open reprisal watches; a routed signal stays recorded."
            )
        self.sections = (
            (
                _("The communication"),
                ["kind", "direction", "occurred_on", "partners", "subject", "details"],
            ),
            (_("Who may see it"), ["confidential"]),
            (_("Risk of reprisal"), ["reprisal_signal"]),
            (
                _("What it concerns"),
                [
                    n
                    for n in ("places", "recommendations", "legislation", "cases")
                    if n in self.fields
                ],
            ),
        )

    def _set(self, name: str, queryset: QuerySet[Any]) -> None:
        self.fields[name].queryset = queryset  # type: ignore[attr-defined]

    def _initial(self, communication: Communication) -> dict[str, Any]:
        user = self.user
        initial = _versioned(communication, COMMUNICATION_FIELDS)
        initial["details"] = ""  # set by the view, which audits the opening
        initial["partners"] = [p.pk for p in communication.partners.all()]
        initial["places"] = list(
            Place.objects.restrict(user, "view")
            .filter(pk__in=communication.places.values("pk"))
            .values_list("pk", flat=True)
        )
        initial["recommendations"] = list(
            Recommendation.objects.restrict(user, "view")
            .filter(pk__in=communication.recommendations.values("pk"))
            .order_by("reference")
            .values_list("reference", flat=True)
        )
        initial["legislation"] = list(
            LegislationItem.objects.restrict(user, "view")
            .filter(pk__in=communication.legislation.values("pk"))
            .values_list("pk", flat=True)
        )
        initial["cases"] = list(
            Case.objects.restrict(user, "view")
            .filter(pk__in=communication.cases.values("pk"))
            .values_list("pk", flat=True)
        )
        return initial

    def clean_recommendations(self) -> list[Any]:
        references = self.cleaned_data.get("recommendations") or []
        if not references:
            return []
        found = {
            r.reference.upper(): r
            for r in Recommendation.objects.restrict(self.user, "view").filter(
                reference__in=references
            )
        }
        unknown = [ref for ref in references if ref not in found]
        if unknown:
            # The same words for a missing reference and one the user may not see.
            raise ValidationError(
                _("No recommendation you may see has the reference %(refs)s."),
                params={"refs": ", ".join(unknown)},
            )
        return [found[ref] for ref in references]

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name in ("places", "recommendations", "legislation", "cases"):
            if name in values:
                values[name] = list(values[name])
        values["partners"] = list(values["partners"])
        return values


class LinkWatchForm(forms.Form):
    watch = forms.ModelChoiceField(
        label=_("Reprisal watch"),
        queryset=ReprisalWatch.objects.none(),
        help_text=_("Only the watches you are granted on are offered."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["watch"]
        field.queryset = (
            ReprisalWatch.objects.restrict(user, "view")
            .filter(status=ReprisalWatch.Status.ACTIVE)
            .order_by("-created_at")
        )
        field.label_from_instance = lambda watch: f"{watch.reference} · {watch.pseudonym}"  # type: ignore[method-assign]

    @staticmethod
    def offered(user: Any) -> bool:
        if not roles.can(user, "cases.view"):
            return False
        return ReprisalWatch.objects.restrict(user, "view").exists()


# -- awareness activities -----------------------------------------------------------------


ACTIVITY_FIELDS = ("kind", "title", "held_on", "audience", "reached", "notes")


class ActivityForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AwarenessActivity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    audience = forms.ChoiceField(label=_("Audience"), choices=AwarenessActivity.Audience.choices)
    reached = forms.IntegerField(
        label=_("People reached"),
        min_value=0,
        max_value=100_000_000,
        initial=0,
        help_text=_("For a publication or a broadcast, the best estimate of readers or listeners."),
    )
    region = RegionTreeField(
        label=_("Region"), queryset=Region.objects.none(), required=False, empty_label=_("None")
    )
    partners = LabelledMultipleChoice(
        label=_("With partners"), queryset=Partner.objects.none(), label_of=_partner_label
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, user: Any, activity: AwarenessActivity | None = None, **kwargs: Any
    ) -> None:
        if activity is not None and "initial" not in kwargs:
            initial = _versioned(activity, ACTIVITY_FIELDS)
            initial["region"] = activity.region_id
            initial["partners"] = [p.pk for p in activity.partners.all()]
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.editing = activity is not None
        region: Any = self.fields["region"]
        region.user = user
        region.queryset = Region.objects.restrict(user, "view")
        keep = activity.partners.all() if activity is not None else ()
        partners: Any = self.fields["partners"]
        partners.queryset = partner_queryset(user, keep=keep).order_by("name")

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["partners"] = list(values["partners"])
        return values


class ActivityFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_any(*AwarenessActivity.Kind.choices)
    )
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=_any(*AwarenessActivity.Audience.choices)
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asked = str(self.data.get("year", "")) if self.is_bound else ""
        if asked.isdigit() and 1900 <= int(asked) <= 2200:
            years = sorted({*years, int(asked)}, reverse=True)
        self.fields["year"].choices = _any(*((str(y), str(y)) for y in years))  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "year": data.get("year") or None,
            "kind": data.get("kind") or None,
            "audience": data.get("audience") or None,
        }


# -- the confidential package for the SPT -------------------------------------------------


class SptPackageForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("International body"),
        queryset=Partner.objects.none(),
        empty_label=None,
        help_text=_("The SPT, the CPT or another UN or regional body."),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["partner"]
        field.queryset = (
            Partner.objects.restrict(user, "export")
            .filter(kind__in=INTERNATIONAL_KINDS)
            .order_by("name")
        )
        field.label_from_instance = _partner_label  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The period ends before it starts."))
        return cleaned
