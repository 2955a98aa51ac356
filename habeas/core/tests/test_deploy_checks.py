"""Deployment checks refuse unsafe configurations (SECURITY.md test 16)."""

from __future__ import annotations

import base64
import secrets

import pytest
from django.test import override_settings

from habeas.core.checks import habeas_deploy_checks


def _ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {error.id for error in habeas_deploy_checks(None)}


def test_it_refuses_debug_and_demo(tmp_path):
    kek = tmp_path / "kek"
    kek.write_text("a-different-key")
    assert "habeas.E001" in _ids(DEBUG=True, HABEAS_KEK_FILE=str(kek))
    assert "habeas.E002" in _ids(HABEAS_DEMO=True, HABEAS_KEK_FILE=str(kek))


def test_it_refuses_a_missing_key_encryption_key(tmp_path):
    assert "habeas.E003" in _ids(HABEAS_KEK_FILE=str(tmp_path / "missing"))
    assert "habeas.E003" in _ids(HABEAS_KEK_FILE="")


def test_it_refuses_a_key_encryption_key_equal_to_the_secret_key(tmp_path):
    kek = tmp_path / "kek"
    kek.write_text("same-secret")
    assert "habeas.E004" in _ids(HABEAS_KEK_FILE=str(kek), SECRET_KEY="same-secret")


def test_it_refuses_a_per_process_cache(tmp_path):
    kek = tmp_path / "kek"
    kek.write_text("k")
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "habeas.E005" in _ids(HABEAS_KEK_FILE=str(kek), CACHES=caches)


def test_it_refuses_a_configuration_without_csrf_protection(tmp_path):
    from django.conf import settings

    kek = tmp_path / "kek"
    kek.write_text("k")
    middleware = [m for m in settings.MIDDLEWARE if "csrf" not in m]
    assert "habeas.E007" in _ids(HABEAS_KEK_FILE=str(kek), MIDDLEWARE=middleware)


def test_it_passes_a_sound_configuration(tmp_path):
    kek = tmp_path / "kek"
    kek.write_text(_good_key())
    previous = tmp_path / "previous-kek"
    previous.write_text(_good_key())
    assert _ids(HABEAS_KEK_FILE=str(kek), DEBUG=False, HABEAS_DEMO=False) == set()
    assert (
        _ids(
            HABEAS_KEK_FILE=str(kek),
            HABEAS_KEK_PREVIOUS_FILES=[str(previous)],
            DEBUG=False,
            HABEAS_DEMO=False,
        )
        == set()
    )


def _good_key(size: int = 32) -> str:
    return base64.b64encode(secrets.token_bytes(size)).decode() + "\n"


@pytest.mark.parametrize(
    "content",
    [
        "k",  # not base64 at all
        "not base64!" * 4,
        base64.b64encode(secrets.token_bytes(16)).decode(),  # too short: AES-128
        base64.b64encode(secrets.token_bytes(64)).decode(),  # too long
        base64.b64encode(secrets.token_bytes(32)).decode()[:-2],  # truncated by a copy
        secrets.token_hex(32),  # 32 bytes, but in hex: decodes to 48 bytes of nonsense
        "",
    ],
    # Named, not shown: random keys would give each run (and each parallel worker) other
    # test ids.
    ids=["one-letter", "not-base64", "16-bytes", "64-bytes", "truncated", "hex", "empty"],
)
def test_it_refuses_a_key_encryption_key_that_is_not_32_bytes_of_base64(tmp_path, content):
    kek = tmp_path / "kek"
    kek.write_text(content)
    assert "habeas.E008" in _ids(HABEAS_KEK_FILE=str(kek), DEBUG=False, HABEAS_DEMO=False)


def test_it_refuses_a_malformed_previous_key_encryption_key(tmp_path):
    kek = tmp_path / "kek"
    kek.write_text(_good_key())
    previous = tmp_path / "previous-kek"
    previous.write_text(_good_key(16))
    ids = _ids(HABEAS_KEK_FILE=str(kek), HABEAS_KEK_PREVIOUS_FILES=[str(previous)])
    assert "habeas.E008" in ids
    missing = str(tmp_path / "missing")
    assert "habeas.E008" in _ids(HABEAS_KEK_FILE=str(kek), HABEAS_KEK_PREVIOUS_FILES=[missing])


def test_a_missing_key_is_e003_alone_not_also_malformed(tmp_path):
    ids = _ids(HABEAS_KEK_FILE=str(tmp_path / "missing"), DEBUG=False, HABEAS_DEMO=False)
    assert ids == {"habeas.E003"}
