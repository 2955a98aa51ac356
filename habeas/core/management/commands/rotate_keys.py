"""Re-wrap every live data key under the current key-encryption key (SECURITY.md test 8).

Run it after pointing `HABEAS_KEK_FILE` at a new key and listing the old one(s) in
`HABEAS_KEK_PREVIOUS_FILES` (and restarting the application, so that new data keys are
wrapped by the new key). Only data keys change: the sealed values stay as they are,
since the data keys themselves do not change.

Each batch is committed on its own and every row is written only if it still holds what
was read, so the command can be killed at any moment and run again: a key is always
wrapped either by the old KEK or by the new one, both of which are configured, and no
record is unreadable at any point. Once it reports that nothing is left under an older
key, the previous KEK files can be removed from the settings.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count

from habeas.core import audit, crypto
from habeas.core.models import DataKey

MAX_PASSES = 3


class Command(BaseCommand):
    help = "Re-wrap every data key under the current key-encryption key (HABEAS_KEK_FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the data keys to re-wrap and check that each opens; change nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            help="Data keys re-wrapped per transaction (default 200).",
        )
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="Seconds to wait between batches, to spare a busy database (default 0).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        crypto.reset_caches()
        kek, ring = crypto.keyring()
        todo = DataKey.objects.filter(destroyed_at__isnull=True).exclude(kek_id=kek.id)
        if options["dry_run"]:
            self._dry_run(todo, kek, ring)
            return
        self._rotate(todo, kek, batch_size, options["pause"])

    def _dry_run(self, todo: Any, kek: crypto.Kek, ring: dict[str, crypto.Kek]) -> None:
        total = todo.count()
        current = DataKey.objects.filter(destroyed_at__isnull=True, kek_id=kek.id).count()
        self.stdout.write(f"Current key-encryption key: {kek.id}.")
        self.stdout.write(f"{current} data keys are already under it.")
        for row in todo.values("kek_id").annotate(n=Count("id")).order_by("kek_id"):
            known = "configured" if row["kek_id"] in ring else "NOT CONFIGURED"
            self.stdout.write(f"{row['n']} data keys under {row['kek_id']} ({known}).")
        unreadable = 0
        for data_key in todo.order_by("pk").iterator(chunk_size=500):
            try:
                crypto.unwrap(data_key)
            except crypto.CiphertextError:
                unreadable += 1
        audit.record(
            actor=None,
            action="crypto.rotate_keys",
            detail={"dry_run": True, "kek": kek.id, "to_rewrap": total, "unreadable": unreadable},
        )
        self.stdout.write(
            f"Dry run: {total} data keys would be re-wrapped; {unreadable} cannot be opened."
        )
        if unreadable:
            raise CommandError(
                f"{unreadable} data keys cannot be opened with the configured keys: "
                "add the key-encryption key that wrapped them to HABEAS_KEK_PREVIOUS_FILES."
            )

    def _rotate(self, todo: Any, kek: crypto.Kek, batch_size: int, pause: float) -> None:
        total = todo.count()
        self.stdout.write(f"Re-wrapping {total} data keys under key-encryption key {kek.id}.")
        self.stdout.flush()
        rewrapped = skipped = 0
        failed: set[Any] = set()
        for _ in range(MAX_PASSES):
            # Keys made meanwhile by a process still on the old key are caught by a new pass.
            done_in_pass = 0
            last = None
            while True:
                page = todo.order_by("pk")
                if last is not None:
                    page = page.filter(pk__gt=last)
                batch = list(page[:batch_size])
                if not batch:
                    break
                with transaction.atomic():
                    for data_key in batch:
                        try:
                            changed = crypto.data_key_rewrap(data_key)
                        except crypto.CiphertextError:
                            failed.add(data_key.pk)
                            continue
                        except crypto.KeyDestroyed:
                            changed = False
                        rewrapped += changed
                        skipped += not changed
                        done_in_pass += changed
                last = batch[-1].pk
                self.stdout.write(f"Re-wrapped {rewrapped} of {total} data keys.")
                self.stdout.flush()
                if pause:
                    time.sleep(pause)
            if not done_in_pass or not todo.exclude(pk__in=failed).exists():
                break
        left = todo.count()
        audit.record(
            actor=None,
            action="crypto.rotate_keys",
            detail={
                "dry_run": False,
                "kek": kek.id,
                "rewrapped": rewrapped,
                "skipped": skipped,
                "unreadable": len(failed),
                "left": left,
            },
        )
        self.stdout.write(
            f"Done: {rewrapped} data keys re-wrapped, {skipped} changed meanwhile by another "
            f"process, {len(failed)} could not be opened, {left} left under an older key."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} data keys could not be opened with the configured keys; keep "
                "the previous key-encryption keys and add the one that wrapped them to "
                "HABEAS_KEK_PREVIOUS_FILES, then run rotate_keys again."
            )
        if left:
            raise CommandError(
                f"{left} data keys are still under an older key (made while this ran by a "
                "process not yet restarted with the new key?): run rotate_keys again."
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Every data key is under the current key-encryption key. You may now remove "
                "HABEAS_KEK_PREVIOUS_FILES; keep the old key files, offline, until every "
                "backup made before today has expired."
            )
        )
