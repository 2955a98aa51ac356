"""Writes and reads of a report's public life: the publication check, redactions, the
head's overrides, publishing, dissemination, and what `/public/` shows (¶21, 22, 25,
31c; OPCAT 21(2)).

The check runs on the public text of a version (`publication.public_content`) and stores
its hits; a hit the head overrode once for this report (same fingerprint) is stored as
overridden. Redactions change the public text of unsigned versions only. A version is
published when it is signed and its latest check ran on its current public text with no
hit left open; publishing re-runs the check first and queues the public PDF and DOCX.

Every write is keyword-only, checks the actor's right first, runs in one transaction and
writes one audit event that never holds content (ARCHITECTURE.md rules 1, 5).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.services import require
from habeas.places.models import Authority
from habeas.recommendations.models import Implementation, Origin, Recommendation, ResponseStatus
from habeas.reports import kinds, publication, services, services_render
from habeas.reports.content_types import Content, from_json
from habeas.reports.models import (
    CheckRun,
    Comment,
    Dissemination,
    Hit,
    Kind,
    Override,
    Redaction,
    Report,
    ReportVersion,
    State,
    Variant,
)
from habeas.visits.models import Visit

REASON_MIN = 10
REPLACEMENT_MAX = 200
REASON_MAX = 300
PASSAGE_MAX = 5_000


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You may not do this."))


def _in_scope(actor: Any, report: Report, *actions: str) -> None:
    """Refuse, as if it did not exist, a report the actor may not reach for any of
    `actions`."""
    for action in actions:
        if Report.objects.restrict(actor, action).filter(pk=report.pk).exists():
            return
    raise _denied()


def _content_of(actor: Any, version: ReportVersion) -> Content:
    from habeas.reports.content import build_content

    return build_content(user=actor, report=version.report, version=version)


def _public_of(actor: Any, version: ReportVersion) -> Content:
    return publication.public_content(
        content=_content_of(actor, version), version=version, k=version.report.k
    )


def _unsigned(version: ReportVersion) -> None:
    if version.state == State.SIGNED:
        raise ValidationError(
            _("A signed version cannot change: make a new version to change its public text.")
        )


# -- the check ------------------------------------------------------------------------


def check_run(*, actor: Any, version: ReportVersion) -> CheckRun:
    """Run the publication check on the public text of `version`, as `actor` reads it,
    and store what it found. Needs the right to draft or to publish the report."""
    report = version.report
    _in_scope(actor, report, "draft", "publish")
    public = _public_of(actor, version)
    found = publication.find_hits(report=report, content=public, k=report.k)
    overridden = set(Override.objects.filter(report=report).values_list("fingerprint", flat=True))
    with transaction.atomic():
        run = CheckRun.objects.create(
            version=version,
            ran_by=actor,
            k=report.k,
            text_digest=publication.public_text_digest(public),
        )
        hits = [
            Hit(
                run=run,
                code=item.code,
                section=item.section,
                location=item.location,
                start=item.start,
                end=item.end,
                passage=item.passage,
                explanation=item.explanation,
                proposal=item.proposal,
                fingerprint=item.fingerprint,
                status=Hit.Status.OVERRIDDEN if item.fingerprint in overridden else Hit.Status.OPEN,
            )
            for item in found
        ]
        Hit.objects.bulk_create(hits, batch_size=500)
        run.open_hits = sum(h.status == Hit.Status.OPEN for h in hits)
        run.save(update_fields=["open_hits"])
        audit.record(
            actor=actor,
            action="reports.check",
            obj=version,
            detail={"hits": dict(Counter(h.code for h in hits)), "open": run.open_hits},
        )
    return run


def latest_check(version: ReportVersion) -> CheckRun | None:
    return version.checks.order_by("-ran_at", "-id").first()


# -- redactions -----------------------------------------------------------------------


def _section_texts(content: Content, section: str) -> list[str]:
    return [p.text for p in publication.passages(content) if p.section == section]


def _check_passage(actor: Any, version: ReportVersion, section: str, passage: str) -> None:
    """The passage must be in that section, as drafted or as already redacted."""
    content = _content_of(actor, version)
    if section and section not in {s.key for s in content.sections}:
        raise ValidationError({"section": _("This report has no such section.")})
    redacted = publication.apply_redactions(content, version.redactions.all())
    texts = _section_texts(content, section) + _section_texts(redacted, section)
    if not any(passage in text for text in texts):
        raise ValidationError(
            {"passage": _("This passage is not in that section: copy it exactly as written.")}
        )


@transaction.atomic
def redaction_add(
    *,
    actor: Any,
    version: ReportVersion,
    section: str,
    passage: str,
    replacement: str = "[…]",
    reason: str = "",
) -> Redaction:
    """Replace `passage` wherever it occurs in `section` of the public version of an
    unsigned version (section "" is the report's title)."""
    _in_scope(actor, version.report, "draft")
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    _unsigned(version)
    passage = passage or ""
    if not passage.strip():
        raise ValidationError({"passage": _("Give the passage to hide.")})
    if len(passage) > PASSAGE_MAX:
        raise ValidationError({"passage": _("This passage is too long.")})
    replacement = (replacement if replacement is not None else "[…]").strip()
    if len(replacement) > REPLACEMENT_MAX:
        raise ValidationError({"replacement": _("The replacement is too long.")})
    if passage in replacement:
        raise ValidationError({"replacement": _("The replacement must not repeat the passage.")})
    reason = (reason or "").strip()[:REASON_MAX]
    _check_passage(actor, version, section, passage)
    redaction = Redaction.objects.create(
        version=version,
        section=section,
        passage=passage,
        replacement=replacement,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="reports.redact",
        obj=version,
        detail={"redaction": redaction.pk, "section": section},
    )
    return redaction


def redaction_from_hit(*, actor: Any, hit: Hit) -> Redaction:
    """Redact what a hit found with the replacement it proposes. The version's public
    text must still be the text the check read."""
    if not Hit.objects.restrict(actor, "draft").filter(pk=hit.pk).exists():
        raise _denied()
    run = hit.run
    version = run.version
    _unsigned(version)
    public = _public_of(actor, version)
    if publication.public_text_digest(public) != run.text_digest:
        raise ValidationError(_("The text has changed since this check: run the check again."))
    matched = publication.matched_text(
        public, section=hit.section, location=hit.location, start=hit.start, end=hit.end
    )
    if not matched.strip():
        raise ValidationError(_("The text has changed since this check: run the check again."))
    return redaction_add(
        actor=actor,
        version=version,
        section=hit.section,
        passage=matched,
        replacement=hit.proposal,
        reason=str(hit.get_code_display()),
    )


@transaction.atomic
def redaction_remove(*, actor: Any, redaction: Redaction) -> None:
    version = redaction.version
    _in_scope(actor, version.report, "draft")
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    _unsigned(version)
    pk = redaction.pk
    Redaction.objects.filter(pk=pk).delete()
    audit.record(
        actor=actor,
        action="reports.redaction_remove",
        obj=version,
        detail={"redaction": pk, "section": redaction.section},
    )


# -- overrides ------------------------------------------------------------------------


@transaction.atomic
def hit_override(*, actor: Any, hit: Hit, reason: str) -> Override:
    """The head publishes a flagged passage as it is, with a written reason. The
    decision holds for the same passage (fingerprint) in later checks and versions."""
    require(actor, "reports.override")
    if not Hit.objects.restrict(actor, "override").filter(pk=hit.pk).exists():
        raise _denied()
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {"reason": _("Write why this passage may be published (10 characters at least).")}
        )
    report = hit.run.version.report
    override, created = Override.objects.get_or_create(
        report=report,
        fingerprint=hit.fingerprint,
        defaults={
            "code": hit.code,
            "passage": hit.passage,
            "reason": reason,
            "decided_by": actor,
        },
    )
    same = Hit.objects.filter(
        run__version__report=report, fingerprint=hit.fingerprint, status=Hit.Status.OPEN
    )
    runs = set(same.values_list("run_id", flat=True))
    same.update(status=Hit.Status.OVERRIDDEN)
    for run_id in runs:
        open_hits = Hit.objects.filter(run_id=run_id, status=Hit.Status.OPEN).count()
        CheckRun.objects.filter(pk=run_id).update(open_hits=open_hits)
    audit.record(
        actor=actor,
        action="reports.override",
        obj=report,
        detail={"code": hit.code, "override": override.pk, "new": created},
    )
    hit.refresh_from_db()
    return override


# -- publishing -----------------------------------------------------------------------


def _hit_sentence(hit: Hit) -> str:
    kind = hit.run.version.report.kind
    where = kinds.section_title(kind, hit.section) if hit.section else _("the title")
    return _(
        "%(kind)s in “%(section)s”: “%(passage)s”. Redact it, or the head may override it "
        "with a written reason."
    ) % {"kind": hit.get_code_display(), "section": where, "passage": hit.passage}


def publication_blockers(*, version: ReportVersion) -> list[str]:
    """What stops `version` from being published, as sentences; [] when nothing does."""
    blockers: list[str] = []
    if version.state != State.SIGNED or not version.content:
        blockers.append(_("The version is not signed: only a signed version is published."))
    run = latest_check(version)
    if run is None:
        blockers.append(_("The publication check has not been run on this version."))
        return blockers
    if version.state == State.SIGNED and version.content:
        report = version.report
        public = publication.public_content(
            content=from_json(version.content), version=version, k=report.k
        )
        if run.text_digest != publication.public_text_digest(public) or run.k != report.k:
            blockers.append(_("The public text changed since the last check: run the check again."))
            return blockers
    open_hits = run.hits.filter(status=Hit.Status.OPEN).select_related("run__version__report")
    blockers += [_hit_sentence(hit) for hit in open_hits]
    return blockers


def _latest_signed(report: Report) -> ReportVersion | None:
    return report.versions.filter(state=State.SIGNED).order_by("-number").first()


def _queue_renderings(actor: Any, version: ReportVersion) -> None:
    for fmt in ("pdf", "docx"):
        services_render.rendering_request(
            actor=actor, version=version, variant=Variant.PUBLIC, fmt=fmt
        )


def report_publish(*, actor: Any, report: Report) -> Report:
    """Publish the latest signed version on `/public/`: re-run the check, refuse while
    anything blocks, then queue the public PDF and DOCX. The check is kept even when
    publishing is refused, so that its hits can be dealt with."""
    require(actor, "reports.publish")
    _in_scope(actor, report, "publish")
    version = _latest_signed(report)
    if version is None:
        raise ValidationError(_("The report has no signed version to publish."))
    check_run(actor=actor, version=version)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        blockers = publication_blockers(version=version)
        if blockers:
            raise ValidationError(blockers)
        now = timezone.now()
        Report.objects.filter(pk=report.pk).update(
            published_version=version,
            published_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        audit.record(
            actor=actor, action="reports.publish", obj=report, detail={"number": version.number}
        )
        transaction.on_commit(lambda: _queue_renderings(actor, version))
    report.refresh_from_db()
    return report


@transaction.atomic
def report_unpublish(*, actor: Any, report: Report, reason: str) -> Report:
    """The head withdraws a report from `/public/`. The reason is kept as a comment on
    the version that was published (the audit holds no text)."""
    require(actor, "reports.sign")
    _in_scope(actor, report, "publish")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.published_version_id is None:
        raise ValidationError(_("This report is not published."))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {"reason": _("Write why the report is withdrawn (10 characters at least).")}
        )
    Comment.objects.create(
        version_id=report.published_version_id,
        section="",
        text=_("Withdrawn from publication: %(reason)s") % {"reason": reason},
        author=actor,
    )
    number = report.published_version.number if report.published_version else None
    Report.objects.filter(pk=report.pk).update(
        published_version=None,
        published_at=None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    audit.record(actor=actor, action="reports.unpublish", obj=report, detail={"number": number})
    report.refresh_from_db()
    return report


# -- dissemination --------------------------------------------------------------------


def _date_value(value: Any, field: str) -> dt.date:
    day = value if isinstance(value, dt.date) else parse_date(str(value or ""))
    if day is None:
        raise ValidationError({field: _("Give a valid date.")})
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})
    return day


def _dissemination_version(report: Report, value: Any) -> ReportVersion:
    if value in (None, ""):
        version = _latest_signed(report)
    else:
        pk = getattr(value, "pk", value)
        version = report.versions.filter(pk=pk).first()
    if version is None or version.state != State.SIGNED:
        raise ValidationError({"version": _("Only a signed version of this report is sent.")})
    return version


def _authority(actor: Any, value: Any) -> Any:
    if value in (None, ""):
        return None
    authority = Authority.objects.restrict(actor, "view").filter(pk=getattr(value, "pk", value))
    found = authority.first()
    if found is None:
        raise ValidationError({"authority": _("Choose an authority from the list.")})
    return found


@transaction.atomic
def dissemination_add(*, actor: Any, report: Report, data: Mapping[str, Any]) -> Dissemination:
    """Record that a version of the report went to an authority or another recipient.

    data: version (pk; the latest signed by default), variant, authority (pk) or
    recipient (text), tier, channel, sent_on, note. The confidential version goes to an
    authority or an international body only; the public version once published only.
    """
    require(actor, "reports.disseminate")
    _in_scope(actor, report, "disseminate")
    version = _dissemination_version(report, data.get("version"))
    variant = str(data.get("variant") or "")
    if variant not in Variant.values:
        raise ValidationError({"variant": _("Choose the confidential or the public version.")})
    tier = str(data.get("tier") or "")
    if tier not in Dissemination.Tier.values:
        raise ValidationError({"tier": _("Choose the tier of the recipient.")})
    channel = str(data.get("channel") or "")
    if channel not in Dissemination.Channel.values:
        raise ValidationError({"channel": _("Choose how it was sent.")})
    authority = _authority(actor, data.get("authority"))
    recipient = str(data.get("recipient") or "").strip()[:300]
    if authority is None and not recipient:
        raise ValidationError({"authority": _("Choose an authority or name the recipient.")})
    international = tier == Dissemination.Tier.INTERNATIONAL
    if variant == Variant.CONFIDENTIAL and authority is None and not international:
        raise ValidationError(
            {
                "variant": _(
                    "The confidential version goes only to an authority or an international "
                    "body; send the public version to anyone else."
                )
            }
        )
    if variant == Variant.PUBLIC and report.published_version_id != version.pk:
        raise ValidationError({"variant": _("The public version is sent once it is published.")})
    sent_on = _date_value(data.get("sent_on") or timezone.localdate(), "sent_on")
    record = Dissemination.objects.create(
        report=report,
        version=version,
        variant=variant,
        authority=authority,
        recipient=recipient,
        tier=tier,
        channel=channel,
        sent_on=sent_on,
        note=str(data.get("note") or "").strip()[:500],
        created_by=actor,
    )
    moved = (
        variant == Variant.CONFIDENTIAL
        and authority is not None
        and services.visit_move_along(
            actor=actor,
            report=report,
            since=Visit.State.REPORT_DRAFTED,
            to=Visit.State.REPORT_SENT,
            on=sent_on,
        )
    )
    audit.record(
        actor=actor,
        action="reports.disseminate",
        obj=record,
        detail={"variant": variant, "tier": tier, "channel": channel, "visit_moved": moved},
    )
    return record


@transaction.atomic
def dissemination_acknowledge(
    *, actor: Any, dissemination: Dissemination, on: dt.date
) -> Dissemination:
    require(actor, "reports.disseminate")
    if (
        not Dissemination.objects.restrict(actor, "disseminate")
        .filter(pk=dissemination.pk)
        .exists()
    ):
        raise _denied()
    day = _date_value(on, "on")
    if day < dissemination.sent_on:
        raise ValidationError({"on": _("It cannot be acknowledged before it was sent.")})
    Dissemination.objects.filter(pk=dissemination.pk).update(acknowledged_on=day)
    dissemination.refresh_from_db()
    audit.record(actor=actor, action="reports.acknowledge", obj=dissemination)
    return dissemination


# -- what /public/ shows ----------------------------------------------------------------


def public_reports() -> QuerySet[Report]:
    """Published reports, newest first; no user: the public's own listing."""
    return Report.objects.filter(
        published_version__isnull=False,
        published_at__isnull=False,
        published_version__state=State.SIGNED,
    ).order_by("-published_at", "-id")


@dataclass(frozen=True)
class PublicRecommendation:
    reference: str
    text: str
    addressee: str
    sent_on: dt.date | None
    response: str
    implementation: str
    implementation_code: str
    report_pk: int
    report_reference: str
    report_title: str


def _public_text(report: Report) -> str:
    version = report.published_version
    if version is None or not version.content:
        return ""
    public = publication.public_content(
        content=from_json(version.content), version=version, k=report.k
    )
    return " ".join(" ".join(p.text for p in publication.passages(public)).split())


def _recommendations_of(report: Report) -> QuerySet[Any]:
    found = Recommendation.objects.select_related("addressee")
    if report.kind in (Kind.VISIT, Kind.FOLLOW_UP) and report.visit_id:
        return found.filter(visit_id=report.visit_id)
    if report.kind == Kind.URGENT and report.recommendation_id:
        return found.filter(pk=report.recommendation_id)
    if report.kind == Kind.THEMATIC:
        return found.filter(origin=Origin.THEMATIC, source_ref=report.reference)
    return found.none()


def public_recommendations(*, k: int | None = None) -> list[PublicRecommendation]:
    """The recommendations of published reports, each with the text it has in the public
    version of its report (a recommendation that does not appear there, for instance
    because it was redacted, is left out) and its public status."""

    seen: set[int] = set()
    result: list[PublicRecommendation] = []
    for report in public_reports().select_related("published_version"):
        text = _public_text(report)
        for rec in _recommendations_of(report):
            wording = " ".join(rec.text.split())
            if rec.pk in seen or not wording or wording not in text:
                continue
            seen.add(rec.pk)
            result.append(
                PublicRecommendation(
                    reference=rec.reference,
                    text=wording,
                    addressee=rec.addressee.name if rec.addressee else "",
                    sent_on=rec.sent_on,
                    response=str(ResponseStatus(rec.response).label)
                    if rec.response
                    else _("Awaiting a response"),
                    implementation=str(Implementation(rec.implementation).label)
                    if rec.implementation
                    else _("Not yet verified"),
                    implementation_code=rec.implementation or "",
                    report_pk=report.pk,
                    report_reference=report.reference,
                    report_title=report.title,
                )
            )
    return result


def public_recommendation_counts() -> list[tuple[str, int | None]]:
    """How many published recommendations have each implementation status; None where
    a status has fewer than k (the strictest of the setting and the published reports')."""

    recommendations = public_recommendations()
    ks = list(public_reports().values_list("k", flat=True))
    k = max([int(settings.HABEAS_PUBLICATION_K), *ks])
    counts = Counter(r.implementation_code for r in recommendations)
    statuses = [(code, str(label)) for code, label in Implementation.choices]
    statuses.append(("", _("Not yet verified")))
    return [(label, None if 0 < counts[code] < k else counts[code]) for code, label in statuses]
