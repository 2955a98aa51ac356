"""Receipts of the public's channel (¶33; SECURITY.md 12).

A sender gets a receipt of 20 random digits from `secrets` (about 66 bits) when they
send a submission, shown once, grouped in fours. The server keeps only its Argon2id hash,
computed with argon2-cffi's low-level API under one random salt per installation
(`IntakeSettings.receipt_salt`), so that a receipt is found by equality of its hash: one
Argon2 computation and one indexed query per check, whatever the receipt.

The Argon2 parameters below are part of every stored hash: changing them makes every
receipt already given unusable.
"""

from __future__ import annotations

import secrets
import unicodedata

from argon2.low_level import Type, hash_secret_raw
from django.db import IntegrityError, transaction

from habeas.intake.models import IntakeSettings

RECEIPT_DIGITS = 20
GROUP = 4
SALT_BYTES = 16
# OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane). A receipt holds 66 random bits,
# not a password people choose: trying them all is out of reach at any cost, so the cost
# is kept low enough that checking receipts is not itself a way to exhaust the server.
TIME_COST = 2
MEMORY_COST = 19 * 1024  # KiB
PARALLELISM = 1
HASH_BYTES = 32
# Longer input is cut before hashing: it is wrong anyway, and costs the same.
MAX_INPUT_DIGITS = 64


def new_receipt() -> str:
    """20 digits from `secrets`, grouped for reading aloud: "1234 5678 9012 3456 7890"."""
    return format_receipt("".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS)))


def normalise(text: str) -> str:
    """The digits of `text`, in ASCII, and nothing else.

    Spaces, dashes and dots a sender types between groups are dropped, and digits of
    other scripts (Arabic-Indic "٣", Devanagari "३", full-width "３") count as the digit
    they are, so a receipt read out or retyped on another keyboard still matches.
    """
    digits = []
    for char in text or "":
        if unicodedata.category(char) == "Nd":
            digits.append(str(unicodedata.decimal(char)))
    return "".join(digits)


def format_receipt(receipt: str) -> str:
    """The receipt's digits in groups of four, separated by spaces."""
    digits = normalise(receipt)
    return " ".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def is_well_formed(receipt: str) -> bool:
    return len(normalise(receipt)) == RECEIPT_DIGITS


def install_salt() -> bytes:
    """The installation's receipt salt, made once with `secrets` (a race makes one)."""
    salt = IntakeSettings.objects.filter(pk=1).values_list("receipt_salt", flat=True).first()
    if salt:
        return bytes(salt)
    fresh = secrets.token_bytes(SALT_BYTES)
    try:
        with transaction.atomic():
            if salt is None:
                IntakeSettings.objects.create(pk=1, receipt_salt=fresh)
            else:  # a row made without a salt (never by this module)
                IntakeSettings.objects.filter(pk=1, receipt_salt=b"").update(receipt_salt=fresh)
    except IntegrityError:
        pass  # another process made the row first: its salt is the one
    return bytes(IntakeSettings.objects.values_list("receipt_salt", flat=True).get(pk=1))


def receipt_hash(receipt: str) -> str:
    """The Argon2id hash of the receipt's digits under the installation's salt, in hex.

    Exactly one Argon2 computation per call, whatever `receipt` holds: a malformed
    receipt costs the same as a right one.
    """
    digits = normalise(receipt)[:MAX_INPUT_DIGITS]
    raw = hash_secret_raw(
        secret=digits.encode("ascii"),
        salt=install_salt(),
        time_cost=TIME_COST,
        memory_cost=MEMORY_COST,
        parallelism=PARALLELISM,
        hash_len=HASH_BYTES,
        type=Type.ID,
    )
    return raw.hex()
