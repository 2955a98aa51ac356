"""Systematisation of experience (¶15, 19, 34): saved views and the findings tally.

`FindingTally` is a pre-aggregation of findings by year, theme, kind, severity and the
place's category and region, so that the heatmap and the trends read a few thousand rows
instead of millions of findings. It is a cache, never a source: `TallyState.generation`
goes up whenever a finding, a visit or a place changes, and the tally is used only while
`built_generation` equals it; otherwise the figures are read live from the findings and
a rebuild is queued (`habeas.assessment.analytics_tally`). The tally holds no finding of
an unannounced visit still in preparation, which not every reader may know of; what a
reader may see beyond the tally is added live through `restrict`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import RestrictedQuerySet


class SavedViewQuerySet(RestrictedQuerySet):
    """A saved view is its owner's; shared ones are read by everyone who may see analytics.

    The view stores only parameters: whoever opens it sees the figures their own access
    allows, never the owner's."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "analytics.view"):
            return self.none()
        if action == "view":
            return self.filter(models.Q(owner=user) | models.Q(shared=True))
        return self.filter(owner=user)


class SavedView(models.Model):
    class Kind(models.TextChoices):
        HEATMAP = "heatmap", _("Themes by category of place")
        TRENDS = "trends", _("Trends by theme")
        GENERIC = "generic", _("Generic problems")
        GOOD_PRACTICES = "good_practices", _("Good practices")
        SERIOUS = "serious", _("Places with the most serious findings")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("analysis"), max_length=16, choices=Kind.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    shared = models.BooleanField(
        _("shared with colleagues"),
        default=False,
        help_text=_("Colleagues see the filters; each sees only the records they may see."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class FindingTally(models.Model):
    """Findings counted by year × theme × kind × severity × category × region (a cache).

    Each count is stored twice: by the place's region (`all_regions` false), for the pages
    filtered by region, and summed over every region (`all_regions` true, no region), so
    that an unfiltered page reads a few thousand rows rather than one per district."""

    year = models.PositiveSmallIntegerField()
    theme = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)
    severity = models.CharField(max_length=8, blank=True)
    category = models.ForeignKey("places.Category", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(
        "places.Region", null=True, on_delete=models.CASCADE, related_name="+"
    )
    findings = models.PositiveIntegerField()
    all_regions = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["all_regions", "year", "theme"])]

    def __str__(self) -> str:
        return f"{self.year} {self.theme} {self.findings}"


class TallyState(models.Model):
    """The one row saying whether `FindingTally` is current."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    generation = models.PositiveBigIntegerField(default=0)
    built_generation = models.BigIntegerField(default=-1)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"tally {self.built_generation}/{self.generation}"
