"""Every write of the accounts services leaves exactly one audit event, with no secret in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from habeas.accounts import services
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.core.models import AuditEvent

NEW_PASSWORD = "violet tractor under the bridge"


def _token(p):
    return services.api_token_create(actor=p["monitor"], name="t", scope="read", days=5)[0]


WRITES: dict[str, Callable[[dict[str, User]], object]] = {
    "account.create": lambda p: services.user_create(
        actor=p["admin"], email="n@npm.test", full_name="N", role=Role.MONITOR
    ),
    "account.update": lambda p: services.user_update(
        actor=p["admin"],
        user=p["expert"],
        version=1,
        role=Role.EXPERT,
        expires_at=timezone.now() + timedelta(days=3),
        is_active=True,
    ),
    "account.deactivate": lambda p: services.user_deactivate(actor=p["admin"], user=p["monitor"]),
    "account.reset_second_factor": lambda p: services.user_reset_second_factor(
        actor=p["admin"], user=p["monitor"]
    ),
    "account.password_change": lambda p: services.password_change(
        actor=p["monitor"], user=p["monitor"], new_password=NEW_PASSWORD
    ),
    "account.password_link": lambda p: services.password_link_issue(
        actor=p["admin"], user=p["monitor"]
    ),
    "auth.recovery_codes": lambda p: services.recovery_codes_regenerate(
        actor=p["monitor"], user=p["monitor"]
    ),
    "token.create": _token,
    "token.revoke": lambda p: services.api_token_revoke(actor=p["monitor"], token=_token(p)),
    "grant.create": lambda p: services.grant_create(
        actor=p["head"], user=p["doctor"], record=p["comms"], may_grant=True
    ),
    "grant.revoke": lambda p: services.grant_revoke(
        actor=p["head"],
        grant=services.grant_create(
            actor=p["head"], user=p["doctor"], record=p["comms"], may_grant=True
        ),
        may_grant=True,
    ),
}


@pytest.mark.parametrize("action", sorted(WRITES))
def test_it_writes_exactly_one_audit_event_per_write(personas, action):
    before = AuditEvent.objects.count()
    result = WRITES[action](personas)
    events = AuditEvent.objects.filter(action=action)
    assert events.count() == 1
    # Helpers that set up the write (a token to revoke, a grant to withdraw) add their own.
    setup = 1 if action in {"token.revoke", "grant.revoke"} else 0
    assert AuditEvent.objects.count() == before + 1 + setup
    row = str(list(events.values()))
    assert NEW_PASSWORD not in row
    if isinstance(result, tuple):  # never the token itself
        assert result[1] not in row
    if isinstance(result, list):  # never a recovery code
        assert not any(code in row for code in result)


@pytest.mark.parametrize(
    "action",
    [
        "account.create",
        "account.update",
        "account.deactivate",
        "account.reset_second_factor",
        "account.password_link",
    ],
)
def test_it_lets_only_the_administrator_write_accounts(personas, action):
    from django.core.exceptions import PermissionDenied

    for name in ("head", "monitor", "outsider"):
        forged = {**personas, "admin": personas[name]}
        with pytest.raises(PermissionDenied):
            WRITES[action](forged)
    assert not AuditEvent.objects.filter(action=action).exists()
