"""Encryption in the application (ARCHITECTURE.md rule 4).

The key hierarchy:

- the **key-encryption key** (KEK) is 32 random bytes, base64, in the file named by
  `HABEAS_KEK_FILE`. It never enters the database. During a rotation, the previous keys
  are listed in `HABEAS_KEK_PREVIOUS_FILES` so that nothing is unreadable meanwhile;
- each confidential record has its own **data keys** (`DataKey`): one for identities,
  one for testimony and other content. A data key is stored only wrapped by the KEK with
  AES-GCM, the associated data binding it to its own id and purpose;
- each sealed value is AES-GCM under its record's data key, the associated data binding
  the ciphertext to `table:field:pk`, so a ciphertext copied to another row or field
  fails to open;
- exact-match lookups use a keyed blind index: HMAC-SHA256 under a data key of its own.

Destroying a record's data keys (crypto-erasure) leaves its ciphertext unreadable to
anyone, wherever a copy lies, once the KEK that wrapped older copies is retired too.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.core.models import DataKey

FORMAT = b"\x01"  # ciphertext layout: FORMAT | 12-byte nonce | AES-GCM ciphertext and tag
NONCE_BYTES = 12


class CiphertextError(Exception):
    """A sealed value or a wrapped key failed its integrity check: tampered, swapped,
    truncated or under a key we do not hold. No partial plaintext is ever returned."""


class KeyDestroyed(Exception):
    """The record's data key was destroyed (crypto-erasure): its content is gone."""


class LegalHold(Exception):
    """The record is under legal hold: it may not be erased until the hold is lifted."""


@dataclass(frozen=True)
class Kek:
    id: str
    key: bytes


def _read_kek(path: str) -> Kek:
    raw = Path(path).read_text(encoding="utf-8").strip()
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(
            f"The key-encryption key in {path} must be 32 random bytes, base64-encoded."
        )
    return Kek(id=hashlib.sha256(key).hexdigest()[:16], key=key)


def _ensure_development_kek(path: str) -> None:
    """Outside production a missing KEK file is created, so `make run` works at once.

    The key is written to a private temporary file first and linked into place, so a
    process starting at the same moment never reads a half-written key and two never
    make two different keys: the second link fails and its key is thrown away.
    """
    if settings.HABEAS_ENV == "production" or Path(path).exists():
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    draft = f"{path}.{secrets.token_hex(8)}.tmp"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)


@lru_cache(maxsize=8)
def _ring(current: str, previous: tuple[str, ...]) -> tuple[Kek, dict[str, Kek]]:
    if not current:
        raise ImproperlyConfigured("HABEAS_KEK_FILE is not set.")
    _ensure_development_kek(current)
    kek = _read_kek(current)
    ring = {kek.id: kek}
    for path in previous:
        old = _read_kek(path)
        ring.setdefault(old.id, old)
    return kek, ring


def keyring() -> tuple[Kek, dict[str, Kek]]:
    """The current KEK and every KEK we may unwrap with, by id (read from settings)."""
    previous = getattr(settings, "HABEAS_KEK_PREVIOUS_FILES", []) or []
    return _ring(settings.HABEAS_KEK_FILE, tuple(previous))


def unwrap(data_key: DataKey) -> bytes:
    """The data key in the clear, for the moment it is used; never stored or cached."""
    if data_key.destroyed_at is not None or not data_key.wrapped:
        raise KeyDestroyed(str(data_key.id))
    _, ring = keyring()
    kek = ring.get(data_key.kek_id)
    if kek is None:
        raise CiphertextError(
            f"Data key {data_key.id} is wrapped by key-encryption key {data_key.kek_id}, "
            "which is not configured (HABEAS_KEK_FILE, HABEAS_KEK_PREVIOUS_FILES)."
        )
    return _open(kek.key, bytes(data_key.wrapped), _wrap_aad(data_key))


def _wrap_aad(data_key: DataKey) -> bytes:
    return f"habeas:datakey:{data_key.id}:{data_key.purpose}".encode()


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != FORMAT:
        raise CiphertextError("The ciphertext is malformed.")
    try:
        return AESGCM(key).decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise CiphertextError("The ciphertext failed its integrity check.") from exc


def _wrap(data_key: DataKey, key: bytes, kek: Kek) -> None:
    data_key.kek_id = kek.id
    data_key.wrapped = _seal(kek.key, key, _wrap_aad(data_key))


def data_key_create(purpose: str) -> DataKey:
    """Make, wrap and store a fresh data key."""
    kek, _ = keyring()
    data_key = DataKey(id=uuid.uuid4(), purpose=purpose)
    _wrap(data_key, AESGCM.generate_key(bit_length=256), kek)
    data_key.save(force_insert=True)
    return data_key


def data_key_rewrap(data_key: DataKey) -> bool:
    """Re-wrap one data key under the current KEK; False if it already was, or if it was
    destroyed or re-wrapped by someone else since it was read.

    The row is written only if it still holds what was read: a key destroyed meanwhile
    (crypto-erasure) is never brought back by a rotation that had read it before.
    """
    kek, _ = keyring()
    if data_key.kek_id == kek.id or data_key.destroyed_at is not None:
        return False
    old_kek_id, old_wrapped = data_key.kek_id, bytes(data_key.wrapped)
    key = unwrap(data_key)
    fresh = DataKey(id=data_key.id, purpose=data_key.purpose)
    _wrap(fresh, key, kek)
    now = timezone.now()
    updated = DataKey.objects.filter(
        pk=data_key.pk, kek_id=old_kek_id, wrapped=old_wrapped, destroyed_at__isnull=True
    ).update(kek_id=fresh.kek_id, wrapped=fresh.wrapped, rotated_at=now)
    if not updated:
        return False
    data_key.kek_id, data_key.wrapped, data_key.rotated_at = fresh.kek_id, fresh.wrapped, now
    return True


def data_key_destroy(data_key: DataKey) -> None:
    """Crypto-erasure: the wrapped key is overwritten; everything it sealed is gone."""
    DataKey.objects.filter(pk=data_key.pk).update(wrapped=b"", destroyed_at=timezone.now())
    data_key.wrapped = b""
    data_key.destroyed_at = timezone.now()


def aad_for(obj: models.Model, field: str) -> bytes:
    if obj.pk is None:
        raise ValueError("A sealed value needs its record's primary key first.")
    return f"{obj._meta.db_table}:{field}:{obj.pk}".encode()


def seal_bytes(*, data_key: DataKey, obj: models.Model, field: str, value: bytes) -> bytes:
    return _seal(unwrap(data_key), value, aad_for(obj, field))


def open_bytes(*, data_key: DataKey, obj: models.Model, field: str, blob: bytes) -> bytes:
    return _open(unwrap(data_key), blob, aad_for(obj, field))


# -- blind index --------------------------------------------------------------------


def normalise(value: str) -> str:
    """Case, accents of compatibility forms and runs of spaces do not make a new person.

    NFKC again after case folding: folding can undo a composition ("ß" + accent folds to
    "ss" + accent, which composes anew), and the result must be its own normal form, or
    the same name typed two ways would get two fingerprints.
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return " ".join(text.split())


_blind_index_keys: dict[str, bytes] = {}


def _blind_index_key(kek_id: str) -> bytes:
    """The blind-index key in the clear, kept in memory once it is known to be committed.

    A key read or made inside a transaction that is later rolled back must not outlive it:
    the process would go on fingerprinting with a key no other process has. So it is
    remembered only when the transaction commits (at once outside a transaction).
    """
    cached = _blind_index_keys.get(kek_id)
    if cached is not None:
        return cached
    key = DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).first()
    if key is None:
        try:
            with transaction.atomic():
                key = data_key_create(DataKey.Purpose.BLIND_INDEX)
        except IntegrityError:
            # Another process made it first (one blind-index key, by constraint).
            key = DataKey.objects.get(purpose=DataKey.Purpose.BLIND_INDEX)
    clear = unwrap(key)
    transaction.on_commit(lambda: _blind_index_keys.__setitem__(kek_id, clear))
    return clear


def blind_index(value: str, *, domain: str) -> str:
    """A keyed fingerprint of `value` for exact-match lookups, '' for an empty value.

    `domain` separates kinds of value (a person's name, a prison number), so equal
    strings of different kinds do not match.
    """
    text = normalise(value)
    if not text:
        return ""
    kek, _ = keyring()
    key = _blind_index_key(kek.id)
    return hmac.new(key, f"{domain}\x00{text}".encode(), hashlib.sha256).hexdigest()


def reset_caches() -> None:
    """Forget cached keys (tests that swap the KEK or the database)."""
    _ring.cache_clear()
    _blind_index_keys.clear()


# -- sealed fields on models ------------------------------------------------------


class SealedField(models.BinaryField):
    """Ciphertext of one confidential value, opened only through `SealedModel.unseal`.

    `key` says which of the record's data keys seals it: "identity" or "content".
    """

    def __init__(self, *args: Any, key: str = "content", **kwargs: Any) -> None:
        self.key_kind = key
        kwargs.setdefault("default", b"")
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.key_kind != "content":
            kwargs["key"] = self.key_kind
        for name_, default in (("default", b""), ("blank", True), ("editable", False)):
            if kwargs.get(name_) == default:
                kwargs.pop(name_)
        return name, path, args, kwargs


class SealedModel(models.Model):
    """A record with sealed fields, its own data keys, retention and legal hold.

    Use `seal(field, value)` before saving and `unseal(field)` to read. The record's
    primary key is a random UUID, known before the first save, so that the associated
    data can name it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identity_key = models.ForeignKey(
        DataKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_key = models.ForeignKey(
        DataKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        help_text=_("A record under legal hold is never erased, whatever its age."),
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def sealed_fields(cls) -> list[SealedField]:
        return [f for f in cls._meta.concrete_fields if isinstance(f, SealedField)]

    @classmethod
    def blind_index_fields(cls) -> list[models.Field]:
        """The record's blind indexes: by convention, non-editable `*_index` text fields.

        Erasure blanks them too; a fingerprint left behind would still let whoever holds
        the database and the KEK confirm a guessed name in an erased record.
        """
        return [
            f
            for f in cls._meta.concrete_fields
            if isinstance(f, models.CharField) and f.name.endswith("_index") and not f.editable
        ]

    def _data_key(self, kind: str, *, create: bool) -> DataKey | None:
        attr = f"{kind}_key"
        key = getattr(self, attr)
        if key is None and create:
            if self.erased_at is not None:
                raise KeyDestroyed(str(self.pk))
            key = data_key_create(
                DataKey.Purpose.IDENTITY if kind == "identity" else DataKey.Purpose.CONTENT
            )
            setattr(self, attr, key)
        return key

    def _field(self, name: str) -> SealedField:
        field = self._meta.get_field(name)
        if not isinstance(field, SealedField):
            raise TypeError(f"{name} is not a sealed field")
        return field

    def seal(self, name: str, value: str | bytes | None) -> None:
        """Encrypt `value` into the sealed field `name` (empty values stay empty)."""
        field = self._field(name)
        if not value:
            setattr(self, name, b"")
            return
        data = value.encode() if isinstance(value, str) else bytes(value)
        key = self._data_key(field.key_kind, create=True)
        if key is None:
            raise KeyDestroyed(str(self.pk))
        setattr(self, name, seal_bytes(data_key=key, obj=self, field=name, value=data))

    def unseal_bytes(self, name: str, *, actor: Any = None) -> bytes:
        field = self._field(name)
        blob = bytes(getattr(self, name) or b"")
        if not blob:
            return b""
        key = self._data_key(field.key_kind, create=False)
        if key is None:
            _integrity_failure(self, name, actor)
            raise CiphertextError("A sealed value has no data key.")
        try:
            return open_bytes(data_key=key, obj=self, field=name, blob=blob)
        except CiphertextError:
            _integrity_failure(self, name, actor)
            raise

    def unseal(self, name: str, *, actor: Any = None) -> str:
        """Decrypt the sealed field `name`; '' when it is empty or the record was erased."""
        if self.erased_at is not None:
            return ""
        return self.unseal_bytes(name, actor=actor).decode()

    def crypto_erase(self) -> None:
        """Destroy the record's data keys and blank its ciphertext and blind indexes, all
        or nothing (the caller audits). A record under legal hold raises `LegalHold`."""
        with transaction.atomic():
            held = type(self)._default_manager.filter(pk=self.pk, legal_hold=True).exists()
            if self.legal_hold or held:
                raise LegalHold(str(self.pk))
            for kind in ("identity", "content"):
                key = getattr(self, f"{kind}_key")
                if key is not None:
                    data_key_destroy(key)
            updates: dict[str, Any] = {f.name: b"" for f in self.sealed_fields()}
            updates.update({f.name: "" for f in self.blind_index_fields()})
            updates["erased_at"] = timezone.now()
            type(self)._default_manager.filter(pk=self.pk).update(**updates)
        for name, value in updates.items():
            setattr(self, name, value)


def _integrity_failure(obj: models.Model, field: str, actor: Any) -> None:
    from habeas.core import audit

    audit.record(
        actor=actor,
        action="crypto.integrity_failure",
        obj=obj,
        detail={"field": field},
    )


def sealed_models() -> list[type[SealedModel]]:
    """Every concrete model with sealed fields (for rotation, purge and the canary tests)."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, SealedModel) and not model._meta.abstract
    ]
