"""Flood control of the public's channel (SECURITY.md 12, 16): per-network budgets in a
shared store that never holds an address, single-use form stamps, a honeypot, and a
deployment check that refuses a per-process store."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
import time_machine
from django.core import signing
from django.test import RequestFactory, override_settings
from django.utils import timezone

from habeas.core.checks import habeas_deploy_checks
from habeas.intake import throttle
from habeas.intake.models import ThrottleEntry

pytestmark = pytest.mark.django_db
RATE = {"HABEAS_INTAKE_SUBMIT_RATE": "3/h", "HABEAS_INTAKE_RECEIPT_RATE": "2/h"}


def post(address: str = "203.0.113.7", **meta: str):
    return RequestFactory().post("/submit/", REMOTE_ADDR=address, **meta)


def spend(count: int, kind: str = "submit", **request) -> list[bool]:
    return [throttle.check_rate(post(**request), kind=kind) for _ in range(count)]


@override_settings(**RATE)
def test_a_network_over_its_budget_is_refused_and_another_is_not():
    assert spend(5) == [True, True, True, False, False]
    assert spend(1, address="198.51.100.20") == [True]


@override_settings(**RATE)
def test_submissions_and_receipt_checks_have_budgets_of_their_own():
    assert spend(4, kind="receipt") == [True, True, False, False]
    assert spend(1) == [True]


@override_settings(**RATE)
def test_an_ipv6_subscriber_cannot_escape_by_changing_address_in_its_64():
    budget = spend(2, address="2001:db8:1:2::1") + spend(2, address="2001:db8:1:2:ffff::9")
    assert budget == [True, True, True, False]
    assert spend(1, address="2001:db8:1:3::1") == [True]


@override_settings(**RATE)
def test_an_ipv4_address_written_as_ipv6_is_the_same_sender():
    assert spend(3, address="192.0.2.5") == [True, True, True]
    assert spend(1, address="::ffff:192.0.2.5") == [False]


@override_settings(**RATE)
def test_a_forged_forwarded_for_header_buys_no_new_budget():
    spend(3)
    forged = [
        throttle.check_rate(post(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"), kind="submit")
        for n in range(3)
    ]
    assert forged == [False, False, False]


@override_settings(**RATE, HABEAS_INTAKE_TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_address_it_appends_counts():
    proxy = "10.0.0.1"
    first = [
        throttle.check_rate(post(proxy, HTTP_X_FORWARDED_FOR="forged, 203.0.113.9"))
        for _ in range(4)
    ]
    other = throttle.check_rate(post(proxy, HTTP_X_FORWARDED_FOR="forged, 203.0.113.10"))
    assert first == [True, True, True, False] and other is True


@override_settings(**RATE)
def test_malformed_or_missing_addresses_share_one_budget():
    results = [throttle.check_rate(post(address)) for address in ("", "not-an-ip", "", "x")]
    assert results == [True, True, True, False]


@override_settings(**RATE)
def test_the_store_holds_no_address_in_any_form():
    addresses = ["203.0.113.77", "2001:db8:abcd:12::5"]
    for address in addresses:
        spend(2, address=address)
    rows = list(ThrottleEntry.objects.values_list("cache_key", "value"))
    assert len(rows) == 2
    text = repr(rows)
    for address in addresses:
        network = ipaddress.ip_network(f"{address}/{64 if ':' in address else 32}", strict=False)
        for form in (address, str(network), str(network.network_address), address.replace(".", "")):
            assert form not in text


# -- the form stamp -------------------------------------------------------------------------


def test_a_stamp_is_refused_when_sent_back_within_seconds():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        stamp = throttle.form_stamp()
        clock.shift(dt.timedelta(seconds=1))
        assert "too quickly" in throttle.stamp_error(stamp)
        clock.shift(dt.timedelta(seconds=5))
        assert throttle.stamp_error(stamp) is None


def test_a_stamp_works_once():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        stamp = throttle.form_stamp()
        clock.shift(dt.timedelta(minutes=2))
        assert throttle.stamp_error(stamp) is None
        assert "already sent" in throttle.stamp_error(stamp)


def test_a_stamp_kept_for_hours_is_refused():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        stamp = throttle.form_stamp()
        clock.shift(dt.timedelta(hours=13))
        assert "too long" in throttle.stamp_error(stamp)


def test_a_forged_or_altered_stamp_is_refused():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        stamp = throttle.form_stamp()
        clock.shift(dt.timedelta(minutes=1))
        backdated = signing.dumps({"n": "x", "t": 0}, salt="another.salt")
        altered = stamp[:-2] + ("AA" if not stamp.endswith("AA") else "BB")
        shapeless = signing.dumps([1], salt=throttle.STAMP_SALT)
        for bad in ("", None, "garbage", backdated, altered, shapeless):
            assert "could not be checked" in throttle.stamp_error(bad)
        assert throttle.stamp_error(stamp) is None  # the real one was not spent by those


def test_a_filled_honeypot_is_refused_and_does_not_spend_the_stamp():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        stamp = throttle.form_stamp()
        clock.shift(dt.timedelta(minutes=1))
        trapped = {throttle.STAMP_FIELD: stamp, throttle.HONEYPOT_FIELD: "http://spam.example"}
        assert throttle.form_error(trapped) is not None
        assert throttle.form_error({throttle.STAMP_FIELD: stamp}) is None


# -- the deployment check -------------------------------------------------------------------


def _check_ids(caches: dict) -> set[str]:
    with override_settings(CACHES=caches):
        return {error.id for error in habeas_deploy_checks(None)}


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_the_deployment_check_refuses_a_store_not_shared_or_not_counting(settings, backend):
    caches = {**settings.CACHES, "intake": {"BACKEND": backend}}
    assert "habeas.E009" in _check_ids(caches)


def test_the_deployment_check_refuses_a_missing_store(settings):
    caches = {name: config for name, config in settings.CACHES.items() if name != "intake"}
    assert "habeas.E009" in _check_ids(caches)


@pytest.mark.parametrize(
    "config",
    [
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "intake_throttle"},
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379"},
    ],
)
def test_the_deployment_check_accepts_a_shared_store(settings, config):
    assert "habeas.E009" not in _check_ids({**settings.CACHES, "intake": config})
