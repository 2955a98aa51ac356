"""Forms of the legislation tracker's pages (¶12, 26, 28, 29). They validate shapes and
offer only what the user may see; the rules (who may, what follows from what, the
priority) live in the services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts.models import User
from habeas.accounts.roles import PERMISSIONS
from habeas.legislation.models import AdvocacyStep as Step
from habeas.legislation.models import (
    Benchmark,
    BenchmarkGroup,
    Effect,
    ItemKind,
    LegislationItem,
    Opinion,
    Outcome,
    Procedure,
)
from habeas.partners.models import Partner
from habeas.places.forms import DateInput, QuickSelect
from habeas.places.models import Authority

ANY = ("", _("Any"))
# What the list's "open only" filter is called in the query string.
YES = "1"
# References typed into the links form: split on commas, semicolons and white space.
REFERENCE_SEPARATORS = re.compile(r"[\s,;]+")
MAX_REFERENCES = 50


def _leads() -> QuerySet[User]:
    """Who may lead the NPM's work on a text: those who may change the tracker."""
    roles = PERMISSIONS["legislation.change"]
    return User.objects.filter(is_active=True, role__in=roles).order_by("full_name", "email")


class LeadField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.full_name or obj.email


# -- the ranked list -----------------------------------------------------------------------


class ItemFilterForm(forms.Form):
    """The ranked list's filters. Invalid values are ignored, never an error: a shared
    link keeps working with whatever still makes sense."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Reference, title, subject or body")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[ANY, *ItemKind.choices], widget=QuickSelect
    )
    procedure = forms.ChoiceField(
        label=_("Procedure"),
        required=False,
        choices=[ANY, *Procedure.choices],
        widget=QuickSelect,
    )
    open = forms.ChoiceField(
        label=_("Still open"),
        required=False,
        choices=[("", _("Open and closed")), (YES, _("Open only: the text can still change"))],
        widget=QuickSelect,
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters, as `selectors.ranked` takes them."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "kind": cleaned.get("kind") or None,
            "procedure": cleaned.get("procedure") or None,
            "q": (cleaned.get("q") or "").strip() or None,
            "open_only": cleaned.get("open") == YES,
        }

    @property
    def active_count(self) -> int:
        return sum(1 for value in self.filters().values() if value)


# -- an item ---------------------------------------------------------------------------------


class ItemForm(forms.Form):
    """A law, a bill or a missing law: what it is, who drafts it, where its procedure
    stands and by when the NPM must speak."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    subject = forms.CharField(
        label=_("Subject"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the text is about, in a few lines."),
    )
    responsible_body = forms.CharField(
        label=_("Responsible body"),
        max_length=300,
        required=False,
        help_text=_("The ministry, committee or body that drafts or amends it."),
    )
    authority = forms.ModelChoiceField(
        label=_("Authority"),
        queryset=Authority.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("— none —"),
    )
    procedure = forms.ChoiceField(
        label=_("Status of the procedure"), choices=Procedure.choices, initial=Procedure.IDENTIFIED
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DateInput(),
        required=False,
        help_text=_("The end of the consultation or the parliamentary date."),
    )
    official_ref = forms.CharField(
        label=_("Official reference"),
        max_length=200,
        required=False,
        help_text=_("Bill or law number."),
    )
    link = forms.URLField(label=_("Link to the text"), required=False, assume_scheme="https")
    lead = LeadField(
        label=_("Lead"), queryset=User.objects.none(), required=False, empty_label=_("— none —")
    )

    sections = (
        (_("The text"), ("title", "kind", "subject", "official_ref", "link")),
        (_("Its procedure"), ("responsible_body", "authority", "procedure", "deadline")),
        (_("The NPM's work on it"), ("lead",)),
    )
    names = (
        "title",
        "kind",
        "subject",
        "responsible_body",
        "authority",
        "procedure",
        "deadline",
        "official_ref",
        "link",
        "lead",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = Authority.objects.restrict(  # type: ignore[attr-defined]
            user, "view"
        ).order_by("name")
        self.fields["lead"].queryset = _leads()  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, item: LegislationItem) -> dict[str, Any]:
        initial = {name: getattr(item, name) for name in cls.names}
        initial["authority"] = item.authority_id
        initial["lead"] = item.lead_id
        initial["version"] = item.version
        return initial

    def values(self) -> dict[str, Any]:
        """What the service is given, every field named (blank text as "")."""
        return {name: self.cleaned_data.get(name) for name in self.names} | {
            name: self.cleaned_data.get(name) or ""
            for name in ("responsible_body", "official_ref", "link")
        }


# -- the benchmark checklist -----------------------------------------------------------------

NOT_ASSESSED = ""


class AssessmentForm(forms.Form):
    """One line of the checklist: what the text does to one benchmark, and why.

    `was_effect`/`was_note` carry what the page showed, so a line someone else assessed
    meanwhile is not overwritten silently (ARCHITECTURE.md rule 6).
    """

    effect = forms.ChoiceField(
        label=_("Effect"),
        required=False,
        choices=[(NOT_ASSESSED, _("— not assessed —")), *Effect.choices],
        widget=QuickSelect,
    )
    note = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    was_effect = forms.CharField(required=False, widget=forms.HiddenInput)
    was_note = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("effect") and (cleaned.get("note") or "").strip():
            self.add_error("effect", _("Choose what the text does to this benchmark."))
        return cleaned

    def chosen(self) -> tuple[str, str]:
        """The effect and note the user wants now."""
        return self.cleaned_data.get("effect") or "", plain(self.cleaned_data.get("note"))

    def shown(self) -> tuple[str, str]:
        """The effect and note the page showed."""
        return self.cleaned_data.get("was_effect") or "", plain(self.cleaned_data.get("was_note"))

    def changed_by_user(self) -> bool:
        return self.chosen() != self.shown()


def plain(text: str | None) -> str:
    """A note as compared and kept: browsers send line breaks as CRLF."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# -- opinions, steps, outcome --------------------------------------------------------------


class OpinionForm(forms.Form):
    """A new opinion (its first version) or a revision of its text."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Opinion"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Each save keeps a new version; earlier versions stay readable."),
    )

    sections = ((None, ("title", "text")),)

    @classmethod
    def initial_of(cls, opinion: Opinion) -> dict[str, Any]:
        return {"version": opinion.version, "title": opinion.title, "text": opinion.text}


class OpinionSendForm(forms.Form):
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput())
    sent_to = forms.CharField(
        label=_("Sent to"),
        max_length=300,
        help_text=_("For example: the parliamentary committee on justice."),
    )

    sections = ((None, ("sent_on", "sent_to")),)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["sent_on"].initial = timezone.localdate()


class PartnerField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Partner) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.acronym})" if obj.acronym else obj.name


class StepForm(forms.Form):
    """A meeting, a hearing, a letter to parliamentarians, a joint statement."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Step.Kind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    with_whom = forms.CharField(
        label=_("With whom"),
        max_length=300,
        required=False,
        help_text=_("For example: the rapporteur of the bill, the committee on justice."),
    )
    partners = PartnerField(
        label=_("Partners"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The partners who took part, for a joint statement for instance."),
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    result = forms.CharField(
        label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    sections = ((None, ("kind", "held_on", "with_whom", "partners", "summary", "result")),)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = Partner.objects.restrict(user, "view").filter(active=True).order_by("name")
        if partners.exists():
            self.fields["partners"].queryset = partners  # type: ignore[attr-defined]
        else:  # no partner recorded yet (or none the user may see): no empty box
            del self.fields["partners"]
        if not self.is_bound:
            self.fields["held_on"].initial = timezone.localdate()

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["partners"] = list(data.get("partners") or ())
        for name in ("with_whom", "summary", "result"):
            data[name] = data.get(name) or ""
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("About the outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Which of the NPM's proposals were taken up, and which were not."),
    )

    sections = ((None, ("outcome", "note")),)


# -- links to recommendations and the allegations register -----------------------------------


class LinksForm(forms.Form):
    """Which recommendations and register entries the item is linked to: those shown are
    kept while ticked; more are added by their references."""

    recommendations = forms.MultipleChoiceField(required=False)
    add_recommendations = forms.CharField(
        label=_("Add recommendations (references)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "R-2025-00012, R-2025-00013"}),
    )
    register_entries = forms.MultipleChoiceField(required=False)
    add_register_entries = forms.CharField(
        label=_("Add register entries (references)"),
        required=False,
        max_length=2000,
    )

    def __init__(
        self,
        *args: Any,
        recommendations: list[Any],
        register_entries: list[Any] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recommendations"].choices = [  # type: ignore[attr-defined]
            (str(r.pk), r.reference) for r in recommendations
        ]
        self.with_register = register_entries is not None
        if register_entries is None:
            del self.fields["register_entries"]
            del self.fields["add_register_entries"]
        else:
            self.fields["register_entries"].choices = [  # type: ignore[attr-defined]
                (str(e.pk), e.reference) for e in register_entries
            ]

    def clean_add_recommendations(self) -> list[str]:
        return _references(self.cleaned_data.get("add_recommendations") or "")

    def clean_add_register_entries(self) -> list[str]:
        return _references(self.cleaned_data.get("add_register_entries") or "")


def _references(text: str) -> list[str]:
    references = [ref for ref in REFERENCE_SEPARATORS.split(text.strip()) if ref]
    if len(references) > MAX_REFERENCES:
        raise forms.ValidationError(
            _("Add at most %(limit)s references at a time."), params={"limit": MAX_REFERENCES}
        )
    return list(dict.fromkeys(references))


# -- benchmarks --------------------------------------------------------------------------------


class BenchmarkForm(forms.Form):
    """One line of the checklists, against an international standard."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=48,
        help_text=_("A short name without spaces, for example: lawyer-from-outset."),
    )
    group = forms.ChoiceField(label=_("Standard"), choices=BenchmarkGroup.choices)
    title = forms.CharField(label=_("Benchmark"), max_length=200)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("For example: UNCAT art. 1; OPCAT art. 20(c); CPT/Inf(92)3, para. 36."),
    )
    guidance = forms.CharField(
        label=_("What to check"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    weight = forms.TypedChoiceField(
        label=_("Weight"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        initial=3,
        help_text=_(
            "How grave a harm to it is, from 1 (a formality) to 5 (for instance delaying "
            "access to a lawyer or restricting the NPM's unannounced access)."
        ),
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=32767,
        required=False,
        help_text=_("Lines are listed by this number, then by code."),
    )
    active = forms.BooleanField(
        label=_("In use"),
        required=False,
        initial=True,
        help_text=_("A line no longer in use stays on the items already assessed against it."),
    )

    sections = (
        (None, ("group", "code", "title", "source", "guidance")),
        (None, ("weight", "position", "active")),
    )
    names = ("code", "group", "title", "source", "guidance", "weight", "position", "active")

    @classmethod
    def initial_of(cls, benchmark: Benchmark) -> dict[str, Any]:
        return {name: getattr(benchmark, name) for name in cls.names}

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.names}
        data["source"] = data["source"] or ""
        data["guidance"] = data["guidance"] or ""
        data["position"] = data["position"] or 0
        return data
