"""Key rotation (SECURITY.md test 8): `manage.py rotate_keys`.

Killed midway (SIGKILL) and run again, it completes; no record is unreadable at any
point; afterwards every sealed value of every sealed model opens with the new
key-encryption key alone.
"""

from __future__ import annotations

import base64
import io
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from habeas.cases import services as case_services
from habeas.cases.models import Case
from habeas.core import crypto
from habeas.core.models import AuditEvent, DataKey
from habeas.core.tests.test_no_plaintext_at_rest import (
    Planter,
    expected,
    reopen_all,
    shared_database,
    subprocess_env,
)

MANAGE = [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py"), "rotate_keys"]


def _key_file(path: Path) -> str:
    path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return str(path)


@pytest.fixture
def keks(tmp_path, settings):
    def use(current: str, *previous: str) -> None:
        settings.HABEAS_KEK_FILE = current
        settings.HABEAS_KEK_PREVIOUS_FILES = list(previous)
        crypto.reset_caches()

    ring = SimpleNamespace(
        old=_key_file(tmp_path / "old.key"),
        new=_key_file(tmp_path / "new.key"),
        stray=_key_file(tmp_path / "stray.key"),
        use=use,
    )
    ring.old_id = crypto._read_kek(ring.old).id
    ring.new_id = crypto._read_kek(ring.new).id
    use(ring.old)
    yield ring
    crypto.reset_caches()


def _erased_case(actor) -> Case:
    case = case_services.case_create(
        actor=actor,
        data={"kind": Case.Kind.TORTURE, "source": Case.Source.NGO, "acts": "erased testimony"},
    )
    case.crypto_erase()
    return case


def _live() -> dict[str, int]:
    keys = DataKey.objects.filter(destroyed_at__isnull=True)
    return {kek_id: keys.filter(kek_id=kek_id).count() for kek_id in {k.kek_id for k in keys}}


def _run(*options: str) -> tuple[str, AuditEvent]:
    out = io.StringIO()
    call_command("rotate_keys", *options, stdout=out)
    return out.getvalue(), AuditEvent.objects.filter(action="crypto.rotate_keys").latest("id")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_midway_and_run_again_it_finishes_and_nothing_is_ever_unreadable(
    keks, personas, tmp_path
):
    planter = Planter(personas["head"])
    planted = planter.plant_everything()
    erased = _erased_case(personas["head"])
    erased_keys = {erased.identity_key_id, erased.content_key_id} - {None}
    total = DataKey.objects.filter(destroyed_at__isnull=True).count()
    assert total >= 10 and _live() == {keks.old_id: total}

    keks.use(keks.new, keks.old)  # the application restarted with the new key first
    with shared_database(tmp_path) as database:
        env = subprocess_env(database, HABEAS_KEK_FILE=keks.new, HABEAS_KEK_PREVIOUS_FILES=keks.old)
        slow = subprocess.Popen(  # noqa: S603
            [*MANAGE, "--batch-size", "2", "--pause", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen = []
        assert slow.stdout is not None
        for line in slow.stdout:
            seen.append(line)
            if line.startswith("Re-wrapped "):
                break
        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=30)
        assert slow.returncode == -signal.SIGKILL, (seen, slow.stderr and slow.stderr.read())
        assert seen[-1].startswith("Re-wrapped 2 of "), seen

        # Killed midway: some keys under the new KEK, the rest under the old one, and
        # every record opens, with both configured as during the rotation.
        midway = _live()
        assert 0 < midway.get(keks.new_id, 0) < total, midway
        assert set(midway) == {keks.old_id, keks.new_id}
        assert reopen_all(planted) == expected(planted)
        assert not AuditEvent.objects.filter(action="crypto.rotate_keys").exists()

        again = subprocess.run(  # noqa: S603
            [*MANAGE, "--batch-size", "3"], env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, again.stderr
        assert "Re-wrapping" in again.stdout and "0 could not be opened" in again.stdout
        assert f"re-wrapped 3 of {total - midway[keks.new_id]}" in again.stdout.lower()

        # Done: every live key under the new KEK, and the old KEK is no longer needed.
        assert _live() == {keks.new_id: total}
        keks.use(keks.new)
        assert reopen_all(planted) == expected(planted)
        case = planter.records[Case]
        victim = next(p.canary for p in planted if p.record is case and p.field == "victim")
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.victim_index == crypto.blind_index(victim, domain=case_services.NAME_DOMAIN)

        # The erased case stays erased: its keys were not brought back.
        for key in DataKey.objects.filter(pk__in=erased_keys):
            assert key.destroyed_at is not None and bytes(key.wrapped) == b""
        assert Case.objects.get(pk=erased.pk).unseal("acts") == ""

        # One audit event, for the run that finished, with counts and no key.
        (event,) = AuditEvent.objects.filter(action="crypto.rotate_keys")
        assert event.detail["rewrapped"] == total - midway[keks.new_id]
        assert event.detail["left"] == 0 and event.detail["unreadable"] == 0
        assert event.detail["kek"] == keks.new_id
        for key in DataKey.objects.exclude(wrapped=b""):
            wrapped = bytes(key.wrapped)
            assert base64.b64encode(wrapped).decode() not in str(event.detail)
            assert wrapped.hex() not in str(event.detail)
        for path in (keks.old, keks.new):
            assert Path(path).read_text().strip() not in str(event.detail)


@pytest.mark.django_db
def test_a_dry_run_counts_and_checks_but_changes_nothing(keks, personas):
    planter = Planter(personas["head"])
    planted = planter.plant_everything()
    total = DataKey.objects.filter(destroyed_at__isnull=True).count()
    before = {k.pk: bytes(k.wrapped) for k in DataKey.objects.all()}
    keks.use(keks.new, keks.old)

    output, event = _run("--dry-run")

    assert f"Dry run: {total} data keys would be re-wrapped; 0 cannot be opened." in output
    assert f"{total} data keys under {keks.old_id} (configured)" in output
    assert {k.pk: bytes(k.wrapped) for k in DataKey.objects.all()} == before
    assert event.detail == {
        "dry_run": True,
        "kek": keks.new_id,
        "to_rewrap": total,
        "unreadable": 0,
    }
    keks.use(keks.old)
    assert reopen_all(planted) == expected(planted)


@pytest.mark.django_db
def test_a_key_under_a_kek_that_is_not_configured_is_reported_and_the_rest_rotated(keks, personas):
    planted = Planter(personas["head"]).plant_everything()
    keks.use(keks.stray)
    lost = case_services.case_create(
        actor=personas["head"],
        data={"kind": Case.Kind.TORTURE, "source": Case.Source.NGO, "acts": "under a lost key"},
    )
    keks.use(keks.new, keks.old)  # the stray KEK is missing from the configuration

    with pytest.raises(CommandError, match="1 data keys could not be opened"):
        _run()
    event = AuditEvent.objects.filter(action="crypto.rotate_keys").latest("id")
    assert event.detail["unreadable"] == 1
    lost_key = DataKey.objects.get(pk=Case.objects.get(pk=lost.pk).content_key_id)
    assert lost_key.kek_id != keks.new_id  # left as it was, to be rotated once found
    assert _live()[keks.new_id] == DataKey.objects.filter(destroyed_at__isnull=True).count() - 1

    keks.use(keks.new)
    assert reopen_all(planted) == expected(planted)
    with pytest.raises(crypto.CiphertextError):
        Case.objects.get(pk=lost.pk).unseal("acts")

    # With the stray key found and listed, a second run finishes the job.
    keks.use(keks.new, keks.stray)
    output, _ = _run()
    assert "Re-wrapped 1 of 1 data keys." in output
    keks.use(keks.new)
    assert Case.objects.get(pk=lost.pk).unseal("acts") == "under a lost key"


@pytest.mark.django_db
def test_a_second_run_has_nothing_to_do(keks, personas):
    Planter(personas["head"]).plant_everything()
    keks.use(keks.new, keks.old)
    _run()
    output, event = _run()
    assert "Re-wrapping 0 data keys" in output and "Every data key is under" in output
    assert event.detail["rewrapped"] == 0


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("rotate_keys", "--batch-size", "0", stdout=io.StringIO())
