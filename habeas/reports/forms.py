"""Forms of the reports' pages (¶19, 21, 22, 31c–d, 38). They validate shapes and offer
only what the user may see (visits they may change, places and authorities they see);
the rules (who may, in which state, what the scope must be) live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.places.forms import DateInput, QuickSelect, set_choices, set_queryset
from habeas.places.models import Authority, Place
from habeas.recommendations.models import Priority, Recommendation
from habeas.reports.models import Dissemination, Kind, Report, ReportVersion, State, Variant
from habeas.visits.models import Theme, Visit

ANY = ("", _("Any"))
# A report about a visit is drafted once the team has debriefed.
REPORTABLE_VISIT_STATES = (
    Visit.State.DEBRIEFED,
    Visit.State.REPORT_DRAFTED,
    Visit.State.REPORT_SENT,
    Visit.State.RESPONSE_RECEIVED,
    Visit.State.CLOSED,
)
PICKER_LIMIT = 300
OVERRIDE_MIN = 10

# One sentence per kind, shown where a drafter chooses what to write.
KIND_HELP = {
    Kind.VISIT: _(
        "The report on one visit: what the team saw, what changed since the last visit, "
        "the findings, good practices and recommendations, addressed to the authorities."
    ),
    Kind.FOLLOW_UP: _(
        "What became of each earlier recommendation for one place, with the evidence "
        "gathered since."
    ),
    Kind.THEMATIC: _(
        "One theme across places and years, for example solitary confinement or the "
        "first hours of police custody."
    ),
    Kind.ANNUAL: _(
        "The NPM's year: challenges, activities in numbers, main findings, "
        "recommendations and their follow-up, cooperation and the difficulties met."
    ),
    Kind.URGENT: _(
        "A short letter to an authority about one urgent recommendation and its deadline."
    ),
}


def kind_choices() -> list[tuple[str, Any, Any]]:
    """(value, label, one sentence) for each kind."""
    return [(value, label, KIND_HELP[Kind(value)]) for value, label in Kind.choices]


class VisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Visit) -> str:  # type: ignore[override]
        return f"{obj.reference} · {obj.place.name} · {obj.starts_on:%Y-%m-%d}"


class RecommendationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Recommendation) -> str:  # type: ignore[override]
        visit = obj.visit.reference if obj.visit is not None else ""
        text = obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"
        return f"{obj.reference} ({visit}) {text}" if visit else f"{obj.reference} {text}"


class AuthorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Authority) -> str:  # type: ignore[override]
        return obj.name


# -- the list ------------------------------------------------------------------------------


class ReportFilterForm(forms.Form):
    """The list's filters. Invalid values are ignored, never an error: a shared link keeps
    working with whatever still makes sense."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference or title")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[ANY, *Kind.choices], widget=QuickSelect
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[ANY, *State.choices], widget=QuickSelect
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2200)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "q": (cleaned.get("q") or "").strip(),
            "kind": cleaned.get("kind") or "",
            "state": cleaned.get("state") or "",
            "year": cleaned.get("year"),
        }


# -- creating a report ------------------------------------------------------------------


class KindForm(forms.Form):
    kind = forms.ChoiceField(label=_("What kind of report?"), choices=Kind.choices)


class ScopeForm(forms.Form):
    """What the report covers: only the fields its kind needs."""

    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty for a title made from what the report covers."),
    )
    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES)
    visit = VisitChoiceField(
        label=_("Visit"),
        queryset=Visit.objects.none(),
        help_text=_("Visits you may work on that have been debriefed."),
    )
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none())
    theme = forms.ChoiceField(label=_("Theme"), choices=[("", "—"), *Theme.choices])
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("Until"), widget=DateInput())
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2200)
    recommendation = RecommendationChoiceField(
        label=_("Urgent recommendation"),
        queryset=Recommendation.objects.none(),
        help_text=_("Urgent recommendations of the visits you may work on."),
    )
    addressee = AuthorityChoiceField(
        label=_("Addressee"), queryset=Authority.objects.none(), required=False
    )

    FIELDS_BY_KIND = {
        Kind.VISIT: ("visit",),
        Kind.FOLLOW_UP: ("place", "visit"),
        Kind.THEMATIC: ("theme", "period_start", "period_end"),
        Kind.ANNUAL: ("year",),
        Kind.URGENT: ("recommendation", "addressee"),
    }
    SCOPE_FIELDS = (
        "visit",
        "place",
        "theme",
        "period_start",
        "period_end",
        "year",
        "recommendation",
        "addressee",
    )

    def __init__(self, *args: Any, kind: str, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "kind": kind,
            "language": kwargs["initial"].get("language") or settings.LANGUAGE_CODE,
            "year": timezone.localdate().year - 1,
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        self.report_kind = kind
        wanted = self.FIELDS_BY_KIND.get(Kind(kind), ())
        for name in self.SCOPE_FIELDS:
            if name not in wanted:
                del self.fields[name]
        visits = reportable_visits(user)
        if "visit" in self.fields:
            self._set_queryset("visit", visits.select_related("place"))
        if kind == Kind.FOLLOW_UP:
            visit = self.fields["visit"]
            visit.required = False
            visit.label = _("Follow-up visit (optional)")
            visit.help_text = _("The visit that checked the earlier recommendations, if any.")
        if "place" in self.fields:
            self._set_queryset("place", Place.objects.restrict(user, "view").order_by("name"))
        if "recommendation" in self.fields:
            urgent = Recommendation.objects.restrict(user, "view").filter(
                priority=Priority.URGENT, visit__in=visits.values("pk")
            )
            preset_visit = str(self.initial.get("visit") or "")
            if preset_visit.isdigit() and not self.is_bound:
                urgent = urgent.filter(visit_id=int(preset_visit))
            self._set_queryset("recommendation", urgent.select_related("visit"))
        if "addressee" in self.fields:
            authorities = Authority.objects.restrict(user, "view").order_by("name")
            self._set_queryset("addressee", authorities)

    def _set_queryset(self, name: str, queryset: QuerySet) -> None:
        set_queryset(self, name, queryset)
        field = self.fields[name]
        # Offer a bounded list; any record of the queryset still validates.
        field.widget.choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((obj.pk, field.label_from_instance(obj)) for obj in queryset[:PICKER_LIMIT]),  # type: ignore[attr-defined]
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """What `services.report_create` takes: records as their primary keys."""
        data: dict[str, Any] = {"kind": self.report_kind}
        for name, value in self.cleaned_data.items():
            if name == "kind" or value in (None, ""):
                continue
            data[name] = value.pk if hasattr(value, "pk") else value
        recommendation = self.cleaned_data.get("recommendation")
        if recommendation is not None and "visit" not in data:
            data["visit"] = recommendation.visit_id
        return data


def reportable_visits(user: Any) -> QuerySet[Visit]:
    """The visits a report can be drawn from: those the user may change, once debriefed."""
    return (
        Visit.objects.restrict(user, "change")
        .filter(state__in=REPORTABLE_VISIT_STATES)
        .order_by("-starts_on", "-id")
    )


# -- settings and sections -----------------------------------------------------------------


class SettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES)
    addressee = AuthorityChoiceField(
        label=_("Addressee"), queryset=Authority.objects.none(), required=False
    )
    k = forms.IntegerField(
        label=_("Smallest group shown (k)"),
        min_value=2,
        max_value=100,
        help_text=Report._meta.get_field("k").help_text,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authorities = Authority.objects.restrict(user, "view").order_by("name")
        set_queryset(self, "addressee", authorities)

    @staticmethod
    def initial_of(report: Report) -> dict[str, Any]:
        return {
            "title": report.title,
            "language": report.language,
            "addressee": report.addressee_id,
            "k": report.k,
            "version": report.version,
        }

    def service_data(self) -> dict[str, Any]:
        addressee = self.cleaned_data.get("addressee")
        return {
            "title": self.cleaned_data["title"],
            "language": self.cleaned_data["language"],
            "addressee": addressee.pk if addressee is not None else None,
            "k": self.cleaned_data["k"],
        }


class SectionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "markdown-input"}),
    )
    keep_out = forms.BooleanField(
        label=_("Keep this section out of the public version"),
        required=False,
        help_text=_("The confidential version keeps it; the public version leaves it out."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_of(version: ReportVersion, key: str) -> dict[str, Any]:
        return {
            "text": (version.sections or {}).get(key, ""),
            "keep_out": key in (version.public_omit or []),
            "version": version.version,
        }


# -- the workflow and comments --------------------------------------------------------------


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class CommentForm(forms.Form):
    section = forms.ChoiceField(label=_("On"), required=False, choices=[])
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "section", [("", _("The whole report")), *sections])


# -- the publication check -----------------------------------------------------------------


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this passage may be published as it is"),
        min_length=OVERRIDE_MIN,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Written on the audit trail with your name."),
    )


class RedactionForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), choices=[])
    passage = forms.CharField(
        label=_("Passage to hide"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        help_text=_("Copy it exactly as it is written in the section."),
    )
    replacement = forms.CharField(
        label=_("Replaced by"), max_length=200, initial="[…]", required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "section", list(sections))


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# -- dissemination and renderings -----------------------------------------------------------


class DisseminationForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Version"), queryset=ReportVersion.objects.none())
    variant = forms.ChoiceField(label=_("Which text"), choices=Variant.choices)
    authority = AuthorityChoiceField(
        label=_("Authority"), queryset=Authority.objects.none(), required=False
    )
    recipient = forms.CharField(
        label=_("Recipient"),
        max_length=300,
        required=False,
        help_text=_("A person or body that is not in the list of authorities."),
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=Dissemination.Tier.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Dissemination.Channel.choices)
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, versions: QuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"sent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        set_queryset(self, "version", versions)
        self.fields["version"].label_from_instance = lambda v: (  # type: ignore[attr-defined]
            _("Version %(n)s (%(state)s)")
            % {  # type: ignore[method-assign]
                "n": v.number,
                "state": v.get_state_display(),
            }
        )
        set_queryset(self, "authority", Authority.objects.restrict(user, "view").order_by("name"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("authority") and not (cleaned.get("recipient") or "").strip():
            self.add_error("recipient", _("Name the authority or the recipient."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["version"] = data["version"].pk
        authority = data.get("authority")
        data["authority"] = authority.pk if authority is not None else None
        return data


class AcknowledgeForm(forms.Form):
    on = forms.DateField(label=_("Acknowledged on"), widget=DateInput())

    def clean_on(self) -> dt.date:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return on


class RenderForm(forms.Form):
    variant = forms.ChoiceField(choices=Variant.choices)
    fmt = forms.ChoiceField(choices=[("pdf", "PDF"), ("docx", "DOCX")])
