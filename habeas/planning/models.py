"""Planning: the risk model, the visit programme and the team builder (¶4, 10, 11, 35, 36).

The risk model scores each place from transparent, weighted factors; the weights are the
NPM's, kept as numbered versions. A programme states, for a period, the NPM's capacity
and rules; Habeas builds from them the optimal set of visits (which place, which week,
which type), explains each choice, lists what is left out and why, and, once adopted,
creates the planned visits. The team builder proposes a team for each planned visit.

Nothing here identifies a detainee. A risk factor drawn from confidential records
(reprisal watches) is shown only to those who may see the records behind it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import BaseModel, RestrictedQuerySet


class Factor(models.TextChoices):
    """The risk model's factors (¶10; DOMAIN.md, Risk)."""

    OCCUPANCY = "occupancy", _("Occupancy against capacity")
    SINCE_IN_DEPTH = "since_in_depth", _("Time since the last in-depth visit")
    SINCE_ANY = "since_any", _("Time since any visit")
    OVERDUE_RECOMMENDATIONS = (
        "overdue_recommendations",
        _("Key or urgent recommendations past their deadline"),
    )
    ALLEGATIONS = "allegations", _("Allegations since the last visit")
    WATCHES = "watches", _("Reprisal watches open")
    SUBMISSIONS = "submissions", _("Public submissions since the last visit")
    VULNERABLE = "vulnerable", _("Vulnerable groups held")
    CATEGORY = "category", _("The category's inherent risk")
    DIFFICULTIES = "difficulties", _("Operational difficulties on earlier visits")


# Points a factor adds at full strength (each factor's strength runs from 0 to 1).
DEFAULT_WEIGHTS: dict[str, float] = {
    Factor.OCCUPANCY: 15.0,
    Factor.SINCE_IN_DEPTH: 20.0,
    Factor.SINCE_ANY: 5.0,
    Factor.OVERDUE_RECOMMENDATIONS: 15.0,
    Factor.ALLEGATIONS: 15.0,
    Factor.WATCHES: 10.0,
    Factor.SUBMISSIONS: 5.0,
    Factor.VULNERABLE: 5.0,
    Factor.CATEGORY: 10.0,
    Factor.DIFFICULTIES: 5.0,
}


class PlanningQuerySet(RestrictedQuerySet):
    """Planning is the planners' work: seen with `planning.view`, changed with
    `planning.change`; adoption and weights are the head's (see roles)."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if roles.can(user, f"planning.{action}"):
            return self
        return self.none()


class ProgrammeQuerySet(PlanningQuerySet):
    """A programme and everything in it (capacity, rules, planned visits, justifications,
    teams, people's absences) is the planners' alone (`planning.programmes`: head and
    monitors): it says where and when visits will go, unannounced ones included, which
    the visits app shows only to planners and each visit's team."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "planning.programmes"):
            return self.none()
        return super().scope(user, action)


class RiskWeights(models.Model):
    """One version of the risk model's weights; a change writes a new version."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    weights = models.JSONField(_("weights"))
    note = models.CharField(_("why they changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanningQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("risk weights")
        verbose_name_plural = _("risk weights")

    def __str__(self) -> str:
        return f"v{self.number}"


class RiskSnapshot(models.Model):
    """A place's score as computed at one time, with its breakdown (the history).

    `breakdown` is a list of `{"factor", "value", "strength", "points", "missing"}`:
    the raw figure (days, count, ratio), its strength from 0 to 1, the points it added
    and whether data were missing. Words are produced at display time, translated.
    """

    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    weights = models.ForeignKey(RiskWeights, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(_("computed"), db_index=True)
    score = models.FloatField(_("risk score"))
    breakdown = models.JSONField(_("breakdown"), default=list)

    objects = PlanningQuerySet.as_manager()

    class Meta:
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["place", "-computed_at"])]

    def __str__(self) -> str:
        return f"{self.place_id} {self.score:.1f}"


class DurationRule(models.Model):
    """How long a visit to a place of this category and size takes, and with how many
    people (a large prison takes 3–5 days; a police station half a day)."""

    category = models.ForeignKey(
        "places.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    capacity_from = models.PositiveIntegerField(
        _("from a capacity of"), default=0, help_text=_("Places holding at least this many.")
    )
    in_depth_days = models.DecimalField(_("in-depth visit (days)"), max_digits=4, decimal_places=1)
    follow_up_days = models.DecimalField(
        _("follow-up visit (days)"), max_digits=4, decimal_places=1
    )
    team_size = models.PositiveSmallIntegerField(_("people on the team"), default=3)

    objects = PlanningQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "capacity_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "capacity_from"], name="duration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category_id} ≥{self.capacity_from}"


class Programme(BaseModel):
    """A period's visit programme: capacity, rules, the solved plan and its adoption."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: not built yet")
        QUEUED = "queued", _("Being built")
        BUILT = "built", _("Built")
        FAILED = "failed", _("Could not be built")
        ADOPTED = "adopted", _("Adopted")

    class TripSharing(models.TextChoices):
        NONE = "none", _("Each visit is its own trip")
        REGION = "region", _("Visits in the same region and week share a trip")
        DISTANCE = "distance", _("Visits within a radius share a trip")

    period = models.CharField(_("period"), max_length=8, help_text=_("2027-Q1 or 2027."))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    reserve_share = models.DecimalField(
        _("share kept in reserve"),
        max_digits=3,
        decimal_places=2,
        default=0.20,
        help_text=_("For urgent and follow-up visits (¶10); 0.20 keeps a fifth."),
    )
    max_visits = models.PositiveIntegerField(
        _("visits the teams can make"),
        null=True,
        blank=True,
        help_text=_(
            "In the period, reserve included (the reserve's share is kept back from it too); "
            "empty: only staff-days limit the programme."
        ),
    )
    default_max_interval_months = models.PositiveSmallIntegerField(
        _("maximum interval between in-depth visits (months)"), default=48
    )
    trip_sharing = models.CharField(
        _("travel"), max_length=8, choices=TripSharing.choices, default=TripSharing.REGION
    )
    trip_radius_km = models.PositiveSmallIntegerField(_("trip radius (km)"), default=50)
    trip_overhead_days = models.DecimalField(
        _("travel per trip (staff-days)"), max_digits=4, decimal_places=1, default=1
    )
    time_limit_seconds = models.PositiveSmallIntegerField(_("time to search (seconds)"), default=60)
    weights = models.ForeignKey(
        RiskWeights, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the last build found.
    progress = models.PositiveSmallIntegerField(default=0)
    failure = models.TextField(_("why it could not be built"), blank=True)
    solver = models.CharField(_("solver"), max_length=16, blank=True)
    objective = models.FloatField(_("objective"), null=True, blank=True)
    bound = models.FloatField(_("proven bound"), null=True, blank=True)
    gap = models.FloatField(_("gap to the bound"), null=True, blank=True)
    solve_seconds = models.FloatField(_("solve time (s)"), null=True, blank=True)
    greedy_objective = models.FloatField(_("most overdue first: objective"), null=True, blank=True)
    comparison = models.JSONField(_("comparison"), default=dict, blank=True)
    left_out = models.JSONField(
        _("left out"), default=dict, blank=True, help_text='{"regions": [ids], "categories": [ids]}'
    )
    exceeded = models.JSONField(_("maximum interval exceeded"), default=list, blank=True)
    explanations = models.JSONField(_("explanations"), default=list, blank=True)

    class TeamsStatus(models.TextChoices):
        NONE = "", _("No teams proposed yet")
        QUEUED = "queued", _("Teams being proposed")
        BUILT = "built", _("Teams proposed")
        FAILED = "failed", _("Teams could not be proposed")

    changed_since_build = models.BooleanField(
        _("changed since the last build"),
        default=False,
        help_text=_("Capacity, rules or visits changed after the build: its figures are stale."),
    )
    teams_status = models.CharField(
        _("team proposals"), max_length=8, choices=TeamsStatus.choices, default="", blank=True
    )
    teams_failure = models.TextField(_("why the teams could not be proposed"), blank=True)
    teams_built_at = models.DateTimeField(_("teams proposed"), null=True, blank=True)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("visit programme")
        verbose_name_plural = _("visit programmes")

    def __str__(self) -> str:
        return self.title or self.period


class RegionCapacity(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="region_capacity"
    )
    region = models.ForeignKey("places.Region", on_delete=models.PROTECT, related_name="+")
    staff_days = models.PositiveIntegerField(_("staff-days"))
    min_visits = models.PositiveSmallIntegerField(_("at least this many visits"), default=0)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "region"], name="region_capacity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.staff_days}"


class ProfessionCapacity(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="profession_capacity"
    )
    profession = models.CharField(_("profession"), max_length=16)  # TeamProfile.Profession
    staff_days = models.PositiveIntegerField(_("staff-days"))

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "profession"], name="profession_capacity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profession}: {self.staff_days}"


class CategoryRule(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="category_rules"
    )
    category = models.ForeignKey("places.Category", on_delete=models.PROTECT, related_name="+")
    max_interval_months = models.PositiveSmallIntegerField(
        _("maximum interval (months)"), null=True, blank=True
    )
    min_visits = models.PositiveSmallIntegerField(_("at least this many visits"), default=0)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="category_rule_unique")
        ]

    def __str__(self) -> str:
        return str(self.category_id)


class PlaceRule(models.Model):
    """A place the programme must include (a follow-up already proposed) or must avoid."""

    class Kind(models.TextChoices):
        MANDATORY = "mandatory", _("Must be visited")
        AVOID = "avoid", _("Not in this period")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="place_rules")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("rule"), max_length=16, choices=Kind.choices)
    visit_kind = models.CharField(_("type of visit"), max_length=16, blank=True)  # Visit.Kind
    note = models.CharField(_("why"), max_length=300, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "place"], name="place_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.place_id}"


class PlannedVisit(BaseModel):
    """One visit of a programme: which place, which week, which type, and why."""

    class Source(models.TextChoices):
        SOLVER = "solver", _("Chosen by the model")
        PINNED = "pinned", _("Pinned by the NPM")
        ADDED = "added", _("Added by the NPM")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="visits")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    week_starts_on = models.DateField(_("week of"))
    kind = models.CharField(_("type"), max_length=16)  # Visit.Kind
    days = models.DecimalField(_("days"), max_digits=4, decimal_places=1)
    staff_days = models.DecimalField(_("staff-days"), max_digits=6, decimal_places=1)
    team_size = models.PositiveSmallIntegerField(_("people on the team"), default=3)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    pinned = models.BooleanField(_("pinned"), default=False)
    risk_score = models.FloatField(_("risk score"), null=True, blank=True)
    reasons = models.JSONField(_("why"), default=list, blank=True)
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["week_starts_on", "place__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "place"], name="planned_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.week_starts_on}"


class Justification(models.Model):
    """Why a category or a region gets no visit in this programme (¶36)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="justifications"
    )
    category = models.ForeignKey(
        "places.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "places.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("justification"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__isnull=True) ^ models.Q(region__isnull=True),
                name="justification_one_target",
            ),
            models.UniqueConstraint(
                fields=["programme", "category"],
                condition=models.Q(category__isnull=False),
                name="justification_category_unique",
            ),
            models.UniqueConstraint(
                fields=["programme", "region"],
                condition=models.Q(region__isnull=False),
                name="justification_region_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id or self.region_id}"


class Unavailability(models.Model):
    """A time a person cannot visit (leave, training, other work)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unavailability"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts_on}–{self.ends_on}"


class TeamProposal(models.Model):
    """The team builder's proposal for one planned visit, and its explanation.

    `members` is `[{"user": id, "role": "leader" | "member"}]`; `checks` is
    `[{"code", "level", "params"}]` (what was needed and whether it is met: binding
    constraints and what is missing when no full team exists).
    """

    planned_visit = models.OneToOneField(
        PlannedVisit, on_delete=models.CASCADE, related_name="team_proposal"
    )
    members = models.JSONField(_("members"), default=list)
    checks = models.JSONField(_("checks"), default=list)
    built_at = models.DateTimeField(_("built"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    def __str__(self) -> str:
        return f"team for {self.planned_visit_id}"
