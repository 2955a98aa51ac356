"""Confidential case files, reprisal protection and the register of allegations
(¶18, 19, 25, 27).

A case or a watch is visible only to the people granted on it (`CaseGrant`); no grant
means no one sees it, administrators included. Identities, testimony and medical
documentation are sealed in the application (`habeas.core.crypto`), each record under
its own data keys.
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


class Recipient(models.TextChoices):
    """Who a referral or a transmission goes to; consent is given per recipient."""

    PROSECUTOR = "prosecutor", _("Prosecutor")
    DISCIPLINARY = "disciplinary", _("Disciplinary body")
    AUTHORITY = "authority", _("Authority in charge of the place")
    SPT = "spt", _("UN Subcommittee on Prevention of Torture")
    OTHER = "other", _("Other body")


class Element(models.TextChoices):
    """What a referral may carry; consent is given per element."""

    IDENTITY = "identity", _("Identity of the victim")
    ACCOUNT = "account", _("Account of the acts")
    OFFICIALS = "officials", _("Officials named")
    MEDICAL = "medical", _("Medical documentation")
    WITNESSES = "witnesses", _("Witnesses")


def _granted(queryset: RestrictedQuerySet, user: Any, link: str) -> RestrictedQuerySet:
    return queryset.filter(pk__in=CaseGrant.objects.filter(user=user).values(link))


class CaseQuerySet(RestrictedQuerySet):
    """A case is seen only by those granted on it, whatever their role (¶18, 25)."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "cases.view"):
            return self.none()
        granted = _granted(self, user, "case_id")
        if action in ("view", "change"):
            return granted
        if action == "grant":
            return granted if roles.can(user, "cases.grant_any") else granted.filter(lead=user)
        return self.none()


class WatchQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "cases.view"):
            return self.none()
        granted = _granted(self, user, "watch_id")
        if action in ("view", "change"):
            return granted
        if action == "grant":
            return granted if roles.can(user, "cases.grant_any") else granted.filter(lead=user)
        return self.none()


class Case(SealedModel, BaseModel):
    """An allegation of torture, ill-treatment or reprisal (¶18, 19, 25)."""

    class Kind(models.TextChoices):
        TORTURE = "torture", _("Torture")
        ILL_TREATMENT = "ill_treatment", _("Ill-treatment")
        REPRISAL = "reprisal", _("Reprisal")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        PRIVATE_INTERVIEW = "private_interview", _("Private interview during a visit")
        SUBMISSION = "submission", _("Submission from the public")
        NGO = "ngo", _("Information from an NGO")
        RELATIVE = "relative", _("Information from a relative")
        LAWYER = "lawyer", _("Information from a lawyer")
        OBSERVATION = "observation", _("Direct observation")
        OTHER = "other", _("Other source")

    class Pattern(models.TextChoices):
        UNKNOWN = "unknown", _("Not yet known")
        ISOLATED = "isolated", _("Isolated")
        PATTERN = "pattern", _("Part of a pattern")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    authority = models.ForeignKey(
        "places.Authority",
        verbose_name=_("authority concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    occurred_on = models.DateField(_("date of the acts"), null=True, blank=True)
    occurred_until = models.DateField(_("until"), null=True, blank=True)
    reported_on = models.DateField(_("reported to the NPM on"))
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    source_ref = models.CharField(
        _("source reference"),
        max_length=64,
        blank=True,
        help_text=_("The visit, interview or submission it came from (no names)."),
    )
    pattern = models.CharField(
        _("isolated or part of a pattern"),
        max_length=16,
        choices=Pattern.choices,
        default=Pattern.UNKNOWN,
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case lead"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    watch = models.ForeignKey(
        "cases.ReprisalWatch",
        verbose_name=_("reprisal watch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # Identities (sealed under the identity key).
    victim = SealedField(key="identity")
    victim_details = SealedField(key="identity")
    victim_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    complainant = SealedField(key="identity")
    officials = SealedField(key="identity")
    witnesses = SealedField(key="identity")
    # Testimony (sealed under the content key).
    acts = SealedField()
    circumstances = SealedField()

    # Consent (¶18, 25; OPCAT 21(2)): what may go where.
    consent_use = models.BooleanField(_("the NPM may use the information"), default=False)
    consent_elements = models.JSONField(
        _("elements that may be transmitted"), default=list, blank=True
    )
    consent_recipients = models.JSONField(
        _("bodies they may be transmitted to"), default=list, blank=True
    )
    consent_publish = models.BooleanField(
        _("may be published (without name unless stated)"), default=False
    )
    consent_recorded_on = models.DateField(_("consent recorded on"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference


class ReprisalWatch(SealedModel, BaseModel):
    """A person at risk of reprisal for having spoken to the NPM (¶25)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class SourceKind(models.TextChoices):
        PRIVATE_INTERVIEW = "private_interview", _("Private interview")
        GROUP_INTERVIEW = "group_interview", _("Group interview")
        SUBMISSION = "submission", _("Submission from the public")
        PARTNER = "partner", _("Information from a partner")
        CASE = "case", _("A case file")
        OTHER = "other", _("Other")

    class RiskSource(models.TextChoices):
        STAFF = "staff", _("Staff")
        DETAINEES = "detainees", _("Fellow detainees")
        OTHER = "other", _("Other")

    class ReprisalKind(models.TextChoices):
        ASSAULT = "assault", _("Assault")
        THREATS = "threats", _("Threats")
        ISOLATION = "isolation", _("Isolation")
        PRIVILEGES = "privileges", _("Loss of privileges or food")
        CONDITIONS = "conditions", _("Worse conditions")
        TRANSFER = "transfer", _("Transfer")
        EARLY_RELEASE = "early_release", _("Withdrawal of early-release support")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=64,
        help_text=_("The name the team uses; never the person's real name."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    identity = SealedField(key="identity")
    identity_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    source_kind = models.CharField(
        _("what put them at risk"), max_length=24, choices=SourceKind.choices
    )
    source_ref = models.CharField(
        _("source reference"),
        max_length=64,
        blank=True,
        help_text=_("The visit, interview or information that put them at risk (no names)."),
    )
    source_case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk_source = models.CharField(_("risk comes from"), max_length=16, choices=RiskSource.choices)
    risk_detail = SealedField()
    feared = models.JSONField(_("reprisals feared"), default=list, blank=True)
    consent_raise = models.BooleanField(
        _("consents to the risk being raised with the authorities"), default=False
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("current place"),
        on_delete=models.PROTECT,
        related_name="reprisal_watches",
    )
    ngos = models.CharField(_("NGOs involved"), max_length=300, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_on = models.DateField(_("opened on"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = WatchQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-created_at"]
        verbose_name = _("reprisal watch")
        verbose_name_plural = _("reprisal watches")

    def __str__(self) -> str:
        return f"{self.reference} ({self.pseudonym})"


class CaseGrant(models.Model):
    """Need-to-know access to one case or one watch, with its field rights (¶25).

    Identity and medical content need their own flag on top of a role that may hold
    them (`cases.identity`, `cases.medical`).
    """

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    watch = models.ForeignKey(
        ReprisalWatch, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="case_grants",
    )
    identity = models.BooleanField(_("may see identities"), default=False)
    medical = models.BooleanField(_("may see medical documentation"), default=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(watch__isnull=True))
                | (Q(case__isnull=True) & Q(watch__isnull=False)),
                name="casegrant_one_record",
            ),
            models.UniqueConstraint(fields=["case", "user"], name="casegrant_unique_case"),
            models.UniqueConstraint(fields=["watch", "user"], name="casegrant_unique_watch"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.case or self.watch}"


class CaseChildQuerySet(RestrictedQuerySet):
    """Rows that belong to a case are seen by those who see the case."""

    link = "case"

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        visible = Case.objects.restrict(user, "view" if action == "view" else "change")
        return self.filter(**{f"{self.link}__in": visible.values("pk")})


class MedicalQuerySet(CaseChildQuerySet):
    """Medical documentation: the case's grantees with the medical flag and a medical right."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "cases.medical"):
            return self.none()
        medical = CaseGrant.objects.filter(user=user, medical=True).values("case_id")
        return super().scope(user, action).filter(case__in=medical)


class MedicalExamination(SealedModel, BaseModel):
    """Medical documentation of an allegation, after the Istanbul Protocol (¶18)."""

    class Consistency(models.TextChoices):
        # Istanbul Protocol (2022), ¶ 386: degrees of consistency of findings with the account.
        NOT_CONSISTENT = "not_consistent", _("Not consistent")
        CONSISTENT = "consistent", _("Consistent")
        HIGHLY_CONSISTENT = "highly_consistent", _("Highly consistent")
        TYPICAL = "typical", _("Typical of")
        DIAGNOSTIC = "diagnostic", _("Diagnostic of")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="examinations")
    examined_on = models.DateField(_("examined on"))
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examining doctor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    examiner_name = models.CharField(_("examiner from outside the NPM"), max_length=200, blank=True)
    history = SealedField()
    physical_findings = SealedField()
    psychological_findings = SealedField()
    interpretation = SealedField()
    consistency = models.CharField(
        _("consistency with the account"), max_length=24, choices=Consistency.choices
    )

    objects = MedicalQuerySet.as_manager()

    class Meta:
        ordering = ["-examined_on"]
        verbose_name = _("medical examination")
        verbose_name_plural = _("medical examinations")

    def __str__(self) -> str:
        return f"{self.case} {self.examined_on}"


class MedicalAttachmentQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        visible = MedicalExamination.objects.restrict(user, action)
        return self.filter(examination__in=visible.values("pk"))


class MedicalAttachment(SealedModel):
    """A photograph, a body chart or a report, sealed with its name (rule 4)."""

    examination = models.ForeignKey(
        MedicalExamination, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = SealedField()
    content = SealedField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = MedicalAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class Referral(SealedModel, BaseModel):
    """A case referred to a prosecutor, a disciplinary body, the SPT or another body,
    built only from what consent allows (¶18)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        INVESTIGATION = "investigation", _("Investigation opened")
        PROSECUTION = "prosecution", _("Prosecution brought")
        DISCIPLINARY = "disciplinary", _("Disciplinary measure")
        DISMISSED = "dismissed", _("Dismissed")
        NO_REPLY = "no_reply", _("No reply")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    recipient_kind = models.CharField(_("recipient"), max_length=16, choices=Recipient.choices)
    recipient_authority = models.ForeignKey(
        "places.Authority",
        verbose_name=_("recipient authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient name"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    body = SealedField(key="identity")
    included = models.JSONField(_("included"), default=list)
    withheld = models.JSONField(_("withheld"), default=list)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.case} → {self.get_recipient_kind_display()}"


class ChecklistItem(models.Model):
    """What a reprisal allegation requires, step by step (¶25; SPT reprisals policy)."""

    class Code(models.TextChoices):
        VERIFY_REGISTER = (
            "verify_register",
            _("Verify the relevant register (isolation, discipline)"),
        )
        NOTIFY_AUTHORITY = (
            "notify_authority",
            _("With consent, notify the authority and request an investigation"),
        )
        NOTIFY_SPT = "notify_spt", _("Notify the SPT under its reprisals policy")
        KEEP_MONITORING = "keep_monitoring", _("Keep monitoring the person")

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checklist")
    code = models.CharField(max_length=24, choices=Code.choices)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("why not applicable"), max_length=300, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="checklist_unique_code")
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class WatchChildQuerySet(CaseChildQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        visible = ReprisalWatch.objects.restrict(user, "view" if action == "view" else "change")
        return self.filter(watch__in=visible.values("pk"))


class Transfer(models.Model):
    """A protected person moved from one place to another; the watch follows them."""

    watch = models.ForeignKey(ReprisalWatch, on_delete=models.CASCADE, related_name="transfers")
    from_place = models.ForeignKey(
        "places.Place",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_place = models.ForeignKey(
        "places.Place", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    moved_on = models.DateField(_("moved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = WatchChildQuerySet.as_manager()

    class Meta:
        ordering = ["moved_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.watch} → {self.to_place}"


class WatchCheck(SealedModel):
    """A scheduled check on a protected person: a call, a visit, their lawyer, an NGO."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone call")
        VISIT = "visit", _("Visit")
        LAWYER = "lawyer", _("Through their lawyer")
        NGO = "ngo", _("Through an NGO")

    class Outcome(models.TextChoices):
        SAFE = "safe", _("No sign of reprisal")
        CONCERN = "concern", _("Cause for concern")
        UNREACHABLE = "unreachable", _("Could not be reached")

    watch = models.ForeignKey(ReprisalWatch, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    due_on = models.DateField(_("due on"), db_index=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = SealedField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    alerted_on = models.DateField(null=True, blank=True)

    objects = WatchChildQuerySet.as_manager()

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class InvestigationQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        sub = "view" if action == "view" else "change"
        return self.filter(
            Q(case__in=Case.objects.restrict(user, sub).values("pk"))
            | Q(watch__in=ReprisalWatch.objects.restrict(user, sub).values("pk"))
        )


class InvestigationRequest(models.Model):
    """An investigation requested of the authorities, disciplinary or criminal (¶25)."""

    class Kind(models.TextChoices):
        DISCIPLINARY = "disciplinary", _("Disciplinary")
        CRIMINAL = "criminal", _("Criminal")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        OPENED = "opened", _("Investigation opened")
        REFUSED = "refused", _("Refused")
        SANCTION = "sanction", _("Concluded with a sanction")
        NO_SANCTION = "no_sanction", _("Concluded without a sanction")

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="investigations"
    )
    watch = models.ForeignKey(
        ReprisalWatch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="investigations",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    addressee = models.ForeignKey(
        "places.Authority",
        verbose_name=_("requested of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_on = models.DateField(_("requested on"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvestigationQuerySet.as_manager()

    class Meta:
        ordering = ["requested_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(watch__isnull=False),
                name="investigation_has_a_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requested_on}"


class RegisterQuerySet(RestrictedQuerySet):
    """The register holds no identity; its entries are seen by those with the right."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        permission = {
            "view": "register.view",
            "change": "register.change",
            "stats": "register.stats",
        }.get(action)
        return self if permission and roles.can(user, permission) else self.none()


class RegisterEntry(BaseModel):
    """One allegation followed through complaint, investigation, prosecution, outcome,
    sanction and reparation: the national register of ¶27."""

    class Classification(models.TextChoices):
        TORTURE = "torture", _("Torture")
        CRUEL = "cruel", _("Cruel, inhuman or degrading treatment")
        ABUSE_OF_OFFICE = "abuse_of_office", _("Abuse of office")
        BODILY_HARM = "bodily_harm", _("Bodily harm or assault")
        OTHER_LESSER = "other_lesser", _("Other lesser offence")
        NONE = "none", _("Not classified yet")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        NO_INVESTIGATION = "no_investigation", _("No investigation opened")
        DISCONTINUED = "discontinued", _("Investigation discontinued")
        ACQUITTED = "acquitted", _("Acquitted")
        CONVICTED = "convicted", _("Convicted")
        DISCIPLINARY = "disciplinary", _("Disciplinary sanction only")

    class Sanction(models.TextChoices):
        NONE = "none", _("None")
        PRISON = "prison", _("Prison")
        SUSPENDED = "suspended", _("Suspended sentence")
        FINE = "fine", _("Fine")
        DISCIPLINARY = "disciplinary", _("Disciplinary measure")
        DISMISSAL = "dismissal", _("Dismissal from service")

    class Reparation(models.TextChoices):
        NONE = "none", _("None")
        COMPENSATION = "compensation", _("Compensation")
        REHABILITATION = "rehabilitation", _("Rehabilitation")
        SATISFACTION = "satisfaction", _("Satisfaction or apology")
        OTHER = "other", _("Other")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="register_entries",
    )
    agency = models.ForeignKey(
        "places.Authority",
        verbose_name=_("agency concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "places.Category",
        verbose_name=_("category of place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "places.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    alleged_on = models.DateField(_("date of the alleged acts"), null=True, blank=True)
    complaint_on = models.DateField(_("complaint lodged on"), null=True, blank=True)
    investigation_on = models.DateField(_("investigation opened on"), null=True, blank=True)
    prosecution_on = models.DateField(_("prosecution brought on"), null=True, blank=True)
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    classification = models.CharField(
        _("legal classification used"),
        max_length=24,
        choices=Classification.choices,
        default=Classification.NONE,
    )
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=Outcome.choices, default=Outcome.PENDING
    )
    sanction = models.CharField(
        _("sanction"), max_length=16, choices=Sanction.choices, default=Sanction.NONE
    )
    reparation = models.CharField(
        _("reparation"), max_length=16, choices=Reparation.choices, default=Reparation.NONE
    )
    legislation_ref = models.CharField(
        _("legislation item"),
        max_length=64,
        blank=True,
        help_text=_("The law or bill this entry bears on, e.g. the definition of torture."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-complaint_on", "-created_at"]
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        indexes = [models.Index(fields=["complaint_on"]), models.Index(fields=["decision_on"])]

    def __str__(self) -> str:
        return self.reference
