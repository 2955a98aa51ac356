"""The SPT's analytical assessment tool as data, and assessments made against it (whole tool, ¶3).

Frameworks are versioned data: sections, criteria (each paragraph and each listed
item) and indicator slots. An assessment rates every criterion of one framework
version, with narrative, evidence and indicator values, and turns gaps into an
action plan. Organisations say who assesses whom: this NPM, other NPMs, and
assessing bodies such as the SPT, a regional body or a peer network.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import BaseModel, RestrictedQuerySet


class Organisation(BaseModel):
    """An NPM or an assessing body. Exactly one organisation is this installation's own NPM."""

    class Kind(models.TextChoices):
        NPM = "npm", _("National Preventive Mechanism")
        SPT = "spt", _("UN Subcommittee on Prevention of Torture")
        REGIONAL = "regional", _("Regional body")
        PEER_NETWORK = "peer_network", _("Peer NPM network")
        OTHER = "other", _("Other assessing body")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=100, blank=True)
    is_home = models.BooleanField(
        _("this NPM"), default=False, help_text=_("The NPM that runs this installation.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_home"], condition=Q(is_home=True), name="one_home_organisation"
            )
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user who works for an assessing body (or another NPM) rather than for this NPM.

    Staff without a membership belong to the home NPM.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_membership"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class Framework(models.Model):
    """A set of requirements an NPM is assessed against: the SPT tool, a national law, …"""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    """One published version of a framework; an assessment keeps the version it used."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("version"), max_length=32)
    published_on = models.DateField(_("published"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    sha256 = models.CharField(max_length=64, help_text=_("Digest of the imported data file."))
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["framework__name", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"], name="framework_version_unique"
            )
        ]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")

    def __str__(self) -> str:
        return f"{self.framework.name} ({self.version})"


class Section(models.Model):
    """A section (II–V) or sub-section (IV.A–E, V.A–E) of a framework version."""

    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    ref = models.CharField(_("reference"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["framework_version", "ref"], name="section_ref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Criterion(models.Model):
    """Something an NPM is assessed on: a paragraph of the tool, or one item it lists."""

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", _("Paragraph")
        ITEM = "item", _("Listed item")

    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="criteria"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ref = models.CharField(_("reference"), max_length=16, help_text=_("¶5, or 5.3 for an item"))
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "ref"], name="criterion_ref_unique"
            )
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"¶{self.ref}"


class IndicatorSlot(models.Model):
    """A figure a criterion can show, filled by a function another part of Habeas registers."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="slots")
    key = models.SlugField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    description = models.TextField(_("what would be computed"), blank=True)

    class Meta:
        ordering = ["criterion__position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "key"], name="indicator_slot_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentQuerySet(RestrictedQuerySet):
    """Who sees an assessment (issue: access between NPMs and assessing bodies).

    - the organisation that made it, for members with the right role;
    - organisations it is shared with;
    - individuals granted on it (accounts.Grant);
    Changing it takes the right to change, and being one of its assessors or the head.
    """

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, f"assessment.{'view' if action == 'view' else 'change'}"):
            return self.none()
        from habeas.accounts.models import Grant
        from habeas.assessment.selectors import organisation_of

        organisation = organisation_of(user=user)
        # Grant.object_id is text; PostgreSQL will not compare it with an integer key.
        granted = [
            int(object_id)
            for object_id in Grant.objects.filter(
                user=user, content_type__app_label="assessment", content_type__model="assessment"
            ).values_list("object_id", flat=True)
            if object_id.isdigit()
        ]
        if action == "view":
            visible = Q(made_by=organisation) | Q(shares__organisation=organisation)
            visible |= Q(pk__in=granted)
            return self.filter(visible).distinct() if organisation else self.filter(pk__in=granted)
        own = Q(made_by=organisation) if organisation else Q(pk__in=[])
        may_change = Q(assessors=user) | Q(pk__in=granted)
        if user.role == roles.Role.HEAD:
            may_change |= own
        return self.filter(own | Q(pk__in=granted)).filter(may_change).distinct()


class Assessment(BaseModel):
    """An assessment of one NPM against one framework version, for a period."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        FINAL = "final", _("Final")

    title = models.CharField(_("title"), max_length=300)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    subject = models.ForeignKey(
        Organisation,
        verbose_name=_("NPM assessed"),
        on_delete=models.PROTECT,
        related_name="assessments_received",
    )
    made_by = models.ForeignKey(
        Organisation,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="assessments_made",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assessors"), related_name="assessments"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("revises"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_self_assessment(self) -> bool:
        return self.subject_id == self.made_by_id

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.FINAL


class AssessmentShare(models.Model):
    """An NPM's decision to let another organisation see one of its assessments."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "organisation"], name="share_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} → {self.organisation}"


class Rating(BaseModel):
    """How far one criterion is in place, with the assessors' narrative."""

    class Level(models.TextChoices):
        NOT_IN_PLACE = "not_in_place", _("Not in place")
        PARTIALLY = "partially", _("Partially in place")
        LARGELY = "largely", _("Largely in place")
        FULLY = "fully", _("Fully in place")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    # Points per level for section scores; "not applicable" is left out of the average.
    POINTS = {"not_in_place": 0, "partially": 1, "largely": 2, "fully": 3}

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("rating"), max_length=16, choices=Level.choices, blank=True)
    reason = models.TextField(_("why not applicable"), blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="rating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level or '—'}"


class Evidence(models.Model):
    """What supports a rating: a document, a Habeas record, or a public source."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Uploaded document")
        RECORD = "record", _("Habeas record")
        LINK = "link", _("Public source")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    record_type = models.CharField(_("record type"), max_length=64, blank=True)
    record_id = models.CharField(_("record id"), max_length=64, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=80, blank=True, null=True, unique=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title


class IndicatorValue(models.Model):
    """A slot's value for one assessment, frozen when the assessment becomes final."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="indicator_values"
    )
    slot = models.ForeignKey(IndicatorSlot, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "slot"], name="indicator_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.slot}: {self.value}"


class ActionItem(BaseModel):
    """A step to close a gap the assessment found, followed to completion (¶3, 5)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="action_items"
    )
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("action"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    last_reminded_on = models.DateField(_("last reminder"), null=True, blank=True)
    strategy_activity_ref = models.CharField(
        _("strategy activity"),
        max_length=64,
        blank=True,
        help_text=_("Links to a strategy activity once that part of Habeas exists."),
    )

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title


class ReportJob(models.Model):
    """An assessment report being produced in the background, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being produced")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_jobs")
    format = models.CharField(max_length=8, choices=Format.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent done."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stored_name = models.CharField(max_length=80, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.assessment} {self.format} {self.status}"


# The analytics models live in their own module; importing them here registers them.
from habeas.assessment.models_analytics import (  # noqa: E402, F401
    FindingTally,
    SavedView,
    TallyState,
)
