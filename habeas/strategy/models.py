"""The NPM's strategy, resources, rules and training (¶5–8, 35–37).

- A strategic **objective** holds **activities** of five kinds (visits, legislative
  work, training, awareness, cooperation), each with its selection criteria, planned
  and spent staff-days and money, indicators, outcomes and lessons learnt. For a visits
  activity the spent staff-days are read from the visits themselves (days × team size);
  every other spent figure is entered.
- **Budget lines** per year and activity kind, planned against spent.
- **Policies** (¶8): the NPM's rules of procedure, in versions with an effective date,
  each version acknowledged by each member.
- **Training plan entries** (¶37): trainings a person is to take, drawn from the needs
  their assignments create (`habeas.strategy.training`).

Nothing here identifies a detainee; money and staff-days are the NPM's own management
data, shown to its staff (not to external experts or administrators).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import BaseModel, RestrictedQuerySet


class ActivityKind(models.TextChoices):
    VISITS = "visits", _("Visits")
    LEGISLATION = "legislation", _("Legislative work")
    TRAINING = "training", _("Training")
    AWARENESS = "awareness", _("Awareness")
    COOPERATION = "cooperation", _("Cooperation")


class StrategyQuerySet(RestrictedQuerySet):
    """Objectives, activities and budget lines: the NPM's staff read them (`strategy.view`),
    the head and the data officer change them (`strategy.change`)."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = "strategy.view" if action == "view" else "strategy.change"
        return self if roles.can(user, permission) else self.none()


class Objective(BaseModel):
    """A strategic objective over a span of years (¶5: "a strategic plan")."""

    code = models.CharField(_("code"), max_length=16, help_text=_("For example SO1."))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code", "id"]
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="objective_years_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Activity(BaseModel):
    """One activity of an objective in one year (¶5, 35, 36)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    selection_criteria = models.TextField(
        _("selection criteria"),
        blank=True,
        help_text=_("Why these places, laws or audiences were chosen (¶10, 36)."),
    )
    # For a visits activity: the visits it covers are those of the year at places of
    # these categories and regions (all when none is chosen).
    categories = models.ManyToManyField(
        "places.Category", verbose_name=_("categories of places"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "places.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    planned_staff_days = models.DecimalField(
        _("planned staff-days"), max_digits=9, decimal_places=1, default=0
    )
    spent_staff_days = models.DecimalField(
        _("spent staff-days (entered)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Leave empty for a visits activity: it is counted from the visits."),
    )
    planned_money = models.DecimalField(
        _("planned money"), max_digits=14, decimal_places=2, default=0
    )
    spent_money = models.DecimalField(
        _("spent money"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    indicators = models.TextField(_("indicators"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    lessons = models.TextField(_("lessons learnt"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["year", "objective__position", "kind", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title


class BudgetLine(BaseModel):
    """Money planned and spent in a year for a kind of activity (¶35)."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    kind = models.CharField(_("activity kind"), max_length=16, choices=ActivityKind.choices)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_lines",
    )
    label = models.CharField(_("label"), max_length=200)
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2, default=0)
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "kind", "label", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.year} {self.label}"


# -- policies and rules of procedure (¶7, 8) ------------------------------------------


class PolicyArea(models.TextChoices):
    """The areas ¶8 lists."""

    STAFF = "staff", _("Staff")
    DECISIONS = "decisions", _("Decision-making")
    ORGANISATION = "organisation", _("Organisation and budgets")
    INFORMATION = "information", _("Information sharing")
    COMMUNICATION = "communication", _("Communication")
    DATA_PROTECTION = "data_protection", _("Data protection")
    EXPERTS = "experts", _("External experts")


class PolicyQuerySet(RestrictedQuerySet):
    """Every member reads the rules (`policies.view`); the head writes them."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = "policies.view" if action == "view" else "policies.change"
        return self if roles.can(user, permission) else self.none()


class Policy(BaseModel):
    area = models.CharField(_("area"), max_length=16, choices=PolicyArea.choices)
    title = models.CharField(_("title"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["area", "title", "id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return self.title


class PolicyVersionQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        return self.filter(policy__in=Policy.objects.restrict(user, action).values("pk"))


class PolicyVersion(models.Model):
    """One wording of a policy. A version never changes once issued; a change is a new
    version, which every member acknowledges again."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"), help_text=_("Markdown."))
    effective_on = models.DateField(_("effective from"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"


class AcknowledgementQuerySet(RestrictedQuerySet):
    """A member sees their own acknowledgements; the head sees everyone's."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if roles.can(user, "policies.change"):
            return self
        if action == "view" and roles.can(user, "policies.view"):
            return self.filter(user=user)
        return self.none()


class Acknowledgement(models.Model):
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    at = models.DateTimeField(_("acknowledged"), auto_now_add=True)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="acknowledgement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.version}"


# -- training plan (¶37) ---------------------------------------------------------------


class TrainingPlanQuerySet(RestrictedQuerySet):
    """Whoever manages training (`training.manage`) sees every entry; a member sees their own."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if roles.can(user, "training.manage"):
            return self
        if action == "view" and roles.can(user, "training.own"):
            return self.filter(user=user)
        return self.none()


class TrainingPlanEntry(BaseModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="training_plan",
    )
    training = models.ForeignKey(
        "visits.Training", verbose_name=_("training"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=300, blank=True)
    due_by = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TrainingPlanQuerySet.as_manager()

    class Meta:
        ordering = ["year", "due_by", "id"]
        verbose_name = _("training plan entry")
        verbose_name_plural = _("training plan entries")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "user", "training"], name="training_plan_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.user} {self.training}"
