"""Forms of a recommendation's own pages. They validate shapes and offer only what the
user may see; the rules (who may, what follows from what) live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.forms import DateInput, QuickSelect
from habeas.places.models import Authority, Place, PlaceDocument
from habeas.recommendations.models import (
    Exchange,
    Implementation,
    Level,
    Origin,
    Priority,
    Recommendation,
    Response,
    ResponseStatus,
    Verification,
)
from habeas.recommendations.selectors_recommendations import EvidenceChoices
from habeas.visits.models import Finding, Theme, Visit

# Who may follow a recommendation up: the NPM's own staff, not external experts.
OFFICER_ROLES = (Role.HEAD, Role.MONITOR, Role.DOCTOR, Role.DATA_OFFICER)


def _blank(choices: list[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _officers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=OFFICER_ROLES).order_by("full_name")


class FindingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Finding) -> str:  # type: ignore[override]
        return obj.statement


class RecommendationForm(forms.Form):
    """Drafting and editing a draft: every field of DOMAIN.md (¶20). Nothing here
    blocks on quality; the advice is shown beside the form."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    visit = forms.ModelChoiceField(
        queryset=Visit.objects.none(), required=False, widget=forms.HiddenInput
    )
    place = forms.ModelChoiceField(
        queryset=Place.objects.none(), required=False, widget=forms.HiddenInput
    )
    text = forms.CharField(
        label=_("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Say who should do what, by when, and how the result can be seen: "
            "“Install a working call bell in every cell of Wing B by 30 June.”"
        ),
    )
    findings = FindingChoiceField(
        label=_("Findings it rests on"),
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    addressee = forms.ModelChoiceField(
        label=_("Addressed to"),
        queryset=Authority.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("— choose an authority —"),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=_blank(Level.choices, _("— from the addressee —")),
        required=False,
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=_blank(Theme.choices), required=False)
    root_cause = forms.CharField(
        label=_("Root cause"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Why the problem exists: a rule, a budget, a practice, a lack of training."),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.GENERAL
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DateInput(),
        required=False,
        help_text=_("An urgent recommendation gets the short urgent deadline if left empty."),
    )
    liaison = forms.CharField(
        label=_("Named liaison (urgent track)"),
        max_length=300,
        required=False,
        help_text=_(
            "Who at the authority answers for an urgent recommendation; taken from the "
            "authority's urgent liaison if left empty."
        ),
    )
    origin = forms.ChoiceField(label=_("Origin"), choices=Origin.choices)
    source_ref = forms.CharField(
        label=_("Source reference"),
        max_length=200,
        required=False,
        help_text=_("For example the report's symbol and paragraph: CAT/OP/XX/1, para. 42."),
    )
    owner = forms.ModelChoiceField(
        label=_("Follow-up officer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— me —"),
    )

    sections = (
        (_("The recommendation"), ("text",)),
        (_("To whom"), ("addressee", "level", "liaison")),
        (_("What it is about"), ("theme", "root_cause", "priority", "deadline")),
        (_("Where it comes from"), ("origin", "source_ref", "owner")),
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        visit: Visit | None = None,
        place: Place | None = None,
        findings: QuerySet[Finding] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["visit"].queryset = Visit.objects.restrict(user, "change")  # type: ignore[attr-defined]
        self.fields["place"].queryset = Place.objects.restrict(user, "view")  # type: ignore[attr-defined]
        self.fields["addressee"].queryset = Authority.objects.restrict(user, "view").order_by(  # type: ignore[attr-defined]
            "name"
        )
        self.fields["owner"].queryset = _officers()  # type: ignore[attr-defined]
        self.fields["findings"].queryset = (  # type: ignore[attr-defined]
            findings if findings is not None else Finding.objects.none()
        )
        if not self.is_bound:
            self.fields["origin"].initial = Origin.OWN_VISIT if visit else Origin.OTHER
            if visit is not None:
                self.fields["visit"].initial = visit.pk
            if place is not None:
                self.fields["place"].initial = place.pk
                # The place's supervising authority is the usual addressee.
                self.fields["addressee"].initial = place.authority_id

    @classmethod
    def initial_of(cls, recommendation: Recommendation) -> dict[str, Any]:
        return {
            "version": recommendation.version,
            "visit": recommendation.visit_id,
            "place": recommendation.place_id,
            "text": recommendation.text,
            "findings": list(recommendation.findings.values_list("pk", flat=True)),
            "addressee": recommendation.addressee_id,
            "level": recommendation.level,
            "theme": recommendation.theme,
            "root_cause": recommendation.root_cause,
            "priority": recommendation.priority,
            "deadline": recommendation.deadline,
            "liaison": recommendation.liaison,
            "origin": recommendation.origin,
            "source_ref": recommendation.source_ref,
            "owner": recommendation.owner_id,
        }

    def values(self, *, drafting: bool) -> dict[str, Any]:
        """What the service is given. Visit and place are fixed once drafted."""
        names = [
            "text",
            "addressee",
            "level",
            "theme",
            "root_cause",
            "priority",
            "deadline",
            "liaison",
            "origin",
            "source_ref",
        ]
        if drafting:
            names += ["visit", "place"]
        data = {name: self.cleaned_data.get(name) for name in names}
        for name in ("level", "theme", "root_cause", "liaison", "source_ref"):
            data[name] = data[name] or ""
        if self.cleaned_data.get("owner") is not None:
            data["owner"] = self.cleaned_data["owner"]
        elif drafting:
            data.pop("owner", None)
        if drafting and data.get("visit") is None:
            data.pop("visit")
        if drafting and data.get("place") is None:
            data.pop("place")
        return data


class SentRecommendationForm(forms.Form):
    """Once sent, a recommendation's words are the NPM's record; only its follow-up
    changes: priority, deadline, liaison and follow-up officer."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), required=False)
    liaison = forms.CharField(
        label=_("Named liaison (urgent track)"), max_length=300, required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Follow-up officer"), queryset=User.objects.none(), required=False
    )

    sections = ((None, ("priority", "deadline", "liaison", "owner")),)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.pop("visit", None)
        kwargs.pop("place", None)
        kwargs.pop("findings", None)
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = _officers()  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, recommendation: Recommendation) -> dict[str, Any]:
        return {
            "version": recommendation.version,
            "priority": recommendation.priority,
            "deadline": recommendation.deadline,
            "liaison": recommendation.liaison,
            "owner": recommendation.owner_id,
        }

    def values(self, *, drafting: bool = False) -> dict[str, Any]:
        data = {
            "priority": self.cleaned_data["priority"],
            "deadline": self.cleaned_data.get("deadline"),
            "liaison": self.cleaned_data.get("liaison") or "",
        }
        if self.cleaned_data.get("owner") is not None:
            data["owner"] = self.cleaned_data["owner"]
        return data


class ResponseForm(forms.Form):
    """An authority's answer to this recommendation, with the passage that says so (¶22)."""

    status = forms.ChoiceField(label=_("Response"), choices=ResponseStatus.choices)
    responded_on = forms.DateField(label=_("Date of the answer"), widget=DateInput())
    passage = forms.CharField(
        label=_("Quoted passage"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Copy the words of the answer that concern this recommendation."),
    )
    exchange = forms.ModelChoiceField(
        label=_("Letter or exchange"),
        queryset=Exchange.objects.none(),
        required=False,
        empty_label=_("— none recorded —"),
    )

    sections = ((None, ("status", "responded_on", "passage", "exchange")),)

    def __init__(self, *args: Any, user: Any, recommendation: Recommendation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        letters = Exchange.objects.restrict(user, "view")
        if recommendation.addressee_id:
            letters = letters.filter(authority_id=recommendation.addressee_id)
        else:
            letters = letters.none()
        self.fields["exchange"].queryset = letters  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["responded_on"].initial = timezone.localdate()


class EvidenceFindingField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Finding) -> str:  # type: ignore[override]
        return f"{obj.visit.reference} · {obj.get_theme_display()} · {obj.statement[:120]}"


class DocumentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlaceDocument) -> str:  # type: ignore[override]
        day = obj.received_on.isoformat() if obj.received_on else ""
        return f"{obj.title} {day}".strip()


class LetterField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Exchange) -> str:  # type: ignore[override]
        return f"{obj.occurred_on.isoformat()} · {obj.get_kind_display()} · {obj.subject}"


class ResponseField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Response) -> str:  # type: ignore[override]
        return f"{obj.responded_on.isoformat()} · {obj.get_status_display()}"


class VerificationForm(forms.Form):
    """A dated implementation status, set only with its evidence (¶24)."""

    status = forms.ChoiceField(label=_("Implementation"), choices=Implementation.choices)
    verified_on = forms.DateField(label=_("Verified on"), widget=DateInput())
    evidence = forms.ChoiceField(
        label=_("Evidence"), choices=Verification.Evidence.choices, widget=forms.RadioSelect
    )
    finding = EvidenceFindingField(
        label=_("Finding of a visit since it was sent"),
        queryset=Finding.objects.none(),
        required=False,
        empty_label="—",
    )
    document = DocumentField(
        label=_("Document of the place"),
        queryset=PlaceDocument.objects.none(),
        required=False,
        empty_label="—",
    )
    exchange = LetterField(
        label=_("Letter or exchange with the addressee"),
        queryset=Exchange.objects.none(),
        required=False,
        empty_label="—",
    )
    response = ResponseField(
        label=_("One of its responses"),
        queryset=Response.objects.none(),
        required=False,
        empty_label="—",
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What was seen or read that supports this status."),
    )
    from_visit = forms.IntegerField(widget=forms.HiddenInput, required=False)

    sections = (
        (None, ("status", "verified_on", "evidence")),
        (_("The evidence"), ("finding", "document", "exchange", "response")),
        (None, ("note",)),
    )

    def __init__(self, *args: Any, choices: EvidenceChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = choices.findings  # type: ignore[attr-defined]
        self.fields["document"].queryset = choices.documents  # type: ignore[attr-defined]
        self.fields["exchange"].queryset = choices.letters  # type: ignore[attr-defined]
        self.fields["response"].queryset = choices.responses  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["verified_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        evidence = cleaned.get("evidence")
        kinds: dict[str, tuple[str, ...]] = {
            Verification.Evidence.FINDING: ("finding",),
            Verification.Evidence.RESPONSE: ("response",),
            Verification.Evidence.DOCUMENT: ("document", "exchange"),
        }
        needed = kinds.get(evidence or "", ())
        if needed and not any(cleaned.get(name) for name in needed):
            self.add_error(
                needed[0],
                _("Choose the evidence this status rests on.")
                if evidence != Verification.Evidence.DOCUMENT
                else _("Choose a document of the place or a letter."),
            )
        return cleaned

    def evidence_values(self) -> dict[str, Any]:
        """Only the evidence of the chosen kind goes to the service."""
        evidence = self.cleaned_data["evidence"]
        names = ("document", "exchange") if evidence == "document" else (evidence,)
        return {name: self.cleaned_data.get(name) for name in names}


class LinkForm(forms.Form):
    """Track another recommendation together with this one, by its reference."""

    reference = forms.CharField(label=_("Reference of the recommendation"), max_length=32)
    unlink = forms.BooleanField(required=False, widget=forms.HiddenInput)
