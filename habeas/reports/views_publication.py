"""The publication pages (¶21, 22, 31c; OPCAT 21(2)): the publication check with its
hits, redactions and the head's overrides; publishing and withdrawing; the public version
as `/public/` will show it; and who received which version.

A hit's passage is shown with the matched words marked, every piece escaped by the
template: the passage is the report's own text, never the confidential record it matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from habeas.core import access
from habeas.places.forms import add_service_errors
from habeas.places.views import form_rows
from habeas.reports import content, publication, services_publication, views_public
from habeas.reports.forms import (
    AcknowledgeForm,
    DisseminationForm,
    OverrideForm,
    RedactionForm,
    UnpublishForm,
)
from habeas.reports.models import (
    CheckRun,
    Dissemination,
    Hit,
    Override,
    Redaction,
    Report,
    ReportVersion,
    State,
)
from habeas.reports.views_shared import (
    ContentShaper,
    latest_of,
    may,
    report_for,
    section_choices,
    version_named,
    versions_of,
)


def _to_check(request: HttpRequest, report: Report, version: ReportVersion) -> HttpResponse:
    """Back to the check page of the version acted on (`?v=` unless it is the latest)."""
    response = redirect("reports:check", pk=report.pk)
    if version.number != latest_of(request.user, report).number:
        response["Location"] += f"?v={version.number}"
    return response


# -- the publication check ------------------------------------------------------------------


@dataclass
class ShownHit:
    hit: Hit
    before: str
    matched: str
    after: str
    override: Override | None = None  # the head's decision, for an overridden hit


def shown_hit(hit: Hit, public: Any | None, override: Override | None = None) -> ShownHit:
    """The hit's excerpt with the matched words marked. The hit's offsets index the
    whole public passage, so the matched words are read from the public content and
    found again in the excerpt; if the text changed since the check, nothing is marked."""
    matched = ""
    if public is not None:
        matched = publication.matched_text(
            public, section=hit.section, location=hit.location, start=hit.start, end=hit.end
        )
    matched = " ".join(matched.split())
    at = hit.passage.find(matched) if matched else -1
    if at < 0:
        return ShownHit(hit, hit.passage, "", "", override)
    end = at + len(matched)
    return ShownHit(hit, hit.passage[:at], hit.passage[at:end], hit.passage[end:], override)


def _public_of(user: Any, report: Report, version: ReportVersion) -> Any:
    """The public content the check reads (offsets of hits refer to it)."""
    built = content.build_content(user=user, report=report, version=version)
    return publication.public_content(content=built, version=version, k=report.k)


@access.verified
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the latest check of the version and what it found. POST: run it again."""
    user = request.user
    report = report_for(request, pk)
    version = version_named(request, report)
    if request.method == "POST":
        try:
            run = services_publication.check_run(actor=user, version=version)
        except ValidationError as error:
            return _check_page(request, report, version, errors=error.messages)
        if run.open_hits:
            messages.warning(
                request,
                ngettext(
                    "The check found %(n)s passage to look at before publication.",
                    "The check found %(n)s passages to look at before publication.",
                    run.open_hits,
                )
                % {"n": run.open_hits},
            )
        else:
            messages.success(request, _("The check found nothing left open."))
        return _to_check(request, report, version)
    return _check_page(request, report, version)


def _check_page(
    request: HttpRequest,
    report: Report,
    version: ReportVersion,
    *,
    errors: list[str] | None = None,
    redaction_form: RedactionForm | None = None,
) -> HttpResponse:
    user = request.user
    run = CheckRun.objects.restrict(user, "view").filter(version=version).first()
    hits = list(run.hits.order_by("section", "start", "id")) if run else []
    titles = dict(section_choices(report))
    public = _public_of(user, report, version) if hits else None
    decisions = _overrides(user, report, hits)
    groups = [
        (
            titles.get(section, section) or _("Title"),
            [shown_hit(hit, public, decisions.get(hit.fingerprint)) for hit in items],
        )
        for section, items in groupby(hits, key=lambda hit: hit.section)
    ]
    can_redact = not version.frozen and may(user, report, "draft")
    redactions = list(
        Redaction.objects.restrict(user, "view")
        .filter(version=version)
        .select_related("created_by")
    )
    for redaction in redactions:
        redaction.section_title = titles.get(redaction.section, redaction.section)  # type: ignore[attr-defined]
    blockers = services_publication.publication_blockers(version=version)
    context = {
        "report": report,
        "version": version,
        "run": run,
        "groups": groups,
        "open_count": sum(1 for hit in hits if hit.status == Hit.Status.OPEN),
        "redactions": redactions,
        "redaction_form": redaction_form
        or RedactionForm(sections=section_choices(report), initial={"replacement": "[…]"}),
        "blockers": blockers,
        "can_check": may(user, report, "draft") or may(user, report, "publish"),
        "can_redact": can_redact,
        "can_override": may(user, report, "override"),
        "can_publish": version.state == State.SIGNED
        and may(user, report, "publish")
        and report.published_version_id != version.pk,
        "errors": errors or [],
    }
    status = 400 if errors or (redaction_form is not None and redaction_form.errors) else 200
    return render(request, "reports/check.html", context, status=status)


def _overrides(user: Any, report: Report, hits: list[Hit]) -> dict[str, Override]:
    """The head's decisions behind the overridden hits, by fingerprint: who, when, why."""
    prints = {hit.fingerprint for hit in hits if hit.status == Hit.Status.OVERRIDDEN}
    if not prints:
        return {}
    rows = (
        Override.objects.restrict(user, "view")
        .filter(report=report, fingerprint__in=prints)
        .select_related("decided_by")
    )
    return {row.fingerprint: row for row in rows}


def _hit_for(request: HttpRequest, report: Report, hit_pk: int) -> Hit:
    hits = Hit.objects.restrict(request.user, "view").filter(run__version__report=report)
    return get_object_or_404(hits.select_related("run", "run__version"), pk=hit_pk)


@access.verified
@require_POST
def hit_redact(request: HttpRequest, pk: int, hit_pk: int) -> HttpResponse:
    report = report_for(request, pk, "draft")
    hit = _hit_for(request, report, hit_pk)
    try:
        services_publication.redaction_from_hit(actor=request.user, hit=hit)
    except ValidationError as error:
        return _check_page(request, report, hit.run.version, errors=error.messages)
    messages.success(
        request, _("The proposed redaction is applied. Run the check again to confirm.")
    )
    return _to_check(request, report, hit.run.version)


@access.verified
@require_http_methods(["GET", "POST"])
def hit_override(request: HttpRequest, pk: int, hit_pk: int) -> HttpResponse:
    report = report_for(request, pk, "override")
    hit = _hit_for(request, report, hit_pk)
    form = OverrideForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].help_text = _(
        "At least 10 characters. Your reason is kept with the decision and shown on the "
        "publication check; the decision itself (who, when) is on the audit trail."
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_publication.hit_override(
                actor=request.user, hit=hit, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The passage may be published as it is. Your reason is kept with the decision."),
            )
            return _to_check(request, report, hit.run.version)
    context = {
        "report": report,
        "hit": shown_hit(hit, _public_of(request.user, report, hit.run.version)),
        "section_title": dict(section_choices(report)).get(hit.section, hit.section),
        "form": form,
        "rows": form_rows(form),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "reports/override.html", context, status=status)


@access.verified
@require_POST
def redaction_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request, pk, "draft")
    version = version_named(request, report)
    form = RedactionForm(request.POST, sections=section_choices(report))
    if form.is_valid():
        try:
            services_publication.redaction_add(
                actor=request.user,
                version=version,
                section=form.cleaned_data["section"],
                passage=form.cleaned_data["passage"],
                replacement=form.cleaned_data.get("replacement") or "[…]",
                reason=form.cleaned_data.get("reason") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The passage is hidden in the public version. Run the check again.")
            )
            return _to_check(request, report, version)
    return _check_page(request, report, version, redaction_form=form)


@access.verified
@require_POST
def redaction_remove(request: HttpRequest, pk: int, redaction_pk: int) -> HttpResponse:
    report = report_for(request, pk, "draft")
    redactions = Redaction.objects.restrict(request.user, "view").filter(version__report=report)
    redaction = get_object_or_404(redactions.select_related("version"), pk=redaction_pk)
    try:
        services_publication.redaction_remove(actor=request.user, redaction=redaction)
    except ValidationError as error:
        return _check_page(request, report, redaction.version, errors=error.messages)
    messages.success(request, _("The redaction is removed: the passage is public again."))
    return _to_check(request, report, redaction.version)


# -- publishing -----------------------------------------------------------------------------


@access.verified
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request, pk, "publish")
    try:
        report = services_publication.report_publish(actor=request.user, report=report)
    except ValidationError as error:
        return _check_page(request, report, _latest_signed(request, report), errors=error.messages)
    messages.success(
        request,
        _("The public version is published. Its PDF and DOCX are being produced for /public/."),
    )
    return redirect("reports:detail", pk=report.pk)


def _latest_signed(request: HttpRequest, report: Report) -> ReportVersion:
    """The version publishing is about: the latest signed one (else the latest)."""
    signed = versions_of(request.user, report).filter(state=State.SIGNED).order_by("-number")
    return signed.first() or latest_of(request.user, report)


@access.verified
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request, pk, "publish")
    form = UnpublishForm(request.POST)
    if form.is_valid():
        try:
            services_publication.report_unpublish(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            return _check_page(
                request, report, latest_of(request.user, report), errors=error.messages
            )
        messages.success(request, _("The report is withdrawn from the public page."))
        return redirect("reports:detail", pk=report.pk)
    errors = [
        f"{_('Why it is withdrawn')}: {' '.join(str(m) for m in e)}" for e in form.errors.values()
    ]
    return _check_page(request, report, latest_of(request.user, report), errors=errors)


@access.verified
@require_GET
def public_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The public version of a version (the latest unless `?v=`), built from what the
    reader sees and then cut exactly as publication cuts it."""
    user = request.user
    report = report_for(request, pk)
    version = version_named(request, report)
    built = content.build_content(user=user, report=report, version=version)
    public = public_shown(built, version=version, k=report.k)
    context = {
        "report": report,
        "version": version,
        "public": public,
        "sections": ContentShaper(public, report=None).sections(),
    }
    return render(request, "reports/public_preview.html", context)


def public_shown(built: Any, *, version: ReportVersion, k: int) -> Any:
    """What `/public/` would show of this content: `public_content`, then the public
    page's own second lock, so the preview and the page never differ."""

    shown = publication.public_content(content=built, version=version, k=k)
    shown = views_public._without_anything_confidential(
        shown, omit=set(version.public_omit or []), k=k
    )
    return views_public._suppressed_by_figure(shown)


# -- dissemination ------------------------------------------------------------------------------


@access.verified
@require_http_methods(["GET", "POST"])
def disseminations(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = report_for(request, pk, "disseminate" if request.method == "POST" else "view")
    versions = versions_of(user, report).filter(state=State.SIGNED).order_by("-number")
    form = DisseminationForm(
        request.POST if request.method == "POST" else None, user=user, versions=versions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_publication.dissemination_add(
                actor=user, report=report, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The sending is recorded."))
            return redirect("reports:disseminations", pk=report.pk)
    return _disseminations_page(request, report, form)


def _disseminations_page(
    request: HttpRequest,
    report: Report,
    form: DisseminationForm | None = None,
    ack_errors: dict[int, Any] | None = None,
) -> HttpResponse:
    user = request.user
    versions = versions_of(user, report).filter(state=State.SIGNED).order_by("-number")
    form = form or DisseminationForm(user=user, versions=versions)
    rows = (
        Dissemination.objects.restrict(user, "view")
        .filter(report=report)
        .select_related("version", "authority")
    )
    can_send = may(user, report, "disseminate")
    context = {
        "report": report,
        "rows": list(rows),
        "form": form,
        "form_rows": form_rows(form),
        "has_signed": versions.exists(),
        "can_send": can_send,
        "today": timezone.localdate(),
        "ack_errors": ack_errors or {},
    }
    status = 400 if form.is_bound and form.errors or ack_errors else 200
    return render(request, "reports/disseminations.html", context, status=status)


@access.verified
@require_POST
def dissemination_ack(request: HttpRequest, pk: int, dissemination_pk: int) -> HttpResponse:
    user = request.user
    report = report_for(request, pk, "disseminate")
    rows = Dissemination.objects.restrict(user, "view").filter(report=report)
    dissemination = get_object_or_404(rows, pk=dissemination_pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services_publication.dissemination_acknowledge(
                actor=user, dissemination=dissemination, on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The acknowledgement is recorded."))
            return redirect("reports:disseminations", pk=report.pk)
    errors = [str(e) for errors in form.errors.values() for e in errors]
    return _disseminations_page(request, report, ack_errors={dissemination.pk: errors})
