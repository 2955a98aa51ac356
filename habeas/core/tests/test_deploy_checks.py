"""Deployment checks refuse unsafe configurations (SECURITY.md test 16)."""

from __future__ import annotations

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
    kek.write_text("k")
    assert _ids(HABEAS_KEK_FILE=str(kek), DEBUG=False, HABEAS_DEMO=False) == set()
