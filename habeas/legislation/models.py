"""The legislation tracker: what the NPM says about laws (¶12, 26, 28, 29).

A legislation item is an existing law, a draft bill or a law that is missing. The NPM
assesses it against benchmarks drawn from international standards (UNCAT art. 1, the
absolute prohibition, penalties, the OPCAT guarantees of the NPM, the first-hours
safeguards), writes opinions in versions, and records its advocacy and the outcome.
The priority of an item is computed from what it does to those safeguards and from its
deadline, and explains itself.

Nothing here identifies a detainee: the tracker is the NPM's own advice to lawmakers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import BaseModel, RestrictedQuerySet


class ItemKind(models.TextChoices):
    EXISTING = "existing", _("Existing law")
    DRAFT = "draft", _("Draft bill")
    MISSING = "missing", _("Missing law")


class Procedure(models.TextChoices):
    """Where the text stands in its making, or in force."""

    IDENTIFIED = "identified", _("Identified by the NPM")
    CONSULTATION = "consultation", _("Under public consultation")
    GOVERNMENT = "government", _("Drafted by the government")
    PARLIAMENT = "parliament", _("Before parliament")
    ADOPTED = "adopted", _("Adopted")
    IN_FORCE = "in_force", _("In force")
    REJECTED = "rejected", _("Rejected or withdrawn")


# Procedures in which the NPM can still change the text.
OPEN_PROCEDURES = (
    Procedure.IDENTIFIED,
    Procedure.CONSULTATION,
    Procedure.GOVERNMENT,
    Procedure.PARLIAMENT,
)


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    ADOPTED = "adopted", _("Adopted as proposed")
    PARTLY = "partly", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class BenchmarkGroup(models.TextChoices):
    DEFINITION = "definition", _("Definition of torture (UNCAT art. 1)")
    PROHIBITION = "prohibition", _("Absolute prohibition")
    PENALTIES = "penalties", _("Penalties commensurate with gravity")
    NPM = "npm", _("OPCAT guarantees of the NPM")
    FIRST_HOURS = "first_hours", _("First-hours safeguards")
    OTHER = "other", _("Other standard")


class Effect(models.TextChoices):
    """What a text does to one benchmark, from better to worse."""

    STRENGTHENS = "strengthens", _("Strengthens it")
    MEETS = "meets", _("Meets it")
    SILENT = "silent", _("Does not address it")
    WEAKENS = "weakens", _("Weakens or delays it")
    BREACHES = "breaches", _("Removes or breaches it")


# How badly each effect harms a safeguard, for the priority (0 = no harm).
EFFECT_HARM = {
    Effect.STRENGTHENS: 0,
    Effect.MEETS: 0,
    Effect.SILENT: 1,
    Effect.WEAKENS: 3,
    Effect.BREACHES: 5,
}


class _StaffQuerySet(RestrictedQuerySet):
    """Everything in the tracker: seen with `legislation.view`; `change` with
    `legislation.change`; `send` (opinions) with `legislation.send`."""

    needed = {
        "view": "legislation.view",
        "change": "legislation.change",
        "send": "legislation.send",
        "benchmarks": "legislation.benchmarks",
    }

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = self.needed.get(action)
        if permission is None or not roles.can(user, "legislation.view"):
            return self.none()
        return self if roles.can(user, permission) else self.none()


class Benchmark(models.Model):
    """One line of a checklist against an international standard; the NPM edits them.

    `weight` says how grave a harm to it is (1 to 5): restricting the NPM's unannounced
    access or delaying a lawyer weighs more than a formality.
    """

    code = models.SlugField(_("code"), max_length=48, unique=True)
    group = models.CharField(_("standard"), max_length=16, choices=BenchmarkGroup.choices)
    title = models.CharField(_("benchmark"), max_length=200)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("For example: UNCAT art. 1; OPCAT art. 20(c); CPT/Inf(92)3, para. 36."),
    )
    guidance = models.TextField(_("what to check"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=3)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = _StaffQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("benchmark")
        verbose_name_plural = _("benchmarks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=5), name="benchmark_weight_1_5"
            )
        ]

    def __str__(self) -> str:
        return self.title


class LegislationItem(BaseModel):
    """A law, a bill or a gap in the law that the NPM follows."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    subject = models.TextField(_("subject"), help_text=_("What the text is about, in a few lines."))
    responsible_body = models.CharField(
        _("responsible body"),
        max_length=300,
        blank=True,
        help_text=_("The ministry, committee or body that drafts or amends it."),
    )
    authority = models.ForeignKey(
        "places.Authority",
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure = models.CharField(
        _("status of the procedure"),
        max_length=16,
        choices=Procedure.choices,
        default=Procedure.IDENTIFIED,
    )
    deadline = models.DateField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("The end of the consultation or the parliamentary date."),
    )
    official_ref = models.CharField(
        _("official reference"), max_length=200, blank=True, help_text=_("Bill or law number.")
    )
    link = models.URLField(_("link to the text"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_note = models.TextField(_("about the outcome"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The priority is computed by `priority.py` whenever an assessment, the deadline or
    # the procedure changes, and kept here with its reasons so the list sorts on it.
    priority = models.PositiveIntegerField(_("priority"), default=0, db_index=True)
    priority_reasons = models.JSONField(_("why this priority"), default=list, blank=True)
    recommendations = models.ManyToManyField(
        "recommendations.Recommendation",
        verbose_name=_("systemic recommendations"),
        blank=True,
        related_name="legislation_items",
    )
    register_entries = models.ManyToManyField(
        "cases.RegisterEntry",
        verbose_name=_("allegations register entries"),
        blank=True,
        related_name="legislation_items",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = _StaffQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "deadline", "reference"]
        verbose_name = _("legislation item")
        verbose_name_plural = _("legislation items")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        """Whether the NPM can still change the text (the procedure is not over)."""
        return self.procedure in OPEN_PROCEDURES

    @property
    def priority_explained(self) -> list[Any]:
        """The reasons of the kept priority (`priority.Reason`: code, points, text),
        weightiest first, in the reader's language."""
        from habeas.legislation.priority import explain

        return explain(self.priority_reasons)


class ChildQuerySet(RestrictedQuerySet):
    """Assessments, opinions and advocacy steps: seen with their item."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        items = LegislationItem.objects.restrict(user, action)
        return self.filter(item__in=items.values("pk"))


class Assessment(models.Model):
    """What one item does to one benchmark, and why."""

    item = models.ForeignKey(LegislationItem, on_delete=models.CASCADE, related_name="assessments")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="+")
    effect = models.CharField(_("effect"), max_length=16, choices=Effect.choices)
    note = models.TextField(
        _("why"),
        blank=True,
        help_text=_("The provision concerned and how it affects the safeguard."),
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["benchmark__position", "benchmark__code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "benchmark"], name="assessment_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.benchmark_id} {self.effect}"


class Opinion(BaseModel):
    """An opinion of the NPM on one item (¶12, 29): drafted in versions, then sent."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    item = models.ForeignKey(LegislationItem, on_delete=models.CASCADE, related_name="opinions")
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("opinion"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=300, blank=True)
    published = models.BooleanField(_("made public"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class OpinionVersion(models.Model):
    """Each saved text of an opinion, kept (nothing is lost)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opinion", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["opinion", "number"], name="opinion_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.opinion_id} v{self.number}"


class AdvocacyStep(BaseModel):
    """A meeting, a hearing, a letter to parliamentarians, a joint statement."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        HEARING = "hearing", _("Parliamentary hearing")
        LETTER = "letter", _("Letter to parliamentarians")
        JOINT_STATEMENT = "joint_statement", _("Joint statement with partners")
        CONSULTATION = "consultation", _("Consultation response")
        MEDIA = "media", _("Public statement or media")
        OTHER = "other", _("Other")

    item = models.ForeignKey(LegislationItem, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    with_whom = models.CharField(_("with whom"), max_length=300, blank=True)
    partners = models.ManyToManyField(
        "partners.Partner", verbose_name=_("partners"), blank=True, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    result = models.TextField(_("result"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"
