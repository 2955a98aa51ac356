"""Writes of a report's life: create, edit, review, sign, new version, comments
(¶19, 21, 22, 31c–d, 38).

The workflow: a drafter creates a report of a kind with its scope; version 1 starts
with its narrative pre-filled from the records. While a version is a draft the drafter
edits its sections; they submit it; a reviewer returns it with a comment or approves it;
the head signs it, which freezes its content (built as the head) with a sha256 digest.
A signed version never changes: editing means `version_new`, a new draft with the same
narrative, omissions and redactions. The report's state follows its latest version.

Every service is keyword-only, runs in one transaction, checks the actor's right first
and writes one audit event that never holds content (ARCHITECTURE.md rules 1, 5, 6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.core import audit
from habeas.core.services import require, stale_guarded, versioned_update
from habeas.places.models import Authority, Place
from habeas.recommendations.models import Priority, Recommendation
from habeas.reports import kinds
from habeas.reports.models import (
    Comment,
    Kind,
    Redaction,
    Report,
    ReportVersion,
    State,
)
from habeas.visits.models import Theme, Visit

MIN_K = 2
SECTION_MAX = 100_000
COMMENT_MAX = 5_000
# A visit that has not happened yet has nothing to report.
NOT_YET_VISITED = (Visit.State.PLANNED, Visit.State.PREPARED)


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You may not do this."))


def _in_scope(actor: Any, report: Report, action: str) -> None:
    """Refuse, as if it did not exist, a report the actor may not reach for `action`."""
    if not Report.objects.restrict(actor, action).filter(pk=report.pk).exists():
        raise _denied()


def latest_version(report: Report) -> ReportVersion:
    version = report.versions.order_by("-number").first()
    if version is None:  # a report is always created with its first version
        raise ReportVersion.DoesNotExist
    return version


def digest_of(version_sections: Mapping[str, str], content: Mapping[str, Any]) -> str:
    """The sha256 of the canonical JSON of a signed version's narrative and content."""
    canonical = json.dumps(
        {"sections": dict(version_sections), "content": content},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# -- creating a report ---------------------------------------------------------------------


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _one(queryset: Any, value: Any, field: str, message: str) -> Any:
    if value in (None, ""):
        raise ValidationError({field: message})
    try:
        found = queryset.filter(pk=_pk(value)).first()
    except (TypeError, ValueError, ValidationError):
        found = None
    if found is None:
        raise ValidationError({field: message})
    return found


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give a date.")}) from None


def _visit_scope(actor: Any, data: Mapping[str, Any], values: dict[str, Any]) -> Visit:
    visit = _one(
        Visit.objects.restrict(actor, "change").select_related("place"),
        data.get("visit"),
        "visit",
        _("Choose a visit you may draft a report for."),
    )
    if visit.state in NOT_YET_VISITED:
        raise ValidationError({"visit": _("This visit has not taken place yet.")})
    values["visit"] = visit
    values["place"] = visit.place
    return visit


def _scope_values(actor: Any, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The scope of a report of `kind`, checked against what the actor may reach."""
    values: dict[str, Any] = {}
    if kind == Kind.VISIT:
        _visit_scope(actor, data, values)
    elif kind == Kind.FOLLOW_UP:
        place = _one(
            Place.objects.restrict(actor, "view"),
            data.get("place") or getattr(data.get("visit"), "place", None),
            "place",
            _("Choose the place whose recommendations are followed up."),
        )
        if data.get("visit") not in (None, ""):
            visit = _visit_scope(actor, data, values)
            if visit.place_id != place.pk:
                raise ValidationError({"visit": _("This visit was to another place.")})
        values["place"] = place
    elif kind == Kind.THEMATIC:
        theme = str(data.get("theme") or "")
        if theme not in Theme.values:
            raise ValidationError({"theme": _("Choose a theme.")})
        start = _date(data.get("period_start"), "period_start")
        end = _date(data.get("period_end"), "period_end")
        if end < start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        values.update(theme=theme, period_start=start, period_end=end)
    elif kind == Kind.ANNUAL:
        try:
            year = int(data.get("year") or 0)
        except (TypeError, ValueError):
            year = 0
        if not 1990 <= year <= timezone.localdate().year:
            raise ValidationError({"year": _("Choose a year that has begun.")})
        values["year"] = year
    elif kind == Kind.URGENT:
        visit = _visit_scope(actor, data, values)
        recommendation = _one(
            Recommendation.objects.restrict(actor, "view"),
            data.get("recommendation"),
            "recommendation",
            _("Choose the urgent recommendation."),
        )
        if recommendation.visit_id != visit.pk:
            raise ValidationError({"recommendation": _("This recommendation is of another visit.")})
        if recommendation.priority != Priority.URGENT:
            raise ValidationError({"recommendation": _("This recommendation is not urgent.")})
        values["recommendation"] = recommendation
        values["addressee"] = recommendation.addressee
    else:
        raise ValidationError({"kind": _("Choose a kind of report.")})
    return values


def _settings_values(actor: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """Title, language, addressee and k, where given."""
    values: dict[str, Any] = {}
    if "title" in data:
        title = str(data.get("title") or "").strip()
        if not title:
            raise ValidationError({"title": _("Give the report a title.")})
        values["title"] = title[:300]
    if "language" in data and data.get("language"):
        language = str(data["language"])
        if language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("Choose a language from the list.")})
        values["language"] = language
    if "addressee" in data:
        values["addressee"] = (
            None
            if data["addressee"] in (None, "")
            else _one(
                Authority.objects.restrict(actor, "view"),
                data["addressee"],
                "addressee",
                _("Choose an authority."),
            )
        )
    if "k" in data and data["k"] not in (None, ""):
        try:
            k = int(data["k"])
        except (TypeError, ValueError):
            k = 0
        if k < MIN_K or k > 100:
            raise ValidationError(
                {"k": _("The smallest group shown must be between 2 and 100 people.")}
            )
        values["k"] = k
    return values


def default_title(report: Report) -> str:
    if report.kind == Kind.VISIT and report.visit is not None:
        return _("Report on the visit to %(place)s, %(dates)s") % {
            "place": report.visit.place.name,
            "dates": _dates(report.visit.starts_on, report.visit.ends_on),
        }
    if report.kind == Kind.FOLLOW_UP and report.place is not None:
        return _("Follow-up of the recommendations made to %(place)s") % {
            "place": report.place.name
        }
    if report.kind == Kind.THEMATIC:
        return _("%(theme)s: places visited %(start)s – %(end)s") % {
            "theme": dict(Theme.choices).get(report.theme, report.theme),
            "start": report.period_start,
            "end": report.period_end,
        }
    if report.kind == Kind.ANNUAL:
        return _("Annual report %(year)s") % {"year": report.year}
    if report.kind == Kind.URGENT and report.recommendation is not None:
        return _("Urgent communication: %(reference)s") % {
            "reference": report.recommendation.reference
        }
    return str(Kind(report.kind).label)


def _dates(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"


def _next_reference(year: int) -> str:
    prefix = f"RPT-{year}-"
    last = (
        Report.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _save_with_reference(report: Report) -> None:
    """Number the report RPT-<year>-<nnnn>; retry if another report took the number."""
    year = timezone.localdate().year
    for _attempt in range(5):
        report.reference = _next_reference(year)
        try:
            with transaction.atomic():
                report.save()
            return
        except IntegrityError:
            if Report.objects.filter(reference=report.reference).exists():
                continue
            raise
    raise ValidationError(_("Could not number the report; try again."))


@transaction.atomic
def report_create(*, actor: Any, data: Mapping[str, Any]) -> Report:
    """Create a report of a kind with its scope, and its first version, pre-filled."""
    require(actor, "reports.draft")
    kind = str(data.get("kind") or "")
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind of report.")})
    values = _scope_values(actor, kind, data)
    values.update(_settings_values(actor, {**data, "title": data.get("title") or "-"}))
    report = Report(kind=kind, created_by=actor, state=State.DRAFT, **values)
    if not data.get("title"):
        report.title = default_title(report)[:300]
    report.reference = "RPT-pending"
    report.full_clean(exclude=["reference", "published_version", "created_by"])
    _save_with_reference(report)
    if not Report.objects.restrict(actor, "draft").filter(pk=report.pk).exists():
        # e.g. an external expert: only reports drawn from their visits.
        raise _denied()
    from habeas.reports.content import initial_sections

    ReportVersion.objects.create(
        report=report,
        number=1,
        state=State.DRAFT,
        sections=initial_sections(user=actor, report=report),
        created_by=actor,
    )
    audit.record(actor=actor, action="reports.create", obj=report, detail={"kind": kind})
    return report


def report_update(
    *, actor: Any, report: Report, data: Mapping[str, Any], expected_version: int
) -> Report:
    """Change the title, language, addressee or k of a report."""
    require(actor, "reports.draft")
    _in_scope(actor, report, "draft")
    values = _settings_values(actor, data)
    with stale_guarded("reports.edit_settings", report, actor, expected_version):
        changed = versioned_update(
            model=Report, obj=report, values=values, expected_version=expected_version
        )
        audit.record(actor=actor, action="reports.update", obj=report, detail={"fields": changed})
    return report


# -- editing a version ------------------------------------------------------------------------


def _locked_version(version: ReportVersion) -> ReportVersion:
    return ReportVersion.objects.select_for_update().select_related("report").get(pk=version.pk)


def _require_state(version: ReportVersion, state: str, message: str) -> None:
    if version.state != state:
        raise ValidationError(message)


def _follow_latest(report: Report) -> None:
    """The report's state is its latest version's (no version bump: a settings form
    opened before a workflow step stays valid)."""
    latest = latest_version(report)
    Report.objects.filter(pk=report.pk).update(state=latest.state, updated_at=timezone.now())
    report.state = latest.state


def version_edit(
    *,
    actor: Any,
    version: ReportVersion,
    sections: Mapping[str, str],
    public_omit: list[str] | None,
    expected_version: int,
) -> ReportVersion:
    """Change the narrative of some sections, and which sections are kept out of the
    public version. A draft only; a signed version never changes."""
    require(actor, "reports.draft")
    report = version.report
    _in_scope(actor, report, "draft")
    keys = kinds.section_keys(report.kind)
    unknown = sorted(set(sections) - set(keys)) + sorted(set(public_omit or []) - set(keys))
    if unknown:
        raise ValidationError(
            {"sections": _("Unknown section: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    for key, text in sections.items():
        if not isinstance(text, str):
            raise ValidationError({key: _("Write the section as text.")})
        if len(text) > SECTION_MAX:
            raise ValidationError({key: _("This section is too long.")})
    with stale_guarded("reports.edit", version, actor, expected_version):
        row = _locked_version(version)
        if row.state != State.DRAFT:
            raise ValidationError(
                _("Only a draft can be edited: make a new version to change a signed report.")
                if row.state == State.SIGNED
                else _("This version is under review: it can be edited once returned.")
            )
        values: dict[str, Any] = {"sections": {**row.sections, **dict(sections)}}
        if public_omit is not None:
            values["public_omit"] = [key for key in keys if key in set(public_omit)]
        versioned_update(
            model=ReportVersion, obj=version, values=values, expected_version=expected_version
        )
        audit.record(
            actor=actor,
            action="reports.edit",
            obj=version,
            detail={"sections": sorted(sections), "public_omit": public_omit is not None},
        )
    return version


def _move(version: ReportVersion, to: str, **fields: Any) -> ReportVersion:
    ReportVersion.objects.filter(pk=version.pk).update(
        state=to, version=models.F("version") + 1, updated_at=timezone.now(), **fields
    )
    version.refresh_from_db()
    _follow_latest(version.report)
    return version


@transaction.atomic
def version_submit(*, actor: Any, version: ReportVersion) -> ReportVersion:
    """Send a draft for review."""
    require(actor, "reports.draft")
    _in_scope(actor, version.report, "draft")
    row = _locked_version(version)
    _require_state(row, State.DRAFT, _("Only a draft can be sent for review."))
    _move(row, State.IN_REVIEW, submitted_at=timezone.now())
    audit.record(actor=actor, action="reports.submit", obj=row, detail={"number": row.number})
    version.refresh_from_db()
    return row


@transaction.atomic
def version_return(*, actor: Any, version: ReportVersion, comment: str) -> ReportVersion:
    """Return a version under review to its drafters, with a comment saying why."""
    require(actor, "reports.review")
    _in_scope(actor, version.report, "review")
    text = (comment or "").strip()
    if not text:
        raise ValidationError({"comment": _("Say what needs to change.")})
    row = _locked_version(version)
    _require_state(row, State.IN_REVIEW, _("Only a version under review can be returned."))
    Comment.objects.create(version=row, section="", text=text[:COMMENT_MAX], author=actor)
    _move(row, State.DRAFT, reviewed_by=actor, reviewed_at=timezone.now())
    audit.record(actor=actor, action="reports.return", obj=row, detail={"number": row.number})
    version.refresh_from_db()
    return row


@transaction.atomic
def version_approve(*, actor: Any, version: ReportVersion) -> ReportVersion:
    """Approve a version under review for signature. A reviewer does not approve a
    version they created themselves, unless they are the one who signs (the head)."""
    require(actor, "reports.review")
    _in_scope(actor, version.report, "review")
    row = _locked_version(version)
    _require_state(row, State.IN_REVIEW, _("Only a version under review can be approved."))
    if (
        row.created_by_id == actor.pk
        and not Report.objects.restrict(actor, "sign").filter(pk=row.report_id).exists()
    ):
        raise ValidationError(_("Someone other than its author must review this version."))
    _move(row, State.APPROVED, reviewed_by=actor, reviewed_at=timezone.now())
    audit.record(actor=actor, action="reports.approve", obj=row, detail={"number": row.number})
    version.refresh_from_db()
    return row


def visit_move_along(
    *, actor: Any, report: Report, since: str, to: str, on: dt.date | None = None
) -> bool:
    """Best effort: move a visit report's visit from `since` to `to` (its first signature:
    debriefed → report drafted; its sending to an authority: → report sent). A visit in
    another state, or a move the visit's rules refuse, leaves it where it is."""
    if report.kind != Kind.VISIT or report.visit_id is None:
        return False
    visit = Visit.objects.filter(pk=report.visit_id).first()
    if visit is None or visit.state != since:
        return False
    from habeas.visits import services as visit_services

    try:
        with transaction.atomic():
            visit_services.visit_move(actor=actor, visit=visit, to=to, on=on)
    except (ValidationError, PermissionDenied):
        return False
    return True


@transaction.atomic
def version_sign(*, actor: Any, version: ReportVersion) -> ReportVersion:
    """Sign an approved version: its content is built as the head and frozen, with the
    sha256 of its canonical JSON."""
    from habeas.reports.content import build_live
    from habeas.reports.content_types import to_json

    require(actor, "reports.sign")
    _in_scope(actor, version.report, "sign")
    row = _locked_version(version)
    _require_state(row, State.APPROVED, _("Only an approved version can be signed."))
    report = Report.objects.select_for_update().get(pk=row.report_id)
    now = timezone.now()
    content = build_live(
        user=actor,
        report=report,
        version=row,
        state=State.SIGNED,
        dated=timezone.localdate(now),
        signed_by=actor.full_name or str(actor),
    )
    frozen = to_json(content)
    digest = digest_of(row.sections, frozen)
    _move(row, State.SIGNED, content=frozen, digest=digest, signed_by=actor, signed_at=now)
    first = report.signed_at is None
    if first:
        Report.objects.filter(pk=report.pk).update(signed_at=now)
    moved = first and visit_move_along(
        actor=actor, report=report, since=Visit.State.DEBRIEFED, to=Visit.State.REPORT_DRAFTED
    )
    audit.record(
        actor=actor,
        action="reports.sign",
        obj=row,
        detail={"number": row.number, "digest": digest, "visit_moved": moved},
    )
    version.refresh_from_db()
    return row


@transaction.atomic
def version_new(*, actor: Any, report: Report) -> ReportVersion:
    """A new draft from the latest signed version: its narrative, omissions and
    redactions copied; the signed version stays as it was."""
    require(actor, "reports.draft")
    _in_scope(actor, report, "draft")
    locked = Report.objects.select_for_update().get(pk=report.pk)
    latest = latest_version(locked)
    if latest.state != State.SIGNED:
        raise ValidationError(_("The latest version is not signed yet: edit it instead."))
    new = ReportVersion.objects.create(
        report=locked,
        number=latest.number + 1,
        state=State.DRAFT,
        sections=dict(latest.sections),
        public_omit=list(latest.public_omit),
        created_by=actor,
    )
    Redaction.objects.bulk_create(
        Redaction(
            version=new,
            section=r.section,
            passage=r.passage,
            replacement=r.replacement,
            reason=r.reason,
            created_by=r.created_by,
        )
        for r in latest.redactions.all()
    )
    _follow_latest(locked)
    report.state = locked.state
    audit.record(actor=actor, action="reports.new_version", obj=new, detail={"number": new.number})
    return new


# -- comments ------------------------------------------------------------------------------


def _may_comment(actor: Any, report: Report) -> None:
    if not (
        Report.objects.restrict(actor, "draft").filter(pk=report.pk).exists()
        or Report.objects.restrict(actor, "review").filter(pk=report.pk).exists()
    ):
        raise _denied()


@transaction.atomic
def comment_add(*, actor: Any, version: ReportVersion, section: str, text: str) -> Comment:
    """A drafter's or reviewer's comment on one section of a version, or on the whole."""
    _may_comment(actor, version.report)
    section = (section or "").strip()
    if section and section not in kinds.section_keys(version.report.kind):
        raise ValidationError({"section": _("Unknown section: %(keys)s.") % {"keys": section}})
    body = (text or "").strip()
    if not body:
        raise ValidationError({"text": _("Write the comment.")})
    if len(body) > COMMENT_MAX:
        raise ValidationError({"text": _("This comment is too long.")})
    comment = Comment.objects.create(version=version, section=section, text=body, author=actor)
    audit.record(actor=actor, action="reports.comment", obj=comment, detail={"section": section})
    return comment


@transaction.atomic
def comment_resolve(*, actor: Any, comment: Comment) -> Comment:
    _may_comment(actor, comment.version.report)
    Comment.objects.filter(pk=comment.pk).update(resolved=True)
    comment.resolved = True
    audit.record(actor=actor, action="reports.comment_resolve", obj=comment)
    return comment
