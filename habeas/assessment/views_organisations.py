"""Pages to manage organisations and who works for them (whole tool, ¶3).

This NPM's staff who see assessments may read these pages; everyone else, members of
other organisations included, gets 404. Changing anything takes
`assessment.organisations` (403 otherwise), and changing who works for whom also takes
sudo mode, like the rest of account management.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.accounts.models import User
from habeas.accounts.sudo import require_sudo
from habeas.assessment import services_organisations as services
from habeas.assessment.models import Membership, Organisation
from habeas.core import access
from habeas.core.errors import StaleEdit
from habeas.core.htmx import render_page
from habeas.places.forms import add_service_errors


class OrganisationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.NAME_LENGTH)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Organisation.Kind.choices)
    country = forms.CharField(
        label=gettext_lazy("Country"), max_length=services.COUNTRY_LENGTH, required=False
    )


class OrganisationEditForm(OrganisationForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": organisation.name,
                "kind": organisation.kind,
                "country": organisation.country,
                "version": organisation.version,
            },
        )
        super().__init__(*args, **kwargs)
        if organisation.is_home:
            self.fields["kind"].help_text = gettext_lazy(
                "This NPM runs this installation: it stays an NPM."
            )


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email of the person's account"),
        help_text=gettext_lazy(
            "The person needs an account already: the administrator creates accounts. "
            "Someone who works for another organisation is moved here."
        ),
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(_("No account has this email address."))
        return person


# Who reaches what ------------------------------------------------


def _allow(request: HttpRequest) -> None:
    if not services.may_see_organisations(request.user):
        raise Http404


def _require_manage(request: HttpRequest) -> None:
    if not services.may_manage(request.user):
        raise PermissionDenied


def _organisation_or_404(request: HttpRequest, pk: int) -> Organisation:
    _allow(request)
    return get_object_or_404(Organisation, pk=pk)


# Pages ------------------------------------------------


@access.verified
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    _allow(request)
    context = {
        "rows": services.organisation_overview(user=request.user),
        "can_manage": services.may_manage(request.user),
    }
    return render_page(request, "assessment/organisation_list.html", context)


@access.verified
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    _allow(request)
    _require_manage(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": organisation.name})
            return redirect("assessment:organisation_members", pk=organisation.pk)
    return render(request, "assessment/organisation_form.html", {"form": form})


@access.verified
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    _require_manage(request)
    form = OrganisationEditForm(request.POST or None, organisation=organisation)
    status, stale = 200, False
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, **_edit(form)
            )
        except StaleEdit as error:
            organisation = Organisation.objects.get(pk=organisation.pk)
            form, stale, status = _stale_form(request, organisation, error), True, 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("assessment:organisation_list")
    context = {"form": form, "organisation": organisation, "stale": stale}
    return render(request, "assessment/organisation_form.html", context, status=status)


def _edit(form: OrganisationEditForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["expected_version"] = data.pop("version")
    return data


def _stale_form(
    request: HttpRequest, organisation: Organisation, error: StaleEdit
) -> OrganisationEditForm:
    """The user's values again, carrying the current version so that saving again applies."""
    data = request.POST.copy()
    data["version"] = str(error.current_version)
    form = OrganisationEditForm(data, organisation=organisation)
    form.is_valid()
    return form


@access.verified
@require_http_methods(["GET", "POST"])
def organisation_members(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    if request.method == "POST":
        _require_manage(request)
        return _member_add(request, organisation)
    return _members_page(request, organisation, MemberAddForm())


@require_sudo
def _member_add(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["email"]
        try:
            services.membership_set(actor=request.user, user=person, organisation=organisation)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(person)s now works for %(organisation)s.")
                % {"person": person, "organisation": organisation.name},
            )
            return redirect("assessment:organisation_members", pk=organisation.pk)
    return _members_page(request, organisation, form)


def _members_page(
    request: HttpRequest, organisation: Organisation, form: MemberAddForm
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "members": services.organisation_members(organisation=organisation),
        "form": form,
        "can_manage": services.may_manage(request.user),
    }
    return render(request, "assessment/organisation_members.html", context)


@access.verified
@require_POST
def organisation_member_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    _require_manage(request)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organisation=organisation, user_id=user_pk
    )
    return _member_remove(request, organisation, membership)


@require_sudo
def _member_remove(
    request: HttpRequest, organisation: Organisation, membership: Membership
) -> HttpResponse:
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s no longer works for %(organisation)s; they work for this NPM again.")
            % {"person": membership.user, "organisation": organisation.name},
        )
    return redirect("assessment:organisation_members", pk=organisation.pk)
