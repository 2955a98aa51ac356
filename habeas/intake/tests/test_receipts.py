"""Receipts (SECURITY.md 12, 20): at least 16 digits from `secrets`, stored only as an
Argon2id hash; a right and a wrong receipt cost the same and a wrong one reveals nothing."""

from __future__ import annotations

import base64
import time
from collections import Counter
from typing import Any

import pytest
from argon2.low_level import Type, hash_secret, verify_secret
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from habeas.intake import receipts, services, throttle
from habeas.intake.models import IntakeSettings, Submission
from habeas.intake.tests.factories import make_submission

DIGITS = st.text(alphabet="0123456789", min_size=receipts.RECEIPT_DIGITS, max_size=20)
SEPARATORS = st.text(alphabet=" -.\u00a0\t/_", max_size=3)
# Digits of other scripts a sender may type: Arabic-Indic, Extended Arabic-Indic,
# Devanagari, full-width.
SCRIPTS = ("٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९", "０１２３４５６７８９")


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every Argon2 computation the receipts make (the real one, counted)."""
    calls: list[bytes] = []
    real = receipts.hash_secret_raw

    def counted(**kwargs: Any) -> bytes:
        calls.append(kwargs["secret"])
        return real(**kwargs)

    monkeypatch.setattr(receipts, "hash_secret_raw", counted)
    return calls


def test_a_receipt_is_twenty_digits_grouped_in_fours():
    receipt = receipts.new_receipt()
    groups = receipt.split(" ")
    assert [len(group) for group in groups] == [4, 4, 4, 4, 4]
    assert receipts.normalise(receipt).isdigit() and len(receipts.normalise(receipt)) == 20


def test_receipts_are_random_in_every_position():
    drawn = [receipts.normalise(receipts.new_receipt()) for _ in range(2000)]
    assert len(set(drawn)) == len(drawn)
    for position in range(receipts.RECEIPT_DIGITS):
        seen = Counter(receipt[position] for receipt in drawn)
        assert set(seen) == set("0123456789"), position
        assert max(seen.values()) < 300, f"position {position} is biased: {seen}"


@given(digits=DIGITS)
def test_formatting_and_normalising_round_trip(digits):
    shown = receipts.format_receipt(digits)
    assert receipts.normalise(shown) == digits
    assert receipts.format_receipt(shown) == shown
    assert receipts.is_well_formed(shown)


@given(digits=DIGITS, cuts=st.lists(st.tuples(st.integers(0, 20), SEPARATORS), max_size=8))
def test_spaces_and_dashes_typed_anywhere_are_ignored(digits, cuts):
    typed = digits
    for where, separator in sorted(cuts, reverse=True):
        typed = typed[:where] + separator + typed[where:]
    assert receipts.normalise(typed) == digits


@given(digits=DIGITS, script=st.sampled_from(SCRIPTS))
def test_digits_of_other_scripts_count_as_the_same_digits(digits, script):
    typed = "".join(script[int(d)] for d in digits)
    assert receipts.normalise(typed) == digits


@given(text=st.text(max_size=60))
def test_normalise_keeps_only_ascii_digits(text):
    assert all(char in "0123456789" for char in receipts.normalise(text))


@pytest.mark.django_db
def test_the_salt_is_random_made_once_and_kept():
    assert not IntakeSettings.objects.exists()
    salt = receipts.install_salt()
    assert len(salt) == receipts.SALT_BYTES and salt != bytes(receipts.SALT_BYTES)
    assert receipts.install_salt() == salt
    assert IntakeSettings.objects.count() == 1


@pytest.mark.django_db
@settings(max_examples=3, deadline=None)
@given(digits=DIGITS)
def test_the_stored_hash_is_argon2id_of_the_digits_under_the_salt(digits):
    stored = receipts.receipt_hash(receipts.format_receipt(digits))
    salt = receipts.install_salt()
    encoded = hash_secret(
        digits.encode(),
        salt,
        time_cost=receipts.TIME_COST,
        memory_cost=receipts.MEMORY_COST,
        parallelism=receipts.PARALLELISM,
        hash_len=receipts.HASH_BYTES,
        type=Type.ID,
    )
    assert encoded.startswith(b"$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_secret(encoded, digits.encode(), Type.ID)
    raw = encoded.rsplit(b"$", 1)[1]
    assert stored == base64.b64decode(raw + b"=" * (-len(raw) % 4)).hex()


@pytest.mark.django_db
def test_the_receipt_itself_is_stored_nowhere_in_the_submission():
    submission, receipt = make_submission()
    digits = receipts.normalise(receipt)
    row = Submission.objects.filter(pk=submission.pk).values().get()
    for value in row.values():
        text = value.hex() if isinstance(value, bytes | memoryview) else str(value)
        assert digits not in text and receipt not in text
    assert row["receipt_hash"] == receipts.receipt_hash(receipt)


@pytest.mark.django_db
def test_the_right_receipt_opens_its_submission_however_it_is_typed():
    submission, receipt = make_submission()
    make_submission()  # another one, which must not answer
    digits = receipts.normalise(receipt)
    arabic = "".join(SCRIPTS[0][int(d)] for d in digits)
    dashed = "-".join(digits[i : i + 5] for i in range(0, 20, 5))
    for typed in (receipt, digits, dashed, f"  {receipt}\n", arabic):
        assert services.submission_for_receipt(typed) == submission


@pytest.mark.django_db
def test_a_wrong_receipt_opens_nothing():
    _submission, receipt = make_submission()
    digits = receipts.normalise(receipt)
    off_by_one = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    for wrong in (off_by_one, digits[:-1], digits + "0", "", "abc", "0" * 20, digits[::-1]):
        assert services.submission_for_receipt(wrong) is None


@pytest.mark.django_db
def test_an_erased_submission_opens_no_more():
    submission, receipt = make_submission()
    submission.crypto_erase()
    assert services.submission_for_receipt(receipt) is None


@pytest.mark.django_db
def test_every_check_costs_one_argon2_and_the_same_queries(argon2_calls):
    _submission, receipt = make_submission()
    digits = receipts.normalise(receipt)
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    work = {}
    for label, typed in {"right": receipt, "wrong": wrong, "short": "123", "empty": ""}.items():
        argon2_calls.clear()
        with CaptureQueriesContext(connection) as queries:
            services.submission_for_receipt(typed)
        shapes = [query["sql"].split(" WHERE ")[0] for query in queries.captured_queries]
        work[label] = (len(argon2_calls), shapes)
    assert work["right"][0] == 1
    assert work["wrong"] == work["right"] == work["short"] == work["empty"]


@pytest.mark.django_db
def test_a_right_and_a_wrong_receipt_take_the_same_time():
    _submission, receipt = make_submission()
    digits = receipts.normalise(receipt)
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    timings: dict[str, list[float]] = {"right": [], "wrong": [], "malformed": []}
    services.submission_for_receipt(wrong)  # warm up
    for _round in range(9):
        for label, typed in (("right", receipt), ("wrong", wrong), ("malformed", "12-34")):
            start = time.process_time()
            services.submission_for_receipt(typed)
            timings[label].append(time.process_time() - start)
    # The work done (processor time, the least of nine: what other processes on a busy
    # machine add is noise, not work). Argon2 dominates, tens of milliseconds; the
    # lookup is one indexed query either way.
    least = {label: min(values) for label, values in timings.items()}
    slowest, fastest = max(least.values()), min(least.values())
    assert fastest > 0.005, least
    assert slowest - fastest < 0.25 * slowest, least


@pytest.mark.django_db
def test_the_receipt_page_answers_right_and_wrong_receipts_in_the_same_time(settings):
    """Through the page a sender uses: a right receipt, a wrong one, a malformed one."""
    settings.HABEAS_INTAKE_STAMP_MIN_SECONDS = 0
    settings.HABEAS_INTAKE_RECEIPT_RATE = "1000/h"
    _submission, receipt = make_submission()
    digits = receipts.normalise(receipt)
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    client, page = Client(), reverse("submit:receipt")
    timings: dict[str, list[float]] = {"right": [], "wrong": [], "malformed": []}
    statuses: dict[str, set[int]] = {label: set() for label in timings}
    for _round in range(9):
        for label, typed in (("right", receipt), ("wrong", wrong), ("malformed", "12-34")):
            data = {"stamp": throttle.form_stamp(), "receipt": typed}
            start = time.process_time()
            response = client.post(page, data)
            timings[label].append(time.process_time() - start)
            statuses[label].add(response.status_code)
    assert statuses == {"right": {200}, "wrong": {400}, "malformed": {400}}
    least = {label: min(values) for label, values in timings.items()}
    wrongs = (least["wrong"], least["malformed"])
    # Wrong receipts, well-formed or not, cost the same; the right one about as much
    # (Argon2 dominates; its page shows a thread instead of the form).
    assert abs(wrongs[0] - wrongs[1]) < 0.25 * max(wrongs), least
    assert abs(least["right"] - least["wrong"]) < 0.5 * max(least.values()), least
