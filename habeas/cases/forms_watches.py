"""Forms of the reprisal watch pages (¶25). They validate and present; services write.

Choices that name records (places, authorities, cases, people) come from `restrict`,
so a form never offers what its user may not see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.cases.models import Case, InvestigationRequest, ReprisalWatch, WatchCheck
from habeas.cases.services_watches import Informant
from habeas.places.forms import DateInput, QuickSelect
from habeas.places.models import Authority, Place


def _places(user: Any) -> Any:
    return Place.objects.restrict(user, "view").filter(status=Place.Status.OPEN).order_by("name")


class WatchForm(forms.Form):
    """Open or edit a watch. The real identity is offered only to those who may see it."""

    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=64,
        help_text=_("The name the team uses; never the person's real name."),
    )
    identity = forms.CharField(
        label=_("Real identity"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Sealed; seen only by grantees with the identity right."),
    )
    source_kind = forms.ChoiceField(
        label=_("What put them at risk"), choices=ReprisalWatch.SourceKind.choices
    )
    source_ref = forms.CharField(
        label=_("Source reference"),
        required=False,
        max_length=64,
        help_text=_("The visit, interview or information that put them at risk (no names)."),
    )
    source_case = forms.ModelChoiceField(
        label=_("Case file"),
        required=False,
        queryset=Case.objects.none(),
        widget=QuickSelect,
        empty_label=_("— none —"),
        help_text=_("The case the risk comes from, if there is one."),
    )
    risk_source = forms.ChoiceField(
        label=_("Risk comes from"), choices=ReprisalWatch.RiskSource.choices
    )
    risk_detail = forms.CharField(
        label=_("Details of the risk"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sealed."),
    )
    feared = forms.MultipleChoiceField(
        label=_("Reprisals feared"),
        required=False,
        choices=ReprisalWatch.ReprisalKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_raise = forms.BooleanField(
        label=_("Consents to the risk being raised with the authorities"), required=False
    )
    place = forms.ModelChoiceField(
        label=_("Current place"), queryset=Place.objects.none(), widget=QuickSelect
    )
    ngos = forms.CharField(label=_("NGOs involved"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, user: Any, watch: ReprisalWatch | None, identity: bool, **kw: Any
    ):
        super().__init__(*args, **kw)
        self.watch = watch
        self.fields["source_case"].queryset = Case.objects.restrict(user, "view")  # type: ignore[attr-defined]
        if not identity:
            del self.fields["identity"]
        if watch is None:
            self.fields["place"].queryset = _places(user)  # type: ignore[attr-defined]
            del self.fields["version"]
        else:
            del self.fields["place"]  # a move is a transfer, with its date
        names = [name for name in self.fields if name != "version"]
        self.sections = (
            (_("The person"), [n for n in ("pseudonym", "identity", "place") if n in names]),
            (
                _("The risk"),
                [
                    "source_kind",
                    "source_ref",
                    "source_case",
                    "risk_source",
                    "risk_detail",
                    "feared",
                ],
            ),
            (_("Consent and support"), ["consent_raise", "ngos"]),
        )

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.watch is not None and not version:
            raise ValidationError(_("The form is missing the record's version. Reload the page."))
        return version


def watch_initial(watch: ReprisalWatch, *, identity: bool, actor: Any) -> dict[str, Any]:
    """The saved values as the edit form shows them; the identity only if it may be seen."""
    initial: dict[str, Any] = {
        name: getattr(watch, name)
        for name in (
            "pseudonym",
            "source_kind",
            "source_ref",
            "risk_source",
            "feared",
            "consent_raise",
            "ngos",
        )
    }
    initial["source_case"] = watch.source_case_id
    initial["risk_detail"] = watch.unseal("risk_detail", actor=actor)
    initial["version"] = watch.version
    if identity:
        initial["identity"] = watch.unseal("identity", actor=actor)
    return initial


class TransferForm(forms.Form):
    to_place = forms.ModelChoiceField(
        label=_("Moved to"), queryset=Place.objects.none(), widget=QuickSelect
    )
    moved_on = forms.DateField(label=_("Moved on"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_place"].queryset = _places(user)  # type: ignore[attr-defined]


class CheckScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of check"), choices=WatchCheck.Kind.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


class CheckRecordForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("What it found"), choices=WatchCheck.Outcome.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sealed."),
    )


class ReprisalReportForm(forms.Form):
    informant = forms.ChoiceField(label=_("Who told the NPM"), choices=Informant.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    account = forms.CharField(
        label=_("What was reported"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Sealed in the new reprisal allegation."),
    )


class InvestigationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InvestigationRequest.Kind.choices)
    addressee = forms.ModelChoiceField(
        label=_("Requested of"),
        required=False,
        queryset=Authority.objects.none(),
        widget=QuickSelect,
        empty_label=_("— not recorded —"),
    )
    requested_on = forms.DateField(label=_("Requested on"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authorities = Authority.objects.restrict(user, "view").order_by("name")
        self.fields["addressee"].queryset = authorities  # type: ignore[attr-defined]


class InvestigationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InvestigationRequest.Outcome.choices)
    outcome_on = forms.DateField(label=_("Outcome on"), required=False, widget=DateInput())


def _eligible_users() -> Any:
    holders = roles.PERMISSIONS["cases.view"]
    return User.objects.filter(is_active=True, role__in=holders).order_by("full_name", "email")


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    identity = forms.BooleanField(label=_("May see the real identity"), required=False)
    medical = forms.BooleanField(label=_("May see medical documentation"), required=False)
    reason = forms.CharField(label=_("Why they need to know"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _eligible_users()  # type: ignore[attr-defined]


class LeadForm(forms.Form):
    user = forms.ModelChoiceField(label=_("New lead"), queryset=User.objects.none())

    def __init__(self, *args: Any, watch: ReprisalWatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grantees = User.objects.filter(case_grants__watch=watch).order_by("full_name", "email")
        self.fields["user"].queryset = grantees  # type: ignore[attr-defined]
