"""Shared model foundations and the audit trail (ARCHITECTURE.md rules 1, 2, 5, 6)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows what a user may see.

    `restrict(user, action)` is the one read rule: pages, API, search, counts,
    exports and reports all start from it. Subclasses override `scope`; the base
    scope is empty, so a model that forgets to say who may see it shows nothing.
    """

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if not user.is_active or user.has_expired():
            return self.none()
        return self.scope(user, action)

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        return self.none()


class BaseModel(models.Model):
    """Timestamps and the version used for optimistic locking (rule 6)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class AuditHead(models.Model):
    """The single row that holds the chain's latest hash; locked to append (rule 5)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head {self.count}"


class AuditEvent(models.Model):
    """One append-only, hash-chained record of who did what to which object, never content.

    Serves SECURITY.md test 18 and the SPT's expectation that an NPM can account for
    its handling of confidential information (¶17, 25).
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit events are append-only.")


class ImportBatchQuerySet(RestrictedQuerySet):
    """An uploaded file is its uploader's alone: nobody else may preview or apply it."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        return self.filter(created_by=user)


class ImportBatch(models.Model):
    """One uploaded spreadsheet, kept between its dry-run preview and its application so
    that both read the very same bytes (ARCHITECTURE.md rule 6). Imports of places (¶9),
    reconciliation with the authorities' official list (OPCAT art. 20(a)) and, later,
    imports of recommendations (¶20–24) use it. Batches older than a day may be discarded.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PREVIEWED
    )
    report = models.JSONField(_("report"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name} ({self.status})"


class DataKey(models.Model):
    """One record's data key, stored only wrapped by the key-encryption key, which lives
    outside the database (ARCHITECTURE.md rule 4; `habeas.core.crypto`)."""

    class Purpose(models.TextChoices):
        IDENTITY = "identity", _("Identities")
        CONTENT = "content", _("Testimony and content")
        BLIND_INDEX = "blind_index", _("Blind index")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    kek_id = models.CharField(max_length=16, db_index=True)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(purpose="blind_index"),
                name="datakey_one_blind_index_key",
            )
        ]
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self) -> str:
        return f"{self.purpose} key {self.id}"


class NotificationQuerySet(RestrictedQuerySet):
    """A notification is its addressee's alone."""

    def scope(self, user: Any, action: str) -> RestrictedQuerySet:
        return self.filter(user=user)


class Notification(models.Model):
    """An in-app notice, shown in the header until read. Like the e-mails, it names a
    record's reference and links to it, never confidential content."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(max_length=160, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_once"
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message[:80]
