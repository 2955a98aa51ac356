"""The encryption layer (ARCHITECTURE.md rule 4; SECURITY.md tests 7 and 20).

Round trips (property-based), ciphertext integrity (a flipped byte, swapped ciphertexts,
a tampered or misplaced wrapped key: an error, audited, with no partial plaintext),
crypto-erasure, and the blind index (normalisation and domain separation).
"""

from __future__ import annotations

import base64
import secrets
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from habeas.cases import services as case_services
from habeas.cases.models import Case
from habeas.core import crypto
from habeas.core.models import AuditEvent, DataKey

NAME = case_services.NAME_DOMAIN
PROPERTY = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _key_file(path: Path, size: int = 32) -> str:
    path.write_text(base64.b64encode(secrets.token_bytes(size)).decode() + "\n")
    return str(path)


@pytest.fixture
def keks(tmp_path, settings):
    """Two KEK files, the first in use; `keks.use(current, *previous)` swaps them."""

    def use(current: str, *previous: str) -> None:
        settings.HABEAS_KEK_FILE = current
        settings.HABEAS_KEK_PREVIOUS_FILES = list(previous)
        crypto.reset_caches()

    ring = SimpleNamespace(
        old=_key_file(tmp_path / "old.key"), new=_key_file(tmp_path / "new.key"), use=use
    )
    use(ring.old)
    yield ring
    crypto.reset_caches()


@pytest.fixture
def case(keks, personas):
    return case_services.case_create(
        actor=personas["head"],
        data={
            "kind": Case.Kind.TORTURE,
            "source": Case.Source.PRIVATE_INTERVIEW,
            "victim": "Samir Haddad",
            "witnesses": "Cellmate in block C",
            "acts": "Beaten with a baton during the night count.",
            "circumstances": "Block C, second floor",
        },
    )


def _other_case(personas) -> Case:
    return case_services.case_create(
        actor=personas["head"],
        data={
            "kind": Case.Kind.ILL_TREATMENT,
            "source": Case.Source.NGO,
            "victim": "Leila Mansour",
            "acts": "Denied water for two days.",
        },
    )


def _reload(record: Case) -> Case:
    return Case.objects.get(pk=record.pk)


def _stored(record: Case, name: str) -> bytes:
    return bytes(getattr(_reload(record), name))


def _put(record: Case, **values: bytes) -> Case:
    Case.objects.filter(pk=record.pk).update(**values)
    return _reload(record)


def _failures(record: Case) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="crypto.integrity_failure", object_id=str(record.pk))
    )


# -- round trips ------------------------------------------------------------------------


@pytest.mark.django_db
@PROPERTY
@given(text=st.text(max_size=300))
@example(text="سمير حداد، زنزانة ٤")
@example(text="👮‍♂️🔒 Zelle 4 — Ärztin: Dr. Öztürk")
@example(text="\x00 nul and \ufeff bom")
def test_any_text_comes_back_whole_through_the_database(case, personas, text):
    case.seal("acts", text)
    Case.objects.filter(pk=case.pk).update(acts=case.acts)
    assert _reload(case).unseal("acts", actor=personas["head"]) == text


@pytest.mark.django_db
@PROPERTY
@given(data=st.binary(max_size=4096))
def test_any_bytes_come_back_whole(case, data):
    case.seal("circumstances", data)
    Case.objects.filter(pk=case.pk).update(circumstances=case.circumstances)
    assert _reload(case).unseal_bytes("circumstances") == data


@pytest.mark.django_db
def test_the_same_value_sealed_twice_gives_two_ciphertexts(case):
    """Equal plaintexts must not show as equal ciphertexts (fresh nonce each time)."""
    first = _stored(case, "acts")
    case.seal("acts", "Beaten with a baton during the night count.")
    assert bytes(case.acts) != first
    assert b"baton" not in first


@pytest.mark.django_db
def test_empty_values_stay_empty_and_need_no_key(keks, personas):
    record = case_services.case_create(
        actor=personas["head"], data={"kind": Case.Kind.TORTURE, "source": Case.Source.NGO}
    )
    assert _stored(record, "victim") == b""
    assert _reload(record).unseal("victim") == ""


# -- integrity ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["format", "nonce", "first byte", "middle", "tag", "last"])
def test_a_flipped_byte_is_refused_audited_and_gives_nothing(case, personas, where):
    blob = bytearray(_stored(case, "acts"))
    position = {
        "format": 0,
        "nonce": 5,
        "first byte": 13,
        "middle": len(blob) // 2,
        "tag": len(blob) - 8,
        "last": len(blob) - 1,
    }[where]
    blob[position] ^= 0x01
    tampered = _put(case, acts=bytes(blob))
    reader = personas["head"]

    with pytest.raises(crypto.CiphertextError) as caught:
        tampered.unseal("acts", actor=reader)

    # Nothing of the plaintext in the error, its cause, or the audit event.
    assert "baton" not in repr(caught.value) and "baton" not in repr(caught.value.__cause__)
    (event,) = _failures(case)
    assert event.actor == reader
    assert event.object_type == "cases.case"
    assert event.detail == {"field": "acts"}
    # The other fields of the record are unharmed.
    assert tampered.unseal("circumstances") == "Block C, second floor"


@pytest.mark.django_db
def test_a_truncated_ciphertext_is_refused(case):
    for cut in (1, 16, 29, len(_stored(case, "acts")) - 1):
        tampered = _put(case, acts=_stored(case, "acts")[:cut])
        with pytest.raises(crypto.CiphertextError):
            tampered.unseal("acts")


@pytest.mark.django_db
def test_ciphertexts_swapped_between_fields_are_refused(case):
    """victim and witnesses are under the same data key: only the associated data
    (table:field:pk) tells them apart."""
    victim, witnesses = _stored(case, "victim"), _stored(case, "witnesses")
    swapped = _put(case, victim=witnesses, witnesses=victim)
    for name in ("victim", "witnesses"):
        with pytest.raises(crypto.CiphertextError):
            swapped.unseal(name)
    assert {e.detail["field"] for e in _failures(case)} == {"victim", "witnesses"}


@pytest.mark.django_db
def test_ciphertexts_swapped_between_rows_are_refused_even_with_their_keys(case, personas):
    other = _other_case(personas)
    mine, theirs = _stored(case, "acts"), _stored(other, "acts")
    # The ciphertext alone, and the ciphertext with the data key it was sealed under.
    moved = _put(case, acts=theirs)
    with pytest.raises(crypto.CiphertextError):
        moved.unseal("acts")
    moved = _put(case, acts=theirs, content_key=_reload(other).content_key)
    with pytest.raises(crypto.CiphertextError):
        moved.unseal("acts")
    with pytest.raises(crypto.CiphertextError):
        _put(other, acts=mine).unseal("acts")


@pytest.mark.django_db
def test_identity_and_content_keys_swapped_are_refused(case):
    record = _reload(case)
    swapped = _put(case, identity_key=record.content_key, content_key=record.identity_key)
    for name in ("victim", "acts"):
        with pytest.raises(crypto.CiphertextError):
            swapped.unseal(name)


@pytest.mark.django_db
def test_a_tampered_wrapped_data_key_is_refused_and_audited(case, personas):
    key = _reload(case).content_key
    wrapped = bytearray(bytes(key.wrapped))
    wrapped[20] ^= 0x80
    DataKey.objects.filter(pk=key.pk).update(wrapped=bytes(wrapped))
    with pytest.raises(crypto.CiphertextError):
        _reload(case).unseal("acts", actor=personas["head"])
    assert [e.detail for e in _failures(case)] == [{"field": "acts"}]
    # Identities are under the other key, untouched.
    assert _reload(case).unseal("victim") == "Samir Haddad"


@pytest.mark.django_db
def test_a_wrapped_data_key_copied_onto_another_key_is_refused(case, personas):
    """The wrapping is bound to the data key's id and purpose."""
    other = _reload(_other_case(personas))
    mine = _reload(case)
    DataKey.objects.filter(pk=mine.content_key_id).update(wrapped=other.content_key.wrapped)
    with pytest.raises(crypto.CiphertextError):
        _reload(case).unseal("acts")
    DataKey.objects.filter(pk=mine.identity_key_id).update(
        wrapped=mine.content_key.wrapped, purpose=DataKey.Purpose.IDENTITY
    )
    with pytest.raises(crypto.CiphertextError):
        _reload(case).unseal("victim")


@pytest.mark.django_db
def test_a_data_key_under_an_unknown_kek_is_refused(case, keks):
    keks.use(keks.new)  # the old KEK is gone from the configuration
    with pytest.raises(crypto.CiphertextError, match="not configured"):
        _reload(case).unseal("acts")


@pytest.mark.django_db
def test_a_sealed_value_without_its_data_key_is_refused(case):
    orphan = _put(case, content_key=None)
    with pytest.raises(crypto.CiphertextError):
        orphan.unseal("acts")
    assert len(_failures(case)) == 1


# -- crypto-erasure -----------------------------------------------------------------------


@pytest.mark.django_db
def test_crypto_erasure_destroys_keys_ciphertext_and_fingerprints(case):
    record = _reload(case)
    assert record.victim_index
    keys = [record.identity_key_id, record.content_key_id]
    record.crypto_erase()

    erased = _reload(case)
    assert erased.erased_at is not None
    assert erased.victim_index == ""
    assert all(bytes(getattr(erased, f.name)) == b"" for f in Case.sealed_fields())
    assert erased.unseal("victim") == "" and erased.unseal("acts") == ""
    for key in DataKey.objects.filter(pk__in=keys):
        assert bytes(key.wrapped) == b"" and key.destroyed_at is not None
    with pytest.raises(crypto.KeyDestroyed):
        erased.seal("acts", "new testimony into an erased record")


@pytest.mark.django_db
def test_a_restored_copy_of_erased_ciphertext_stays_unreadable(case):
    """A backup of the case row, restored after erasure, meets destroyed keys."""
    backup = {f.name: _stored(case, f.name) for f in Case.sealed_fields()}
    _reload(case).crypto_erase()
    restored = _put(case, **backup)
    Case.objects.filter(pk=case.pk).update(erased_at=None)
    restored = _reload(case)
    with pytest.raises(crypto.KeyDestroyed):
        restored.unseal("acts")
    with pytest.raises(crypto.KeyDestroyed):
        restored.unseal_bytes("victim")


@pytest.mark.django_db
def test_an_old_copy_of_a_wrapped_key_opens_until_its_kek_is_retired(case, keks):
    """What crypto-erasure reaches, and when (docs/admin/install.md, Keys): a backup of
    the data-key table still opens with the KEK that wrapped it; once every key has been
    re-wrapped under a new KEK and the old one is retired, it no longer does."""
    backup = {k.pk: (k.kek_id, bytes(k.wrapped)) for k in DataKey.objects.all()}
    backup_acts = _stored(case, "acts")
    _reload(case).crypto_erase()

    def restore() -> Case:
        for pk, (kek_id, wrapped) in backup.items():
            DataKey.objects.filter(pk=pk).update(kek_id=kek_id, wrapped=wrapped, destroyed_at=None)
        Case.objects.filter(pk=case.pk).update(acts=backup_acts, erased_at=None)
        return _reload(case)

    assert restore().unseal("acts") == "Beaten with a baton during the night count."
    _reload(case).crypto_erase()

    keks.use(keks.new, keks.old)
    for key in DataKey.objects.filter(destroyed_at__isnull=True):
        crypto.data_key_rewrap(key)
    keks.use(keks.new)  # the old KEK is retired
    with pytest.raises(crypto.CiphertextError):
        restore().unseal("acts")


@pytest.mark.django_db
def test_a_record_under_legal_hold_is_not_erased(case):
    Case.objects.filter(pk=case.pk).update(legal_hold=True)
    with pytest.raises(crypto.LegalHold):
        _reload(case).crypto_erase()
    # In-memory copy not yet aware of the hold: the database is asked too.
    with pytest.raises(crypto.LegalHold):
        case.crypto_erase()
    assert _reload(case).unseal("acts") == "Beaten with a baton during the night count."
    assert not DataKey.objects.filter(destroyed_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_rotation_that_read_a_key_before_it_was_destroyed_does_not_bring_it_back(case, keks):
    stale = DataKey.objects.get(pk=_reload(case).content_key_id)
    _reload(case).crypto_erase()
    keks.use(keks.new, keks.old)
    assert crypto.data_key_rewrap(stale) is False
    key = DataKey.objects.get(pk=stale.pk)
    assert bytes(key.wrapped) == b"" and key.destroyed_at is not None


@pytest.mark.django_db
def test_rewrapping_keeps_every_value_readable_under_the_new_kek_alone(case, keks):
    keks.use(keks.new, keks.old)
    keys = list(DataKey.objects.all())
    assert all(crypto.data_key_rewrap(key) for key in keys)
    assert not any(crypto.data_key_rewrap(key) for key in keys)  # already done
    keks.use(keks.new)
    record = _reload(case)
    assert record.unseal("victim") == "Samir Haddad"
    assert record.unseal("acts") == "Beaten with a baton during the night count."
    assert record.victim_index == crypto.blind_index("samir  HADDAD", domain=NAME)


# -- the key-encryption key -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    ["", "k", base64.b64encode(b"x" * 16).decode(), base64.b64encode(b"x" * 33).decode(), "é"],
)
def test_a_malformed_kek_is_refused(tmp_path, content):
    path = tmp_path / "kek"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(crypto.ImproperlyConfigured, match="32 random bytes"):
        crypto._read_kek(str(path))


def test_a_missing_development_kek_is_made_once_and_private(tmp_path, settings):
    settings.HABEAS_ENV = "test"
    path = tmp_path / "var" / "kek.key"
    crypto._ensure_development_kek(str(path))
    first = path.read_text()
    crypto._ensure_development_kek(str(path))
    assert path.read_text() == first
    assert len(base64.b64decode(first.strip(), validate=True)) == 32
    assert path.stat().st_mode & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == ["kek.key"]  # no draft left behind


def test_production_never_makes_a_kek(tmp_path, settings):
    settings.HABEAS_ENV = "production"
    path = tmp_path / "kek.key"
    crypto._ensure_development_kek(str(path))
    assert not path.exists()


# -- blind index ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Samir Haddad", "samir haddad"),
        ("  SAMIR   HADDAD ", "Samir Haddad"),
        ("Samir\tHaddad\n", "samir haddad"),
        ("Ｓａｍｉｒ Ｈａｄｄａｄ", "Samir Haddad"),  # full-width forms (NFKC)
        ("Ǆemal", "DŽEMAL"),  # a compatibility digraph
        ("Straße", "STRASSE"),  # case folding, not lower-casing
        ("Jose\u0301", "José"),  # combining accent vs precomposed
        ("سمير  حداد", "سمير حداد"),
        ("ﻙ", "ك"),  # Arabic presentation form
    ],
)
def test_the_blind_index_ignores_case_spacing_and_compatibility_forms(keks, typed, stored):
    assert crypto.blind_index(typed, domain=NAME) == crypto.blind_index(stored, domain=NAME)


@pytest.mark.django_db
def test_the_blind_index_tells_different_names_apart(keks):
    assert crypto.blind_index("Samir Haddad", domain=NAME) != crypto.blind_index(
        "Samira Haddad", domain=NAME
    )
    assert crypto.blind_index("José", domain=NAME) != crypto.blind_index("Jose", domain=NAME)
    assert crypto.blind_index("   ", domain=NAME) == "" == crypto.blind_index("", domain=NAME)


@pytest.mark.django_db
def test_the_blind_index_is_domain_separated_and_keyed(keks):
    value = "A-1234"
    as_name = crypto.blind_index(value, domain="person-name")
    as_number = crypto.blind_index(value, domain="prison-number")
    assert as_name != as_number
    # Not a plain hash: without the key nobody can compute it from a guess.
    import hashlib

    assert as_name != hashlib.sha256(f"person-name\x00{value.casefold()}".encode()).hexdigest()
    assert len(as_name) == 64 and value.lower() not in as_name


@pytest.mark.django_db
@PROPERTY
@given(text=st.text(max_size=60))
@example(text="Weiß\u0301")  # folding "ß" gives "ss", and "s" + accent composes anew
@example(text="\u1f88 \u0345")
def test_normalising_is_idempotent_and_the_index_follows_it(keks, text):
    once = crypto.normalise(text)
    assert crypto.normalise(once) == once
    assert unicodedata.is_normalized("NFKC", once)
    assert crypto.blind_index(text, domain=NAME) == crypto.blind_index(once, domain=NAME)


@pytest.mark.django_db
@PROPERTY
@given(text=st.text(alphabet=st.characters(codec="ascii", categories=["L", "Zs"]), max_size=40))
def test_case_and_spacing_never_make_a_new_person(keks, text):
    assert crypto.blind_index(text.swapcase(), domain=NAME) == crypto.blind_index(
        f"  {text}  ", domain=NAME
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_blind_index_key_made_in_a_rolled_back_transaction_is_not_kept(keks):
    """The process must not go on fingerprinting with a key that never reached the database."""

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        inside = crypto.blind_index("Samir Haddad", domain=NAME)
        raise Abort
    assert not DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).exists()
    after = crypto.blind_index("Samir Haddad", domain=NAME)
    assert DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).count() == 1
    crypto.reset_caches()
    assert crypto.blind_index("Samir Haddad", domain=NAME) == after
    assert inside != after  # a fresh key was made: the rolled-back one was forgotten


@pytest.mark.django_db
def test_the_blind_index_key_is_one_and_survives_a_restart(keks):
    first = crypto.blind_index("Samir Haddad", domain=NAME)
    crypto.reset_caches()
    assert crypto.blind_index("Samir Haddad", domain=NAME) == first
    assert DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).count() == 1
