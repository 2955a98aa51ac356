"""Visits to places of detention, from preparation to debriefing (¶11, 13–17, 25, 31b).

A visit's team sees every unit, checks registers, talks to detainees in private and in
groups, to staff and management, and leaves with findings it can prove. Interview notes,
identities, register discrepancies and photographs are sealed in the application
(`habeas.core.crypto`); interviews are seen only by the visit's team and the head.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.crypto import SealedField, SealedModel
from habeas.core.models import BaseModel, RestrictedQuerySet


class Theme(models.TextChoices):
    """After APT's Detention Focus (DOMAIN.md, Finding)."""

    TREATMENT = "treatment", _("Treatment")
    SAFEGUARDS = "safeguards", _("Protection safeguards")
    SECURITY = "security", _("Security and coercive measures")
    CONTACT = "contact", _("Contact with the outside world")
    CONDITIONS = "conditions", _("Material conditions")
    REGIME = "regime", _("Regime and activities")
    HEALTH = "health", _("Health care")
    STAFF = "staff", _("Staff")


class RegisterKind(models.TextChoices):
    CUSTODY = "custody", _("Custody register")
    MEDICAL = "medical", _("Medical or injury register")
    FORCE = "force", _("Use of force")
    RESTRAINT = "restraint", _("Restraint")
    ISOLATION = "isolation", _("Isolation or segregation")
    DISCIPLINARY = "disciplinary", _("Disciplinary measures")
    COMPLAINTS = "complaints", _("Complaints")
    DEATHS = "deaths", _("Deaths in custody")
    TRANSFERS = "transfers", _("Transfers")


class Standard(models.TextChoices):
    MANDELA = "mandela", _("Nelson Mandela Rules")
    BANGKOK = "bangkok", _("Bangkok Rules")
    HAVANA = "havana", _("Havana Rules")
    BEIJING = "beijing", _("Beijing Rules")
    CPT = "cpt", _("CPT standards")
    CRPD = "crpd", _("Convention on the Rights of Persons with Disabilities")
    NATIONAL = "national", _("National law")


# -- people on teams -------------------------------------------------------------------


class Training(models.Model):
    """A training an NPM gives or requires: interviewing, the Istanbul Protocol, children's
    rights… (¶37). `needed_for` lists category codes of places (or "children",
    "medical", "interviews") for which a team member should have it."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=200)
    needed_for = models.JSONField(_("needed for"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return self.name


class ProfileQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if action == "view" and roles.can(user, "visits.view"):
            return self
        if roles.can(user, "visits.plan"):
            return self
        return self.filter(user=user) if action == "view" else self.none()


class TeamProfile(BaseModel):
    """What composing a team needs to know of a person (¶8, 11; OPCAT 18(2)).

    The background is declared only if the person chooses to; it is used for the team's
    balance and never shown outside planning.
    """

    class Profession(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        DOCTOR = "doctor", _("Medical doctor")
        PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        NURSE = "nurse", _("Nurse")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        OTHER = "other", _("Other")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Another gender")
        UNDISCLOSED = "undisclosed", _("Prefers not to say")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_profile"
    )
    profession = models.CharField(_("profession"), max_length=16, choices=Profession.choices)
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    background = models.CharField(
        _("minority or ethnic background (declared)"), max_length=200, blank=True
    )
    is_external = models.BooleanField(_("external expert"), default=False)
    terms_of_reference_on = models.DateField(
        _("terms of reference agreed on"), null=True, blank=True
    )
    undertaking_signed_on = models.DateField(
        _("confidentiality undertaking signed on"), null=True, blank=True
    )
    conflict_places = models.ManyToManyField(
        "places.Place",
        verbose_name=_("conflicts of interest: places"),
        blank=True,
        related_name="+",
    )
    conflict_authorities = models.ManyToManyField(
        "places.Authority",
        verbose_name=_("conflicts of interest: authorities"),
        blank=True,
        related_name="+",
    )
    conflict_note = models.CharField(_("conflicts of interest: note"), max_length=300, blank=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("team profile")
        verbose_name_plural = _("team profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_medical(self) -> bool:
        return self.profession in {"doctor", "psychiatrist", "nurse"}


class TrainingRecordQuerySet(RestrictedQuerySet):
    """A person sees their own training; whoever manages training sees everyone's (¶37)."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if roles.can(user, "training.manage"):
            return self
        if action == "view" and roles.can(user, "training.own"):
            return self.filter(user=user)
        return self.none()


class TrainingRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainings"
    )
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField(_("completed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self) -> str:
        return f"{self.user} {self.training} {self.completed_on}"


# -- guidelines ---------------------------------------------------------------------


class GuidelineQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if action == "view" and roles.can(user, "visits.view"):
            return self
        if action == "change" and roles.can(user, "visits.guidelines"):
            return self
        return self.none()


class Guideline(BaseModel):
    """A versioned visit guideline and checklist for one category of place (¶13)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("In use")
        RETIRED = "retired", _("Retired")

    category = models.ForeignKey(
        "places.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_on = models.DateField(_("in use since"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = GuidelineQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["category", "number"], name="guideline_unique_version")
        ]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class GuidelineItem(models.Model):
    """One question, register to check or thing to observe, with whether the topic may be
    raised in a group interview or only in private (¶13, 25)."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        REGISTER = "register", _("Register to check")
        OBSERVATION = "observation", _("Thing to observe")

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="items")
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=500)
    register_kind = models.CharField(
        _("register"), max_length=16, choices=RegisterKind.choices, blank=True
    )
    group_allowed = models.BooleanField(
        _("may be raised in a group interview"),
        default=True,
        help_text=_("Off: raise it in private interviews only."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


# -- visits -------------------------------------------------------------------------


def _team_visit_ids(user: Any) -> models.QuerySet:
    return TeamAssignment.objects.filter(user=user).values("visit_id")


class VisitQuerySet(RestrictedQuerySet):
    """Who sees which visit.

    - planners (`visits.plan`: head, monitors) see every visit;
    - external experts see the visits they are on;
    - the rest of the staff with `visits.view` see every visit except an unannounced one
      still being prepared, which only its team and the planners know of: a leaked date
      spoils it;
    - `change` (recording during and after the visit): its team and the planners.
    """

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "visits.view"):
            return self.none()
        on_team = Q(pk__in=_team_visit_ids(user))
        if action == "view":
            if roles.can(user, "visits.plan"):
                return self
            if user.role == roles.Role.EXPERT:
                return self.filter(on_team)
            secret = Q(announced=False, state__in=[Visit.State.PLANNED, Visit.State.PREPARED])
            return self.filter(on_team | ~secret)
        if action == "change":
            if roles.can(user, "visits.plan"):
                return self
            return self.filter(on_team) if roles.can(user, "visits.record") else self.none()
        if action == "plan":
            return self if roles.can(user, "visits.plan") else self.none()
        return self.none()


class Visit(BaseModel):
    class Kind(models.TextChoices):
        IN_DEPTH = "in_depth", _("In-depth")
        THEMATIC = "thematic", _("Thematic")
        FOLLOW_UP = "follow_up", _("Follow-up")
        AD_HOC = "ad_hoc", _("Ad hoc")
        URGENT = "urgent", _("Reactive or urgent")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PREPARED = "prepared", _("Prepared")
        IN_PROGRESS = "in_progress", _("In progress")
        DEBRIEFED = "debriefed", _("Debriefed")
        REPORT_DRAFTED = "report_drafted", _("Report drafted")
        REPORT_SENT = "report_sent", _("Report sent")
        RESPONSE_RECEIVED = "response_received", _("Response received")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="visits"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    announced = models.BooleanField(_("announced"), default=False)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED, db_index=True
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    objectives = models.TextField(_("objectives"), blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    languages_needed = models.JSONField(
        _("languages of the people held"),
        default=list,
        blank=True,
        help_text=_("The team needs a member or an interpreter for each."),
    )
    guideline = models.ForeignKey(
        Guideline,
        verbose_name=_("guideline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head of delegation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    anonymity_cover = models.PositiveSmallIntegerField(
        _("cover interviews per sensitive interview"),
        default=3,
        help_text=_(
            "Private interviews in the same unit needed to hide the source of sensitive "
            "information (¶25)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["place", "starts_on"])]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return self.reference


class VisitChildQuerySet(RestrictedQuerySet):
    """Rows of a visit are seen by those who see the visit, changed by its team."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        visits = Visit.objects.restrict(user, "view" if action == "view" else "change")
        return self.filter(visit__in=visits.values("pk"))


class TeamOnlyQuerySet(RestrictedQuerySet):
    """Interviews, register discrepancies and photographs: the visit's team and the head
    only, whatever else a user may see of the visit (¶17, 25)."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "visits.record"):
            return self.none()
        visits = Visit.objects.restrict(user, "view" if action == "view" else "change")
        if not roles.can(user, "visits.all_interviews"):
            visits = visits.filter(pk__in=_team_visit_ids(user))
        return self.filter(visit__in=visits.values("pk"))


class TeamAssignment(models.Model):
    """A person on a visit's team; blocked checks may be overridden only with a written,
    audited reason (¶11). Each member acknowledges the code of conduct (¶17)."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Head of delegation")
        MEMBER = "member", _("Member")
        INTERPRETER = "interpreter", _("Interpreter")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    override_reason = models.TextField(_("why the block was overridden"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conduct_acknowledged_at = models.DateTimeField(
        _("code of conduct acknowledged"), null=True, blank=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        ordering = ["role", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "user"], name="team_one_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.visit}"


class UnitCoverage(models.Model):
    """Whether the team saw a unit of the place, or why not (¶14)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="coverage")
    unit = models.ForeignKey("places.Unit", on_delete=models.PROTECT, related_name="+")
    seen = models.BooleanField(_("seen"), default=False)
    reason = models.CharField(_("why not seen"), max_length=300, blank=True)
    held = models.PositiveIntegerField(_("people held in the unit that day"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        ordering = ["unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "unit"], name="coverage_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.unit}"


class RegisterCheck(SealedModel):
    """A register checked: its kind, the sample taken, what was verified and the
    discrepancies found (¶14). Discrepancies may name detainees, so they are sealed."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="register_checks")
    kind = models.CharField(_("register"), max_length=16, choices=RegisterKind.choices)
    unit = models.ForeignKey(
        "places.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sample = models.CharField(_("sample taken"), max_length=300)
    entries_checked = models.PositiveIntegerField(_("entries checked"), default=0)
    verified = models.TextField(_("what was verified"), blank=True)
    discrepancies_found = models.PositiveIntegerField(_("discrepancies found"), default=0)
    discrepancies = SealedField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.visit})"


class Interview(SealedModel, BaseModel):
    """An interview of any kind (¶13, 17, 25). Notes and identity are sealed; the
    pseudonym is what the team writes everywhere else."""

    class Kind(models.TextChoices):
        PRIVATE = "private", _("Private individual interview")
        GROUP = "group", _("Group interview")
        STAFF = "staff", _("Staff")
        MANAGEMENT = "management", _("Management")
        OTHER_VISITOR = "other_visitor", _("Other visitor (lawyer, family, NGO)")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        "places.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=64)
    held_at = models.DateTimeField(_("held at"))
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    interpreter_language = models.CharField(_("interpreted from"), max_length=64, blank=True)
    interpreter_name = models.CharField(_("interpreter"), max_length=200, blank=True)
    participants = models.PositiveSmallIntegerField(_("people interviewed"), default=1)
    consent_use = models.BooleanField(_("consents to the use of the information"), default=False)
    consent_transmit = models.BooleanField(
        _("consents to its transmission to the authorities"), default=False
    )
    consent_publish = models.BooleanField(_("consents to publication"), default=False)
    sensitive = models.BooleanField(
        _("sensitive information"),
        default=False,
        help_text=_("Information that could expose the person if traced back to them."),
    )
    allegation = models.BooleanField(_("an individual allegation was made"), default=False)
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("private follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    topics = models.JSONField(_("themes raised"), default=list, blank=True)
    notes = SealedField()
    identity = SealedField(key="identity")
    identity_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = TeamOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["held_at"]
        indexes = [models.Index(fields=["visit", "unit", "kind"])]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{self.pseudonym} ({self.get_kind_display()})"


class Photo(SealedModel):
    """A photograph taken during a visit: metadata stripped, then sealed (¶15)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    caption = SealedField()
    content = SealedField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = TeamOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"photo {self.pk}"


class Finding(BaseModel):
    """A finding: a concern with its severity, or a good practice (¶15, 19, 34).

    Its triangulation is computed from its evidence by the services, never typed; a
    single-source statement can never be marked as established fact.
    """

    class Kind(models.TextChoices):
        CONCERN = "concern", _("Concern")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    class Severity(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        KEY = "key", _("Key concern")
        GENERAL = "general", _("General")

    class Triangulation(models.TextChoices):
        SINGLE = "single_source", _("Single source")
        CORROBORATED = "corroborated", _("Corroborated")
        SYSTEMIC = "systemic", _("Systemic")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CONCERN)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True)
    statement = models.TextField(_("statement"))
    unit = models.ForeignKey(
        "places.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    standards = models.JSONField(_("standards cited"), default=list, blank=True)
    standard_note = models.CharField(_("rule or article"), max_length=300, blank=True)
    established = models.BooleanField(
        _("stated as established fact"),
        default=False,
        help_text=_("Only a corroborated finding may be stated as fact."),
    )
    triangulation = models.CharField(
        max_length=16, choices=Triangulation.choices, default=Triangulation.SINGLE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        ordering = ["theme", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.statement[:80]


class EvidenceQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        visits = Visit.objects.restrict(user, "view" if action == "view" else "change")
        return self.filter(finding__visit__in=visits.values("pk"))


class Evidence(models.Model):
    """What a finding rests on; its source kind drives triangulation (¶15)."""

    class Source(models.TextChoices):
        PRIVATE_INTERVIEW = "private_interview", _("Private interview")
        GROUP_INTERVIEW = "group_interview", _("Group interview")
        STAFF = "staff", _("Staff or management")
        REGISTER = "register", _("Register")
        OBSERVATION = "observation", _("Direct observation")
        DOCUMENT = "document", _("Document")
        PHOTOGRAPH = "photograph", _("Photograph")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    register_check = models.ForeignKey(
        RegisterCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    photo = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "places.PlaceDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note (no names)"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.get_source_display()


class Difficulty(models.Model):
    """An operational difficulty met during the visit (¶31b)."""

    class Kind(models.TextChoices):
        ACCESS_REFUSED = "access_refused", _("Access refused")
        ACCESS_DELAYED = "access_delayed", _("Access delayed")
        DOCUMENTS_WITHHELD = "documents_withheld", _("Documents withheld")
        INTERVIEW_PREVENTED = "interview_prevented", _("Private interview prevented")
        INTIMIDATION = "intimidation", _("Intimidation")
        OTHER = "other", _("Other")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="difficulties")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(_("how long (minutes)"), null=True, blank=True)
    description = models.TextField(_("what happened"))
    told_whom = models.CharField(_("who was told"), max_length=300, blank=True)
    told_at = models.DateTimeField(_("told at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at"]
        verbose_name = _("operational difficulty")
        verbose_name_plural = _("operational difficulties")

    def __str__(self) -> str:
        return self.get_kind_display()


class Debrief(BaseModel):
    """The debriefing with the management at the end of the visit (¶16). Its text is
    checked so that it identifies no source."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="debrief")
    held_at = models.DateTimeField(_("held at"))
    participants = models.TextField(_("participants"))
    main_concerns = models.TextField(_("main concerns raised"))
    urgent_matters = models.TextField(_("urgent matters"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("debrief")
        verbose_name_plural = _("debriefs")

    def __str__(self) -> str:
        return f"debrief {self.visit}"


class UrgentDraft(models.Model):
    """An urgent matter raised at the debrief, drafted as an urgent recommendation with a
    short deadline; the recommendations module picks it up (`recommendation_ref`)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="urgent_drafts")
    text = models.TextField(_("recommendation"))
    addressee = models.ForeignKey(
        "places.Authority",
        verbose_name=_("addressee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    recommendation_ref = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        ordering = ["deadline"]

    def __str__(self) -> str:
        return self.text[:80]


class ChecklistAnswer(models.Model):
    """An answer to a guideline item for one visit, on screen or typed in afterwards
    from the paper form."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")
        NOT_APPLICABLE = "na", _("Not applicable")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(GuidelineItem, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, blank=True)
    note = models.TextField(_("note (no names)"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now=True)

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="answer_one_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.item_id}: {self.answer}"
