"""Recommendations and the dialogue with authorities: from finding to verified change
(¶2, 5, 20–24, 31a, 34).

A recommendation is drafted from findings (or imported from the SPT, the CPT or another
treaty body), sent to an addressee, answered in letters, meetings and action plans, and
its implementation is verified on the ground with evidence. Nothing here identifies a
detainee: recommendations are addressed to authorities and may be published.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.accounts import roles
from habeas.core.models import BaseModel, RestrictedQuerySet
from habeas.visits.models import Theme, Visit, _team_visit_ids


class Origin(models.TextChoices):
    OWN_VISIT = "own_visit", _("Own visit")
    THEMATIC = "thematic_report", _("Thematic report")
    SPT = "spt", _("SPT")
    CPT = "cpt", _("CPT")
    TREATY_BODY = "treaty_body", _("Other treaty body")
    OTHER = "other", _("Other")


EXTERNAL_ORIGINS = (Origin.SPT, Origin.CPT, Origin.TREATY_BODY)


class Level(models.TextChoices):
    FACILITY = "facility", _("Facility")
    SUPERVISORY = "supervisory", _("Supervisory")
    NATIONAL = "national", _("National")
    LEGISLATIVE = "legislative", _("Legislative")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    KEY = "key", _("Key")
    GENERAL = "general", _("General")


class ResponseStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
    REJECTED = "rejected", _("Rejected")
    NO_REPLY = "no_reply", _("No reply")


class Implementation(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTIALLY_ACHIEVED = "partially_achieved", _("Partially achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    NO_LONGER_RELEVANT = "no_longer_relevant", _("No longer relevant")


# What the tracker's figures read of each recommendation (see `Recommendation.Meta`).
TRACKER_COLUMNS = [
    "sent_on",
    "state",
    "response",
    "implementation",
    "deadline",
    "days_to_implement",
    "visit",
]

# A recommendation with one of these is finished: no reminder, not overdue.
SETTLED = (Implementation.ACHIEVED, Implementation.NO_LONGER_RELEVANT)


# -- who sees what ----------------------------------------------------------------------


def _recommendation_scope(user: Any, action: str) -> Q | None:
    """The rows of `Recommendation` a user may reach for `action`, as a Q; None for none.

    - `view`: everyone with `recommendations.view`, except that a recommendation drawn
      from a visit follows the visit: an external expert sees those of the visits they
      were on, and nobody sees those of a visit hidden from them;
    - `change` (drafts): `recommendations.draft`, and for a visit's drafts its team or a
      planner;
    - `send`, `dialogue`, `verify`: the matching permission over what the user sees.
    """
    if not roles.can(user, "recommendations.view"):
        return None
    if user.role == roles.Role.EXPERT:
        seen = Q(visit__in=_team_visit_ids(user))
    else:
        # "Not from a visit hidden from them": the same rows as "no visit, or a visit they
        # see", but one cheap test per row, and none when every visit is visible (planners);
        # the OR made SQLite walk the visit index once per visit (bench/recommendations.py).
        visible = Visit.objects.restrict(user, "view")
        hidden = Visit.objects.exclude(pk__in=visible.values("pk")).values("pk")
        seen = ~Q(visit__in=hidden) if visible.query.where else Q()
    if action == "view":
        return seen
    needed = {
        "change": "recommendations.draft",
        "send": "recommendations.send",
        "dialogue": "recommendations.dialogue",
        "verify": "recommendations.verify",
    }.get(action)
    if needed is None or not roles.can(user, needed):
        return None
    if action == "change":
        changeable = Q(visit__isnull=True) | Q(
            visit__in=Visit.objects.restrict(user, "change").values("pk")
        )
        return seen & changeable
    return seen


class RecommendationQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        rule = _recommendation_scope(user, action)
        return self.none() if rule is None else self.filter(rule)


class RecommendationChildQuerySet(RestrictedQuerySet):
    """Responses, verifications: seen with their recommendation."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        seen = Recommendation.objects.restrict(user, action)
        return self.filter(recommendation__in=seen.values("pk"))


class DialogueQuerySet(RestrictedQuerySet):
    """Exchanges with authorities and action plans are the NPM's own correspondence:
    its staff see them (not external experts, who see only their visits' work);
    `dialogue` may record them."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if not roles.can(user, "recommendations.view") or user.role == roles.Role.EXPERT:
            return self.none()
        if action == "view":
            return self
        if action in ("change", "dialogue") and roles.can(user, "recommendations.dialogue"):
            return self
        return self.none()


class DialogueChildQuerySet(RestrictedQuerySet):
    parent = "exchange"

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        model = Exchange if self.parent == "exchange" else ActionPlan
        parents = model.objects.restrict(user, action)
        return self.filter(**{f"{self.parent}__in": parents.values("pk")})


class CommitmentQuerySet(DialogueChildQuerySet):
    parent = "plan"


# -- recommendations ----------------------------------------------------------------------


class Recommendation(BaseModel):
    """One recommendation (¶20), with its latest response and verified implementation
    kept on the row for the tracker; their full, dated history is in `Response` and
    `Verification` (¶24)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    text = models.TextField(_("recommendation"))
    origin = models.CharField(
        _("origin"), max_length=16, choices=Origin.choices, default=Origin.OWN_VISIT
    )
    source_ref = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("For example the report's symbol and paragraph: CAT/OP/XX/1, para. 42."),
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    addressee = models.ForeignKey(
        "places.Authority",
        verbose_name=_("addressee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, blank=True)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.GENERAL
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    liaison = models.CharField(
        _("named liaison"),
        max_length=300,
        blank=True,
        help_text=_("Urgent track (¶31a): who at the authority answers for it."),
    )
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.DRAFT, db_index=True
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    response_due = models.DateField(_("response due"), null=True, blank=True)
    # The latest response and verified implementation, copied from their histories.
    response = models.CharField(
        _("response"), max_length=20, choices=ResponseStatus.choices, blank=True
    )
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    implementation = models.CharField(
        _("implementation"), max_length=20, choices=Implementation.choices, blank=True
    )
    implementation_on = models.DateField(_("verified on"), null=True, blank=True)
    days_to_implement = models.PositiveIntegerField(null=True, blank=True)
    findings = models.ManyToManyField(
        "visits.Finding", verbose_name=_("findings"), blank=True, related_name="recommendations"
    )
    linked = models.ManyToManyField(
        "self", verbose_name=_("tracked together with"), blank=True, symmetrical=True
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeats"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeated_by",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The follow-up jobs' memory: never the same reminder twice (`followup`).
    response_reminded_on = models.DateField(null=True, blank=True)
    response_escalated_on = models.DateField(null=True, blank=True)
    deadline_reminded_on = models.DateField(null=True, blank=True)
    deadline_escalated_on = models.DateField(null=True, blank=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "sent_on"]),
            models.Index(fields=["priority", "deadline"]),
            models.Index(fields=["response"]),
            models.Index(fields=["implementation"]),
            models.Index(fields=["theme"]),
            models.Index(fields=["origin"]),
            models.Index(fields=["days_to_implement"]),
            # The tracker's figures and filters read only these columns (bench/
            # recommendations.py): by date of sending, per place (regions, categories), and
            # the achieved ones' times for the medians. Covering, so 200,000 rows are
            # counted from the indexes without reading the table.
            models.Index(
                fields=[*TRACKER_COLUMNS, "place", "addressee", "theme", "priority", "origin"],
                name="rec_tracker_idx",
            ),
            models.Index(fields=["place", *TRACKER_COLUMNS], name="rec_tracker_place_idx"),
            models.Index(
                fields=[
                    "implementation",
                    "sent_on",
                    "days_to_implement",
                    "state",
                    "visit",
                    "place",
                    "addressee",
                    "theme",
                    "priority",
                    "origin",
                    "response",
                    "deadline",
                ],
                name="rec_tracker_median_idx",
            ),
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.reference

    @property
    def settled(self) -> bool:
        return self.implementation in SETTLED


class Response(models.Model):
    """An authority's answer to one recommendation, with the passage that says so (¶22).
    One letter may carry many."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="responses"
    )
    exchange = models.ForeignKey(
        "Exchange",
        verbose_name=_("letter or exchange"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
    )
    status = models.CharField(_("response"), max_length=20, choices=ResponseStatus.choices)
    passage = models.TextField(_("quoted passage"), blank=True)
    responded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecommendationChildQuerySet.as_manager()

    class Meta:
        ordering = ["-responded_on", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.status}"


class Verification(models.Model):
    """A dated implementation status, set only with its evidence (¶24)."""

    class Evidence(models.TextChoices):
        FINDING = "finding", _("A follow-up visit's finding")
        DOCUMENT = "document", _("A document")
        RESPONSE = "response", _("A response")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="verifications"
    )
    status = models.CharField(_("implementation"), max_length=20, choices=Implementation.choices)
    verified_on = models.DateField(_("verified on"))
    evidence = models.CharField(_("evidence"), max_length=16, choices=Evidence.choices)
    finding = models.ForeignKey(
        "visits.Finding", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "places.PlaceDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exchange = models.ForeignKey(
        "Exchange", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecommendationChildQuerySet.as_manager()

    class Meta:
        ordering = ["-verified_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="verification_has_its_evidence",
                condition=(
                    Q(evidence="finding", finding__isnull=False)
                    | Q(evidence="response", response__isnull=False)
                    | (
                        Q(evidence="document")
                        & (Q(document__isnull=False) | Q(exchange__isnull=False))
                    )
                ),
            )
        ]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.status} {self.verified_on}"


# -- dialogue -------------------------------------------------------------------------------


class Exchange(BaseModel):
    """A letter, meeting, call or roundtable with an authority (¶2, 22, 31a)."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        ROUNDTABLE = "roundtable", _("Roundtable")

    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Received")
        OUTGOING = "outgoing", _("Sent")
        MUTUAL = "mutual", _("Both ways (meeting, call)")

    authority = models.ForeignKey(
        "places.Authority",
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        related_name="exchanges",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    occurred_on = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=300)
    their_reference = models.CharField(_("their reference"), max_length=100, blank=True)
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = DialogueQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["authority", "occurred_on"])]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")

    def __str__(self) -> str:
        return self.subject


class ExchangeAttachment(models.Model):
    """A file of an exchange, checked and stored as the places' archive stores its files."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DialogueChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ActionPlan(BaseModel):
    """An authority's commitments, with dates, in answer to recommendations (¶22)."""

    authority = models.ForeignKey(
        "places.Authority",
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    title = models.CharField(_("title"), max_length=300)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    exchange = models.ForeignKey(
        Exchange,
        verbose_name=_("received with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = DialogueQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title


class Commitment(BaseModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="commitments")
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    text = models.TextField(_("commitment"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.text[:80]


# -- the rules the NPM sets ----------------------------------------------------------------


class FollowUpRuleQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        if action == "view" and roles.can(user, "recommendations.view"):
            return self
        if action == "change" and roles.can(user, "recommendations.settings"):
            return self
        return self.none()


class FollowUpRule(BaseModel):
    """The NPM's follow-up settings: one row (¶22, 24, 31a)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    threshold = models.PositiveSmallIntegerField(
        _("open recommendations that propose a follow-up visit"),
        default=3,
        help_text=_(
            "A place is proposed for a follow-up visit when at least this many of its "
            "recommendations of the chosen priorities are not achieved past their deadline."
        ),
    )
    priorities = models.JSONField(
        _("priorities counted"), default=list, blank=True, help_text=_("Key by default.")
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind this many days before a deadline"), default=14
    )
    escalate_days_after = models.PositiveSmallIntegerField(
        _("escalate this many days after a missed deadline"), default=7
    )
    urgent_days = models.PositiveSmallIntegerField(
        _("deadline of an urgent recommendation (days)"), default=14
    )
    default_response_days = models.PositiveSmallIntegerField(
        _("response deadline when the authority has none (days)"), default=60
    )

    objects = FollowUpRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")

    def __str__(self) -> str:
        return "follow-up rule"

    @classmethod
    def current(cls) -> FollowUpRule:
        rule = cls.objects.filter(pk=1).first()
        return rule if rule is not None else cls(pk=1, priorities=[Priority.KEY])

    @property
    def counted_priorities(self) -> list[str]:
        return list(self.priorities) or [Priority.KEY]
