"""The inventory of places of detention (¶9, 10, 14, 36)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import BaseModel, RestrictedQuerySet


class InventoryQuerySet(RestrictedQuerySet):
    """Every member of staff sees the inventory; changing it takes a role that may."""

    permission_prefix = "places"

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = "places.view" if action == "view" else f"{self.permission_prefix}.{action}"
        return self if roles.can(user, permission) else self.none()


class AuthorityQuerySet(InventoryQuerySet):
    permission_prefix = "authorities"


class RegionQuerySet(InventoryQuerySet):
    permission_prefix = "regions"


class Region(BaseModel):
    """An administrative area, nested (country → region → district), so that no area
    is left out of the programme (¶36)."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Authority(BaseModel):
    """A body the NPM talks to and that must answer it (¶2, 22, 30, 31)."""

    class Kind(models.TextChoices):
        FACILITY = "facility", _("Facility management")
        SUPERVISORY = "supervisory", _("Supervisory body")
        MINISTRY = "ministry", _("Ministry")
        PARLIAMENT = "parliament", _("Parliament")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        COURT = "court", _("Court")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    response_days = models.PositiveSmallIntegerField(
        _("statutory response deadline (days)"), null=True, blank=True
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    urgent_contact = models.CharField(_("urgent liaison"), max_length=300, blank=True)
    address = models.TextField(_("address"), blank=True)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A category of place. The defaults follow DOMAIN.md; an NPM can add its own."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=120)
    max_interval_months = models.PositiveSmallIntegerField(
        _("maximum interval between in-depth visits (months)"), default=48
    )
    inherent_risk = models.PositiveSmallIntegerField(
        _("inherent risk (0–5)"),
        default=2,
        help_text=_("First hours of police custody, admission, transfer and removal carry more."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class PopulationGroup(models.Model):
    """A group held that needs particular attention (women, children, …)."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=120)
    vulnerable = models.BooleanField(_("vulnerable"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("group held")
        verbose_name_plural = _("groups held")

    def __str__(self) -> str:
        return self.name


class PlaceQuerySet(InventoryQuerySet):
    pass


class Place(BaseModel):
    """Any place where people are or may be deprived of liberty, official or not
    (OPCAT art. 4; ¶9, 10, 14, 36)."""

    class Operator(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=300)
    external_ref = models.CharField(
        _("external reference"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "The identifier used by the authorities or a previous system; imports match on it."
        ),
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    operator = models.CharField(
        _("operator"), max_length=16, choices=Operator.choices, default=Operator.PUBLIC
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("supervising authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    address = models.TextField(_("address"), blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    groups = models.ManyToManyField(
        PopulationGroup, verbose_name=_("groups held"), blank=True, related_name="places"
    )
    official = models.BooleanField(
        _("official place"),
        default=True,
        help_text=_(
            "Unofficial places are those the authorities do not list as places of detention."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    last_visit_on = models.DateField(
        _("last visit"),
        null=True,
        blank=True,
        help_text=_("Kept up to date by visits; may be imported from earlier records."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("place of detention")
        verbose_name_plural = _("places of detention")
        indexes = [
            models.Index(fields=["category", "name"]),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["status", "name"]),
            models.Index(fields=["last_visit_on"]),
            # The list's default order: case-insensitive name, then id.
            models.Index(Lower("name"), "id", name="place_name_ci_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_population(self) -> PopulationRecord | None:
        return self.population.order_by("-recorded_on").first()


class Unit(BaseModel):
    """A unit or wing of a place; a visit's coverage is checked against this list (¶14)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="unit_unique_name")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class PopulationRecord(models.Model):
    """One dated count of the people held, so occupancy is a series, not a number."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="population")
    recorded_on = models.DateField(_("date"))
    population = models.PositiveIntegerField(_("people held"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on"]
        constraints = [
            models.UniqueConstraint(fields=["place", "recorded_on"], name="population_one_per_day")
        ]
        verbose_name = _("population record")
        verbose_name_plural = _("population records")

    def __str__(self) -> str:
        return f"{self.place_id} {self.recorded_on}: {self.population}"


class PlaceDocument(models.Model):
    """A document or piece of information received about a place: its archive (¶9).

    Stored under a random name outside the static root, never executed, served back
    only as an attachment to someone who may see the place.
    """

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        INFORMATION = "information", _("Information received")
        REGULATION = "regulation", _("House rules or regulation")
        STATISTICS = "statistics", _("Statistics")
        CORRESPONDENCE = "correspondence", _("Correspondence")

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.DOCUMENT)
    title = models.CharField(_("title"), max_length=300)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=80, blank=True, unique=True, null=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-created_at"]
        verbose_name = _("archive item")
        verbose_name_plural = _("archive items")

    def __str__(self) -> str:
        return self.title
