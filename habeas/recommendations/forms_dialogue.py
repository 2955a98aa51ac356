"""Forms of the dialogue with authorities. They validate input and hand whitelisted values
to the services; choices come from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.places.models import Authority
from habeas.recommendations.models import (
    ActionPlan,
    Commitment,
    Exchange,
    Recommendation,
    Response,
    ResponseStatus,
)
from habeas.recommendations.services_dialogue import PASSAGE_LIMIT, MapEntry
from habeas.visits.forms import add_service_errors, set_queryset

__all__ = ["add_service_errors"]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# An action plan is usually received with a recent exchange; older ones stay reachable
# from the exchange's own page (?exchange=<pk>).
PLAN_EXCHANGE_YEARS = 3


class ExchangeForm(forms.Form):
    authority = forms.ModelChoiceField(label=_("Authority"), queryset=Authority.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Exchange.Kind.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Exchange.Direction.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    their_reference = forms.CharField(
        label=_("Their reference"),
        max_length=100,
        required=False,
        help_text=_("The authority's file number or reference, as written on the letter."),
    )
    participants = forms.CharField(
        label=_("Participants"),
        max_length=500,
        required=False,
        help_text=_("Who took part or signed: names and functions."),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, exchange: Exchange | None = None, **kwargs: Any):
        if exchange is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(exchange, name)
                    for name in (
                        "kind",
                        "direction",
                        "occurred_on",
                        "subject",
                        "their_reference",
                        "participants",
                        "summary",
                    )
                },
                "authority": exchange.authority_id,
                "version": exchange.version,
            }
        super().__init__(*args, **kwargs)
        set_queryset(self, "authority", Authority.objects.restrict(user, "view"))

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _year_choices(years: list[int]) -> list[tuple[Any, Any]]:
    return [("", _("Any")), *((y, str(y)) for y in years)]


class ExchangeFilterForm(forms.Form):
    authority = forms.ModelChoiceField(
        label=_("Authority"),
        queryset=Authority.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *Exchange.Kind.choices], required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("Any")), *Exchange.Direction.choices], required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, user: Any, years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_queryset(self, "authority", Authority.objects.restrict(user, "view"))
        self.fields["year"].choices = _year_choices(years)  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "authority": data["authority"].pk if data.get("authority") else None,
            "kind": data.get("kind") or "",
            "direction": data.get("direction") or "",
            "year": data.get("year"),
        }


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX, XLSX, ODT, ODS, CSV, TXT, JPG or PNG."),
    )


class MapSearchForm(forms.Form):
    q = forms.CharField(label=_("Find by reference or words"), max_length=200, required=False)


# -- the letter's mapping -------------------------------------------------------------------


@dataclass
class MapRow:
    """One candidate on the mapping page, with its fields and what the letter said before."""

    recommendation: Recommendation
    status: forms.BoundField
    passage: forms.BoundField
    pick: forms.BoundField
    earlier: Response | None
    errors: list[str]


class LetterMapForm(forms.Form):
    """One row per candidate: a status (blank: this letter does not concern it) and the
    passage quoted. A paragraph and a status given above apply to every checked row whose
    own are blank, so one paragraph answering several recommendations is typed once."""

    responded_on = forms.DateField(
        label=_("Date of the response"),
        widget=DATE,
        help_text=_("The date of the letter, unless it answers later."),
    )
    paragraph = forms.CharField(
        label=_("Paragraph answering several recommendations"),
        required=False,
        max_length=PASSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Paste a passage once, tick the rows it answers, then apply it; without "
            "JavaScript it is applied on saving to ticked rows with no passage of their own."
        ),
    )
    paragraph_status = forms.ChoiceField(
        label=_("Response for the ticked rows"),
        choices=[("", _("— as chosen in each row —")), *ResponseStatus.choices],
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        exchange: Exchange,
        candidates: list[Recommendation],
        earlier: dict[int, Response],
        **kwargs: Any,
    ):
        kwargs.setdefault("initial", {"responded_on": exchange.occurred_on})
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.earlier = earlier
        self.entry_errors: dict[int, list[str]] = {}
        for recommendation in candidates:
            self._add_row(recommendation, earlier.get(recommendation.pk))

    def _add_row(self, recommendation: Recommendation, previous: Response | None) -> None:
        """A row's three fields, labelled for screen readers (the table shows no labels)."""
        pk, ref = recommendation.pk, recommendation.reference
        choices = list(ResponseStatus.choices)
        if previous is None:
            choices = [("", _("— not concerned —")), *choices]
        label = _("Response to %(ref)s") % {"ref": ref}
        self.fields[f"status_{pk}"] = forms.ChoiceField(
            label=label,
            choices=choices,
            required=False,
            initial=previous.status if previous else "",
            widget=forms.Select(attrs={"aria-label": label, "data-map-status": ""}),
        )
        label = _("Passage answering %(ref)s") % {"ref": ref}
        self.fields[f"passage_{pk}"] = forms.CharField(
            label=label,
            required=False,
            max_length=PASSAGE_LIMIT,
            initial=previous.passage if previous else "",
            widget=forms.Textarea(attrs={"rows": 4, "aria-label": label, "data-map-passage": ""}),
        )
        label = _("Tick %(ref)s for the shared paragraph") % {"ref": ref}
        self.fields[f"pick_{pk}"] = forms.BooleanField(
            label=label,
            required=False,
            widget=forms.CheckboxInput(attrs={"aria-label": label, "data-map-pick": ""}),
        )

    def rows(self) -> list[MapRow]:
        return [
            MapRow(
                recommendation=r,
                status=self[f"status_{r.pk}"],
                passage=self[f"passage_{r.pk}"],
                pick=self[f"pick_{r.pk}"],
                earlier=self.earlier.get(r.pk),
                errors=self.entry_errors.get(r.pk, []),
            )
            for r in self.candidates
        ]

    def clean_responded_on(self) -> dt.date:
        value = self.cleaned_data["responded_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value

    def entries(self) -> list[MapEntry]:
        """The rows the letter concerns, with the shared paragraph applied to ticked ones."""
        data = self.cleaned_data
        paragraph = (data.get("paragraph") or "").strip()
        shared_status = data.get("paragraph_status") or ""
        entries = []
        for recommendation in self.candidates:
            pk = recommendation.pk
            status = data.get(f"status_{pk}") or ""
            passage = (data.get(f"passage_{pk}") or "").strip()
            if data.get(f"pick_{pk}"):
                status = status or shared_status
                passage = passage or paragraph
            if not status:
                continue
            entries.append(
                MapEntry(
                    recommendation=recommendation,
                    status=status,
                    passage=passage,
                    responded_on=data["responded_on"],
                )
            )
        return entries

    def show_entry_errors(self, entries: list[MapEntry], errors: dict[int, list[str]]) -> None:
        self.entry_errors = {
            entries[i].recommendation.pk: messages for i, messages in errors.items()
        }


# -- action plans ---------------------------------------------------------------------------


class ActionPlanForm(forms.Form):
    authority = forms.ModelChoiceField(label=_("Authority"), queryset=Authority.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DATE)
    exchange = forms.ModelChoiceField(
        label=_("Received with"),
        queryset=Exchange.objects.none(),
        required=False,
        help_text=_("The letter or meeting that brought the plan, if any."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, plan: ActionPlan | None = None, **kwargs: Any):
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "authority": plan.authority_id,
                "title": plan.title,
                "adopted_on": plan.adopted_on,
                "exchange": plan.exchange_id,
                "version": plan.version,
            }
        super().__init__(*args, **kwargs)
        set_queryset(self, "authority", Authority.objects.restrict(user, "view"))
        since = timezone.localdate() - dt.timedelta(days=365 * PLAN_EXCHANGE_YEARS)
        wanted = str(self.initial.get("exchange") or self.data.get("exchange") or "")
        recent = Exchange.objects.restrict(user, "view").select_related("authority")
        if wanted.isdigit() and len(wanted) < 12:
            recent = recent.filter(occurred_on__gte=since) | recent.filter(pk=int(wanted))
        else:
            recent = recent.filter(occurred_on__gte=since)
        set_queryset(self, "exchange", recent)
        self.fields["exchange"].label_from_instance = (  # type: ignore[attr-defined]
            lambda e: f"{e.occurred_on:%Y-%m-%d} · {e.authority.name} · {e.subject}"
        )

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CommitmentForm(forms.Form):
    recommendation = forms.CharField(
        label=_("Recommendation (reference)"),
        max_length=32,
        required=False,
        help_text=_("For example R-2025-00042. Leave empty for a commitment of its own."),
    )
    text = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, commitment: Commitment | None = None, **kwargs: Any):
        if commitment is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "recommendation": (
                    commitment.recommendation.reference if commitment.recommendation else ""
                ),
                "text": commitment.text,
                "due_on": commitment.due_on,
                "done_on": commitment.done_on,
                "version": commitment.version,
            }
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_recommendation(self) -> Recommendation | None:
        reference = self.cleaned_data["recommendation"].strip().replace("\x00", "")
        if not reference:
            return None
        found = (
            Recommendation.objects.restrict(self.user, "dialogue")
            .filter(reference__iexact=reference)
            .first()
        )
        if found is None:
            raise forms.ValidationError(_("No recommendation you may follow has this reference."))
        return found

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}
