"""Flood control of the public's channel, with no address stored (¶33; SECURITY.md 12).

Three layers, none needing JavaScript or a third-party service
(docs/decisions/0005-public-channel-flood-control.md):

- **rate limits per network**, counted by django-ratelimit in the shared store
  `settings.CACHES["intake"]` (Redis, or the database). The network (the IPv4 address,
  the IPv6 /64) is turned at once into an HMAC under the server's secret key and
  django-ratelimit hashes that again: neither the store nor the logs ever hold an
  address. Over the limit the view answers 429 and creates nothing;
- **a form stamp**: a signed token (issue time, random nonce) put in the form when it is
  shown. A stamp sent back within seconds (a script), after hours (a harvested form),
  altered, or a second time (its nonce is kept, used, until it would expire anyway) is
  refused;
- **a honeypot**: a field people do not see and scripts fill in.

The views call `check_rate` first on every POST (and answer 429 when it says no), then
`form_error(request.POST)`, then validate the form.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

STAMP_FIELD = "stamp"
HONEYPOT_FIELD = "website"
STAMP_SALT = "habeas.intake.stamp"
NETWORK_SALT = "habeas.intake.network"
# Each kind of request has its own budget, set in settings.
RATES = {
    "submit": "HABEAS_INTAKE_SUBMIT_RATE",  # a new submission, or a message added to one
    "receipt": "HABEAS_INTAKE_RECEIPT_RATE",  # a receipt checked, right or wrong
}
UNKNOWN_NETWORK = "unknown"


def _client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless settings say how many reverse proxies in front append to
    X-Forwarded-For; the value is only ever hashed."""
    hops = settings.HABEAS_INTAKE_TRUSTED_PROXIES
    if hops > 0:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [part for part in chain if part]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "") or ""


def _network(address: str) -> str:
    """The network an address counts for: itself in IPv4, its /64 in IPv6 (by default)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return UNKNOWN_NETWORK  # all malformed or missing addresses share one budget
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = (
        settings.HABEAS_INTAKE_IPV4_PREFIX
        if isinstance(ip, ipaddress.IPv4Address)
        else settings.HABEAS_INTAKE_IPV6_PREFIX
    )
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def network_key(group: str, request: HttpRequest) -> str:
    """The rate-limit key of the request's network: an HMAC under the server's secret,
    so no address, not even a hash one could reverse by trying every address, is stored."""
    return salted_hmac(
        NETWORK_SALT, _network(_client_address(request)), algorithm="sha256"
    ).hexdigest()


def check_rate(request: HttpRequest, *, kind: str = "submit") -> bool:
    """Count this request against its network's budget of `kind`; False when over it.

    Call it once per POST, before anything else: the request counts whatever follows.
    Fails closed: if the store cannot be reached, the answer is False.
    """
    rate = getattr(settings, RATES[kind])
    limited = is_ratelimited(
        request,
        group=f"habeas.intake.{kind}",
        key=network_key,
        rate=rate,
        increment=True,
    )
    return not limited


# -- the form stamp -----------------------------------------------------------------------


def form_stamp() -> str:
    """A fresh stamp for a form being shown: signed, with its issue time and a nonce."""
    payload = {"n": secrets.token_urlsafe(16), "t": int(time.time())}
    return signing.dumps(payload, salt=STAMP_SALT)


def _nonce_key(nonce: str) -> str:
    return "stamp:" + hashlib.sha256(nonce.encode()).hexdigest()


def stamp_error(stamp: str | None) -> str | None:
    """Why this stamp is refused, in the sender's language; None when it is good.

    A good stamp is spent by this call: the same one is refused afterwards.
    """
    maximum = settings.HABEAS_INTAKE_STAMP_MAX_SECONDS
    try:
        payload: Any = signing.loads(stamp or "", salt=STAMP_SALT, max_age=maximum)
        nonce, issued = str(payload["n"]), int(payload["t"])
    except signing.SignatureExpired:
        return _("The form was open for too long. Please check what you wrote and send it again.")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _("The form could not be checked. Please send it again from this page.")
    if time.time() - issued < settings.HABEAS_INTAKE_STAMP_MIN_SECONDS:
        return _("The form was sent too quickly. Please check it and send it again.")
    spent = caches[settings.RATELIMIT_USE_CACHE].add(_nonce_key(nonce), 1, timeout=maximum + 60)
    if not spent:
        return _("This form was already sent. Please use the new form on this page.")
    return None


def honeypot_error(value: Any) -> str | None:
    """A field hidden from people: anything in it was typed by a script."""
    if value:
        return _("The form could not be checked. Please send it again from this page.")
    return None


def form_error(data: Mapping[str, Any]) -> str | None:
    """The honeypot, then the stamp (which is spent only if the honeypot is empty)."""
    return honeypot_error(data.get(HONEYPOT_FIELD)) or stamp_error(data.get(STAMP_FIELD))
