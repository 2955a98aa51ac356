"""Reports and publication (¶19, 21, 22, 31c–d, 38).

A report is drafted from the records: its figures, tables and charts are read through
`restrict`, its narrative is Markdown written by the team. Each report lives as numbered
versions; a version goes drafter → reviewer → head, and once signed it is frozen (its
content is stored as it was signed) and any later edit makes a new version.

Every report has two faces from one source: the confidential version, as drafted, and
the public version, which leaves out the sections marked confidential, applies the
redactions and hides every count of people under k. The public version is released only
after the publication check found nothing left open: each hit redacted, or overridden by
the head with a written reason (audited).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import BaseModel, RestrictedQuerySet


class Kind(models.TextChoices):
    VISIT = "visit", _("Visit report")
    FOLLOW_UP = "follow_up", _("Follow-up report")
    THEMATIC = "thematic", _("Thematic report")
    ANNUAL = "annual", _("Annual report")
    URGENT = "urgent", _("Urgent communication")


# Kinds drawn from one visit: their readers are the visit's readers.
VISIT_KINDS = (Kind.VISIT, Kind.FOLLOW_UP, Kind.URGENT)


class State(models.TextChoices):
    """A version's state; the report shows its latest version's."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Reviewed, awaiting signature")
    SIGNED = "signed", _("Signed")


class Variant(models.TextChoices):
    CONFIDENTIAL = "confidential", _("Confidential version")
    PUBLIC = "public", _("Public version")


def default_k() -> int:
    return int(settings.HABEAS_PUBLICATION_K)


def _visible_visits(user: Any, action: str = "view") -> Any:
    from habeas.visits.models import Visit

    return Visit.objects.restrict(user, action).values("pk")


class ReportQuerySet(RestrictedQuerySet):
    """Who sees and works on which report.

    - `reports.view` is needed for anything;
    - a report drawn from a visit (visit, follow-up, urgent) is seen by those who see
      that visit; an external expert sees only those, and only for the visits they are on;
    - the communications officer sees reports once signed (to send and publish them);
    - `draft`: `reports.draft`, and for a report drawn from a visit, the right to change
      that visit (its team and the planners);
    - `review`, `sign`, `publish`, `override`, `disseminate`: the permission of that name,
      on the reports the user sees.
    """

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "reports.view"):
            return self.none()
        visit_bound = Q(kind__in=VISIT_KINDS)
        seen = Q(visit__isnull=True) | Q(visit__in=_visible_visits(user))
        if user.role == roles.Role.EXPERT:
            seen = visit_bound & Q(visit__in=_visible_visits(user))
        elif user.role == roles.Role.COMMS:
            seen = seen & Q(signed_at__isnull=False)
        visible = self.filter(seen)
        if action == "view":
            return visible
        if action == "draft":
            if not roles.can(user, "reports.draft"):
                return self.none()
            changeable = Q(visit__isnull=True) | Q(visit__in=_visible_visits(user, "change"))
            return visible.filter(changeable)
        if action in {"review", "sign", "publish", "override", "disseminate"}:
            return visible if roles.can(user, f"reports.{action}") else self.none()
        return self.none()


class Report(BaseModel):
    """One report: its kind, what it covers, and its latest state."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    visit = models.ForeignKey(
        "visits.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    theme = models.CharField(_("theme"), max_length=16, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        verbose_name=_("urgent recommendation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    addressee = models.ForeignKey(
        "places.Authority",
        verbose_name=_("addressee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    k = models.PositiveSmallIntegerField(
        _("smallest group shown (k)"),
        default=default_k,
        help_text=_(
            "A count, unit, date or trait that narrows to fewer people than this is "
            "flagged by the publication check and hidden in the public version."
        ),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    signed_at = models.DateTimeField(_("first signed"), null=True, blank=True)
    published_version = models.ForeignKey(
        "ReportVersion",
        verbose_name=_("published version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ReportChildQuerySet(RestrictedQuerySet):
    """A version, comment, hit, redaction, dissemination or rendering is seen with its
    report; changed by those who may `draft` it (or the action named)."""

    report_path = "report"

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        reports = Report.objects.restrict(user, action)
        return self.filter(**{f"{self.report_path}__in": reports.values("pk")})


class VersionChildQuerySet(ReportChildQuerySet):
    report_path = "version__report"


class ReportVersion(BaseModel):
    """A numbered version. Its narrative is Markdown per section; `content` is empty
    while it is a draft (figures are read live) and holds the figures, tables and charts
    as they were when the head signed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    sections = models.JSONField(_("narrative"), default=dict, blank=True)
    public_omit = models.JSONField(
        _("sections kept out of the public version"), default=list, blank=True
    )
    content = models.JSONField(null=True, blank=True, editable=False)
    digest = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number")
        ]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self) -> str:
        return f"{self.report.reference} v{self.number}"

    @property
    def frozen(self) -> bool:
        return self.state == State.SIGNED


class Comment(models.Model):
    """A reviewer's or drafter's comment on a version, on one section or the whole."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(_("section"), max_length=32, blank=True)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    objects = VersionChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]


class Redaction(models.Model):
    """A passage of a section replaced in the public version (the confidential version
    keeps it)."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="redactions")
    section = models.CharField(_("section"), max_length=32)
    passage = models.TextField(_("passage"))
    replacement = models.CharField(_("replaced by"), max_length=200, default="[…]")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionChildQuerySet.as_manager()

    class Meta:
        ordering = ["section", "id"]
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")

    def __str__(self) -> str:
        return f"{self.section}: {self.passage[:40]}"


class CheckRun(models.Model):
    """One run of the publication check on a version's public text."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="checks")
    ran_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    k = models.PositiveSmallIntegerField()
    text_digest = models.CharField(max_length=64)
    open_hits = models.PositiveIntegerField(default=0)

    objects = VersionChildQuerySet.as_manager()

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"check {self.pk} of {self.version_id}"


class HitQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        reports = Report.objects.restrict(user, action)
        return self.filter(run__version__report__in=reports.values("pk"))


class Hit(models.Model):
    """Something in the public text that could betray a person; explained, with a
    proposed redaction. It never quotes the confidential record it matched."""

    class Code(models.TextChoices):
        NAME = "name", _("Name of a person")
        PSEUDONYM = "pseudonym", _("Interview pseudonym")
        CONTACT = "contact", _("Contact details or identifying number")
        QUOTE = "quote", _("Quote from an interview")
        SMALL_COUNT = "small_count", _("Count of fewer than k people")
        SMALL_UNIT = "small_unit", _("Unit holding fewer than k people")
        SMALL_DATE = "small_date", _("Date that narrows to fewer than k people")
        TRAIT = "trait", _("Characteristic that singles out a person")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        OVERRIDDEN = "overridden", _("Overridden by the head")

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="hits")
    code = models.CharField(_("kind"), max_length=16, choices=Code.choices)
    section = models.CharField(_("section"), max_length=32)
    # "narrative", or "block-<n>" for the n-th generated block of the section.
    location = models.CharField(max_length=32, default="narrative")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    passage = models.TextField(_("passage"))
    explanation = models.TextField(_("why"))
    proposal = models.TextField(_("proposed redaction"))
    fingerprint = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)

    objects = HitQuerySet.as_manager()

    class Meta:
        ordering = ["section", "start", "id"]
        verbose_name = _("publication check hit")
        verbose_name_plural = _("publication check hits")

    def __str__(self) -> str:
        return f"{self.code} {self.passage[:40]}"


class Override(models.Model):
    """The head's written decision to publish a flagged passage as it is (audited). It
    holds for the same passage in later checks and later versions of the report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="overrides")
    fingerprint = models.CharField(max_length=64)
    code = models.CharField(max_length=16, choices=Hit.Code.choices)
    passage = models.TextField(_("passage"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "fingerprint"], name="override_once")
        ]

    def __str__(self) -> str:
        return f"override {self.code} {self.passage[:40]}"


class Dissemination(models.Model):
    """Who received which version, when, and whether they acknowledged it (¶21, 22)."""

    class Tier(models.TextChoices):
        FACILITY = "facility", _("The place's management")
        LOCAL = "local", _("Local government")
        REGIONAL = "regional", _("Regional government")
        NATIONAL = "national", _("National government")
        PARLIAMENT = "parliament", _("Parliament")
        INTERNATIONAL = "international", _("International body (SPT, CPT)")
        CIVIL_SOCIETY = "civil_society", _("Civil society or media")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        POST = "post", _("Post")
        HAND = "hand", _("By hand")
        MEETING = "meeting", _("At a meeting")
        PORTAL = "portal", _("Secure portal")
        PUBLICATION = "publication", _("Publication")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="disseminations")
    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="+")
    variant = models.CharField(_("version sent"), max_length=16, choices=Variant.choices)
    authority = models.ForeignKey(
        "places.Authority",
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient = models.CharField(_("recipient"), max_length=300, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    sent_on = models.DateField(_("sent on"))
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("dissemination")
        verbose_name_plural = _("disseminations")

    def __str__(self) -> str:
        return f"{self.report_id} → {self.authority or self.recipient}"


class RenderingQuerySet(VersionChildQuerySet):
    """A rendering of a signed version is the same for every reader of the report (its
    content is frozen); one of a draft was built as its requester saw the records, so it
    is theirs alone."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        seen = super().scope(user, action)
        return seen.filter(Q(version__state=State.SIGNED) | Q(requested_by=user))


class Rendering(models.Model):
    """A PDF or DOCX being produced in the background, with its progress; its bytes once
    done. A public rendering of the published version is what `/public/` serves."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being produced")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="renderings")
    variant = models.CharField(max_length=16, choices=Variant.choices)
    format = models.CharField(max_length=8, choices=Format.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent done."))
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RenderingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["version", "variant", "format", "status"])]

    def __str__(self) -> str:
        return f"{self.version} {self.variant} {self.format} {self.status}"
