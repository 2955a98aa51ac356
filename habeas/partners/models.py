"""Partners and communication: whom the NPM works with, and what passed between them
(¶4, 23, 30–33).

A partner is a ministry, the SPT, the CPT, the national human rights institution, an
NGO, a university or a newsroom, with its contacts, agreements and areas of work. The
communication log records meetings, letters, joint activities and information received,
linked to places, cases, recommendations and legislation. Information from a partner
that signals a risk of reprisal is routed the same day to the people who open reprisal
watches. Awareness activities (¶33) record talks, trainings and publications with the
audiences reached.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.crypto import SealedField, SealedModel
from habeas.core.models import BaseModel, RestrictedQuerySet


class PartnerKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry or government body")
    SPT = "spt", _("UN Subcommittee on Prevention of Torture (SPT)")
    CPT = "cpt", _("European Committee for the Prevention of Torture (CPT)")
    UN_OTHER = "un_other", _("Other UN or regional body")
    NHRI = "nhri", _("National human rights institution")
    NPM = "npm", _("Another NPM")
    NGO = "ngo", _("Civil society organisation")
    ACADEMIA = "academia", _("University or research")
    MEDIA = "media", _("Media")
    PROFESSIONAL = "professional", _("Professional body (bar, medical association)")
    JUDICIARY = "judiciary", _("Judiciary or prosecution")
    OTHER = "other", _("Other")


# Bodies to which OPCAT gives a confidential channel (¶3, 30).
INTERNATIONAL_KINDS = (PartnerKind.SPT, PartnerKind.CPT, PartnerKind.UN_OTHER)


class StaffQuerySet(RestrictedQuerySet):
    """Partners, contacts, agreements, activities: staff with `partners.view` see them;
    `partners.change` may record; `partners.export` may export to the SPT."""

    needed = {"view": "partners.view", "change": "partners.change", "export": "partners.export"}

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = self.needed.get(action)
        if permission is None or not roles.can(user, "partners.view"):
            return self.none()
        return self if roles.can(user, permission) else self.none()


class Partner(BaseModel):
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("short name"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    areas = models.CharField(
        _("areas of work"),
        max_length=500,
        blank=True,
        help_text=_("For example: prisons, psychiatry, migration, children, legal aid."),
    )
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class PartnerChildQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        partners = Partner.objects.restrict(user, action)
        return self.filter(partner__in=partners.values("pk"))


class Contact(BaseModel):
    """A person at a partner; their work details only."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    active = models.BooleanField(_("current"), default=True)

    objects = PartnerChildQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "name"]

    def __str__(self) -> str:
        return self.name


class Agreement(BaseModel):
    """A memorandum of understanding, data-sharing terms or another agreement."""

    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        DATA_SHARING = "data_sharing", _("Data-sharing terms")
        COOPERATION = "cooperation", _("Cooperation agreement")
        REFERRAL = "referral", _("Referral protocol")
        OTHER = "other", _("Other")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    terms = models.TextField(
        _("terms"),
        blank=True,
        help_text=_("What each side undertakes, and what data may pass, under which safeguards."),
    )

    objects = PartnerChildQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "-signed_on"]

    def __str__(self) -> str:
        return self.title


class CommunicationQuerySet(RestrictedQuerySet):
    """The log: staff with `partners.view`. Communications marked confidential (an
    exchange with the SPT under ¶3, information that could identify a source) are seen
    only by those who may record (`partners.change`), and, when they signal a risk of
    reprisal, by those who open reprisal watches (`cases.create`): they are told of it
    the day it is recorded and must be able to read what they were told of (¶25)."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = StaffQuerySet.needed.get(action)
        if permission is None or not roles.can(user, "partners.view"):
            return self.none()
        if not roles.can(user, permission):
            return self.none()
        if roles.can(user, "partners.change"):
            return self
        if action == "view" and roles.can(user, "cases.create"):
            return self.filter(models.Q(confidential=False) | models.Q(reprisal_signal=True))
        return self.filter(confidential=False)


class Communication(SealedModel, BaseModel):
    """A meeting, a letter, a joint activity, information received.

    The subject names no one; what was said is sealed (it may carry what a source told a
    partner).
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        LETTER = "letter", _("Letter or e-mail")
        CALL = "call", _("Call")
        JOINT_ACTIVITY = "joint_activity", _("Joint activity")
        INFORMATION = "information", _("Information received")
        OTHER = "other", _("Other")

    class Direction(models.TextChoices):
        INCOMING = "in", _("Received")
        OUTGOING = "out", _("Sent")
        BOTH = "both", _("Both ways")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.BOTH
    )
    occurred_on = models.DateField(_("date"))
    subject = models.CharField(
        _("subject"), max_length=300, help_text=_("Name no detainee or source here.")
    )
    details = SealedField()
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "Only staff who record communications will see it (and, if it signals a risk "
            "of reprisal, those who open reprisal watches)."
        ),
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("partners"), related_name="communications"
    )
    places = models.ManyToManyField(
        "places.Place", verbose_name=_("places"), blank=True, related_name="+"
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), blank=True, related_name="+"
    )
    recommendations = models.ManyToManyField(
        "recommendations.Recommendation",
        verbose_name=_("recommendations"),
        blank=True,
        related_name="+",
    )
    legislation = models.ManyToManyField(
        "legislation.LegislationItem",
        verbose_name=_("legislation"),
        blank=True,
        related_name="communications",
    )
    # A signal of reprisal risk (¶25): routed to those who open watches on the day it is
    # recorded; linked to the watch once one is opened.
    reprisal_signal = models.BooleanField(_("signals a risk of reprisal"), default=False)
    reprisal_routed_at = models.DateTimeField(null=True, blank=True)
    reprisal_watch = models.ForeignKey(
        "cases.ReprisalWatch",
        verbose_name=_("reprisal watch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name = _("communication")
        verbose_name_plural = _("communications")

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"


class AwarenessActivity(BaseModel):
    """A talk, a training, a publication or a campaign, with the audience reached (¶33)."""

    class Kind(models.TextChoices):
        TALK = "talk", _("Talk or presentation")
        TRAINING = "training", _("Training")
        PUBLICATION = "publication", _("Publication")
        CAMPAIGN = "campaign", _("Campaign")
        MEDIA = "media", _("Media appearance")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        DETAINEES = "detainees", _("People deprived of liberty")
        FAMILIES = "families", _("Families")
        STAFF = "staff", _("Staff of places of detention")
        OFFICIALS = "officials", _("Officials and lawmakers")
        JUDICIARY = "judiciary", _("Judges, prosecutors, lawyers")
        HEALTH = "health", _("Health professionals")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        PUBLIC = "public", _("General public")
        STUDENTS = "students", _("Students")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("date"))
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    reached = models.PositiveIntegerField(_("people reached"), default=0)
    region = models.ForeignKey(
        "places.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("with partners"), blank=True, related_name="activities"
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("awareness activity")
        verbose_name_plural = _("awareness activities")

    def __str__(self) -> str:
        return self.title
